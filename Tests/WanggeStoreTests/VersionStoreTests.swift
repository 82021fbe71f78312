import Foundation
import GRDB
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeStore

@Suite("Boundary versions in storage")
struct VersionStoreTests {
    func grid(_ code: String, level: GridLevel = .community, parent: String? = "S", area: Double = 1000) -> GridFeature {
        GridFeature(layer: .residential, code: code, name: "grid \(code)", level: level, parent: level == .street ? nil : parent,
                    geometry: .point(x: 114.45, y: 38.06), wkb: [1, 1, 0, 0, 0], bbox: BoundingBox(minX: 114.45, minY: 38.06, maxX: 114.451, maxY: 38.061),
                    areaM2: area, properties: JSONObject())
    }

    @Test("a staged version is stored whole but changes nothing in use: not the grids, not the mark")
    func staged() throws {
        let db = try AppDatabase.inMemory()
        let first = try db.replaceLayer(.residential, with: [grid("S", level: .street), grid("A")], source: "a", crs: "EPSG:4326")
        let mark = try db.boundaryMark()
        let staged = try db.stageLayer(.residential, with: [grid("S", level: .street), grid("A", area: 2000), grid("B")], source: "b", crs: "EPSG:4326")
        #expect(staged.status == .staged && staged.validFrom == nil && staged.validTo == nil)
        #expect(try db.grids(in: .residential).map(\.code) == ["S", "A"])
        #expect(try db.boundaryMark() == mark)
        #expect(try db.versionGrids(staged.id).map(\.code) == ["S", "A", "B"])
        #expect(try db.versionGrids(staged.id).map(\.areaM2) == [1000, 2000, 1000])
        #expect(try db.imports(layer: .residential).map(\.status) == [.staged, .active])
        #expect(try db.activeVersions()[.residential]?.id == first.id)
    }

    @Test("activation retires the active version at that instant, puts the staged grids in use and moves the mark; the dates answer which was valid when")
    func activation() throws {
        let db = try AppDatabase.inMemory()
        let first = try db.replaceLayer(.residential, with: [grid("S", level: .street), grid("A")], source: "a", crs: "EPSG:4326")
        let staged = try db.stageLayer(.residential, with: [grid("S", level: .street), grid("B")], source: "b", crs: "EPSG:4326")
        let mark = try db.boundaryMark()
        let t = first.validFrom! + 3600
        let active = try db.activate(version: staged.id, at: t)
        #expect(active.id == staged.id && active.status == .active && active.validFrom == t && active.validTo == nil)
        #expect(try db.grids(in: .residential).map(\.code) == ["S", "B"])
        #expect(try db.grids(in: .residential).allSatisfy { $0.importID == staged.id })
        #expect(try db.boundaryMark() > mark)
        let retired = try #require(try db.version(first.id))
        #expect(retired.status == .retired && retired.validTo == t)
        #expect(try db.version(of: .residential, at: t - 1)?.id == first.id)
        #expect(try db.version(of: .residential, at: t)?.id == staged.id)
        #expect(try db.version(of: .residential, at: first.validFrom! - 1) == nil)
        let rtree = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM grid_rtree")! }
        #expect(rtree == 2)
        // Activating the active version again changes nothing.
        #expect(try db.activate(version: staged.id, at: t + 10) == active)
        #expect(try db.boundaryMark() == db.boundaryMark())
    }

    @Test("going back: a retired version's grids come back as a new version; an activation before the active version's start is refused")
    func goingBack() throws {
        let db = try AppDatabase.inMemory()
        let first = try db.replaceLayer(.residential, with: [grid("S", level: .street), grid("A")], source: "a", crs: "EPSG:4326")
        let second = try db.replaceLayer(.residential, with: [grid("S", level: .street), grid("B")], source: "b", crs: "EPSG:4326")
        let t = second.validFrom! + 60
        let again = try db.activate(version: first.id, at: t)
        #expect(again.id != first.id && again.status == .active && again.source.contains("again, from version \(first.id)"))
        #expect(try db.grids(in: .residential).map(\.code) == ["S", "A"])
        #expect(try db.version(first.id)?.validTo == second.validFrom, "the first period of validity is kept")
        let staged = try db.stageLayer(.residential, with: [grid("S", level: .street)], source: "c", crs: "EPSG:4326")
        #expect(throws: WanggeError.self) { try db.activate(version: staged.id, at: t - 1) }
        #expect(try db.grids(in: .residential).map(\.code) == ["S", "A"], "a refused activation changes nothing")
        #expect(throws: WanggeError.notFound("no boundary version 999")) { try db.activate(version: 999, at: t) }
    }

    @Test("one layer's activation leaves the other layers' versions alone")
    func layers() throws {
        let db = try AppDatabase.inMemory()
        let f = GridFeature(layer: .functional, code: "F1", name: "F1", level: nil, parent: nil, geometry: .point(x: 114.45, y: 38.06),
                            wkb: [1, 1, 0, 0, 0], bbox: BoundingBox(minX: 114.45, minY: 38.06, maxX: 114.451, maxY: 38.061), areaM2: 10, properties: JSONObject())
        let functional = try db.replaceLayer(.functional, with: [f], source: "f", crs: "EPSG:4326")
        _ = try db.replaceLayer(.residential, with: [grid("S", level: .street)], source: "a", crs: "EPSG:4326")
        _ = try db.replaceLayer(.residential, with: [grid("S", level: .street), grid("A")], source: "b", crs: "EPSG:4326")
        #expect(try db.version(functional.id)?.status == .active)
        #expect(try db.grids(in: .functional).map(\.code) == ["F1"])
        let active = try db.activeVersions()
        #expect(active.count == 2)
    }

    @Test("migration v9: the newest import of each layer becomes its active version (valid from its import) with its grids kept; older imports are retired without grids and cannot be activated")
    func migrated() throws {
        let path = try MigrationTests.copy("v4-report-columns.db")
        let before = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, layer, imported_at FROM grid_import ORDER BY id")
        }
        let db = try AppDatabase(path: path)
        let versions = try db.imports(layer: nil)
        #expect(versions.count == before.count)
        for layer in Set(before.map { $0["layer"] as String }) {
            let rows = before.filter { $0["layer"] == layer }
            let newest: Int64 = rows.last!["id"]
            let active = try #require(try db.activeVersions()[GridLayer(rawValue: layer)!])
            #expect(active.id == newest && active.validFrom == rows.last!["imported_at"] && active.gridsKept)
            #expect(try db.versionGrids(newest).map(\.code).sorted() == db.grids(in: GridLayer(rawValue: layer)!).map(\.code).sorted())
            for r in rows.dropLast() {
                let v = try #require(try db.version(r["id"]))
                #expect(v.status == .retired && !v.gridsKept && v.validTo != nil)
                #expect(throws: WanggeError.self) { try db.activate(version: v.id, at: Date().timeIntervalSince1970) }
            }
        }
        #expect(try db.boundaryMark() > 0)
    }
}
