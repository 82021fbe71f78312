public import WanggeCore
import Foundation

/// The catalogue a service runs with — departments, event types, service levels and routing — read from a folder
/// of data files (`GeoData/` holds Xiyuan's). Each file is checked whole before anything it holds is stored.
public enum Catalogue {
    public static let departmentsFile = "departments.json"
    public static let eventTypesFile = "event_types.json"
    public static let serviceLevelsFile = "sla.json"
    public static let routingFile = "routing.json"
    /// Optional: when a report is a possible duplicate (radius and days).
    public static let duplicatesFile = "duplicates.json"
    /// Optional: the working calendar (office hours, holidays, make-up working days) deadlines in working time use.
    public static let calendarFile = "calendar.json"
    /// Optional: the class tree of the standard (事件 and 部件, 大类 and 小类) event types are filed under.
    public static let categoriesFile = "categories.json"
    /// Optional: when supervisors verify reports and check results (`verify_channels`, `check_before_close`).
    public static let supervisionFile = "supervision.json"

    /// Loads `departments.json` and `event_types.json` (upserts: codes events refer to stay).
    public static func loadDepartmentsAndTypes(from folder: String, into repository: any EventRepository) throws {
        let decoder = JSONDecoder()
        let departments = try decoder.decode([Department].self, from: Data(FileIO.read("\(folder)/\(departmentsFile)")))
        let types = try decoder.decode([EventType].self, from: Data(FileIO.read("\(folder)/\(eventTypesFile)")))
        let classesPath = "\(folder)/\(categoriesFile)"
        if types.contains(where: { $0.standardClass != nil }) {
            guard FileManager.default.fileExists(atPath: classesPath) else {
                throw WanggeError.invalidInput("\(folder)/\(eventTypesFile) files types under standard classes, but there is no \(classesPath)")
            }
            let classes = try decoder.decode(CaseClasses.self, from: Data(FileIO.read(classesPath)))
            try checkClasses(of: types, in: classes, file: "\(folder)/\(eventTypesFile)")
        }
        try repository.replaceCatalog(departments: departments, eventTypes: types)
    }

    /// Loads `sla.json` and `routing.json` into the settings, and the calendar and class tree when the folder has them.
    public static func loadServiceLevelsAndRouting(from folder: String, into repository: any EventRepository & WorkflowRepository) throws {
        for (file, key) in [(serviceLevelsFile, ClosedLoop.slaKey), (routingFile, ClosedLoop.routingKey)] {
            let text = String(decoding: try FileIO.read("\(folder)/\(file)"), as: UTF8.self)
            // Decoding first: a broken file must not replace a working configuration.
            if key == ClosedLoop.slaKey { _ = try JSONDecoder().decode(SLARules.self, from: Data(text.utf8)) }
            else { _ = try JSONDecoder().decode(RoutingRules.self, from: Data(text.utf8)) }
            try repository.setSetting(key, text)
        }
        let duplicates = "\(folder)/\(duplicatesFile)"
        if FileManager.default.fileExists(atPath: duplicates) {
            let text = String(decoding: try FileIO.read(duplicates), as: UTF8.self)
            let rule = try JSONDecoder().decode(DuplicateRule.self, from: Data(text.utf8))
            guard rule.radiusMetres > 0, rule.radiusMetres <= 5000, rule.days > 0, rule.days <= 365 else {
                throw WanggeError.invalidInput("\(duplicates): radius_m must be 0–5000 and days 0–365")
            }
            try repository.setSetting(DuplicateRule.settingKey, text)
        }
        try loadStandards(from: folder, into: repository)
    }

    /// A decoding failure as a user reads it: where in the document (`years.2026.workdays[0]`) and what is wrong.
    static func describe(_ error: any Error) -> String {
        func path(_ c: [any CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error as? DecodingError {
        case .dataCorrupted(let c)?: return c.codingPath.isEmpty ? c.debugDescription : "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let k, let c)?: return "\(path(c.codingPath + [k])) is missing"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?: return "\(path(c.codingPath)): \(c.debugDescription)"
        default: return "\(error)"
        }
    }

    /// Every type's `standard_class` names a class of the tree.
    /// - Throws: `WanggeError.invalidInput` naming the file, the type's index and code, and the class.
    static func checkClasses(of types: [EventType], in classes: CaseClasses, file: String) throws {
        for (i, t) in types.enumerated() {
            if let id = t.standardClass, classes.find(id) == nil {
                throw WanggeError.invalidInput("\(file): type [\(i)] \(t.code): standard_class \"\(id)\" is not a class of \(categoriesFile) (give kind:大类小类, e.g. event:0102)")
            }
        }
    }

    /// Loads `calendar.json`, `categories.json` and `supervision.json` (when the folder has them) into the settings,
    /// each checked whole first: the calendar's dates and hours, the tree's codes, sources and departments.
    /// - Returns: the files loaded.
    @discardableResult
    public static func loadStandards(from folder: String, into repository: any EventRepository & WorkflowRepository,
                                     supervision: Bool = true) throws -> [String] {
        var loaded: [String] = []
        /// Stores `file` (when the folder has it) under `key` once it decodes and passes `check`.
        func load<T: Decodable>(_ file: String, _ key: String, as: T.Type, check: (T) throws -> Void = { _ in }) throws {
            let path = "\(folder)/\(file)"
            guard FileManager.default.fileExists(atPath: path) else { return }
            let text = String(decoding: try FileIO.read(path), as: UTF8.self)
            let value: T
            do { value = try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
                throw WanggeError.invalidInput("\(path): \(describe(error))")
            }
            do { try check(value) } catch let e as InvalidFields { throw WanggeError.invalidInput("\(path): \(e.description)") }
            try repository.setSetting(key, text)
            loaded.append(file)
        }
        try load(calendarFile, ClosedLoop.calendarKey, as: WorkCalendar.self)
        try load(categoriesFile, ClosedLoop.categoriesKey, as: CaseClasses.self) { classes in
            try classes.check(departments: Set(try repository.departments().map(\.code)))
            try checkClasses(of: try repository.eventTypes(), in: classes, file: "the stored event types")
        }
        if supervision { try load(supervisionFile, ClosedLoop.supervisionKey, as: SupervisionRules.self) }
        return loaded
    }

    /// Loads whatever of the catalogue the database lacks. Returns what it loaded, for the log.
    @discardableResult
    public static func loadMissing(from folder: String, into repository: any EventRepository & WorkflowRepository) throws -> [String] {
        var loaded: [String] = []
        if try repository.departments().isEmpty || repository.eventTypes().isEmpty {
            try loadDepartmentsAndTypes(from: folder, into: repository)
            loaded += [departmentsFile, eventTypesFile]
        }
        if try repository.setting(ClosedLoop.slaKey) == nil || repository.setting(ClosedLoop.routingKey) == nil {
            try loadServiceLevelsAndRouting(from: folder, into: repository)
            loaded += [serviceLevelsFile, routingFile]
        }
        // The calendar and the class tree only add to what a deployment has (its types name no class until it says
        // so); supervision changes who must act before acceptance and closing, so it is never switched on behind a
        // running deployment's back: it comes with a whole catalogue (the sample, `loadServiceLevelsAndRouting`).
        if try repository.setting(ClosedLoop.calendarKey) == nil || repository.setting(ClosedLoop.categoriesKey) == nil {
            loaded += try loadStandards(from: folder, into: repository, supervision: false)
        }
        return loaded
    }
}
