import Foundation
import WanggeCore
import WanggeGeo

/// Replicas of the grid index that a request handler can borrow and use on its own thread, so a single lookup
/// needs no hop to a worker thread. A borrowed replica is used by exactly one thread until it is returned (the pool
/// hands each out once, under its lock), which keeps its GEOS context single-threaded.
final class ReplicaPool: Sendable {
    /// A replica with the generation of the snapshot it was built from.
    final class Box: @unchecked Sendable {
        // Safe to send: the pool gives a Box to one borrower at a time and takes it back before lending it again.
        let replica: GridIndexReplica
        let generation: Int
        init(_ replica: GridIndexReplica, generation: Int) {
            self.replica = replica
            self.generation = generation
        }
    }

    let state = Locked<(generation: Int, free: [Box])>((0, []))

    /// Runs `body` with a borrowed replica, or returns nil when all are in use.
    func withReplica<T>(_ body: (GridIndexReplica) -> T) -> T? {
        guard let box = state.withLock({ $0.free.popLast() }) else { return nil }
        let result = body(box.replica)
        state.withLock { s in
            // A replica of an older snapshot is dropped on return: a reload happened while it was out.
            if box.generation == s.generation { s.free.append(box) }
        }
        return result
    }

    /// Replaces every replica (after a reload); borrowed old ones are dropped when they come back.
    func replace(with replicas: [GridIndexReplica], generation: Int) {
        let boxes = replicas.map { Box($0, generation: generation) }
        state.withLock { $0 = (generation, boxes) }
    }
}
