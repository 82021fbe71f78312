import WanggeCore

/// The working calendar and the class tree Xiyuan runs its loop by (written to `GeoData/calendar.json` and
/// `GeoData/categories.json`). The holidays are the State Council's; the office hours, and the time limits of rows
/// without a `source`, are the sub-district's own settings.
enum SampleStandards {
    static let calendar: WorkCalendar = {
        typealias H = WorkCalendar.Holiday
        // The values are fixed and checked by the tests: this cannot fail.
        return try! WorkCalendar(
            timeZone: "Asia/Shanghai",
            officeHours: [["08:30", "12:00"], ["13:30", "17:30"]],
            years: [
                "2025": .init(holidays: [
                    H(name: "元旦", nameEn: "New Year's Day", from: "2025-01-01", to: "2025-01-01"),
                    H(name: "春节", nameEn: "Spring Festival", from: "2025-01-28", to: "2025-02-04"),
                    H(name: "清明节", nameEn: "Qingming Festival", from: "2025-04-04", to: "2025-04-06"),
                    H(name: "劳动节", nameEn: "Labour Day", from: "2025-05-01", to: "2025-05-05"),
                    H(name: "端午节", nameEn: "Dragon Boat Festival", from: "2025-05-31", to: "2025-06-02"),
                    H(name: "国庆节、中秋节", nameEn: "National Day and Mid-Autumn Festival", from: "2025-10-01", to: "2025-10-08"),
                ], workdays: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
                source: "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日，新华社受权发布），as reprinted at https://wxredian.com/art?id=63e914e2d2b1c4a258e09fe1282edb17"),
                "2026": .init(holidays: [
                    H(name: "元旦", nameEn: "New Year's Day", from: "2026-01-01", to: "2026-01-03"),
                    H(name: "春节", nameEn: "Spring Festival", from: "2026-02-15", to: "2026-02-23"),
                    H(name: "清明节", nameEn: "Qingming Festival", from: "2026-04-04", to: "2026-04-06"),
                    H(name: "劳动节", nameEn: "Labour Day", from: "2026-05-01", to: "2026-05-05"),
                    H(name: "端午节", nameEn: "Dragon Boat Festival", from: "2026-06-19", to: "2026-06-21"),
                    H(name: "中秋节", nameEn: "Mid-Autumn Festival", from: "2026-09-25", to: "2026-09-27"),
                    H(name: "国庆节", nameEn: "National Day", from: "2026-10-01", to: "2026-10-07"),
                ], workdays: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
                source: "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社北京11月4日电），as printed in 中山日报 2025-11-05 A01, https://epaper.zsnews.cn/epaper/zsrb/paperdate/20251105/part/1/articleid/3.html"),
            ],
            officeHoursSource: "the sub-district's office hours (a setting: change them here for summer hours)")
    }()

    typealias Minor = CaseClasses.Minor

    static let handbook = "district-handbook"
    static let jiyuan = "jiyuan-2019"

