import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeUseCases
@testable import WanggeServer
import WanggeStore
import WanggeTestSupport

@Suite("Duplicates: possible ones listed at intake, and merged by the dispatcher")
struct DuplicateTests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    /// A point `metres` north of 114.453 E 38.062 N.
    static func north(_ metres: Double) -> Double { 38.062 + metres / 111_000 }

    func report(_ client: some TestClientProtocol, type: String = "garbage", lat: Double = 38.062, role: Role = .reporter) async throws -> TestResponse {
        let body = #"{"type":"\#(type)","severity":2,"lon":114.453,"lat":\#(lat),"description":"堆放","channel":"web"}"#
        return try await client.execute(uri: "/events", method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
    }

    func act(_ client: some TestClientProtocol, _ id: String, _ role: Role, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/events/\(id)/actions", method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
    }

    static func duplicateIDs(_ r: TestResponse) -> [String] {
        guard case .array(let list)? = r.json["possible_duplicates"] else { return [] }
        return list.compactMap { $0.objectValue?["id"]?.identifierText }
    }

    @Test("a new report lists the open events of its type within 50 m reported in the last 7 days, nearest first — and no others")
    func listed() async throws {
        try await f.app().test(.router) { client in
            let a = try await report(client)
            #expect(a.status == .created && Self.duplicateIDs(a).isEmpty, "the first report has none")
            let aID = a.json["id"]!.identifierText!
            let far = try await report(client, lat: Self.north(80))
            let other = try await report(client, type: "noise")
            // The spatial index is filled behind intake; what was just stored is found all the same.
            let near = try await report(client, lat: Self.north(20))
            #expect(Self.duplicateIDs(near) == [aID], "\(near.text)")
            guard case .array(let list)? = near.json["possible_duplicates"], let d = list.first?.objectValue else { Issue.record("none"); return }
            #expect(abs((d["distance_m"]?.doubleValue ?? 0) - 20) < 0.5 && d["status"] == .string("reported"))
            #expect(!Self.duplicateIDs(near).contains(far.json["id"]!.identifierText!) && !Self.duplicateIDs(near).contains(other.json["id"]!.identifierText!))
            // Nearest first: a report 8 m from the first and 12 m from the second lists both, in that order.
            let between = try await report(client, lat: Self.north(8))
            #expect(Self.duplicateIDs(between) == [aID, near.json["id"]!.identifierText!])
            // A rejected event is no longer a candidate; the check answers before a report is made too.
            _ = try await act(client, aID, .dispatcher, #"{"action":"reject","reason":"duplicate of a phone call"}"#)
            let check = try await client.execute(uri: "/duplicates?type=garbage&lon=114.453&lat=\(Self.north(5))", method: .get, headers: f.headers(.reporter)) { $0 }
            #expect(check.status == .ok && check.json["radius_m"] == .number(JSONNumber(50)) && check.json["days"] == .number(JSONNumber(7)))
            #expect(!Self.duplicateIDs(check).contains(aID) && Self.duplicateIDs(check).first == between.json["id"]!.identifierText!)
        }
        // Old reports: one eight days old at the spot is not a candidate, one six days old is.
        let now = Date().timeIntervalSince1970
        for (days, id) in [(8.0, "old"), (6.0, "recent")] {
            let a = PointAssignment(lon: 114.453, lat: 38.0621, residential: ResidentialAnswer(match: .inside, street: "130105005"),
                                    functional: OverlayAnswer(match: .outside), industry: OverlayAnswer(match: .outside))
            let e = NewEvent(type: "street_vending", severity: 1, lon: 114.453, lat: 38.0621, inputCRS: "EPSG:4326", inputX: 114.453,
                             inputY: 38.0621, description: id, reporterName: "", reporterPhone: "", channel: .web,
                             occurredAt: now - days * 86400, reportedAt: now - days * 86400, assignment: a, submittedBy: nil)
            _ = try f.database.insert([EventInsert(event: e, actor: nil, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") }])
        }
        let found = try DuplicateCheck(repository: f.database).candidates(type: "street_vending", lon: 114.453, lat: 38.062)
        #expect(found.count == 1)
        #expect(try f.database.event(id: found[0].id)?.event.description == "recent")
    }

    @Test("at a busy spot only the ten nearest are listed, nearest first, and the intake's bytes are the same JSON as GET /duplicates'")
    func tenNearest() async throws {
        let now = Date().timeIntervalSince1970
        // Fifteen open reports 1 to 15 m north, stored in a shuffled order.
        for metres in [7, 3, 15, 1, 12, 9, 4, 14, 2, 11, 6, 13, 8, 5, 10] {
            let lat = Self.north(Double(metres))
            let a = PointAssignment(lon: 114.453, lat: lat, residential: ResidentialAnswer(match: .inside, street: "130105005"),
                                    functional: OverlayAnswer(match: .outside), industry: OverlayAnswer(match: .outside))
            let e = NewEvent(type: "garbage", severity: 1, lon: 114.453, lat: lat, inputCRS: "EPSG:4326", inputX: 114.453,
                             inputY: lat, description: "\(metres) m", reporterName: "", reporterPhone: "", channel: .web,
                             occurredAt: now - 60, reportedAt: now - 60, assignment: a, submittedBy: nil)
            _ = try f.database.insert([EventInsert(event: e, actor: nil, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") }])
        }
        let found = try DuplicateCheck(repository: f.database).candidates(type: "garbage", lon: 114.453, lat: 38.062)
        let named = try found.map { try f.database.event(id: $0.id)?.event.description ?? "?" }
        #expect(named == (1...10).map { "\($0) m" })
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.distanceMetres < $1.distanceMetres })
        let spliced = try JSONValue.parse(EventJSON.duplicatesBytes(found))
        #expect(spliced == EventJSON.duplicates(found))
    }

    @Test("merging closes the duplicate, links both events in both histories, counts the pair once, and Open311 shows the parent")
    func merge() async throws {
        try await f.app().test(.router) { client in
            let a = try await report(client).json["id"]!.identifierText!
            let b = try await report(client, lat: Self.north(15)).json["id"]!.identifierText!
            let today = CalendarDay.day(Date().timeIntervalSince1970)  // the report's day is Beijing's, not UTC's
            func received() async throws -> Int {
                let r = try await client.execute(uri: "/reports/grids?level=street&period=day&date=\(today)", method: .get, headers: f.headers(.viewer)) { $0 }
                guard case .array(let rows)? = r.json["grids"] else { return -1 }
                return rows.compactMap { $0.objectValue?["received"]?.doubleValue }.reduce(0) { $0 + Int($1) }
            }
            #expect(try await received() == 2)

            // Who and what may not merge.
            #expect(try await act(client, b, .reporter, #"{"action":"merge","into":\#(a)}"#).status == .forbidden)
            #expect(try await act(client, b, .dispatcher, #"{"action":"merge"}"#).status == .unprocessableContent)
            #expect(try await act(client, b, .dispatcher, #"{"action":"merge","into":\#(b)}"#).status == .unprocessableContent)
            #expect(try await act(client, b, .dispatcher, #"{"action":"merge","into":999999}"#).status == .unprocessableContent)

            let merged = try await act(client, b, .dispatcher, #"{"action":"merge","into":\#(a),"reason":"the same heap"}"#)
            #expect(merged.status == .ok, "\(merged.text)")
            #expect(merged.json["status"] == .string("closed") && merged.json["workflow"]?.objectValue?["duplicate_of"] == .number(JSONNumber(Int(a)!)))
            #expect(merged.json["allowed_actions"] == .array([]), "a merged duplicate is not evaluated")
            let parent = try await client.execute(uri: "/events/\(a)", method: .get, headers: f.headers(.dispatcher)) { $0 }
            #expect(parent.json["workflow"]?.objectValue?["duplicates"] == .array([.number(JSONNumber(Int(b)!))]))
            #expect(parent.json["status"] == .string("reported") && parent.json["version"] == .number(JSONNumber(2)))
            #expect(try f.database.history(eventID: Int64(b)!).last?.note == "duplicate of #\(a): the same heap")
            #expect(try f.database.history(eventID: Int64(a)!).last?.note == "#\(b) merged into this event")
            // A duplicate of a duplicate goes to the first one.
            let c = try await report(client, lat: Self.north(5)).json["id"]!.identifierText!
            let chained = try await act(client, c, .dispatcher, #"{"action":"merge","into":\#(b)}"#)
            #expect(chained.status == .unprocessableContent && chained.text.contains("merge into #\(a)"))
            #expect(try await act(client, b, .dispatcher, #"{"action":"evaluate","satisfaction":"satisfied"}"#).status == .conflict)

            // Reports count the pair once (the third report, c, is still open and counted).
            #expect(try await received() == 2)
            // Open311: the duplicate is closed, its notes and extensions name the parent.
            let shown = try await client.execute(uri: "/open311/v2/requests/\(b).json?extensions=true", method: .get) { $0 }
            guard case .array(let items)? = try? JSONValue.parse(shown.text), let item = items.first?.objectValue else { Issue.record("\(shown.text)"); return }
            #expect(item["status"] == .string("closed") && item["status_notes"] == .string("duplicate of #\(a)"))
            #expect(item["extended_attributes"]?.objectValue?["duplicate_of"] == .string(a))
            let parent311 = try await client.execute(uri: "/open311/v2/requests/\(a).json?extensions=true", method: .get) { $0 }
            #expect(parent311.text.contains(#""duplicates":["\#(b)"]"#))
            // An Open311 post beside them says so in its service notice.
            let body = "api_key=\(f.tokens[.reporter]!)&service_code=garbage&lat=\(Self.north(3))&long=114.453&description=heap"
            let posted = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: body)) { $0 }
            #expect(posted.text.contains("Possibly the same as #\(c) (2 m), #\(a) (3 m)"), "nearest first, the merged one left out: \(posted.text)")
        }
    }
}
