public import Foundation
public import WanggeCore

/// The closed loop as a service: actions on events (checked by `Workflow`, stored with a version check and a
/// history line), routing of dispatches, and early warnings from the service levels.
public struct ClosedLoop: Sendable {
    public let repository: any WorkflowRepository & EventRepository
    /// Now, in seconds since 1970 (tests and the sample history inject their own clock).
    public let clock: @Sendable () -> Double
    /// Told of every status change, so events no longer open stop being offered as possible duplicates.
    public let duplicates: DuplicateCheck?

    public init(repository: any WorkflowRepository & EventRepository, duplicates: DuplicateCheck? = nil,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.repository = repository
        self.duplicates = duplicates
        self.clock = clock
    }

    // MARK: configuration

    public static let slaKey = "sla"
    public static let routingKey = "routing"
    public static let calendarKey = "calendar"
    public static let categoriesKey = "categories"
    public static let supervisionKey = "supervision"

    /// When supervisors verify and check (none: they do not).
    public func supervision() throws -> SupervisionRules {
        try repository.decodedSetting(Self.supervisionKey, as: SupervisionRules.self) ?? .off
    }

    /// The context of an action by `identity` on `record` at `at`: whether the caller submitted it, and what the
    /// supervision rules require of it.
    func context(_ record: EventRecord, _ identity: Identity, at: Double, rules: SupervisionRules) -> ActionContext {
        ActionContext(identity: identity, isSubmitter: record.event.submittedBy == identity.tokenID, at: at,
                      requiresVerification: rules.requiresVerification(record.event.channel), requiresCheck: rules.checkBeforeClose)
    }

    /// Service levels: stored ones (else a conservative default for every type), counted on the stored working
    /// calendar (else weekdays without holidays), with each event type's class limit from the stored class tree.
    public func sla() throws -> SLARules {
        let texts = [try repository.setting(Self.slaKey), try repository.setting(Self.calendarKey),
                     try repository.setting(Self.categoriesKey)]
        let types = texts[2] == nil ? [] : try repository.eventTypes()
        let key = texts + types.map { "\($0.code)=\($0.standardClass ?? "")" }
        // Decoding the class tree and the calendar costs more than the action: keep the last rules while the
        // settings read the same.
        if let cached = Self.rulesCache.withLock({ $0?.key == key ? $0?.rules : nil }) { return cached }
        let decoder = JSONDecoder()
        let rules = try (texts[0].map { try decoder.decode(SLARules.self, from: Data($0.utf8)) } ?? SLARules(defaults: [:]))
            .with(clock: try texts[1].map { try WorkingClock(decoder.decode(WorkCalendar.self, from: Data($0.utf8))) } ?? .weekdays,
                  classes: try texts[2].map { try decoder.decode(CaseClasses.self, from: Data($0.utf8)) }, types: types)
        Self.rulesCache.withLock { $0 = (key, rules) }
        return rules
    }

    /// The last rules `sla()` built and the settings they were built from (shared: the rules are a value).
    static let rulesCache = Locked<(key: [String?], rules: SLARules)?>(nil)

    /// The stored working calendar, or weekdays 08:30–12:00 and 13:30–17:30 without holidays.
    public func workingClock() throws -> WorkingClock {
        try repository.decodedSetting(Self.calendarKey, as: WorkCalendar.self).map { try WorkingClock($0) } ?? .weekdays
    }

    /// The stored class tree; nil when none is loaded.
    public func classes() throws -> CaseClasses? {
        try repository.decodedSetting(Self.categoriesKey, as: CaseClasses.self)
    }

    public func routing() throws -> RoutingRules {
        if let json = try repository.setting(Self.routingKey) {
            return try JSONDecoder().decode(RoutingRules.self, from: Data(json.utf8))
        }
        return RoutingRules()
    }

