import Foundation
import WanggeCore

/// Group commit for event intake. Requests that arrive while a transaction is being written wait and are then
/// written together in the next one: one durable commit (one fsync) serves many events, and each caller is
/// answered only after the transaction that holds its event has committed. A failed transaction fails every
/// event in it — none of them was stored, and each caller hears so.
public final class EventCommitQueue: Sendable {
    typealias Outcome = (IdempotentResponse, created: Bool)

    struct Pending: Sendable {
        let item: EventInsert
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    let repository: any EventRepository
    /// Largest batch per transaction, to bound how long the first caller of a batch waits.
    let maxBatch: Int
    let state = Locked<(pending: [Pending], flushing: Bool)>(([], false))
    let lastCommit = Locked<Double>(0)

    /// When the last intake transaction committed (seconds since 1970; 0 before the first).
    public var lastCommitAt: Double { lastCommit.withLock { $0 } }

    public init(repository: any EventRepository, maxBatch: Int = 256) {
        self.repository = repository
        self.maxBatch = maxBatch
    }

    /// Stores one event (in a shared transaction) and returns once it is committed.
    public func submit(_ item: EventInsert) async throws -> (IdempotentResponse, created: Bool) {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Outcome, any Error>) in
            let start = state.withLock { s -> Bool in
                s.pending.append(Pending(item: item, continuation: c))
                if s.flushing { return false }
                s.flushing = true
                return true
            }
            if start { Task { await self.flush() } }
        }
    }

    /// Writes batches until nothing is waiting.
    func flush() async {
        while true {
            let batch = state.withLock { s -> [Pending] in
                let n = min(s.pending.count, maxBatch)
                let b = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                if b.isEmpty { s.flushing = false }
                return b
            }
            if batch.isEmpty { return }
            do {
                let results = try await repository.insert(batch.map(\.item))
                lastCommit.withLock { $0 = Date().timeIntervalSince1970 }
                for (p, r) in zip(batch, results) { p.continuation.resume(returning: r) }
            } catch {
                for p in batch { p.continuation.resume(throwing: error) }
            }
        }
    }
}
