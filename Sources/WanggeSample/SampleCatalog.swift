import WanggeCore

/// The departments and event types a sub-district like Xiyuan works with.
enum SampleCatalog {
    static let departments: [Department] = [
        Department(code: "sanitation", name: "街道环卫所", nameEn: "Sanitation station", phone: "0311-8701-2001"),
        Department(code: "municipal", name: "区市政维护所", nameEn: "Municipal works", phone: "0311-8701-2002"),
        Department(code: "urban_management", name: "城管执法中队", nameEn: "Urban management", phone: "0311-8701-2003"),
        Department(code: "police", name: "西苑派出所", nameEn: "Public security (police station)", phone: "0311-8701-2004"),
        Department(code: "fire_safety", name: "街道消防安全办公室", nameEn: "Fire safety", phone: "0311-8701-2005"),
        Department(code: "civil_affairs", name: "街道民政办", nameEn: "Civil affairs", phone: "0311-8701-2006"),
        Department(code: "health", name: "社区卫生服务中心", nameEn: "Health", phone: "0311-8701-2007"),
        Department(code: "housing", name: "区住房保障和房产管理所", nameEn: "Housing", phone: "0311-8701-2008"),
        Department(code: "market_supervision", name: "西苑市场监管所", nameEn: "Market supervision", phone: "0311-8701-2009"),
        Department(code: "landscaping", name: "区园林绿化所", nameEn: "Parks and landscaping", phone: "0311-8701-2010"),
        Department(code: "utilities", name: "水电气热服务协调组", nameEn: "Utilities (water, power, gas, heating)", phone: "0311-8701-2011"),
        Department(code: "justice", name: "街道司法所", nameEn: "Legal aid and mediation", phone: "0311-8701-2012"),
        Department(code: "safety_supervision", name: "街道安全生产监管办", nameEn: "Work safety supervision", phone: "0311-8701-2013"),
    ]

    static let eventTypes: [EventType] = typeList.map { t in
        var t = t
        t.standardClass = SampleStandards.typeClasses[t.code]
        return t
    }

    /// The service levels as the loop applies them: `sla` counting on the sample's calendar, with each type's class.
    static let effectiveSLA = sla.with(clock: try! WorkingClock(SampleStandards.calendar), classes: SampleStandards.classes,
                                       types: eventTypes)

    private static let typeList: [EventType] = [
        EventType(code: "garbage", name: "垃圾堆放", nameEn: "Garbage dumped or not collected", category: "places", defaultDepartment: "sanitation"),
        EventType(code: "road_damage", name: "道路破损", nameEn: "Damaged road or pavement", category: "things", defaultDepartment: "municipal"),
        EventType(code: "manhole", name: "井盖缺失破损", nameEn: "Missing or broken manhole cover", category: "things", defaultDepartment: "municipal"),
        EventType(code: "streetlight", name: "路灯不亮", nameEn: "Street light out", category: "things", defaultDepartment: "municipal"),
        EventType(code: "drainage", name: "排水不畅", nameEn: "Blocked drain or waterlogging", category: "things", defaultDepartment: "municipal"),
        EventType(code: "illegal_construction", name: "违章建筑", nameEn: "Illegal construction", category: "places", defaultDepartment: "urban_management"),
        EventType(code: "street_vending", name: "占道经营", nameEn: "Street vending on the road", category: "places", defaultDepartment: "urban_management"),
        EventType(code: "illegal_parking", name: "乱停乱放", nameEn: "Illegal parking", category: "places", defaultDepartment: "urban_management"),
        EventType(code: "noise", name: "噪音扰民", nameEn: "Noise nuisance", category: "events", defaultDepartment: "urban_management"),
        EventType(code: "public_order", name: "治安隐患", nameEn: "Public order or security risk", category: "events", defaultDepartment: "police"),
        EventType(code: "dispute", name: "邻里纠纷", nameEn: "Neighbour dispute", category: "people", defaultDepartment: "justice"),
        EventType(code: "fire_hazard", name: "消防隐患", nameEn: "Fire hazard (blocked exits, charging e-bikes indoors)", category: "things", defaultDepartment: "fire_safety"),
        EventType(code: "elderly_care", name: "困难老人帮扶", nameEn: "Elderly or vulnerable resident needs help", category: "people", defaultDepartment: "civil_affairs"),
        EventType(code: "public_health", name: "公共卫生", nameEn: "Public health concern", category: "events", defaultDepartment: "health"),
        EventType(code: "building_safety", name: "房屋安全", nameEn: "Unsafe building or facade", category: "places", defaultDepartment: "housing"),
        EventType(code: "food_safety", name: "食品安全", nameEn: "Food safety", category: "organisations", defaultDepartment: "market_supervision"),
        EventType(code: "unlicensed_business", name: "无证经营", nameEn: "Unlicensed business", category: "organisations", defaultDepartment: "market_supervision"),
        EventType(code: "greenery", name: "绿化损坏", nameEn: "Damaged trees or greenery", category: "things", defaultDepartment: "landscaping"),
        EventType(code: "utilities", name: "水电气暖故障", nameEn: "Water, power, gas or heating fault", category: "things", defaultDepartment: "utilities"),
        EventType(code: "work_safety", name: "安全生产隐患", nameEn: "Work safety hazard at a firm", category: "organisations", defaultDepartment: "safety_supervision"),
        EventType(code: "public_opinion", name: "社情民意", nameEn: "Residents' opinion or complaint", category: "opinion", defaultDepartment: "civil_affairs"),
    ]

    /// Service levels by severity (4 = most urgent), with faster or slower rules for some event types. Types filed
    /// under a class with a 处置时限 (road damage, illegal construction, garbage, …) take that limit at severities 1–3.
    static let sla = SLARules(
        defaults: [
            "1": .init(acceptHours: 24, resolveHours: 168, closeHours: 72),
            "2": .init(acceptHours: 8, resolveHours: 72, closeHours: 48),
            "3": .init(acceptHours: 2, resolveHours: 24, closeHours: 24),
            "4": .init(acceptHours: 0.5, resolveHours: 4, closeHours: 12),
        ],
        types: [
            "fire_hazard": ["2": .init(acceptHours: 2, resolveHours: 24, closeHours: 24),
                            "3": .init(acceptHours: 1, resolveHours: 8, closeHours: 12),
                            "4": .init(acceptHours: 0.25, resolveHours: 2, closeHours: 8)],
            "elderly_care": ["2": .init(acceptHours: 4, resolveHours: 24, closeHours: 24),
                             "3": .init(acceptHours: 1, resolveHours: 8, closeHours: 12)],
            "public_opinion": ["1": .init(acceptHours: 24, resolveHours: 240, closeHours: 72)],
        ]
    )

    /// Supervisors verify hotline and web reports on site before acceptance, and check every result before closing.
    static let supervision = SupervisionRules(verifyChannels: [.hotline, .web], checkBeforeClose: true,
                                              verify: .workingHours(2), check: .workingHours(4))

    /// Routing overrides of the event types' default departments.
    static func routing(courtyard: String) -> RoutingRules {
        RoutingRules(rules: [
            .init(eventType: "garbage", layer: .industry, department: "urban_management",
                  note: "commercial waste inside industry grids is enforced by urban management, not collected by sanitation"),
            .init(eventType: "work_safety", layer: .functional, department: "fire_safety",
                  note: "safety hazards at public institutions go to the fire safety office"),
            .init(eventType: "utilities", grid: courtyard, department: "housing",
                  note: "an old housing estate whose utilities the housing office still runs"),
        ])
    }
}
