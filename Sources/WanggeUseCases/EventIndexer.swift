import Foundation
public import Logging
public import WanggeCore

/// Keeps the events' grid and spatial indexes close behind intake: every `interval`, or at once while there is a
/// backlog, it indexes the newest events in one large transaction. Intake commits stay small and sequential;
/// queries stay exact because they scan the few events not indexed yet.
public struct EventIndexer: Sendable {
    let repository: any EventRepository
    /// When intake last committed: indexing waits for a quiet moment so intake latency stays low.
    let lastIntakeCommit: @Sendable () -> Double
    /// Indexing also runs under load once this many events wait, in small steps.
    let maxBacklog: Int

    public init(repository: any EventRepository, maxBacklog: Int = 300_000,
                lastIntakeCommit: @escaping @Sendable () -> Double) {
        self.repository = repository
        self.maxBacklog = maxBacklog
        self.lastIntakeCommit = lastIntakeCommit
    }

    /// Runs until the task is cancelled: large batches when intake has been quiet for 200 ms, small ones while it
    /// is busy but the backlog is over `maxBacklog`, otherwise it waits.
    public func run(logger: Logger) async {
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

/// Runs a closure every `interval` until cancelled (WAL checkpoints behind intake).
public struct PeriodicTask: Sendable {
    let interval: Duration
    let work: @Sendable () throws -> Void

    public init(every interval: Duration, _ work: @escaping @Sendable () throws -> Void) {
        self.interval = interval
        self.work = work
    }

    public func run(logger: Logger, name: String) async {
        while !Task.isCancelled {
            do { try work() } catch { logger.error("\(name) failed; retrying", metadata: ["error": "\(error)"]) }
            try? await Task.sleep(for: interval)
        }
    }
}
