import Foundation
import Testing
@testable import WanggeCore
import WanggeTestSupport

/// Deadlines in working time (工作时, 工作日) on the sample's calendar: office hours 08:30–12:00 and 13:30–17:30 in
/// Asia/Shanghai, the State Council's holidays and make-up working days for 2025 and 2026.
@Suite("Working time: the calendar, deadlines in working hours and days, stages, suspensions, lateness")
struct WorkingTimeTests {
    static let calendar: WorkCalendar = try! JSONDecoder().decode(WorkCalendar.self, from: try! Data(contentsOf: URL(fileURLWithPath: Fixtures.geoData + "/calendar.json")))
    static let clock = try! WorkingClock(calendar)

    static func t(_ s: String) -> Double { Timestamp.parse(s, zone: .shanghai)! }
    static func text(_ t: Double) -> String { Timestamp.format(t, in: .shanghai) }

    func due(_ from: String, _ limit: TimeLimit) -> String {
        let sla = SLARules(defaults: [:]).with(clock: Self.clock, classes: nil, types: [])
        return Self.text(sla.adding(sla.seconds(limit), limit.unit, to: Self.t(from)))
    }

    @Test("working hours run over a weekend: 4 working hours from 16:00 on a Friday end at 11:00 on Monday")
    func weekend() {
        #expect(due("2026-11-27T16:00:00", .workingHours(4)) == "2026-11-30T11:00:00+08:00")
        // Reported on a Saturday: the clock starts on Monday morning.
        #expect(due("2026-11-28T09:00:00", .workingHours(1)) == "2026-11-30T09:30:00+08:00")
        // Over the lunch break.
        #expect(due("2026-11-30T11:00:00", .workingHours(2)) == "2026-11-30T14:30:00+08:00")
        // Calendar hours do not care.
        #expect(due("2026-11-27T16:00:00", .hours(4)) == "2026-11-27T20:00:00+08:00")
    }

    @Test("a holiday stops the clock: one working day from 15:00 on 30 September 2026 ends at 15:00 on 8 October")
    func holiday() {
        #expect(due("2026-09-30T15:00:00", .workingDays(1)) == "2026-10-08T15:00:00+08:00")
        #expect(Self.clock.kind(ofDay: WorkCalendar.dayNumber(year: 2026, month: 10, day: 5)) == .holiday)
        #expect(Self.clock.holidayName(ofDay: WorkCalendar.dayNumber(year: 2026, month: 10, day: 5)) == "国庆节")
    }

    @Test("a make-up working day runs the clock: 2 working hours from 17:00 on Friday 18 September 2026 end on Sunday the 20th")
    func makeupDay() {
        #expect(due("2026-09-18T17:00:00", .workingHours(2)) == "2026-09-20T10:00:00+08:00")
        #expect(Self.clock.kind(ofDay: WorkCalendar.dayNumber(year: 2026, month: 9, day: 20)) == .makeupWorkday)
        // Saturday 19th is not one.
        #expect(Self.clock.kind(ofDay: WorkCalendar.dayNumber(year: 2026, month: 9, day: 19)) == .weekend)
    }

    @Test("a staged disposal (停工 4 working hours, 处罚 7 and 拆除 20 working days) across the Mid-Autumn and National Day holidays")
    func stages() throws {
        let stages = [DisposalStage(name: "停工", limit: .workingHours(4)), DisposalStage(name: "处罚", limit: .workingDays(7)),
                      DisposalStage(name: "拆除", limit: .workingDays(20))]
        let classes = CaseClasses(events: [.init(code: "01", name: "市容环境", nameEn: "", minors: [
            .init(code: "01", name: "私搭乱建", nameEn: "", filing: "", closing: "", department: nil, limit: nil, stages: stages)])],
                                  components: [], extensionRange: [51, 99], sources: [])
        let type = EventType(code: "illegal_construction", name: "", nameEn: "", category: "places", defaultDepartment: "x",
                             standardClass: "event:0101")
        let sla = SLARules(defaults: ["2": .init(acceptHours: 8, resolveHours: 72, closeHours: 48)])
            .with(clock: Self.clock, classes: classes, types: [type])
        var s = WorkflowState(type: "illegal_construction", severity: 2, reportedAt: Self.t("2026-09-22T09:00:00"))
        s.status = .dispatched
        s.dispatchedAt = Self.t("2026-09-22T10:00:00")
        let dues = Workflow.stageDues(s, sla: sla, now: s.dispatchedAt!).map { Self.text($0.due) }
        // Counted by hand: Tue 22 10:00 → 15:30 the same day; 7 working days skip 25–27 Sep and 1–7 Oct; 20 count
        // the make-up Saturday 10 October.
        #expect(dues == ["2026-09-22T15:30:00+08:00", "2026-10-09T10:00:00+08:00", "2026-10-27T10:00:00+08:00"])
        #expect(Workflow.resolveDue(s, sla: sla, now: s.dispatchedAt!).map(Self.text) == "2026-10-27T10:00:00+08:00")
        let d = try #require(Workflow.deadline(s, sla: sla, now: Self.t("2026-09-23T10:00:00")))
        // One working day of twenty used.
        #expect(d.phase == .resolve && abs(d.used - 0.05) < 1e-9 && d.limit == .workingDays(20))
        // At severity 4 the class limit does not apply: the severity's calendar hours do.
        s.severity = 4
        #expect(sla.times(type: s.type, severity: 4).resolve == .hours(168) && Workflow.stageDues(s, sla: sla, now: 0).isEmpty)
    }

