/// A department that handles events (承办部门).
public struct Department: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var nameEn: String
    public var phone: String

    public init(code: String, name: String, nameEn: String, phone: String) {
        self.code = code; self.name = name; self.nameEn = nameEn; self.phone = phone
    }

    enum CodingKeys: String, CodingKey {
        case code, name, phone
        case nameEn = "name_en"
    }
}

/// A kind of event reporters can submit, and the department it goes to unless routing says otherwise.
public struct EventType: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var nameEn: String
    /// 人地物事组织舆情: people, places, things, events, organisations, public opinion.
    public var category: String
    public var defaultDepartment: String
    /// The class of the standard it is filed under (`event:0102`), whose 处置时限 its deadlines take; nil: none.
    public var standardClass: String?

    public init(code: String, name: String, nameEn: String, category: String, defaultDepartment: String,
                standardClass: String? = nil) {
        self.code = code; self.name = name; self.nameEn = nameEn; self.category = category
        self.defaultDepartment = defaultDepartment; self.standardClass = standardClass
    }

    enum CodingKeys: String, CodingKey {
        case code, name, category
        case nameEn = "name_en"
        case defaultDepartment = "default_department"
        case standardClass = "standard_class"
    }
}
