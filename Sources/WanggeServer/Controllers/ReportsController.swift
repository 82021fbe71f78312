import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeGeo
import WanggeRendering
import WanggeUseCases

/// Reports: per grid, per department, boundary coverage, hot spots, the convenience circle and its points, and the
/// periodic summary page.
struct ReportsController: Sendable {
    let reporting: Reporting

    /// The formats a report can be had in.
    enum ReportFormat: String, CaseIterable { case json, csv, geojson, svg }

    static let periodParameters: [APIRoute.Parameter] = [
        .init(name: "period", location: .query, type: "string", description: "A calendar period containing `date` (default: month); weeks start on Monday",
              enumValues: ["day", "week", "month", "quarter", "year"]),
        .init(name: "date", location: .query, type: "string", description: "A day in the period, YYYY-MM-DD in the time zone (default: today)"),
        .init(name: "from", location: .query, type: "string", description: "Instead of period: the first day (YYYY-MM-DD) or an RFC 3339 instant"),
        .init(name: "to", location: .query, type: "string", description: "With from: the last day, inclusive (YYYY-MM-DD), or an RFC 3339 instant, exclusive"),
        .init(name: "tz", location: .query, type: "string", description: "IANA time zone the days are counted in (default: the service time zone, Asia/Shanghai unless configured)"),
    ]
    static let bom = APIRoute.Parameter(name: "bom", location: .query, type: "integer", description: "With f=csv: 1 starts the file with a UTF-8 byte order mark, so Excel shows Chinese names", minimum: 0, maximum: 1)

