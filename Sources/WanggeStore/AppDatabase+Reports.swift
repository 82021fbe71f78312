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
        case .level(let l): return l.rawValue
        case .overlay(let o): return o.rawValue
        }
    }

    static let reportSelect = """
        SELECT id, type, severity, status, department, match, outside, reported_at, accepted_at, resolved_at,
               resolved_late_hours, closed_at, due_at, suspended, reworks, returns, extensions, satisfaction, rating
        """

    /// Steps the report query without reading the rows (for measuring what SQLite itself costs).
    public func forEachRawReportRow(from: Double, to: Double, _ body: (any EventColumns) throws -> Void) throws {
        try forEachRawRow(sql: Self.reportSelect + ", building FROM event WHERE reported_at >= ? AND reported_at < ? ORDER BY reported_at, id",
                          arguments: [from, to]) { try body($0) }
    }

    /// Every event reported in `[from, to)`, oldest first, with its grid codes in `scope` (none for `nil`). The
    /// department is read only for a report without a scope (the department report); grid reports leave it nil.
    public func forEachReportEvent(scope: ReportScope?, from: Double, to: Double, _ body: (ReportEvent) throws -> Void) throws {
        let withDepartment = scope == nil
        let gridSQL = scope.map { ", " + Self.gridColumn($0) } ?? ""
        let overlay: Bool = if case .overlay = scope { true } else { false }
        let sql = Self.reportSelect + gridSQL + " FROM event WHERE reported_at >= ? AND reported_at < ? ORDER BY reported_at, id"
        try forEachRawRow(sql: sql, arguments: [from, to]) { r in
            func optional(_ i: Int) -> Double? { r.isNull(i) ? nil : r.double(i) }
            var grid: String?, others: [String] = []
            if scope != nil, let codes = r.string(19), !codes.isEmpty {
                if overlay, codes.contains(";") {
                    let all = codes.split(separator: ";").map(String.init)
                    grid = all.first
                    others = Array(all.dropFirst())
                } else {
                    grid = codes
                }
            }
            try body(ReportEvent(
                id: r.id, type: r.string(1) ?? "", severity: r.int(2), status: r.choice(3, EventStatus.self) ?? .reported,
                department: withDepartment ? r.string(4) : nil, match: r.choice(5, MatchKind.self) ?? .inside, outside: r.bool(6),
                reportedAt: r.double(7), acceptedAt: optional(8), resolvedAt: optional(9), closedAt: optional(11),
                dueAt: optional(12), suspended: r.bool(13), resolvedLateHours: optional(10), reworks: r.int(14),
                returns: r.int(15), extensions: r.int(16), satisfaction: r.choice(17, Satisfaction.self),
                rating: r.choice(18, Rating.self), grid: grid, otherGrids: others))
        }
    }
}

extension AppDatabase {
    /// Return actions (wrong dispatches sent back) per department, for events reported in `[from, to)`: the
    /// department is the returning token's.
    public func returnsByDepartment(from: Double, to: Double) throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT t.department, count(*) FROM event_history h
                JOIN event e ON e.id = h.event_id JOIN api_token t ON t.id = h.actor_token
                WHERE h.action = 'return' AND t.department IS NOT NULL AND e.reported_at >= ? AND e.reported_at < ?
                GROUP BY t.department
                """, arguments: [from, to])
            while let r = try rows.next() { out[r[0]] = r[1] }
            return out
        }
    }
}

extension AppDatabase {
    /// The events reported in `[from, to)` as points for hot-spot analysis, with their grid at `level`.
    public func hotSpotPoints(level: GridLevel, from: Double, to: Double) throws -> [HotSpots.Point] {
        var out: [HotSpots.Point] = []
        try forEachRawRow(sql: "SELECT id, type, lon, lat, occurred_at, \(level.rawValue) FROM event WHERE reported_at >= ? AND reported_at < ?",
                          arguments: [from, to]) { r in
            out.append(HotSpots.Point(id: r.id, type: r.string(1) ?? "", lon: r.double(2), lat: r.double(3), at: r.double(4),
                                      grid: r.string(5)))
        }
        return out
    }

    /// Events reported in `[from, to)` per grid at `level`.
    public func eventCounts(level: GridLevel, from: Double, to: Double) throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT \(level.rawValue), count(*) FROM event WHERE reported_at >= ? AND reported_at < ? AND \(level.rawValue) IS NOT NULL GROUP BY 1",
                                           arguments: [from, to])
            while let r = try rows.next() { out[r[0]] = r[1] }
            return out
        }
    }
}
