import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: EventRepository {
    public func insert(_ batch: [EventInsert]) throws -> [(IdempotentResponse, created: Bool)] {
        try writer.write { db in
            try batch.map { try Self.insert($0, db) }
        }
    }

    static func insert(_ item: EventInsert, _ db: Database) throws -> (IdempotentResponse, created: Bool) {
        let e = item.event
        if let idempotency = item.idempotency, let tokenID = item.actor?.tokenID,
           let stored = try IdempotencyRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM idempotency WHERE token_id = ? AND key = ?"),
                                                       arguments: [tokenID, idempotency.key]) {
            return (stored.response, false)
        }
        let a = e.assignment
        let (slots, lower) = a.residential.storedSlots
        try db.cachedStatement(sql: """
            INSERT INTO event (type, severity, status, lon, lat, input_crs, input_x, input_y, description,
                reporter_name, reporter_phone, reporter_email, media_url, channel, occurred_at, reported_at, match, street,
                community, courtyard, building, lower_levels, functional, industry, touching, outside, submitted_by, boundary_mark, component)
            VALUES (?, ?, 'reported', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [e.type, e.severity, e.lon, e.lat, e.inputCRS, e.inputX, e.inputY, e.description,
                             e.reporterName, e.reporterPhone, e.reporterEmail, e.mediaURL, e.channel.rawValue, e.occurredAt, e.reportedAt,
                             a.residential.match.rawValue, slots[0], slots[1], slots[2], slots[3], lower,
                             a.functional.grids.joined(separator: ";"),
                             a.industry.grids.joined(separator: ";"), a.residential.touching.joined(separator: ";"),
                             e.isOutside, e.submittedBy, e.boundaryMark, e.component])
        let id = db.lastInsertedRowID
        // The grid and R*Tree indexes are filled later in bulk (indexPendingEvents): writing them here would dirty
        // a page per grid code and tree node in every commit.
        let actor = item.actor
        let first = HistoryEntry(at: e.reportedAt, actorToken: actor?.tokenID, actorName: actor?.name ?? "system",
                                 role: actor?.role.rawValue ?? "system", action: "report", from: nil, to: .reported,
                                 note: e.isOutside ? "outside every grid" : "")
        try db.cachedStatement(sql: HistoryRecord.insertSQL).execute(arguments: HistoryRecord.arguments(eventID: id, first))
        let record = EventRecord(id: id, event: e, status: .reported, department: nil, version: 1)
        var response = item.respond(record)
        response.eventID = id
        if let idempotency = item.idempotency, let tokenID = actor?.tokenID {
            try IdempotencyRecord(tokenID: tokenID, key: idempotency.key, requestHash: idempotency.requestHash, status: response.status,
                                  body: Data(response.body), eventID: id, createdAt: e.reportedAt).insert(db)
        }
        return (response, true)
    }

    /// Adds events above the watermark to `event_grid` and `event_rtree`, at most `limit` of them, in one
    /// transaction. Returns how many were indexed. Queries are exact whether or not this has run; it keeps the
    /// part they must scan short.
    @discardableResult
    public func indexPendingEvents(limit: Int = 5000) throws -> Int {
        try writer.write { db in
            let upto = try EventIndexState.fetchOne(db)?.indexedUpto ?? 0
            let events = try StoredEvent.fetchAll(db, sql: StoredEvent.selection + " WHERE e.id > ? ORDER BY e.id LIMIT ?",
                                                  arguments: [upto, limit]).map(\.record)
            guard let last = events.last else { return 0 }
            let tree = try db.cachedStatement(sql: "INSERT INTO event_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)")
            for r in events {
                let a = r.event.assignment
                let codes = Set(a.residential.codes + a.functional.grids + a.industry.grids)
                for c in codes { try EventGridRecord(gridCode: c, eventID: r.id).insert(db, onConflict: .ignore) }
                try tree.execute(arguments: [r.id, r.event.lon, r.event.lon, r.event.lat, r.event.lat])
            }
            try EventIndexState(indexedUpto: last.id).update(db)
            return events.count
        }
    }

    public func unindexedEventCount() throws -> Int {
        try writer.read { db in
            try Int.fetchOne(db, sql: """
                SELECT coalesce(max(id), 0) - (SELECT indexed_upto FROM event_index_state WHERE id = 1) FROM event
                """) ?? 0
        }
    }

    public func assignedVersions(eventID: Int64) throws -> [GridLayer: Int64] {
        try writer.read { db in
            // For each layer, the version activated last at or before the mark the event was assigned at.
            let rows = try Row.fetchAll(db, sql: """
                SELECT v.layer, v.id FROM event e JOIN grid_import v ON v.activation = (
                    SELECT max(w.activation) FROM grid_import w WHERE w.layer = v.layer AND w.activation <= e.boundary_mark)
                WHERE e.id = ?
                """, arguments: [eventID])
            var out: [GridLayer: Int64] = [:]
            for r in rows { if let layer = GridLayer(rawValue: r["layer"]) { out[layer] = r["id"] } }
            return out
        }
    }

    public func event(id: Int64) throws -> EventRecord? {
        // One statement needs no transaction around it (a read's BEGIN and COMMIT are compiled anew each time), and
        // the statement is kept compiled: preparing it (GRDB's authorizer notes every column read) was most of the
        // cost of an event by id.
        try writer.unsafeRead { db in
            try StoredEvent.fetchOne(db.cachedStatement(sql: StoredEvent.selection + " WHERE e.id = ?"), arguments: [id])?.record
        }
    }

    public func events(_ q: FeatureQuery) throws -> [EventRecord] {
        let (whereSQL, args) = Self.filter(q)
        var sql = StoredEvent.selection + whereSQL + " ORDER BY e.id DESC"
        var all = args
        if let limit = q.limit {
            sql += " LIMIT ?"
            all.append(limit)
            if case .offset(let n)? = q.cursor { sql += " OFFSET ?"; all.append(n) }
        }
        return try writer.read { db in
            try StoredEvent.fetchAll(db, sql: sql, arguments: StatementArguments(all)).map(\.record)
        }
    }

    public func countEvents(_ q: FeatureQuery) throws -> Int {
        var all = q
        all.cursor = nil
        if q.narrowsOnlyByBox {
            // The boxes of one query never overlap (an antimeridian box is split at ±180°).
            return try q.boxes.reduce(0) { $0 + (try countEvents(in: $1)) }
        }
        let (whereSQL, args) = Self.filter(all)
        return try writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM event e" + whereSQL, arguments: StatementArguments(args)) ?? 0
        }
    }

    /// Events in a box, counted from `eventIDs(in:)`.
    func countEvents(in b: BoundingBox) throws -> Int {
        try writer.read { db in try eventIDs(in: b, db).count }
    }

    /// The ids of the events in a box, in no order, from one statement: the R*Tree's 32-bit bounds are rounded
    /// outwards, so an entry wholly inside the box is an event inside it; only the entries across the box's edges
    /// are checked against the event's own coordinates (SQLite evaluates that lookup only when the first test
    /// fails), and the events not indexed yet are scanned. The ids are read from the statement's column directly.
    func eventIDs(in b: BoundingBox, _ db: Database) throws -> [Int64] {
        if let points { return try points.ids(in: b, self, db) }
        return try eventIDsFromTree(in: b, db)
    }

    /// `eventIDs(in:)` through the R*Tree (a read-only store, and the check of the point index).
    func eventIDsFromTree(in b: BoundingBox, _ db: Database) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(1024)
        let box: StatementArguments = ["x0": b.minX, "x1": b.maxX, "y0": b.minY, "y1": b.maxY]
        try forEachRawRow(db, sql: Self.eventIDsInBox, arguments: box, cached: true) { ids.append($0.id) }
        return ids
    }

    static let eventIDsInBox = """
        SELECT r.id FROM event_rtree r
        WHERE r.max_lon >= :x0 AND r.min_lon <= :x1 AND r.max_lat >= :y0 AND r.min_lat <= :y1
          AND ((r.min_lon >= :x0 AND r.max_lon <= :x1 AND r.min_lat >= :y0 AND r.max_lat <= :y1)
               OR EXISTS (SELECT 1 FROM event e WHERE e.id = r.id AND e.lon BETWEEN :x0 AND :x1 AND e.lat BETWEEN :y0 AND :y1))
        UNION ALL
        SELECT id FROM event WHERE id > (SELECT indexed_upto FROM event_index_state WHERE id = 1)
          AND lon BETWEEN :x0 AND :x1 AND lat BETWEEN :y0 AND :y1
        """

    /// The WHERE clause for an events query's filters, boxes, cursor and visibility, and its arguments.
    static func filter(_ q: FeatureQuery) -> (String, [any DatabaseValueConvertible]) {
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        func any(_ column: String, _ values: [any DatabaseValueConvertible]) {
            guard !values.isEmpty else { return }
            clauses.append(values.count == 1 ? "\(column) = ?" : "\(column) IN (" + values.map { _ in "?" }.joined(separator: ", ") + ")")
            args += values
        }
        any("e.status", q.statuses.map(\.rawValue))
        any("e.type", q.types)
        any("e.id", q.ids)
        if let v = q.severity { clauses.append("e.severity = ?"); args.append(v) }
        let tail = "SELECT indexed_upto FROM event_index_state WHERE id = 1"
        if let g = q.grid {
            clauses.append("""
                e.id IN (SELECT event_id FROM event_grid WHERE grid_code = ?
                         UNION ALL
                         SELECT id FROM event WHERE id > (\(tail)) AND (street = ? OR community = ? OR courtyard = ? OR building = ?
                             OR (lower_levels IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(lower_levels) WHERE value = ?)) OR instr(';' || functional || ';', ';' || ? || ';') > 0 OR instr(';' || industry || ';', ';' || ? || ';') > 0))
                """)
            args += [g, g, g, g, g, g, g, g]
        }
        if let s = q.since { clauses.append("e.occurred_at >= ?"); args.append(s) }
        if let u = q.until { clauses.append("e.occurred_at < ?"); args.append(u) }
        if let s = q.reportedFrom { clauses.append("e.reported_at >= ?"); args.append(s) }
        if let u = q.reportedTo { clauses.append("e.reported_at < ?"); args.append(u) }
        if !q.boxes.isEmpty {
            var any: [String] = []
            for b in q.boxes {
                // Candidates from the R*Tree (and the events not indexed yet); the exact test is on the event itself,
                // since the tree stores 32-bit bounds rounded outwards.
                any.append("""
                    (e.id IN (SELECT id FROM event_rtree WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?
                              UNION ALL
                              SELECT id FROM event WHERE id > (\(tail)) AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?)
                     AND e.lon BETWEEN ? AND ? AND e.lat BETWEEN ? AND ?)
                    """)
                args += [b.minX, b.maxX, b.minY, b.maxY, b.minX, b.maxX, b.minY, b.maxY, b.minX, b.maxX, b.minY, b.maxY]
            }
            clauses.append(any.count == 1 ? any[0] : "(" + any.joined(separator: " OR ") + ")")
        }
        if let f = q.filter { clauses.append(FilterSQL.sql(f, columns: FilterSQL.events(q.levels), spatial: .point(lon: "e.lon", lat: "e.lat"), args: &args)) }
        if case .beforeID(let before)? = q.cursor { clauses.append("e.id < ?"); args.append(before) }
        switch q.visibility {
        case .all: break
        case .submittedBy(let token): clauses.append("e.submitted_by = ?"); args.append(token)
        case .department(let d): clauses.append("e.department = ?"); args.append(d)
        case .none: clauses.append("0")
        }
        return (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "), args)
    }

    public func eventTypes() throws -> [EventType] {
        try writer.read { db in try EventTypeRecord.order(EventTypeRecord.Columns.code).fetchAll(db).map(\.eventType) }
    }

    public func departments() throws -> [Department] {
        try writer.read { db in try DepartmentRecord.order(DepartmentRecord.Columns.code).fetchAll(db).map(\.department) }
    }

    public func replaceCatalog(departments: [Department], eventTypes: [EventType]) throws {
        try writer.write { db in
            // Upserts keep the codes events already refer to.
            for d in departments { try DepartmentRecord(d).upsert(db) }
            for t in eventTypes { try EventTypeRecord(t).upsert(db) }
        }
    }
}
