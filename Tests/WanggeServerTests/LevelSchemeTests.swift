import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeAssignment
import WanggeCore
@testable import WanggeGeo
import WanggeUseCases
@testable import WanggeServer
import WanggeStore
import WanggeTestSupport

/// Any hierarchy: a residential layer imported with its own ordered level names (`--levels` / `levels=`), five deep,
/// the top level under a parent outside the file; everything that names levels then uses those names.
@Suite("Level schemes: five levels of any names, stored with the version and used everywhere")
struct LevelSchemeTests {
    static let levels = "province,city,district,street,grid"

    /// A province (under the country, 100000, outside the file) → two cities (west and east halves) → one district
    /// each → one street each → two grids each (south and north halves): 11 grids that tile at every level.
    static func fiveLevels() -> [UInt8] {
        func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String {
            "{\"type\":\"Polygon\",\"coordinates\":[[[\(x0),\(y0)],[\(x1),\(y0)],[\(x1),\(y1)],[\(x0),\(y1)],[\(x0),\(y0)]]]}"
        }
        var features: [String] = []
        func add(_ code: String, _ name: String, _ level: String, _ parent: String, _ g: String) {
            features.append("{\"type\":\"Feature\",\"properties\":{\"code\":\"\(code)\",\"name\":\"\(name)\",\"level\":\"\(level)\",\"parent\":\"\(parent)\"},\"geometry\":\(g)}")
        }
        add("130000", "河北省", "province", "100000", box(114.0, 38.0, 114.2, 38.1))
        for (c, x0, x1) in [("01", 114.0, 114.1), ("02", 114.1, 114.2)] {
            let city = "13\(c)00", district = "13\(c)05", street = "13\(c)05005"
            add(city, "市\(c)", "city", "130000", box(x0, 38.0, x1, 38.1))
            add(district, "区\(c)", "district", city, box(x0, 38.0, x1, 38.1))
            add(street, "街道\(c)", "street", district, box(x0, 38.0, x1, 38.1))
            add(street + "01", "网格\(c)南", "grid", street, box(x0, 38.0, x1, 38.05))
            add(street + "02", "网格\(c)北", "grid", street, box(x0, 38.05, x1, 38.1))
        }
        return Array("{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ",\n"))]}".utf8)
    }

