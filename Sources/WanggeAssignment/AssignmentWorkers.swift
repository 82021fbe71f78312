public import Foundation
import Synchronization
import WanggeCore
public import WanggeGeo

/// A pool of worker threads, each with its own replica of the grid index (its own GEOS context, decoded grids,
/// prepared polygons and STRtree) over one shared, immutable `GridIndexSnapshot`. Only Swift values cross between
/// threads: jobs take a replica and return `Sendable` results.
///
/// `reload` builds the new replicas on separate threads while the workers go on answering with the old ones, then
/// swaps them in between two jobs: lookups never stop and never see a half-built index.
public final class AssignmentWorkers: Sendable {
    public typealias Job = @Sendable (GridIndexReplica) -> Void

    /// One worker: a thread, its queue of jobs and the replica only it touches.
    final class Worker: Sendable {
        let jobs = Locked<[Job]>([])
        let signal = DispatchSemaphore(value: 0)
        let pending = Atomic<Int>(0)
        /// A replica waiting to be installed by `reload`; the worker takes it before its next job.
        let incoming = Locked<Handoff?>(nil)
        let stopped = Atomic<Bool>(false)
        /// Signalled once, when the thread has ended.
        let ended = DispatchSemaphore(value: 0)

        func submit(_ job: @escaping Job) {
            pending.add(1, ordering: .relaxed)
            jobs.withLock { $0.append(job) }
            signal.signal()
        }
    }

    /// Carries a freshly built replica from the thread that built it to the worker that will own it. The builder
    /// never touches the replica after handing it over, and the worker takes it out exactly once, so the replica is
    /// only ever used by one thread at a time.
    final class Handoff: @unchecked Sendable {
        private var replica: GridIndexReplica?
        init(_ r: GridIndexReplica) { replica = r }

        /// Hands the replica over; called once, by the receiving worker.
        func take() -> GridIndexReplica {
            defer { replica = nil }
            return replica!
        }
    }

    let workers: [Worker]
    let snapshotBox: Locked<GridIndexSnapshot>
    let nextWorker = Atomic<Int>(0)
    let reloading = Locked<Void>(())

    /// The snapshot the workers answer from (after a reload completes, the new one).
    public var snapshot: GridIndexSnapshot { snapshotBox.withLock { $0 } }
    public var count: Int { workers.count }

    /// Starts `count` worker threads, each building its replica of `snapshot` before taking jobs.
    /// - Throws: `GeosError` when a replica cannot be built (a stored geometry GEOS cannot read).
    public init(count: Int = ProcessInfo.processInfo.activeProcessorCount, snapshot: GridIndexSnapshot) throws {
        let n = max(1, count)
        workers = (0..<n).map { _ in Worker() }
        snapshotBox = Locked(snapshot)
        let replicas = try Self.buildReplicas(snapshot, count: n)
        for (w, handoff) in zip(workers, replicas) {
            let thread = Thread { [w] in
                // The replica belongs to this thread from here on.
                var replica = handoff.take()
                while true {
                    w.signal.wait()
                    // Jobs queued before a shutdown still run (their callers are waiting); then the thread ends.
                    guard let job = w.jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
                        if w.stopped.load(ordering: .acquiring) {
                            w.ended.signal()
                            return
                        }
                        continue
                    }
                    if let next = w.incoming.withLock({ h in defer { h = nil }; return h })?.take() { replica = next }
                    job(replica)
                    w.pending.subtract(1, ordering: .relaxed)
                }
            }
            thread.name = "wangge-geo-worker"
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    /// Ends the worker threads once the jobs already queued are done, and returns when they have ended.
    /// Idempotent; nothing may be submitted after it.
    public func shutdown() {
        let stopping = workers.filter { !$0.stopped.exchange(true, ordering: .acquiringAndReleasing) }
        for w in stopping { w.signal.signal() }
        for w in stopping {
            w.ended.wait()
            w.ended.signal()  // for `threadsRunning`, which looks without taking
        }
    }

    /// Worker threads still running (0 after `shutdown`).
    public var threadsRunning: Int {
        workers.filter { w in
            guard w.ended.wait(timeout: .now()) == .success else { return true }
            w.ended.signal()
            return false
        }.count
    }

    // Nothing waits here: the last reference may go away on any thread.
    deinit {
        for w in workers where !w.stopped.exchange(true, ordering: .acquiringAndReleasing) { w.signal.signal() }
    }

    /// Builds `count` replicas in parallel, each on its own thread with its own GEOS context.
    static func buildReplicas(_ snapshot: GridIndexSnapshot, count: Int) throws -> [Handoff] {
        let results = Locked<[Int: Result<Handoff, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let r: Result<Handoff, any Error>
            do { r = .success(Handoff(try GridIndexReplica(snapshot: snapshot))) } catch { r = .failure(error) }
            results.withLock { $0[i] = r }
        }
        return try (0..<count).map { i in try results.withLock { $0[i]! }.get() }
    }

    /// Runs `body` on the least busy worker and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable (GridIndexReplica) -> T) async -> T {
        await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
            pickWorker().submit { replica in c.resume(returning: body(replica)) }
        }
    }

    /// Runs `body` on the least busy worker and waits (for callers outside Swift concurrency).
    public func runBlocking<T: Sendable>(_ body: @escaping @Sendable (GridIndexReplica) -> T) -> T {
        let box = Locked<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        pickWorker().submit { replica in
            let v = body(replica)
            box.withLock { $0 = v }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }

    /// Runs one job per chunk index across all workers and waits for all of them.
    public func forEachChunk(_ chunks: Int, _ body: @escaping @Sendable (Int, GridIndexReplica) -> Void) {
        let group = DispatchGroup()
        for k in 0..<chunks {
            group.enter()
            workers[k % workers.count].submit { replica in
                body(k, replica)
                group.leave()
            }
        }
        group.wait()
    }

    func pickWorker() -> Worker {
        // Round-robin start, then the first idle worker from there.
        let start = nextWorker.add(1, ordering: .relaxed).oldValue
        for k in 0..<workers.count {
            let w = workers[(start + k) % workers.count]
            if w.pending.load(ordering: .relaxed) == 0 { return w }
        }
        return workers[start % workers.count]
    }

    /// Swaps in replicas of `snapshot`: built off the workers, installed by each worker between two jobs. Returns
    /// when every worker answers from the new snapshot.
    /// - Throws: `GeosError` when a replica cannot be built; the old index then stays in service.
    public func reload(_ snapshot: GridIndexSnapshot) throws {
        try reloading.withLock { _ in
            let fresh = try Self.buildReplicas(snapshot, count: workers.count)
            for (w, h) in zip(workers, fresh) { w.incoming.withLock { $0 = h } }
            snapshotBox.withLock { $0 = snapshot }
            // A no-op job on each worker makes it install its replica now and tells us when it has.
            forEachWorker { _ in }
        }
    }

    func forEachWorker(_ body: @escaping @Sendable (GridIndexReplica) -> Void) {
        let group = DispatchGroup()
        for w in workers {
            group.enter()
            w.submit { r in
                body(r)
                group.leave()
            }
        }
        group.wait()
    }
}
