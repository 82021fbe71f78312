/// How long a stage may take, and on which clock: calendar hours, or office hours of the working calendar
/// (工作时), or working days (工作日: each a working day's office hours, so one working day from 10:00 on a Friday
/// ends at 10:00 on the next working day).
public struct TimeLimit: Sendable, Codable, Equatable {
    public enum Unit: String, Sendable, Codable, CaseIterable {
        case hours
        case workingHours = "working_hours"
        case workingDays = "working_days"

        public var isWorkingTime: Bool { self != .hours }
    }

    public var amount: Double
    public var unit: Unit

    public init(_ amount: Double, _ unit: Unit = .hours) { self.amount = amount; self.unit = unit }

    public static func hours(_ h: Double) -> TimeLimit { TimeLimit(h, .hours) }
    public static func workingHours(_ h: Double) -> TimeLimit { TimeLimit(h, .workingHours) }
    public static func workingDays(_ d: Double) -> TimeLimit { TimeLimit(d, .workingDays) }

    /// `4 working hours`, `7 working days`, `24 h`.
    public var description: String {
        let n = amount == amount.rounded() ? String(Int(amount)) : String(amount)
        switch unit {
        case .hours: return "\(n) h"
        case .workingHours: return "\(n) working hour\(amount == 1 ? "" : "s")"
        case .workingDays: return "\(n) working day\(amount == 1 ? "" : "s")"
        }
    }

    /// Reads the one member of `container` among `<prefix>hours`, `<prefix>working_hours`, `<prefix>working_days`.
    static func decode(_ c: KeyedDecodingContainer<AnyKey>, prefix: String, required: Bool) throws -> TimeLimit? {
        var found: [TimeLimit] = []
        for unit in Unit.allCases {
            let key = AnyKey(prefix + unit.rawValue)
            if let v = try c.decodeIfPresent(Double.self, forKey: key) {
                guard v.isFinite, v >= 0, v <= 24 * 366 else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(key.stringValue) must be a number from 0 to 8784")
                }
                found.append(TimeLimit(v, unit))
            }
        }
        guard found.count <= 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "give one of \(prefix)hours, \(prefix)working_hours, \(prefix)working_days, not several"))
        }
        if found.isEmpty && required {
            throw DecodingError.keyNotFound(AnyKey(prefix + "hours"), .init(codingPath: c.codingPath, debugDescription: "one of \(prefix)hours, \(prefix)working_hours, \(prefix)working_days is required"))
        }
        return found.first
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>, prefix: String) throws {
        try c.encode(amount, forKey: AnyKey(prefix + unit.rawValue))
    }
}

/// A coding key made from a string, for members whose names are built (`resolve_working_hours`).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// One named step of a staged disposal (停工 4 working hours, 处罚 7 working days, 拆除 20 working days): each counted
/// from the dispatch; the last is the resolution deadline.
public struct DisposalStage: Sendable, Codable, Equatable {
    public var name: String
    public var limit: TimeLimit

    public init(name: String, limit: TimeLimit) { self.name = name; self.limit = limit }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        name = try c.decode(String.self, forKey: AnyKey("name"))
        limit = try TimeLimit.decode(c, prefix: "", required: true)!
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(name, forKey: AnyKey("name"))
        try limit.encode(to: &c, prefix: "")
    }
}

/// Service levels: the time allowed to accept (and dispatch), to resolve, and to check and close, per event type and
/// severity, each in calendar hours or in working time. An event type mapped onto a class of the standard (the
/// class tree) takes that class's 处置时限 for the resolution at the severities `classLimitSeverities` (the urgent
/// severity keeps its calendar hours), unless `types` names the type and severity itself.
public struct SLARules: Sendable, Codable, Equatable {
    public struct Times: Sendable, Codable, Equatable {
        public var accept: TimeLimit
        public var resolve: TimeLimit
        public var close: TimeLimit
        /// Named steps of the resolution, each from the dispatch; the last one's limit is `resolve`.
        public var stages: [DisposalStage]

        public init(accept: TimeLimit, resolve: TimeLimit, close: TimeLimit, stages: [DisposalStage] = []) {
            self.accept = accept; self.resolve = resolve; self.close = close; self.stages = stages
        }

