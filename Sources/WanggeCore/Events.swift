/// Who may do what: the roles of API tokens.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Everything, including tokens and configuration.
    case admin
    /// GIS staff: boundaries.
    case gis
    /// Grid staff and residents' channels: submit events.
    case reporter
    /// The street information centre: accepts, dispatches, checks, closes and rates.
    case dispatcher
    /// A handling department: sees and acts on its own events.
    case department
    /// Reads events and reports, without reporters' personal details.
    case viewer
    /// 监督员: patrols, reports what it finds, verifies public reports on site (核实) and checks the result of the
    /// work before the centre closes it (核查).
    case supervisor
}

/// The caller behind a valid token.
public struct Identity: Sendable, Equatable {
    public var tokenID: Int64
    public var name: String
    public var role: Role
    /// For `department` tokens, the department's code.
    public var department: String?

    public init(tokenID: Int64, name: String, role: Role, department: String? = nil) {
        self.tokenID = tokenID; self.name = name; self.role = role; self.department = department
    }

    /// Reporter names and phone numbers are personal data: only these roles see them.
    public var seesReporterIdentity: Bool { role == .admin || role == .dispatcher || role == .reporter }
}

/// How an event reached the information centre.
public enum EventChannel: String, Sendable, Codable, CaseIterable {
    case gridStation = "grid_station"
    case hotline, web, reception
}

/// Where an event is in the closed loop.
public enum EventStatus: String, Sendable, Codable, CaseIterable {
    case reported, accepted, rejected, dispatched
    case inProgress = "in_progress"
    case resolved, closed, evaluated
}

/// A stored API token (never the token itself: only its SHA-256).
public struct APIToken: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var department: String?
    /// The first characters of the token, to tell tokens apart in listings.
    public var prefix: String
    public var createdAt: Double
    public var revokedAt: Double?

    public init(id: Int64, name: String, role: Role, department: String?, prefix: String, createdAt: Double, revokedAt: Double?) {
        self.id = id; self.name = name; self.role = role; self.department = department; self.prefix = prefix
        self.createdAt = createdAt; self.revokedAt = revokedAt
    }
}

/// An event to store: validated, converted to WGS84 and assigned to its grids.
public struct NewEvent: Sendable, Equatable {
    public var type: String
    public var severity: Int
    public var lon: Double
    public var lat: Double
    /// The position as submitted.
    public var inputCRS: String
    public var inputX: Double
    public var inputY: Double
    public var description: String
    public var reporterName: String
    public var reporterPhone: String
    public var channel: EventChannel
    /// Seconds since 1970.
    public var occurredAt: Double
    public var reportedAt: Double
    public var assignment: PointAssignment
    public var submittedBy: Int64?
    /// The boundary mark of the index that assigned it (which version of each layer); nil when not known.
    public var boundaryMark: Int64?
    /// Empty when not given.
    public var reporterEmail: String
    /// A picture of the problem (an http(s) URL), when the reporter sent one.
    public var mediaURL: String?
    /// The component (部件) it concerns, by identifier, when the reporter named one.
    public var component: String?

    public init(type: String, severity: Int, lon: Double, lat: Double, inputCRS: String, inputX: Double, inputY: Double,
                description: String, reporterName: String, reporterPhone: String, reporterEmail: String = "",
                mediaURL: String? = nil, channel: EventChannel,
                occurredAt: Double, reportedAt: Double, assignment: PointAssignment, submittedBy: Int64?,
                boundaryMark: Int64? = nil, component: String? = nil) {
        self.boundaryMark = boundaryMark; self.component = component
        self.reporterEmail = reporterEmail; self.mediaURL = mediaURL
        self.type = type; self.severity = severity; self.lon = lon; self.lat = lat; self.inputCRS = inputCRS
        self.inputX = inputX; self.inputY = inputY; self.description = description; self.reporterName = reporterName
        self.reporterPhone = reporterPhone; self.channel = channel; self.occurredAt = occurredAt
        self.reportedAt = reportedAt; self.assignment = assignment; self.submittedBy = submittedBy
    }

    /// Outside every residential grid: kept, and flagged for the information centre.
    public var isOutside: Bool { assignment.residential.match == .outside }
}

/// A stored event.
public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var event: NewEvent
    public var status: EventStatus
    /// The department it is dispatched to, once it is.
    public var department: String?
    /// Increases with every change (optimistic concurrency).
    public var version: Int

    public init(id: Int64, event: NewEvent, status: EventStatus, department: String?, version: Int) {
        self.id = id; self.event = event; self.status = status; self.department = department; self.version = version
    }
}

/// The stored outcome of a request made with an `Idempotency-Key`.
public struct IdempotentResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    public var requestHash: String
    /// The event the request created (set by the store).
    public var eventID: Int64?

    public init(status: Int, body: [UInt8], requestHash: String, eventID: Int64? = nil) {
        self.status = status; self.body = body; self.requestHash = requestHash; self.eventID = eventID
    }
}

