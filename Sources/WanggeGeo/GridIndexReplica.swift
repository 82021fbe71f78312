import CGEOS
import Foundation
public import WanggeCore

/// One worker's replica of the grid index: its own GEOS context, the grids it has needed decoded from WKB and
/// prepared, and (for snapping) an STRtree, over the shared rasters of a `GridIndexSnapshot`. Not thread-safe and
/// not `Sendable`: each worker builds its own and uses it alone.
///
/// Grids are decoded and prepared on first use: most points are answered by the raster alone, so a worker holds
/// GEOS objects only for the grids whose edges its points came near, and a replica costs nothing to start.
///
/// Lookups: the raster decides every point in a cell that no edge crosses; points in boundary cells go to GEOS's
/// prepared `contains` on the cell's candidates, then prepared `intersects` to find edges the point lies on.
///
/// **Boundary rule.** A point on an edge between grids of one level (or layer) belongs to the grid with the smallest
/// code among those whose edge it lies on; the others are listed in `touching`. The rule needs no geometry beyond the
/// predicate, gives the same answer on every machine, and does not depend on input order.
public final class GridIndexReplica {
    public let snapshot: GridIndexSnapshot
    public let context: GeosContext
    /// Grids decoded so far (nil: not yet needed).
    var geometries: [GeosGeometry?]
    var prepared: [GeosPreparedGeometry?]
    /// The prepared geometries' pointers for the hot loop, nil until first use. Owned here (allocated in `init`,
    /// freed in `deinit`); the pointers in it are owned by `prepared`. A plain buffer, not an array, so reading it
    /// costs no exclusivity check.
    let preparedPointers: UnsafeMutablePointer<OpaquePointer?>
    /// For snapping only, built on first use.
    var treeStorage: GeosSTRtree?
    let geodesic = Geodesic.wgs84
    var touchingBuffer: [Int32] = []
    /// What the hot loop reads: views into the snapshot's shared rasters (kept alive by `snapshot`) and this
    /// worker's own copies of the small per-grid arrays, so no read touches a reference count shared with
    /// another worker. Deepest residential level first.
    let levels: [Level]
    let functionalLevel: Level
    let industryLevel: Level
    let bboxes: [BoundingBox]
    let codeRank: [Int32]
    /// Converters from input CRSs to WGS84, made on first use in this worker's own PROJ context.
    let proj = ProjContext()
    var converters: [CRS: CRSConverter] = [:]

    /// One level or layer as the hot loop sees it.
    struct Level {
        let raster: CellRaster.View
        let members: [Int]

        init(_ l: GridIndexSnapshot.LevelRaster) {
            raster = l.raster.view
            members = l.members.withUnsafeBufferPointer { Array($0) }
        }
    }

    /// A replica over `snapshot` with its own GEOS context; grids are decoded when first needed.
    /// - Throws: never today (kept for callers that built every grid up front).
    public init(snapshot: GridIndexSnapshot) throws(GeosError) {
        self.snapshot = snapshot
        self.context = GeosContext()
        let n = snapshot.grids.count
        self.geometries = Array(repeating: nil, count: n)
        self.prepared = Array(repeating: nil, count: n)
        self.preparedPointers = .allocate(capacity: max(n, 1))
        self.preparedPointers.initialize(repeating: nil, count: max(n, 1))
        self.levels = snapshot.residentialLevels.map(Level.init)
        self.functionalLevel = Level(snapshot.functional)
        self.industryLevel = Level(snapshot.industry)
        self.bboxes = snapshot.grids.map(\.bbox)
        self.codeRank = snapshot.codeRank.withUnsafeBufferPointer { Array($0) }
    }

    deinit {
        preparedPointers.deallocate()
    }

    /// Grid `m` as a GEOS geometry, decoded on first use; nil if its WKB cannot be read (it was read when the
    /// snapshot was built, so only a damaged database gets here).
    func geometry(_ m: Int) -> GeosGeometry? {
        if let g = geometries[m] { return g }
        guard let g = try? GeosGeometry(wkb: snapshot.grids[m].wkb, in: context) else { return nil }
        geometries[m] = g
        return g
    }

