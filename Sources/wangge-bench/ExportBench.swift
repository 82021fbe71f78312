import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeUseCases
import WanggeStore

/// `wangge export events` of 1,000,000 events to GeoJSON against ogr2ogr converting the same points in the same run,
/// with the commands of ../shared/bench/bench_export.py. Peak memory of each process comes from GNU time.
struct ExportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "GeoJSON export of 1M events vs ogr2ogr on the same points (../shared/bench/bench_export.py)."
    )

    @Option(name: .long, help: "Folder of the baseline scripts (gen.py).") var baselines = "../shared/bench"
    @Option(name: .long, help: "Where generated data goes (WANGGE_BENCH_DIR).")
    var work = ProcessInfo.processInfo.environment["WANGGE_BENCH_DIR"] ?? "bench-data"
    @Option(name: .long, help: "Timed runs per measurement (median is reported).") var runs = 3
    @Option(name: .long, help: "The wangge binary (default: next to this one).") var wangge: String?
    @Flag(name: .customLong("skip-baseline"), help: "Do not run ogr2ogr.") var skipBaseline = false

    func run() throws {
        let work = URL(fileURLWithPath: self.work).standardizedFileURL.path
        let data = try benchData("district", baselines: baselines, work: work)
        let binary = wanggeBinary(wangge)
        let dir = "\(work)/export"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = "\(dir)/events-1m.db"
        let n = try Self.prepare(db: db, data: data, binary: binary)
        print("database: \(db) with \(n) events")

        // ogr2ogr's input: the same points with their building code, 7 decimals (as bench_export.py writes it),
        // and the same events with every exported column (our own CSV export).
        let pointsCSV = "\(dir)/points_assigned.csv"
        _ = try runProcess(["sqlite3", "-csv", "-header", db,
                            "SELECT id, printf('%.7f', lon) AS lon, printf('%.7f', lat) AS lat, building AS grid_id FROM event ORDER BY id"],
                           stdout: pointsCSV)
        let eventsCSV = "\(dir)/events.csv"
        _ = try runProcess([binary, "export", "events", "--db", db, "-o", eventsCSV])

        var rows: [Measurement] = []
        let ours = try measure("Wangge `export events` → GeoJSON (19 properties)", runs: runs, output: "\(dir)/wangge.geojson") {
            [binary, "export", "events", "--db", db, "-o", $0]
        }
        rows.append(ours)
        rows.append(try measure("Wangge `export events` → GeoJSONSeq", runs: runs, output: "\(dir)/wangge.geojsonl") {
            [binary, "export", "events", "--db", db, "-o", $0]
        })
        rows.append(try measure("Wangge `export events` → CSV", runs: runs, output: "\(dir)/wangge.csv") {
            [binary, "export", "events", "--db", db, "-o", $0]
        })
        let valid = try runProcess(["python3", "-c", Self.check, "\(dir)/wangge.geojson", db])
        print("check of Wangge's GeoJSON: \(valid)")

        if !skipBaseline {
            let csvopts = ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO",
                           "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326"]
            rows.append(try measure("ogr2ogr CSV → GeoJSON, id + grid_id (bench_export.py)", runs: runs, output: "\(dir)/ogr_points.geojson") {
                ["ogr2ogr", "-f", "GeoJSON", $0, pointsCSV] + csvopts + ["-lco", "COORDINATE_PRECISION=7"]
            })
            rows.append(try measure("ogr2ogr CSV → GeoJSON, the same 19 properties", runs: runs, output: "\(dir)/ogr_events.geojson") {
                ["ogr2ogr", "-f", "GeoJSON", $0, eventsCSV] + csvopts + ["-lco", "COORDINATE_PRECISION=7"]
            })
            rows.append(try measure("ogr2ogr CSV → GeoJSON, 19 properties, RFC7946=YES", runs: runs, output: "\(dir)/ogr_events7946.geojson") {
                ["ogr2ogr", "-f", "GeoJSON", $0, eventsCSV] + csvopts + ["-lco", "RFC7946=YES"]
            })
        }
        print("")
        print("| export of \(n) events | wall s (median of \(runs)) | output MB | MB/s | features/s (M) | peak RSS MB | Wangge GeoJSON / this, MB/s | Wangge GeoJSON / this, features/s |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows {
            print("| \(r.label) | \(fmt(r.seconds)) | \(fmt(r.mb, 1)) | \(fmt(r.mb / r.seconds, 1)) | \(fmt(Double(n) / r.seconds / 1e6)) | \(fmt(r.peakMB, 0)) | \(fmt((ours.mb / ours.seconds) / (r.mb / r.seconds)))× | \(fmt(r.seconds / ours.seconds))× |")
        }
    }

    struct Measurement {
        var label: String
        var seconds: Double
        var mb: Double
        var peakMB: Double
    }

    /// Runs a command under GNU time `runs` times: median wall time, output size, largest peak RSS.
    func measure(_ label: String, runs: Int, output: String, _ command: (String) -> [String]) throws -> Measurement {
        let (median, times, peak) = try timedCommand(command(output), runs: runs) { try? FileManager.default.removeItem(atPath: output) }
        let size = try FileManager.default.attributesOfItem(atPath: output)[.size] as! Int
        let m = Measurement(label: label, seconds: median, mb: Double(size) / 1e6, peakMB: peak)
        print("\(label): \(times.map { fmt($0) }.joined(separator: " ")) s, \(fmt(m.mb, 1)) MB, \(fmt(m.mb / m.seconds, 1)) MB/s, peak \(fmt(peak, 0)) MB")
        return m
    }

    /// Builds (once) a database with the district's grids and one event per bench point, assigned by the engine,
    /// with the types, descriptions and reporters of the Xiyuan sample's events in turn.
    static func prepare(db path: String, data: String, binary: String) throws -> Int {
        if FileManager.default.fileExists(atPath: path), let db = try? AppDatabase(path: path), let n = try? db.countEvents(.allEvents), n >= 1_000_000 {
            return n
        }
        try? FileManager.default.removeItem(atPath: path)
        let geodata = FileManager.default.currentDirectoryPath + "/GeoData"
        _ = try runProcess([binary, "import", "--activate", "\(data)/grids_all.geojson", "--layer", "residential", "--code-field", "id",
                            "--parent-field", "parent_id", "--level-map", "subdistrict=street", "--db", path])
        let db = try AppDatabase(path: path)
        try Catalogue.loadDepartmentsAndTypes(from: geodata, into: db)
        let samples = try FileIO.read("\(geodata)/events.ndjson").split(separator: 0x0A).map { try JSONValue.parse($0).objectValue! }
        let engine = try AssignmentEngine(repository: db, workers: 1)
        let lines = String(decoding: try FileIO.read("\(data)/points.csv"), as: UTF8.self).split(separator: "\n").dropFirst()
        var batch: [EventInsert] = []
        let start = 1_782_835_200.0  // 2026-07-01T00:00:00+08:00
        for (i, line) in lines.enumerated() {
            let f = line.split(separator: ",")
            let (x, y) = (Double(f[1])!, Double(f[2])!)
            let s = samples[i % samples.count]
            let a = try engine.assignBlocking(x: x, y: y)
            let occurred = start + Double(i) * 31.0
            let e = NewEvent(type: s["type"]!.stringValue!, severity: Int(s["severity"]!.doubleValue!), lon: a.lon, lat: a.lat,
                             inputCRS: CRS.wgs84.description, inputX: x, inputY: y, description: s["description"]!.stringValue!,
                             reporterName: s["reporter_name"]!.stringValue!, reporterPhone: s["reporter_phone"]!.stringValue!,
                             channel: EventChannel(rawValue: s["channel"]!.stringValue!)!, occurredAt: occurred,
                             reportedAt: occurred + 600, assignment: a, submittedBy: nil)
            batch.append(EventInsert(event: e, actor: nil, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") })
            if batch.count == 50_000 {
                _ = try db.insert(batch)
                batch.removeAll(keepingCapacity: true)
                print("  \(i + 1) events stored")
            }
        }
        _ = try db.insert(batch)
        while try db.indexPendingEvents(limit: 100_000) > 0 {}
        return try db.countEvents(.allEvents)
    }

    /// Reads the whole file back with orjson and compares every feature's id and coordinates with the database.
    static let check = """
        import sqlite3, sys, orjson
        d = orjson.loads(open(sys.argv[1], 'rb').read())
        f = d['features']
        rows = sqlite3.connect(sys.argv[2]).execute('SELECT id, lon, lat FROM event ORDER BY id').fetchall()
        bad = sum(1 for a, (i, x, y) in zip(f, rows) if a['id'] != i or a['geometry']['coordinates'] != [round(x, 7), round(y, 7)])
        print(f"{len(f)} features, {len(rows)} rows, {bad} mismatches, no crs member: {'crs' not in d}")
        """
}
