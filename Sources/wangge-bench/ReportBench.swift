import GRDB
import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeUseCases
import WanggeStore

/// The grid report over 1,000,000 events and the city's 10,000 building grids, against pandas computing the same
/// figures from the same SQLite file in the same run (and SQLite's own GROUP BY for the counts alone).
struct ReportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Grid report over 1M events and 10,000 grids vs pandas (and SQLite GROUP BY) on the same database."
    )

    @Option(name: .long, help: "Folder of the baseline scripts (gen.py).") var baselines = "../shared/bench"
    @Option(name: .long, help: "Where generated data goes (WANGGE_BENCH_DIR).")
    var work = ProcessInfo.processInfo.environment["WANGGE_BENCH_DIR"] ?? "bench-data"
    @Option(name: .long, help: "Timed runs per measurement (median is reported).") var runs = 5
    @Option(name: .long, help: "The wangge binary (default: next to this one).") var wangge: String?
    @Flag(name: .customLong("skip-baseline"), help: "Do not run pandas and sqlite3.") var skipBaseline = false

    /// The year the prepared events span (one every 31 s from 2026-07-01, 359 days).
    static let from = "2026-07-01", to = "2027-06-30"

    func run() throws {
        let work = URL(fileURLWithPath: self.work).standardizedFileURL.path
        let data = try benchData("city", baselines: baselines, work: work)
        let binary = wanggeBinary(wangge)
        let dir = "\(work)/report"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/city-1m.db"
        let n = try ExportBench.prepare(db: path, data: data, binary: binary)
        let db = try AppDatabase(path: path)
        try Self.giveOutcomes(db)
        let reporting = Reporting(repository: db, clock: { 1_830_000_000 })  // 2027-12-27: every open event is past due
        let period = try ReportPeriod.between(Self.from, Self.to)
        let grids = try db.reportGrids(.level(.building)).count
        print("database: \(path), \(n) events, \(grids) building grids")

        var rows: [(String, Double, Double)] = []  // label, seconds, peak MB
        var report: GridReport?
        let ours = timed(runs: runs) { report = try! reporting.grids(.level(.building), period: period) }
        rows.append(("Wangge grid report, in process (read + figures, every column)", ours.median, peakMemoryMB()))
        print("Wangge in process: \(ours.all.map { fmt($0, 3) }.joined(separator: " ")) s")
        let r = report!
        let ourCSV = "\(dir)/wangge-buildings-in-process.csv"
        try Array(r.csv().utf8).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: ourCSV)) }
        print("  \(r.total.received) events, \(r.rows.count) grids, \(r.blindSpots.count) blind spots, resolution rate \(fmt((r.total.resolutionRate ?? 0) * 100, 1)) %")
        // Where the time goes: SQLite stepping the rows alone, then with each row made into a ReportEvent.
        let period2 = period
        let scan = timed(runs: runs) {
            var k = 0
            try! db.forEachRawReportRow(from: period2.from, to: period2.to) { _ in k += 1 }
        }
        let decode = timed(runs: runs) {
            var k = 0
            try! db.forEachReportEvent(scope: .level(.building), from: period2.from, to: period2.to) { k += $0.severity }
        }
        print("  of which: SQLite stepping \(fmt(scan.median, 3)) s, + making ReportEvents \(fmt(decode.median, 3)) s, + figures \(fmt(ours.median, 3)) s")
        let court = timed(runs: runs) { _ = try! reporting.grids(.level(.courtyard), period: period) }
        rows.append(("Wangge grid report, courtyards (3,600 grids)", court.median, peakMemoryMB()))
        let csv = "\(dir)/wangge-buildings.csv"
        let cli = try Self.timedProcess([binary, "report", "grids", "--db", path, "--level", "building", "--from", Self.from, "--to", Self.to, "-o", csv], runs: 3)
        rows.append(("`wangge report grids --level building -o buildings.csv` (whole command)", cli.0, cli.1))

        if !skipBaseline {
            let pandasOut = "\(dir)/pandas-buildings.csv"
            let p = try Self.timedProcess(["python3", "-c", Self.pandas, path, String(period.from), String(period.to), pandasOut], runs: 3)
            rows.append(("pandas: read_sql + groupby (the same figures)", p.0, p.1))
            let sql = """
                SELECT building, count(*), sum(status IN ('closed','evaluated')), sum(satisfaction IN ('satisfied','neutral')),
                       sum(satisfaction IS NOT NULL), sum(resolved_late_hours = 0), sum(resolved_late_hours IS NOT NULL)
                FROM event WHERE reported_at >= \(period.from) AND reported_at < \(period.to) GROUP BY building
                """
            let s = try Self.timedProcess(["sqlite3", path, sql], runs: 3, quiet: true)
            rows.append(("sqlite3 GROUP BY: counts and rates only, no medians", s.0, s.1))
            print("agreement with pandas (the same clock): " + (try runProcess(["python3", "-c", Self.compare, ourCSV, pandasOut])).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        print("")
        print("| grid report over \(n) events, \(grids) building grids | wall s (median) | peak RSS MB | Wangge in process vs this |")
        print("|---|---|---|---|")
        for (label, s, mb) in rows {
            print("| \(label) | \(fmt(s, 3)) | \(fmt(mb, 0)) | \(fmt(s / ours.median, 1))× |")
        }
    }

    /// Deterministic closed-loop outcomes from each event's id: 3 % rejected, 85 % closed (half evaluated), the
    /// rest resolved or in progress, with spread-out hours, lateness, reworks, returns, satisfaction and ratings.
    static func giveOutcomes(_ db: AppDatabase) throws {
        try db.writer.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE accepted_at IS NOT NULL") == 0 else { return }
            print("giving the events closed-loop outcomes …")
            let codes = try String.fetchAll(db, sql: "SELECT code FROM department ORDER BY code")
            let department = "CASE (id * 7) % \(codes.count) " + codes.enumerated().map { "WHEN \($0.offset) THEN '\($0.element)'" }.joined(separator: " ") + " END"
            try db.execute(sql: """
                UPDATE event SET
                  status = CASE WHEN id % 100 < 3 THEN 'rejected' WHEN id % 100 < 88 THEN (CASE WHEN id % 2 = 0 THEN 'evaluated' ELSE 'closed' END)
                                WHEN id % 100 < 94 THEN 'resolved' WHEN id % 100 < 97 THEN 'in_progress' ELSE 'accepted' END,
                  department = \(department)
                """)
            try db.execute(sql: """
                UPDATE event SET
                  accepted_at = CASE WHEN status = 'rejected' THEN NULL ELSE reported_at + ((id * 7) % 48) * 900 END,
                  department = CASE WHEN status IN ('rejected', 'accepted') THEN NULL ELSE department END,
                  reworks = (id % 20 = 0), returns = (id % 33 = 0), extensions = (id % 50 = 0),
                  due_at = CASE WHEN status IN ('accepted', 'in_progress') THEN reported_at + 72 * 3600 END,
                  satisfaction = CASE WHEN status <> 'evaluated' THEN NULL WHEN id % 100 < 1 THEN 'dissatisfied' WHEN id % 100 < 10 THEN 'neutral' ELSE 'satisfied' END,
                  rating = CASE WHEN status <> 'evaluated' THEN NULL WHEN id % 10 < 7 THEN 'good' WHEN id % 10 < 9 THEN 'average' ELSE 'poor' END
                """)
            try db.execute(sql: """
                UPDATE event SET
                  resolved_at = CASE WHEN status IN ('resolved', 'closed', 'evaluated') THEN accepted_at + ((id * 13) % 200) * 1800 END,
                  resolved_late_hours = CASE WHEN status IN ('resolved', 'closed', 'evaluated') THEN (CASE WHEN id % 5 = 0 THEN id % 30 + 0.5 ELSE 0 END) END
                """)
            try db.execute(sql: """
                UPDATE event SET closed_at = CASE WHEN status IN ('closed', 'evaluated') THEN resolved_at + ((id * 17) % 96) * 900 END
                """)
        }
    }

    static func timedProcess(_ args: [String], runs: Int, quiet: Bool = false) throws -> (Double, Double) {
        let (median, all, peak) = try timedCommand(args, runs: runs, stdout: quiet ? "/dev/null" : nil)
        print("\(args.prefix(3).joined(separator: " ")) …: \(all.map { fmt($0, 3) }.joined(separator: " ")) s, peak \(fmt(peak, 0)) MB")
        return (median, peak)
    }

    /// pandas computing received, closed, the three rates and the three medians per building from the same file.
    static let pandas = """
        import sqlite3, sys, time
        import pandas as pd
        db, a, b, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
        con = sqlite3.connect(db)
        grids = pd.read_sql_query("SELECT code FROM grid WHERE level = 'building' ORDER BY code", con)["code"]
        df = pd.read_sql_query("SELECT building, status, reported_at, accepted_at, resolved_at, closed_at, resolved_late_hours, "
                               "satisfaction, reworks, due_at FROM event WHERE reported_at >= ? AND reported_at < ?", con, params=(a, b))
        df["closed"] = df.status.isin(["closed", "evaluated"])
        df["answered"] = df.satisfaction.notna()
        df["content"] = df.satisfaction.isin(["satisfied", "neutral"])
        df["resolved"] = df.resolved_late_hours.notna()
        df["on_time"] = df.resolved_late_hours == 0
        df["overdue"] = ~df.status.isin(["closed", "evaluated", "rejected"]) & (df.due_at < 1830000000)
        df["h_accept"] = (df.accepted_at - df.reported_at) / 3600
        df["h_resolve"] = (df.resolved_at - df.reported_at) / 3600
        df["h_close"] = (df.closed_at - df.reported_at) / 3600
        g = df.groupby("building")
        r = pd.DataFrame({"received": g.size(), "closed": g.closed.sum(), "answered": g.answered.sum(), "content": g.content.sum(),
                          "resolved": g.resolved.sum(), "on_time": g.on_time.sum(), "overdue": g.overdue.sum(), "reworks": g.reworks.sum(),
                          "median_hours_to_accept": g.h_accept.median(), "median_hours_to_resolve": g.h_resolve.median(),
                          "median_hours_to_close": g.h_close.median()}).reindex(grids).fillna({"received": 0, "closed": 0})
        r["resolution_rate"] = r.closed / r.received
        r["satisfaction_rate"] = r.content / r.answered
        r["on_time_rate"] = r.on_time / r.resolved
        r.to_csv(out, index_label="code")
        print(f"{len(df)} events, {len(r)} grids")
        """

    /// Compares Wangge's CSV with pandas' per grid: counts exactly, rates and medians to their rounding.
    static let compare = """
        import csv, sys, math
        w = {r["code"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
        p = {r["code"]: r for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))}
        def num(v):
            return float(v) if v not in ("", None) else float("nan")
        bad = 0
        for code, pr in p.items():
            wr = w.get(code)
            if wr is None: bad += 1; continue
            for k, tol in [("received", 0), ("closed", 0), ("overdue", 0), ("reworks", 0), ("resolution_rate", 5e-5 + 1e-12), ("satisfaction_rate", 5e-5 + 1e-12),
                           ("on_time_rate", 5e-5 + 1e-12), ("median_hours_to_accept", 5e-3 + 1e-9), ("median_hours_to_resolve", 5e-3 + 1e-9), ("median_hours_to_close", 5e-3 + 1e-9)]:
                a, b = num(wr[k]), num(pr[k])
                if not ((math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol): bad += 1; break
        print(f"{len(p)} grids compared, {bad} differ")
        """
}
