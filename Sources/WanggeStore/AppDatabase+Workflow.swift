import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: WorkflowRepository {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    public func workflow(eventID: Int64) throws -> (EventRecord, WorkflowState)? {
        try writer.read { db in
            try StoredEvent.fetchOne(db, sql: StoredEvent.selection + " WHERE e.id = ?", arguments: [eventID])
                .map { ($0.record, $0.workflowState) }
        }
    }

    public func save(_ changes: [WorkflowChange]) throws -> [Bool] {
        try writer.write { db in try Self.apply(changes, db) }
    }

    /// Writes each change whose event is still at the version it was read at, with its history line.
    static func apply(_ changes: [WorkflowChange], _ db: Database) throws -> [Bool] {
        let encoded = try changes.map { String(decoding: try encoder.encode($0.state), as: UTF8.self) }
        let update = try db.cachedStatement(sql: """
            UPDATE event SET status = ?, department = ?, version = ?, workflow = ?, due_at = ?,
                \(StoredEvent.OutcomeColumns.assignment) WHERE id = ? AND version = ?
            """)
        let history = try db.cachedStatement(sql: HistoryRecord.insertSQL)
        var out: [Bool] = []
        for (c, json) in zip(changes, encoded) {
            try update.execute(arguments: StatementArguments([c.state.status.rawValue, c.state.department, c.state.version, json, c.dueAt]
                                                             + StoredEvent.OutcomeColumns.values(c.state) + [c.eventID, c.expectedVersion]))
            guard db.changesCount == 1 else { out.append(false); continue }
            try history.execute(arguments: HistoryRecord.arguments(eventID: c.eventID, c.entry))
            if let u = c.component {
                try db.execute(sql: "UPDATE component SET state = ?, updated_on = ? WHERE id = ?", arguments: [u.state.rawValue, u.on, u.id])
            }
            out.append(true)
        }
        return out
    }

    public func saveTogether(_ changes: [WorkflowChange]) throws -> Bool {
        struct VersionMoved: Error {}
        do {
            _ = try writer.write { db in
                // The same statements as save(), in one transaction that any stale version rolls back.
                let stored = try Self.apply(changes, db)
                if stored.contains(false) { throw VersionMoved() }
            }
            return true
        } catch is VersionMoved {
            return false
        }
    }

    public func history(eventID: Int64) throws -> [HistoryEntry] {
        try writer.read { db in
            try HistoryRecord.filter(HistoryRecord.Columns.eventID == eventID).order(HistoryRecord.Columns.id).fetchAll(db).map(\.entry)
        }
    }

    public func openWorkflows() throws -> [(EventRecord, WorkflowState)] {
        try writer.read { db in
            try StoredEvent.fetchAll(db, sql: StoredEvent.selection + " WHERE e.status NOT IN ('rejected', 'closed', 'evaluated') ORDER BY e.id")
                .map { ($0.record, $0.workflowState) }
        }
    }

    public func setting(_ key: String) throws -> String? {
        try writer.read { db in try SettingRecord.fetchOne(db, key: key)?.value }
    }

    public func setSetting(_ key: String, _ value: String) throws {
        try writer.write { db in try SettingRecord(key: key, value: value).upsert(db) }
    }
}
