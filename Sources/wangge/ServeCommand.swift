import WanggeGeo
import Hummingbird
import ArgumentParser
import Foundation
import CMalloc
import Logging
import WanggeCore
import WanggeSample
import WanggeAssignment
import WanggeUseCases
import WanggeServer
import WanggeStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service. Into an empty database it first loads the Xiyuan sample from GeoData/.",
        discussion: "Stops gracefully on SIGINT or SIGTERM: requests in flight are answered first."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "Port to listen on.") var port = 8080
    @Option(name: .long, help: "Assignment worker threads (default: CPU cores).") var workers = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .long, help: "The sample loaded into an empty database, and the catalogue a database lacks.") var geodata = "GeoData"
    @Option(name: .customLong("time-zone"), help: "IANA time zone every timestamp is written in, and times without an offset are read in (default: $WANGGE_TIME_ZONE, else Asia/Shanghai).")
    var timeZone: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Option(name: .customLong("rate-limit"), parsing: .singleValue,
            help: "Requests per token for a role, e.g. reporter=20/s:40 (a burst of 40) or viewer=600/min; repeat for more roles, `all=` for every role. None by default.")
    var rateLimits: [String] = []

    func run() async throws {
        if let timeZone {
            // Before anything reads the service's zone (it is read once).
            guard ZoneOffsets(timeZone) != nil else {
                throw ValidationError("--time-zone \(timeZone): not a time zone the tz database knows (use an IANA name such as Asia/Shanghai or UTC)")
            }
            setenv(ZoneOffsets.environmentKey, timeZone, 1)
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1–65535") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "wangge")
        // glibc gives each thread that allocates its own arena (up to 8 per core), and each keeps its freed memory:
        // with NIO's event loops, the assignment workers and SQLite's readers that is tens of MB held for nothing.
        // Two arenas keep resident memory near what is in use, at no measurable cost in throughput.
        mallopt(M_ARENA_MAX, 2)
        let db = try database.open()
        try ServiceLock.holdShared(database.path)
        try await Bootstrap.prepare(db, geodata: geodata, logger: logger)
        var configuration = ServerConfiguration(host: host, port: port)
        configuration.workers = workers
        for spec in rateLimits {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let limit = RateLimit(parts[1]) else {
                throw ValidationError("--rate-limit \(spec): expected ROLE=N/s[:BURST] (or /min, /h)")
            }
            if parts[0] == "all" {
                for role in Role.allCases { configuration.rateLimits[role] = limit }
            } else if let role = Role(rawValue: parts[0]) {
                configuration.rateLimits[role] = limit
            } else {
                throw ValidationError("--rate-limit \(spec): unknown role \(parts[0]) (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")), or all)")
            }
        }
        configuration.indexFile = database.indexFile
        let wiring = try ServiceWiring(configuration, storage: db, logger: logger)
        logger.info("index ready", metadata: ["grids": "\(wiring.engine.snapshot.grids.count)", "workers": "\(wiring.engine.workers.count)", "time_zone": "\(ZoneOffsets.service.name)",
                                              "db": "\(database.path)", "index": "\(wiring.engine.startedFromFile ? "read from" : "built, kept in") \(database.indexFile)"])
        // The events' points for one-box map pages, read in the background (a million events: a few hundred ms).
        Task.detached(priority: .background) {
            do { try db.warmEventPoints() } catch { logger.warning("event points not read ahead", metadata: ["error": "\(error)"]) }
        }
        try await buildApplication(wiring).runService()
    }
}

/// First start: the whole Xiyuan sample into an empty database; otherwise only the parts of the catalogue that are
/// missing (departments, event types, service levels, routing), never the sample's grids or events.
enum Bootstrap {
    static func prepare(_ db: AppDatabase, geodata: String, logger: Logger) async throws {
        if let loaded = try await SampleFiles.loadIfEmpty(from: geodata, into: db) {
            logger.notice("the database was empty: loaded the Xiyuan sample", metadata: [
                "from": "\(geodata)", "grids": "\(loaded.grids)", "events": "\(loaded.events)"])
            return
        }
        let loaded = try Catalogue.loadMissing(from: geodata, into: db)
        if !loaded.isEmpty {
            logger.info("loaded the missing catalogue", metadata: ["from": "\(geodata)", "files": "\(loaded.joined(separator: ", "))"])
        }
        // A database made from the sample before people and organisations were kept gets the sample's, once; one
        // holding other boundaries keeps none (the roster names the sample's grids and is refused).
        if try db.roster().isEmpty, try db.organisations().isEmpty, try db.party().isEmpty, try db.jointBuilding().isEmpty,
           try db.grids(code: "130105005").contains(where: { $0.level == .street }) {
            let engine = try AssignmentEngine(repository: db, workers: 1)
            defer { engine.shutdown() }
            do {
                let files = try await Community(repository: db, engine: engine).loadSample(from: geodata)
                logger.info("loaded the sample's people and organisations", metadata: ["files": "\(files.joined(separator: ", "))"])
            } catch let e as InvalidFields {
                logger.info("the sample's people and organisations do not fit these grids; none loaded", metadata: ["why": "\(e.errors.prefix(3))"])
            }
        }
    }
}
