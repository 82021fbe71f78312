import Foundation
import Testing
@testable import WanggeCore

@Suite("Report periods: calendar edges and time zones")
struct ReportPeriodTests {
    func utc(_ s: String) -> Double { Timestamp.parse(s)! }

    @Test("a month in Asia/Shanghai starts at local midnight, 16:00 UTC the day before")
    func monthInShanghai() throws {
        let p = try ReportPeriod.containing(.month, date: "2026-08-31")
        #expect(p.label == "2026-08")
        #expect(p.from == utc("2026-07-31T16:00:00Z") && p.to == utc("2026-08-31T16:00:00Z"))
        #expect(p.localString(p.from) == "2026-08-01T00:00:00+08:00")
        // An instant late on the 31st in UTC is already September in Shanghai.
        #expect(try ReportPeriod.containing(.month, date: "2026-08-31T17:00:00Z").label == "2026-09")
        #expect(try ReportPeriod.containing(.month, date: "2026-12-05").to == utc("2026-12-31T16:00:00Z"))
    }

    @Test("quarters and years at their edges; February in a leap year")
    func quarters() throws {
        let q4 = try ReportPeriod.containing(.quarter, date: "2026-12-31")
        #expect(q4.label == "2026-Q4" && q4.from == utc("2026-09-30T16:00:00Z") && q4.to == utc("2026-12-31T16:00:00Z"))
        let q1 = try ReportPeriod.containing(.quarter, date: "2026-01-01")
        #expect(q1.label == "2026-Q1" && q1.to == utc("2026-03-31T16:00:00Z"))
        #expect(try ReportPeriod.containing(.quarter, date: "2026-07-01").label == "2026-Q3")
        let feb = try ReportPeriod.containing(.month, date: "2028-02-10")
        #expect(feb.to - feb.from == 29 * 86400)
        let y = try ReportPeriod.containing(.year, date: "2026-06-01")
        #expect(y.label == "2026" && y.to - y.from == 365 * 86400)
    }

    @Test("ISO weeks start on Monday; the first week of 2026 starts on 29 December 2025")
    func weeks() throws {
        let w = try ReportPeriod.containing(.week, date: "2026-01-01")
        #expect(w.label == "2026-W01")
        #expect(w.localString(w.from) == "2025-12-29T00:00:00+08:00" && w.to - w.from == 7 * 86400)
        let sunday = try ReportPeriod.containing(.week, date: "2026-11-29")
        #expect(sunday.localString(sunday.from) == "2026-11-23T00:00:00+08:00" && sunday.label == "2026-W48")
    }

    @Test("another zone: days counted there, and a month with a daylight-saving change is an hour short")
    func otherZones() throws {
        let utcMonth = try ReportPeriod.containing(.month, date: "2026-08-15", timeZone: "UTC")
        #expect(utcMonth.from == utc("2026-08-01T00:00:00Z"))
        let march = try ReportPeriod.containing(.month, date: "2026-03-15", timeZone: "America/New_York")
        #expect(march.from == utc("2026-03-01T05:00:00Z") && march.to == utc("2026-04-01T04:00:00Z"))
        #expect(march.to - march.from == 31 * 86400 - 3600)
        #expect(march.localString(march.to) == "2026-04-01T00:00:00-04:00")
    }

    @Test("from/to: a date as `to` includes that whole day; instants are taken as given; previous periods")
    func spans() throws {
        let p = try ReportPeriod.between("2026-08-01", "2026-08-15")
        #expect(p.from == utc("2026-07-31T16:00:00Z") && p.to == utc("2026-08-15T16:00:00Z") && p.kind == .custom)
        let i = try ReportPeriod.between("2026-08-01T08:00:00+08:00", "2026-08-01T09:30:00+08:00")
        #expect(i.to - i.from == 5400)
        #expect(try ReportPeriod.containing(.month, date: "2026-03-10").previous().label == "2026-02")
        #expect(try ReportPeriod.containing(.quarter, date: "2026-01-10").previous().label == "2025-Q4")
        #expect(try ReportPeriod.containing(.week, date: "2026-01-01").previous().label == "2025-W52")
        #expect(try p.previous().to == p.from)
    }

