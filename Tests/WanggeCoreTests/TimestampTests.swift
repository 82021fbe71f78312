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

    @Test("formats as UTC with milliseconds only when there are any, and reads back what it writes", arguments: [
        (1786528800.0, "2026-08-12T10:00:00Z"), (1786528800.25, "2026-08-12T10:00:00.250Z"), (-1.0, "1969-12-31T23:59:59Z"),
        (0.0, "1970-01-01T00:00:00Z"), (4133980799.0, "2100-12-31T23:59:59Z"), (951782400.0, "2000-02-29T00:00:00Z"),
    ])
    func formats(_ seconds: Double, _ text: String) {
        #expect(Timestamp.format(seconds) == text)
        #expect(Timestamp.parse(Timestamp.format(seconds)) == seconds)
    }
}
