public import WanggeCore

/// Party members per grid and category at one level (counts of the grid and every grid under it), the unit on
/// each grid, and the grids at that level that have none.
public struct PartyReport: Sendable {
    public struct Row: Sendable {
        public var grid: StoredGrid
        public var unit: PartyOrganisation.Unit?
        public var counts: [PartyOrganisation.Category: Int]
        public var total: Int { counts.values.reduce(0, +) }
    }

    public var level: GridLevel
    public var rows: [Row]
    public var totals: [PartyOrganisation.Category: Int]
    /// Every unit, as a tree: each unit with the units on the grids under its grid.
    public var units: [PartyOrganisation.Unit]
    public var parents: [String: String]

    public var withoutUnit: [Row] { rows.filter { $0.unit == nil } }

    func columns(_ r: Row) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = [("code", .string(r.grid.code)), ("name", .string(r.grid.name)),
                                          ("parent", r.grid.parent.map { .string($0) } ?? .null),
                                          ("unit", r.unit.map { .string($0.name) } ?? .null)]
        for c in PartyOrganisation.Category.allCases { out.append((c.rawValue, .number(JSONNumber(r.counts[c] ?? 0)))) }
        out.append(("total", .number(JSONNumber(r.total))))
        return out
    }

    public func json() -> JSONValue {
        let kind = PartyOrganisation.UnitKind.on(level)
        return .object(JSONObject([
            ("report", .string("party")), ("level", .string(level.rawValue)), ("unit_kind", .string(kind.rawValue)),
            ("definitions", .object(JSONObject([
                ("direct", .string("members managed directly by the street (直管党员, 动态监测)")),
                ("in_service", .string("members working in units, managed by both (在职党员, 双重管理)")),
                ("retired", .string("retired members (离退休党员)")),
                ("floating", .string("members living here away from their own branch (流动党员, 四同管理)")),
                ("counts", .string("members organised on the grid and every grid under it; counts only, no personal data")),
            ]))),
            ("totals", .object(JSONObject(PartyOrganisation.Category.allCases.map { ($0.rawValue, .number(JSONNumber(totals[$0] ?? 0))) }
                                          + [("total", .number(JSONNumber(totals.values.reduce(0, +))))]))),
            ("grids", .array(rows.map { .object(JSONObject(columns($0))) })),
            ("without_unit", .array(withoutUnit.map { .object(JSONObject([("code", .string($0.grid.code)), ("name", .string($0.grid.name))])) })),
            ("tree", tree(parent: nil)),
        ]))
    }

    /// The units nested by the grid hierarchy (a unit's children are the units on the grids directly or further
    /// under its grid, up to the next unit).
    func tree(parent: String?) -> JSONValue {
        let codes = Set(units.map(\.grid))
        func owner(_ code: String) -> String? {
            var p = parents[code]
            while let c = p, !codes.contains(c) { p = parents[c] }
            return p
        }
        let children = Dictionary(grouping: units, by: { owner($0.grid) ?? "" })
        func node(_ u: PartyOrganisation.Unit) -> JSONValue {
            .object(JSONObject([("grid", .string(u.grid)), ("kind", .string(u.kind.rawValue)), ("name", .string(u.name)),
                                ("units", .array((children[u.grid] ?? []).map(node)))]))
        }
        return .array((children[parent ?? ""] ?? []).map(node))
    }

    public func csv() -> String {
        CSV.table(header: rows.first.map { columns($0).map(\.0) } ?? ["code"], rows: rows.map(columns))
    }
}

/// 一格一品 and 九联共建 per grid over a period: theme, links by type, activities by scale, participants.
public struct JointBuildingReport: Sendable {
    public struct Row: Sendable {
        public var grid: StoredGrid
        public var theme: JointBuilding.Theme?
        public var links: [JointBuilding.LinkType: Int]
        public var activities: [JointBuilding.Scale: Int]
        public var participants: Int
    }

    public var level: GridLevel
    public var from: String
    public var to: String
    public var rows: [Row]

