import Testing
@testable import WanggeCore

@Suite("CRS names and the GCJ-02 / BD-09 formulas")
struct CRSTests {
    @Test("CRS names in the forms users and files write them", arguments: [
        ("EPSG:4326", CRS.wgs84), ("epsg:4547", .epsg(4547)), ("urn:ogc:def:crs:EPSG::4547", .epsg(4547)),
        ("urn:ogc:def:crs:EPSG:9.8.1:3857", .epsg(3857)), ("http://www.opengis.net/def/crs/EPSG/0/4490", .epsg(4490)),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", .wgs84), ("CRS84", .wgs84), ("GCJ02", .gcj02), ("gcj-02", .gcj02),
        ("BD09", .bd09), (" WGS84 ", .wgs84),
    ])
    func parsing(_ text: String, _ expected: CRS) throws {
        #expect(try CRS(parsing: text) == expected)
    }

    @Test("unknown CRS names are refused with the accepted forms", arguments: ["EPSG:", "EPSG:abc", "Beijing54", ""])
    func refused(_ text: String) {
        #expect(throws: CRSParseError.self) { try CRS(parsing: text) }
        let message = (try? CRS(parsing: text)).map { _ in "" } ?? CRSParseError(text: text).description
        #expect(message.contains("EPSG:nnnn") && message.contains("GCJ02") && message.contains("BD09"))
    }

    @Test("forward formulas match the published reference values (wandergis/coordtransform)")
    func forwardReference() {
        let g = ChinaOffset.wgs84ToGCJ02(lon: 116.404, lat: 39.915)
        #expect(abs(g.lon - 116.41024449916938) < 1e-12)
        #expect(abs(g.lat - 39.91640428150164) < 1e-12)
        let b = ChinaOffset.gcj02ToBD09(lon: 116.404, lat: 39.915)
        #expect(abs(b.lon - 116.41036949371029) < 1e-12)
        #expect(abs(b.lat - 39.92133699351021) < 1e-12)
    }

    @Test("inverses are accurate to better than 1e-7 degrees across China")
    func inverseAccuracy() {
        var worstGCJ = 0.0, worstBD = 0.0
        for lon in stride(from: 74.0, through: 134.0, by: 2.5) {
            for lat in stride(from: 18.0, through: 53.0, by: 2.5) {
                let g = ChinaOffset.wgs84ToGCJ02(lon: lon, lat: lat)
                let back = ChinaOffset.gcj02ToWGS84(lon: g.lon, lat: g.lat)
                worstGCJ = max(worstGCJ, abs(back.lon - lon), abs(back.lat - lat))
                let b = ChinaOffset.wgs84ToBD09(lon: lon, lat: lat)
                let back2 = ChinaOffset.bd09ToWGS84(lon: b.lon, lat: b.lat)
                worstBD = max(worstBD, abs(back2.lon - lon), abs(back2.lat - lat))
            }
        }
        #expect(worstGCJ < 1e-9)
        #expect(worstBD < 1e-9)
    }

    @Test("GCJ-02 moves Shijiazhuang by a few hundred metres and leaves points outside China alone")
    func offsetSize() {
        let g = ChinaOffset.wgs84ToGCJ02(lon: 114.45, lat: 38.06)
        let dx = (g.lon - 114.45) * 111_320 * 0.7876, dy = (g.lat - 38.06) * 110_574
        let metres = (dx * dx + dy * dy).squareRoot()
        #expect(metres > 100 && metres < 800)
        let paris = ChinaOffset.wgs84ToGCJ02(lon: 2.35, lat: 48.85)
        #expect(paris.lon == 2.35 && paris.lat == 48.85)
    }
}
