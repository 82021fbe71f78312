import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeServer
import WanggeStore
import WanggeUseCases
import WanggeTestSupport

@Suite("Every timestamp the service writes is in its time zone")
struct TimeZoneTests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    @Test("JSON, GeoJSON, OGC collections, Open311 JSON and XML, history, warnings, audit and reports all write +08:00; inputs keep any offset")
    func everyOutput() async throws {
        #expect(ZoneOffsets.service.name == "Asia/Shanghai")
        try await f.app().test(.router) { client in
            let body = ServerFixture.goodEvent.replacingOccurrences(of: #""channel":"grid_station""#,
                                                                   with: #""channel":"web","occurred_at":"2026-11-26T01:30:00Z""#)
            let created = try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true),
                                                   body: ServerFixture.body(body)) { $0 }
            #expect(created.status == .created, "\(created.text)")
            let id = created.json["id"]!.identifierText!
            #expect(created.json["occurred_at"]?.stringValue == "2026-11-26T09:30:00+08:00", "\(created.text)")
            let accepted = try await client.execute(uri: "/events/\(id)/actions", method: .post, headers: f.headers(.dispatcher, json: true),
                                                    body: ServerFixture.body(#"{"action":"accept"}"#)) { $0 }
            #expect(accepted.status == .ok, "\(accepted.text)")

            try f.database.record(.servicePointsReplaced, by: .commandLineUser, target: "services", [("points", .int(0))])
            // An input in another offset (New York's) is read as the instant it names.
            let since = Timestamp.format((Date().timeIntervalSince1970 - 86400).rounded(.down), in: ZoneOffsets("America/New_York")!)
            let uris = ["/events?limit=20", "/events/\(id)", "/events/\(id)/history", "/collections/events",
                        "/collections/events/items?limit=20", "/collections/events/items/\(id)", 
                        "/open311/v2/requests.json?start_date=\(since)", "/open311/v2/requests.xml?start_date=\(since)",
                        "/open311/v2/requests/\(id).json", "/warnings", "/admin/audit",
                        "/reports/grids?period=quarter&date=2026-08-01", "/reports/departments?period=month&date=2026-08-01"]
            for uri in uris {
                let r = try await client.execute(uri: uri, method: .get, headers: f.headers(.admin)) { $0 }
                #expect(r.status == .ok, "\(uri): \(r.text.prefix(300))")
                let times = WrittenTimes.all(in: r.text)
                #expect(!times.isEmpty, "\(uri) wrote no timestamp")
                #expect(WrittenTimes.notEnding(with: "+08:00", in: r.text).isEmpty, "\(uri): \(WrittenTimes.notEnding(with: "+08:00", in: r.text).prefix(3))")
            }
        }
    }
}