    @Test("a suspension over a weekend costs no working time, one during office hours does")
    func suspensions() throws {
        let sla = SLARules(defaults: ["2": .init(accept: .hours(8), resolve: .workingHours(8), close: .hours(48))])
            .with(clock: Self.clock, classes: nil, types: [])
        let dispatcher = Identity(tokenID: 1, name: "centre", role: .dispatcher)
        let dept = Identity(tokenID: 2, name: "team", role: .department, department: "d")
        var s = WorkflowState(type: "x", severity: 2, reportedAt: Self.t("2026-11-26T08:00:00"))
        func run(_ a: EventAction, _ who: Identity, _ at: String, _ f: ActionFields = ActionFields()) throws {
            (s, _) = try Workflow.apply(a, fields: f, to: s, context: ActionContext(identity: who, isSubmitter: false, at: Self.t(at)),
                                        sla: sla, knownDepartments: ["d"])
        }
        try run(.accept, dispatcher, "2026-11-26T09:00:00")
        try run(.dispatch, dispatcher, "2026-11-27T14:00:00", ActionFields(department: "d"))   // Friday 14:00
        // 3.5 working hours on Friday, 3.5 on Monday morning, one after lunch.
        #expect(Workflow.resolveDue(s, sla: sla, now: Self.t("2026-11-27T14:00:00")).map(Self.text) == "2026-11-30T14:30:00+08:00")
        try run(.acknowledge, dept, "2026-11-27T14:10:00")
        try run(.requestSuspension, dept, "2026-11-27T17:00:00", ActionFields(reason: "owner away"))
        try run(.approveRequest, dispatcher, "2026-11-27T17:30:00")                           // suspended at closing time
        try run(.resume, dept, "2026-11-30T08:30:00")                                         // resumed Monday at opening
        #expect(Workflow.resolveDue(s, sla: sla, now: Self.t("2026-11-30T09:00:00")).map(Self.text) == "2026-11-30T14:30:00+08:00")
        try run(.requestSuspension, dept, "2026-11-30T09:00:00", ActionFields(reason: "waiting for parts"))
        try run(.approveRequest, dispatcher, "2026-11-30T09:00:00")
        // While it runs, the deadline moves with the working clock only.
        #expect(Workflow.resolveDue(s, sla: sla, now: Self.t("2026-11-30T10:00:00")).map(Self.text) == "2026-11-30T15:30:00+08:00")
        #expect(Workflow.resolveDue(s, sla: sla, now: Self.t("2026-11-30T13:00:00")).map(Self.text) == "2026-11-30T17:30:00+08:00")
        try run(.resume, dept, "2026-11-30T13:30:00")                                         // 3 working hours suspended
        #expect(s.pauses?.count == 2)
        #expect(Workflow.resolveDue(s, sla: sla, now: Self.t("2026-11-30T14:00:00")).map(Self.text) == "2026-11-30T17:30:00+08:00")
    }

