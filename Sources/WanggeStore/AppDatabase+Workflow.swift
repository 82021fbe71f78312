import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: WorkflowRepository {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// The stored state, or the state of an event as reported (the column stays NULL until the first action, which
    /// keeps intake from encoding JSON for every event).
    static func workflowState(_ row: Row, _ record: EventRecord) -> WorkflowState {
        if let json: String = row[workflowColumn], let s = try? JSONDecoder().decode(WorkflowState.self, from: Data(json.utf8)) {
            return s
        }
        return WorkflowState(status: record.status, department: record.department, version: record.version,
                             type: record.event.type, severity: record.event.severity, reportedAt: record.event.reportedAt)
    }

    public func workflow(eventID: Int64) throws -> (EventRecord, WorkflowState)? {
        try writer.read { db in
            try Row.fetchOne(db, sql: Self.selectEvents + " WHERE e.id = ?", arguments: [eventID]).map { row in
                let record = Self.event(row)
                return (record, Self.workflowState(row, record))
            }
        }
    }

    public func save(_ changes: [WorkflowChange]) throws -> [Bool] {
        let encoded = try changes.map { String(decoding: try Self.encoder.encode($0.state), as: UTF8.self) }
        return try writer.write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE event SET status = ?, department = ?, version = ?, workflow = ?, due_at = ?,
                    \(Self.reportColumnsAssignment) WHERE id = ? AND version = ?
                """)
            let history = try db.cachedStatement(sql: """
                INSERT INTO event_history (event_id, at, actor_token, actor_name, role, action, from_status, to_status, note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var out: [Bool] = []
            for (c, json) in zip(changes, encoded) {
                try update.execute(arguments: StatementArguments([c.state.status.rawValue, c.state.department, c.state.version, json, c.dueAt]
                                                                 + Self.reportColumns(c.state) + [c.eventID, c.expectedVersion]))
                guard db.changesCount == 1 else { out.append(false); continue }
                let e = c.entry
                try history.execute(arguments: [c.eventID, e.at, e.actorToken, e.actorName, e.role, e.action, e.from?.rawValue,
                                                e.to.rawValue, e.note])
                out.append(true)
            }
            return out
        }
    }

    public func history(eventID: Int64) throws -> [HistoryEntry] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event_history WHERE event_id = ? ORDER BY id", arguments: [eventID]).map { r in
                HistoryEntry(at: r["at"], actorToken: r["actor_token"], actorName: r["actor_name"], role: r["role"],
                             action: r["action"], from: (r["from_status"] as String?).flatMap(EventStatus.init(rawValue:)),
                             to: EventStatus(rawValue: r["to_status"]) ?? .reported, note: r["note"])
            }
        }
    }

    public func openWorkflows() throws -> [(EventRecord, WorkflowState)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: Self.selectEvents + " WHERE e.status NOT IN ('rejected', 'closed', 'evaluated') ORDER BY e.id").map { row in
                let record = Self.event(row)
                return (record, Self.workflowState(row, record))
            }
        }
    }

    public func setting(_ key: String) throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String) throws {
        try writer.write { db in
            try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [key, value])
        }
    }
}
