import WanggeAssignment
import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeGeo
import WanggeUseCases

/// Grid boundaries: `GET /grids`, `GET /grids/{code}` (public) and `POST /boundaries` (GIS staff).
struct GridsController: Sendable {
    let grids: any GridRepository
    let audit: any AuditRepository
    let publishing: BoundaryPublishing
    let maxUploadBytes: Int

    /// What a landed import answers.
    struct ImportSummary: Encodable {
        var layer: String
        var import_id: Int64
        /// staged, or active with `activate=true`.
        var status: String
        var version: JSONValue
        var grids: Int
        var levels: JSONObject
        var crs: String
        var area_km2: Double
        var index_generation: Int
        /// Organisations whose grids changed with this import (GET /organisations/moves lists them later too).
        var organisations_moved: [Moved]
        /// The polygons repaired (only with repair=true), in file order.
        var repairs: [Repaired]
    }

    /// What a repair changed in one feature (`wangge import --repair` prints the same).
    struct Repaired: Encodable {
        var feature_index: Int
        var code: String
        var reason: String
        var area_before_m2: Double
        var area_after_m2: Double
        var area_change_percent: Double
        var parts_before: Int
        var parts_after: Int

        init(_ r: BoundaryRepair) {
            feature_index = r.featureIndex; code = r.code; reason = r.reason
            area_before_m2 = (r.areaBeforeM2 * 100).rounded() / 100
            area_after_m2 = (r.areaAfterM2 * 100).rounded() / 100
            area_change_percent = (r.changePercent * 1e6).rounded() / 1e6
            parts_before = r.partsBefore; parts_after = r.partsAfter
        }
    }

    struct Moved: Encodable {
        var organisation: String
        var name: String
        var layer: String
        var from: [String]
        var to: [String]
    }

    var routes: [APIRoute] {
        [
            APIRoute(method: .get, path: "/grids", summary: "Grid boundaries as GeoJSON (public)", tag: "grids", roles: nil,
                     parameters: [
                        .init(name: "layer", location: .query, type: "string", description: "Only this layer", enumValues: GridLayer.allCases.map(\.rawValue)),
                        .init(name: "level", location: .query, type: "string", description: "Only this residential level (a level of the layer: street, community, courtyard, building by default)"),
                     ],
                     answers: [.init(status: 200, description: "A FeatureCollection (RFC 7946)", schema: "FeatureCollection", contentType: FeatureJSON.geojson)],
                     handler: list),
            APIRoute(method: .get, path: "/grids/{code}", summary: "One grid as a GeoJSON Feature (public)", tag: "grids", roles: nil,
                     parameters: [.init(name: "code", location: .path, type: "string", required: true, description: "Grid code"),
                                  .init(name: "layer", location: .query, type: "string", description: "The layer, when the code exists in more than one", enumValues: GridLayer.allCases.map(\.rawValue))],
                     answers: [.init(status: 200, description: "The grid", schema: "Feature", contentType: FeatureJSON.geojson),
                               .init(status: 404, description: "No grid with that code")], handler: one),
            APIRoute(method: .post, path: "/boundaries", summary: "Import a layer's boundaries as a new version: the same checks as `wangge import`; all or nothing; staged (see GET /versions/{id}/diff, POST /versions/{id}/activate) unless activate=true",
                     tag: "grids", roles: [.gis, .admin],
                     parameters: [
                        .init(name: "layer", location: .query, type: "string", required: true, description: "The layer the file is a version of", enumValues: GridLayer.allCases.map(\.rawValue)),
                        .init(name: "activate", location: .query, type: "string", description: "true: make the new version the layer's boundaries at once (default false: staged)", enumValues: ["true", "false"]),
                        .init(name: "crs", location: .query, type: "string", description: "CRS of the file: EPSG:nnnn (e.g. EPSG:4490, EPSG:4547), an OGC URI or URN (http://www.opengis.net/def/crs/EPSG/0/4547), GCJ02 or BD09 (default: its crs member, else EPSG:4326)"),
                        .init(name: "code_field", location: .query, type: "string", description: "Property holding the code (default code)"),
                        .init(name: "name_field", location: .query, type: "string", description: "Property holding the name (default name)"),
                        .init(name: "level_field", location: .query, type: "string", description: "Property holding the level (default level)"),
                        .init(name: "parent_field", location: .query, type: "string", description: "Property holding the parent code (default parent)"),
                        .init(name: "tolerance", location: .query, type: "number", description: "Metres below which gaps and overlaps are noise (default 0.5)", minimum: 0, maximum: 100),
                        .init(name: "sliver_area", location: .query, type: "number", description: "Square metres below which pieces are noise (default 1)", minimum: 0, maximum: 1_000_000),
                        .init(name: "repair", location: .query, type: "string", description: "true: repair invalid polygons (GEOS MakeValid, structure method) instead of refusing them; each repair is reported (default false)", enumValues: ["true", "false"]),
                        .init(name: "external_root", location: .query, type: "string", description: "true: accept top-level grids whose parent lies outside the file (kept as the property external_parent)", enumValues: ["true", "false"]),
                        .init(name: "levels", location: .query, type: "string", description: "Residential levels, top first, comma-separated (any names, any depth; default street,community,courtyard,building)"),
                        .init(name: "code_scheme", location: .query, type: "string", description: "Check residential codes by the national scheme: gbt30428, or gbt30428:street=3,community=3,courtyard=2,building=2"),
                        .init(name: "repair_max_change", location: .query, type: "number", description: "With repair=true: refuse a repair that changes a feature's area by more than this many percent (default 0.1)", minimum: 0, maximum: 100),
                     ],
                     body: .init(contentTypes: ["application/geo+json", "application/json"], schema: "BoundaryUpload", description: "A GeoJSON FeatureCollection of Polygon/MultiPolygon features", maxBytes: maxUploadBytes),
                     answers: [.init(status: 200, description: "Stored as a staged version; or activated, the index reloaded", schema: "BoundaryImport"),
                               .init(status: 413, description: "The file is larger than the upload limit"),
                               .init(status: 422, description: "Defects: every one in details (and defects, with locations); nothing stored", schema: "BoundaryDefects")],
                     handler: upload),
        ]
    }