    @Test("bad dates, zones and spans are refused with what is wrong")
    func errors() {
        #expect(throws: ReportPeriod.PeriodError.badDate("2026-02-30")) { try ReportPeriod.containing(.month, date: "2026-02-30") }
        #expect(throws: ReportPeriod.PeriodError.badDate("yesterday")) { try ReportPeriod.containing(.month, date: "yesterday") }
        #expect(throws: ReportPeriod.PeriodError.unknownTimeZone("Mars/Olympus")) { try ReportPeriod.containing(.month, date: "2026-02-03", timeZone: "Mars/Olympus") }
        #expect(throws: ReportPeriod.PeriodError.emptySpan) { try ReportPeriod.between("2026-08-15", "2026-08-01") }
    }
}

@Suite("Report figures against a hand-worked set of events")
struct ReportFigureTests {
    static let t0 = Timestamp.parse("2026-08-03T09:00:00+08:00")!
    static func h(_ hours: Double) -> Double { t0 + hours * 3600 }
    static let period = try! ReportPeriod.containing(.month, date: "2026-08-10")
    static let now = h(200)

    /// Nine events over three grids (A, B, C) and one outside them, worked out by hand:
    ///
    /// | id | grid | type     | sev | status      | accept h | resolve h | close h | late h | reworks | returns | satisfaction | rating | other |
    /// |----|------|----------|-----|-------------|----------|-----------|---------|--------|---------|---------|--------------|--------|-------|
    /// | 1  | A    | garbage  | 2   | evaluated   | 1        | 10        | 12      | 0      | 0       | 0       | satisfied    | good   |       |
    /// | 2  | A    | garbage  | 2   | evaluated   | 2        | 30        | 31      | 5      | 1       | 1       | neutral      | poor   |       |
    /// | 3  | A    | parking  | 3   | closed      | 3        | 20        | 24      | 0      | 0       | 0       | –            | –      | boundary |
    /// | 4  | A    | parking  | 1   | in_progress | 4        | –         | –       | –      | 0       | 0       | –            | –      | due h150: overdue at h200 |
    /// | 5  | B    | garbage  | 2   | rejected    | –        | –         | –       | –      | 0       | 0       | –            | –      |       |
    /// | 6  | B    | noise    | 4   | evaluated   | 5        | 6         | 8       | 0      | 2       | 0       | dissatisfied | average|       |
    /// | 7  | B    | noise    | 2   | dispatched  | 1        | –         | –       | –      | 0       | 0       | –            | –      | due h300 (not yet), extensions 1 |
    /// | 8  | B    | garbage  | 2   | in_progress | 1        | –         | –       | –      | 0       | 0       | –            | –      | due h100 but suspended |
    /// | 9  | –    | garbage  | 1   | reported    | –        | –         | –       | –      | 0       | 0       | –            | –      | outside, due h24: overdue |
    /// | 10 | A    | garbage  | 2   | closed      | 1        | 2         | 3       | 0      |         |         |              |        | reported in July: not counted |
    static let events: [ReportEvent] = [
        ReportEvent(id: 1, type: "garbage", severity: 2, status: .evaluated, department: "sanitation", reportedAt: h(0), acceptedAt: h(1),
                    resolvedAt: h(10), closedAt: h(12), resolvedLateHours: 0, satisfaction: .satisfied, rating: .good, grids: ["A"]),
        ReportEvent(id: 2, type: "garbage", severity: 2, status: .evaluated, department: "sanitation", reportedAt: h(0), acceptedAt: h(2),
                    resolvedAt: h(30), closedAt: h(31), resolvedLateHours: 5, reworks: 1, returns: 1, satisfaction: .neutral, rating: .poor, grids: ["A"]),
        ReportEvent(id: 3, type: "parking", severity: 3, status: .closed, department: "municipal", match: .boundary, reportedAt: h(0),
                    acceptedAt: h(3), resolvedAt: h(20), closedAt: h(24), resolvedLateHours: 0, grids: ["A"]),
        ReportEvent(id: 4, type: "parking", severity: 1, status: .inProgress, department: "municipal", reportedAt: h(0), acceptedAt: h(4),
                    dueAt: h(150), grids: ["A"]),
        ReportEvent(id: 5, type: "garbage", severity: 2, status: .rejected, reportedAt: h(0), grids: ["B"]),
        ReportEvent(id: 6, type: "noise", severity: 4, status: .evaluated, department: "police", reportedAt: h(0), acceptedAt: h(5),
                    resolvedAt: h(6), closedAt: h(8), resolvedLateHours: 0, reworks: 2, satisfaction: .dissatisfied, rating: .average, grids: ["B"]),
        ReportEvent(id: 7, type: "noise", severity: 2, status: .dispatched, department: "police", reportedAt: h(0), acceptedAt: h(1),
                    dueAt: h(300), extensions: 1, grids: ["B"]),
        ReportEvent(id: 8, type: "garbage", severity: 2, status: .inProgress, department: "sanitation", reportedAt: h(0), acceptedAt: h(1),
                    dueAt: h(100), suspended: true, grids: ["B"]),
        ReportEvent(id: 9, type: "garbage", severity: 1, status: .reported, match: .nearest, outside: true, reportedAt: h(0), dueAt: h(24), grids: []),
        ReportEvent(id: 10, type: "garbage", severity: 2, status: .closed, reportedAt: Timestamp.parse("2026-07-31T23:59:59+08:00")!,
                    acceptedAt: h(1), resolvedAt: h(2), closedAt: h(3), resolvedLateHours: 0, grids: ["A"]),
    ]
    static let grids = [
        ReportGrid(code: "A", name: "甲", layer: .residential, level: .courtyard, parent: "P", areaM2: 2_000_000, households: 500),
        ReportGrid(code: "B", name: "乙", layer: .residential, level: .courtyard, parent: "P", areaM2: 500_000),
        ReportGrid(code: "C", name: "丙", layer: .residential, level: .courtyard, parent: "P", areaM2: 1_000_000),
    ]

