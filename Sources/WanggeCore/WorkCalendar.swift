/// The working calendar deadlines are counted in (工作时 / 工作日): office hours on working days, where a working day is
/// a weekday that is not a public holiday, or a weekend day the State Council made a working day (调休上班).
///
/// Years the calendar does not list are taken as weekdays only (no holidays known): `knows(year:)` says which, and
/// `GET /calendar` marks such a year `published: false`.
public struct WorkCalendar: Sendable, Codable, Equatable {
    /// One public holiday period, both ends included (`2026-10-01` … `2026-10-07`).
    public struct Holiday: Sendable, Codable, Equatable {
        public var name: String
        public var nameEn: String
        public var from: String
        public var to: String

        public init(name: String, nameEn: String, from: String, to: String) {
            self.name = name; self.nameEn = nameEn; self.from = from; self.to = to
        }

        enum CodingKeys: String, CodingKey { case name, from, to; case nameEn = "name_en" }
    }

    /// One year's holidays and make-up working days, as published.
    public struct Year: Sendable, Codable, Equatable {
        public var holidays: [Holiday]
        /// Weekend days that are working days (调休上班).
        public var workdays: [String]
        /// Where the arrangement was published.
        public var source: String

        public init(holidays: [Holiday], workdays: [String], source: String) {
            self.holidays = holidays; self.workdays = workdays; self.source = source
        }
    }

    /// The IANA zone office hours are kept in.
    public var timeZone: String
    /// Office hours of a working day, as `["08:30", "12:00"]` pairs in order.
    public var officeHours: [[String]]
    /// By year (`"2026"`).
    public var years: [String: Year]
    /// Where the office hours come from (they are the deployment's own).
    public var officeHoursSource: String?

    enum CodingKeys: String, CodingKey {
        case years
        case timeZone = "time_zone", officeHours = "office_hours", officeHoursSource = "office_hours_source"
    }