    /// 事件 in GB/T 30428.2—2013's six 大类 (01 市容环境, 02 宣传广告, 03 施工管理, 04 街面秩序, 05 突发事件, 06 其他)
    /// with the 小类 numbers GB/T 47678.5—2026 kept for them (its 06–10 are 30428.2's 01–04 and 06); 部件 with
    /// GB/T 47678.5—2026 表 A.1's codes, written with two digits (all of its 小类 are below 100). 突发事件 is not a
    /// class of GB/T 47678.5: its four 小类 keep CJ/T 214—2007's order. The sub-district's own 小类 are 91–99.
    static let classes = CaseClasses(
        events: [
            .init(code: "01", name: "市容环境", nameEn: "City appearance", minors: [
                Minor(code: "01", name: "私搭乱建", nameEn: "Illegal structures", filing: "未经审批私自搭建的建筑物、构筑物或其他设施；超出规划许可内容的建设；逾期未拆除的临时建设",
                      closing: "停工；依法实施行政处罚；彻底拆除", department: "urban_management", limit: nil,
                      stages: [DisposalStage(name: "停工", limit: .workingHours(4)), DisposalStage(name: "处罚", limit: .workingDays(7)),
                               DisposalStage(name: "拆除", limit: .workingDays(20))], source: handbook, national: "06001"),
                Minor(code: "10", name: "暴露垃圾", nameEn: "Exposed garbage", filing: "主次干道存在成堆、成片以及公共场所未倒入容器的生活垃圾",
                      closing: "彻底清理", department: "sanitation", limit: .workingHours(4), source: handbook, national: "06010"),
                Minor(code: "11", name: "积存垃圾渣土", nameEn: "Accumulated construction waste and spoil", filing: "存在建筑垃圾和堆积的渣土",
                      closing: "彻底清理、依法查处", department: "sanitation", limit: .workingHours(4), source: handbook, national: "06011"),
                Minor(code: "12", name: "道路不洁", nameEn: "Dirty road", filing: "每天上午 8:00 以后公共场所环境脏乱；路面积水（非降雪结冰）影响通行",
                      closing: "保持路面环境整洁，清除积水", department: "sanitation", limit: .workingHours(2), source: handbook, national: "06012"),
                Minor(code: "13", name: "道路破损", nameEn: "Damaged road or pavement", filing: "车行道、人行道路面破损、坑槽、翘起",
                      closing: "修复平整", department: "municipal", limit: .workingDays(5), national: "06013"),
                Minor(code: "14", name: "道路遗撒", nameEn: "Spillage on the road", filing: "运输车辆沿途遗撒渣土、砂石、泥浆",
                      closing: "清理干净，依法查处", department: "urban_management", limit: .workingHours(4), national: "06014"),
                Minor(code: "17", name: "绿地脏乱", nameEn: "Littered green space", filing: "绿地内有垃圾杂物",
                      closing: "彻底清除垃圾杂物", department: "landscaping", limit: .workingHours(4), source: handbook, national: "06017"),
                Minor(code: "20", name: "焚烧垃圾、树叶", nameEn: "Burning rubbish or leaves", filing: "在公共场所焚烧垃圾、树叶等",
                      closing: "熄灭并清理现场", department: "urban_management", limit: .workingHours(2), national: "06020"),
                Minor(code: "25", name: "水域不洁", nameEn: "Dirty waters", filing: "河道、沟渠淤积、堵塞，有漂浮物、大面积油污",
                      closing: "清除", department: "sanitation", limit: .workingDays(15), source: jiyuan, national: "06025"),
                Minor(code: "28", name: "噪声扰民", nameEn: "Noise nuisance", filing: "社会生活噪声（商铺、娱乐、邻里）影响居民休息",
                      closing: "噪声停止", department: "urban_management", limit: nil, national: "06028"),
                Minor(code: "36", name: "乱堆物堆料", nameEn: "Goods and materials stacked in public space", filing: "在道路、人行道等公共区域堆放物料、杂物",
                      closing: "清理干净", department: "urban_management", limit: .workingHours(4), national: "06036"),
            ]),
            .init(code: "02", name: "宣传广告", nameEn: "Advertising", minors: [
                Minor(code: "01", name: "非法小广告", nameEn: "Illegal flyers and graffiti adverts", filing: "在建筑物、公共设施、树木上张贴、涂写、刻画的小广告",
                      closing: "清除干净", department: "urban_management", limit: .workingDays(1), national: "07001"),
                Minor(code: "02", name: "街头散发广告", nameEn: "Handing out adverts in the street", filing: "在道路、广场散发广告宣传品",
                      closing: "制止", department: "urban_management", limit: .workingHours(2), national: "07002"),
                Minor(code: "03", name: "违规户外广告", nameEn: "Unapproved outdoor advertising", filing: "未经审批设置或破损、污浊的户外广告",
                      closing: "拆除或修复", department: "urban_management", limit: .workingDays(5), national: "07003"),
            ]),
            .init(code: "03", name: "施工管理", nameEn: "Construction sites", minors: [
                Minor(code: "01", name: "施工扰民", nameEn: "Construction nuisance", filing: "夜间或禁止时段施工产生噪声、强光影响居民",
                      closing: "停止违规施工", department: "urban_management", limit: .workingHours(2), national: "08001"),
                Minor(code: "02", name: "施工占道", nameEn: "Works occupying the road", filing: "未经批准或超出批准范围占用道路施工",
                      closing: "恢复通行", department: "municipal", limit: .workingDays(2), national: "08002"),
                Minor(code: "04", name: "工地扬尘", nameEn: "Dust from a site", filing: "施工工地未覆盖、未洒水，扬尘明显",
                      closing: "落实覆盖、洒水等防尘措施", department: "urban_management", limit: .workingHours(4), national: "08004"),
            ]),
            .init(code: "04", name: "街面秩序", nameEn: "Street order", minors: [
                Minor(code: "01", name: "无照经营游商", nameEn: "Unlicensed street trading", filing: "未取得营业执照从事经营活动",
                      closing: "取缔或办理执照", department: "market_supervision", limit: .workingDays(5), national: "09001"),
                Minor(code: "05", name: "店外经营", nameEn: "Trading outside the shop", filing: "临街商铺超出门窗和外墙经营、作业或展示商品",
                      closing: "物品撤回店内，恢复通行", department: "urban_management", limit: .workingHours(2), national: "09005"),
                Minor(code: "06", name: "占道经营", nameEn: "Trading on the road or pavement", filing: "流动摊贩占用道路、人行道经营",
                      closing: "清理占道，恢复通行", department: "urban_management", limit: .workingHours(2), national: "09006"),
                Minor(code: "09", name: "机动车乱停放", nameEn: "Illegal parking of motor vehicles", filing: "机动车在人行道、消防通道等禁停区域停放",
                      closing: "车辆驶离或依法处理", department: "urban_management", limit: .workingHours(2), national: "09009"),
                Minor(code: "10", name: "非机动车乱停放", nameEn: "Bicycles and e-bikes parked in the way", filing: "非机动车无序停放，影响通行",
                      closing: "摆放整齐", department: "urban_management", limit: .workingHours(4), national: "09010"),
            ]),
            .init(code: "05", name: "突发事件", nameEn: "Emergencies", minors: [
                Minor(code: "01", name: "路面塌陷", nameEn: "Road collapse", filing: "道路路面塌陷、出现坑洞，危及通行安全",
                      closing: "设置警示并修复", department: "municipal", limit: .hours(2)),
                Minor(code: "02", name: "自来水管破裂", nameEn: "Burst water main", filing: "供水管道破裂漏水",
                      closing: "止水并修复", department: "utilities", limit: .hours(4)),
                Minor(code: "03", name: "燃气管道破裂", nameEn: "Gas leak", filing: "燃气管道破损泄漏",
                      closing: "排险并修复", department: "utilities", limit: .hours(1)),
                Minor(code: "04", name: "下水道堵塞或破损", nameEn: "Blocked or broken sewer", filing: "下水道堵塞、破损，污水外溢或道路积水",
                      closing: "疏通或修复，积水排除", department: "municipal", limit: .hours(4)),
                Minor(code: "91", name: "水电气暖故障", nameEn: "Water, power, gas or heating fault", filing: "居民区停水、停电、燃气或供暖故障（街道扩展小类）",
                      closing: "恢复供应", department: "utilities", limit: .hours(24), extension: true),
            ]),
            .init(code: "06", name: "其他", nameEn: "Other", minors: [
                Minor(code: "91", name: "治安隐患", nameEn: "Public order or security risk", filing: "可能危及居民人身财产安全的治安隐患",
                      closing: "隐患消除或移交公安", department: "police", limit: nil, extension: true),
                Minor(code: "92", name: "邻里纠纷", nameEn: "Neighbour dispute", filing: "居民之间的矛盾纠纷，需要调解",
                      closing: "调解达成一致或引导司法途径", department: "justice", limit: nil, extension: true),
                Minor(code: "93", name: "消防隐患", nameEn: "Fire hazard", filing: "堵塞消防通道、室内充电等消防隐患",
                      closing: "隐患消除", department: "fire_safety", limit: nil, extension: true),
                Minor(code: "94", name: "困难群众帮扶", nameEn: "Help for a vulnerable resident", filing: "困难老人、残疾人等需要帮扶",
                      closing: "帮扶到位并回访", department: "civil_affairs", limit: nil, extension: true),
                Minor(code: "95", name: "公共卫生", nameEn: "Public health concern", filing: "病媒生物、疫情线索等公共卫生问题",
                      closing: "处置完毕", department: "health", limit: nil, extension: true),
                Minor(code: "96", name: "房屋安全", nameEn: "Unsafe building", filing: "房屋结构、外立面存在安全隐患",
                      closing: "排险或鉴定处理", department: "housing", limit: nil, extension: true),
                Minor(code: "97", name: "食品安全", nameEn: "Food safety", filing: "食品经营中的安全问题",
                      closing: "依法查处", department: "market_supervision", limit: nil, extension: true),
                Minor(code: "98", name: "安全生产隐患", nameEn: "Work safety hazard", filing: "企业、场所的安全生产隐患",
                      closing: "隐患整改到位", department: "safety_supervision", limit: nil, extension: true),
                Minor(code: "99", name: "社情民意", nameEn: "Residents' opinion", filing: "居民意见建议、诉求",
                      closing: "答复居民", department: "civil_affairs", limit: nil, extension: true),
            ]),
        ],
        components: [
            .init(code: "01", name: "公用设施", nameEn: "Public utilities", minors: [
                Minor(code: "01", name: "上水井盖", nameEn: "Water supply manhole cover", filing: "井盖缺失、破损、移位或高差明显",
                      closing: "补齐、更换或复位", department: "utilities", limit: .hours(4), source: gbt47678, national: "01001"),
                Minor(code: "02", name: "污水井盖", nameEn: "Sewer manhole cover", filing: "井盖缺失、破损、移位或高差明显",
                      closing: "补齐、更换或复位", department: "municipal", limit: .hours(4), source: gbt47678, national: "01002"),
                Minor(code: "03", name: "雨水井盖", nameEn: "Storm drain manhole cover", filing: "井盖缺失、破损、移位或高差明显",
                      closing: "补齐、更换或复位", department: "municipal", limit: .hours(4), source: gbt47678, national: "01003"),
                Minor(code: "04", name: "雨水箅子", nameEn: "Storm drain grate", filing: "箅子缺失、破损或堵塞",
                      closing: "补齐、更换或疏通", department: "municipal", limit: .workingDays(1), source: gbt47678, national: "01004"),
                Minor(code: "05", name: "电力井盖", nameEn: "Power manhole cover", filing: "井盖缺失、破损、移位",
                      closing: "补齐、更换或复位", department: "utilities", limit: .hours(4), source: gbt47678, national: "01005"),
                Minor(code: "13", name: "消防设施", nameEn: "Fire hydrant and other fire equipment", filing: "消火栓等消防设施损坏、漏水或被遮挡",
                      closing: "修复并清除遮挡", department: "fire_safety", limit: .workingDays(2), source: gbt47678, national: "01013"),
                Minor(code: "37", name: "路灯", nameEn: "Street light", filing: "路灯不亮、昼亮、灯杆倾斜或破损",
                      closing: "恢复照明，修复灯杆", department: "municipal", limit: .workingDays(3), source: gbt47678, national: "01037"),
                Minor(code: "46", name: "户外健身设施", nameEn: "Outdoor fitness equipment", filing: "健身器材损坏、存在安全隐患",
                      closing: "修复或拆除", department: "civil_affairs", limit: .workingDays(5), source: gbt47678, national: "01046"),
                Minor(code: "50", name: "监控电子眼设施", nameEn: "Surveillance camera", filing: "公共视频监控设施损坏",
                      closing: "修复", department: "police", limit: .workingDays(3), source: gbt47678, national: "01050"),
            ]),
            .init(code: "02", name: "道路交通", nameEn: "Roads and traffic", minors: [
                Minor(code: "04", name: "公交站设施", nameEn: "Bus stop and shelter", filing: "站亭、站牌破损、污损",
                      closing: "修复、清洁", department: "municipal", limit: .workingDays(3), source: gbt47678, national: "02004"),
                Minor(code: "10", name: "交通标志牌及标线", nameEn: "Traffic sign or road marking", filing: "标志牌缺失、破损、倾斜或被遮挡，标线不清",
                      closing: "补齐、修复", department: "municipal", limit: .workingDays(3), source: gbt47678, national: "02010"),
                Minor(code: "17", name: "交通护栏", nameEn: "Road railing", filing: "护栏缺失、破损、倾倒",
                      closing: "补齐、修复", department: "municipal", limit: .workingDays(3), source: gbt47678, national: "02017"),
            ]),
            .init(code: "03", name: "市容环境", nameEn: "City appearance", minors: [
                Minor(code: "01", name: "公共厕所", nameEn: "Public toilet", filing: "设施损坏、不洁或不能正常使用",
                      closing: "修复、清洁，恢复使用", department: "sanitation", limit: .workingDays(1), source: gbt47678, national: "03001"),
                Minor(code: "05", name: "垃圾箱", nameEn: "Litter bin", filing: "垃圾箱缺失、破损、满溢",
                      closing: "补齐、修复或清运", department: "sanitation", limit: .workingHours(4), source: gbt47678, national: "03005"),
                Minor(code: "07", name: "牌匾标识", nameEn: "Shop sign", filing: "牌匾破损、松动、有坠落危险",
                      closing: "修复或拆除", department: "urban_management", limit: .workingDays(2), source: gbt47678, national: "03007"),
            ]),
            .init(code: "04", name: "园林绿化", nameEn: "Parks and greenery", minors: [
                Minor(code: "01", name: "古树名木", nameEn: "Heritage tree", filing: "古树名木受损、病虫害",
                      closing: "救护处理", department: "landscaping", limit: .workingDays(2), source: gbt47678, national: "04001"),
                Minor(code: "02", name: "行道树", nameEn: "Street tree", filing: "行道树缺株、死树、倾斜、枝条影响通行或照明",
                      closing: "补植、扶正或修剪", department: "landscaping", limit: .workingDays(5), source: handbook, national: "04002"),
                Minor(code: "13", name: "绿地", nameEn: "Green space", filing: "植被缺失或枯死、绿地塌陷，影响市容",
                      closing: "清理、补植、修复", department: "landscaping", limit: .workingDays(5), source: handbook, national: "04013"),
            ]),
            .init(code: "05", name: "其他", nameEn: "Other", minors: [
                Minor(code: "02", name: "公房地下室", nameEn: "Basement of public housing", filing: "公房地下室积水、被私自占用或存在安全隐患",
                      closing: "排除隐患或恢复原状", department: "housing", limit: .workingDays(5), source: gbt47678, national: "05002"),
            ]),
        ],
        extensionRange: [91, 99],
        sources: [
            .init(id: "gbt30428", title: "GB/T 30428.2—2013 数字化城市管理信息系统 第2部分：管理部件和事件 (after CJ/T 214—2007): 事件 in six 大类 (01 市容环境, 02 宣传广告, 03 施工管理, 04 街面秩序, 05 突发事件, 06 其他), 部件 in five, two-digit 大类 and two- or three-digit 小类 codes, a reserved range for a city's own 小类. Its 事件 小类 numbers are the ones GB/T 47678.5—2026 kept (a city platform's event codes as read in public source code — Java enum com.cmict.server.system.enums.EventType — 01-01 私搭乱建, 01-10 暴露垃圾, 01-11 积存垃圾渣土, 01-12 道路不洁, 01-36 乱堆物堆料, 02-01 非法小广告, 02-03 违规户外广告, 04-01 无照经营游商, 04-05 店外经营, 04-06 占道经营, 04-09 机动车乱停放, 04-10 非机动车乱停放 read as 47678.5's 06001 … 09010). 05 突发事件 is not in GB/T 47678.5: its 小类 here keep CJ/T 214—2007's order (路面塌陷, 自来水管破裂, 燃气管道破裂, 下水道堵塞或破损) and are not checked against the 2013 table. 91–99 is this sub-district's range for its own 小类 (the standard's run below 60)."),
            .init(id: gbt47678, title: "GB/T 47678.5—2026 城市运行管理服务平台 第5部分：管理部件和事项 (in force 2026-07-01, replacing GB/T 30428.2—2013): 表 A.1, 153 管理部件 in 01 市政公用设施, 02 交通设施, 03 市容环卫设施, 04 园林绿化设施, 05 其他管理部件; 表 C.1, 250 管理事项 (01–05 the 部件's faults, 06 市容环境类, 07 宣传广告类, 08 施工管理类, 09 街面秩序类, 10 其他事项类); codes of 大类 two digits + 小类 three. Read in a transcription of both tables, github.com/Jackyhellolove/city-inspection-ai supabase-gb47678.5-directory.sql (commit 088839d9); each row's national_code is its code there",
                  url: "https://github.com/Jackyhellolove/city-inspection-ai/blob/088839d9f9591a2170f8d45b533086b8f1971d0d/supabase-gb47678.5-directory.sql"),
            .init(id: handbook, title: "数字化城市管理立案、结案标准（事件类）, a district centre's published table: 私搭乱建 停工 4 个工作时、处罚 7 个工作日、拆除 20 个工作日; 暴露垃圾、建筑垃圾 4 个工作时; 道路保洁 2 个工作时; 绿地保洁 4 个工作时; 绿地养护 5 个工作日",
                  url: "https://renrendoc.com/paper/191493937.html"),
            .init(id: jiyuan, title: "济源市数字化城市管理城市事件信息采集、立案、处置与结案标准: 水域不洁 15 工作日",
                  url: "https://ishare.iask.com/f/2gaIATvprR5.html"),
        ])

    static let gbt47678 = "gbt47678"

    /// Which class each of the sample's event types is filed under.
    static let typeClasses: [String: String] = [
        "garbage": "event:0110", "road_damage": "event:0113", "manhole": "component:0102", "streetlight": "component:0137",
        "drainage": "event:0504", "illegal_construction": "event:0101", "street_vending": "event:0406",
        "illegal_parking": "event:0409", "noise": "event:0128", "public_order": "event:0691", "dispute": "event:0692",
        "fire_hazard": "event:0693", "elderly_care": "event:0694", "public_health": "event:0695",
        "building_safety": "event:0696", "food_safety": "event:0697", "unlicensed_business": "event:0401",
        "greenery": "component:0402", "utilities": "event:0591", "work_safety": "event:0698", "public_opinion": "event:0699",
    ]
}
