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

@Suite("People and organisations on the grids over HTTP, on the sample")
struct CommunityEndpointTests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    func loadSample() async throws {
        try await Community(repository: f.database, engine: f.engine).loadSample(from: Fixtures.geoData)
    }

    func get(_ client: some TestClientProtocol, _ uri: String, _ role: Role? = .viewer) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: f.headers(role)) { $0 }
    }

    func send(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: [UInt8], _ role: Role,
              type: String = "application/json") async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: f.headers(role, extra: [("Content-Type", type)]), body: ByteBuffer(bytes: body)) { $0 }
    }

    static func array(_ v: JSONValue?) -> [JSONObject] {
        guard case .array(let a)? = v else { return [] }
        return a.compactMap(\.objectValue)
    }

    @Test("the sample's party members add up to the account's figures at every level, with a unit on every grid")
    func partyTotals() async throws {
        try await loadSample()
        try await f.app().test(.router) { client in
            for level in LevelScheme.standard.levels {
                let r = try await get(client, "/reports/party?level=\(level.rawValue)")
                #expect(r.status == .ok, "\(r.text)")
                let totals = r.json["totals"]?.objectValue
                #expect(totals?["direct"] == .number(JSONNumber(1158)) && totals?["in_service"] == .number(JSONNumber(4451))
                        && totals?["retired"] == .number(JSONNumber(658)) && totals?["floating"] == .number(JSONNumber(32)))
                let rows = Self.array(r.json["grids"])
                let sum = rows.reduce(0) { $0 + ($1["total"]?.doubleValue ?? 0) }
                #expect(sum == 1158 + 4451 + 658 + 32, "every member is counted once at \(level)")
                #expect(Self.array(r.json["without_unit"]).isEmpty)
            }
            let csv = try await get(client, "/reports/party?level=community&f=csv")
            #expect(csv.text.hasPrefix("code,name,parent,unit,direct,in_service,retired,floating,total\r\n"))
            let tree = Self.array(try await get(client, "/reports/party?level=street").json["tree"])
            #expect(tree.count == 1 && Self.array(tree[0]["units"]).count == 7, "the working committee holds the seven general branches")
        }
    }

    @Test("organisations are where the engine puts them, and where the sample's grid property says")
    func engineAgreement() async throws {
        try await loadSample()
        let stored = try f.database.organisations()
        #expect(stored.count == 309)
        guard case .object(let fc) = try JSONValue.parse(try FileIO.read("\(Fixtures.geoData)/organisations.geojson")),
              case .array(let features)? = fc["features"] else { Issue.record("no sample"); return }
        let sample = Dictionary(uniqueKeysWithValues: features.compactMap(\.objectValue).map { ($0["id"]!.stringValue!, $0["properties"]!.objectValue!) })
        for o in stored {
            let fresh = try await f.engine.assign(x: o.lon, y: o.lat)
            #expect(o.assignment == fresh, "\(o.id) is stored as the engine assigns it")
            let p = sample[o.id]!
            let layer = GridLayer(rawValue: p["layer"]!.stringValue!)!
            let codes = layer == .functional ? fresh.functional.grids : fresh.industry.grids
            #expect(codes.contains(p["grid"]!.stringValue!), "\(o.id): the grid that groups it contains it")
            #expect(fresh.residential.match == .inside, "\(o.id) lies inside the street")
        }
    }

    @Test("a boundary import moves organisations: the answer and /organisations/moves list what moved")
    func reassignment() async throws {
        try await loadSample()
        guard case .object(var fc) = try JSONValue.parse(try FileIO.read("\(Fixtures.geoData)/functional.geojson")),
              case .array(var features)? = fc["features"] else { Issue.record("no sample"); return }
        // GN01 shrinks to a small box around PI001: the other institutions it grouped leave it.
        let pi001 = try #require(try f.database.organisations().first { $0.id == "PI001" })
        let before = try f.database.organisations().filter { $0.assignment?.functional.grids.contains("GN01") == true }.map(\.id)
        #expect(before.count > 5)
        let d = 0.0002
        for i in features.indices {
            guard var o = features[i].objectValue, o["properties"]?.objectValue?["code"] == .string("GN01") else { continue }
            o["geometry"] = BoundaryFileBuilder.polygon([BoundaryFileBuilder.box(pi001.lon - d, pi001.lat - d, pi001.lon + d, pi001.lat + d)])
            features[i] = .object(o)
        }
        fc["features"] = .array(features)
        var w = GeoJSONWriter()
        w.appendValue(.object(fc))
        let upload = w.bytes
        try await f.app().test(.router) { client in
            let r = try await send(client, .post, "/boundaries?layer=functional&activate=true", upload, .gis, type: "application/geo+json")
            #expect(r.status == .ok, "\(r.text)")
            let moved = Self.array(r.json["organisations_moved"])
            let leftGN01 = Set(moved.filter { m in
                m["layer"] == .string("functional") && Self.codes(m["from"]).contains("GN01") && !Self.codes(m["to"]).contains("GN01")
            }.compactMap { $0["organisation"]?.stringValue })
            let after = Set(Self.array(try await get(client, "/organisations?grid=GN01").json["features"]).compactMap { $0["id"]?.stringValue })
            #expect(after.contains("PI001"))
            #expect(leftGN01 == Set(before).subtracting(after), "every organisation that left GN01 is listed, and no other")
            #expect(!moved.contains { $0["layer"] != .string("functional") }, "only the functional layer changed")
            let log = Self.array(try await get(client, "/organisations/moves").json["moves"])
            #expect(Set(log.compactMap { $0["organisation"]?.stringValue }) == Set(moved.compactMap { $0["organisation"]?.stringValue }))
            // The grid report counts organisations per grid as they are now.
            let report = try await get(client, "/reports/grids?level=functional")
            let gn01 = Self.array(report.json["grids"]).first { $0["code"] == .string("GN01") }
            #expect(gn01?["organisations"] == .number(JSONNumber(after.count)))
            let institutions = try f.database.organisations().filter { after.contains($0.id) && $0.kind == .publicInstitution }.count
            #expect(gn01?["public_institutions"] == .number(JSONNumber(institutions)))
        }
    }

    static func codes(_ v: JSONValue?) -> [String] {
        guard case .array(let a)? = v else { return [] }
        return a.compactMap(\.stringValue)
    }

    @Test("phones only for admin and dispatcher, contact names only for tokens, edits only for gis and admin — on every new endpoint")
    func privacy() async throws {
        try await loadSample()
        let courtyard = "13010500500101"
        let reads = ["/staff", "/staff?f=csv", "/grids/\(courtyard)/staff", "/grids/\(courtyard)/staff?f=csv", "/grids/130105005001/staff",
                     "/staff/vacancies", "/staff/vacancies?f=csv", "/staff/load", "/staff/load?f=csv", "/staff/responsibilities",
                     "/organisations", "/organisations?f=csv", "/organisations/moves", "/party", "/reports/party", "/reports/party?f=csv",
                     "/joint-building", "/reports/joint-building?period=quarter&date=2026-08-01",
                     "/collections/organisations/items", "/collections/organisations/items/PI001"]
        let phone = try #require(try f.database.roster().people.first?.phone)
        let orgPhone = try #require(try f.database.organisations().first?.phone)
        try await f.app().test(.router) { client in
            for uri in reads {
                let anonymous = try await get(client, uri, nil)
                let isPublic = uri.hasPrefix("/organisations") && !uri.contains("moves") || uri.hasPrefix("/collections")
                #expect(anonymous.status == (isPublic ? .ok : .unauthorized), "\(uri) without a token")
                if isPublic {
                    #expect(!anonymous.text.contains("\"contact\"") && !anonymous.text.contains(",contact,") && !anonymous.text.contains(orgPhone),
                            "\(uri): no contact for the public")
                }
                for role in Role.allCases {
                    let r = try await get(client, uri, role)
                    #expect(r.status == .ok, "\(uri) as \(role): \(r.text.prefix(200))")
                    let perGrid = uri.hasPrefix("/grids/") && !uri.contains("f=csv")
                    let showsPhones = perGrid && (role == .admin || role == .dispatcher)
                    #expect(r.text.contains(phone) == showsPhones, "\(uri) as \(role): staff phones only in per-grid views for admin and dispatcher")
                    #expect(!r.text.contains(orgPhone), "\(uri) as \(role): no organisation phones unless asked")
                }
            }
            for uri in ["/staff?phones=true", "/organisations?phones=true&f=csv"] {
                for role in Role.allCases {
                    let r = try await get(client, uri, role)
                    let allowed = role == .admin || role == .dispatcher
                    #expect(r.status == (allowed ? .ok : .forbidden), "\(uri) as \(role)")
                    if allowed { #expect(r.text.contains(uri.hasPrefix("/staff") ? phone : orgPhone)) }
                }
            }
            let writes: [(HTTPRequest.Method, String, String)] = [
                (.put, "/staff", #"{"people":[]}"#), (.put, "/staff/responsibilities", "{}"), (.put, "/organisations", #"{"type":"FeatureCollection","features":[]}"#),
                (.put, "/party", "{}"), (.put, "/joint-building", "{}"),
            ]
            for (method, uri, body) in writes {
                for role in Role.allCases where role != .gis && role != .admin {
                    let r = try await send(client, method, uri, Array(body.utf8), role)
                    #expect(r.status == .forbidden, "\(method) \(uri) as \(role)")
                }
            }
            #expect(try f.database.roster().people.count > 100, "nothing was replaced by a refused write")
        }
    }

    @Test("a bad roster, organisation or party upload is refused whole, naming each problem; nothing changes")
    func allOrNothing() async throws {
        try await loadSample()
        let before = try f.database.roster()
        try await f.app().test(.router) { client in
            let bad = #"{"people":[{"id":"x","name":"X"}],"appointments":[{"person":"x","grid":"13010500500101","role":"medical"},{"person":"x","grid":"nowhere","role":"medical"},{"person":"y","grid":"13010500500101","role":"cook"}]}"#
            let r = try await send(client, .put, "/staff", Array(bad.utf8), .gis)
            #expect(r.status == .unprocessableContent)
            let fields = Self.array(r.json["error"]?.objectValue?["details"]).compactMap { $0["field"]?.stringValue }
            #expect(fields.contains("appointments[2].role") && !fields.contains("appointments[0].role"), "\(fields)")
            #expect(fields.contains("appointments[1].grid"), "the unknown grid is named in the same answer as the bad role: \(fields)")
            #expect(try f.database.roster() == before)
            let csv = "person,name,grid,role\nx,X,13010500500101,medical\nx,X,nowhere,medical\n"
            let c = try await send(client, .put, "/staff", Array(csv.utf8), .gis, type: "text/csv")
            #expect(c.status == .unprocessableContent && c.text.contains("nowhere"))
            let cfields = Self.array(c.json["error"]?.objectValue?["details"]).compactMap { $0["field"]?.stringValue }
            #expect(cfields == ["line 3, column grid"], "a CSV roster's problems name its lines: \(cfields)")
            let orgs = "id,name,kind,category,lon,lat\nU1,A,private_firm,retail,114.45,38.06\nU2,B,shop,retail,200,38\n"
            let o = try await send(client, .put, "/organisations", Array(orgs.utf8), .gis, type: "text/csv")
            #expect(o.status == .unprocessableContent)
            let ofields = Self.array(o.json["error"]?.objectValue?["details"]).compactMap { $0["field"]?.stringValue }
            #expect(ofields == ["line 3, column kind", "line 3, column lon"], "\(ofields)")
            #expect(try f.database.organisations().count == 309)
            let malformed = try await send(client, .put, "/party", Array("{\"units\": [".utf8), .gis)
            #expect(malformed.status == .badRequest)
            #expect(try f.database.party().total(.direct) == 1158)
            // A good CSV roster lands whole, and reads back the same.
            let good = "person,name,phone,grid,role,valid_from\nq,Q,139,13010500500101,grid_leader,2026-01-01\n"
            let g = try await send(client, .put, "/staff", Array(good.utf8), .admin, type: "text/csv")
            #expect(g.status == .ok, "\(g.text)")
            #expect(try f.database.roster() == Roster(people: [Person(id: "q", name: "Q", phone: "139")],
                                                       appointments: [Appointment(person: "q", grid: "13010500500101", role: .gridLeader, validFrom: "2026-01-01")]))
            let vacancies = try await get(client, "/staff/vacancies?grid=13010500500101")
            #expect(Self.array(vacancies.json["vacancies"]).first?["missing"] == .array(StaffRole.tenStaff.map { .string($0.rawValue) }))
        }
    }

    @Test("an event names its courtyard's grid leader and the staff member answering for its type; warnings list per leader")
    func firstContacts() async throws {
        try await loadSample()
        let courtyard = try await f.engine.assign(x: 114.453, y: 38.062).residential.courtyard!
        let roster = try f.database.roster()
        let leader = try #require(roster.appointments.first { $0.grid == courtyard && $0.role == .gridLeader }).person
        let environment = try #require(roster.appointments.first { $0.grid == courtyard && $0.role == .environment }).person
        try await f.app().test(.router) { client in
            let posted = try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true),
                                                  body: ServerFixture.body(ServerFixture.goodEvent)) { $0 }
            let id = posted.json["id"]!.identifierText!
            for role in [Role.dispatcher, .viewer] {
                let e = try await get(client, "/events/\(id)", role)
                let c = e.json["contacts"]?.objectValue
                #expect(c?["courtyard"] == .string(courtyard))
                #expect(c?["grid_leader"]?.objectValue?["id"] == .string(leader))
                #expect(c?["role"] == .string("environment"), "garbage is the environment officer's")
                #expect(c?["responsible"]?.objectValue?["id"] == .string(environment))
                #expect((c?["grid_leader"]?.objectValue?["phone"] != nil) == (role == .dispatcher), "phones only for the dispatcher")
            }
            f.advance(hours: 1000)
            let all = try await get(client, "/warnings", .dispatcher)
            let mine = try await get(client, "/warnings?grid_leader=\(leader)", .dispatcher)
            let listed = Self.array(mine.json["warnings"])
            #expect(!listed.isEmpty && listed.allSatisfy { $0["courtyard"] == .string(courtyard) })
            #expect(listed.allSatisfy { $0["grid_leader"]?.objectValue?["id"] == .string(leader) })
            let counts = all.json["by_grid_leader"]?.objectValue?[leader]?.objectValue
            #expect(counts.map { ($0["red"]?.doubleValue ?? 0) + ($0["yellow"]?.doubleValue ?? 0) } == Double(listed.count))
        }
    }

    @Test("joint building: the report counts a quarter's activities per grid; a recorded one is counted; the summary shows them")
    func jointBuilding() async throws {
        try await loadSample()
        let doc = try f.database.jointBuilding()
        try await f.app().test(.router) { client in
            let q = "period=quarter&date=2026-08-01"
            let r = try await get(client, "/reports/joint-building?level=street&\(q)")
            let street = Self.array(r.json["grids"]).first
            #expect(street?["activities"] == .number(JSONNumber(doc.activities.count)))
            #expect(street?["participants"] == .number(JSONNumber(doc.activities.reduce(0) { $0 + $1.participants })))
            #expect(street?["links"] == .number(JSONNumber(doc.links.count)))
            let courtyards = Self.array(try await get(client, "/reports/joint-building?level=courtyard&\(q)").json["grids"])
            #expect(courtyards.count == 25 && courtyards.allSatisfy { $0["theme"]?.stringValue != nil }, "every courtyard has its theme")
            let c1 = "13010500500101", c2 = "13010500500102"
            let small = courtyards.first { $0["code"] == .string(c1) }?["activities_small"]?.doubleValue ?? -1
            let body = #"{"date":"2026-09-15","title":"联合清扫","type":"sanitation","scale":"medium","participants":40,"grids":["\#(c1)","\#(c2)"]}"#
            let posted = try await send(client, .post, "/joint-building/activities", Array(body.utf8), .dispatcher)
            #expect(posted.status == .created, "\(posted.text)")
            let wrong = #"{"date":"2026-09-15","title":"x","type":"sanitation","scale":"small","participants":40,"grids":["\#(c1)","\#(c2)"]}"#
            #expect(try await send(client, .post, "/joint-building/activities", Array(wrong.utf8), .dispatcher).status == .unprocessableContent)
            let after = Self.array(try await get(client, "/reports/joint-building?level=courtyard&\(q)").json["grids"])
            let row = after.first { $0["code"] == .string(c1) }
            #expect(row?["activities_small"]?.doubleValue == small)
            #expect((row?["activities_medium"]?.doubleValue ?? 0) >= 1)
            let page = try await get(client, "/reports/summary?\(q)")
            #expect(page.text.contains("人员与单位") && page.text.contains("13010500500202 medical"), "the summary names the vacancies")
        }
    }

    @Test("the organisations collection pages like the others, and GDAL-style paging reaches every feature")
    func collection() async throws {
        try await loadSample()
        try await f.app().test(.router) { client in
            var uri: String? = "/collections/organisations/items?limit=100"
            var ids: [String] = []
            while let u = uri {
                let r = try await get(client, u, nil)
                #expect(r.json["numberMatched"] == .number(JSONNumber(309)))
                ids += Self.array(r.json["features"]).compactMap { $0["id"]?.stringValue }
                uri = Self.array(r.json["links"]).first { $0["rel"] == .string("next") }?["href"]?.stringValue
                    .map { String($0.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" }) }
            }
            #expect(ids.count == 309 && Set(ids).count == 309)
            let box = try await get(client, "/collections/organisations/items?bbox=114.455,38.060,114.460,38.064", nil)
            let inBox = try f.database.organisations().filter { $0.lon >= 114.455 && $0.lon <= 114.460 && $0.lat >= 38.060 && $0.lat <= 38.064 }
            #expect(box.json["numberMatched"] == .number(JSONNumber(inBox.count)))
        }
    }
}
