import Foundation

/// The span a report covers: events whose report time falls in `[from, to)`. Calendar periods (a week from Monday,
/// a month, a quarter) start at local midnight in the report's time zone (Asia/Shanghai unless configured), so a
/// month's report holds exactly the events reported on that month's calendar days there.
public struct ReportPeriod: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case day, week, month, quarter, year
        /// `from`/`to` given by the caller.
        case custom
    }

    public var kind: Kind
    /// Seconds since 1970, inclusive.
    public var from: Double
    /// Seconds since 1970, exclusive.
    public var to: Double
    /// An IANA zone name ("Asia/Shanghai").
    public var timeZone: String
    /// `2026-08-15`, `2026-W33`, `2026-08`, `2026-Q3`, `2026`, or `2026-08-01..2026-08-31` for a custom span.
    public var label: String

    public init(kind: Kind, from: Double, to: Double, timeZone: String, label: String) {
        self.kind = kind; self.from = from; self.to = to; self.timeZone = timeZone; self.label = label
    }

    /// The service's zone (Asia/Shanghai unless `WANGGE_TIME_ZONE` names another).
    public static var defaultTimeZone: String { ZoneOffsets.service.name }

    public enum PeriodError: Error, Equatable, CustomStringConvertible {
        case unknownTimeZone(String)
        case badDate(String)
        case emptySpan

        public var description: String {
            switch self {
            case .unknownTimeZone(let z): return "unknown time zone \"\(z)\" (use an IANA name such as Asia/Shanghai)"
            case .badDate(let d): return "\"\(d)\" is not a date (YYYY-MM-DD) or an RFC 3339 date-time"
            case .emptySpan: return "the period ends before it starts"
            }
        }
    }

    static func calendar(_ zone: String) throws(PeriodError) -> Calendar {
        guard let tz = TimeZone(identifier: zone) else { throw .unknownTimeZone(zone) }
        var c = Calendar(identifier: .iso8601)
        c.timeZone = tz
        c.firstWeekday = 2
        c.minimumDaysInFirstWeek = 4
        return c
    }

    static func offsets(_ zone: String) throws(PeriodError) -> ZoneOffsets {
        if zone == ZoneOffsets.service.name { return .service }
        guard let z = ZoneOffsets(zone) else { throw .unknownTimeZone(zone) }
        return z
    }

    /// A calendar date (`YYYY-MM-DD`) in the zone, as its year, month and day.
    static func localDate(_ text: String) throws(PeriodError) -> DateComponents {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m),
              d >= 1, d <= Timestamp.daysIn(month: m, year: y) else { throw .badDate(text) }
        return DateComponents(year: y, month: m, day: d)
    }

    /// The period of `kind` that contains `date` (a local calendar date, or an instant).
    public static func containing(_ kind: Kind, date: String, timeZone zone: String = defaultTimeZone) throws(PeriodError) -> ReportPeriod {
        let cal = try calendar(zone)
        let day: Date
        if date.count == 10 {
            guard let d = cal.date(from: try localDate(date)) else { throw .badDate(date) }
            day = d
        } else {
            guard let t = Timestamp.parse(date, zone: try offsets(zone)) else { throw .badDate(date) }
            day = Date(timeIntervalSince1970: t)
        }
        let c = cal.dateComponents([.year, .month, .day, .yearForWeekOfYear, .weekOfYear], from: day)
        let y = c.year!, m = c.month!
        func at(_ comps: DateComponents) -> Double { cal.date(from: comps)!.timeIntervalSince1970 }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        switch kind {
        case .day:
            let start = at(DateComponents(year: y, month: m, day: c.day!))
            let end = cal.date(byAdding: .day, value: 1, to: Date(timeIntervalSince1970: start))!.timeIntervalSince1970
            return ReportPeriod(kind: kind, from: start, to: end, timeZone: zone, label: "\(y)-\(two(m))-\(two(c.day!))")
        case .week:
            let start = cal.dateInterval(of: .weekOfYear, for: day)!
            return ReportPeriod(kind: kind, from: start.start.timeIntervalSince1970, to: start.end.timeIntervalSince1970,
                                timeZone: zone, label: "\(c.yearForWeekOfYear!)-W\(two(c.weekOfYear!))")
        case .month:
            let next = m == 12 ? DateComponents(year: y + 1, month: 1, day: 1) : DateComponents(year: y, month: m + 1, day: 1)
            return ReportPeriod(kind: kind, from: at(DateComponents(year: y, month: m, day: 1)), to: at(next), timeZone: zone,
                                label: "\(y)-\(two(m))")
        case .quarter:
            let q = (m - 1) / 3
            let next = q == 3 ? DateComponents(year: y + 1, month: 1, day: 1) : DateComponents(year: y, month: q * 3 + 4, day: 1)
            return ReportPeriod(kind: kind, from: at(DateComponents(year: y, month: q * 3 + 1, day: 1)), to: at(next),
                                timeZone: zone, label: "\(y)-Q\(q + 1)")
        case .year:
            return ReportPeriod(kind: kind, from: at(DateComponents(year: y, month: 1, day: 1)),
                                to: at(DateComponents(year: y + 1, month: 1, day: 1)), timeZone: zone, label: "\(y)")
        case .custom:
            throw .badDate(date)
        }
    }

    /// A span between two dates or instants. A date alone means local midnight; `to` as a date is inclusive (the
    /// whole day), as people write "from the 1st to the 15th".
    public static func between(_ from: String, _ to: String, timeZone zone: String = defaultTimeZone) throws(PeriodError) -> ReportPeriod {
        let cal = try calendar(zone)
        func instant(_ text: String, endOfDay: Bool) throws(PeriodError) -> Double {
            if text.count == 10 {
                guard let d = cal.date(from: try localDate(text)) else { throw .badDate(text) }
                return endOfDay ? cal.date(byAdding: .day, value: 1, to: d)!.timeIntervalSince1970 : d.timeIntervalSince1970
            }
            guard let t = Timestamp.parse(text, zone: try offsets(zone)) else { throw .badDate(text) }
            return t
        }
        let a = try instant(from, endOfDay: false), b = try instant(to, endOfDay: true)
        guard b > a else { throw .emptySpan }
        return ReportPeriod(kind: .custom, from: a, to: b, timeZone: zone, label: "\(from)..\(to)")
    }

    /// The period just before this one, of the same kind and length (a custom span: the same number of seconds).
    public func previous() throws(PeriodError) -> ReportPeriod {
        switch kind {
        case .custom:
            return ReportPeriod(kind: .custom, from: from - (to - from), to: from, timeZone: timeZone,
                                label: "previous \(Int(((to - from) / 86400).rounded())) days")
        default:
            return try ReportPeriod.containing(kind, date: Timestamp.format(from - 1), timeZone: timeZone)
        }
    }

    /// The period's bounds as local date-times with their offset (`2026-08-01T00:00:00+08:00`).
    public func localString(_ t: Double) -> String {
        Timestamp.format(t.rounded(.down), in: (try? Self.offsets(timeZone)) ?? .service)
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("kind", .string(kind.rawValue)), ("label", .string(label)),
            ("from", .string(localString(from))), ("to", .string(localString(to))), ("time_zone", .string(timeZone)),
        ]))
    }

    /// `2026-07-01 – 2026-09-30` when the period runs from local midnight to local midnight (the last day shown is
    /// the one before `to`), else the two local date-times to the minute.
    public var readableRange: String {
        let a = localString(from), b = localString(to)
        if a.dropFirst(10).hasPrefix("T00:00:00") && b.dropFirst(10).hasPrefix("T00:00:00") {
            let last = localString(to - 1)
            return a.prefix(10) + (last.prefix(10) == a.prefix(10) ? "" : " – " + last.prefix(10))
        }
        return readableInstant(from) + " – " + readableInstant(to)
    }

    /// `2026-11-27 05:13` in the period's zone.
    public func readableInstant(_ t: Double) -> String {
        let s = localString(t)
        return s.prefix(10) + " " + s.dropFirst(11).prefix(5)
    }
}
