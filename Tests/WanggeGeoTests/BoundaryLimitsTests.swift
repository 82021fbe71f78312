import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("Limits on codes, names and properties, and defect locations in one-line files")
struct BoundaryLimitsTests {
    let validator = BoundaryValidator()
    static let x0 = 114.450, y0 = 38.060

    /// Three functional grids side by side; `edit` changes the properties of the one at index 1.
    func file(_ edit: (inout JSONObject) -> Void) -> [UInt8] {
        var b = BoundaryFileBuilder()
        for i in 0..<3 {
            let x = Self.x0 + Double(i) * 0.001
            b.add("F\(i)", geometry: B.polygon([B.box(x, Self.y0, x + 0.001, Self.y0 + 0.001)]))
        }
        edit(&b.features[1].properties)
        return b.bytes
    }

    func check(_ bytes: [UInt8]) -> BoundaryCheckResult {
        validator.check(bytes, options: BoundaryOptions(layer: .functional))
    }

    @Test("codes and names at their limits are taken")
    func atLimits() {
        let r = check(file { p in
            p["code"] = .string(String(repeating: "c", count: 64))
            p["name"] = .string(String(repeating: "名", count: 200))
        })
        #expect(r.isClean, "\(r.defects)")
    }

    @Test("a code, a name or properties past their limit are refused, each with the feature's index", arguments: [
        ("code", 100_000, "64"), ("name", 201, "200"), ("name", 20 * 1024 * 1024, "200"),
    ])
    func pastLimit(_ key: String, _ length: Int, _ limit: String) throws {
        let r = check(file { $0[key] = .string(String(repeating: "x", count: length)) })
        #expect(r.grids.isEmpty)
        let d = try #require(r.defects.first { $0.kind == .badProperty && $0.message.contains("characters long") }, "\(r.defects.prefix(2))")
        #expect(d.featureIndex == 1)
        #expect(d.message.contains("\"\(key)\"") && d.message.contains("at most \(limit)"))
        #expect(d.description.hasPrefix("feature 1 "))
        // A defect never echoes a huge code back whole.
        #expect(d.description.utf8.count < 400, "\(d.description.prefix(200))")
    }

    @Test("properties over 64 KiB as JSON are refused with the feature's index; just under is taken")
    func propertiesSize() throws {
        let big = check(file { $0["notes"] = .string(String(repeating: "x", count: 65 * 1024)) })
        let d = try #require(big.defects.first, "no defect")
        #expect(big.defects.count == 1 && d.kind == .badProperty && d.featureIndex == 1)
        #expect(d.message.contains("64 KiB") && d.description.hasPrefix("feature 1 "))
        #expect(check(file { $0["notes"] = .string(String(repeating: "x", count: 60 * 1024)) }).isClean)
    }

    @Test("in a file on one line each feature's defect gives its column and byte offset, read whole or streamed")
    func oneLineLocations() throws {
        let features = (0..<4).map { i in
            let x = Self.x0 + Double(i) * 0.001
            // Feature 2 has no name; the names before it hold Chinese text, so columns and bytes differ.
            let name = i == 2 ? "" : #","name":"网格\#(i)""#
            return #"{"type":"Feature","properties":{"code":"F\#(i)"\#(name)},"geometry":{"type":"Polygon","coordinates":[[[\#(x),38.06],[\#(x + 0.001),38.06],[\#(x + 0.001),38.061],[\#(x),38.061],[\#(x),38.06]]]}}"#
        }
        let text = #"{"type":"FeatureCollection","features":["# + features.joined(separator: ",") + "]}"
        let bytes = Array(text.utf8)
        let start = try #require(text.range(of: features[2]))
        let offset = text.utf8.distance(from: text.startIndex, to: start.lowerBound)
        let column = text.distance(from: text.startIndex, to: start.lowerBound) + 1
        #expect(offset > column)

        var reader = GeoJSONDocument.Reader()
        for chunk in stride(from: 0, to: bytes.count, by: 37) { try reader.feed(Array(bytes[chunk..<min(chunk + 37, bytes.count)])) }
        let streamed = validator.check(Result { try reader.finish() }, options: BoundaryOptions(layer: .functional))
        for r in [check(bytes), streamed] {
            let d = try #require(r.defects.first)
            #expect(r.defects.count == 1 && d.kind == .missingProperty && d.featureIndex == 2)
            #expect(d.line == 1 && d.column == column && d.offset == offset)
            #expect(d.description.contains("line 1, column \(column), byte \(offset)"), "\(d.description)")
        }
    }

    @Test("in a file of many lines a defect names the line and column where its feature starts")
    func multiLineLocations() throws {
        var b = BoundaryFileBuilder.cleanHierarchy()
        b.features[5].properties["parent"] = .string("nope")
        let r = validator.check(b.bytes, options: BoundaryOptions(layer: .residential))
        let d = try #require(r.defects.first { $0.kind == .unknownParent })
        #expect(d.line == 7 && d.column == 1)  // the builder writes one feature a line after the opening line
        #expect(!d.description.contains("byte"))
    }
}
