import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeUseCases
import WanggeStore

/// `wangge community import|export`: the roster, organisations, party organisation, joint building and
/// responsibilities as files, with the same checks as the HTTP uploads (each document lands whole or not at all).
struct CommunityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "community",
        abstract: "Import or export the people, organisations and things on the grids (staff, organisations, components, party, joint building).",
        subcommands: [Import.self, Export.self]
    )

    /// The documents, as `GeoData/` names them.
    enum Document: String, CaseIterable, ExpressibleByArgument {
        case staff, organisations, components, party, jointBuilding = "joint-building", responsibilities
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace one document from a file: staff (JSON or .csv), organisations or components (GeoJSON or .csv with lon, lat), party, joint-building, responsibilities (JSON).",
            discussion: "Every problem is printed with where it is (appointments[3].role, line 7, column grid) and nothing is stored; organisations are assigned to every layer."
        )
        @Argument(help: "staff, organisations, components, party, joint-building or responsibilities.") var document: Document
        @Argument(help: "The file.") var file: String
        @Option(help: "components: the 6-digit district code identifiers start with (default: the street code's first six digits).") var district: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try database.open()
            let engine = try AssignmentEngine(repository: db, workers: 1, indexFile: database.indexFile)
            defer { engine.shutdown() }
            let community = Community(repository: db, engine: engine)
            let bytes = try FileIO.read(file)
            let csv = file.lowercased().hasSuffix(".csv")
            let audit: [(Document, AuditEntry.Action)] = [(.staff, .rosterReplaced), (.organisations, .organisationsReplaced),
                                                           (.components, .componentsReplaced), (.party, .partyReplaced),
                                                           (.jointBuilding, .jointBuildingReplaced), (.responsibilities, .responsibilitiesReplaced)]
            do {
                switch document {
                case .staff:
                    let r = try community.importRoster(bytes, csv: csv)
                    print("stored the roster: \(r.people.count) people, \(r.appointments.count) appointments")
                case .organisations:
                    let list = try await community.importOrganisations(bytes, csv: csv)
                    let outside = list.filter { $0.assignment?.residential.match == .outside }.count
                    print("stored \(list.count) organisations, each assigned to every layer (\(outside) outside every residential grid)")
                case .components:
                    let list = try await community.importComponents(bytes, csv: csv, district: district)
                    let outside = list.filter { $0.assignment?.residential.match == .outside }.count
                    print("stored \(list.count) components, each assigned to every layer (\(outside) outside every residential grid)")
                case .party:
                    let p = try community.importParty(bytes)
                    print("stored the party organisation: \(p.units.count) units; members "
                          + PartyOrganisation.Category.allCases.map { "\($0.rawValue) \(p.total($0))" }.joined(separator: ", "))
                case .jointBuilding:
                    let j = try community.importJointBuilding(bytes)
                    print("stored \(j.themes.count) themes, \(j.links.count) links, \(j.activities.count) activities")
                case .responsibilities:
                    try community.storeResponsibilities(bytes)
                    print("stored the responsibilities of \(try community.responsibilities().count) event types")
                }
                try db.record(audit.first { $0.0 == document }!.1, by: .commandLineUser, target: file)
            } catch let e as InvalidFields {
                for p in e.errors { print(p.description) }
                print("\(file): \(e.errors.count) problem\(e.errors.count == 1 ? "" : "s"); nothing stored")
                throw ExitCode(1)
            } catch let e as JSONSyntaxError {
                throw ValidationError("\(file): \(e.description)")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one document to a file (.csv for staff and organisations, else JSON / GeoJSON), as import reads it.")
        @Argument(help: "staff, organisations, components, party, joint-building or responsibilities.") var document: Document
        @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
        @Flag(name: .long, help: "Include the phones of staff and contacts (left out by default).") var phones = false
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.openForReading()
            let csv = output?.lowercased().hasSuffix(".csv") ?? false
            func json(_ v: JSONValue) -> [UInt8] {
                var w = GeoJSONWriter()
                w.appendValue(v)
                return w.bytes + [0x0A]
            }
            let bytes: [UInt8]
            switch document {
            case .staff:
                let roster = try db.roster()
                bytes = csv ? Array(roster.csv(phones: phones).utf8) : json(roster.json(phones: phones))
            case .organisations:
                let list = try db.organisations()
                bytes = csv ? Array(Organisation.csv(list, contacts: true, phones: phones).utf8)
                    : GeoJSONWriter.featureCollection(list.map { (id: $0.id, geometry: .point(x: $0.lon, y: $0.lat), properties: $0.properties(phones: phones)) })
            case .components:
                let list = try db.components()
                let names = ((try? db.decodedSetting(ClosedLoop.categoriesKey, as: CaseClasses.self)) ?? nil)?.componentNames ?? [:]
                bytes = csv ? Array(Component.csv(list, classNames: names).utf8) : Component.featureCollection(list, classNames: names)
            case .party: bytes = json(try db.party().json)
            case .jointBuilding: bytes = json(try db.jointBuilding().json)
            case .responsibilities: bytes = Array((try db.setting(Community.responsibilitiesKey) ?? "{}").utf8)
            }
            if let output { try FileIO.write(bytes, to: output) } else { FileHandle.standardOutput.write(Data(bytes)) }
        }
    }
}
