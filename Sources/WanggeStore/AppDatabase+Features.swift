import Foundation
import GRDB
public import WanggeCore

/// Pages for the feature endpoints, planned as SQL: the R*Tree narrows boxes (the exact test is on the row's own
/// bounds, since the tree keeps 32-bit bounds rounded outwards), LIMIT bounds the rows read, and pages go on from a
/// key (a grid code, an event id) rather than skipping rows.
extension AppDatabase: FeatureRepository {
    public func gridPage(_ q: FeatureQuery, count: Bool) throws -> FeaturePage<StoredGrid> {
        guard case .grids(let layer, let level) = q.target else { preconditionFailure("gridPage needs a grids query") }
        var clauses = ["layer = ?"]
        var args: [any DatabaseValueConvertible] = [layer.rawValue]
        if let level { clauses.append("level = ?"); args.append(level.rawValue) }
        // The grids in use, or a stored version's rows under the same column names (no R*Tree: a version is read
        // as of a date, seldom, and its boxes are compared row by row).
        let source = q.version.map { id in
            """
            (SELECT seq AS id, '\(layer.rawValue)' AS layer, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat, max_lon,
                    max_lat, area_m2, properties, import_id FROM grid_version WHERE import_id = \(id))
            """
        } ?? "grid"
        if !q.boxes.isEmpty {
            let any = q.boxes.map { b -> String in
                if q.version != nil {
                    args += [b.minX, b.maxX, b.minY, b.maxY]
                    return "(max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?)"
                }
                args += [b.minX, b.maxX, b.minY, b.maxY, b.minX, b.maxX, b.minY, b.maxY]
                return """
                    (id IN (SELECT id FROM grid_rtree WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?)
                     AND max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?)
                    """
            }
            clauses.append(any.count == 1 ? any[0] : "(" + any.joined(separator: " OR ") + ")")
        }
        if let f = q.filter { clauses.append(FilterSQL.sql(f, columns: FilterSQL.grids, spatial: .region, args: &args)) }
        // Keyset paging by code works where one level or one overlay is read; the residential layer as a whole
        // (levels first, then codes) pages by offset.
        let byCode = level != nil || layer != .residential
        var pageClauses = clauses, pageArgs = args
        var offset = 0
        switch q.cursor {
        case .afterCode(let code)?: pageClauses.append("code > ?"); pageArgs.append(code)
        case .offset(let n)?: offset = n
        case .beforeID?, nil: break
        }
        var sql = "SELECT * FROM \(source) WHERE " + pageClauses.joined(separator: " AND ") + " ORDER BY \(Self.gridOrderSQL)"
        if let limit = q.limit { sql += " LIMIT ? OFFSET ?"; pageArgs += [limit + 1, offset] }
        return try writer.read { db in
            var grids = try GridRecord.fetchAll(db, sql: sql, arguments: StatementArguments(pageArgs)).map(\.stored)
            var next: FeatureQuery.Cursor?
            if let limit = q.limit, grids.count > limit {
                grids.removeLast()
                next = byCode ? .afterCode(grids.last!.code) : .offset(offset + grids.count)
            }
            let matched = count ? try Int.fetchOne(db, sql: "SELECT count(*) FROM \(source) WHERE " + clauses.joined(separator: " AND "),
                                                   arguments: StatementArguments(args)) : nil
            return FeaturePage(items: grids, matched: matched, next: next)
        }
    }

    public func eventPage(_ q: FeatureQuery, count: Bool) throws -> FeaturePage<EventRecord> {
        guard q.target == .events else { preconditionFailure("eventPage needs an events query") }
        var page = q
        page.limit = q.limit.map { $0 + 1 }
        var records = try events(page)
        var next: FeatureQuery.Cursor?
        if let limit = q.limit, records.count > limit {
            records.removeLast()
            if case .offset(let n)? = q.cursor { next = .offset(n + records.count) } else { next = .beforeID(records.last!.id) }
        }
        return FeaturePage(items: records, matched: count ? try countEvents(q) : nil, next: next)
    }

    /// The columns an events page hands over: `ExportColumn`'s, then `EventItemColumn`'s.
    static let eventItemColumns = ExportColumn.allCases.map { "e.\($0.name)" }.joined(separator: ", ") + ", e.media_url, e.reporter_email"

    static let eventRowsByID = "SELECT \(eventItemColumns) FROM event e WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.id DESC"

    public func eventPageRows(_ q: FeatureQuery, _ body: (any EventColumns) throws -> Void) throws -> FeatureQuery.Cursor? {
        guard q.target == .events else { preconditionFailure("eventPageRows needs an events query") }
        let (whereSQL, args) = Self.filter(q)
        var sql = "SELECT \(Self.eventItemColumns) FROM event e" + whereSQL + " ORDER BY e.id DESC"
        var all = args
        if let limit = q.limit {
            sql += " LIMIT ?"
            all.append(limit + 1)
            if case .offset(let n)? = q.cursor { sql += " OFFSET ?"; all.append(n) }
        }
        var n = 0, last: Int64 = 0, more = false
        try forEachRawRow(sql: sql, arguments: StatementArguments(all)) { row in
            if let limit = q.limit, n == limit { more = true; return }
            try body(row)
            last = row.id
            n += 1
        }
        guard more else { return nil }
        if case .offset(let o)? = q.cursor { return .offset(o + n) }
        return .beforeID(last)
    }

