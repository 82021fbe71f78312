import ArgumentParser
import Foundation
import WanggeCore
import WanggeRendering
import WanggeGeo
import WanggeAssignment
import WanggeUseCases
import WanggeStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Closed-loop figures per grid or per department over a period, as a table, JSON, CSV or a choropleth GeoJSON layer.",
        subcommands: [ReportGrids.self, ReportDepartments.self, ReportRoles.self, ReportSummary.self, ReportBoundaries.self, ReportHotSpots.self, ReportServices.self]
    )
}

/// Where a report goes and in what form (every report command).
struct ReportOutputOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "table, or one of the formats the command offers: json, csv, geojson, svg (default: from --output's extension, else table).") var format: String?
    @Option(name: .shortAndLong, help: "Write to this file (written whole, then renamed into place) instead of standard output.") var output: String?
    @Flag(name: .long, help: "Start CSV with a UTF-8 byte order mark (Excel then shows Chinese names).") var bom = false

    func csv(_ text: String) -> [UInt8] { (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8) }

    func resolvedFormat(allowed: [String]) throws -> String {
        let f = format ?? output.map { URL(fileURLWithPath: $0).pathExtension.lowercased() }.flatMap { allowed.contains($0) ? $0 : nil } ?? "table"
        guard allowed.contains(f) || f == "table" else {
            throw ValidationError("--format \(f): must be one of table, \(allowed.joined(separator: ", "))")
        }
        return f
    }

    /// Writes to standard output, or to --output with a line on standard error saying what was written.
    func emit(_ bytes: [UInt8], summary: String? = nil) throws {
        guard let output else {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
        FileHandle.standardError.write(Data("\(output): \(summary ?? "\(bytes.count) bytes")\n".utf8))
    }
}

/// The period a report covers, and its output.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: "day, week (from Monday), month, quarter or year containing --date (default: month).") var period: String?
    @Option(name: .long, help: "A day in the period, YYYY-MM-DD (default: today).") var date: String?
    @Option(name: .long, help: "Instead of --period: the first day (YYYY-MM-DD) or an RFC 3339 instant.") var from: String?
    @Option(name: .long, help: "With --from: the last day, inclusive (YYYY-MM-DD), or an RFC 3339 instant, exclusive.") var to: String?
    @Option(name: .long, help: "Time zone the days are counted in (default: Asia/Shanghai).") var tz: String?
    @OptionGroup var out: ReportOutputOptions

    func resolvedPeriod(_ reporting: Reporting) throws -> ReportPeriod {
        do { return try reporting.period(kind: period, date: date, from: from, to: to, timeZone: tz) } catch {
            throw ValidationError(error.errors.map { "--\($0.field): \($0.reason)" }.joined(separator: "; "))
        }
    }
}

