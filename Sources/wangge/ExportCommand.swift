public import ArgumentParser
import Foundation
public import WanggeCore
import WanggeAssignment
public import WanggeUseCases
import WanggeStore

extension EventStatus: ExpressibleByArgument {}
extension Exporter.Format: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write grids or events to GeoJSON (RFC 7946), GeoJSON text sequences (RFC 8142), newline-delimited GeoJSON or CSV.",
        subcommands: [ExportGrids.self, ExportEvents.self]
    )
}

/// What both exports share: the output, its format and an optional bounding box.
struct ExportOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output file. It appears only when complete (written as FILE.partial first).")
    var output: String
    @Option(name: .long, help: "geojson, geojsonseq (RS-separated, RFC 8142), ndjson (one feature per line) or csv (default: from the extension).")
    var format: Exporter.Format?
    @Option(name: .long, help: "Only features intersecting minLon,minLat,maxLon,maxLat (WGS84).")
    var bbox: String?

    func resolvedFormat() throws -> Exporter.Format {
        if let format { return format }
        guard let f = Exporter.Format(path: output) else {
            throw ValidationError("cannot tell the format of \(output) from its extension; give --format \(Exporter.Format.allCases.map(\.rawValue).joined(separator: "|"))")
        }
        return f
    }

    func boundingBox() throws -> BoundingBox? {
        guard let bbox else { return nil }
        let v = bbox.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, v.allSatisfy({ $0?.isFinite == true }) else {
            throw ValidationError("--bbox \(bbox): expected four numbers minLon,minLat,maxLon,maxLat")
        }
        let b = BoundingBox(minX: v[0]!, minY: v[1]!, maxX: v[2]!, maxY: v[3]!)
        guard abs(b.minX) <= 180, abs(b.maxX) <= 180, abs(b.minY) <= 90, abs(b.maxY) <= 90, b.minX <= b.maxX, b.minY <= b.maxY else {
            throw ValidationError("--bbox \(bbox): must lie within -180…180 / -90…90 with min ≤ max")
        }
        return b
    }

    func report(_ summary: Exporter.Summary, what: String, started: Date) {
        let seconds = Date().timeIntervalSince(started)
        let mb = Double(summary.bytes) / 1e6
        print("\(output): \(summary.features) \(what), \(String(format: "%.1f", mb)) MB in \(String(format: "%.2f", seconds)) s (\(String(format: "%.0f", mb / max(seconds, 1e-9))) MB/s)")
    }
}

struct ExportGrids: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grids", abstract: "Export grid boundaries.")

    @Option(name: .long, help: "Only this layer: residential, functional or industry.") var layer: GridLayer?
    @Option(name: .long, help: "Only this residential level (street, community, courtyard or building, or the layer's own level names).") var level: String?
    @Option(name: .long, help: "Coordinate decimals (7 ≈ 1 cm).") var decimals = 7
    @OptionGroup var out: ExportOutputOptions
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        if level != nil, let layer, layer != .residential { throw ValidationError("--level applies to the residential layer only") }
        guard (0...15).contains(decimals) else { throw ValidationError("--decimals must be between 0 and 15") }
        let db = try database.openForReading()
        let level = try self.level.map { try GridLevel.named($0, in: db.levelScheme(), option: "--level") }
        var exporter = Exporter(format: try out.resolvedFormat())
        exporter.decimals = decimals
        let bar = TerminalProgress()
        let started = Date()
        let summary = try exporter.exportGrids(db, layer: level != nil ? .residential : layer, level: level,
                                               bbox: try out.boundingBox(), to: out.output) { done, total in
            bar.update("grids", done: done, total: total)
        }
        bar.finish()
        out.report(summary, what: "grids", started: started)
    }
}

struct ExportEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Export events (oldest first) with their grid codes and status.",
        discussion: "Reporters' names and phone numbers are left out unless --with-reporter is given.")

    @Option(name: .long, help: "Only events in this status.") var status: EventStatus?
    @Option(name: .long, help: "Only events of this type code.") var type: String?
    @Option(name: .long, help: "Only events of this severity (1–4).") var severity: Int?
    @Option(name: .long, help: "Only events assigned to this grid code (any layer).") var grid: String?
    @Option(name: .long, help: "Only events that occurred at or after this time (RFC 3339; a date alone is midnight in the service time zone).") var since: String?
    @Option(name: .long, help: "Only events that occurred before this time.") var until: String?
    @Option(name: .long, help: "A CQL2-text filter over the events collection's queryables, as the OGC items take it (\"status = 'closed' AND severity >= 3\").")
    var filter: String?
    @Flag(name: .customLong("with-reporter"), help: "Include reporter_name and reporter_phone.") var withReporter = false
    @OptionGroup var out: ExportOutputOptions
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let db = try database.openForReading()
        var query = FeatureQuery.allEvents
        query.levels = try db.levelScheme()
        if let filter {
            do { query.filter = try CQL2.check(CQL2.parseText(filter), against: Queryables.events(query.levels)) } catch {
                throw ValidationError("--filter: \(error.message)")
            }
        }
        query.status = status
        query.type = type
        if let severity {
            guard (1...4).contains(severity) else { throw ValidationError("--severity must be 1, 2, 3 or 4") }
            query.severity = severity
        }
        query.grid = grid
        query.since = try since.map { try Self.time($0, "--since") }
        query.until = try until.map { try Self.time($0, "--until") }
        query.boxes = try out.boundingBox().map { [$0] } ?? []
        let exporter = Exporter(format: try out.resolvedFormat(), withReporter: withReporter, levels: query.levels)
        let bar = TerminalProgress()
        let started = Date()
        let summary = try exporter.exportEvents(db, query: query, to: out.output) { done, total in
            bar.update("events", done: done, total: total)
        }
        bar.finish()
        out.report(summary, what: "events", started: started)
    }

    static func time(_ s: String, _ option: String) throws -> Double {
        guard let t = Timestamp.parse(s) else { throw ValidationError("\(option) \(s): expected an RFC 3339 time such as 2026-03-01T08:00:00+08:00 or a date 2026-03-01") }
        return t
    }
}

extension GridLevel {
    /// The level of `levels` a command-line option names.
    /// - Throws: `ValidationError` naming the levels there are.
    static func named(_ name: String, in levels: LevelScheme, option: String) throws -> GridLevel {
        guard let l = levels.level(named: name) else {
            throw ValidationError("\(option) \(name): the residential levels are \(levels.names.joined(separator: ", "))")
        }
        return l
    }
}
