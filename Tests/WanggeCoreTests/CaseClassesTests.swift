import Foundation
import Testing
@testable import WanggeCore
import WanggeTestSupport

/// The class tree's own checks: codes, the reserved range for a city's 小类, GB/T 47678.5 codes, sources.
@Suite("The class tree (categories.json): codes, the reserved range, national codes")
struct CaseClassesTests {
    static let sample: CaseClasses = try! JSONDecoder().decode(CaseClasses.self, from: try! Data(contentsOf: URL(fileURLWithPath: Fixtures.geoData + "/categories.json")))

    static func minor(_ code: String, extension isExtension: Bool = false, national: String? = nil, source: String? = nil) -> CaseClasses.Minor {
        .init(code: code, name: "x", nameEn: "x", filing: "", closing: "", department: nil, limit: nil,
              extension: isExtension, source: source, national: national)
    }

    @Test("the sample's tree passes, reads back equal, and finds classes by id with two- and three-digit 小类")
    func sampleTree() throws {
        try Self.sample.check()
        let again = try JSONDecoder().decode(CaseClasses.self, from: try JSONEncoder().encode(Self.sample))
        #expect(again == Self.sample)
        let garbage = try #require(Self.sample.find("event:0110"))
        #expect(garbage.major.name == "市容环境" && garbage.minor.name == "暴露垃圾" && garbage.minor.nationalCode == "06010")
        #expect(Self.sample.find("component:0137")?.minor.name == "路灯")
        #expect(Self.sample.find("event:0199") == nil && Self.sample.find("thing:0110") == nil && Self.sample.find("event:01") == nil)
        // Every row the standard has carries its code there; the sub-district's own rows are in 91–99 and have none.
        let minors = Self.sample.events.flatMap(\.minors) + Self.sample.components.flatMap(\.minors)
        #expect(minors.filter(\.isExtension).allSatisfy { $0.nationalCode == nil && Int($0.code)! >= 91 })
        let three = CaseClasses(events: [.init(code: "01", name: "a", nameEn: "a", minors: [Self.minor("036")])], components: [],
                                extensionRange: [901, 999], sources: [])
        #expect(three.find("event:01036")?.minor.code == "036")
    }

    @Test("each bad row is named by its path and what is wrong")
    func badRows() {
        let tree = CaseClasses(
            events: [.init(code: "1", name: "a", nameEn: "a", minors: [
                Self.minor("10"), Self.minor("10"), Self.minor("95"), Self.minor("12", extension: true),
                Self.minor("13", national: "6013"), Self.minor("14", source: "nowhere"),
            ])],
            components: [], extensionRange: [91, 99], sources: [])
        do {
            try tree.check()
            Issue.record("a bad tree passed")
        } catch {
            let said = error.errors.map(\.description)
            #expect(said.contains { $0.contains("events[0].code") && $0.contains("two-digit 大类") })
            #expect(said.contains { $0.contains("events[0].minors[1].code") && $0.contains("appears twice") })
            #expect(said.contains { $0.contains("events[0].minors[2].code") && $0.contains("mark it extension") })
            #expect(said.contains { $0.contains("events[0].minors[3].code") && $0.contains("reserved range 91–99") })
            #expect(said.contains { $0.contains("events[0].minors[4].national_code") && $0.contains("five-digit") })
            #expect(said.contains { $0.contains("events[0].minors[5].source") && $0.contains("nowhere") })
            #expect(said.count == 6, "\(said)")
        }
    }
}
