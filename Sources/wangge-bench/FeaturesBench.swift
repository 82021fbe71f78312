import GRDB
import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeUseCases
import WanggeStore

/// OGC API – Features under load: the three requests of ../shared/bench/pygeoapi/run.sh (building items, an events
/// bbox holding ~1 % of 100,000 events, one event by id), a bbox that moves with every request (tipg's
/// bbox_shift.lua, same seed, same extent, same box size: no page is asked for twice), and the download of all
/// events through `next` links, sent to Wangge and, in the same run, to pygeoapi and to tipg serving the same data
/// (their run.sh scripts start and measure them).
struct FeaturesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "OGC API – Features load (wrk) vs pygeoapi on the same data (../shared/bench/pygeoapi/run.sh)."
    )

    @Option(name: .long, help: "Folder of the baseline scripts.") var baselines = "../shared/bench"
    @Option(name: .long, help: "Where generated data goes (WANGGE_BENCH_DIR).")
    var work = ProcessInfo.processInfo.environment["WANGGE_BENCH_DIR"] ?? "bench-data"
    @Option(name: .long, help: "Seconds of wrk per request kind.") var seconds = 30
    @Option(name: .long, help: "wrk connections.") var connections = 16
    @Option(name: .long, help: "The wangge binary (default: next to this one).") var wangge: String?
    @Flag(name: .customLong("skip-baseline"), help: "Do not run pygeoapi (its data must exist from an earlier run).") var skipBaseline = false
    @Flag(name: .customLong("skip-tipg"), help: "Do not run tipg.") var skipTipg = false

    static let bbox = "114.4587,38.0493,114.4607,38.0509"
    static let itemID = 12345

    func run() throws {
        let work = URL(fileURLWithPath: self.work).standardizedFileURL.path
        let scripts = URL(fileURLWithPath: "\(baselines)/pygeoapi").standardizedFileURL.path
        let env = ["WANGGE_BENCH_DIR": work]
        var baseline = ""
        if !skipBaseline {
            print("pygeoapi (run.sh \(seconds) \(connections)) …")
            baseline = try runProcess(["bash", "\(scripts)/run.sh", "\(seconds)", "\(connections)"], environment: env)
        }
        var tipg = ""
        if !skipTipg {
            print("tipg (tipg/run.sh \(seconds) \(connections)) …")
            tipg = try runProcess(["bash", "\(baselines)/tipg/run.sh", "\(seconds)", "\(connections)"], environment: env)
        }
        let data = "\(work)/pygeoapi/data"
        guard FileManager.default.fileExists(atPath: "\(data)/events.geojson") else {
            throw BenchError("\(data)/events.geojson is missing: run once without --skip-baseline")
        }
        if !skipBaseline {
            // run.sh has no shifting box: pygeoapi is started again on what run.sh left (its venv and rendered
            // config) and sent the same shifting boxes as tipg and Wangge.
            print("pygeoapi, a new box every request …")
            baseline += try pygeoapiShiftingBox(work: work, data: data, scripts: scripts)
        }

        let binary = wanggeBinary(wangge)
        let dir = "\(work)/features"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = "\(dir)/wangge.db"
        let n = try Self.prepare(db: db, data: data, binary: binary)
        let token = try runProcess([binary, "token", "create", "--role", "viewer", "--name", "features bench", "--db", db])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let port = 19_000 + Int.random(in: 0..<1000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--db", db, "--port", "\(port)", "--log-level", "warning"]
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        let base = "http://127.0.0.1:\(port)"
        try waitHealthy(base)
        print("wangge: \(n) events, serving \(base)")

        // The same requests as run.sh, with the viewer's token (Wangge's events are not public).
        let auth = "Authorization: Bearer \(token)"
        let paths = [("building-items", "/collections/building/items?limit=100"),
                     ("events-bbox", "/collections/events/items?limit=100&bbox=\(Self.bbox)"),
                     ("events-by-id", "/collections/events/items/\(Self.itemID)")]
        var ours = ""
        for (kind, path) in paths {
            for _ in 0..<4 { _ = try runProcess(["curl", "-sf", "-o", "/dev/null", "-H", auth, base + path]) }
            let out = try runProcess(["wrk", "-t\(min(2, connections))", "-c\(connections)", "-d\(seconds)s", "--timeout", "60s",
                                      "--latency", "-H", auth, base + path])
            let line = try runProcess(["python3", "\(scripts)/wrk_summary.py", kind, "wangge"], stdin: out)
            print(line, terminator: "")
            ours += line
        }
        // A different box on every request, as tipg's run.sh draws them (bbox_shift.lua: the data's extent from
        // meta.json, boxes the size of the fixed one, about 1 % of the events each, the same seed): every page is
        // queried and rendered, none comes from the page cache.
        let cold = try runProcess(shiftingBox(base: base, data: data, headers: ["-H", auth]))
        let coldLine = try runProcess(["python3", "\(scripts)/wrk_summary.py", "events-bbox-shift", "wangge"], stdin: cold)
        print(coldLine, terminator: "")
        ours += coldLine
        // fulldl.py as it is, with the token added to every request it makes.
        let download = try runProcess(["python3", "-c", """
            import sys, urllib.request
            opener = urllib.request.build_opener(); opener.addheaders = [("Authorization", "Bearer \(token)")]
            urllib.request.install_opener(opener)
            sys.argv = ["fulldl.py", "\(base)", "events", "10000", "wangge"]
            exec(open("\(scripts)/fulldl.py").read())
            """])
        print(download, terminator: "")
        ours += download
        let rss = try String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map { Double($0.split(separator: " ")[1])! / 1024 } ?? 0
        ours += "wangge rss_mb=\(Int(rss)) max_process_mb=\(Int(rss)) processes=1\n"
        print("wangge rss_mb=\(Int(rss)) (one process, peak)")

        let w = Self.parse(ours), p = Self.parse(baseline), t = Self.parse(tipg)
        func cell(_ d: [String: String]) -> String { "\(d["rps"] ?? "–") | \(d["p50_ms"] ?? "–") | \(d["p99_ms"] ?? "–") | \(d["errors"] ?? "–")" }
        func ratio(_ a: [String: String], _ b: [String: String], _ key: String = "rps", inverse: Bool = false) -> String {
            guard let x = Double(a[key] ?? ""), let y = Double(b[key] ?? ""), x > 0, y > 0 else { return "–" }
            return fmt(inverse ? y / x : x / y, 1) + "×"
        }
        print("")
        print("| request | Wangge req/s | p50 ms | p99 ms | errors | tipg req/s | p50 ms | p99 ms | errors | pygeoapi req/s | p50 ms | p99 ms | errors | vs tipg | vs pygeoapi |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for kind in paths.map(\.0) + ["events-bbox-shift"] {
            // pygeoapi's shifting boxes are measured here (run.sh has none); with --skip-baseline there is no figure.
            let a = w[kind] ?? [:], b = t[kind] ?? [:], c = p[kind] ?? [:]
            print("| \(kind) | \(cell(a)) | \(cell(b)) | \(cell(c)) | \(ratio(a, b)) | \(ratio(a, c)) |")
        }
        let a = w["full-download"] ?? [:], b = t["full-download"] ?? [:], c = p["full-download"] ?? [:]
        func downloaded(_ d: [String: String]) -> String { "\(d["seconds"] ?? "–") s, \(d["requests"] ?? "–") requests, \(d["mb"] ?? "–") MB" }
        print("| full download of 100,000 events (limit 10000, next links) | \(downloaded(a)) | | | | \(downloaded(b)) | | | | \(downloaded(c)) | | | | \(ratio(a, b, "seconds", inverse: true)) | \(ratio(a, c, "seconds", inverse: true)) |")
        print("| peak resident memory | \(w["rss"]?["rss_mb"] ?? "?") MB (1 process) | | | | \(t["rss"]?["rss_mb"] ?? "–") MB (uvicorn) + \(t["postgres"]?["postgres_pss_mb"] ?? "–") MB PostgreSQL | | | | \(p["rss"]?["rss_mb"] ?? "–") MB (\(p["rss"]?["processes"] ?? "?") processes) | | | | | |")
    }

    /// The wrk command for boxes that move with every request (tipg's bbox_shift.lua over the data's extent, boxes
    /// the size of the fixed one).
    func shiftingBox(base: String, data: String, headers: [String]) throws -> [String] {
        var extent: [Double] = []
        if case .array(let items)? = try JSONValue.parse(FileIO.read("\(data)/district/meta.json")).objectValue?["bbox"] {
            extent = items.compactMap { $0.doubleValue }
        }
        guard extent.count == 4 else { throw BenchError("no bbox in \(data)/district/meta.json") }
        let box = Self.bbox.split(separator: ",").compactMap { Double($0) }
        return ["wrk", "-t\(min(2, connections))", "-c\(connections)", "-d\(seconds)s", "--timeout", "60s", "--latency"] + headers
            + ["-s", "\(baselines)/tipg/bbox_shift.lua", base, "--", "/collections/events/items?limit=100"]
            + extent.map { "\($0)" } + [String(format: "%.7f", box[2] - box[0]), String(format: "%.7f", box[3] - box[1])]
    }

    /// pygeoapi under gunicorn (2 workers, as run.sh starts it, on the port its rendered config names) sent the
    /// shifting boxes; its wrk summary line.
    func pygeoapiShiftingBox(work: String, data: String, scripts: String) throws -> String {
        let dir = "\(work)/pygeoapi"
        let config = try String(contentsOfFile: "\(dir)/config.yml", encoding: .utf8)
        guard let urlLine = config.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("url: http://127.0.0.1:") }),
              let port = Int(urlLine.split(separator: ":").last ?? "") else {
            throw BenchError("no server url in \(dir)/config.yml")
        }
        let gunicorn = "\(dir)/venv/bin/gunicorn"
        var flags = ["-w", "2", "-b", "127.0.0.1:\(port)", "--timeout", "600", "--access-logfile", "/dev/null",
                     "--error-logfile", "\(dir)/logs/gunicorn-shift.err"]
        if (try? runProcess([gunicorn, "--help"]))?.contains("--no-control-socket") == true { flags.append("--no-control-socket") }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: gunicorn)
        server.arguments = flags + ["pygeoapi.flask_app:APP"]
        var env = ProcessInfo.processInfo.environment
        env["PYGEOAPI_CONFIG"] = "\(dir)/config.yml"
        env["PYGEOAPI_OPENAPI"] = "\(dir)/openapi.yml"
        server.environment = env
        server.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        let base = "http://127.0.0.1:\(port)"
        try waitHealthy(base, path: "/conformance", name: "pygeoapi")
        for _ in 0..<4 { _ = try runProcess(["curl", "-sf", "-o", "/dev/null", "\(base)/collections/events/items?limit=100&bbox=\(Self.bbox)"]) }
        let out = try runProcess(shiftingBox(base: base, data: data, headers: []))
        let line = try runProcess(["python3", "\(scripts)/wrk_summary.py", "events-bbox-shift", "pygeoapi"], stdin: out)
        print(line, terminator: "")
        return line
    }

    /// "LABEL KIND: k=v k=v" lines (and "LABEL rss_mb=…") by kind.
    static func parse(_ text: String) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 2 else { continue }
            let kind = words[1].hasSuffix(":") ? String(words[1].dropLast())
                : words[1].hasPrefix("rss_mb=") ? "rss" : words[1].hasPrefix("postgres_pss_mb=") ? "postgres" : nil
            guard let kind else { continue }
            var fields: [String: String] = [:]
            for w in words.dropFirst() where w.contains("=") {
                let kv = w.split(separator: "=", maxSplits: 1)
                fields[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
            }
            out[kind] = fields
        }
        return out
    }

    func waitHealthy(_ base: String, path: String = "/health", name: String = "wangge") throws {
        for _ in 0..<300 {
            if (try? runProcess(["curl", "-sf", "-o", "/dev/null", "\(base)\(path)"])) != nil { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw BenchError("\(name) did not answer at \(base)")
    }

    /// The district grids of run.sh's data and its 100,000 events, in CSV id order so that ids match. Their statuses
    /// and types are mapped onto Wangge's (new → reported, assigned → dispatched; the types are added to the
    /// catalogue); severity 5 becomes 4, Wangge's highest.
    static func prepare(db path: String, data: String, binary: String) throws -> Int {
        if FileManager.default.fileExists(atPath: path), let db = try? AppDatabase(path: path),
           let n = try? db.countEvents(.allEvents), n == 100_000 {
            return n
        }
        try? FileManager.default.removeItem(atPath: path)
        _ = try runProcess([binary, "import", "--activate", "\(data)/district/grids_all.geojson", "--layer", "residential", "--code-field", "id",
                            "--parent-field", "parent_id", "--level-map", "subdistrict=street", "--db", path])
        let db = try AppDatabase(path: path)
        let geodata = FileManager.default.currentDirectoryPath + "/GeoData"
        var types = try JSONDecoder().decode([EventType].self, from: Data(FileIO.read("\(geodata)/event_types.json")))
        let departments = try JSONDecoder().decode([Department].self, from: Data(FileIO.read("\(geodata)/departments.json")))
        for code in ["noise", "garbage", "parking", "road_damage", "water_leak", "other"] where !types.contains(where: { $0.code == code }) {
            var t = types[0]
            t.code = code
            t.name = code
            t.nameEn = code
            types.append(t)
        }
        try db.replaceCatalog(departments: departments, eventTypes: types)
        let doc = try GeoJSONDocument.parse(FileIO.read("\(data)/events.geojson"))
        let engine = try AssignmentEngine(repository: db, workers: 1)
        let statuses = ["new": "reported", "assigned": "dispatched", "in_progress": "in_progress", "resolved": "resolved", "closed": "closed"]
        var batch: [EventInsert] = []
        var statusByID: [(String, Int)] = []
        for f in doc.features {
            let (x, y) = (f.coordinates!.xy[0], f.coordinates!.xy[1])
            let a = try engine.assignBlocking(x: x, y: y)
            let t = Timestamp.parse(f.properties["created_at"]!.stringValue!)!
            let e = NewEvent(type: f.properties["type"]!.stringValue!, severity: min(4, Int(f.properties["severity"]!.doubleValue!)),
                             lon: a.lon, lat: a.lat, inputCRS: CRS.wgs84.description, inputX: x, inputY: y,
                             description: "", reporterName: "bench", reporterPhone: "13800000000", channel: .web,
                             occurredAt: t, reportedAt: t, assignment: a, submittedBy: nil)
            batch.append(EventInsert(event: e, actor: nil, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") })
            statusByID.append((statuses[f.properties["status"]!.stringValue!]!, Int(f.id!.doubleValue!)))
            if batch.count == 20_000 { _ = try db.insert(batch); batch.removeAll() }
        }
        _ = try db.insert(batch)
        try db.writer.write { d in
            for (status, id) in statusByID where status != "reported" {
                try d.execute(sql: "UPDATE event SET status = ? WHERE id = ?", arguments: [status, id])
            }
        }
        while try db.indexPendingEvents(limit: 100_000) > 0 {}
        let wrong = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM event WHERE id NOT BETWEEN 1 AND 100000")! }
        guard wrong == 0 else { throw BenchError("event ids do not match the CSV ids") }
        return try db.countEvents(.allEvents)
    }
}
