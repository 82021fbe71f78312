import Foundation
import GRDB
import WanggeCore

extension AppDatabase: EventRepository {
    public func insert(_ e: NewEvent, actor: Identity?, idempotency: (key: String, requestHash: String)?,
                       respond: (EventRecord) -> IdempotentResponse) throws -> (IdempotentResponse, created: Bool) {
        try writer.write { db in
            if let idempotency, let tokenID = actor?.tokenID,
               let row = try Row.fetchOne(db, sql: "SELECT * FROM idempotency WHERE token_id = ? AND key = ?",
                                          arguments: [tokenID, idempotency.key]) {
                return (IdempotentResponse(status: row["status"], body: [UInt8](row["body"] as Data),
                                           requestHash: row["request_hash"]), false)
            }
            let a = e.assignment
            try db.execute(sql: """
                INSERT INTO event (type, severity, status, lon, lat, input_crs, input_x, input_y, description,
                    reporter_name, reporter_phone, channel, occurred_at, reported_at, match, street, community, courtyard,
                    building, functional, industry, touching, outside, submitted_by)
                VALUES (?, ?, 'reported', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [e.type, e.severity, e.lon, e.lat, e.inputCRS, e.inputX, e.inputY, e.description,
                                 e.reporterName, e.reporterPhone, e.channel.rawValue, e.occurredAt, e.reportedAt,
                                 a.residential.match.rawValue, a.residential.street, a.residential.community,
                                 a.residential.courtyard, a.residential.building, a.functional.grids.joined(separator: ";"),
                                 a.industry.grids.joined(separator: ";"), a.residential.touching.joined(separator: ";"),
                                 e.isOutside, e.submittedBy])
            let id = db.lastInsertedRowID
            let codes = [a.residential.street, a.residential.community, a.residential.courtyard, a.residential.building]
                .compactMap { $0 } + a.functional.grids + a.industry.grids
            for code in Set(codes) {
                try db.execute(sql: "INSERT INTO event_grid (grid_code, event_id) VALUES (?, ?)", arguments: [code, id])
            }
            try db.execute(sql: "INSERT INTO event_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, e.lon, e.lon, e.lat, e.lat])
            try db.execute(sql: """
                INSERT INTO event_history (event_id, at, actor_token, actor_name, role, action, from_status, to_status, note)
                VALUES (?, ?, ?, ?, ?, 'report', NULL, 'reported', ?)
                """, arguments: [id, e.reportedAt, actor?.tokenID, actor?.name ?? "system", actor?.role.rawValue ?? "system",
                                 e.isOutside ? "outside every grid" : ""])
            let record = EventRecord(id: id, event: e, status: .reported, department: nil, version: 1)
            let response = respond(record)
            if let idempotency, let tokenID = actor?.tokenID {
                try db.execute(sql: """
                    INSERT INTO idempotency (token_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [tokenID, idempotency.key, idempotency.requestHash, response.status,
                                     Data(response.body), e.reportedAt])
            }
            return (response, true)
        }
    }

    public func event(id: Int64) throws -> EventRecord? {
        try writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [id]).map(Self.event) }
    }

    public func events(_ q: EventQuery) throws -> [EventRecord] {
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        if let s = q.status { clauses.append("e.status = ?"); args.append(s.rawValue) }
        if let t = q.type { clauses.append("e.type = ?"); args.append(t) }
        if let g = q.grid { clauses.append("e.id IN (SELECT event_id FROM event_grid WHERE grid_code = ?)"); args.append(g) }
        if let s = q.since { clauses.append("e.occurred_at >= ?"); args.append(s) }
        if let u = q.until { clauses.append("e.occurred_at < ?"); args.append(u) }
        if let b = q.bbox {
            clauses.append("e.id IN (SELECT id FROM event_rtree WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?)")
            args += [b.minX, b.maxX, b.minY, b.maxY]
            // The R*Tree stores 32-bit bounds rounded outwards; the exact test is on the event itself.
            clauses.append("e.lon BETWEEN ? AND ? AND e.lat BETWEEN ? AND ?")
            args += [b.minX, b.maxX, b.minY, b.maxY]
        }
        if let before = q.beforeID { clauses.append("e.id < ?"); args.append(before) }
        switch q.visibility {
        case .all: break
        case .submittedBy(let token): clauses.append("e.submitted_by = ?"); args.append(token)
        case .department(let d): clauses.append("e.department = ?"); args.append(d)
        }
        let sql = "SELECT e.* FROM event e" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
            + " ORDER BY e.id DESC LIMIT ?"
        args.append(q.limit)
        return try writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.event)
        }
    }

    static func event(_ r: Row) -> EventRecord {
        func codes(_ s: String) -> [String] { s.isEmpty ? [] : s.split(separator: ";").map(String.init) }
        let match = MatchKind(rawValue: r["match"]) ?? .outside
        let residential = ResidentialAnswer(match: match, street: r["street"], community: r["community"],
                                            courtyard: r["courtyard"], building: r["building"], touching: codes(r["touching"]))
        let functional: [String] = codes(r["functional"]), industry: [String] = codes(r["industry"])
        let assignment = PointAssignment(lon: r["lon"], lat: r["lat"], residential: residential,
                                         functional: OverlayAnswer(match: functional.isEmpty ? .outside : .inside, grids: functional),
                                         industry: OverlayAnswer(match: industry.isEmpty ? .outside : .inside, grids: industry))
        let e = NewEvent(type: r["type"], severity: r["severity"], lon: r["lon"], lat: r["lat"], inputCRS: r["input_crs"],
                         inputX: r["input_x"], inputY: r["input_y"], description: r["description"],
                         reporterName: r["reporter_name"], reporterPhone: r["reporter_phone"],
                         channel: EventChannel(rawValue: r["channel"]) ?? .web, occurredAt: r["occurred_at"],
                         reportedAt: r["reported_at"], assignment: assignment, submittedBy: r["submitted_by"])
        return EventRecord(id: r["id"], event: e, status: EventStatus(rawValue: r["status"]) ?? .reported,
                           department: r["department"], version: r["version"])
    }

    public func eventTypes() throws -> [EventType] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event_type ORDER BY code").map {
                EventType(code: $0["code"], name: $0["name"], nameEn: $0["name_en"], category: $0["category"],
                          defaultDepartment: $0["default_department"])
            }
        }
    }

    public func departments() throws -> [Department] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM department ORDER BY code").map {
                Department(code: $0["code"], name: $0["name"], nameEn: $0["name_en"], phone: $0["phone"])
            }
        }
    }

    public func replaceCatalog(departments: [Department], eventTypes: [EventType]) throws {
        try writer.write { db in
            // Upserts keep the codes events already refer to.
            for d in departments {
                try db.execute(sql: """
                    INSERT INTO department (code, name, name_en, phone) VALUES (?, ?, ?, ?)
                    ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, phone = excluded.phone
                    """, arguments: [d.code, d.name, d.nameEn, d.phone])
            }
            for t in eventTypes {
                try db.execute(sql: """
                    INSERT INTO event_type (code, name, name_en, category, default_department) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                        category = excluded.category, default_department = excluded.default_department
                    """, arguments: [t.code, t.name, t.nameEn, t.category, t.defaultDepartment])
            }
        }
    }
}
