import Foundation
public import WanggeCore
import WanggeGeo

/// Generates the Xiyuan sample: a street of 2.51 km² in Xinhua District, Shijiazhuang, divided into 7 community,
/// 25 courtyard and 68 building grids that tile their parents exactly, plus 4 functional and 10 industry overlay
/// grids and the organisations they group.
///
/// How the residential grids are made (all in a local transverse Mercator plane in metres, through GEOS):
/// 1. a street outline: a smooth irregular blob, densified and roughened, scaled to 2.51 km²;
/// 2. for each level from community down: seeds inside each parent (Lloyd-relaxed), the Voronoi edges of those
///    seeds clipped to the parent, each edge chain densified and displaced once ("jittered", like a road or a wall),
///    and all linework so far noded with snap-rounding on a 5 cm grid and polygonised into faces; every face goes to
///    the seed inside it (a seedless leftover joins the neighbour it shares most boundary with);
/// 3. the faces of the last level are the building grids. After conversion to lon/lat (PROJ, inverse transverse
///    Mercator) and rounding to 1e-7°, courtyards are the exact coverage union of their buildings, communities of
///    their courtyards and the street of its communities, so children tile their parents exactly.
public struct SampleGenerator {
    public var seed: UInt64
    /// Centre of the street (lon, lat): western Xinhua District, Shijiazhuang.
    public var centre = (lon: 114.4530, lat: 38.0620)
    /// Target geodesic area of the street in m².
    public var streetArea = 2.51e6
    /// Courtyards per community and buildings per courtyard are spread to reach these totals.
    public var communities = 7
    public var courtyards = 25
    public var buildings = 68

    public init(seed: UInt64 = 20111001) {
        self.seed = seed
    }

    /// One generated residential grid, in WGS84 lon/lat.
    public struct Grid {
        public var code: String
        public var name: String
        public var level: GridLevel
        public var parent: String?
        public var geometry: GeometryValue
        public var properties: JSONObject
    }

    /// One generated overlay grid.
    public struct Overlay {
        public var layer: GridLayer
        public var code: String
        public var name: String
        public var geometry: GeometryValue
        public var properties: JSONObject
    }

    /// An organisation as a named point.
    public struct Organisation {
        public var id: String
        public var name: String
        /// `public_institution` or `private_firm` / `social_organisation`.
        public var kind: String
        public var category: String
        public var lon: Double
        public var lat: Double
        /// The overlay grid that groups it.
        public var grid: String
        public var layer: GridLayer
    }

    public struct Output {
        public var residential: [Grid]
        public var functional: [Overlay]
        public var industry: [Overlay]
        public var organisations: [Organisation]
        /// Which attempt of the seed produced it (attempts are retried when the linework gives an ambiguous face).
        public var attempt: Int
    }

    /// Generates everything.
    /// - Throws: `GeosError`/`ProjectionError` from the libraries, or `WanggeError` if no attempt gives a clean
    ///   tiling (never seen with the default seed).
    public func generate() throws -> Output {
        let geos = GeosContext()
        let proj = ProjContext()
        let local = try ProjTransform(from: "EPSG:4326",
                                      to: BoundaryValidator.localTransverseMercator(lon: centre.lon, lat: centre.lat),
                                      in: proj)
        var lastProblem = ""
        for attempt in 0..<20 {
            var rng = SampleRandom(seed: seed &* 1_000_003 &+ UInt64(attempt))
            do {
                let residential = try makeResidential(&rng, geos: geos, local: local)
                var overlays = try makeOverlays(&rng, residential: residential, geos: geos, local: local)
                overlays.attempt = attempt
                return Output(residential: residential, functional: overlays.functional, industry: overlays.industry,
                              organisations: overlays.organisations, attempt: attempt)
            } catch let e as RetryableSampleProblem {
                lastProblem = e.message
                continue
            }
        }
        throw WanggeError.invalidInput("no clean sample for seed \(seed) after 20 attempts (last: \(lastProblem))")
    }

    struct RetryableSampleProblem: Error {
        let message: String
    }

    // MARK: residential

    struct Face {
        var geometry: GeosGeometry
        var seedIndex: Int
    }

