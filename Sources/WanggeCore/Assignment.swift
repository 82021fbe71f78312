/// How a point relates to a layer's grids.
public enum MatchKind: String, Sendable, Codable, CaseIterable {
    /// Strictly inside the grid(s).
    case inside
    /// On an edge: one grid was picked by the documented rule (the smallest code) and the others are in `touching`.
    case boundary
    /// Outside every grid, but within the snap distance of the one given.
    case nearest
    /// Outside every grid of the layer.
    case outside
}

/// A level of the residential layer and the code of the grid at that level containing the point (nil when none).
public struct LevelCode: Sendable, Equatable {
    public var level: GridLevel
    public var code: String?

    public init(level: GridLevel, code: String?) {
        self.level = level; self.code = code
    }
}

/// The residential answer: the whole chain of the layer's levels, from the top (street → community → courtyard →
/// building in the standard scheme, or whatever levels the layer was imported with).
public struct ResidentialAnswer: Sendable, Equatable {
    public var match: MatchKind
    /// Every level of the layer's scheme, top first, each with its code or nil.
    public var chain: [LevelCode]
    /// Other grids (at the deepest level found) whose edge the point lies on.
    public var touching: [String]
    /// Metres to the grid, for `nearest`.
    public var distanceM: Double?

    public init(match: MatchKind, chain: [LevelCode], touching: [String] = [], distanceM: Double? = nil) {
        self.match = match; self.chain = chain; self.touching = touching; self.distanceM = distanceM
    }

    /// An answer in the standard scheme.
    public init(match: MatchKind, street: String? = nil, community: String? = nil, courtyard: String? = nil,
                building: String? = nil, touching: [String] = [], distanceM: Double? = nil) {
        let codes = [street, community, courtyard, building]
        self.init(match: match, chain: LevelScheme.standard.levels.map { LevelCode(level: $0, code: codes[$0.rank]) },
                  touching: touching, distanceM: distanceM)
    }

    /// The code at a level (by rank), nil when none or when the layer has no such level.
    public subscript(level: GridLevel) -> String? { code(rank: level.rank) }

    public func code(rank: Int) -> String? { chain.indices.contains(rank) ? chain[rank].code : nil }

    /// The code at the level so named (nil when the layer has no level of that name).
    public func code(named name: String) -> String? { chain.first { $0.level.name == name }?.code }

    /// The codes found, top first.
    public var codes: [String] { chain.compactMap(\.code) }

    /// The standard levels by name (nil for a layer with other level names).
    public var street: String? { code(named: "street") }
    public var community: String? { code(named: "community") }
    public var courtyard: String? { code(named: "courtyard") }
    public var building: String? { code(named: "building") }

    /// The levels with their codes as ordered JSON members (`"street": "…"` or `null`).
    public var chainMembers: [(String, JSONValue)] {
        chain.map { ($0.level.name, $0.code.map { .string($0) } ?? .null) }
    }

    /// The codes as stored: ranks 0 … 3 in the four level columns, the ranks below as a JSON array (codes or
    /// null, top first; nil when the layer has no level below the fourth).
    public var storedSlots: (slots: [String?], lower: String?) {
        let slots = (0..<4).map { code(rank: $0) }
        guard chain.count > 4 else { return (slots, nil) }
        var w = GeoJSONWriter()
        w.appendValue(.array(chain[4...].map { $0.code.map { .string($0) } ?? .null }))
        return (slots, String(decoding: w.bytes, as: UTF8.self))
    }

    /// An answer from its stored codes (`storedSlots`). Its levels carry placeholder names (standard names for the
    /// first four ranks, `level<rank>` below): readers name them by the layer's scheme (`LevelScheme.members`).
    public init(match: MatchKind, slots: [String?], lower: String?, touching: [String]) {
        self.init(match: match, chain: Self.storedChain(slots: slots, lower: Self.lowerCodes(lower)), touching: touching)
    }

    /// The codes below the fourth level as stored (`storedSlots`' JSON array), top first; none for nil.
    public static func lowerCodes(_ stored: String?) -> [String?] {
        guard let stored, let items = (try? JSONValue.parse(stored))?.arrayValue else { return [] }
        return items.map(\.stringValue)
    }

    /// A chain from codes stored by rank, with placeholder names (standard ones for ranks 0 … 3, `level<rank>` below).
    static func storedChain(slots: [String?], lower: [String?]) -> [LevelCode] {
        LevelScheme.standard.levels.map { LevelCode(level: $0, code: slots[$0.rank]) }
            + lower.enumerated().map { LevelCode(level: GridLevel(rank: 4 + $0.offset, name: "level\(4 + $0.offset)"), code: $0.element) }
    }
}

