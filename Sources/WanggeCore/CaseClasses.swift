/// The classes cases are filed under by the digital city management standard (GB/T 30428.2—2013, after CJ/T 214):
/// **事件** (events: what people do or what happens) and **部件** (components: the things in the street), each in
/// 大类 (two digits) and 小类 (two or three digits). A 小类 may also carry its code in GB/T 47678.5—2026, the
/// standard that replaced GB/T 30428.2 on 2026-07-01 (five digits: its 事项 put the five 部件 大类 first, then
/// 06 市容环境 … 10 其他, so 事件 01 市容环境 10 暴露垃圾 is its 06010). A 小类 says when a case is filed (立案条件), when it may be
/// closed (结案条件), who handles it and how long the disposal may take (处置时限), sometimes in named stages.
/// A city adds its own 小类 in `extensionRange`, marked `extension`.
///
/// A class is named by its kind and code: `event:0101` (事件 01 市容环境, 小类 01 私搭乱建), `component:0102`.
public struct CaseClasses: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case event, component

        public var name: String { self == .event ? "事件" : "部件" }
    }

    /// A 小类.
    public struct Minor: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var nameEn: String
        /// 立案条件: what must be seen for a case to be filed.
        public var filing: String
        /// 结案条件: what must be true for it to be closed.
        public var closing: String
        /// The department that handles it (a code of `departments.json`); nil: the event type's or routing decides.
        public var department: String?
        /// 处置时限; nil: the service levels by severity apply.
        public var limit: TimeLimit?
        /// Named stages of the disposal, each from the dispatch; the last one's limit is `limit`.
        public var stages: [DisposalStage]
        /// A city's own 小类 (its code is in the reserved range).
        public var isExtension: Bool
        /// Which of `sources` the row is taken from; nil: the deployment's own setting.
        public var source: String?
        /// The 小类's code in GB/T 47678.5—2026 (表 A.1 for 部件, 表 C.1 for 事项); nil: it has none there.
        public var nationalCode: String?

        public init(code: String, name: String, nameEn: String, filing: String, closing: String, department: String?,
                    limit: TimeLimit?, stages: [DisposalStage] = [], extension isExtension: Bool = false, source: String? = nil,
                    national nationalCode: String? = nil) {
            self.code = code; self.name = name; self.nameEn = nameEn; self.filing = filing; self.closing = closing
            self.department = department; self.limit = stages.last?.limit ?? limit; self.stages = stages
            self.isExtension = isExtension; self.source = source; self.nationalCode = nationalCode
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            code = try c.decode(String.self, forKey: AnyKey("code"))
            name = try c.decode(String.self, forKey: AnyKey("name"))
            nameEn = try c.decode(String.self, forKey: AnyKey("name_en"))
            filing = try c.decode(String.self, forKey: AnyKey("filing"))
            closing = try c.decode(String.self, forKey: AnyKey("closing"))
            department = try c.decodeIfPresent(String.self, forKey: AnyKey("department"))
            stages = try c.decodeIfPresent([DisposalStage].self, forKey: AnyKey("stages")) ?? []
            limit = try stages.last?.limit ?? TimeLimit.decode(c, prefix: "", required: false)
            isExtension = try c.decodeIfPresent(Bool.self, forKey: AnyKey("extension")) ?? false
            source = try c.decodeIfPresent(String.self, forKey: AnyKey("source"))
            nationalCode = try c.decodeIfPresent(String.self, forKey: AnyKey("national_code"))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: AnyKey.self)
            try c.encode(code, forKey: AnyKey("code"))
            try c.encode(name, forKey: AnyKey("name"))
            try c.encode(nameEn, forKey: AnyKey("name_en"))
            try c.encode(filing, forKey: AnyKey("filing"))
            try c.encode(closing, forKey: AnyKey("closing"))
            try c.encodeIfPresent(department, forKey: AnyKey("department"))
            if stages.isEmpty { try limit?.encode(to: &c, prefix: "") } else { try c.encode(stages, forKey: AnyKey("stages")) }
            if isExtension { try c.encode(true, forKey: AnyKey("extension")) }
            try c.encodeIfPresent(source, forKey: AnyKey("source"))
            try c.encodeIfPresent(nationalCode, forKey: AnyKey("national_code"))
        }
    }

    /// A 大类 and its 小类.
    public struct Major: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var nameEn: String
        public var minors: [Minor]

        public init(code: String, name: String, nameEn: String, minors: [Minor]) {
            self.code = code; self.name = name; self.nameEn = nameEn; self.minors = minors
        }

        enum CodingKeys: String, CodingKey { case code, name, minors; case nameEn = "name_en" }
    }

    /// A document a row is taken from.
    public struct Source: Sendable, Codable, Equatable {
        public var id: String
        public var title: String
        public var url: String?

        public init(id: String, title: String, url: String? = nil) { self.id = id; self.title = title; self.url = url }
    }

    public var events: [Major]
    public var components: [Major]
    /// The 小类 codes (as numbers) a city may use for its own classes, both ends included.
    public var extensionRange: [Int]
    public var sources: [Source]

    enum CodingKeys: String, CodingKey {
        case events, components, sources
        case extensionRange = "extension_range"
    }

    public init(events: [Major], components: [Major], extensionRange: [Int], sources: [Source]) {
        self.events = events; self.components = components; self.extensionRange = extensionRange; self.sources = sources
    }

    public func majors(_ kind: Kind) -> [Major] { kind == .event ? events : components }

    /// A class by its id (`event:0101`), with its 大类.
    public func find(_ id: String) -> (kind: Kind, major: Major, minor: Minor)? {
        guard let colon = id.firstIndex(of: ":"), let kind = Kind(rawValue: String(id[..<colon])) else { return nil }
        let code = id[id.index(after: colon)...]
        guard code.count >= 4 else { return nil }
        let majorCode = code.prefix(2), minorCode = code.dropFirst(2)
        guard let major = majors(kind).first(where: { $0.code == majorCode }),
              let minor = major.minors.first(where: { $0.code == minorCode }) else { return nil }
        return (kind, major, minor)
    }

    /// Each component class's id and name (`component:0102` → 污水井盖).
    public var componentNames: [String: String] {
        var out: [String: String] = [:]
        for m in components { for minor in m.minors { out["component:\(m.code)\(minor.code)"] = minor.name } }
        return out
    }

    /// Every class id, in the tree's order.
    public var ids: [String] {
        Kind.allCases.flatMap { kind in majors(kind).flatMap { m in m.minors.map { "\(kind.rawValue):\(m.code)\($0.code)" } } }
    }

    /// Checks codes, the extension range, sources and (when given) departments.
    /// - Throws: `InvalidFields` naming each bad row by path (`events[0].minors[3].code`) and what is wrong.
    public func check(departments: Set<String>? = nil) throws(InvalidFields) {
        var errors: [FieldError] = []
        let range = extensionRange.count == 2 && extensionRange[0] <= extensionRange[1] ? extensionRange[0]...extensionRange[1] : nil
        if range == nil { errors.append(FieldError("extension_range", "must be [first, last] 小类 codes, first not after last")) }
        let sourceIDs = Set(sources.map(\.id))
        func digits(_ s: String, _ counts: Set<Int>) -> Bool { counts.contains(s.count) && s.allSatisfy { $0.isASCII && $0.isNumber } }
        for kind in Kind.allCases {
            var majorCodes = Set<String>()
            for (i, major) in majors(kind).enumerated() {
                let at = "\(kind.rawValue)s[\(i)]"
                if !digits(major.code, [2]) { errors.append(FieldError("\(at).code", "\"\(major.code)\" is not a two-digit 大类 code")) }
                if !majorCodes.insert(major.code).inserted { errors.append(FieldError("\(at).code", "大类 \(major.code) appears twice")) }
                var minorCodes = Set<String>()
                for (j, minor) in major.minors.enumerated() {
                    let here = "\(at).minors[\(j)]"
                    if !digits(minor.code, [2, 3]) { errors.append(FieldError("\(here).code", "\"\(minor.code)\" is not a two- or three-digit 小类 code")) }
                    if !minorCodes.insert(minor.code).inserted { errors.append(FieldError("\(here).code", "小类 \(major.code)\(minor.code) appears twice")) }
                    if let range, let n = Int(minor.code), range.contains(n) != minor.isExtension {
                        errors.append(FieldError("\(here).code", minor.isExtension
                            ? "an extension 小类 must have a code in the reserved range \(range.lowerBound)–\(range.upperBound)"
                            : "\(minor.code) is in the reserved range \(range.lowerBound)–\(range.upperBound): mark it extension or renumber it"))
                    }
                    if minor.name.isEmpty { errors.append(FieldError("\(here).name", "is empty")) }
                    if let n = minor.nationalCode, !digits(n, [5]) {
                        errors.append(FieldError("\(here).national_code", "\"\(n)\" is not a five-digit GB/T 47678.5 code"))
                    }
                    if let s = minor.source, !sourceIDs.contains(s) { errors.append(FieldError("\(here).source", "names no source \"\(s)\"")) }
                    if let d = minor.department, let departments, !departments.contains(d) {
                        errors.append(FieldError("\(here).department", "unknown department \"\(d)\""))
                    }
                    if let l = minor.limit, l.amount <= 0 { errors.append(FieldError("\(here)", "a time limit must be more than 0")) }
                }
            }
        }
        if !errors.isEmpty { throw InvalidFields(errors) }
    }
}
