import Foundation
import WanggeCore

extension SampleFiles {
    /// Loads `departments.json` and `event_types.json` from a sample folder into the repository.
    public static func loadCatalog(from folder: String, into repository: any EventRepository) throws {
        let decoder = JSONDecoder()
        let departments = try decoder.decode([Department].self, from: Data(FileIO.read("\(folder)/departments.json")))
        let types = try decoder.decode([EventType].self, from: Data(FileIO.read("\(folder)/event_types.json")))
        try repository.replaceCatalog(departments: departments, eventTypes: types)
    }
}
