import Foundation
import WanggeCore
import WanggeGeo

/// Codes, names and attributes of the synthetic Xiyuan sample. Names are invented in the style of a Shijiazhuang
/// sub-district; any likeness to a real compound or firm is chance.
enum SampleNames {
    static let streetCode = "130105005"
    static let streetName = "西苑街道"
    static let households = 19_900
    static let population = 49_000

    static let communityNames = ["西苑社区", "柏林社区", "友谊社区", "泰华社区", "合作路社区", "民心社区", "和平西社区"]

    static let compoundNames = [
        "电力小区", "铁路宿舍", "华药生活区", "建工小区", "纺织家属院", "柏林苑", "友谊花园", "泰华小区", "合作新村",
        "民心佳园", "和平西里", "西苑小区", "邮电宿舍", "供销小区", "体育场家属院", "机床厂宿舍", "园林小区",
        "水利宿舍", "煤炭设计院小区", "军休所大院", "师范宿舍", "医药公司宿舍", "新华里", "翠屏小区", "康乐园",
    ]

    static let themes = ["learning", "culture", "care", "safe_home"]
    static let themeNames = ["learning": "学习型网格", "culture": "文化型网格", "care": "关爱型网格", "safe_home": "平安家园网格"]

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤").map(String.init)
    static let givenChars = Array("建国志强秀英桂兰淑珍红梅海燕立新振华德明玉兰春生文静晓东丽娟国庆永刚学军宏伟玉珍凤英金花秋菊爱民卫东占魁宝山俊杰慧敏雅琴").map(String.init)

    static func personName(_ rng: inout SampleRandom) -> String {
        let s = rng.pick(surnames)
        let n = rng.int(1..<3)
        return s + (0..<n).map { _ in rng.pick(givenChars) }.joined()
    }

    static let staffRoles: [(key: String, chinese: String)] = [
        ("party_secretary", "党支部书记"), ("grid_police", "网格民警"), ("information", "信息管理员"),
        ("environment", "环境服务员"), ("culture_publicity", "文化宣传员"), ("medical", "网格医护员"),
        ("family_planning", "计生管理员"), ("legal_service", "法律服务员"), ("safety_inspector", "网格安监员"),
        ("integrity_supervisor", "廉效督导员"),
    ]

