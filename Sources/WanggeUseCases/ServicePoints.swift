import Foundation
public import WanggeCore
public import WanggeGeo

/// The service points the convenience-circle report measures against, kept as a GeoJSON FeatureCollection of
/// points (`id`, `name`, `kind`, optional `kind_name`) in the settings.
public enum ServicePoints {
    public static let settingKey = "services"
    public static let file = "services.geojson"

    /// Stores a FeatureCollection of points after checking it (each problem with its feature index).
    public static func store(_ bytes: [UInt8], into repository: any WorkflowRepository) throws {
        _ = try parse(bytes)
        try repository.setSetting(settingKey, String(decoding: bytes, as: UTF8.self))
    }

    public static func load(from folder: String, into repository: any WorkflowRepository) throws {
        try store(try FileIO.read("\(folder)/\(file)"), into: repository)
    }

    /// - Throws: `InvalidFields` naming each bad feature (`features[3].geometry`), or `JSONSyntaxError`.
    public static func parse(_ bytes: [UInt8]) throws -> [ServicePoint] {
        guard case .object(let fc) = try JSONValue.parse(bytes), fc["type"] == .string("FeatureCollection"),
              case .array(let features)? = fc["features"] else {
            throw InvalidFields([FieldError("body", "must be a GeoJSON FeatureCollection of points")])
        }
        var out: [ServicePoint] = [], problems: [FieldError] = []
        for (i, f) in features.enumerated() {
            let o = f.objectValue
            let p = o?["properties"]?.objectValue
            guard case .array(let c)? = o?["geometry"]?.objectValue?["coordinates"], o?["geometry"]?.objectValue?["type"] == .string("Point"),
                  c.count >= 2, let lon = c[0].doubleValue, let lat = c[1].doubleValue, abs(lon) <= 180, abs(lat) <= 90 else {
                problems.append(FieldError("features[\(i)].geometry", "must be a Point with lon/lat in range"))
                continue
            }
            guard let kind = p?["kind"]?.stringValue, !kind.isEmpty else {
                problems.append(FieldError("features[\(i)].properties.kind", "is missing"))
                continue
            }
            var bad = false
            for key in ["id", "name", "kind", "kind_name"] {
                if let text = p?[key]?.stringValue, let why = TextField.problem(text, multiline: false) {
                    problems.append(FieldError("features[\(i)].properties.\(key)", why))
                    bad = true
                }
            }
            if bad { continue }
            out.append(ServicePoint(id: p?["id"]?.identifierText ?? o?["id"]?.identifierText ?? "\(i)",
                                    name: p?["name"]?.stringValue ?? "", kind: kind,
                                    kindName: p?["kind_name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }, lon: lon, lat: lat))
        }
        guard problems.isEmpty else { throw InvalidFields(problems) }
        return out
    }
}

/// The convenience-circle report: a row per grid with the share of its area and households within reach of
/// each kind of service, the street's share per kind, and the uncovered parts.
public struct ServiceReport: Sendable {
    public var level: ReportScope
    public var result: ServiceCoverage.Result
    public var names: [String: String]

    func columns(_ r: ServiceCoverage.Row) -> [(String, JSONValue)] {
        func share(_ part: Double?, _ whole: Double?) -> JSONValue {
            guard let part, let whole, whole > 0 else { return .null }
            return ReportColumns.round(min(1, part / whole), 4)
        }
        var out: [(String, JSONValue)] = [
            ("code", .string(r.grid.code)), ("name", .string(r.grid.name)),
            ("area_km2", ReportColumns.round(r.grid.areaM2 / 1e6, 4)),
            ("households", r.households.map { .number(JSONNumber(Int($0.rounded()))) } ?? .null),
        ]
        for kind in result.kinds {
            out.append(("\(kind)_area_share", share(r.coveredM2[kind], r.grid.areaM2)))
            out.append(("\(kind)_households_share", share(r.coveredHouseholds[kind], r.households)))
        }
        out.append(("all_area_share", share(r.allM2, r.grid.areaM2)))
        out.append(("all_households_share", share(r.allHouseholds, r.households)))
        return out
    }

    public func json() -> JSONValue {
        .object(JSONObject([
            ("report", .string("services")), ("level", .string(level.description)),
            ("radius_m", .number(JSONNumber(result.radiusMetres))),
            ("definitions", .object(JSONObject([
                ("area_share", .string("the part of the grid's area within radius_m (straight line) of a service point of the kind")),
                ("households_share", .string("households within reach, taking each building grid's households as spread evenly over it")),
                ("all", .string("within reach of every kind at once: the whole convenience circle")),
            ]))),
            ("kinds", .array(result.kinds.map { k in
                .object(JSONObject([
                    ("kind", .string(k)), ("name", .string(names[k] ?? k)), ("points", .number(JSONNumber(result.points[k] ?? 0))),
                    ("street_share", ReportColumns.round(result.streetM2 > 0 ? (result.streetCoveredM2[k] ?? 0) / result.streetM2 : nil, 4)),
                ]))
            })),
            ("grids", .array(result.rows.map { .object(JSONObject(columns($0))) })),
        ]))
    }

    public func csv() -> String {
        CSV.table(header: result.rows.first.map { columns($0).map(\.0) } ?? ["code"], rows: result.rows.map(columns))
    }

    /// The parts of the street out of reach, one feature per kind.
    public func geojson() -> [UInt8] {
        GeoJSONWriter.featureCollection(result.uncovered.map { u in
            (id: nil, geometry: u.geometry, properties: JSONObject([
                ("kind", .string(u.kind)), ("name", .string(names[u.kind] ?? u.kind)),
                ("uncovered_m2", ReportColumns.round(u.areaM2, 1)), ("radius_m", .number(JSONNumber(result.radiusMetres))),
            ]))
        })
    }
}

extension Reporting {
    /// The convenience-circle report for a residential level (default radius 800 m, about ten minutes' walk).
    public func services(level: GridLevel, radiusMetres: Double = 800, points: [ServicePoint]? = nil) throws -> ServiceReport {
        let pts: [ServicePoint]
        if let points { pts = points } else {
            guard let stored = try repository.setting(ServicePoints.settingKey) else {
                throw WanggeError.notFound("no service points are loaded (PUT /reports/services/points, or wangge report services --points FILE --store)")
            }
            pts = try ServicePoints.parse(Array(stored.utf8))
        }
        let residential = try repository.grids(in: .residential)
        let parents = Dictionary(residential.compactMap { g in g.parent.map { (g.code, $0) } }, uniquingKeysWith: { a, _ in a })
        let finest = residential.compactMap(\.level).max()
        // Kinds in the order the points first name them; their names from the points' kind_name.
        var kinds: [String] = [], names: [String: String] = [:]
        for p in pts {
            if !kinds.contains(p.kind) { kinds.append(p.kind) }
            if names[p.kind] == nil, let n = p.kindName { names[p.kind] = n }
        }
        let street = try residential.first { $0.level?.rank == 0 }.map { try WKB.decode($0.wkb) }
        let result = try ServiceCoverage().compute(points: pts, kinds: kinds, grids: residential.filter { $0.level == level },
                                                   buildings: residential.filter { $0.level == finest }, parents: parents,
                                                   street: street, radiusMetres: radiusMetres)
        return ServiceReport(level: .level(level), result: result, names: names)
    }
}
