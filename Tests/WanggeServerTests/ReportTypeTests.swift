import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeSample
import WanggeServer
import WanggeTestSupport

@Suite("Report layers keep one JSON type per field, whatever the period")
struct ReportTypeTests {
    let f: ServerFixture

    init() async throws { f = try await ServerFixture.withHistory() }

    /// The JSON type of a value as a client infers a field's type from it: a number without a decimal point is an
    /// integer (QGIS: Integer), with one a real.
    static func kind(_ v: JSONValue) -> String? {
        switch v {
        case .null: return nil
        case .bool: return "boolean"
        case .string: return "string"
        case .number(let n): return n.literal.contains(".") || n.literal.contains("e") || n.literal.contains("E") ? "real" : "integer"
        case .array: return "array"
        case .object: return "object"
        }
    }

    @Test("grid and department reports over a full quarter, a day of whole-number rates and an empty month: each field one type")
    func stableTypes() async throws {
        try await f.app().test(.router) { client in
            // The quarter holds the sample; 2026-07-01 has a few events a grid (rates of 0, 0.5 and 1); 2025-01 none.
            let periods = ["period=quarter&date=2026-08-15", "period=day&date=2026-07-01", "period=month&date=2025-01-15"]
            for (report, rowsKey) in [("/reports/grids?level=courtyard", "grids"), ("/reports/grids?level=community&f=geojson", "features"),
                                      ("/reports/departments", "departments")] {
                var kinds: [String: Set<String>] = [:]
                var wholeRealSeen = false
                for p in periods {
                    let r = try await client.execute(uri: "\(report)&\(p)".replacingOccurrences(of: "departments&", with: "departments?"),
                                                     method: .get, headers: f.headers(.viewer)) { $0 }
                    #expect(r.status == .ok, "\(report) \(p): \(r.text.prefix(200))")
                    guard case .array(let rows)? = r.json[rowsKey] else { Issue.record("\(report) \(p): no \(rowsKey)"); continue }
                    for row in rows.compactMap(\.objectValue) {
                        let fields = rowsKey == "features" ? (row["properties"]?.objectValue ?? JSONObject()) : row
                        for m in fields.members {
                            if let k = Self.kind(m.value) { kinds[m.key, default: []].insert(k) }
                            if case .number(let n) = m.value, n.literal.hasSuffix(".0") { wholeRealSeen = true }
                        }
                    }
                }
                for (field, seen) in kinds.sorted(by: { $0.key < $1.key }) {
                    #expect(seen.count == 1, "\(report): \(field) is written as \(seen.sorted())")
                }
                // The day and the quarter gave whole-number measures, and they were written as reals.
                #expect(wholeRealSeen, "\(report): no whole-number measure was seen")
            }
        }
    }
}
