import Testing
@testable import WanggeCore

/// 挂账: a case that cannot be done now is parked by the dispatcher with a reason and a review date, and unparked later.
@Suite("Parked cases: park and unpark, what is blocked meanwhile, the clock stopped")
struct ParkingTests {
    static let sla = SLARules(defaults: ["2": .init(acceptHours: 8, resolveHours: 72, closeHours: 48)])
    static let dispatcher = Identity(tokenID: 1, name: "centre", role: .dispatcher)
    static let dept = Identity(tokenID: 2, name: "team", role: .department, department: "d")
    static let t0 = 1_790_000_000.0

    func run(_ s: inout WorkflowState, _ a: EventAction, _ who: Identity, at hours: Double, _ f: ActionFields = ActionFields()) throws {
        (s, _) = try Workflow.apply(a, fields: f, to: s, context: ActionContext(identity: who, isSubmitter: false, at: Self.t0 + hours * 3600),
                                    sla: Self.sla, knownDepartments: ["d"])
    }

    func dispatched() throws -> WorkflowState {
        var s = WorkflowState(type: "garbage", severity: 2, reportedAt: Self.t0)
        try run(&s, .accept, Self.dispatcher, at: 1)
        try run(&s, .dispatch, Self.dispatcher, at: 2, ActionFields(department: "d"))
        try run(&s, .acknowledge, Self.dept, at: 3)
        return s
    }

    @Test("parking needs a reason and a review date after now; the department may not park; an accepted case cannot be parked")
    func parkingRules() throws {
        var s = try dispatched()
        #expect(throws: WorkflowError.self) { try run(&s, .park, Self.dispatcher, at: 4, ActionFields(reason: "waiting for the owner")) }
        #expect(throws: WorkflowError.self) {
            try run(&s, .park, Self.dispatcher, at: 4, ActionFields(reason: "x", reviewAt: Self.t0))    // in the past
        }
        #expect(throws: WorkflowError.forbidden("role department may not park", allowed: Workflow.allowed(s, .init(identity: Self.dept, isSubmitter: false, at: Self.t0)))) {
            try run(&s, .park, Self.dept, at: 4, ActionFields(reason: "x", reviewAt: Self.t0 + 30 * 86_400))
        }
        var accepted = WorkflowState(type: "garbage", severity: 2, reportedAt: Self.t0)
        try run(&accepted, .accept, Self.dispatcher, at: 1)
        #expect(throws: WorkflowError.self) { try run(&accepted, .park, Self.dispatcher, at: 2, ActionFields(reason: "x", reviewAt: Self.t0 + 86_400 * 10)) }
    }

    @Test("while parked only unpark, supervise and merge are possible; unparking moves the deadline by the time parked")
    func parkedCase() throws {
        var s = try dispatched()
        let dueBefore = try #require(Workflow.resolveDue(s, sla: Self.sla, now: Self.t0 + 4 * 3600))
        try run(&s, .park, Self.dispatcher, at: 4, ActionFields(reason: "the owner is abroad until spring", reviewAt: Self.t0 + 90 * 86_400))
        #expect(s.parkedSince == Self.t0 + 4 * 3600 && s.parkReason == "the owner is abroad until spring" && s.parks == 1)
        #expect(Set(Workflow.allowed(s, .init(identity: Self.dispatcher, isSubmitter: false, at: Self.t0))) == [.unpark, .supervise, .merge])
        do {
            try run(&s, .resolve, Self.dept, at: 5, ActionFields(feedback: "done"))
            Issue.record("a parked case was resolved")
        } catch let e as WorkflowError {
            #expect(e.description.contains("parked"))
        }
        // Parked for ten days: the deadline is ten days later.
        try run(&s, .unpark, Self.dispatcher, at: 4 + 240)
        #expect(s.parkedSince == nil)
        #expect(Workflow.resolveDue(s, sla: Self.sla, now: Self.t0 + 300 * 3600) == dueBefore + 240 * 3600)
        try run(&s, .resolve, Self.dept, at: 250, ActionFields(feedback: "done"))
        #expect(s.resolvedLateHours == 0)
    }

    @Test("a running suspension must be resumed before parking; a merge ends a parking")
    func suspensionAndMerge() throws {
        var s = try dispatched()
        try run(&s, .requestSuspension, Self.dept, at: 4, ActionFields(reason: "r"))
        try run(&s, .approveRequest, Self.dispatcher, at: 5)
        #expect(throws: WorkflowError.self) { try run(&s, .park, Self.dispatcher, at: 6, ActionFields(reason: "x", reviewAt: Self.t0 + 86_400 * 30)) }
        try run(&s, .resume, Self.dept, at: 7)
        try run(&s, .park, Self.dispatcher, at: 8, ActionFields(reason: "x", reviewAt: Self.t0 + 86_400 * 30))
        try run(&s, .merge, Self.dispatcher, at: 9, ActionFields(into: 77))
        #expect(s.parkedSince == nil && s.status == .closed && s.pauses?.count == 2)
    }
}
