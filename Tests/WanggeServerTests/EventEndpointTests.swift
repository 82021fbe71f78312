import Foundation
import GRDB
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

@Suite("Event intake and reading over HTTP")
struct EventEndpointTests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    func submit(_ client: some TestClientProtocol, _ body: String, role: Role = .reporter, key: String? = nil,
                token: String? = nil) async throws -> TestResponse {
        var h = f.headers(role, json: true)
        if let token { h[.authorization] = "Bearer \(token)" }
        if let key { h[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: "/events", method: .post, headers: h, body: ServerFixture.body(body)) { $0 }
    }

    @Test("a submitted event is assigned, stored as reported, and readable at its Location")
    func submitAndRead() async throws {
        try await f.app().test(.router) { client in
            let r = try await submit(client, ServerFixture.goodEvent)
            #expect(r.status == .created)
            let id = try #require(r.json["id"]?.identifierText)
            #expect(r.headers[.location] == "/events/\(id)")
            #expect(r.json["status"] == .string("reported"))
            #expect(r.json["grids"]?.objectValue?["building"] == .string("1301050050040102"))
            #expect(r.json["reporter"]?.objectValue?["name"] == .string("王芳"))
            // Committed before the answer: the database has it.
            #expect(try f.database.event(id: Int64(id)!)?.event.reporterPhone == "138 0000 1111")
            try await client.execute(uri: "/events/\(id)", method: .get, headers: f.headers(.reporter)) { g in
                #expect(g.status == .ok && g.json["id"] == r.json["id"])
            }
            // Viewers see the event without the reporter's personal details.
            try await client.execute(uri: "/events/\(id)", method: .get, headers: f.headers(.viewer)) { g in
                #expect(g.status == .ok && g.json["reporter"] == .null)
            }
            // Another reporter and a department it is not dispatched to do not see it at all.
            var h = f.headers(nil)
            h[.authorization] = "Bearer \(f.otherReporter)"
            try await client.execute(uri: "/events/\(id)", method: .get, headers: h) { g in #expect(g.status == .notFound) }
            try await client.execute(uri: "/events/\(id)", method: .get, headers: f.headers(.department)) { g in #expect(g.status == .notFound) }
            let history = try await f.database.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM event_history WHERE event_id = ?", arguments: [Int64(id)!]) }
            #expect(history == 1)
        }
    }

    @Test("the intake's direct JSON writer and the tree renderer give the same bytes")
    func renderingsAgree() async throws {
        try await f.app().test(.router) { client in
            let r = try await submit(client, ServerFixture.goodEvent.replacingOccurrences(of: "垃圾堆放在楼下", with: "quote \\\" and 中文"))
            let record = try #require(try f.database.event(id: Int64(r.json["id"]!.identifierText!)!))
            for show in [true, false] {
                var direct = GeoJSONWriter()
                EventJSON.write(record, showReporter: show, levels: .standard, into: &direct)
                var tree = GeoJSONWriter()
                tree.appendValue(EventJSON.render(record, showReporter: show, levels: .standard))
                #expect(String(decoding: direct.bytes, as: UTF8.self) == String(decoding: tree.bytes, as: UTF8.self))
            }
        }
    }

    @Test("a retry with the same Idempotency-Key returns the original response and creates nothing")
    func idempotent() async throws {
        try await f.app().test(.router) { client in
            let first = try await submit(client, ServerFixture.goodEvent, key: "phone-42-attempt")
            let again = try await submit(client, ServerFixture.goodEvent, key: "phone-42-attempt")
            #expect(first.status == .created && again.status == .created)
            #expect(again.text == first.text)
            #expect(again.headers[HTTPField.Name("Idempotency-Replayed")!] == "true")
            #expect(try f.database.events(FeatureQuery.allEvents).count == 1)
            // The same request written another way — members reordered, other whitespace, 2.0 for 2 — means the same.
            let reordered = #"{ "channel" : "grid_station", "reporter_phone":"138 0000 1111", "reporter_name":"王芳","description":"垃圾堆放在楼下","lat":38.062,"lon":114.4530,"severity":2.0,"type":"garbage" }"#
            let rewritten = try await submit(client, reordered, key: "phone-42-attempt")
            #expect(rewritten.status == .created && rewritten.text == first.text, "\(rewritten.text)")
            #expect(rewritten.headers[HTTPField.Name("Idempotency-Replayed")!] == "true")
            #expect(try f.database.events(FeatureQuery.allEvents).count == 1)
            // The same key with a different body is a client bug: refused, nothing stored.
            let other = try await submit(client, ServerFixture.goodEvent.replacingOccurrences(of: "\"severity\":2", with: "\"severity\":3"), key: "phone-42-attempt")
            #expect(other.status == .conflict && other.errorCode == "conflict")
            // Keys belong to a token: another reporter's identical key is a different request.
            let mine = try await submit(client, ServerFixture.goodEvent, key: "phone-42-attempt", token: f.otherReporter)
            #expect(mine.status == .created && mine.json["id"] != first.json["id"])
            #expect(try f.database.events(FeatureQuery.allEvents).count == 2)
        }
    }

    @Test("concurrent submissions share commits; concurrent retries with one key still create one event")
    func concurrent() async throws {
        try await f.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for i in 0..<40 {
                    group.addTask {
                        let r = try await submit(client, ServerFixture.goodEvent, key: i < 20 ? "same-key" : "key-\(i)")
                        return (Int(r.status.code), r.json["id"]?.identifierText ?? "")
                    }
                }
                var all: [(Int, String)] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.allSatisfy { $0.0 == 201 })
            #expect(try f.database.events(FeatureQuery.allEvents).count == 21, "one event for the shared key, one per other key")
            let ids = Set(statuses.map(\.1))
            #expect(ids.count == 21)
        }
    }

    @Test("an event outside every grid is kept and flagged, never dropped")
    func outside() async throws {
        try await f.app().test(.router) { client in
            let r = try await submit(client, ServerFixture.goodEvent.replacingOccurrences(of: "\"lon\":114.453", with: "\"lon\":114.30"))
            #expect(r.status == .created)
            #expect(r.json["outside"] == .bool(true))
            #expect(r.json["grids"]?.objectValue?["match"] == .string("outside"))
            let id = Int64(r.json["id"]!.identifierText!)!
            #expect(try f.database.event(id: id)?.event.isOutside == true)
        }
    }

    struct BadBody: Sendable, CustomStringConvertible {
        let body: String
        let status: Int
        let field: String
        var description: String { "\(status) \(field)" }
    }

    static func replacing(_ a: String, _ b: String) -> String { ServerFixture.goodEvent.replacingOccurrences(of: a, with: b) }

    static let badBodies: [BadBody] = [
        BadBody(body: "{\"type\": \"garbage\",\n \"severity\": }", status: 400, field: "body"),
        BadBody(body: "[1,2]", status: 400, field: ""),
        BadBody(body: replacing("\"severity\":2", "\"severity\":\"high\""), status: 422, field: "severity"),
        BadBody(body: replacing("\"severity\":2", "\"severity\":5"), status: 422, field: "severity"),
        BadBody(body: replacing("\"severity\":2,", ""), status: 422, field: "severity"),
        BadBody(body: replacing("\"lon\":114.453", "\"lon\":NaN"), status: 422, field: "lon"),
        BadBody(body: replacing("\"lon\":114.453", "\"lon\":1e999"), status: 422, field: "lon"),
        BadBody(body: replacing("\"lat\":38.062", "\"lat\":138.062"), status: 422, field: "lat"),
        BadBody(body: replacing("\"type\":\"garbage\"", "\"type\":\"ufo\""), status: 422, field: "type"),
        BadBody(body: replacing("\"channel\":\"grid_station\"", "\"channel\":\"fax\""), status: 422, field: "channel"),
        BadBody(body: replacing("垃圾堆放在楼下", String(repeating: "长", count: 2001)), status: 422, field: "description"),
        BadBody(body: replacing("\"reporter_phone\":\"138 0000 1111\"", "\"reporter_phone\":\"call me\""), status: 422, field: "reporter_phone"),
        BadBody(body: replacing("\"type\":", "\"colour\":\"red\",\"type\":"), status: 422, field: "colour"),
        BadBody(body: replacing("\"channel\":\"grid_station\"", "\"channel\":\"web\",\"occurred_at\":\"yesterday\""), status: 422, field: "occurred_at"),
        BadBody(body: replacing("\"channel\":\"grid_station\"", "\"channel\":\"web\",\"occurred_at\":\"2099-01-01T00:00:00Z\""), status: 422, field: "occurred_at"),
        BadBody(body: replacing("\"channel\":\"grid_station\"", "\"channel\":\"web\",\"crs\":\"EPSG:999999\""), status: 422, field: "lon"),
        BadBody(body: "{\"description\": \"" + String(repeating: "x", count: 70_000) + "\"}", status: 413, field: ""),
        // Control characters are refused, never stored cut short (SQLite's C strings end at a NUL).
        BadBody(body: replacing("垃圾堆放在楼下", "A\\u0000B"), status: 422, field: "description"),
        BadBody(body: replacing("垃圾堆放在楼下", "\\u0000"), status: 422, field: "description"),
        BadBody(body: replacing("垃圾堆放在楼下", "bell\\u0007"), status: 422, field: "description"),
        BadBody(body: replacing("垃圾堆放在楼下", "del\\u007f"), status: 422, field: "description"),
        BadBody(body: replacing("垃圾堆放在楼下", "c1\\u0085"), status: 422, field: "description"),
        BadBody(body: replacing("王芳", "王\\u0000芳"), status: 422, field: "reporter_name"),
        BadBody(body: replacing("王芳", "王\\n芳"), status: 422, field: "reporter_name"),
        BadBody(body: replacing("138 0000 1111", "138\\u0000 0000 1111"), status: 422, field: "reporter_phone"),
        BadBody(body: replacing("\"type\":\"garbage\"", "\"type\":\"garbage\\u0000\""), status: 422, field: "type"),
        BadBody(body: replacing("\"channel\":\"grid_station\"", "\"channel\":\"grid_station\",\"crs\":\"EPSG:4326\\u0000\""), status: 422, field: "crs"),
        BadBody(body: replacing("\"channel\":\"grid_station\"", "\"channel\":\"grid\\u0000station\""), status: 422, field: "channel"),
        BadBody(body: replacing("\"channel\":\"grid_station\"", "\"channel\":\"web\",\"occurred_at\":\"2026-11-01T00:00:00Z\\u0000\""), status: 422, field: "occurred_at"),
    ]

    @Test("bad input gets a 4xx naming the field and reason, and stores nothing", arguments: badBodies)
    func badInput(_ bad: BadBody) async throws {
        try await f.app().test(.router) { client in
            let r = try await submit(client, bad.body)
            #expect(Int(r.status.code) == bad.status, "\(r.text.prefix(300))")
            #expect(r.json["error"]?.objectValue?["message"]?.stringValue?.isEmpty == false)
            if !bad.field.isEmpty {
                guard case .array(let details)? = r.json["error"]?.objectValue?["details"] else { Issue.record("no details"); return }
                #expect(details.contains { $0.objectValue?["field"] == .string(bad.field) }, "\(r.text.prefix(400))")
            }
            #expect(try f.database.events(FeatureQuery.allEvents).isEmpty)
        }
    }

    @Test("tabs and line breaks in a description are stored exactly as acknowledged, and read back the same")
    func textKeptExactly() async throws {
        try await f.app().test(.router) { client in
            let text = "第一行\t制表\r\n第二行\n  trailing"
            var body = JSONObject(try JSONValue.parse(ServerFixture.goodEvent).objectValue!.members.map { ($0.key, $0.value) })
            body["description"] = .string(text)
            var w = GeoJSONWriter()
            w.appendObject(body)
            let r = try await submit(client, String(decoding: w.bytes, as: UTF8.self))
            #expect(r.status == .created)
            #expect(r.json["description"] == .string(text))
            let id = r.json["id"]!.identifierText!
            try await client.execute(uri: "/events/\(id)", method: .get, headers: f.headers(.reporter)) { g in
                #expect(g.json["description"] == .string(text))
            }
            #expect(try f.database.event(id: Int64(id)!)?.event.description == text)
        }
    }

    @Test("a report without a name or phone is taken (a hotline caller, a grid officer whose token says who they are)")
    func anonymous() async throws {
        try await f.app().test(.router) { client in
            let body = Self.replacing(#","reporter_name":"王芳","reporter_phone":"138 0000 1111""#, "")
            #expect(!body.contains("reporter"))
            let r = try await submit(client, body)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["reporter"] == .object(JSONObject([("name", .null), ("phone", .null), ("email", .null)])))
            let id = Int64(r.json["id"]!.identifierText!)!
            let stored = try #require(try f.database.event(id: id))
            #expect(stored.event.submittedBy != nil, "the token is always recorded")
            #expect(try f.database.history(eventID: id).first?.actorName == "test reporter")
            // A phone given must still be one.
            let bad = try await submit(client, Self.replacing(#""reporter_name":"王芳","reporter_phone":"138 0000 1111""#, #""reporter_phone":"x""#))
            #expect(bad.status == .unprocessableContent)
        }
    }

    @Test("the wrong content type and a malformed JSON body are refused before anything happens")
    func contentType() async throws {
        try await f.app().test(.router) { client in
            var h = f.headers(.reporter)
            h[.contentType] = "text/xml"
            try await client.execute(uri: "/events", method: .post, headers: h, body: ServerFixture.body(ServerFixture.goodEvent)) { r in
                #expect(r.status == .unsupportedMediaType)
            }
            h[.contentType] = nil
            try await client.execute(uri: "/events", method: .post, headers: h, body: ServerFixture.body(ServerFixture.goodEvent)) { r in
                #expect(r.status == .unsupportedMediaType, "no Content-Type at all")
            }
            h[.contentType] = "Application/JSON; charset=utf-8"
            try await client.execute(uri: "/events", method: .post, headers: h, body: ServerFixture.body(ServerFixture.goodEvent)) { r in
                #expect(r.status == .created, "a charset and any letter case are fine")
            }
            let r = try await submit(client, "{\"type\": \"garbage\",\n \"severity\": }")
            #expect(r.json["error"]?.objectValue?["message"]?.stringValue?.contains("line 2, column 14") == true)
            let twice = try await submit(client, ServerFixture.goodEvent.replacingOccurrences(of: "\"severity\":2", with: "\"severity\":2,\"severity\":4"))
            #expect(twice.status == .badRequest, "a member sent twice is refused, not last-wins")
            #expect(twice.json["error"]?.objectValue?["message"]?.stringValue?.contains("\"severity\" appears twice") == true, "\(twice.text)")
            #expect(try f.database.events(FeatureQuery.allEvents).count == 1)
        }
    }

    @Test("lists page with a stable cursor, newest first, even while new events arrive")
    func paging() async throws {
        try await f.app().test(.router) { client in
            for i in 0..<25 {
                _ = try await submit(client, ServerFixture.goodEvent.replacingOccurrences(of: "垃圾堆放在楼下", with: "event \(i)"))
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/events?limit=10" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.execute(uri: uri, method: .get, headers: f.headers(.dispatcher)) { $0 }
                #expect(page.status == .ok)
                guard case .array(let events)? = page.json["events"] else { Issue.record("no events"); return }
                seen += events.map { $0.objectValue!["id"]!.identifierText! }
                cursor = page.json["next_cursor"]?.stringValue
                pages += 1
                // A new event between pages must not shift what the cursor continues with.
                if pages == 1 { _ = try await submit(client, ServerFixture.goodEvent) }
            } while cursor != nil
            #expect(pages == 3)
            #expect(seen.count == 25 && Set(seen).count == 25)
            #expect(seen.map { Int($0)! } == seen.map { Int($0)! }.sorted(by: >))
            try await client.execute(uri: "/events?cursor=bogus", method: .get, headers: f.headers(.dispatcher)) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/events?limit=0", method: .get, headers: f.headers(.dispatcher)) { r in #expect(r.status == .badRequest) }
        }
    }

    @Test("filters: type, grid, bbox, time; reporters list only their own")
    func filters() async throws {
        try await f.app().test(.router) { client in
            _ = try await submit(client, ServerFixture.goodEvent)
            _ = try await submit(client, ServerFixture.goodEvent.replacingOccurrences(of: "\"type\":\"garbage\"", with: "\"type\":\"noise\"")
                .replacingOccurrences(of: "\"channel\":\"grid_station\"", with: "\"channel\":\"hotline\",\"occurred_at\":\"2026-01-05T10:00:00+08:00\""))
            _ = try await submit(client, ServerFixture.goodEvent.replacingOccurrences(of: "\"lon\":114.453", with: "\"lon\":114.30"), token: f.otherReporter)
            func count(_ query: String, _ role: Role = .dispatcher) async throws -> Int {
                try await client.execute(uri: "/events?\(query)", method: .get, headers: f.headers(role)) { r in
                    #expect(r.status == .ok, "\(query): \(r.text)")
                    return Int(r.json["count"]?.doubleValue ?? -1)
                }
            }
            #expect(try await count("") == 3)
            #expect(try await count("type=noise") == 1)
            // Grid and bbox filters are exact before the indexer has run, after it has indexed part, and after all.
            for step in 0..<3 {
                #expect(try await count("grid=1301050050040102") == 2, "step \(step)")
                #expect(try await count("grid=GN01") == 2, "step \(step)")
                #expect(try await count("grid=130105005") == 2, "step \(step)")
                #expect(try await count("bbox=114.45,38.06,114.46,38.07") == 2, "step \(step)")
                #expect(try await count("grid=130105005&bbox=114.2,38.0,114.35,38.1") == 0, "step \(step)")
                try f.database.indexPendingEvents(limit: step == 0 ? 1 : 10)
            }
            #expect(try await count("until=2026-02-01") == 1)
            #expect(try await count("since=2026-02-01T00:00:00Z") == 2)
            #expect(try await count("status=reported") == 3)
            #expect(try await count("", .reporter) == 2)
            #expect(try await count("", .department) == 0)
            for bad in ["status=lost", "bbox=1,2,3", "since=tomorrow", "colour=red"] {
                try await client.execute(uri: "/events?\(bad)", method: .get, headers: f.headers(.dispatcher)) { r in #expect(r.status == .badRequest, "\(bad)") }
            }
        }
    }
}
