import GRDB
import WanggeCore

/// A row of `event_type`: an event type code with its category and default department.
struct EventTypeRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event_type"

    var code: String
    var name: String
    var nameEn: String
    var category: String
    var defaultDepartment: String
    var standardClass: String?

    enum CodingKeys: String, CodingKey {
        case code, name, category
        case nameEn = "name_en", defaultDepartment = "default_department", standardClass = "standard_class"
    }

    enum Columns {
        static let code = Column(CodingKeys.code)
    }

    init(_ t: EventType) {
        code = t.code; name = t.name; nameEn = t.nameEn; category = t.category; defaultDepartment = t.defaultDepartment
        standardClass = t.standardClass
    }

    var eventType: EventType {
        EventType(code: code, name: name, nameEn: nameEn, category: category, defaultDepartment: defaultDepartment,
                  standardClass: standardClass)
    }
}