struct ReportGrids: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grids",
        abstract: "Figures per grid of a residential level or overlay layer: received, rates, overdue, median hours, blind spots.",
        discussion: "Definitions are in the JSON output (\"definitions\") and the README. Examples:\n  wangge report grids --level courtyard\n  wangge report grids --level community --period quarter --date 2026-08-01 -o q3.csv\n  wangge report grids --level courtyard -o courtyards.geojson    # a choropleth layer for QGIS"
    )

    @Option(name: .long, help: "street, community, courtyard, building (or the layer's own level names), functional or industry (default: courtyard, or the deepest level).") var level: String?
    @Option(name: .long, help: "With svg: the figure to map (default: density_per_km2).") var figure = ChoroplethSVG.defaultFigure
    @Option(name: .long, help: "current (default): the grids in use; period: the boundary versions in use when the period ended.") var boundaries = "current"
    @Option(name: .long, help: "stored (default): each event where it was assigned; reassigned: every event assigned again to the report's grids.") var assignment = "stored"
    @OptionGroup var options: ReportOptions

    func run() throws {
        let db = try options.out.database.open()
        let levels = try db.levelScheme()
        let level = self.level ?? levels.reportDefault.name
        guard let scope = ReportScope(level, levels: levels) else {
            throw ValidationError("--level \(level): must be one of \(ReportScope.names(levels).joined(separator: ", "))")
        }
        let format = try options.out.resolvedFormat(allowed: ["json", "csv", "geojson", "svg"])
        guard ChoroplethSVG.figures.contains(where: { $0.key == figure }) else {
            throw ValidationError("--figure \(figure): one of \(ChoroplethSVG.figures.map(\.key).joined(separator: ", "))")
        }
        let reporting = Reporting(repository: db)
        guard ["current", "period"].contains(boundaries) else { throw ValidationError("--boundaries \(boundaries): current or period") }
        guard ["stored", "reassigned"].contains(assignment) else { throw ValidationError("--assignment \(assignment): stored or reassigned") }
        let period = try options.resolvedPeriod(reporting)
        let on: WanggeUseCases.ReportBoundaries?
        do {
            on = try reporting.boundaries(scope, period: period, asOfPeriodEnd: boundaries == "period", reassign: assignment == "reassigned")
        } catch let e as WanggeError { throw ValidationError(e.description) }
        let report = try reporting.grids(scope, period: period, on: on)
        switch format {
        case "json": try options.out.emit(jsonBytes(report.json()))
        case "csv": try options.out.emit(options.out.csv(report.csv()))
        case "geojson": try options.out.emit(try report.geojson())
        case "svg": try options.out.emit(Array(try ChoroplethSVG.render(report, options: .init(figure: figure)).utf8))
        default:
            var rows = report.rows.map { row in
                [row.grid.code, row.grid.name] + TextTable.figures(row.tally) + [row.tally.received == 0 ? "blind spot" : ""]
            }
            rows.append(["total", "\(report.rows.count) grids"] + TextTable.figures(report.total) + [""])
            let title = "\(scope) grids, \(report.period.label): \(report.period.readableRange) (\(report.period.timeZone)), as of \(report.period.readableInstant(report.asOf))"
            try options.out.emit(Array(TextTable.render(title: title, header: ["code", "name"] + TextTable.figureHeader + [""], rows: rows).utf8))
        }
    }
}

struct ReportDepartments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "departments",
        abstract: "Figures per department: events held, on time, overdue, returned as wrong dispatches, reworks, extensions, ratings, satisfaction."
    )

    @OptionGroup var options: ReportOptions

    func run() throws {
        let format = try options.out.resolvedFormat(allowed: ["json", "csv"])
        let reporting = Reporting(repository: try options.out.database.open())
        let report = try reporting.departments(period: try options.resolvedPeriod(reporting))
        switch format {
        case "json": try options.out.emit(jsonBytes(report.json()))
        case "csv": try options.out.emit(options.out.csv(report.csv()))
        default:
            var rows = report.rows.map { row in
                [row.department.code, row.department.name] + TextTable.figures(row.tally)
                    + ["\(row.returned)", "\(row.tally.good)/\(row.tally.average)/\(row.tally.poor)"]
            }
            rows.append(["-", "not dispatched"] + TextTable.figures(report.undispatched) + ["", ""])
            rows.append(["total", ""] + TextTable.figures(report.total) + ["\(report.rows.reduce(0) { $0 + $1.returned })",
                                                                              "\(report.total.good)/\(report.total.average)/\(report.total.poor)"])
            let title = "departments, \(report.period.label): \(report.period.readableRange) (\(report.period.timeZone)), as of \(report.period.readableInstant(report.asOf))"
            try options.out.emit(Array(TextTable.render(title: title, header: ["code", "name"] + TextTable.figureHeader + ["returned", "good/avg/poor"],
                                                    rows: rows).utf8))
        }
    }
}

