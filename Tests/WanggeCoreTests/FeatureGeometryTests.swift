import Testing
import WanggeTestSupport
@testable import WanggeCore

@Suite("Boundary geometry shape checks")
struct FeatureGeometryTests {
    func feature(_ geometry: String) throws -> RawFeature {
        let text = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":"# + geometry + "}]}"
        return try GeoJSONDocument.parse(Array(text.utf8)).features[0]
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let geometry: String
        let kind: Defect.Kind
        let mentions: String
        var testDescription: String { kind.rawValue + ": " + mentions }
    }

    @Test("each kind of bad geometry is named with where it is", arguments: [
        Case(geometry: "null", kind: .geometryType, mentions: "geometry is null"),
        Case(geometry: #"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#, kind: .geometryType, mentions: "type is LineString"),
        Case(geometry: #"{"type":"Point","coordinates":[0,0]}"#, kind: .geometryType, mentions: "must be a Polygon or MultiPolygon"),
        Case(geometry: #"{"type":"Polygon"}"#, kind: .structure, mentions: "has no \"coordinates\""),
        Case(geometry: #"{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}"#, kind: .structure, mentions: "nested 1 deep instead of 2"),
        Case(geometry: #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#, kind: .ringTooShort, mentions: "the exterior ring has 3 positions"),
        Case(geometry: #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#, kind: .ringNotClosed, mentions: "the exterior ring is not closed: it starts at [0.0, 0.0] but ends at [0.0, 1.0]"),
        Case(geometry: #"{"type":"Polygon","coordinates":[[[0,0],[3,0],[3,3],[0,0]],[[1,1],[2,1],[2,2],[1,2]]]}"#, kind: .ringNotClosed, mentions: "hole 1 is not closed"),
        Case(geometry: #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[5,5]]]]}"#, kind: .ringTooShort, mentions: "part 2, the exterior ring has 3 positions"),
        Case(geometry: #"{"type":"Polygon","coordinates":[[[0,0],[NaN,0],[1,1],[0,0]]]}"#, kind: .nonFiniteCoordinate, mentions: "position 2 of the exterior ring is not a finite number (nan)"),
        Case(geometry: #"{"type":"Polygon","coordinates":[[[0,0],[1,1e999],[1,1],[0,0]]]}"#, kind: .nonFiniteCoordinate, mentions: "not a finite number (inf)"),
        Case(geometry: #"{"type":"MultiPolygon","coordinates":[]}"#, kind: .structure, mentions: "nested 1 deep"),
    ])
    func badGeometry(_ c: Case) throws {
        let f = try feature(c.geometry)
        let (g, defects) = f.polygonalGeometry(code: "X1")
        #expect(g == nil)
        let d = try #require(defects.first)
        #expect(d.kind == c.kind)
        #expect(d.message.contains(c.mentions), "\(d.message)")
        #expect(d.featureIndex == 0 && d.code == "X1" && d.line == 1)
    }

    @Test("good polygons and multipolygons come through with every ring")
    func good() throws {
        let f = try feature(#"{"type":"MultiPolygon","coordinates":[[[[0,0],[3,0],[3,3],[0,0]],[[1,1],[2,1],[2,2],[1,1]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#)
        let (g, defects) = f.polygonalGeometry(code: "M")
        #expect(defects.isEmpty)
        guard case .multiPolygon(let ps)? = g else { Issue.record("not a multipolygon"); return }
        #expect(ps.count == 2 && ps[0].rings.count == 2 && ps[1].rings.count == 1)
        #expect(ps[0].rings[1].xy == [1, 1, 2, 1, 2, 2, 1, 1])
    }

    @Test("coordinates outside lon/lat ranges are flagged, with a hint when they look swapped")
    func swapped() throws {
        let g = GeometryValue.polygon(Polygon(rings: [Ring(xy: [38.06, 114.45, 38.07, 114.45, 38.07, 114.46, 38.06, 114.45])]))
        let d = try #require(CoordinateRangeCheck.check(g, featureIndex: 3, code: "B", line: 9))
        #expect(d.kind == .coordinateOutOfRange)
        #expect(d.message.contains("4 of 4 positions"))
        #expect(d.message.contains("latitude/longitude swapped"))
    }

    @Test("metre values given as lon/lat get a hint to name the CRS")
    func projectedHint() throws {
        let g = GeometryValue.polygon(Polygon(rings: [Ring(xy: [539_000, 4_213_000, 539_100, 4_213_000, 539_100, 4_213_100, 539_000, 4_213_000])]))
        let d = try #require(CoordinateRangeCheck.check(g, featureIndex: 0, code: nil, line: nil))
        #expect(d.message.contains("projected metres"))
        #expect(d.message.contains("--crs"))
    }

    @Test("coordinates in range pass")
    func inRange() {
        let g = GeometryValue.polygon(Polygon(rings: [Ring(xy: [114.45, 38.06, 114.46, 38.06, 114.46, 38.07, 114.45, 38.06])]))
        #expect(CoordinateRangeCheck.check(g, featureIndex: 0, code: nil, line: nil) == nil)
    }
}