    func upload(_ client: some TestClientProtocol, _ f: ServerFixture, _ bytes: [UInt8], query: String) async throws -> (HTTPResponse.Status, JSONObject) {
        try await client.execute(uri: "/boundaries?layer=residential&\(query)", method: .post,
                                 headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]), body: ByteBuffer(bytes: bytes)) { r in
            (r.status, r.json)
        }
    }

    @Test("levels must be names of their own: not empty, not reserved, not repeated, lower-case identifiers")
    func schemeNames() throws {
        #expect(try LevelScheme(names: ["province", "city", "district"]).names == ["province", "city", "district"])
        for bad in [[], ["street", "street"], ["match"], ["functional"], ["Province"], ["1st"], ["a b"], [String(repeating: "a", count: 33)]] {
            #expect(throws: WanggeError.self, "\(bad)") { try LevelScheme(names: bad) }
        }
        #expect(LevelScheme.standard.stored == nil && LevelScheme.stored(nil) == .standard)
        let five = try LevelScheme(names: Self.levels.split(separator: ",").map(String.init))
        #expect(LevelScheme.stored(five.stored) == five)
    }

    @Test("a five-level file under an outside parent lands with its levels: lookups, events, collections, filters, reports, exports and files name them")
    func fiveLevelHierarchy() async throws {
        let f = try await ServerFixture.withHistory()
        try await f.app().test(.router) { client in
            // A level the scheme does not have is refused with the levels it has.
            let wrong = Array(String(decoding: Self.fiveLevels(), as: UTF8.self).replacingOccurrences(of: "\"level\":\"city\"", with: "\"level\":\"prefecture\"").utf8)
            let (refusedStatus, refused) = try await upload(client, f, wrong, query: "levels=\(Self.levels)&external_root=true&activate=true")
            #expect(refusedStatus == .unprocessableContent)
            #expect("\(refused)".contains("expected one of province, city, district, street, grid"), "\(refused)")
            let (badStatus, _) = try await upload(client, f, Self.fiveLevels(), query: "levels=street,street&external_root=true")
            #expect(badStatus == .badRequest)
            // Without --external-root the province's parent is unknown.
            let (rootStatus, _) = try await upload(client, f, Self.fiveLevels(), query: "levels=\(Self.levels)&activate=true")
            #expect(rootStatus == .unprocessableContent)

            let (status, landed) = try await upload(client, f, Self.fiveLevels(), query: "levels=\(Self.levels)&external_root=true&activate=true")
            #expect(status == .ok, "\(landed)")
            #expect(landed["levels"] == .object(JSONObject([("province", 1), ("city", 2), ("district", 2), ("street", 2), ("grid", 4)].map { ($0.0, .number(JSONNumber($0.1))) })))
            #expect(landed["version"]?.objectValue?["levels"] == .array(Self.levels.split(separator: ",").map { .string(String($0)) }))
            #expect(try f.database.levelScheme().names == Self.levels.split(separator: ",").map(String.init))
            #expect(f.engine.levels.description == Self.levels)
            let stored = try f.database.grids(in: .residential)
            #expect(stored.count == 11)
            #expect(stored.first { $0.code == "13010500502" }?.level == GridLevel(rank: 4, name: "grid"))
            #expect(stored.first { $0.code == "130000" }?.properties["external_parent"] == .string("100000"))
            // A lookup names every level, top first, and no level of the old scheme.
            try await client.execute(uri: "/lookup?lon=114.05&lat=38.07", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.status == .ok, "\(r.text)")
                let residential = try #require(r.json["residential"]?.objectValue)
                #expect(residential.members.map(\.key) == ["match", "province", "city", "district", "street", "grid", "touching"])
                #expect(residential["grid"] == .string("13010500502") && residential["province"] == .string("130000")
                        && residential["district"] == .string("130105"))
            }

            // An event keeps its chain; it reads back under the same names, over JSON and OGC items alike.
            let body = #"{"type":"garbage","severity":2,"lon":114.15,"lat":38.02,"description":"垃圾","reporter_name":"王芳","reporter_phone":"13800001111","channel":"grid_station"}"#
            let id = try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true), body: ServerFixture.body(body)) { r in
                #expect(r.status == .created, "\(r.text)")
                let grids = try #require(r.json["grids"]?.objectValue)
                #expect(grids["grid"] == .string("13020500501") && grids["city"] == .string("130200") && grids["community"] == nil)
                return try #require(r.json["id"]?.doubleValue.map { Int($0) })
            }
            try await client.execute(uri: "/events/\(id)", method: .get, headers: f.headers(.dispatcher)) { r in
                #expect(r.json["grids"]?.objectValue?["grid"] == .string("13020500501"), "\(r.text)")
            }
            let rows = try f.database.events(FeatureQuery.allEvents).first { $0.id == Int64(id) }
            #expect(rows?.event.assignment.residential.code(rank: 4) == "13020500501")
            try await client.execute(uri: "/collections", method: .get) { r in
                let ids = (r.json["collections"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"]?.stringValue }
                #expect(ids == ["province", "city", "district", "street", "grid", "functional", "industry", "events", "organisations", "components"])
            }
            try await client.execute(uri: "/collections/grid/items", method: .get) { r in
                #expect(r.json["numberMatched"]?.doubleValue == 4, "\(r.text)")
            }
            try await client.execute(uri: "/collections/community/items", method: .get) { r in #expect(r.status == .notFound) }
            // Filters on the fifth level (stored below the four level columns) and on the third.
            for (filter, want) in [("grid = '13020500501'", true), ("district = '130205'", true), ("grid = '13010500501'", false)] {
                let q = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await client.execute(uri: "/collections/events/items?limit=1000&filter=\(q)", method: .get, headers: f.headers(.dispatcher)) { r in
                    #expect(r.status == .ok, "\(filter): \(r.text)")
                    let features = r.json["features"]?.arrayValue ?? []
                    let ours = features.first { $0.objectValue?["id"] == .string(String(id)) }
                    #expect((ours != nil) == want, "\(filter)")
                    if let p = ours?.objectValue?["properties"]?.objectValue {
                        #expect(p["grid"] == .string("13020500501") && p["street"] == .string("130205005") && p["courtyard"] == nil)
                    }
                }
            }
            try await client.execute(uri: "/collections/events/queryables", method: .get, headers: f.headers(.dispatcher)) { r in
                let names = r.json["properties"]?.objectValue?.members.map(\.key) ?? []
                #expect(names.contains("grid") && names.contains("province") && !names.contains("building"), "\(names)")
            }
            // Reports on any level, the fifth included.
            for level in ["grid", "district"] {
                try await client.execute(uri: "/reports/grids?level=\(level)&from=2020-01-01&to=2030-12-31", method: .get, headers: f.headers(.viewer)) { r in
                    #expect(r.status == .ok, "\(level): \(r.text)")
                    let rows = r.json["grids"]?.arrayValue ?? []
                    let code = level == "grid" ? "13020500501" : "130205"
                    let row = rows.first { $0.objectValue?["code"] == .string(code) }?.objectValue
                    #expect((row?["received"]?.doubleValue ?? 0) >= 1, "\(level): \(r.text.prefix(600))")
                }
            }
            try await client.execute(uri: "/reports/grids?level=courtyard", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.status == .badRequest)
            }
        }
        // A file of points: one column per level, named by the scheme (an engine as a command builds it: the
        // service's workers stopped with it).
        let engine = try AssignmentEngine(repository: f.database, workers: 2)
        defer { engine.shutdown() }
        #expect(engine.levels == (try f.database.levelScheme()))
        let dir = try Fixtures.temporaryDirectory()
        try "id,lon,lat\n1,114.15,38.02\n2,114.05,38.07\n3,120,30\n".write(toFile: "\(dir)/in.csv", atomically: true, encoding: .utf8)
        _ = try BatchAssignment(format: .csv).run(input: "\(dir)/in.csv", output: "\(dir)/out.csv", engine: engine)
        let lines = try String(contentsOfFile: "\(dir)/out.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("id,lon,lat,province,city,district,street,grid,residential_match,"), "\(lines[0])")
        #expect(lines[1].hasPrefix("1,114.15,38.02,130000,130200,130205,130205005,13020500501,inside,"), "\(lines[1])")
        #expect(lines[3].hasPrefix("3,120,30,,,,,,outside,"), "\(lines[3])")
        try "{\"id\":2,\"lon\":114.05,\"lat\":38.07}\n".write(toFile: "\(dir)/in.ndjson", atomically: true, encoding: .utf8)
        _ = try BatchAssignment(format: .ndjson).run(input: "\(dir)/in.ndjson", output: "\(dir)/out.ndjson", engine: engine)
        let record = try JSONValue.parse(Array(try String(contentsOfFile: "\(dir)/out.ndjson", encoding: .utf8).utf8)).objectValue
        #expect(record?["grid"] == .string("13010500502") && record?["province"] == .string("130000") && record?["street"] == .string("130105005"))
        // An export of events: the chain's columns by the scheme, the fifth level from its own store.
        var q = FeatureQuery.allEvents
        q.levels = try f.database.levelScheme()
        _ = try Exporter(format: .csv, levels: q.levels).exportEvents(f.database, query: q, to: "\(dir)/events.csv")
        let csv = try String(contentsOfFile: "\(dir)/events.csv", encoding: .utf8).components(separatedBy: "\r\n")
        let header = csv[0].split(separator: ",").map(String.init)
        #expect(Array(header[11...15]) == ["province", "city", "district", "street", "grid"], "\(header)")
        let last = try #require(csv.dropLast().last?.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        #expect(last[15] == "13020500501", "\(last)")
        // The index kept beside the database: read back from its file, it answers as the built one, names included.
        let cache = "\(dir)/index"
        let grids = try f.database.grids(in: nil), scheme = try f.database.levelScheme()
        let built = try GridIndexSnapshot.load(grids: grids, scheme: scheme, generation: 1, cache: cache)
        let read = try GridIndexSnapshot.load(grids: grids, scheme: scheme, generation: 1, cache: cache)
        #expect(!built.fromFile && read.fromFile)
        let a = try GridIndexReplica(snapshot: built.snapshot), b = try GridIndexReplica(snapshot: read.snapshot)
        for (x, y) in [(114.05, 38.07), (114.15, 38.02), (114.1, 38.05), (113.9, 38.0)] {
            #expect(a.assign(lon: x, lat: y) == b.assign(lon: x, lat: y))
        }
        #expect(b.assign(lon: 114.05, lat: 38.07).residential.chain.map(\.level.name) == Self.levels.split(separator: ",").map(String.init))
    }

    @Test("the levels stay with their version: the standard sample's version keeps its four, a retired five-level version its five")
    func levelsPerVersion() throws {
        let db = try AppDatabase.inMemory()
        var options = BoundaryOptions(layer: .residential)
        options.levels = try LevelScheme(names: Self.levels.split(separator: ",").map(String.init))
        options.externalRoot = true
        let check = BoundaryValidator().check(Self.fiveLevels(), options: options)
        #expect(check.isClean, "\(check.defects.prefix(3))")
        let five = try db.replaceLayer(.residential, with: check.grids, levels: options.levels, source: "five", crs: "EPSG:4326")
        #expect(five.levels == options.levels)
        let flat = BoundaryValidator().check(try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/residential.geojson"))), options: BoundaryOptions(layer: .residential))
        let standard = try db.replaceLayer(.residential, with: flat.grids, source: "sample", crs: "EPSG:4326")
        #expect(try db.levelScheme() == .standard && standard.levels == .standard)
        #expect(try db.version(five.id)?.levels == options.levels)
        // Going back to the five-level version brings its levels back with it.
        let again = try db.activate(version: five.id, at: Date().timeIntervalSince1970 + 1)
        let now = try db.levelScheme()
        #expect(again.levels == options.levels && now == options.levels)
        #expect(try db.versionGrids(again.id).first { $0.code == "13010500501" }?.level?.rank == 4)
    }
}
