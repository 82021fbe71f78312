import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeAssignment
import WanggeCore
@testable import WanggeGeo
import WanggeUseCases
@testable import WanggeServer
import WanggeStore
import WanggeTestSupport

/// Boundary versions over HTTP: staged uploads, the diff before activation, activation.
@Suite("Boundary versions: staged uploads, the diff, activation")
struct VersionEndpointTests {
    /// The sample's functional layer with its first grid moved 150 m east and its second left out: events and
    /// organisations near them change grid.
    static func changedFunctional() throws -> (bytes: [UInt8], moved: String, removed: String) {
        let text = try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/functional.geojson"))
        guard var doc = try JSONValue.parse([UInt8](text)).objectValue, case .array(var features)? = doc["features"] else {
            throw WanggeError.invalidInput("functional.geojson is not a FeatureCollection")
        }
        func shifted(_ v: JSONValue) -> JSONValue {
            guard case .array(let a) = v else { return v }
            if a.count >= 2, let x = a[0].doubleValue, a.allSatisfy({ $0.doubleValue != nil }) {
                return .array([.number(JSONNumber(x + 0.0017))] + a.dropFirst())
            }
            return .array(a.map(shifted))
        }
        var first = features[0].objectValue!
        var geometry = first["geometry"]!.objectValue!
        geometry["coordinates"] = shifted(geometry["coordinates"]!)
        first["geometry"] = .object(geometry)
        features[0] = .object(first)
        let code = { (f: JSONValue) in f.objectValue!["properties"]!.objectValue!["code"]!.stringValue! }
        let moved = code(features[0]), removed = code(features[1])
        features.remove(at: 1)
        doc["features"] = .array(features)
        var w = GeoJSONWriter()
        w.appendValue(.object(doc))
        return (w.bytes, moved, removed)
    }

