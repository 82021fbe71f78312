/// The boundary layers a sub-district keeps: the residential hierarchy and two overlays.
public enum GridLayer: String, Sendable, Codable, CaseIterable, Hashable {
    /// street → community → courtyard → building; children tile their parent.
    case residential
    /// Functional grids (功能型网格) grouping public institutions; may overlap anything.
    case functional
    /// Industry grids (行业网格) grouping private firms and social organisations; may overlap anything.
    case industry

    public var isHierarchical: Bool { self == .residential }
}

/// One level of the residential hierarchy: its place from the top (`rank`, 0 for the top level) and its name in the
/// layer's level scheme. Levels compare by rank; the scheme says which names a layer uses (`LevelScheme`).
public struct GridLevel: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rank: Int
    public let name: String

    public init(rank: Int, name: String) {
        self.rank = rank; self.name = name
    }

    /// The sub-district's own levels (the default scheme): street → community → courtyard → building.
    public static let street = GridLevel(rank: 0, name: "street")
    public static let community = GridLevel(rank: 1, name: "community")
    public static let courtyard = GridLevel(rank: 2, name: "courtyard")
    public static let building = GridLevel(rank: 3, name: "building")

    /// The level's name, as stored and written (`street`, or `province` under `--levels province,city,district`).
    public var rawValue: String { name }
    public var description: String { name }

    public static func < (a: GridLevel, b: GridLevel) -> Bool { a.rank < b.rank }

    /// The level's name in Chinese for the names the national and local schemes use; the name itself otherwise.
    public var chineseName: String { Self.chineseNames[name] ?? name }

    static let chineseNames = [
        "street": "街道", "community": "社区网格", "courtyard": "楼院网格", "building": "楼栋网格",
        "province": "省", "city": "市", "district": "区县", "county": "县", "town": "乡镇", "township": "乡镇",
        "village": "村", "grid": "网格", "unit": "单元网格",
    ]
}

/// The ordered level names of a residential layer, from the top: any names, any depth. Stored with each version of
/// the layer; collections, lookups, reports and files name the levels by it.
public struct LevelScheme: Sendable, Hashable, Codable, CustomStringConvertible {
    public let levels: [GridLevel]

    /// street, community, courtyard, building.
    public static let standard = LevelScheme(validNames: ["street", "community", "courtyard", "building"])

    /// Words that already name something beside a level (layers, members of an answer, report parts).
    public static let reserved: Set<String> = [
        "residential", "functional", "industry", "match", "touching", "grids", "distance_m", "lon", "lat", "layer",
        "level", "code", "name", "parent", "area_km2", "geometry", "all", "events", "versions", "id", "status", "type",
        "severity", "description", "channel", "occurred_at", "reported_at", "outside", "department", "media_url", "component",
    ]

    init(validNames: [String]) {
        levels = validNames.enumerated().map { GridLevel(rank: $0.offset, name: $0.element) }
    }

    /// Levels from names as a user gives them (`province,city,district`).
    /// - Throws: `WanggeError.invalidInput` naming the bad name: empty, not lower-case letters, digits and `_` starting
    ///   with a letter, at most 32 characters, repeated, or a reserved word.
    public init(names: [String]) throws(WanggeError) {
        guard !names.isEmpty else { throw .invalidInput("--levels needs at least one level name") }
        guard names.count <= 16 else { throw .invalidInput("--levels names \(names.count) levels; at most 16 are kept") }
        var seen = Set<String>()
        for n in names {
            let ok = n.utf8.count <= 32 && n.utf8.first.map { (97...122).contains($0) } == true
                && n.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
            guard ok else {
                throw .invalidInput("level name \"\(n)\" must be lower-case letters, digits and _ (starting with a letter, at most 32)")
            }
            guard !Self.reserved.contains(n) else { throw .invalidInput("level name \"\(n)\" is reserved: it already names something else") }
            guard seen.insert(n).inserted else { throw .invalidInput("level name \"\(n)\" is given twice") }
        }
        self.init(validNames: names)
    }

    public var names: [String] { levels.map(\.name) }
    public var isStandard: Bool { self == .standard }
    public var top: GridLevel { levels[0] }
    public var deepest: GridLevel { levels[levels.count - 1] }
    public var description: String { names.joined(separator: ",") }

    public func level(named name: String) -> GridLevel? { levels.first { $0.name == name } }
    /// The level reports are on unless asked: the courtyard (the account's unit grid), the deepest level under other
    /// level names.
    public var reportDefault: GridLevel { level(named: GridLevel.courtyard.name) ?? deepest }
    public func level(rank: Int) -> GridLevel? { levels.indices.contains(rank) ? levels[rank] : nil }
    public func parent(of level: GridLevel) -> GridLevel? { self.level(rank: level.rank - 1) }
    public func child(of level: GridLevel) -> GridLevel? { self.level(rank: level.rank + 1) }

    public init(from decoder: any Decoder) throws {
        let names = try decoder.singleValueContainer().decode([String].self)
        do { try self.init(names: names) } catch { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(names)
    }

    /// The levels the residential grids among `grids` carry, by rank: the standard scheme when they all use its
    /// names (or there are none); otherwise their names, `level<rank>` for a rank no grid has. For callers that do
    /// not have the layer's stored scheme at hand (`GridRepository.levelScheme` is the layer's own).
    public static func of(_ grids: [StoredGrid]) -> LevelScheme {
        var names: [Int: String] = [:]
        for g in grids where g.layer == .residential { if let l = g.level { names[l.rank] = l.name } }
        if names.allSatisfy({ standard.level(rank: $0.key)?.name == $0.value }) { return standard }
        let all = (0..<((names.keys.max() ?? -1) + 1)).map { names[$0] ?? "level\($0)" }
        return LevelScheme(validNames: all)
    }

    /// The scheme as stored (a JSON array of names), nil for the standard one.
    public var stored: String? {
        isStandard ? nil : "[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    /// The scheme a stored value names (nil → the standard one).
    public static func stored(_ text: String?) -> LevelScheme {
        guard let text, case .array(let items)? = try? JSONValue.parse(text) else { return .standard }
        let names = items.compactMap(\.stringValue)
        return (try? LevelScheme(names: names)) ?? .standard
    }
}

/// One grid ready to be stored: checked, converted to WGS84 lon/lat, oriented, with WKB and its geodesic area.
public struct GridFeature: Sendable, Equatable {
    public var layer: GridLayer
    public var code: String
    public var name: String
    /// Residential layer only.
    public var level: GridLevel?
    /// The parent's code; nil at the top of the hierarchy and on overlays.
    public var parent: String?
    public var geometry: GeometryValue
    /// ISO WKB (little-endian) of `geometry`.
    public var wkb: [UInt8]
    public var bbox: BoundingBox
    /// Geodesic area on the WGS84 ellipsoid, m².
    public var areaM2: Double
    /// Every other property of the source feature, as written.
    public var properties: JSONObject

    public init(layer: GridLayer, code: String, name: String, level: GridLevel?, parent: String?,
                geometry: GeometryValue, wkb: [UInt8], bbox: BoundingBox, areaM2: Double, properties: JSONObject) {
        self.layer = layer; self.code = code; self.name = name; self.level = level; self.parent = parent
        self.geometry = geometry; self.wkb = wkb; self.bbox = bbox; self.areaM2 = areaM2; self.properties = properties
    }
}