    public func eventPageRowsCounted(_ q: FeatureQuery, _ body: (any EventColumns) throws -> Void) throws -> (next: FeatureQuery.Cursor?, matched: Int) {
        // One box and nothing else (the map's request): the ids in the box once (`eventIDs(in:)`), then the page's
        // rows by id. Otherwise the page and the count as two queries.
        guard q.boxes.count == 1, let limit = q.limit, q.narrowsOnlyByBox else {
            let next = try eventPageRows(q, body)
            return (next, try countEvents(q))
        }
        let before: Int64?
        switch q.cursor {
        case .beforeID(let id)?: before = id
        case nil: before = nil
        default:
            let next = try eventPageRows(q, body)
            return (next, try countEvents(q))
        }
        let b = q.boxes[0]
        return try snapshotRead { db in
            let ids = try eventIDs(in: b, db)
            let matched = ids.count
            let below = before.map { cut in ids.filter { $0 < cut } } ?? ids
            let more = below.count > limit
            let page = Self.largest(limit, of: below)
            if !page.isEmpty {
                // The ids as one JSON argument: one SQL text, compiled once.
                let ids = "[" + page.map(String.init).joined(separator: ",") + "]"
                try forEachRawRow(db, sql: Self.eventRowsByID, arguments: [ids], cached: true) { try body($0) }
            }
            return (more ? .beforeID(page.last!) : nil, matched)
        }
    }

    /// Reads every event's point into the in-memory point index now, so that the first map request does not
    /// (`serve` calls it in the background after the start). Nothing for a read-only store.
    public func warmEventPoints() throws {
        guard let points else { return }
        _ = try snapshotRead { db in try points.catchUp(self, db) }
    }

    /// The `k` largest of `ids` (distinct), largest first: a quickselect, then a sort of those `k` only (a page of
    /// 100 from the thousand ids in a box; sorting them all was 5 % of the request).
    static func largest(_ k: Int, of ids: [Int64]) -> [Int64] {
        guard k > 0 else { return [] }
        guard ids.count > k else { return ids.sorted(by: >) }
        var a = ids
        var lo = 0, hi = a.count - 1
        // Hoare partitions, largest first: afterwards every element before position k is larger than every one after.
        while lo < hi {
            let pivot = a[lo + (hi - lo) / 2]
            var i = lo, j = hi
            while i <= j {
                while a[i] > pivot { i += 1 }
                while a[j] < pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if k - 1 <= j { hi = j } else if k - 1 >= i { lo = i } else { break }
        }
        return a[0..<k].sorted(by: >)
    }

    public func eventRow(id: Int64, visibility: EventVisibility, _ body: (any EventColumns) throws -> Void) throws -> Bool {
        var q = FeatureQuery(.events)
        q.ids = [id]
        q.visibility = visibility
        // The SQL text varies only with the kind of visibility (four texts), so it is kept compiled; one statement
        // needs no transaction around it.
        let (whereSQL, args) = Self.filter(q)
        var found = false
        try forEachRowOfOneStatement(sql: "SELECT \(Self.eventItemColumns) FROM event e" + whereSQL, arguments: args) {
            found = true
            try body($0)
        }
        return found
    }

    public func gridExtent(layer: GridLayer, level: GridLevel?) throws -> BoundingBox? {
        try writer.read { db in
            var sql = "SELECT min(min_lon) AS x0, min(min_lat) AS y0, max(max_lon) AS x1, max(max_lat) AS y1, count(*) AS n FROM grid WHERE layer = ?"
            var args: [any DatabaseValueConvertible] = [layer.rawValue]
            if let level { sql += " AND level = ?"; args.append(level.rawValue) }
            guard let r = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(args)), (r["n"] as Int) > 0 else { return nil }
            return BoundingBox(minX: r["x0"], minY: r["y0"], maxX: r["x1"], maxY: r["y1"])
        }
    }

    /// Moves on with every change to any event: the last history entry, which every insert and every workflow action
    /// appends in its own transaction. Equal versions mean equal events.
    public func eventsVersion() throws -> Int64 {
        // One statement: no transaction needed around it (see `event(id:)`); every events page asks it first.
        var version: Int64 = 0
        try forEachRowOfOneStatement(sql: "SELECT coalesce(max(id), 0) FROM event_history") { version = Int64($0.int(0)) }
        return version
    }

    /// The bounding box of all events and their first and last occurred_at, or nil without events.
    public func eventExtent() throws -> (BoundingBox, Double, Double)? {
        try writer.read { db in
            guard let r = try Row.fetchOne(db, sql: """
                SELECT min(lon) AS x0, min(lat) AS y0, max(lon) AS x1, max(lat) AS y1, min(occurred_at) AS first, max(occurred_at) AS last,
                       count(*) AS n FROM event
                """), (r["n"] as Int) > 0 else { return nil }
            return (BoundingBox(minX: r["x0"], minY: r["y0"], maxX: r["x1"], maxY: r["y1"]), r["first"], r["last"])
        }
    }

}
