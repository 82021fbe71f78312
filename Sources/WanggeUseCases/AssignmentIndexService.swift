import WanggeGeo
public import Logging
public import ServiceLifecycle
public import WanggeAssignment

/// The assignment index as a service: it reloads the index when the stored boundaries changed behind the service's
/// back (an import from the command line), and ends the engine's worker threads at shutdown.
public struct AssignmentIndexService: Service {
    let engine: AssignmentEngine
    let interval: Duration
    let logger: Logger

    public init(engine: AssignmentEngine, checkEvery interval: Duration = .seconds(1), logger: Logger) {
        self.engine = engine
        self.interval = interval
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await engine.reloadIfStale() {
                        logger.info("boundaries changed in the database: index reloaded", metadata: ["grids": "\(engine.snapshot.grids.count)"])
                    }
                } catch {
                    logger.error("index reload failed; the previous boundaries stay in use", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
        engine.shutdown()
    }
}
