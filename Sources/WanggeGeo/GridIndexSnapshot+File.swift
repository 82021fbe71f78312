public import Foundation
public import WanggeCore

/// The index kept beside its database (`wangge.db.index`), so that a start reads the rasters instead of building
/// them: building rasterises every level with GEOS (about 1.5 s and 300 MB for 15,000 grids on this machine);
/// reading maps the file into memory and uses the rasters where they lie (no copy; pages shared by every process
/// that maps the same file, read from disk only as lookups touch them).
///
/// The file holds a checksum of the grids it was built from (layer, code, level, parent and WKB of every grid, in
/// order) and the build settings. It is used only when both match the grids read from the database now; otherwise
/// it is rebuilt and rewritten (atomically: a new file renamed over the old). A file that cannot be written (a
/// read-only folder) only costs the next start the build. Byte order is the machine's, marked in the header; a file
/// from another machine is rebuilt.
///
/// Layout: the magic `WGIX`, a format version, a byte-order mark, the checksum, `cellsPerGrid` and `maxCells`, the
/// grid count, `codeRank`; then the rasters (residential levels deepest first, functional, industry), each as
/// layer, level, tiles, members, the raster's extent and size, and its five Int32 arrays. Every array starts at a
/// multiple of 8 bytes, so the mapped file can be read in place. Last, a hash of everything before it: a file
/// damaged on disk is rebuilt, never read (the rasters are checked for indices in range too).
extension GridIndexSnapshot {
    static let magic: [UInt8] = Array("WGIX".utf8)
    static let fileVersion: UInt32 = 4
    static let byteOrderMark: UInt32 = 0x0102_0304

    /// The snapshot of `stored`, from the file at `cache` when it was built from exactly these grids; otherwise
    /// built, and written to `cache` for the next start. `fromFile` says which.
    /// - Throws: `GeosError` when a stored geometry cannot be read (building only).
    public static func load(grids stored: [StoredGrid], scheme: LevelScheme, generation: Int, cache: String?, cellsPerGrid: Int = 16_384,
                            maxCells: Int = 16_777_216) throws(GeosError) -> (snapshot: GridIndexSnapshot, fromFile: Bool) {
        guard let cache else {
            return (try build(grids: stored, scheme: scheme, generation: generation, cellsPerGrid: cellsPerGrid, maxCells: maxCells), false)
        }
        let sum = checksum(stored, cellsPerGrid: cellsPerGrid, maxCells: maxCells)
        if let file = MappedFile(path: cache), let snapshot = read(file, grids: stored, scheme: scheme, checksum: sum, generation: generation) {
            return (snapshot, true)
        }
        let built = try build(grids: stored, scheme: scheme, generation: generation, cellsPerGrid: cellsPerGrid, maxCells: maxCells)
        try? Data(built.fileBytes(checksum: sum)).write(to: URL(fileURLWithPath: cache), options: .atomic)
        return (built, false)
    }

    /// A 64-bit hash of what the index depends on, eight bytes at a step (a change detector, not a signature).
    static func checksum(_ grids: [StoredGrid], cellsPerGrid: Int, maxCells: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ w: UInt64) {
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        func add(_ bytes: UnsafeRawBufferPointer) { h = hash(bytes, into: h) }
        func add(_ s: String) { var s = s; s.withUTF8 { add(UnsafeRawBufferPointer($0)) } }
        mix(UInt64(cellsPerGrid)); mix(UInt64(maxCells)); mix(UInt64(grids.count))
        for g in grids {
            add(g.layer.rawValue); add(g.code); add(g.level.map { "\($0.rank):\($0.name)" } ?? ""); add(g.parent ?? "")
            g.wkb.withUnsafeBytes { add($0) }
        }
        return h
    }

    /// Mixes `bytes` into `h`, eight at a step.
    static func hash(_ bytes: UnsafeRawBufferPointer, into h: UInt64) -> UInt64 {
        var h = h
        @inline(__always) func mix(_ w: UInt64) {
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        mix(UInt64(bytes.count))
        var i = 0
        while i + 8 <= bytes.count { mix(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)); i += 8 }
        var tail: UInt64 = 0
        while i < bytes.count { tail = tail << 8 | UInt64(bytes[i]); i += 1 }
        mix(tail)
        return h
    }

