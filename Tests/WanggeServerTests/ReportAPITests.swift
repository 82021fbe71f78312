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

@Suite("Reports over HTTP, against events taken through the real closed loop")
struct ReportAPITests {
    let f: ServerFixture

    /// Hours are counted exactly (a median of 9.00), so the clock moves only when a test moves it.
    init() throws { f = try ServerFixture(frozenClock: true) }

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, _ role: Role) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
    }

    func act(_ client: some TestClientProtocol, _ id: String, _ role: Role, _ fields: String) async throws {
        let r = try await post(client, "/events/\(id)/actions", fields, role)
        #expect(r.status == .ok, "\(fields): \(r.text)")
    }

    func submit(_ client: some TestClientProtocol, lon: Double, lat: Double, severity: Int) async throws -> String {
        let body = #"{"type":"garbage","severity":\#(severity),"lon":\#(lon),"lat":\#(lat),"description":"d","reporter_name":"r","reporter_phone":"13800000000","channel":"web"}"#
        let r = try await post(client, "/events", body, .reporter)
        #expect(r.status == .created, "\(r.text)")
        return r.json["id"]!.identifierText!
    }

    func get(_ client: some TestClientProtocol, _ uri: String, _ role: Role = .viewer) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: f.headers(role)) { $0 }
    }

    static func rows(_ r: TestResponse, _ key: String) -> [JSONObject] {
        guard case .array(let a)? = r.json[key] else { return [] }
        return a.compactMap(\.objectValue)
    }

    static func number(_ v: JSONValue?) -> Double? { v?.doubleValue }

    /// Four events in two courtyards, with known hours between steps (the service's clock is moved by hand):
    /// E1 (severity 4: 4 hours to resolve) accepted at +1 h, dispatched at +2, acknowledged at +4, resolved at +7
    /// (an hour late), closed at +8, resident satisfied. E2 (severity 2) accepted at +1, dispatched at +2, returned
    /// by the department at +4 and dispatched again, acknowledged at +7, resolved at +8, sent back (rework),
    /// acknowledged and resolved at +10, closed at +10, resident neutral. E3 rejected at +1. E4 accepted at +1 and
    /// left: 1,000 hours later it is overdue.
    @Test("courtyard figures, the department report, CSV and the choropleth all match the hand count")
    func handCount() async throws {
        try await f.app().test(.router) { client in
            let a = (lon: 114.453, lat: 38.062), b = (lon: 114.445, lat: 38.058)
            func courtyard(_ p: (lon: Double, lat: Double)) async throws -> String {
                try await get(client, "/lookup?lon=\(p.lon)&lat=\(p.lat)").json["residential"]!.objectValue!["courtyard"]!.stringValue!
            }
            let courtyardA = try await courtyard(a), courtyardB = try await courtyard(b)
            #expect(courtyardA != courtyardB)
            let start = Date().timeIntervalSince1970
            let e1 = try await submit(client, lon: a.lon, lat: a.lat, severity: 4)
            let e2 = try await submit(client, lon: a.lon, lat: a.lat, severity: 2)
            let e3 = try await submit(client, lon: b.lon, lat: b.lat, severity: 2)
            let e4 = try await submit(client, lon: b.lon, lat: b.lat, severity: 2)
            let dispatch = #"{"action":"dispatch","department":"urban_management"}"#
            f.advance(hours: 1)
            for e in [e1, e2, e4] { try await act(client, e, .dispatcher, #"{"action":"accept"}"#) }
            try await act(client, e3, .dispatcher, #"{"action":"reject","reason":"duplicate of an earlier report"}"#)
            f.advance(hours: 1)
            for e in [e1, e2] { try await act(client, e, .dispatcher, dispatch) }
            f.advance(hours: 2)
            try await act(client, e1, .department, #"{"action":"acknowledge"}"#)
            try await act(client, e2, .department, #"{"action":"return","reason":"not ours"}"#)
            try await act(client, e2, .dispatcher, dispatch)
            f.advance(hours: 3)
            try await act(client, e1, .department, #"{"action":"resolve","feedback":"done"}"#)
            try await act(client, e2, .department, #"{"action":"acknowledge"}"#)
            f.advance(hours: 1)
            try await act(client, e2, .department, #"{"action":"resolve","feedback":"done"}"#)
            try await act(client, e1, .dispatcher, #"{"action":"close"}"#)
            try await act(client, e2, .dispatcher, #"{"action":"rework","reason":"still there"}"#)
            f.advance(hours: 2)
            try await act(client, e2, .department, #"{"action":"acknowledge"}"#)
            try await act(client, e2, .department, #"{"action":"resolve","feedback":"done again"}"#)
            try await act(client, e2, .dispatcher, #"{"action":"close"}"#)
            try await act(client, e1, .reporter, #"{"action":"evaluate","satisfaction":"satisfied"}"#)
            try await act(client, e2, .reporter, #"{"action":"evaluate","satisfaction":"neutral"}"#)
            f.advance(hours: 1000)

            let span = "from=\(Timestamp.format(start - 3600))&to=\(Timestamp.format(start + 2 * 86400))"
            let r = try await get(client, "/reports/grids?level=courtyard&\(span)")
            #expect(r.status == .ok, "\(r.text)")
            let grids = Self.rows(r, "grids")
            #expect(grids.count == 25)
            let ga = grids.first { $0["code"] == .string(courtyardA) }!, gb = grids.first { $0["code"] == .string(courtyardB) }!
            func n(_ g: JSONObject, _ k: String) -> Double? { Self.number(g[k]) }
            #expect(n(ga, "received") == 2 && n(ga, "closed") == 2 && n(ga, "resolution_rate") == 1)
            #expect(n(ga, "satisfied") == 1 && n(ga, "neutral") == 1 && n(ga, "satisfaction_rate") == 1)
            #expect(n(ga, "resolved") == 2 && n(ga, "on_time") == 1 && n(ga, "on_time_rate") == 0.5)
            #expect(n(ga, "median_hours_to_accept") == 1 && n(ga, "median_hours_to_resolve") == 8.5 && n(ga, "median_hours_to_close") == 9)
            #expect(n(ga, "reworks") == 1 && n(ga, "returns") == 1 && n(ga, "rated_average") == 2 && n(ga, "overdue") == 0)
            #expect(n(ga, "status_evaluated") == 2 && n(ga, "severity_4") == 1 && n(ga, "type_garbage") == 2)
            #expect(n(gb, "received") == 2 && n(gb, "rejected") == 1 && n(gb, "open") == 1 && n(gb, "overdue") == 1)
            #expect(n(gb, "resolution_rate") == 0 && gb["satisfaction_rate"] == .null && n(gb, "median_hours_to_accept") == 1)
            #expect(Self.rows(r, "grids").filter { $0["blind_spot"] == .bool(true) }.count == 23)
            #expect(r.json["total"]?.objectValue?["received"] == .number(JSONNumber(4)))

            // The same figures one level up, and per department.
            let community = Self.rows(try await get(client, "/reports/grids?level=community&\(span)"), "grids")
            #expect(community.reduce(0) { $0 + (n($1, "received") ?? 0) } == 4)
            let d = try await get(client, "/reports/departments?\(span)", .dispatcher)
            #expect(d.status == .ok, "\(d.text)")
            let um = Self.rows(d, "departments").first { $0["department"] == .string("urban_management") }!
            #expect(n(um, "received") == 2 && n(um, "returned_as_wrong_dispatch") == 1 && n(um, "closed") == 2 && n(um, "reworks") == 1)
            #expect(d.json["undispatched"]?.objectValue?["received"] == .number(JSONNumber(2)))

            // CSV: a header and a row per courtyard, the same numbers.
            let csv = try await get(client, "/reports/grids?level=courtyard&f=csv&\(span)")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.contains("report-courtyard-") == true)
            let lines = csv.text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(lines.count == 26)
            let header = lines[0]
            let rowA = lines.first { $0.first == courtyardA }!
            let withBOM = try await get(client, "/reports/grids?level=courtyard&f=csv&bom=1&\(span)")
            #expect(Array(withBOM.body.readableBytesView.prefix(3)) == [0xEF, 0xBB, 0xBF] && Array(csv.body.readableBytesView.prefix(4)) == Array("code".utf8))
            #expect(rowA[header.firstIndex(of: "received")!] == "2" && rowA[header.firstIndex(of: "on_time_rate")!] == "0.5")

            // The choropleth: every courtyard's polygon with its figures.
            let geo = try await get(client, "/reports/grids?level=courtyard&f=geojson&\(span)")
            #expect(geo.headers[.contentType] == "application/geo+json")
            guard case .array(let features)? = geo.json["features"] else { Issue.record("no features"); return }
            #expect(features.count == 25)
            let fa = features.first { $0.objectValue?["id"] == .string(courtyardA) }?.objectValue
            #expect(fa?["geometry"]?.objectValue?["type"] == .string("Polygon") || fa?["geometry"]?.objectValue?["type"] == .string("MultiPolygon"))
            #expect(fa?["properties"]?.objectValue?["received"] == .number(JSONNumber(2)))

            // The picture: every courtyard a path, coloured by class; A and B (the only ones with events) differ
            // from the rest, which have no resolution rate at all.
            let svg = try await get(client, "/reports/grids?level=courtyard&f=svg&figure=resolution_rate&\(span)")
            #expect(svg.status == .ok && svg.headers[.contentType] == "image/svg+xml")
            let paths = svg.text.components(separatedBy: "<path d=").dropFirst().filter { $0.contains("<title>") }
            #expect(paths.count == 25)
            #expect(paths.filter { $0.contains("fill=\"#e6e6e6\"") }.count == 23)
            #expect(svg.text.contains("(\(courtyardA)): 100.0 %") && svg.text.contains("(\(courtyardB)): 0.0 %"))
            #expect(svg.text.contains("Resolution rate") && svg.text.contains(">N</text>") && svg.text.hasSuffix("</svg>\n"))
        }
    }

    @Test("without a period the report covers this month in Asia/Shanghai; an empty period has only blind spots")
    func defaultsAndEmpty() async throws {
        try await f.app().test(.router) { client in
            let r = try await get(client, "/reports/grids?level=industry")
            #expect(r.status == .ok)
            let period = r.json["period"]?.objectValue
            #expect(period?["kind"] == .string("month") && period?["time_zone"] == .string("Asia/Shanghai"))
            #expect(period?["from"]?.stringValue?.hasSuffix("-01T00:00:00+08:00") == true)
            #expect(Self.rows(r, "grids").count == 10)
            guard case .array(let blind)? = r.json["blind_spots"] else { Issue.record("no blind_spots"); return }
            #expect(blind.count == 10)
            let q = try await get(client, "/reports/grids?level=street&period=quarter&date=2026-08-15&tz=UTC")
            #expect(q.json["period"]?.objectValue?["label"] == .string("2026-Q3"))
            #expect(q.json["period"]?.objectValue?["from"] == .string("2026-07-01T00:00:00Z"))
        }
    }

    @Test("the summary page: figures against the previous period, the map and the tables, for the street or one community")
    func summary() async throws {
        try await f.app().test(.router) { client in
            let a = #"{"type":"garbage","severity":2,"lon":114.453,"lat":38.062,"description":"d","reporter_name":"r","reporter_phone":"13800000000","channel":"web"}"#
            for _ in 0..<3 { #expect(try await post(client, "/events", a, .reporter).status == .created) }
            let today = Timestamp.format(Date().timeIntervalSince1970)
            let r = try await get(client, "/reports/summary?period=week&date=\(today)")
            #expect(r.status == .ok && r.headers[.contentType] == "text/html; charset=utf-8")
            let html = r.text
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("周报告") && html.contains("<svg"))
            #expect(html.contains("<small>受理 received</small><b>3</b>"))
            // The standard's figures: none of the three is filed (accepted) yet, so none is due to close.
            #expect(html.contains("<small>立案 filed</small><b>0</b>") && html.contains("<small>应结案 due to close</small><b>0</b>"))
            // Seven communities in the grid table, the departments table, and one event type with all three events.
            #expect(html.components(separatedBy: "130105005").count - 1 >= 7)
            #expect(html.contains("承办部门") && html.contains("garbage</span></td><td>3</td>"))
            let community = try await get(client, "/lookup?lon=114.453&lat=38.062").json["residential"]!.objectValue!["community"]!.stringValue!
            let one = try await get(client, "/reports/summary?period=week&date=\(today)&community=\(community)")
            #expect(one.status == .ok && one.text.contains("楼院 · Courtyards") && !one.text.contains("承办部门"))
            #expect(one.text.contains("<small>受理 received</small><b>3</b>"))
            #expect(try await get(client, "/reports/summary?community=nowhere").status == .notFound)
        }
    }

    @Test("boundary coverage of the sample: every residential level covers the whole street; overlay overlaps are listed with their areas")
    func boundaries() async throws {
        try await f.app().test(.router) { client in
            let r = try await get(client, "/reports/boundaries")
            #expect(r.status == .ok, "\(r.text)")
            let layers = Self.rows(r, "layers")
            #expect(layers.map { $0["name"]?.stringValue ?? "" } == ["street", "community", "courtyard", "building", "functional", "industry"])
            for l in layers.prefix(4) {
                #expect(l["share_of_street"] == .number(JSONNumber(literal: "1.0", value: 1)) && l["gap_km2"] == .number(JSONNumber(literal: "0.0", value: 0)), "\(l)")
            }
            #expect(abs((Self.number(r.json["street_area_km2"]) ?? 0) - 2.51) < 0.001)
            let defects = Self.rows(r, "defects")
            #expect(!defects.isEmpty && defects.allSatisfy { $0["kind"] == .string("overlay_overlap") && (Self.number($0["area_m2"]) ?? 0) > 1 })
            let geo = try await get(client, "/reports/boundaries?f=geojson")
            #expect(geo.headers[.contentType] == "application/geo+json")
            guard case .array(let features)? = geo.json["features"] else { Issue.record("no features"); return }
            #expect(features.count == defects.count)
            #expect(features.allSatisfy { $0.objectValue?["geometry"]?.objectValue?["type"] != nil })
        }
    }

    @Test("hot spots over HTTP: three reports of one problem at one place make a cluster, as JSON and as a point layer")
    func hotSpots() async throws {
        try await f.app().test(.router) { client in
            let start = Date().timeIntervalSince1970
            for (lon, lat) in [(114.453, 38.062), (114.4531, 38.0621), (114.4532, 38.062), (114.46, 38.066)] {
                let body = #"{"type":"garbage","severity":2,"lon":\#(lon),"lat":\#(lat),"description":"d","reporter_name":"r","reporter_phone":"13800000000","channel":"web"}"#
                #expect(try await post(client, "/events", body, .reporter).status == .created)
            }
            let span = "from=\(Timestamp.format(start - 3600))&to=\(Timestamp.format(start + 86400))"
            let r = try await get(client, "/reports/hotspots?\(span)")
            #expect(r.status == .ok, "\(r.text)")
            let clusters = Self.rows(r, "clusters")
            #expect(clusters.count == 1 && clusters.first?["events"] == .number(JSONNumber(3)) && clusters.first?["type"] == .string("garbage"))
            #expect(try await get(client, "/reports/hotspots?\(span)&radius=5").json["clusters"] == .array([]))
            let geo = try await get(client, "/reports/hotspots?\(span)&f=geojson")
            guard case .array(let features)? = geo.json["features"] else { Issue.record("no features"); return }
            #expect(features.first?.objectValue?["geometry"]?.objectValue?["type"] == .string("Point"))
            #expect(try await get(client, "/reports/hotspots?radius=0").status == .badRequest)
        }
    }

    @Test("the convenience circle over HTTP: 404 until service points are loaded, then every courtyard with its shares")
    func services() async throws {
        try await f.app().test(.router) { client in
            #expect(try await get(client, "/reports/services").status == .notFound)
            try ServicePoints.load(from: Fixtures.geoData, into: f.database)
            let r = try await get(client, "/reports/services?level=courtyard")
            #expect(r.status == .ok, "\(r.text)")
            let grids = Self.rows(r, "grids")
            #expect(grids.count == 25)
            #expect(Self.rows(r, "kinds").count == 6)
            // Every courtyard is within 800 m of its community's service centre somewhere, and shares are fractions.
            #expect(grids.allSatisfy { (Self.number($0["community_service_centre_area_share"]) ?? 0) > 0 })
            #expect(grids.allSatisfy { g in g.members.filter { $0.key.hasSuffix("_share") }.allSatisfy { ($0.value.doubleValue ?? 0) <= 1 } })
            let smaller = Self.rows(try await get(client, "/reports/services?level=courtyard&radius=200"), "kinds")
            let wider = Self.rows(r, "kinds")
            #expect(zip(smaller, wider).allSatisfy { (Self.number($0["street_share"]) ?? 0) < (Self.number($1["street_share"]) ?? 0) })
            let geo = try await get(client, "/reports/services?f=geojson&radius=200")
            guard case .array(let features)? = geo.json["features"] else { Issue.record("no features"); return }
            #expect(features.count == 6)
            let csv = try await get(client, "/reports/services?f=csv")
            #expect(csv.text.hasPrefix("code,name,area_km2,households,community_service_centre_area_share,"))

            // GIS staff replace the points over HTTP: one clinic only; a bad feature is a 422 naming it, nothing stored.
            let one = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.453,38.062]},"properties":{"id":"c1","name":"诊所","kind":"clinic"}}]}"#
            let bad = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.453,38.062]},"properties":{"id":"c1"}}]}"#
            try await client.execute(uri: "/reports/services/points", method: .put, headers: f.headers(.gis, json: true), body: ServerFixture.body(bad)) { r in
                #expect(r.status == .unprocessableContent && r.text.contains("features[0].properties.kind"), "\(r.text)")
            }
            let nul = one.replacingOccurrences(of: "诊所", with: #"诊\u0000所"#)
            try await client.execute(uri: "/reports/services/points", method: .put, headers: f.headers(.gis, json: true), body: ServerFixture.body(nul)) { r in
                #expect(r.status == .unprocessableContent && r.text.contains("features[0].properties.name"), "\(r.text)")
            }
            try await client.execute(uri: "/reports/services/points", method: .put, headers: f.headers(.viewer, json: true), body: ServerFixture.body(one)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/reports/services/points", method: .put, headers: f.headers(.gis, json: true), body: ServerFixture.body(one)) { r in
                #expect(r.status == .ok && r.json["points"] == .number(JSONNumber(1)), "\(r.text)")
            }
            #expect(Self.rows(try await get(client, "/reports/services"), "kinds").map { $0["kind"] } == [.string("clinic")])
            #expect(try await get(client, "/reports/services/points").text == one)
        }
    }

    @Test("bad parameters are 400s that name the parameter; reports need a token")
    func badParameters() async throws {
        try await f.app().test(.router) { client in
            for (query, field) in [("level=planet", "level"), ("period=fortnight", "period"), ("period=month&date=2026-13-01", "date"),
                                   ("tz=Mars/Base", "tz"), ("from=2026-08-01", "to"), ("from=2026-08-10&to=2026-08-01", "to"),
                                   ("period=month&from=2026-08-01&to=2026-08-02", "period"), ("f=pdf", "f"), ("colour=red", "colour"),
                                   ("f=svg&figure=happiness", "figure"), ("bom=2", "bom")] {
                let r = try await get(client, "/reports/grids?\(query)")
                #expect(r.status == .badRequest, "\(query): \(r.text)")
                let details = r.json["error"]?.objectValue?["details"]
                guard case .array(let d)? = details else { Issue.record("\(query): no details in \(r.text)"); continue }
                #expect(d.first?.objectValue?["field"] == .string(field), "\(query): \(r.text)")
            }
            #expect(try await get(client, "/reports/departments?f=geojson").status == .badRequest)
            try await client.execute(uri: "/reports/grids", method: .get) { r in #expect(r.status == .unauthorized) }
        }
    }
}