    /// The residential level a report asks for (`level`), by default the courtyard (the deepest level under other names).
    func level(_ q: Query) throws -> GridLevel {
        let levels = try reporting.repository.levelScheme()
        return try q.level("level", in: levels) ?? levels.reportDefault
    }

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/reports/grids",
                summary: "Closed-loop figures per grid of a level or overlay layer over a period: received, by status/type/severity, density, resolution, satisfaction and on-time rates, overdue, median hours, reworks, blind spots",
                tag: "reports", roles: Set(Role.allCases),
                parameters: [.init(name: "level", location: .query, type: "string", description: "A residential level (street, community, courtyard, building, or the layer's own level names) or an overlay layer, functional or industry (default: courtyard, or the deepest level when the layer has none of that name)")]
                    + Self.periodParameters
                    + [.init(name: "f", location: .query, type: "string", description: "json (default), csv, geojson (the choropleth layer: each grid's polygon with its figures as properties) or svg (a map of one figure)",
                             enumValues: ReportFormat.allCases.map(\.rawValue)),
                       .init(name: "figure", location: .query, type: "string", description: "With f=svg: the figure to map (default: density_per_km2)",
                             enumValues: ChoroplethSVG.figures.map(\.key)),
                       .init(name: "boundaries", location: .query, type: "string",
                             description: "current (default): the grids in use; period: the versions in use when the period ended", enumValues: BoundaryChoice.allCases.map(\.rawValue)),
                       .init(name: "assignment", location: .query, type: "string",
                             description: "stored (default): each event where it was assigned when it came in; reassigned: every event assigned again to the report's boundaries", enumValues: AssignmentChoice.allCases.map(\.rawValue)),
                       Self.bom],
                answers: [.init(status: 200, description: "The report", schema: "GridReport",
                                alternatives: [("text/csv", nil), ("application/geo+json", "FeatureCollection"), ("image/svg+xml", nil)]),
                          .init(status: 404, description: "boundaries=period or assignment=reassigned: the layer had no version in use then"),
                          .init(status: 409, description: "boundaries=period: that version was retired before versions kept their grids")],
                handler: grids),
            APIRoute(
                method: .get, path: "/reports/departments",
                summary: "Per department over a period: events held, on time, overdue, returned as wrong dispatches, reworked, extensions, ratings, satisfaction",
                tag: "reports", roles: Set(Role.allCases),
                parameters: Self.periodParameters
                    + [.init(name: "f", location: .query, type: "string", description: "json (default) or csv", enumValues: ["json", "csv"]), Self.bom],
                answers: [.init(status: 200, description: "The report", schema: "DepartmentReport", alternatives: [("text/csv", nil)])],
                handler: departments),
            APIRoute(
                method: .get, path: "/reports/roles",
                summary: "Per dispatcher and supervisor over a period: 按时派遣, 准确/错误派遣; 上报, 有效上报, 按时核实, 按时核查",
                tag: "reports", roles: [.admin, .dispatcher, .viewer, .supervisor],
                parameters: Self.periodParameters,
                answers: [.init(status: 200, description: "The report", schema: nil)],
                handler: roles),
            APIRoute(
                method: .get, path: "/reports/boundaries",
                summary: "Boundary coverage: per level and overlay layer the area, the share of the street covered, gaps, overlaps and parts outside; with every defect's area and location",
                tag: "reports", roles: Set(Role.allCases),
                parameters: [.init(name: "f", location: .query, type: "string", description: "json (default) or geojson: the defect layer (one feature per gap, overlap or part outside, with its area)",
                                   enumValues: ["json", "geojson"])],
                answers: [.init(status: 200, description: "The report", schema: "BoundaryReport", alternatives: [("application/geo+json", "FeatureCollection")])],
                handler: boundaries),
            APIRoute(
                method: .get, path: "/reports/hotspots",
                summary: "Hot spots (分析研判): clusters of one type close in space and time, the same problem again at one place, grids whose counts rose against the previous period",
                tag: "reports", roles: Set(Role.allCases),
                parameters: [.init(name: "level", location: .query, type: "string", description: "Residential level for grids and the rise (default: courtyard, or the deepest level when the layer has none of that name)")]
                    + Self.periodParameters
                    + [.init(name: "radius", location: .query, type: "number", description: "Metres between events of a cluster (default 50)", minimum: 1, maximum: 5000),
                       .init(name: "days", location: .query, type: "number", description: "Days between events of a cluster (default 7)", minimum: 0.01, maximum: 366),
                       .init(name: "min_events", location: .query, type: "integer", description: "Events a cluster or repeat needs (default 3)", minimum: 2, maximum: 1000),
                       .init(name: "f", location: .query, type: "string", description: "json (default) or geojson (clusters and repeats as points, rising grids as polygons)",
                             enumValues: ["json", "geojson"])],
                answers: [.init(status: 200, description: "The hot spots", schema: "HotSpotReport", alternatives: [("application/geo+json", "FeatureCollection")])],
                handler: hotspots),
            APIRoute(
                method: .get, path: "/reports/services",
                summary: "The ten-minute convenience circle (十分钟便民服务圈): per grid, the share of its area and households within walking distance of each kind of service point",
                tag: "reports", roles: Set(Role.allCases),
                parameters: [.init(name: "level", location: .query, type: "string", description: "Residential level (default: courtyard, or the deepest level when the layer has none of that name)"),
                             .init(name: "radius", location: .query, type: "number", description: "Walking distance in metres (default 800, about ten minutes)", minimum: 50, maximum: 5000),
                             .init(name: "f", location: .query, type: "string", description: "json (default), csv, or geojson: the parts of the street out of reach, per kind",
                                   enumValues: ["json", "csv", "geojson"]),
                             Self.bom],
                answers: [.init(status: 200, description: "The report", schema: "ServiceReport", alternatives: [("text/csv", nil), ("application/geo+json", "FeatureCollection")]),
                          .init(status: 404, description: "No service points are loaded")],
                handler: services),
            APIRoute(
                method: .get, path: "/reports/services/points",
                summary: "The service points the convenience-circle report measures against (a GeoJSON FeatureCollection)",
                tag: "reports", roles: Set(Role.allCases),
                answers: [.init(status: 200, description: "The points", schema: "FeatureCollection", contentType: FeatureJSON.geojson),
                          .init(status: 404, description: "No service points are loaded")],
                handler: servicePoints),
            APIRoute(
                method: .put, path: "/reports/services/points",
                summary: "Replace the service points: a FeatureCollection of Point features with id, name and kind (clinic, legal_aid, …)",
                tag: "reports", roles: [.gis, .admin],
                body: .init(contentTypes: ["application/geo+json", "application/json"], schema: "FeatureCollection", description: "Point features with properties id, name, kind", maxBytes: 16 << 20),
                answers: [.init(status: 200, description: "Stored: points per kind", schema: nil),
                          .init(status: 413, description: "The body is larger than 16 MiB"),
                          .init(status: 422, description: "A feature is not a point or has no kind (details name it); nothing stored")],
                handler: replaceServicePoints),
            APIRoute(
                method: .get, path: "/reports/summary",
                summary: "The periodic summary (周报告, 月交流, 季小结) as a printable HTML page: headline figures against the previous period, a map, tables per grid, department and event type",
                tag: "reports", roles: Set(Role.allCases),
                parameters: Self.periodParameters
                    + [.init(name: "community", location: .query, type: "string", description: "Only this community (its code) and its courtyards")],
                answers: [.init(status: 200, description: "The page", schema: nil, contentType: "text/html"),
                          .init(status: 404, description: "No community with that code")],
                handler: summary),
        ]
    }

    enum BoundaryChoice: String, CaseIterable { case current, period }
    enum AssignmentChoice: String, CaseIterable { case stored, reassigned }

    /// The boundaries a grid report is on, when not simply those in use with events where they were assigned.
    func boundaries(_ q: Query, scope: ReportScope, period: ReportPeriod) throws -> ReportBoundaries? {
        try reporting.boundaries(scope, period: period, asOfPeriodEnd: try q.choice("boundaries", BoundaryChoice.self) == .period,
                                 reassign: try q.choice("assignment", AssignmentChoice.self) == .reassigned)
    }

    @Sendable func grids(_ r: RouteRequest) async throws -> Response {
        let q = r.query
        let bom = try q.int("bom") == 1
        let levels = try reporting.repository.levelScheme()
        let name = try q.nonEmpty("level") ?? levels.reportDefault.name
        guard let scope = ReportScope(name, levels: levels) else {
            throw APIError.badParameter("level", "must be one of \(ReportScope.names(levels).joined(separator: ", "))")
        }
        let format = try q.choice("f", ReportFormat.self) ?? .json
        let figure = try q.nonEmpty("figure") ?? ChoroplethSVG.defaultFigure
        guard ChoroplethSVG.figures.contains(where: { $0.key == figure }) else {
            throw APIError.badParameter("figure", "must be one of \(ChoroplethSVG.figures.map(\.key).joined(separator: ", "))")
        }
        let period = try period(q)
        let report = try reporting.grids(scope, period: period, on: try boundaries(q, scope: scope, period: period))
        let file = "report-\(scope)-\(report.period.label)"
        switch format {
        case .json: return .json(report.json())
        case .csv: return Self.csv(report.csv(), file + ".csv", bom: bom)
        case .geojson: return Self.download(try report.geojson(), FeatureJSON.geojson, file + ".geojson")
        case .svg:
            let svg = try ChoroplethSVG.render(report, options: .init(figure: figure))
            return Self.download(Array(svg.utf8), "image/svg+xml", file + "-\(figure).svg")
        }
    }

    @Sendable func departments(_ r: RouteRequest) async throws -> Response {
        let q = r.query
        let bom = try q.int("bom") == 1
        let format = try q.choice("f", ReportFormat.self) ?? .json
        if format == .geojson || format == .svg {
            throw APIError.badParameter("f", "the department report has no geometry: json or csv")
        }
        let report = try reporting.departments(period: try period(q))
        if format == .csv {
            return Self.csv(report.csv(), "report-departments-\(report.period.label).csv", bom: bom)
        }
        return .json(report.json())
    }

    @Sendable func roles(_ r: RouteRequest) async throws -> Response {
        .json(try reporting.roles(period: try period(r.query)).json())
    }

    @Sendable func boundaries(_ r: RouteRequest) async throws -> Response {
        let format = try r.query.choice("f", ReportFormat.self) ?? .json
        guard format == .json || format == .geojson else { throw APIError.badParameter("f", "must be json or geojson") }
        let options = BoundaryOptions(layer: .residential)
        let result = try reporting.boundaries(options: options)
        if format == .geojson { return Self.download(DefectReport.geoJSON(result.defects), FeatureJSON.geojson, "boundary-defects.geojson") }
        return .json(result.json(toleranceMetres: options.toleranceMetres, sliverAreaM2: options.sliverAreaM2))
    }

    @Sendable func hotspots(_ r: RouteRequest) async throws -> Response {
        let q = r.query
        let level = try level(q)
        var options = HotSpots.Options()
        if let v = try q.double("radius") { options.radiusMetres = v }
        if let d = try q.double("days") { options.days = d }
        if let m = try q.int("min_events") { options.minEvents = m }
        let format = try q.choice("f", ReportFormat.self) ?? .json
        guard format == .json || format == .geojson else { throw APIError.badParameter("f", "must be json or geojson") }
        let report = try reporting.hotSpots(level: level, period: try period(q), options: options)
        let names = try reporting.typeNames()
        if format == .geojson { return Self.download(try report.geojson(typeNames: names), FeatureJSON.geojson, "hotspots-\(report.period.label).geojson") }
        return .json(report.json(typeNames: names))
    }

    @Sendable func services(_ r: RouteRequest) async throws -> Response {
        let q = r.query
        let bom = try q.int("bom") == 1
        let level = try level(q)
        let radius = try q.double("radius") ?? 800
        let format = try q.choice("f", ReportFormat.self) ?? .json
        if format == .svg { throw APIError.badParameter("f", "must be json, csv or geojson") }
        let report = try reporting.services(level: level, radiusMetres: radius)
        switch format {
        case .json: return .json(report.json())
        case .csv: return Self.csv(report.csv(), "services-\(level.rawValue).csv", bom: bom)
        case .geojson, .svg: return Self.download(report.geojson(), FeatureJSON.geojson, "services-uncovered.geojson")
        }
    }

    @Sendable func servicePoints(_ r: RouteRequest) async throws -> Response {
        guard let stored = try reporting.repository.setting(ServicePoints.settingKey) else {
            throw APIError(.notFound, code: "not_found", message: "no service points are loaded")
        }
        return .bytes(Array(stored.utf8), contentType: FeatureJSON.geojson)
    }

    @Sendable func replaceServicePoints(_ r: RouteRequest) async throws -> Response {
        let raw = try await r.body()
        let points: [ServicePoint]
        do { points = try ServicePoints.parse(raw) } catch let e as JSONSyntaxError {
            throw APIError(.badRequest, code: "malformed_json", message: e.description, details: [FieldError("body", e.description)])
        }
        try ServicePoints.store(raw, into: reporting.repository)
        try reporting.repository.record(.servicePointsReplaced, by: .token(try r.caller()), target: "services", [("points", .int(points.count))])
        var kinds: [String: Int] = [:]
        for p in points { kinds[p.kind, default: 0] += 1 }
        return .json(.object(JSONObject([("points", .number(JSONNumber(points.count))),
                                         ("kinds", .object(JSONObject(kinds.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) })))])))
    }

    @Sendable func summary(_ r: RouteRequest) async throws -> Response {
        let page = try SummaryPage.render(try reporting.summary(period: try period(r.query), community: try r.query.nonEmpty("community")))
        return .bytes(Array(page.utf8), contentType: "text/html; charset=utf-8")
    }

    func period(_ q: Query) throws -> ReportPeriod { try reporting.period(q) }

    /// A CSV report, with a UTF-8 byte order mark when the query asks (`bom=1`) for spreadsheets that need one.
    /// (`bom` is checked with the other parameters, whatever the format, so a wrong value is always a 400.)
    static func csv(_ text: String, _ filename: String, bom: Bool) -> Response {
        download((bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8), "text/csv; charset=utf-8", filename)
    }

    /// A report file: shown inline by browsers that can, saved under `filename` otherwise.
    static func download(_ bytes: [UInt8], _ contentType: String, _ filename: String) -> Response {
        var answer = Response.bytes(bytes, contentType: contentType)
        answer.headers[.contentDisposition] = "inline; filename=\"\(filename)\""
        return answer
    }
}

extension Reporting {
    /// The period the query names; a wrong parameter is a 400 that names it.
    func period(_ q: Query) throws -> ReportPeriod {
        do {
            return try period(kind: try q.nonEmpty("period"), date: try q.nonEmpty("date"), from: try q.nonEmpty("from"),
                              to: try q.nonEmpty("to"), timeZone: try q.nonEmpty("tz"))
        } catch let e as InvalidFields {
            throw APIError(.badRequest, code: "bad_parameter", message: e.description, details: e.errors)
        }
    }
}
