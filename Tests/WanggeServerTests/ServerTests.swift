import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeAssignment
import WanggeUseCases
@testable import WanggeServer
import WanggeStore
import WanggeTestSupport

@Suite("HTTP service")
struct ServerTests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    @Test("the service's threads live only while the application runs: the event writer and the assignment workers end with it")
    func nothingOutlivesTheApplication() async throws {
        #expect(f.engine.workers.threadsRunning == 2)
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true),
                                     body: ServerFixture.body(ServerFixture.goodEvent)) { r in
                #expect(r.status == .created)
            }
        }
        #expect(!f.wiring.commits.isWriting)
        #expect(f.engine.workers.threadsRunning == 0)
        // What was acknowledged was stored before the writer ended.
        #expect(try f.database.countEvents(.allEvents) == 1)
    }

    @Test("health, the API description and grid boundaries need no token; everything else does")
    func publicEndpoints() async throws {
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.json["status"] == .string("ok") && r.json["grids"] == .number(JSONNumber(115)))
                #expect(r.headers[HTTPField.Name("X-Request-Id")!] != nil)
            }
            try await client.execute(uri: "/api", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.json["openapi"] == .string("3.0.3"))
            }
            try await client.execute(uri: "/grids?level=community", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/geo+json")
                let doc = try GeoJSONDocument.parse(Array(r.text.utf8))
                #expect(doc.features.count == 7)
            }
            try await client.execute(uri: "/grids/13010500500101", method: .get) { r in
                #expect(r.status == .ok && r.json["properties"]?.objectValue?["level"] == .string("courtyard"))
            }
            for (method, uri) in [(HTTPRequest.Method.get, "/lookup?lon=114.45&lat=38.06"), (.get, "/events"), (.get, "/events/1"), (.post, "/events"), (.post, "/boundaries?layer=industry")] {
                try await client.execute(uri: uri, method: method) { r in
                    #expect(r.status == .unauthorized, "\(method) \(uri)")
                    #expect(r.errorCode == "unauthorized")
                }
            }
            try await client.execute(uri: "/events", method: .get, headers: [.authorization: "Bearer wg_not-a-token"]) { r in
                #expect(r.status == .unauthorized)
                #expect(r.json["error"]?.objectValue?["message"]?.stringValue?.contains("not valid") == true)
            }
        }
    }

    /// Who may call what: the policy, written out independently of the route table.
    static let policy: [(method: HTTPRequest.Method, uri: String, allowed: Set<Role>)] = [
        (.get, "/lookup?lon=114.453&lat=38.062", Set(Role.allCases)),
        (.get, "/events", Set(Role.allCases)),
        // Supervisors report what they find on patrol (监督员上报).
        (.post, "/events", [.reporter, .dispatcher, .admin, .supervisor]),
        (.post, "/boundaries?layer=industry", [.gis, .admin]),
    ]

    @Test("Bearer and Basic (the token as the password) on every protected route; 401s carry both challenges")
    func credentials() async throws {
        let admin = f.tokens[.admin]!
        @Sendable func basic(_ user: String, _ password: String) -> String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }
        let protected = f.wiring.routes.filter { $0.roles != nil }
        #expect(protected.count > 30)
        try await f.app().test(.router) { client in
            for route in protected {
                let uri = route.path.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{code}", with: "130105005")
                    .replacingOccurrences(of: "{collectionId}", with: "events").replacingOccurrences(of: "{featureId}", with: "1")
                let what = "\(route.method) \(uri)"
                let challenges = { (r: TestResponse) in r.headers[values: .wwwAuthenticate] }
                // No credential: 401 with a Bearer and a Basic challenge.
                try await client.execute(uri: uri, method: route.method) { r in
                    #expect(r.status == .unauthorized, "\(what)")
                    #expect(challenges(r).contains { $0.hasPrefix("Bearer realm=") } && challenges(r).contains { $0.hasPrefix("Basic realm=") }, "\(what): \(challenges(r))")
                }
                // A wrong password: 401, invalid_token.
                try await client.execute(uri: uri, method: route.method, headers: [.authorization: basic("qgis", "wg_wrong")]) { r in
                    #expect(r.status == .unauthorized && challenges(r).contains { $0.contains(#"error="invalid_token""#) }, "\(what)")
                }
                // The admin token as Basic's password (any user name) or as the user with no password: let in, and
                // for reads the same answer as Bearer.
                let bearer = try await client.execute(uri: uri, method: route.method, headers: [.authorization: "Bearer \(admin)"]) { $0.status }
                for header in [basic("qgis", admin), basic(admin, "")] {
                    try await client.execute(uri: uri, method: route.method, headers: [.authorization: header]) { r in
                        #expect(r.status != .unauthorized && r.status != .forbidden, "\(what): \(r.status) \(r.text)")
                        if route.method == .get { #expect(r.status == bearer, "\(what)") }
                    }
                }
            }
            // The scheme in any case and spaces around the token read as the plain `Bearer <token>`.
            #expect(try AuthMiddleware.token("Bearer \(admin)") == admin)
            for header in ["bearer \(admin)", "BEARER \(admin)", "Bearer  \(admin) ", "Bearer \t\(admin)"] {
                #expect(try AuthMiddleware.token(header) == admin, "\(header)")
                try await client.execute(uri: "/me", method: .get, headers: [.authorization: header]) { r in #expect(r.status == .ok, "\(header)") }
            }
            #expect(throws: APIError.self) { try AuthMiddleware.token("Bearer ") }
            #expect(throws: APIError.self) { try AuthMiddleware.token("Bearer") }
            // What is not base64 of user:password, or another scheme, is named.
            for header in ["Basic !!!", "Basic " + Data("no-colon".utf8).base64EncodedString(), "Digest x"] {
                try await client.execute(uri: "/events", method: .get, headers: [.authorization: header]) { r in
                    #expect(r.status == .unauthorized && r.errorCode == "unauthorized", "\(header)")
                }
            }
            // Public resources stay public without a credential, and refuse a wrong one loudly.
            try await client.execute(uri: "/collections/community/items", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/collections/community/items", method: .get, headers: [.authorization: basic("qgis", "typo")]) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test("every role against every protected endpoint: allowed, or 403 naming the roles that are")
    func roleMatrix() async throws {
        let industry = String(decoding: try FileIO.read("\(Fixtures.geoData)/industry.geojson"), as: UTF8.self)
        try await f.app().test(.router) { client in
            for entry in Self.policy {
                for role in Role.allCases {
                    let body: ByteBuffer? = entry.method == .post ? ServerFixture.body(entry.uri.hasPrefix("/events") ? ServerFixture.goodEvent : industry) : nil
                    var headers = f.headers(role, json: entry.uri.hasPrefix("/events"))
                    if entry.uri.hasPrefix("/boundaries") { headers[.contentType] = "application/geo+json" }
                    try await client.execute(uri: entry.uri, method: entry.method, headers: headers, body: body) { r in
                        if entry.allowed.contains(role) {
                            #expect(r.status.code < 300, "\(role) \(entry.method) \(entry.uri): \(r.status) \(r.text)")
                        } else {
                            #expect(r.status == .forbidden, "\(role) \(entry.method) \(entry.uri)")
                            #expect(r.errorCode == "forbidden")
                        }
                    }
                }
            }
        }
    }

    @Test("/me tells each token its name, role and department, and whether it may report — as POST /events decides")
    func me() async throws {
        try await f.app().test(.router) { client in
            for role in Role.allCases {
                let me = try await client.execute(uri: "/me", method: .get, headers: f.headers(role)) { $0 }
                #expect(me.status == .ok && me.json["role"] == .string(role.rawValue) && me.json["name"] == .string("test \(role.rawValue)"))
                #expect(me.json["department"] == (role == .department ? .string("urban_management") : .null))
                let post = try await client.execute(uri: "/events", method: .post, headers: f.headers(role, json: true),
                                                    body: ServerFixture.body(ServerFixture.goodEvent)) { $0 }
                #expect(me.json["may_report"] == .bool(post.status == .created), "\(role): may_report \(String(describing: me.json["may_report"])), POST \(post.status)")
            }
            let anonymous = try await client.execute(uri: "/me", method: .get, headers: f.headers(nil)) { $0 }
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("lookup answers every layer and rejects bad parameters with the parameter named")
    func lookup() async throws {
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/lookup?lon=114.453&lat=38.062", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.status == .ok)
                #expect(r.json["residential"]?.objectValue?["building"] == .string("1301050050040102"))
                #expect(r.json["functional"]?.objectValue?["grids"] == .array([.string("GN01"), .string("GN02")]))
            }
            let g = ChinaOffset.wgs84ToGCJ02(lon: 114.453, lat: 38.062)
            try await client.execute(uri: "/lookup?lon=\(g.lon)&lat=\(g.lat)&crs=GCJ02", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.json["residential"]?.objectValue?["building"] == .string("1301050050040102"))
            }
            let bad: [(String, String)] = [("/lookup?lon=114.4", "lat"), ("/lookup?lon=abc&lat=38", "lon"), ("/lookup?lon=nan&lat=38", "lon"),
                                            ("/lookup?lon=114&lat=38&crs=EPSG:xyz", "crs"), ("/lookup?lon=114&lat=38&zoom=3", "zoom"),
                                            ("/lookup?lon=38.06&lat=114.45", "lat"), ("/lookup?lon=114&lat=38&snap=-1", "snap")]
            for (uri, field) in bad {
                try await client.execute(uri: uri, method: .get, headers: f.headers(.viewer)) { r in
                    #expect(r.status == .badRequest, "\(uri)")
                    let details = r.json["error"]?.objectValue?["details"]
                    guard case .array(let items)? = details else { Issue.record("no details for \(uri)"); return }
                    #expect(items.contains { $0.objectValue?["field"] == .string(field) }, "\(uri): \(r.text)")
                }
            }
        }
    }
}
