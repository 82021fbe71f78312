public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on standard error, drawn only when standard error is a terminal.
public final class TerminalProgress {
    let enabled: Bool
    var lastDraw = 0.0
    var lastLabel = ""

    public init(enabled: Bool = isatty(2) == 1) {
        self.enabled = enabled
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Redraws at most ten times a second, and always at 100 %.
    public func update(_ label: String, done: Int, total: Int) {
        guard enabled else { return }
        let t = Self.now()
        guard done >= total || label != lastLabel || t - lastDraw > 0.1 else { return }
        lastDraw = t
        if label != lastLabel && !lastLabel.isEmpty { Self.writeStandardError("\n") }
        lastLabel = label
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        Self.writeStandardError("\r\(label.padding(toLength: 10, withPad: " ", startingAt: 0)) \(bar) \(Int(fraction * 100))% (\(done)/\(total))")
    }

    /// Writes straight to file descriptor 2 (unbuffered, and free of the C `stderr` global).
    public static func writeStandardError(_ s: String) {
        var bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + off, $0.count - off) }
            if n <= 0 { return }
            off += n
        }
    }

    /// Ends the line.
    public func finish() {
        guard enabled, !lastLabel.isEmpty else { return }
        Self.writeStandardError("\n")
        lastLabel = ""
    }
}
