import Foundation
import Testing
import WanggeCore
import WanggeSample
import WanggeUseCases
import WanggeGeo
import WanggeStore
import WanggeTestSupport
@testable import WanggeAssignment

@Suite("Batch assignment of point files")
struct BatchAssignmentTests {
    let engine: AssignmentEngine
    let dir: String

    init() throws {
        let db = try AppDatabase.inMemory()
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        engine = try AssignmentEngine(repository: db, workers: 2)
        dir = try Fixtures.temporaryDirectory()
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(dir)/\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ path: String) throws -> String { String(decoding: try FileIO.read(path), as: UTF8.self) }

    @Test("CSV: codes added per row, quoted fields kept, bad rows kept with reason and line, counted")
    func csv() throws {
        let input = try write("in.csv", """
            id,name,lon,lat
            1,"a, b",114.453,38.062
            2,outside,114.40,38.062
            3,bad,abc,38.06
            4,empty,,38.06
            5,"two
            lines",114.452,38.060
            6,swapped,38.062,114.453

            """)
        let summary = try BatchAssignment(format: .csv).run(input: input, output: "\(dir)/out.csv", engine: engine)
        #expect(summary.rows == 6 && summary.bad == 3)
        #expect(summary.byMatch[.inside] == 2 && summary.byMatch[.outside] == 1)
        #expect(summary.badByReason == ["not_a_number": 1, "missing": 1, "out_of_range": 1])
        #expect(summary.firstBad.map(\.line) == [4, 5, 8])
        let out = try read("\(dir)/out.csv")
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "id,name,lon,lat,street,community,courtyard,building,functional,industry,match,error")
        let expected = try engine.assignBlocking(x: 114.453, y: 38.062)
        #expect(lines[1].hasPrefix("1,\"a, b\",114.453,38.062,\(expected.residential.street!),\(expected.residential.community!),\(expected.residential.courtyard!),\(expected.residential.building!),"))
        #expect(lines[1].hasSuffix(",inside,"))
        #expect(out.contains("3,bad,abc,38.06,,,,,,,,\"line 4: longitude \"\"abc\"\" is not a number\""))
        #expect(out.contains("\"line 8: position [38.062, 114.453] is outside longitude −180…180 / latitude −90…90; latitude and longitude look swapped\""))
        #expect(out.contains("5,\"two\nlines\",114.452,38.060,130105005,"))
        // Semicolon-separated overlays: the point is in two functional grids.
        #expect(lines[1].contains(expected.functional.grids.joined(separator: ";")))
    }

    @Test("CSV with named columns, GCJ-02 coordinates and semicolon delimiters")
    func csvOptions() throws {
        let g = ChinaOffset.wgs84ToGCJ02(lon: 114.453, lat: 38.062)
        let input = try write("in2.csv", "编号;经 度;纬 度\n1;\(g.lon);\(g.lat)\n")
        var job = BatchAssignment(format: .csv, crs: .gcj02, lonField: "经 度", latField: "纬 度")
        job.chunkRows = 1
        let summary = try job.run(input: input, output: "\(dir)/out2.csv", engine: engine)
        #expect(summary.byMatch[.inside] == 1)
        #expect(try read("\(dir)/out2.csv").hasPrefix("编号;经 度;纬 度;street;community"))
        #expect(throws: WanggeError.self) {
            try BatchAssignment(format: .csv, lonField: "nope").run(input: input, output: "\(dir)/x.csv", engine: engine)
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.csv"), "no half-written output")
    }

    @Test("NDJSON: objects and GeoJSON Features per line; lines that are not JSON are kept and reported")
    func ndjson() throws {
        let input = try write("in.ndjson", """
            {"id":1,"lon":114.453,"lat":38.062}
            {"type":"Feature","geometry":{"type":"Point","coordinates":[114.452,38.060]},"properties":{"name":"f"}}
            not json
            {"id":4}
            """)
        let summary = try BatchAssignment(format: .ndjson).run(input: input, output: "\(dir)/out.ndjson", engine: engine)
        #expect(summary.rows == 4 && summary.bad == 2 && summary.byMatch[.inside] == 2)
        let lines = try read("\(dir)/out.ndjson").split(separator: "\n")
        #expect(lines.count == 4)
        let first = try JSONValue.parse(String(lines[0])).objectValue!
        #expect(first["match"] == .string("inside") && first["id"] == .number(JSONNumber(literal: "1", value: 1)))
        let feature = try JSONValue.parse(String(lines[1])).objectValue!
        #expect(feature["properties"]?.objectValue?["building"]?.stringValue != nil)
        let bad = try JSONValue.parse(String(lines[2])).objectValue!
        #expect(bad["input"] == .string("not json") && bad["error"]?.stringValue?.hasPrefix("line 3, column 1: malformed JSON") == true)
    }

    @Test("GeoJSON: a streamed FeatureCollection comes back with properties added; non-points are flagged")
    func geojson() throws {
        let input = try write("in.geojson", """
            {"type":"FeatureCollection","name":"events","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[114.453,38.062]},"properties":{"n":"a \\"q\\" ]} x"}},
            {"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.453,38.062],[1,2]]},"properties":null},
            5
            ]}
            """)
        var job = BatchAssignment(format: .geojson)
        job.chunkRows = 2
        let summary = try job.run(input: input, output: "\(dir)/out.geojson", engine: engine)
        #expect(summary.rows == 3 && summary.bad == 2)
        let doc = try GeoJSONDocument.parse(FileIO.read("\(dir)/out.geojson"))
        #expect(doc.features.count == 3)
        #expect(doc.features[0].properties["n"] == .string("a \"q\" ]} x"))
        #expect(doc.features[0].properties["match"] == .string("inside"))
        #expect(doc.features[1].properties["error"]?.stringValue?.contains("LineString") == true)
        #expect(doc.features[2].properties["error"]?.stringValue?.contains("not a Feature") == true)
    }

    @Test("a GeoJSON file in EPSG:4547 with a crs member is converted before assignment")
    func geojsonCRSMember() throws {
        let c = try CRSConverter(.epsg(4547), context: ProjContext())
        var xy = [114.453, 38.062]
        c.fromWGS84(&xy)
        let input = try write("gk.geojson", #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[\#(xy[0]),\#(xy[1])]},"properties":{}}]}"#)
        let summary = try BatchAssignment(format: .geojson).run(input: input, output: "\(dir)/gk-out.geojson", engine: engine)
        #expect(summary.byMatch[.inside] == 1)
    }

    @Test("a large file streams through in chunks with every row accounted for")
    func large() throws {
        var text = "id,lon,lat\n"
        var rng = SampleRandom(seed: 7)
        for i in 0..<100_000 {
            if i % 1000 == 999 { text += "\(i),x,y\n"; continue }
            text += "\(i),\(rng.uniform(114.43, 114.47)),\(rng.uniform(38.05, 38.075))\n"
        }
        let input = try write("big.csv", text)
        var job = BatchAssignment(format: .csv)
        job.chunkRows = 4096
        let summary = try job.run(input: input, output: "\(dir)/big-out.csv", engine: engine)
        #expect(summary.rows == 100_000 && summary.bad == 100)
        #expect(summary.byMatch.values.reduce(0, +) == 99_900)
        #expect(try read("\(dir)/big-out.csv").split(separator: "\n").count == 100_001)
    }
}
