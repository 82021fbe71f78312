import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeKit

/// The formats a report can be had in.
enum ReportFormat: String, CaseIterable { case json, csv, geojson }

extension Services {
    static let periodParameters: [APIRoute.Parameter] = [
        .init(name: "period", location: .query, type: "string", description: "A calendar period containing `date` (default: month); weeks start on Monday",
              enumValues: ["day", "week", "month", "quarter", "year"]),
        .init(name: "date", location: .query, type: "string", description: "A day in the period, YYYY-MM-DD in the time zone (default: today)"),
        .init(name: "from", location: .query, type: "string", description: "Instead of period: the first day (YYYY-MM-DD) or an RFC 3339 instant"),
        .init(name: "to", location: .query, type: "string", description: "With from: the last day, inclusive (YYYY-MM-DD), or an RFC 3339 instant, exclusive"),
        .init(name: "tz", location: .query, type: "string", description: "IANA time zone the days are counted in (default Asia/Shanghai)"),
    ]

    var reportRoutes: [APIRoute] {
        let reporting = self.reporting
        return [
            APIRoute(
                method: .get, path: "/reports/grids",
                summary: "Closed-loop figures per grid of a level or overlay layer over a period: received, by status/type/severity, density, resolution, satisfaction and on-time rates, overdue, median hours, reworks, blind spots",
                tag: "reports", roles: Set(Role.allCases),
                parameters: [.init(name: "level", location: .query, type: "string", description: "A residential level or an overlay layer (default: courtyard)",
                                   enumValues: ReportScope.names)]
                    + Self.periodParameters
                    + [.init(name: "f", location: .query, type: "string", description: "json (default), csv, or geojson: the choropleth layer, each grid's polygon with its figures as properties",
                             enumValues: ReportFormat.allCases.map(\.rawValue))],
                answers: [.init(status: 200, description: "The report", schema: "GridReport",
                                alternatives: [("text/csv", nil), ("application/geo+json", "FeatureCollection")])]
            ) { request, _, _ in
                let q = try Query(request, allowed: ["level", "period", "date", "from", "to", "tz", "f"])
                let name = try q.nonEmpty("level") ?? "courtyard"
                guard let scope = ReportScope(name) else {
                    throw Self.badParameter("level", "must be one of \(ReportScope.names.joined(separator: ", "))")
                }
                let format = try q.choice("f", ReportFormat.self) ?? .json
                let report = try reporting.grids(scope, period: try Self.reportPeriod(q, reporting))
                let file = "report-\(scope)-\(report.period.label)"
                switch format {
                case .json: return .json(report.json())
                case .csv: return Self.download(Array(report.csv().utf8), "text/csv; charset=utf-8", file + ".csv")
                case .geojson: return Self.download(try report.geojson(), Self.geojson, file + ".geojson")
                }
            },
            APIRoute(
                method: .get, path: "/reports/departments",
                summary: "Per department over a period: events held, on time, overdue, returned as wrong dispatches, reworked, extensions, ratings, satisfaction",
                tag: "reports", roles: Set(Role.allCases),
                parameters: Self.periodParameters
                    + [.init(name: "f", location: .query, type: "string", description: "json (default) or csv", enumValues: ["json", "csv"])],
                answers: [.init(status: 200, description: "The report", schema: "DepartmentReport", alternatives: [("text/csv", nil)])]
            ) { request, _, _ in
                let q = try Query(request, allowed: ["period", "date", "from", "to", "tz", "f"])
                let format = try q.choice("f", ReportFormat.self) ?? .json
                if format == .geojson {
                    throw Self.badParameter("f", "the department report has no geometry: json or csv")
                }
                let report = try reporting.departments(period: try Self.reportPeriod(q, reporting))
                if format == .csv {
                    return Self.download(Array(report.csv().utf8), "text/csv; charset=utf-8", "report-departments-\(report.period.label).csv")
                }
                return .json(report.json())
            },
        ]
    }

    /// The period the query names; a wrong parameter is a 400 that names it.
    static func reportPeriod(_ q: Query, _ reporting: Reporting) throws -> ReportPeriod {
        do {
            return try reporting.period(kind: try q.nonEmpty("period"), date: try q.nonEmpty("date"), from: try q.nonEmpty("from"),
                                        to: try q.nonEmpty("to"), timeZone: try q.nonEmpty("tz"))
        } catch let e as InvalidFields {
            throw APIError(.badRequest, code: "bad_parameter", message: e.description, details: e.errors)
        }
    }

    static func badParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badRequest, code: "bad_parameter", message: "\(name) \(reason)", details: [FieldError(name, reason)])
    }

    /// A report file: shown inline by browsers that can, saved under `filename` otherwise.
    static func download(_ bytes: [UInt8], _ contentType: String, _ filename: String) -> Response {
        var r = Response.bytes(bytes, contentType: contentType)
        r.headers[.contentDisposition] = "inline; filename=\"\(filename)\""
        return r
    }
}
