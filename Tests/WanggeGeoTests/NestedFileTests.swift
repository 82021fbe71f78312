import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("Nested boundary files: a hierarchy written as a tree of children")
struct NestedFileTests {
    /// The sample's residential file rewritten as a tree: each grid's children in its `children` array, no
    /// `parent` properties. Pretty-printed one member per line so places can be checked.
    static func nested(_ change: (inout JSONObject, _ code: String) -> Void = { _, _ in }) throws -> [UInt8] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/residential.geojson")))
        guard case .array(let features)? = try JSONValue.parse(bytes).objectValue?["features"] else { return [] }
        let objects = features.compactMap(\.objectValue)
        func code(_ f: JSONObject) -> String { f["properties"]!.objectValue!["code"]!.stringValue! }
        func parent(_ f: JSONObject) -> String? { f["properties"]!.objectValue!["parent"]?.stringValue }
        func tree(_ f: JSONObject) -> JSONValue {
            var f = f
            var p = f["properties"]!.objectValue!
            p["parent"] = nil
            f["properties"] = .object(p)
            let kids = objects.filter { parent($0) == code(f) }
            if !kids.isEmpty { f["children"] = .array(kids.map(tree)) }
            change(&f, code(f))
            return .object(f)
        }
        let doc = JSONObject([("type", .string("FeatureCollection")), ("features", .array(objects.filter { parent($0) == nil }.map(tree)))])
        var w = GeoJSONWriter()
        w.appendValue(.object(doc))
        // One feature per line: a line break before every "{"type":"Feature".
        let text = String(decoding: w.bytes, as: UTF8.self).replacingOccurrences(of: #"{"type":"Feature""#, with: "\n{\"type\":\"Feature\"")
        return Array(text.utf8)
    }

    @Test("a nested file gives the grids the flat file gives: codes, levels, parents, areas")
    func sameAsFlat() throws {
        let flat = BoundaryValidator().check(try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/residential.geojson"))),
                                             options: BoundaryOptions(layer: .residential))
        let tree = BoundaryValidator().check(try Self.nested(), options: BoundaryOptions(layer: .residential))
        #expect(tree.isClean, "\(tree.defects.prefix(3))")
        #expect(tree.featureCount == 101)
        func key(_ g: GridFeature) -> String { "\(g.code) \(g.level!.rawValue) \(g.parent ?? "-") \(g.areaM2.rounded())" }
        #expect(Set(tree.grids.map(key)) == Set(flat.grids.map(key)))
        #expect(tree.grids.allSatisfy { $0.properties["children"] == nil && $0.properties["parent"] == nil })
    }

    @Test("read as it streams, in small chunks, the tree is the document the whole-file parser reads")
    func streamed() throws {
        let bytes = try Self.nested()
        let whole = try GeoJSONDocument.parse(bytes)
        #expect(whole.features.count == 1 && whole.features[0].children.count == 7)
        for piece in [7, 64, 4096] {
            var reader = GeoJSONDocument.Reader()
            var i = 0
            while i < bytes.count {
                try reader.feed(Array(bytes[i..<min(i + piece, bytes.count)]))
                i += piece
            }
            #expect(try reader.finish() == whole, "chunks of \(piece) bytes")
        }
    }

    @Test("a defect of a nested feature names its depth-first index, its code and the line it starts on")
    func defectPlace() throws {
        var broken = ""
        let bytes = try Self.nested { f, code in
            // The first building of the first courtyard of the first community: its ring left open.
            guard broken.isEmpty, code.count == 16, var g = f["geometry"]?.objectValue, case .array(var rings)? = g["coordinates"],
                  case .array(var ring) = rings[0] else { return }
            ring.removeLast()
            rings[0] = .array(ring)
            g["coordinates"] = .array(rings)
            f["geometry"] = .object(g)
            broken = code
        }
        let r = BoundaryValidator().check(bytes, options: BoundaryOptions(layer: .residential))
        let d = try #require(r.defects.first { $0.kind == .ringNotClosed })
        #expect(d.code == broken)
        // Depth first: street 0, community 1, courtyard 2, then its first building.
        #expect(d.featureIndex == 3)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(d.line.map { lines[$0 - 1].contains("\"\(broken)\"") } == true, "line \(String(describing: d.line))")
        let bad = try Self.nested { f, code in if code.count == 12 { f["children"] = .string("none") } }
        #expect(BoundaryValidator().check(bad, options: BoundaryOptions(layer: .residential)).defects.contains { $0.message.contains("\"children\" must be an array") })
    }
}
