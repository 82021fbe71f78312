import ArgumentParser
import Foundation
import WanggeCore
import WanggeGeo
import WanggeAssignment
import WanggeUseCases
import WanggeStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Check a GeoJSON boundary file and store it as a new version of its layer (all or nothing).",
        discussion: """
            Every defect is reported together; if there is any, nothing is stored and the exit status is 1. A clean file \
            is stored as a staged version: see what it would change with `wangge versions diff ID` and put it in use with \
            `wangge versions activate ID` — or give --activate to put it in use at once. A running `wangge serve` on the \
            same database follows an activation within seconds.
            """
    )

    @Argument(help: "GeoJSON FeatureCollection of Polygon/MultiPolygon features.")
    var file: String
    @OptionGroup var read: BoundaryReadOptions
    @Flag(name: .customLong("dry-run"), help: "Check only; store nothing.")
    var dryRun = false
    @Flag(name: .long, help: "Put the new version in use at once (default: staged, for `wangge versions activate`).")
    var activate = false
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let db = dryRun ? nil : try database.open()
        let outcome = try BoundaryRun.execute(file: file, read: read, repository: db, dryRun: dryRun, activate: activate)
        guard let db, let landed = outcome.landed else { return }
        print("database: \(database.path)")
        try db.record(.boundariesImported, by: .commandLineUser, target: landed.layer.rawValue,
                      [("import_id", .int(Int(landed.id))), ("status", .string(landed.status.rawValue)), ("grids", .int(landed.gridCount)),
                       ("file", .string(file)), ("crs", .string(outcome.check.crs.description))])
        guard landed.status == .active else {
            print("staged: `wangge versions diff \(landed.id)` shows what it would change; `wangge versions activate \(landed.id)` puts it in use")
            return
        }
        try await VersionsCommand.followActivation(db, database: database, version: landed)
    }
}

extension VersionsCommand {
    /// After an activation: the index kept beside the database for the grids now in use, and the organisations
    /// assigned again (printed).
    static func followActivation(_ db: AppDatabase, database: DatabaseOptions, version: LayerImport) async throws {
        // The index for the new grids, kept beside the database now, so the next command — or a running serve,
        // which notices the import — maps it instead of building it.
        let started = Date()
        let (_, fromFile) = try GridIndexSnapshot.load(grids: db.indexGrids(), scheme: db.levelScheme(), generation: 1,
                                                      cache: database.indexFile)
        if !fromFile { print("index: \(database.indexFile) (\(String(format: "%.2f", Date().timeIntervalSince(started))) s)") }
        let moved = try await reassignOrganisations(db, indexFile: database.indexFile)
        try db.record(.versionActivated, by: .commandLineUser, target: version.layer.rawValue,
                      [("version", .int(Int(version.id))), ("grids", .int(version.gridCount)), ("organisations_moved", .int(moved))])
    }

    /// Assigns the stored organisations again with the new boundaries and prints what moved.
    /// - Returns: how many organisations moved.
    @discardableResult
    static func reassignOrganisations(_ db: AppDatabase, indexFile: String) async throws -> Int {
        guard try !db.organisations().isEmpty else { return 0 }
        let engine = try AssignmentEngine(repository: db, workers: 1, indexFile: indexFile)
        defer { engine.shutdown() }
        let moves = try await Community(repository: db, engine: engine).reassignOrganisations()
        print("organisations: \(moves.isEmpty ? "none moved" : "\(Set(moves.map(\.organisation)).count) moved")")
        for m in moves.prefix(50) {
            print("  \(m.organisation) \(m.name) \(m.layer.rawValue): \(m.from.joined(separator: " ")) → \(m.to.isEmpty ? "(none)" : m.to.joined(separator: " "))")
        }
        if moves.count > 50 { print("  … \(moves.count - 50) more (GET /organisations/moves)") }
        return Set(moves.map(\.organisation)).count
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Run the import checks on a boundary file without a database."
    )

    @Argument(help: "GeoJSON FeatureCollection of Polygon/MultiPolygon features.")
    var file: String
    @OptionGroup var read: BoundaryReadOptions

    func run() throws {
        try BoundaryRun.execute(file: file, read: read, repository: nil, dryRun: true)
    }
}

/// What `import` and `validate` share: run the checks with a progress bar and print the outcome.
enum BoundaryRun {
    @discardableResult
    static func execute(file: String, read: BoundaryReadOptions, repository: (any GridRepository)?, dryRun: Bool,
                        activate: Bool = false) throws -> BoundaryImport.Outcome {
        let job = BoundaryImport(options: try read.boundaryOptions(), reportPath: read.report, dryRun: dryRun, activate: activate)
        let bar = TerminalProgress()
        let validator = BoundaryValidator()
        validator.progress = { phase, done, total in bar.update(phase.rawValue, done: done, total: total) }
        let started = Date()
        let outcome: BoundaryImport.Outcome
        do {
            outcome = try job.run(file: file, repository: repository, validator: validator)
        } catch let e as WanggeError {
            bar.finish()
            throw ValidationError(e.description)
        }
        bar.finish()
        let check = outcome.check
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        for r in check.repairs { print(r.description) }
        if !check.isClean {
            for d in check.defects.prefix(500) { print(d.description) }
            if check.defects.count > 500 { print("… and \(check.defects.count - 500) more\(read.report.map { " (all in \($0))" } ?? "")") }
            var byKind: [String: Int] = [:]
            for d in check.defects { byKind[d.kind.rawValue, default: 0] += 1 }
            let kinds = byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("\(file): \(check.defects.count) defect\(check.defects.count == 1 ? "" : "s") in \(check.featureCount) features (\(kinds)); nothing stored")
            if let r = read.report { print("defect layer written to \(r)") }
            throw ExitCode(1)
        }
        let area = check.grids.reduce(0) { $0 + $1.areaM2 }
        var summary = "\(file): \(check.featureCount) features, no defects (\(check.crs), \(seconds) s)"
        if !check.repairs.isEmpty { summary += "; \(check.repairs.count) repaired" }
        if read.layer.isHierarchical {
            let perLevel = (try read.boundaryOptions()).levels.levels.compactMap { l -> String? in
                let n = check.grids.filter { $0.level == l }.count
                return n > 0 ? "\(n) \(l.rawValue)" : nil
            }
            summary += "; " + perLevel.joined(separator: ", ")
        } else {
            summary += String(format: "; %.3f km² in all", area / 1e6)
        }
        print(summary)
        if let landed = outcome.landed, landed.status == .active {
            print("stored layer \(landed.layer.rawValue) as version #\(landed.id), in use now: \(landed.gridCount) grids replace the previous ones")
        } else if let landed = outcome.landed {
            print("stored layer \(landed.layer.rawValue) as version #\(landed.id), staged: \(landed.gridCount) grids, not in use yet")
        } else if dryRun {
            print("dry run: nothing stored")
        }
        if let r = read.report { print("defect layer (empty) written to \(r)") }
        return outcome
    }
}
