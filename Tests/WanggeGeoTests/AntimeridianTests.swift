import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("Polygons across the antimeridian: refused whole, accepted cut at ±180° with area and lookups that agree")
struct AntimeridianTests {
    let validator = BoundaryValidator()
    /// The box found in the field: 177.9° E to 179.8° W (2.3° wide across ±180°), 10° S to 8° S.
    static let box = B.polygon([[[177.9, -10], [-179.8, -10], [-179.8, -8], [177.9, -8], [177.9, -10]]])
    /// The same box cut at 180° (RFC 7946 §3.1.9).
    static let cut = B.multiPolygon([[B.box(177.9, -10, 180, -8)], [B.box(-180, -10, -179.8, -8)]])

    func file(_ geometry: JSONValue) -> [UInt8] {
        var b = BoundaryFileBuilder()
        b.add("AM", geometry: geometry)
        return b.bytes
    }

    @Test("a box that crosses ±180° is refused, naming the feature, the edge and the way to fix it")
    func refused() throws {
        let r = validator.check(file(Self.box), options: BoundaryOptions(layer: .functional))
        #expect(r.grids.isEmpty)
        let d = try #require(r.defects.first)
        #expect(r.defects.count == 1 && d.kind == .crossesAntimeridian && d.featureIndex == 0 && d.code == "AM")
        #expect(d.description.hasPrefix("feature 0 (code AM") && d.message.contains("antimeridian"))
        #expect(d.message.contains("Split it at 180°") && d.message.contains("RFC 7946"))
        guard case .point(let x, let y)? = d.location else { Issue.record("no location"); return }
        #expect(x == 180 && y == -10)
    }

    @Test("the box cut at 180° is accepted: its area is the geodesic area of the box, and lookups see 2.3°, not 357.7°")
    func cutBox() throws {
        let r = validator.check(file(Self.cut), options: BoundaryOptions(layer: .functional))
        #expect(r.isClean, "\(r.defects)")
        let grid = try #require(r.grids.first)
        // The box uncut, and with the points where its edges meet 180° as vertices (the cut adds them: a geodesic
        // edge through 180° at the same latitude runs a little off the parallel, so the plain box differs by 3e-5).
        func area(_ xy: [Double]) -> Double { Geodesic.wgs84.area(of: GeometryValue.polygon(Polygon(rings: [Ring(xy: xy)]))) }
        let original = area([177.9, -10, -179.8, -10, -179.8, -8, 177.9, -8, 177.9, -10])
        let withCrossings = area([177.9, -10, 180, -10, -179.8, -10, -179.8, -8, 180, -8, 177.9, -8, 177.9, -10])
        #expect(original > 5e10)  // ≈ 2.3° × 2° near the equator: about 56 000 km²
        #expect(abs(grid.areaM2 - withCrossings) / withCrossings < 1e-9, "\(grid.areaM2) vs \(withCrossings)")
        #expect(abs(grid.areaM2 - original) / original < 1e-4, "\(grid.areaM2) vs \(original)")

        let snap = try GridIndexSnapshot.build(grids: [StoredGrid(grid, id: 1)], generation: 1)
        let replica = try GridIndexReplica(snapshot: snap)
        // Inside the box's real extent (177.9° E … 180° … 179.8° W): 179.5° E, 179° E and 179.9° W.
        for lon in [179.5, 179, -179.9] {
            #expect(replica.assign(lon: lon, lat: -9).functional.grids == ["AM"], "\(lon)")
        }
        // Outside it: 0° (inside only if the box were read as 357.7° wide), 177.5° E and 179.5° W.
        for lon in [0, 177.5, -179.5] {
            #expect(replica.assign(lon: lon, lat: -9).functional.grids.isEmpty, "\(lon)")
        }
    }
}
