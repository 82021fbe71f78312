import GRDB
import Foundation
import Testing
import WanggeCore
import WanggeSample
import WanggeUseCases
import WanggeStore
import WanggeTestSupport
@testable import WanggeUseCases
import WanggeAssignment

@Suite("Exports")
struct ExportTests {
    static func sampleWithEvents() async throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        try Catalogue.loadDepartmentsAndTypes(from: Fixtures.geoData, into: db)
        try Catalogue.loadServiceLevelsAndRouting(from: Fixtures.geoData, into: db)
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        let engine = try AssignmentEngine(repository: db, workers: 2)
        _ = try await SampleFiles.loadHistory(from: Fixtures.geoData, into: db, engine: engine)
        return db
    }

    /// The features of a GeoJSON text sequence (with or without RS separators), one per line.
    static func sequence(_ path: String) throws -> [RawFeature] {
        let text = String(decoding: try FileIO.read(path), as: UTF8.self)
        return try text.split(separator: "\n").enumerated().map { i, line in
            let json = line.hasPrefix("\u{1E}") ? line.dropFirst() : line
            return try GeoJSONDocument.parse(Array(#"{"type":"FeatureCollection","features":["#.utf8) + Array(json.utf8) + Array("]}".utf8))
                .features[0]
        }
    }

    static func csv(_ path: String) throws -> [[String]] {
        var reader = CSV.Reader()
        var rows: [[String]] = []
        reader.feed(try FileIO.read(path)) { r, _ in rows.append(r) }
        reader.finish { r, _ in rows.append(r) }
        return rows
    }

    @Test("grids export as RFC 7946 GeoJSON, text sequences and CSV: every grid, CCW exterior rings, no crs member")
    func grids() throws {
        let db = try AppDatabase.inMemory()
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        let dir = try Fixtures.temporaryDirectory()

        let summary = try Exporter(format: .geojson).exportGrids(db, layer: nil, level: nil, bbox: nil, to: "\(dir)/g.geojson")
        #expect(summary.features == 115)
        let bytes = try FileIO.read("\(dir)/g.geojson")
        #expect(summary.bytes == bytes.count)
        #expect(!String(decoding: bytes, as: UTF8.self).contains(#""crs""#))
        let doc = try GeoJSONDocument.parse(bytes)
        #expect(doc.features.count == 115)
        #expect(Set(doc.features.map { $0.properties["layer"]?.stringValue ?? "" }) == ["residential", "functional", "industry"])
        for f in doc.features {
            let (geometry, defects) = f.polygonalGeometry(code: nil)
            #expect(defects.isEmpty)
            let polygons: [Polygon]
            switch try #require(geometry) {
            case .polygon(let p): polygons = [p]
            case .multiPolygon(let ps): polygons = ps
            case .point: Issue.record("a grid exported as a point"); continue
            }
            for p in polygons {
                #expect(p.rings[0].isCounterClockwise, "exterior ring of \(f.id.map(String.init(describing:)) ?? "?") is clockwise")
                for hole in p.rings.dropFirst() { #expect(!hole.isCounterClockwise) }
            }
            // At most 7 decimals.
            #expect(f.coordinates!.xy.allSatisfy { abs($0 * 1e7 - ($0 * 1e7).rounded()) < 1e-3 })
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/g.geojson.partial"))

        let courtyards = try Exporter(format: .geojsonseq).exportGrids(db, layer: .residential, level: .courtyard, bbox: nil, to: "\(dir)/c.geojsonseq")
        #expect(courtyards.features == 25)
        let seq = try Self.sequence("\(dir)/c.geojsonseq")
        #expect(seq.count == 25 && seq.allSatisfy { $0.properties["level"]?.stringValue == "courtyard" })
        #expect(try FileIO.read("\(dir)/c.geojsonseq").filter { $0 == 0x1E }.count == 25)

        let rows = try Self.csv(try { _ = try Exporter(format: .csv).exportGrids(db, layer: .industry, level: nil, bbox: nil, to: "\(dir)/i.csv"); return "\(dir)/i.csv" }())
        #expect(rows.count == 11)
        #expect(rows[0].last == "wkt")
        #expect(rows.dropFirst().allSatisfy { $0.count == rows[0].count && ($0.last!.hasPrefix("POLYGON ((") || $0.last!.hasPrefix("MULTIPOLYGON (((")) })

        // A bbox far from Xiyuan selects nothing, and the file is still a valid empty collection.
        let none = try Exporter(format: .geojson).exportGrids(db, layer: nil, level: nil, bbox: BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1), to: "\(dir)/none.geojson")
        #expect(none.features == 0)
        #expect(try GeoJSONDocument.parse(FileIO.read("\(dir)/none.geojson")).features.isEmpty)
    }

    @Test("a CQL2 filter narrows an export as it narrows the OGC items (the CLI's --filter)")
    func exportFilter() async throws {
        let db = try await Self.sampleWithEvents()
        let dir = try Fixtures.temporaryDirectory()
        var q = FeatureQuery.allEvents
        q.filter = try CQL2.check(CQL2.parseText("status = 'closed' AND severity >= 3 AND functional IS NULL"), against: Queryables.events(.standard))
        let summary = try Exporter(format: .ndjson).exportEvents(db, query: q, to: "\(dir)/f.ndjson")
        let want = try db.events(FeatureQuery.allEvents).filter { $0.status == .closed && $0.event.severity >= 3 && $0.event.assignment.functional.grids.isEmpty }
        #expect(summary.features == want.count && want.count > 0)
        let ids = try Self.sequence("\(dir)/f.ndjson").map { Int64($0.properties["id"]?.doubleValue ?? 0) }
        #expect(Set(ids) == Set(want.map(\.id)))
    }

    @Test("exported events carry their times in the service time zone (+08:00) in every format")
    func exportTimes() async throws {
        let db = try await Self.sampleWithEvents()
        let dir = try Fixtures.temporaryDirectory()
        var q = FeatureQuery.allEvents
        q.limit = 200
        for format in Exporter.Format.allCases {
            let path = "\(dir)/t.\(format.rawValue)"
            _ = try Exporter(format: format).exportEvents(db, query: q, to: path)
            let text = String(decoding: try FileIO.read(path), as: UTF8.self)
            #expect(WrittenTimes.all(in: text).count >= 400, "\(format)")
            #expect(WrittenTimes.notEnding(with: "+08:00", in: text).isEmpty, "\(format): \(WrittenTimes.notEnding(with: "+08:00", in: text).prefix(3))")
        }
    }

    @Test("events export with the same filters as queries; reporters only when asked; CSV quoting round-trips")
    func events() async throws {
        let db = try await Self.sampleWithEvents()
        let dir = try Fixtures.temporaryDirectory()

        let all = try Exporter(format: .geojson).exportEvents(db, query: FeatureQuery.allEvents, to: "\(dir)/all.geojson")
        #expect(all.features == 3000)
        let doc = try GeoJSONDocument.parse(FileIO.read("\(dir)/all.geojson"))
        #expect(doc.features.count == 3000)
        #expect(doc.features.allSatisfy { $0.geometryType == "Point" && $0.properties["reporter_phone"] == nil })
        #expect(doc.features.map { Int($0.properties["id"]?.doubleValue ?? 0) } == Array(1...3000))

        var q = FeatureQuery.allEvents
        q.status = .closed
        q.since = Timestamp.parse("2026-08-01")
        q.boxes = [BoundingBox(minX: 114.44, minY: 38.05, maxX: 114.46, maxY: 38.07)]
        q.limit = 10000
        let expected = try db.events(q).map(\.id).sorted()
        #expect(!expected.isEmpty)
        let filtered = try Exporter(format: .ndjson, withReporter: true).exportEvents(db, query: q, to: "\(dir)/f.ndjson")
        #expect(filtered.features == expected.count)
        let seq = try Self.sequence("\(dir)/f.ndjson")
        #expect(seq.map { Int64(Int($0.properties["id"]?.doubleValue ?? 0)) } == expected)
        #expect(seq.allSatisfy { $0.properties["status"]?.stringValue == "closed" && $0.properties["reporter_phone"]?.stringValue?.isEmpty == false })

        // A description with a comma, quotes and a line break must come back whole.
        try await db.writer.write { try $0.execute(sql: "UPDATE event SET description = ? WHERE id = 17", arguments: ["门口, \"乱停车\"\n第二行"]) }
        // The component (部件) an event names goes out with it in every format.
        try await db.writer.write { try $0.execute(sql: "UPDATE event SET component = '1301050102000005' WHERE id = 17") }
        let rows = try Self.csv(try { _ = try Exporter(format: .csv).exportEvents(db, query: FeatureQuery.allEvents, to: "\(dir)/e.csv"); return "\(dir)/e.csv" }())
        #expect(rows.count == 3001)
        let columns = Exporter(format: .csv).csvEventColumns(reporter: false)
        #expect(rows[0] == columns.map(\.name))
        #expect(rows[0] == ["id", "lon", "lat", "status", "type", "severity", "description", "channel", "occurred_at", "reported_at", "match",
                            "street", "community", "courtyard", "building", "functional", "industry", "outside", "department", "component"])
        #expect(rows.dropFirst().allSatisfy { $0.count == columns.count })
        #expect(rows[17][19] == "1301050102000005" && rows[18][19] == "")
        _ = try Exporter(format: .ndjson).exportEvents(db, query: FeatureQuery.allEvents, to: "\(dir)/all.ndjson")
        let everything = try Self.sequence("\(dir)/all.ndjson")
        #expect(everything[16].properties["component"] == .string("1301050102000005") && everything[17].properties["component"] == .null)
        let stored = try #require(try db.event(id: 17))
        #expect(rows[17][6] == "门口, \"乱停车\"\n第二行" && stored.event.description == rows[17][6])
        #expect(Double(rows[17][1]) == stored.event.lon.rounded7 && rows[17][3] == stored.status.rawValue)
    }

    @Test("a failed export leaves no file behind and keeps the previous one")
    func failure() throws {
        let db = try AppDatabase.inMemory()
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        let dir = try Fixtures.temporaryDirectory()
        #expect(throws: (any Error).self) {
            try Exporter(format: .geojson).exportGrids(db, layer: nil, level: nil, bbox: nil, to: "\(dir)/missing/g.geojson")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)

        // A grid whose stored geometry is corrupt stops the export midway: the earlier file stays as it was.
        try "previous".write(toFile: "\(dir)/g.geojson", atomically: true, encoding: .utf8)
        try db.writer.write { try $0.execute(sql: "UPDATE grid SET geometry = x'00' WHERE id = (SELECT max(id) FROM grid)") }
        #expect(throws: (any Error).self) {
            try Exporter(format: .geojson).exportGrids(db, layer: nil, level: nil, bbox: nil, to: "\(dir)/g.geojson")
        }
        #expect(try String(contentsOfFile: "\(dir)/g.geojson", encoding: .utf8) == "previous")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["g.geojson"])
    }
}

extension Double {
    fileprivate var rounded7: Double { (self * 1e7).rounded() / 1e7 }
}
