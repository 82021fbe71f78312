/// 一格一品 and 九联共建: a theme per grid, the links between grids and the units on them, and the activities they
/// run together.
public struct JointBuilding: Sendable, Equatable {
    /// The nine ways grids and units build together (九联共建).
    public enum LinkType: String, Sendable, CaseIterable {
        case partyBuilding = "party_building"      // 党建联建
        case sharedResources = "shared_resources"  // 资源联享
        case jointAffairs = "joint_affairs"        // 事务联办
        case stability                             // 稳定联管
        case publicSecurity = "public_security"    // 治安联防
        case civility                              // 文明联创
        case activities                            // 活动联搞
        case vulnerableHelp = "vulnerable_help"    // 困难联扶
        case sanitation                            // 卫生联抓

        public var chinese: String {
            switch self {
            case .partyBuilding: return "党建联建"
            case .sharedResources: return "资源联享"
            case .jointAffairs: return "事务联办"
            case .stability: return "稳定联管"
            case .publicSecurity: return "治安联防"
            case .civility: return "文明联创"
            case .activities: return "活动联搞"
            case .vulnerableHelp: return "困难联扶"
            case .sanitation: return "卫生联抓"
            }
        }
    }

    /// Small activities a grid runs alone, medium ones in pairs, large ones all together.
    public enum Scale: String, Sendable, CaseIterable { case small, medium, large }

    public struct Theme: Sendable, Equatable {
        public var grid: String
        public var theme: String
        public var name: String?
        public init(grid: String, theme: String, name: String?) { self.grid = grid; self.theme = theme; self.name = name }
    }

    public struct Link: Sendable, Equatable {
        public var grid: String
        public var organisation: String
        public var type: LinkType
        public init(grid: String, organisation: String, type: LinkType) { self.grid = grid; self.organisation = organisation; self.type = type }
    }

    public struct Activity: Sendable, Equatable {
        public var id: Int64?
        public var date: String
        public var title: String
        public var type: LinkType
        public var scale: Scale
        public var participants: Int
        /// The grids that ran it (one for small, two for medium, more for large).
        public var grids: [String]
        public var organisations: [String]

        public init(id: Int64? = nil, date: String, title: String, type: LinkType, scale: Scale, participants: Int,
                    grids: [String], organisations: [String]) {
            self.id = id; self.date = date; self.title = title; self.type = type; self.scale = scale
            self.participants = participants; self.grids = grids; self.organisations = organisations
        }

        public var json: JSONValue {
            .object(JSONObject([
                ("id", id.map { .number(JSONNumber(Int($0))) } ?? .null), ("date", .string(date)), ("title", .string(title)),
                ("type", .string(type.rawValue)), ("scale", .string(scale.rawValue)), ("participants", .number(JSONNumber(participants))),
                ("grids", .array(grids.map { .string($0) })), ("organisations", .array(organisations.map { .string($0) })),
            ]))
        }
    }

    public var themes: [Theme]
    public var links: [Link]
    public var activities: [Activity]

    public init(themes: [Theme] = [], links: [Link] = [], activities: [Activity] = []) {
        self.themes = themes; self.links = links; self.activities = activities
    }

    public var isEmpty: Bool { themes.isEmpty && links.isEmpty && activities.isEmpty }

    public var json: JSONValue {
        .object(JSONObject([
            ("themes", .array(themes.map { .object(JSONObject([("grid", .string($0.grid)), ("theme", .string($0.theme)), ("name", $0.name.map { .string($0) } ?? .null)])) })),
            ("links", .array(links.map { .object(JSONObject([("grid", .string($0.grid)), ("organisation", .string($0.organisation)), ("type", .string($0.type.rawValue))])) })),
            ("activities", .array(activities.map(\.json))),
        ]))
    }