        public init(acceptHours: Double, resolveHours: Double, closeHours: Double) {
            self.init(accept: .hours(acceptHours), resolve: .hours(resolveHours), close: .hours(closeHours))
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            accept = try TimeLimit.decode(c, prefix: "accept_", required: true)!
            close = try TimeLimit.decode(c, prefix: "close_", required: true)!
            stages = try c.decodeIfPresent([DisposalStage].self, forKey: AnyKey("resolve_stages")) ?? []
            if let last = stages.last, try TimeLimit.decode(c, prefix: "resolve_", required: false) == nil {
                resolve = last.limit
            } else {
                resolve = try TimeLimit.decode(c, prefix: "resolve_", required: true)!
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: AnyKey.self)
            try accept.encode(to: &c, prefix: "accept_")
            try resolve.encode(to: &c, prefix: "resolve_")
            try close.encode(to: &c, prefix: "close_")
            if !stages.isEmpty { try c.encode(stages, forKey: AnyKey("resolve_stages")) }
        }
    }

    /// By severity ("1"…"4").
    public var defaults: [String: Times]
    /// Per event type, by severity; missing entries fall back to the type's class, then to `defaults`.
    public var types: [String: [String: Times]]
    /// The severities at which a class's 处置时限 applies (1–3 unless set: severity 4 keeps `defaults`).
    public var classLimitSeverities: [Int]?

    /// The working calendar time limits in working time are counted on (not coded: loaded from `calendar.json`).
    /// Without one, Monday to Friday 08:30–12:00 and 13:30–17:30 in the service's zone, no holidays.
    public var clock: WorkingClock = .weekdays
    /// The resolution limit (and its stages) of each event type's class, by type code (not coded: from the class
    /// tree and the types' `standard_class`).
    public var classLimits: [String: ClassLimit] = [:]

    public struct ClassLimit: Sendable, Equatable {
        public var limit: TimeLimit
        public var stages: [DisposalStage]
    }

    enum CodingKeys: String, CodingKey {
        case defaults, types
        case classLimitSeverities = "class_limit_severities"
    }

    public init(defaults: [String: Times], types: [String: [String: Times]] = [:]) {
        self.defaults = defaults
        self.types = types
    }

    public static func == (a: SLARules, b: SLARules) -> Bool {
        a.defaults == b.defaults && a.types == b.types && a.classLimitSeverities == b.classLimitSeverities
            && a.clock == b.clock && a.classLimits == b.classLimits
    }

    public func times(type: String, severity: Int) -> Times {
        if let explicit = types[type]?[String(severity)] { return explicit }
        var t = defaults[String(severity)] ?? Times(acceptHours: 24, resolveHours: 168, closeHours: 48)
        if let c = classLimits[type], (classLimitSeverities ?? [1, 2, 3]).contains(severity) {
            t.resolve = c.limit
            t.stages = c.stages
        }
        return t
    }

    /// These rules counting working time on `clock`, and taking each type's class limit from `classes`.
    public func with(clock: WorkingClock, classes: CaseClasses?, types: [EventType]) -> SLARules {
        var r = self
        r.clock = clock
        r.classLimits = [:]
        if let classes {
            for t in types {
                if let id = t.standardClass, let minor = classes.find(id)?.minor, let limit = minor.limit {
                    r.classLimits[t.code] = ClassLimit(limit: limit, stages: minor.stages)
                }
            }
        }
        return r
    }

    // MARK: measuring

    /// A limit in seconds of its own clock (calendar seconds, or office-hour seconds).
    public func seconds(_ l: TimeLimit) -> Double {
        switch l.unit {
        case .hours, .workingHours: return l.amount * 3600
        case .workingDays: return l.amount * clock.dayLength
        }
    }

    /// Seconds between two instants on the clock of `unit`.
    public func span(_ unit: TimeLimit.Unit, from: Double, to: Double) -> Double {
        unit.isWorkingTime ? clock.workingSeconds(from: from, to: to) : max(0, to - from)
    }

