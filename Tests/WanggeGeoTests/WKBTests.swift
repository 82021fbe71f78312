import Foundation
import Testing
import WanggeCore
@testable import WanggeGeo
import WanggeTestSupport

/// Wangge writes the WKB of an overlay grid itself (an upload of 100,000 small grids then holds no GEOS geometry
/// for each while it is checked): the bytes must be exactly GEOS's.
@Suite("WKB written without GEOS is GEOS's, byte for byte")
struct WKBTests {
    @Test("every grid of the sample's three layers, a multipolygon with a hole and a point")
    func sameBytes() throws {
        let geos = GeosContext()
        var values: [GeometryValue] = []
        for file in ["residential", "functional", "industry"] {
            let doc = try GeoJSONDocument.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/\(file).geojson"))))
            values += doc.features.compactMap { $0.polygonalGeometry(code: nil).geometry?.orientedForOutput() }
        }
        #expect(values.count == 115)
        let square = Ring(xy: [0, 0, 4, 0, 4, 4, 0, 4, 0, 0]), hole = Ring(xy: [1, 1, 1, 2, 2, 2, 2, 1, 1, 1])
        values.append(.multiPolygon([Polygon(rings: [square, hole]), Polygon(rings: [Ring(xy: [5, 5, 6, 5, 6, 6, 5, 5])])]))
        values.append(.point(x: 114.4530001, y: -38.0620001))
        for v in values {
            let ours = WKB.encode(v)
            #expect(ours == (try GeosGeometry(v, in: geos)).wkb)
            #expect(try WKB.decode(ours) == v)
        }
    }
}
