import Foundation

/// A time zone as the offsets from UTC it has used, read once from the tz database (through Foundation) into a
/// table, so that writing a local time costs a comparison or two instead of a Foundation call: exports write
/// millions of timestamps, and `TimeZone` is neither cheap nor shareable across threads as a formatter.
///
/// The service writes every timestamp in one zone (`service`: Asia/Shanghai unless `WANGGE_TIME_ZONE` names
/// another), as RFC 3339 with that zone's offset (`2026-08-12T18:00:00+08:00`), because the people who read the
/// outputs (and clients such as QGIS 3.22, which drops the offset) read them as local times.
public struct ZoneOffsets: Sendable, Equatable {
    /// The IANA name (`Asia/Shanghai`, `UTC`).
    public let name: String
    /// `starts[i]` is the instant (seconds since 1970) from which `offsets[i]` applies; `starts[0]` is -∞.
    let starts: [Double]
    let offsets: [Int]
    /// UTC itself is written `Z`; another zone at offset 0 (London in winter) `+00:00`.
    let writesZ: Bool

    /// The zone an IANA name (or `UTC`) stands for; nil for a name the tz database does not know. Fixed offsets
    /// such as `+08:00` are not zones (they have no rules for the report calendar) and are refused.
    public init?(_ name: String) {
        guard !name.isEmpty, !name.hasPrefix("+"), !name.hasPrefix("-"), let tz = TimeZone(identifier: name) else { return nil }
        self.name = name
        // From 1900 to 2200: before, offsets are local mean time; after, the last rule is taken to hold.
        var starts: [Double] = [-.infinity]
        var offsets: [Int] = [tz.secondsFromGMT(for: Date(timeIntervalSince1970: -2_208_988_800))]
        var at = Date(timeIntervalSince1970: -2_208_988_800)
        while let next = tz.nextDaylightSavingTimeTransition(after: at), next.timeIntervalSince1970 < 7_258_118_400 {
            let offset = tz.secondsFromGMT(for: next)
            if offset != offsets.last {
                starts.append(next.timeIntervalSince1970)
                offsets.append(offset)
            }
            at = next
        }
        self.starts = starts
        self.offsets = offsets
        self.writesZ = offsets == [0]
    }

    public static let utc = ZoneOffsets("UTC")!
    public static let shanghai = ZoneOffsets("Asia/Shanghai")!

    /// The environment variable that names the service's zone for every command and `serve`.
    public static let environmentKey = "WANGGE_TIME_ZONE"

    /// The zone every output is written in, read once on first use from `WANGGE_TIME_ZONE` (Asia/Shanghai when
    /// unset). A command checks the variable with `configured()` before it does anything, so a bad name is an
    /// error, not a silent fallback.
    public static let service: ZoneOffsets = (try? configured()) ?? .shanghai

    /// The zone `WANGGE_TIME_ZONE` names, or Asia/Shanghai; an unknown name is an error that says what to give.
    public static func configured() throws -> ZoneOffsets {
        guard let name = ProcessInfo.processInfo.environment[environmentKey], !name.isEmpty else { return .shanghai }
        guard let zone = ZoneOffsets(name) else {
            throw WanggeError.invalidInput("\(environmentKey)=\(name) is not a time zone the tz database knows (use an IANA name such as Asia/Shanghai or UTC)")
        }
        return zone
    }

    /// Seconds east of UTC at the instant `t`.
    @inline(__always)
    public func offset(at t: Double) -> Int {
        // Most zones have no transition after the times stored (Asia/Shanghai: none since 1991).
        if t >= starts[starts.count - 1] { return offsets[offsets.count - 1] }
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= t { lo = mid } else { hi = mid - 1 }
        }
        return offsets[lo]
    }

    /// Seconds east of UTC for a wall-clock time `local` (seconds since 1970 as if the local time were UTC). In a
    /// gap (the hour skipped in spring) the offset before it is taken; in an overlap, the earlier instant.
    public func offset(local: Double) -> Int {
        let near = offset(at: local - Double(offset(at: local)))
        // Any transition within a day of `local`: the offsets before and after it are the only candidates.
        let before = offset(at: local - Double(near) - 86_400), after = offset(at: local - Double(near) + 86_400)
        let valid = [before, near, after].filter { offset(at: local - Double($0)) == $0 }
        return valid.max() ?? before
    }
}
