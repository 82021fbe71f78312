import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeGeo
import WanggeUseCases

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Add the grid codes of every point in a CSV, NDJSON or GeoJSON file, streaming.",
        discussion: """
            Writes the same format with the fields street, community, courtyard, building; residential_match, \
            residential_distance_m, residential_touching; functional, functional_match, functional_distance_m, \
            functional_touching; the same for industry; and error. A match is inside, boundary (on an edge: the \
            grid with the smallest code, the others in _touching), nearest (outside, snapped by --snap; the \
            distance in _distance_m) or outside. Several codes are joined by ';'. Rows with missing or bad \
            coordinates are kept with the reason and line number in error, and counted in the summary.
            """
    )

    @Argument(help: "Input: .csv, .ndjson/.jsonl/.geojsonl/.geojsonseq, or .geojson (FeatureCollection of Points).")
    var input: String
    @Option(name: .shortAndLong, help: "Output file (same format).") var output: String
    @Option(name: .long, help: "Input format when the extension does not say: csv, ndjson or geojson.") var format: String?
    @Option(name: .long, help: "CRS of the coordinates: EPSG:nnnn (e.g. EPSG:4490), an OGC URI (http://www.opengis.net/def/crs/EPSG/0/4547), GCJ02 or BD09 (default EPSG:4326).") var crs: String?
    @Option(name: .customLong("lon-field"), help: "Longitude column (default: lon, lng, longitude or x).") var lonField: String?
    @Option(name: .customLong("lat-field"), help: "Latitude column (default: lat, latitude or y).") var latField: String?
    @Option(name: .long, help: "Snap points outside every grid to one within this many metres.") var snap: Double = 0
    @Option(name: .long, help: "Worker threads (default: CPU cores).") var workers = ProcessInfo.processInfo.activeProcessorCount
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        guard let fmt = format.map({ BatchAssignment.Format(rawValue: $0) }) ?? BatchAssignment.Format(path: input) else {
            throw ValidationError("cannot tell the format of \(input) from its extension; give --format csv|ndjson|geojson")
        }
        var job = BatchAssignment(format: fmt, lonField: lonField, latField: latField, snapMetres: snap)
        do { job.crs = try crs.map { try CRS(parsing: $0) } } catch { throw ValidationError("\(error)") }
        guard snap >= 0, snap.isFinite else { throw ValidationError("--snap must be a non-negative number of metres") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        let engine = try AssignmentEngine(repository: database.openForReading(), workers: workers, indexFile: database.indexFile)
        let bar = TerminalProgress()
        let started = Date()
        let summary: BatchAssignment.Summary
        do {
            summary = try job.run(input: input, output: output, engine: engine) { done, total in
                bar.update("assign", done: Int(done), total: Int(total))
            }
        } catch let e as WanggeError {
            bar.finish()
            throw ValidationError(e.description)
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        print("\(output): \(summary.rows) rows in \(String(format: "%.2f", seconds)) s (\(Int(Double(summary.rows) / max(seconds, 1e-9))) rows/s, \(engine.workers.count) workers); \(summary.bad) with bad coordinates")
        let snapshot = engine.snapshot
        for layer in GridLayer.allCases {
            let grids = snapshot.grids.lazy.filter { $0.layer == layer }.count
            guard grids > 0 else { print("  \(layer.rawValue): no grids loaded"); continue }
            let counts = summary.byLayer[layer] ?? [:]
            print("  \(layer.rawValue) (\(grids) grids): " + MatchKind.allCases.map { "\($0.rawValue) \(counts[$0, default: 0])" }.joined(separator: ", "))
        }
        if summary.bad > 0 {
            for (reason, n) in summary.badByReason.sorted(by: { $0.key < $1.key }) { print("  bad, \(reason): \(n)") }
            for b in summary.firstBad.prefix(10) { print("  \(b.reason)") }
            if summary.bad > 10 { print("  … every bad row is kept in \(output) with its reason in the error field") }
        }
    }
}
