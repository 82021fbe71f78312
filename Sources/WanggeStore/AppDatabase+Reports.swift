import Foundation
import GRDB
public import WanggeCore

/// Reads for reports: the grids of a scope, and the events of a period as `ReportEvent`s straight from the report
/// columns (no workflow JSON, no descriptions or reporters).
extension AppDatabase: ReportRepository {
    /// The grids of a residential level or an overlay layer, in code order, with their boundaries.
    public func reportGrids(_ scope: ReportScope) throws -> [ReportGrid] {
        var out: [ReportGrid] = []
        let (layer, level): (GridLayer, GridLevel?) = switch scope {
        case .level(let l): (.residential, l)
        case .overlay(let o): (o, nil)
        }
        try forEachGrid(layer: layer, level: level) { g in
            let households = g.properties["households"]?.doubleValue.map { Int($0) }
            out.append(ReportGrid(code: g.code, name: g.name, layer: g.layer, level: g.level, parent: g.parent,
                                  areaM2: g.areaM2, households: households, wkb: g.wkb))
        }
        return out
    }

    /// The event column that names an event's grid(s) in a scope (overlays hold `;`-separated codes).
    static func gridColumn(_ scope: ReportScope) -> String {
        switch scope {
        case .level(let l): return levelColumn(l)
        case .overlay(let o): return o.rawValue
        }
    }

    /// The SQL for an event's code at a residential level, by rank: the columns street … building hold ranks 0 … 3
    /// whatever the layer calls them, `lower_levels` the ranks below (migration v10).
    static func levelColumn(_ level: GridLevel, of table: String? = nil) -> String {
        let slots = ["street", "community", "courtyard", "building"]
        let prefix = table.map { $0 + "." } ?? ""
        return level.rank < 4 ? prefix + slots[level.rank] : "json_extract(\(prefix)lower_levels, '$[\(level.rank - 4)]')"
    }

    /// The columns a report reads of each event, in the order they are selected; the scope's grid column comes last.
    enum ReportColumn: Int, CaseIterable {
        case id, type, severity, status, department, match, outside, reportedAt, acceptedAt, resolvedAt
        case resolvedLateHours, closedAt, dueAt, suspended, reworks, returns, extensions, satisfaction, rating
        case lon, lat, parked
        /// The grid column of the report's scope (not selected without one).
        case grid

        var name: String {
            switch self {
            case .reportedAt: return "reported_at"
            case .acceptedAt: return "accepted_at"
            case .resolvedAt: return "resolved_at"
            case .resolvedLateHours: return "resolved_late_hours"
            case .closedAt: return "closed_at"
            case .dueAt: return "due_at"
            default: return String(describing: self)
            }
        }

        /// `SELECT id, type, …` without the grid column.
        static let select = "SELECT " + allCases.filter { $0 != .grid }.map(\.name).joined(separator: ", ")
    }

    /// Steps the report query without reading the rows (for measuring what SQLite itself costs).
    public func forEachRawReportRow(from: Double, to: Double, _ body: (any EventColumns) throws -> Void) throws {
        try forEachRawRow(sql: ReportColumn.select + ", building FROM event WHERE reported_at >= ? AND reported_at < ? AND duplicate_of IS NULL ORDER BY reported_at, id",
                          arguments: [from, to]) { try body($0) }
    }

    /// Every event reported in `[from, to)`, oldest first, with its grid codes in `scope` (none for `nil`). The
    /// department is read only for a report without a scope (the department report); grid reports leave it nil.
    public func forEachReportEvent(scope: ReportScope?, from: Double, to: Double, _ body: (ReportEvent) throws -> Void) throws {
        typealias C = ReportColumn
        let withDepartment = scope == nil
        let gridSQL = scope.map { ", " + Self.gridColumn($0) } ?? ""
        let overlay: Bool = if case .overlay = scope { true } else { false }
        let sql = C.select + gridSQL + " FROM event WHERE reported_at >= ? AND reported_at < ? AND duplicate_of IS NULL ORDER BY reported_at, id"
        try forEachRawRow(sql: sql, arguments: [from, to]) { r in
            func optional(_ c: C) -> Double? { r.isNull(c.rawValue) ? nil : r.double(c.rawValue) }
            func text(_ c: C) -> String? { r.string(c.rawValue) }
            func int(_ c: C) -> Int { r.int(c.rawValue) }
            var grid: String?, others: [String] = []
            if scope != nil, let codes = text(.grid), !codes.isEmpty {
                if overlay, codes.contains(";") {
                    let all = codes.split(separator: ";").map(String.init)
                    grid = all.first
                    others = Array(all.dropFirst())
                } else {
                    grid = codes
                }
            }
            var e = ReportEvent(
                id: r.id, type: text(.type) ?? "", severity: int(.severity), status: r.choice(C.status.rawValue, EventStatus.self) ?? .reported,
                department: withDepartment ? text(.department) : nil, match: r.choice(C.match.rawValue, MatchKind.self) ?? .inside,
                outside: r.bool(C.outside.rawValue), reportedAt: r.double(C.reportedAt.rawValue), acceptedAt: optional(.acceptedAt),
                resolvedAt: optional(.resolvedAt), closedAt: optional(.closedAt), dueAt: optional(.dueAt), suspended: r.bool(C.suspended.rawValue),
                resolvedLateHours: optional(.resolvedLateHours), reworks: int(.reworks), returns: int(.returns), extensions: int(.extensions),
                satisfaction: r.choice(C.satisfaction.rawValue, Satisfaction.self), rating: r.choice(C.rating.rawValue, Rating.self),
                grid: grid, otherGrids: others, lon: r.double(C.lon.rawValue), lat: r.double(C.lat.rawValue))
            e.parked = r.bool(C.parked.rawValue)
            try body(e)
        }
    }
}

