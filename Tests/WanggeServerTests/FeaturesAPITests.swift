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

@Suite("OGC API – Features")
struct FeaturesAPITests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    func get(_ client: some TestClientProtocol, _ uri: String, _ role: Role? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var h = f.headers(role)
        h.append(contentsOf: extra)
        return try await client.execute(uri: uri, method: .get, headers: h) { $0 }
    }

    func features(_ r: TestResponse) -> [JSONObject] {
        guard case .array(let items)? = r.json["features"] else { return [] }
        return items.compactMap(\.objectValue)
    }

    func link(_ r: TestResponse, _ rel: String) -> String? {
        guard case .array(let links)? = r.json["links"] else { return nil }
        return links.first { $0.objectValue?["rel"] == .string(rel) }?.objectValue?["href"]?.stringValue
    }

    @Test("an events page written from the stored columns is byte for byte the page written from decoded records, for every event, with and without reporters")
    func eventRowsAsRecords() throws {
        // Odd values too: an email, a picture, no reporter name, a department, escapes in the text.
        let a = PointAssignment(lon: 114.453, lat: 38.062, residential: ResidentialAnswer(match: .boundary, street: "130105005", touching: ["x"]),
                                functional: OverlayAnswer(match: .inside, grids: ["GN01", "GN02"]), industry: OverlayAnswer(match: .outside))
        let e = NewEvent(type: "garbage", severity: 3, lon: 114.453, lat: 38.062, inputCRS: "EPSG:4326", inputX: 114.453, inputY: 38.062,
                         description: "引号 \"q\" \\ 与换行\n", reporterName: "", reporterPhone: "110", reporterEmail: "a@b.cn",
                         mediaURL: "https://example.org/p.jpg", channel: .hotline, occurredAt: 1_780_000_000.5, reportedAt: 1_780_000_001,
                         assignment: a, submittedBy: nil)
        var inserts = [EventInsert(event: e, actor: nil, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") }]
        // And 1,400 ordinary reports across the sample, assigned by the engine (inside, outside, on overlays).
        for i in 0..<1400 {
            let x = 114.43 + Double(i % 40) * 0.001, y = 38.05 + Double(i / 40) * 0.0008
            let answer = try f.wiring.engine.assignBlocking(x: x, y: y)
            let n = NewEvent(type: ["garbage", "noise", "streetlight"][i % 3], severity: 1 + i % 4, lon: x, lat: y, inputCRS: "EPSG:4326",
                             inputX: x, inputY: y, description: "第\(i)号", reporterName: i % 2 == 0 ? "王芳" : "", reporterPhone: i % 5 == 0 ? "" : "13800000000",
                             channel: .web, occurredAt: 1_780_000_000 + Double(i), reportedAt: 1_780_000_000 + Double(i), assignment: answer, submittedBy: nil)
            inserts.append(EventInsert(event: n, actor: nil, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") })
        }
        _ = try f.database.insert(inserts)
        var q = FeatureQuery.allEvents
        q.limit = 10_000
        let records = try f.database.eventPage(q, count: false).items
        #expect(records.count == 1401)
        for show in [true, false] {
            var fromRecords = GeoJSONWriter(), fromRows = GeoJSONWriter()
            for (i, r) in records.enumerated() {
                if i > 0 { fromRecords.append(",") }
                FeatureJSON.writeFeature(&fromRecords, id: String(r.id), geometry: .point(x: r.event.lon, y: r.event.lat),
                                         properties: FeatureJSON.eventProperties(r, showReporter: show, levels: .standard))
            }
            var n = 0
            let next = try f.database.eventPageRows(q) { row in
                if n > 0 { fromRows.append(",") }
                FeatureJSON.writeEventFeature(&fromRows, row, showReporter: show, levels: .standard)
                n += 1
            }
            #expect(next == nil && n == records.count)
            #expect(fromRows.bytes == fromRecords.bytes, "showReporter \(show): \(String(decoding: fromRows.bytes.prefix(600), as: UTF8.self))\n\(String(decoding: fromRecords.bytes.prefix(600), as: UTF8.self))")
        }
        // One event by id from its row, links and all, is the feature its record gives; a visibility that does not
        // admit it, or an id that does not exist, hands over nothing.
        let links = [FeatureJSON.link("http://x/collections/events/items/1", "self", FeatureJSON.geojson, "This feature")]
        for r in records.prefix(40) {
            var fromRecord = GeoJSONWriter(), fromRow = GeoJSONWriter()
            FeatureJSON.writeFeature(&fromRecord, id: String(r.id), geometry: .point(x: r.event.lon, y: r.event.lat),
                                     properties: FeatureJSON.eventProperties(r, showReporter: true, levels: .standard), links: links)
            #expect(try f.database.eventRow(id: r.id, visibility: .all) { FeatureJSON.writeEventFeature(&fromRow, $0, showReporter: true, levels: .standard, links: links) })
            #expect(fromRow.bytes == fromRecord.bytes, "\(String(decoding: fromRow.bytes, as: UTF8.self))")
            for hidden in [EventVisibility.none, .submittedBy(-1), .department("no such department")] {
                #expect(try !f.database.eventRow(id: r.id, visibility: hidden) { _ in Issue.record("\(hidden) admitted event \(r.id)") })
            }
        }
        #expect(try !f.database.eventRow(id: 999_999, visibility: .all) { _ in Issue.record("a row for an id that does not exist") })
        // The same store as a file reads these through its own connections (HotReaders), not GRDB's pool: the same
        // bytes, the same visibility, the same events version.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-hot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try f.database.writer.backup(to: DatabaseQueue(path: dir.appendingPathComponent("w.db").path))
        let file = try AppDatabase(path: dir.appendingPathComponent("w.db").path)
        #expect(try file.eventsVersion() == f.database.eventsVersion() && file.eventsVersion() > 0)
        for r in records.prefix(40) {
            var inMemory = GeoJSONWriter(), onDisk = GeoJSONWriter()
            _ = try f.database.eventRow(id: r.id, visibility: .all) { FeatureJSON.writeEventFeature(&inMemory, $0, showReporter: true, levels: .standard, links: links) }
            #expect(try file.eventRow(id: r.id, visibility: .all) { FeatureJSON.writeEventFeature(&onDisk, $0, showReporter: true, levels: .standard, links: links) })
            #expect(onDisk.bytes == inMemory.bytes)
            #expect(try !file.eventRow(id: r.id, visibility: .department("no such department")) { _ in Issue.record("hidden event \(r.id) read from the file") })
            if let d = r.department { #expect(try file.eventRow(id: r.id, visibility: .department(d)) { _ in }) }
        }
        #expect(try !file.eventRow(id: 999_999, visibility: .all) { _ in Issue.record("a row for an id that does not exist") })
        // Overlay codes: joined with ";", and none is null, not "" (so `IS NULL` in QGIS finds the events off them).
        let odd = FeatureJSON.eventProperties(try #require(records.min { $0.id < $1.id }), showReporter: false, levels: .standard)
        #expect(odd["functional"] == .string("GN01;GN02") && odd["industry"] == .null)
        let props = records.map { FeatureJSON.eventProperties($0, showReporter: false, levels: .standard) }
        #expect(props.contains { $0["functional"] == .null } && !props.contains { $0["functional"] == .string("") || $0["industry"] == .string("") })
        // One box: the page and its count from one R*Tree scan give what the two queries give, indexed or not yet.
        for indexed in [false, true] {
            if indexed { while try f.database.indexPendingEvents(limit: 100_000) > 0 {} }
            var rng = SplitMix(seed: 9)
            for _ in 0..<60 {
                let x = 114.43 + rng.unit() * 0.04, y = 38.05 + rng.unit() * 0.03, w = rng.unit() * 0.01, h = rng.unit() * 0.01
                var box = FeatureQuery.allEvents
                box.boxes = [BoundingBox(minX: x, minY: y, maxX: x + w, maxY: y + h)]
                box.limit = 1 + Int(rng.unit() * 60)
                var cursor: FeatureQuery.Cursor? = nil
                repeat {
                    box.cursor = cursor
                    let page = try f.database.eventPage(box, count: true)
                    var ids: [Int64] = []
                    let (next, matched) = try f.database.eventPageRowsCounted(box) { ids.append($0.id) }
                    #expect(ids == page.items.map(\.id) && next == page.next && matched == page.matched, "indexed \(indexed) \(box.boxes)")
                    cursor = next
                } while cursor != nil
            }
        }
        // Paging by cursor gives the same pages both ways.
        q.limit = 700
        var cursor: FeatureQuery.Cursor? = nil
        repeat {
            q.cursor = cursor
            let page = try f.database.eventPage(q, count: false)
            var ids: [Int64] = []
            cursor = try f.database.eventPageRows(q) { ids.append($0.id) }
            #expect(ids == page.items.map(\.id) && cursor == page.next)
        } while cursor != nil
    }

    @Test("landing page, conformance and collections describe the service as the standard asks")
    func metadata() async throws {
        try await f.app().test(.router) { client in
            let landing = try await get(client, "/")
            #expect(landing.status == .ok)
            #expect(link(landing, "service-desc")?.hasSuffix("/api") == true)
            #expect(link(landing, "conformance") != nil && link(landing, "data")?.hasSuffix("/collections") == true)
            let conformance = try await get(client, "/conformance")
            #expect(conformance.json["conformsTo"] == .array(FeaturesController.conformance.map { .string($0) }))
            let collections = try await get(client, "/collections")
            guard case .array(let list)? = collections.json["collections"] else { Issue.record("no collections"); return }
            #expect(list.map { $0.objectValue!["id"]!.stringValue! } == ["street", "community", "courtyard", "building", "functional", "industry", "events", "organisations", "components"])
            let building = try await get(client, "/collections/building")
            let bbox = building.json["extent"]?.objectValue?["spatial"]?.objectValue?["bbox"]
            guard case .array(let boxes)? = bbox, case .array(let b)? = boxes.first else { Issue.record("no extent"); return }
            #expect(b.count == 4 && (b[0].doubleValue ?? 0) > 114.4 && (b[3].doubleValue ?? 0) < 38.1)
            #expect(try await get(client, "/collections/lakes").status == .notFound)
            #expect(try await get(client, "/collections?f=xml").status == .badRequest)
        }
    }

    @Test("items page through next links with numberMatched, numberReturned and timeStamp; limit is clamped")
    func paging() async throws {
        try await f.app().test(.router) { client in
            var uri: String? = "/collections/building/items?limit=30"
            var codes: [String] = []
            var pages = 0
            while let u = uri {
                let r = try await get(client, u)
                #expect(r.status == .ok && r.headers[.contentType] == "application/geo+json")
                #expect(r.json["numberMatched"] == .number(JSONNumber(68)))
                #expect(r.json["timeStamp"]?.stringValue?.hasSuffix("+08:00") == true)
                let fs = features(r)
                #expect(r.json["numberReturned"] == .number(JSONNumber(fs.count)))
                codes += fs.map { $0["id"]!.stringValue! }
                uri = link(r, "next").map { String($0[$0.range(of: "/collections")!.lowerBound...]) }
                pages += 1
            }
            #expect(pages == 3 && codes.count == 68 && Set(codes).count == 68)
            let big = try await get(client, "/collections/building/items?limit=1000000")
            #expect(big.status == .ok && features(big).count == 68)
            // The API document declares the maximum (GDAL and QGIS size their pages by it), yet a larger limit is clamped.
            let api = try await get(client, "/api")
            let items = api.json["paths"]?.objectValue?["/collections/{collectionId}/items"]?.objectValue?["get"]?.objectValue
            guard case .array(let parameters)? = items?["parameters"] else { Issue.record("no parameters"); return }
            let limit = parameters.compactMap(\.objectValue).first { $0["name"] == .string("limit") }
            #expect(limit?["schema"]?.objectValue?["maximum"] == .number(JSONNumber(10_000)))
            for bad in ["limit=0", "limit=x", "offset=-1", "colour=red", "bbox=1,2,3", "bbox=0,91,1,92"] {
                #expect(try await get(client, "/collections/building/items?\(bad)").status == .badRequest, "\(bad)")
            }
            #expect(try await get(client, "/collections/building/items/nope").status == .notFound)
        }
    }

    @Test("RFC 7946 output: lon/lat, counter-clockwise exteriors, no crs member, at most 7 decimals")
    func rfc7946() async throws {
        try await f.app().test(.router) { client in
            let r = try await get(client, "/collections/community/items")
            #expect(!r.text.contains("\"crs\""))
            let doc = try GeoJSONDocument.parse(Array(r.text.utf8))
            for feature in doc.features {
                for p in feature.polygonalGeometry(code: nil).geometry!.polygons {
                    #expect(p.exterior.isCounterClockwise)
                    #expect(p.exterior.xy.allSatisfy { abs($0 * 1e7 - ($0 * 1e7).rounded()) < 1e-3 })
                }
            }
        }
    }

    @Test("bbox filters, also across the antimeridian; properties= selects; simplify thins overlays but keeps them valid")
    func filters() async throws {
        try await f.app().test(.router) { client in
            let all = features(try await get(client, "/collections/building/items?limit=1000"))
            let west = features(try await get(client, "/collections/building/items?bbox=114.40,38.0,114.445,38.1"))
            #expect(!west.isEmpty && west.count < all.count)
            // A box from 170°E across the antimeridian to 114.445°E holds the same western buildings.
            let wrapped = features(try await get(client, "/collections/building/items?bbox=170,38.0,114.445,38.1"))
            #expect(Set(wrapped.map { $0["id"]! }) == Set(west.map { $0["id"]! }))
            // Spaces around the numbers (encoded, or a + in the query) and an encoded key read as the plain box.
            for spaced in ["bbox=114.40,%2038.0,114.445%20,38.1", "bbox=114.40,+38.0,114.445,38.1", "%62box=114.40,38.0,114.445,38.1"] {
                let again = features(try await get(client, "/collections/building/items?" + spaced))
                #expect(Set(again.map { $0["id"]! }) == Set(west.map { $0["id"]! }), "\(spaced)")
            }
            let selected = features(try await get(client, "/collections/building/items?limit=1&properties=name,households"))
            #expect(selected.first?["properties"]?.objectValue?.keys == ["name", "households"])
            let plain = try await get(client, "/collections/industry/items")
            let thin = try await get(client, "/collections/industry/items?simplify=25")
            #expect(thin.status == .ok && thin.text.count < plain.text.count)
            for feature in try GeoJSONDocument.parse(Array(thin.text.utf8)).features {
                #expect(feature.polygonalGeometry(code: nil).geometry != nil)
            }
            #expect(try await get(client, "/collections/building/items?simplify=5").status == .badRequest)
        }
    }

    @Test("boundary collections carry an ETag and answer 304 to If-None-Match; CORS headers and preflight")
    func caching() async throws {
        try await f.app().test(.router) { client in
            let first = try await get(client, "/collections/courtyard/items", headers: [.origin: "http://viewer.example"])
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.accessControlAllowOrigin] == "*")
            let again = try await get(client, "/collections/courtyard/items", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified && again.body.readableBytes == 0)
            let other = try await get(client, "/collections/courtyard/items?limit=5", headers: [.ifNoneMatch: etag])
            #expect(other.status == .ok)
            try await client.execute(uri: "/collections/events/items", method: .options,
                                     headers: [.origin: "http://viewer.example", .accessControlRequestMethod: "GET",
                                               .accessControlRequestHeaders: "authorization"]) { r in
                #expect(r.status == .noContent || r.status == .ok)
                #expect(r.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
            }
        }
    }

    @Test("events need a token, filter by datetime, status, type, severity and grid, and hide reporters from viewers")
    func events() async throws {
        try await f.app().test(.router) { client in
            _ = try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true),
                                         body: ServerFixture.body(ServerFixture.goodEvent.replacingOccurrences(of: "\"channel\":\"grid_station\"", with: "\"channel\":\"web\",\"occurred_at\":\"2026-08-01T10:00:00+08:00\""))) { _ in }
            _ = try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true),
                                         body: ServerFixture.body(ServerFixture.goodEvent.replacingOccurrences(of: "\"severity\":2", with: "\"severity\":4"))) { _ in }
            #expect(try await get(client, "/collections/events/items").status == .unauthorized)
            let viewer = try await get(client, "/collections/events/items", .viewer)
            #expect(features(viewer).count == 2)
            #expect(features(viewer).allSatisfy { $0["properties"]?.objectValue?["reporter_name"] == nil })
            let dispatcher = try await get(client, "/collections/events/items", .dispatcher)
            #expect(features(dispatcher).allSatisfy { $0["properties"]?.objectValue?["reporter_name"] == .string("王芳") })
            func count(_ q: String) async throws -> Int { features(try await get(client, "/collections/events/items?\(q)", .viewer)).count }
            #expect(try await count("datetime=2026-07-01T00:00:00Z/2026-09-01T00:00:00Z") == 1)
            #expect(try await count("datetime=2026-09-01T00:00:00Z/..") == 1)
            #expect(try await count("severity=4") == 1)
            #expect(try await count("status=reported&type=garbage") == 2)
            #expect(try await count("grid=1301050050040102") == 2)
            #expect(try await count("bbox=114.2,38.0,114.3,38.1") == 0)
            for bad in ["datetime=yesterday", "datetime=../..x", "severity=9", "status=lost"] {
                #expect(try await get(client, "/collections/events/items?\(bad)", .viewer).status == .badRequest, "\(bad)")
            }
            let id = features(viewer)[0]["id"]!.stringValue!
            let one = try await get(client, "/collections/events/items/\(id)", .viewer)
            #expect(one.status == .ok && one.json["geometry"]?.objectValue?["type"] == .string("Point"))
            #expect(try await get(client, "/collections/events/items/999999", .viewer).status == .notFound)
        }
    }

    @Test("/map is one self-contained page: no external scripts, styles, fonts or tiles; it reads this API's collections")
    func mapPage() async throws {
        try await f.app().test(.router) { client in
            let r = try await get(client, "/map")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/html; charset=utf-8")
            let html = r.text
            #expect(html.hasPrefix("<!doctype html>") && html.contains("<canvas"))
            // Nothing is fetched from elsewhere: no src/href to another origin, no @import or url() to one.
            for pattern in ["src=\"http", "href=\"http", "@import", "url(http", "<script src", "<link rel=\"stylesheet\""] {
                #expect(!html.contains(pattern), "the page loads \(pattern)…")
            }
            // The collections it reads — its grid layers (fetched as collections/${id}/items) and the events — are
            // exactly this service's, and each answers.
            let layers = html.matches(of: /\{ id: "([a-z]+)"/).map { String($0.output.1) }
            #expect(Set(layers) == ["street", "community", "courtyard", "building", "functional", "industry"])
            #expect(html.contains(#"fetchAll("events""#))
            for id in layers + ["events"] {
                #expect(try await get(client, "/collections/\(id)/items?limit=1", .viewer).status == .ok)
            }
            #expect(try await get(client, "/map?x=1").status == .badRequest)
        }
    }

    @Test("a boundary page served from the cache changes as soon as a new import lands, and keeps a fresh timeStamp")
    func pageCacheFollowsImports() async throws {
        try await f.app().test(.router) { client in
            let first = try await get(client, "/collections/courtyard/items?limit=5")
            let again = try await get(client, "/collections/courtyard/items?limit=5")
            #expect(first.json["numberMatched"] == .number(JSONNumber(25)))
            #expect(first.json["features"] == again.json["features"] && first.json["links"] == again.json["links"])
            #expect(again.headers[.contentLength] == String(again.body.readableBytes))
            try await client.execute(uri: "/boundaries?layer=residential&activate=true", method: .post, headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]),
                                     body: ByteBuffer(bytes: BoundaryFileBuilder.cleanHierarchy().bytes)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            let after = try await get(client, "/collections/courtyard/items?limit=5")
            #expect(after.json["numberMatched"] != first.json["numberMatched"])
            #expect(after.headers[.eTag] != first.headers[.eTag])
            #expect(features(after).allSatisfy { $0["properties"]?.objectValue?["code"]?.stringValue?.hasPrefix("Y") == true })
        }
    }

    @Test("the residential levels share one layer, yet the same query on each gives that level's own grids (cached or not)")
    func residentialLevelsKeepTheirOwnPages() async throws {
        try await f.app().test(.router) { client in
            for _ in 0..<2 {  // the second round comes from the page cache
                var seen = Set<String>()
                for level in ["street", "community", "courtyard", "building"] {
                    let page = try await get(client, "/collections/\(level)/items?limit=10")
                    let levels = Set(features(page).compactMap { $0["properties"]?.objectValue?["level"]?.stringValue })
                    #expect(levels == [level], "\(level): \(levels)")
                    #expect(seen.insert(page.headers[.eTag] ?? "").inserted, "\(level) shares an ETag with another level")
                }
            }
        }
    }

    @Test("a cached events page changes with the next insert or action, and one role's page never reaches another")
    func eventPageCacheFollowsChanges() async throws {
        try await f.app().test(.router) { client in
            func submit() async throws -> String {
                try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true),
                                         body: ServerFixture.body(ServerFixture.goodEvent)) { r in
                    r.json["id"].map { $0.identifierText ?? "" } ?? ""
                }
            }
            let id = try await submit()
            let uri = "/collections/events/items?limit=10"
            let first = try await get(client, uri, .viewer)
            #expect(first.json["numberMatched"] == .number(JSONNumber(1)))
            #expect(try await get(client, uri, .viewer).json["features"] == first.json["features"])
            // The dispatcher's page of the same URL shows reporters; the viewer's does not.
            let dispatcher = try await get(client, uri, .dispatcher)
            #expect(features(dispatcher).first?["properties"]?.objectValue?["reporter_name"] != nil)
            #expect(features(try await get(client, uri, .viewer)).first?["properties"]?.objectValue?["reporter_name"] == nil)
            _ = try await submit()
            #expect(try await get(client, uri, .viewer).json["numberMatched"] == .number(JSONNumber(2)))
            try await client.execute(uri: "/events/\(id)/actions", method: .post, headers: f.headers(.dispatcher, json: true),
                                     body: ServerFixture.body(#"{"action":"accept"}"#)) { r in #expect(r.status == .ok, "\(r.text)") }
            let after = features(try await get(client, uri, .viewer))
            #expect(after.first { $0["id"]?.stringValue == id }?["properties"]?.objectValue?["status"] == .string("accepted"))
        }
    }
}

/// A small deterministic generator for test boxes.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
