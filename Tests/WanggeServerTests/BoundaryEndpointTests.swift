import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeGeo
import WanggeAssignment
import WanggeUseCases
@testable import WanggeServer
import WanggeStore
import WanggeTestSupport

@Suite("Boundary upload, the API document, and a live server")
struct BoundaryEndpointTests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    @Test("a bad upload gets 422 with every defect and changes nothing; a good one lands and the index reloads")
    func upload() async throws {
        let before = try f.database.grids(in: nil)
        try await f.app().test(.router) { client in
            var bad = BoundaryFileBuilder.cleanHierarchy()
            bad.features[2].properties["code"] = .string("C1")
            bad.features[5].properties["parent"] = .string("nope")
            try await client.execute(uri: "/boundaries?layer=residential", method: .post, headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]), body: ByteBuffer(bytes: bad.bytes)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(r.errorCode == "boundary_defects")
                guard case .array(let defects)? = r.json["error"]?.objectValue?["defects"] else { Issue.record("no defects"); return }
                let kinds = Set(defects.compactMap { $0.objectValue?["kind"]?.stringValue })
                #expect(kinds.isSuperset(of: ["duplicate_code", "unknown_parent"]))
                guard case .array(let details)? = r.json["error"]?.objectValue?["details"] else { Issue.record("no details"); return }
                #expect(details.contains { $0.objectValue?["field"] == .string("features[2]") })
            }
            #expect(try f.database.grids(in: nil) == before)
            try await client.execute(uri: "/boundaries", method: .post, headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]), body: ByteBuffer(bytes: bad.bytes)) { r in
                #expect(r.status == .badRequest)
            }
            // A good upload replaces the residential layer and lookups follow at once.
            try await client.execute(uri: "/lookup?lon=114.451&lat=38.0605", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.json["residential"]?.objectValue?["street"] == .string("130105005"))
            }
            try await client.execute(uri: "/boundaries?layer=residential&activate=true", method: .post, headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]),
                                     body: ByteBuffer(bytes: BoundaryFileBuilder.cleanHierarchy().bytes)) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.json["status"] == .string("active"))
                #expect(r.json["grids"] == .number(JSONNumber(7)))
                #expect(r.json["index_generation"] == .number(JSONNumber(2)))
            }
            try await client.execute(uri: "/lookup?lon=114.451&lat=38.0605", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.json["residential"]?.objectValue?["courtyard"] == .string("Y1"))
            }
        }
    }

    @Test("an upload sent in many small chunks is read as it streams: it lands as sent whole, and a feature's syntax error is where the file has it")
    func streamedUpload() async throws {
        try await f.app().test(.live) { client in
            let port = try #require(client.port)
            let head = "POST /boundaries?layer=residential&activate=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(f.tokens[.gis]!)\r\nContent-Type: application/geo+json\r\n"
            func answer(_ raw: RawHTTP) async throws -> (status: Int, body: JSONObject?) {
                let (status, body) = try await raw.response()
                return (status, (try? JSONValue.parse(body))?.objectValue)
            }
            // A feature cut by a missing comma, on one line as map SDKs write: the defect's line and column are the
            // whole-file parser's.
            var text = String(decoding: BoundaryFileBuilder.cleanHierarchy().bytes, as: UTF8.self)
            text = text.replacingOccurrences(of: "\n", with: " ")
            let broken = text.replacingOccurrences(of: #""code":"Y1","#, with: #""code":"Y1" "#)
            #expect(broken != text)
            let expected: JSONSyntaxError
            do { _ = try GeoJSONDocument.parse(Array(broken.utf8)); Issue.record("parsed"); return } catch let e as JSONSyntaxError { expected = e }
            let bad = try RawHTTP(port: port)
            try await bad.sendChunked(head: head, body: Array(broken.utf8), piece: 5)
            let refused = try await answer(bad)
            #expect(refused.status == 422)
            guard case .array(let defects)? = refused.body?["error"]?.objectValue?["defects"] else { Issue.record("no defects"); return }
            let defect = defects.first?.objectValue
            #expect(defect?["kind"] == .string("malformed_json"))
            #expect(defect?["line"] == .number(JSONNumber(expected.line)) && defect?["column"] == .number(JSONNumber(expected.column)), "\(String(describing: defect)) / \(expected)")
            #expect(defect?["message"]?.stringValue?.contains("features[") == true)
            // The clean file, 7 bytes a chunk, lands whole.
            let good = try RawHTTP(port: port)
            try await good.sendChunked(head: head, body: BoundaryFileBuilder.cleanHierarchy().bytes, piece: 7)
            let landed = try await answer(good)
            #expect(landed.status == 200, "\(String(describing: landed.body))")
            #expect(landed.body?["grids"] == .number(JSONNumber(7)))
        }
        #expect(try f.database.grids(in: .residential).count == 7)
    }

    @Test("an import made beside the running service, as `wangge import` does, reaches its index without a restart")
    func importFromOutside() async throws {
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/lookup?lon=114.451&lat=38.0605", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.json["residential"]?.objectValue?["street"] == .string("130105005"))
            }
            let outcome = try BoundaryImport(options: BoundaryOptions(layer: .residential))
                .run(data: BoundaryFileBuilder.cleanHierarchy().bytes, source: "cli", repository: f.database)
            #expect(outcome.landed != nil)
            var courtyard: JSONValue?
            for _ in 0..<50 where courtyard != .string("Y1") {
                try await Task.sleep(for: .milliseconds(100))
                try await client.execute(uri: "/lookup?lon=114.451&lat=38.0605", method: .get, headers: f.headers(.viewer)) { r in
                    courtyard = r.json["residential"]?.objectValue?["courtyard"]
                }
            }
            #expect(courtyard == .string("Y1"), "the index checks for new imports every second")
        }
    }

    @Test("every endpoint that takes a body refuses a Content-Type it does not declare, and a missing one, with 415")
    func mediaTypes() async throws {
        let withBody = f.wiring.routes.filter { $0.body != nil }
        #expect(Set(withBody.map { "\($0.method.rawValue) \($0.path)" })
            == ["POST /events", "POST /events/{id}/actions", "POST /boundaries", "PUT /reports/services/points",
                "POST /open311/v2/requests.json", "POST /open311/v2/requests.xml", "PUT /staff", "PUT /staff/responsibilities",
                "PUT /organisations", "PUT /components", "PUT /party", "PUT /joint-building", "POST /joint-building/activities"])
        try await f.app().test(.router) { client in
            for route in withBody {
                let uri = route.path.replacingOccurrences(of: "{id}", with: "1") + (route.path == "/boundaries" ? "?layer=residential" : "")
                let types: [String?] = ["text/plain", "text/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil]
                for type in types where !(route.body!.contentTypes.contains { $0 == type }) {
                    var h = f.headers(.admin)
                    if let type { h[.contentType] = type }
                    try await client.execute(uri: uri, method: route.method, headers: h, body: ServerFixture.body("{}")) { r in
                        let what = "\(route.method) \(uri) with \(type ?? "no type")"
                        #expect(r.status == .unsupportedMediaType, "\(what)")
                        if route.path.hasPrefix("/open311") {
                            #expect(r.text.contains("415"), "Open311's own error list: \(what)")
                        } else {
                            #expect(r.errorCode == "unsupported_media_type", "\(what)")
                        }
                    }
                }
            }
        }
        #expect(try f.database.countEvents(.allEvents) == 0)
    }

    @Test("the OpenAPI document and the routes agree: every documented operation exists, every route is documented")
    func openAPIAgrees() async throws {
        let routes = f.wiring.endpoints
        try await f.app().test(.router) { client in
            let doc = try await client.execute(uri: "/api", method: .get) { $0.json }
            guard let paths = doc["paths"]?.objectValue else { Issue.record("no paths"); return }
            var documented: Set<String> = []
            for p in paths.members {
                for op in p.value.objectValue!.members {
                    documented.insert("\(op.key.uppercased()) \(p.key)")
                    // Each documented operation reaches a handler (it is not the router's 404 for unknown paths).
                    let uri = p.key.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{code}", with: "130105005")
                    let method = HTTPRequest.Method(op.key.uppercased())!
                    try await client.execute(uri: uri, method: method, headers: f.headers(.admin)) { r in
                        #expect(!(r.status == .notFound && r.text.contains("no such endpoint")), "\(method) \(uri)")
                    }
                    // Its declared answers include what protected endpoints can say.
                    let responses = op.value.objectValue!["responses"]!.objectValue!
                    if op.value.objectValue!["security"] != .array([]) {
                        #expect(responses["401"] != nil && responses["403"] != nil, "\(op.key) \(p.key)")
                    }
                }
            }
            #expect(documented == Set(routes.map { "\($0.method.rawValue) \($0.path)" }))
            // An undocumented path is a clear 404; a known path with another method is a 405 that lists the allowed ones.
            try await client.execute(uri: "/nowhere", method: .get) { r in
                #expect(r.status == .notFound && r.errorCode == "not_found")
            }
            try await client.execute(uri: "/events/7", method: .delete, headers: f.headers(.admin)) { r in
                #expect(r.status == .methodNotAllowed && r.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/events", method: .put, headers: f.headers(.admin)) { r in
                #expect(r.status == .methodNotAllowed && r.headers[.allow] == "POST, GET")
            }
        }
    }

    @Test("a live HTTP server answers health, a lookup and an event submission over a real socket")
    func live() async throws {
        try await f.app().test(.live) { client in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true),
                                     body: ServerFixture.body(ServerFixture.goodEvent)) { r in
                #expect(r.status == .created)
            }
            #expect(try f.database.events(FeatureQuery.allEvents).count == 1)
        }
    }
}