extension AppDatabase {
    public func forEachRoleEvent(from: Double, to: Double, _ body: (RoleEvent) throws -> Void) throws {
        try writer.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT e.id, e.type, e.severity, e.reported_at, e.status, e.accepted_at, e.submitted_by, t.name AS submitter_name,
                       t.role AS submitter_role, h.at, h.actor_token, h.actor_name, h.role AS actor_role, h.action, h.from_status,
                       h.to_status, h.note
                FROM event e LEFT JOIN api_token t ON t.id = e.submitted_by LEFT JOIN event_history h ON h.event_id = e.id
                WHERE e.reported_at >= ? AND e.reported_at < ? AND e.duplicate_of IS NULL
                ORDER BY e.id, h.at, h.id
                """, arguments: [from, to])
            var current: RoleEvent?
            while let r = try rows.next() {
                let id: Int64 = r["id"]
                if current?.id != id {
                    if let c = current { try body(c) }
                    current = RoleEvent(id: id, type: r["type"], severity: r["severity"], reportedAt: r["reported_at"],
                                        status: EventStatus(rawValue: r["status"]) ?? .reported, acceptedAt: r["accepted_at"],
                                        submittedBy: r["submitted_by"], submitterName: r["submitter_name"],
                                        submitterRole: (r["submitter_role"] as String?).flatMap(Role.init(rawValue:)), history: [])
                }
                if let at: Double = r["at"] {
                    current!.history.append(HistoryEntry(at: at, actorToken: r["actor_token"], actorName: r["actor_name"], role: r["actor_role"],
                                                         action: r["action"], from: (r["from_status"] as String?).flatMap(EventStatus.init(rawValue:)),
                                                         to: EventStatus(rawValue: r["to_status"]) ?? .reported, note: r["note"]))
                }
            }
            if let c = current { try body(c) }
        }
    }

    /// Return actions (wrong dispatches sent back) per department, for events reported in `[from, to)`: the
    /// department is the returning token's.
    public func returnsByDepartment(from: Double, to: Double) throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT t.department AS department, count(*) AS n FROM event_history h
                JOIN event e ON e.id = h.event_id JOIN api_token t ON t.id = h.actor_token
                WHERE h.action = 'return' AND t.department IS NOT NULL AND e.reported_at >= ? AND e.reported_at < ? AND e.duplicate_of IS NULL
                GROUP BY t.department
                """, arguments: [from, to])
            while let r = try rows.next() { out[r["department"]] = r["n"] }
            return out
        }
    }
}

extension AppDatabase {
    /// The events reported in `[from, to)` as points for hot-spot analysis, with their grid at `level`.
    public func hotSpotPoints(level: GridLevel, from: Double, to: Double) throws -> [HotSpots.Point] {
        /// The columns read, in the order they are selected.
        enum C: Int { case id, type, lon, lat, occurredAt, grid }
        var out: [HotSpots.Point] = []
        try forEachRawRow(sql: "SELECT id, type, lon, lat, occurred_at, \(Self.levelColumn(level)) FROM event WHERE reported_at >= ? AND reported_at < ? AND duplicate_of IS NULL",
                          arguments: [from, to]) { r in
            out.append(HotSpots.Point(id: r.id, type: r.string(C.type.rawValue) ?? "", lon: r.double(C.lon.rawValue),
                                      lat: r.double(C.lat.rawValue), at: r.double(C.occurredAt.rawValue), grid: r.string(C.grid.rawValue)))
        }
        return out
    }

    /// Events reported in `[from, to)` per grid at `level`.
    public func eventCounts(level: GridLevel, from: Double, to: Double) throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            let column = Self.levelColumn(level)
            let rows = try Row.fetchCursor(db, sql: "SELECT \(column) AS grid, count(*) AS n FROM event WHERE reported_at >= ? AND reported_at < ? AND duplicate_of IS NULL AND \(column) IS NOT NULL GROUP BY 1",
                                           arguments: [from, to])
            while let r = try rows.next() { out[r["grid"]] = r["n"] }
            return out
        }
    }
}
