import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeSample
import WanggeServer
import WanggeTestSupport

@Suite("CQL2 filters over HTTP (OGC API – Features Part 3), against a count of the unfiltered items")
struct FilterAPITests {
    let f: ServerFixture

    init() async throws { f = try await ServerFixture.withHistory() }

    func get(_ client: some TestClientProtocol, _ path: String, _ query: [(String, String)], _ role: Role? = .viewer) async throws -> TestResponse {
        var c = URLComponents()
        c.path = path
        c.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves + as it is; a filter's + must be %2B (+ in a filter is a space, as forms write it).
        let uri = c.string!.replacingOccurrences(of: "+", with: "%2B")
        return try await client.execute(uri: uri, method: .get, headers: f.headers(role)) { $0 }
    }

    static func features(_ r: TestResponse) -> [JSONObject] {
        guard case .array(let a)? = r.json["features"] else { return [] }
        return a.compactMap(\.objectValue)
    }

    static func props(_ o: JSONObject) -> JSONObject { o["properties"]?.objectValue ?? JSONObject() }

    /// The properties with the point's coordinates beside them (as `_lon`, `_lat`).
    static func propsWithPoint(_ o: JSONObject) -> JSONObject {
        var p = props(o)
        if case .array(let c)? = o["geometry"]?.objectValue?["coordinates"], c.count >= 2 {
            p["_lon"] = c[0]; p["_lat"] = c[1]
        }
        return p
    }

    static func lonLat(_ p: JSONObject) -> (Double, Double) { (p["_lon"]?.doubleValue ?? .nan, p["_lat"]?.doubleValue ?? .nan) }

