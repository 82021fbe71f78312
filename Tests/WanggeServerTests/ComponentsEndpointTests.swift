import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WanggeCore
import WanggeUseCases
import WanggeStore
@testable import WanggeServer
import WanggeTestSupport

/// Components over HTTP: the sample's inventory assigned by the engine, replaced whole, served as an OGC collection,
/// and named by events.
@Suite("Components (部件) over HTTP")
struct ComponentsEndpointTests {
    let f: ServerFixture

    init() async throws {
        f = try ServerFixture()
        try await Community(repository: f.database, engine: f.engine).importComponents(try FileIO.read(Fixtures.geoData + "/components.geojson"), csv: false)
    }

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, _ role: Role) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: f.headers(role, json: true), body: ServerFixture.body(body)) { $0 }
    }

    @Test("the sample's components are listed with their grids, filtered by class, state and grid, as CSV, and as an OGC collection")
    func listing() async throws {
        try await f.app().test(.router) { client in
            let all = try await client.execute(uri: "/components", method: .get) { $0 }
            let features = all.json["features"]?.arrayValue ?? []
            #expect(all.status == .ok && features.count == 275)
            let first = features.first?.objectValue?["properties"]?.objectValue
            #expect(first?["id"]?.stringValue?.hasPrefix("130105") == true && first?["courtyard"]?.stringValue != nil)
            let lights = try await client.execute(uri: "/components?class=component:0137", method: .get) { $0 }
            #expect(lights.json["features"]?.arrayValue?.count == 60)
            #expect(lights.json["features"]?.arrayValue?.first?.objectValue?["properties"]?.objectValue?["class_name"] == .string("路灯"))
            let damaged = try await client.execute(uri: "/components?state=damaged", method: .get) { $0 }.json["features"]?.arrayValue?.count ?? 0
            #expect(damaged > 0 && damaged < 275)
            let csv = try await client.execute(uri: "/components?f=csv", method: .get) { $0 }
            #expect(csv.text.hasPrefix("id,class,class_name,name") && csv.text.utf8.filter { $0 == 0x0A }.count == 276)
            let ogc = try await client.execute(uri: "/collections/components/items?limit=10", method: .get) { $0 }
            #expect(ogc.status == .ok && ogc.json["numberMatched"] == .number(JSONNumber(275)) && ogc.json["features"]?.arrayValue?.count == 10)
            let id = first?["id"]?.stringValue ?? ""
            let one = try await client.execute(uri: "/collections/components/items/\(id)", method: .get) { $0 }
            #expect(one.status == .ok && one.json["id"]?.stringValue == id)
            let collections = try await client.execute(uri: "/collections", method: .get) { $0 }
            #expect(collections.text.contains("\"id\":\"components\""))
        }
    }

    @Test("an event naming a component is dispatched to its maintaining department by default; an unknown one is refused")
    func events() async throws {
        try await f.app().test(.router) { client in
            // A fire hydrant (消火栓) kept by the fire safety office; the type's default would be municipal works.
            let hydrant = "1301050113000001"
            let body = ServerFixture.goodEvent.replacingOccurrences(of: "\"type\":\"garbage\"", with: "\"type\":\"road_damage\",\"component\":\"\(hydrant)\"")
            let created = try await post(client, "/events", body, .reporter)
            #expect(created.status == .created && created.json["component"] == .string(hydrant), "\(created.text)")
            let id = created.json["id"]!.identifierText!
            _ = try await post(client, "/events/\(id)/actions", #"{"action":"accept"}"#, .dispatcher)
            let d = try await post(client, "/events/\(id)/actions", #"{"action":"dispatch"}"#, .dispatcher)
            #expect(d.json["department"] == .string("fire_safety"), "\(d.text)")
            // The OGC events collection carries it and filters on it.
            let item = try await client.execute(uri: "/collections/events/items/\(id)", method: .get, headers: f.headers(.dispatcher)) { $0 }
            #expect(item.json["properties"]?.objectValue?["component"] == .string(hydrant))
            let filtered = try await client.execute(uri: "/collections/events/items?filter=component%3D%27\(hydrant)%27", method: .get,
                                                    headers: f.headers(.dispatcher)) { $0 }
            #expect(filtered.status == .ok && filtered.json["numberMatched"] == .number(JSONNumber(1)), "\(filtered.text)")
            let unknown = ServerFixture.goodEvent.replacingOccurrences(of: "\"type\":\"garbage\"", with: "\"type\":\"garbage\",\"component\":\"130105999900001\"")
            let refused = try await post(client, "/events", unknown, .reporter)
            #expect(refused.status == .unprocessableContent && refused.text.contains("component"))
        }
    }

    @Test("a resolution says what the component is left in: the inventory takes it, dated, with the history; refused without a component or with another action")
    func stateFromResolution() async throws {
        try await f.app().test(.router) { client in
            let lamp = "1301050137000001"
            try await f.database.writer.write { try $0.execute(sql: "UPDATE component SET state = 'damaged', updated_on = '2026-01-15' WHERE id = ?", arguments: [lamp]) }
            let body = ServerFixture.goodEvent.replacingOccurrences(of: "\"type\":\"garbage\"", with: "\"type\":\"streetlight\",\"component\":\"\(lamp)\"")
            let id = try #require(try await post(client, "/events", body, .reporter).json["id"]?.identifierText)
            let early = try await post(client, "/events/\(id)/actions", #"{"action":"accept","component_state":"intact"}"#, .dispatcher)
            #expect(early.status == .unprocessableContent && early.text.contains("component_state"), "\(early.text)")
            _ = try await post(client, "/events/\(id)/actions", #"{"action":"accept"}"#, .dispatcher)
            _ = try await post(client, "/events/\(id)/actions", #"{"action":"dispatch","department":"urban_management"}"#, .dispatcher)
            _ = try await post(client, "/events/\(id)/actions", #"{"action":"acknowledge"}"#, .department)
            let bad = try await post(client, "/events/\(id)/actions", #"{"action":"resolve","feedback":"换灯","component_state":"shiny"}"#, .department)
            #expect(bad.status == .unprocessableContent && bad.text.contains("component_state"), "\(bad.text)")
            #expect(try f.database.components().first { $0.id == lamp }?.state == .damaged)
            let done = try await post(client, "/events/\(id)/actions", #"{"action":"resolve","feedback":"换灯","component_state":"intact"}"#, .department)
            #expect(done.status == .ok, "\(done.text)")
            let stored = try #require(try f.database.components().first { $0.id == lamp })
            #expect(stored.state == .intact && stored.updatedOn == CalendarDay.day(Date().timeIntervalSince1970))
            let history = try await client.execute(uri: "/events/\(id)/history", method: .get, headers: f.headers(.dispatcher)) { $0 }
            #expect(history.text.contains("部件 \(lamp) 完好 (intact)"), "\(history.text)")
            // An event that names no component has nothing to update.
            let other = try #require(try await post(client, "/events", ServerFixture.goodEvent, .reporter).json["id"]?.identifierText)
            _ = try await post(client, "/events/\(other)/actions", #"{"action":"accept"}"#, .dispatcher)
            _ = try await post(client, "/events/\(other)/actions", #"{"action":"dispatch","department":"urban_management"}"#, .dispatcher)
            _ = try await post(client, "/events/\(other)/actions", #"{"action":"acknowledge"}"#, .department)
            let none = try await post(client, "/events/\(other)/actions", #"{"action":"resolve","feedback":"x","component_state":"intact"}"#, .department)
            #expect(none.status == .unprocessableContent && none.text.contains("names no component"), "\(none.text)")
        }
    }

    @Test("replacing the inventory is all or nothing: a bad upload leaves the stored components")
    func replace() async throws {
        try await f.app().test(.router) { client in
            let bad = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.45,38.06]},"properties":{"class":"component:9999","name":"x"}}]}"#
            let r = try await client.execute(uri: "/components", method: .put, headers: f.headers(.gis, json: true), body: ServerFixture.body(bad)) { $0 }
            #expect(r.status == .unprocessableContent && r.text.contains("features[0].properties.class"), "\(r.text)")
            #expect(try f.database.components().count == 275)
            let good = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.453,38.062]},"properties":{"class":"component:0305","name":"垃圾箱"}}]}"#
            let ok = try await client.execute(uri: "/components", method: .put, headers: f.headers(.gis, json: true), body: ServerFixture.body(good)) { $0 }
            #expect(ok.status == .ok && ok.json["components"] == .number(JSONNumber(1)), "\(ok.text)")
            #expect(try f.database.components().map(\.id) == ["1301050305000001"])
            #expect(try await client.execute(uri: "/components", method: .put, headers: f.headers(.reporter, json: true), body: ServerFixture.body(good)) { $0 }.status == .forbidden)
        }
    }
}
