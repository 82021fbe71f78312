import GRDB

/// A row of `event_grid`: an event under one of its grid codes (any layer), filled behind intake.
struct EventGridRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event_grid"

    var gridCode: String
    var eventID: Int64

    enum CodingKeys: String, CodingKey {
        case gridCode = "grid_code", eventID = "event_id"
    }
}
