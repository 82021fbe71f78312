public import Foundation
public import WanggeCore

/// Paths to the repository's fixtures and sample.
public enum Fixtures {
    /// The repository root (found from this file's path, so tests run from any directory).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func path(_ relative: String) -> String {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative).path
    }

    public static var geoData: String { root.appendingPathComponent("GeoData").path }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    /// The Natural Earth fixture without its one invalid polygon (Sudan): one feature per line, so its line is dropped.
    public static func naturalEarthValid() throws -> [UInt8] {
        let text = String(decoding: try bytes("real/naturalearth_lowres.geojson"), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"iso_a3\": \"SDN\"") }
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}

/// Builds small boundary files near Xiyuan for tests: axis-aligned boxes in degrees, as GeoJSON text.
public struct BoundaryFileBuilder {
    public struct Feature {
        public var properties: JSONObject
        public var geometry: JSONValue

        public init(properties: JSONObject, geometry: JSONValue) {
            self.properties = properties
            self.geometry = geometry
        }
    }

    public var features: [Feature] = []

    public init() {}

    /// A closed box ring (counter-clockwise unless `clockwise`).
    public static func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, clockwise: Bool = false) -> [[Double]] {
        let ccw = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        return clockwise ? ccw.reversed() : ccw
    }

    public static func coords(_ ring: [[Double]]) -> JSONValue {
        .array(ring.map { p in .array(p.map { .number(JSONNumber($0)) }) })
    }

    public static func polygon(_ rings: [[[Double]]]) -> JSONValue {
        .object(JSONObject([("type", .string("Polygon")), ("coordinates", .array(rings.map(coords)))]))
    }

    public static func multiPolygon(_ polys: [[[[Double]]]]) -> JSONValue {
        .object(JSONObject([("type", .string("MultiPolygon")),
                            ("coordinates", .array(polys.map { .array($0.map(coords)) }))]))
    }

    /// Adds a residential grid (level and parent set) or an overlay grid (level nil).
    public mutating func add(_ code: String, level: String? = nil, parent: String? = nil, name: String? = nil,
                             geometry: JSONValue, extra: [(String, JSONValue)] = []) {
        var p = JSONObject([("code", .string(code)), ("name", .string(name ?? "grid \(code)"))])
        if let level { p["level"] = .string(level) }
        if let parent { p["parent"] = .string(parent) }
        for (k, v) in extra { p[k] = v }
        features.append(Feature(properties: p, geometry: geometry))
    }

    public var bytes: [UInt8] {
        var w = GeoJSONWriter()
        w.append(#"{"type":"FeatureCollection","features":["#)
        for (i, f) in features.enumerated() {
            w.append(i == 0 ? "\n" : ",\n")
            w.append(#"{"type":"Feature","geometry":"#)
            w.appendValue(f.geometry)
            w.append(#","properties":"#)
            w.appendObject(f.properties)
            w.append("}")
        }
        w.append("\n]}\n")
        return w.bytes
    }

    /// A clean three-level hierarchy: a street box split into two communities, each split into two courtyards.
    /// Degrees near 114.45°E 38.06°N; the street is 0.004° × 0.002°.
    public static func cleanHierarchy() -> BoundaryFileBuilder {
        var b = BoundaryFileBuilder()
        let x0 = 114.450, y0 = 38.060
        b.add("S", level: "street", geometry: polygon([box(x0, y0, x0 + 0.004, y0 + 0.002)]))
        b.add("C1", level: "community", parent: "S", geometry: polygon([box(x0, y0, x0 + 0.002, y0 + 0.002)]))
        b.add("C2", level: "community", parent: "S", geometry: polygon([box(x0 + 0.002, y0, x0 + 0.004, y0 + 0.002)]))
        b.add("Y1", level: "courtyard", parent: "C1", geometry: polygon([box(x0, y0, x0 + 0.002, y0 + 0.001)]))
        b.add("Y2", level: "courtyard", parent: "C1", geometry: polygon([box(x0, y0 + 0.001, x0 + 0.002, y0 + 0.002)]))
        b.add("Y3", level: "courtyard", parent: "C2", geometry: polygon([box(x0 + 0.002, y0, x0 + 0.004, y0 + 0.001)]))
        b.add("Y4", level: "courtyard", parent: "C2", geometry: polygon([box(x0 + 0.002, y0 + 0.001, x0 + 0.004, y0 + 0.002)]))
        return b
    }
}
