/// A role a person holds on a grid: the "ten staff" of a courtyard (十大员), its grid leader (网格长, a community
/// committee member who is usually also the party branch secretary), and a building's group leader (楼门长).
public enum StaffRole: String, Sendable, CaseIterable, Codable, Hashable {
    case partySecretary = "party_secretary"
    case gridPolice = "grid_police"
    case information
    case environment
    case culturePublicity = "culture_publicity"
    case medical
    case familyPlanning = "family_planning"
    case legalService = "legal_service"
    case safetyInspector = "safety_inspector"
    case integritySupervisor = "integrity_supervisor"
    case gridLeader = "grid_leader"
    case groupLeader = "group_leader"

    /// The ten staff every courtyard grid should have.
    public static let tenStaff: [StaffRole] = Array(allCases.prefix(10))

    public var chinese: String {
        switch self {
        case .partySecretary: return "党支部书记"
        case .gridPolice: return "网格民警"
        case .information: return "信息管理员"
        case .environment: return "环境服务员"
        case .culturePublicity: return "文化宣传员"
        case .medical: return "网格医护员"
        case .familyPlanning: return "计生管理员"
        case .legalService: return "法律服务员"
        case .safetyInspector: return "网格安监员"
        case .integritySupervisor: return "廉效督导员"
        case .gridLeader: return "网格长"
        case .groupLeader: return "楼门长"
        }
    }

    /// The level of grid the role belongs to.
    public var level: GridLevel { self == .groupLeader ? .building : .courtyard }

    /// The roles a grid of `level` should have filled.
    /// (By the level's name: the account's grid staff work at the courtyard grids, group leaders at the buildings;
    /// a layer with other level names expects none.)
    public static func expected(at level: GridLevel) -> [StaffRole] {
        switch level.name {
        case GridLevel.courtyard.name: return tenStaff + [.gridLeader]
        case GridLevel.building.name: return [.groupLeader]
        default: return []
        }
    }
}

/// Someone who works on the grids.
public struct Person: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Shown only to admin and dispatcher tokens.
    public var phone: String?

    public init(id: String, name: String, phone: String?) { self.id = id; self.name = name; self.phone = phone }
}

/// A person holding a role on a grid over a period (`validTo` nil: still holds it).
public struct Appointment: Sendable, Equatable {
    public var person: String
    public var grid: String
    public var role: StaffRole
    /// `YYYY-MM-DD`; nil: since before records were kept.
    public var validFrom: String?
    /// `YYYY-MM-DD`, the last day held; nil: open.
    public var validTo: String?

    public init(person: String, grid: String, role: StaffRole, validFrom: String? = nil, validTo: String? = nil) {
        self.person = person; self.grid = grid; self.role = role; self.validFrom = validFrom; self.validTo = validTo
    }

    /// Whether the appointment holds on `day` (`YYYY-MM-DD`).
    public func holds(on day: String) -> Bool {
        (validFrom.map { $0 <= day } ?? true) && (validTo.map { day <= $0 } ?? true)
    }
}

/// Everyone on the grids and what they hold: one document, replaced whole.
public struct Roster: Sendable, Equatable {
    public var people: [Person]
    public var appointments: [Appointment]

    public init(people: [Person] = [], appointments: [Appointment] = []) { self.people = people; self.appointments = appointments }

    public var isEmpty: Bool { people.isEmpty && appointments.isEmpty }

    public func person(_ id: String) -> Person? { people.first { $0.id == id } }

    /// The appointments holding on `day`.
    public func current(on day: String) -> [Appointment] { appointments.filter { $0.holds(on: day) } }

    /// The JSON document (`{"people": [...], "appointments": [...]}`), phones only when `phones`.
    public func json(phones: Bool) -> JSONValue {
        .object(JSONObject([
            ("people", .array(people.map { p in
                var o = JSONObject([("id", .string(p.id)), ("name", .string(p.name))])
                if phones { o["phone"] = p.phone.map { .string($0) } ?? .null }
                return .object(o)
            })),
            ("appointments", .array(appointments.map(\.json))),
        ]))
    }

