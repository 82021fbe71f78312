import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("The ten-minute convenience circle")
struct ServiceCoverageTests {
    /// A 3 km × 3 km grid (one building, 1,000 households) around 114.45°E 38.06°N, stored as an import stores it.
    func bigGrid() throws -> StoredGrid {
        typealias B = BoundaryFileBuilder
        let dLon = 3000 / (111_320 * cos(38.06 * .pi / 180)), dLat = 3000 / 110_574.0
        var b = B()
        b.add("G", level: "street", geometry: B.polygon([B.box(114.45 - dLon / 2, 38.06 - dLat / 2, 114.45 + dLon / 2, 38.06 + dLat / 2)]),
              extra: [("households", .number(JSONNumber(1000)))])
        let g = try #require(BoundaryValidator().check(b.bytes, options: BoundaryOptions(layer: .residential)).grids.first)
        return StoredGrid(g, id: 1)
    }

    @Test("a point in the middle covers π r² of the grid, one on its edge half of that, within 1 %; households in proportion")
    func circleAreas() throws {
        let grid = try bigGrid()
        let r = 800.0, disc = Double.pi * r * r
        let centre = ServicePoint(id: "c", name: "centre", kind: "clinic", lon: 114.45, lat: 38.06)
        let west = ServicePoint(id: "w", name: "west edge", kind: "legal_aid", lon: grid.bbox.minX, lat: 38.06)
        let result = try ServiceCoverage().compute(points: [centre, west], kinds: ["clinic", "legal_aid"], grids: [grid], buildings: [grid],
                                                   parents: [:], street: try WKB.decode(grid.wkb), radiusMetres: r)
        let row = try #require(result.rows.first)
        let clinic = try #require(row.coveredM2["clinic"]), legal = try #require(row.coveredM2["legal_aid"])
        #expect(abs(clinic - disc) / disc < 0.01, "\(clinic) vs \(disc)")
        #expect(abs(legal - disc / 2) / (disc / 2) < 0.01, "\(legal) vs \(disc / 2)")
        let hh = try #require(row.coveredHouseholds["clinic"])
        #expect(abs(hh - 1000 * disc / grid.areaM2) < 5)
        // Both at once: the lens where the circles meet (centres about 1,500 m apart, measured on the ellipsoid):
        // 2r²·acos(d/2r) − (d/2)·√(4r² − d²).
        let d = Geodesic.wgs84.distance(lon1: centre.lon, lat1: centre.lat, lon2: west.lon, lat2: west.lat), lens = 2 * r * r * acos(d / (2 * r)) - d / 2 * (4 * r * r - d * d).squareRoot()
        #expect(abs(row.allM2 - lens) / lens < 0.01, "\(row.allM2) vs \(lens)")
        // The uncovered layer: everything but the disc, per kind.
        let left = try #require(result.uncovered.first { $0.kind == "clinic" })
        #expect(abs(left.areaM2 - (grid.areaM2 - disc)) / (grid.areaM2 - disc) < 0.01)
        #expect(result.points == ["clinic": 1, "legal_aid": 1])
    }

    @Test("points far away are left out rather than projected, and no points or no kinds give an empty answer")
    func farAndEmpty() throws {
        let grid = try bigGrid()
        let far = ServicePoint(id: "f", name: "elsewhere", kind: "clinic", lon: -70, lat: -33)
        let centre = ServicePoint(id: "c", name: "centre", kind: "clinic", lon: 114.45, lat: 38.06)
        let r = try ServiceCoverage().compute(points: [far, centre], kinds: ["clinic"], grids: [grid], buildings: [grid], parents: [:],
                                              street: try WKB.decode(grid.wkb), radiusMetres: 800)
        #expect(r.points == ["clinic": 1])
        #expect(abs((r.rows.first?.coveredM2["clinic"] ?? 0) - Double.pi * 640_000) / (Double.pi * 640_000) < 0.01)
        let none = try ServiceCoverage().compute(points: [], kinds: [], grids: [grid], buildings: [grid], parents: [:],
                                                 street: try WKB.decode(grid.wkb), radiusMetres: 800)
        #expect(none.rows.first?.allM2 == 0 && none.uncovered.isEmpty)
    }
}
