import WanggeCore
import WanggeGeo

/// What the fast CSV and JSON writers need of a snapshot's grids, flat and read by every worker of a run: each
/// code's UTF-8 bytes, the same escaped for the inside of a JSON string, and each grid's level rank and parent.
/// The bytes are kept in buffers allocated in `init` and freed in `deinit` (owned here), so the writers read them
/// through plain pointers, with no reference count touched per code. `@unchecked Sendable`: nothing is written
/// after `init`, so any number of threads may read.
final class BatchCodeTable: @unchecked Sendable {
    let generation: Int
    private let raw: UnsafeMutableBufferPointer<UInt8>
    private let rawStart: [Int32]
    private let json: UnsafeMutableBufferPointer<UInt8>
    private let jsonStart: [Int32]
    /// `GridLevel.rank` (0 street … 3 building), or -1 for an overlay grid.
    private let rank: [Int8]
    private let parent: [Int32]
    /// How many levels the residential layer has (its scheme's), and their names as JSON-safe bytes.
    let depth: Int
    let levelKeys: [UnsafeBufferPointer<UInt8>]
    /// `BatchAssignment.addedFields` for the snapshot's scheme, as UTF-8.
    let addedKeys: [[UInt8]]
    private let levelKeyBytes: UnsafeMutableBufferPointer<UInt8>

    init(_ snapshot: GridIndexSnapshot) {
        generation = snapshot.generation
        var raw: [UInt8] = [], json: [UInt8] = [], rawStart: [Int32] = [0], jsonStart: [Int32] = [0]
        for g in snapshot.grids {
            raw.append(contentsOf: g.code.utf8)
            rawStart.append(Int32(raw.count))
            var w = GeoJSONWriter()
            w.appendString(g.code)
            json.append(contentsOf: w.bytes.dropFirst().dropLast())
            jsonStart.append(Int32(json.count))
        }
        func owned(_ a: [UInt8]) -> UnsafeMutableBufferPointer<UInt8> {
            let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(a.count, 1))
            _ = p.initialize(from: a)
            return p
        }
        self.raw = owned(raw)
        self.json = owned(json)
        self.rawStart = rawStart
        self.jsonStart = jsonStart
        rank = snapshot.grids.map { Int8($0.level?.rank ?? -1) }
        parent = snapshot.grids.map { Int32($0.parent ?? -1) }
        depth = snapshot.scheme.levels.count
        // Level names are lower-case letters, digits and `_` (LevelScheme): no escaping needed.
        let names = snapshot.scheme.names.map { Array($0.utf8) }
        levelKeyBytes = owned(names.flatMap { $0 })
        var keys: [UnsafeBufferPointer<UInt8>] = [], at = 0
        for n in names {
            keys.append(UnsafeBufferPointer(rebasing: levelKeyBytes[at..<(at + n.count)]))
            at += n.count
        }
        levelKeys = keys
        addedKeys = BatchAssignment.addedFields(snapshot.scheme).map { Array($0.utf8) }
    }

    deinit {
        raw.deallocate()
        json.deallocate()
        levelKeyBytes.deallocate()
    }

    /// Grid `i`'s code as UTF-8.
    @inline(__always)
    func code(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: raw[Int(rawStart[i])..<Int(rawStart[i + 1])])
    }

    /// Grid `i`'s code escaped for the inside of a JSON string (no quotes).
    @inline(__always)
    func jsonCode(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: json[Int(jsonStart[i])..<Int(jsonStart[i + 1])])
    }

    /// The residential chain of the deepest grid hit, top level first, one call per level of the scheme with the
    /// grid at that level (-1 where there is none), as `RowAnswer.values` walks it. No allocation: the ranks are
    /// found by walking up from the deepest grid once per level (a handful of steps).
    @inline(__always)
    func forEachInChain(_ deepest: Int?, _ body: (Int) -> Void) {
        for level in 0..<depth {
            var g = deepest ?? -1
            while g >= 0, Int(rank[g]) > level { g = Int(parent[g]) }
            body(g >= 0 && Int(rank[g]) == level ? g : -1)
        }
    }
}

/// The code tables of a run, one per snapshot generation (a reload mid-run makes a second).
final class BatchCodeTables: Sendable {
    let tables = Locked<[BatchCodeTable]>([])

    func table(for snapshot: GridIndexSnapshot) -> BatchCodeTable {
        tables.withLock { list in
            if let t = list.first(where: { $0.generation == snapshot.generation }) { return t }
            let t = BatchCodeTable(snapshot)
            list.append(t)
            return t
        }
    }
}

extension MatchKind {
    /// The raw value as a static string, for writers that append bytes.
    var text: StaticString {
        switch self {
        case .inside: return "inside"
        case .boundary: return "boundary"
        case .nearest: return "nearest"
        case .outside: return "outside"
        }
    }
}