    /// Grid `m`'s prepared geometry, prepared on first use.
    @inline(__always)
    func preparedPointer(_ m: Int) -> OpaquePointer? {
        if let p = preparedPointers[m] { return p }
        return prepare(m)
    }

    @inline(never)
    func prepare(_ m: Int) -> OpaquePointer? {
        guard let g = geometry(m), let p = try? GeosPreparedGeometry(g) else { return nil }
        prepared[m] = p
        preparedPointers[m] = p.pointer
        return p.pointer
    }

    /// The STRtree over every grid, for snapping (decodes every grid the first time).
    var tree: GeosSTRtree? {
        if let t = treeStorage { return t }
        let all = snapshot.grids.indices.compactMap { geometry($0) }
        guard all.count == snapshot.grids.count else { return nil }
        treeStorage = try? GeosSTRtree(all, in: context)
        return treeStorage
    }

    var h: GEOSContextHandle_t { context.handle }

    // MARK: one level or layer

    /// For a level whose grids tile: the grid containing the point (≥ 0), -1 when none does, or -2 when the point
    /// lies on the edge of the grids left in `touchingBuffer` (unsorted).
    @inline(__always)
    func locateTile(_ level: Level, x: Double, y: Double) -> Int {
        switch level.raster.lookup(x: x, y: y) {
        case .decided(let r):
            return r.isEmpty ? -1 : level.members[level.raster.setMember(r.lowerBound)]
        case .candidates(let r):
            // Owned here: created for this test and destroyed before returning.
            guard let point = GEOSGeom_createPointFromXY_r(h, x, y) else { return -1 }
            defer { GEOSGeom_destroy_r(h, point) }
            for k in r {
                let m = level.members[level.raster.candidate(k)]
                guard bboxes[m].contains(x: x, y: y) else { continue }
                if let p = preparedPointer(m), GEOSPreparedContains_r(h, p, point) == 1 { return m }
            }
            touchingBuffer.removeAll(keepingCapacity: true)
            for k in r {
                let m = level.members[level.raster.candidate(k)]
                guard bboxes[m].contains(x: x, y: y) else { continue }
                if let p = preparedPointer(m), GEOSPreparedIntersects_r(h, p, point) == 1 { touchingBuffer.append(Int32(m)) }
            }
            return touchingBuffer.isEmpty ? -1 : -2
        }
    }

    /// For an overlay: the grids containing the point into `inside` and those whose edge it lies on into `touching`.
    func locateOverlay(_ level: Level, x: Double, y: Double,
                       inside: inout [Int], touching: inout [Int]) {
        inside.removeAll(keepingCapacity: true)
        touching.removeAll(keepingCapacity: true)
        switch level.raster.lookup(x: x, y: y) {
        case .decided(let r):
            for k in r { inside.append(level.members[level.raster.setMember(k)]) }
        case .candidates(let r):
            guard let point = GEOSGeom_createPointFromXY_r(h, x, y) else { return }
            defer { GEOSGeom_destroy_r(h, point) }
            for k in r {
                let m = level.members[level.raster.candidate(k)]
                guard bboxes[m].contains(x: x, y: y) else { continue }
                guard let p = preparedPointer(m) else { continue }
                if GEOSPreparedContains_r(h, p, point) == 1 {
                    inside.append(m)
                } else if GEOSPreparedIntersects_r(h, p, point) == 1 {
                    touching.append(m)
                }
            }
        }
        // By code rank; most points are in one overlay grid or none, which needs no sort (nor the closure's retains).
        if inside.count > 1 || touching.count > 1 {
            codeRank.withUnsafeBufferPointer { rank in
                if inside.count > 1 { inside.sort { rank[$0] < rank[$1] } }
                if touching.count > 1 { touching.sort { rank[$0] < rank[$1] } }
            }
        }
    }