    /// One line per appointment with the person's name (and phone when `phones`); people without an appointment
    /// get a line with empty grid and role, so the file holds the whole roster.
    public func csv(phones: Bool) -> String {
        var header = ["person", "name"]
        if phones { header.append("phone") }
        header += ["grid", "role", "valid_from", "valid_to"]
        var rows: [[(String, JSONValue)]] = []
        func row(_ p: Person, _ a: Appointment?) -> [(String, JSONValue)] {
            var r: [(String, JSONValue)] = [("person", .string(p.id)), ("name", .string(p.name))]
            if phones { r.append(("phone", p.phone.map { .string($0) } ?? .null)) }
            r += [("grid", a.map { .string($0.grid) } ?? .null), ("role", a.map { .string($0.role.rawValue) } ?? .null),
                  ("valid_from", a?.validFrom.map { .string($0) } ?? .null), ("valid_to", a?.validTo.map { .string($0) } ?? .null)]
            return r
        }
        let byPerson = Dictionary(grouping: appointments, by: \.person)
        for p in people {
            let held = byPerson[p.id] ?? []
            if held.isEmpty { rows.append(row(p, nil)) }
            for a in held { rows.append(row(p, a)) }
        }
        return CSV.table(header: header, rows: rows)
    }
}

extension Appointment {
    var json: JSONValue {
        .object(JSONObject([("person", .string(person)), ("grid", .string(grid)), ("role", .string(role.rawValue)),
                            ("valid_from", validFrom.map { .string($0) } ?? .null), ("valid_to", validTo.map { .string($0) } ?? .null)]))
    }
}

extension Roster {
    /// A roster as read from an upload: what could be read, where each appointment came from, and the problems of
    /// the rest — so the checks against the grids can name their problems beside these, all in one answer.
    public struct Reading: Sendable {
        public var roster: Roster
        /// Each appointment's place in the upload (`appointments[3]`, or `line 7`).
        public var places: [String]
        public var csv: Bool
        public var problems: [FieldError]

        /// Every problem: the upload's own and, for what was read, those against the grids.
        public func allProblems(levels: [String: GridLevel]) -> [FieldError] {
            problems + roster.problems(levels: levels, places: places, csv: csv)
        }
    }

    /// Reads the JSON document. A person without a `phone` member keeps the phone `previous` holds for that id
    /// (so a roster exported without phones can be edited and sent back); `"phone": null` clears it.
    /// - Throws: `InvalidFields` with every problem and where it is; `JSONSyntaxError` for malformed JSON.
    public static func parse(json bytes: [UInt8], previous: Roster? = nil) throws -> Roster {
        let r = try read(json: bytes, previous: previous)
        guard r.problems.isEmpty else { throw InvalidFields(r.problems) }
        return r.roster
    }

    /// `parse(json:)`, keeping what could be read beside the problems.
    /// - Throws: `InvalidFields` when the document's shape is wrong (not an object, no people array);
    ///   `JSONSyntaxError`.
    public static func read(json bytes: [UInt8], previous: Roster? = nil) throws -> Reading {
        guard case .object(let doc) = try JSONValue.parse(bytes) else {
            throw InvalidFields([FieldError("body", "must be an object with people and appointments")])
        }
        guard case .array(let people)? = doc["people"] else { throw InvalidFields([FieldError("people", "must be an array")]) }
        let appointments: [JSONValue]
        switch doc["appointments"] {
        case .array(let a)?: appointments = a
        case nil, .null?: appointments = []
        default: throw InvalidFields([FieldError("appointments", "must be an array")])
        }
        var problems: [FieldError] = [], places: [String] = []
        var out = Roster()
        for (i, v) in people.enumerated() {
            guard let o = v.objectValue else { problems.append(FieldError("people[\(i)]", "must be an object")); continue }
            var r = RecordReader(o, location: "people[\(i)]")
            if let p = readPerson(&r, previous: previous) { out.people.append(p) }
            problems += r.problems
        }
        for (i, v) in appointments.enumerated() {
            guard let o = v.objectValue else { problems.append(FieldError("appointments[\(i)]", "must be an object")); continue }
            var r = RecordReader(o, location: "appointments[\(i)]")
            if let a = readAppointment(&r) {
                out.appointments.append(a)
                places.append("appointments[\(i)]")
            }
            problems += r.problems
        }
        return Reading(roster: out, places: places, csv: false, problems: problems)
    }

