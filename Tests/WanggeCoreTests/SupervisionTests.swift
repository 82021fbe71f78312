import Testing
@testable import WanggeCore

/// Supervisors (监督员): 核实 of public reports before acceptance, 核查 of results before closing — on when the
/// context says so, and the loop as before when it does not.
@Suite("Supervisors: verification before acceptance, checks before closing, on and off")
struct SupervisionTests {
    static let sla = SLARules(defaults: ["2": .init(acceptHours: 8, resolveHours: 72, closeHours: 48)])
    static let dispatcher = Identity(tokenID: 1, name: "centre", role: .dispatcher)
    static let dept = Identity(tokenID: 2, name: "team", role: .department, department: "d")
    static let supervisor = Identity(tokenID: 3, name: "patrol", role: .supervisor)
    static let t0 = 1_790_000_000.0

    struct Loop {
        var s = WorkflowState(type: "garbage", severity: 2, reportedAt: SupervisionTests.t0)
        var verify: Bool
        var check: Bool
        var hour = 0.0

        mutating func run(_ a: EventAction, _ who: Identity, _ f: ActionFields = ActionFields()) throws {
            hour += 1
            let c = ActionContext(identity: who, isSubmitter: false, at: SupervisionTests.t0 + hour * 3600,
                                  requiresVerification: verify, requiresCheck: check)
            (s, _) = try Workflow.apply(a, fields: f, to: s, context: c, sla: SupervisionTests.sla, knownDepartments: ["d"])
        }

        func allowed(_ who: Identity) -> [EventAction] {
            Workflow.allowed(s, ActionContext(identity: who, isSubmitter: false, at: SupervisionTests.t0, requiresVerification: verify, requiresCheck: check))
        }
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test("a report from a verified channel is accepted only after a supervisor confirms it; an unfounded one is rejected")
    func verification() throws {
        var l = Loop(verify: true, check: false)
        #expect(message { try l.run(.accept, Self.dispatcher) }.contains("核实"))
        #expect(!l.allowed(Self.dispatcher).contains(.accept) && l.allowed(Self.supervisor).contains(.verify))
        #expect(message { try l.run(.verify, Self.dispatcher, ActionFields(result: .confirmed)) }.contains("role dispatcher may not verify"))
        #expect(message { try l.run(.verify, Self.supervisor) }.contains("result"))
        try l.run(.verify, Self.supervisor, ActionFields(result: .confirmed))
        #expect(l.s.verification == .confirmed && l.s.status == .reported)
        try l.run(.accept, Self.dispatcher)
        #expect(l.s.status == .accepted)

        var u = Loop(verify: true, check: false)
        #expect(message { try u.run(.verify, Self.supervisor, ActionFields(result: .unfounded)) }.contains("note"))
        try u.run(.verify, Self.supervisor, ActionFields(note: "nothing there", result: .unfounded))
        #expect(message { try u.run(.accept, Self.dispatcher) }.contains("found nothing"))
        try u.run(.reject, Self.dispatcher, ActionFields(reason: "unfounded on site"))
        #expect(u.s.status == .rejected)
    }

    @Test("with checks on, the centre closes only after a passed check; a failed one sends it back and the next resolution needs a new check")
    func checks() throws {
        var l = Loop(verify: false, check: true)
        try l.run(.accept, Self.dispatcher)
        try l.run(.dispatch, Self.dispatcher, ActionFields(department: "d"))
        try l.run(.acknowledge, Self.dept)
        try l.run(.resolve, Self.dept, ActionFields(feedback: "cleared"))
        #expect(message { try l.run(.close, Self.dispatcher) }.contains("核查"))
        try l.run(.check, Self.supervisor, ActionFields(note: "still a heap behind the wall", result: .failed))
        #expect(message { try l.run(.close, Self.dispatcher) }.contains("failed"))
        try l.run(.rework, Self.dispatcher, ActionFields(reason: "check failed"))
        #expect(l.s.checkResult == nil && l.s.reworks == 1)
        try l.run(.acknowledge, Self.dept)
        try l.run(.resolve, Self.dept, ActionFields(feedback: "all cleared"))
        #expect(message { try l.run(.close, Self.dispatcher) }.contains("核查"))
        try l.run(.check, Self.supervisor, ActionFields(result: .passed))
        try l.run(.close, Self.dispatcher)
        #expect(l.s.status == .closed && l.s.checks == 2)
    }

    @Test("with supervision off the loop is as before: accept at once, close after resolving, and no verify or check")
    func off() throws {
        var l = Loop(verify: false, check: false)
        #expect(!l.allowed(Self.supervisor).contains(.verify))
        try l.run(.accept, Self.dispatcher)
        try l.run(.dispatch, Self.dispatcher, ActionFields(department: "d"))
        try l.run(.acknowledge, Self.dept)
        try l.run(.resolve, Self.dept, ActionFields(feedback: "done"))
        #expect(!l.allowed(Self.supervisor).contains(.check))
        #expect(message { try l.run(.check, Self.supervisor, ActionFields(result: .passed)) }.contains("not checked"))
        try l.run(.close, Self.dispatcher)
        #expect(l.s.status == .closed)
    }
}