    /// The instant `seconds` on the clock of `unit` after `start`.
    public func adding(_ seconds: Double, _ unit: TimeLimit.Unit, to start: Double) -> Double {
        unit.isWorkingTime ? clock.adding(seconds, to: start) : start + seconds
    }
}

extension WorkingClock {
    /// Monday to Friday, 08:30–12:00 and 13:30–17:30 in the service's zone, no holidays known.
    public static let weekdays: WorkingClock = {
        // Checked fields: this cannot fail.
        try! WorkingClock(WorkCalendar(timeZone: ZoneOffsets.service.name, officeHours: [["08:30", "12:00"], ["13:30", "17:30"]], years: [:]))
    }()
}

/// Who may take an action, from which states.
public struct ActionContext: Sendable, Equatable {
    public var identity: Identity
    /// The caller submitted the event (reporters may record the resident's satisfaction on their own events).
    public var isSubmitter: Bool
    /// Now, in seconds since 1970 (injected, so tests and the sample history control the clock).
    public var at: Double

    /// A supervisor must verify this report (核实) before it is accepted: its channel is one that needs it.
    public var requiresVerification: Bool
    /// A supervisor must check the result (核查) before the centre closes it.
    public var requiresCheck: Bool

    public init(identity: Identity, isSubmitter: Bool, at: Double, requiresVerification: Bool = false, requiresCheck: Bool = false) {
        self.identity = identity; self.isSubmitter = isSubmitter; self.at = at
        self.requiresVerification = requiresVerification; self.requiresCheck = requiresCheck
    }
}

/// Deadline state of an open event.
public enum WarningLevel: String, Sendable, Codable, Comparable {
    case none
    /// At least 80 % of the time is used.
    case yellow
    /// Overdue.
    case red