    func report() -> GridReport {
        GridReport.build(scope: .level(.courtyard), grids: Self.grids, events: Self.events, period: Self.period, now: Self.now)
    }

    @Test("grid A: every figure as counted by hand")
    func gridA() {
        let a = report().rows[0].tally
        #expect(a.received == 4 && a.rejected == 0 && a.closed == 3 && a.open == 1)
        #expect(a.resolutionRate == 0.75)
        #expect(a.resolved == 3 && a.onTime == 2 && a.onTimeRate == 2.0 / 3)
        #expect(a.overdue == 1)
        #expect(a.satisfied == 1 && a.neutral == 1 && a.dissatisfied == 0 && a.satisfactionRate == 1)
        #expect(a.good == 1 && a.average == 0 && a.poor == 1)
        #expect(a.medianHoursToAccept == 2.5)     // 1, 2, 3, 4
        #expect(a.medianHoursToResolve == 20)     // 10, 20, 30
        #expect(a.medianHoursToClose == 24)       // 12, 24, 31
        #expect(a.reworks == 1 && a.reworkedEvents == 1 && a.returns == 1 && a.extensions == 0)
        #expect(a.boundary == 1 && a.outside == 0)
        #expect(a.byStatus == [.evaluated: 2, .closed: 1, .inProgress: 1])
        #expect(a.byType == ["garbage": 2, "parking": 2] && a.bySeverity == [1, 2, 1, 0])
    }

    @Test("grid B: a rejection, a dissatisfied resident, a suspension that is not overdue; C is a blind spot")
    func gridBAndC() {
        let r = report()
        let b = r.rows[1].tally
        #expect(b.received == 4 && b.rejected == 1 && b.closed == 1 && b.open == 2)
        #expect(b.resolutionRate == 0.25)
        #expect(b.overdue == 0)                   // 7 is due later, 8 is suspended
        #expect(b.satisfactionRate == 0 && b.dissatisfied == 1)
        #expect(b.onTimeRate == 1 && b.resolved == 1)
        #expect(b.medianHoursToAccept == 1)       // 5, 1, 1
        #expect(b.reworks == 2 && b.reworkedEvents == 1 && b.extensions == 1)
        #expect(r.rows[2].tally.received == 0)
        #expect(r.blindSpots == ["C"])
    }

