import Testing
import Foundation
import WanggeTestSupport
@testable import WanggeCore

/// An upload is read as it streams (issue 15): what the streaming reader finds must be what the whole-file parser
/// finds, whatever the chunks.
@Suite("Reading a FeatureCollection as it arrives")
struct GeoJSONDocumentReaderTests {
    static func streamed(_ bytes: [UInt8], chunk: Int) -> Result<GeoJSONDocument, any Error> {
        var reader = GeoJSONDocument.Reader()
        return Result {
            var i = 0
            while i < bytes.count {
                try reader.feed(Array(bytes[i..<min(bytes.count, i + chunk)]))
                i += chunk
            }
            return try reader.finish()
        }
    }

    static let chunks = [1, 3, 7, 64, 4096, 1 << 30]

    @Test("the sample's boundary files read the same streamed as whole", arguments: ["residential", "functional", "industry"])
    func sampleFiles(layer: String) throws {
        let bytes = try #require(FileManager.default.contents(atPath: "\(Fixtures.geoData)/\(layer).geojson").map { Array($0) })
        let whole = try GeoJSONDocument.parse(bytes)
        #expect(!whole.features.isEmpty)
        for chunk in [7, 4096, 65_536, 1 << 30] {
            #expect(try Self.streamed(bytes, chunk: chunk).get() == whole, "chunk \(chunk)")
        }
    }

    @Test("features, problems, ids, crs and a byte-order mark come out the same")
    func agrees() throws {
        let text = """
        {"type": "FeatureCollection", "name": "x", "bbox": [0, 0, 3, 3],
         "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
         "features": [
        {"type": "Feature", "id": "a", "properties": {"code": "A", "名称": "社区 \\"一\\""}, "geometry": {"type": "Polygon",
          "coordinates": [[[0, 0], [1, 0, 5], [1, 1], [0, 0]]]}},
        {"type":"Feature","properties":[],"geometry":3},
        5, "x", null,
        {"type": "Feature", "geometry": null, "properties": null}
        ]}
        """
        for bom in [[], [0xEF, 0xBB, 0xBF] as [UInt8]] {
            let bytes = bom + Array(text.utf8)
            let whole = try GeoJSONDocument.parse(bytes)
            #expect(whole.features.count == 6 && whole.crsName == "urn:ogc:def:crs:EPSG::4547")
            for chunk in Self.chunks {
                #expect(try Self.streamed(bytes, chunk: chunk).get() == whole, "chunk \(chunk)")
            }
        }
    }

    @Test("a feature's syntax error has the same message, line, column and path", arguments: [
        // One line, as map SDKs write it: the column is far along line 1.
        #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null},{"type":"Feature","properties":{"a":1,"a":2},"geometry":null}]}"#,
        "{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":null},\n  {\"type\":\"Feature\",\n \"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2,]}}]}",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"名\":\"值\" \"b\":1}}]}",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,\"geometry\":null}]}",
    ])
    func featureErrors(text: String) throws {
        let bytes = Array(text.utf8)
        let expected: JSONSyntaxError
        do { _ = try GeoJSONDocument.parse(bytes); Issue.record("parsed: \(text)"); return } catch let e as JSONSyntaxError { expected = e }
        #expect(expected.path.hasPrefix("features["), "\(expected)")
        for chunk in Self.chunks {
            switch Self.streamed(bytes, chunk: chunk) {
            case .failure(let e as JSONSyntaxError):
                #expect(e == expected, "chunk \(chunk): \(e) (whole: \(expected))")
                #expect(e.path == expected.path && e.description == expected.description)
            case let other: Issue.record("chunk \(chunk): \(other)")
            }
        }
    }

    @Test("what is not a FeatureCollection is refused streamed too", arguments: [
        "", "[1]", #"{"type":"Feature","features":[]}"#, #"{"features":[]}"#, #"{"type":"FeatureCollection"}"#,
        #"{"type":"FeatureCollection","features":{}}"#, #"{"type":"FeatureCollection","features":[]} x"#,
        #"{"type":"FeatureCollection","features":[{"type":"Feature"}"#, #"{"type":"FeatureCollection","type":"FeatureCollection","features":[]}"#,
        #"{"type":"FeatureCollection","bbox":[1,,2],"features":[]}"#, #"{"type":"FeatureCollection","features":[1 2]}"#,
    ])
    func refused(text: String) {
        let bytes = Array(text.utf8)
        #expect(throws: (any Error).self, "whole: \(text)") { try GeoJSONDocument.parse(bytes) }
        for chunk in [1, 5, 1 << 30] {
            #expect(throws: (any Error).self, "chunk \(chunk): \(text)") { try Self.streamed(bytes, chunk: chunk).get() }
        }
    }

    @Test("a feature far larger than a chunk is read whole once its last byte is in")
    func largeFeature() throws {
        let ring = (0..<20_000).map { i -> String in
            let a = Double(i) / 20_000 * 2 * Double.pi
            return "[\(114.45 + 0.01 * cos(a)),\(38.06 + 0.01 * sin(a))]"
        }
        let text = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"BIG"},"geometry":{"type":"Polygon","coordinates":[["#
            + (ring + [ring[0]]).joined(separator: ",") + "]]}}]}"
        let bytes = Array(text.utf8)
        let whole = try GeoJSONDocument.parse(bytes)
        let streamed = try Self.streamed(bytes, chunk: 1000).get()
        #expect(streamed == whole)
        #expect(streamed.features.first?.coordinates?.xy.count == 40_002)
    }
}
