import ArgumentParser
import Foundation
import WanggeCore
import WanggeUseCases

/// Event intake over real HTTP (wrk, many connections, durable commits) against the PostGIS baseline doing the same
/// insert + ST_Contains assignment under pgbench, on the same grids in the same run.
struct IntakeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "POST /events throughput and latency with wrk vs PostGIS under pgbench (../shared/bench/postgis_intake.sh)."
    )

    @Option(name: .long, help: "Folder of the baseline scripts.") var baselines = "../shared/bench"
    @Option(name: .long, help: "Where generated data goes (WANGGE_BENCH_DIR).")
    var work = ProcessInfo.processInfo.environment["WANGGE_BENCH_DIR"] ?? "bench-data"
    @Option(name: .long, help: "Concurrent connections (and pgbench clients).") var clients = 16
    @Option(name: .long, help: "Seconds per run.") var seconds = 20
    @Option(name: .long, help: "The wangge binary (default: next to this one).") var wangge: String?
    @Flag(name: .customLong("skip-baseline"), help: "Do not run PostGIS.") var skipBaseline = false

    func run() throws {
        let work = URL(fileURLWithPath: self.work).standardizedFileURL.path
        let env = ["WANGGE_BENCH_DIR": work]
        let grids = try benchData("district", baselines: baselines, work: work) + "/grids_all.geojson"
        let binary = wanggeBinary(wangge)
        let geodata = FileManager.default.currentDirectoryPath + "/GeoData"
        let dir = NSTemporaryDirectory() + "wangge-intake-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = "\(dir)/wangge.db"

        // The same district grids PostGIS gets, through the real import.
        _ = try runProcess([binary, "import", "--activate", grids, "--layer", "residential", "--code-field", "id", "--parent-field", "parent_id",
                            "--level-map", "subdistrict=street", "--db", db])
        let token = try runProcess([binary, "token", "create", "--role", "reporter", "--name", "intake bench", "--db", db,
                                    "--geodata", geodata]).trimmingCharacters(in: .whitespacesAndNewlines)
        let port = 18_000 + Int.random(in: 0..<1000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--db", db, "--port", "\(port)", "--log-level", "warning", "--geodata", geodata]
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        try waitHealthy(port)

        let script = "\(dir)/post.lua"
        try Self.lua.write(toFile: script, atomically: true, encoding: .utf8)
        // Like for like with pgbench's transaction: uniform points in the grids' own bounding box (as
        // postgis_intake.sh computes it with ST_Extent), one of four event types, into a database with no events.
        let box = try Self.extent(grids)
        let before = try runProcess(["sqlite3", db, "SELECT count(*) FROM event"]).trimmingCharacters(in: .whitespacesAndNewlines)
        print("wrk: \(clients) connections, \(seconds) s, POST /events at uniform random points in the grids' extent \(box) (\(before) events stored before)")
        let out = try runProcess(["wrk", "-t2", "-c\(clients)", "-d\(seconds)s", "-s", script, "http://127.0.0.1:\(port)/events"],
                                 environment: ["WANGGE_TOKEN": token, "MINX": "\(box.minX)", "MINY": "\(box.minY)",
                                               "DX": "\(box.maxX - box.minX)", "DY": "\(box.maxY - box.minY)"])
        print(out, terminator: "")
        server.terminate()
        server.waitUntilExit()
        let stored = try runProcess(["sqlite3", db, "SELECT count(*) FROM event"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let w = Self.fields(out.split(separator: "\n").first { $0.hasPrefix("WRK ") }.map(String.init) ?? "")
        let rps = Double(out.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }?.split(separator: " ").last ?? "0") ?? 0
        print("stored events: \(stored) (wrk counted \(w["requests"] ?? "?") responses, non-2xx \(w["non2xx"] ?? "?"))")

        var row = "| Wangge (HTTP, JSON, group commit, synchronous=FULL) | \(fmt(rps, 0)) | \(w["p50_ms"] ?? "?") | \(w["p99_ms"] ?? "?") | \(w["non2xx"] ?? "?") errors |"
        var baselineRow = ""
        if !skipBaseline {
            let pg = try runProcess(["bash", "\(baselines)/postgis_intake.sh", grids, "\(clients)", "\(seconds)"], environment: env)
            let last = pg.split(separator: "\n").last { $0.hasPrefix("postgis_intake: clients=") }.map(String.init) ?? ""
            print(last)
            let p = Self.fields(last)
            baselineRow = "| PostGIS 15/3.3 (pgbench, fsync on) | \(p["tps"] ?? "?") | \(p["p50_ms"] ?? "?") | \(p["p99_ms"] ?? "?") | |"
            if let tps = Double(p["tps"] ?? "") { row += " \(fmt(rps / tps))× |" }
        }
        print("")
        print("| service | events/s | p50 ms | p99 ms | | ratio |")
        print("|---|---|---|---|---|---|")
        print(row)
        if !baselineRow.isEmpty { print(baselineRow) }
    }

    func waitHealthy(_ port: Int) throws {
        for _ in 0..<300 {
            if (try? runProcess(["curl", "-sf", "http://127.0.0.1:\(port)/health"])) != nil { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw BenchError("the server did not start on port \(port)")
    }

    /// The bounding box of every feature's coordinates in a GeoJSON FeatureCollection.
    static func extent(_ path: String) throws -> BoundingBox {
        let doc = try GeoJSONDocument.parse(FileIO.read(path))
        var box = BoundingBox.empty
        for f in doc.features {
            guard let xy = f.coordinates?.xy else { continue }
            for i in stride(from: 0, to: xy.count - 1, by: 2) { box.extend(x: xy[i], y: xy[i + 1]) }
        }
        return box
    }

    /// "key=value key=value" into a dictionary.
    static func fields(_ line: String) -> [String: String] {
        var d: [String: String] = [:]
        for part in line.split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { d[String(kv[0])] = String(kv[1]) }
        }
        return d
    }

    /// Bodies are made once per wrk thread so the client spends its time sending, not formatting: 100,000 distinct
    /// points per thread (more than a run sends), uniform in the box given by MINX, MINY, DX, DY, as pgbench's
    /// `random()` draws them, with one of four types as its transaction does.
    static let lua = """
        local token = os.getenv("WANGGE_TOKEN")
        local minx, miny = tonumber(os.getenv("MINX")), tonumber(os.getenv("MINY"))
        local dx, dy = tonumber(os.getenv("DX")), tonumber(os.getenv("DY"))
        local types = { "garbage", "road_damage", "streetlight", "illegal_parking" }
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer " .. token
        local bodies = {}
        local n = 0
        local count = 100000
        init = function(args)
          math.randomseed(os.time() + tonumber(tostring(bodies):match("0x(%x+)") or "0", 16))
          for i = 1, count do
            local lon = minx + math.random() * dx
            local lat = miny + math.random() * dy
            bodies[i] = string.format('{"type":"%s","severity":2,"lon":%.7f,"lat":%.7f,"description":"load test %d","reporter_name":"bench","reporter_phone":"13800000000","channel":"web"}', types[math.random(1, 4)], lon, lat, i)
          end
        end
        request = function()
          n = n + 1
          return wrk.format(nil, nil, nil, bodies[(n % count) + 1])
        end
        done = function(summary, latency, requests)
          io.write(string.format("WRK requests=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d\\n",
            summary.requests, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
            latency.max / 1000, summary.errors.status))
        end
        """
}
