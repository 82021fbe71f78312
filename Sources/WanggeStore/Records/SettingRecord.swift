import GRDB

/// A row of `setting`: a configuration document (service levels, routing, service points) as JSON text.
struct SettingRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "setting"

    var key: String
    var value: String

    enum Columns {
        static let key = Column(CodingKeys.key)
    }
}
