import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import GRDB
import WanggeCore
import WanggeAssignment
import WanggeUseCases
@testable import WanggeServer
import WanggeStore
import WanggeSample
import WanggeTestSupport

@Suite("Backups, restores and the audit log")
struct AdminEndpointTests {
    @Test("a backup taken while events are being written is consistent and holds every event acknowledged before it")
    func backupDuringWrites() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let db = try AppDatabase(path: "\(dir)/live.db")
        try Catalogue.loadDepartmentsAndTypes(from: Fixtures.geoData, into: db)
        _ = try SampleFiles.load(from: Fixtures.geoData, into: db)
        let engine = try AssignmentEngine(repository: db, workers: 1)
        defer { engine.shutdown() }
        let commits = EventCommitQueue(repository: db)
        let intake = EventIntake(repository: db, engine: engine, commits: commits, duplicates: DuplicateCheck(repository: db))
        let reporter = try Tokens.create(name: "r", role: .reporter, department: nil, in: db).record
        let identity = Identity(tokenID: reporter.id, name: "r", role: .reporter)
        let body = try JSONValue.parse(ServerFixture.goodEvent).objectValue!
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await commits.run() }
            // Writers keep going while the backup is taken; acknowledged ids are noted with when they were.
            let acknowledged = Locked<[(Int64, Date)]>([])
            let writer = Task {
                for _ in 0..<300 {
                    let (response, _) = try await intake.submit(body, rawBody: [], actor: identity, idempotencyKey: nil) { _, _ in [] }
                    if let id = response.eventID { acknowledged.withLock { $0.append((id, Date())) } }
                }
            }
            // Some events acknowledged before the backup, however slow the machine is.
            while acknowledged.withLock({ $0.count }) < 20 { try await Task.sleep(for: .milliseconds(10)) }
            let started = Date()
            try db.backup(to: "\(dir)/copy.db")
            try await writer.value
            let counts = try AppDatabase.checkBackup("\(dir)/copy.db")
            let copy = try AppDatabase(readingFrom: "\(dir)/copy.db")
            let before = acknowledged.withLock { $0.filter { $0.1 < started }.map(\.0) }
            #expect(!before.isEmpty, "some events were acknowledged before the backup")
            for id in before { #expect(try copy.event(id: id) != nil, "event \(id), acknowledged before the backup, is in it") }
            #expect(counts.events <= acknowledged.withLock { $0.count }, "nothing in the copy that was not acknowledged")
            #expect(counts.grids == 115)
            group.cancelAll()
        }
    }

    @Test("a file that is not a sound Wangge database is refused before a restore")
    func checkBackup() throws {
        let dir = try Fixtures.temporaryDirectory()
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: "\(dir)/junk.db"))
        #expect(throws: WanggeError.self) { try AppDatabase.checkBackup("\(dir)/junk.db") }
        let other = try DatabaseQueue(path: "\(dir)/other.db")
        try other.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        try other.close()
        #expect(throws: WanggeError.invalidInput("\(dir)/other.db is not a Wangge database (no grid, event or migration tables)")) {
            try AppDatabase.checkBackup("\(dir)/other.db")
        }
        #expect(throws: WanggeError.notFound("no file \(dir)/missing.db")) { try AppDatabase.checkBackup("\(dir)/missing.db") }
    }

    @Test("every administrative action over HTTP is in the audit log, which cannot be changed; GET /admin/backup streams a database")
    func audit() async throws {
        let f = try ServerFixture()
        try await Community(repository: f.database, engine: f.engine).loadSample(from: Fixtures.geoData)
        try await f.app().test(.router) { client in
            func send(_ method: HTTPRequest.Method, _ uri: String, _ file: String, _ type: String = "application/json") async throws {
                let bytes = try FileIO.read("\(Fixtures.geoData)/\(file)")
                try await client.execute(uri: uri, method: method, headers: f.headers(.gis, extra: [("Content-Type", type)]), body: ByteBuffer(bytes: bytes)) { r in
                    #expect(r.status == .ok, "\(uri): \(r.text.prefix(200))")
                }
            }
            try await send(.post, "/boundaries?layer=industry&activate=true", "industry.geojson", "application/geo+json")
            try await send(.put, "/reports/services/points", "services.geojson", "application/geo+json")
            try await send(.put, "/staff", "staff.json")
            try await send(.put, "/staff/responsibilities", "responsibilities.json")
            try await send(.put, "/organisations", "organisations.geojson", "application/geo+json")
            try await send(.put, "/party", "party.json")
            try await send(.put, "/joint-building", "joint_building.json")
            let backup = try await client.execute(uri: "/admin/backup", method: .get, headers: f.headers(.admin)) { $0 }
            #expect(backup.status == .ok && backup.headers[.contentType] == "application/vnd.sqlite3")
            #expect(Array(backup.body.readableBytesView.prefix(16)) == Array("SQLite format 3\u{0}".utf8), "an SQLite file")
            for role in Role.allCases where role != .admin {
                for uri in ["/admin/backup", "/admin/audit"] {
                    let status = try await client.execute(uri: uri, method: .get, headers: f.headers(role)) { $0.status }
                    #expect(status == .forbidden, "\(uri) as \(role)")
                }
            }
            let log = try await client.execute(uri: "/admin/audit", method: .get, headers: f.headers(.admin)) { $0 }
            guard case .array(let entries)? = log.json["entries"] else { Issue.record("no entries: \(log.text)"); return }
            let actions = entries.compactMap { $0.objectValue?["action"]?.stringValue }
            #expect(actions == ["backup_taken", "joint_building_replaced", "party_replaced", "organisations_replaced", "responsibilities_replaced",
                                "roster_replaced", "service_points_replaced", "boundaries_imported"], "\(actions)")
            let first = entries.last?.objectValue
            #expect(first?["actor"] == .string("test gis") && first?["role"] == .string("gis") && first?["target"] == .string("industry"))
            #expect(first?["detail"]?.objectValue?["grids"] == .number(JSONNumber(10)))
            let filtered = try await client.execute(uri: "/admin/audit?action=party_replaced", method: .get, headers: f.headers(.admin)) { $0 }
            #expect(filtered.text.components(separatedBy: "\"action\"").count == 2)
        }
        #expect(throws: DatabaseError.self) { try f.database.writer.write { try $0.execute(sql: "UPDATE audit SET actor_name = 'someone else'") } }
        #expect(throws: DatabaseError.self) { try f.database.writer.write { try $0.execute(sql: "DELETE FROM audit") } }
        #expect(try f.database.auditLog(limit: 100, action: nil, since: nil).count == 8)
    }

    @Test("a request line or header over the limit gets the service's JSON error with the limit, not a bare 400", arguments: [
        ("/collections/events/items?cursor=" + String(repeating: "A", count: 100_000), nil as String?),
        ("/health", String(repeating: "x", count: 100_000)),
    ])
    func protocolErrors(uri: String, header: String?) async throws {
        let f = try ServerFixture()
        try await f.app().test(.live) { client in
            var h = f.headers(.viewer)
            if let header { h[HTTPField.Name("X-Padding")!] = header }
            let r = try await client.execute(uri: uri, method: .get, headers: h) { $0 }
            #expect(r.status == .badRequest)
            #expect(r.headers[.contentType] == "application/json")
            #expect(r.errorCode == "malformed_request")
            #expect(r.json["error"]?.objectValue?["message"]?.stringValue?.contains("limit of 80 KiB") == true, "\(r.text)")
        }
        // The server goes on answering.
        try await f.app().test(.live) { client in
            let status = try await client.execute(uri: "/health", method: .get) { $0.status }
            #expect(status == .ok)
        }
    }

    @Test("a token over its role's rate gets 429 with Retry-After; other tokens and roles go on; the bucket refills")
    func rateLimits() async throws {
        var configuration = ServerConfiguration()
        configuration.rateLimits = [.reporter: RateLimit(perSecond: 1, burst: 3)]
        let offset = Locked<Double>(0)
        configuration.clock = { 1_800_000_000 + offset.withLock { $0 } }
        let f = try ServerFixture(configuration: configuration)
        try await f.app().test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<4 {
                try await client.execute(uri: "/me", method: .get, headers: f.headers(.reporter)) { r in
                    statuses.append(r.status)
                    if r.status == .tooManyRequests {
                        retryAfter = r.headers[.retryAfter]
                        #expect(r.errorCode == "rate_limited")
                    }
                }
            }
            #expect(statuses == [.ok, .ok, .ok, .tooManyRequests])
            #expect(retryAfter == "1")
            let other = try await client.execute(uri: "/me", method: .get, headers: f.headers(.reporter, extra: [("Authorization", "Bearer \(f.otherReporter)")])) { $0.status }
            #expect(other == .ok, "another reporter token has its own bucket")
            let viewer = try await client.execute(uri: "/me", method: .get, headers: f.headers(.viewer)) { $0.status }
            #expect(viewer == .ok, "viewers are not limited here")
            let open311 = try await client.execute(uri: "/open311/v2/requests.json?api_key=\(f.tokens[.reporter]!)", method: .post,
                                                   headers: [.contentType: "application/x-www-form-urlencoded"], body: ServerFixture.body("service_code=garbage&lat=38.062&long=114.453&description=x")) { $0 }
            #expect(open311.status == .tooManyRequests && open311.text.contains("429"), "Open311 answers in its own error shape: \(open311.text)")
            offset.withLock { $0 += 1.5 }
            let later = try await client.execute(uri: "/me", method: .get, headers: f.headers(.reporter)) { $0.status }
            #expect(later == .ok, "a second and a half later there is room again")
        }
    }

    @Test("a body that does not arrive in time is a 408 with the JSON error, and nothing is stored")
    func bodyTimeout() async throws {
        var configuration = ServerConfiguration()
        configuration.bodyTimeout = .milliseconds(500)
        let f = try ServerFixture(configuration: configuration)
        let before = try f.database.countEvents(.allEvents)
        try await f.app().test(.live) { client in
            let port = try #require(client.port)
            // A raw connection that promises 200 bytes and sends 20.
            let raw = try RawHTTP(port: port)
            try await raw.send("POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(f.tokens[.reporter]!)\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"type\":\"garbage\",")
            let answer = try await raw.receive { $0.contains("}") }
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("\"request_timeout\""))
        }
        #expect(try f.database.countEvents(.allEvents) == before)
    }
}
