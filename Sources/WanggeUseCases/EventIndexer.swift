import Foundation
public import Logging
public import ServiceLifecycle
public import WanggeCore

/// Keeps the events' grid and spatial indexes close behind intake: when intake has been quiet for 200 ms, or at once
/// while a backlog builds up, it indexes the newest events in large transactions. Intake commits stay small and
/// sequential; queries stay exact because they scan the few events not indexed yet. A service: it stops at graceful
/// shutdown.
public struct EventIndexer: Service {
    let repository: any EventRepository
    /// When intake last committed: indexing waits for a quiet moment so intake latency stays low.
    let lastIntakeCommit: @Sendable () -> Double
    /// Indexing also runs under load once this many events wait, in small steps.
    let maxBacklog: Int
    let logger: Logger

    public init(repository: any EventRepository, maxBacklog: Int = 300_000, logger: Logger,
                lastIntakeCommit: @escaping @Sendable () -> Double) {
        self.repository = repository
        self.maxBacklog = maxBacklog
        self.logger = logger
        self.lastIntakeCommit = lastIntakeCommit
    }

    /// Large batches when intake has been quiet for 200 ms, small ones while it is busy but the backlog is over
    /// `maxBacklog`; otherwise it checks again every 100 ms.
    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let quiet = Date().timeIntervalSince1970 - lastIntakeCommit() > 0.2
                do {
                    let backlog = try repository.unindexedEventCount()
                    if backlog > 0 && quiet {
                        try repository.indexPendingEvents(limit: 2000)
                        continue
                    }
                    if backlog > maxBacklog {
                        try repository.indexPendingEvents(limit: 500)
                        try? await Task.sleep(for: .milliseconds(50))
                        continue
                    }
                } catch {
                    logger.error("event indexing failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}

/// Runs a piece of background work every `interval` until graceful shutdown (WAL checkpoints behind intake, the
/// index reload check). A failure is logged and the work tried again next time.
public struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(_ name: String, every interval: Duration, logger: Logger, _ work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await work() } catch { logger.error("\(name) failed; retrying", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
