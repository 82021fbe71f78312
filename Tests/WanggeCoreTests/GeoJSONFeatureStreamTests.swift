import Testing
@testable import WanggeCore

@Suite("Streaming the features of a FeatureCollection")
struct GeoJSONFeatureStreamTests {
    static let text = """
        {"type": "FeatureCollection",
         "name": "points", "bbox": [1, 2, 3, 4],
         "crs": {"type": "name", "properties": {"name": "EPSG:4547"}},
         "features": [
          {"type": "Feature", "properties": {"n": "a ] } , \\" tricky"}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
          {"type": "Feature", "properties": {"n": "b"}, "geometry": {"type": "Point", "coordinates": [3.25, -4e2]}},
          {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2,]}},
          17
         ]}
        """

    static func pieces(_ text: String, chunk: Int) throws -> [GeoJSONFeatureStream.Piece] {
        var stream = GeoJSONFeatureStream()
        var out: [GeoJSONFeatureStream.Piece] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            try stream.feed(bytes[i..<min(bytes.count, i + chunk)]) { out.append($0) }
            i += chunk
        }
        try stream.finish { out.append($0) }
        return out
    }

    @Test("features, a malformed one and a bare value come out whole with their lines, whatever the chunks", arguments: [1, 2, 5, 64, 100_000])
    func pieces(chunk: Int) throws {
        let pieces = try Self.pieces(Self.text, chunk: chunk)
        var members: [(String, [UInt8])] = []
        var features: [(String, Int, Int)] = []
        for p in pieces {
            switch p {
            case .member(let key, let bytes, _): members.append((key, bytes))
            case .feature(let bytes, let at): features.append((String(decoding: bytes, as: UTF8.self), at.line, at.column))
            }
        }
        #expect(members.map(\.0) == ["type", "name", "bbox", "crs"])
        guard members.count == 4, features.count == 4 else { Issue.record("pieces: \(pieces)"); return }
        #expect(try JSONValue.parse(members[3].1).objectValue?["properties"]?.objectValue?["name"] == .string("EPSG:4547"))
        #expect(try JSONValue.parse(members[2].1) == JSONValue.parse("[1, 2, 3, 4]"))
        #expect(features.map(\.1) == [5, 6, 7, 8])
        #expect(features.map(\.2) == [3, 3, 3, 3])
        #expect(try JSONValue.parse(features[0].0).objectValue?["properties"]?.objectValue?["n"] == .string("a ] } , \" tricky"))
        #expect(try JSONValue.parse(features[1].0).objectValue?["geometry"]?.objectValue?["coordinates"]
            == .array([.number(JSONNumber(literal: "3.25", value: 3.25)), .number(JSONNumber(literal: "-4e2", value: -400))]))
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(features[2].0) }
        #expect(features[3].0.trimmingWhitespace() == "17")
    }

    @Test("what is not a FeatureCollection is refused with a reason", arguments: [
        ("", "empty"), ("[1, 2]", "starts with"), (#"{"type": "FeatureCollection"}"#, "no \"features\""),
        (#"{"type": "FeatureCollection", "features": [{"a": 1}"#, "ends in the middle"),
        (#"{"features": []} x"#, "after the end"),
        (#"{"features": [{"a": [1}, 2]}"#, "not closed"),
        (#"{"features": [], "name": }"#, "has no value"),
    ])
    func refused(_ text: String, _ reason: String) {
        #expect {
            _ = try Self.pieces(text, chunk: 3)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }
}
