import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeGeo
import WanggeAssignment
import WanggeUseCases
import WanggeStore

/// OGC API – Features, Part 1 (core, geojson, oas30): landing page, conformance, collections and their items.
/// Boundary collections (one per residential level, one per overlay layer) are public; `events` needs a token and
/// hides reporters' names and phones from roles that may not see them.
extension Services {
    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    ]
    static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    static let geojson = "application/geo+json"
    /// Largest page; larger `limit` values are clamped to it (as the standard asks), not refused.
    static let maxLimit = 10_000

    /// A collection: a residential level, an overlay layer, or the events.
    enum CollectionID: Equatable {
        case grids(GridLayer, GridLevel?)
        case events

        init?(_ id: String) {
            if id == "events" { self = .events }
            else if let level = GridLevel(rawValue: id) { self = .grids(.residential, level) }
            else if id == "functional" { self = .grids(.functional, nil) }
            else if id == "industry" { self = .grids(.industry, nil) }
            else { return nil }
        }

        static let all: [(String, CollectionID)] = [
            ("street", .grids(.residential, .street)), ("community", .grids(.residential, .community)),
            ("courtyard", .grids(.residential, .courtyard)), ("building", .grids(.residential, .building)),
            ("functional", .grids(.functional, nil)), ("industry", .grids(.industry, nil)), ("events", .events),
        ]

        var title: String {
            switch self {
            case .grids(.residential, let level?): return "\(level.rawValue.capitalized) grids (\(level.chineseName))"
            case .grids(.functional, _): return "Functional grids (功能型网格)"
            case .grids(.industry, _): return "Industry grids (行业网格)"
            case .grids: return "Grids"
            case .events: return "Events (网格事件)"
            }
        }
    }

    var featureRoutes: [APIRoute] {
        let database = self.database, engine = self.engine, gridPages = self.gridPages, eventPages = self.eventPages
        let collectionParameter = APIRoute.Parameter(name: "collectionId", location: .path, type: "string", required: true,
                                                     description: "street, community, courtyard, building, functional, industry or events",
                                                     enumValues: CollectionID.all.map(\.0))
        return [
            APIRoute(method: .get, path: "/", summary: "Landing page (OGC API – Features)", tag: "features", roles: nil,
                     parameters: [Self.formatParameter],
                     answers: [.init(status: 200, description: "Links to the API description, conformance and collections", schema: "LandingPage")]) { request, _, _ in
                let q = try Query(request, allowed: ["f"])
                try Self.checkFormat(q)
                let base = Self.baseURL(request)
                return .json(.object(JSONObject([
                    ("title", .string("Wangge (网格) grid management service")),
                    ("description", .string("Grid boundaries of every layer and the events assigned to them, as OGC API – Features")),
                    ("links", .array([
                        Self.link(base + "/", "self", "application/json", "This document"),
                        Self.link(base + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition"),
                        Self.link(base + "/map", "service-doc", "text/html", "A map of the grids and events"),
                        Self.link(base + "/conformance", "conformance", "application/json", "Conformance classes"),
                        Self.link(base + "/collections", "data", "application/json", "The collections"),
                    ])),
                ])))
            },
            APIRoute(method: .get, path: "/conformance", summary: "Conformance classes implemented", tag: "features", roles: nil,
                     parameters: [Self.formatParameter],
                     answers: [.init(status: 200, description: "The conformance classes", schema: "Conformance")]) { request, _, _ in
                try Self.checkFormat(try Query(request, allowed: ["f"]))
                return .json(.object(JSONObject([("conformsTo", .array(Self.conformance.map { .string($0) }))])))
            },
            APIRoute(method: .get, path: "/collections", summary: "The feature collections", tag: "features", roles: nil,
                     parameters: [Self.formatParameter],
                     answers: [.init(status: 200, description: "Every collection", schema: "Collections")]) { request, _, _ in
                try Self.checkFormat(try Query(request, allowed: ["f"]))
                let base = Self.baseURL(request)
                let collections = try CollectionID.all.map { id, c in try Self.collectionJSON(id, c, base: base, database: database) }
                return .json(.object(JSONObject([
                    ("links", .array([Self.link(base + "/collections", "self", "application/json", "This document")])),
                    ("collections", .array(collections)),
                ])))
            },
            APIRoute(method: .get, path: "/collections/{collectionId}", summary: "One collection", tag: "features", roles: nil,
                     parameters: [collectionParameter, Self.formatParameter],
                     answers: [.init(status: 200, description: "The collection", schema: "Collection"),
                               .init(status: 404, description: "No such collection")]) { request, context, _ in
                try Self.checkFormat(try Query(request, allowed: ["f"]))
                let (id, c) = try Self.collection(context)
                return .json(try Self.collectionJSON(id, c, base: Self.baseURL(request), database: database))
            },
            APIRoute(method: .get, path: "/collections/{collectionId}/items",
                     summary: "Features of a collection (boundary collections are public; events need a token)",
                     tag: "features", roles: nil,
                     parameters: [collectionParameter] + Self.itemParameters,
                     answers: [.init(status: 200, description: "A page of features with next links", schema: "FeatureCollectionPage", contentType: Self.geojson,
                                     headers: ["ETag": "boundary collections: a validator for If-None-Match"]),
                               .init(status: 304, description: "Boundary collections: not modified since the ETag given in If-None-Match", schema: nil),
                               .init(status: 401, description: "events: no token, or a token that is unknown or revoked"),
                               .init(status: 404, description: "No such collection")]) { request, context, identity in
                let (id, c) = try Self.collection(context)
                switch c {
                case .grids(let layer, let level):
                    return try Self.gridItems(request, id: id, layer: layer, level: level, database: database, engine: engine, gridPages: gridPages)
                case .events:
                    guard let identity else {
                        throw APIError(.unauthorized, code: "unauthorized", message: "the events collection needs a bearer token (Authorization: Bearer wg_…)")
                    }
                    return try Self.eventItems(request, identity: identity, database: database, pages: eventPages)
                }
            },
            APIRoute(method: .get, path: "/collections/{collectionId}/items/{featureId}", summary: "One feature", tag: "features", roles: nil,
                     parameters: [collectionParameter,
                                  .init(name: "featureId", location: .path, type: "string", required: true, description: "A grid code or an event id"),
                                  Self.formatParameter],
                     answers: [.init(status: 200, description: "The feature", schema: "Feature", contentType: Self.geojson),
                               .init(status: 401, description: "events: no token, or a token that is unknown or revoked"),
                               .init(status: 404, description: "No such collection or feature")]) { request, context, identity in
                try Self.checkFormat(try Query(request, allowed: ["f"]))
                let (id, c) = try Self.collection(context)
                let featureID = context.parameters.get("featureId") ?? ""
                let base = Self.baseURL(request)
                var w = GeoJSONWriter()
                switch c {
                case .grids(let layer, let level):
                    guard let g = try database.grids(code: featureID).first(where: { $0.layer == layer && (level == nil || $0.level == level) }) else {
                        throw APIError(.notFound, code: "not_found", message: "no feature \(featureID) in collection \(id)")
                    }
                    Self.writeFeature(&w, id: g.code, geometry: try WKB.decode(g.wkb), properties: Self.gridProperties(g),
                                      links: [Self.link("\(base)/collections/\(id)/items/\(g.code)", "self", Self.geojson, "This feature"),
                                              Self.link("\(base)/collections/\(id)", "collection", "application/json", "The collection")])
                case .events:
                    guard let identity else { throw APIError(.unauthorized, code: "unauthorized", message: "the events collection needs a bearer token") }
                    guard let n = Int64(featureID), let record = try database.event(id: n),
                          Self.visible(record, identity) else {
                        throw APIError(.notFound, code: "not_found", message: "no feature \(featureID) in collection events")
                    }
                    Self.writeFeature(&w, id: String(record.id), geometry: .point(x: record.event.lon, y: record.event.lat),
                                      properties: Self.eventProperties(record, showReporter: identity.seesReporterIdentity),
                                      links: [Self.link("\(base)/collections/events/items/\(record.id)", "self", Self.geojson, "This feature"),
                                              Self.link("\(base)/collections/events", "collection", "application/json", "The collection")])
                }
                return Response.bytes(w.bytes, contentType: Self.geojson)
            },
        ]
    }

    // MARK: parameters

    static let formatParameter = APIRoute.Parameter(name: "f", location: .query, type: "string",
                                                    description: "Format: json (default; GeoJSON for features)", enumValues: ["json", "geojson"])

    static let itemParameters: [APIRoute.Parameter] = [
        .init(name: "limit", location: .query, type: "integer", description: "Features per page (1–10000, default 100; larger values are clamped to 10000)", minimum: 1),
        .init(name: "offset", location: .query, type: "integer", description: "Boundary collections: features to skip (next links set it)", minimum: 0),
        .init(name: "cursor", location: .query, type: "string", description: "events: where the next page starts (next links set it)"),
        .init(name: "bbox", location: .query, type: "string", description: "minLon,minLat,maxLon,maxLat in CRS84; minLon > maxLon crosses the antimeridian",
              pattern: "^-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?$"),
        .init(name: "datetime", location: .query, type: "string", description: "events: an RFC 3339 instant, or an interval start/end with .. for open ends (on occurred_at)"),
        .init(name: "status", location: .query, type: "string", description: "events: only this status", enumValues: EventStatus.allCases.map(\.rawValue)),
        .init(name: "type", location: .query, type: "string", description: "events: only this event type"),
        .init(name: "severity", location: .query, type: "integer", description: "events: only this severity (1–4)", minimum: 1, maximum: 4),
        .init(name: "grid", location: .query, type: "string", description: "events: only events assigned to this grid code"),
        .init(name: "properties", location: .query, type: "string", description: "Comma-separated properties to include (default all)"),
        .init(name: "simplify", location: .query, type: "number", description: "Overlays: simplify boundaries by this many metres, keeping topology (0–1000)", minimum: 0, maximum: 1000),
        formatParameter,
    ]

    static func checkFormat(_ q: Query) throws {
        if let f = try q.nonEmpty("f"), f != "json" && f != "geojson" {
            throw APIError(.badRequest, code: "bad_parameter", message: "f must be json or geojson", details: [FieldError("f", "unsupported format")])
        }
    }

    static func collection(_ context: AppRequestContext) throws -> (String, CollectionID) {
        let id = context.parameters.get("collectionId") ?? ""
        guard let c = CollectionID(id) else {
            throw APIError(.notFound, code: "not_found", message: "no collection \(id); collections: \(CollectionID.all.map(\.0).joined(separator: ", "))")
        }
        return (id, c)
    }

    // MARK: JSON pieces

    static func link(_ href: String, _ rel: String, _ type: String, _ title: String) -> JSONValue {
        .object(JSONObject([("href", .string(href)), ("rel", .string(rel)), ("type", .string(type)), ("title", .string(title))]))
    }

    /// The scheme and authority the client used (links must work from where the client stands).
    static func baseURL(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        return "http://\(host)"
    }

    static func collectionJSON(_ id: String, _ c: CollectionID, base: String, database: AppDatabase) throws -> JSONValue {
        var extent = BoundingBox.empty
        var interval: JSONValue = .null
        switch c {
        case .grids(let layer, _):
            for g in try database.grids(in: layer) { extent.extend(g.bbox) }
        case .events:
            if let (b, first, last) = try database.eventExtent() {
                extent = b
                interval = .array([.array([.string(Timestamp.format(first)), .string(Timestamp.format(last))])])
            }
        }
        var spatial = JSONObject([("crs", .string(crs84))])
        spatial["bbox"] = extent.isEmpty ? .array([]) : .array([.array([extent.minX, extent.minY, extent.maxX, extent.maxY].map { .number(JSONNumber($0)) })])
        var ext = JSONObject([("spatial", .object(spatial))])
        if interval != .null { ext["temporal"] = .object(JSONObject([("interval", interval), ("trs", .string("http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"))])) }
        return .object(JSONObject([
            ("id", .string(id)), ("title", .string(c.title)), ("itemType", .string("feature")),
            ("crs", .array([.string(crs84)])), ("extent", .object(ext)),
            ("links", .array([
                link("\(base)/collections/\(id)", "self", "application/json", "This collection"),
                link("\(base)/collections/\(id)/items", "items", geojson, "Its features"),
            ])),
        ]))
    }

    static func writeFeature(_ w: inout GeoJSONWriter, id: String, geometry: GeometryValue, properties: JSONObject, links: [JSONValue] = []) {
        w.append(#"{"type":"Feature","id":"#)
        w.appendString(id)
        w.append(#","geometry":"#)
        w.appendGeometry(geometry)
        w.append(#","properties":"#)
        w.appendObject(properties)
        if !links.isEmpty {
            w.append(#","links":"#)
            w.appendValue(.array(links))
        }
        w.append("}")
    }

    static func selected(_ p: JSONObject, _ keep: Set<String>?) -> JSONObject {
        guard let keep else { return p }
        return JSONObject(p.members.filter { keep.contains($0.key) }.map { ($0.key, $0.value) })
    }

    static func propertySelection(_ q: Query) throws -> Set<String>? {
        guard let s = try q.nonEmpty("properties") else { return nil }
        return Set(s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// A bbox in CRS84; one crossing the antimeridian (minLon > maxLon) becomes two boxes.
    static func featureBBoxes(_ q: Query) throws -> [BoundingBox]? {
        guard let s = try q.nonEmpty("bbox") else { return nil }
        let v = s.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4 || v.count == 6, v.allSatisfy({ $0?.isFinite == true }) else {
            throw APIError(.badRequest, code: "bad_parameter", message: "bbox must be minLon,minLat,maxLon,maxLat", details: [FieldError("bbox", "must be 4 numbers")])
        }
        let n = v.map { $0! }
        let (x0, y0, x1, y1) = n.count == 4 ? (n[0], n[1], n[2], n[3]) : (n[0], n[1], n[3], n[4])
        guard abs(x0) <= 180, abs(x1) <= 180, abs(y0) <= 90, abs(y1) <= 90, y0 <= y1 else {
            throw APIError(.badRequest, code: "bad_parameter", message: "bbox must lie within −180…180 / −90…90 with minLat ≤ maxLat", details: [FieldError("bbox", "out of range")])
        }
        if x0 <= x1 { return [BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1)] }
        return [BoundingBox(minX: x0, minY: y0, maxX: 180, maxY: y1), BoundingBox(minX: -180, minY: y0, maxX: x1, maxY: y1)]
    }

    static func limit(_ q: Query) throws -> Int {
        guard let s = try q.nonEmpty("limit") else { return 100 }
        guard let v = Int(s), v >= 1 else {
            throw APIError(.badRequest, code: "bad_parameter", message: "limit must be a positive integer", details: [FieldError("limit", "must be a positive integer")])
        }
        return min(v, maxLimit)
    }

    /// The request's query with some parameters replaced (for next links).
    static func query(_ request: Request, replacing: [String: String]) -> String {
        var items: [(String, String)] = []
        for (k, v) in request.uri.queryParameters where replacing[String(k)] == nil { items.append((String(k), String(v))) }
        for (k, v) in replacing.sorted(by: { $0.key < $1.key }) { items.append((k, v.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? v)) }
        return items.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func page(_ body: (inout GeoJSONWriter) throws -> Int, matched: Int?, links: [JSONValue], now: Double) rethrows -> [UInt8] {
        var w = GeoJSONWriter(reserving: 1 << 16)
        w.append(#"{"type":"FeatureCollection","features":["#)
        let returned = try body(&w)
        w.append("],")
        if let matched { w.append(#""numberMatched":"#); w.appendInt(matched); w.append(",") }
        w.append(#""numberReturned":"#); w.appendInt(returned)
        w.append(#","timeStamp":"#); w.appendString(Timestamp.format(now.rounded(.down)))
        w.append(#","links":"#); w.appendValue(.array(links))
        w.append("}")
        return w.bytes
    }

    // MARK: grids

    static func gridItems(_ request: Request, id: String, layer: GridLayer, level: GridLevel?, database: AppDatabase,
                          engine: AssignmentEngine, gridPages: PageCache) throws -> Response {
        let q = try Query(request, allowed: ["limit", "offset", "bbox", "properties", "simplify", "f"])
        try checkFormat(q)
        let limit = try limit(q)
        let offset = try q.int("offset", range: 0...Int(Int32.max)) ?? 0
        let boxes = try featureBBoxes(q)
        let keep = try propertySelection(q)
        let simplify = try q.double("simplify", range: 0...1000)
        if simplify != nil && layer == .residential {
            throw APIError(.badRequest, code: "bad_parameter", message: "simplify applies to the overlay collections (functional, industry); residential grids are served exact so they keep tiling",
                           details: [FieldError("simplify", "not for residential levels")])
        }
        // A validator for the whole answer: the collection (the residential levels share one layer and one import),
        // the layer's import and the request.
        let importID = try database.imports(layer: layer).first?.id ?? 0
        let etag = "W/\"\(id)-\(importID)-\(SHA256.hex(Array((request.uri.query ?? "").utf8)).prefix(16))\""
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            var r = Response(status: .notModified)
            r.headers[.eTag] = etag
            return r
        }
        let key = etag + " " + baseURL(request)
        let entry = try gridPages.entry(key) {
            var grids = try database.grids(in: layer).filter { level == nil || $0.level == level }
            if let boxes { grids = grids.filter { g in boxes.contains { $0.intersects(g.bbox) } } }
            let matched = grids.count
            let slice = grids.dropFirst(offset).prefix(limit)
            let base = baseURL(request)
            var links = [link("\(base)/collections/\(id)/items?\(query(request, replacing: [:]))", "self", geojson, "This page"),
                         link("\(base)/collections/\(id)", "collection", "application/json", "The collection")]
            if offset + slice.count < matched {
                links.append(link("\(base)/collections/\(id)/items?\(query(request, replacing: ["offset": String(offset + slice.count), "limit": String(limit)]))", "next", geojson, "Next page"))
            }
            var w = GeoJSONWriter(reserving: 1 << 16)
            for (n, g) in slice.enumerated() {
                if n > 0 { w.append(",") }
                var geometry = try WKB.decode(g.wkb)
                if let m = simplify, m > 0 { geometry = engine.simplified(geometry, metres: m) ?? geometry }
                writeFeature(&w, id: g.code, geometry: geometry, properties: selected(gridProperties(g), keep))
            }
            return PageCache.Entry(features: ByteBuffer(bytes: w.bytes), matched: matched, returned: slice.count, links: links)
        }
        var r = response(entry)
        r.headers[.eTag] = etag
        r.headers[.cacheControl] = "no-cache"
        return r
    }

    /// A page from its rendered features; the members around them (timeStamp) are made for this response.
    static func response(_ entry: PageCache.Entry) -> Response {
        var head = GeoJSONWriter()
        head.append(#"{"type":"FeatureCollection","features":["#)
        let tail = page({ _ in entry.returned }, matched: entry.matched, links: entry.links, now: Date().timeIntervalSince1970)
        let buffers = [ByteBuffer(bytes: head.bytes), entry.features, ByteBuffer(bytes: tail[head.bytes.count...])]
        return Response(status: .ok, headers: [.contentType: geojson], body: ResponseBody(contentsOf: buffers))
    }

    // MARK: events

    static func visible(_ r: EventRecord, _ identity: Identity) -> Bool {
        switch visibility(for: identity) {
        case .all: return true
        case .submittedBy(let t): return r.event.submittedBy == t
        case .department(let d): return r.department == d
        }
    }

    static func eventProperties(_ r: EventRecord, showReporter: Bool) -> JSONObject {
        let e = r.event, a = e.assignment.residential
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        var p = JSONObject([("id", .number(JSONNumber(Int(r.id)))), ("status", .string(r.status.rawValue)), ("type", .string(e.type)),
                            ("severity", .number(JSONNumber(e.severity))), ("description", .string(e.description)),
                            ("channel", .string(e.channel.rawValue)), ("occurred_at", .string(Timestamp.format(e.occurredAt))),
                            ("reported_at", .string(Timestamp.format(e.reportedAt))), ("match", .string(a.match.rawValue)),
                            ("street", opt(a.street)), ("community", opt(a.community)), ("courtyard", opt(a.courtyard)),
                            ("building", opt(a.building)), ("functional", .string(e.assignment.functional.grids.joined(separator: ";"))),
                            ("industry", .string(e.assignment.industry.grids.joined(separator: ";"))), ("outside", .bool(e.isOutside)),
                            ("department", opt(r.department))])
        if showReporter {
            p["reporter_name"] = .string(e.reporterName)
            p["reporter_phone"] = .string(e.reporterPhone)
        }
        return p
    }

    static func eventItems(_ request: Request, identity: Identity, database: AppDatabase, pages: PageCache) throws -> Response {
        let q = try Query(request, allowed: ["limit", "cursor", "bbox", "datetime", "status", "type", "severity", "grid", "properties", "f"])
        try checkFormat(q)
        var query = EventQuery()
        query.limit = try limit(q)
        query.status = try q.choice("status", EventStatus.self)
        query.type = try q.nonEmpty("type")
        query.grid = try q.nonEmpty("grid")
        query.severity = try q.int("severity", range: 1...4)
        if let (since, until) = try datetime(q) { query.since = since; query.until = until }
        let boxes = try featureBBoxes(q)
        if let c = try q.nonEmpty("cursor") {
            guard let id = decodeCursor(c) else {
                throw APIError(.badRequest, code: "bad_parameter", message: "cursor is not one this service issued", details: [FieldError("cursor", "invalid")])
            }
            query.beforeID = id
        }
        query.visibility = visibility(for: identity)
        let keep = try propertySelection(q)
        let show = identity.seesReporterIdentity
        let base = baseURL(request)
        // Kept until the next event change; the key holds everything the page depends on besides the data.
        let key = "\(request.uri.query ?? "")|\(query.visibility)|\(show)|\(base)"
        let entry = try pages.entry(key, version: try database.eventsVersion()) {
            // An antimeridian-crossing bbox is two queries merged newest first.
            var records: [EventRecord] = []
            var matched = 0
            let regions: [BoundingBox?] = boxes.map { $0.map { Optional($0) } } ?? [nil]
            for box in regions {
                var sub = query
                sub.bbox = box
                sub.limit = query.limit + 1
                records += try database.events(sub)
                var countQuery = sub
                countQuery.beforeID = nil
                matched += try database.countEvents(countQuery)
            }
            records.sort { $0.id > $1.id }
            let more = records.count > query.limit
            let pageRecords = records.prefix(query.limit)
            var links = [link("\(base)/collections/events/items?\(Self.query(request, replacing: [:]))", "self", geojson, "This page"),
                         link("\(base)/collections/events", "collection", "application/json", "The collection")]
            if more, let last = pageRecords.last {
                links.append(link("\(base)/collections/events/items?\(Self.query(request, replacing: ["cursor": encodeCursor(last.id), "limit": String(query.limit)]))", "next", geojson, "Next page"))
            }
            // Room for the whole page up front (a feature is 400–500 bytes): growing by doubling would hold two
            // copies at once, which is what sets the peak memory of a 10,000-event page.
            var w = GeoJSONWriter(reserving: max(1 << 16, pageRecords.count * 512))
            for (i, r) in pageRecords.enumerated() {
                if i > 0 { w.append(",") }
                writeFeature(&w, id: String(r.id), geometry: .point(x: r.event.lon, y: r.event.lat),
                             properties: selected(eventProperties(r, showReporter: show), keep))
            }
            return PageCache.Entry(features: ByteBuffer(bytes: w.bytes), matched: matched, returned: pageRecords.count, links: links)
        }
        return response(entry)
    }

    /// `datetime`: an instant, or `start/end` with `..` or empty for an open end.
    static func datetime(_ q: Query) throws -> (Double?, Double?)? {
        guard let s = try q.nonEmpty("datetime") else { return nil }
        func bad() -> APIError {
            APIError(.badRequest, code: "bad_parameter", message: "datetime must be an RFC 3339 instant or an interval start/end (.. for an open end)",
                     details: [FieldError("datetime", "not an RFC 3339 instant or interval")])
        }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            guard let t = Timestamp.parse(parts[0]) else { throw bad() }
            return (t, t + 0.001)
        }
        guard parts.count == 2 else { throw bad() }
        func end(_ p: String) throws -> Double? {
            if p.isEmpty || p == ".." { return nil }
            guard let t = Timestamp.parse(p) else { throw bad() }
            return t
        }
        let a = try end(parts[0]), b = try end(parts[1])
        if a == nil && b == nil && parts[0] != ".." && parts[1] != ".." { throw bad() }
        if let a, let b, a > b { throw bad() }
        return (a, b.map { $0 + 0.001 })
    }
}
