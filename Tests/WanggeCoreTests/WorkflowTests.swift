import Foundation
import Testing
@testable import WanggeCore

@Suite("The closed loop's state machine")
struct WorkflowTests {
    static let sla = SLARules(defaults: ["2": .init(acceptHours: 8, resolveHours: 72, closeHours: 48)])
    static let departments: Set<String> = ["sanitation", "municipal"]
    static let dispatcher = Identity(tokenID: 1, name: "centre", role: .dispatcher)
    static let sanitation = Identity(tokenID: 2, name: "sanitation team", role: .department, department: "sanitation")
    static let municipal = Identity(tokenID: 3, name: "municipal team", role: .department, department: "municipal")
    static let reporter = Identity(tokenID: 4, name: "grid station", role: .reporter)
    static let viewer = Identity(tokenID: 5, name: "viewer", role: .viewer)
    static let t0 = 1_790_000_000.0

    func run(_ s: inout WorkflowState, _ action: EventAction, _ who: Identity, at hours: Double, _ f: ActionFields = ActionFields(),
             submitter: Bool = false) throws {
        let c = ActionContext(identity: who, isSubmitter: submitter, at: Self.t0 + hours * 3600)
        (s, _) = try Workflow.apply(action, fields: f, to: s, context: c, sla: Self.sla, knownDepartments: Self.departments)
    }

    func reported() -> WorkflowState { WorkflowState(type: "garbage", severity: 2, reportedAt: Self.t0) }

    @Test("a merge closes the duplicate (ending a running suspension), needs the event it duplicates, and is never evaluated")
    func merge() throws {
        var s = reported()
        #expect(throws: WorkflowError.self) { try run(&s, .merge, Self.dispatcher, at: 1) }
        try run(&s, .accept, Self.dispatcher, at: 1)
        try run(&s, .merge, Self.dispatcher, at: 2, ActionFields(reason: "same heap", into: 42))
        #expect(s.status == .closed && s.duplicateOf == 42 && s.closedAt == Self.t0 + 2 * 3600)
        #expect(!Workflow.allowed(s, ActionContext(identity: Self.dispatcher, isSubmitter: false, at: Self.t0)).contains(.evaluate))
        let (parent, entry) = Workflow.recordDuplicate(7, on: reported(), context: ActionContext(identity: Self.dispatcher, isSubmitter: false, at: Self.t0))
        #expect(parent.duplicates == [7] && parent.version == 2 && parent.status == .reported && entry.note == "#7 merged into this event")
        // A state stored before merges existed still decodes, with no duplicates.
        var old = try JSONValue.parse(String(decoding: try JSONEncoder().encode(reported()), as: UTF8.self)).objectValue!
        old["duplicates"] = nil
        old["duplicate_of"] = nil
        var w = GeoJSONWriter()
        w.appendObject(old)
        #expect(try JSONDecoder().decode(WorkflowState.self, from: Data(w.bytes)).duplicates == nil)
    }

    @Test("the whole loop: report, accept, dispatch, acknowledge, resolve, close, evaluate")
    func happyPath() throws {
        var s = reported()
        try run(&s, .accept, Self.dispatcher, at: 1)
        try run(&s, .dispatch, Self.dispatcher, at: 2, ActionFields(department: "sanitation"))
        try run(&s, .acknowledge, Self.sanitation, at: 3)
        try run(&s, .resolve, Self.sanitation, at: 10, ActionFields(feedback: "cleared", photoURL: "https://example.org/p.jpg"))
        try run(&s, .close, Self.dispatcher, at: 12)
        try run(&s, .evaluate, Self.reporter, at: 20, ActionFields(satisfaction: .satisfied), submitter: true)
        #expect(s.status == .evaluated && s.version == 7)
        #expect(s.rating == .good && s.ratingInputs?.score == 100 && s.ratingInputs?.onTime == true)
    }