    @Test("lateness and the rating count working time: resolved two working days late is 25 + 5 points off")
    func lateness() throws {
        let sla = SLARules(defaults: ["2": .init(accept: .hours(8), resolve: .workingHours(4), close: .hours(48))])
            .with(clock: Self.clock, classes: nil, types: [])
        var s = WorkflowState(type: "x", severity: 2, reportedAt: Self.t("2026-11-27T15:00:00"))
        s.dispatchedAt = Self.t("2026-11-27T16:00:00")          // due Monday 30 November 11:00
        s.resolvedAt = Self.t("2026-12-02T11:00:00")            // Wednesday 11:00: two working days (15 working hours) late
        let (late, unit) = try #require(Workflow.lateness(s, sla: sla, at: s.resolvedAt!))
        #expect(unit == .workingHours && late == 15 * 3600)
        let inputs = Workflow.ratingInputs(s, sla: sla, satisfaction: .satisfied)
        #expect(!inputs.onTime && inputs.hoursLate == 15 && inputs.score == 70)
        // Resolved at 17:00 on Friday: on time (the clock had an hour and a half left that day).
        s.resolvedAt = Self.t("2026-11-27T17:00:00")
        #expect(Workflow.ratingInputs(s, sla: sla, satisfaction: .satisfied).onTime)
    }

    @Test("adding working time and measuring it agree, across both years and into one not published")
    func inverse() {
        var rng = SystemRandomNumberGenerator()
        let start = Self.t("2025-01-01T00:00:00"), end = Self.t("2027-06-30T00:00:00")
        for _ in 0..<300 {
            let from = Double.random(in: start..<end, using: &rng).rounded()
            let seconds = (Double.random(in: 0..<(40 * 7.5 * 3600), using: &rng)).rounded()
            let to = Self.clock.adding(seconds, to: from)
            #expect(abs(Self.clock.workingSeconds(from: from, to: to) - seconds) < 1e-6)
        }
        // 2027 is not published: weekends only, and the calendar says so.
        #expect(!Self.clock.knows(year: 2027) && Self.clock.knows(year: 2026))
        #expect(Self.clock.isWorking(day: WorkCalendar.dayNumber(year: 2027, month: 10, day: 1)))   // a Friday
    }

    @Test("a calendar with a weekday as make-up day, a bad date, overlapping hours or an unknown zone is refused, naming the field")
    func invalidCalendars() {
        func problems(_ hours: [[String]], _ year: WorkCalendar.Year, zone: String = "Asia/Shanghai") -> String {
            do { _ = try WorkCalendar(timeZone: zone, officeHours: hours, years: ["2026": year]); return "" } catch { return "\(error)" }
        }
        let ok = [["08:30", "12:00"], ["13:30", "17:30"]]
        #expect(problems(ok, .init(holidays: [], workdays: ["2026-09-21"], source: "")).contains("years.2026.workdays[0]: 2026-09-21 is a weekday"))
        #expect(problems(ok, .init(holidays: [.init(name: "x", nameEn: "x", from: "2026-02-30", to: "2026-03-01")], workdays: [], source: ""))
            .contains("years.2026.holidays[0]"))
        #expect(problems([["08:30", "12:00"], ["11:30", "17:30"]], .init(holidays: [], workdays: [], source: "")).contains("office_hours[1]: starts before"))
        #expect(problems(ok, .init(holidays: [], workdays: [], source: ""), zone: "Mars/Olympus").contains("time_zone"))
        #expect(problems(ok, .init(holidays: [.init(name: "x", nameEn: "x", from: "2026-09-20", to: "2026-09-20")], workdays: ["2026-09-20"], source: ""))
            .contains("both a holiday and a working day"))
    }

    @Test("service levels read calendar hours as before, working hours and days, and stages; two clocks for one stage are refused")
    func slaFiles() throws {
        let json = #"""
        {"defaults": {"2": {"accept_hours": 8, "resolve_working_days": 3, "close_working_hours": 4}},
         "types": {"illegal_construction": {"2": {"accept_hours": 8, "close_hours": 48,
            "resolve_stages": [{"name": "停工", "working_hours": 4}, {"name": "拆除", "working_days": 20}]}}}}
        """#
        let sla = try JSONDecoder().decode(SLARules.self, from: Data(json.utf8))
        #expect(sla.times(type: "garbage", severity: 2).resolve == .workingDays(3))
        #expect(sla.times(type: "garbage", severity: 2).close == .workingHours(4))
        let staged = sla.times(type: "illegal_construction", severity: 2)
        #expect(staged.resolve == .workingDays(20) && staged.stages.map(\.name) == ["停工", "拆除"])
        // What is written reads back the same.
        #expect(try JSONDecoder().decode(SLARules.self, from: JSONEncoder().encode(sla)) == sla)
        let both = #"{"defaults": {"2": {"accept_hours": 8, "resolve_hours": 72, "resolve_working_days": 3, "close_hours": 4}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SLARules.self, from: Data(both.utf8)) }
        let none = #"{"defaults": {"2": {"accept_hours": 8, "close_hours": 4}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SLARules.self, from: Data(none.utf8)) }
    }
}