    /// Reads the CSV form `csv(phones:)` writes: columns `person`, `name`, optional `phone`, `grid`, `role`,
    /// `valid_from`, `valid_to`; a person's name (and phone) may be repeated on each of their lines but must agree.
    /// - Throws: `InvalidFields` naming each line and column at fault.
    public static func parse(csv bytes: [UInt8], previous: Roster? = nil) throws -> Roster {
        let r = try read(csv: bytes, previous: previous)
        guard r.problems.isEmpty else { throw InvalidFields(r.problems) }
        return r.roster
    }

    /// `parse(csv:)`, keeping what could be read beside the problems.
    /// - Throws: `InvalidFields` for a missing header or rows wider than it.
    public static func read(csv bytes: [UInt8], previous: Roster? = nil) throws -> Reading {
        var places: [String] = []
        let rows = try CSV.records(bytes, required: ["person", "name"])
        var problems: [FieldError] = []
        var out = Roster(), index: [String: Int] = [:]
        for (object, line) in rows {
            var r = RecordReader(object, location: "line \(line)", csv: true)
            var personFields = object
            personFields["id"] = object["person"]
            var pr = RecordReader(personFields, location: "line \(line)", csv: true)
            if let p = readPerson(&pr, previous: previous) {
                if let k = index[p.id] {
                    if out.people[k] != p { problems.append(FieldError("line \(line)", "gives person \(p.id) another name or phone than an earlier line")) }
                } else {
                    index[p.id] = out.people.count
                    out.people.append(p)
                }
            }
            problems += pr.problems.map { FieldError($0.field.replacingColumn("id", with: "person"), $0.reason) }
            if r.has("grid") || r.has("role") {
                if let a = readAppointment(&r) {
                    out.appointments.append(a)
                    places.append("line \(line)")
                }
                problems += r.problems
            }
        }
        return Reading(roster: out, places: places, csv: true, problems: problems)
    }

    static func readPerson(_ r: inout RecordReader, previous: Roster?) -> Person? {
        let id = r.text("id", required: true, maxLength: 64)
        let name = r.text("name", required: true, maxLength: 100)
        var phone = r.text("phone", maxLength: 40)
        if !r.has("phone"), let id { phone = previous?.person(id)?.phone }
        guard let id, let name else { return nil }
        return Person(id: id, name: name, phone: phone)
    }

    static func readAppointment(_ r: inout RecordReader) -> Appointment? {
        let person = r.text("person", required: true, maxLength: 64)
        let grid = r.text("grid", required: true, maxLength: 64)
        let role = r.choice("role", StaffRole.self)
        let from = r.date("valid_from"), to = r.date("valid_to")
        if let from, let to, to < from { r.fail("valid_to", "is before valid_from (\(from))") }
        guard let person, let grid, let role else { return nil }
        return Appointment(person: person, grid: grid, role: role, validFrom: from, validTo: to)
    }

