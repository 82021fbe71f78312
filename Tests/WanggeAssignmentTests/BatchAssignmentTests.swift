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
        #expect(lines[0] == "id,name,lon,lat," + BatchAssignment.addedFields.joined(separator: ","))
        #expect(BatchAssignment.addedFields == ["street", "community", "courtyard", "building", "residential_match", "residential_distance_m",
                                                "residential_touching", "functional", "functional_match", "functional_distance_m",
                                                "functional_touching", "industry", "industry_match", "industry_distance_m", "industry_touching", "error"])
        let expected = try engine.assignBlocking(x: 114.453, y: 38.062)
        #expect(lines[1].hasPrefix("1,\"a, b\",114.453,38.062,\(expected.residential.street!),\(expected.residential.community!),\(expected.residential.courtyard!),\(expected.residential.building!),"))
        #expect(lines[1].contains(",inside,,,\(expected.functional.grids.joined(separator: ";")),inside,,,\(expected.industry.grids.joined(separator: ";")),inside,,,"))
        #expect(lines[1].hasSuffix(",inside,,,"))
        #expect(out.contains("3,bad,abc,38.06" + String(repeating: ",", count: 16) + "\"line 4: longitude \"\"abc\"\" is not a number\""))
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
        // Two functional grids joined by `;` in a `;`-separated file: one quoted field.
        let functional = try engine.assignBlocking(x: 114.453, y: 38.062).functional.grids
        let written = try read("\(dir)/out2.csv")
        #expect(functional.count == 2 && written.contains(";\"\(functional.joined(separator: ";"))\";inside;"), "\(written)")
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
        #expect(first["residential_match"] == .string("inside") && first["id"] == .number(JSONNumber(literal: "1", value: 1)))
        #expect(first["residential_distance_m"] == .null && first["residential_touching"] == .null && first["functional_match"] != nil)
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
        #expect(doc.features[0].properties["residential_match"] == .string("inside"))
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

    @Test("wangge lookup/assign --crs and a file's crs member take EPSG:4490 and the OGC URI form", arguments: [
        ("EPSG:4490", CRS.epsg(4490)), ("http://www.opengis.net/def/crs/EPSG/0/4490", .epsg(4490)),
        ("http://www.opengis.net/def/crs/EPSG/0/4547", .epsg(4547)),
    ])
    func crsSpellings(_ name: String, _ crs: CRS) throws {
        let c = try CRSConverter(crs, context: ProjContext())
        var xy = [114.453, 38.062]
        c.fromWGS84(&xy)
        let expected = try engine.assignBlocking(x: 114.453, y: 38.062).residential.building
        // One point, as `wangge lookup --crs` asks for it.
        #expect(try engine.assignBlocking(x: xy[0], y: xy[1], crs: try CRS(parsing: name)).residential.building == expected)
        // As an option (what --crs parses to), on a CSV file.
        let csv = try write("crs.csv", "id,lon,lat\n1,\(xy[0]),\(xy[1])\n")
        let job = BatchAssignment(format: .csv, crs: try CRS(parsing: name))
        #expect(try job.run(input: csv, output: "\(dir)/crs-out.csv", engine: engine).byMatch[.inside] == 1)
        #expect(try read("\(dir)/crs-out.csv").contains(",\(expected!),"))
        // As the GeoJSON file's crs member.
        let member = try write("crs.geojson", #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"\#(name)"}},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[\#(xy[0]),\#(xy[1])]},"properties":{}}]}"#)
        #expect(try BatchAssignment(format: .geojson).run(input: member, output: "\(dir)/crs-out.geojson", engine: engine).byMatch[.inside] == 1)
        #expect(try read("\(dir)/crs-out.geojson").contains(expected!))
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
        for layer in GridLayer.allCases { #expect(summary.byLayer[layer]?.values.reduce(0, +) == 99_900, "\(layer)") }
        #expect(try read("\(dir)/big-out.csv").split(separator: "\n").count == 100_001)
    }

    /// The first vertex of a grid's exterior ring (a corner, usually shared with its neighbours).
    static func corner(_ g: IndexedGrid) -> (x: Double, y: Double)? {
        switch try? WKB.decode(g.wkb) {
        case .polygon(let p)?: return (p.exterior.xy[0], p.exterior.xy[1])
        case .multiPolygon(let ps)?: return ps.first.map { ($0.exterior.xy[0], $0.exterior.xy[1]) }
        default: return nil
        }
    }

    @Test("the fast CSV path writes what the exact reader writes: every layer's match, distance and touching codes, blank lines, CRLF, padding")
    func fastAgreesWithExact() throws {
        var rng = SampleRandom(seed: 11)
        var rows: [String] = []
        for i in 0..<3000 {
            rows.append("\(i),\(rng.uniform(114.40, 114.50)),\(rng.uniform(38.03, 38.09))")
        }
        // Points on edges (grid corners from the index), a short row, a blank line, spaces and a sign.
        let grids = engine.snapshot.grids
        for g in grids.prefix(40) {
            guard let p = Self.corner(g) else { continue }
            rows.append("e,\(p.x),\(p.y)")
        }
        rows += ["short,114.453", "", " s , +114.453 , 38.062 "]
        for lineEnd in ["\n", "\r\n"] {
            let input = try write("agree.csv", (["id,lon,lat"] + rows).joined(separator: lineEnd) + lineEnd)
            var job = BatchAssignment(format: .csv, snapMetres: 500)
            let fast = try job.run(input: input, output: "\(dir)/agree-fast.csv", engine: engine)
            // With an `error` column in the input every record takes the exact path (the column is replaced).
            let withError = try write("agree-x.csv", (["error,id,lon,lat"] + rows.map { $0.isEmpty ? $0 : "x," + $0 }).joined(separator: lineEnd) + lineEnd)
            job.chunkRows = 7
            let exact = try job.run(input: withError, output: "\(dir)/agree-exact.csv", engine: engine)
            #expect(fast == exact)
            #expect(fast.rows == rows.count - 1 && fast.byLayer[.functional]?[.nearest, default: 0] ?? 0 > 0 && fast.byLayer[.residential]?[.boundary, default: 0] ?? 0 > 0,
                    "\(fast.byLayer)")
            let a = try read("\(dir)/agree-fast.csv").components(separatedBy: lineEnd)
            let b = try read("\(dir)/agree-exact.csv").components(separatedBy: lineEnd)
            #expect(a.count == b.count)
            // The exact output has the error in the input's first column where the fast one appends it.
            for (x, y) in zip(a.dropFirst(), b.dropFirst()) where !x.isEmpty {
                var fx = x.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                var fy = y.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                let error = fx.removeLast()
                #expect(fy.removeFirst() == error && fx == fy, "\(x)\n\(y)")
            }
            if lineEnd == "\r\n" { #expect(a[1].hasPrefix("0,") && !a[1].contains("\r")) }
        }
    }

    @Test("per-layer answers: a snapped overlay says nearest with its distance, not inside; a point on an edge lists the grids it touches")
    func perLayer() throws {
        // Just outside the functional grids' union but inside the street: residential inside, functional nearest.
        let snapshot = engine.snapshot
        var job = BatchAssignment(format: .ndjson, snapMetres: 2000)
        let input = try write("layers.ndjson", #"{"lon":114.4335,"lat":38.0701}"# + "\n")
        _ = try job.run(input: input, output: "\(dir)/layers-out.ndjson", engine: engine)
        let o = try JSONValue.parse(FileIO.read("\(dir)/layers-out.ndjson")).objectValue!
        let lookup = try engine.assignBlocking(x: 114.4335, y: 38.0701, snapMetres: 2000)
        #expect(o["functional_match"] == .string(lookup.functional.match.rawValue))
        #expect(o["functional_distance_m"] == lookup.functional.distanceM.map { .number(JSONNumber($0)) } ?? .null)
        #expect(o["residential_match"] == .string(lookup.residential.match.rawValue))
        // A corner shared by several buildings: boundary, with the others in residential_touching.
        job.format = .csv
        var found = false
        for g in snapshot.grids where g.level == .building {
            guard let p = Self.corner(g) else { continue }
            let a = try engine.assignBlocking(x: p.x, y: p.y)
            guard a.residential.match == .boundary, !a.residential.touching.isEmpty else { continue }
            let input = try write("edge.csv", "lon,lat\n\(p.x),\(p.y)\n")
            let summary = try job.run(input: input, output: "\(dir)/edge-out.csv", engine: engine)
            let row = try read("\(dir)/edge-out.csv").split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(row[2 + 3] == a.residential.building && row[2 + 4] == "boundary" && row[2 + 6] == a.residential.touching.joined(separator: ";"))
            #expect(summary.byLayer[.residential]?[.boundary] == 1)
            found = true
            break
        }
        #expect(found, "a building corner on an edge")
    }

    @Test("NDJSON and GeoJSON records keep their own bytes with the added members spliced in, or come from the parsed tree when they cannot")
    func jsonSplice() throws {
        let lines = [
            #"{"id":1,"lon":114.453,"lat":38.062}"#,
            #"{ "id" : 2 , "lat":38.062, "lon" :114.453 , "note":"a \"q\" } {", "nested":{"street":"x"} }"#,
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[114.453,38.062]},"properties":{}}"#,
            #"{"type":"Feature","properties":{"name":"路灯","street":"mine"},"geometry":{"type":"Point","coordinates":[114.453,38.062]}}"#,
            #"{"type":"Feature","geometry":{"type":"Point","coordinates":[114.453,38.062]},"properties":null}"#,
            #"{"street":"replaced","lon":114.453,"lat":38.062}"#,
        ]
        let input = try write("splice.ndjson", lines.joined(separator: "\n") + "\n")
        let summary = try BatchAssignment(format: .ndjson).run(input: input, output: "\(dir)/splice-out.ndjson", engine: engine)
        #expect(summary.rows == 6 && summary.bad == 0)
        let expected = try engine.assignBlocking(x: 114.453, y: 38.062)
        let out = try read("\(dir)/splice-out.ndjson").split(separator: "\n").map(String.init)
        #expect(out.count == 6)
        // Spliced: the input's own text first, byte for byte.
        #expect(out[0].hasPrefix(#"{"id":1,"lon":114.453,"lat":38.062,"street":""#))
        #expect(out[1].hasPrefix(#"{ "id" : 2 , "lat":38.062, "lon" :114.453 , "note":"a \"q\" } {", "nested":{"street":"x"} ,"street":"#))
        #expect(out[2].contains(#""properties":{"street":""#))
        for (k, line) in out.enumerated() {
            let o = try JSONValue.parse(line).objectValue!
            let target = o["type"]?.stringValue == "Feature" ? o["properties"]!.objectValue! : o
            #expect(target["street"] == .string(expected.residential.street!) && target["building"] == .string(expected.residential.building!), "\(k): \(line)")
            #expect(target["residential_match"] == .string("inside") && target["error"] == .null)
            // Everything the input had is still there (the added members aside).
            let original = try JSONValue.parse(lines[k]).objectValue!
            for key in original.keys where !BatchAssignment.addedFields.contains(key) && key != "properties" { #expect(o[key] == original[key], "\(k) \(key)") }
        }
        #expect(try JSONValue.parse(out[3]).objectValue!["properties"]!.objectValue!["name"] == .string("路灯"))
    }

    @Test("NDJSON objects read by bytes give what the tree gives: every added member, every layer, snapped and on edges")
    func ndjsonBytesAgreeWithTree() throws {
        var rng = SampleRandom(seed: 5)
        var rows: [(Double, Double)] = (0..<2000).map { _ in (rng.uniform(114.40, 114.50), rng.uniform(38.03, 38.09)) }
        for g in engine.snapshot.grids.prefix(40) { if let c = Self.corner(g) { rows.append(c) } }
        // Plain objects take the byte path; the same with a "type" member take the tree's.
        let plain = rows.enumerated().map { #"{"id":\#($0.offset),"LON":\#($0.element.0), "lat" : \#($0.element.1)}"# }
        let typed = rows.enumerated().map { #"{"id":\#($0.offset),"LON":\#($0.element.0), "lat" : \#($0.element.1),"type":"x"}"# }
        let job = BatchAssignment(format: .ndjson, snapMetres: 500)
        let a = try job.run(input: write("bytes.ndjson", plain.joined(separator: "\n") + "\n"), output: "\(dir)/bytes-out.ndjson", engine: engine)
        let b = try job.run(input: write("tree.ndjson", typed.joined(separator: "\n") + "\n"), output: "\(dir)/tree-out.ndjson", engine: engine)
        #expect(a == b && a.rows == rows.count)
        #expect(a.byLayer[.residential]?[.boundary, default: 0] ?? 0 > 0 && a.byLayer[.functional]?[.nearest, default: 0] ?? 0 > 0, "\(a.byLayer)")
        let fast = try read("\(dir)/bytes-out.ndjson").split(separator: "\n"), tree = try read("\(dir)/tree-out.ndjson").split(separator: "\n")
        #expect(fast.count == tree.count)
        for (x, y) in zip(fast, tree) {
            var o = try JSONValue.parse(String(x)).objectValue!, t = try JSONValue.parse(String(y)).objectValue!
            t["type"] = nil
            #expect(o.keys == t.keys, "\(x)\n\(y)")
            for key in t.keys { #expect(o[key] == t[key], "\(key): \(x)\n\(y)") }
            o["id"] = nil
        }
        #expect(fast[0].hasPrefix(#"{"id":0,"LON":"#))
    }

    @Test("GeoJSON features read by bytes give what the tree gives, in a FeatureCollection and in NDJSON")
    func featuresBytesAgreeWithTree() throws {
        var rng = SampleRandom(seed: 8)
        var rows: [(Double, Double)] = (0..<1500).map { _ in (rng.uniform(114.40, 114.50), rng.uniform(38.03, 38.09)) }
        for g in engine.snapshot.grids.prefix(30) { if let c = Self.corner(g) { rows.append(c) } }
        func feature(_ k: Int, _ p: (Double, Double), escaped: Bool) -> String {
            // A key with an escape sends the record to the tree; it reads as the same key.
            #"{"type":"Feature", "geometry": {"type":"Point","coordinates":[\#(p.0), \#(p.1), 12.5]},"properties":{"\#(escaped ? "n\\u0061me" : "name")":"第\#(k)","k":\#(k)}}"#
        }
        let job = BatchAssignment(format: .geojson, snapMetres: 500)
        func collection(_ escaped: Bool) -> String {
            #"{"type":"FeatureCollection","features":["# + rows.enumerated().map { feature($0.offset, $0.element, escaped: escaped) }.joined(separator: ",\n") + "]}"
        }
        let a = try job.run(input: write("fast.geojson", collection(false)), output: "\(dir)/fast-out.geojson", engine: engine)
        let b = try job.run(input: write("tree.geojson", collection(true)), output: "\(dir)/tree-out.geojson", engine: engine)
        #expect(a == b && a.rows == rows.count && a.bad == 0)
        let fast = try GeoJSONDocument.parse(FileIO.read("\(dir)/fast-out.geojson")).features
        let tree = try GeoJSONDocument.parse(FileIO.read("\(dir)/tree-out.geojson")).features
        #expect(fast.count == tree.count)
        for (x, y) in zip(fast, tree) {
            #expect(x.properties.keys == y.properties.keys && x.coordinates == y.coordinates)
            for key in y.properties.keys { #expect(x.properties[key] == y.properties[key], "\(key) at \(x.index)") }
        }
        #expect(try read("\(dir)/fast-out.geojson").contains(#""properties":{"name":"第0","k":0,"street":"#))
        // The same features one per line.
        var ndjson = BatchAssignment(format: .ndjson, snapMetres: 500)
        ndjson.chunkRows = 97
        let c = try ndjson.run(input: write("fast.ndjson", rows.enumerated().map { feature($0.offset, $0.element, escaped: false) }.joined(separator: "\n")),
                               output: "\(dir)/fast-out.ndjson", engine: engine)
        #expect(c == a)
        let lines = try read("\(dir)/fast-out.ndjson").split(separator: "\n")
        #expect(lines.count == rows.count)
        for (line, f) in zip(lines, tree) {
            let o = try JSONValue.parse(String(line)).objectValue!["properties"]!.objectValue!
            for key in f.properties.keys { #expect(o[key] == f.properties[key], "\(key)") }
        }
    }
}
