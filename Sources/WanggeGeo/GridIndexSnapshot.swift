public import WanggeCore

/// One grid as the index sees it.
public struct IndexedGrid: Sendable {
    public let layer: GridLayer
    public let code: String
    public let level: GridLevel?
    /// Index of the parent grid in the snapshot, for residential grids below the top.
    public let parent: Int?
    public let wkb: [UInt8]
    public let bbox: BoundingBox
}

/// Everything the assignment index needs, as immutable Swift values that any worker may read: the grids (WKB and
/// metadata) and one cell raster per residential level and per overlay layer. Workers build their own GEOS replicas
/// from it (`GridIndexReplica`).
public struct GridIndexSnapshot: Sendable {
    /// Increases with every reload.
    public let generation: Int
    /// The repository's boundary mark (`GridRepository.boundaryMark`) the grids were read at: which versions of
    /// the layers this index answers with. Set by whoever read the grids.
    public var boundaryMark: Int64 = 0
    public let grids: [IndexedGrid]
    /// The residential layer's levels, top first: every answer names them all.
    public let scheme: LevelScheme
    /// The residential levels present, deepest first.
    public let residentialLevels: [LevelRaster]
    public let functional: LevelRaster
    public let industry: LevelRaster
    /// Rank of each grid's code among the grids it competes with on an edge (same layer and level), for the
    /// boundary rule: on a shared edge the smallest code wins.
    let codeRank: [Int32]

    /// The grids of one residential level or one overlay layer, with their raster.
    public struct LevelRaster: Sendable {
        public let layer: GridLayer
        public let level: GridLevel?
        /// Raster polygon i is grid `members[i]` of the snapshot.
        public let members: [Int]
        public let raster: CellRaster
        /// Residential levels tile the plane (at most one grid contains a point); overlays may overlap.
        public let tiles: Bool

    }

    public func overlay(_ layer: GridLayer) -> LevelRaster {
        layer == .functional ? functional : industry
    }

    /// Builds the snapshot from stored grids: decodes each grid's WKB once (in a GEOS context used only here) and
    /// rasterises each level and layer.
    /// - Parameter cellsPerGrid: raster resolution; the deepest residential level gets this many cells per grid,
    ///   capped at `maxCells`.
    /// - Parameter scheme: the residential layer's levels (`GridRepository.levelScheme`); nil takes them from the
    ///   grids (`LevelScheme.of`).
    /// - Throws: `GeosError` when a stored geometry cannot be read.
    public static func build(grids stored: [StoredGrid], scheme: LevelScheme? = nil, generation: Int, cellsPerGrid: Int = 16_384,
                             maxCells: Int = 16_777_216) throws(GeosError) -> GridIndexSnapshot {
        let context = GeosContext()
        let grids = indexed(stored)
        var geometries: [GeosGeometry] = []
        var values: [GeometryValue] = []
        for g in grids {
            let geometry = try GeosGeometry(wkb: g.wkb, in: context)
            geometries.append(geometry)
            values.append(try geometry.value())
        }
        var rank = [Int32](repeating: 0, count: grids.count)

        func raster(layer: GridLayer, level: GridLevel?, members: [Int], cells: Int, tiles: Bool) throws(GeosError) -> LevelRaster {
            for (r, m) in members.sorted(by: { grids[$0].code < grids[$1].code }).enumerated() { rank[m] = Int32(r) }
            let prepared = try members.map { (m: Int) throws(GeosError) in try GeosPreparedGeometry(geometries[m]) }
            let tree = try GeosSTRtree(members.map { geometries[$0] }, in: context)
            let r = CellRaster.build(polygons: members.map { values[$0] }, targetCells: cells, tiles: tiles,
                                     candidatesAt: { x, y in tree.query(x: x, y: y) },
                                     contains: { i, x, y in (try? prepared[i].contains(x: x, y: y)) ?? false })
            return LevelRaster(layer: layer, level: level, members: members, raster: r, tiles: tiles)
        }
        func cells(_ n: Int, share: Int) -> Int { min(maxCells / share, max(65_536, n * cellsPerGrid / share)) }

        var levels: [LevelRaster] = []
        let byRank = Dictionary(grouping: grids.indices.filter { grids[$0].layer == .residential }) { grids[$0].level?.rank ?? -1 }
        for rank in byRank.keys.sorted(by: >) where rank >= 0 {
            let members = byRank[rank]!
            let level = grids[members[0]].level
            guard !members.isEmpty else { continue }
            // The deepest level answers nearly every lookup and gets the finest raster.
            let share = levels.isEmpty ? 1 : 16
            let r = try raster(layer: .residential, level: level, members: members, cells: cells(members.count, share: share),
                               tiles: true)
            levels.append(r)
        }
        func overlay(_ layer: GridLayer) throws(GeosError) -> LevelRaster {
            let members = grids.indices.filter { grids[$0].layer == layer }
            return try raster(layer: layer, level: nil, members: members, cells: cells(members.count, share: 2), tiles: false)
        }
        let functional = try overlay(.functional)
        let industry = try overlay(.industry)
        return GridIndexSnapshot(generation: generation, grids: grids, scheme: scheme ?? LevelScheme.of(stored), residentialLevels: levels,
                                 functional: functional, industry: industry, codeRank: rank)
    }

    /// The stored grids as the index sees them, parents as positions.
    static func indexed(_ stored: [StoredGrid]) -> [IndexedGrid] {
        var index: [String: Int] = [:]
        for (i, g) in stored.enumerated() where g.layer == .residential { index[g.code] = i }
        return stored.map { g in
            IndexedGrid(layer: g.layer, code: g.code, level: g.level,
                        parent: g.layer == .residential ? g.parent.flatMap { index[$0] } : nil, wkb: g.wkb, bbox: g.bbox)
        }
    }

    /// Approximate bytes of the rasters (shared by all workers).
    public var rasterBytes: Int {
        (residentialLevels + [functional, industry]).reduce(0) { $0 + $1.raster.memoryBytes }
    }
}