struct ReportRoles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "Figures per dispatcher (按时派遣, 准确/错误派遣) and supervisor (上报, 有效上报, 按时核实, 按时核查)."
    )

    @OptionGroup var options: ReportOptions

    func run() throws {
        let format = try options.out.resolvedFormat(allowed: ["json"])
        let reporting = Reporting(repository: try options.out.database.open())
        let report = try reporting.roles(period: try options.resolvedPeriod(reporting))
        if format == "json" { return try options.out.emit(jsonBytes(report.json())) }
        func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.1f %%", Double(a) * 100 / Double(b)) }
        let title = "roles, \(report.period.label): \(report.period.readableRange) (\(report.period.timeZone))"
        var text = TextTable.render(title: "dispatchers, " + title, header: ["name", "dispatches", "on time", "wrong", "accurate"],
                                    rows: report.dispatchers.map { d in
                                        [d.name, "\(d.dispatches)", pct(d.onTime, d.dispatches), "\(d.wrong)", pct(d.accurate, d.dispatches)]
                                    })
        text += TextTable.render(title: "supervisors, " + title,
                                 header: ["name", "reports", "valid", "verifications", "on time", "checks", "on time", "failed"],
                                 rows: report.supervisors.map { s in
                                     [s.name, "\(s.reports)", pct(s.validReports, s.reports), "\(s.verifications)",
                                      pct(s.onTimeVerifications, s.verifications), "\(s.checks)", pct(s.onTimeChecks, s.checks), "\(s.failedChecks)"]
                                 })
        try options.out.emit(Array(text.utf8))
    }
}

struct ReportSummary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "The periodic summary (周报告 weekly, 月交流 monthly, 季小结 quarterly) as a printable HTML page: figures against the previous period, a map, tables.",
        discussion: "Example: wangge report summary --period week --date 2026-08-12 -o week.html"
    )

    @Option(name: .long, help: "Only this community (its code) and its courtyards.") var community: String?
    @OptionGroup var options: ReportOptions

    func run() throws {
        let reporting = Reporting(repository: try options.out.database.open())
        let page = try SummaryPage.render(try reporting.summary(period: try options.resolvedPeriod(reporting), community: community))
        try options.out.emit(Array(page.utf8))
    }
}

struct ReportBoundaries: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "Boundary coverage: per level and overlay layer, area, share of the street covered, gaps, overlaps, parts outside; defects with areas and locations.",
        discussion: "-o defects.geojson writes the defect layer (one feature per gap, overlap or part outside); -o report.json the whole report."
    )

    @Option(name: .long, help: "Gaps, overlaps and overhangs narrower than this many metres are noise (default 0.5).") var tolerance = 0.5
    @Option(name: .customLong("sliver-area"), help: "Pieces of at most this many m² are slivers (default 1).") var sliverArea = 1.0
    @OptionGroup var out: ReportOutputOptions

    func run() throws {
        var options = BoundaryOptions(layer: .residential)
        options.toleranceMetres = tolerance
        options.sliverAreaM2 = sliverArea
        let f = try out.resolvedFormat(allowed: ["json", "geojson"])
        let result = try Reporting(repository: try out.database.open()).boundaries(options: options)
        let bytes: [UInt8]
        switch f {
        case "json": bytes = jsonBytes(result.json(toleranceMetres: tolerance, sliverAreaM2: sliverArea))
        case "geojson": bytes = DefectReport.geoJSON(result.defects)
        default:
            func km2(_ m2: Double) -> String { String(format: "%.4f", m2 / 1e6) }
            let rows = result.figures.map { fg in
                [fg.name, "\(fg.grids)", km2(fg.areaM2), km2(fg.unionM2),
                 result.streetM2 > 0 ? String(format: "%.2f %%", fg.coveredM2 / result.streetM2 * 100) : "-",
                 km2(fg.gapM2), km2(fg.overlapM2), km2(fg.outsideStreetM2)]
            }
            var text = TextTable.render(title: "boundary coverage; street \(km2(result.streetM2)) km² (tolerance \(tolerance) m, slivers ≤ \(sliverArea) m²)",
                                        header: ["layer", "grids", "area km²", "union km²", "of street", "gaps km²", "overlaps km²", "outside km²"], rows: rows)
            text += result.defects.isEmpty ? "no defects\n" : "\(result.defects.count) defects:\n" + result.defects.map { "  \($0.kind.rawValue): \($0.message)" }.joined(separator: "\n") + "\n"
            bytes = Array(text.utf8)
        }
        try out.emit(bytes, summary: "\(result.defects.count) defects")
    }
}

