import GRDB

/// The one row of `event_index_state`: events up to `indexedUpto` are in `event_grid` and `event_rtree`.
struct EventIndexState: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event_index_state"

    var id = 1
    var indexedUpto: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case indexedUpto = "indexed_upto"
    }
}
