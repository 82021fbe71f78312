import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import WanggeCore
import WanggeGeo
import WanggeAssignment
import WanggeUseCases

/// OGC API – Features, Part 1 (core, geojson, oas30): landing page, conformance, collections and their items.
/// Boundary collections (one per residential level, one per overlay layer) are public; `events` needs a token and
/// hides reporters' names and phones from roles that may not see them. Every items request is one `FeatureQuery`
/// the store plans; rendered pages are kept (see `PageCache`).
struct FeaturesController: Sendable {
    let features: any FeatureRepository & EventRepository
    let grids: any GridRepository
    let engine: AssignmentEngine
    /// The organisations collection (points the engine assigned; contact names for tokens, never phones).
    let community: Community
    /// Rendered pages of the boundary collections and of events.
    let gridPages = PageCache(capacity: 16 << 20)
    let eventPages = PageCache(capacity: 8 << 20)

    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        // Part 2: crs and bbox-crs with any EPSG code PROJ knows, Content-Crs.
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        // Part 3 (filtering) and CQL2: what `CQL2` reads and the store plans.
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    ]
    static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

    /// A collection: a residential level, an overlay layer, or the events.
    enum CollectionID: Equatable {
        case grids(GridLayer, GridLevel?)
        case events
        case organisations
        case components

        /// A collection by id: one per level of the residential layer's scheme, each overlay, events, organisations.
        init?(_ id: String, levels: LevelScheme) {
            if id == "events" { self = .events }
            else if id == "organisations" { self = .organisations }
            else if id == "components" { self = .components }
            else if let level = levels.level(named: id) { self = .grids(.residential, level) }
            else if id == "functional" { self = .grids(.functional, nil) }
            else if id == "industry" { self = .grids(.industry, nil) }
            else { return nil }
        }

        static func all(_ levels: LevelScheme) -> [(String, CollectionID)] {
            levels.levels.map { ($0.name, .grids(.residential, $0)) } + [
                ("functional", .grids(.functional, nil)), ("industry", .grids(.industry, nil)), ("events", .events),
                ("organisations", .organisations), ("components", .components),
            ]
        }

        var title: String {
            switch self {
            case .grids(.residential, let level?): return "\(level.rawValue.capitalized) grids (\(level.chineseName))"
            case .grids(.functional, _): return "Functional grids (功能型网格)"
            case .grids(.industry, _): return "Industry grids (行业网格)"
            case .grids: return "Grids"
            case .events: return "Events (网格事件)"
            case .organisations: return "Organisations on the grids (驻区单位)"
            case .components: return "Components (部件): manhole covers, lights, bins, signs"
            }
        }

        /// What a `filter` may name (none: the collection takes no filter).
        func queryables(_ levels: LevelScheme) -> [Queryable] {
            switch self {
            case .grids: return Queryables.grids(levels)
            case .events: return Queryables.events(levels)
            case .organisations, .components: return []
            }
        }
    }

    struct Link: Encodable {
        var href: String
        var rel: String
        var type: String
        var title: String
    }

    struct LandingPage: Encodable {
        var title = "Wangge (网格) grid management service"
        var description = "Grid boundaries of every layer and the events assigned to them, as OGC API – Features"
        var links: [Link]
    }

    struct Conformance: Encodable {
        var conformsTo: [String]
    }

    static let format = APIRoute.Parameter(name: "f", location: .query, type: "string",
                                           description: "Format: json (default; GeoJSON for features)", enumValues: ["json", "geojson"])
    /// The collections when the routes are made (the residential layer's levels then).
    var collectionParameter: APIRoute.Parameter {
        let ids = CollectionID.all(engine.levels).map(\.0)
        return APIRoute.Parameter(name: "collectionId", location: .path, type: "string", required: true,
                                  description: "A residential level's collection (\(engine.levels.names.joined(separator: ", "))), functional, industry, events, organisations or components",
                                  enumValues: ids)
    }

    static let itemParameters: [APIRoute.Parameter] = [
        FeatureRequest.limit,
        .init(name: "offset", location: .query, type: "integer", description: "Boundary and organisation collections: features to skip", minimum: 0, maximum: Double(Int32.max)),
        FeatureRequest.cursor, FeatureRequest.bbox, FeatureRequest.bboxCRS, FeatureRequest.crs,
        .init(name: "datetime", location: .query, type: "string", description: "events: an RFC 3339 instant, or an interval start/end with .. for open ends (on occurred_at)"),
        FeatureRequest.status, FeatureRequest.type, FeatureRequest.severity, FeatureRequest.grid,
        FeatureRequest.filter, FeatureRequest.filterLang, FeatureRequest.filterCRS,
        .init(name: "properties", location: .query, type: "string", description: "Comma-separated properties to include (default all)"),
        .init(name: "simplify", location: .query, type: "number", description: "Overlays: simplify boundaries by this many metres, keeping topology (0–1000)", minimum: 0, maximum: 1000),
        FeatureRequest.dateParameter,
        format,
    ]

    var routes: [APIRoute] {
        [
            APIRoute(method: .get, path: "/", summary: "Landing page (OGC API – Features)", tag: "features", roles: nil,
                     parameters: [Self.format],
                     answers: [.init(status: 200, description: "Links to the API description, conformance and collections", schema: "LandingPage")],
                     handler: landing),
            APIRoute(method: .get, path: "/conformance", summary: "Conformance classes implemented", tag: "features", roles: nil,
                     parameters: [Self.format],
                     answers: [.init(status: 200, description: "The conformance classes", schema: "Conformance")], handler: conformance),
            APIRoute(method: .get, path: "/collections", summary: "The feature collections", tag: "features", roles: nil,
                     parameters: [Self.format],
                     answers: [.init(status: 200, description: "Every collection", schema: "Collections")], handler: collections),
            APIRoute(method: .get, path: "/collections/{collectionId}", summary: "One collection", tag: "features", roles: nil,
                     parameters: [collectionParameter, Self.format],
                     answers: [.init(status: 200, description: "The collection", schema: "Collection"),
                               .init(status: 404, description: "No such collection")], handler: collection),
            APIRoute(method: .get, path: "/collections/{collectionId}/queryables",
                     summary: "The properties a filter may name, with their types (a JSON Schema)", tag: "features", roles: nil,
                     parameters: [collectionParameter, Self.format],
                     answers: [.init(status: 200, description: "The queryables", schema: "Queryables", contentType: "application/schema+json"),
                               .init(status: 404, description: "No such collection")], handler: queryables),
            APIRoute(method: .get, path: "/collections/{collectionId}/items",
                     summary: "Features of a collection (boundary collections are public; events need a token)",
                     tag: "features", roles: nil,
                     parameters: [collectionParameter] + Self.itemParameters,
                     answers: [.init(status: 200, description: "A page of features with next links", schema: "FeatureCollectionPage", contentType: FeatureJSON.geojson,
                                     headers: ["ETag": "boundary collections: a validator for If-None-Match"]),
                               .init(status: 304, description: "Boundary collections: not modified since the ETag given in If-None-Match", schema: nil),
                               .init(status: 401, description: "events: no token, or a token that is unknown or revoked"),
                               .init(status: 404, description: "No such collection; with date: no version of the layer was in use then"),
                               .init(status: 409, description: "date: the version in use then was retired before versions kept their grids")], handler: items),
            APIRoute(method: .get, path: "/collections/{collectionId}/items/{featureId}", summary: "One feature", tag: "features", roles: nil,
                     parameters: [collectionParameter,
                                  .init(name: "featureId", location: .path, type: "string", required: true, description: "A grid code or an event id"),
                                  FeatureRequest.crs, FeatureRequest.dateParameter, Self.format],
                     answers: [.init(status: 200, description: "The feature", schema: "Feature", contentType: FeatureJSON.geojson),
                               .init(status: 401, description: "events: no token, or a token that is unknown or revoked"),
                               .init(status: 404, description: "No such collection or feature (with date: then)"),
                               .init(status: 409, description: "date: the version in use then was retired before versions kept their grids")], handler: item),
        ]
    }

    // MARK: metadata

    @Sendable func landing(_ r: RouteRequest) async throws -> Response {
        _ = try r.query.choice("f", Format.self)
        let base = r.baseURL
        return try .json(LandingPage(links: [
            Link(href: base + "/", rel: "self", type: "application/json", title: "This document"),
            Link(href: base + "/api", rel: "service-desc", type: "application/vnd.oai.openapi+json;version=3.0", title: "The API definition"),
            Link(href: base + "/map", rel: "service-doc", type: "text/html", title: "A map of the grids and events"),
            Link(href: base + "/conformance", rel: "conformance", type: "application/json", title: "Conformance classes"),
            Link(href: base + "/collections", rel: "data", type: "application/json", title: "The collections"),
        ]))
    }

    @Sendable func conformance(_ r: RouteRequest) async throws -> Response {
        _ = try r.query.choice("f", Format.self)
        return try .json(Conformance(conformsTo: Self.conformance))
    }

    @Sendable func collections(_ r: RouteRequest) async throws -> Response {
        _ = try r.query.choice("f", Format.self)
        let base = r.baseURL
        return .json(.object(JSONObject([
            ("links", .array([FeatureJSON.link(base + "/collections", "self", "application/json", "This document")])),
            ("collections", .array(try CollectionID.all(engine.levels).map { id, c in try collectionJSON(id, c, base: base) })),
        ])))
    }

    @Sendable func collection(_ r: RouteRequest) async throws -> Response {
        _ = try r.query.choice("f", Format.self)
        let (id, c) = try collection(r)
        return .json(try collectionJSON(id, c, base: r.baseURL))
    }

    enum Format: String, CaseIterable { case json, geojson }

    func collection(_ r: RouteRequest) throws -> (String, CollectionID) {
        let id = r.path("collectionId")
        guard let c = CollectionID(id, levels: engine.levels) else {
            throw APIError(.notFound, code: "not_found", message: "no collection \(id); collections: \(CollectionID.all(engine.levels).map(\.0).joined(separator: ", "))")
        }
        return (id, c)
    }

    func collectionJSON(_ id: String, _ c: CollectionID, base: String) throws -> JSONValue {
        var extent: BoundingBox?
        var interval: JSONValue = .null
        switch c {
        case .grids(let layer, let level):
            extent = try features.gridExtent(layer: layer, level: level)
        case .events:
            if let (b, first, last) = try features.eventExtent() {
                extent = b
                interval = .array([.array([.string(Timestamp.format(first)), .string(Timestamp.format(last))])])
            }
        case .organisations, .components:
            let list = try points(c, identity: nil)
            if let first = list.first {
                extent = list.reduce(BoundingBox(minX: first.lon, minY: first.lat, maxX: first.lon, maxY: first.lat)) { b, o in
                    BoundingBox(minX: min(b.minX, o.lon), minY: min(b.minY, o.lat), maxX: max(b.maxX, o.lon), maxY: max(b.maxY, o.lat))
                }
            }
        }
        var spatial = JSONObject([("crs", .string(Self.crs84))])
        spatial["bbox"] = extent.map { e in .array([.array([e.minX, e.minY, e.maxX, e.maxY].map { .number(JSONNumber($0)) })]) } ?? .array([])
        var ext = JSONObject([("spatial", .object(spatial))])
        if interval != .null { ext["temporal"] = .object(JSONObject([("interval", interval), ("trs", .string("http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"))])) }
        return .object(JSONObject([
            ("id", .string(id)), ("title", .string(c.title)), ("itemType", .string("feature")),
            ("crs", .array(OutputCRS.listedURIs.map { .string($0) })),
            ("storageCrs", .string(Self.crs84)), ("extent", .object(ext)),
            ("links", .array([
                FeatureJSON.link("\(base)/collections/\(id)", "self", "application/json", "This collection"),
                FeatureJSON.link("\(base)/collections/\(id)/items", "items", FeatureJSON.geojson, "Its features"),
            ] + (c.queryables(engine.levels).isEmpty ? [] : [
                FeatureJSON.link("\(base)/collections/\(id)/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "What a filter may name"),
                // The draft's relation, which GDAL 3.6 looks for.
                FeatureJSON.link("\(base)/collections/\(id)/queryables", "queryables", "application/schema+json", "What a filter may name"),
            ]))),
        ]))
    }

    /// The queryables as a JSON Schema (Part 3), plus the draft's `queryables` array that GDAL 3.6 reads to
    /// know which properties it may push down (an annotation a JSON Schema reader ignores).
    @Sendable func queryables(_ r: RouteRequest) async throws -> Response {
        _ = try r.query.choice("f", Format.self)
        let (id, c) = try collection(r)
        guard !c.queryables(engine.levels).isEmpty else {
            throw APIError(.notFound, code: "not_found", message: "the \(id) collection takes no filter")
        }
        let doc = JSONObject([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("\(r.baseURL)/collections/\(id)/queryables")),
            ("type", .string("object")), ("title", .string(c.title)),
            ("properties", .object(JSONObject(c.queryables(engine.levels).map { ($0.name, .object($0.schema)) }))),
            ("additionalProperties", .bool(false)),
            ("queryables", .array(c.queryables(engine.levels).map { .object(JSONObject([("id", .string($0.name)), ("type", $0.schema["type"] ?? .string("geometry"))])) })),
        ])
        var answer = Response.json(.object(doc))
        answer.headers[.contentType] = "application/schema+json"
        return answer
    }

    // MARK: items

    @Sendable func items(_ r: RouteRequest) async throws -> Response {
        let (id, c) = try collection(r)
        switch c {
        case .grids(let layer, let level):
            return try gridItems(r, id: id, layer: layer, level: level)
        case .events:
            guard let identity = r.identity else {
                throw APIError.needsToken("the events collection")
            }
            return try eventItems(r, identity: identity)
        case .organisations, .components:
            return try pointItems(r, c)
        }
    }

    /// A feature of a point collection (organisations, components), as the collection pages write it.
    struct PointFeature {
        var id: String
        var lon: Double
        var lat: Double
        var grids: [String]
        var properties: JSONObject
    }

    /// The features of a point collection, in identifier order.
    func points(_ c: CollectionID, identity: Identity?) throws -> [PointFeature] {
        switch c {
        case .organisations:
            return try community.repository.organisations().map { o in
                PointFeature(id: o.id, lon: o.lon, lat: o.lat, grids: o.gridCodes,
                             properties: o.publicProperties(contacts: identity != nil, phones: false))
            }
        case .components:
            let names = community.componentClassNames()
            return try community.repository.components().map { c in
                PointFeature(id: c.id, lon: c.lon, lat: c.lat, grids: c.gridCodes, properties: c.properties(className: names[c.classID]))
            }
        case .grids, .events:
            return []
        }
    }

    /// A point collection's features, filtered in memory (a sub-district has hundreds of organisations, thousands of
    /// components): bbox, `grid`, offset paging.
    func pointItems(_ r: RouteRequest, _ c: CollectionID) throws -> Response {
        let name = c == .organisations ? "organisations" : "components"
        let q = r.query
        _ = try q.choice("f", Format.self)
        for p in ["datetime", "status", "type", "severity", "simplify", "filter", "date"] where q.string(p) != nil {
            throw APIError.badParameter(p, "does not apply to the \(name) collection")
        }
        if q.string("cursor") != nil { throw APIError.badParameter("cursor", "not for \(name); use offset (next links do)") }
        let boxes = try FeatureRequest.boxes(q)
        let grid = try q.nonEmpty("grid")
        let limit = min(try q.int("limit") ?? FeatureRequest.defaultLimit, FeatureRequest.maxLimit)
        let offset = try q.int("offset") ?? 0
        let properties = try FeatureRequest.properties(q)
        let all = try points(c, identity: r.identity).filter { o in
            (boxes.isEmpty || boxes.contains { $0.contains(x: o.lon, y: o.lat) }) && (grid.map { o.grids.contains($0) } ?? true)
        }
        let page = all.dropFirst(offset).prefix(limit)
        let crs = try FeatureRequest.outputCRS(q)
        let writer = try FeatureRequest.writer(for: crs)
        var w = GeoJSONWriter()
        if !crs.geographic { w.decimals = 3 }
        for (i, o) in page.enumerated() {
            if i > 0 { w.append(",") }
            FeatureJSON.writeFeature(&w, id: o.id, geometry: .point(x: o.lon, y: o.lat),
                                     properties: FeatureJSON.selected(o.properties, properties), crs: writer)
        }
        let base = r.baseURL
        var links = [FeatureJSON.link("\(base)/collections/\(name)/items?\(FeatureJSON.query(r.request, replacing: [:]))", "self", FeatureJSON.geojson, "This page"),
                     FeatureJSON.link("\(base)/collections/\(name)", "collection", "application/json", "The collection")]
        if offset + page.count < all.count {
            links.append(FeatureJSON.link("\(base)/collections/\(name)/items?\(FeatureJSON.query(r.request, replacing: ["offset": String(offset + page.count), "limit": String(limit)]))",
                                          "next", FeatureJSON.geojson, "Next page"))
        }
        return FeatureJSON.response(PageCache.Entry(features: ByteBuffer(bytes: w.bytes), matched: all.count, returned: page.count, links: links), crs: crs)
    }

    /// The features of one boundary collection. Pages are kept per import (a new import makes new keys).
    func gridItems(_ r: RouteRequest, id: String, layer: GridLayer, level: GridLevel?) throws -> Response {
        let q = r.query
        _ = try q.choice("f", Format.self)
        for name in ["datetime", "status", "type", "severity", "grid"] where q.string(name) != nil {
            throw APIError.badParameter(name, "applies to the events collection only")
        }
        var query = try FeatureRequest.common(q, .grids(layer, level: level))
        if let offset = try q.int("offset") {
            guard query.cursor == nil else { throw APIError.badParameter("offset", "cannot be given with cursor") }
            query.cursor = .offset(offset)
        }
        query.properties = try FeatureRequest.properties(q)
        query.filter = try FeatureRequest.filter(q, Queryables.grids(engine.levels))
        let active = try grids.activeVersions()[layer]
        if let time = try FeatureRequest.asOf(q) {
            let then = try FeatureRequest.version(grids, layer, at: time)
            if then.id != active?.id { query.version = then.id }
        }
        let crs = try FeatureRequest.outputCRS(q)
        let simplify = try q.double("simplify")
        if simplify != nil && layer == .residential {
            throw APIError.badParameter("simplify", "not for residential levels",
                                        message: "simplify applies to the overlay collections (functional, industry); residential grids are served exact so they keep tiling")
        }
        // A validator for the whole answer: the collection (the residential levels share one layer and one import),
        // the layer's import and the request.
        let importID = query.version ?? active?.id ?? 0
        let etag = "W/\"\(id)-\(importID)-\(SHA256.hex(Array((r.request.uri.query ?? "").utf8)).prefix(16))\""
        if let match = r.request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { let t = $0.trimmingCharacters(in: .whitespaces); return t == etag || t == "*" }) {
            var answer = Response(status: .notModified)
            answer.headers[.eTag] = etag
            return answer
        }
        let base = r.baseURL
        let entry = try gridPages.entry(etag + " " + base) {
            let page = try features.gridPage(query, count: true)
            var links = [FeatureJSON.link("\(base)/collections/\(id)/items?\(FeatureJSON.query(r.request, replacing: [:]))", "self", FeatureJSON.geojson, "This page"),
                         FeatureJSON.link("\(base)/collections/\(id)", "collection", "application/json", "The collection")]
            if let next = page.next {
                links.append(FeatureJSON.link("\(base)/collections/\(id)/items?\(FeatureJSON.query(r.request, replacing: ["cursor": FeatureRequest.encodeCursor(next), "limit": String(query.limit!)], removing: ["offset"]))",
                                              "next", FeatureJSON.geojson, "Next page"))
            }
            var w = GeoJSONWriter(reserving: 1 << 16)
            if !crs.geographic { w.decimals = 3 }  // metres: to the millimetre
            let writer = try FeatureRequest.writer(for: crs)
            for (n, g) in page.items.enumerated() {
                if n > 0 { w.append(",") }
                var geometry = try WKB.decode(g.wkb)
                if let m = simplify, m > 0 { geometry = engine.simplified(geometry, metres: m) ?? geometry }
                FeatureJSON.writeFeature(&w, id: g.code, geometry: geometry, properties: FeatureJSON.selected(FeatureJSON.gridProperties(g), query.properties),
                                         crs: writer)
            }
            return PageCache.Entry(features: ByteBuffer(bytes: w.bytes), matched: page.matched ?? 0, returned: page.items.count, links: links)
        }
        var answer = FeatureJSON.response(entry, crs: crs)
        answer.headers[.eTag] = etag
        answer.headers[.cacheControl] = "no-cache"
        return answer
    }

    /// The events the caller may see. Pages are kept until the next event change.
    func eventItems(_ r: RouteRequest, identity: Identity) throws -> Response {
        let q = r.query
        _ = try q.choice("f", Format.self)
        if try q.int("offset") != nil { throw APIError.badParameter("offset", "not for events; follow the next link (cursor)") }
        if try q.double("simplify") != nil { throw APIError.badParameter("simplify", "not for events") }
        if q.string("date") != nil { throw APIError.badParameter("date", "applies to the boundary collections (events keep the grids they were assigned)") }
        var query = try FeatureRequest.common(q, .events)
        try FeatureRequest.eventFilters(q, into: &query)
        if let (since, until) = try FeatureRequest.datetime(q) { query.since = since; query.until = until }
        query.properties = try FeatureRequest.properties(q)
        query.filter = try FeatureRequest.filter(q, Queryables.events(engine.levels))
        query.levels = engine.levels
        let crs = try FeatureRequest.outputCRS(q)
        query.visibility = identity.eventVisibility
        let show = identity.seesReporterIdentity
        let base = r.baseURL
        // The key holds everything the page depends on besides the data.
        let key = "\(r.request.uri.query ?? "")|\(query.visibility)|\(show)|\(base)|\(query.levels)"
        let entry = try eventPages.entry(key, version: try features.eventsVersion()) {
            // Room for the whole page up front (a feature is 400–500 bytes): growing by doubling would hold two
            // copies at once, which is what sets the peak memory of a 10,000-event page.
            var w = GeoJSONWriter(reserving: max(1 << 16, (query.limit ?? 100) * 512))
            var returned = 0
            let next: FeatureQuery.Cursor?
            var matched: Int?
            if !crs.geographic { w.decimals = 3 }
            if query.properties == nil && crs == .crs84 {
                // Every property: written straight from the statement's columns, no record decoded; the page and
                // its count from one read.
                (next, matched) = try features.eventPageRowsCounted(query) { row in
                    if returned > 0 { w.append(",") }
                    FeatureJSON.writeEventFeature(&w, row, showReporter: show, levels: query.levels)
                    returned += 1
                }
            } else {
                let page = try features.eventPage(query, count: false)
                let writer = try FeatureRequest.writer(for: crs)
                for (i, e) in page.items.enumerated() {
                    if i > 0 { w.append(",") }
                    FeatureJSON.writeFeature(&w, id: String(e.id), geometry: .point(x: e.event.lon, y: e.event.lat),
                                             properties: FeatureJSON.selected(FeatureJSON.eventProperties(e, showReporter: show, levels: query.levels), query.properties),
                                             crs: writer)
                }
                returned = page.items.count
                next = page.next
            }
            let total = try matched ?? features.countEvents(query)
            var links = [FeatureJSON.link("\(base)/collections/events/items?\(FeatureJSON.query(r.request, replacing: [:]))", "self", FeatureJSON.geojson, "This page"),
                         FeatureJSON.link("\(base)/collections/events", "collection", "application/json", "The collection")]
            if let next {
                links.append(FeatureJSON.link("\(base)/collections/events/items?\(FeatureJSON.query(r.request, replacing: ["cursor": FeatureRequest.encodeCursor(next), "limit": String(query.limit!)]))",
                                              "next", FeatureJSON.geojson, "Next page"))
            }
            return PageCache.Entry(features: ByteBuffer(bytes: w.bytes), matched: total, returned: returned, links: links)
        }
        return FeatureJSON.response(entry, crs: crs)
    }

    @Sendable func item(_ r: RouteRequest) async throws -> Response {
        _ = try r.query.choice("f", Format.self)
        let (id, c) = try collection(r)
        let featureID = r.path("featureId")
        let base = r.baseURL
        let crs = try FeatureRequest.outputCRS(r.query)
        let writer = try FeatureRequest.writer(for: crs)
        var w = GeoJSONWriter()
        if !crs.geographic { w.decimals = 3 }
        if case .grids = c {} else if r.query.string("date") != nil {
            throw APIError.badParameter("date", "applies to the boundary collections")
        }
        switch c {
        case .grids(let layer, let level):
            let candidates: [StoredGrid]
            if let time = try FeatureRequest.asOf(r.query) {
                candidates = try grids.versionGrids(FeatureRequest.version(grids, layer, at: time).id).filter { $0.code == featureID }
            } else {
                candidates = try grids.grids(code: featureID)
            }
            guard let g = candidates.first(where: { $0.layer == layer && (level == nil || $0.level == level) }) else {
                throw APIError(.notFound, code: "not_found", message: "no feature \(featureID) in collection \(id)")
            }
            FeatureJSON.writeFeature(&w, id: g.code, geometry: try WKB.decode(g.wkb), properties: FeatureJSON.gridProperties(g),
                                     links: [FeatureJSON.link("\(base)/collections/\(id)/items/\(g.code)", "self", FeatureJSON.geojson, "This feature"),
                                             FeatureJSON.link("\(base)/collections/\(id)", "collection", "application/json", "The collection")],
                                     crs: writer)
        case .events:
            guard let identity = r.identity else {
                throw APIError.needsToken("the events collection")
            }
            let notFound = APIError(.notFound, code: "not_found", message: "no feature \(featureID) in collection events")
            guard let n = Int64(featureID) else { throw notFound }
            let links = [FeatureJSON.link("\(base)/collections/events/items/\(n)", "self", FeatureJSON.geojson, "This feature"),
                         FeatureJSON.link("\(base)/collections/events", "collection", "application/json", "The collection")]
            let show = identity.seesReporterIdentity
            if crs == .crs84 {
                // Written straight from the row's columns, as the items pages are: no record decoded.
                guard try features.eventRow(id: n, visibility: identity.eventVisibility, { row in
                    FeatureJSON.writeEventFeature(&w, row, showReporter: show, levels: engine.levels, links: links)
                }) else { throw notFound }
            } else {
                guard let record = try features.event(id: n), identity.eventVisibility.admits(record) else { throw notFound }
                FeatureJSON.writeFeature(&w, id: String(record.id), geometry: .point(x: record.event.lon, y: record.event.lat),
                                         properties: FeatureJSON.eventProperties(record, showReporter: show, levels: engine.levels),
                                         links: links, crs: writer)
            }
        case .organisations, .components:
            let name = c == .organisations ? "organisations" : "components"
            guard let o = try points(c, identity: r.identity).first(where: { $0.id == featureID }) else {
                throw APIError(.notFound, code: "not_found", message: "no feature \(featureID) in collection \(name)")
            }
            FeatureJSON.writeFeature(&w, id: o.id, geometry: .point(x: o.lon, y: o.lat), properties: o.properties,
                                     links: [FeatureJSON.link("\(base)/collections/\(name)/items/\(o.id)", "self", FeatureJSON.geojson, "This feature"),
                                             FeatureJSON.link("\(base)/collections/\(name)", "collection", "application/json", "The collection")],
                                     crs: writer)
        }
        var answer = Response.bytes(w.bytes, contentType: FeatureJSON.geojson)
        answer.headers[FeatureJSON.contentCRS] = "<\(crs.uri)>"
        return answer
    }
}
