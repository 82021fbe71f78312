import Foundation
import HTTPTypes
import Hummingbird
import WanggeAssignment
import WanggeCore
import WanggeGeo
import WanggeUseCases

/// The versions of the boundary layers (GIS staff and admins): the list, what a version would change before it is
/// activated, and its activation.
struct VersionsController: Sendable {
    let versions: BoundaryVersions
    let publishing: BoundaryPublishing
    let audit: any AuditRepository
    /// The snap distance intake assigns events with, so a diff assigns them the same way.
    let snapMetres: Double

    var routes: [APIRoute] {
        let id = APIRoute.Parameter(name: "id", location: .path, type: "integer", required: true, description: "The version (import) id")
        return [
            APIRoute(method: .get, path: "/versions", summary: "Every version of the boundary layers, newest first: staged, active (valid from) and retired (valid from, to)",
                     tag: "grids", roles: [.gis, .admin],
                     parameters: [.init(name: "layer", location: .query, type: "string", description: "Only this layer", enumValues: GridLayer.allCases.map(\.rawValue)),
                                  .init(name: "status", location: .query, type: "string", description: "Only versions in this state", enumValues: VersionStatus.allCases.map(\.rawValue))],
                     answers: [.init(status: 200, description: "The versions", schema: "Versions")], handler: list),
            APIRoute(method: .get, path: "/versions/{id}/diff",
                     summary: "What the version would change against the boundaries in use: grids added, removed and changed (areas), and the stored events and organisations that would change grid, counted per old → new pair (f=geojson: the moved points)",
                     tag: "grids", roles: [.gis, .admin],
                     parameters: [id, .init(name: "f", location: .query, type: "string", description: "json (default) or geojson: the events and organisations that would move, as points", enumValues: ["json", "geojson"])],
                     answers: [.init(status: 200, description: "The diff (f=geojson: the moved points)", schema: "VersionDiff",
                                     alternatives: [(FeatureJSON.geojson, "FeatureCollection")]),
                               .init(status: 404, description: "No such version"), .init(status: 409, description: "The version's grids were not kept")],
                     handler: diff),
            APIRoute(method: .post, path: "/versions/{id}/activate",
                     summary: "Make the version its layer's boundaries now, atomically: the active one is retired, the index swapped without dropping a lookup, organisations reassigned (stored events keep the grids they were assigned)",
                     tag: "grids", roles: [.gis, .admin], parameters: [id],
                     answers: [.init(status: 200, description: "Activated", schema: "VersionActivation"),
                               .init(status: 404, description: "No such version"), .init(status: 409, description: "The version's grids were not kept")],
                     handler: activate),
        ]
    }

    func versionID(_ r: RouteRequest) throws -> Int64 {
        guard let id = Int64(r.path("id")), id > 0 else {
            throw APIError(.notFound, code: "not_found", message: "no boundary version \(r.path("id"))")
        }
        return id
    }

    @Sendable func list(_ r: RouteRequest) async throws -> Response {
        let layer = try r.query.choice("layer", GridLayer.self), status = try r.query.choice("status", VersionStatus.self)
        let list = try versions.grids.imports(layer: layer).filter { status == nil || $0.status == status }
        return .json(.object(JSONObject([("versions", .array(list.map(VersionJSON.json)))])))
    }

    @Sendable func diff(_ r: RouteRequest) async throws -> Response {
        let id = try versionID(r)
        let geojson = r.query.string("f") == "geojson"
        let versions = self.versions, snap = snapMetres
        let diff = try await BoundaryPublishing.offPool { try versions.diff(id, snapMetres: snap) }
        return geojson ? .bytes(diff.movedGeoJSON, contentType: FeatureJSON.geojson) : .json(diff.json)
    }

    @Sendable func activate(_ r: RouteRequest) async throws -> Response {
        let id = try versionID(r)
        let caller = try r.caller()
        let (version, moved) = try await publishing.activate(version: id)
        try audit.record(.versionActivated, by: .token(caller), target: version.layer.rawValue,
                         [("version", .int(Int(version.id))), ("asked", .int(Int(id))), ("grids", .int(version.gridCount)),
                          ("organisations_moved", .int(Set(moved.map(\.organisation)).count))])
        return .json(.object(JSONObject([
            ("version", VersionJSON.json(version)),
            ("index_generation", .number(JSONNumber(publishing.engine.snapshot.generation))),
            ("organisations_moved", .array(moved.map(\.json))),
        ])))
    }
}
