import Foundation
import Testing
import WanggeCore
import WanggeSample
import WanggeUseCases
import WanggeGeo
import WanggeStore
import WanggeTestSupport
@testable import WanggeUseCases
import WanggeAssignment

@Suite("Boundary import: all or nothing")
struct BoundaryImportTests {
    /// A database holding the sample, and a snapshot of what it holds.
    func loadedDatabase() throws -> (AppDatabase, [StoredGrid], [LayerImport]) {
        let db = try AppDatabase.inMemory()
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        return (db, try db.grids(in: nil), try db.imports(layer: nil))
    }

    static let badFiles: [(String, Defect.Kind)] = [
        ("{\"type\":\"FeatureCollection\",\"features\":[", .malformedJSON),
        (#"{"type":"Feature","geometry":null,"properties":{}}"#, .notFeatureCollection),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","name":"a","level":"street"},"geometry":{"type":"Polygon","coordinates":[[[114.45,38.06],[114.46,38.06],[114.46,38.07]]]}}]}"#, .ringTooShort),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","name":"a","level":"street"},"geometry":{"type":"Polygon","coordinates":[[[38.06,114.45],[38.06,114.46],[38.07,114.46],[38.06,114.45]]]}}]}"#, .coordinateOutOfRange),
        (#"{"type":"FeatureCollection","features":[]}"#, .emptyLayer),
    ]

    @Test("a bad file is rejected with its defect and leaves the database unchanged", arguments: badFiles)
    func rejected(_ text: String, _ kind: Defect.Kind) throws {
        let (db, before, importsBefore) = try loadedDatabase()
        let outcome = try BoundaryImport(options: BoundaryOptions(layer: .residential))
            .run(data: Array(text.utf8), source: "bad.geojson", repository: db)
        #expect(outcome.landed == nil)
        #expect(outcome.check.defects.contains { $0.kind == kind }, "\(outcome.check.defects)")
        #expect(try db.grids(in: nil) == before)
        #expect(try db.imports(layer: nil) == importsBefore)
    }

    @Test("every kind of residential defect is rejected by import and the stored layer stays as it was",
          arguments: BadBoundaryCase.all)
    func rejectedHierarchy(_ c: BadBoundaryCase) throws {
        let (db, before, importsBefore) = try loadedDatabase()
        let outcome = try BoundaryImport(options: BoundaryOptions(layer: .residential))
            .run(data: c.make().bytes, source: "bad.geojson", repository: db)
        #expect(outcome.landed == nil)
        #expect(outcome.check.defects.contains { $0.kind == c.kind && $0.message.contains(c.mentions) }, "\(outcome.check.defects)")
        #expect(try db.grids(in: nil) == before)
        #expect(try db.imports(layer: nil) == importsBefore)
    }

    @Test("a hierarchy defect anywhere rejects the whole layer: nothing half-written")
    func hierarchyDefect() throws {
        let (db, before, _) = try loadedDatabase()
        var text = String(decoding: try FileIO.read("\(Fixtures.geoData)/residential.geojson"), as: UTF8.self)
        // Re-parent the last building to a courtyard that does not exist.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var last = String(lines[lines.count - 3])
        let parent = last.range(of: #""parent":"[0-9]+""#, options: .regularExpression)!
        last.replaceSubrange(parent, with: #""parent":"999""#)
        text = (lines[..<(lines.count - 3)] + [Substring(last)] + lines[(lines.count - 2)...]).joined(separator: "\n")
        let outcome = try BoundaryImport(options: BoundaryOptions(layer: .residential)).run(data: Array(text.utf8), source: "x", repository: db)
        #expect(outcome.check.defects.map(\.kind).contains(.unknownParent))
        #expect(outcome.check.defects.map(\.kind).contains(.parentNotCovered), "its old parent now has a gap")
        #expect(try db.grids(in: nil) == before)
    }

    @Test("the defect report is a GeoJSON layer with one feature per defect")
    func report() throws {
        let dir = try Fixtures.temporaryDirectory()
        var b = BoundaryFileBuilder.cleanHierarchy()
        b.features[4].geometry = BoundaryFileBuilder.polygon([BoundaryFileBuilder.box(114.450, 38.0608, 114.452, 38.062)])
        let outcome = try BoundaryImport(options: BoundaryOptions(layer: .residential), reportPath: "\(dir)/d.geojson")
            .run(data: b.bytes, source: "x", repository: nil)
        let doc = try GeoJSONDocument.parse(FileIO.read("\(dir)/d.geojson"))
        #expect(doc.features.count == outcome.check.defects.count)
        let overlap = try #require(doc.features.first { $0.properties["kind"] == .string("sibling_overlap") })
        #expect(overlap.geometryType == "Polygon")
        #expect(overlap.properties["code"] == .string("Y2"))
        #expect((overlap.properties["area_m2"]?.doubleValue ?? 0) > 1000)
    }

    @Test("a dry run checks but stores nothing")
    func dryRun() throws {
        let db = try AppDatabase.inMemory()
        let outcome = try BoundaryImport(options: BoundaryOptions(layer: .residential), dryRun: true)
            .run(data: BoundaryFileBuilder.cleanHierarchy().bytes, source: "x", repository: db)
        #expect(outcome.check.isClean && outcome.landed == nil)
        #expect(try db.grids(in: nil).isEmpty)
    }

    @Test("importing a layer replaces the previous boundaries of that layer only")
    func replaces() throws {
        let (db, _, _) = try loadedDatabase()
        let outcome = try BoundaryImport(options: BoundaryOptions(layer: .residential))
            .run(data: BoundaryFileBuilder.cleanHierarchy().bytes, source: "small.geojson", repository: db)
        #expect(outcome.landed?.gridCount == 7)
        #expect(try db.grids(in: .residential).count == 7)
        #expect(try db.grids(in: .industry).count == 10)
    }
}
