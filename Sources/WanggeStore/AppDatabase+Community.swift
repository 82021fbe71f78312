import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: CommunityRepository {
    public func replaceRoster(_ roster: Roster) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM appointment; DELETE FROM person")
            for p in roster.people {
                try db.cachedStatement(sql: "INSERT INTO person (id, name, phone) VALUES (?, ?, ?)").execute(arguments: [p.id, p.name, p.phone])
            }
            for a in roster.appointments {
                try db.cachedStatement(sql: "INSERT INTO appointment (person_id, grid_code, role, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)")
                    .execute(arguments: [a.person, a.grid, a.role.rawValue, a.validFrom, a.validTo])
            }
        }
    }

    public func roster() throws -> Roster {
        try writer.read { db in
            let people = try Row.fetchAll(db, sql: "SELECT id, name, phone FROM person ORDER BY id").map {
                Person(id: $0["id"], name: $0["name"], phone: $0["phone"])
            }
            let appointments = try Row.fetchAll(db, sql: "SELECT * FROM appointment ORDER BY grid_code, role, valid_from, id").compactMap { r -> Appointment? in
                guard let role = StaffRole(rawValue: r["role"]) else { return nil }
                return Appointment(person: r["person_id"], grid: r["grid_code"], role: role, validFrom: r["valid_from"], validTo: r["valid_to"])
            }
            return Roster(people: people, appointments: appointments)
        }
    }

    public func replaceOrganisations(_ list: [Organisation], moves: [OrganisationMove], at: Double) throws {
        let encoder = JSONEncoder()
        let assignments = try list.map { o in try o.assignment.map { String(decoding: try encoder.encode($0), as: UTF8.self) } }
        try writer.write { db in
            try db.execute(sql: "DELETE FROM organisation")
            for (o, a) in zip(list, assignments) {
                try db.cachedStatement(sql: """
                    INSERT INTO organisation (id, name, kind, category, contact, phone, lon, lat, assignment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [o.id, o.name, o.kind.rawValue, o.category, o.contact, o.phone, o.lon, o.lat, a])
            }
            for m in moves {
                try db.cachedStatement(sql: """
                    INSERT INTO organisation_move (at, organisation_id, name, layer, from_codes, to_codes) VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [at, m.organisation, m.name, m.layer.rawValue, Self.list(m.from), Self.list(m.to)])
            }
        }
    }

    public func replaceComponents(_ list: [Component]) throws {
        let encoder = JSONEncoder()
        let assignments = try list.map { c in try c.assignment.map { String(decoding: try encoder.encode($0), as: UTF8.self) } }
        try writer.write { db in
            try db.execute(sql: "DELETE FROM component")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO component (id, class, name, competent, owner, maintainer, state, installed_on, updated_on, lon, lat, assignment)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (c, a) in zip(list, assignments) {
                try insert.execute(arguments: [c.id, c.classID, c.name, c.competent, c.owner, c.maintainer, c.state.rawValue,
                                               c.installedOn, c.updatedOn, c.lon, c.lat, a])
            }
        }
    }

    public func component(id: String) throws -> Component? {
        try writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM component WHERE id = ?", arguments: [id]).flatMap(Self.component) }
    }

    public func components() throws -> [Component] {
        try writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM component ORDER BY id").compactMap(Self.component) }
    }

    static func component(_ r: Row) throws -> Component? {
        guard let state = Component.State(rawValue: r["state"]) else { return nil }
        let text: String? = r["assignment"]
        return Component(id: r["id"], classID: r["class"], name: r["name"], competent: r["competent"], owner: r["owner"],
                         maintainer: r["maintainer"], state: state, installedOn: r["installed_on"], updatedOn: r["updated_on"],
                         lon: r["lon"], lat: r["lat"],
                         assignment: try text.map { try JSONDecoder().decode(PointAssignment.self, from: Data($0.utf8)) })
    }

    public func organisations() throws -> [Organisation] {
        let decoder = JSONDecoder()
        return try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM organisation ORDER BY id").compactMap { r -> Organisation? in
                guard let kind = Organisation.Kind(rawValue: r["kind"]) else { return nil }
                let text: String? = r["assignment"]
                return Organisation(id: r["id"], name: r["name"], kind: kind, category: r["category"], contact: r["contact"],
                                    phone: r["phone"], lon: r["lon"], lat: r["lat"],
                                    assignment: try text.map { try decoder.decode(PointAssignment.self, from: Data($0.utf8)) })
            }
        }
    }

    public func organisationMoves(limit: Int) throws -> [(at: Double, move: OrganisationMove)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM organisation_move ORDER BY id DESC LIMIT ?", arguments: [limit]).compactMap { r in
                guard let layer = GridLayer(rawValue: r["layer"]) else { return nil }
                return (r["at"], OrganisationMove(organisation: r["organisation_id"], name: r["name"], layer: layer,
                                                  from: Self.list(r["from_codes"]), to: Self.list(r["to_codes"])))
            }
        }
    }

    public func replaceParty(_ party: PartyOrganisation) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM party_unit; DELETE FROM party_members")
            for u in party.units {
                try db.cachedStatement(sql: "INSERT INTO party_unit (grid_code, kind, name) VALUES (?, ?, ?)").execute(arguments: [u.grid, u.kind.rawValue, u.name])
            }
            for m in party.members {
                try db.cachedStatement(sql: "INSERT INTO party_members (grid_code, category, count) VALUES (?, ?, ?)")
                    .execute(arguments: [m.grid, m.category.rawValue, m.count])
            }
        }
    }

    public func party() throws -> PartyOrganisation {
        try writer.read { db in
            PartyOrganisation(
                units: try Row.fetchAll(db, sql: "SELECT * FROM party_unit ORDER BY grid_code").compactMap { r in
                    PartyOrganisation.UnitKind(rawValue: r["kind"]).map { PartyOrganisation.Unit(grid: r["grid_code"], kind: $0, name: r["name"]) }
                },
                members: try Row.fetchAll(db, sql: "SELECT * FROM party_members ORDER BY grid_code, category").compactMap { r in
                    PartyOrganisation.Category(rawValue: r["category"]).map { PartyOrganisation.Members(grid: r["grid_code"], category: $0, count: r["count"]) }
                })
        }
    }

    public func replaceJointBuilding(_ j: JointBuilding) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM grid_theme; DELETE FROM joint_link; DELETE FROM joint_activity")
            for t in j.themes {
                try db.cachedStatement(sql: "INSERT INTO grid_theme (grid_code, theme, name) VALUES (?, ?, ?)").execute(arguments: [t.grid, t.theme, t.name])
            }
            for l in j.links {
                try db.cachedStatement(sql: "INSERT INTO joint_link (grid_code, organisation_id, type) VALUES (?, ?, ?)")
                    .execute(arguments: [l.grid, l.organisation, l.type.rawValue])
            }
            for a in j.activities { _ = try Self.insert(a, db) }
        }
    }

    public func jointBuilding() throws -> JointBuilding {
        try writer.read { db in
            JointBuilding(
                themes: try Row.fetchAll(db, sql: "SELECT * FROM grid_theme ORDER BY grid_code").map {
                    JointBuilding.Theme(grid: $0["grid_code"], theme: $0["theme"], name: $0["name"])
                },
                links: try Row.fetchAll(db, sql: "SELECT * FROM joint_link ORDER BY grid_code, organisation_id, type").compactMap { r in
                    JointBuilding.LinkType(rawValue: r["type"]).map { JointBuilding.Link(grid: r["grid_code"], organisation: r["organisation_id"], type: $0) }
                },
                activities: try Row.fetchAll(db, sql: "SELECT * FROM joint_activity ORDER BY day, id").compactMap { r in
                    guard let type = JointBuilding.LinkType(rawValue: r["type"]), let scale = JointBuilding.Scale(rawValue: r["scale"]) else { return nil }
                    return JointBuilding.Activity(id: r["id"], date: r["day"], title: r["title"], type: type, scale: scale,
                                                  participants: r["participants"], grids: Self.list(r["grids"]), organisations: Self.list(r["organisations"]))
                })
        }
    }

    public func addActivity(_ a: JointBuilding.Activity) throws -> JointBuilding.Activity {
        try writer.write { db in
            var stored = a
            stored.id = try Self.insert(a, db)
            return stored
        }
    }

    static func insert(_ a: JointBuilding.Activity, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO joint_activity (day, title, type, scale, participants, grids, organisations) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [a.date, a.title, a.type.rawValue, a.scale.rawValue, a.participants,
                                     Self.list(a.grids), Self.list(a.organisations)])
        return db.lastInsertedRowID
    }

    /// Lists of codes are kept as JSON arrays of strings (codes may hold any character).
    static func list(_ codes: [String]) -> String {
        var w = GeoJSONWriter()
        w.appendValue(.array(codes.map { .string($0) }))
        return String(decoding: w.take(), as: UTF8.self)
    }

    static func list(_ text: String) -> [String] {
        guard case .array(let a)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
        return a.compactMap(\.stringValue)
    }
}
