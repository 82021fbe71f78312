import Testing
import WanggeTestSupport
@testable import WanggeCore

@Suite("GeoJSON FeatureCollection reading")
struct GeoJSONDocumentTests {
    @Test("features keep index, line, properties and coordinates")
    func reads() throws {
        let text = """
        {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "A", "n": 1}, "geometry": {"type": "Polygon",
          "coordinates": [[[0, 0], [1, 0, 5], [1, 1], [0, 0]]]}},
        {"type": "Feature", "id": 7, "geometry": {"coordinates": [[[[0,0],[1,0],[1,1],[0,0]]], [[[2,2],[3,2],[3,3],[2,2]]]], "type": "MultiPolygon"}, "properties": null}
        ]}
        """
        let doc = try GeoJSONDocument.parse(Array(text.utf8))
        #expect(doc.features.count == 2)
        let a = doc.features[0]
        #expect(a.index == 0 && a.line == 2)
        #expect(a.properties["code"] == .string("A"))
        #expect(a.geometryType == "Polygon")
        #expect(a.coordinates?.depth == 2)
        #expect(a.coordinates?.xy == [0, 0, 1, 0, 1, 1, 0, 0])
        #expect(a.coordinates?.hadExtraOrdinates == true)
        let b = doc.features[1]
        #expect(b.line == 4 && b.id?.identifierText == "7")
        #expect(b.coordinates?.depth == 3)
        #expect(b.coordinates?.counts == [[2], [1, 1], [4, 4]])
        #expect(b.problems.isEmpty)
    }

    @Test("structural problems are kept per feature and reading goes on")
    func structuralProblems() throws {
        let text = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,"x"],[0,0]]]}},
        {"type":"Feature","properties":{}},
        {"type":"Feature","properties":[],"geometry":3},
        5,
        {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0]],[[[0,1]]]]}}
        ]}
        """
        let doc = try GeoJSONDocument.parse(Array(text.utf8))
        #expect(doc.features.count == 5)
        #expect(doc.features[0].problems.first?.contains("a position must hold numbers") == true)
        #expect(doc.features[1].problems == ["the feature has no \"geometry\" member"])
        #expect(doc.features[2].problems.contains { $0.contains("\"properties\" must be an object") })
        #expect(doc.features[2].problems.contains { $0.contains("\"geometry\" must be an object or null") })
        #expect(doc.features[3].problems.first?.contains("a feature must be an object") == true)
        #expect(doc.features[4].problems.first?.contains("different nesting levels") == true)
    }

    @Test("the top level must be a FeatureCollection")
    func topLevel() {
        #expect(throws: GeoJSONStructureError.self) { try GeoJSONDocument.parse(Array(#"{"type":"Feature","geometry":null}"#.utf8)) }
        #expect(throws: GeoJSONStructureError.self) { try GeoJSONDocument.parse(Array("[1,2]".utf8)) }
        #expect(throws: GeoJSONStructureError.self) { try GeoJSONDocument.parse(Array(#"{"type":"FeatureCollection"}"#.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try GeoJSONDocument.parse(Array("".utf8)) }
    }

    @Test("a member named twice is refused with its path; features of the wrong type are named as such")
    func duplicatesAndTypes() throws {
        let twice = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}},{"type":"Feature","geometry":null,"properties":{"code":"A","name":"x","code":"B"}}]}"#
        do {
            _ = try GeoJSONDocument.parse(Array(twice.utf8))
            Issue.record("a duplicate property was taken")
        } catch let e as JSONSyntaxError {
            #expect(e.path == "features[1].properties" && e.message.contains("\"code\" appears twice"), "\(e)")
            #expect(e.description.contains("(in features[1].properties)"))
        }
        #expect(throws: JSONSyntaxError.self) {
            try GeoJSONDocument.parse(Array(#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"geometry":null}]}"#.utf8))
        }
        #expect(throws: JSONSyntaxError.self) { try GeoJSONDocument.parse(Array(#"{"type":"FeatureCollection","features":[],"features":[]}"#.utf8)) }
        for (value, kind) in [("{}", "an object"), ("\"x\"", "a string"), ("null", "null"), ("3", "a number")] {
            do {
                _ = try GeoJSONDocument.parse(Array(#"{"type":"FeatureCollection","features":\#(value)}"#.utf8))
                Issue.record("features \(value) was taken")
            } catch let e as GeoJSONStructureError {
                #expect(e.message == "\"features\" must be an array of features, not \(kind)")
            }
            var stream = GeoJSONFeatureStream()
            #expect(throws: WanggeError.invalidInput("line 1: \"features\" must be an array of features, not \(kind)")) {
                try stream.feed(Array(#"{"type":"FeatureCollection","features":\#(value)}"#.utf8)) { _ in }
                try stream.finish()
            }
        }
        // Nested arrays and objects name their way down.
        do { _ = try JSONValue.parse(#"{"a":[{"b":1},{"c":{"d":1,"d":2}}]}"#) } catch {
            #expect(error.path == "a[1].c", "\(error)")
        }
    }

    @Test("a legacy crs member is read")
    func crsMember() throws {
        let doc = try GeoJSONDocument.parse(Array(#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}},"features":[]}"#.utf8))
        #expect(doc.crsName == "urn:ogc:def:crs:EPSG::4547")
    }

    @Test("a UTF-8 byte-order mark is tolerated")
    func bom() throws {
        let doc = try GeoJSONDocument.parse([0xEF, 0xBB, 0xBF] + Array(#"{"type":"FeatureCollection","features":[]}"#.utf8))
        #expect(doc.features.isEmpty)
    }
}
