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

/// The residential answer: the whole chain street → community → courtyard → building.
public struct ResidentialAnswer: Sendable, Codable, Equatable {
    public var match: MatchKind
    public var street: String?
    public var community: String?
    public var courtyard: String?
    public var building: String?
    /// Other grids (at the deepest level found) whose edge the point lies on.
    public var touching: [String]
    /// Metres to the grid, for `nearest`.
    public var distanceM: Double?

    public init(match: MatchKind, street: String? = nil, community: String? = nil, courtyard: String? = nil,
                building: String? = nil, touching: [String] = [], distanceM: Double? = nil) {
        self.match = match; self.street = street; self.community = community; self.courtyard = courtyard
        self.building = building; self.touching = touching; self.distanceM = distanceM
    }

    public subscript(level: GridLevel) -> String? {
        switch level {
        case .street: return street
        case .community: return community
        case .courtyard: return courtyard
        case .building: return building
        }
    }

    enum CodingKeys: String, CodingKey {
        case match, street, community, courtyard, building, touching
        case distanceM = "distance_m"
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
        var r = JSONObject([("match", .string(residential.match.rawValue)), ("street", optional(residential.street)),
                            ("community", optional(residential.community)), ("courtyard", optional(residential.courtyard)),
                            ("building", optional(residential.building)), ("touching", codes(residential.touching))])
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
