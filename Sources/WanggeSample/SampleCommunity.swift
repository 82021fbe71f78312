import WanggeCore

/// The people and organisations of the sample: the roster (grid leaders, the ten staff of every courtyard, group
/// leaders of every building; one person in several roles and grids), contacts of the organisations, the party
/// organisation with the account's member totals, themes, joint-building links and a quarter of activities.
/// Each part draws from its own generator, so adding one never changes the others' files.
enum SampleCommunity {
    /// The account's party members of Xiyuan, by category (直管 1,158, 在职 4,451, 离退休 658, 流动 32).
    static let memberTotals: [(PartyOrganisation.Category, Int)] = [(.direct, 1158), (.inService, 4451), (.retired, 658), (.floating, 32)]
    /// The quarter the activities fall in (the events' quarter).
    static let quarter = (first: "2026-07-01", days: 92)

    static func phone(_ rng: inout SampleRandom) -> String {
        "13" + String(rng.int(0..<10)) + (0..<8).map { _ in String(rng.int(0..<10)) }.joined()
    }

    /// `staff.json`: people (P0001…) and their appointments, from the names the boundaries carry (`grid_leader`
    /// on courtyards, `group_leader` on buildings). Two appointments have ended, so the sample has vacancies.
    static func roster(_ residential: [SampleGenerator.Grid], seed: UInt64) -> Roster {
        var rng = SampleRandom(seed: seed ^ 0x5354_4146_46)
        var roster = Roster()
        func person(_ name: String) -> String {
            let id = "P" + String(repeating: "0", count: max(0, 4 - String(roster.people.count + 1).count)) + String(roster.people.count + 1)
            roster.people.append(Person(id: id, name: name, phone: phone(&rng)))
            return id
        }
        let since = "2026-01-01"
        let buildings = Dictionary(grouping: residential.filter { $0.level == .building }, by: { $0.parent ?? "" })
        var ended = 0
        for c in residential.filter({ $0.level == .courtyard }) {
            let leader = person(c.properties["grid_leader"]?.stringValue ?? SampleNames.personName(&rng))
            // A handful of people share the ten roles (一格多员, 一员多能); the leader is also party secretary.
            var people = [leader] + (0..<rng.int(4..<8)).map { _ in person(SampleNames.personName(&rng)) }
            rng.shuffle(&people)
            roster.appointments.append(Appointment(person: leader, grid: c.code, role: .gridLeader, validFrom: since))
            for (k, role) in StaffRole.tenStaff.enumerated() {
                let who = k == 0 ? leader : people[k % people.count]
                // The medical officer of two courtyards moved away at the end of September: vacancies to fill.
                let to: String? = role == .medical && ended < 2 && rng.unit() < 0.2 ? "2026-09-30" : nil
                if to != nil { ended += 1 }
                roster.appointments.append(Appointment(person: who, grid: c.code, role: role, validFrom: since, validTo: to))
            }
            // Group leaders (楼门长); the courtyard's information officer leads a building too (一岗多责).
            let information = roster.appointments.last { $0.grid == c.code && $0.role == .information }!.person
            for (i, b) in (buildings[c.code] ?? []).sorted(by: { $0.code < $1.code }).enumerated() {
                let id = i == 0 && rng.unit() < 0.5 ? information : person(b.properties["group_leader"]?.stringValue ?? SampleNames.personName(&rng))
                roster.appointments.append(Appointment(person: id, grid: b.code, role: .groupLeader, validFrom: since))
            }
        }
        return roster
    }

    /// The person to call at each organisation, and their phone.
    static func contacts(_ organisations: [SampleGenerator.Organisation], seed: UInt64) -> [(name: String, phone: String)] {
        var rng = SampleRandom(seed: seed ^ 0x434F_4E54_4143_54)
        return organisations.map { _ in (SampleNames.personName(&rng), phone(&rng)) }
    }

    /// `party.json`: the working committee on the street, a general branch on each community, a branch on each
    /// courtyard, a group on each building; members counted on the buildings, spread by population, so the
    /// street's totals are the account's.
    static func party(_ residential: [SampleGenerator.Grid]) -> PartyOrganisation {
        var party = PartyOrganisation()
        for g in residential {
            let name: String
            switch g.level.rank {
            case 0: name = "\(g.name)党工委"
            case 1: name = "\(g.name)党总支"
            case 2: name = "\(g.name)党支部"
            default: name = "\(g.name)党小组"
            }
            party.units.append(.init(grid: g.code, kind: .on(g.level), name: name))
        }
        let buildings = residential.filter { $0.level == .building }
        let weights = buildings.map { $0.properties["population"]?.doubleValue ?? 1 }
        var counts: [[Int]] = []
        for (_, total) in memberTotals { counts.append(SampleNames.apportion(total, weights: weights)) }
        for (i, b) in buildings.enumerated() {
            for (k, (category, _)) in memberTotals.enumerated() where counts[k][i] > 0 {
                party.members.append(.init(grid: b.code, category: category, count: counts[k][i]))
            }
        }
        return party
    }

