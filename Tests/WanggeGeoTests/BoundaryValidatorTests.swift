import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

typealias B = BoundaryFileBuilder

@Suite("Boundary checks")
struct BoundaryValidatorTests {
    let validator = BoundaryValidator()
    static let x0 = 114.450, y0 = 38.060

    func check(_ b: BoundaryFileBuilder, layer: GridLayer = .residential, configure: (inout BoundaryOptions) -> Void = { _ in }) -> BoundaryCheckResult {
        var o = BoundaryOptions(layer: layer)
        configure(&o)
        return validator.check(b.bytes, options: o)
    }

    @Test("a clean hierarchy passes and every grid gets WKB, bbox and geodesic area")
    func clean() throws {
        let r = check(B.cleanHierarchy())
        #expect(r.defects.isEmpty, "\(r.defects)")
        #expect(r.grids.count == 7)
        let street = try #require(r.grids.first { $0.code == "S" })
        let sum = r.grids.filter { $0.level == .courtyard }.reduce(0) { $0 + $1.areaM2 }
        #expect(abs(street.areaM2 - sum) < 1e-3)
        #expect(abs(street.areaM2 - 0.004 * 0.002 * 111_320 * 0.7876 * 110_990) / street.areaM2 < 0.01)
        #expect(street.wkb.count == 93)  // 1+4+4 header, 4 ring count... one ring of 5 points: 9+4+4+80
        #expect(r.grids.first { $0.code == "Y1" }?.parent == "C1")
    }

    @Test("each kind of bad input is reported with its feature, code and reason", arguments: BadBoundaryCase.all)
    func bad(_ c: BadBoundaryCase) throws {
        let r = check(c.make())
        #expect(r.grids.isEmpty, "grids must not be offered for storage when there are defects")
        let d = try #require(r.defects.first { $0.kind == c.kind }, "\(r.defects)")
        #expect(d.message.contains(c.mentions), "\(d.message)")
        #expect(d.featureIndex != nil)
    }

    @Test("all defects are reported together, not only the first")
    func allTogether() {
        var b = B.cleanHierarchy()
        b.features[2].properties["code"] = .string("C1")
        b.features[5].properties["parent"] = .string("nope")
        b.features[6].geometry = B.polygon([Array(B.box(Self.x0, Self.y0, Self.x0 + 0.001, Self.y0 + 0.001).dropLast())])
        let kinds = Set(check(b).defects.map(\.kind))
        #expect(kinds.isSuperset(of: [.duplicateCode, .unknownParent, .ringNotClosed]))
    }

    @Test("malformed JSON is one defect with line and column")
    func malformed() {
        let r = validator.check(Array("{\"type\": \"FeatureCollection\",\n \"features\": [}".utf8), options: BoundaryOptions(layer: .functional))
        #expect(r.defects.count == 1)
        #expect(r.defects[0].kind == .malformedJSON && r.defects[0].line == 2 && r.defects[0].column == 15)
    }

