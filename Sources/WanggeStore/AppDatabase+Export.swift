import Foundation
import GRDB
import GRDBSQLite
import WanggeCore

/// Streaming reads for exports: rows are handed over one by one from a single read transaction (a consistent
/// snapshot), so memory does not grow with the table.
extension AppDatabase {
    /// The columns `forEachEventRow` hands over, in order.
    public static let exportEventColumns = ["id", "lon", "lat", "status", "type", "severity", "description", "channel",
                                            "occurred_at", "reported_at", "match", "street", "community", "courtyard",
                                            "building", "functional", "industry", "outside", "department",
                                            "reporter_name", "reporter_phone"]

    /// The current row of an export's statement, read by column position straight from SQLite: text comes as the
    /// statement's own UTF-8 bytes, valid only inside the `forEachEventRow` callback that hands the row over.
    public struct EventRow {
        /// Owned by GRDB's statement, which outlives every callback.
        let statement: SQLiteStatement
        public var id: Int64 { sqlite3_column_int64(statement, 0) }
        public var lon: Double { sqlite3_column_double(statement, 1) }
        public var lat: Double { sqlite3_column_double(statement, 2) }
        public func isNull(_ i: Int) -> Bool { sqlite3_column_type(statement, Int32(i)) == SQLITE_NULL }
        public func double(_ i: Int) -> Double { sqlite3_column_double(statement, Int32(i)) }
        public func int(_ i: Int) -> Int { Int(sqlite3_column_int64(statement, Int32(i))) }
        public func bool(_ i: Int) -> Bool { sqlite3_column_int64(statement, Int32(i)) != 0 }
        /// The column's text (nil for NULL), as bytes that must not escape `body`.
        public func withText<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
            guard !isNull(i), let p = sqlite3_column_text(statement, Int32(i)) else { return try body(nil) }
            return try body(UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, Int32(i)))))
        }
        public func string(_ i: Int) -> String? { withText(i) { $0.map { String(decoding: $0, as: UTF8.self) } } }
        /// The case whose raw value is the column's text, compared as bytes (no String is made); nil for NULL or no match.
        public func choice<E: CaseIterable & RawRepresentable>(_ i: Int, _: E.Type) -> E? where E.RawValue == String {
            withText(i) { bytes in
                guard let bytes else { return nil }
                return E.allCases.first { $0.rawValue.utf8.elementsEqual(bytes) }
            }
        }
    }

    /// Every event matching `query` (its limit and cursor ignored), oldest first.
    public func forEachEventRow(_ query: EventQuery, _ body: (EventRow) throws -> Void) throws {
        var q = query
        q.beforeID = nil
        let (whereSQL, args) = Self.filter(q)
        let sql = "SELECT " + Self.exportEventColumns.map { "e.\($0)" }.joined(separator: ", ") + " FROM event e" + whereSQL + " ORDER BY e.id"
        try forEachRawRow(sql: sql, arguments: StatementArguments(args), body)
    }

    /// Steps a query in one read transaction, handing over each row as the statement itself.
    func forEachRawRow(sql: String, arguments: StatementArguments, _ body: (EventRow) throws -> Void) throws {
        try writer.read { db in
            let statement = try db.makeStatement(sql: sql)
            // GRDB steps the statement (and reports its errors); the row is read from the statement directly.
            let cursor = try Row.fetchCursor(statement, arguments: arguments)
            let row = EventRow(statement: statement.sqliteStatement)
            while try cursor.next() != nil { try body(row) }
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
