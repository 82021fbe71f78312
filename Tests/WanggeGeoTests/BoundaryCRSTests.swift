import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("Boundary files in CGCS2000: EPSG:4490 and OGC CRS URIs, given as an option or in the file's crs member")
struct BoundaryCRSTests {
    let validator = BoundaryValidator()
    static let x0 = 114.450, y0 = 38.060

    /// One 0.002° box near Xiyuan, its ring converted from WGS84 into `crs`, with an optional legacy crs member.
    func file(in crs: CRS, member: String? = nil) throws -> [UInt8] {
        var xy = [Self.x0, Self.y0, Self.x0 + 0.002, Self.y0, Self.x0 + 0.002, Self.y0 + 0.002, Self.x0, Self.y0 + 0.002, Self.x0, Self.y0]
        try CRSConverter(crs, context: validator.proj).fromWGS84(&xy)
        let ring = stride(from: 0, to: xy.count, by: 2).map { [xy[$0], xy[$0 + 1]] }
        var b = BoundaryFileBuilder()
        b.add("G", geometry: B.polygon([ring]))
        guard let member else { return b.bytes }
        var text = String(decoding: b.bytes, as: UTF8.self)
        text = text.replacingOccurrences(of: #"{"type":"FeatureCollection","#,
                                         with: #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"\#(member)"}},"#)
        return Array(text.utf8)
    }

    func expectXiyuanBox(_ r: BoundaryCheckResult, _ crs: CRS) throws {
        #expect(r.isClean, "\(r.defects)")
        #expect(r.crs == crs)
        let g = try #require(r.grids.first)
        #expect(abs(g.bbox.minX - Self.x0) < 1e-6 && abs(g.bbox.minY - Self.y0) < 1e-6, "\(g.bbox)")
        #expect(abs(g.bbox.maxX - Self.x0 - 0.002) < 1e-6 && abs(g.bbox.maxY - Self.y0 - 0.002) < 1e-6)
    }

    @Test("the CRS given as an option (wangge import --crs, POST /boundaries?crs=)", arguments: [
        ("EPSG:4490", CRS.epsg(4490)), ("http://www.opengis.net/def/crs/EPSG/0/4490", .epsg(4490)),
        ("urn:ogc:def:crs:EPSG::4490", .epsg(4490)),
        ("http://www.opengis.net/def/crs/EPSG/0/4547", .epsg(4547)), ("EPSG:4547", .epsg(4547)),
    ])
    func option(_ name: String, _ crs: CRS) throws {
        let r = validator.check(try file(in: crs), options: BoundaryOptions(layer: .functional, crs: try CRS(parsing: name)))
        try expectXiyuanBox(r, crs)
    }

    @Test("the CRS named in the file's crs member", arguments: [
        ("EPSG:4490", CRS.epsg(4490)), ("http://www.opengis.net/def/crs/EPSG/0/4490", .epsg(4490)),
        ("http://www.opengis.net/def/crs/EPSG/0/4547", .epsg(4547)), ("urn:ogc:def:crs:EPSG::4547", .epsg(4547)),
    ])
    func member(_ name: String, _ crs: CRS) throws {
        let r = validator.check(try file(in: crs, member: name), options: BoundaryOptions(layer: .functional))
        try expectXiyuanBox(r, crs)
        // The same CRS in another spelling as the option agrees with the member.
        let both = validator.check(try file(in: crs, member: name), options: BoundaryOptions(layer: .functional, crs: crs))
        try expectXiyuanBox(both, crs)
    }
}
