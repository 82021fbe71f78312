import Foundation
import GRDB
import Testing
import WanggeCore
@testable import WanggeStore

@Suite("Counting events in a box")
struct EventCountTests {
    /// Events on a fine lattice (many exactly on box edges), some of them indexed, the rest not yet.
    static func database(_ db: AppDatabase? = nil) throws -> AppDatabase {
        let db = try db ?? AppDatabase.inMemory()
        try db.replaceCatalog(departments: [Department(code: "d", name: "d", nameEn: "d", phone: "")],
                              eventTypes: [EventType(code: "t", name: "t", nameEn: "t", category: "事", defaultDepartment: "d")])
        var inserts: [EventInsert] = []
        for i in 0..<3000 {
            let lon = 114.45 + Double(i % 60) * 0.0001, lat = 38.05 + Double(i / 60) * 0.0001 + (i % 7 == 0 ? 1e-9 : 0)
            inserts.append(insert(lon: lon, lat: lat))
        }
        _ = try db.insert(inserts)
        _ = try db.indexPendingEvents(limit: 2000)
        return db
    }

    static func insert(lon: Double, lat: Double) -> EventInsert {
        let a = PointAssignment(lon: lon, lat: lat, residential: ResidentialAnswer(match: .outside),
                                functional: OverlayAnswer(match: .outside), industry: OverlayAnswer(match: .outside))
        let e = NewEvent(type: "t", severity: 1, lon: lon, lat: lat, inputCRS: "EPSG:4326", inputX: lon, inputY: lat,
                         description: "", reporterName: "", reporterPhone: "", channel: .web, occurredAt: 0, reportedAt: 0,
                         assignment: a, submittedBy: nil)
        return EventInsert(event: e, actor: nil, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") }
    }

    static func boxCount(_ db: AppDatabase, _ b: BoundingBox) throws -> Int {
        var q = FeatureQuery.allEvents
        q.boxes = [b]
        return try db.countEvents(q)
    }

    @Test("a page's ids are the largest of the box's, largest first, for every size and page length")
    func largest() {
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 2, 3, 10, 101, 102, 1000, 4321] {
            let ids = (0..<n).map { _ in Int64.random(in: 1...1_000_000, using: &rng) }
            let distinct = Array(Set(ids)).shuffled()
            for k in [1, 2, 50, 100, 101, 1000, 5000] {
                #expect(AppDatabase.largest(k, of: distinct) == Array(distinct.sorted(by: >).prefix(k)), "n \(n) k \(k)")
            }
        }
        #expect(AppDatabase.largest(0, of: [3, 1, 2]).isEmpty)
    }

    @Test("the point index and the R*Tree agree with checking every event, on edges, for unindexed events, and for empty boxes")
    func agrees() throws {
        let db = try Self.database()
        // Events added after the point index was first read (it catches up), and one cell row apart.
        #expect(try Self.boxCount(db, BoundingBox(minX: 114.44, minY: 38.04, maxX: 114.47, maxY: 38.06)) == 3000)
        _ = try db.insert([Self.insert(lon: 114.4512, lat: 38.0515), Self.insert(lon: 114.452, lat: 38.052), Self.insert(lon: 114.4529999, lat: 38.0519999)])
        // Seeded, so a failure names boxes that fail again.
        var rng = SplitMix64(seed: 7)
        let all = try db.events({ var q = FeatureQuery.allEvents; q.limit = 10_000; return q }())
        var boxes = [BoundingBox(minX: 114.4510, minY: 38.0510, maxX: 114.4530, maxY: 38.0520),  // edges on lattice lines
                     BoundingBox(minX: 114.44, minY: 38.04, maxX: 114.47, maxY: 38.06),           // everything
                     BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1)]                            // nothing
        for _ in 0..<200 {
            let x = 114.4495 + Double.random(in: 0...0.007, using: &rng), y = 38.0495 + Double.random(in: 0...0.006, using: &rng)
            boxes.append(BoundingBox(minX: x, minY: y, maxX: x + Double.random(in: 0...0.003, using: &rng), maxY: y + Double.random(in: 0...0.003, using: &rng)))
        }
        for b in boxes {
            let exact = all.filter { $0.event.lon >= b.minX && $0.event.lon <= b.maxX && $0.event.lat >= b.minY && $0.event.lat <= b.maxY }.count
            var q = FeatureQuery.allEvents
            q.boxes = [b]
            #expect(try db.countEvents(q) == exact, "box \(b)")
            let (fromPoints, fromTree) = try db.writer.read { d in (try db.eventIDs(in: b, d), try db.eventIDsFromTree(in: b, d)) }
            #expect(fromPoints.sorted() == fromTree.sorted(), "box \(b)")
            q.status = .reported  // the general path, for comparison
            #expect(try db.countEvents(q) == exact)
        }
    }

    @Test("reading the points ahead fills the index with every event, and a box then needs no catching up")
    func warm() throws {
        let db = try Self.database()
        #expect(db.points?.heldUpTo == 0)
        try db.warmEventPoints()
        let newest = try db.writer.read { try Int64.fetchOne($0, sql: "SELECT max(id) FROM event") }
        #expect(db.points?.heldUpTo == newest)
        #expect(try Self.boxCount(db, BoundingBox(minX: 114.44, minY: 38.04, maxX: 114.47, maxY: 38.06)) == 3000)
    }

    @Test("a read answers from the point index as of its own snapshot, not with events another connection added since")
    func snapshot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-points-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.database(AppDatabase(path: dir.appendingPathComponent("w.db").path))
        let box = BoundingBox(minX: 114.4510, minY: 38.0510, maxX: 114.4530, maxY: 38.0520)
        let before = try Self.boxCount(db, box)
        let (seen, inside) = try db.snapshotRead { d -> (Int, Int) in
            let seen = try Int.fetchOne(d, sql: "SELECT count(*) FROM event") ?? 0  // the snapshot starts here
            // Another connection adds an event in the box and brings the index up to it.
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var failure: (any Error)?
            Thread.detachNewThread {
                do {
                    _ = try db.insert([Self.insert(lon: 114.452, lat: 38.0515)])
                    #expect(try Self.boxCount(db, box) == before + 1)
                } catch { failure = error }
                done.signal()
            }
            done.wait()
            if let failure { throw failure }
            return (seen, try db.eventIDs(in: box, d).count)
        }
        #expect(seen == 3000)
        #expect(inside == before)
        #expect(try Self.boxCount(db, box) == before + 1)
    }
}

/// A small seeded generator (SplitMix64), so the boxes are the same in every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
