/// RFC 3339 timestamps (`2026-11-26T17:20:00+08:00`, `…Z`, optional fractional seconds) to and from seconds since
/// 1970, without Foundation's formatters (which are slow to create and not shareable across threads).
public enum Timestamp {
    /// Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard Hinnant's `days_from_civil`.
    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(_ z: Int) -> (Int, Int, Int) {
        let z = z + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Parses an RFC 3339 date-time with any offset. A time without an offset is a wall-clock time in `zone` (the
    /// service's zone unless told otherwise); a date alone is midnight there.
    public static func parse(_ text: String, zone: ZoneOffsets = .service) -> Double? {
        guard let (whole, fraction, offset) = parts(text) else { return nil }
        return Double(whole - (offset ?? zone.offset(local: Double(whole)))) + fraction
    }

    /// The same with a fixed offset for times that have none.
    public static func parse(_ text: String, defaultOffsetSeconds: Int) -> Double? {
        guard let (whole, fraction, offset) = parts(text) else { return nil }
        return Double(whole - (offset ?? defaultOffsetSeconds)) + fraction
    }

    /// The time as if it were UTC (whole seconds and the fraction, kept apart so that adding the offset loses
    /// nothing), and the offset it was written with (nil when none was).
    static func parts(_ text: String) -> (Int, Double, Int?)? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 10, let y = num(0, 4), b[4] == 0x2D, let mo = num(5, 2), b[7] == 0x2D, let d = num(8, 2),
              (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y) else { return nil }
        var seconds = days(y, mo, d) * 86400
        if b.count == 10 { return (seconds, 0, nil) }
        guard b.count >= 19, b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20, let h = num(11, 2), b[13] == 0x3A,
              let mi = num(14, 2), b[16] == 0x3A, let s = num(17, 2), h < 24, mi < 60, s < 61 else { return nil }
        seconds += h * 3600 + mi * 60 + s
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var digits = 0, scale = 1.0
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if i - start < 15 { digits = digits * 10 + Int(b[i] - 0x30); scale *= 10 }
                i += 1
            }
            guard i > start else { return nil }
            fraction = Double(digits) / scale
        }
        if i == b.count { return (seconds, fraction, nil) }
        if b[i] == 0x5A || b[i] == 0x7A { return i + 1 == b.count ? (seconds, fraction, 0) : nil }
        guard b[i] == 0x2B || b[i] == 0x2D, let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A,
              let om = num(i + 4, 2), i + 6 == b.count, oh < 24, om < 60 else { return nil }
        let offset = oh * 3600 + om * 60
        return (seconds, fraction, b[i] == 0x2B ? offset : -offset)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `2026-11-26T17:20:00.123+08:00`: the local time in `zone` (the service's unless told otherwise) with its
    /// offset, milliseconds when there are any; `Z` in UTC, and for the rare offset that is not whole minutes
    /// (local mean time before 1901), which RFC 3339 cannot write.
    public static func format(_ seconds: Double, in zone: ZoneOffsets = .service) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(29)
        append(seconds, to: &out, in: zone)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends what `format` returns, without building a String (exports write millions).
    public static func append(_ seconds: Double, to out: inout [UInt8], in zone: ZoneOffsets = .service) {
        let zoneOffset = zone.offset(at: seconds)
        let offset = zoneOffset % 60 == 0 ? zoneOffset : 0
        let ms = Int(((seconds + Double(offset)) * 1000).rounded())
        let day = Int((Double(ms) / 86_400_000).rounded(.down))
        let rest = ms - day * 86_400_000
        let (y, m, d) = civil(day)
        // Written into a small buffer on the stack and appended once: a byte-by-byte append checks the array's
        // capacity and uniqueness each time, and an events page writes two timestamps per feature.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buf in
            var n = 0
            func byte(_ b: UInt8) { buf[n] = b; n += 1 }
            func digits(_ v: Int, _ width: Int) {
                var v = v, i = n + width
                while i > n { i -= 1; buf[i] = 0x30 + UInt8(v % 10); v /= 10 }
                n += width
            }
            if y < 0 { byte(0x2D) }
            digits(abs(y), abs(y) >= 10_000 ? String(abs(y)).count : 4)
            byte(0x2D); digits(m, 2); byte(0x2D); digits(d, 2)
            byte(0x54); digits(rest / 3_600_000, 2)
            byte(0x3A); digits(rest / 60_000 % 60, 2)
            byte(0x3A); digits(rest / 1000 % 60, 2)
            if rest % 1000 != 0 { byte(0x2E); digits(rest % 1000, 3) }
            if zone.writesZ || offset != zoneOffset {
                byte(0x5A)
            } else {
                byte(offset < 0 ? 0x2D : 0x2B)
                digits(abs(offset) / 3600, 2); byte(0x3A); digits(abs(offset) / 60 % 60, 2)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n]))
        }
    }
}
