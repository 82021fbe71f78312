import Foundation
public import ServiceLifecycle
public import WanggeCore

/// Group commit for event intake. Requests that arrive while a transaction is being written wait and are then
/// written together in the next one: one durable commit (one fsync) serves many events, and each caller is
/// answered only after the transaction that holds its event has committed. A failed transaction fails every
/// event in it — none of them was stored, and each caller hears so.
///
/// A service: `run` starts the writer thread and, at graceful shutdown, writes what is waiting, stops the thread
/// and returns once it has ended. A thread of its own, writing synchronously, answers about 15 % more events per
/// second than a task that awaits GRDB's asynchronous write, which costs two thread hops per batch.
public final class EventCommitQueue: Service, Sendable {
    typealias Outcome = (IdempotentResponse, created: Bool)

    struct Pending: Sendable {
        let item: EventInsert
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    /// Submitted after shutdown: nothing was stored.
    public struct Stopped: Error, CustomStringConvertible {
        public var description: String { "the service is shutting down; the event was not stored" }
    }

    let repository: any EventRepository
    /// Largest batch per transaction, to bound how long the first caller of a batch waits.
    let maxBatch: Int
    let state = Locked<(pending: [Pending], stopping: Bool)>(([], false))
    let wake = DispatchSemaphore(value: 0)
    let lastCommit = Locked<Double>(0)
    let writing = Locked(false)

    /// Whether the writer thread is running (between `run` starting and graceful shutdown).
    public var isWriting: Bool { writing.withLock { $0 } }

    /// When the last intake transaction committed (seconds since 1970; 0 before the first).
    public var lastCommitAt: Double { lastCommit.withLock { $0 } }

    public init(repository: any EventRepository, maxBatch: Int = 256) {
        self.repository = repository
        self.maxBatch = maxBatch
    }

    /// Stores one event (in a shared transaction) and returns once it is committed.
    /// - Throws: the repository's error (nothing stored), or `Stopped` after shutdown began.
    public func submit(_ item: EventInsert) async throws -> (IdempotentResponse, created: Bool) {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Outcome, any Error>) in
            let accepted = state.withLock { s -> Bool? in
                guard !s.stopping else { return nil }
                s.pending.append(Pending(item: item, continuation: c))
                return s.pending.count == 1
            }
            switch accepted {
            case nil: c.resume(throwing: Stopped())
            case true?: wake.signal()
            case false?: break
            }
        }
    }

    /// Runs the writer thread until graceful shutdown (or cancellation); events submitted before it are written
    /// first, and the waiting ones are written before it returns.
    public func run() async throws {
        let ended = DispatchSemaphore(value: 0)
        writing.withLock { $0 = true }
        let thread = Thread { [self] in
            writeLoop()
            writing.withLock { $0 = false }
            ended.signal()
        }
        thread.name = "wangge-event-writer"
        thread.start()
        try? await gracefulShutdown()
        stop()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                ended.wait()
                c.resume()
            }
        }
    }

    /// No new events from now on; the writer ends once the waiting ones are written.
    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }

    /// The writer thread: waits for events, writes everything waiting as one transaction, answers, repeats; ends
    /// when stopping and nothing waits.
    func writeLoop() {
        while true {
            let (batch, stopping) = state.withLock { s -> ([Pending], Bool) in
                let n = min(s.pending.count, maxBatch)
                let b = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                return (b, s.stopping)
            }
            if batch.isEmpty {
                if stopping { return }
                wake.wait()
                continue
            }
            do {
                let results = try repository.insert(batch.map(\.item))
                lastCommit.withLock { $0 = Date().timeIntervalSince1970 }
                for (p, r) in zip(batch, results) { p.continuation.resume(returning: r) }
            } catch {
                for p in batch { p.continuation.resume(throwing: error) }
            }
        }
    }
}
