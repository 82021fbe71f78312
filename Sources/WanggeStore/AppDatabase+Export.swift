import Foundation
import GRDB
import WanggeCore

/// Streaming reads for exports: rows are handed over one by one from a single read transaction (a consistent
/// snapshot), so memory does not grow with the table.
extension AppDatabase {
    /// The columns `forEachEventRow` hands over, in order.
    public static let exportEventColumns = ["id", "lon", "lat", "status", "type", "severity", "description", "channel",
                                            "occurred_at", "reported_at", "match", "street", "community", "courtyard",
                                            "building", "functional", "industry", "outside", "department",
                                            "reporter_name", "reporter_phone"]

    /// One event row for an export, read by column position (no per-row dictionary).
    public struct EventRow {
        let row: Row
        public var id: Int64 { row[0] }
        public var lon: Double { row[1] }
        public var lat: Double { row[2] }
        public func string(_ i: Int) -> String? { row[i] }
        public func double(_ i: Int) -> Double { row[i] }
        public func int(_ i: Int) -> Int { row[i] }
        public func bool(_ i: Int) -> Bool { row[i] }
    }

    /// Every event matching `query` (its limit and cursor ignored), oldest first.
    public func forEachEventRow(_ query: EventQuery, _ body: (EventRow) throws -> Void) throws {
        var q = query
        q.beforeID = nil
        let (whereSQL, args) = Self.filter(q)
        let sql = "SELECT " + Self.exportEventColumns.map { "e.\($0)" }.joined(separator: ", ") + " FROM event e" + whereSQL + " ORDER BY e.id"
        try writer.read { db in
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(args))
            while let row = try cursor.next() { try body(EventRow(row: row)) }
        }
    }

    /// Every grid of a layer (and level), in code order within levels.
    public func forEachGrid(layer: GridLayer?, level: GridLevel?, _ body: (StoredGrid) throws -> Void) throws {
        try writer.read { db in
            var req = GridRecord.all()
            if let layer { req = req.filter(GridRecord.Columns.layer == layer.rawValue) }
            if let level { req = req.filter(GridRecord.Columns.level == level.rawValue) }
            let cursor = try req.order(Self.gridOrder).fetchCursor(db)
            while let r = try cursor.next() { try body(r.stored) }
        }
    }
}
