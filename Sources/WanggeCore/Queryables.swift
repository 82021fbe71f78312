/// The properties of a collection a filter may name (OGC API – Features Part 3 "queryables"), with one JSON type
/// each: the same type the items write, whatever the values.
public struct Queryable: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case string, integer, number, boolean
        /// An RFC 3339 date-time, written as a string.
        case dateTime
        /// The feature's point (events).
        case point
        /// The feature's boundary, a Polygon or MultiPolygon (grids).
        case region
    }

    public var name: String
    public var kind: Kind
    public var description: String
    /// The values a string may take, when they are a closed set.
    public var values: [String]?

    public init(_ name: String, _ kind: Kind, _ description: String, values: [String]? = nil) {
        self.name = name; self.kind = kind; self.description = description; self.values = values
    }

    /// The JSON Schema of one property, as the queryables document and the OpenAPI document write it.
    public var schema: JSONObject {
        var s = JSONObject([("title", .string(name)), ("description", .string(description))])
        switch kind {
        case .string: s["type"] = .string("string")
        case .integer: s["type"] = .string("integer")
        case .number: s["type"] = .string("number")
        case .boolean: s["type"] = .string("boolean")
        case .dateTime: s["type"] = .string("string"); s["format"] = .string("date-time")
        case .point: s["format"] = .string("geometry-point")
        case .region: s["format"] = .string("geometry-polygon-or-multipolygon")
        }
        if let values { s["enum"] = .array(values.map { .string($0) }) }
        return s
    }
}

public enum Queryables {
    /// The properties of a collection's features as one JSON Schema object (geometry left out: it is the feature's).
    public static func propertiesSchema(_ list: [Queryable], title: String) -> JSONObject {
        JSONObject([("type", .string("object")), ("title", .string(title)),
                    ("properties", .object(JSONObject(list.filter { $0.kind != .point && $0.kind != .region }.map { ($0.name, .object($0.schema)) })))])
    }

    /// What an event feature carries and a filter may use. Reporters' names and phones are left out: a filter on
    /// them would tell a role that may not see them whether a guess is right.
    /// The residential chain is one property per level of the layer's scheme (as the items write them).
    public static func events(_ levels: LevelScheme) -> [Queryable] { [
        .init("id", .integer, "Event number"),
        .init("status", .string, "Where the event is in the closed loop", values: EventStatus.allCases.map(\.rawValue)),
        .init("type", .string, "Event type code"),
        .init("severity", .integer, "1 (minor) to 4 (most urgent)"),
        .init("description", .string, "What the reporter wrote"),
        .init("channel", .string, "How it was reported", values: EventChannel.allCases.map(\.rawValue)),
        .init("occurred_at", .dateTime, "When it happened"),
        .init("reported_at", .dateTime, "When it was reported"),
        .init("match", .string, "How the point met the residential grids", values: MatchKind.allCases.map(\.rawValue)),
    ] + levels.levels.map { .init($0.name, .string, "Code of its \($0.name) grid (\($0.chineseName); null where none)") } + [
        .init("functional", .string, "Functional grid codes, ;-separated (null on none)"),
        .init("industry", .string, "Industry grid codes, ;-separated (null on none)"),
        .init("outside", .boolean, "Outside every residential grid"),
        .init("department", .string, "Department it is dispatched to (null before dispatch)"),
        .init("media_url", .string, "Photo or video link, when one was given"),
        .init("component", .string, "Identifier of the component (部件) it concerns, when the reporter named one"),
        .init("geometry", .point, "Where it is (WGS 84 longitude, latitude)"),
    ] }

    /// What a boundary feature carries (its own imported properties are not queryable: they differ per file).
    public static func grids(_ levels: LevelScheme) -> [Queryable] { [
        .init("code", .string, "Grid code"),
        .init("name", .string, "Grid name"),
        .init("layer", .string, "residential, functional or industry", values: GridLayer.allCases.map(\.rawValue)),
        .init("level", .string, "Residential level (null for overlays)", values: levels.names),
        .init("parent", .string, "Parent grid code (null at the top)"),
        .init("area_km2", .number, "Area in km² (geodesic, 3 decimals)"),
        .init("geometry", .region, "The boundary (WGS 84 longitude, latitude)"),
    ] }
}
