import ArgumentParser
import Foundation
import WanggeCore
import WanggeGeo
import WanggeAssignment
import WanggeUseCases

/// Point-in-polygon assignment of the bench datasets' 1,000,000 points: first the whole commands a user runs
/// (`AssignCommandBench`: `wangge assign` and `serve`'s cold start against whole Shapely and geopandas scripts), then
/// the engine alone in process on pre-parsed coordinates, with one worker and with all cores, against Shapely 2's
/// idioms on the same data (a diagnostic).
struct AssignBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assignment throughput vs Shapely 2 on ../shared/bench data (district and city)."
    )

    @Option(name: .long, help: "Datasets to run (district, city).") var data: [String] = ["district", "city"]
    @Option(name: .long, help: "Folder of the baseline scripts (gen.py, bench_shapely.py).") var baselines = "../shared/bench"
    @Option(name: .long, help: "Where generated data and baseline results go (WANGGE_BENCH_DIR).")
    var work = ProcessInfo.processInfo.environment["WANGGE_BENCH_DIR"] ?? "bench-data"
    @Option(name: .long, help: "Timed runs per measurement (median is reported).") var runs = 5
    @Option(name: .long, help: "Workers for the all-cores figure (default: CPU cores).")
    var workers = ProcessInfo.processInfo.activeProcessorCount
    @Flag(name: .customLong("skip-baseline"), help: "Do not run Shapely.") var skipBaseline = false
    @Flag(name: .customLong("skip-whole"), help: "Only the in-process figures, not the whole commands.") var skipWhole = false
    @Option(name: .long, help: "The wangge binary for the whole commands (default: next to this one).") var wangge: String?

    func run() throws {
        let work = URL(fileURLWithPath: self.work).standardizedFileURL.path
        let env = ["WANGGE_BENCH_DIR": work]
        var rows: [String] = []
        for dataset in data {
            let folder = "\(work)/data/\(dataset)"
            if !FileManager.default.fileExists(atPath: "\(folder)/points.csv") {
                print("generating \(dataset) with gen.py …")
                _ = try WanggeBench.run(["python3", "\(baselines)/gen.py", "--preset", dataset], environment: env)
            }
            let r = try measure(folder: folder, dataset: dataset)
            var line = "| \(dataset) | \(r.grids) | \(fmt(r.oneWorker / 1e6)) | \(fmt(r.allWorkers / 1e6)) (\(workers)) | \(fmt(r.peakMB, 0)) | \(fmt(r.boundaryShare * 100, 1)) % |"
            if !skipBaseline {
                let out = try WanggeBench.run(["python3", "\(baselines)/bench_shapely.py", "--data", dataset,
                                               "--runs", "\(runs)", "--slow-runs", "1"], environment: env)
                print(out, terminator: "")
                let best = Self.fastestShapely(out)
                let agreement = try Self.agreement(work: work, dataset: dataset, ours: r.buildingCodes)
                line += " \(fmt(best.rate / 1e6)) (\(best.method)) | \(fmt(r.oneWorker / best.rate))× | \(fmt(r.allWorkers / best.rate))× | \(agreement) |"
            }
            rows.append(line)
        }
        var whole: [String] = []
        if !skipWhole {
            let commands = AssignCommandBench(binary: wanggeBinary(wangge), runs: runs, workers: workers, skipBaseline: skipBaseline)
            for dataset in data {
                whole += try commands.run(folder: "\(work)/data/\(dataset)", dataset: dataset)
            }
            // A layer of large real-shaped polygons: the city's 140 subdistricts, hundreds to thousands of vertices each.
            if data.contains("city") { whole += try commands.run(folder: "\(work)/data/city", dataset: "city", level: "subdistrict") }
        }
        for line in whole { print(line) }
        print("")
        print("in process, on pre-parsed coordinates (a diagnostic of the engine, not what a user runs):")
        print("| data | building grids | Wangge 1 worker, M pts/s | Wangge all cores, M pts/s | peak MB | points in boundary cells | Shapely fastest, M pts/s | ratio 1 worker | ratio all cores | agreement with Shapely |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows { print(r) }
    }

    struct Result {
        var grids: Int
        var oneWorker: Double
        var allWorkers: Double
        var peakMB: Double
        var boundaryShare: Double
        /// Building id (as in the bench data) per point, -1 for none.
        var buildingCodes: [Int32]
    }

    func measure(folder: String, dataset: String) throws -> Result {
        // The real import path: checks and all, as a user would load these grids.
        var options = BoundaryOptions(layer: .residential)
        options.fields.code = "id"
        options.fields.parent = "parent_id"
        options.levelAliases["subdistrict"] = "street"
        let t0 = Date()
        let check = BoundaryValidator().check(try FileIO.read("\(folder)/grids_all.geojson"), options: options)
        guard check.isClean else { throw BenchError("\(dataset): \(check.defects.count) defects, e.g. \(check.defects[0])") }
        let stored = check.grids.enumerated().map { StoredGrid($1, id: Int64($0 + 1)) }
        let t1 = Date()
        let snapshot = try GridIndexSnapshot.build(grids: stored, generation: 1)
        let t2 = Date()
        let (xy, count) = try Self.readPoints("\(folder)/points.csv")
        let single = try GridIndexReplica(snapshot: snapshot)
        let pool = try AssignmentWorkers(count: workers, snapshot: snapshot)
        let t3 = Date()
        let buildings = snapshot.residentialLevels[0]
        print("\(dataset): \(stored.count) grids checked in \(fmt(t1.timeIntervalSince(t0))) s; snapshot \(fmt(t2.timeIntervalSince(t1))) s (building raster \(buildings.raster.columns)×\(buildings.raster.rows), \(buildings.raster.boundaryCellCount) boundary cells, \(fmt(Double(snapshot.rasterBytes) / 1e6, 1)) MB); 1 + \(pool.count) replicas \(fmt(t3.timeIntervalSince(t2))) s; \(count) points")

        var result = [Int32](repeating: -1, count: count)
        var boundary = 0
        let points = xy
        let one = timed(runs: runs) {
            result.withUnsafeMutableBufferPointer { Self.assign(single, points, 0..<count, Output(base: $0.baseAddress!)) }
        }
        let all = timed(runs: runs) {
            result.withUnsafeMutableBufferPointer { buffer in
                let out = Output(base: buffer.baseAddress!)
                let chunks = pool.count * 8
                let size = (count + chunks - 1) / chunks
                pool.forEachChunk(chunks) { k, replica in
                    let lo = k * size, hi = min(count, lo + size)
                    if lo < hi { Self.assign(replica, points, lo..<hi, out) }
                }
            }
        }
        let view = buildings.raster.view
        let rasterOnly = timed(runs: runs) {
            boundary = 0
            for i in 0..<count {
                if case .candidates = view.lookup(x: xy[2 * i], y: xy[2 * i + 1]) { boundary += 1 }
            }
        }
        print("\(dataset): raster lookups alone \(fmt(rasterOnly.median, 3)) s for \(count) points")
        let ids = snapshot.grids.map { Int32($0.code) ?? -1 }
        let codes = result.map { $0 >= 0 && snapshot.grids[Int($0)].level == .building ? ids[Int($0)] : -1 }
        print("\(dataset): 1 worker median \(fmt(one.median, 3)) s \(one.all.map { fmt($0, 3) }); \(pool.count) workers median \(fmt(all.median, 3)) s \(all.all.map { fmt($0, 3) })")
        return Result(grids: buildings.members.count, oneWorker: Double(count) / one.median,
                      allWorkers: Double(count) / all.median, peakMB: peakMemoryMB(),
                      boundaryShare: Double(boundary) / Double(count), buildingCodes: codes)
    }

    /// The result array's storage, shared by the workers. Each job writes only its own range of indices and the
    /// caller reads only after every job has finished, so no element is ever accessed by two threads.
    struct Output: @unchecked Sendable {
        let base: UnsafeMutablePointer<Int32>
    }

    static func assign(_ replica: GridIndexReplica, _ xy: [Double], _ range: Range<Int>, _ out: Output) {
        var touching: [Int] = []
        for i in range {
            let (g, _) = replica.residentialGrid(x: xy[2 * i], y: xy[2 * i + 1], touching: &touching)
            out.base[i] = Int32(g)
        }
    }

    /// `id,lon,lat` rows into interleaved lon/lat.
    static func readPoints(_ path: String) throws -> ([Double], Int) {
        let text = try FileIO.read(path)
        var xy: [Double] = []
        xy.reserveCapacity(2_000_000)
        var fields: [Substring] = []
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n").dropFirst() {
            fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3, let x = Double(fields[1]), let y = Double(fields[2]) else { continue }
            xy.append(x); xy.append(y)
        }
        return (xy, xy.count / 2)
    }

    /// The fastest Shapely idiom in bench_shapely.py's output ("… -> X M pts/s wall").
    static func fastestShapely(_ out: String) -> (method: String, rate: Double) {
        var best = ("none", 0.0)
        for line in out.split(separator: "\n") {
            guard let arrow = line.range(of: "-> "), let unit = line.range(of: " M pts/s wall") else { continue }
            let method = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().prefix(1).joined()
            guard method.count == 1, let m = Double(line[arrow.upperBound..<unit.lowerBound].trimmingCharacters(in: .whitespaces))
            else { continue }  // only the assignment idioms A–E, not point creation or tree building
            if m * 1e6 > best.1 { best = ("idiom \(method)", m * 1e6) }
        }
        return best
    }

    /// How many points get the same building as Shapely's idiom E (points on edges are unassigned there).
    static func agreement(work: String, dataset: String, ours: [Int32]) throws -> String {
        let path = "\(work)/results/\(dataset)/shapely_E_grid_containsxy.i32"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let theirs = data.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        guard theirs.count == ours.count else { return "n/a" }
        let same = zip(theirs, ours).filter { $0 == $1 }.count
        return "\(same)/\(ours.count)"
    }
}

extension WanggeBench {
    static func run(_ arguments: [String], environment: [String: String]) throws -> String {
        try runProcess(arguments, environment: environment)
    }
}