    @Test("every action outside its states or roles is refused with the actions allowed now")
    func forbidden() throws {
        // Walk one event through every status and, at each, try every action by every role.
        var states: [WorkflowState] = []
        var s = reported(); states.append(s)
        try run(&s, .accept, Self.dispatcher, at: 1); states.append(s)
        try run(&s, .dispatch, Self.dispatcher, at: 2, ActionFields(department: "sanitation")); states.append(s)
        try run(&s, .acknowledge, Self.sanitation, at: 3); states.append(s)
        try run(&s, .resolve, Self.sanitation, at: 4, ActionFields(feedback: "done")); states.append(s)
        try run(&s, .close, Self.dispatcher, at: 5); states.append(s)
        try run(&s, .evaluate, Self.dispatcher, at: 6, ActionFields(satisfaction: .neutral)); states.append(s)
        var rejected = reported()
        try run(&rejected, .reject, Self.dispatcher, at: 1, ActionFields(reason: "duplicate of an earlier report")); states.append(rejected)
        var refused = 0
        for state in states {
            for who in [Self.dispatcher, Self.sanitation, Self.municipal, Self.reporter, Self.viewer] {
                let c = ActionContext(identity: who, isSubmitter: false, at: Self.t0 + 100 * 3600)
                let allowed = Workflow.allowed(state, c)
                for action in EventAction.allCases where !allowed.contains(action) {
                    do {
                        _ = try Workflow.apply(action, fields: ActionFields(reason: "r", note: "n", department: "sanitation", feedback: "f",
                                                                            hours: 5, satisfaction: .satisfied, rating: .good),
                                               to: state, context: c, sla: Self.sla, knownDepartments: Self.departments)
                        Issue.record("\(who.role) could \(action) from \(state.status)")
                    } catch let WorkflowError.notAllowed(_, allowedNow) {
                        #expect(allowedNow == allowed)
                        #expect(Workflow.permission(action, state, c) == nil, "\(who.role) \(action): a role's refusal is forbidden, not not-now")
                        refused += 1
                    } catch let WorkflowError.forbidden(_, allowedNow) {
                        #expect(allowedNow == allowed)
                        #expect(Workflow.permission(action, state, c) != nil)
                        refused += 1
                    }
                }
            }
        }
        #expect(refused > 300)
        // Nothing at all is possible on a rejected event, and only override_rating after evaluation.
        #expect(Workflow.allowed(rejected, ActionContext(identity: Self.dispatcher, isSubmitter: false, at: Self.t0)).isEmpty)
        #expect(Workflow.allowed(states[6], ActionContext(identity: Self.dispatcher, isSubmitter: false, at: Self.t0)) == [.overrideRating])
    }

    @Test("a department acts only on events dispatched to it; a reporter evaluates only its own")
    func scopes() throws {
        var s = reported()
        try run(&s, .accept, Self.dispatcher, at: 1)
        try run(&s, .dispatch, Self.dispatcher, at: 2, ActionFields(department: "sanitation"))
        #expect(throws: WorkflowError.self) { try run(&s, .acknowledge, Self.municipal, at: 3) }
        try run(&s, .acknowledge, Self.sanitation, at: 3)
        try run(&s, .resolve, Self.sanitation, at: 4, ActionFields(feedback: "done"))
        try run(&s, .close, Self.dispatcher, at: 5)
        #expect(throws: WorkflowError.self) { try run(&s, .evaluate, Self.reporter, at: 6, ActionFields(satisfaction: .satisfied)) }
        try run(&s, .evaluate, Self.reporter, at: 6, ActionFields(satisfaction: .satisfied), submitter: true)
    }

    @Test("returns and reworks are counted; a return clears the department")
    func returnsAndReworks() throws {
        var s = reported()
        try run(&s, .accept, Self.dispatcher, at: 1)
        try run(&s, .dispatch, Self.dispatcher, at: 2, ActionFields(department: "municipal"))
        try run(&s, .returnEvent, Self.municipal, at: 3, ActionFields(reason: "household waste is sanitation's"))
        #expect(s.status == .accepted && s.department == nil && s.returns == 1)
        try run(&s, .dispatch, Self.dispatcher, at: 4, ActionFields(department: "sanitation"))
        try run(&s, .acknowledge, Self.sanitation, at: 5)
        try run(&s, .resolve, Self.sanitation, at: 6, ActionFields(feedback: "swept"))
        try run(&s, .rework, Self.dispatcher, at: 7, ActionFields(reason: "the bins are still full"))
        #expect(s.status == .dispatched && s.reworks == 1 && s.department == "sanitation")
        try run(&s, .acknowledge, Self.sanitation, at: 8)
        try run(&s, .resolve, Self.sanitation, at: 9, ActionFields(feedback: "bins emptied"))
        try run(&s, .close, Self.dispatcher, at: 10)
        try run(&s, .evaluate, Self.dispatcher, at: 11, ActionFields(satisfaction: .satisfied))
        // 100 − 15 (rework) − 5 (return) = 80: good.
        #expect(s.ratingInputs?.score == 80 && s.rating == .good)
    }