    /// The snapshot as the file's bytes.
    func fileBytes(checksum: UInt64) -> [UInt8] {
        var out: [UInt8] = Self.magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v) { out.append(contentsOf: $0) } }
        func put(_ d: Double) { put(d.bitPattern) }
        func align() { while out.count % 8 != 0 { out.append(0) } }
        func put(_ a: Int32Storage) {
            align(); put(UInt64(a.count))
            out.append(contentsOf: UnsafeRawBufferPointer(start: a.pointer, count: a.count * 4))
        }
        func put(_ a: [Int32]) {
            align(); put(UInt64(a.count))
            a.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        put(Self.fileVersion); put(Self.byteOrderMark); put(checksum)
        put(UInt64(grids.count))
        put(codeRank)
        let all = residentialLevels + [functional, industry]
        put(UInt64(residentialLevels.count))
        for l in all {
            put(UInt8(GridLayer.allCases.firstIndex(of: l.layer)!))
            put(UInt8(l.level.map { $0.rank + 1 } ?? 0))
            put(UInt8(l.tiles ? 1 : 0))
            put(l.members.map { Int32($0) })
            let r = l.raster
            put(r.minX); put(r.minY); put(r.cellWidth); put(r.cellHeight); put(UInt64(r.columns)); put(UInt64(r.rows))
            put(r.labels); put(r.setStart); put(r.setItems); put(r.candidateStart); put(r.candidateItems)
        }
        align()
        put(out.withUnsafeBytes { Self.hash($0, into: 0) })
        return out
    }

    /// The snapshot from a mapped file, or nil when it is not a complete index of these grids. The rasters point
    /// into the mapping and keep it alive.
    static func read(_ file: MappedFile, grids stored: [StoredGrid], scheme: LevelScheme, checksum: UInt64,
                     generation: Int) -> GridIndexSnapshot? {
        guard file.count >= 16, file.count % 8 == 0 else { return nil }
        let stamp = file.bytes.loadUnaligned(fromByteOffset: file.count - 8, as: UInt64.self)
        guard Self.hash(UnsafeRawBufferPointer(rebasing: file.bytes[..<(file.count - 8)]), into: 0) == stamp else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[..<(file.count - 8)])
        var at = 0
        func take(_ n: Int) -> UnsafeRawBufferPointer? {
            guard n >= 0, at + n <= raw.count else { return nil }
            defer { at += n }
            return UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)])
        }
        func get<T: FixedWidthInteger>(_: T.Type) -> T? { take(MemoryLayout<T>.size).map { $0.loadUnaligned(as: T.self) } }
        func double() -> Double? { get(UInt64.self).map(Double.init(bitPattern:)) }
        func ints() -> Int32Storage? {
            at = (at + 7) / 8 * 8
            guard let n = get(UInt64.self), n < UInt64(Int32.max), let p = take(Int(n) * 4) else { return nil }
            return Int32Storage(mapped: p, owner: file)
        }
        func array(_ p: Int32Storage) -> [Int32] { Array(UnsafeBufferPointer(start: p.pointer, count: p.count)) }
        guard let m = take(4), Array(m) == Self.magic, get(UInt32.self) == Self.fileVersion,
              get(UInt32.self) == Self.byteOrderMark, get(UInt64.self) == checksum,
              get(UInt64.self) == UInt64(stored.count), let rank = ints(), rank.count == stored.count,
              let levelCount = get(UInt64.self), levelCount <= 255
        else { return nil }
        var rasters: [LevelRaster] = []
        for _ in 0..<(Int(levelCount) + 2) {
            guard let layerIndex = get(UInt8.self), Int(layerIndex) < GridLayer.allCases.count,
                  let levelIndex = get(UInt8.self),
                  let tiles = get(UInt8.self), let memberValues = ints(),
                  let minX = double(), let minY = double(), let cw = double(), let ch = double(),
                  let columns = get(UInt64.self), let rows = get(UInt64.self), columns * rows < UInt64(Int32.max),
                  let labels = ints(), labels.count == Int(columns * rows),
                  let setStart = ints(), let setItems = ints(), let candidateStart = ints(), let candidateItems = ints()
            else { return nil }
            let members = array(memberValues).map(Int.init)
            guard members.allSatisfy({ $0 >= 0 && $0 < stored.count }) else { return nil }
            // A residential raster's level is its grids' (all of one level); the file names it by rank + 1.
            let level = members.first.flatMap { stored[$0].level }
            guard members.allSatisfy({ (stored[$0].level?.rank ?? -1) + 1 == Int(levelIndex) }) else { return nil }
            let raster = CellRaster(minX: minX, minY: minY, cellWidth: cw, cellHeight: ch, columns: Int(columns), rows: Int(rows),
                                    labels: labels, setStart: setStart, setItems: setItems,
                                    candidateStart: candidateStart, candidateItems: candidateItems)
            guard raster.isConsistent(members: members.count) else { return nil }
            rasters.append(LevelRaster(layer: GridLayer.allCases[Int(layerIndex)],
                                       level: level,
                                       members: members, raster: raster, tiles: tiles == 1))
        }
        at = (at + 7) / 8 * 8
        guard at == raw.count else { return nil }
        return GridIndexSnapshot(generation: generation, grids: indexed(stored), scheme: scheme, residentialLevels: Array(rasters.dropLast(2)),
                                 functional: rasters[rasters.count - 2], industry: rasters[rasters.count - 1],
                                 codeRank: array(rank))
    }
}

/// A file mapped read-only into memory. Owned here: `mmap` in `init`, `munmap` in `deinit`; whatever points into
/// `bytes` must keep this object alive. `@unchecked Sendable`: the mapping is read-only, so any thread may read it.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeMutableRawPointer?
    let count: Int

    /// Nil when the file is missing, empty or cannot be mapped.
    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        count = Int(st.st_size)
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