    /// The grid of `level` nearest to the point within `metres`, and its geodesic distance.
    func nearest(_ level: Level, x: Double, y: Double, metres: Double) -> (grid: Int, metres: Double)? {
        guard metres > 0, x.isFinite, y.isFinite else { return nil }
        let dLat = metres / 110_574 * 1.01
        let dLon = metres / (111_320 * max(0.01, cos(y * .pi / 180))) * 1.01
        let members = Set(level.members)
        guard let point = try? GeosGeometry(.point(x: x, y: y), in: context), let tree else { return nil }
        var best: (grid: Int, metres: Double)?
        for m in tree.query(BoundingBox(minX: x - dLon, minY: y - dLat, maxX: x + dLon, maxY: y + dLat)) where members.contains(m) {
            // The sequence of the two nearest points is ours to destroy.
            guard let g = geometry(m), let seq = GEOSNearestPoints_r(h, g.pointer, point.pointer) else { continue }
            var nx = 0.0, ny = 0.0
            GEOSCoordSeq_getXY_r(h, seq, 0, &nx, &ny)
            GEOSCoordSeq_destroy_r(h, seq)
            let d = geodesic.distance(lon1: x, lat1: y, lon2: nx, lat2: ny)
            if d <= metres, d < (best?.metres ?? .infinity) || (d == best?.metres && codeRank[m] < codeRank[best!.grid]) {
                best = (m, d)
            }
        }
        return best
    }

    // MARK: answers

    /// The deepest residential grid for a point and how it matched (the fast path of batch assignment). On a
    /// boundary, `touching` receives the other grids.
    public func residentialGrid(x: Double, y: Double, snapMetres: Double = 0, touching: inout [Int]) -> (grid: Int, match: MatchKind) {
        touching.removeAll(keepingCapacity: true)
        for level in levels {
            let hit = locateTile(level, x: x, y: y)
            if hit >= 0 { return (hit, .inside) }
            if hit == -2 {
                let ranked = touchingBuffer.sorted { codeRank[Int($0)] < codeRank[Int($1)] }
                touching.append(contentsOf: ranked.dropFirst().map { Int($0) })
                return (Int(ranked[0]), .boundary)
            }
        }
        if let deepest = levels.first, let n = nearest(deepest, x: x, y: y, metres: snapMetres) {
            return (n.grid, .nearest)
        }
        return (-1, .outside)
    }

    /// One layer's answer as grid indices into `snapshot.grids`, for batch output (no Strings until it is
    /// written). `grids`: the deepest residential grid, or an overlay's grids containing the point, or the one grid
    /// picked on a boundary or by snapping; `touching`: the other grids whose edge the point lies on; `metres`: the
    /// geodesic distance of a `nearest` match, to the centimetre.
    public struct LayerHit: Sendable {
        public var match: MatchKind = .outside
        public var grids: [Int] = []
        public var touching: [Int] = []
        public var metres: Double?

        public init() {}
    }

    /// The residential answer for a point into `hit` (reusing its buffers).
    public func residentialHit(x: Double, y: Double, snapMetres: Double = 0, into hit: inout LayerHit) {
        hit.grids.removeAll(keepingCapacity: true)
        hit.metres = nil
        let (grid, match) = residentialGrid(x: x, y: y, snapMetres: 0, touching: &hit.touching)
        hit.match = match
        if grid >= 0 {
            hit.grids.append(grid)
        } else if let deepest = levels.first, let n = nearest(deepest, x: x, y: y, metres: snapMetres) {
            hit.match = .nearest
            hit.grids.append(n.grid)
            hit.metres = (n.metres * 100).rounded() / 100
        }
    }

    /// An overlay's answer for a point into `hit` (reusing its buffers), as `assign` gives it.
    public func overlayHit(_ layer: GridLayer, x: Double, y: Double, snapMetres: Double = 0, into hit: inout LayerHit) {
        let level = layer == .functional ? functionalLevel : industryLevel
        hit.metres = nil
        locateOverlay(level, x: x, y: y, inside: &hit.grids, touching: &hit.touching)
        if !hit.grids.isEmpty {
            hit.match = .inside
        } else if !hit.touching.isEmpty {
            hit.match = .boundary
            hit.grids.append(hit.touching.removeFirst())
        } else if let n = nearest(level, x: x, y: y, metres: snapMetres) {
            hit.match = .nearest
            hit.grids.append(n.grid)
            hit.metres = (n.metres * 100).rounded() / 100
        } else {
            hit.match = .outside
        }
    }

