import Foundation
import Testing
import WanggeTestSupport
@testable import WanggeCore

@Suite("GeoJSON writing (RFC 7946)")
struct GeoJSONWriterTests {
    @Test("coordinates get at most 7 decimals, no trailing zeros, and keep their sign", arguments: [
        (114.45, "114.45"), (38.0, "38"), (-0.00000004, "0"), (-0.00000006, "-0.0000001"),
        (114.123456789, "114.1234568"), (-179.9999999, "-179.9999999"), (0.0000001, "0.0000001"),
        (1e20, "1e+20"), (12.000000049, "12"),
    ])
    func coordinates(_ value: Double, _ expected: String) {
        var w = GeoJSONWriter()
        w.appendCoordinate(value)
        let s = String(decoding: w.bytes, as: UTF8.self)
        #expect(s == expected || (value == 1e20 && Double(s) == 1e20))
    }

    @Test("strings are escaped so the output parses back")
    func escaping() throws {
        var w = GeoJSONWriter()
        let nasty = "quote\" back\\ nl\n tab\t ctl\u{01} 中文"
        w.appendString(nasty)
        #expect(try JSONValue.parse(w.bytes) == .string(nasty))
    }

    @Test("clockwise input becomes counter-clockwise exteriors and clockwise holes (golden fixture)")
    func goldenOrientation() throws {
        let input = try GeoJSONDocument.parse(Fixtures.bytes("golden/clockwise-in.geojson"))
        let features = input.features.map { f -> (id: String?, geometry: GeometryValue?, properties: JSONObject) in
            let (g, d) = f.polygonalGeometry(code: nil)
            #expect(d.isEmpty)
            return (id: f.properties["code"]?.identifierText, geometry: g?.orientedForOutput(), properties: f.properties)
        }
        let out = GeoJSONWriter.featureCollection(features)
        if ProcessInfo.processInfo.environment["WANGGE_UPDATE_GOLDEN"] == "1" {
            try Data(out).write(to: URL(fileURLWithPath: Fixtures.path("golden/clockwise-out.geojson")))
        }
        let expected = try Fixtures.bytes("golden/clockwise-out.geojson")
        #expect(String(decoding: out, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        // And the written rings really are oriented as RFC 7946 asks.
        for f in try GeoJSONDocument.parse(out).features {
            for p in f.polygonalGeometry(code: nil).geometry!.polygons {
                #expect(p.exterior.isCounterClockwise)
                for h in p.holes { #expect(!h.isCounterClockwise) }
            }
        }
    }
}
