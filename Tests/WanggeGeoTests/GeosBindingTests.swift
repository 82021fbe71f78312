import Testing
import WanggeCore
@testable import WanggeGeo

@Suite("GEOS bindings")
struct GeosBindingTests {
    let context = GeosContext()

    static let withHole = GeometryValue.polygon(Polygon(rings: [
        Ring(xy: [0, 0, 10, 0, 10, 10, 0, 10, 0, 0]),
        Ring(xy: [2, 2, 2, 4, 4, 4, 4, 2, 2, 2]),
    ]))
    static let multi = GeometryValue.multiPolygon([
        Polygon(rings: [Ring(xy: [0, 0, 1, 0, 1, 1, 0, 0])]),
        Polygon(rings: [Ring(xy: [5, 5, 6, 5, 6, 6, 5, 6, 5, 5])]),
    ])

    @Test("Core values survive a trip through GEOS unchanged", arguments: [withHole, multi, GeometryValue.point(x: 114.45, y: 38.06)])
    func valueRoundTrip(_ v: GeometryValue) throws {
        let g = try GeosGeometry(v, in: context)
        #expect(try g.value() == v)
    }

    @Test("WKB round trip gives the same geometry, ISO little-endian")
    func wkbRoundTrip() throws {
        let g = try GeosGeometry(Self.multi, in: context)
        let wkb = g.wkb
        #expect(wkb.first == 1)            // little-endian
        #expect(wkb[1] == 6)               // MultiPolygon
        let back = try GeosGeometry(wkb: wkb, in: context)
        #expect(try back.value() == Self.multi)
        #expect(back.equalsExact(g))
    }

    @Test("bad WKB is an error with GEOS's message, not a crash")
    func badWKB() {
        #expect(throws: GeosError.self) { try GeosGeometry(wkb: [1, 2, 3], in: context) }
    }

    @Test("a bow-tie is invalid, with the reason and the location of the crossing")
    func invalidity() throws {
        let bowtie = GeometryValue.polygon(Polygon(rings: [Ring(xy: [0, 0, 2, 2, 2, 0, 0, 2, 0, 0])]))
        let detail = try #require(try GeosGeometry(bowtie, in: context).invalidity())
        #expect(detail.reason == "Self-intersection")
        #expect(detail.x == 1 && detail.y == 1)
        #expect(try GeosGeometry(Self.withHole, in: context).invalidity() == nil)
    }

    @Test("overlay, area and predicates answer as GEOS does")
    func operations() throws {
        let a = try GeosGeometry(.polygon(Polygon(rings: [Ring(xy: [0, 0, 2, 0, 2, 2, 0, 2, 0, 0])])), in: context)
        let b = try GeosGeometry(.polygon(Polygon(rings: [Ring(xy: [1, 1, 3, 1, 3, 3, 1, 3, 1, 1])])), in: context)
        #expect(try a.intersection(b).planarArea() == 1)
        #expect(try a.union(b).planarArea() == 7)
        #expect(try a.difference(b).planarArea() == 3)
        #expect(try a.intersects(b))
        let p = try GeosPreparedGeometry(a)
        p.warm()
        #expect(try p.contains(x: 0.5, y: 0.5))
        #expect(try !p.contains(x: 2, y: 1))   // on the boundary: not contained
        #expect(try !p.contains(x: 5, y: 5))
    }

    @Test("an empty overlay result reads back as an empty multipolygon")
    func emptyResult() throws {
        let a = try GeosGeometry(.polygon(Polygon(rings: [Ring(xy: [0, 0, 1, 0, 1, 1, 0, 0])])), in: context)
        let b = try GeosGeometry(.polygon(Polygon(rings: [Ring(xy: [5, 5, 6, 5, 6, 6, 5, 5])])), in: context)
        let i = try a.intersection(b)
        #expect(i.isEmpty)
    }

    @Test("the linked GEOS is 3.11 or later")
    func version() {
        #expect(GeosContext.version.hasPrefix("3."))
    }
}