    func makeResidential(_ rng: inout SampleRandom, geos: GeosContext, local: ProjTransform) throws -> [Grid] {
        let outline = try makeOutline(&rng, geos: geos)
        var linework = try outline.boundary()

        // Level by level: the faces of the previous level are the parents of the next.
        var parents: [GeosGeometry] = [outline]
        var parentOf: [[Int]] = []  // per level: index of the parent face of each face
        var levelFaces: [[GeosGeometry]] = []
        let plan: [(count: Int, amplitude: Double, minBoundaryDistance: Double)] = [
            (communities, 9, 40), (courtyards, 6, 22), (buildings, 3.5, 12),
        ]
        for (levelIndex, step) in plan.enumerated() {
            let perParent = Self.spread(step.count, over: parents.map { (try? $0.planarArea()) ?? 0 }, rng: &rng)
            var seeds: [(Double, Double)] = []
            var seedParent: [Int] = []
            var chains: [GeosGeometry] = [linework]
            for (pi, parent) in parents.enumerated() {
                let n = perParent[pi]
                var s = try sampleSeeds(n, in: parent, minBoundaryDistance: step.minBoundaryDistance, rng: &rng, geos: geos)
                s = try lloyd(s, in: parent, iterations: 2, geos: geos)
                seeds += s
                seedParent += Array(repeating: pi, count: s.count)
                guard s.count >= 2 else { continue }
                let points = try GeosGeometry.multiPoint(s, in: geos)
                let frame = try parent.buffer(200)
                let edges = try points.voronoiEdges(envelope: frame).intersection(parent)
                let merged = try edges.unaryUnion(gridSize: 0.05).lineMerge()
                for chain in try merged.parts() where chain.typeID == 1 {
                    chains.append(try jitter(chain, spacing: 8, amplitude: step.amplitude, noise: 0.35, rng: &rng, geos: geos))
                }
            }
            linework = try GeosGeometry.collection(chains, in: geos).unaryUnion(gridSize: 0.05)
            let faces = try GeosGeometry.polygonize([linework], in: geos).parts()
            let assigned = try assign(faces: faces, seeds: seeds, geos: geos)
            // Parent of each new face: the parent its seed was sampled in.
            parentOf.append(assigned.map { seedParent[$0.seedIndex] })
            levelFaces.append(assigned.map(\.geometry))
            parents = assigned.map(\.geometry)
            _ = levelIndex
        }

        // Building faces to lon/lat, rounded; parents as exact coverage unions.
        let buildingFaces = levelFaces[2]
        var buildingValues: [GeometryValue] = []
        for f in buildingFaces {
            var v = try f.value()
            v.transformCoordinates { xy in
                local.transform(&xy, inverse: true)
                for i in xy.indices { xy[i] = (xy[i] * 1e7).rounded() / 1e7 }
            }
            buildingValues.append(v.orientedForOutput())
        }
        // Regroup bottom-up by the face hierarchy: building → courtyard (levelFaces[1]) → community (levelFaces[0]).
        let courtyardOfBuilding = parentOf[2]
        let communityOfCourtyard = parentOf[1]
        let buildingGeos = try buildingValues.map { v throws(GeosError) in try GeosGeometry(v, in: geos) }
        for (i, g) in buildingGeos.enumerated() where try g.invalidity() != nil {
            throw RetryableSampleProblem(message: "building \(i) is invalid after rounding")
        }
        func union(_ parts: [GeosGeometry]) throws -> GeometryValue {
            let u = try GeosGeometry.collection(parts, in: geos).coverageUnion()
            guard u.typeID == 3 else { throw RetryableSampleProblem(message: "a parent is not one polygon") }
            return try u.value().orientedForOutput()
        }
        var courtyardValues: [GeometryValue] = []
        for c in levelFaces[1].indices {
            let kids = buildingGeos.indices.filter { courtyardOfBuilding[$0] == c }.map { buildingGeos[$0] }
            guard !kids.isEmpty else { throw RetryableSampleProblem(message: "courtyard \(c) has no buildings") }
            courtyardValues.append(try union(kids))
        }
        let courtyardGeos = try courtyardValues.map { v throws(GeosError) in try GeosGeometry(v, in: geos) }
        var communityValues: [GeometryValue] = []
        for m in levelFaces[0].indices {
            let kids = courtyardGeos.indices.filter { communityOfCourtyard[$0] == m }.map { courtyardGeos[$0] }
            guard !kids.isEmpty else { throw RetryableSampleProblem(message: "community \(m) has no courtyards") }
            communityValues.append(try union(kids))
        }
        let street = try union(try communityValues.map { v throws(GeosError) in try GeosGeometry(v, in: geos) })

        return SampleNames.residentialGrids(street: street, communities: communityValues,
                                            courtyards: courtyardValues, communityOfCourtyard: communityOfCourtyard,
                                            buildings: buildingValues, courtyardOfBuilding: courtyardOfBuilding,
                                            rng: &rng)
    }

