import Foundation
import GRDB
import Testing
import WanggeCore
@testable import WanggeStore
import WanggeTestSupport

@Suite("Migrations: databases written by earlier releases open and read")
struct MigrationTests {
    /// A copy of a fixture database in a fresh directory (opening migrates it in place).
    static func copy(_ name: String) throws -> String {
        let path = try Fixtures.temporaryDirectory() + "/" + name
        try FileManager.default.copyItem(atPath: Fixtures.path("migrations/\(name)"), toPath: path)
        return path
    }

    /// The ten columns v4 added, of every event, read with plain SQL.
    static func outcomeColumns(_ path: String) throws -> [[DatabaseValue]] {
        let names = "accepted_at, resolved_at, resolved_late_hours, closed_at, suspended, reworks, returns, extensions, satisfaction, rating"
        return try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, \(names) FROM event ORDER BY id").map { Array($0.databaseValues) }
        }
    }

    @Test("the previous release's database opens, takes only the newer migrations, and every grid, event, state, history line and token reads back")
    func previousRelease() throws {
        let path = try Self.copy("v4-report-columns.db")
        let raw = try DatabaseQueue(path: path)
        let (rawEvents, rawHistory, rawGrids, rawLevels) = try raw.read { db in
            (try Row.fetchAll(db, sql: "SELECT id, type, status, version, department, submitted_by, workflow FROM event ORDER BY id"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM event_history")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM grid")!,
             Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT layer, code, level FROM grid").map { r -> (String, String?) in
                 ("\(r["layer"] as String)/\(r["code"] as String)", r["level"])
             }))
        }
        let db = try AppDatabase(path: path)
        #expect(try db.writer.read { try AppDatabase.migrator.appliedIdentifiers($0) } == Set(AppDatabase.migrator.migrations))
        #expect(rawEvents.count == 300 && rawGrids == 115)
        let grids = try db.grids(in: nil)
        #expect(grids.count == rawGrids)
        for g in grids { _ = try WKB.decode(g.wkb) }
        // v10 rebuilt the grid table: every grid keeps its level, now with its rank in the standard scheme.
        #expect(grids.allSatisfy { g in
            rawLevels["\(g.layer.rawValue)/\(g.code)"] == .some(g.level?.name)
                && g.level.map { LevelScheme.standard.level(named: $0.name) == $0 } ?? (g.layer != .residential)
        })
        #expect(try db.levelScheme() == .standard)
        var states = 0, lines = 0
        for row in rawEvents {
            let id: Int64 = row["id"]
            let (record, state) = try #require(try db.workflow(eventID: id))
            #expect(record.event.type == row["type"] && record.status.rawValue == row["status"] && record.version == row["version"])
            #expect(record.department == row["department"] && record.event.submittedBy == row["submitted_by"])
            if (row["workflow"] as String?) != nil {
                // Decoded, not the as-reported fallback: the stored version and status come back.
                #expect(state.version == record.version && state.status == record.status && state.type == record.event.type)
                states += 1
            }
            lines += try db.history(eventID: id).count
        }
        #expect(states == 299 && lines == rawHistory)
        #expect(try db.tokens().count == 21)
        #expect(try db.setting("sla") != nil && db.setting("routing") != nil)
        #expect(try db.eventTypes().count == 21 && db.departments().count == 13)
    }

    @Test("the v4 migration, frozen as SQL, gives a v3 database exactly the report columns the release with it in Swift gave")
    func v4FromV3() throws {
        let path = try Self.copy("v3-closed-loop.db")
        #expect(try DatabaseQueue(path: path).read { try AppDatabase.migrator.appliedIdentifiers($0) }.count == 3)
        _ = try AppDatabase(path: path)
        let migrated = try Self.outcomeColumns(path)
        let expected = try Self.outcomeColumns(Fixtures.path("migrations/v4-report-columns.db"))
        #expect(migrated.count == 300)
        #expect(migrated.filter { !$0[3].isNull }.count == 262, "resolved_late_hours where the event was resolved")
        for (m, e) in zip(migrated, expected) {
            #expect(m == e, "event \(e[0])")
        }
    }

    @Test("read-only commands leave a current database's file as it is, migrate one an earlier release made, and name a missing one")
    func readOnly() throws {
        let old = try Self.copy("v4-report-columns.db")
        #expect(throws: WanggeError.self) { try AppDatabase(readingFrom: old) }
        let (migrated, didMigrate) = try AppDatabase.openForReading(old)
        let events = try migrated.countEvents(.allEvents)
        #expect(didMigrate && events > 0)
        // Current now: opened again without a write, the file is not touched.
        let before = try FileManager.default.attributesOfItem(atPath: old)
        Thread.sleep(forTimeInterval: 1.1)
        let (again, migratedAgain) = try AppDatabase.openForReading(old)
        let eventsAgain = try again.countEvents(.allEvents)
        #expect(!migratedAgain && eventsAgain == events)
        let after = try FileManager.default.attributesOfItem(atPath: old)
        #expect(before[.modificationDate] as? Date == after[.modificationDate] as? Date && before[.size] as? Int == after[.size] as? Int)
        #expect(throws: WanggeError.self) { try AppDatabase.openForReading(old + ".missing") }
    }
}
