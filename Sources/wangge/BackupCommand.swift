import ArgumentParser
import Foundation
import WanggeCore
import WanggeUseCases
import WanggeStore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database to FILE (safe while `wangge serve` runs and writes).",
        discussion: "SQLite's online backup API in one step: the copy is the database as of the moment it starts; writers go on meanwhile. The copy is one file (no WAL beside it), written beside FILE and renamed into place."
    )
    @Argument(help: "Where to write the copy.") var file: String
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let db = try database.open()
        let started = Date()
        let size = try db.backup(to: file)
        try db.record(.backupTaken, by: .commandLineUser, target: file, [("bytes", .int(size))])
        let counts = try AppDatabase.checkBackup(file)
        print("backup of \(database.path) written to \(file): \(size) bytes, \(counts.grids) grids, \(counts.events) events (\(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back as the database (the service must be stopped; the database it replaces is kept beside it).",
        discussion: "FILE is checked first (SQLite's integrity check, a Wangge database this version can open). The current database, its WAL and shared-memory files are moved to <db>.replaced-<time>…; the index file is removed (the next start rebuilds it). A backup from an earlier version is migrated when next opened."
    )
    @Argument(help: "A file written by `wangge backup` or GET /admin/backup.") var file: String
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let counts: (events: Int, grids: Int)
        do { counts = try AppDatabase.checkBackup(file) } catch let e as WanggeError { throw ValidationError(e.description) }
        let path = database.path
        guard let lock = ServiceLock.exclusive(path) else {
            throw ValidationError("a `wangge serve` is using \(path): stop it first (Ctrl-C or SIGTERM), then restore")
        }
        defer { close(lock) }
        let fm = FileManager.default
        // Copied beside the database first (the same file system), flushed, then renamed: the database path is
        // never a half-copied file.
        let incoming = path + ".restoring"
        try? fm.removeItem(atPath: incoming)
        try fm.copyItem(atPath: file, toPath: incoming)
        try ServiceLock.flush(incoming)
        let stamp = Timestamp.format(Date().timeIntervalSince1970.rounded(.down), in: .utc).replacingOccurrences(of: ":", with: "")
        var kept: [String] = []
        for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
            let aside = "\(path).replaced-\(stamp)\(suffix)"
            try fm.moveItem(atPath: path + suffix, toPath: aside)
            kept.append(aside)
        }
        try? fm.removeItem(atPath: database.indexFile)
        guard rename(incoming, path) == 0 else { throw ValidationError("cannot move \(incoming) to \(path): \(String(cString: strerror(errno)))") }
        let db = try database.open()
        try db.record(.restored, by: .commandLineUser, target: file, [("events", .int(counts.events)), ("grids", .int(counts.grids))])
        print("restored \(file) as \(path): \(counts.grids) grids, \(counts.events) events")
        if let first = kept.first { print("the database it replaced is kept as \(first)\(kept.count > 1 ? " (with its WAL files)" : "")") }
    }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the audit log, newest first: tokens created and revoked, imports, replaced documents, backups, restores.")
    @Option(name: .long, help: "At most this many entries.") var limit = 100
    @Option(name: .long, help: "Only this action.") var action: String?
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        var only: AuditEntry.Action?
        if let action {
            guard let a = AuditEntry.Action(rawValue: action) else {
                throw ValidationError("unknown --action \(action); actions: \(AuditEntry.Action.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            only = a
        }
        for e in try database.openForReading().auditLog(limit: limit, action: only, since: nil) {
            var w = GeoJSONWriter()
            w.appendValue(.object(e.detail))
            print("#\(e.id)\t\(Timestamp.format(e.at))\t\(e.action.rawValue)\t\(e.target)\t\(e.actorName) (\(e.role))\t\(String(decoding: w.take(), as: UTF8.self))")
        }
    }
}

/// Who holds the database: `wangge serve` keeps a shared lock on `<db>.lock` while it runs, so a restore (which
/// needs it exclusively) cannot pull the file from under it.
enum ServiceLock {
    /// Takes the shared lock for as long as the process runs (the descriptor is never closed).
    /// - Throws: `ValidationError` when a restore holds it.
    static func holdShared(_ dbPath: String) throws {
        let fd = open(dbPath + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0, flock(fd, LOCK_SH | LOCK_NB) == 0 else {
            throw ValidationError("\(dbPath) is being restored (or \(dbPath).lock cannot be opened); try again when that is done")
        }
    }

    /// The exclusive lock, or nil when a service holds the shared one. The caller closes the descriptor.
    static func exclusive(_ dbPath: String) -> Int32? {
        let fd = open(dbPath + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return nil }
        return fd
    }

    /// fsync(2) of a file, so a rename after it publishes complete contents.
    static func flush(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ValidationError("cannot open \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ValidationError("cannot flush \(path): \(String(cString: strerror(errno)))") }
    }
}
