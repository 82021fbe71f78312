public import Foundation
import Synchronization
public import WanggeCore
public import WanggeGeo

/// Assignment of points to grids for the whole application: a pool of workers with replicas of the index built
/// from the repository, reloaded after an import without stopping lookups.
public final class AssignmentEngine: Sendable {
    public let workers: AssignmentWorkers
    let repository: any GridRepository
    let generation = Atomic<Int>(1)
    /// The repository's boundary mark (`GridRepository.boundaryMark`) when the index was built.
    let importMark: Atomic<Int64>
    /// Held while the index is rebuilt, so two reloads never race.
    let reloading = Locked<Void>(())
    /// Replicas that single lookups borrow on the caller's thread (no hop to a worker); batch work uses `workers`.
    let inline = ReplicaPool()

    /// Where the index is kept between starts (`GridIndexSnapshot.load`); nil builds it every time.
    public let indexFile: String?
    /// Whether the index in service came from `indexFile` (false: built).
    public let startedFromFile: Bool

    /// Builds the index from everything in `repository` (or reads it from `indexFile` when it was built from the
    /// same grids) and starts `workers` threads (default: one per core).
    /// - Throws: the repository's error, or `GeosError` for a stored geometry GEOS cannot read.
    public init(repository: any GridRepository, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                indexFile: String? = nil) throws {
        self.repository = repository
        self.indexFile = indexFile
        let mark = try repository.boundaryMark()
        importMark = Atomic(mark)
        var (snapshot, fromFile) = try GridIndexSnapshot.load(grids: repository.indexGrids(), scheme: repository.levelScheme(),
                                                               generation: 1, cache: indexFile)
        snapshot.boundaryMark = mark
        startedFromFile = fromFile
        self.workers = try AssignmentWorkers(count: workers, snapshot: snapshot)
        try inline.replace(with: Self.replicas(snapshot, count: workers), generation: 1)
    }

    static func replicas(_ snapshot: GridIndexSnapshot, count: Int) throws -> [GridIndexReplica] {
        try (0..<max(1, count)).map { _ in try GridIndexReplica(snapshot: snapshot) }
    }

    public var snapshot: GridIndexSnapshot { workers.snapshot }

    /// The residential layer's levels in the index now.
    public var levels: LevelScheme { workers.snapshot.scheme }

    /// Ends the worker threads (after the jobs already queued). The engine must not be used afterwards.
    public func shutdown() { workers.shutdown() }

    /// Rebuilds the index from the repository and swaps it in; lookups keep being answered meanwhile. One rebuild
    /// at a time.
    public func reload() throws {
        try reloading.withLock { _ in try rebuild() }
    }

    func rebuild() throws {
        // Read before the grids: an activation landing meanwhile leaves the mark behind, so the next check reloads again.
        let mark = try repository.boundaryMark()
        let next = generation.add(1, ordering: .relaxed).newValue
        var snapshot = try GridIndexSnapshot.load(grids: repository.indexGrids(), scheme: repository.levelScheme(),
                                                  generation: next, cache: indexFile).snapshot
        snapshot.boundaryMark = mark
        let fresh = try Self.replicas(snapshot, count: workers.count)
        try workers.reload(snapshot)
        inline.replace(with: fresh, generation: next)
        importMark.store(mark, ordering: .relaxed)
    }

    /// Reloads when the grids in use changed since the index was built (an activation here, or in another process:
    /// a CLI import say). Returns whether it reloaded; when it returns, the index holds at least the grids in use
    /// when it was called.
    public func reloadIfStale() async throws -> Bool {
        guard try isStale() else { return false }
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<Bool, any Error>) in
            DispatchQueue.global().async {
                // Checked again under the lock: a reload that was running meanwhile may have caught up already.
                c.resume(with: Result { try self.reloading.withLock { _ in
                    guard try self.isStale() else { return false }
                    try self.rebuild()
                    return true
                } })
            }
        }
    }

    func isStale() throws -> Bool {
        try repository.boundaryMark() != importMark.load(ordering: .relaxed)
    }

    /// The same from async code: the building happens on a dispatch thread, not on the cooperative pool.
    public func reload() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                c.resume(with: Result { try self.reload() })
            }
        }
    }

    /// Where a point given in `crs` falls in every layer.
    /// - Throws: `WanggeError.invalidInput` for a position that is not finite or a CRS PROJ does not know.
    /// The same, with the boundary mark of the index that answered (the versions the point was assigned with).
    public func assignMarked(x: Double, y: Double, crs: CRS = .wgs84, snapMetres: Double = 0) async throws -> (PointAssignment, mark: Int64) {
        try Self.checkFinite(x, y)
        if let (result, mark) = inline.withReplica({ (Self.assign($0, x, y, crs, snapMetres), $0.snapshot.boundaryMark) }) {
            return (try result.get(), mark)
        }
        let (result, mark) = await workers.run { replica in (Self.assign(replica, x, y, crs, snapMetres), replica.snapshot.boundaryMark) }
        return (try result.get(), mark)
    }

    public func assign(x: Double, y: Double, crs: CRS = .wgs84, snapMetres: Double = 0) async throws -> PointAssignment {
        try Self.checkFinite(x, y)
        if let result = inline.withReplica({ Self.assign($0, x, y, crs, snapMetres) }) { return try result.get() }
        let result = await workers.run { replica in Self.assign(replica, x, y, crs, snapMetres) }
        return try result.get()
    }

    /// The same, for callers outside Swift concurrency (the command line).
    public func assignBlocking(x: Double, y: Double, crs: CRS = .wgs84, snapMetres: Double = 0) throws -> PointAssignment {
        try Self.checkFinite(x, y)
        return try workers.runBlocking { replica in Self.assign(replica, x, y, crs, snapMetres) }.get()
    }

    /// A boundary simplified by `metres` (keeping topology), computed with a borrowed replica's GEOS and PROJ.
    public func simplified(_ value: GeometryValue, metres: Double) -> GeometryValue? {
        if let r = inline.withReplica({ $0.simplified(value, metres: metres) }) { return r }
        return workers.runBlocking { $0.simplified(value, metres: metres) }
    }

    static func checkFinite(_ x: Double, _ y: Double) throws {
        guard x.isFinite, y.isFinite else {
            throw WanggeError.invalidInput("coordinates must be finite numbers, got \(x), \(y)")
        }
    }

    static func assign(_ replica: GridIndexReplica, _ x: Double, _ y: Double, _ crs: CRS,
                       _ snap: Double) -> Result<PointAssignment, WanggeError> {
        do {
            let (lon, lat) = try replica.toWGS84(x: x, y: y, crs: crs)
            guard lon.isFinite, lat.isFinite, abs(lon) <= 180, abs(lat) <= 90 else {
                return .failure(.invalidInput("position \(x), \(y) in \(crs) is not a valid location (converted: \(lon), \(lat))"))
            }
            return .success(replica.assign(lon: lon, lat: lat, snapMetres: snap))
        } catch {
            return .failure(.invalidInput(error.description))
        }
    }
}