    public static func < (a: WarningLevel, b: WarningLevel) -> Bool {
        let order: [WarningLevel] = [.none, .yellow, .red]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// Which clock an open event is on.
public struct Deadline: Sendable, Equatable {
    public enum Phase: String, Sendable, Codable { case accept, resolve, close }
    public var phase: Phase
    /// When the current phase must end (suspended time and extensions included).
    public var due: Double
    /// Share of the allowed time used so far (1 = due now).
    public var used: Double
    public var level: WarningLevel
    /// The phase's limit (its amount and clock).
    public var limit: TimeLimit
}

extension Workflow {
    /// One place that says who may do what: the states an action starts from, the roles that may take it, and
    /// whether a department may act only on its own events.
    static let table: [EventAction: (from: Set<EventStatus>, roles: Set<Role>, ownDepartment: Bool)] = [
        .accept: ([.reported], [.dispatcher, .admin], false),
        .reject: ([.reported], [.dispatcher, .admin], false),
        .dispatch: ([.accepted], [.dispatcher, .admin], false),
        .acknowledge: ([.dispatched], [.department], true),
        .returnEvent: ([.dispatched], [.department], true),
        .resolve: ([.inProgress], [.department], true),
        .requestSuspension: ([.inProgress], [.department], true),
        .requestExtension: ([.inProgress], [.department], true),
        .approveRequest: ([.inProgress], [.dispatcher, .admin], false),
        .refuseRequest: ([.inProgress], [.dispatcher, .admin], false),
        .resume: ([.inProgress], [.department, .dispatcher, .admin], true),
        .close: ([.resolved], [.dispatcher, .admin], false),
        .rework: ([.resolved], [.dispatcher, .admin], false),
        .evaluate: ([.closed], [.dispatcher, .admin, .reporter], false),
        .supervise: ([.reported, .accepted, .dispatched, .inProgress, .resolved], [.dispatcher, .admin], false),
        .overrideRating: ([.evaluated], [.dispatcher, .admin], false),
        .merge: ([.reported, .accepted, .dispatched, .inProgress, .resolved], [.dispatcher, .admin], false),
        .park: ([.dispatched, .inProgress], [.dispatcher, .admin], false),
        .unpark: ([.dispatched, .inProgress], [.dispatcher, .admin], false),
        .verify: ([.reported], [.supervisor, .admin], false),
        .check: ([.resolved], [.supervisor, .admin], false),
        .completeStage: ([.inProgress], [.department], true),
    ]
}

/// The state machine.
public enum Workflow {
    /// Whether this caller may ever take `action` on this event (its role, its department, whether it reported it),
    /// and if not, why.
    static func permission(_ action: EventAction, _ s: WorkflowState, _ c: ActionContext) -> String? {
        let rule = table[action]!
        guard rule.roles.contains(c.identity.role) else {
            return "role \(c.identity.role.rawValue) may not \(action.rawValue)"
        }
        if c.identity.role == .department && rule.ownDepartment && s.department != c.identity.department {
            return "this event is not dispatched to department \(c.identity.department ?? "?")"
        }
        if c.identity.role == .reporter && !c.isSubmitter {
            return "reporters may only evaluate events they reported"
        }
        return nil
    }

    /// Whether `action` is possible now for this caller, and if not, why.
    static func check(_ action: EventAction, _ s: WorkflowState, _ c: ActionContext) -> String? {
        if let why = permission(action, s, c) { return why }
        let rule = table[action]!
        guard rule.from.contains(s.status) else {
            return "\(action.rawValue) is not possible when the event is \(s.status.rawValue)"
        }
        if let since = s.parkedSince, ![.unpark, .supervise, .merge].contains(action) {
            return "the case is parked (挂账) since \(Timestamp.format(since)): unpark it first"
        }
        switch action {
        case .accept where c.requiresVerification && s.verification == nil:
            return "a supervisor must verify this report on site (核实) before it is accepted"
        case .accept where s.verification == .unfounded:
            return "the supervisor found nothing there: reject the report, or have it verified again"
        case .verify where !c.requiresVerification && c.identity.role != .admin:
            return "reports from this channel are not verified"
        case .close where c.requiresCheck && s.checkResult != .passed:
            return s.checkResult == .failed ? "the check (核查) failed: send it back for rework"
                : "a supervisor must check the result on site (核查) before it is closed"
        case .check where !c.requiresCheck && c.identity.role != .admin:
            return "results are not checked by supervisors here"
        case .park where s.suspendedSince != nil:
            return "a suspension runs: resume it before parking the case"
        case .park where s.pending != nil:
            return "a \(s.pending!.kind.rawValue) request is waiting: approve or refuse it before parking the case"
        case .unpark where s.parkedSince == nil:
            return "the case is not parked"
        case .resolve where s.suspendedSince != nil:
            return "the event is suspended: resume it before resolving"
        case .requestSuspension where s.pending != nil || s.suspendedSince != nil,
             .requestExtension where s.pending != nil:
            return s.pending != nil ? "a \(s.pending!.kind.rawValue) request is already waiting for the dispatcher" : "the event is already suspended"
        case .approveRequest where s.pending == nil, .refuseRequest where s.pending == nil:
            return "there is no request waiting"
        case .evaluate where s.duplicateOf != nil:
            return "a duplicate merged into #\(s.duplicateOf!) is not evaluated: evaluate that event"
        case .resume where s.suspendedSince == nil:
            return "the event is not suspended"
        default:
            return nil
        }
    }

    /// The actions this caller may take now.
    public static func allowed(_ s: WorkflowState, _ c: ActionContext) -> [EventAction] {
        EventAction.allCases.filter { check($0, s, c) == nil }
    }

    /// Applies an action: checks who and when, validates its fields, and returns the new state and its history line.
    /// - Parameter expectedVersion: the version the caller saw; a mismatch is a conflict.
    /// - Throws: `WorkflowError`.
    public static func apply(_ action: EventAction, fields f: ActionFields, to state: WorkflowState,
                             context c: ActionContext, sla: SLARules, expectedVersion: Int? = nil,
                             knownDepartments: Set<String>) throws(WorkflowError) -> (WorkflowState, HistoryEntry) {
        if let v = expectedVersion, v != state.version { throw .conflict(currentVersion: state.version) }
        if let why = permission(action, state, c) { throw .forbidden(why, allowed: allowed(state, c)) }
        if let why = check(action, state, c) { throw .notAllowed(why, allowed: allowed(state, c)) }
        var s = state
        var note = f.note ?? ""
        var errors: [FieldError] = []
        func require(_ value: String?, _ field: String) -> String? {
            guard let v = value?.trimmingWhitespace(), !v.isEmpty else { errors.append(FieldError(field, "is required for \(action.rawValue)")); return nil }
            if v.count > 2000 { errors.append(FieldError(field, "is longer than 2000 characters")); return nil }
            return v
        }
        /// A supervisor's finding for this action: `good` or `bad`, and `bad` needs a note.
        func finding(_ good: SupervisorResult, _ bad: SupervisorResult) -> SupervisorResult? {
            guard let r = f.result, r == good || r == bad else {
                errors.append(FieldError("result", "is required for \(action.rawValue): \(good.rawValue) or \(bad.rawValue)"))
                return nil
            }
            if r == bad, require(f.note, "note") == nil { return nil }
            return r
        }
        switch action {
        case .accept:
            s.status = .accepted
            s.acceptedAt = c.at
        case .reject:
            if let r = require(f.reason, "reason") { s.rejectReason = r; note = r }
            s.status = .rejected
        case .dispatch:
            if let d = require(f.department, "department") {
                if knownDepartments.contains(d) { s.department = d } else {
                    errors.append(FieldError("department", "unknown department \"\(d)\"; known: \(knownDepartments.sorted().joined(separator: ", "))"))
                }
            }
            s.status = .dispatched
            s.dispatchedAt = c.at
            s.pausedSeconds = 0
            s.pauses = nil
            s.stagesDone = nil
            s.extensionHours = 0
            if note.isEmpty { note = "to \(f.department ?? "")" }
        case .acknowledge:
            s.status = .inProgress
            s.acknowledgedAt = c.at
        case .returnEvent:
            if let r = require(f.reason, "reason") { note = r }
            s.returns += 1
            s.department = nil
            s.status = .accepted
        case .resolve:
            if let fb = require(f.feedback, "feedback") { s.feedback = fb; note = fb }
            if let url = f.photoURL {
                if url.hasPrefix("https://") || url.hasPrefix("http://"), url.count <= 500 { s.photoURL = url } else {
                    errors.append(FieldError("photo_url", "must be an http(s) URL of at most 500 characters"))
                }
            }
            s.status = .resolved
            s.resolvedAt = c.at
            s.resolvedLateHours = lateness(s, sla: sla, at: c.at).map { $0.seconds / 3600 }
        case .requestSuspension:
            if let r = require(f.reason, "reason") { s.pending = PendingRequest(kind: .suspension, reason: r, hours: nil, at: c.at); note = r }
        case .requestExtension:
            let r = require(f.reason, "reason")
            guard let h = f.hours, h.isFinite, h > 0, h <= 720 else {
                errors.append(FieldError("hours", "must be a number of hours from 0 to 720"))
                break
            }
            if let r { s.pending = PendingRequest(kind: .extension, reason: r, hours: h, at: c.at); note = "\(fmtHours(h)) more: \(r)" }
        case .approveRequest:
            let p = s.pending!
            switch p.kind {
            case .suspension:
                s.suspendedSince = c.at
                s.suspensions += 1
                note = "suspension approved" + (note.isEmpty ? "" : ": \(note)")
            case .extension:
                s.extensionHours += p.hours ?? 0
                s.extensions += 1
                note = "extension of \(fmtHours(p.hours ?? 0)) approved" + (note.isEmpty ? "" : ": \(note)")
            }
            s.pending = nil
        case .refuseRequest:
            if let r = require(f.reason, "reason") { note = "\(s.pending!.kind.rawValue) refused: \(r)" }
            s.pending = nil
        case .resume:
            s.endSuspension(at: c.at)
        case .close:
            s.status = .closed
            s.closedAt = c.at
        case .rework:
            if let r = require(f.reason, "reason") { note = r }
            s.reworks += 1
            s.status = .dispatched
            s.resolvedAt = nil
            s.resolvedLateHours = nil
            s.checkResult = nil
            s.checkedAt = nil
        case .evaluate:
            guard let sat = f.satisfaction else {
                errors.append(FieldError("satisfaction", "is required: satisfied, neutral or dissatisfied"))
                break
            }
            s.satisfaction = sat
            let inputs = ratingInputs(s, sla: sla, satisfaction: sat)
            s.ratingInputs = inputs
            s.rating = rating(score: inputs.score)
            s.status = .evaluated
            s.evaluatedAt = c.at
            note = "\(sat.rawValue); rating \(s.rating!.rawValue) (score \(inputs.score))" + (note.isEmpty ? "" : ": \(note)")
        case .supervise:
            if let n = require(f.note, "note") { note = n }
            s.supervised = true
        case .merge:
            guard let into = f.into else {
                errors.append(FieldError("into", "is required: the id of the event this one duplicates"))
                break
            }
            s.status = .closed
            s.closedAt = c.at
            s.duplicateOf = into
            s.pending = nil
            s.endSuspension(at: c.at)
            s.endParking(at: c.at)
            note = "duplicate of #\(into)" + (f.reason.map { ": \($0)" } ?? "")
        case .park:
            let r = require(f.reason, "reason")
            guard let review = f.reviewAt, review > c.at, review <= c.at + 366 * 86_400 else {
                errors.append(FieldError("review_at", "is required: when to look at the case again, a time after now and within a year"))
                break
            }
            if let r {
                s.parkedSince = c.at
                s.parkReason = r
                s.parkReviewAt = review
                s.parks = (s.parks ?? 0) + 1
                note = "parked until a review on \(Timestamp.format(review)): \(r)"
            }
        case .verify:
            guard let r = finding(.confirmed, .unfounded) else { break }
            s.verification = r
            s.verifiedAt = c.at
            note = "verified on site: \(r.rawValue)" + (note.isEmpty ? "" : ": \(note)")
        case .check:
            guard let r = finding(.passed, .failed) else { break }
            s.checkResult = r
            s.checkedAt = c.at
            s.checks = (s.checks ?? 0) + 1
            note = checkNote(r) + (note.isEmpty ? "" : ": \(note)")
        case .completeStage:
            let names = sla.times(type: s.type, severity: s.severity).stages.map(\.name)
            guard !names.isEmpty else {
                errors.append(FieldError("stage", "this event's disposal has no stages: resolve it when it is done"))
                break
            }
            guard let name = f.stage?.trimmingWhitespace(), names.dropLast().contains(name) else {
                errors.append(FieldError("stage", "must be one of \(names.dropLast().joined(separator: ", ")) (the last, \(names.last!), is done with resolve)"))
                break
            }
            guard s.stagesDone?[name] == nil else {
                errors.append(FieldError("stage", "\(name) is already done"))
                break
            }
            s.stagesDone = (s.stagesDone ?? [:]).merging([name: c.at]) { a, _ in a }
            note = "\(name) done" + (note.isEmpty ? "" : ": \(note)")
        case .unpark:
            let days = (c.at - s.parkedSince!) / 86_400
            s.endParking(at: c.at)
            note = "unparked after \((days * 10).rounded() / 10) days" + (note.isEmpty ? "" : ": \(note)")
        case .overrideRating:
            let r = require(f.reason, "reason")
            guard let rating = f.rating else {
                errors.append(FieldError("rating", "is required: good, average or poor"))
                break
            }
            if let r {
                s.ratingOverride = rating
                s.ratingOverrideReason = r
                note = "rating \(s.rating?.rawValue ?? "-") overridden to \(rating.rawValue): \(r)"
            }
        }
        if !errors.isEmpty { throw .invalid(InvalidFields(errors)) }
        s.version += 1
        let entry = HistoryEntry(at: c.at, actorToken: c.identity.tokenID, actorName: c.identity.name,
                                 role: c.identity.role.rawValue, action: action.rawValue, from: state.status,
                                 to: s.status, note: note)
        return (s, entry)
    }

    /// The other side of a merge: `duplicate` is recorded on the event it was merged into, in its own history line.
    public static func recordDuplicate(_ duplicate: Int64, on state: WorkflowState, context c: ActionContext) -> (WorkflowState, HistoryEntry) {
        var s = state
        s.duplicates = (s.duplicates ?? []) + [duplicate]
        s.version += 1
        let entry = HistoryEntry(at: c.at, actorToken: c.identity.tokenID, actorName: c.identity.name, role: c.identity.role.rawValue,
                                 action: EventAction.merge.rawValue, from: s.status, to: s.status, note: "#\(duplicate) merged into this event")
        return (s, entry)
    }

    /// The history note of a check (核查) with this result, before any note of the supervisor's.
    public static func checkNote(_ r: SupervisorResult) -> String { "checked on site: \(r.rawValue)" }

    static func fmtHours(_ h: Double) -> String {
        h == h.rounded() ? "\(Int(h)) h" : "\(h) h"
    }

    // MARK: deadlines

    /// Clock seconds the resolution has been suspended or parked since the latest dispatch, on the clock of `unit`
    /// (a suspension or parking still running counts up to `now`).
    static func paused(_ s: WorkflowState, _ unit: TimeLimit.Unit, sla: SLARules, now: Double) -> Double {
        let running = (s.suspendedSince.map { sla.span(unit, from: $0, to: max($0, now)) } ?? 0)
            + (s.parkedSince.map { sla.span(unit, from: $0, to: max($0, now)) } ?? 0)
        guard unit.isWorkingTime, let pauses = s.pauses else { return s.pausedSeconds + running }
        return pauses.reduce(running) { $1.count == 2 ? $0 + sla.span(unit, from: $1[0], to: $1[1]) : $0 }
    }

    /// The resolution deadline: from the latest dispatch, the allowed time plus approved extensions (hours on the
    /// limit's clock), plus the time spent suspended (the clock stops while a suspension runs).
    public static func resolveDue(_ s: WorkflowState, sla: SLARules, now: Double) -> Double? {
        guard let dispatched = s.dispatchedAt else { return nil }
        let limit = sla.times(type: s.type, severity: s.severity).resolve
        let allowed = sla.seconds(limit) + s.extensionHours * 3600
        return sla.adding(allowed + paused(s, limit.unit, sla: sla, now: now), limit.unit, to: dispatched)
    }

    /// How late a resolution at `at` is, on the resolution limit's clock (0 when on time); nil before a dispatch.
    public static func lateness(_ s: WorkflowState, sla: SLARules, at: Double) -> (seconds: Double, unit: TimeLimit.Unit)? {
        guard let due = resolveDue(s, sla: sla, now: at) else { return nil }
        let unit = sla.times(type: s.type, severity: s.severity).resolve.unit
        return (at > due ? sla.span(unit, from: due, to: at) : 0, unit)
    }

    /// When each stage of a staged resolution is due (suspensions and extensions moving each as they move the last).
    public static func stageDues(_ s: WorkflowState, sla: SLARules, now: Double) -> [(stage: DisposalStage, due: Double)] {
        guard let dispatched = s.dispatchedAt else { return [] }
        let t = sla.times(type: s.type, severity: s.severity)
        return t.stages.map { stage in
            let allowed = sla.seconds(stage.limit) + s.extensionHours * 3600
            return (stage, sla.adding(allowed + paused(s, stage.limit.unit, sla: sla, now: now), stage.limit.unit, to: dispatched))
        }
    }

    /// Which clock an open event is on, how much of its time is used, and its warning level.
    public static func deadline(_ s: WorkflowState, sla: SLARules, now: Double) -> Deadline? {
        let t = sla.times(type: s.type, severity: s.severity)
        let start: Double, limit: TimeLimit, phase: Deadline.Phase
        var allowed: Double, paused = 0.0
        switch s.status {
        case .reported, .accepted:
            phase = .accept
            start = s.reportedAt
            limit = t.accept
            allowed = sla.seconds(limit)
        case .dispatched, .inProgress:
            phase = .resolve
            start = s.dispatchedAt ?? s.reportedAt
            limit = t.resolve
            allowed = sla.seconds(limit) + s.extensionHours * 3600
            paused = Self.paused(s, limit.unit, sla: sla, now: now)
        case .resolved:
            phase = .close
            start = s.resolvedAt ?? now
            limit = t.close
            allowed = sla.seconds(limit)
        default:
            return nil
        }
        let due = sla.adding(allowed + paused, limit.unit, to: start)
        let used = allowed > 0 ? (sla.span(limit.unit, from: start, to: now) - paused) / allowed : 1
        let level: WarningLevel = used >= 1 ? .red : used >= 0.8 ? .yellow : .none
        return Deadline(phase: phase, due: due, used: used, level: level, limit: limit)
    }

    // MARK: rating

    /// The rating formula. Start from 100 points and take off:
    /// - 25 if the event was resolved after its resolution deadline (suspensions and extensions included), and 5
    ///   more for every full day late beyond the first (at most 50 for lateness) — days of the limit's clock: a
    ///   working-time limit counts working days of lateness;
    /// - 15 for every rework (the centre sent the result back);
    /// - 5 for every return (a wrong dispatch delayed the resident, though not by this department's doing);
    /// - 5 for every approved extension;
    /// - 20 if the resident was neutral, 40 if dissatisfied.
    /// 80 points or more is good, 60 to 79 average, below 60 poor.
    public static func ratingInputs(_ s: WorkflowState, sla: SLARules, satisfaction: Satisfaction) -> RatingInputs {
        let resolved = s.resolvedAt ?? s.closedAt ?? s.reportedAt
        let (lateSeconds, unit) = lateness(s, sla: sla, at: resolved) ?? (0, .hours)
        let day = unit.isWorkingTime ? sla.clock.dayLength : 86_400
        var score = 100
        if lateSeconds > 0 {
            let fullDaysBeyondFirst = max(0, Int(lateSeconds / day) - 1)
            score -= min(50, 25 + 5 * fullDaysBeyondFirst)
        }
        score -= 15 * s.reworks + 5 * s.returns + 5 * s.extensions
        switch satisfaction {
        case .satisfied: break
        case .neutral: score -= 20
        case .dissatisfied: score -= 40
        }
        let late = lateSeconds / 3600
        return RatingInputs(onTime: late == 0, hoursLate: (late * 100).rounded() / 100, reworks: s.reworks,
                            returns: s.returns, extensions: s.extensions, satisfaction: satisfaction, score: max(0, score))
    }

    public static func rating(score: Int) -> Rating {
        score >= 80 ? .good : score >= 60 ? .average : .poor
    }
}

/// Which department an event goes to: a rule for one of its grids (the most specific first: building, courtyard,
/// community, street, then functional and industry grids), else a rule for one of its overlay layers, else its
/// type's default department.
public struct RoutingRules: Sendable, Codable, Equatable {
    public struct Rule: Sendable, Codable, Equatable {
        /// nil: any event type.
        public var eventType: String?
        /// A grid code, or
        public var grid: String?
        /// an overlay layer (`functional`, `industry`): events inside any of its grids.
        public var layer: GridLayer?
        public var department: String
        public var note: String?

        public init(eventType: String? = nil, grid: String? = nil, layer: GridLayer? = nil, department: String, note: String? = nil) {
            self.eventType = eventType; self.grid = grid; self.layer = layer; self.department = department; self.note = note
        }

        enum CodingKeys: String, CodingKey {
            case grid, layer, department, note
            case eventType = "event_type"
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule] = []) { self.rules = rules }

    /// The department for an event of `type` assigned as `assignment`, with `defaults` per type.
    public func department(type: String, assignment: PointAssignment, defaults: [String: String]) -> String? {
        let r = assignment.residential
        let grids = r.codes.reversed() + assignment.functional.grids + assignment.industry.grids
        for g in grids {
            if let rule = rules.first(where: { $0.grid == g && $0.eventType == type }) ?? rules.first(where: { $0.grid == g && $0.eventType == nil }) {
                return rule.department
            }
        }
        for layer in [GridLayer.functional, .industry] where !(layer == .functional ? assignment.functional.grids : assignment.industry.grids).isEmpty {
            if let rule = rules.first(where: { $0.layer == layer && $0.grid == nil && $0.eventType == type }) { return rule.department }
        }
        return defaults[type]
    }
}