    /// The department an event would be dispatched to by default.
    public func suggestedDepartment(for record: EventRecord) throws -> String? {
        if let c = record.event.component, let component = try repository.component(id: c),
           let d = component.department(known: Set(try repository.departments().map(\.code))) {
            return d
        }
        let defaults = Dictionary(uniqueKeysWithValues: try repository.eventTypes().map { ($0.code, $0.defaultDepartment) })
        return try routing().department(type: record.event.type, assignment: record.event.assignment, defaults: defaults)
    }

    // MARK: actions

    /// The outcome of an action: the stored event, its state and what this caller may do next.
    public struct Outcome: Sendable {
        public var record: EventRecord
        public var state: WorkflowState
        public var allowed: [EventAction]
    }

    /// The event, its state and the actions this caller may take now.
    /// - Throws: `WanggeError.notFound` when there is no such event or the caller may not see it.
    public func state(eventID: Int64, for identity: Identity) throws -> Outcome {
        guard let (record, state) = try repository.workflow(eventID: eventID), identity.eventVisibility.admits(record) else {
            throw WanggeError.notFound("no event \(eventID)")
        }
        let context = self.context(record, identity, at: clock(), rules: try supervision())
        return Outcome(record: record, state: state, allowed: Workflow.allowed(state, context))
    }

    /// Every change of an event, oldest first.
    /// - Throws: `WanggeError.notFound` when there is no such event or the caller may not see it.
    public func history(eventID: Int64, for identity: Identity) throws -> [HistoryEntry] {
        _ = try state(eventID: eventID, for: identity)
        return try repository.history(eventID: eventID)
    }

    /// Takes an action.
    /// - Throws: `WanggeError.notFound` (no such event, or not visible to the caller), `WorkflowError` (not allowed
    ///   now, invalid fields, or a version conflict — also when another action won a race).
    public func act(eventID: Int64, action: EventAction, fields: ActionFields, identity: Identity,
                    expectedVersion: Int? = nil) throws -> Outcome {
        guard let (record, state) = try repository.workflow(eventID: eventID), identity.eventVisibility.admits(record) else {
            throw WanggeError.notFound("no event \(eventID)")
        }
        let now = clock()
        let context = self.context(record, identity, at: now, rules: try supervision())
        var fields = fields
        if action == .dispatch, fields.department == nil {
            fields.department = try suggestedDepartment(for: record)
        }
        let sla = try self.sla()
        let departments = Set(try repository.departments().map(\.code))
        let component = try componentChange(fields.componentState, action: action, record: record, at: now)
        let (next, applied) = try Workflow.apply(action, fields: fields, to: state, context: context, sla: sla,
                                                 expectedVersion: expectedVersion, knownDepartments: departments)
        var entry = applied
        if let component {
            entry.note += (entry.note.isEmpty ? "" : "; ") + "部件 \(component.id) \(component.state.chineseName) (\(component.state.rawValue))"
        }
        let due = Workflow.deadline(next, sla: sla, now: now)?.due
        var changes = [WorkflowChange(eventID: eventID, expectedVersion: state.version, state: next, entry: entry, dueAt: due,
                                      component: component)]
        if action == .merge, let into = fields.into {
            changes.append(try mergeTarget(into, duplicate: eventID, identity: identity, context: context, sla: sla))
        }
        // A merge changes both events, or neither.
        let stored = changes.count == 1 ? try repository.save(changes) == [true] : try repository.saveTogether(changes)
        guard stored else {
            // Another action got there first: report the version it left.
            let current = try repository.workflow(eventID: eventID)?.1.version ?? state.version
            throw WorkflowError.conflict(currentVersion: current)
        }
        duplicates?.update(eventID, status: next.status)
        var updated = record
        updated.status = next.status
        updated.department = next.department
        updated.version = next.version
        return Outcome(record: updated, state: next, allowed: Workflow.allowed(next, context))
    }

