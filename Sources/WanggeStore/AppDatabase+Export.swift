import Foundation
import GRDB
import GRDBSQLite
public import WanggeCore

/// Streaming reads for exports: rows are handed over one by one from a single read transaction (a consistent
/// snapshot), so memory does not grow with the table.
extension AppDatabase: ExportRepository {
    /// The current row of a statement, read by column position straight from SQLite: text comes as the
    /// statement's own UTF-8 bytes, valid only inside the callback that hands the row over.
    struct StatementRow: EventColumns {
        /// Owned by GRDB's statement, which outlives every callback.
        let statement: SQLiteStatement
        var id: Int64 { sqlite3_column_int64(statement, 0) }
        var lon: Double { sqlite3_column_double(statement, 1) }
        var lat: Double { sqlite3_column_double(statement, 2) }
        func isNull(_ i: Int) -> Bool { sqlite3_column_type(statement, Int32(i)) == SQLITE_NULL }
        func double(_ i: Int) -> Double { sqlite3_column_double(statement, Int32(i)) }
        func int(_ i: Int) -> Int { Int(sqlite3_column_int64(statement, Int32(i))) }
        func bool(_ i: Int) -> Bool { sqlite3_column_int64(statement, Int32(i)) != 0 }
        func withText<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
            guard !isNull(i), let p = sqlite3_column_text(statement, Int32(i)) else { return try body(nil) }
            return try body(UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, Int32(i)))))
        }
        /// The column's blob, copied (empty for NULL or no bytes).
        func bytes(_ i: Int) -> [UInt8] {
            let n = Int(sqlite3_column_bytes(statement, Int32(i)))
            guard n > 0, let p = sqlite3_column_blob(statement, Int32(i)) else { return [] }
            return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
        }
    }

    /// Every event matching `query` (its limit and cursor ignored), oldest first.
    public func forEachEventRow(_ query: FeatureQuery, _ body: (any EventColumns) throws -> Void) throws {
        var q = query
        q.cursor = nil
        let (whereSQL, args) = Self.filter(q)
        let sql = "SELECT " + ExportColumn.allCases.map { "e.\($0.name)" }.joined(separator: ", ") + " FROM event e" + whereSQL + " ORDER BY e.id"
        try forEachRawRow(sql: sql, arguments: StatementArguments(args)) { try body($0) }
    }

    /// Steps a query in one read transaction, handing over each row as the statement itself.
    func forEachRawRow(sql: String, arguments: StatementArguments, _ body: (StatementRow) throws -> Void) throws {
        try writer.read { db in try forEachRawRow(db, sql: sql, arguments: arguments, body) }
    }

    /// One statement that is consistent on its own (no transaction around it), from a fixed set of SQL texts, its
    /// rows handed over in place: through the store's own connections (`HotReaders`) on a database file, else a
    /// kept-compiled statement on GRDB's reader.
    func forEachRowOfOneStatement(sql: String, arguments: [any DatabaseValueConvertible] = [], _ body: (StatementRow) throws -> Void) throws {
        if let hot {
            try hot.forEachRow(sql, arguments.map(\.databaseValue)) { try body(StatementRow(statement: $0)) }
        } else {
            try writer.unsafeRead { db in try forEachRawRow(db, sql: sql, arguments: StatementArguments(arguments), cached: true, body) }
        }
    }

    /// Several statements in one snapshot (a read transaction) whose BEGIN and COMMIT are kept compiled: `writer.read`
    /// compiles both anew every time, which a profile of the map's requests showed as a cost of its own.
    func snapshotRead<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.unsafeRead { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            let value: T
            do {
                value = try body(db)
            } catch {
                try? db.cachedStatement(sql: "ROLLBACK").execute()
                throw error
            }
            try db.cachedStatement(sql: "COMMIT").execute()
            return value
        }
    }

    /// The same, inside a read the caller holds.
    /// `cached`: the statement is kept compiled for the next call (only for SQL from a fixed set of texts: GRDB's
    /// cache of statements is not bounded).
    func forEachRawRow(_ db: Database, sql: String, arguments: StatementArguments = [], cached: Bool = false,
                       _ body: (StatementRow) throws -> Void) throws {
        let statement = try cached ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql)
        // GRDB steps the statement (and reports its errors); the row is read from the statement directly.
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let row = StatementRow(statement: statement.sqliteStatement)
        while try cursor.next() != nil { try body(row) }
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