    @Test("suspension stops the resolution clock; approved extensions move the deadline")
    func suspensionAndExtension() throws {
        var s = reported()
        try run(&s, .accept, Self.dispatcher, at: 0)
        try run(&s, .dispatch, Self.dispatcher, at: 0, ActionFields(department: "sanitation"))   // due at 72 h
        try run(&s, .acknowledge, Self.sanitation, at: 1)
        #expect(Workflow.resolveDue(s, sla: Self.sla, now: Self.t0) == Self.t0 + 72 * 3600)
        try run(&s, .requestSuspension, Self.sanitation, at: 10, ActionFields(reason: "waiting for the owner to return"))
        #expect(s.pending?.kind == .suspension)
        // A second request while one waits is refused.
        #expect(throws: WorkflowError.self) { try run(&s, .requestExtension, Self.sanitation, at: 11, ActionFields(reason: "x", hours: 5)) }
        try run(&s, .approveRequest, Self.dispatcher, at: 20)
        #expect(s.suspendedSince != nil && s.suspensions == 1)
        // While suspended the deadline moves with the clock, and resolving is refused.
        #expect(Workflow.resolveDue(s, sla: Self.sla, now: Self.t0 + 30 * 3600) == Self.t0 + 82 * 3600)
        let during = Workflow.deadline(s, sla: Self.sla, now: Self.t0 + 30 * 3600)!
        #expect(abs(during.used - 20.0 / 72) < 1e-9)
        #expect(throws: WorkflowError.self) { try run(&s, .resolve, Self.sanitation, at: 30, ActionFields(feedback: "x")) }
        try run(&s, .resume, Self.sanitation, at: 44)   // 24 h suspended
        #expect(Workflow.resolveDue(s, sla: Self.sla, now: Self.t0 + 50 * 3600) == Self.t0 + 96 * 3600)
        try run(&s, .requestExtension, Self.sanitation, at: 50, ActionFields(reason: "parts on order", hours: 48))
        try run(&s, .approveRequest, Self.dispatcher, at: 51)
        #expect(s.extensions == 1 && s.extensionHours == 48)
        #expect(Workflow.resolveDue(s, sla: Self.sla, now: Self.t0 + 60 * 3600) == Self.t0 + 144 * 3600)
        // A refused request changes nothing but the history.
        try run(&s, .requestExtension, Self.sanitation, at: 52, ActionFields(reason: "more", hours: 24))
        try run(&s, .refuseRequest, Self.dispatcher, at: 53, ActionFields(reason: "no"))
        #expect(s.pending == nil && s.extensionHours == 48)
        try run(&s, .resolve, Self.sanitation, at: 140, ActionFields(feedback: "fixed"))
        try run(&s, .close, Self.dispatcher, at: 141)
        try run(&s, .evaluate, Self.dispatcher, at: 142, ActionFields(satisfaction: .neutral))
        // On time thanks to the suspension and extension: 100 − 5 (extension) − 20 (neutral) = 75: average.
        #expect(s.ratingInputs?.onTime == true && s.ratingInputs?.score == 75 && s.rating == .average)
    }

    struct RatingCase: Sendable, CustomStringConvertible {
        let lateHours: Double, reworks: Int, returns: Int, extensions: Int
        let satisfaction: Satisfaction
        let score: Int
        let rating: Rating
        var description: String { "late \(lateHours) h, \(reworks) reworks, \(returns) returns, \(extensions) ext, \(satisfaction)" }
    }

