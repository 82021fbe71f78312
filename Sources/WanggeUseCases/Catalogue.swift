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

    /// Loads `departments.json` and `event_types.json` (upserts: codes events refer to stay).
    public static func loadDepartmentsAndTypes(from folder: String, into repository: any EventRepository) throws {
        let decoder = JSONDecoder()
        let departments = try decoder.decode([Department].self, from: Data(FileIO.read("\(folder)/\(departmentsFile)")))
        let types = try decoder.decode([EventType].self, from: Data(FileIO.read("\(folder)/\(eventTypesFile)")))
        try repository.replaceCatalog(departments: departments, eventTypes: types)
    }

    /// Loads `sla.json` and `routing.json` into the settings.
    public static func loadServiceLevelsAndRouting(from folder: String, into repository: any WorkflowRepository) throws {
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
        return loaded
    }
}
