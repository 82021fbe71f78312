import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WanggeCore
@testable import WanggeServer
import WanggeTestSupport

/// `GET /categories`, `GET /calendar` and deadlines in working time over HTTP, on the sample's catalogue.
@Suite("The standard's classes and the working calendar over HTTP")
struct StandardsEndpointTests {
    /// Friday 27 November 2026, 16:00 in Shijiazhuang.
    static let friday = Timestamp.parse("2026-11-27T16:00:00+08:00")!

    func get(_ f: ServerFixture, _ client: some TestClientProtocol, _ uri: String, _ role: Role? = nil) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: role.map { f.headers($0) } ?? [:]) { $0 }
    }

    @Test("the class tree lists 事件 and 部件 with limits, stages, sources and the types filed under each; kind filters")
    func categories() async throws {
        let f = try ServerFixture()
        try await f.app().test(.router) { client in
            let r = try await get(f, client, "/categories")
            #expect(r.status == .ok, "\(r.text)")
            let kinds = r.json["kinds"]?.arrayValue ?? []
            #expect(kinds.compactMap { $0.objectValue?["kind"]?.stringValue } == ["event", "component"])
            let minors = kinds.flatMap { ($0.objectValue?["majors"]?.arrayValue ?? []).flatMap { $0.objectValue?["minors"]?.arrayValue ?? [] } }
                .compactMap(\.objectValue)
            let byID = Dictionary(uniqueKeysWithValues: minors.map { ($0["id"]!.stringValue!, $0) })
            let construction = try #require(byID["event:0101"])
            #expect(construction["name"] == .string("私搭乱建") && construction["event_types"] == .array([.string("illegal_construction")]))
            #expect(construction["stages"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } == ["停工", "处罚", "拆除"])
            #expect(construction["limit"]?.objectValue?["unit"] == .string("working_days") && construction["source"] == .string("district-handbook"))
            #expect(byID["event:0110"]?["limit"] == .object(JSONObject([("amount", .number(JSONNumber(4))), ("unit", .string("working_hours"))])))
            // Each standard class says its code in GB/T 47678.5—2026; 突发事件 and the sub-district's own have none.
            #expect(byID["event:0110"]?["national_code"] == .string("06010") && byID["component:0137"]?["national_code"] == .string("01037"))
            #expect(byID["event:0504"]?["national_code"] == .null && byID["event:0692"]?["national_code"] == .null)
            // An urgent class in calendar hours; an extension 小类 in the reserved range.
            #expect(byID["event:0504"]?["limit"]?.objectValue?["unit"] == .string("hours"))
            #expect(byID["event:0692"]?["extension"] == .bool(true) && byID["event:0692"]?["event_types"] == .array([.string("dispute")]))
            // Every sample type is filed under exactly one class.
            let filed = minors.flatMap { $0["event_types"]?.arrayValue ?? [] }.compactMap(\.stringValue)
            #expect(filed.count == 21 && Set(filed).count == 21)
            #expect(r.json["extension_range"] == .array([.number(JSONNumber(91)), .number(JSONNumber(99))]))
            let components = try await get(f, client, "/categories?kind=component")
            #expect(components.json["kinds"]?.arrayValue?.count == 1)
            let bad = try await get(f, client, "/categories?kind=things")
            #expect(bad.status == .badRequest && bad.text.contains("kind"))
        }
    }

    @Test("a year's calendar: 248 working days in 2026, the make-up Sunday, a holiday's name; an unpublished year says so")
    func calendar() async throws {
        let f = try ServerFixture()
        try await f.app().test(.router) { client in
            let r = try await get(f, client, "/calendar?year=2026")
            #expect(r.status == .ok, "\(r.text)")
            // 261 weekdays, 19 of them holidays, 6 weekend days made working days (counted from the notice by hand).
            #expect(r.json["working_days"] == .number(JSONNumber(248)) && r.json["published"] == .bool(true))
            #expect(r.json["working_day_hours"] == .number(JSONNumber(7.5)))
            let days = (r.json["days"]?.arrayValue ?? []).compactMap(\.objectValue)
            #expect(days.count == 365)
            let byDate = Dictionary(uniqueKeysWithValues: days.map { ($0["date"]!.stringValue!, $0) })
            #expect(byDate["2026-09-20"]?["kind"] == .string("makeup_workday"))
            #expect(byDate["2026-10-05"]?["kind"] == .string("holiday") && byDate["2026-10-05"]?["holiday"] == .string("国庆节"))
            #expect(byDate["2026-11-28"]?["kind"] == .string("weekend") && byDate["2026-11-27"]?["kind"] == .string("workday"))
            #expect(r.json["source"]?.stringValue?.contains("国务院办公厅关于2026年部分节假日安排的通知") == true)
            let later = try await get(f, client, "/calendar?year=2031")
            #expect(later.json["published"] == .bool(false) && later.json["holidays"] == .array([]))
            #expect(try await get(f, client, "/calendar?year=20x6").status == .badRequest)
        }
    }

    @Test("an event's deadline is in working time: exposed garbage dispatched at 16:00 on a Friday is due at 11:00 on Monday; staged work shows each stage")
    func deadlines() async throws {
        let f = try ServerFixture(frozenAt: Self.friday)
        try await f.app().test(.router) { client in
            func post(_ uri: String, _ body: String, _ role: Role) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
            }
            let created = try await post("/events", ServerFixture.goodEvent, .reporter)
            let id = created.json["id"]!.identifierText!
            _ = try await post("/events/\(id)/actions", #"{"action":"accept"}"#, .dispatcher)
            let r = try await post("/events/\(id)/actions", #"{"action":"dispatch"}"#, .dispatcher)
            let deadline = r.json["workflow"]?.objectValue?["deadline"]?.objectValue
            #expect(deadline?["due_at"] == .string("2026-11-30T11:00:00+08:00"), "\(r.text)")
            #expect(deadline?["limit"] == .object(JSONObject([("amount", .number(JSONNumber(4))), ("unit", .string("working_hours"))])))

            let body = ServerFixture.goodEvent.replacingOccurrences(of: "\"type\":\"garbage\"", with: "\"type\":\"illegal_construction\"")
            let c = try await post("/events", body, .reporter).json["id"]!.identifierText!
            _ = try await post("/events/\(c)/actions", #"{"action":"accept"}"#, .dispatcher)
            let s = try await post("/events/\(c)/actions", #"{"action":"dispatch"}"#, .dispatcher)
            let stages = (s.json["workflow"]?.objectValue?["deadline"]?.objectValue?["stages"]?.arrayValue ?? []).compactMap(\.objectValue)
            // 停工: 1.5 working hours on Friday, 2.5 on Monday; 处罚 7 and 拆除 20 working days, at 16:00.
            #expect(stages.map { $0["due_at"]?.stringValue ?? "" } == ["2026-11-30T11:00:00+08:00", "2026-12-08T16:00:00+08:00", "2026-12-25T16:00:00+08:00"],
                    "\(s.text)")
            // The department records 停工 as done; the last stage is done with resolve, an unknown one is refused.
            _ = try await post("/events/\(c)/actions", #"{"action":"acknowledge"}"#, .department)
            let done = try await post("/events/\(c)/actions", #"{"action":"complete_stage","stage":"停工"}"#, .department)
            #expect(done.status == .ok, "\(done.text)")
            let first = done.json["workflow"]?.objectValue?["deadline"]?.objectValue?["stages"]?.arrayValue?.first?.objectValue
            #expect(first?["done_at"] == .string("2026-11-27T16:00:00+08:00") && first?["on_time"] == .bool(true))
            #expect(try await post("/events/\(c)/actions", #"{"action":"complete_stage","stage":"停工"}"#, .department).status == .unprocessableContent)
            #expect(try await post("/events/\(c)/actions", #"{"action":"complete_stage","stage":"拆除"}"#, .department).status == .unprocessableContent)
            #expect(try await post("/events/\(c)/actions", #"{"action":"complete_stage","stage":"罚款"}"#, .department).status == .unprocessableContent)
            let notStaged = try await post("/events/\(id)/actions", #"{"action":"acknowledge"}"#, .department)
            #expect(notStaged.status == .ok)
            let refused = try await post("/events/\(id)/actions", #"{"action":"complete_stage","stage":"停工"}"#, .department)
            #expect(refused.status == .unprocessableContent && refused.text.contains("no stages"))
        }
    }

    @Test("a parked case (挂账) is listed with its age and review date, leaves the warnings, counts as parked in the reports, and comes back")
    func parking() async throws {
        let f = try ServerFixture(frozenAt: Self.friday)
        try await f.app().test(.router) { client in
            func post(_ uri: String, _ body: String, _ role: Role) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
            }
            let body = ServerFixture.goodEvent.replacingOccurrences(of: "\"type\":\"garbage\"", with: "\"type\":\"noise\"")
            let id = try await post("/events", body, .reporter).json["id"]!.identifierText!
            _ = try await post("/events/\(id)/actions", #"{"action":"accept"}"#, .dispatcher)
            _ = try await post("/events/\(id)/actions", #"{"action":"dispatch","department":"urban_management"}"#, .dispatcher)
            _ = try await post("/events/\(id)/actions", #"{"action":"acknowledge"}"#, .department)
            let refused = try await post("/events/\(id)/actions", #"{"action":"park","reason":"the owner is abroad"}"#, .dispatcher)
            #expect(refused.status == .unprocessableContent && refused.text.contains("review_at"))
            let badDate = try await post("/events/\(id)/actions", #"{"action":"park","reason":"x","review_at":"next spring"}"#, .dispatcher)
            #expect(badDate.status == .unprocessableContent && badDate.text.contains("review_at"))
            let parked = try await post("/events/\(id)/actions", #"{"action":"park","reason":"the owner is abroad","review_at":"2026-12-10"}"#, .dispatcher)
            #expect(parked.status == .ok, "\(parked.text)")
            #expect(parked.json["workflow"]?.objectValue?["parked"]?.objectValue?["reason"] == .string("the owner is abroad"))
            #expect(parked.json["allowed_actions"]?.arrayValue?.contains(.string("unpark")) == true)
            // The department cannot resolve it meanwhile.
            let blocked = try await post("/events/\(id)/actions", #"{"action":"resolve","feedback":"done"}"#, .department)
            #expect(blocked.status == .conflict && blocked.text.contains("parked"))
            f.advance(hours: 24 * 14)   // two weeks later: past its 72 h and past the review date
            let list = try await client.execute(uri: "/parked", method: .get, headers: f.headers(.dispatcher)) { $0 }
            #expect(list.json["count"] == .number(JSONNumber(1)) && list.json["review_due"] == .number(JSONNumber(1)))
            let item = list.json["parked"]?.arrayValue?.first?.objectValue
            #expect(item?["age_days"] == .number(JSONNumber(14)) && item?["id"]?.identifierText == id)
            #expect(try await client.execute(uri: "/parked", method: .get, headers: f.headers(.department)) { $0 }.json["count"] == .number(JSONNumber(1)))
            let warnings = try await client.execute(uri: "/warnings", method: .get, headers: f.headers(.dispatcher)) { $0 }
            #expect(warnings.json["red"] == .number(JSONNumber(0)))
            let report = try await client.execute(uri: "/reports/grids?level=courtyard&period=month&date=2026-11-27", method: .get,
                                                  headers: f.headers(.dispatcher)) { $0 }
            #expect(report.status == .ok, "\(report.text)")
            let total = report.json["total"]?.objectValue
            #expect(total?["parked"] == .number(JSONNumber(1)) && total?["due_to_close"] == .number(JSONNumber(0)) && total?["overdue"] == .number(JSONNumber(0)))
            #expect(report.json["definitions"]?.objectValue?["due_to_close"]?.stringValue?.hasPrefix("应结案") == true)
            let back = try await post("/events/\(id)/actions", #"{"action":"unpark"}"#, .dispatcher)
            #expect(back.status == .ok && back.json["workflow"]?.objectValue?["parked"] == .null)
            // The fourteen days parked moved the deadline: 72 h from the dispatch plus fourteen days.
            #expect(back.json["workflow"]?.objectValue?["deadline"]?.objectValue?["due_at"] == .string("2026-12-14T16:00:00+08:00"), "\(back.text)")
        }
    }

    @Test("supervisors over HTTP: a web report waits for 核实, a grid station's does not; 核查 before closing; the roles report counts them")
    func supervisors() async throws {
        let f = try ServerFixture(frozenAt: Self.friday - 5 * 3600, supervision: true)   // Friday 11:00
        try await f.app().test(.router) { client in
            func post(_ uri: String, _ body: String, _ role: Role) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
            }
            let web = ServerFixture.goodEvent.replacingOccurrences(of: "grid_station", with: "web")
            let id = try await post("/events", web, .reporter).json["id"]!.identifierText!
            let early = try await post("/events/\(id)/actions", #"{"action":"accept"}"#, .dispatcher)
            #expect(early.status == .conflict && early.text.contains("核实"))
            let verified = try await post("/events/\(id)/actions", #"{"action":"verify","result":"confirmed"}"#, .supervisor)
            #expect(verified.status == .ok && verified.json["workflow"]?.objectValue?["verification"]?.objectValue?["result"] == .string("confirmed"),
                    "\(verified.text)")
            #expect(try await post("/events/\(id)/actions", #"{"action":"accept"}"#, .dispatcher).status == .ok)
            // A supervisor's own report from patrol (grid station channel) needs no verification.
            let own = try await post("/events", ServerFixture.goodEvent, .supervisor)
            #expect(own.status == .created)
            let ownID = own.json["id"]!.identifierText!
            #expect(try await post("/events/\(ownID)/actions", #"{"action":"accept"}"#, .dispatcher).status == .ok)
            _ = try await post("/events/\(id)/actions", #"{"action":"dispatch","department":"urban_management"}"#, .dispatcher)
            _ = try await post("/events/\(id)/actions", #"{"action":"acknowledge"}"#, .department)
            _ = try await post("/events/\(id)/actions", #"{"action":"resolve","feedback":"cleared"}"#, .department)
            let unchecked = try await post("/events/\(id)/actions", #"{"action":"close"}"#, .dispatcher)
            #expect(unchecked.status == .conflict && unchecked.text.contains("核查"))
            #expect(try await post("/events/\(id)/actions", #"{"action":"check","result":"maybe"}"#, .supervisor).status == .unprocessableContent)
            #expect(try await post("/events/\(id)/actions", #"{"action":"check","result":"passed"}"#, .supervisor).status == .ok)
            #expect(try await post("/events/\(id)/actions", #"{"action":"close"}"#, .dispatcher).status == .ok)
            let roles = try await client.execute(uri: "/reports/roles?period=month&date=2026-11-27", method: .get, headers: f.headers(.viewer)) { $0 }
            #expect(roles.status == .ok, "\(roles.text)")
            let sup = (roles.json["supervisors"]?.arrayValue ?? []).compactMap(\.objectValue).first
            #expect(sup?["verifications"] == .number(JSONNumber(1)) && sup?["on_time_verifications"] == .number(JSONNumber(1)))
            #expect(sup?["checks"] == .number(JSONNumber(1)) && sup?["reports"] == .number(JSONNumber(1)) && sup?["valid_reports"] == .number(JSONNumber(1)))
            let disp = (roles.json["dispatchers"]?.arrayValue ?? []).compactMap(\.objectValue).first
            #expect(disp?["dispatches"] == .number(JSONNumber(1)) && disp?["on_time_dispatches"] == .number(JSONNumber(1)) && disp?["wrong_dispatches"] == .number(JSONNumber(0)))
            #expect(try await client.execute(uri: "/reports/roles", method: .get, headers: f.headers(.department)) { $0 }.status == .forbidden)
        }
    }
}
