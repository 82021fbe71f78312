import Foundation

/// What a user runs, timed whole: `wangge assign` on the bench's 1,000,000-point CSV (one worker and every core),
/// on a 1,000-row file, and its first start (the index built and kept) — against the fastest whole Shapely script
/// we could write (`bench/assign_shapely.py`) and the usual geopandas one (`bench/assign_geopandas.py`), on the
/// same grids and points in the same run; and `wangge serve`'s cold start to its first answer. Every command
/// starts, reads, assigns and writes its output; the ratios are of wall times.
struct AssignCommandBench {
    let binary: String
    let runs: Int
    let workers: Int
    let skipBaseline: Bool

    struct Row {
        var label: String
        var seconds: Double
        var peakMB: Double
    }

    /// One dataset: its grids (`grids_all.geojson` and the same as `grids.wkb.tsv`), or only those of `level`
    /// (a layer of large polygons), and its points.
    func run(folder: String, dataset: String, level: String? = nil) throws -> [String] {
        let dir = NSTemporaryDirectory() + "wangge-assign-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = "\(dir)/wangge.db", points = "\(folder)/points.csv", out = "\(dir)/out.csv"
        var grids = "\(folder)/grids_all.geojson", tsv = "\(folder)/grids.wkb.tsv"
        if let level {
            grids = "\(folder)/grids_\(level).geojson"
            tsv = "\(dir)/grids.wkb.tsv"
            let rows = try String(contentsOfFile: "\(folder)/grids.wkb.tsv", encoding: .utf8).split(separator: "\n")
                .filter { $0.split(separator: "\t", omittingEmptySubsequences: false).dropFirst().first == Substring(level) }
            try (rows.joined(separator: "\n") + "\n").write(toFile: tsv, atomically: true, encoding: .utf8)
        }
        _ = try runProcess([binary, "import", "--activate", grids, "--layer", "residential", "--code-field", "id", "--parent-field", "parent_id",
                            "--level-map", "subdistrict=street", "--db", db])
        let small = "\(dir)/points-1000.csv"
        let lines = try String(contentsOfFile: points, encoding: .utf8).split(separator: "\n", maxSplits: 1001, omittingEmptySubsequences: false)
        try (lines.prefix(1001).joined(separator: "\n") + "\n").write(toFile: small, atomically: true, encoding: .utf8)
        let name = dataset + (level.map { " (\($0) only)" } ?? "")
        let removeOut: () -> Void = { _ = try? FileManager.default.removeItem(atPath: out) }

        var rows: [Row] = []
        // A start without the index file (deleted here; import writes it) builds the index and keeps it beside the database.
        try? FileManager.default.removeItem(atPath: db + ".index")
        let first = try timedCommand([binary, "assign", small, "-o", out, "--db", db], runs: 1, before: removeOut)
        rows.append(Row(label: "`wangge assign`, 1,000 rows, with no index file (builds it)", seconds: first.median, peakMB: first.peakMB))
        let tiny = try timedCommand([binary, "assign", small, "-o", out, "--db", db], runs: runs, before: removeOut)
        rows.append(Row(label: "`wangge assign`, 1,000 rows", seconds: tiny.median, peakMB: tiny.peakMB))
        let one = try timedCommand([binary, "assign", points, "-o", out, "--db", db, "--workers", "1"], runs: runs, before: removeOut)
        rows.append(Row(label: "`wangge assign`, 1M rows, 1 worker", seconds: one.median, peakMB: one.peakMB))
        let all = try timedCommand([binary, "assign", points, "-o", out, "--db", db, "--workers", "\(workers)"], runs: runs, before: removeOut)
        rows.append(Row(label: "`wangge assign`, 1M rows, \(workers) workers", seconds: all.median, peakMB: all.peakMB))
        let serve = try coldStart(db: db)
        rows.append(Row(label: "`wangge serve` until `/health` answers", seconds: serve.seconds, peakMB: serve.rssMB))
        var peers: [Row] = []
        if !skipBaseline {
            let scripts = FileManager.default.currentDirectoryPath + "/bench"
            let shapely = try timedCommand(["python3", "\(scripts)/assign_shapely.py", tsv, points, out], runs: runs, before: removeOut)
            peers.append(Row(label: "Shapely 2 script (`bench/assign_shapely.py`), 1M rows", seconds: shapely.median, peakMB: shapely.peakMB))
            let smallShapely = try timedCommand(["python3", "\(scripts)/assign_shapely.py", tsv, small, out], runs: runs, before: removeOut)
            peers.append(Row(label: "Shapely 2 script, 1,000 rows", seconds: smallShapely.median, peakMB: smallShapely.peakMB))
            let geopandas = try timedCommand(["python3", "\(scripts)/assign_geopandas.py", grids, points, out], runs: 1, before: removeOut)
            peers.append(Row(label: "geopandas script (`bench/assign_geopandas.py`), 1M rows", seconds: geopandas.median, peakMB: geopandas.peakMB))
        }
        let shapely = peers.first?.seconds, shapelySmall = peers.count > 1 ? peers[1].seconds : nil
        var table = ["", "whole commands, \(name): median of \(runs) runs (geopandas: 1)",
                     "| \(name) | wall s | peak RSS MB | Shapely script / this |", "|---|---|---|---|"]
        for r in rows + peers {
            let base = r.label.contains("1,000 rows") ? shapelySmall : shapely
            let ratio = base.map { "\(fmt($0 / r.seconds))×" } ?? ""
            table.append("| \(r.label) | \(fmt(r.seconds)) | \(fmt(r.peakMB, 0)) | \(r.label.contains("serve") ? "" : ratio) |")
        }
        return table
    }

    /// Seconds from starting `wangge serve` on a copy of `db` (with its index) to its first `/health` answer, and
    /// its resident memory then.
    func coldStart(db: String) throws -> (seconds: Double, rssMB: Double) {
        let copy = db + "-serve.db"
        for (from, to) in [(db, copy), (db + ".index", copy + ".index")] where FileManager.default.fileExists(atPath: from) {
            try? FileManager.default.removeItem(atPath: to)
            try FileManager.default.copyItem(atPath: from, toPath: to)
        }
        let port = 19_000 + Int.random(in: 0..<1000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--db", copy, "--port", "\(port)", "--log-level", "warning",
                            "--geodata", FileManager.default.currentDirectoryPath + "/GeoData"]
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let t0 = DispatchTime.now().uptimeNanoseconds
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        while server.isRunning {
            if (try? runProcess(["curl", "-sf", "http://127.0.0.1:\(port)/health"])) != nil { break }
            usleep(10_000)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let status = (try? String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8)) ?? ""
        let kb = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }?.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return (seconds, kb / 1024)
    }
}
