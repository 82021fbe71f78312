/// The closed loop (闭环处置): what can happen to an event, who may make it happen, and what it changes. Pure: the
/// caller supplies the current state, the clock and the SLA rules, and stores what comes back.
///
/// reported → accepted | rejected; accepted → dispatched; dispatched → in_progress (the department acknowledges)
/// or → accepted (it returns the event as not its own); in_progress → resolved; resolved → closed, or → dispatched
/// (rework); closed → evaluated. Around that: suspension and extension requests (department asks, dispatcher
/// approves or refuses), resuming a suspension, supervision flags (督办) and rating overrides.
public enum EventAction: String, Sendable, Codable, CaseIterable {
    case accept, reject, dispatch, acknowledge
    case returnEvent = "return"
    case resolve
    case requestSuspension = "request_suspension"
    case requestExtension = "request_extension"
    case approveRequest = "approve_request"
    case refuseRequest = "refuse_request"
    case resume, close, rework, evaluate
    case supervise
    case overrideRating = "override_rating"
    /// The event is the same problem as another one (`into`): it is closed as a duplicate and linked to it.
    case merge
    /// 挂账: the case cannot be done now; the dispatcher parks it with a reason and a date to look at it again. The
    /// clock stops and it leaves the disposal figures until `unpark`.
    case park, unpark
    /// 核实: a supervisor verifies a public report on site before the centre may accept it (`result`: confirmed or
    /// unfounded).
    case verify
    /// 核查: a supervisor checks the result on site before the centre may close it (`result`: passed or failed).
    case check
    /// The department records one stage of a staged disposal as done (`stage`: 停工, 处罚, …); the last stage is
    /// done with `resolve`.
    case completeStage = "complete_stage"
}

/// What a supervisor found on site.
public enum SupervisorResult: String, Sendable, Codable, CaseIterable {
    /// 核实: the problem is there / is not.
    case confirmed, unfounded
    /// 核查: the work is done / is not.
    case passed, failed
}

/// The resident's satisfaction after a call-back.
public enum Satisfaction: String, Sendable, Codable, CaseIterable {
    case satisfied, neutral, dissatisfied
}

/// The department's rating for one event.
public enum Rating: String, Sendable, Codable, CaseIterable {
    case good, average, poor
}

/// A department's request that waits for the dispatcher.
public struct PendingRequest: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case suspension, `extension` }
    public var kind: Kind
    public var reason: String
    /// For extensions: how many hours more.
    public var hours: Double?
    public var at: Double
}

/// What the rating was computed from, kept with it.
public struct RatingInputs: Sendable, Codable, Equatable {
    public var onTime: Bool
    public var hoursLate: Double
    public var reworks: Int
    public var returns: Int
    public var extensions: Int
    public var satisfaction: Satisfaction
    public var score: Int

    enum CodingKeys: String, CodingKey {
        case reworks, returns, extensions, satisfaction, score
        case onTime = "on_time", hoursLate = "hours_late"
    }
}

/// Everything the loop tracks about one event besides its report.
public struct WorkflowState: Sendable, Codable, Equatable {
    public var status: EventStatus
    public var department: String?
    public var version: Int
    public var type: String
    public var severity: Int
    public var reportedAt: Double
    public var acceptedAt: Double?
    public var dispatchedAt: Double?
    public var acknowledgedAt: Double?
    public var resolvedAt: Double?
    /// Hours past the resolution deadline at the (last) resolution, 0 when on time; nil while unresolved.
    public var resolvedLateHours: Double?
    public var closedAt: Double?
    public var evaluatedAt: Double?
    /// Seconds the resolution clock has been paused by approved suspensions (not counting one still running).
    public var pausedSeconds: Double = 0
    /// Set while a suspension runs.
    public var suspendedSince: Double?
    /// The suspensions since the latest dispatch that have ended, as [from, to] (nil in states stored before
    /// deadlines could be in working time: then `pausedSeconds` is all there is).
    public var pauses: [[Double]]?
    /// Set while the case is parked (挂账), with why and when to look at it again.
    public var parkedSince: Double?
    public var parkReason: String?
    public var parkReviewAt: Double?
    /// How many times it was parked.
    public var parks: Int?
    /// 核实: what the supervisor found and when (nil: not verified).
    public var verification: SupervisorResult?
    public var verifiedAt: Double?
    /// 核查 of the latest resolution: what the supervisor found and when (nil: not checked since it was resolved).
    public var checkResult: SupervisorResult?
    public var checkedAt: Double?
    /// Checks made, passed or failed.
    public var checks: Int?
    /// Stages of a staged disposal done since the latest dispatch, by name, with when.
    public var stagesDone: [String: Double]?
    /// Hours added by approved extensions.
    public var extensionHours: Double = 0
    public var pending: PendingRequest?
    public var reworks = 0
    public var returns = 0
    public var extensions = 0
    public var suspensions = 0
    public var supervised = false
    public var rejectReason: String?
    public var feedback: String?
    public var photoURL: String?
    public var satisfaction: Satisfaction?
    public var rating: Rating?
    public var ratingInputs: RatingInputs?
    public var ratingOverride: Rating?
    public var ratingOverrideReason: String?
    /// Set when this event was merged into another as a duplicate of it.
    public var duplicateOf: Int64?
    /// Events merged into this one (nil: none). Optional so that states stored before merges existed still decode.
    public var duplicates: [Int64]?

