import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("Codes by the national scheme (GB/T 30428) and a top level under an outside parent")
struct CodeSchemeTests {
    /// The sample's residential file as JSON, its features edited by `change`.
    static func sample(_ change: (inout [JSONValue]) -> Void = { _ in }) throws -> [UInt8] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/residential.geojson")))
        guard var doc = try JSONValue.parse(bytes).objectValue, case .array(var features)? = doc["features"] else { return [] }
        change(&features)
        doc["features"] = .array(features)
        var w = GeoJSONWriter()
        w.appendValue(.object(doc))
        return w.bytes
    }

    static func property(_ f: JSONValue, _ key: String) -> String? { f.objectValue?["properties"]?.objectValue?[key]?.stringValue }

    static func setting(_ f: JSONValue, _ key: String, _ value: JSONValue?) -> JSONValue {
        var o = f.objectValue!
        var p = o["properties"]!.objectValue!
        p[key] = value
        o["properties"] = .object(p)
        return .object(o)
    }

    func check(_ bytes: [UInt8], scheme: CodeScheme? = nil, externalRoot: Bool = false) -> BoundaryCheckResult {
        var options = BoundaryOptions(layer: .residential)
        options.codeScheme = scheme
        options.externalRoot = externalRoot
        return BoundaryValidator().check(bytes, options: options)
    }

    @Test("the sample's codes follow the scheme (6 + 3 street, + 3 community, + 2 courtyard, + 2 building)")
    func sampleFollows() throws {
        let r = check(try Self.sample(), scheme: CodeScheme())
        #expect(r.isClean, "\(r.defects.prefix(3))")
        #expect(CodeScheme().length(.street) == 9 && CodeScheme().length(.courtyard) == 14 && CodeScheme().length(.building) == 16)
    }

    @Test("a code that does not extend its parent's, has the wrong length or is not digits is refused with its feature; other digits per level are honoured")
    func violations() throws {
        var edited: [Int: String] = [:], children: Set<Int> = []
        let bytes = try Self.sample { features in
            for (i, f) in features.enumerated() {
                switch Self.property(f, "level") {
                case "community" where edited.isEmpty:
                    // Keeps its length but not its parent's prefix; its children keep pointing at it.
                    let old = Self.property(f, "code")!
                    let new = "130105009" + old.suffix(3)
                    for (j, c) in features.enumerated() where Self.property(c, "parent") == old {
                        features[j] = Self.setting(c, "parent", .string(new))
                        children.insert(j)
                    }
                    features[i] = Self.setting(f, "code", .string(new))
                    edited[i] = new
                case "building" where !edited.values.contains { $0.hasSuffix("0A") }:
                    let code = String(Self.property(f, "code")!.dropLast(2)) + "0A"
                    features[i] = Self.setting(f, "code", .string(code))
                    edited[i] = code
                default: break
                }
            }
        }
        #expect(check(bytes).isClean, "without a scheme codes are free text")
        let r = check(bytes, scheme: CodeScheme())
        let schemeDefects = r.defects.filter { $0.kind == .codeScheme }
        // The renamed community's courtyards no longer extend their parent's code either.
        #expect(!children.isEmpty)
        #expect(Set(schemeDefects.compactMap(\.featureIndex)) == Set(edited.keys).union(children), "\(schemeDefects.map(\.description))")
        #expect(schemeDefects.contains { $0.message.contains("followed by 3 digits") })
        #expect(schemeDefects.contains { $0.message.contains("not all digits") })
        #expect(r.grids.isEmpty)
        // Beijing's three digits for the grid: every courtyard of the sample is then one digit short.
        let beijing = try CodeScheme(parsing: "gbt30428:courtyard=3")
        #expect(beijing.digits["courtyard"] == 3 && beijing.digits["community"] == 3)
        let b = check(try Self.sample(), scheme: beijing)
        #expect(b.defects.filter { $0.kind == .codeScheme }.count == 25 + 68, "25 courtyards too short; their 68 buildings no longer have the length the scheme gives")
        #expect(throws: CodeSchemeError.self) { try CodeScheme(parsing: "gb2260") }
        #expect(throws: CodeSchemeError.self) { try CodeScheme(parsing: "gbt30428:grid=3") }
    }

    @Test("a top level whose parent lies outside the file is refused unless asked for; then it lands with the outside parent as external_parent")
    func externalRoot() throws {
        // The communities of the sample without their street: their parent 130105005 is not in the file.
        let bytes = try Self.sample { features in features.removeAll { Self.property($0, "level") == "street" } }
        let refused = check(bytes)
        #expect(refused.defects.filter { $0.kind == .unknownParent }.count == 7)
        #expect(refused.defects.first { $0.kind == .unknownParent }?.message.contains("--external-root") == true)
        let taken = check(bytes, scheme: CodeScheme(), externalRoot: true)
        #expect(taken.isClean, "\(taken.defects.prefix(3))")
        let communities = taken.grids.filter { $0.level == .community }
        #expect(communities.count == 7)
        #expect(communities.allSatisfy { $0.parent == nil && $0.properties["external_parent"] == .string("130105005") })
        #expect(taken.grids.filter { $0.level == .courtyard }.allSatisfy { $0.parent != nil && $0.properties["external_parent"] == nil })
        // A lower level still needs its parent in the file.
        let orphan = try Self.sample { features in
            features.removeAll { Self.property($0, "level") == "street" }
            let i = features.firstIndex { Self.property($0, "level") == "courtyard" }!
            features[i] = Self.setting(features[i], "parent", .string("130105005099"))
        }
        #expect(check(orphan, externalRoot: true).defects.contains { $0.kind == .unknownParent })
    }
}