struct ReportHotSpots: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "Hot spots (分析研判): clusters of one type close in space and time, repeated problems at one place, grids on the rise.",
        discussion: "Example: wangge report hotspots --period month --date 2026-08-01 -o hotspots.geojson"
    )

    @Option(name: .long, help: "Residential level for grids and the rise (default: courtyard, or the deepest level).") var level: String?
    @Option(name: .long, help: "Metres between events of a cluster (default 50).") var radius = 50.0
    @Option(name: .long, help: "Days between events of a cluster (default 7).") var days = 7.0
    @Option(name: .customLong("min-events"), help: "Events a cluster or repeat needs (default 3).") var minEvents = 3
    @OptionGroup var options: ReportOptions

    func run() throws {
        guard radius > 0, days > 0, minEvents >= 2 else { throw ValidationError("--radius and --days must be positive, --min-events at least 2") }
        let format = try options.out.resolvedFormat(allowed: ["json", "geojson"])
        let db = try options.out.database.open()
        let reporting = Reporting(repository: db)
        let levels = try db.levelScheme()
        let level = try self.level.map { try GridLevel.named($0, in: levels, option: "--level") } ?? levels.reportDefault
        var o = HotSpots.Options()
        o.radiusMetres = radius; o.days = days; o.minEvents = minEvents
        let report = try reporting.hotSpots(level: level, period: try options.resolvedPeriod(reporting), options: o)
        let names = try reporting.typeNames()
        switch format {
        case "json": try options.out.emit(jsonBytes(report.json(typeNames: names)))
        case "geojson": try options.out.emit(try report.geojson(typeNames: names))
        default:
            func row(_ c: HotSpots.Cluster) -> [String] {
                [c.kind.rawValue, names[c.type] ?? c.type, "\(c.ids.count)", String(format: "%.0f m", c.radiusMetres),
                 report.period.readableInstant(c.first), report.period.readableInstant(c.last),
                 c.grids.prefix(2).map { report.grids[$0]?.name ?? $0 }.joined(separator: ", ")]
            }
            var text = TextTable.render(title: "hot spots, \(report.period.label): \(report.period.readableRange) (within \(Int(radius)) m and \(days) days, at least \(minEvents) events)",
                                        header: ["kind", "type", "events", "radius", "first", "last", "grids"],
                                        rows: (report.clusters + report.repeats).map(row))
            text += report.rising.isEmpty ? "no \(level.rawValue) rose against \(report.previous.label)\n" :
                "rising against \(report.previous.label): " + report.rising.map { "\(report.grids[$0.grid]?.name ?? $0.grid) \($0.before) → \($0.now)" }.joined(separator: ", ") + "\n"
            try options.out.emit(Array(text.utf8))
        }
    }
}

