/// The party organisation built on the grids (把党组织建在网格上): a working committee on the street, a general
/// branch on each community, a branch on each courtyard, a group on each building; and its members counted per
/// grid and category — counts only, never who they are.
public struct PartyOrganisation: Sendable, Equatable {
    public enum UnitKind: String, Sendable, CaseIterable {
        case workingCommittee = "working_committee"
        case generalBranch = "general_branch"
        case branch
        case group

        /// The level of grid a unit of this kind sits on.
        public var level: GridLevel {
            switch self {
            case .workingCommittee: return .street
            case .generalBranch: return .community
            case .branch: return .courtyard
            case .group: return .building
            }
        }

        public static func on(_ level: GridLevel) -> UnitKind {
            allCases.first { $0.level == level }!
        }
    }

    /// How members are managed: directly (直管, 动态监测), in service at a workplace (在职, 双重管理), retired, or
    /// floating (流动, 四同管理).
    public enum Category: String, Sendable, CaseIterable {
        case direct, inService = "in_service", retired, floating
    }

    public struct Unit: Sendable, Equatable {
        public var grid: String
        public var kind: UnitKind
        public var name: String
        public init(grid: String, kind: UnitKind, name: String) { self.grid = grid; self.kind = kind; self.name = name }
    }

    /// Members of one category organised on one grid.
    public struct Members: Sendable, Equatable {
        public var grid: String
        public var category: Category
        public var count: Int
        public init(grid: String, category: Category, count: Int) { self.grid = grid; self.category = category; self.count = count }
    }

    public var units: [Unit]
    public var members: [Members]

    public init(units: [Unit] = [], members: [Members] = []) { self.units = units; self.members = members }

    public var isEmpty: Bool { units.isEmpty && members.isEmpty }

    public func total(_ category: Category) -> Int { members.filter { $0.category == category }.reduce(0) { $0 + $1.count } }

    /// `{"units": [{grid, kind, name}], "members": [{grid, direct, in_service, retired, floating}]}`.
    public var json: JSONValue {
        let byGrid = Dictionary(grouping: members, by: \.grid)
        return .object(JSONObject([
            ("units", .array(units.map { .object(JSONObject([("grid", .string($0.grid)), ("kind", .string($0.kind.rawValue)), ("name", .string($0.name))])) })),
            ("members", .array(byGrid.keys.sorted().map { g in
                var o = JSONObject([("grid", .string(g))])
                for c in Category.allCases { o[c.rawValue] = .number(JSONNumber(byGrid[g]!.first { $0.category == c }?.count ?? 0)) }
                return .object(o)
            })),
        ]))
    }

    /// - Throws: `InvalidFields` with each problem and where; `JSONSyntaxError`.
    public static func parse(_ bytes: [UInt8], levels: [String: GridLevel]) throws -> PartyOrganisation {
        guard case .object(let doc) = try JSONValue.parse(bytes) else {
            throw InvalidFields([FieldError("body", "must be an object with units and members")])
        }
        var out = PartyOrganisation(), problems: [FieldError] = []
        var unitOn = Set<String>()
        for (i, v) in doc.array("units", problems: &problems).enumerated() {
            var r = RecordReader(v.objectValue ?? JSONObject(), location: "units[\(i)]")
            let grid = r.text("grid", required: true, maxLength: 64), kind = r.choice("kind", UnitKind.self), name = r.text("name", required: true)
            if let grid, let kind {
                if let level = levels[grid] {
                    if level != kind.level { r.fail("kind", "a \(kind.rawValue) sits on a \(kind.level.rawValue) grid; \(grid) is a \(level.rawValue)") }
                } else { r.fail("grid", "no residential grid with code \(grid)") }
                if !unitOn.insert(grid).inserted { r.fail("grid", "\(grid) already has a unit") }
            }
            problems += r.problems
            if r.problems.isEmpty, let grid, let kind, let name { out.units.append(Unit(grid: grid, kind: kind, name: name)) }
        }
        var countedOn = Set<String>()
        for (i, v) in doc.array("members", problems: &problems).enumerated() {
            var r = RecordReader(v.objectValue ?? JSONObject(), location: "members[\(i)]")
            let grid = r.text("grid", required: true, maxLength: 64)
            if let grid {
                if levels[grid] == nil { r.fail("grid", "no residential grid with code \(grid)") }
                if !countedOn.insert(grid).inserted { r.fail("grid", "\(grid) is counted twice") }
            }
            let counts = Category.allCases.map { ($0, r.int($0.rawValue, in: 0...1_000_000, required: false) ?? 0) }
            problems += r.problems
            if r.problems.isEmpty, let grid {
                out.members += counts.filter { $0.1 > 0 }.map { Members(grid: grid, category: $0.0, count: $0.1) }
            }
        }
        guard problems.isEmpty else { throw InvalidFields(problems) }
        return out
    }
}

