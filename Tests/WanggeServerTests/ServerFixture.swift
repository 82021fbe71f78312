import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import WanggeCore
import WanggeSample
import WanggeAssignment
import WanggeUseCases
import WanggeServer
import WanggeStore
import WanggeTestSupport

/// A service over an in-memory database holding the sample, with one token per role.
struct ServerFixture {
    let database: AppDatabase
    let wiring: ServiceWiring
    var engine: AssignmentEngine { wiring.engine }
    /// The service's clock: real time plus an offset the tests can move forward (or, frozen, the time the fixture was
    /// made plus the offset: a test that counts hours exactly must not see the seconds a loaded machine takes).
    let offset = Locked<Double>(0)
    var tokens: [Role: String] = [:]
    /// A second reporter, to check that reporters only see their own events.
    var otherReporter = ""

    /// - Parameter frozenAt: freeze the clock at this instant (a test of working time needs a known weekday and hour).
    /// - Parameter supervision: keep the sample's supervision rules (hotline and web reports verified, every result
    ///   checked before closing); without, the loop runs without supervisors, as a deployment without
    ///   `supervision.json` does.
    init(configuration base: ServerConfiguration? = nil, frozenClock: Bool = false, frozenAt: Double? = nil,
         supervision: Bool = false) throws {
        database = try AppDatabase.inMemory()
        try Catalogue.loadDepartmentsAndTypes(from: Fixtures.geoData, into: database)
        try Catalogue.loadServiceLevelsAndRouting(from: Fixtures.geoData, into: database)
        if !supervision {
            try database.setSetting(ClosedLoop.supervisionKey, String(decoding: try JSONEncoder().encode(SupervisionRules.off), as: UTF8.self))
        }
        _ = try SampleFiles.load(from: Fixtures.geoData, into: database)
        let offset = self.offset
        var configuration = base ?? ServerConfiguration()
        configuration.workers = 2
        if base == nil {
            let frozen = frozenAt ?? (frozenClock ? Date().timeIntervalSince1970 : nil)
            configuration.clock = { (frozen ?? Date().timeIntervalSince1970) + offset.withLock { $0 } }
        }
        wiring = try ServiceWiring(configuration, storage: database, logger: Logger(label: "wangge-test"))
        for role in Role.allCases {
            tokens[role] = try Tokens.create(name: "test \(role.rawValue)", role: role,
                                             department: role == .department ? "urban_management" : nil, in: database).token
        }
        otherReporter = try Tokens.create(name: "another reporter", role: .reporter, department: nil, in: database).token
    }

    /// The fixture with the sample's Q3 history (3,000 events through the closed loop) loaded as well.
    static func withHistory() async throws -> ServerFixture {
        let f = try ServerFixture(supervision: true)
        _ = try await SampleFiles.loadHistory(from: Fixtures.geoData, into: f.database, engine: f.engine)
        return f
    }

    /// The application exactly as `wangge serve` wires it (its background services run during each test).
    func app() -> some ApplicationProtocol { buildApplication(wiring) }

    /// Moves the service's clock forward.
    func advance(hours: Double) { offset.withLock { $0 += hours * 3600 } }

    func headers(_ role: Role?, json: Bool = false, extra: [(String, String)] = []) -> HTTPFields {
        var h = HTTPFields()
        if let role { h[.authorization] = "Bearer \(tokens[role]!)" }
        if json { h[.contentType] = "application/json" }
        for (k, v) in extra { h[HTTPField.Name(k)!] = v }
        return h
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static let goodEvent = #"{"type":"garbage","severity":2,"lon":114.453,"lat":38.062,"description":"垃圾堆放在楼下","reporter_name":"王芳","reporter_phone":"138 0000 1111","channel":"grid_station"}"#
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: JSONObject { (try? JSONValue.parse(text))?.objectValue ?? JSONObject() }
    var errorCode: String? { json["error"]?.objectValue?["code"]?.stringValue }
}
