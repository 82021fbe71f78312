import Foundation
import GRDB
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeStore

@Suite("Grid storage")
struct GridStoreTests {
    func grid(_ code: String, layer: GridLayer = .residential, level: GridLevel? = .community, parent: String? = "S",
              x: Double = 114.45) -> GridFeature {
        GridFeature(layer: layer, code: code, name: "grid \(code)", level: layer == .residential ? level : nil,
                    parent: layer == .residential ? parent : nil,
                    geometry: .point(x: x, y: 38.06), wkb: [1, 1, 0, 0, 0], bbox: BoundingBox(minX: x, minY: 38.06, maxX: x + 0.001, maxY: 38.061),
                    areaM2: 1000, properties: JSONObject([("households", .number(JSONNumber(120)))]))
    }

    @Test("a layer is stored, read back and replaced as a whole")
    func replace() throws {
        let db = try AppDatabase.inMemory()
        let first = try db.replaceLayer(.residential, with: [grid("S", level: .street, parent: nil), grid("A"), grid("B")], source: "a.geojson", crs: "EPSG:4326")
        _ = try db.replaceLayer(.functional, with: [grid("F1", layer: .functional)], source: "f.geojson", crs: "EPSG:4326")
        #expect(first.gridCount == 3)
        let stored = try db.grids(in: .residential)
        #expect(stored.map(\.code) == ["S", "A", "B"])  // ordered by level, then code
        #expect(stored[1].properties["households"]?.doubleValue == 120)
        #expect(stored[1].wkb == [1, 1, 0, 0, 0])
        #expect(try db.children(ofResidential: "S").map(\.code) == ["A", "B"])

        let second = try db.replaceLayer(.residential, with: [grid("S", level: .street, parent: nil), grid("C")], source: "b.geojson", crs: "EPSG:4547")
        #expect(second.id > first.id)
        #expect(try db.grids(in: .residential).map(\.code) == ["S", "C"])
        #expect(try db.grids(in: .functional).count == 1, "other layers are untouched")
        #expect(try db.imports(layer: .residential).map(\.source) == ["b.geojson", "a.geojson"])
        let rtree = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM grid_rtree")! }
        #expect(rtree == 3)
        // What the index reads: the same grids in the same order with every member it uses.
        let all = try db.grids(in: nil), index = try db.indexGrids()
        #expect(index.count == all.count && all.count == 3)
        for (i, g) in zip(index, all) {
            #expect(i.id == g.id && i.layer == g.layer && i.code == g.code && i.level == g.level && i.parent == g.parent)
            #expect(i.wkb == g.wkb && i.bbox == g.bbox && i.importID == g.importID)
        }
    }

    @Test("a failure inside the transaction leaves the previous layer exactly as it was")
    func atomic() throws {
        let db = try AppDatabase.inMemory()
        _ = try db.replaceLayer(.residential, with: [grid("S", level: .street, parent: nil), grid("A")], source: "good", crs: "EPSG:4326")
        // Two grids with one code violate UNIQUE(layer, code) halfway through the inserts.
        #expect(throws: (any Error).self) {
            try db.replaceLayer(.residential, with: [grid("S", level: .street, parent: nil), grid("X"), grid("X")], source: "bad", crs: "EPSG:4326")
        }
        #expect(try db.grids(in: .residential).map(\.code) == ["S", "A"])
        #expect(try db.imports(layer: nil).map(\.source) == ["good"])
    }

    @Test("counts per layer and level add up areas")
    func counts() throws {
        let db = try AppDatabase.inMemory()
        _ = try db.replaceLayer(.residential, with: [grid("S", level: .street, parent: nil), grid("A"), grid("B")], source: "x", crs: "EPSG:4326")
        let c = try db.counts()
        #expect(c == [GridCount(layer: .residential, level: .street, count: 1, areaM2: 1000),
                      GridCount(layer: .residential, level: .community, count: 2, areaM2: 2000)])
    }

    @Test("the on-disk database runs in WAL mode with full sync")
    func wal() throws {
        let dir = try Fixtures.temporaryDirectory()
        let db = try AppDatabase(path: "\(dir)/w.db")
        let mode = try db.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode")! }
        #expect(mode == "wal")
        let sync = try db.writer.read { try Int.fetchOne($0, sql: "PRAGMA synchronous")! }
        #expect(sync == 2)
    }
}
