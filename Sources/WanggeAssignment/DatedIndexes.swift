import Foundation
public import WanggeCore
import WanggeGeo

/// Lookups as of an earlier time (`?date=`): the index of the versions that were in use then, built on demand from
/// the stored versions and kept for the last few sets of versions asked for. When the versions asked for are those
/// in use, the engine answers.
public final class DatedIndexes: Sendable {
    let repository: any GridRepository
    let engine: AssignmentEngine
    /// Most recently used first. Each replica has its own GEOS context, used by one caller at a time under its lock.
    let cache = Locked<[(key: [Int64], replica: Locked<GridIndexReplica>)]>([])
    let keep: Int

    public init(repository: any GridRepository, engine: AssignmentEngine, keep: Int = 3) {
        self.repository = repository
        self.engine = engine
        self.keep = keep
    }

    /// The versions of every layer in use at `time` (layers without one then are left out).
    public func versions(at time: Double) throws -> [LayerImport] {
        try GridLayer.allCases.compactMap { try repository.version(of: $0, at: time) }
    }

    /// Where a point falls in the boundaries in use at `time`, and the versions that answered.
    /// - Throws: `WanggeError.conflict` when a version in use then was retired before versions kept their grids;
    ///   `.invalidInput` for a position that is not a valid location.
    public func assign(x: Double, y: Double, crs: CRS, snapMetres: Double, at time: Double) async throws -> (PointAssignment, [LayerImport]) {
        let versions = try versions(at: time)
        if let gone = versions.first(where: { !$0.gridsKept }) { throw gone.notKept }
        let key = versions.map(\.id)
        if Set(key) == Set(try repository.activeVersions().values.map(\.id)) {
            return (try await engine.assign(x: x, y: y, crs: crs, snapMetres: snapMetres), versions)
        }
        try AssignmentEngine.checkFinite(x, y)
        let replica = try replica(for: versions)
        let result = replica.withLock { AssignmentEngine.assign($0, x, y, crs, snapMetres) }
        return (try result.get(), versions)
    }

    func replica(for versions: [LayerImport]) throws -> Locked<GridIndexReplica> {
        let key = versions.map(\.id)
        if let hit = cache.withLock({ c -> Locked<GridIndexReplica>? in
            guard let i = c.firstIndex(where: { $0.key == key }) else { return nil }
            let entry = c.remove(at: i)
            c.insert(entry, at: 0)
            return entry.replica
        }) { return hit }
        let grids = try versions.flatMap { try repository.versionGrids($0.id) }
        let built = Locked(try GridIndexReplica(snapshot: GridIndexSnapshot.build(grids: grids, scheme: versions.first { $0.layer == .residential }?.levels ?? .standard, generation: 0)))
        cache.withLock { c in
            c.insert((key, built), at: 0)
            if c.count > keep { c.removeLast(c.count - keep) }
        }
        return built
    }
}
