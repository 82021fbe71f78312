import Foundation
import Testing
import WanggeCore
@testable import WanggeGeo

@Suite("PROJ and geodesic measures")
struct ProjectionTests {
    let proj = ProjContext()

    @Test("geodesic area matches GeographicLib's independent value for a box near Xiyuan and a 1° cell")
    func geodesicArea() {
        // GeographicLib for Python 2.x, Geodesic.WGS84.Polygon: 5 844 746.913087845 m² and 12 308 778 361.469452 m².
        let box = Polygon(rings: [Ring(xy: [114.44, 38.05, 114.47, 38.05, 114.47, 38.07, 114.44, 38.07, 114.44, 38.05])])
        #expect(abs(Geodesic.wgs84.area(of: box) - 5_844_746.913087845) < 1e-3)
        let cell = Polygon(rings: [Ring(xy: [0, 0, 1, 0, 1, 1, 0, 1, 0, 0])])
        #expect(abs(Geodesic.wgs84.area(of: cell) - 12_308_778_361.469452) < 1)
        // Orientation does not change the magnitude; holes are subtracted.
        let cw = Polygon(rings: [box.exterior.reversed()])
        #expect(abs(Geodesic.wgs84.area(of: cw) - Geodesic.wgs84.area(of: box)) < 1e-6)
        let holed = Polygon(rings: [box.exterior, Ring(xy: [114.45, 38.055, 114.45, 38.06, 114.46, 38.06, 114.46, 38.055, 114.45, 38.055])])
        #expect(Geodesic.wgs84.area(of: holed) < Geodesic.wgs84.area(of: box) - 400_000)
    }

    @Test("EPSG:3857 matches the spherical Mercator formula exactly enough")
    func webMercator() throws {
        let c = try CRSConverter(.epsg(3857), context: proj)
        #expect(!c.sourceIsGeographic)
        let lon = 114.45, lat = 38.06, r = 6378137.0
        var xy = [r * lon * .pi / 180, r * log(tan(.pi / 4 + lat * .pi / 360))]
        c.toWGS84(&xy)
        #expect(abs(xy[0] - lon) < 1e-9 && abs(xy[1] - lat) < 1e-9)
    }

    @Test("EPSG:4547 (CGCS2000 Gauss-Kruger CM 114E) puts Xiyuan about 39.5 km east of the meridian and back")
    func gaussKruger() throws {
        let c = try CRSConverter(.epsg(4547), context: proj)
        var xy = [114.45, 38.06]
        c.fromWGS84(&xy)
        #expect(abs(xy[0] - 539_460) < 300)        // 500 km false easting + 0.45° × cos 38.06° × 111.3 km
        #expect(abs(xy[1] - 4_213_500) < 1_500)
        c.toWGS84(&xy)
        #expect(abs(xy[0] - 114.45) < 1e-10 && abs(xy[1] - 38.06) < 1e-10)
    }

    @Test("geographic EPSG codes are recognised as lon/lat and keep lon/lat axis order")
    func geographic() throws {
        let c = try CRSConverter(.epsg(4490), context: proj)
        #expect(c.sourceIsGeographic)
        var xy = [114.45, 38.06]
        c.toWGS84(&xy)
        #expect(abs(xy[0] - 114.45) < 1e-6 && abs(xy[1] - 38.06) < 1e-6)
    }

    @Test("an EPSG code PROJ does not know is a clear error")
    func unknownCode() {
        #expect(throws: ProjectionError.self) { try CRSConverter(.epsg(999_999), context: proj) }
    }

    @Test("GCJ-02 and BD-09 converters invert their forward transform")
    func chinaOffsets() throws {
        for crs in [CRS.gcj02, .bd09] {
            let c = try CRSConverter(crs, context: proj)
            var xy = [114.45, 38.06, 114.46, 38.07]
            c.fromWGS84(&xy)
            #expect(abs(xy[0] - 114.45) > 1e-3)
            c.toWGS84(&xy)
            #expect(abs(xy[0] - 114.45) < 1e-9 && abs(xy[3] - 38.07) < 1e-9)
        }
    }
}
