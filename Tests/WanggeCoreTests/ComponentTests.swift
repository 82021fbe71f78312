import Foundation
import Testing
@testable import WanggeCore
import WanggeTestSupport

/// Components (部件): the standard's identifiers, what an import refuses, the department an event about one takes.
@Suite("Components: identifiers, import checks, default department")
struct ComponentTests {
    static let classes = try! JSONDecoder().decode(CaseClasses.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.geoData + "/categories.json")))

    func collection(_ features: [String]) -> [UInt8] {
        Array(#"{"type":"FeatureCollection","features":[\#(features.joined(separator: ","))]}"#.utf8)
    }

    func point(_ props: String, lon: Double = 114.45, lat: Double = 38.06) -> String {
        #"{"type":"Feature","geometry":{"type":"Point","coordinates":[\#(lon),\#(lat)]},"properties":{\#(props)}}"#
    }

    @Test("an identifier is district + 大类 + 小类 + a 6-digit sequence; missing ones continue their class's sequence")
    func identifiers() throws {
        let list = try Component.parse(geojson: collection([
            point(#""id":"1301050102000005","class":"component:0102","name":"污水井盖 a""#),
            point(#""class":"0102","name":"污水井盖 b""#),
            point(#""class":"component:0137","name":"路灯 a","state":"damaged","maintainer":"municipal""#),
            point(#""class":"component:0102","name":"污水井盖 c""#),
        ]), district: "130105", classes: Self.classes, existing: [
            Component(id: "1301050102000041", classID: "component:0102", name: "old", lon: 0, lat: 0),
        ])
        #expect(list.map(\.id) == ["1301050102000005", "1301050102000042", "1301050137000001", "1301050102000043"])
        #expect(list[2].state == .damaged && list[1].state == .intact && list[1].classID == "component:0102")
        #expect(list[2].department(known: ["municipal"]) == "municipal" && list[1].department(known: ["municipal"]) == nil)
    }

    @Test("an import with a wrong class, a foreign identifier, a duplicate, a bad state or a polygon is refused whole, naming each")
    func refused() {
        do {
            _ = try Component.parse(geojson: collection([
                point(#""class":"event:0102","name":"x""#),
                point(#""id":"1101010102000001","class":"component:0102","name":"x""#),
                point(#""id":"1301050102000007","class":"component:0102","name":"x""#),
                point(#""id":"1301050102000007","class":"component:0102","name":"y""#),
                point(#""class":"component:0102","name":"x","state":"broken""#),
                #"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"properties":{}}"#,
            ]), district: "130105", classes: Self.classes)
            Issue.record("a bad inventory was read")
        } catch let e as InvalidFields {
            let paths = e.errors.map(\.field)
            #expect(paths.contains("features[0].properties.class") && paths.contains("features[1].properties.id"))
            #expect(paths.contains("features[3].properties.id") && paths.contains("features[4].properties.state"))
            #expect(paths.contains("features[5].geometry"))
            #expect(e.description.contains("used twice"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("CSV reads the same columns, with lon and lat")
    func csv() throws {
        let text = "class,name,lon,lat,state,competent\ncomponent:0305,垃圾箱 1,114.45,38.06,lost,sanitation\n"
        let list = try Component.parse(csv: Array(text.utf8), district: "130105", classes: Self.classes)
        #expect(list.count == 1 && list[0].id == "1301050305000001" && list[0].state == .lost && list[0].department(known: ["sanitation"]) == "sanitation")
    }
}
