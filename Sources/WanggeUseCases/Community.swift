import Foundation
public import WanggeCore
public import WanggeAssignment

/// The people and organisations on the grids (人 and 组织): the roster of staff, the units as points assigned to
/// every layer, the party organisation and its member counts, themes and joint building. Uploads are checked
/// whole against the stored grids and land whole or not at all.
public struct Community: Sendable {
    public typealias Storage = CommunityRepository & GridRepository & WorkflowRepository & AuditRepository
    public let repository: any Storage
    public let engine: AssignmentEngine
    public let clock: @Sendable () -> Double

    /// The sample's files, in `GeoData/`.
    public static let staffFile = "staff.json", organisationsFile = "organisations.geojson", partyFile = "party.json"
    public static let jointBuildingFile = "joint_building.json", responsibilitiesFile = "responsibilities.json"
    public static let componentsFile = "components.geojson"
    /// The setting holding which staff role answers for which event type.
    public static let responsibilitiesKey = "responsibilities"

    public init(repository: any Storage, engine: AssignmentEngine, clock: (@Sendable () -> Double)? = nil) {
        self.repository = repository; self.engine = engine; self.clock = clock ?? { Date().timeIntervalSince1970 }
    }

    /// Today in Beijing time, the day appointments are read on unless a query names another.
    public var today: String { CalendarDay.day(clock()) }

