import Foundation
import FoundationXML
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeUseCases
import WanggeAssignment
import WanggeSample
@testable import WanggeServer
import WanggeStore
import WanggeTestSupport

@Suite("Open311 GeoReport v2")
struct Open311Tests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    /// The members of the specification's own examples (http://wiki.open311.org/GeoReport_v2).
    static let serviceKeys = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    static let attributeKeys = ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"]
    static let requestKeys = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                              "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
                              "address", "address_id", "zipcode", "lat", "long", "media_url"]
    static let postAnswerKeys = ["service_request_id", "service_notice", "account_id"]
    static let discoveryKeys = ["changeset", "contact", "key_service", "endpoints"]

    func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get) { $0 }
    }

    func post(_ client: some TestClientProtocol, _ uri: String, form: [(String, String)], type: String = "application/x-www-form-urlencoded") async throws -> TestResponse {
        let body = form.map { k, v in
            "\(k.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        }.joined(separator: "&")
        return try await client.execute(uri: uri, method: .post, headers: [.contentType: type], body: ByteBuffer(string: body)) { $0 }
    }

    static func list(_ r: TestResponse) -> [JSONObject] {
        guard case .array(let items)? = try? JSONValue.parse(r.text) else { return [] }
        return items.compactMap(\.objectValue)
    }

    static func xml(_ r: TestResponse) throws -> XMLElement {
        try #require(try XMLDocument(data: Data(r.text.utf8)).rootElement())
    }

    var reporterForm: [(String, String)] {
        [("api_key", f.tokens[.reporter]!), ("service_code", "garbage"), ("lat", "38.062"), ("long", "114.453"),
         ("description", "楼下垃圾堆放 & 异味"), ("first_name", "芳"), ("last_name", "王"), ("phone", "138 0000 1111"),
         ("email", "wang.fang@example.org"), ("media_url", "https://example.org/p/1.jpg"), ("attribute[severity]", "3"),
         ("attribute[channel]", "hotline")]
    }

    @Test("discovery, services and service definitions in JSON and XML have the specification's members")
    func services() async throws {
        try await f.app().test(.router) { client in
            let d = try await get(client, "/open311/v2/discovery.json")
            #expect(d.status == .ok && d.json.keys == Self.discoveryKeys)
            guard case .array(let endpoints)? = d.json["endpoints"], let e = endpoints.first?.objectValue else { Issue.record("no endpoints"); return }
            #expect(e["url"]?.stringValue?.hasSuffix("/open311/v2") == true && e["formats"] == .array([.string("application/json"), .string("text/xml")]))
            #expect(try Self.xml(try await get(client, "/open311/v2/discovery.xml")).elements(forName: "endpoints").first?.elements(forName: "endpoint").count == 1)

            let s = try await get(client, "/open311/v2/services.json")
            let services = Self.list(s)
            #expect(services.count == (try f.database.eventTypes().count) && services.count == 21)
            #expect(services.allSatisfy { $0.keys == Self.serviceKeys })
            #expect(services.contains { $0["service_code"] == .string("garbage") && $0["metadata"] == .bool(true) })
            // A type filed under a class of the standard says the class in its keywords.
            let garbage = services.first { $0["service_code"] == .string("garbage") }?["keywords"]?.stringValue?.split(separator: ",") ?? []
            #expect(["暴露垃圾", "event:0110", "06010"].allSatisfy { garbage.contains(Substring($0)) }, "\(garbage)")
            let x = try Self.xml(try await get(client, "/open311/v2/services.xml"))
            #expect(x.name == "services" && x.elements(forName: "service").count == 21)
            #expect(x.elements(forName: "service").first?.elements(forName: "service_code").first?.stringValue != nil)

            for path in ["services", "service"] {
                let def = try await get(client, "/open311/v2/\(path)/garbage.json")
                #expect(def.status == .ok && def.json["service_code"] == .string("garbage"))
                guard case .array(let attributes)? = def.json["attributes"] else { Issue.record("no attributes"); return }
                #expect(attributes.compactMap { $0.objectValue?.keys } == [Self.attributeKeys, Self.attributeKeys])
                #expect(attributes.compactMap { $0.objectValue?["code"]?.stringValue } == ["severity", "channel"])
                let dx = try Self.xml(try await get(client, "/open311/v2/\(path)/garbage.xml"))
                #expect(dx.name == "service_definition" && dx.elements(forName: "attributes").first?.elements(forName: "attribute").count == 2)
                let missing = try await get(client, "/open311/v2/\(path)/ufo.json")
                #expect(missing.status == .notFound && Self.list(missing).first?["code"] == .number(JSONNumber(404)))
            }
            let missingXML = try await get(client, "/open311/v2/services/ufo.xml")
            let errors = try Self.xml(missingXML)
            #expect(missingXML.status == .notFound && errors.name == "errors" && errors.elements(forName: "error").first?.elements(forName: "code").first?.stringValue == "404")
        }
    }

    @Test("a request posted form-encoded is stored through the same intake and read back as a list of one, in JSON and XML")
    func postAndRead() async throws {
        try await f.app().test(.router) { client in
            let r = try await post(client, "/open311/v2/requests.json", form: reporterForm)
            #expect(r.status == .created, "\(r.text)")
            let answer = try #require(Self.list(r).first)
            #expect(answer.keys == Self.postAnswerKeys)
            let id = try #require(answer["service_request_id"]?.stringValue)
            #expect(r.headers[.location] == "/open311/v2/requests/\(id).json")
            let stored = try #require(try f.database.event(id: Int64(id)!))
            #expect(stored.event.type == "garbage" && stored.event.severity == 3 && stored.event.channel == .hotline)
            #expect(stored.event.reporterName == "芳 王" && stored.event.reporterPhone == "138 0000 1111")
            #expect(stored.event.reporterEmail == "wang.fang@example.org" && stored.event.mediaURL == "https://example.org/p/1.jpg")
            #expect(stored.event.description == "楼下垃圾堆放 & 异味" && stored.event.assignment.residential.street == "130105005")

            let one = try await get(client, "/open311/v2/requests/\(id).json")
            let items = Self.list(one)
            #expect(items.count == 1 && items[0].keys == Self.requestKeys)
            #expect(items[0]["status"] == .string("open") && items[0]["service_code"] == .string("garbage"))
            #expect(items[0]["lat"] == .number(JSONNumber(38.062)) && items[0]["long"] == .number(JSONNumber(114.453)))
            #expect(items[0]["media_url"] == .string("https://example.org/p/1.jpg") && items[0]["agency_responsible"] == .null)
            #expect(items[0]["expected_datetime"]?.stringValue != nil, "the acceptance deadline")
            #expect(!one.text.contains("王") && !one.text.contains("1111"), "no reporter in what anyone may read")
            let x = try Self.xml(try await get(client, "/open311/v2/requests/\(id).xml"))
            #expect(x.name == "service_requests" && x.elements(forName: "request").count == 1)
            #expect(x.elements(forName: "request").first?.elements(forName: "description").first?.stringValue == "楼下垃圾堆放 & 异味")

            // JSON bodies too, with the attributes as an object; the XML answer of a post is a list as well.
            let json = #"{"api_key":"\#(f.tokens[.reporter]!)","service_code":"noise","lat":38.062,"long":114.453,"description":"夜间施工","attribute":{"severity":"2"}}"#
            let j = try await client.execute(uri: "/open311/v2/requests.xml", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)) { $0 }
            #expect(j.status == .created, "\(j.text)")
            #expect(try Self.xml(j).elements(forName: "request").first?.elements(forName: "service_request_id").first?.stringValue != nil)

            // With extensions, the grids and the detailed status.
            let ext = Self.list(try await get(client, "/open311/v2/requests/\(id).json?extensions=true")).first
            #expect(ext?["extended_attributes"]?.objectValue?["street"] == .string("130105005"))
            #expect(ext?["extended_attributes"]?.objectValue?["status"] == .string("reported"))
            #expect(try await get(client, "/open311/v2/requests/999999.json").status == .notFound)
        }
    }

    @Test("posting errors are Open311's list with the right status, and store nothing")
    func postErrors() async throws {
        try await f.app().test(.router) { client in
            func without(_ key: String) -> [(String, String)] { reporterForm.filter { $0.0 != key } }
            func replacing(_ key: String, _ value: String) -> [(String, String)] { reporterForm.map { $0.0 == key ? (key, value) : $0 } }
            let cases: [([(String, String)], HTTPResponse.Status, String)] = [
                (without("api_key"), .badRequest, "api_key is required"),
                (replacing("api_key", "wg_nonsense"), .forbidden, "api_key is not valid"),
                (replacing("api_key", f.tokens[.viewer]!), .forbidden, "may not report"),
                (without("lat").filter { $0.0 != "long" } + [("address_string", "西苑路 1 号")], .badRequest, "no geocoder"),
                (without("lat").filter { $0.0 != "long" }, .badRequest, "lat and long are required"),
                (replacing("service_code", "ufo"), .badRequest, "service_code"),
                (replacing("long", "east"), .badRequest, "long must be a number"),
                (replacing("description", "A\u{0}B"), .badRequest, "U+0000"),
                (replacing("attribute[severity]", "9"), .badRequest, "attribute[severity]"),
                (replacing("email", "not an address"), .badRequest, "email"),
                (reporterForm + [("colour", "red")], .badRequest, "unknown field colour"),
            ]
            for (form, status, words) in cases {
                let r = try await post(client, "/open311/v2/requests.json", form: form)
                let error = Self.list(r).first
                #expect(r.status == status, "\(words): \(r.text)")
                #expect(error?["code"] == .number(JSONNumber(Int(status.code))) && error?["description"]?.stringValue?.contains(words) == true, "\(r.text)")
            }
            let x = try await post(client, "/open311/v2/requests.xml", form: without("api_key"))
            #expect(try x.status == .badRequest && Self.xml(x).name == "errors")
            #expect(try f.database.countEvents(.allEvents) == 0)
        }
    }

    @Test("GET requests: the last 90 days by default, dates, status, service codes, ids and pages; the loop's close shows as closed")
    func requests() async throws {
        // The sample's quarter of events (Q3 2026) behind the reports of the closed loop, replayed with the sample's
        // supervision rules (its history has the supervisors' verifications and checks).
        try Catalogue.loadStandards(from: Fixtures.geoData, into: f.database)
        _ = try await SampleHistory.load(try FileIO.read("\(Fixtures.geoData)/events.ndjson"), into: f.database, engine: f.engine)
        try await f.app().test(.router) { client in
            let fresh = try await post(client, "/open311/v2/requests.json", form: reporterForm)
            let id = try #require(Self.list(fresh).first?["service_request_id"]?.stringValue)
            // Without dates, the most recent 90 days, newest first: today's report, then what the sample has since then.
            let recent = try f.database.events(FeatureQuery.allEvents).filter { $0.event.reportedAt >= Date().timeIntervalSince1970 - 90 * 86400 }
            #expect(Self.list(try await get(client, "/open311/v2/requests.json")).compactMap { $0["service_request_id"]?.stringValue }
                == recent.prefix(100).map { String($0.id) })
            #expect(recent.first.map { String($0.id) } == id)
            let august = "start_date=2026-08-01T00:00:00%2B08:00&end_date=2026-08-16T00:00:00%2B08:00"
            let all = try f.database.events(FeatureQuery.allEvents).filter {
                $0.event.reportedAt >= Timestamp.parse("2026-08-01T00:00:00+08:00")! && $0.event.reportedAt < Timestamp.parse("2026-08-16T00:00:00+08:00")!
            }
            let page1 = Self.list(try await get(client, "/open311/v2/requests.json?\(august)&page_size=1000"))
            #expect(page1.count == all.count && all.count > 300)
            #expect(page1.allSatisfy { $0.keys == Self.requestKeys })
            let closed = Self.list(try await get(client, "/open311/v2/requests.json?\(august)&status=closed&page_size=1000"))
            #expect(closed.count == all.filter { [.closed, .evaluated, .rejected].contains($0.status) }.count && closed.allSatisfy { $0["status"] == .string("closed") })
            let open = Self.list(try await get(client, "/open311/v2/requests.json?\(august)&status=open&page_size=1000"))
            #expect(open.count + closed.count == all.count)
            let garbage = Self.list(try await get(client, "/open311/v2/requests.json?\(august)&service_code=garbage,noise&page_size=1000"))
            #expect(garbage.count == all.filter { $0.event.type == "garbage" || $0.event.type == "noise" }.count)
            // Pages of 100, newest first, without overlap.
            let p1 = Self.list(try await get(client, "/open311/v2/requests.json?\(august)&page_size=100&page=1")).compactMap { $0["service_request_id"]?.stringValue }
            let p2 = Self.list(try await get(client, "/open311/v2/requests.json?\(august)&page_size=100&page=2")).compactMap { $0["service_request_id"]?.stringValue }
            #expect(p1.count == 100 && p2.count == 100 && Set(p1).isDisjoint(with: p2) && Int(p1.last!)! > Int(p2.first!)!)
            // Ids override the other filters.
            let ids = Self.list(try await get(client, "/open311/v2/requests.json?service_request_id=1,2,\(id)&status=closed"))
            #expect(Set(ids.compactMap { $0["service_request_id"]?.stringValue }) == ["1", "2", id])
            // A closed event shows as closed with the department's feedback; the department is the agency responsible.
            let done = try #require(all.first { $0.status == .evaluated })
            let shown = try #require(Self.list(try await get(client, "/open311/v2/requests/\(done.id).json")).first)
            #expect(shown["status"] == .string("closed") && shown["status_notes"]?.stringValue?.isEmpty == false)
            #expect(shown["agency_responsible"]?.stringValue == (try f.database.departments().first { $0.code == done.department }?.name))
            // Spans over 90 days, and bad values, are refused in Open311's shape.
            for bad in ["start_date=2026-01-01T00:00:00Z&end_date=2026-09-01T00:00:00Z", "status=pending", "service_request_id=abc", "page=0"] {
                let r = try await get(client, "/open311/v2/requests.json?\(bad)")
                #expect(r.status == .badRequest && Self.list(r).first?["code"] == .number(JSONNumber(400)), "\(bad): \(r.text)")
            }
        }
    }
}
