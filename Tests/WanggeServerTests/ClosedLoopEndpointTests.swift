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

@Suite("The closed loop over HTTP")
struct ClosedLoopEndpointTests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, _ role: Role) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
    }

    func act(_ client: some TestClientProtocol, _ id: String, _ role: Role, _ fields: String) async throws -> TestResponse {
        try await post(client, "/events/\(id)/actions", fields, role)
    }

    func newEvent(_ client: some TestClientProtocol, type: String = "garbage", severity: Int = 2) async throws -> String {
        let body = ServerFixture.goodEvent.replacingOccurrences(of: "\"type\":\"garbage\"", with: "\"type\":\"\(type)\"")
            .replacingOccurrences(of: "\"severity\":2", with: "\"severity\":\(severity)")
        let r = try await post(client, "/events", body, .reporter)
        #expect(r.status == .created)
        return r.json["id"]!.identifierText!
    }

    @Test("a dispatcher and a department take an event from report to rating; every step is in the history")
    func wholeLoop() async throws {
        try await f.app().test(.router) { client in
            let id = try await newEvent(client)
            var r = try await act(client, id, .dispatcher, #"{"action":"accept","version":1}"#)
            #expect(r.status == .ok && r.json["status"] == .string("accepted"))
            #expect(r.json["allowed_actions"] == .array([.string("dispatch"), .string("supervise"), .string("merge")]))
            // Without a department the routing rules pick one: garbage is sanitation's by default, but this point lies
            // in an industry grid, where GeoData/routing.json sends commercial waste to urban management.
            r = try await act(client, id, .dispatcher, #"{"action":"dispatch"}"#)
            #expect(r.json["department"] == .string("urban_management"))
            #expect(r.json["workflow"]?.objectValue?["deadline"]?.objectValue?["phase"] == .string("resolve"))
            r = try await act(client, id, .department, #"{"action":"acknowledge"}"#)
            #expect(r.json["status"] == .string("in_progress"))
            r = try await act(client, id, .department, #"{"action":"resolve","feedback":"清理完毕","photo_url":"https://example.org/after.jpg"}"#)
            #expect(r.json["status"] == .string("resolved"))
            r = try await act(client, id, .dispatcher, #"{"action":"close"}"#)
            #expect(r.json["status"] == .string("closed"))
            // The reporter records the resident's satisfaction after a call-back.
            r = try await act(client, id, .reporter, #"{"action":"evaluate","satisfaction":"satisfied"}"#)
            #expect(r.status == .ok && r.json["status"] == .string("evaluated"))
            let wf = r.json["workflow"]!.objectValue!
            #expect(wf["rating"] == .string("good") && wf["rating_inputs"]?.objectValue?["score"] == .number(JSONNumber(100)))
            r = try await act(client, id, .dispatcher, #"{"action":"override_rating","rating":"average","reason":"the resident called twice before it was handled"}"#)
            #expect(r.json["workflow"]?.objectValue?["rating"] == .string("average"))
            #expect(r.json["workflow"]?.objectValue?["computed_rating"] == .string("good"))
            try await client.execute(uri: "/events/\(id)/history", method: .get, headers: f.headers(.dispatcher)) { h in
                guard case .array(let entries)? = h.json["history"] else { Issue.record("no history"); return }
                #expect(entries.map { $0.objectValue!["action"]!.stringValue! } == ["report", "accept", "dispatch", "acknowledge", "resolve", "close", "evaluate", "override_rating"])
                #expect(entries[2].objectValue!["to"] == .string("dispatched") && entries[2].objectValue!["from"] == .string("accepted"))
                #expect(entries[4].objectValue!["note"] == .string("清理完毕"))
            }
        }
    }

    @Test("an action not possible now is 409, one the caller may never take is 403, both with the actions allowed now; viewers and GIS staff may not act")
    func forbidden() async throws {
        try await f.app().test(.router) { client in
            let id = try await newEvent(client)
            var r = try await act(client, id, .dispatcher, #"{"action":"close"}"#)
            #expect(r.status == .conflict && r.errorCode == "action_not_allowed")
            guard case .array(let details)? = r.json["error"]?.objectValue?["details"] else { Issue.record("no details"); return }
            #expect(details.filter { $0.objectValue?["field"] == .string("allowed") }.map { $0.objectValue!["reason"]! } == [.string("accept"), .string("reject"), .string("supervise"), .string("merge")])
            r = try await act(client, id, .department, #"{"action":"acknowledge"}"#)
            #expect(r.status == .notFound, "a department does not even see events not dispatched to it")
            r = try await act(client, id, .reporter, #"{"action":"accept"}"#)
            #expect(r.status == .forbidden && r.errorCode == "forbidden", "a reporter may never accept")
            guard case .array(let reporterDetails)? = r.json["error"]?.objectValue?["details"] else { Issue.record("no details"); return }
            #expect(reporterDetails.contains { $0.objectValue?["field"] == .string("action") })
            for role in [Role.viewer, .gis] {
                r = try await act(client, id, role, #"{"action":"accept"}"#)
                #expect(r.status == .forbidden)
            }
            r = try await act(client, id, .dispatcher, #"{"action":"fly"}"#)
            #expect(r.status == .unprocessableContent)
            r = try await act(client, id, .dispatcher, #"{"action":"reject"}"#)
            #expect(r.status == .unprocessableContent, "a rejection needs a reason")
            for field in ["reason", "note", "department"] {
                var body = JSONObject([("action", .string("reject")), ("reason", .string("duplicate"))])
                body[field] = .string("a\u{0}b")
                var w = GeoJSONWriter()
                w.appendObject(body)
                r = try await act(client, id, .dispatcher, String(decoding: w.bytes, as: UTF8.self))
                #expect(r.status == .unprocessableContent && r.text.contains("U+0000"), "\(field): \(r.text.prefix(200))")
            }
            r = try await act(client, "999999", .dispatcher, #"{"action":"accept"}"#)
            #expect(r.status == .notFound)
        }
    }

    @Test("a department sees and acts on its own events only, and lists only them")
    func departmentScope() async throws {
        try await f.app().test(.router) { client in
            let mine = try await newEvent(client)
            let other = try await newEvent(client, type: "road_damage")
            for id in [mine, other] {
                _ = try await act(client, id, .dispatcher, #"{"action":"accept"}"#)
                _ = try await act(client, id, .dispatcher, #"{"action":"dispatch"}"#)
            }
            try await client.execute(uri: "/events", method: .get, headers: f.headers(.department)) { r in
                #expect(r.json["count"] == .number(JSONNumber(1)))
            }
            try await client.execute(uri: "/events/\(other)", method: .get, headers: f.headers(.department)) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/events/\(other)/history", method: .get, headers: f.headers(.department)) { r in #expect(r.status == .notFound) }
            let r = try await act(client, other, .department, #"{"action":"acknowledge"}"#)
            #expect(r.status == .notFound)
            #expect(try await act(client, mine, .department, #"{"action":"acknowledge"}"#).status == .ok)
        }
    }

    @Test("returns and reworks are counted and shown; the department's suspension pauses the clock")
    func countsAndSuspension() async throws {
        try await f.app().test(.router) { client in
            // Noise is filed under an extension class without a limit of its own: the calendar hours by severity.
            let id = try await newEvent(client, type: "noise")
            _ = try await act(client, id, .dispatcher, #"{"action":"accept"}"#)
            _ = try await act(client, id, .dispatcher, #"{"action":"dispatch","department":"urban_management"}"#)
            var r = try await act(client, id, .department, #"{"action":"return","reason":"not ours"}"#)
            #expect(r.json["status"] == .string("accepted") && r.json["workflow"]?.objectValue?["returns"] == .number(JSONNumber(1)))
            _ = try await act(client, id, .dispatcher, #"{"action":"dispatch","department":"urban_management"}"#)
            _ = try await act(client, id, .department, #"{"action":"acknowledge"}"#)
            r = try await act(client, id, .department, #"{"action":"request_suspension","reason":"the owner is away"}"#)
            #expect(r.json["workflow"]?.objectValue?["pending_request"]?.objectValue?["kind"] == .string("suspension"))
            r = try await act(client, id, .dispatcher, #"{"action":"approve_request"}"#)
            #expect(r.json["workflow"]?.objectValue?["suspended"] == .bool(true))
            let dueBefore = r.json["workflow"]?.objectValue?["deadline"]?.objectValue?["due_at"]
            f.advance(hours: 10)
            try await client.execute(uri: "/events/\(id)", method: .get, headers: f.headers(.dispatcher)) { g in
                // While suspended, the deadline moves with the clock.
                #expect(g.json["workflow"]?.objectValue?["deadline"]?.objectValue?["due_at"] != dueBefore)
            }
            _ = try await act(client, id, .department, #"{"action":"resume"}"#)
            _ = try await act(client, id, .department, #"{"action":"resolve","feedback":"done"}"#)
            r = try await act(client, id, .dispatcher, #"{"action":"rework","reason":"still dirty"}"#)
            #expect(r.json["status"] == .string("dispatched") && r.json["workflow"]?.objectValue?["reworks"] == .number(JSONNumber(1)))
            #expect(Double(r.json["workflow"]?.objectValue?["paused_hours"]?.doubleValue ?? 0) >= 9.99)
        }
    }

    @Test("two conflicting actions at once: exactly one wins, the other gets 409")
    func concurrentActions() async throws {
        try await f.app().test(.router) { client in
            let id = try await newEvent(client)
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String).self) { group in
                group.addTask { let r = try await act(client, id, .dispatcher, #"{"action":"accept","version":1}"#); return (r.status, "accept") }
                group.addTask { let r = try await act(client, id, .dispatcher, #"{"action":"reject","reason":"duplicate","version":1}"#); return (r.status, "reject") }
                var all: [(HTTPResponse.Status, String)] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0.0 == .ok }.count == 1)
            #expect(statuses.filter { $0.0 == .conflict }.count == 1)
            let winner = statuses.first { $0.0 == .ok }!.1
            let stored = try f.database.event(id: Int64(id)!)!
            #expect(stored.status == (winner == "accept" ? .accepted : .rejected) && stored.version == 2)
            #expect(try f.database.history(eventID: Int64(id)!).count == 2)
            // A stale version is refused even when the action itself would be allowed.
            let r = try await act(client, id, .dispatcher, #"{"action":"supervise","note":"watch this","version":1}"#)
            #expect(r.status == .conflict && r.errorCode == "version_conflict")
        }
    }

    @Test("warnings appear at 80 % and 100 % of the time, per department and grid, with an injected clock")
    func warnings() async throws {
        try await f.app().test(.router) { client in
            // Severity 2 noise: 8 h to accept, 72 h to resolve (GeoData/sla.json; its class has no limit of its own,
            // so calendar hours apply).
            let a = try await newEvent(client, type: "noise")
            let b = try await newEvent(client, type: "noise")
            _ = try await act(client, b, .dispatcher, #"{"action":"accept"}"#)
            _ = try await act(client, b, .dispatcher, #"{"action":"dispatch"}"#)
            func warnings(_ role: Role = .dispatcher, _ query: String = "") async throws -> JSONObject {
                try await client.execute(uri: "/warnings\(query)", method: .get, headers: f.headers(role)) { r in
                    #expect(r.status == .ok, "\(r.text)")
                    return r.json
                }
            }
            #expect(try await warnings()["yellow"] == .number(JSONNumber(0)))
            f.advance(hours: 6.5)   // a: 81 % of its 8 h to accept
            var w = try await warnings()
            #expect(w["yellow"] == .number(JSONNumber(1)) && w["red"] == .number(JSONNumber(0)))
            f.advance(hours: 1.6)   // a: overdue
            w = try await warnings()
            #expect(w["red"] == .number(JSONNumber(1)))
            #expect(w["by_department"]?.objectValue?["(not dispatched)"]?.objectValue?["red"] == .number(JSONNumber(1)))
            f.advance(hours: 50)    // b: 58 h of 72 = 80.5 %
            w = try await warnings()
            #expect(w["yellow"] == .number(JSONNumber(1)) && w["red"] == .number(JSONNumber(1)))
            #expect(w["by_department"]?.objectValue?["urban_management"]?.objectValue?["yellow"] == .number(JSONNumber(1)))
            #expect(w["by_grid"]?.objectValue?["13010500500401"]?.objectValue?["red"] == .number(JSONNumber(1)))
            // The department sees its own only; level filters.
            #expect(try await warnings(.department)["yellow"] == .number(JSONNumber(1)))
            #expect(try await warnings(.department)["red"] == .number(JSONNumber(0)))
            #expect(try await warnings(.dispatcher, "?level=red")["yellow"] == .number(JSONNumber(0)))
            _ = a
        }
    }
}
