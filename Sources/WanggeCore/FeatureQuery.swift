/// Which events a caller may see. The one rule: the store applies it in SQL to every list, and `admits` to single
/// events, wherever events are returned.
public enum EventVisibility: Sendable, Equatable, Hashable {
    case all
    /// Only events this token submitted (reporters).
    case submittedBy(Int64)
    /// Only events dispatched to this department.
    case department(String)
    /// No events (GIS staff manage boundaries, not events).
    case none

    /// What `identity` may see: reporters their own events, departments those dispatched to them, GIS staff none,
    /// everyone else all.
    public init(for identity: Identity) {
        switch identity.role {
        case .reporter: self = .submittedBy(identity.tokenID)
        case .department: self = .department(identity.department ?? "")
        case .gis: self = .none
        case .admin, .dispatcher, .viewer, .supervisor: self = .all
        }
    }

    /// Whether an event with this submitter and department is visible.
    public func admits(_ record: EventRecord) -> Bool {
        switch self {
        case .all: return true
        case .submittedBy(let token): return record.event.submittedBy == token
        case .department(let d): return record.department == d
        case .none: return false
        }
    }
}

extension Identity {
    /// The events this caller may see (see `EventVisibility.init(for:)`).
    public var eventVisibility: EventVisibility { EventVisibility(for: self) }
}

/// One items or events request as a validated value — what to read, where, how much and from where on — that the
/// store plans as SQL: the R*Tree for boxes, LIMIT, and keyset paging. `/events`, the OGC items of every
/// collection and the exports all read through it.
public struct FeatureQuery: Sendable, Equatable {
    /// What is read.
    public enum Target: Sendable, Equatable {
        /// The grids of a layer, or of one residential level.
        case grids(GridLayer, level: GridLevel?)
        case events
    }

    /// Where a page starts.
    public enum Cursor: Sendable, Equatable {
        /// Grids (in code order): after this code.
        case afterCode(String)
        /// Events (newest first): below this id.
        case beforeID(Int64)
        /// Skip this many (OGC API's `offset`, Open311's `page`).
        case offset(Int)
    }

    public var target: Target
    /// Anywhere when empty; a box across the antimeridian is two boxes.
    public var boxes: [BoundingBox] = []
    /// At most this many; nil for all (exports).
    public var limit: Int? = 100
    public var cursor: Cursor?
    /// Properties to keep (nil: all).
    public var properties: [String]?
    /// A CQL2 filter, checked against the target's queryables (`CQL2.check`).
    public var filter: CQL2.Expression?
    /// The residential layer's levels: the names a filter and the written events give the residential chain.
    public var levels = LevelScheme.standard

    // Events only.
    /// Any of these statuses (empty: any).
    public var statuses: [EventStatus] = []
    /// Any of these event types (empty: any).
    public var types: [String] = []
    /// Only these events (empty: any).
    public var ids: [Int64] = []
    public var severity: Int?
    /// Any grid code of any layer the event was assigned to.
    public var grid: String?
    /// On `occurred_at`, seconds since 1970: inclusive / exclusive.
    public var since: Double?
    public var until: Double?
    /// On `reported_at`, seconds since 1970: inclusive / exclusive.
    public var reportedFrom: Double?
    public var reportedTo: Double?
    public var visibility: EventVisibility = .all
    /// Grids: read this stored version's grids instead of those in use (`?date=`).
    public var version: Int64?

    public init(_ target: Target) {
        self.target = target
    }

    /// Every event (no filter, no limit).
    public static var allEvents: FeatureQuery {
        var q = FeatureQuery(.events)
        q.limit = nil
        return q
    }

    /// Only events with this status.
    public var status: EventStatus? {
        get { statuses.count == 1 ? statuses[0] : nil }
        set { statuses = newValue.map { [$0] } ?? [] }
    }

    /// Only events of this type.
    public var type: String? {
        get { types.count == 1 ? types[0] : nil }
        set { types = newValue.map { [$0] } ?? [] }
    }

    /// Whether boxes are all that narrow the events (no attribute, time, grid, filter or visibility condition): the
    /// store then counts and reads them through the box index alone.
    public var narrowsOnlyByBox: Bool {
        !boxes.isEmpty && statuses.isEmpty && types.isEmpty && ids.isEmpty && severity == nil && grid == nil && since == nil
            && until == nil && reportedFrom == nil && reportedTo == nil && filter == nil && visibility == .all
    }

    /// The same query for the next page after `cursor`.
    public func continued(at cursor: Cursor) -> FeatureQuery {
        var q = self
        q.cursor = cursor
        return q
    }
}

/// A page of a `FeatureQuery`.
public struct FeaturePage<Item: Sendable>: Sendable {
    public var items: [Item]
    /// How many match in all (when it was asked for).
    public var matched: Int?
    /// Where the next page starts; nil on the last page.
    public var next: FeatureQuery.Cursor?

    public init(items: [Item], matched: Int?, next: FeatureQuery.Cursor?) {
        self.items = items; self.matched = matched; self.next = next
    }
}

/// Pages of grids and events for the feature endpoints, planned as SQL.
public protocol FeatureRepository: Sendable {
    /// A page of grids (`.grids` target) in code order; `count` adds how many match in all.
    func gridPage(_ query: FeatureQuery, count: Bool) throws -> FeaturePage<StoredGrid>
    /// A page of events (`.events` target), newest first; `count` adds how many match in all.
    func eventPage(_ query: FeatureQuery, count: Bool) throws -> FeaturePage<EventRecord>
    /// The bounding box of a layer's grids (and level's), nil when it has none.
    func gridExtent(layer: GridLayer, level: GridLevel?) throws -> BoundingBox?
    /// The bounding box of all events and their first and last `occurred_at`, nil without events.
    func eventExtent() throws -> (BoundingBox, Double, Double)?
    /// Moves on with every change to any event (an insert or an action); equal versions mean equal events.
    func eventsVersion() throws -> Int64
    /// The rows of the page `eventPage` would give (newest first), handed over in place with the columns of
    /// `ExportColumn` and then `EventItemColumn`, so a page can be written without decoding its records; returns the
    /// cursor of the next page.
    func eventPageRows(_ query: FeatureQuery, _ body: (any EventColumns) throws -> Void) throws -> FeatureQuery.Cursor?
    /// `eventPageRows` and how many events match in all (`countEvents`), from one read where the store can (a
    /// single box and nothing else: one R*Tree scan serves both).
    func eventPageRowsCounted(_ query: FeatureQuery, _ body: (any EventColumns) throws -> Void) throws -> (next: FeatureQuery.Cursor?, matched: Int)
    /// One event's row (the columns `eventPageRows` hands over) when it exists and `visibility` admits it; false
    /// otherwise, `body` not called.
    func eventRow(id: Int64, visibility: EventVisibility, _ body: (any EventColumns) throws -> Void) throws -> Bool
}

/// The columns an events page hands over after those of `ExportColumn`.
public enum EventItemColumn {
    public static let mediaURL = ExportColumn.allCases.count
    public static let reporterEmail = ExportColumn.allCases.count + 1
}