    public init(status: EventStatus = .reported, department: String? = nil, version: Int = 1, type: String, severity: Int,
                reportedAt: Double) {
        self.status = status; self.department = department; self.version = version; self.type = type
        self.severity = severity; self.reportedAt = reportedAt
    }

    enum CodingKeys: String, CodingKey {
        case status, department, version, type, severity, pending, reworks, returns, extensions, suspensions, supervised
        case feedback, satisfaction, rating
        case reportedAt = "reported_at", acceptedAt = "accepted_at", dispatchedAt = "dispatched_at"
        case acknowledgedAt = "acknowledged_at", resolvedAt = "resolved_at", closedAt = "closed_at"
        case resolvedLateHours = "resolved_late_hours"
        case evaluatedAt = "evaluated_at", pausedSeconds = "paused_seconds", suspendedSince = "suspended_since"
        case extensionHours = "extension_hours", rejectReason = "reject_reason", photoURL = "photo_url"
        case ratingInputs = "rating_inputs", ratingOverride = "rating_override", ratingOverrideReason = "rating_override_reason"
        case duplicateOf = "duplicate_of", duplicates, pauses, parks
        case parkedSince = "parked_since", parkReason = "park_reason", parkReviewAt = "park_review_at"
        case verification, checks
        case stagesDone = "stages_done"
        case verifiedAt = "verified_at", checkResult = "check_result", checkedAt = "checked_at"
    }

    public var isOpen: Bool { ![.rejected, .closed, .evaluated].contains(status) }

    /// Ends a running suspension at `t` (nothing when none runs), keeping its interval for working-time deadlines.
    mutating func endSuspension(at t: Double) {
        guard let since = suspendedSince else { return }
        keepPause(from: since, to: t)
        suspendedSince = nil
    }

    /// Counts `[since, t]` as time the resolution clock stood still.
    mutating func keepPause(from since: Double, to t: Double) {
        // A state stored before intervals were kept has paused time but no list: it stays on `pausedSeconds`.
        if pauses != nil || pausedSeconds == 0 { pauses = (pauses ?? []) + [[since, t]] }
        pausedSeconds += t - since
    }

    /// Ends a parking at `t` (nothing when not parked): its time is kept as a pause, so the deadline moves by it.
    mutating func endParking(at t: Double) {
        guard let since = parkedSince else { return }
        keepPause(from: since, to: t)
        parkedSince = nil
        parkReviewAt = nil
    }

    /// The rating that counts: the dispatcher's override if there is one.
    public var effectiveRating: Rating? { ratingOverride ?? rating }
}

/// The fields an action may carry.
public struct ActionFields: Sendable, Equatable {
    public var reason: String?
    public var note: String?
    public var department: String?
    public var feedback: String?
    public var photoURL: String?
    public var hours: Double?
    public var satisfaction: Satisfaction?
    public var rating: Rating?
    /// For `merge`: the event this one duplicates.
    public var into: Int64?
    /// For `park`: when to look at the case again.
    public var reviewAt: Double?
    /// For `verify` and `check`: what the supervisor found.
    public var result: SupervisorResult?
    /// For `complete_stage`: the stage's name.
    public var stage: String?
    /// For `resolve`: the state the component the event names is left in (repaired: intact; taken away: scrapped).
    public var componentState: Component.State?

    public init(reason: String? = nil, note: String? = nil, department: String? = nil, feedback: String? = nil,
                photoURL: String? = nil, hours: Double? = nil, satisfaction: Satisfaction? = nil, rating: Rating? = nil,
                into: Int64? = nil, reviewAt: Double? = nil, result: SupervisorResult? = nil, stage: String? = nil,
                componentState: Component.State? = nil) {
        self.reason = reason; self.note = note; self.department = department; self.feedback = feedback
        self.photoURL = photoURL; self.hours = hours; self.satisfaction = satisfaction; self.rating = rating
        self.into = into; self.reviewAt = reviewAt; self.result = result; self.stage = stage
        self.componentState = componentState
    }
}

/// One line of an event's history: never edited, only appended.
public struct HistoryEntry: Sendable, Equatable {
    public var at: Double
    public var actorToken: Int64?
    public var actorName: String
    public var role: String
    public var action: String
    public var from: EventStatus?
    public var to: EventStatus
    public var note: String

    public init(at: Double, actorToken: Int64?, actorName: String, role: String, action: String, from: EventStatus?,
                to: EventStatus, note: String) {
        self.at = at; self.actorToken = actorToken; self.actorName = actorName; self.role = role; self.action = action
        self.from = from; self.to = to; self.note = note
    }
}

/// Why an action cannot be taken.
public enum WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not possible in this state: with the actions this caller may take now.
    case notAllowed(String, allowed: [EventAction])
    /// Never this caller's to take (its role, another department's event, another reporter's): with the actions it
    /// may take now.
    case forbidden(String, allowed: [EventAction])
    /// A field is missing or wrong.
    case invalid(InvalidFields)
    /// Someone else changed the event first (version check).
    case conflict(currentVersion: Int)

    public var description: String {
        switch self {
        case .notAllowed(let m, let allowed), .forbidden(let m, let allowed):
            return "\(m); allowed now: \(allowed.isEmpty ? "none" : allowed.map(\.rawValue).joined(separator: ", "))"
        case .invalid(let f): return f.description
        case .conflict(let v): return "the event changed meanwhile (now version \(v)); reload it and try again"
        }
    }
}