    func residentialLevels() throws -> [String: GridLevel] {
        Dictionary(try repository.grids(in: .residential).compactMap { g in g.level.map { (g.code, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: staff

    /// Replaces the roster with the uploaded JSON or CSV document.
    /// - Throws: `InvalidFields` with every problem (nothing stored); `JSONSyntaxError`.
    @discardableResult
    public func importRoster(_ bytes: [UInt8], csv: Bool) throws -> Roster {
        let previous = try repository.roster()
        let reading = csv ? try Roster.read(csv: bytes, previous: previous) : try Roster.read(json: bytes, previous: previous)
        // The upload's own problems and those against the grids, together: one answer names them all.
        let problems = reading.allProblems(levels: try residentialLevels())
        guard problems.isEmpty else { throw InvalidFields(problems) }
        try repository.replaceRoster(reading.roster)
        return reading.roster
    }

    /// Who works on a grid on `day`: its own appointments, and for a courtyard or community those of the grids
    /// under it.
    public struct GridStaff: Sendable {
        public var grid: StoredGrid
        public var day: String
        public var entries: [(appointment: Appointment, person: Person?, gridName: String)]
        public var vacancies: [Vacancy]
    }

    /// - Throws: `WanggeError.notFound` for no residential grid with that code.
    public func staff(grid code: String, on day: String? = nil) throws -> GridStaff {
        let residential = try repository.grids(in: .residential)
        guard let grid = residential.first(where: { $0.code == code }) else {
            throw WanggeError.notFound("no residential grid with code \(code)")
        }
        let day = day ?? today
        let under = Self.subtree(code, in: residential)
        let names = Dictionary(residential.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let roster = try repository.roster()
        let people = Dictionary(roster.people.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let entries = roster.current(on: day).filter { under.contains($0.grid) }
            .sorted { (under.firstIndex(of: $0.grid)!, StaffRole.allCases.firstIndex(of: $0.role)!)
                < (under.firstIndex(of: $1.grid)!, StaffRole.allCases.firstIndex(of: $1.role)!) }
            .map { (appointment: $0, person: people[$0.person], gridName: names[$0.grid] ?? "") }
        let vacancies = roster.vacancies(grids: residential.filter { under.contains($0.code) }, on: day)
        return GridStaff(grid: grid, day: day, entries: entries, vacancies: vacancies)
    }

    /// The grid and every grid under it, depth first in code order.
    static func subtree(_ code: String, in grids: [StoredGrid]) -> [String] {
        let children = Dictionary(grouping: grids.filter { $0.parent != nil }, by: { $0.parent! })
        var out: [String] = [], stack = [code]
        while let c = stack.popLast() {
            out.append(c)
            stack += (children[c] ?? []).map(\.code).sorted().reversed()
        }
        return out
    }

    /// Grids with a role unfilled on `day`, optionally only under one grid (a community's roster).
    public func vacancies(under code: String? = nil, on day: String? = nil) throws -> [Vacancy] {
        let residential = try repository.grids(in: .residential)
        let keep = code.map { Set(Self.subtree($0, in: residential)) }
        if let code, !residential.contains(where: { $0.code == code }) { throw WanggeError.notFound("no residential grid with code \(code)") }
        return try repository.roster().vacancies(grids: residential.filter { keep?.contains($0.code) ?? true }, on: day ?? today)
    }

    public func load(on day: String? = nil) throws -> [StaffLoad] { try repository.roster().load(on: day ?? today) }

    /// The first contacts for an event: its courtyard's grid leader, and the person holding the role that answers
    /// for its type there (building types go to the courtyard's staff; a type with no role names only the leader).
    public struct Contacts: Sendable, Equatable {
        public var gridLeader: Person?
        public var role: StaffRole?
        public var responsible: Person?
    }

    public func contacts(courtyard: String?, type: String, on day: String? = nil) throws -> Contacts? {
        guard let courtyard else { return nil }
        let role = try responsibilities()[type]
        let roster = try repository.roster()
        let held = roster.current(on: day ?? today).filter { $0.grid == courtyard }
        return Contacts(gridLeader: held.first { $0.role == .gridLeader }.flatMap { roster.person($0.person) }, role: role,
                        responsible: role.flatMap { r in held.first { $0.role == r } }.flatMap { roster.person($0.person) })
    }

    /// Each courtyard's grid leader on `day`.
    public func gridLeaders(on day: String? = nil) throws -> [String: Person] {
        let roster = try repository.roster()
        return Dictionary(roster.current(on: day ?? today).filter { $0.role == .gridLeader }.compactMap { a in roster.person(a.person).map { (a.grid, $0) } },
                          uniquingKeysWith: { a, _ in a })
    }

    /// Event type → the staff role that answers for it.
    public func responsibilities() throws -> [String: StaffRole] {
        guard let text = try repository.setting(Self.responsibilitiesKey), case .object(let o) = try JSONValue.parse(Array(text.utf8)) else { return [:] }
        return Dictionary(o.members.compactMap { m in m.value.stringValue.flatMap(StaffRole.init(rawValue:)).map { (m.key, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// - Throws: `InvalidFields` naming each type whose role is not one of the ten staff or a leader.
    public func storeResponsibilities(_ bytes: [UInt8]) throws {
        guard case .object(let o) = try JSONValue.parse(bytes) else { throw InvalidFields([FieldError("body", "must be an object of event type → role")]) }
        let problems = o.members.compactMap { m -> FieldError? in
            m.value.stringValue.flatMap(StaffRole.init(rawValue:)) == nil
                ? FieldError(m.key, "must be one of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))") : nil
        }
        guard problems.isEmpty else { throw InvalidFields(problems) }
        try repository.setSetting(Self.responsibilitiesKey, String(decoding: bytes, as: UTF8.self))
    }

    // MARK: organisations

    /// Replaces every organisation with the uploaded GeoJSON or CSV, each assigned by the engine to every layer.
    /// - Throws: `InvalidFields` (nothing stored); `JSONSyntaxError`.
    @discardableResult
    public func importOrganisations(_ bytes: [UInt8], csv: Bool) async throws -> [Organisation] {
        let previous = try repository.organisations()
        var list = csv ? try Organisation.parse(csv: bytes, previous: previous) : try Organisation.parse(geojson: bytes, previous: previous)
        for i in list.indices { list[i].assignment = try await engine.assign(x: list[i].lon, y: list[i].lat) }
        try repository.replaceOrganisations(list, moves: [], at: clock())
        return list
    }

    /// Assigns every stored organisation again with the engine's current boundaries (after an import) and records
    /// what moved. Returns the moves.
    @discardableResult
    public func reassignOrganisations() async throws -> [OrganisationMove] {
        try await reassignComponents()
        let before = try repository.organisations()
        guard !before.isEmpty else { return [] }
        var after = before
        for i in after.indices { after[i].assignment = try await engine.assign(x: after[i].lon, y: after[i].lat) }
        let moves = OrganisationMove.between(before, after)
        if !moves.isEmpty { try repository.replaceOrganisations(after, moves: moves, at: clock()) }
        return moves
    }

    // MARK: components

    /// The class tree components are filed under (the `categories` setting).
    /// - Throws: `WanggeError.invalidInput` when none is loaded.
    public func componentClasses() throws -> CaseClasses {
        guard let classes = try repository.decodedSetting(ClosedLoop.categoriesKey, as: CaseClasses.self) else {
            throw WanggeError.invalidInput("no class tree is loaded (categories.json): components are filed under its 部件 classes")
        }
        return classes
    }

    /// Each component class's id and name (`component:0102` → 污水井盖); empty without a class tree.
    public func componentClassNames() -> [String: String] {
        ((try? repository.decodedSetting(ClosedLoop.categoriesKey, as: CaseClasses.self)) ?? nil)?.componentNames ?? [:]
    }

    /// The district code identifiers start with: the first six digits of the top residential grid's code
    /// (a street's 9-digit code starts with its district's).
    public func districtCode() throws -> String? {
        let top = try repository.grids(in: .residential).filter { $0.level?.rank == 0 }.map(\.code).sorted().first
        guard let top, top.count >= 6, top.prefix(6).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(top.prefix(6))
    }

    /// Replaces every component with the uploaded GeoJSON or CSV, each assigned by the engine to every layer;
    /// identifiers not given continue their class's sequence.
    /// - Parameter district: the 6-digit code identifiers start with (default: from the street's code).
    /// - Throws: `InvalidFields` (nothing stored); `JSONSyntaxError`; `WanggeError.invalidInput` without a class tree
    ///   or district code.
    @discardableResult
    public func importComponents(_ bytes: [UInt8], csv: Bool, district: String? = nil) async throws -> [Component] {
        guard let district = try district ?? districtCode() else {
            throw WanggeError.invalidInput("no district code: give district (6 digits), or load residential grids whose top level has a numeric code")
        }
        guard district.count == 6, district.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw WanggeError.invalidInput("district must be a 6-digit administrative code, not \(district)")
        }
        let classes = try componentClasses()
        var list = csv ? try Component.parse(csv: bytes, district: district, classes: classes)
                       : try Component.parse(geojson: bytes, district: district, classes: classes)
        for i in list.indices { list[i].assignment = try await engine.assign(x: list[i].lon, y: list[i].lat) }
        try repository.replaceComponents(list)
        return list
    }

    /// Assigns every stored component again with the engine's current boundaries.
    public func reassignComponents() async throws {
        var list = try repository.components()
        guard !list.isEmpty else { return }
        for i in list.indices { list[i].assignment = try await engine.assign(x: list[i].lon, y: list[i].lat) }
        try repository.replaceComponents(list)
    }

    /// Components in a grid (any layer), of a class, in a state.
    public func components(grid: String? = nil, classID: String? = nil, state: Component.State? = nil) throws -> [Component] {
        try repository.components().filter { c in
            (grid.map { c.gridCodes.contains($0) } ?? true) && (classID.map { c.classID == $0 } ?? true) && (state.map { c.state == $0 } ?? true)
        }
    }

    /// Organisations in a grid (any layer) and of a kind.
    public func organisations(grid: String? = nil, kind: Organisation.Kind? = nil, category: String? = nil) throws -> [Organisation] {
        try repository.organisations().filter { o in
            (grid.map { o.gridCodes.contains($0) } ?? true) && (kind.map { o.kind == $0 } ?? true) && (category.map { o.category == $0 } ?? true)
        }
    }

    // MARK: party and joint building

    /// - Throws: `InvalidFields` (nothing stored); `JSONSyntaxError`.
    @discardableResult
    public func importParty(_ bytes: [UInt8]) throws -> PartyOrganisation {
        let party = try PartyOrganisation.parse(bytes, levels: try residentialLevels())
        try repository.replaceParty(party)
        return party
    }

    /// - Throws: `InvalidFields` (nothing stored); `JSONSyntaxError`.
    @discardableResult
    public func importJointBuilding(_ bytes: [UInt8]) throws -> JointBuilding {
        let j = try JointBuilding.parse(bytes, levels: try residentialLevels(), organisations: Set(try repository.organisations().map(\.id)))
        try repository.replaceJointBuilding(j)
        return j
    }

    /// Records one activity (a JSON object as in the document's `activities`).
    /// - Throws: `InvalidFields` naming the fields at fault.
    public func recordActivity(_ object: JSONObject) throws -> JointBuilding.Activity {
        var r = RecordReader(object, location: "body")
        guard let a = JointBuilding.readActivity(&r, levels: try residentialLevels(), organisations: Set(try repository.organisations().map(\.id))) else {
            throw InvalidFields(r.problems)
        }
        return try repository.addActivity(a)
    }

    // MARK: the sample

    /// Loads the sample's staff, organisations, party organisation, joint building and responsibilities from
    /// `folder` (those files that exist), after its grids. Returns the files loaded.
    @discardableResult
    public func loadSample(from folder: String) async throws -> [String] {
        var loaded: [String] = []
        func file(_ name: String) throws -> [UInt8]? {
            let path = "\(folder)/\(name)"
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            loaded.append(name)
            return try FileIO.read(path)
        }
        if let b = try file(Self.responsibilitiesFile) { try storeResponsibilities(b) }
        if let b = try file(Self.staffFile) { try importRoster(b, csv: false) }
        if let b = try file(Self.organisationsFile) { try await importOrganisations(b, csv: false) }
        if let b = try file(Self.componentsFile), try repository.setting(ClosedLoop.categoriesKey) != nil {
            try await importComponents(b, csv: false)
        }
        if let b = try file(Self.partyFile) { try importParty(b) }
        if let b = try file(Self.jointBuildingFile) { try importJointBuilding(b) }
        return loaded
    }
}
