import GRDB
import WanggeCore

/// A row of `department`: a handling department events are dispatched to.
struct DepartmentRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "department"

    var code: String
    var name: String
    var nameEn: String
    var phone: String

    enum CodingKeys: String, CodingKey {
        case code, name, phone
        case nameEn = "name_en"
    }

    enum Columns {
        static let code = Column(CodingKeys.code)
    }

    init(_ d: Department) {
        code = d.code; name = d.name; nameEn = d.nameEn; phone = d.phone
    }

    var department: Department { Department(code: code, name: name, nameEn: nameEn, phone: phone) }
}
