import WanggeCore
import WanggeGeo

/// A plausible inventory of components (部件) for Xiyuan: manhole covers, street lights, hydrants, litter bins,
/// signs and street trees at random places inside the street, with the standard's identifiers (Xinhua District,
/// 130105), the departments that answer for them and a few damaged or lost.
enum SampleComponents {
    /// Class, name, how many, 主管, 权属, 养护.
    static let kinds: [(String, String, Int, String, String, String)] = [
        ("0102", "污水井盖", 40, "municipal", "市排水管理处", "municipal"),
        ("0103", "雨水井盖", 30, "municipal", "市排水管理处", "municipal"),
        ("0101", "上水井盖", 20, "utilities", "市自来水公司", "utilities"),
        ("0137", "路灯", 60, "municipal", "区路灯管理所", "municipal"),
        ("0113", "消火栓", 15, "fire_safety", "市自来水公司", "fire_safety"),
        ("0305", "垃圾箱", 40, "sanitation", "街道环卫所", "sanitation"),
        ("0210", "交通标志牌", 20, "municipal", "区交通运输局", "municipal"),
        ("0402", "行道树", 50, "landscaping", "区园林绿化所", "landscaping"),
    ]

    static func generate(_ street: GeometryValue, seed: UInt64) throws -> [(String?, GeometryValue?, JSONObject)] {
        var rng = SampleRandom(seed: seed ^ 0x0C0_4E0E_27)
        let geos = GeosContext()
        let prepared = try GeosPreparedGeometry(try GeosGeometry(street, in: geos))
        let b = street.boundingBox
        var out: [(String?, GeometryValue?, JSONObject)] = []
        for (code, name, count, competent, owner, maintainer) in kinds {
            for n in 1...count {
                var x = 0.0, y = 0.0
                repeat { x = rng.uniform(b.minX, b.maxX); y = rng.uniform(b.minY, b.maxY) } while try !prepared.contains(x: x, y: y)
                x = (x * 1e7).rounded() / 1e7; y = (y * 1e7).rounded() / 1e7
                let u = rng.unit()
                let state: Component.State = u < 0.9 ? .intact : u < 0.97 ? .damaged : .lost
                let year = 2008 + rng.int(0..<17), month = 1 + rng.int(0..<12)
                let id = "130105" + code + String(repeating: "0", count: 6 - String(n).count) + String(n)
                out.append((id, .point(x: x, y: y), JSONObject([
                    ("id", .string(id)), ("class", .string("component:" + code)), ("name", .string("\(name) \(n)")),
                    ("competent", .string(competent)), ("owner", .string(owner)), ("maintainer", .string(maintainer)),
                    ("state", .string(state.rawValue)),
                    ("installed_on", .string("\(year)-\(month < 10 ? "0" : "")\(month)-01")),
                    ("updated_on", .string("2026-0\(1 + rng.int(0..<9))-15")),
                ])))
            }
        }
        return out
    }
}