    /// Problems a well-formed roster can still have against the grids: unknown people, unknown grids, roles on
    /// the wrong level, two people in the same role on the same grid at once, duplicate ids.
    /// - Parameters:
    ///   - levels: every residential grid's level by code.
    ///   - places: where each appointment came from in its upload (`appointments[3]`, `line 7`); by default its
    ///     index here. `csv`: the places are lines, and fields are named as columns.
    public func problems(levels: [String: GridLevel], places: [String]? = nil, csv: Bool = false) -> [FieldError] {
        func at(_ i: Int, _ key: String?) -> String {
            let place = places.flatMap { i < $0.count ? $0[i] : nil } ?? "appointments[\(i)]"
            return place + (key.map { csv ? ", column \($0)" : ".\($0)" } ?? "")
        }
        var out: [FieldError] = []
        var seen = Set<String>()
        for (i, p) in people.enumerated() where !seen.insert(p.id).inserted {
            out.append(FieldError("people[\(i)].id", "\(p.id) is listed twice"))
        }
        for (i, a) in appointments.enumerated() {
            if !seen.contains(a.person) { out.append(FieldError(at(i, "person"), "no person with id \(a.person)")) }
            guard let level = levels[a.grid] else {
                out.append(FieldError(at(i, "grid"), "no residential grid with code \(a.grid)"))
                continue
            }
            if level != a.role.level {
                out.append(FieldError(at(i, "role"), "\(a.role.rawValue) belongs on a \(a.role.level.rawValue) grid; \(a.grid) is a \(level.rawValue)"))
            }
            for (j, b) in appointments.enumerated().prefix(i) where b.grid == a.grid && b.role == a.role && b.overlaps(a) {
                out.append(FieldError(at(i, nil), "\(a.grid) already has a \(a.role.rawValue) over the same days (\(at(j, nil)))"))
                break
            }
        }
        return out
    }
}

extension Appointment {
    func overlaps(_ o: Appointment) -> Bool {
        (validFrom ?? "") <= (o.validTo ?? "9999") && (o.validFrom ?? "") <= (validTo ?? "9999")
    }
}

extension String {
    func replacingColumn(_ old: String, with new: String) -> String {
        hasSuffix("column \(old)") ? String(dropLast(old.count)) + new : self
    }
}

/// A grid missing staff on a day: roles nobody holds, and whether it lacks its leader.
public struct Vacancy: Sendable, Equatable {
    public var grid: String
    public var name: String
    public var level: GridLevel
    public var parent: String?
    public var missing: [StaffRole]

    public init(grid: String, name: String, level: GridLevel, parent: String?, missing: [StaffRole]) {
        self.grid = grid; self.name = name; self.level = level; self.parent = parent; self.missing = missing
    }

    public var noLeader: Bool { missing.contains(.gridLeader) || missing.contains(.groupLeader) }
}

/// The roles and grids one person holds on a day (一员多能, 一岗多责).
public struct StaffLoad: Sendable, Equatable {
    public var person: Person
    public var roles: [StaffRole]
    public var grids: [String]
    public var appointments: Int
}

extension Roster {
    /// Courtyards and buildings with a role nobody holds on `day`, in code order.
    public func vacancies(grids: [StoredGrid], on day: String) -> [Vacancy] {
        var held: [String: Set<StaffRole>] = [:]
        for a in current(on: day) { held[a.grid, default: []].insert(a.role) }
        return grids.compactMap { g -> Vacancy? in
            guard let level = g.level else { return nil }
            let missing = StaffRole.expected(at: level).filter { !(held[g.code]?.contains($0) ?? false) }
            return missing.isEmpty ? nil : Vacancy(grid: g.code, name: g.name, level: level, parent: g.parent, missing: missing)
        }.sorted { $0.grid < $1.grid }
    }

    /// Every person's roles and grids on `day`, the most loaded first (then by id).
    public func load(on day: String) -> [StaffLoad] {
        let byPerson = Dictionary(grouping: current(on: day), by: \.person)
        return people.map { p in
            let held = byPerson[p.id] ?? []
            return StaffLoad(person: p, roles: StaffRole.allCases.filter { r in held.contains { $0.role == r } },
                             grids: Array(Set(held.map(\.grid))).sorted(), appointments: held.count)
        }.sorted { ($0.appointments, $1.person.id) > ($1.appointments, $0.person.id) }
    }
}