    /// Splits `total` over parents in proportion to their areas (at least one each).
    static func spread(_ total: Int, over areas: [Double], rng: inout SampleRandom) -> [Int] {
        let sum = areas.reduce(0, +)
        var n = areas.map { max(1, Int(($0 / sum * Double(total)).rounded(.down))) }
        while n.reduce(0, +) < total {
            // Give the next one to the parent with the largest area per child.
            let i = areas.indices.max { areas[$0] / Double(n[$0]) < areas[$1] / Double(n[$1]) }!
            n[i] += 1
        }
        while n.reduce(0, +) > total {
            let i = areas.indices.filter { n[$0] > 1 }.min { areas[$0] / Double(n[$0]) < areas[$1] / Double(n[$1]) }!
            n[i] -= 1
        }
        return n
    }

    /// A smooth irregular outline of `streetArea` m² centred on the origin.
    func makeOutline(_ rng: inout SampleRandom, geos: GeosContext) throws -> GeosGeometry {
        let radius = (streetArea / .pi).squareRoot()
        let harmonics = (2...6).map { k in (k: Double(k), amp: rng.uniform(0.04, 0.10) / Double(k).squareRoot(), phase: rng.uniform(0, 2 * .pi)) }
        let n = Int(2 * .pi * radius / 8)
        var xy: [Double] = []
        for i in 0..<n {
            let t = 2 * Double.pi * Double(i) / Double(n)
            var r = radius
            for h in harmonics { r += radius * h.amp * cos(h.k * t + h.phase) }
            r += rng.normal() * 0.4
            // Slightly wider east-west, as the street runs along its main road.
            xy.append(1.15 * r * cos(t)); xy.append(r * sin(t) / 1.15)
        }
        xy.append(xy[0]); xy.append(xy[1])
        let raw = try GeosGeometry(.polygon(Polygon(rings: [Ring(xy: xy)])), in: geos)
        let scale = (streetArea / (try raw.planarArea())).squareRoot()
        for i in xy.indices { xy[i] = (xy[i] * scale * 20).rounded() / 20 }  // on the 5 cm grid
        let outline = try GeosGeometry(.polygon(Polygon(rings: [Ring(xy: xy)])), in: geos)
        guard try outline.invalidity() == nil else { throw RetryableSampleProblem(message: "outline invalid") }
        return outline
    }

    /// `n` random points inside `polygon`, at least `minBoundaryDistance` from its edge and apart from each other.
    func sampleSeeds(_ n: Int, in polygon: GeosGeometry, minBoundaryDistance: Double, rng: inout SampleRandom,
                     geos: GeosContext) throws -> [(Double, Double)] {
        let b = polygon.bounds
        let prepared = try GeosPreparedGeometry(polygon)
        let edge = try polygon.boundary()
        let spacing = ((try polygon.planarArea()) / Double(n)).squareRoot() * 0.45
        var out: [(Double, Double)] = []
        var tries = 0
        while out.count < n {
            tries += 1
            let x = rng.uniform(b.minX, b.maxX), y = rng.uniform(b.minY, b.maxY)
            guard try prepared.contains(x: x, y: y) else { continue }
            let p = try GeosGeometry(.point(x: x, y: y), in: geos)
            let relax = tries > 2000 ? 0.5 : 1.0
            guard try p.distance(to: edge) >= minBoundaryDistance * relax else { continue }
            guard out.allSatisfy({ hypot($0.0 - x, $0.1 - y) >= spacing * relax }) else { continue }
            out.append((x, y))
            if tries > 20000 { throw RetryableSampleProblem(message: "cannot place \(n) seeds") }
        }
        return out
    }