    /// `joint_building.json`: each courtyard's theme (一格一品), links with the organisations inside it (九联共建),
    /// and a quarter of activities — small ones per courtyard, medium ones by pairs of courtyards of a
    /// community, a large one per community.
    static func jointBuilding(_ residential: [SampleGenerator.Grid], organisations: [SampleGenerator.Organisation], seed: UInt64) -> JointBuilding {
        var rng = SampleRandom(seed: seed ^ 0x4A4F_494E_54)
        var j = JointBuilding()
        let courtyards = residential.filter { $0.level == .courtyard }
        let types = JointBuilding.LinkType.allCases
        for c in courtyards {
            if let t = c.properties["theme"]?.stringValue { j.themes.append(.init(grid: c.code, theme: t, name: c.properties["theme_zh"]?.stringValue)) }
            let inside = organisations.filter { contains(c.geometry, $0.lon, $0.lat) }
            for o in inside.prefix(6) {
                for t in Set((0..<rng.int(1..<3)).map { _ in rng.pick(types) }).sorted(by: { $0.rawValue < $1.rawValue }) {
                    j.links.append(.init(grid: c.code, organisation: o.id, type: t))
                }
            }
        }
        let titles: [JointBuilding.LinkType: [String]] = [
            .partyBuilding: ["党员志愿服务日", "支部共建主题党日"], .sharedResources: ["单位活动室向居民开放", "共享停车位协调会"],
            .jointAffairs: ["居民议事会", "物业联席会议"], .stability: ["矛盾纠纷排查", "信访化解协调"],
            .publicSecurity: ["治安巡逻", "防诈骗宣传"], .civility: ["文明楼院评比", "道德讲堂"],
            .activities: ["社区文艺汇演", "邻里节"], .vulnerableHelp: ["走访困难家庭", "助老送餐"], .sanitation: ["楼道清洁日", "垃圾分类宣传"],
        ]
        func day(_ rng: inout SampleRandom) -> String {
            let start = CalendarDay.start(quarter.first, in: .utc)!
            return CalendarDay.day(start + Double(rng.int(0..<quarter.days)) * 86_400, in: .utc)
        }
        func activity(_ scale: JointBuilding.Scale, _ grids: [String], _ participants: Range<Int>, _ rng: inout SampleRandom) -> JointBuilding.Activity {
            let type = rng.pick(types)
            let orgs = Set(j.links.filter { grids.contains($0.grid) }.map(\.organisation)).sorted()
            return .init(date: day(&rng), title: rng.pick(titles[type]!), type: type, scale: scale, participants: rng.int(participants),
                         grids: grids, organisations: Array(orgs.prefix(scale == .small ? 1 : 3)))
        }
        for c in courtyards {
            for _ in 0..<rng.int(3..<9) { j.activities.append(activity(.small, [c.code], 10..<41, &rng)) }
        }
        for community in residential.filter({ $0.level == .community }) {
            let own = courtyards.filter { $0.parent == community.code }.map(\.code)
            for (a, b) in zip(own, own.dropFirst()) where rng.unit() < 0.7 { j.activities.append(activity(.medium, [a, b], 30..<81, &rng)) }
            if own.count > 1 { j.activities.append(activity(.large, own, 80..<301, &rng)) }
        }
        j.activities.sort { ($0.date, $0.grids.first ?? "") < ($1.date, $1.grids.first ?? "") }
        return j
    }

    /// Which staff role answers for each of the sample's event types.
    static let responsibilities: [(String, StaffRole)] = [
        ("garbage", .environment), ("greenery", .environment), ("public_health", .medical), ("elderly_care", .medical),
        ("fire_hazard", .safetyInspector), ("work_safety", .safetyInspector), ("building_safety", .safetyInspector),
        ("public_order", .gridPolice), ("noise", .gridPolice), ("illegal_parking", .gridPolice), ("street_vending", .gridPolice),
        ("dispute", .legalService), ("public_opinion", .information), ("road_damage", .information), ("manhole", .information),
        ("streetlight", .information), ("drainage", .information), ("utilities", .information), ("illegal_construction", .information),
        ("food_safety", .integritySupervisor), ("unlicensed_business", .integritySupervisor),
    ]

    /// Even–odd point in polygon over every ring (the sample's own data: no edge cases that matter here).
    static func contains(_ g: GeometryValue, _ x: Double, _ y: Double) -> Bool {
        var inside = false
        for p in g.polygons {
            for ring in p.rings {
                let n = ring.pointCount
                var j = n - 1
                for i in 0..<n {
                    let (xi, yi) = ring.point(i), (xj, yj) = ring.point(j)
                    if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
                    j = i
                }
            }
        }
        return inside
    }
}
