import Foundation
import Testing
import WanggeCore
import WanggeGeo
import WanggeStore
import WanggeTestSupport
@testable import WanggeSample
import WanggeUseCases
import WanggeAssignment

@Suite("The Xiyuan sample")
struct SampleTests {
    @Test("the committed GeoData is exactly what the generator writes for the default seed")
    func reproducible() throws {
        let dir = try Fixtures.temporaryDirectory()
        let sample = try SampleGenerator().generate()
        try SampleFiles.write(sample, seed: 20111001, to: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files.count == 21)
        for f in files {
            let made = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(f)"))
            let committed = try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/\(f)"))
            #expect(made == committed, "GeoData/\(f) differs from the generator's output; run `wangge sample generate`")
        }
    }

    @Test("the sample goes only into a database with nothing in it: one holding its own boundaries gets none of it")
    func loadsOnlyIntoEmpty() async throws {
        let own = try AppDatabase.inMemory()
        _ = try BoundaryImport(options: BoundaryOptions(layer: .functional)).run(file: "\(Fixtures.geoData)/functional.geojson", repository: own)
        #expect(try await SampleFiles.loadIfEmpty(from: Fixtures.geoData, into: own) == nil)
        #expect(try own.countEvents(.allEvents) == 0 && own.counts().map(\.layer) == [.functional] && own.setting(ServicePoints.settingKey) == nil)
        let empty = try AppDatabase.inMemory()
        let loaded = try #require(try await SampleFiles.loadIfEmpty(from: Fixtures.geoData, into: empty))
        #expect(loaded.grids == 115 && loaded.events == 3000 && loaded.servicePoints)
        #expect(try empty.countEvents(.allEvents) == 3000 && empty.departments().count == 13)
    }

    @Test("the sample imports with 7/25/68 residential, 4 functional and 10 industry grids and no defects")
    func imports() throws {
        let db = try AppDatabase.inMemory()
        let outcomes = try SampleFiles.load(from: Fixtures.geoData, into: db)
        #expect(outcomes.allSatisfy { $0.check.defects.isEmpty })
        let counts = try db.counts()
        func n(_ layer: GridLayer, _ level: GridLevel?) -> Int? { counts.first { $0.layer == layer && $0.level == level }?.count }
        #expect(n(.residential, .street) == 1)
        #expect(n(.residential, .community) == 7)
        #expect(n(.residential, .courtyard) == 25)
        #expect(n(.residential, .building) == 68)
        #expect(n(.functional, nil) == 4)
        #expect(n(.industry, nil) == 10)
        let street = try #require(counts.first { $0.level == .street })
        #expect(abs(street.areaM2 - 2.51e6) / 2.51e6 < 0.01)
        // Every level covers the same area (children tile their parents).
        for level in LevelScheme.standard.levels {
            #expect(abs(counts.first { $0.level == level }!.areaM2 - street.areaM2) < 1.0)
        }
    }

    @Test("grids have irregular shapes with tens to hundreds of vertices")
    func shapes() throws {
        let doc = try GeoJSONDocument.parse(FileIO.read("\(Fixtures.geoData)/residential.geojson"))
        let counts = doc.features.map { $0.coordinates!.xy.count / 2 }
        #expect(counts.allSatisfy { $0 >= 20 })
        #expect(counts.max()! >= 200)
    }

    @Test("organisations lie inside the overlay grid that groups them; 103 institutions and 206 firms")
    func organisations() throws {
        let geos = GeosContext()
        var grids: [String: GeosPreparedGeometry] = [:]
        for layer in ["functional", "industry"] {
            for f in try GeoJSONDocument.parse(FileIO.read("\(Fixtures.geoData)/\(layer).geojson")).features {
                let g = try GeosGeometry(f.polygonalGeometry(code: nil).geometry!, in: geos)
                grids[f.properties["code"]!.stringValue!] = try GeosPreparedGeometry(g)
            }
        }
        let orgs = try GeoJSONDocument.parse(FileIO.read("\(Fixtures.geoData)/organisations.geojson")).features
        #expect(orgs.filter { $0.properties["kind"] == .string("public_institution") }.count == 103)
        #expect(orgs.filter { $0.properties["kind"] != .string("public_institution") }.count == 206)
        for o in orgs {
            let xy = o.coordinates!.xy
            let grid = try #require(grids[o.properties["grid"]!.stringValue!])
            #expect(try grid.contains(x: xy[0], y: xy[1]), "\(o.properties["name"]!)")
        }
    }

