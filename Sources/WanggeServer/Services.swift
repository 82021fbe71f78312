public import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import WanggeCore
import WanggeGeo
public import WanggeAssignment
public import WanggeUseCases
public import WanggeStore

/// Limits and addresses of the service.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Largest boundary upload.
    public var maxBoundaryBytes = 256 * 1024 * 1024

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

/// What the controllers work with: storage, the assignment engine, configuration.
public struct Services: Sendable {
    public let database: AppDatabase
    public let engine: AssignmentEngine
    public let configuration: ServerConfiguration
    /// Event intake with its group-commit queue: one for the whole service.
    let intake: EventIntake
    /// The closed loop (actions, history, warnings).
    public let loop: ClosedLoop
    /// Grid, department and coverage reports.
    public let reporting: Reporting
    /// Rendered pages of the boundary collections and of events (see `PageCache`).
    let gridPages = PageCache(capacity: 16 << 20)
    let eventPages = PageCache(capacity: 8 << 20)
    let startedAt = Date()

    public init(database: AppDatabase, engine: AssignmentEngine, configuration: ServerConfiguration = ServerConfiguration(),
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.database = database
        self.engine = engine
        self.configuration = configuration
        self.intake = EventIntake(repository: database, engine: engine)
        self.loop = ClosedLoop(repository: database, clock: clock)
        self.reporting = Reporting(repository: database, clock: clock)
    }

    /// When event intake last committed (for background work that waits for quiet moments).
    public var lastIntakeCommit: Double { intake.lastCommitAt }

    /// Every endpoint of the service, in the order the OpenAPI document lists them.
    var routes: [APIRoute] {
        featureRoutes + systemRoutes + gridRoutes + eventRoutes + loopRoutes + reportRoutes
    }
}

/// Builds the Hummingbird application: middleware (request logging with request ids, errors as JSON, bearer
/// tokens), then every route of `Services.routes`.
public func buildApplication(services: Services, logger: Logger? = nil) -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: "wangge")
    let router = buildRouter(services: services, logRequests: logger.logLevel <= .info)
    return Application(
        router: router,
        configuration: .init(address: .hostname(services.configuration.host, port: services.configuration.port), serverName: "wangge"),
        logger: logger
    )
}

/// The router alone (tests drive it without a socket).
public func buildRouter(services: Services, logRequests: Bool = true) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // One line per request with its id (hb.request.id), unless the log level would drop it anyway.
    if logRequests { router.add(middleware: LogRequestsMiddleware(.info)) }
    // Map viewers in browsers call the API from other origins (CORS, preflight included).
    router.add(middleware: CORSMiddleware(allowOrigin: .all,
                                          allowHeaders: [.accept, .authorization, .contentType, .origin, .ifNoneMatch, HTTPField.Name("Idempotency-Key")!],
                                          allowMethods: [.get, .post, .head, .options],
                                          exposedHeaders: ["ETag", "Location", "X-Request-Id", "Idempotency-Replayed"]))
    let routes = services.routes
    router.add(middleware: ErrorMiddleware(routes: routes.map { ($0.method, $0.path) }))
    router.add(middleware: AuthMiddleware(tokens: TokenCache(repository: services.database)))
    router.add(routes)
    return router
}