    @Test("every operator on events gives the features a hand count of the unfiltered items gives, in text and JSON, paged through next links")
    func events() async throws {
        try await f.app().test(.router) { client in
            let all = Self.features(try await get(client, "/collections/events/items", [("limit", "10000")])).map(Self.propsWithPoint)
            #expect(all.count == 3000)
            func s(_ o: JSONObject, _ k: String) -> String? { o[k]?.stringValue }
            func n(_ o: JSONObject, _ k: String) -> Double? { o[k]?.doubleValue }
            func t(_ o: JSONObject, _ k: String) -> Double { Timestamp.parse(s(o, k)!)! }
            let sept = Timestamp.parse("2026-09-01T00:00:00+08:00")!, aug = Timestamp.parse("2026-08-01T00:00:00+08:00")!
            let cases: [(String, (JSONObject) -> Bool)] = [
                ("status = 'closed'", { s($0, "status") == "closed" }),
                ("status = 'closed' AND severity >= 3", { s($0, "status") == "closed" && n($0, "severity")! >= 3 }),
                ("status <> 'closed' OR severity = 4", { s($0, "status") != "closed" || n($0, "severity") == 4 }),
                ("NOT (severity < 2)", { n($0, "severity")! >= 2 }),
                ("type LIKE 'garb%'", { s($0, "type")!.hasPrefix("garb") }),
                ("type LIKE 'GARB%'", { _ in false }),
                ("type ILIKE 'GARB%'", { s($0, "type")!.hasPrefix("garb") }),
                ("type NOT LIKE '%a%'", { !s($0, "type")!.contains("a") }),
                ("severity IN (1, 4)", { [1, 4].contains(n($0, "severity")!) }),
                ("channel NOT IN ('web', 'hotline')", { !["web", "hotline"].contains(s($0, "channel")!) }),
                ("severity BETWEEN 2 AND 3", { (2...3).contains(n($0, "severity")!) }),
                ("functional IS NULL", { $0["functional"] == .null }),
                ("courtyard IS NOT NULL AND functional IS NOT NULL", { $0["courtyard"] != .null && $0["functional"] != .null }),
                ("outside = TRUE", { $0["outside"] == .bool(true) }),
                ("occurred_at >= TIMESTAMP('2026-09-01T00:00:00+08:00')", { t($0, "occurred_at") >= sept }),
                ("occurred_at >= DATE('2026-09-01')", { t($0, "occurred_at") >= sept }),
                ("occurred_at < '2026-09-01T00:00:00+08:00' AND reported_at >= '2026-08-01'", { t($0, "occurred_at") < sept && t($0, "reported_at") >= Timestamp.parse("2026-08-01")! }),
                ("S_INTERSECTS(geometry, BBOX(114.44, 38.05, 114.46, 38.07))", { _ in true }),
                ("id <= 100 AND 3 > severity", { n($0, "id")! <= 100 && n($0, "severity")! < 3 }),
                // A triangle, and a box with a hole, against their own arithmetic.
                ("S_INTERSECTS(geometry, POLYGON((114.44 38.05, 114.47 38.05, 114.44 38.08, 114.44 38.05)))", { o in
                    let (x, y) = Self.lonLat(o)
                    return x >= 114.44 && y >= 38.05 && (x - 114.44) / 0.03 + (y - 38.05) / 0.03 <= 1 }),
                ("S_INTERSECTS(geometry, MULTIPOLYGON(((114.44 38.05, 114.46 38.05, 114.46 38.07, 114.44 38.07, 114.44 38.05), (114.445 38.055, 114.445 38.065, 114.455 38.065, 114.455 38.055, 114.445 38.055))))", { o in
                    let (x, y) = Self.lonLat(o)
                    return (114.44...114.46).contains(x) && (38.05...38.07).contains(y) && !(x > 114.445 && x < 114.455 && y > 38.055 && y < 38.065) }),
                ("T_AFTER(occurred_at, TIMESTAMP('2026-09-01T00:00:00+08:00'))", { t($0, "occurred_at") > sept }),
                ("T_BEFORE(reported_at, DATE('2026-08-01'))", { t($0, "reported_at") < aug }),
                ("T_DURING(occurred_at, INTERVAL('2026-08-01', '2026-09-01T00:00:00+08:00'))", { t($0, "occurred_at") > aug && t($0, "occurred_at") < sept }),
                ("T_INTERSECTS(occurred_at, INTERVAL('2026-09-01', '..'))", { t($0, "occurred_at") >= sept }),
                ("T_DISJOINT(occurred_at, INTERVAL('..', '2026-09-01'))", { t($0, "occurred_at") > sept }),
            ]
            for (filter, predicate) in cases {
                var want = Set(all.filter(predicate).map { Int(n($0, "id")!) })
                if filter.contains("BBOX(") {
                    let inBox = Self.features(try await get(client, "/collections/events/items", [("limit", "10000"), ("bbox", "114.44,38.05,114.46,38.07")]))
                    want = Set(inBox.map { Int(n(Self.props($0), "id")!) })
                    #expect(!want.isEmpty)
                }
                // Through next links, 700 a page: the filter must travel with the cursor.
                var got: [Int] = []
                var page = try await get(client, "/collections/events/items", [("filter", filter), ("limit", "700")])
                #expect(page.status == .ok, "\(filter): \(page.text.prefix(200))")
                #expect(page.json["numberMatched"]?.doubleValue.map(Int.init) == want.count, "\(filter)")
                while true {
                    got += Self.features(page).map { Int(n(Self.props($0), "id")!) }
                    guard case .array(let links)? = page.json["links"],
                          let next = links.compactMap(\.objectValue).first(where: { $0["rel"] == .string("next") })?["href"]?.stringValue else { break }
                    let uri = String(next[next.range(of: "/collections")!.lowerBound...])
                    page = try await client.execute(uri: uri, method: .get, headers: f.headers(.viewer)) { $0 }
                }
                #expect(Set(got) == want && got.count == want.count, "\(filter): \(got.count) vs \(want.count)")
            }
            // CQL2-JSON: the same as its text.
            let json = #"{"op":"and","args":[{"op":"=","args":[{"property":"status"},"closed"]},{"op":">=","args":[{"property":"severity"},3]}]}"#
            let j = try await get(client, "/collections/events/items", [("filter", json), ("filter-lang", "cql2-json"), ("limit", "1")])
            #expect(j.json["numberMatched"]?.doubleValue.map(Int.init) == all.filter { s($0, "status") == "closed" && n($0, "severity")! >= 3 }.count)
            // GDAL 3.6 sends the draft's name and + for spaces.
            let gdal = try await client.execute(uri: "/collections/events/items?limit=1&filter=(status+%3D+'closed')+AND+(severity+%3E%3D+3)&filter-lang=cql-text",
                                                method: .get, headers: f.headers(.viewer)) { $0 }
            #expect(gdal.json["numberMatched"] == j.json["numberMatched"])
            // A reporter's filter sees only their own events.
            let mine = try await get(client, "/collections/events/items", [("filter", "severity >= 1")], .reporter)
            #expect(mine.json["numberMatched"]?.doubleValue == 0)
        }
    }

