import Foundation
public import WanggeCore
public import WanggeGeo
public import WanggeAssignment
public import WanggeUseCases

/// Writes a generated sample as the files of `GeoData/`, and loads such a folder into a database.
public enum SampleFiles {
    /// The boundary files and the layer each holds, in load order.
    public static let layers: [(file: String, layer: GridLayer)] = [
        ("residential.geojson", .residential), ("functional.geojson", .functional), ("industry.geojson", .industry),
    ]
    public static let epsg4547Copy = "residential.epsg4547.geojson"
    public static let gcj02Copy = "residential.gcj02.geojson"

    /// Writes every file of the sample into `folder` (created if needed). Output is byte-for-byte reproducible.
    public static func write(_ s: SampleGenerator.Output, seed: UInt64, to folder: String) throws {
        let residential = s.residential.map { g -> (String?, GeometryValue?, JSONObject) in
            var p = JSONObject([("code", .string(g.code)), ("name", .string(g.name)), ("level", .string(g.level.rawValue)),
                                ("parent", g.parent.map { .string($0) } ?? .null)])
            for m in g.properties.members { p[m.key] = m.value }
            return (g.code, g.geometry, p)
        }
        try FileIO.write(collection(residential), to: "\(folder)/residential.geojson")

        // The same boundaries in CGCS2000 / 3-degree Gauss-Kruger CM 114E (metres, legacy crs member) and in GCJ-02.
        let proj = ProjContext()
        let gk = try CRSConverter(.epsg(4547), context: proj)
        let gkFeatures = residential.map { f -> (String?, GeometryValue?, JSONObject) in
            var g = f.1!
            g.transformCoordinates { gk.fromWGS84(&$0) }
            return (f.0, g, f.2)
        }
        try FileIO.write(collection(gkFeatures, decimals: 3, crsMember: "urn:ogc:def:crs:EPSG::4547"),
                         to: "\(folder)/\(epsg4547Copy)")
        let gcj = try CRSConverter(.gcj02, context: proj)
        let gcjFeatures = residential.map { f -> (String?, GeometryValue?, JSONObject) in
            var g = f.1!
            g.transformCoordinates { gcj.fromWGS84(&$0) }
            return (f.0, g, f.2)
        }
        try FileIO.write(collection(gcjFeatures), to: "\(folder)/\(gcj02Copy)")

        for (layer, overlays) in [(GridLayer.functional, s.functional), (.industry, s.industry)] {
            let features = overlays.map { o -> (String?, GeometryValue?, JSONObject) in
                var p = JSONObject([("code", .string(o.code)), ("name", .string(o.name))])
                for m in o.properties.members { p[m.key] = m.value }
                return (o.code, o.geometry, p)
            }
            try FileIO.write(collection(features), to: "\(folder)/\(layer.rawValue).geojson")
        }

        let orgs = zip(s.organisations, SampleCommunity.contacts(s.organisations, seed: seed)).map { o, c -> (String?, GeometryValue?, JSONObject) in
            (o.id, .point(x: o.lon, y: o.lat),
             JSONObject([("id", .string(o.id)), ("name", .string(o.name)), ("kind", .string(o.kind)),
                         ("category", .string(o.category)), ("contact", .string(c.name)), ("phone", .string(c.phone)),
                         ("layer", .string(o.layer.rawValue)), ("grid", .string(o.grid))]))
        }
        try FileIO.write(collection(orgs), to: "\(folder)/organisations.geojson")
        if let street = s.residential.first(where: { $0.level == .street })?.geometry {
            try FileIO.write(collection(try SampleComponents.generate(street, seed: seed)), to: "\(folder)/\(Community.componentsFile)")
        }
        try FileIO.write(SampleServices.geoJSON(try SampleServices.generate(s.residential, seed: seed)), to: "\(folder)/services.geojson")

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileIO.write([UInt8](try encoder.encode(SampleCatalog.departments)) + [0x0A], to: "\(folder)/departments.json")
        try FileIO.write([UInt8](try encoder.encode(SampleCatalog.eventTypes)) + [0x0A], to: "\(folder)/event_types.json")
        let roster = SampleCommunity.roster(s.residential, seed: seed)
        try FileIO.write(document(roster.json(phones: true)), to: "\(folder)/\(Community.staffFile)")
        try FileIO.write(document(SampleCommunity.party(s.residential).json), to: "\(folder)/\(Community.partyFile)")
        try FileIO.write(document(SampleCommunity.jointBuilding(s.residential, organisations: s.organisations, seed: seed).json),
                         to: "\(folder)/\(Community.jointBuildingFile)")
        try FileIO.write(document(.object(JSONObject(SampleCommunity.responsibilities.map { ($0.0, .string($0.1.rawValue)) }))),
                         to: "\(folder)/\(Community.responsibilitiesFile)")
        try FileIO.write([UInt8](try encoder.encode(SampleCatalog.sla)) + [0x0A], to: "\(folder)/sla.json")
        try FileIO.write([UInt8](try encoder.encode(SampleStandards.calendar)) + [0x0A], to: "\(folder)/\(Catalogue.calendarFile)")
        try FileIO.write([UInt8](try encoder.encode(SampleStandards.classes)) + [0x0A], to: "\(folder)/\(Catalogue.categoriesFile)")
        try FileIO.write([UInt8](try encoder.encode(SampleCatalog.supervision)) + [0x0A], to: "\(folder)/\(Catalogue.supervisionFile)")
        let oldEstate = s.residential.first { $0.level == .courtyard }?.code ?? ""
        try FileIO.write([UInt8](try encoder.encode(SampleCatalog.routing(courtyard: oldEstate))) + [0x0A], to: "\(folder)/routing.json")
        try FileIO.write([UInt8](try encoder.encode(DuplicateRule(radiusMetres: 50, days: 7))) + [0x0A], to: "\(folder)/\(Catalogue.duplicatesFile)")
        try FileIO.write(SampleHistory.generate(s, seed: seed), to: "\(folder)/events.ndjson")
    }