    /// Splits `total` over weights exactly (largest remainder).
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        let raw = weights.map { $0 / sum * Double(total) }
        var out = raw.map { Int($0.rounded(.down)) }
        let order = raw.indices.sorted { (raw[$0] - Double(out[$0]), -$0) > (raw[$1] - Double(out[$1]), -$1) }
        var k = 0
        while out.reduce(0, +) < total { out[order[k % order.count]] += 1; k += 1 }
        return out
    }

    // MARK: residential

    static func residentialGrids(street: GeometryValue, communities: [GeometryValue], courtyards: [GeometryValue],
                                 communityOfCourtyard: [Int], buildings: [GeometryValue], courtyardOfBuilding: [Int],
                                 rng: inout SampleRandom) -> [SampleGenerator.Grid] {
        let geodesic = Geodesic.wgs84
        // Order communities west to east, courtyards and buildings by their parent then west to east, so codes read
        // naturally on a map.
        func west(_ g: GeometryValue) -> Double { g.boundingBox.centerX }
        let communityOrder = communities.indices.sorted { west(communities[$0]) < west(communities[$1]) }
        var communityCode: [Int: String] = [:]
        for (n, m) in communityOrder.enumerated() { communityCode[m] = streetCode + String(format: "%03d", n + 1) }
        var courtyardCode: [Int: String] = [:]
        for m in communityOrder {
            let mine = courtyards.indices.filter { communityOfCourtyard[$0] == m }.sorted { west(courtyards[$0]) < west(courtyards[$1]) }
            for (n, c) in mine.enumerated() { courtyardCode[c] = communityCode[m]! + String(format: "%02d", n + 1) }
        }
        var buildingCode: [Int: String] = [:]
        for c in courtyards.indices {
            let mine = buildings.indices.filter { courtyardOfBuilding[$0] == c }.sorted { west(buildings[$0]) < west(buildings[$1]) }
            for (n, b) in mine.enumerated() { buildingCode[b] = courtyardCode[c]! + String(format: "%02d", n + 1) }
        }

        // Households and residents per building, in proportion to area with some spread; sums above.
        let weights = buildings.map { geodesic.area(of: $0) * rng.uniform(0.75, 1.25) }
        let hh = apportion(households, weights: weights)
        let pop = apportion(population, weights: hh.map { Double($0) * rng.uniform(0.9, 1.1) })

        var compounds = compoundNames
        rng.shuffle(&compounds)
        var out: [SampleGenerator.Grid] = []
        func props(_ households: Int, _ population: Int) -> JSONObject {
            JSONObject([("households", .number(JSONNumber(households))), ("population", .number(JSONNumber(population)))])
        }
        out.append(.init(code: streetCode, name: streetName, level: .street, parent: nil, geometry: street,
                         properties: props(households, population)))
        for (n, m) in communityOrder.enumerated() {
            let bs = buildings.indices.filter { communityOfCourtyard[courtyardOfBuilding[$0]] == m }
            var p = props(bs.map { hh[$0] }.reduce(0, +), bs.map { pop[$0] }.reduce(0, +))
            p["station"] = .string(communityNames[n] + "党建网格化工作站")
            out.append(.init(code: communityCode[m]!, name: communityNames[n], level: .community, parent: streetCode,
                             geometry: communities[m], properties: p))
        }
        let courtyardIndices = courtyards.indices.sorted { courtyardCode[$0]! < courtyardCode[$1]! }
        for (n, c) in courtyardIndices.enumerated() {
            let bs = buildings.indices.filter { courtyardOfBuilding[$0] == c }
            var p = props(bs.map { hh[$0] }.reduce(0, +), bs.map { pop[$0] }.reduce(0, +))
            p["grid_leader"] = .string(personName(&rng))
            let theme = themes[n % themes.count]
            p["theme"] = .string(theme)
            p["theme_zh"] = .string(themeNames[theme]!)
            out.append(.init(code: courtyardCode[c]!, name: compounds[n % compounds.count], level: .courtyard,
                             parent: communityCode[communityOfCourtyard[c]]!, geometry: courtyards[c], properties: p))
        }
        let buildingIndices = buildings.indices.sorted { buildingCode[$0]! < buildingCode[$1]! }
        for b in buildingIndices {
            let c = courtyardOfBuilding[b]
            let courtyardName = compounds[courtyardIndices.firstIndex(of: c)! % compounds.count]
            let k = Int(buildingCode[b]!.suffix(2))!
            var p = props(hh[b], pop[b])
            p["group_leader"] = .string(personName(&rng))
            out.append(.init(code: buildingCode[b]!, name: "\(courtyardName)第\(k)楼栋网格", level: .building,
                             parent: courtyardCode[c]!, geometry: buildings[b], properties: p))
        }
        return out
    }

    // MARK: overlays

    struct Member {
        var name: String
        var kind: String
    }

    struct OverlayGroup {
        var name: String
        var trade: String
        var tradeChinese: String
        var members: [Member]
    }

    static let words = ["西苑", "友谊", "和平", "新华", "泰华", "长城", "燕赵", "华北", "民心", "安康", "鑫源", "金桥",
                        "瑞丰", "福泰", "广源", "兴业", "正阳", "明珠", "嘉禾", "恒通", "永安", "佳和", "博雅", "天元",
                        "德馨", "聚贤", "宏达", "盛世", "康宁", "柏林", "合作", "滹沱", "太行", "中山", "维明", "红旗"]

    static func names(_ n: Int, patterns: [String], used: inout Set<String>, rng: inout SampleRandom) -> [String] {
        var out: [String] = []
        var guardCount = 0
        while out.count < n {
            guardCount += 1
            let pattern = rng.pick(patterns)
            var name = pattern.replacingOccurrences(of: "{w}", with: rng.pick(words))
            name = name.replacingOccurrences(of: "{n}", with: String(rng.int(1..<30)))
            if guardCount > 5000 { name += "\(out.count + 1)" }
            if used.insert(name).inserted { out.append(name) }
        }
        return out
    }

    static func functionalGroups(_ rng: inout SampleRandom) -> [OverlayGroup] {
        var used = Set<String>()
        let spec: [(String, String, String, Int, [String])] = [
            ("西苑教育功能网格", "education", "教育", 26,
             ["{w}小学", "{w}幼儿园", "新华区{w}中学", "{w}实验学校", "西苑第{n}幼儿园", "{w}少年宫"]),
            ("西苑医疗卫生功能网格", "health", "医疗卫生", 22,
             ["{w}社区卫生服务站", "新华区{w}医院", "{w}门诊部", "{w}卫生所", "新华区{w}疾控站点", "{w}妇幼保健站"]),
            ("西苑党政机关功能网格", "government", "党政机关", 30,
             ["{w}社区居委会", "新华区{w}管理所", "{w}司法所", "{w}警务室", "{w}税务所", "新华区{w}服务中心", "{w}档案室"]),
            ("西苑公共服务功能网格", "public_service", "公共服务", 25,
             ["{w}供电营业所", "{w}邮政支局", "工商银行{w}支行", "建设银行{w}支行", "{w}供水站", "{w}燃气服务站", "{w}公交场站"]),
        ]
        return spec.map { name, trade, zh, n, patterns in
            OverlayGroup(name: name, trade: trade, tradeChinese: zh,
                         members: names(n, patterns: patterns, used: &used, rng: &rng).map { Member(name: $0, kind: "public_institution") })
        }
    }

    static func industryGroups(_ rng: inout SampleRandom) -> [OverlayGroup] {
        var used = Set<String>()
        let spec: [(String, String, String, Int, String, [String])] = [
            ("商贸零售行业网格", "retail", "商贸零售", 24, "private_firm", ["{w}超市", "{w}便利店", "{w}商贸有限公司", "{w}百货商店"]),
            ("餐饮住宿行业网格", "catering", "餐饮住宿", 26, "private_firm", ["{w}饭庄", "{w}餐饮有限公司", "{w}面馆", "{w}快捷酒店", "{w}包子铺"]),
            ("物业服务行业网格", "property", "物业服务", 18, "private_firm", ["{w}物业服务有限公司", "{w}物业管理处", "{w}保洁服务部"]),
            ("社会组织行业网格", "social", "社会组织", 22, "social_organisation", ["{w}志愿服务队", "{w}老年协会", "{w}社工服务站", "{w}文体协会", "{w}调解委员会"]),
            ("建筑装饰行业网格", "construction", "建筑装饰", 16, "private_firm", ["{w}装饰工程有限公司", "{w}建材商行", "{w}建筑劳务公司"]),
            ("信息科技行业网格", "technology", "信息科技", 20, "private_firm", ["{w}网络科技有限公司", "{w}软件开发有限公司", "{w}电子商行"]),
            ("教育培训行业网格", "training", "教育培训", 20, "private_firm", ["{w}培训学校", "{w}艺术培训中心", "{w}托管中心", "{w}书法工作室"]),
            ("医药健康行业网格", "pharmacy", "医药健康", 18, "private_firm", ["{w}大药房", "{w}诊所", "{w}康复理疗中心", "{w}口腔门诊"]),
            ("物流快递行业网格", "logistics", "物流快递", 20, "private_firm", ["{w}快递服务站", "{w}物流有限公司", "{w}搬家服务部"]),
            ("金融服务行业网格", "finance", "金融服务", 22, "private_firm", ["{w}小额贷款公司", "{w}保险代理公司", "{w}财务咨询有限公司", "{w}典当行"]),
        ]
        return spec.map { name, trade, zh, n, kind, patterns in
            OverlayGroup(name: name, trade: trade, tradeChinese: zh,
                         members: names(n, patterns: patterns, used: &used, rng: &rng).map { Member(name: $0, kind: kind) })
        }
    }
}