    @Test("the EPSG:4547 and GCJ-02 copies import to the same grids within 5 cm")
    func crsCopies() throws {
        let validator = BoundaryValidator()
        let base = validator.check(try FileIO.read("\(Fixtures.geoData)/residential.geojson"), options: BoundaryOptions(layer: .residential))
        #expect(base.isClean)
        for (file, crs) in [(SampleFiles.epsg4547Copy, CRS?.none), (SampleFiles.gcj02Copy, CRS.gcj02)] {
            let copy = validator.check(try FileIO.read("\(Fixtures.geoData)/\(file)"), options: BoundaryOptions(layer: .residential, crs: crs))
            #expect(copy.isClean, "\(file): \(copy.defects.prefix(3))")
            #expect(copy.grids.count == base.grids.count)
            var worst = 0.0
            for (a, b) in zip(base.grids, copy.grids) {
                #expect(a.code == b.code)
                var perimeter = 0.0
                for (pa, pb) in zip(a.geometry.polygons, b.geometry.polygons) {
                    for (ra, rb) in zip(pa.rings, pb.rings) {
                        #expect(ra.pointCount == rb.pointCount)
                        for i in 0..<ra.pointCount {
                            let (x1, y1) = ra.point(i), (x2, y2) = rb.point(i)
                            worst = max(worst, Geodesic.wgs84.distance(lon1: x1, lat1: y1, lon2: x2, lat2: y2))
                            if i > 0 {
                                let (x0, y0) = ra.point(i - 1)
                                perimeter += Geodesic.wgs84.distance(lon1: x0, lat1: y0, lon2: x1, lat2: y1)
                            }
                        }
                    }
                }
                // Moving every vertex by under 5 cm changes the area by less than perimeter × 5 cm.
                #expect(abs(a.areaM2 - b.areaM2) < perimeter * 0.05)
            }
            #expect(worst < 0.05, "\(file): worst vertex offset \(worst) m")
        }
    }
}

@Suite("The sample's quarter of events")
struct SampleHistoryTests {
    @Test("replays through the real closed loop with the seed's mix of outcomes")
    func replay() async throws {
        let db = try AppDatabase.inMemory()
        try Catalogue.loadDepartmentsAndTypes(from: Fixtures.geoData, into: db)
        try Catalogue.loadServiceLevelsAndRouting(from: Fixtures.geoData, into: db)
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        let engine = try AssignmentEngine(repository: db, workers: 2)
        let loaded = try await SampleFiles.loadHistory(from: Fixtures.geoData, into: db, engine: engine)
        #expect(loaded == 3000)
        var q = FeatureQuery.allEvents
        q.limit = 5000
        let events = try db.events(q)
        #expect(events.count == 3000)
        let closed = events.filter { $0.status == .closed || $0.status == .evaluated }.count
        let rate = Double(closed) / Double(events.count)
        #expect(rate > 0.85 && rate < 0.92, "resolution rate \(rate)")
        let states = try events.map { try #require(db.workflow(eventID: $0.id)?.1) }
        let evaluated = states.filter { $0.status == .evaluated }
        let content = evaluated.filter { $0.satisfaction != .dissatisfied }.count
        #expect(Double(content) / Double(evaluated.count) >= 0.98)
        #expect(states.reduce(0) { $0 + $1.reworks } > 50)
        #expect(states.reduce(0) { $0 + $1.returns } > 50)
        #expect(states.filter { $0.ratingInputs?.onTime == false }.count > 100)
        #expect(events.filter { $0.event.isOutside }.count > 20)
        // Every event's history starts with its report and follows the workflow's transitions.
        let history = try db.history(eventID: events.last!.id)
        #expect(history.first?.action == "report")
        #expect(history.count == states.last!.version)
        // The loop's early warnings have something to show at the end of the quarter.
        let loop = ClosedLoop(repository: db) { SampleHistory.end }
        #expect(try loop.warnings(for: nil).contains { $0.deadline.level == .red })
    }
}