    func upload(_ client: some TestClientProtocol, _ f: ServerFixture, _ bytes: [UInt8], activate: Bool = false) async throws -> JSONObject {
        try await client.execute(uri: "/boundaries?layer=functional\(activate ? "&activate=true" : "")", method: .post,
                                 headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]), body: ByteBuffer(bytes: bytes)) { r in
            #expect(r.status == .ok, "\(r.text)")
            return r.json
        }
    }

    @Test("an upload is staged by default: nothing in use changes; the diff counts grids and every moved event and organisation as a brute-force GEOS recount does; activation puts it in use")
    func stagedDiffActivate() async throws {
        let f = try await ServerFixture.withHistory()
        let (bytes, movedCode, removedCode) = try Self.changedFunctional()
        let gridsBefore = try f.database.grids(in: .functional)
        let activeBefore = try #require(try f.database.activeVersions()[.functional])
        try await f.app().test(.router) { client in
            let organisations = try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/organisations.geojson"))
            try await client.execute(uri: "/organisations", method: .put, headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]),
                                     body: ByteBuffer(bytes: [UInt8](organisations))) { r in #expect(r.status == .ok, "\(r.text)") }
            let staged = try await upload(client, f, bytes)
            #expect(staged["status"] == .string("staged"))
            let id = try #require(staged["import_id"]?.doubleValue.map { Int64($0) })
            #expect(try f.database.grids(in: .functional) == gridsBefore, "a staged version changes nothing in use")
            try await client.execute(uri: "/versions?layer=functional", method: .get, headers: f.headers(.gis)) { r in
                #expect(r.status == .ok)
                let list = r.json["versions"]
                guard case .array(let versions)? = list else { Issue.record("no versions"); return }
                #expect(versions.first?.objectValue?["status"] == .string("staged"))
                #expect(versions.first?.objectValue?["valid_from"] == .null)
                #expect(versions.dropFirst().first?.objectValue?["status"] == .string("active"))
            }
            try await client.execute(uri: "/versions", method: .get, headers: f.headers(.viewer)) { r in #expect(r.status == .forbidden) }

            // The diff, and the same counts recomputed by brute force: GEOS covers of every stored event against
            // the staged grids, compared with the codes each event holds.
            let diff = try await client.execute(uri: "/versions/\(id)/diff", method: .get, headers: f.headers(.gis)) { r in
                #expect(r.status == .ok, "\(r.text)")
                return r.json
            }
            let grids = try #require(diff["grids"]?.objectValue)
            #expect(grids["added"] == .number(JSONNumber(0)) && grids["removed"] == .number(JSONNumber(1)) && grids["changed"] == .number(JSONNumber(1)))
            guard case .array(let list)? = grids["list"] else { Issue.record("no grid list"); return }
            let changed = list.compactMap(\.objectValue)
            #expect(changed.contains { $0["code"] == .string(movedCode) && $0["change"] == .string("changed") && $0["fields"] == .array([.string("geometry")]) })
            #expect(changed.contains { $0["code"] == .string(removedCode) && $0["change"] == .string("removed") && $0["area_after_m2"] == .null })

            let next = try f.database.versionGrids(id)
            let context = GeosContext()
            let prepared = try next.map { try GeosPreparedGeometry(GeosGeometry(wkb: $0.wkb, in: context)) }
            var expected: [String: Int] = [:]
            var total = 0
            for e in try f.database.events(.allEvents) {
                let point = try GeosGeometry(.point(x: e.event.lon, y: e.event.lat), in: context)
                var now: [String] = []
                for (i, p) in prepared.enumerated() where next[i].bbox.contains(x: e.event.lon, y: e.event.lat) {
                    if try p.covers(point) { now.append(next[i].code) }
                }
                let before = e.event.assignment.functional.grids
                if before != now.sorted() {
                    expected["\(before.joined(separator: ";"))>\(now.sorted().joined(separator: ";"))", default: 0] += 1
                    total += 1
                }
            }
            #expect(total > 0, "the change moves some of the sample's events")
            #expect(diff["events"]?.objectValue?["would_move"] == .number(JSONNumber(total)))
            #expect(diff["events"]?.objectValue?["checked"] == .number(JSONNumber(3000)))
            guard case .array(let moves)? = diff["moves"] else { Issue.record("no moves"); return }
            var got: [String: Int] = [:]
            for m in moves.compactMap(\.objectValue) where (m["events"]?.doubleValue ?? 0) > 0 {
                got["\(m["from"]?.stringValue ?? "")>\(m["to"]?.stringValue ?? "")"] = Int(m["events"]!.doubleValue!)
            }
            #expect(got == expected)
            let organisationsMoved = Int(diff["organisations"]?.objectValue?["would_move"]?.doubleValue ?? -1)
            #expect(organisationsMoved > 0)
            try await client.execute(uri: "/versions/\(id)/diff?f=geojson", method: .get, headers: f.headers(.gis)) { r in
                #expect(r.headers[.contentType] == FeatureJSON.geojson)
                guard case .array(let points)? = r.json["features"] else { Issue.record("no features"); return }
                #expect(points.count == total + organisationsMoved)
                #expect(points.allSatisfy { $0.objectValue?["geometry"]?.objectValue?["type"] == .string("Point") })
            }

            // Activation: a viewer may not; GIS staff may, and lookups follow before the answer.
            try await client.execute(uri: "/versions/\(id)/activate", method: .post, headers: f.headers(.viewer)) { r in #expect(r.status == .forbidden) }
            try await client.execute(uri: "/versions/\(id)/activate", method: .post, headers: f.headers(.gis)) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.json["version"]?.objectValue?["status"] == .string("active"))
            }
            #expect(try f.database.grids(in: .functional).map(\.code).sorted() == next.map(\.code).sorted())
            #expect(f.engine.snapshot.grids.filter { $0.layer == .functional }.count == next.count)
            #expect(try f.database.version(activeBefore.id)?.status == .retired)
            #expect(try f.database.auditLog(limit: 10, action: .versionActivated, since: nil).count == 1)
            // The events keep the grids they were assigned.
            #expect(try f.database.events(.allEvents).filter { $0.event.assignment.functional.grids.contains(removedCode) }.isEmpty == false)
            try await client.execute(uri: "/versions/999/activate", method: .post, headers: f.headers(.gis)) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/versions/999/diff", method: .get, headers: f.headers(.gis)) { r in #expect(r.status == .notFound) }
        }
    }

    @Test("activation under concurrent lookups: every lookup is answered, by the old grids or the new, never an error")
    func activationUnderLoad() async throws {
        let f = try ServerFixture()
        let (bytes, _, _) = try Self.changedFunctional()
        let staged = try BoundaryImport(options: BoundaryOptions(layer: .functional), activate: false)
            .run(data: bytes, source: "test", repository: f.database)
        let id = try #require(staged.landed?.id)
        let oldCodes = Set(try f.database.grids(in: .functional).map(\.code)), newCodes = Set(try f.database.versionGrids(id).map(\.code))
        try await f.app().test(.live) { client in
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var ok = 0, bad = 0
                        for i in 0..<150 {
                            let lon = 114.445 + Double((i * 7 + worker) % 100) * 0.0002, lat = 38.055 + Double((i * 13 + worker) % 100) * 0.0002
                            try await client.execute(uri: "/lookup?lon=\(lon)&lat=\(lat)", method: .get, headers: f.headers(.viewer)) { r in
                                let codes = (r.json["functional"]?.objectValue?["grids"]).flatMap { v -> [String]? in
                                    guard case .array(let a) = v else { return nil }
                                    return a.compactMap(\.stringValue)
                                } ?? []
                                if r.status == .ok && codes.allSatisfy({ oldCodes.contains($0) || newCodes.contains($0) }) { ok += 1 } else { bad += 1 }
                            }
                        }
                        return (ok, bad)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(50))
                    try await client.execute(uri: "/versions/\(id)/activate", method: .post, headers: f.headers(.gis)) { r in
                        #expect(r.status == .ok, "\(r.text)")
                    }
                    return (0, 0)
                }
                var ok = 0, bad = 0
                for try await (o, b) in group { ok += o; bad += b }
                #expect(bad == 0 && ok == 600)
            }
        }
        #expect(f.engine.snapshot.grids.filter { $0.layer == .functional }.map(\.code).sorted() == newCodes.sorted())
    }

    @Test("an activation made beside the running service (`wangge versions activate`) reaches its index within seconds; staging alone does not reload")
    func activationFromOutside() async throws {
        let f = try ServerFixture()
        let (bytes, _, removed) = try Self.changedFunctional()
        let generation = f.engine.snapshot.generation
        let staged = try BoundaryImport(options: BoundaryOptions(layer: .functional), activate: false)
            .run(data: bytes, source: "cli", repository: f.database)
        let id = try #require(staged.landed?.id)
        try await f.app().test(.router) { _ in
            try await Task.sleep(for: .milliseconds(1500))
            #expect(f.engine.snapshot.generation == generation, "a staged version leaves the index alone")
            _ = try f.database.activate(version: id, at: Date().timeIntervalSince1970)
            var codes: Set<String> = []
            for _ in 0..<50 {
                codes = Set(f.engine.snapshot.grids.filter { $0.layer == .functional }.map(\.code))
                if !codes.contains(removed) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!codes.isEmpty && !codes.contains(removed), "the index checks the boundary mark every second")
        }
    }

    @Test("?date= answers with the version in use then: items, one item and lookups before and after an activation; no version then is a 404")
    func asOfDate() async throws {
        let f = try ServerFixture()
        let (bytes, _, removed) = try Self.changedFunctional()
        // A point in the grid the new version leaves out, found with the index in use before.
        let box = try #require(try f.database.grids(code: removed).first { $0.layer == .functional }).bbox
        var point: (Double, Double)?
        search: for i in 1..<20 { for j in 1..<20 {
            let x = box.minX + (box.maxX - box.minX) * Double(i) / 20, y = box.minY + (box.maxY - box.minY) * Double(j) / 20
            if try await f.engine.assign(x: x, y: y).functional.grids.contains(removed) { point = (x, y); break search }
        } }
        let (x, y) = try #require(point)
        let staged = try BoundaryImport(options: BoundaryOptions(layer: .functional), activate: false).run(data: bytes, source: "t", repository: f.database)
        let id = try #require(staged.landed?.id)
        try await Task.sleep(for: .milliseconds(20))
        let before = Timestamp.format(Date().timeIntervalSince1970)
        try await Task.sleep(for: .milliseconds(20))
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/versions/\(id)/activate", method: .post, headers: f.headers(.gis)) { r in #expect(r.status == .ok) }
            func codes(_ uri: String) async throws -> [String] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok, "\(uri): \(r.text.prefix(200))")
                    guard case .array(let features)? = r.json["features"] else { return [] }
                    return features.compactMap { $0.objectValue?["id"]?.stringValue }
                }
            }
            let encoded = before.replacingOccurrences(of: "+", with: "%2B")
            #expect(try await codes("/collections/functional/items?limit=1000&date=\(encoded)").contains(removed))
            #expect(try await !codes("/collections/functional/items?limit=1000").contains(removed))
            #expect(try await !codes("/collections/functional/items?limit=1000&date=\(CalendarDay.day(Date().timeIntervalSince1970))").contains(removed),
                    "a day means the versions in use when it ended")
            try await client.execute(uri: "/collections/functional/items?date=2000-01-01", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/collections/functional/items?date=yesterday", method: .get) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/collections/functional/items/\(removed)?date=\(encoded)", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/collections/functional/items/\(removed)", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/collections/events/items?date=\(encoded)", method: .get, headers: f.headers(.viewer)) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/lookup?lon=\(x)&lat=\(y)&date=\(encoded)", method: .get, headers: f.headers(.viewer)) { r in
                #expect(r.status == .ok)
                guard case .array(let a)? = r.json["functional"]?.objectValue?["grids"] else { Issue.record("no grids"); return }
                #expect(a.contains(.string(removed)), "the grid left out by the new version answers as of before")
                #expect(r.json["versions"]?.objectValue?["functional"] != .number(JSONNumber(Int(id))))
                #expect(r.json["versions"]?.objectValue?["residential"] != nil)
            }
            try await client.execute(uri: "/lookup?lon=\(x)&lat=\(y)", method: .get, headers: f.headers(.viewer)) { r in
                guard case .array(let a)? = r.json["functional"]?.objectValue?["grids"] else { Issue.record("no grids"); return }
                #expect(!a.contains(.string(removed)))
                #expect(r.json["versions"] == nil)
            }
        }
    }

    @Test("grid reports on other boundaries: the versions in use when the period ended, and every event assigned again to the report's grids (checked against the engine event by event)")
    func reports() async throws {
        let f = try await ServerFixture.withHistory()
        let (bytes, moved, removed) = try Self.changedFunctional()
        let staged = try BoundaryImport(options: BoundaryOptions(layer: .functional), activate: false).run(data: bytes, source: "t", repository: f.database)
        let id = try #require(staged.landed?.id)
        try await Task.sleep(for: .milliseconds(20))
        let beforeActivation = Date().timeIntervalSince1970
        try await Task.sleep(for: .milliseconds(20))
        try await f.app().test(.router) { client in
            func get(_ uri: String) async throws -> TestResponse {
                try await client.execute(uri: uri.replacingOccurrences(of: "+", with: "%2B"), method: .get, headers: f.headers(.viewer)) { $0 }
            }
            func codes(_ r: TestResponse) -> [String: Int] {
                guard case .array(let rows)? = r.json["grids"] else { return [:] }
                return Dictionary(rows.compactMap(\.objectValue).map { ($0["code"]!.stringValue!, Int($0["received"]!.doubleValue!)) }, uniquingKeysWith: { a, _ in a })
            }
            try await client.execute(uri: "/versions/\(id)/activate", method: .post, headers: f.headers(.gis)) { r in #expect(r.status == .ok) }
            let quarter = "period=quarter&date=2026-08-01"
            let stored = try await get("/reports/grids?level=functional&\(quarter)")
            #expect(stored.status == .ok && stored.json["boundaries"] == nil)
            #expect(codes(stored)[removed] == nil, "the grids in use by default")
            // Events assigned again: each grid's count is the engine's, event by event.
            let again = try await get("/reports/grids?level=functional&\(quarter)&assignment=reassigned")
            #expect(again.status == .ok, "\(again.text.prefix(300))")
            #expect(again.json["boundaries"]?.objectValue?["assignment"] == .string("reassigned"))
            var expected: [String: Int] = [:]
            let period = try Reporting(repository: f.database).period(kind: "quarter", date: "2026-08-01", from: nil, to: nil, timeZone: nil)
            for e in try f.database.events(.allEvents) where e.event.reportedAt >= period.from && e.event.reportedAt < period.to {
                for code in try await f.engine.assign(x: e.event.lon, y: e.event.lat).functional.grids { expected[code, default: 0] += 1 }
            }
            let got = codes(again).filter { $0.value > 0 }
            #expect(got == expected)
            #expect(codes(again)[moved] != codes(stored)[moved], "the moved grid's count follows its new boundary")
            // The versions in use when a period ended: before the activation, the old grids (the removed one too).
            let span = "from=\(Timestamp.format(beforeActivation - 60))&to=\(Timestamp.format(beforeActivation))"
            let then = try await get("/reports/grids?level=functional&\(span)&boundaries=period")
            #expect(then.status == .ok, "\(then.text.prefix(300))")
            #expect(codes(then)[removed] != nil)
            #expect(then.json["boundaries"]?.objectValue?["version"]?.objectValue?["status"] == .string("retired"))
            let none = try await get("/reports/grids?level=functional&\(quarter)&boundaries=period")
            #expect(none.status == .notFound, "no version was in use when the sample's quarter ended")
        }
    }

    @Test("an event keeps the versions it was assigned with: GET /events/{id} names them, before and after an activation")
    func eventKeepsVersion() async throws {
        let f = try ServerFixture()
        let (bytes, _, _) = try Self.changedFunctional()
        let old = try #require(try f.database.activeVersions()[.functional])
        let residential = try #require(try f.database.activeVersions()[.residential])
        let staged = try BoundaryImport(options: BoundaryOptions(layer: .functional), activate: false).run(data: bytes, source: "t", repository: f.database)
        let id = try #require(staged.landed?.id)
        try await f.app().test(.router) { client in
            func post() async throws -> Int64 {
                try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true), body: ServerFixture.body(ServerFixture.goodEvent)) { r in
                    #expect(r.status == .created, "\(r.text)")
                    return Int64(r.json["id"]?.doubleValue ?? 0)
                }
            }
            func versions(_ event: Int64) async throws -> JSONObject? {
                try await client.execute(uri: "/events/\(event)", method: .get, headers: f.headers(.dispatcher)) { r in
                    r.json["assigned_with"]?.objectValue
                }
            }
            let first = try await post()
            try await client.execute(uri: "/versions/\(id)/activate", method: .post, headers: f.headers(.gis)) { r in #expect(r.status == .ok) }
            let second = try await post()
            let before = try await versions(first), after = try await versions(second)
            #expect(before?["functional"] == .number(JSONNumber(Int(old.id))) && before?["residential"] == .number(JSONNumber(Int(residential.id))))
            #expect(after?["functional"] == .number(JSONNumber(Int(id))) && after?["residential"] == .number(JSONNumber(Int(residential.id))))
        }
    }
}
