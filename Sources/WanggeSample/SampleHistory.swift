import Foundation
public import WanggeCore
import WanggeGeo
public import WanggeAssignment
import WanggeUseCases

/// A quarter of synthetic events for the Xiyuan sample, written as a script (`GeoData/events.ndjson`: each event as
/// reported and the actions taken on it, with their times) and loaded by driving every action through the real
/// closed loop (`Workflow.apply`), so the sample's history obeys the same rules as live data.
///
/// The mix follows the seed's account: most events resolved and closed within their time (a resolution rate above
/// 85 %), residents almost always satisfied (99 % satisfied or neutral), and some rejections, wrong dispatches,
/// reworks, suspensions, extensions and overdue work. Events reported in the last days of the quarter are still
/// open when the script ends.
public enum SampleHistory {
    /// Q3 2026 in Asia/Shanghai: 2026-07-01T00:00+08:00 to 2026-10-01T00:00+08:00.
    public static let start = Timestamp.parse("2026-07-01T00:00:00+08:00")!
    public static let end = Timestamp.parse("2026-10-01T00:00:00+08:00")!

    /// One scripted action.
    struct Step: Codable {
        var at: Double
        var action: EventAction
        /// Who acts: "dispatcher", "department" (the one it is dispatched to), "reporter" or "supervisor" (the
        /// community's).
        var actor: String
        var reason: String?
        var note: String?
        var department: String?
        var feedback: String?
        var hours: Double?
        var satisfaction: Satisfaction?
        /// For verify and check: what the supervisor found.
        var result: SupervisorResult?
    }

    /// One scripted event.
    struct Script: Codable {
        var station: Int
        var type: String
        var severity: Int
        var lon: Double
        var lat: Double
        var description: String
        var reporterName: String
        var reporterPhone: String
        var channel: EventChannel
        var occurredAt: Double
        var reportedAt: Double
        var steps: [Step]
        /// Reported by the community's supervisor on patrol (监督员上报) rather than its grid station.
        var bySupervisor: Bool?

        enum CodingKeys: String, CodingKey {
            case station, type, severity, lon, lat, description, channel, steps
            case bySupervisor = "by_supervisor"
            case reporterName = "reporter_name", reporterPhone = "reporter_phone"
            case occurredAt = "occurred_at", reportedAt = "reported_at"
        }
    }

    static let typeWeights: [(String, Double)] = [
        ("garbage", 18), ("illegal_parking", 11), ("street_vending", 8), ("road_damage", 7), ("streetlight", 6),
        ("noise", 6), ("drainage", 5), ("manhole", 3), ("illegal_construction", 3), ("public_order", 4), ("dispute", 4),
        ("fire_hazard", 4), ("elderly_care", 4), ("public_health", 2), ("building_safety", 2), ("food_safety", 3),
        ("unlicensed_business", 2), ("greenery", 3), ("utilities", 3), ("work_safety", 1), ("public_opinion", 1),
    ]

    static let descriptions: [String: [String]] = [
        "garbage": ["楼下垃圾桶满溢无人清运", "单元门口堆放装修垃圾", "绿化带内有大量生活垃圾"],
        "illegal_parking": ["消防通道被私家车占用", "机动车长期停放在人行道上", "共享单车堆放堵塞小区出入口"],
        "street_vending": ["早市摊贩占道经营", "路口有流动摊贩售卖水果", "夜间烧烤摊占用人行道"],
        "road_damage": ["小区主路出现坑洼", "人行道地砖松动破损", "路面塌陷约半米"],
        "streetlight": ["楼院路灯不亮", "路口路灯忽明忽暗", "一排路灯夜间未开启"],
        "noise": ["夜间装修噪音扰民", "广场舞音响声音过大", "商铺外放音乐扰民"],
        "drainage": ["雨后路面积水严重", "下水道堵塞返水", "雨水篦子堵塞"],
        "manhole": ["井盖缺失存在安全隐患", "井盖破损下沉", "井盖松动车辆经过有响声"],
        "illegal_construction": ["楼顶私搭乱建", "一楼住户违规扩建院墙", "公共绿地上搭建彩钢房"],
        "public_order": ["楼道内有陌生人推销", "小区门禁损坏外来人员随意进出", "夜间有人聚集饮酒喧哗"],
        "dispute": ["楼上漏水邻里纠纷", "停车位归属纠纷", "宠物扰民引发纠纷"],
        "fire_hazard": ["楼道内电动车充电", "楼道堆放杂物堵塞安全出口", "消防栓损坏无水"],
        "elderly_care": ["独居老人多日未出门需上门探视", "高龄老人需要送餐服务", "行动不便老人需协助就医"],
        "public_health": ["小区发现鼠患", "化粪池异味严重", "公共厕所卫生差"],
        "building_safety": ["老楼外墙瓷砖脱落", "阳台护栏锈蚀松动", "楼梯扶手断裂"],
        "food_safety": ["小餐馆后厨卫生差", "超市出售过期食品", "早点摊无健康证经营"],
        "unlicensed_business": ["居民楼内开设无证小作坊", "无照经营的废品收购点", "临街违规开设麻将馆"],
        "greenery": ["绿化树木被砍伐", "树枝遮挡路灯需修剪", "草坪被车辆碾压损坏"],
        "utilities": ["单元楼停水无通知", "楼道电表箱故障", "供暖管道漏水"],
        "work_safety": ["企业仓库消防设施不足", "施工现场无安全防护", "商铺液化气罐存放不规范"],
        "public_opinion": ["居民反映希望增设健身器材", "建议小区加装电梯", "反映物业服务收费不透明"],
    ]

