import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: AuditRepository {
    @discardableResult
    public func appendAudit(at: Double, actor: AuditEntry.Actor, action: AuditEntry.Action, target: String, detail: JSONObject) throws -> Int64 {
        var w = GeoJSONWriter()
        w.appendValue(.object(detail))
        let text = String(decoding: w.take(), as: UTF8.self)
        return try writer.write { db in
            try db.execute(sql: "INSERT INTO audit (at, actor_token, actor_name, role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [at, actor.tokenID, actor.name, actor.role, action.rawValue, target, text])
            return db.lastInsertedRowID
        }
    }

    public func auditLog(limit: Int, action: AuditEntry.Action?, since: Double?) throws -> [AuditEntry] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM audit WHERE (? IS NULL OR action = ?) AND (? IS NULL OR at >= ?) ORDER BY id DESC LIMIT ?
                """, arguments: [action?.rawValue, action?.rawValue, since, since, limit]).compactMap { r in
                guard let action = AuditEntry.Action(rawValue: r["action"]) else { return nil }
                let detail = (try? JSONValue.parse(Array((r["detail"] as String).utf8)))?.objectValue ?? JSONObject()
                return AuditEntry(id: r["id"], at: r["at"], actorName: r["actor_name"], role: r["role"], tokenID: r["actor_token"],
                                  action: action, target: r["target"], detail: detail)
            }
        }
    }
}

extension AppDatabase {
    /// Writes a consistent copy of the database to `path` with SQLite's online backup API, in one step (one read
    /// transaction: writers go on meanwhile, and the copy is the database as of that transaction's start). The copy
    /// is written beside `path` and renamed into place, so `path` is never a half-written file.
    /// - Returns: the copy's size in bytes.
    /// - Throws: GRDB's error, or `WanggeError.io`.
    @discardableResult
    public func backup(to path: String) throws -> Int {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let destination = try DatabaseQueue(path: temporary)
            try writer.backup(to: destination)
            // One file, no WAL beside it: the copy opens anywhere, and a restore is a rename.
            try destination.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
            try destination.close()
            guard rename(temporary, path) == 0 else { throw WanggeError.io("cannot move the backup to \(path): \(String(cString: strerror(errno)))") }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        return (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Checks a database file before it is restored: SQLite's integrity check, and that it is a Wangge database
    /// this version can open (an older one is migrated when next opened).
    /// - Throws: `WanggeError.invalidInput` saying what is wrong.
    public static func checkBackup(_ path: String) throws -> (events: Int, grids: Int) {
        guard FileManager.default.fileExists(atPath: path) else { throw WanggeError.notFound("no file \(path)") }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw WanggeError.invalidInput("\(path) is not an SQLite database: \(error)")
        }
        return try queue.read { db in
            let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard check == ["ok"] else {
                throw WanggeError.invalidInput("\(path) fails SQLite's integrity check: \(check.prefix(5).joined(separator: "; "))")
            }
            guard try db.tableExists("grid"), try db.tableExists("event"), try db.tableExists("grdb_migrations") else {
                throw WanggeError.invalidInput("\(path) is not a Wangge database (no grid, event or migration tables)")
            }
            let applied = try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
            let known = Set(Self.migrator.migrations)
            if let unknown = applied.subtracting(known).sorted().first {
                throw WanggeError.invalidInput("\(path) was made by a newer version of Wangge (migration \(unknown)); restore it with that version")
            }
            return (try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM grid") ?? 0)
        }
    }
}
