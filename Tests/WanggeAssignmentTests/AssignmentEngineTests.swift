import Foundation
import Synchronization
import Testing
import WanggeCore
import WanggeSample
import WanggeUseCases
import WanggeGeo
import WanggeStore
import WanggeTestSupport
@testable import WanggeAssignment

/// State the load tasks and the reloading task share.
final class Shared: Sendable {
    let stop = Atomic<Bool>(false)
    let seen = Locked<(sample: Int, other: Int, wrong: Int)>((0, 0, 0))
}

@Suite("Assignment engine: workers, reloads, CRS")
struct AssignmentEngineTests {
    func sampleDatabase() throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        return db
    }

    @Test("a lookup in GCJ-02 or EPSG:4547 gives the same grids as in WGS84")
    func crsLookups() async throws {
        let engine = try AssignmentEngine(repository: sampleDatabase(), workers: 2)
        let (lon, lat) = (114.453, 38.062)
        let wgs = try await engine.assign(x: lon, y: lat)
        #expect(wgs.residential.match == .inside)
        let g = ChinaOffset.wgs84ToGCJ02(lon: lon, lat: lat)
        let gcj = try await engine.assign(x: g.lon, y: g.lat, crs: .gcj02)
        #expect(gcj.residential == wgs.residential && gcj.functional == wgs.functional && gcj.industry == wgs.industry)
        let converter = try CRSConverter(.epsg(4547), context: ProjContext())
        var xy = [lon, lat]
        converter.fromWGS84(&xy)
        let gk = try await engine.assign(x: xy[0], y: xy[1], crs: .epsg(4547))
        #expect(gk.residential == wgs.residential)
        await #expect(throws: WanggeError.self) { try await engine.assign(x: .nan, y: 38) }
        await #expect(throws: WanggeError.self) { try await engine.assign(x: 1, y: 2, crs: .epsg(999_999)) }
    }

    @Test("the index kept beside the database: written at the first start, read at the next with the same answers, rebuilt when the grids change or the file is damaged")
    func indexFile() async throws {
        let db = try sampleDatabase()
        let path = try Fixtures.temporaryDirectory() + "/wangge.db.index"
        let built = try AssignmentEngine(repository: db, workers: 1)
        let first = try AssignmentEngine(repository: db, workers: 1, indexFile: path)
        #expect(!first.startedFromFile && FileManager.default.fileExists(atPath: path))
        let second = try AssignmentEngine(repository: db, workers: 2, indexFile: path)
        #expect(second.startedFromFile)
        // Every answer the same, at random points and on every grid's corners (edges and boundary cells).
        var rng = SampleRandom(seed: 3)
        var points = (0..<5000).map { _ in (rng.uniform(114.40, 114.50), rng.uniform(38.03, 38.09)) }
        for g in built.snapshot.grids {
            if case .polygon(let p)? = try? WKB.decode(g.wkb) { points.append((p.exterior.xy[0], p.exterior.xy[1])) }
        }
        for (x, y) in points {
            let a = try built.assignBlocking(x: x, y: y, snapMetres: 300), b = try second.assignBlocking(x: x, y: y, snapMetres: 300)
            #expect(a == b, "\(x), \(y)")
        }
        // Another layer's grids: the checksum differs, so the file is rebuilt, not used.
        let imported = try BoundaryImport(options: BoundaryOptions(layer: .residential)).run(data: BoundaryFileBuilder.cleanHierarchy().bytes, source: "small", repository: db)
        #expect(imported.landed != nil)
        let changed = try AssignmentEngine(repository: db, workers: 1, indexFile: path)
        #expect(!changed.startedFromFile)
        #expect(try AssignmentEngine(repository: db, workers: 1, indexFile: path).startedFromFile)
        // A damaged file (a flipped byte in a raster, then a truncated one) is rebuilt, never read.
        for damage in [{ (b: inout [UInt8]) in b[b.count - 5] ^= 0x7F; b[b.count / 2] ^= 0xFF }, { (b: inout [UInt8]) in b.removeLast(100) }] {
            var bytes = try FileIO.read(path)
            damage(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let e = try AssignmentEngine(repository: db, workers: 1, indexFile: path)
            let reference = try AssignmentEngine(repository: db, workers: 1)
            for (x, y) in points.prefix(500) { #expect(try e.assignBlocking(x: x, y: y) == reference.assignBlocking(x: x, y: y)) }
        }
        for e in [built, first, second, changed] { e.shutdown() }
    }

    @Test("many tasks keep getting consistent answers while reloads swap the index underneath")
    func reloadUnderLoad() async throws {
        // Two different layers to swap between: the sample, and a small hierarchy elsewhere.
        let db = try sampleDatabase()
        let engine = try AssignmentEngine(repository: db, workers: 3)
        let point = (x: 114.453, y: 38.062)
        let sampleAnswer = try await engine.assign(x: point.x, y: point.y).residential
        let small = BoundaryFileBuilder.cleanHierarchy().bytes
        let smallChecked = BoundaryValidator().check(small, options: BoundaryOptions(layer: .residential))
        let smallSnapshot = try GridIndexSnapshot.build(
            grids: smallChecked.grids.enumerated().map { StoredGrid($1, id: Int64($0 + 1)) }, generation: 0)
        let smallAnswer = try GridIndexReplica(snapshot: smallSnapshot).assign(lon: point.x, lat: point.y).residential
        #expect(smallAnswer != sampleAnswer)
        let original = try FileIO.read("\(Fixtures.geoData)/residential.geojson")
        let shared = Shared()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while !shared.stop.load(ordering: .relaxed) {
                        // Lookups that borrow a replica never suspend; yield so the reloading task gets a thread.
                        await Task.yield()
                        let a = try await engine.assign(x: point.x, y: point.y).residential
                        shared.seen.withLock { s in
                            if a == sampleAnswer { s.sample += 1 }
                            else if a == smallAnswer { s.other += 1 }
                            else { s.wrong += 1 }
                        }
                    }
                }
            }
            group.addTask {
                for k in 0..<6 {
                    let data = k % 2 == 0 ? small : original
                    _ = try BoundaryImport(options: BoundaryOptions(layer: .residential)).run(data: data, source: "swap", repository: db)
                    let before = shared.seen.withLock { $0 }
                    try await engine.reload()
                    // Let the readers see this index before the next swap (bounded, for slow sanitizer runs).
                    let deadline = ContinuousClock.now + .seconds(10)
                    while ContinuousClock.now < deadline {
                        let now = shared.seen.withLock { $0 }
                        if (k % 2 == 0 ? now.other > before.other : now.sample > before.sample) { break }
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
                shared.stop.store(true, ordering: .relaxed)
            }
            try await group.waitForAll()
        }
        let s = shared.seen.withLock { $0 }
        #expect(s.wrong == 0, "answers from a half-swapped index: \(s)")
        #expect(s.sample > 0 && s.other > 0, "both indexes answered: \(s)")
        #expect(engine.snapshot.generation == 7)
        // After the last reload (the sample again), every worker answers from it.
        for _ in 0..<10 { #expect(try await engine.assign(x: point.x, y: point.y).residential == sampleAnswer) }
    }
}
