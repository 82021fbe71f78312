import Foundation
import GRDB
import GRDBSQLite
import WanggeCore

/// Read-only SQLite connections of the store's own, for the one-statement reads a map request makes most (an event
/// by id, the events version). GRDB's pool hands each read a connection through a semaphore and the reader's serial
/// queue, and checks the schema version first: a profile of `GET /collections/events/items/{id}` put that at about
/// 30 % of the service's CPU, SQLite's own work at 5 %. Here a read takes a free connection under a lock, steps a
/// statement it keeps prepared, and puts the connection back.
///
/// Only for statements that read one consistent answer on their own (no transaction around several), and only for
/// a database file (an in-memory database has no second connection).
final class HotReaders: Sendable {
    /// One connection and the statements prepared on it. Used by one thread at a time: `forEachRow` takes it out of
    /// the free list and puts it back.
    final class Connection: @unchecked Sendable {
        /// Owned: closed in `deinit`, after every statement is finalized.
        let handle: OpaquePointer
        /// Owned: each finalized in `deinit`. Keyed by SQL text; callers pass texts from a fixed set.
        var statements: [String: OpaquePointer] = [:]

        init(path: String) throws {
            var h: OpaquePointer?
            let rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
            guard rc == SQLITE_OK, let h else {
                let message = h.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
                if let h { sqlite3_close_v2(h) }
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "\(message) (\(path))")
            }
            handle = h
            sqlite3_busy_timeout(h, 10_000)
        }

        func statement(_ sql: String) throws -> OpaquePointer {
            if let s = statements[sql] { return s }
            var s: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
            guard rc == SQLITE_OK, let s else { throw error(rc) }
            statements[sql] = s
            return s
        }

        func error(_ rc: Int32) -> DatabaseError {
            DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(handle)))
        }

        deinit {
            for s in statements.values { sqlite3_finalize(s) }
            sqlite3_close_v2(handle)
        }
    }

    let path: String
    /// Connections not in use. At most `keep` stay open; a burst beyond that opens more and closes them after.
    let free = Locked<[Connection]>([])
    let keep: Int

    init(path: String, keep: Int = max(4, ProcessInfo.processInfo.activeProcessorCount * 2)) {
        self.path = path
        self.keep = keep
    }

    /// Runs `body` on the prepared statement for `sql` with `arguments` bound, stepping it: `body` is called once
    /// per row with the statement positioned on it.
    func forEachRow(_ sql: String, _ arguments: [DatabaseValue], _ body: (OpaquePointer) throws -> Void) throws {
        let c = try free.withLock { $0.popLast() } ?? Connection(path: path)
        defer { free.withLock { if $0.count < keep { $0.append(c) } } }
        let s = try c.statement(sql)
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        for (i, value) in arguments.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value.storage {
            case .null: rc = sqlite3_bind_null(s, index)
            case .int64(let v): rc = sqlite3_bind_int64(s, index, v)
            case .double(let v): rc = sqlite3_bind_double(s, index, v)
            case .string(let v): rc = sqlite3_bind_text(s, index, v, -1, Self.transient)
            case .blob(let d): rc = d.withUnsafeBytes { sqlite3_bind_blob(s, index, $0.baseAddress, Int32($0.count), Self.transient) }
            }
            guard rc == SQLITE_OK else { throw c.error(rc) }
        }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw c.error(rc) }
            try body(s)
        }
    }

    /// SQLite copies bound text and blobs (SQLITE_TRANSIENT).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