    @Test("boundary collections filter on their queryables; bad filters are 400s that name the token; queryables and conformance are published")
    func gridsErrorsAndDocuments() async throws {
        try await f.app().test(.router) { client in
            let all = Self.features(try await get(client, "/collections/courtyard/items", [("limit", "10000")], nil)).map(Self.props)
            let want = all.filter { ($0["area_km2"]?.doubleValue ?? 0) > 0.05 && ($0["parent"]?.stringValue ?? "").hasSuffix("1") }.count
            let r = try await get(client, "/collections/courtyard/items", [("filter", "area_km2 > 0.05 AND parent LIKE '%1'")], nil)
            #expect(r.status == .ok && r.json["numberMatched"]?.doubleValue.map(Int.init) == want, "\(r.text.prefix(200))")
            #expect(want > 0 && want < all.count)

            // Spatial filters on boundaries, against the assignment engine (GEOS): an event strictly inside a
            // courtyard lies in exactly that courtyard; a tiny box and a small triangle around it meet it too.
            let events = Self.features(try await get(client, "/collections/events/items", [("limit", "400")])).map(Self.propsWithPoint)
                .filter { $0["match"] == .string("inside") && $0["courtyard"] != .null }.prefix(25)
            #expect(events.count == 25)
            for e in events {
                let (x, y) = Self.lonLat(e)
                let code = e["courtyard"]?.stringValue
                let at = Self.features(try await get(client, "/collections/courtyard/items", [("filter", "S_INTERSECTS(geometry, POINT(\(x) \(y)))")], nil))
                #expect(at.map { $0["id"]?.stringValue } == [code], "point \(x) \(y)")
                let d = 0.00001
                for shape in ["BBOX(\(x - d),\(y - d),\(x + d),\(y + d))",
                              "POLYGON((\(x - d) \(y - d), \(x + d) \(y - d), \(x) \(y + d), \(x - d) \(y - d)))"] {
                    let near = Self.features(try await get(client, "/collections/courtyard/items", [("filter", "S_INTERSECTS(geometry, \(shape))")], nil))
                    #expect(near.contains { $0["id"]?.stringValue == code }, "\(shape)")
                }
            }
            // A box around the whole street meets every courtyard; one far away, none.
            let everything = try await get(client, "/collections/courtyard/items", [("filter", "S_INTERSECTS(geometry, BBOX(114.3,37.9,114.6,38.2))"), ("limit", "1")], nil)
            #expect(everything.json["numberMatched"]?.doubleValue.map(Int.init) == all.count)
            let nowhere = try await get(client, "/collections/courtyard/items", [("filter", "S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 1, 0 0)))"), ("limit", "1")], nil)
            #expect(nowhere.json["numberMatched"]?.doubleValue == 0)

            for (uri, query, message) in [
                ("/collections/events/items", [("filter", "status = ")], "filter: the filter ends where a property or a value was expected"),
                ("/collections/events/items", [("filter", "status == 'x'")], "filter: unexpected '=' at character 9"),
                ("/collections/events/items", [("filter", "severity = 'high'")], "filter: severity is a number and 'high' is a string"),
                ("/collections/events/items", [("filter", "reporter_phone = '1'")], "filter: 'reporter_phone' is not a queryable"),
                ("/collections/events/items", [("filter", "a = 1"), ("filter-lang", "sql")], "filter-lang must be one of"),
                ("/collections/courtyard/items", [("filter", "S_INTERSECTS(name, BBOX(0,0,1,1))")], "'name' is not a geometry"),
                ("/collections/organisations/items", [("filter", "a = 1")], "filter"),
            ] {
                let e = try await get(client, uri, query)
                #expect(e.status == .badRequest, "\(query)")
                let said = e.json["error"]?.objectValue?["message"]?.stringValue ?? ""
                #expect(said.contains(message), "\(query): \(e.text)")
            }

            let q = try await get(client, "/collections/events/queryables", [], nil)
            #expect(q.status == .ok && q.headers[.contentType] == "application/schema+json")
            let properties = q.json["properties"]?.objectValue
            #expect(properties?["occurred_at"]?.objectValue?["format"] == .string("date-time"))
            #expect(properties?["severity"]?.objectValue?["type"] == .string("integer"))
            #expect(properties?["reporter_name"] == nil && properties?["geometry"] != nil)
            #expect(try await get(client, "/collections/organisations/queryables", [], nil).status == .notFound)
            let collection = try await get(client, "/collections/events", [], nil)
            #expect(collection.text.contains("/collections/events/queryables"))
            let conformance = try await get(client, "/conformance", [], nil).text
            for c in ["ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter", "cql2/1.0/conf/cql2-text",
                      "cql2/1.0/conf/cql2-json", "cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/advanced-comparison-operators"] {
                #expect(conformance.contains(c), "\(c)")
            }
            let api = try await get(client, "/api", [], nil)
            let items = api.json["paths"]?.objectValue?["/collections/{collectionId}/items"]?.objectValue?["get"]?.objectValue
            guard case .array(let parameters)? = items?["parameters"] else { Issue.record("no parameters"); return }
            let lang = parameters.compactMap(\.objectValue).first { $0["name"] == .string("filter-lang") }
            #expect(lang?["schema"]?.objectValue?["enum"] == .array(["cql2-text", "cql2-json", "cql-text"].map { .string($0) }))
            #expect(api.json["components"]?.objectValue?["schemas"]?.objectValue?["EventProperties"] != nil)
        }
    }
}
