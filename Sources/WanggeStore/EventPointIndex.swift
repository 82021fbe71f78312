import Foundation
import GRDB
import WanggeCore

/// The events' points in memory, bucketed in cells of a fixed size, for the map's request: one box and nothing else
/// (`eventPageRowsCounted`). Through the R*Tree that request scanned about a thousand virtual-table entries for its
/// count, about half of its SQLite time; here it tests the points of the few cells the box touches.
///
/// It is kept in step with the table by id alone, which is sound because events are only ever appended: the table
/// is AUTOINCREMENT (an id is never reused), there is no DELETE of an event, and no statement changes an event's
/// `lon`/`lat` after intake. A read brings the index up to the highest id of its own snapshot (the rows above what
/// the index holds, usually none) and answers only for ids up to that, so the answer is the snapshot's, whatever
/// other readers have added meanwhile.
///
/// Memory: 24 bytes per event plus a few per cell (a million events: about 30 MB).
final class EventPointIndex: @unchecked Sendable {
    struct Point {
        var id: Int64
        var lon: Double
        var lat: Double
    }

    /// Cell edge in degrees: about 110 m north–south. A map box of a few hundred metres touches a handful of cells.
    static let cellSize = 0.001

    /// Guarded by `lock`: read under its read lock, changed under its write lock only. Each cell's points are in
    /// ascending id order (rows are added in id order).
    private var cells: [Int64: [Point]] = [:]
    /// The highest event id the index holds every event up to (guarded by `lock`).
    private var upto: Int64 = 0
    /// Owned: initialised here, destroyed in `deinit`; allocated so that its address never moves.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// The highest event id held (every event up to it is in the index).
    var heldUpTo: Int64 {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return upto
    }

    static func key(_ cx: Int, _ cy: Int) -> Int64 { Int64(cx) << 32 | Int64(UInt32(truncatingIfNeeded: cy)) }
    static func cell(_ degrees: Double) -> Int { Int((degrees / cellSize).rounded(.down)) }

    /// The ids of the events inside `b` (edges included) as of `db`'s snapshot, in no order. `db` must be inside a
    /// read transaction (`snapshotRead`) so that the highest id and the rows read to catch up are of one snapshot.
    func ids(in b: BoundingBox, _ store: AppDatabase, _ db: Database) throws -> [Int64] {
        let newest = try catchUp(store, db)
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        var out: [Int64] = []
        out.reserveCapacity(1024)
        func scan(_ points: [Point]) {
            for p in points where p.id <= newest && p.lon >= b.minX && p.lon <= b.maxX && p.lat >= b.minY && p.lat <= b.maxY {
                out.append(p.id)
            }
        }
        let cx0 = Self.cell(max(b.minX, -180)), cx1 = Self.cell(min(b.maxX, 180))
        let cy0 = Self.cell(max(b.minY, -90)), cy1 = Self.cell(min(b.maxY, 90))
        guard cx0 <= cx1, cy0 <= cy1 else { return out }
        // A box wider than the cells in use (a whole-city view) reads every cell once instead of probing empty ones.
        if Double(cx1 - cx0 + 1) * Double(cy1 - cy0 + 1) > Double(cells.count) {
            for points in cells.values { scan(points) }
        } else {
            for cx in cx0...cx1 {
                for cy in cy0...cy1 {
                    if let points = cells[Self.key(cx, cy)] { scan(points) }
                }
            }
        }
        return out
    }

    /// Adds the rows above `upto` up to the newest event of `db`'s snapshot, and returns that id: read outside the
    /// lock (other readers go on), added under the write lock with what another reader may have added meanwhile
    /// skipped.
    @discardableResult
    func catchUp(_ store: AppDatabase, _ db: Database) throws -> Int64 {
        let newest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM event")) ?? 0
        pthread_rwlock_rdlock(lock)
        let from = upto
        pthread_rwlock_unlock(lock)
        guard newest > from else { return newest }
        var rows: [Point] = []
        try store.forEachRawRow(db, sql: "SELECT id, lon, lat FROM event WHERE id > ? AND id <= ? ORDER BY id",
                                arguments: [from, newest], cached: true) { rows.append(Point(id: $0.id, lon: $0.lon, lat: $0.lat)) }
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        for p in rows where p.id > upto {
            cells[Self.key(Self.cell(p.lon), Self.cell(p.lat)), default: []].append(p)
        }
        upto = max(upto, newest)
        return newest
    }
}