    @Sendable func list(_ r: RouteRequest) async throws -> Response {
        let layer = try r.query.choice("layer", GridLayer.self), level = try r.query.level("level", in: grids.levelScheme())
        let list = try grids.grids(in: layer).filter { level == nil || $0.level == level }
        var w = GeoJSONWriter()
        w.append(#"{"type":"FeatureCollection","features":["#)
        for (i, g) in list.enumerated() {
            if i > 0 { w.append(",") }
            w.appendFeature(id: g.code, geometry: try WKB.decode(g.wkb), properties: FeatureJSON.gridProperties(g))
        }
        w.append("]}")
        return .bytes(w.bytes, contentType: FeatureJSON.geojson)
    }

    @Sendable func one(_ r: RouteRequest) async throws -> Response {
        let layer = try r.query.choice("layer", GridLayer.self)
        let code = r.path("code")
        guard let g = try grids.grids(code: code).first(where: { layer == nil || $0.layer == layer }) else {
            throw APIError(.notFound, code: "not_found", message: "no grid with code \(code)")
        }
        var w = GeoJSONWriter()
        w.appendFeature(id: g.code, geometry: try WKB.decode(g.wkb), properties: FeatureJSON.gridProperties(g))
        return .bytes(w.bytes, contentType: FeatureJSON.geojson)
    }

    @Sendable func upload(_ r: RouteRequest) async throws -> Response {
        let q = r.query
        guard let layer = try q.choice("layer", GridLayer.self) else {
            throw APIError.badParameter("layer", "is required", message: "query parameter layer is required (residential, functional or industry)")
        }
        let activate = try q.choice("activate", CommunityController.Flag.self) == .true
        var options = BoundaryOptions(layer: layer)
        if let crs = try q.crs() { options.crs = crs }
        if let f = q.string("code_field"), !f.isEmpty { options.fields.code = f }
        if let f = q.string("name_field"), !f.isEmpty { options.fields.name = f }
        if let f = q.string("level_field"), !f.isEmpty { options.fields.level = f }
        if let f = q.string("parent_field"), !f.isEmpty { options.fields.parent = f }
        options.toleranceMetres = try q.double("tolerance") ?? 0.5
        options.sliverAreaM2 = try q.double("sliver_area") ?? 1
        options.repair = try q.choice("repair", CommunityController.Flag.self) == .true
        options.externalRoot = try q.choice("external_root", CommunityController.Flag.self) == .true
        if let levels = try q.nonEmpty("levels") {
            guard layer == .residential else {
                throw APIError.badParameter("levels", "is for the residential layer", message: "levels is for the residential layer (overlays have no levels)")
            }
            do { options.levels = try LevelScheme(names: levels.split(separator: ",").map { String($0).trimmingWhitespace() }) } catch {
                throw APIError.badParameter("levels", error.description, message: "levels: \(error.description)")
            }
        }
        if let scheme = try q.nonEmpty("code_scheme") {
            do { options.codeScheme = try CodeScheme(parsing: scheme, levels: options.levels) } catch {
                throw APIError.badParameter("code_scheme", error.description, message: error.description)
            }
        }
        options.repairMaxChangePercent = try q.double("repair_max_change") ?? options.repairMaxChangePercent
        // The file is read feature by feature as it arrives (the body is never held whole); a read that fails keeps
        // its error and lets the rest of the body go by, and the error is the answer's one defect.
        var upload = try await r.body(streaming: Upload()) { upload, chunk in
            guard upload.failure == nil else { return }
            do {
                try chunk.withUnsafeReadableBytes { try upload.reader.feed($0.bindMemory(to: UInt8.self)) }
            } catch {
                upload.failure = error
            }
        }
        let read = BoundaryPublishing.Upload(upload.failure.map { .failure($0) } ?? Result { try upload.reader.finish() })
        upload = Upload()  // after a failed read the reader still holds the features before the error: let them go now
        let published = try await publishing.publish(read, options: options, source: "upload by \(try r.caller().name)",
                                                     activate: activate)
        let outcome = published.outcome
        guard outcome.check.isClean, let landed = outcome.landed else {
            let error = APIError(.unprocessableContent, code: "boundary_defects",
                                 message: "\(outcome.check.defects.count) defect(s) in \(outcome.check.featureCount) features; nothing stored",
                                 details: outcome.check.defects.map { FieldError($0.featureIndex.map { "features[\($0)]" } ?? "file", $0.message) })
            var body = error.json.objectValue!
            var inner = body["error"]!.objectValue!
            inner["defects"] = .array(outcome.check.defects.map(Self.defectJSON))
            body["error"] = .object(inner)
            return .json(.object(body), status: .unprocessableContent)
        }
        try audit.record(.boundariesImported, by: .token(try r.caller()), target: layer.rawValue,
                         [("import_id", .int(Int(landed.id))), ("status", .string(landed.status.rawValue)),
                          ("grids", .int(landed.gridCount)), ("crs", .string(outcome.check.crs.description)),
                          ("organisations_moved", .int(Set(published.moved.map(\.organisation)).count))])
        let top = outcome.check.grids.compactMap(\.level).min()
        let areaKm2 = outcome.check.grids.filter { $0.level == top }.reduce(0) { $0 + $1.areaM2 } / 1e6
        var perLevel = JSONObject()
        for l in landed.levels.levels {
            let n = outcome.check.grids.filter { $0.level == l }.count
            if n > 0 { perLevel[l.rawValue] = .number(JSONNumber(n)) }
        }
        return try .json(ImportSummary(layer: layer.rawValue, import_id: landed.id, status: landed.status.rawValue, version: VersionJSON.json(landed),
                                       grids: landed.gridCount, levels: perLevel,
                                       crs: outcome.check.crs.description, area_km2: (areaKm2 * 1e6).rounded() / 1e6,
                                       index_generation: publishing.engine.snapshot.generation,
                                       organisations_moved: published.moved.map {
                                           Moved(organisation: $0.organisation, name: $0.name, layer: $0.layer.rawValue, from: $0.from, to: $0.to)
                                       },
                                       repairs: outcome.check.repairs.map(Repaired.init)))
    }

    /// A boundary upload as it is read.
    struct Upload: Sendable {
        var reader = GeoJSONDocument.Reader()
        var failure: (any Error)?
    }

    static func defectJSON(_ d: Defect) -> JSONValue {
        var o = JSONObject([("kind", .string(d.kind.rawValue)), ("message", .string(d.message))])
        o["feature_index"] = d.featureIndex.map { .number(JSONNumber($0)) } ?? .null
        o["code"] = d.code.map { .string($0) } ?? .null
        o["line"] = d.line.map { .number(JSONNumber($0)) } ?? .null
        o["column"] = d.column.map { .number(JSONNumber($0)) } ?? .null
        o["offset"] = d.offset.map { .number(JSONNumber($0)) } ?? .null
        o["area_m2"] = d.areaM2.map { .number(JSONNumber(($0 * 100).rounded() / 100)) } ?? .null
        if let loc = d.location {
            var w = GeoJSONWriter()
            w.appendGeometry(loc.orientedForOutput())
            o["location"] = (try? JSONValue.parse(w.bytes)) ?? .null
        }
        return .object(o)
    }
}
