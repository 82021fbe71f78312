import Foundation

/// Wall-clock seconds of `body`, median of `runs`.
func timed(runs: Int, _ body: () -> Void) -> (median: Double, all: [Double]) {
    var all: [Double] = []
    for _ in 0..<runs {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        all.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    let s = all.sorted()
    return (s[s.count / 2], all)
}

/// Peak resident memory of this process so far, in MB.
func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Runs a command, echoing its output, and returns the output.
/// With `stdout`, the output goes to that file instead (and "" is returned).
/// With `stdin`, that text is the command's standard input.
func runProcess(_ arguments: [String], environment: [String: String] = [:], stdout: String? = nil, stdin: String? = nil) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let pipe = Pipe()
    var file: FileHandle?
    if let stdout {
        // Only a path that does not exist is created: FileManager.createFile replaces what is there, and had once
        // turned /dev/null into a regular file. An existing file is opened and emptied (a device just opened).
        if !FileManager.default.fileExists(atPath: stdout) { _ = FileManager.default.createFile(atPath: stdout, contents: nil) }
        file = FileHandle(forWritingAtPath: stdout)
        try? file?.truncate(atOffset: 0)
        p.standardOutput = file
    } else {
        p.standardOutput = pipe
    }
    p.standardError = FileHandle.standardError
    let input = Pipe()
    if stdin != nil { p.standardInput = input }
    try p.run()
    if let stdin {
        try input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    }
    let data = stdout == nil ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
    p.waitUntilExit()
    try file?.close()
    let out = String(decoding: data, as: UTF8.self)
    guard p.terminationStatus == 0 else {
        throw BenchError("\(arguments.joined(separator: " ")) exited with \(p.terminationStatus)\n\(out)")
    }
    return out
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func fmt(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

/// Runs a command under GNU time `runs` times: median wall seconds, every run's, and the largest peak RSS in MB.
/// `before` runs ahead of each (to remove the previous output, say).
func timedCommand(_ args: [String], runs: Int, stdout: String? = nil, before: () -> Void = {}) throws -> (median: Double, all: [Double], peakMB: Double) {
    var times: [Double] = []
    var peak = 0.0
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-bench-\(getpid()).time").path
    for _ in 0..<runs {
        before()
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = try runProcess(["/usr/bin/time", "-f", "%M", "-o", report] + args, stdout: stdout)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        let kb = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n").last.flatMap { Double($0) } ?? 0
        peak = max(peak, kb / 1024)
    }
    return (times.sorted()[times.count / 2], times, peak)
}

/// A `gen.py` preset's folder under `work`, generated first (by the baselines' own generator) when it is missing.
func benchData(_ preset: String, baselines: String, work: String) throws -> String {
    let folder = "\(work)/data/\(preset)"
    if !FileManager.default.fileExists(atPath: "\(folder)/points.csv") {
        print("generating \(preset) with gen.py\(preset == "city" ? " (about 2 minutes)" : "") …")
        _ = try runProcess(["python3", "\(baselines)/gen.py", "--preset", preset], environment: ["WANGGE_BENCH_DIR": work])
    }
    return folder
}

/// The wangge binary: the one given, else the one built next to this benchmark.
func wanggeBinary(_ given: String?) -> String {
    given ?? Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("wangge").path
}
