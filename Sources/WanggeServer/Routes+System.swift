import WanggeStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WanggeCore
import WanggeGeo
import WanggeRendering
import WanggeAssignment
import WanggeUseCases

extension Services {
    var systemRoutes: [APIRoute] {
        let database = self.database, engine = self.engine, started = self.startedAt
        return [
            APIRoute(method: .get, path: "/health", summary: "Liveness and what is loaded", tag: "service", roles: nil,
                     answers: [.init(status: 200, description: "The service is up", schema: "Health")]) { request, _, _ in
                _ = try Query(request, allowed: [])
                let counts = try database.counts()
                let snapshot = engine.snapshot
                return .json(.object(JSONObject([
                    ("status", .string("ok")),
                    ("grids", .number(JSONNumber(counts.reduce(0) { $0 + $1.count }))),
                    ("index_generation", .number(JSONNumber(snapshot.generation))),
                    ("workers", .number(JSONNumber(engine.workers.count))),
                    ("geos", .string(GeosContext.version)),
                    ("uptime_s", .number(JSONNumber((Date().timeIntervalSince(started) * 10).rounded() / 10))),
                ])))
            },
            APIRoute(method: .get, path: "/api", summary: "This OpenAPI 3.0 document", tag: "service", roles: nil,
                     answers: [.init(status: 200, description: "OpenAPI 3.0", schema: nil, contentType: "application/vnd.oai.openapi+json;version=3.0")]) { request, _, _ in
                _ = try Query(request, allowed: [])
                return .json(OpenAPIDocument.make(routes: self.routes), contentType: "application/vnd.oai.openapi+json;version=3.0")
            },
            APIRoute(method: .get, path: "/map", summary: "A map of the grids and events (self-contained HTML, canvas)", tag: "service", roles: nil,
                     answers: [.init(status: 200, description: "The map page", schema: nil, contentType: "text/html")]) { request, _, _ in
                _ = try Query(request, allowed: [])
                var response = Response.bytes(Array(try MapPage.html().utf8), contentType: "text/html; charset=utf-8")
                response.headers[.cacheControl] = "no-cache"
                return response
            },
            APIRoute(method: .get, path: "/lookup", summary: "The grids a point falls in, in every layer", tag: "grids",
                     roles: Set(Role.allCases),
                     parameters: [
                        .init(name: "lon", location: .query, type: "number", required: true, description: "Longitude (or x in crs)"),
                        .init(name: "lat", location: .query, type: "number", required: true, description: "Latitude (or y in crs)"),
                        .init(name: "crs", location: .query, type: "string", description: "EPSG:nnnn, GCJ02 or BD09 (default EPSG:4326)"),
                        .init(name: "snap", location: .query, type: "number", description: "Snap points outside every grid to one within this many metres (0–5000, default 0)", minimum: 0, maximum: 5000),
                     ],
                     answers: [.init(status: 200, description: "The assignment", schema: "PointAssignment"),
                               .init(status: 422, description: "The position is not a valid location in that CRS")]) { request, _, _ in
                let q = try Query(request, allowed: ["lon", "lat", "crs", "snap"])
                let x = try q.double("lon", required: true)!, y = try q.double("lat", required: true)!
                let crs = try q.crs()
                if crs == .wgs84 && (abs(x) > 180 || abs(y) > 90) {
                    throw APIError(.badRequest, code: "bad_parameter", message: "lon/lat [\(x), \(y)] is outside −180…180 / −90…90" + (abs(y) <= 180 && abs(x) <= 90 ? "; they look swapped" : ""),
                                   details: [FieldError(abs(x) > 180 ? "lon" : "lat", "out of range")])
                }
                let snap = try q.double("snap", range: 0...5000) ?? 0
                let a = try await engine.assign(x: x, y: y, crs: crs, snapMetres: snap)
                return .json(.object(a.json))
            },
        ]
    }
}