    @Test("the rating formula on hand-worked cases", arguments: [
        RatingCase(lateHours: 0, reworks: 0, returns: 0, extensions: 0, satisfaction: .satisfied, score: 100, rating: .good),
        RatingCase(lateHours: 3, reworks: 0, returns: 0, extensions: 0, satisfaction: .satisfied, score: 75, rating: .average),
        RatingCase(lateHours: 50, reworks: 0, returns: 0, extensions: 0, satisfaction: .satisfied, score: 70, rating: .average),   // 25 + 5 (1 full day beyond the first)
        RatingCase(lateHours: 400, reworks: 0, returns: 0, extensions: 0, satisfaction: .satisfied, score: 50, rating: .poor),   // capped at 50
        RatingCase(lateHours: 0, reworks: 2, returns: 0, extensions: 0, satisfaction: .neutral, score: 50, rating: .poor),
        RatingCase(lateHours: 0, reworks: 0, returns: 1, extensions: 1, satisfaction: .satisfied, score: 90, rating: .good),
        RatingCase(lateHours: 0, reworks: 0, returns: 0, extensions: 0, satisfaction: .dissatisfied, score: 60, rating: .average),
        RatingCase(lateHours: 30, reworks: 1, returns: 0, extensions: 0, satisfaction: .dissatisfied, score: 20, rating: .poor),
    ])
    func ratingFormula(_ c: RatingCase) {
        var s = reported()
        s.dispatchedAt = Self.t0
        s.resolvedAt = Self.t0 + (72 + c.lateHours) * 3600
        s.reworks = c.reworks; s.returns = c.returns; s.extensions = c.extensions
        let inputs = Workflow.ratingInputs(s, sla: Self.sla, satisfaction: c.satisfaction)
        #expect(inputs.score == c.score)
        #expect(Workflow.rating(score: inputs.score) == c.rating)
        #expect(inputs.onTime == (c.lateHours == 0))
    }

    @Test("warnings at 80 % (yellow) and 100 % (red) of each phase's time")
    func warnings() throws {
        var s = reported()   // accept phase: 8 h
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + 6.3 * 3600)?.level == WarningLevel.none)
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + 6.4 * 3600)?.level == .yellow)
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + 8 * 3600)?.level == .red)
        try run(&s, .accept, Self.dispatcher, at: 1)
        try run(&s, .dispatch, Self.dispatcher, at: 2, ActionFields(department: "sanitation"))   // resolve: 72 h from 2 h
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + (2 + 57.5) * 3600)?.level == WarningLevel.none)
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + (2 + 57.6) * 3600)?.level == .yellow)
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + (2 + 72) * 3600)?.level == .red)
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + (2 + 72) * 3600)?.phase == .resolve)
        try run(&s, .acknowledge, Self.sanitation, at: 3)
        try run(&s, .resolve, Self.sanitation, at: 10, ActionFields(feedback: "ok"))   // close: 48 h from 10 h
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + (10 + 38.4) * 3600)?.level == .yellow)
        try run(&s, .close, Self.dispatcher, at: 11)
        #expect(Workflow.deadline(s, sla: Self.sla, now: Self.t0 + 1000 * 3600) == nil)
    }

    @Test("version checks, required fields and unknown departments")
    func validation() throws {
        var s = reported()
        let c = ActionContext(identity: Self.dispatcher, isSubmitter: false, at: Self.t0)
        #expect(throws: WorkflowError.conflict(currentVersion: 1)) {
            try Workflow.apply(.accept, fields: ActionFields(), to: s, context: c, sla: Self.sla, expectedVersion: 3, knownDepartments: Self.departments)
        }
        #expect(throws: WorkflowError.self) { try run(&s, .reject, Self.dispatcher, at: 1) }   // reason missing
        try run(&s, .accept, Self.dispatcher, at: 1)
        do {
            try run(&s, .dispatch, Self.dispatcher, at: 2, ActionFields(department: "ufo"))
            Issue.record("dispatched to an unknown department")
        } catch let WorkflowError.invalid(fields) {
            #expect(fields.errors.first?.field == "department")
        }
        #expect(s.status == .accepted)
    }
}
