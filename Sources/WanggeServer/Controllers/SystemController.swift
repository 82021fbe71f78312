import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeGeo
import WanggeAssignment
import WanggeRendering

/// `/health`, the OpenAPI document at `/api`, the map page at `/map`, `/me` and `/lookup`.
struct SystemController: Sendable {
    let grids: any GridRepository
    let engine: AssignmentEngine
    let dated: DatedIndexes
    let startedAt: Date
    /// Every route of the service, for the API document.
    let allRoutes: @Sendable () -> [APIRoute]
    /// The map page, rendered once from its template on the first request for it (parsing the templates was a
    /// tenth of a cold start on the city).
    static let mapPage = Result { Array(try MapPage.html().utf8) }

    init(grids: any GridRepository, engine: AssignmentEngine, allRoutes: @escaping @Sendable () -> [APIRoute]) {
        self.grids = grids
        self.engine = engine
        self.dated = DatedIndexes(repository: grids, engine: engine)
        self.allRoutes = allRoutes
        self.startedAt = Date()
    }

    struct Health: Encodable {
        var status = "ok"
        var grids: Int
        var index_generation: Int
        var workers: Int
        var geos: String
        var uptime_s: Double
    }

    var routes: [APIRoute] {
        [
            APIRoute(method: .get, path: "/health", summary: "Liveness and what is loaded", tag: "service", roles: nil,
                     answers: [.init(status: 200, description: "The service is up", schema: "Health")], handler: health),
            APIRoute(method: .get, path: "/api", summary: "This OpenAPI 3.0 document", tag: "service", roles: nil,
                     answers: [.init(status: 200, description: "OpenAPI 3.0", schema: nil, contentType: "application/vnd.oai.openapi+json;version=3.0")],
                     handler: api),
            APIRoute(method: .get, path: "/map", summary: "A map of the grids and events (self-contained HTML, canvas)", tag: "service", roles: nil,
                     answers: [.init(status: 200, description: "The map page", schema: nil, contentType: "text/html")], handler: map),
            APIRoute(method: .get, path: "/me", summary: "Who this token is: its name, role, department, and what it may do",
                     tag: "service", roles: Set(Role.allCases),
                     answers: [.init(status: 200, description: "The caller", schema: "Caller")], handler: me),
            APIRoute(method: .get, path: "/lookup", summary: "The grids a point falls in, in every layer", tag: "grids",
                     roles: Set(Role.allCases),
                     parameters: [
                        .init(name: "lon", location: .query, type: "number", required: true, description: "Longitude (or x in crs)"),
                        .init(name: "lat", location: .query, type: "number", required: true, description: "Latitude (or y in crs)"),
                        .init(name: "crs", location: .query, type: "string", description: "EPSG:nnnn (e.g. EPSG:4490), an OGC URI or URN (http://www.opengis.net/def/crs/EPSG/0/4547), GCJ02 or BD09 (default EPSG:4326)"),
                        .init(name: "snap", location: .query, type: "number", description: "Snap points outside every grid to one within this many metres (0–5000, default 0)", minimum: 0, maximum: 5000),
                        FeatureRequest.dateParameter,
                     ],
                     answers: [.init(status: 200, description: "The assignment (with date: and the versions that answered)", schema: "PointAssignment"),
                               .init(status: 409, description: "A version in use then was retired before versions kept their grids"),
                               .init(status: 422, description: "The position is not a valid location in that CRS")], handler: lookup),
        ]
    }

    @Sendable func health(_ r: RouteRequest) async throws -> Response {
        // The grids in the index answering lookups now: what is loaded, without a scan of the grid table (the first
        // /health after a start on the city read all 90 MB of it).
        let snapshot = engine.snapshot
        return try .json(Health(grids: snapshot.grids.count, index_generation: snapshot.generation,
                         workers: engine.workers.count, geos: GeosContext.version,
                         uptime_s: (Date().timeIntervalSince(startedAt) * 10).rounded() / 10))
    }

    @Sendable func api(_ r: RouteRequest) async throws -> Response {
        .json(OpenAPIDocument.make(routes: allRoutes(), levels: engine.levels), contentType: "application/vnd.oai.openapi+json;version=3.0")
    }

    @Sendable func map(_ r: RouteRequest) async throws -> Response {
        var response = Response.bytes(try Self.mapPage.get(), contentType: "text/html; charset=utf-8")
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// The map page asks this to know whether to offer reporting; a client can show whose token it holds.
    @Sendable func me(_ r: RouteRequest) async throws -> Response {
        let identity = try r.caller()
        return .json(.object(JSONObject([
            ("name", .string(identity.name)), ("role", .string(identity.role.rawValue)),
            ("department", identity.department.map { .string($0) } ?? .null),
            ("may_report", .bool(EventsController.submitters.contains(identity.role))),
        ])))
    }

    @Sendable func lookup(_ r: RouteRequest) async throws -> Response {
        let x = try r.query.double("lon")!, y = try r.query.double("lat")!
        let crs = try r.query.crs() ?? .wgs84
        if crs == .wgs84 && (abs(x) > 180 || abs(y) > 90) {
            throw APIError(.badRequest, code: "bad_parameter", message: "lon/lat [\(x), \(y)] is outside −180…180 / −90…90" + (abs(y) <= 180 && abs(x) <= 90 ? "; they look swapped" : ""),
                           details: [FieldError(abs(x) > 180 ? "lon" : "lat", "out of range")])
        }
        let snap = try r.query.double("snap") ?? 0
        guard let time = try FeatureRequest.asOf(r.query) else {
            return .json(.object(try await engine.assign(x: x, y: y, crs: crs, snapMetres: snap).json))
        }
        let (a, versions) = try await dated.assign(x: x, y: y, crs: crs, snapMetres: snap, at: time)
        var answer = a.json
        answer["versions"] = .object(JSONObject(versions.map { ($0.layer.rawValue, .number(JSONNumber(Int($0.id)))) }))
        return .json(.object(answer))
    }
}