    @Test("an empty collection is refused rather than emptying the layer")
    func empty() {
        let r = validator.check(Array(#"{"type":"FeatureCollection","features":[]}"#.utf8), options: BoundaryOptions(layer: .industry))
        #expect(r.defects.map(\.kind) == [.emptyLayer])
    }

    @Test("gaps and overlaps thinner than the tolerance are accepted; wider ones are not")
    func tolerance() {
        // A 0.3 m strip of overlap (≈ 2.7e-6° of latitude) between Y1 and Y2.
        let strip = 0.3 / 110_990
        var b = B.cleanHierarchy()
        b.features[4].geometry = B.polygon([B.box(Self.x0, Self.y0 + 0.001 - strip, Self.x0 + 0.002, Self.y0 + 0.002)])
        #expect(check(b).defects.isEmpty)
        #expect(check(b) { $0.toleranceMetres = 0.2 }.defects.map(\.kind) == [.siblingOverlap])
        // A small square (0.5 m² < default sliver area? no: 2 m × 2 m = 4 m²) poking out of the parent is a defect,
        // and is accepted when the sliver area is raised above it.
        var c = B.cleanHierarchy()
        let d = 2.0 / 110_990
        c.features[3].geometry = B.polygon([[[Self.x0, Self.y0], [Self.x0 + 0.002, Self.y0], [Self.x0 + 0.002, Self.y0 + 0.001],
                                             [Self.x0 + 0.001 + d, Self.y0 + 0.001], [Self.x0 + 0.001 + d, Self.y0 + 0.001 + d],
                                             [Self.x0 + 0.001, Self.y0 + 0.001 + d], [Self.x0 + 0.001, Self.y0 + 0.001],
                                             [Self.x0, Self.y0 + 0.001], [Self.x0, Self.y0]]])
        let kinds = Set(check(c).defects.map(\.kind))
        #expect(kinds.contains(.siblingOverlap))
        #expect(check(c) { $0.sliverAreaM2 = 10 }.defects.isEmpty)
    }

    @Test("clockwise rings, holes, enclaves and multipolygons are accepted and stored counter-clockwise")
    func realShapes() throws {
        var b = BoundaryFileBuilder()
        let x0 = Self.x0, y0 = Self.y0
        b.add("S", level: "street", geometry: B.polygon([B.box(x0, y0, x0 + 0.004, y0 + 0.002, clockwise: true)]))
        // C1 is the street with a hole; C2 is the enclave filling the hole plus a detached piece of the east side.
        b.add("C1", level: "community", parent: "S", geometry: B.polygon([
            [[x0, y0], [x0 + 0.003, y0], [x0 + 0.003, y0 + 0.002], [x0, y0 + 0.002], [x0, y0]],
            B.box(x0 + 0.001, y0 + 0.0005, x0 + 0.002, y0 + 0.0015, clockwise: true),
        ]))
        b.add("C2", level: "community", parent: "S", geometry: B.multiPolygon([
            [B.box(x0 + 0.001, y0 + 0.0005, x0 + 0.002, y0 + 0.0015, clockwise: true)],
            [B.box(x0 + 0.003, y0, x0 + 0.004, y0 + 0.002)],
        ]))
        let r = check(b)
        #expect(r.defects.isEmpty, "\(r.defects)")
        for g in r.grids {
            for p in g.geometry.polygons {
                #expect(p.exterior.isCounterClockwise)
                for h in p.holes { #expect(!h.isCounterClockwise) }
            }
        }
        let area = { (code: String) in r.grids.first { $0.code == code }!.areaM2 }
        #expect(abs(area("C1") + area("C2") - area("S")) < 1e-3)
    }

    @Test("the file's crs member is used, and a conflicting --crs is refused")
    func crsMember() {
        let text = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[{"type":"Feature","properties":{"code":"A","name":"a"},"geometry":{"type":"Polygon","coordinates":[[[12740000,4586000],[12740100,4586000],[12740100,4586100],[12740000,4586000]]]}}]}"#
        let ok = validator.check(Array(text.utf8), options: BoundaryOptions(layer: .functional))
        #expect(ok.defects.isEmpty && ok.crs == .epsg(3857))
        #expect(abs(ok.grids[0].bbox.minX - 114.447) < 0.01)
        let clash = validator.check(Array(text.utf8), options: BoundaryOptions(layer: .functional, crs: .gcj02))
        #expect(clash.defects.map(\.kind) == [.crs])
    }

    @Test("lon/lat given with a projected CRS is caught")
    func degreesWithProjectedCRS() {
        let r = check(B.cleanHierarchy()) { $0.crs = .epsg(4547) }
        #expect(r.defects.first?.kind == .crs, "\(r.defects)")
        #expect(r.defects.first?.message.contains("looks like longitude/latitude degrees") == true)
    }

    @Test("property names and level spellings can be remapped")
    func remap() {
        var b = BoundaryFileBuilder()
        b.features = B.cleanHierarchy().features.map { f in
            var p = JSONObject()
            p["id"] = f.properties["code"]; p["label"] = f.properties["name"]
            p["parent_id"] = f.properties["parent"] ?? .null
            p["kind"] = f.properties["level"] == .string("street") ? .string("subdistrict") : f.properties["level"]
            return BoundaryFileBuilder.Feature(properties: p, geometry: f.geometry)
        }
        let r = check(b) { o in
            o.fields.code = "id"; o.fields.name = "label"; o.fields.parent = "parent_id"; o.fields.level = "kind"
        }
        #expect(r.defects.isEmpty, "\(r.defects)")
        #expect(r.grids.first { $0.code == "S" }?.level == .street)
    }

    @Test("a real file (Natural Earth) reports its real defects: a self-intersection and shared codes")
    func naturalEarthDefects() throws {
        var o = BoundaryOptions(layer: .functional)
        o.fields.code = "iso_a3"
        let r = validator.check(try Fixtures.bytes("real/naturalearth_lowres.geojson"), options: o)
        #expect(r.crs == .wgs84)
        #expect(r.defects.filter { $0.kind == .duplicateCode }.count == 4)
        let invalid = r.defects.filter { $0.kind == .invalidPolygon }
        #expect(invalid.count == 1 && invalid[0].code == "SDN" && invalid[0].message.contains("Self-intersection"))
        #expect(invalid[0].location != nil)
    }

    @Test("a real file (Natural Earth, without its one invalid polygon) imports with GeographicLib's areas")
    func naturalEarthAreas() throws {
        var o = BoundaryOptions(layer: .industry)
        o.fields.code = "name"
        let r = validator.check(try Fixtures.naturalEarthValid(), options: o)
        #expect(r.defects.isEmpty, "\(r.defects.prefix(3))")
        #expect(r.grids.count == 176)
        let expected = try JSONValue.parse(Fixtures.bytes("real/naturalearth_lowres.areas.json")).objectValue!
        for g in r.grids {
            let want = try #require(expected[g.code]?.doubleValue)
            #expect(abs(g.areaM2 - want) / want < 1e-9, "\(g.code): \(g.areaM2) vs \(want)")
        }
        let za = try #require(r.grids.first { $0.code == "South Africa" })
        #expect(za.geometry.polygons[0].rings.count == 2)  // the hole around Lesotho survived
    }
}