    public init(timeZone: String, officeHours: [[String]], years: [String: Year], officeHoursSource: String? = nil) throws {
        self.timeZone = timeZone; self.officeHours = officeHours; self.years = years
        self.officeHoursSource = officeHoursSource
        try check()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try c.decode(String.self, forKey: .timeZone)
        officeHours = try c.decode([[String]].self, forKey: .officeHours)
        years = try c.decode([String: Year].self, forKey: .years)
        officeHoursSource = try c.decodeIfPresent(String.self, forKey: .officeHoursSource)
        do { try check() } catch let e as InvalidFields {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: e.description))
        }
    }

    // MARK: the parsed form

    /// What the text says, checked and in numbers: built once per value.
    struct Parsed: Sendable, Equatable {
        var zone: ZoneOffsets
        /// Office hours as [start, end) seconds after local midnight.
        var intervals: [(Double, Double)]
        /// Local day numbers (days since 1970-01-01) of holidays and of make-up working days.
        var holidays: [Int: String]
        var workdays: Set<Int>
        var knownYears: Set<Int>

        static func == (a: Parsed, b: Parsed) -> Bool {
            a.zone == b.zone && a.intervals.elementsEqual(b.intervals, by: ==) && a.holidays == b.holidays
                && a.workdays == b.workdays && a.knownYears == b.knownYears
        }
    }

    /// Checks every field and builds the parsed form.
    /// - Throws: `InvalidFields` naming the field (`office_hours[1]`, `years.2026.workdays[0]`) and what is wrong.
    func parse() throws(InvalidFields) -> Parsed {
        var errors: [FieldError] = []
        let zone = ZoneOffsets(timeZone)
        if zone == nil { errors.append(FieldError("time_zone", "\"\(timeZone)\" is not a time zone the tz database knows")) }
        var intervals: [(Double, Double)] = []
        for (i, pair) in officeHours.enumerated() {
            guard pair.count == 2, let a = Self.clock(pair[0]), let b = Self.clock(pair[1]), a < b else {
                errors.append(FieldError("office_hours[\(i)]", "must be [\"HH:MM\", \"HH:MM\"] with the start before the end"))
                continue
            }
            if let last = intervals.last, a < last.1 {
                errors.append(FieldError("office_hours[\(i)]", "starts before the previous period ends"))
            }
            intervals.append((a, b))
        }
        if officeHours.isEmpty { errors.append(FieldError("office_hours", "must name at least one period")) }
        var holidays: [Int: String] = [:], workdays = Set<Int>(), known = Set<Int>()
        for (key, year) in years.sorted(by: { $0.key < $1.key }) {
            guard let y = Int(key), (1900...2200).contains(y) else {
                errors.append(FieldError("years.\(key)", "must be a year such as 2026")); continue
            }
            known.insert(y)
            for (i, h) in year.holidays.enumerated() {
                guard let a = Self.day(h.from), let b = Self.day(h.to), a <= b, b - a < 31 else {
                    errors.append(FieldError("years.\(key).holidays[\(i)]", "from and to must be dates (YYYY-MM-DD), from not after to, at most 31 days"))
                    continue
                }
                for d in a...b { holidays[d] = h.name }
            }
            for (i, w) in year.workdays.enumerated() {
                guard let d = Self.day(w) else { errors.append(FieldError("years.\(key).workdays[\(i)]", "must be a date (YYYY-MM-DD)")); continue }
                guard Self.weekday(d) >= 6 else {
                    errors.append(FieldError("years.\(key).workdays[\(i)]", "\(w) is a weekday: only a weekend day can be made a working day"))
                    continue
                }
                workdays.insert(d)
            }
        }
        for d in workdays where holidays[d] != nil {
            errors.append(FieldError("years", "\(Self.date(d)) is both a holiday and a working day"))
        }
        if !errors.isEmpty { throw InvalidFields(errors) }
        return Parsed(zone: zone!, intervals: intervals, holidays: holidays, workdays: workdays, knownYears: known)
    }

    func check() throws(InvalidFields) { _ = try parse() }

    static func clock(_ text: String) -> Double? {
        let p = text.split(separator: ":")
        guard p.count == 2, p[0].count == 2, p[1].count == 2, let h = Int(p[0]), let m = Int(p[1]),
              (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
        return Double(h * 3600 + m * 60)
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date.
    static func day(_ text: String) -> Int? {
        let p = text.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1...12).contains(m),
              (1...Timestamp.daysIn(month: m, year: y)).contains(d) else { return nil }
        return Timestamp.days(y, m, d)
    }

    /// Days since 1970-01-01 of a date.
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int { Timestamp.days(year, month, day) }

    /// `YYYY-MM-DD` of a day number.
    public static func date(_ day: Int) -> String {
        let (y, m, d) = Timestamp.civil(day)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// ISO weekday, 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    static func weekday(_ day: Int) -> Int { ((day % 7 + 7) % 7 + 3) % 7 + 1 }
}

/// A calendar ready to measure time: the parsed form of a `WorkCalendar`, cheap to copy and to share.
public struct WorkingClock: Sendable, Equatable {
    public let calendar: WorkCalendar
    let p: WorkCalendar.Parsed
    /// Seconds of office hours in a working day.
    public let dayLength: Double

    /// - Throws: `InvalidFields` when the calendar is not valid.
    public init(_ calendar: WorkCalendar) throws(InvalidFields) {
        self.calendar = calendar
        p = try calendar.parse()
        dayLength = p.intervals.reduce(0) { $0 + $1.1 - $1.0 }
    }

    /// What a local day is.
    public enum DayKind: String, Sendable { case workday, weekend, holiday, makeupWorkday = "makeup_workday" }

    public func kind(ofDay day: Int) -> DayKind {
        if p.holidays[day] != nil { return .holiday }
        if p.workdays.contains(day) { return .makeupWorkday }
        return WorkCalendar.weekday(day) >= 6 ? .weekend : .workday
    }

    public func holidayName(ofDay day: Int) -> String? { p.holidays[day] }

    public func knows(year: Int) -> Bool { p.knownYears.contains(year) }

    public func isWorking(day: Int) -> Bool {
        switch kind(ofDay: day) { case .workday, .makeupWorkday: return true; case .weekend, .holiday: return false }
    }

    /// The local day an instant falls on.
    func localDay(_ t: Double) -> Int {
        Int(((t + Double(p.zone.offset(at: t))) / 86_400).rounded(.down))
    }

    /// The instant of `seconds` after local midnight of `day`.
    func instant(day: Int, seconds: Double) -> Double {
        let local = Double(day) * 86_400 + seconds
        return local - Double(p.zone.offset(local: local))
    }

    /// A guard on loops: no deadline or span is counted over more than this many days.
    static let maxDays = 3_700

    /// Office-hour seconds between two instants (0 when `to` is not after `from`).
    public func workingSeconds(from: Double, to: Double) -> Double {
        guard to > from, from.isFinite, to.isFinite else { return 0 }
        let first = localDay(from), last = localDay(to)
        guard last - first <= Self.maxDays else { return (to - from) / 86_400 * dayLength * 5 / 7 }
        var total = 0.0
        for day in first...last where isWorking(day: day) {
            for (a, b) in p.intervals {
                let s = max(from, instant(day: day, seconds: a)), e = min(to, instant(day: day, seconds: b))
                if e > s { total += e - s }
            }
        }
        return total
    }

    /// The instant when `seconds` of office hours have passed since `start`: the end of the office period in which
    /// they run out (so 4 working hours from 16:00 on a Friday ends at 10:30 on Monday with 08:30–12:00 and
    /// 13:30–17:30). Zero seconds is `start` itself.
    public func adding(_ seconds: Double, to start: Double) -> Double {
        guard seconds > 0, start.isFinite else { return start }
        var left = seconds
        var day = localDay(start)
        for _ in 0..<Self.maxDays {
            if isWorking(day: day) {
                for (a, b) in p.intervals {
                    let s = max(start, instant(day: day, seconds: a)), e = instant(day: day, seconds: b)
                    guard e > s else { continue }
                    if e - s >= left { return s + left }
                    left -= e - s
                }
            }
            day += 1
        }
        return start + left / dayLength * 86_400
    }
}