/// An overlay layer's answer: every grid that contains the point (overlays may overlap).
public struct OverlayAnswer: Sendable, Codable, Equatable {
    public var match: MatchKind
    /// Codes, ascending. For `boundary` and `nearest`, the one grid picked.
    public var grids: [String]
    public var touching: [String]
    public var distanceM: Double?

    public init(match: MatchKind, grids: [String] = [], touching: [String] = [], distanceM: Double? = nil) {
        self.match = match; self.grids = grids; self.touching = touching; self.distanceM = distanceM
    }

    enum CodingKeys: String, CodingKey {
        case match, grids, touching
        case distanceM = "distance_m"
    }
}

/// Where a point falls in every layer.
public struct PointAssignment: Sendable, Codable, Equatable {
    /// WGS84 position used (after any CRS conversion).
    public var lon: Double
    public var lat: Double
    public var residential: ResidentialAnswer
    public var functional: OverlayAnswer
    public var industry: OverlayAnswer

    public init(lon: Double, lat: Double, residential: ResidentialAnswer, functional: OverlayAnswer, industry: OverlayAnswer) {
        self.lon = lon; self.lat = lat; self.residential = residential; self.functional = functional; self.industry = industry
    }
}

/// Stored (organisations keep their assignment as JSON) by rank, as events are: `street` … `building` hold ranks
/// 0 … 3 whatever the layer calls them, `lower` the ranks below; read back with placeholder names.
extension ResidentialAnswer: Codable {
    enum CodingKeys: String, CodingKey {
        case match, street, community, courtyard, building, lower, touching
        case distanceM = "distance_m"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let slots = try [CodingKeys.street, .community, .courtyard, .building].map { try c.decodeIfPresent(String.self, forKey: $0) }
        let lower = try c.decodeIfPresent([String?].self, forKey: .lower) ?? []
        self.init(match: try c.decode(MatchKind.self, forKey: .match), chain: Self.storedChain(slots: slots, lower: lower),
                  touching: try c.decodeIfPresent([String].self, forKey: .touching) ?? [],
                  distanceM: try c.decodeIfPresent(Double.self, forKey: .distanceM))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(match, forKey: .match)
        for (rank, key) in [CodingKeys.street, .community, .courtyard, .building].enumerated() { try c.encode(code(rank: rank), forKey: key) }
        if chain.count > 4 { try c.encode(chain[4...].map(\.code), forKey: .lower) }
        try c.encode(touching, forKey: .touching)
        try c.encodeIfPresent(distanceM, forKey: .distanceM)
    }
}

extension LevelScheme {
    /// An answer's codes named by this scheme, by rank: every level of the scheme, top first, `null` where the
    /// answer has none.
    public func members(_ a: ResidentialAnswer) -> [(String, JSONValue)] {
        levels.map { ($0.name, a.code(rank: $0.rank).map { .string($0) } ?? .null) }
    }
}

extension PointAssignment {
    /// The answer as an ordered JSON object: lon, lat, then each layer with its match first.
    public var json: JSONObject {
        func codes(_ c: [String]) -> JSONValue { .array(c.map { .string($0) }) }
        func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        func distance(_ d: Double?) -> JSONValue { d.map { .number(JSONNumber($0)) } ?? .null }
        func overlay(_ o: OverlayAnswer) -> JSONValue {
            var j = JSONObject([("match", .string(o.match.rawValue)), ("grids", codes(o.grids)), ("touching", codes(o.touching))])
            if o.distanceM != nil { j["distance_m"] = distance(o.distanceM) }
            return .object(j)
        }
        var r = JSONObject([("match", .string(residential.match.rawValue))] + residential.chainMembers
                           + [("touching", codes(residential.touching))])
        if residential.distanceM != nil { r["distance_m"] = distance(residential.distanceM) }
        return JSONObject([("lon", .number(JSONNumber(lon))), ("lat", .number(JSONNumber(lat))), ("residential", .object(r)),
                           ("functional", overlay(functional)), ("industry", overlay(industry))])
    }
}

extension JSONValue {
    /// Indented JSON for people to read (two spaces, one member per line, short arrays of scalars on one line).
    public func prettyPrinted(indent: Int = 0) -> String {
        func compact(_ v: JSONValue) -> String {
            var w = GeoJSONWriter()
            w.appendValue(v)
            return String(decoding: w.bytes, as: UTF8.self)
        }
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch self {
        case .object(let o) where !o.isEmpty:
            let lines = o.members.map { "\(pad)\(compact(.string($0.key))): \($0.value.prettyPrinted(indent: indent + 1))" }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(close)}"
        case .array(let items) where items.contains(where: { if case .object = $0 { return true }; if case .array = $0 { return true }; return false }):
            return "[\n" + items.map { pad + $0.prettyPrinted(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)]"
        default:
            return compact(self)
        }
    }
}
