import GRDB
import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeUseCases
import WanggeStore

/// OGC API – Features under load: the three requests of ../shared/bench/pygeoapi/run.sh (building items, an events
/// bbox holding ~1 % of 100,000 events, one event by id) and the download of all events through `next` links, sent
/// to Wangge and, in the same run, to pygeoapi serving the same data (run.sh starts and measures it).
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
        let data = "\(work)/pygeoapi/data"
        guard FileManager.default.fileExists(atPath: "\(data)/events.geojson") else {
            throw BenchError("\(data)/events.geojson is missing: run once without --skip-baseline")
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
        // The bbox again, with a different box on every request (shifted by up to ±0.0005°, about 1 % of the events
        // each): every page is queried and rendered, none comes from the page cache.
        let script = "\(dir)/shifted-bbox.lua"
        try Self.shiftedBBox.write(toFile: script, atomically: true, encoding: .utf8)
        let cold = try runProcess(["wrk", "-t\(min(2, connections))", "-c\(connections)", "-d\(seconds)s", "--timeout", "60s",
                                   "--latency", "-H", auth, "-s", script, base + "/collections/events/items"])
        let coldLine = try runProcess(["python3", "\(scripts)/wrk_summary.py", "events-bbox-uncached", "wangge"], stdin: cold)
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

        let w = Self.parse(ours), p = Self.parse(baseline)
        print("")
        print("| request | Wangge req/s | p50 ms | p99 ms | errors | pygeoapi req/s | p50 ms | p99 ms | errors | ratio |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for kind in paths.map(\.0) + ["events-bbox-uncached"] {
            // pygeoapi does not cache: its events-bbox figure is the comparison for both of ours.
            let a = w[kind] ?? [:], b = p[kind == "events-bbox-uncached" ? "events-bbox" : kind] ?? [:]
            let ratio = (Double(a["rps"] ?? "") ?? 0) / (Double(b["rps"] ?? "") ?? .nan)
            print("| \(kind) | \(a["rps"] ?? "?") | \(a["p50_ms"] ?? "?") | \(a["p99_ms"] ?? "?") | \(a["errors"] ?? "?") | \(b["rps"] ?? "–") | \(b["p50_ms"] ?? "–") | \(b["p99_ms"] ?? "–") | \(b["errors"] ?? "–") | \(ratio.isNaN ? "–" : fmt(ratio, 0) + "×") |")
        }
        let a = w["full-download"] ?? [:], b = p["full-download"] ?? [:]
        let ratio = (Double(b["seconds"] ?? "") ?? .nan) / (Double(a["seconds"] ?? "") ?? 0)
        print("| full download of 100,000 events (limit 10000, next links) | \(a["seconds"] ?? "?") s, \(a["requests"] ?? "?") requests, \(a["mb"] ?? "?") MB | | | | \(b["seconds"] ?? "–") s, \(b["requests"] ?? "–") requests, \(b["mb"] ?? "–") MB | | | | \(ratio.isNaN ? "–" : fmt(ratio, 0) + "×") |")
        print("| peak resident memory | \(w["rss"]?["rss_mb"] ?? "?") MB (1 process) | | | | \(p["rss"]?["rss_mb"] ?? "–") MB (\(p["rss"]?["processes"] ?? "?") processes) | | | | |")
    }

    static let shiftedBBox = """
        math.randomseed(7)
        request = function()
          local dx, dy = (math.random() - 0.5) * 0.001, (math.random() - 0.5) * 0.001
          local path = string.format("/collections/events/items?limit=100&bbox=%.7f,%.7f,%.7f,%.7f",
                                     114.4587 + dx, 38.0493 + dy, 114.4607 + dx, 38.0509 + dy)
          return wrk.format("GET", path)
        end
        """

    /// "LABEL KIND: k=v k=v" lines (and "LABEL rss_mb=…") by kind.
    static func parse(_ text: String) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 2 else { continue }
            let kind = words[1].hasSuffix(":") ? String(words[1].dropLast()) : (words[1].hasPrefix("rss_mb=") ? "rss" : nil)
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

    func waitHealthy(_ base: String) throws {
        for _ in 0..<300 {
            if (try? runProcess(["curl", "-sf", "-o", "/dev/null", "\(base)/health"])) != nil { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw BenchError("wangge did not answer at \(base)")
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
        _ = try runProcess([binary, "import", "\(data)/district/grids_all.geojson", "--layer", "residential", "--code-field", "id",
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