    /// Moves seeds towards the centroids of their Voronoi cells within `polygon` (evens out the sizes).
    func lloyd(_ seeds: [(Double, Double)], in polygon: GeosGeometry, iterations: Int, geos: GeosContext) throws -> [(Double, Double)] {
        guard seeds.count >= 2 else { return seeds }
        var s = seeds
        let prepared = try GeosPreparedGeometry(polygon)
        for _ in 0..<iterations {
            let cells = try GeosGeometry.multiPoint(s, in: geos).voronoiCells(envelope: try polygon.buffer(200)).parts()
            var next = s
            for cell in cells {
                let clipped = try cell.intersection(polygon)
                guard !clipped.isEmpty, let c = try? clipped.centroid().value(), case .point(let x, let y) = c else { continue }
                // The cell belongs to the seed inside it.
                guard let k = s.indices.first(where: { (try? GeosPreparedGeometry(cell).contains(x: s[$0].0, y: s[$0].1)) == true }) else { continue }
                if try prepared.contains(x: x, y: y) { next[k] = (x, y) }
            }
            s = next
        }
        return s
    }

    /// Densifies a chain and displaces its inner vertices sideways: a slow meander plus small noise, fading to zero
    /// at both ends so the chain still meets its neighbours.
    func jitter(_ chain: GeosGeometry, spacing: Double, amplitude: Double, noise: Double, rng: inout SampleRandom,
                geos: GeosContext) throws -> GeosGeometry {
        let xy = try chain.densify(spacing).lineCoordinates()
        let n = xy.count / 2
        guard n > 2 else { return chain }
        var d = [0.0]
        for i in 1..<n { d.append(d[i - 1] + hypot(xy[2 * i] - xy[2 * i - 2], xy[2 * i + 1] - xy[2 * i - 1])) }
        let length = d[n - 1]
        let a = min(amplitude, 0.04 * length)
        let f = Double(rng.int(1..<4))
        let phase = rng.uniform(0, 2 * .pi)
        var out = xy
        for i in 1..<(n - 1) {
            let t = d[i] / length
            var tx = xy[2 * i + 2] - xy[2 * i - 2], ty = xy[2 * i + 3] - xy[2 * i - 1]
            let tl = max(hypot(tx, ty), 1e-9)
            tx /= tl; ty /= tl
            let envelope = sin(.pi * t)
            let disp = envelope * (a * sin(.pi * f * t + phase) + min(noise, 0.02 * length) * rng.normal())
            out[2 * i] = xy[2 * i] - ty * disp
            out[2 * i + 1] = xy[2 * i + 1] + tx * disp
        }
        return try GeosGeometry.lineString(out, in: geos)
    }

    /// Gives each face the one seed inside it; seedless faces join the neighbour they share most boundary with.
    func assign(faces: [GeosGeometry], seeds: [(Double, Double)], geos: GeosContext) throws -> [Face] {
        var owner = [Int?](repeating: nil, count: faces.count)
        var faceOfSeed = [Int?](repeating: nil, count: seeds.count)
        for (fi, f) in faces.enumerated() {
            let prepared = try GeosPreparedGeometry(f)
            for (si, s) in seeds.enumerated() where try prepared.contains(x: s.0, y: s.1) {
                guard owner[fi] == nil, faceOfSeed[si] == nil else {
                    throw RetryableSampleProblem(message: "a face holds two seeds")
                }
                owner[fi] = si
                faceOfSeed[si] = fi
            }
        }
        guard faceOfSeed.allSatisfy({ $0 != nil }) else { throw RetryableSampleProblem(message: "a seed fell on an edge") }
        var groups = [[GeosGeometry]](repeating: [], count: seeds.count)
        for (fi, f) in faces.enumerated() { if let o = owner[fi] { groups[o].append(f) } }
        var orphans = faces.indices.filter { owner[$0] == nil }
        while !orphans.isEmpty {
            var remaining: [Int] = []
            for fi in orphans {
                let edge = try faces[fi].boundary()
                var best: (owner: Int, length: Double)?
                for (fj, g) in faces.enumerated() where fj != fi {
                    guard let o = owner[fj], faces[fi].bounds.intersects(g.bounds) else { continue }
                    let shared = try edge.intersection(try g.boundary()).length()
                    if shared > (best?.length ?? 0) { best = (o, shared) }
                }
                if let best {
                    owner[fi] = best.owner
                    groups[best.owner].append(faces[fi])
                } else {
                    remaining.append(fi)
                }
            }
            guard remaining.count < orphans.count else { throw RetryableSampleProblem(message: "an isolated face") }
            orphans = remaining
        }
        return try groups.enumerated().map { si, parts in
            let g = parts.count == 1 ? parts[0] : try GeosGeometry.collection(parts, in: geos).coverageUnion()
            guard g.typeID == 3 else { throw RetryableSampleProblem(message: "a grid made of separate pieces") }
            return Face(geometry: g, seedIndex: si)
        }
    }
}
