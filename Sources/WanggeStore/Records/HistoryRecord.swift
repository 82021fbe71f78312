import GRDB
import WanggeCore

/// A row of `event_history`: one change of an event, append-only.
struct HistoryRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event_history"

    var id: Int64?
    var eventID: Int64
    var at: Double
    var actorToken: Int64?
    var actorName: String
    var role: String
    var action: String
    var fromStatus: String?
    var toStatus: String
    var note: String

    enum CodingKeys: String, CodingKey {
        case id, at, role, action, note
        case eventID = "event_id", actorToken = "actor_token", actorName = "actor_name"
        case fromStatus = "from_status", toStatus = "to_status"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let eventID = Column(CodingKeys.eventID)
        static let action = Column(CodingKeys.action)
        static let actorToken = Column(CodingKeys.actorToken)
    }

    /// The columns a new entry fills, and its INSERT (a cached statement on the hot paths: intake and actions).
    static let insertColumns: [CodingKeys] = [.eventID, .at, .actorToken, .actorName, .role, .action, .fromStatus, .toStatus, .note]
    static let insertSQL = "INSERT INTO event_history (\(insertColumns.map(\.rawValue).joined(separator: ", "))) VALUES ("
        + insertColumns.map { _ in "?" }.joined(separator: ", ") + ")"

    static func arguments(eventID: Int64, _ e: HistoryEntry) -> StatementArguments {
        [eventID, e.at, e.actorToken, e.actorName, e.role, e.action, e.from?.rawValue, e.to.rawValue, e.note]
    }

    var entry: HistoryEntry {
        HistoryEntry(at: at, actorToken: actorToken, actorName: actorName, role: role, action: action,
                     from: fromStatus.flatMap(EventStatus.init(rawValue:)), to: EventStatus(rawValue: toStatus) ?? .reported, note: note)
    }
}