    @Test("totals count every event of the period once; the outside event is unassigned; July's is left out")
    func totals() {
        let r = report()
        #expect(r.total.received == 9 && r.total.closed == 4 && r.total.overdue == 2 && r.total.outside == 1)
        #expect(r.total.resolutionRate == 4.0 / 9)
        #expect(r.total.satisfactionRate == 2.0 / 3)
        #expect(r.unassigned.received == 1 && r.unassigned.outside == 1 && r.unassigned.overdue == 1)
    }

    @Test("an event in two overlapping overlay grids counts in each, and once in the total")
    func overlays() {
        let grids = [ReportGrid(code: "F1", name: "f1", layer: .functional, level: nil, parent: nil, areaM2: 1e6),
                     ReportGrid(code: "F2", name: "f2", layer: .functional, level: nil, parent: nil, areaM2: 1e6)]
        var e = Self.events[0]
        e.grids = ["F1", "F2"]
        let r = GridReport.build(scope: .overlay(.functional), grids: grids, events: [e], period: Self.period, now: Self.now)
        #expect(r.rows.map(\.tally.received) == [1, 1] && r.total.received == 1 && r.unassigned.received == 0)
    }

    @Test("medians of odd and even counts, and of nothing")
    func medians() {
        #expect(LoopTally.median([]) == nil)
        #expect(LoopTally.median([7]) == 7)
        #expect(LoopTally.median([5, 1, 3]) == 3)
        #expect(LoopTally.median([4, 1, 3, 2]) == 2.5)
        let many = (0..<1001).map { Double(($0 * 7919) % 1001) }
        #expect(LoopTally.median(many) == 500)
    }

    @Test("CSV and the choropleth carry the same flat columns; density is events per km²")
    func formats() throws {
        let r = report()
        let csv = r.csv().split(separator: "\r\n").map(String.init)
        #expect(csv.count == 4)
        let header = csv[0].split(separator: ",").map(String.init)
        let a = csv[1].split(separator: ",").map(String.init)
        func value(_ row: [String], _ column: String) -> String { row[header.firstIndex(of: column)!] }
        #expect(value(a, "code") == "A" && value(a, "name") == "甲" && value(a, "received") == "4")
        #expect(value(a, "density_per_km2") == "2.0" && value(a, "households") == "500")
        #expect(value(a, "resolution_rate") == "0.75" && value(a, "on_time_rate") == "0.6667")
        // Measures keep one type whatever the values: a whole rate is 1.0, not 1 (QGIS would make it an Integer).
        #expect(ReportColumns.round(1, 4) == .number(JSONNumber(literal: "1.0", value: 1)) && ReportColumns.round(0, 2) == .number(JSONNumber(literal: "0.0", value: 0)))
        #expect(ReportColumns.round(nil, 4) == .null && ReportColumns.round(.nan, 4) == .null && ReportColumns.round(-2, 1) == .number(JSONNumber(literal: "-2.0", value: -2)))
        #expect(value(a, "type_garbage") == "2" && value(a, "type_noise") == "0" && value(a, "status_in_progress") == "1")
        #expect(value(csv[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init), "blind_spot") == "true")
        let json = r.json().objectValue!
        #expect(json["blind_spots"] == .array([.string("C")]))
        #expect(json["period"]?.objectValue?["from"] == .string("2026-08-01T00:00:00+08:00"))
        guard case .array(let rows)? = json["grids"] else { Issue.record("no grids array"); return }
        #expect(rows.count == 3 && rows[1].objectValue?["density_per_km2"] == .number(JSONNumber(literal: "8.0", value: 8)))
    }

    @Test("readable ranges: whole days as dates (the last day included), other spans to the minute")
    func readable() throws {
        #expect(try ReportPeriod.containing(.quarter, date: "2026-08-01").readableRange == "2026-07-01 – 2026-09-30")
        #expect(try ReportPeriod.containing(.day, date: "2026-08-01").readableRange == "2026-08-01")
        #expect(try ReportPeriod.between("2026-08-01T08:00:00+08:00", "2026-08-01T09:30:00+08:00").readableRange == "2026-08-01 08:00 – 2026-08-01 09:30")
    }

