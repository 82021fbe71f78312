import ArgumentParser
import Foundation
import CMalloc
import Logging
import WanggeCore
import WanggeKit
import WanggeServer
import WanggeStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service. On an empty database it first loads the Xiyuan sample from GeoData/.",
        discussion: "Stops gracefully on SIGINT or SIGTERM: requests in flight are answered first."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "Port to listen on.") var port = 8080
    @Option(name: .long, help: "Assignment worker threads (default: CPU cores).") var workers = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .long, help: "Sample folder loaded into an empty database.") var geodata = "GeoData"
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func run() async throws {
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
        try Bootstrap.prepare(db, geodata: geodata, logger: logger)
        let engine = try AssignmentEngine(repository: db, workers: workers)
        let history = try await SampleFiles.loadHistory(from: geodata, into: db, engine: engine)
        if history > 0 { logger.info("loaded the sample's quarter of events through the closed loop", metadata: ["events": "\(history)"]) }
        logger.info("index ready", metadata: ["grids": "\(engine.snapshot.grids.count)", "workers": "\(engine.workers.count)", "db": "\(database.path)"])
        let services = Services(database: db, engine: engine, configuration: ServerConfiguration(host: host, port: port))
        let app = buildApplication(services: services, logger: logger)
        let indexer = Task { await EventIndexer(repository: db) { services.lastIntakeCommit }.run(logger: logger) }
        let checkpoints = Task { await PeriodicTask(every: .milliseconds(100)) { try db.checkpoint() }.run(logger: logger, name: "WAL checkpoint") }
        defer {
            indexer.cancel()
            checkpoints.cancel()
        }
        try await app.runService()
    }
}

/// First start: load the sample boundaries and the catalog (departments, event types) when they are missing.
enum Bootstrap {
    static func prepare(_ db: AppDatabase, geodata: String, logger: Logger) throws {
        if try db.departments().isEmpty || db.eventTypes().isEmpty {
            try SampleFiles.loadCatalog(from: geodata, into: db)
            logger.info("loaded departments and event types", metadata: ["from": "\(geodata)"])
        }
        if try db.setting(ClosedLoop.slaKey) == nil || db.setting(ClosedLoop.routingKey) == nil {
            try ClosedLoop.loadConfiguration(from: geodata, into: db)
            logger.info("loaded service levels and routing", metadata: ["from": "\(geodata)"])
        }
        if try ServicePoints.loadIfMissing(from: geodata, into: db) {
            logger.info("loaded service points", metadata: ["from": "\(geodata)/\(ServicePoints.file)"])
        }
        if try db.counts().isEmpty {
            for o in try SampleFiles.load(from: geodata, into: db) {
                logger.info("loaded sample layer", metadata: ["layer": "\(o.check.layer.rawValue)", "grids": "\(o.check.featureCount)"])
            }
        }
    }
}