    static let feedbacks = ["已到现场处理完毕", "已安排人员整改到位", "已联系责任单位处置，现场恢复正常", "已完成维修并拍照留存",
                            "已约谈当事人并督促整改", "已协调相关方达成一致"]

    /// Generates the script for a sample.
    public static func generate(_ sample: SampleGenerator.Output, seed: UInt64, count: Int = 3000) throws -> [UInt8] {
        var rng = SampleRandom(seed: seed ^ 0x4556_454E_5453)
        let geos = GeosContext()
        guard let streetValue = sample.residential.first(where: { $0.level == .street })?.geometry else { return [] }
        let street = try GeosPreparedGeometry(GeosGeometry(streetValue, in: geos))
        let box = streetValue.boundingBox
        let typeCodes = typeWeights.map(\.0)
        let totalWeight = typeWeights.reduce(0) { $0 + $1.1 }
        let sla = SampleCatalog.effectiveSLA
        let supervision = SampleCatalog.supervision
        let defaults = Dictionary(uniqueKeysWithValues: SampleCatalog.eventTypes.map { ($0.code, $0.defaultDepartment) })
        let departments = SampleCatalog.departments.map(\.code)

        var scripts: [Script] = []
        for _ in 0..<count {
            // Reports cluster in working hours; the quarter's last days end with work still open.
            let day = Double(rng.int(0..<92))
            let hour = 7 + rng.uniform(0, 14)
            let reported = (start + day * 86400 + hour * 3600).rounded()
            guard reported < end else { continue }
            var pick = rng.uniform(0, totalWeight)
            var type = typeCodes[0]
            for (t, w) in typeWeights { pick -= w; if pick <= 0 { type = t; break } }
            let severity = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4][rng.int(0..<11)]
            // About 2 % just outside the street (reports from the neighbouring sub-district's edge).
            var lon = 0.0, lat = 0.0
            let outside = rng.unit() < 0.02
            while true {
                lon = rng.uniform(box.minX - 0.002, box.maxX + 0.002)
                lat = rng.uniform(box.minY - 0.002, box.maxY + 0.002)
                if try street.contains(x: lon, y: lat) != outside { break }
            }
            lon = (lon * 1e7).rounded() / 1e7
            lat = (lat * 1e7).rounded() / 1e7
            let station = rng.int(0..<7)
            let channel: EventChannel = { let u = rng.unit(); return u < 0.55 ? .gridStation : u < 0.8 ? .hotline : u < 0.95 ? .web : .reception }()
            var s = Script(station: station, type: type, severity: severity, lon: lon, lat: lat,
                           description: rng.pick(descriptions[type] ?? ["需要处理"]),
                           reporterName: SampleNames.personName(&rng),
                           reporterPhone: "1" + ["38", "39", "50", "58", "86", "87"][rng.int(0..<6)] + String(format: "%08d", rng.int(0..<100_000_000)),
                           channel: channel, occurredAt: (reported - rng.uniform(0, 6) * 3600).rounded(), reportedAt: reported, steps: [],
                           bySupervisor: channel == .gridStation && rng.unit() < 0.2 ? true : nil)
            let t = sla.times(type: type, severity: severity)
            var now = reported
            func step(_ hours: Double, _ action: EventAction, _ actor: String, reason: String? = nil, note: String? = nil,
                      department: String? = nil, feedback: String? = nil, extra: Double? = nil, satisfaction: Satisfaction? = nil,
                      result: SupervisorResult? = nil) -> Bool {
                now = (now + max(60, hours * 3600)).rounded()
                guard now < end else { return false }
                s.steps.append(Step(at: now, action: action, actor: actor, reason: reason, note: note, department: department,
                                    feedback: feedback, hours: extra, satisfaction: satisfaction, result: result))
                return true
            }
            /// Hours on the wall clock from now until `share` of `limit` (plus `extra` hours on its clock) has passed.
            func span(_ limit: TimeLimit, _ share: Double, extra: Double = 0) -> Double {
                (sla.adding(share * (sla.seconds(limit) + extra * 3600), limit.unit, to: now) - now) / 3600
            }
            defer { scripts.append(s) }
            // Public reports are verified on site first (核实), usually within the supervisor's time.
            let unfounded = rng.unit() < 0.03
            if supervision.requiresVerification(channel) {
                let share = rng.unit() < 0.1 ? rng.uniform(1.0, 2.0) : rng.uniform(0.1, 0.9)
                guard step(span(supervision.verify, share), .verify, "supervisor", note: unfounded ? "现场未发现所述问题" : nil,
                           result: unfounded ? .unfounded : .confirmed) else { continue }
            }
            // Acceptance: usually well within time, sometimes late.
            if unfounded {
                _ = step(span(t.accept, rng.uniform(0.1, 0.6)), .reject, "dispatcher", reason: ["重复上报", "不属于本街道辖区", "信息不实"][rng.int(0..<3)])
                continue
            }
            guard step(span(t.accept, rng.unit() < 0.06 ? rng.uniform(1.0, 1.8) : rng.uniform(0.05, 0.7)), .accept, "dispatcher") else { continue }
            if rng.unit() < 0.05 {
                _ = step(rng.uniform(2, 12), .supervise, "dispatcher", note: "街道领导批示督办")
            }
            let right = defaults[type] ?? "civil_affairs"
            if rng.unit() < 0.04 {
                let wrong = departments.filter { $0 != right }[rng.int(0..<(departments.count - 1))]
                guard step(rng.uniform(0.1, 1), .dispatch, "dispatcher", department: wrong),
                      step(rng.uniform(1, 8), .returnEvent, "department", reason: "不属于本部门职责范围") else { continue }
            }
            // Dispatch without a department: the routing rules decide, as in the live service.
            guard step(rng.uniform(0.1, 1.5), .dispatch, "dispatcher") else { continue }
            guard step(rng.uniform(0.3, 4), .acknowledge, "department") else { continue }
            var extended = 0.0
            if rng.unit() < 0.05 {
                guard step(rng.uniform(2, 12), .requestSuspension, "department", reason: "需等待当事人配合"),
                      step(rng.uniform(0.5, 4), .approveRequest, "dispatcher"),
                      step(rng.uniform(12, 72), .resume, "department") else { continue }
            }
            if rng.unit() < 0.06 {
                let more = [24.0, 48, 72][rng.int(0..<3)]
                guard step(rng.uniform(2, 24), .requestExtension, "department", reason: "需采购材料", extra: more) else { continue }
                if rng.unit() < 0.8 {
                    guard step(rng.uniform(0.5, 4), .approveRequest, "dispatcher") else { continue }
                    extended += more
                } else {
                    guard step(rng.uniform(0.5, 4), .refuseRequest, "dispatcher", reason: "请按原时限办结") else { continue }
                }
            }
            // Some work drags on well past its time (a few are still open when the quarter ends), some is a little late.
            let stuck = rng.unit() < 0.14
            let late = rng.unit() < 0.08
            let share = stuck ? rng.uniform(2, 12) : late ? rng.uniform(0.95, 1.6) : rng.uniform(0.1, 0.75)
            guard step(span(t.resolve, share, extra: extended), .resolve, "department",
                       feedback: rng.pick(feedbacks)) else { continue }
            /// 核查 on site after a resolution, usually within the supervisor's time.
            func check(_ result: SupervisorResult) -> Bool {
                guard supervision.checkBeforeClose else { return true }
                let share = rng.unit() < 0.1 ? rng.uniform(1.0, 2.5) : rng.uniform(0.1, 0.9)
                return step(span(supervision.check, share), .check, "supervisor", note: result == .failed ? "现场核查问题未彻底解决" : nil, result: result)
            }
            if rng.unit() < 0.06 {
                guard check(.failed), step(rng.uniform(2, 20), .rework, "dispatcher", reason: "回访发现问题未彻底解决"),
                      step(rng.uniform(0.5, 4), .acknowledge, "department"),
                      step(rng.uniform(4, 48), .resolve, "department", feedback: "已返工整改完毕") else { continue }
            }
            guard check(.passed), step(span(t.close, rng.unit() < 0.05 ? rng.uniform(1.0, 1.5) : rng.uniform(0.05, 0.7)), .close, "dispatcher") else { continue }
            let u = rng.unit()
            let satisfaction: Satisfaction = u < 0.96 ? .satisfied : u < 0.99 ? .neutral : .dissatisfied
            _ = step(rng.uniform(2, 48), .evaluate, "dispatcher", note: "电话回访", satisfaction: satisfaction)
        }
        scripts.sort { $0.reportedAt < $1.reportedAt }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out: [UInt8] = []
        for s in scripts {
            out += try encoder.encode(s)
            out.append(0x0A)
        }
        return out
    }

    /// Loads a script: creates the sample's staff tokens (whose secrets nobody keeps), submits every event as it was
    /// reported (assigned by `engine`), and replays every step through `Workflow.apply` at its scripted time.
    /// - Returns: how many events and actions were stored.
    /// - Throws: a `WorkflowError` naming the event and step if the script breaks the rules (it is then not loaded).
    @discardableResult
    public static func load(_ script: [UInt8], into db: any EventRepository & WorkflowRepository & TokenRepository,
                            engine: AssignmentEngine) async throws -> (events: Int, actions: Int) {
        let decoder = JSONDecoder()
        let scripts = try script.split(separator: 0x0A).map { try decoder.decode(Script.self, from: Data($0)) }
        guard !scripts.isEmpty else { return (0, 0) }
        func staff(_ name: String, _ role: Role, _ department: String? = nil) throws -> Identity {
            let t = try db.createToken(name: name, role: role, department: department,
                                       tokenHash: Tokens.hash(Tokens.generate()), prefix: "sample")
            return Identity(tokenID: t.id, name: t.name, role: t.role, department: t.department)
        }
        let dispatcher = try staff("西苑街道信息中心（样例）", .dispatcher)
        var departments: [String: Identity] = [:]
        for d in try db.departments() { departments[d.code] = try staff("\(d.name)（样例）", .department, d.code) }
        let stations = try SampleNames.communityNames.map { try staff("\($0)网格工作站（样例）", .reporter) }
        let supervisors = try SampleNames.communityNames.map { try staff("\($0)监督员（样例）", .supervisor) }

        // The events, as reported.
        var inserts: [EventInsert] = []
        for s in scripts {
            let (a, mark) = try await engine.assignMarked(x: s.lon, y: s.lat)
            let station = s.bySupervisor == true ? supervisors[s.station % supervisors.count] : stations[s.station % stations.count]
            let e = NewEvent(type: s.type, severity: s.severity, lon: a.lon, lat: a.lat, inputCRS: CRS.wgs84.description,
                             inputX: s.lon, inputY: s.lat, description: s.description, reporterName: s.reporterName,
                             reporterPhone: s.reporterPhone, channel: s.channel, occurredAt: s.occurredAt,
                             reportedAt: s.reportedAt, assignment: a, submittedBy: station.tokenID, boundaryMark: mark)
            inserts.append(EventInsert(event: e, actor: station, idempotency: nil) { _ in IdempotentResponse(status: 201, body: [], requestHash: "") })
        }
        let stored = try db.insert(inserts)

        // The steps, through the real workflow, at their times.
        let loop = ClosedLoop(repository: db)
        let sla = try loop.sla()
        let supervision = try loop.supervision()
        let routing = try loop.routing()
        let defaults = Dictionary(uniqueKeysWithValues: try db.eventTypes().map { ($0.code, $0.defaultDepartment) })
        let known = Set(departments.keys)
        var changes: [WorkflowChange] = []
        for ((s, result), insert) in zip(zip(scripts, stored), inserts) {
            guard let id = result.0.eventID else { continue }
            var state = WorkflowState(type: s.type, severity: s.severity, reportedAt: s.reportedAt)
            for step in s.steps {
                let actor: Identity
                switch step.actor {
                case "department": actor = departments[state.department ?? ""] ?? dispatcher
                case "reporter": actor = stations[s.station % stations.count]
                case "supervisor": actor = supervisors[s.station % supervisors.count]
                default: actor = dispatcher
                }
                var fields = ActionFields(reason: step.reason, note: step.note, department: step.department,
                                          feedback: step.feedback, hours: step.hours, satisfaction: step.satisfaction, result: step.result)
                if step.action == .dispatch && fields.department == nil {
                    fields.department = routing.department(type: s.type, assignment: insert.event.assignment, defaults: defaults)
                }
                let context = ActionContext(identity: actor, isSubmitter: actor.tokenID == insert.event.submittedBy, at: step.at,
                                            requiresVerification: supervision.requiresVerification(s.channel),
                                            requiresCheck: supervision.checkBeforeClose)
                let before = state.version
                let (next, entry) = try Workflow.apply(step.action, fields: fields, to: state, context: context, sla: sla,
                                                       knownDepartments: known)
                state = next
                changes.append(WorkflowChange(eventID: id, expectedVersion: before, state: state, entry: entry,
                                              dueAt: Workflow.deadline(state, sla: sla, now: step.at)?.due))
            }
        }
        let saved = try db.save(changes)
        guard saved.allSatisfy({ $0 }) else { throw WanggeError.conflict("the sample history could not be stored in order") }
        try db.indexPendingEvents(limit: Int.max)
        return (scripts.count, changes.count)
    }
}