    @Test("the department report: events by the department holding them, returns from the history, the undispatched")
    func departments() {
        let d = [Department(code: "municipal", name: "市政", nameEn: "Municipal", phone: ""),
                 Department(code: "sanitation", name: "环卫", nameEn: "Sanitation", phone: "")]
        let r = DepartmentReport.build(departments: d, events: Self.events, returnedBy: ["sanitation": 1, "police": 2],
                                       period: Self.period, now: Self.now)
        #expect(r.rows.map(\.department.code) == ["municipal", "sanitation", "police"])  // police is not in the catalog
        let sanitation = r.rows[1]
        #expect(sanitation.tally.received == 3 && sanitation.returned == 1 && sanitation.tally.closed == 2)
        #expect(sanitation.tally.onTime == 1 && sanitation.tally.resolved == 2 && sanitation.tally.good == 1 && sanitation.tally.poor == 1)
        #expect(r.rows[2].tally.received == 2 && r.rows[2].returned == 2 && r.rows[2].tally.extensions == 1)
        #expect(r.undispatched.received == 2 && r.undispatched.rejected == 1)
        #expect(r.total.received == 9)
        #expect(r.csv().hasPrefix("department,name,name_en,returned_as_wrong_dispatch,received,"))
    }
}

@Suite("Hot spots")
struct HotSpotTests {
    static let lat = 38.06, lon = 114.45
    static let day = 86400.0
    /// A point `east` and `north` metres from the origin, `days` after t0.
    static func p(_ id: Int64, _ type: String, east: Double, north: Double = 0, days: Double, grid: String = "A") -> HotSpots.Point {
        let (sx, sy) = HotSpots.scale(lat)
        return HotSpots.Point(id: id, type: type, lon: lon + east / sx, lat: lat + north / sy, at: 1_790_000_000 + days * day, grid: grid)
    }

    @Test("events of one type within 50 m and 7 days chain into a cluster; other types, far ones and late ones stay out")
    func clusters() {
        let points = [
            Self.p(1, "garbage", east: 0, days: 0), Self.p(2, "garbage", east: 45, days: 1),
            Self.p(3, "garbage", east: 90, days: 2, grid: "B"),      // 90 m from 1, 45 m from 2: chained in
            Self.p(4, "garbage", east: 300, days: 1),                // too far
            Self.p(5, "noise", east: 10, days: 1), Self.p(6, "noise", east: 12, days: 2),   // only two of a type
            Self.p(7, "garbage", east: 20, days: 30),                // same place, a month later
        ]
        let c = HotSpots.clusters(points)
        #expect(c.count == 1)
        #expect(c.first?.ids == [1, 2, 3] && c.first?.type == "garbage" && c.first?.grids == ["A", "B"])
        #expect(abs((c.first?.radiusMetres ?? 0) - 45) < 0.5)  // the centre is event 2's place
        var loose = HotSpots.Options()
        loose.minEvents = 2
        #expect(HotSpots.clusters(points, options: loose).map(\.ids) == [[1, 2, 3], [5, 6]])
    }

    @Test("the same problem at one place over more than a week is a repeat; one burst is not")
    func repeats() {
        let points = [
            Self.p(1, "noise", east: 0, days: 0), Self.p(2, "noise", east: 10, north: 5, days: 10), Self.p(3, "noise", east: 5, days: 20),
            Self.p(4, "garbage", east: 0, days: 0), Self.p(5, "garbage", east: 5, days: 1), Self.p(6, "garbage", east: 8, days: 2),
        ]
        let r = HotSpots.repeats(points)
        #expect(r.map(\.ids) == [[1, 2, 3]] && r.first?.kind == .repeat)
        #expect(HotSpots.clusters(points).map(\.ids) == [[4, 5, 6]])
    }

    @Test("grids rise by at least three events and half again")
    func rising() {
        let r = HotSpots.rising(now: ["A": 10, "B": 4, "C": 3, "D": 9], before: ["A": 4, "B": 3, "D": 7])
        #expect(r.map(\.grid) == ["A", "C"])
    }
}