struct ReportServices: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "The ten-minute convenience circle (十分钟便民服务圈): per grid, the share of area and households within walking distance of each kind of service.",
        discussion: "Service points come from the database (the sample's are loaded with it) or --points FILE; --store keeps FILE for the service.\nExamples:\n  wangge report services --level courtyard\n  wangge report services -o uncovered.geojson    # the parts of the street out of reach, per kind"
    )

    @Option(name: .long, help: "Residential level (default: courtyard, or the deepest level).") var level: String?
    @Option(name: .long, help: "Walking distance in metres (default 800, about ten minutes).") var radius = 800.0
    @Option(name: .long, help: "A GeoJSON FeatureCollection of points with id, name and kind.") var points: String?
    @Flag(name: .long, help: "Store --points in the database for the service and later reports.") var store = false
    @OptionGroup var out: ReportOutputOptions

    func run() throws {
        guard radius >= 50 && radius <= 5000 else { throw ValidationError("--radius must be 50–5000 metres") }
        let f = try out.resolvedFormat(allowed: ["json", "csv", "geojson"])
        let db = try out.database.open()
        var given: [ServicePoint]?
        if let points {
            let bytes = try FileIO.read(points)
            given = try ServicePoints.parse(bytes)
            if store {
                try ServicePoints.store(bytes, into: db)
                try db.record(.servicePointsReplaced, by: .commandLineUser, target: points, [("points", .int(given?.count ?? 0))])
            }
        }
        let levels = try db.levelScheme()
        let level = try self.level.map { try GridLevel.named($0, in: levels, option: "--level") } ?? levels.reportDefault
        let report = try Reporting(repository: db).services(level: level, radiusMetres: radius, points: given)
        let bytes: [UInt8]
        switch f {
        case "json": bytes = jsonBytes(report.json())
        case "csv": bytes = out.csv(report.csv())
        case "geojson": bytes = report.geojson()
        default:
            func pct(_ part: Double?, _ whole: Double?) -> String {
                guard let part, let whole, whole > 0 else { return "-" }
                return String(format: "%.0f", min(1, part / whole) * 100)
            }
            let kinds = report.result.kinds
            let rows = report.result.rows.map { r in
                [r.grid.code, r.grid.name] + kinds.map { pct(r.coveredHouseholds[$0], r.households) + "/" + pct(r.coveredM2[$0], r.grid.areaM2) }
                    + [pct(r.allHouseholds, r.households) + "/" + pct(r.allM2, r.grid.areaM2)]
            }
            var text = TextTable.render(title: "households / area within \(Int(radius)) m, % (\(level.rawValue) grids)",
                                        header: ["code", "name"] + kinds.map { report.names[$0] ?? $0 } + ["all"], rows: rows)
            text += "street: " + kinds.map { k in "\(report.names[k] ?? k) \(pct(report.result.streetCoveredM2[k], report.result.streetM2)) % (\(report.result.points[k] ?? 0) points)" }.joined(separator: ", ") + "\n"
            bytes = Array(text.utf8)
        }
        try out.emit(bytes)
    }
}

func jsonBytes(_ v: JSONValue) -> [UInt8] {
    var w = GeoJSONWriter()
    w.appendValue(v)
    w.append("\n")
    return w.take()
}

/// A plain-text table for the terminal; CJK characters count two columns.
enum TextTable {
    static let figureHeader = ["received", "closed", "resolved %", "satisfied %", "on time %", "overdue", "h to resolve", "reworks"]

    static func figures(_ t: LoopTally) -> [String] {
        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f", $0 * 100) } ?? "-" }
        return ["\(t.received)", "\(t.closed)", pct(t.resolutionRate), pct(t.satisfactionRate), pct(t.onTimeRate), "\(t.overdue)",
                t.medianHoursToResolve.map { String(format: "%.1f", $0) } ?? "-", "\(t.reworks)"]
    }

    static func width(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x1100 && $1.value <= 0x115F) || ($1.value >= 0x2E80 && $1.value <= 0xA4CF) || ($1.value >= 0xAC00 && $1.value <= 0xD7A3) || ($1.value >= 0xF900 && $1.value <= 0xFAFF) || ($1.value >= 0xFF00 && $1.value <= 0xFF60) ? 2 : 1) }
    }

    static func render(title: String, header: [String], rows: [[String]]) -> String {
        var widths = header.map(width)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], width(c)) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - width(c))
                return i < 2 ? c + pad : pad + c  // names left, figures right
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [title, line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }
}