    /// - Parameters:
    ///   - levels: every residential grid's level by code; `organisations`: the ids links and activities may name.
    /// - Throws: `InvalidFields` with each problem and where; `JSONSyntaxError`.
    public static func parse(_ bytes: [UInt8], levels: [String: GridLevel], organisations: Set<String>) throws -> JointBuilding {
        guard case .object(let doc) = try JSONValue.parse(bytes) else {
            throw InvalidFields([FieldError("body", "must be an object with themes, links and activities")])
        }
        var out = JointBuilding(), problems: [FieldError] = []
        var themed = Set<String>()
        for (i, v) in doc.array("themes", problems: &problems).enumerated() {
            var r = RecordReader(v.objectValue ?? JSONObject(), location: "themes[\(i)]")
            let grid = r.text("grid", required: true, maxLength: 64), theme = r.text("theme", required: true, maxLength: 64), name = r.text("name")
            if let grid {
                if levels[grid] == nil { r.fail("grid", "no residential grid with code \(grid)") }
                if !themed.insert(grid).inserted { r.fail("grid", "\(grid) has a theme already (one per grid: 一格一品)") }
            }
            problems += r.problems
            if r.problems.isEmpty, let grid, let theme { out.themes.append(Theme(grid: grid, theme: theme, name: name)) }
        }
        for (i, v) in doc.array("links", problems: &problems).enumerated() {
            var r = RecordReader(v.objectValue ?? JSONObject(), location: "links[\(i)]")
            let grid = r.text("grid", required: true, maxLength: 64), org = r.text("organisation", required: true, maxLength: 64)
            let type = r.choice("type", LinkType.self)
            if let grid, levels[grid] == nil { r.fail("grid", "no residential grid with code \(grid)") }
            if let org, !organisations.contains(org) { r.fail("organisation", "no organisation with id \(org)") }
            problems += r.problems
            if r.problems.isEmpty, let grid, let org, let type {
                let link = Link(grid: grid, organisation: org, type: type)
                if !out.links.contains(link) { out.links.append(link) }
            }
        }
        for (i, v) in doc.array("activities", problems: &problems).enumerated() {
            var r = RecordReader(v.objectValue ?? JSONObject(), location: "activities[\(i)]")
            if let a = readActivity(&r, levels: levels, organisations: organisations) { out.activities.append(a) }
            problems += r.problems
        }
        guard problems.isEmpty else { throw InvalidFields(problems) }
        return out
    }

    /// One activity record, checked: its grids exist, its scale fits how many grids ran it.
    public static func readActivity(_ r: inout RecordReader, levels: [String: GridLevel], organisations: Set<String>) -> Activity? {
        let date = r.date("date", required: true), title = r.text("title", required: true)
        let type = r.choice("type", LinkType.self), scale = r.choice("scale", Scale.self)
        let participants = r.int("participants", in: 0...100_000)
        func codes(_ key: String) -> [String]? {
            switch r.object[key] {
            case .array(let a)?:
                let s = a.compactMap(\.stringValue)
                if s.count != a.count { r.fail(key, "must be an array of strings"); return nil }
                return s
            case .string(let s)?: return s.split(separator: " ").map(String.init)
            case nil, .null?: return []
            default: r.fail(key, "must be an array of strings"); return nil
            }
        }
        let grids = codes("grids") ?? [], orgs = codes("organisations") ?? []
        if grids.isEmpty { r.fail("grids", "must name at least one grid") }
        for g in grids where levels[g] == nil { r.fail("grids", "no residential grid with code \(g)") }
        for o in orgs where !organisations.contains(o) { r.fail("organisations", "no organisation with id \(o)") }
        if let scale, !grids.isEmpty {
            switch scale {
            case .small where grids.count != 1: r.fail("scale", "a small activity is one grid's alone; this one names \(grids.count)")
            case .medium where grids.count != 2: r.fail("scale", "a medium activity is two grids' together; this one names \(grids.count)")
            case .large where grids.count < 2: r.fail("scale", "a large activity is run by several grids together; this one names one")
            default: break
            }
        }
        guard r.problems.isEmpty, let date, let title, let type, let scale, let participants else { return nil }
        return Activity(date: date, title: title, type: type, scale: scale, participants: participants, grids: grids, organisations: orgs)
    }
}

