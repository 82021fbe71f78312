import Foundation

/// Every RFC 3339 date-time written in a text (JSON, GeoJSON, CSV, XML), so a test can check the zone of all of
/// them at once rather than of the fields it happens to know.
public enum WrittenTimes {
    nonisolated(unsafe) static let pattern = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/

    public static func all(in text: String) -> [String] {
        text.matches(of: pattern).map { String($0.output.0) }
    }

    /// The times that do not end with `suffix` (`+08:00`).
    public static func notEnding(with suffix: String, in text: String) -> [String] {
        all(in: text).filter { !$0.hasSuffix(suffix) }
    }
}
