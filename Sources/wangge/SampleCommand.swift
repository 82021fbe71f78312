import WanggeGeo
import ArgumentParser
import Foundation
import WanggeCore
import WanggeSample
import WanggeAssignment
import WanggeUseCases

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "The Xiyuan sample: generate it, or load it into a database.",
        subcommands: [Generate.self, Load.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the Xiyuan sample (boundaries, overlays, organisations, departments, event types).",
            discussion: "The same seed always writes the same bytes; GeoData/ holds the output of the default seed."
        )
        @Option(name: .long, help: "Random seed.") var seed: UInt64 = 20111001
        @Option(name: .long, help: "Output folder.") var out = "GeoData"

        func run() throws {
            let started = Date()
            let sample = try SampleGenerator(seed: seed).generate()
            try SampleFiles.write(sample, seed: seed, to: out)
            let levels = LevelScheme.standard.levels.map { l in "\(sample.residential.filter { $0.level == l }.count) \(l.rawValue)" }
            print("wrote \(out): \(levels.joined(separator: ", ")); \(sample.functional.count) functional, \(sample.industry.count) industry grids; \(sample.organisations.count) organisations (seed \(seed), attempt \(sample.attempt), \(String(format: "%.1f", Date().timeIntervalSince(started))) s)")
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the sample's three boundary layers into the database and print a summary."
        )
        @Option(name: .long, help: "Sample folder.") var folder = "GeoData"
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try database.open()
            do {
                try Catalogue.loadDepartmentsAndTypes(from: folder, into: db)
                try Catalogue.loadServiceLevelsAndRouting(from: folder, into: db)
                for o in try SampleFiles.load(from: folder, into: db) {
                    print("\(o.check.layer.rawValue): \(o.check.featureCount) grids, no defects, import #\(o.landed!.id)")
                }
                let engine = try AssignmentEngine(repository: db)
                let events = try await SampleFiles.loadHistory(from: folder, into: db, engine: engine)
                print("events: \(events) loaded through the closed loop" + (events == 0 ? " (the database already has events)" : ""))
            } catch let e as WanggeError {
                throw ValidationError(e.description)
            }
            try GridsCommand.List.parse(["--db", database.path]).run()
        }
    }
}