    func columns(_ r: Row) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = [("code", .string(r.grid.code)), ("name", .string(r.grid.name)),
                                          ("theme", r.theme.map { .string($0.theme) } ?? .null),
                                          ("theme_name", r.theme?.name.map { .string($0) } ?? .null),
                                          ("links", .number(JSONNumber(r.links.values.reduce(0, +))))]
        for t in JointBuilding.LinkType.allCases { out.append(("links_\(t.rawValue)", .number(JSONNumber(r.links[t] ?? 0)))) }
        out.append(("activities", .number(JSONNumber(r.activities.values.reduce(0, +)))))
        for s in JointBuilding.Scale.allCases { out.append(("activities_\(s.rawValue)", .number(JSONNumber(r.activities[s] ?? 0)))) }
        out.append(("participants", .number(JSONNumber(r.participants))))
        return out
    }

    public func json() -> JSONValue {
        .object(JSONObject([
            ("report", .string("joint-building")), ("level", .string(level.rawValue)),
            ("from", .string(from)), ("to", .string(to)),
            ("definitions", .object(JSONObject([
                ("links", .string("links between the grid (or a grid under it) and the units on it, by the nine types of 九联共建")),
                ("activities", .string("activities between from and to (inclusive) run by the grid or a grid under it: small alone, medium in pairs, large together; one shared by two grids of a row counts once")),
                ("participants", .string("people taking part in those activities")),
            ]))),
            ("link_types", .array(JointBuilding.LinkType.allCases.map { .object(JSONObject([("type", .string($0.rawValue)), ("name", .string($0.chinese))])) })),
            ("grids", .array(rows.map { .object(JSONObject(columns($0))) })),
        ]))
    }

    public func csv() -> String {
        CSV.table(header: rows.first.map { columns($0).map(\.0) } ?? ["code"], rows: rows.map(columns))
    }
}

extension Community {
    /// Which grid at `level` each residential code rolls up to (nil above it).
    func ancestors(at level: GridLevel, _ grids: [StoredGrid]) -> [String: String] {
        let byCode = Dictionary(grids.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: String] = [:]
        for g in grids {
            var c: StoredGrid? = g
            while let cur = c, let l = cur.level, l > level { c = cur.parent.flatMap { byCode[$0] } }
            if let c, c.level == level { out[g.code] = c.code }
        }
        return out
    }

    public func partyReport(level: GridLevel) throws -> PartyReport {
        let residential = try repository.grids(in: .residential)
        let party = try repository.party()
        let up = ancestors(at: level, residential)
        var counts: [String: [PartyOrganisation.Category: Int]] = [:], totals: [PartyOrganisation.Category: Int] = [:]
        for m in party.members {
            totals[m.category, default: 0] += m.count
            if let g = up[m.grid] { counts[g, default: [:]][m.category, default: 0] += m.count }
        }
        let units = Dictionary(party.units.map { ($0.grid, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = residential.filter { $0.level == level }.map { PartyReport.Row(grid: $0, unit: units[$0.code], counts: counts[$0.code] ?? [:]) }
        return PartyReport(level: level, rows: rows, totals: totals, units: party.units,
                           parents: Dictionary(residential.compactMap { g in g.parent.map { (g.code, $0) } }, uniquingKeysWith: { a, _ in a }))
    }

    /// - Parameters: `from`, `to`: days `YYYY-MM-DD`, inclusive.
    public func jointBuildingReport(level: GridLevel, from: String, to: String) throws -> JointBuildingReport {
        let residential = try repository.grids(in: .residential)
        let j = try repository.jointBuilding()
        let up = ancestors(at: level, residential)
        let themes = Dictionary(j.themes.map { ($0.grid, $0) }, uniquingKeysWith: { a, _ in a })
        var links: [String: [JointBuilding.LinkType: Int]] = [:]
        for l in j.links { if let g = up[l.grid] { links[g, default: [:]][l.type, default: 0] += 1 } }
        var activities: [String: [JointBuilding.Scale: Int]] = [:], participants: [String: Int] = [:]
        for a in j.activities where a.date >= from && a.date <= to {
            for g in Set(a.grids.compactMap { up[$0] }) {
                activities[g, default: [:]][a.scale, default: 0] += 1
                participants[g, default: 0] += a.participants
            }
        }
        let rows = residential.filter { $0.level == level }.map {
            JointBuildingReport.Row(grid: $0, theme: themes[$0.code], links: links[$0.code] ?? [:],
                                    activities: activities[$0.code] ?? [:], participants: participants[$0.code] ?? 0)
        }
        return JointBuildingReport(level: level, from: from, to: to, rows: rows)
    }
}