    /// Converts a position given in `crs` to WGS84 lon/lat.
    /// - Throws: `ProjectionError` for an EPSG code PROJ does not know.
    public func toWGS84(x: Double, y: Double, crs: CRS) throws(ProjectionError) -> (lon: Double, lat: Double) {
        if crs == .wgs84 { return (x, y) }
        let converter: CRSConverter
        if let c = converters[crs] {
            converter = c
        } else {
            converter = try CRSConverter(crs, context: proj)
            converters[crs] = converter
        }
        var xy = [x, y]
        converter.toWGS84(&xy)
        return (xy[0], xy[1])
    }

    /// A polygonal geometry simplified by `metres` in a local transverse Mercator projection, keeping its topology
    /// (GEOS TopologyPreserveSimplify); nil if GEOS or PROJ fail.
    public func simplified(_ value: GeometryValue, metres: Double) -> GeometryValue? {
        let b = value.boundingBox
        guard !b.isEmpty, let toLocal = try? ProjTransform(from: "EPSG:4326", to: BoundaryValidator.localTransverseMercator(lon: b.centerX, lat: b.centerY), in: proj)
        else { return nil }
        var local = value
        local.transformCoordinates { toLocal.transform(&$0) }
        guard let g = try? GeosGeometry(local, in: context), let s = try? g.simplifyPreservingTopology(metres),
              var out = try? s.value() else { return nil }
        out.transformCoordinates { xy in
            toLocal.transform(&xy, inverse: true)
            for i in xy.indices { xy[i] = (xy[i] * 1e7).rounded() / 1e7 }
        }
        return out.orientedForOutput()
    }

    /// The full answer for one WGS84 point in every layer.
    public func assign(lon: Double, lat: Double, snapMetres: Double = 0) -> PointAssignment {
        var touching: [Int] = []
        let (grid, match) = residentialGrid(x: lon, y: lat, snapMetres: snapMetres, touching: &touching)
        var chain = snapshot.scheme.levels.map { LevelCode(level: $0, code: nil) }
        var g: Int? = grid >= 0 ? grid : nil
        while let i = g {
            let grid = snapshot.grids[i]
            if let rank = grid.level?.rank, chain.indices.contains(rank) { chain[rank].code = grid.code }
            g = grid.parent
        }
        var residential = ResidentialAnswer(match: match, chain: chain, touching: touching.map { snapshot.grids[$0].code })
        if match == .nearest, grid >= 0 {
            residential.distanceM = nearestDistance(grid, lon, lat)
        }
        return PointAssignment(lon: lon, lat: lat, residential: residential,
                               functional: overlayAnswer(functionalLevel, lon, lat, snapMetres),
                               industry: overlayAnswer(industryLevel, lon, lat, snapMetres))
    }

    func nearestDistance(_ grid: Int, _ x: Double, _ y: Double) -> Double? {
        guard let point = try? GeosGeometry(.point(x: x, y: y), in: context), let g = geometry(grid),
              let seq = GEOSNearestPoints_r(h, g.pointer, point.pointer) else { return nil }
        defer { GEOSCoordSeq_destroy_r(h, seq) }
        var nx = 0.0, ny = 0.0
        GEOSCoordSeq_getXY_r(h, seq, 0, &nx, &ny)
        return (geodesic.distance(lon1: x, lat1: y, lon2: nx, lat2: ny) * 100).rounded() / 100
    }

    func overlayAnswer(_ level: Level, _ x: Double, _ y: Double, _ snap: Double) -> OverlayAnswer {
        var inside: [Int] = [], touching: [Int] = []
        locateOverlay(level, x: x, y: y, inside: &inside, touching: &touching)
        let code = { (i: Int) in self.snapshot.grids[i].code }
        if !inside.isEmpty { return OverlayAnswer(match: .inside, grids: inside.map(code), touching: touching.map(code)) }
        if let first = touching.first {
            return OverlayAnswer(match: .boundary, grids: [code(first)], touching: touching.dropFirst().map(code))
        }
        if let n = nearest(level, x: x, y: y, metres: snap) {
            return OverlayAnswer(match: .nearest, grids: [code(n.grid)], distanceM: (n.metres * 100).rounded() / 100)
        }
        return OverlayAnswer(match: .outside)
    }
}
