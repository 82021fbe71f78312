import Testing
@testable import WanggeCore

/// The standard's figures (GB/T 30428) as a city's monthly report gives them.
@Suite("The standard's figures: 应结案, 结案率, 按期结案率, disposal, rework, dispatch, parked")
struct StandardFiguresTests {
    static let t0 = Timestamp.parse("2026-08-03T09:00:00+08:00")!
    static func h(_ hours: Double) -> Double { t0 + hours * 3600 }
    static let period = try! ReportPeriod.containing(.month, date: "2026-08-10")
    static let now = h(400)

    /// A published monthly report reads 受理 1,054, 立案 996, 应结案 972, 结案 911 (93.72 %), 按期结案 737 (75.82 %).
    /// Cases that give exactly that: 58 not filed (rejected); 737 closed on time and 174 closed late; 30 resolved and
    /// waiting for the check; 31 overdue while undisposed; 20 in hand and not yet due; 4 parked past their deadline.
    static func published() -> [ReportEvent] {
        var events: [ReportEvent] = []
        var id: Int64 = 0
        func add(_ n: Int, _ make: (Int64) -> ReportEvent) { for _ in 0..<n { id += 1; events.append(make(id)) } }
        add(58) { ReportEvent(id: $0, type: "garbage", severity: 2, status: .rejected, reportedAt: h(0), grids: ["A"]) }
        add(737) { ReportEvent(id: $0, type: "garbage", severity: 2, status: .evaluated, reportedAt: h(0), acceptedAt: h(1),
                               resolvedAt: h(10), closedAt: h(12), resolvedLateHours: 0, grids: ["A"]) }
        add(174) { ReportEvent(id: $0, type: "garbage", severity: 2, status: .closed, reportedAt: h(0), acceptedAt: h(1),
                               resolvedAt: h(90), closedAt: h(95), resolvedLateHours: 6, reworks: $0 % 2 == 0 ? 1 : 0, grids: ["A"]) }
        add(30) { ReportEvent(id: $0, type: "garbage", severity: 2, status: .resolved, reportedAt: h(0), acceptedAt: h(1),
                              resolvedAt: h(300), dueAt: h(500), resolvedLateHours: 0, grids: ["A"]) }
        add(31) { ReportEvent(id: $0, type: "garbage", severity: 2, status: .inProgress, reportedAt: h(0), acceptedAt: h(1),
                              dueAt: h(100), grids: ["A"]) }
        add(20) { ReportEvent(id: $0, type: "garbage", severity: 2, status: .dispatched, reportedAt: h(0), acceptedAt: h(1),
                              dueAt: h(600), returns: $0 % 5 == 0 ? 1 : 0, grids: ["A"]) }
        add(4) {
            var e = ReportEvent(id: $0, type: "garbage", severity: 2, status: .inProgress, reportedAt: h(0), acceptedAt: h(1),
                                dueAt: h(100), grids: ["A"])
            e.parked = true
            return e
        }
        return events
    }

    @Test("the published monthly report's figures are rebuilt from its cases")
    func publishedReport() {
        let grid = ReportGrid(code: "A", name: "甲", layer: .residential, level: .courtyard, parent: nil, areaM2: 1_000_000)
        let t = GridReport.build(scope: .level(.courtyard), grids: [grid], events: Self.published(), period: Self.period, now: Self.now).total
        #expect(t.received == 1054 && t.filed == 996)
        #expect(t.dueToClose == 972 && t.closedOfDue == 911 && t.closedOnTime == 737)
        #expect(ReportColumns.round(t.closureRate, 4) == ReportColumns.round(0.9372, 4))
        #expect(ReportColumns.round(t.onTimeClosureRate, 4) == ReportColumns.round(0.7582, 4))
        #expect(t.parked == 4)
        // Parked cases past their deadline are not overdue; the 31 undisposed ones are.
        #expect(t.overdue == 31)
        // Disposal: 941 resolved (737 + 174 + 30), 767 of them on time, plus the 31 overdue undisposed are due.
        #expect(t.dueToDispose == 972 && t.onTime == 767)
        #expect(ReportColumns.round(t.disposalOnTimeRate, 4) == ReportColumns.round(767.0 / 972, 4))
        // 87 of the late ones were reworked; 4 of the 20 in hand came back as wrong dispatches once.
        #expect(t.reworkedEvents == 87 && t.reworkRate == 87.0 / 941)
        #expect(t.dispatched == 996 && t.accuratelyDispatched == 992)
    }

    @Test("应结案 counts an overdue undisposed case and leaves out one not yet due, a parked one and a rejected one")
    func dueToClose() {
        let grid = ReportGrid(code: "A", name: "甲", layer: .residential, level: .courtyard, parent: nil, areaM2: 1)
        func tally(_ e: ReportEvent) -> LoopTally {
            GridReport.build(scope: .level(.courtyard), grids: [grid], events: [e], period: Self.period, now: Self.now).total
        }
        let overdue = ReportEvent(id: 1, type: "x", severity: 2, status: .accepted, reportedAt: Self.h(0), acceptedAt: Self.h(1), dueAt: Self.h(10), grids: ["A"])
        #expect(tally(overdue).dueToClose == 1 && tally(overdue).closedOfDue == 0 && tally(overdue).closureRate == 0)
        var notYet = overdue; notYet.dueAt = Self.h(500)
        #expect(tally(notYet).dueToClose == 0 && tally(notYet).closureRate == nil)
        var suspended = overdue; suspended.suspended = true
        #expect(tally(suspended).dueToClose == 0)
        var parked = overdue; parked.parked = true
        #expect(tally(parked).dueToClose == 0 && tally(parked).parked == 1)
        let rejected = ReportEvent(id: 2, type: "x", severity: 2, status: .rejected, reportedAt: Self.h(0), grids: ["A"])
        #expect(tally(rejected).filed == 0 && tally(rejected).dueToClose == 0)
    }
}