/// An idempotency key with the fingerprint of the request that used it.
public struct IdempotencyKey: Sendable, Equatable {
    public var key: String
    public var requestHash: String

    public init(key: String, requestHash: String) {
        self.key = key
        self.requestHash = requestHash
    }
}

/// One event to store, with who submits it and how to answer.
public struct EventInsert: Sendable {
    public var event: NewEvent
    public var actor: Identity?
    public var idempotency: IdempotencyKey?
    /// Makes the response from the stored record (kept with the key for replays).
    public var respond: @Sendable (EventRecord) -> IdempotentResponse

    public init(event: NewEvent, actor: Identity?, idempotency: IdempotencyKey?,
                respond: @escaping @Sendable (EventRecord) -> IdempotentResponse) {
        self.event = event; self.actor = actor; self.idempotency = idempotency; self.respond = respond
    }
}

/// Where events, tokens and their configuration are kept.
public protocol EventRepository: Sendable {
    /// Stores a batch of events, each with its first history entry, in one transaction: all or none. An insert whose
    /// idempotency key was seen before (also earlier in the same batch) stores nothing and gets the stored response.
    /// - Returns: per insert, the response and whether an event was created.
    func insert(_ batch: [EventInsert]) throws -> [(IdempotentResponse, created: Bool)]
    func event(id: Int64) throws -> EventRecord?
    /// A component (部件) by identifier, for events that name one.
    func component(id: String) throws -> Component?
    /// The version of each layer an event was assigned with (empty for events stored before versions were kept).
    func assignedVersions(eventID: Int64) throws -> [GridLayer: Int64]
    /// Events matching an events query, newest first, at most its limit (all without one).
    func events(_ query: FeatureQuery) throws -> [EventRecord]
    /// How many events match an events query's filters and boxes (its limit and cursor ignored).
    func countEvents(_ query: FeatureQuery) throws -> Int
    /// Moves up to `limit` recently stored events into the grid and spatial indexes; returns how many. Queries are
    /// exact either way (they scan what is not indexed yet); this keeps that scan short.
    @discardableResult
    func indexPendingEvents(limit: Int) throws -> Int
    /// How many stored events are not in the grid and spatial indexes yet.
    func unindexedEventCount() throws -> Int
    func eventTypes() throws -> [EventType]
    func departments() throws -> [Department]
    /// Replaces departments and event types (configuration).
    func replaceCatalog(departments: [Department], eventTypes: [EventType]) throws
}

/// A new workflow state to store for an event, if it is still at the version it was read at.
public struct WorkflowChange: Sendable {
    public var eventID: Int64
    public var expectedVersion: Int
    public var state: WorkflowState
    public var entry: HistoryEntry
    /// The current phase's deadline (nil when the event is no longer open).
    public var dueAt: Double?
    /// The state the component (部件) the event names is in now, written with the change (a resolution's
    /// `component_state`); nil: the inventory is left as it is.
    public var component: ComponentStateChange?

    public init(eventID: Int64, expectedVersion: Int, state: WorkflowState, entry: HistoryEntry, dueAt: Double?,
                component: ComponentStateChange? = nil) {
        self.eventID = eventID; self.expectedVersion = expectedVersion; self.state = state; self.entry = entry; self.dueAt = dueAt
        self.component = component
    }
}

/// The closed loop's storage: workflow states with optimistic versions, the append-only history, settings.
public protocol WorkflowRepository: Sendable {
    /// The event and its workflow state.
    func workflow(eventID: Int64) throws -> (EventRecord, WorkflowState)?
    /// Stores changes in one transaction; per change, false when the event's version moved on (nothing stored for it).
    func save(_ changes: [WorkflowChange]) throws -> [Bool]
    /// Stores all the changes or none: false, with nothing stored, when any event's version moved on.
    func saveTogether(_ changes: [WorkflowChange]) throws -> Bool
    func history(eventID: Int64) throws -> [HistoryEntry]
    /// Every open event with its state (for early warnings).
    func openWorkflows() throws -> [(EventRecord, WorkflowState)]
    func setting(_ key: String) throws -> String?
    func setSetting(_ key: String, _ value: String) throws
}

public protocol TokenRepository: Sendable {
    /// Stores a new token's hash and returns its record.
    func createToken(name: String, role: Role, department: String?, tokenHash: String, prefix: String) throws -> APIToken
    func tokens() throws -> [APIToken]
    /// Marks a token revoked; false when there is no such token.
    func revokeToken(id: Int64) throws -> Bool
    /// The identity behind a token hash, unless revoked.
    func identity(tokenHash: String) throws -> Identity?
}