    /// The inventory change a resolution carries: `component_state` only with `resolve`, and only for an event that
    /// names a component; it is written in the same transaction as the resolution.
    /// - Throws: `WorkflowError.invalid` naming `component_state`.
    func componentChange(_ state: Component.State?, action: EventAction, record: EventRecord, at now: Double) throws -> ComponentStateChange? {
        guard let state else { return nil }
        func invalid(_ why: String) -> WorkflowError { .invalid(InvalidFields([FieldError("component_state", why)])) }
        guard action == .resolve else { throw invalid("is given with resolve only (the department says what it left the component in)") }
        guard let id = record.event.component else { throw invalid("this event names no component") }
        return ComponentStateChange(id: id, state: state, on: CalendarDay.day(now))
    }

    /// The change a merge makes to the event it merges into: that event must exist, be visible to the caller,
    /// and not be the duplicate itself or a duplicate of another.
    /// - Throws: `WorkflowError.invalid` naming `into`.
    func mergeTarget(_ into: Int64, duplicate: Int64, identity: Identity, context: ActionContext, sla: SLARules) throws -> WorkflowChange {
        func invalid(_ why: String) -> WorkflowError { .invalid(InvalidFields([FieldError("into", why)])) }
        guard into != duplicate else { throw invalid("an event cannot be a duplicate of itself") }
        guard let (record, state) = try repository.workflow(eventID: into), identity.eventVisibility.admits(record) else {
            throw invalid("there is no event \(into)")
        }
        if let parent = state.duplicateOf { throw invalid("#\(into) is itself a duplicate of #\(parent): merge into #\(parent)") }
        let (next, entry) = Workflow.recordDuplicate(duplicate, on: state, context: context)
        return WorkflowChange(eventID: into, expectedVersion: state.version, state: next, entry: entry,
                              dueAt: Workflow.deadline(next, sla: sla, now: context.at)?.due)
    }

    // MARK: warnings

    /// An open event at 80 % of its time or past it.
    public struct Warning: Sendable {
        public var record: EventRecord
        public var state: WorkflowState
        public var deadline: Deadline
    }

    /// Open events at the yellow (≥ 80 % of the allowed time) or red (overdue) mark, most urgent first; for a
    /// department token only its own events.
    public func warnings(for identity: Identity?, department: String? = nil, grid: String? = nil) throws -> [Warning] {
        let sla = try self.sla()
        let now = clock()
        var out: [Warning] = []
        for (record, state) in try repository.openWorkflows() {
            if let identity, !identity.eventVisibility.admits(record) { continue }
            if let department, state.department != department { continue }
            if let grid {
                let a = record.event.assignment
                let codes = a.residential.codes + a.functional.grids + a.industry.grids
                guard codes.contains(grid) else { continue }
            }
            // A parked case (挂账) is off the clock until it is unparked: it is listed by `parked`, not warned about.
            guard state.parkedSince == nil, let d = Workflow.deadline(state, sla: sla, now: now), d.level != .none else { continue }
            out.append(Warning(record: record, state: state, deadline: d))
        }
        return out.sorted { ($0.deadline.level, $0.deadline.used) > ($1.deadline.level, $1.deadline.used) }
    }

    // MARK: parked cases

    /// Parked cases (挂账) this caller may see, oldest parking first (a department token: its own).
    public func parked(for identity: Identity?, department: String? = nil) throws -> [(record: EventRecord, state: WorkflowState)] {
        try repository.openWorkflows().filter { record, state in
            state.parkedSince != nil && (identity?.eventVisibility.admits(record) ?? true)
                && (department == nil || state.department == department)
        }
        .sorted { ($0.1.parkedSince ?? 0, $0.0.id) < ($1.1.parkedSince ?? 0, $1.0.id) }
        .map { (record: $0.0, state: $0.1) }
    }
}

extension WorkflowRepository {
    /// A setting stored as JSON, decoded; nil when it is not set.
    /// - Throws: the decoder's error when the stored text does not decode.
    public func decodedSetting<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
        try setting(key).map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }
}