    static func collection(_ features: [(String?, GeometryValue?, JSONObject)], decimals: Int = 7,
                           crsMember: String? = nil) -> [UInt8] {
        var w = GeoJSONWriter(decimals: decimals)
        w.append(#"{"type":"FeatureCollection","#)
        if let crsMember {
            w.append(#""crs":{"type":"name","properties":{"name":"#)
            w.appendString(crsMember)
            w.append("}},")
        }
        w.append(#""features":["#)
        for (i, f) in features.enumerated() {
            w.append(i == 0 ? "\n" : ",\n")
            w.appendFeature(id: f.0, geometry: f.1, properties: f.2)
        }
        w.append("\n]}\n")
        return w.bytes
    }

    /// A JSON document with one array element (or member) per line: readable, and diffs show what changed.
    static func document(_ value: JSONValue) -> [UInt8] {
        var w = GeoJSONWriter()
        guard case .object(let o) = value else { w.appendValue(value); return w.bytes + [0x0A] }
        w.append("{")
        for (i, m) in o.members.enumerated() {
            w.append(i == 0 ? "\n" : ",\n")
            w.appendString(m.key)
            w.append(":")
            if case .array(let items) = m.value {
                w.append("[")
                for (k, item) in items.enumerated() {
                    w.append(k == 0 ? "\n" : ",\n")
                    w.appendValue(item)
                }
                w.append(items.isEmpty ? "]" : "\n]")
            } else {
                w.appendValue(m.value)
            }
        }
        w.append("\n}\n")
        return w.bytes
    }

    /// Replays the sample's quarter of events (`events.ndjson`) through the real workflow, unless there are events
    /// already. Returns how many events were loaded.
    @discardableResult
    public static func loadHistory(from folder: String, into db: any EventRepository & WorkflowRepository & TokenRepository,
                                   engine: AssignmentEngine) async throws -> Int {
        guard try db.countEvents(.allEvents) == 0 else { return 0 }
        let path = "\(folder)/events.ndjson"
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        return try await SampleHistory.load(try FileIO.read(path), into: db, engine: engine).events
    }

    /// What `loadIfEmpty` stored.
    public struct Loaded: Sendable {
        public var grids: Int
        public var events: Int
        public var servicePoints: Bool
    }

    /// Loads the whole sample in `folder` — the catalogue, boundaries, service points and the replayed quarter of
    /// events — but only into a database with nothing in it (no grids, no events): the sample never mixes with a
    /// user's own data. Returns nil, storing nothing, when the database is not empty.
    public static func loadIfEmpty(from folder: String,
                                   into db: any GridRepository & EventRepository & WorkflowRepository & TokenRepository & CommunityRepository & AuditRepository) async throws -> Loaded? {
        guard try db.counts().isEmpty, try db.countEvents(.allEvents) == 0 else { return nil }
        try Catalogue.loadDepartmentsAndTypes(from: folder, into: db)
        try Catalogue.loadServiceLevelsAndRouting(from: folder, into: db)
        let outcomes = try load(from: folder, into: db)
        var points = false
        if FileManager.default.fileExists(atPath: "\(folder)/\(ServicePoints.file)") {
            try ServicePoints.load(from: folder, into: db)
            points = true
        }
        let engine = try AssignmentEngine(repository: db, workers: 1)
        defer { engine.shutdown() }
        try await Community(repository: db, engine: engine).loadSample(from: folder)
        let events = try await loadHistory(from: folder, into: db, engine: engine)
        return Loaded(grids: outcomes.reduce(0) { $0 + $1.check.featureCount }, events: events, servicePoints: points)
    }

    /// Imports the three boundary layers of a sample folder, each in its own transaction.
    /// - Throws: `WanggeError.invalidInput` listing the defects if a file does not pass the checks.
    public static func load(from folder: String, into repository: any GridRepository,
                            validator: BoundaryValidator = BoundaryValidator()) throws -> [BoundaryImport.Outcome] {
        try layers.map { file, layer in
            let outcome = try BoundaryImport(options: BoundaryOptions(layer: layer))
                .run(file: "\(folder)/\(file)", repository: repository, validator: validator)
            guard outcome.check.isClean else {
                throw WanggeError.invalidInput("\(folder)/\(file) has \(outcome.check.defects.count) defects: "
                    + outcome.check.defects.prefix(5).map(\.description).joined(separator: "; "))
            }
            return outcome
        }
    }
}
