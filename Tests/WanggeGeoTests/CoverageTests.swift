import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("Boundary coverage report")
struct CoverageTests {
    let validator = BoundaryValidator()
    static let x0 = 114.450, y0 = 38.060

    /// Stored grids from a file, taken in with tolerances wide enough to let its defects through (as a layer imported
    /// with other settings would be).
    func stored(_ b: BoundaryFileBuilder, layer: GridLayer) throws -> [StoredGrid] {
        var o = BoundaryOptions(layer: layer)
        o.toleranceMetres = 100
        o.sliverAreaM2 = 1e7
        let r = validator.check(b.bytes, options: o)
        #expect(r.defects.isEmpty, "\(r.defects)")
        return r.grids.enumerated().map { i, g in StoredGrid(g, id: Int64(i + 1)) }
    }

    /// Area of a lon/lat box worked out independently of GeographicLib: metres per degree at the box's latitude on
    /// the WGS84 ellipsoid (meridian and prime-vertical radii of curvature), good to far better than 1 % at this size.
    static func boxM2(_ dLon: Double, _ dLat: Double, at lat: Double) -> Double {
        let a = 6378137.0, e2 = 0.00669437999014, phi = lat * .pi / 180
        let w = sqrt(1 - e2 * sin(phi) * sin(phi))
        let m = a * (1 - e2) / (w * w * w), n = a / w
        return (dLon * .pi / 180 * n * cos(phi)) * (dLat * .pi / 180 * m)
    }

    @Test("a gap between communities, an overlap of courtyards and a child outside its parent are found with their areas")
    func residentialDefects() throws {
        typealias B = BoundaryFileBuilder
        let (x0, y0) = (Self.x0, Self.y0)
        var b = B()
        b.add("S", level: "street", geometry: B.polygon([B.box(x0, y0, x0 + 0.004, y0 + 0.002)]))
        // C1 stops 0.0002° short of C2: a 0.0002° × 0.002° gap.
        b.add("C1", level: "community", parent: "S", geometry: B.polygon([B.box(x0, y0, x0 + 0.0018, y0 + 0.002)]))
        b.add("C2", level: "community", parent: "S", geometry: B.polygon([B.box(x0 + 0.002, y0, x0 + 0.004, y0 + 0.002)]))
        // Y1 and Y2 overlap by 0.0002° of height; Y2 also pokes 0.0001° out of C1 at the top.
        b.add("Y1", level: "courtyard", parent: "C1", geometry: B.polygon([B.box(x0, y0, x0 + 0.0018, y0 + 0.0012)]))
        b.add("Y2", level: "courtyard", parent: "C1", geometry: B.polygon([B.box(x0, y0 + 0.001, x0 + 0.0018, y0 + 0.0021)]))
        b.add("Y3", level: "courtyard", parent: "C2", geometry: B.polygon([B.box(x0 + 0.002, y0, x0 + 0.004, y0 + 0.002)]))
        let r = try validator.coverage(residential: try stored(b, layer: .residential), overlays: [:])
        let lat = y0 + 0.001
        let street = Self.boxM2(0.004, 0.002, at: lat)
        #expect(abs(r.streetM2 - street) / street < 0.01)
        let community = try #require(r.figures.first { $0.name == "community" })
        let gap = Self.boxM2(0.0002, 0.002, at: lat)
        #expect(abs(community.gapM2 - gap) / gap < 0.01, "gap \(community.gapM2) vs \(gap)")
        #expect(abs(community.coveredM2 / street - 0.95) < 0.001)
        let courtyard = try #require(r.figures.first { $0.name == "courtyard" })
        let overlap = Self.boxM2(0.0018, 0.0002, at: lat)
        #expect(abs(courtyard.overlapM2 - overlap) / overlap < 0.01, "overlap \(courtyard.overlapM2) vs \(overlap)")
        let kinds = Set(r.defects.map(\.kind))
        #expect(kinds == [.parentNotCovered, .siblingOverlap, .childOutsideParent], "\(r.defects)")
        let outside = try #require(r.defects.first { $0.kind == .childOutsideParent })
        #expect(outside.code == "Y2" && abs(outside.areaM2! - Self.boxM2(0.0018, 0.0001, at: lat)) / outside.areaM2! < 0.01)
        #expect(r.defects.allSatisfy { $0.location != nil && ($0.areaM2 ?? 0) > 0 })
    }

    @Test("overlays: the share of the street they cover, overlaps between them and parts beyond the street")
    func overlays() throws {
        typealias B = BoundaryFileBuilder
        let (x0, y0) = (Self.x0, Self.y0)
        let residential = try stored(B.cleanHierarchy(), layer: .residential)
        var o = B()
        o.add("F1", geometry: B.polygon([B.box(x0, y0, x0 + 0.002, y0 + 0.002)]))           // the west half
        o.add("F2", geometry: B.polygon([B.box(x0 + 0.001, y0, x0 + 0.003, y0 + 0.002)]))   // overlaps F1 by a quarter
        o.add("F3", geometry: B.polygon([B.box(x0 + 0.0035, y0, x0 + 0.005, y0 + 0.002)]))  // 0.001° beyond the east edge
        let r = try validator.coverage(residential: residential, overlays: [.functional: try stored(o, layer: .functional)])
        #expect(r.defects.filter { $0.kind == .parentNotCovered || $0.kind == .siblingOverlap }.isEmpty)
        let f = try #require(r.figures.first { $0.name == "functional" })
        let lat = y0 + 0.001
        let street = Self.boxM2(0.004, 0.002, at: lat)
        #expect(abs(f.coveredM2 / street - 0.875) < 0.001, "\(f.coveredM2 / street)")  // 0.0035 of 0.004
        #expect(abs(f.outsideStreetM2 - Self.boxM2(0.001, 0.002, at: lat)) / f.outsideStreetM2 < 0.01)
        #expect(abs(f.overlapM2 - Self.boxM2(0.001, 0.002, at: lat)) / f.overlapM2 < 0.01)
        let overlaps = r.defects.filter { $0.kind == .overlayOverlap }
        #expect(overlaps.count == 1 && Set([overlaps[0].code!] + overlaps[0].relatedCodes) == ["F1", "F2"])
        let beyond = r.defects.filter { $0.kind == .outsideStreet }
        #expect(beyond.map(\.code) == ["F3"])
        // Every residential level of the clean hierarchy covers the whole street, with no gaps or overlaps.
        for level in ["street", "community", "courtyard"] {
            let fl = try #require(r.figures.first { $0.name == level })
            #expect(abs(fl.coveredM2 - street) / street < 1e-6 && fl.gapM2 < 1 && fl.overlapM2 < 1)
        }
    }
}
