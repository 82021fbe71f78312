import Testing
@testable import WanggeCore

@Suite("RFC 3339 timestamps")
struct TimestampTests {
    @Test("offsets, Z, no offset (Asia/Shanghai), a date alone, fractions and the separators RFC 3339 allows", arguments: [
        ("2026-08-12T10:00:00Z", 1786528800.0),
        ("2026-08-12t10:00:00z", 1786528800.0),
        ("2026-08-12T10:00:00+00:00", 1786528800.0),
        ("2026-08-12T10:00:00+08:00", 1786500000.0),
        ("2026-08-12 10:00:00+08:00", 1786500000.0),
        ("2026-08-12T10:00:00", 1786500000.0),
        ("2026-08-12T10:00:00.5Z", 1786528800.5),
        ("2026-03-01", 1772294400.0),
        ("2024-02-29T12:30:15-05:30", 1709229615.0),
        ("2000-01-01T00:00:00Z", 946684800.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2100-12-31T23:59:59Z", 4133980799.0),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(Timestamp.parse(text) == seconds)
    }

    @Test("what is not a real date or an RFC 3339 time is refused", arguments: [
        "", "2026", "2026-1-01", "2026-13-01", "2026-00-10", "2026-02-29", "2026-04-31", "2026-08-12T24:00:00Z",
        "2026-08-12T10:60:00Z", "2026-08-12T10:00Z", "2026-08-12T10:00:00+0800", "2026-08-12T10:00:00Zx",
        "2026-08-12T10:00:00.Z", "2026-08-12X10:00:00Z", "2026-08-12T10:00:00+08", "12/08/2026",
    ])
    func refuses(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("a date alone is midnight in the offset it is read in")
    func dateOffset() {
        #expect(Timestamp.parse("2026-03-01", defaultOffsetSeconds: 0) == 1772323200)
    }

    @Test("formats in UTC with Z, milliseconds only when there are any, and reads back what it writes", arguments: [
        (1786528800.0, "2026-08-12T10:00:00Z"), (1786528800.25, "2026-08-12T10:00:00.250Z"), (-1.0, "1969-12-31T23:59:59Z"),
        (0.0, "1970-01-01T00:00:00Z"), (4133980799.0, "2100-12-31T23:59:59Z"), (951782400.0, "2000-02-29T00:00:00Z"),
    ])
    func formats(_ seconds: Double, _ text: String) {
        #expect(Timestamp.format(seconds, in: .utc) == text)
        #expect(Timestamp.parse(Timestamp.format(seconds, in: .utc)) == seconds)
    }
}

@Suite("The service time zone")
struct ZoneTests {
    static let berlin = ZoneOffsets("Europe/Berlin")!, newYork = ZoneOffsets("America/New_York")!

    @Test("written in Asia/Shanghai unless told otherwise: +08:00, milliseconds when there are any", arguments: [
        (1786528800.0, "2026-08-12T18:00:00+08:00"), (1786528800.25, "2026-08-12T18:00:00.250+08:00"),
        (1786550400.0, "2026-08-13T00:00:00+08:00"), (-28800.0, "1970-01-01T00:00:00+08:00"),
        (951782400.0, "2000-02-29T08:00:00+08:00"), (4133980799.0, "2101-01-01T07:59:59+08:00"),
    ])
    func shanghai(_ seconds: Double, _ text: String) {
        #expect(ZoneOffsets.service == .shanghai)
        #expect(Timestamp.format(seconds) == text)
        #expect(Timestamp.parse(text) == seconds)
        var bytes: [UInt8] = []
        Timestamp.append(seconds, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }

    @Test("a zone with summer time writes the offset of the day, both sides of the change")
    func summerTime() {
        #expect(Timestamp.format(1786528800, in: Self.berlin) == "2026-08-12T12:00:00+02:00")
        #expect(Timestamp.format(1767225600, in: Self.berlin) == "2026-01-01T01:00:00+01:00")
        #expect(Timestamp.format(1767225600, in: Self.newYork) == "2025-12-31T19:00:00-05:00")
        // 2026-03-29 01:00 UTC: Berlin goes from 02:00 +01:00 to 03:00 +02:00.
        #expect(Timestamp.format(1774745999, in: Self.berlin) == "2026-03-29T01:59:59+01:00")
        #expect(Timestamp.format(1774746000, in: Self.berlin) == "2026-03-29T03:00:00+02:00")
        // China kept summer time from 1986 to 1991.
        #expect(Timestamp.format(521_000_000, in: .shanghai) == "1986-07-06T11:13:20+09:00")
    }

    @Test("a time without an offset is read in the zone: the hour skipped in spring lands after it, the repeated hour in autumn is the first")
    func wallClock() {
        #expect(Timestamp.parse("2026-08-12T12:00:00", zone: Self.berlin) == 1786528800)
        #expect(Timestamp.parse("2026-01-01", zone: Self.berlin) == 1767222000)
        #expect(Timestamp.parse("2026-03-29T02:30:00", zone: Self.berlin) == 1774747800)  // 03:30 +02:00
        #expect(Timestamp.parse("2026-10-25T02:30:00", zone: Self.berlin) == 1792888200)  // 02:30 +02:00 (00:30 Z)
        #expect(Timestamp.parse("2026-10-25T02:30:00+01:00", zone: Self.berlin) == 1792891800)
    }

    @Test("whatever the zone, what is written reads back to the same instant", arguments: ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"])
    func roundTrip(_ name: String) {
        let zone = ZoneOffsets(name)!
        var t = -1_000_000_000.0
        while t < 4_000_000_000 {
            let text = Timestamp.format(t, in: zone)
            #expect(Timestamp.parse(text) == t, "\(name) \(t) \(text)")
            t += 7_777_777.125
        }
    }

    @Test("UTC is written with Z, local mean time before 1901 too (RFC 3339 has no offsets in seconds)")
    func zulu() {
        #expect(Timestamp.format(1786528800, in: .utc) == "2026-08-12T10:00:00Z")
        #expect(Timestamp.format(-2_500_000_000, in: .shanghai) == "1890-10-11T19:33:20Z")
    }

    @Test("a name the tz database does not know, or a bare offset, is not a zone")
    func unknown() {
        #expect(ZoneOffsets("Asia/Beijing") == nil)
        #expect(ZoneOffsets("+08:00") == nil)
        #expect(ZoneOffsets("") == nil)
        #expect(ZoneOffsets("Asia/Shanghai")?.name == "Asia/Shanghai")
    }

    @Test("calendar days are the zone's days")
    func days() {
        #expect(CalendarDay.day(1786550399) == "2026-08-12")
        #expect(CalendarDay.day(1786550400) == "2026-08-13")
        #expect(CalendarDay.day(1786550400, in: .utc) == "2026-08-12")
        #expect(CalendarDay.start("2026-08-13") == 1786550400)
    }
}
