public import Hummingbird
import HummingbirdCore
import NIOCore
import HTTPTypes
public import Logging
public import ServiceLifecycle
public import WanggeCore
public import WanggeAssignment
public import WanggeUseCases

/// Everything `wangge serve` runs, wired once: the assignment engine, the use cases over the storage, the
/// controllers and their routes, and the background services (group commit of events, event indexing, WAL
/// checkpoints, index reloads). Tests build the same.
public struct ServiceWiring: Sendable {
    public let configuration: ServerConfiguration
    public let storage: any ServiceStorage
    public let engine: AssignmentEngine
    /// The group commit of event intake (a service among `services`).
    public let commits: EventCommitQueue
    public let logger: Logger
    let routes: [APIRoute]
    /// Bearer tokens and Open311 api_keys, checked against storage at most every few seconds.
    let tokens: TokenCache
    /// Token buckets per token, when `rateLimits` are configured.
    let limiter: RateLimiter
    /// Background work, in start order (graceful shutdown goes the other way, after the HTTP server has drained).
    public let services: [any Service]

    /// Builds the index from the stored grids and wires everything.
    /// - Throws: the storage's error, or `GeosError` for a stored geometry GEOS cannot read.
    public init(_ configuration: ServerConfiguration, storage: any ServiceStorage, logger: Logger) throws {
        self.configuration = configuration
        self.storage = storage
        self.logger = logger
        let engine = try AssignmentEngine(repository: storage, workers: configuration.workers, indexFile: configuration.indexFile)
        self.engine = engine
        let commits = EventCommitQueue(repository: storage)
        self.commits = commits
        let duplicates = DuplicateCheck(repository: storage)
        let intake = EventIntake(repository: storage, engine: engine, commits: commits, duplicates: duplicates)
        let loop = ClosedLoop(repository: storage, duplicates: duplicates, clock: configuration.clock)
        let reporting = Reporting(repository: storage, clock: configuration.clock)
        let community = Community(repository: storage, engine: engine, clock: configuration.clock)
        let publishing = BoundaryPublishing(repository: storage, engine: engine, community: community)

        let tokens = TokenCache(repository: storage)
        self.tokens = tokens
        let limiter = RateLimiter(limits: configuration.rateLimits, clock: configuration.clock)
        self.limiter = limiter
        // The API document lists every route, its own included: it reads them once they exist.
        let all = Locked<[APIRoute]>([])
        var routes = SystemController(grids: storage, engine: engine, allRoutes: { all.withLock { $0 } }).routes
        routes += FeaturesController(features: storage, grids: storage, engine: engine, community: community).routes
        routes += GridsController(grids: storage, audit: storage, publishing: publishing, maxUploadBytes: configuration.maxBoundaryBytes).routes
        routes += VersionsController(versions: BoundaryVersions(grids: storage, events: storage, community: storage), publishing: publishing,
                                     audit: storage, snapMetres: intake.snapMetres).routes
        routes += EventsController(intake: intake, loop: loop, features: storage, community: community).routes
        routes += ClosedLoopController(community: community, loop: loop).routes
        routes += StandardsController(loop: loop).routes
        routes += ReportsController(reporting: reporting).routes
        routes += CommunityController(community: community, reporting: reporting, maxUploadBytes: configuration.maxBoundaryBytes).routes
        routes += AdminController(storage: storage).routes
        routes += Open311Controller(intake: intake, loop: loop, events: storage, tokens: tokens,
                                    limiter: configuration.rateLimits.isEmpty ? nil : limiter).routes
        all.withLock { $0 = routes }
        self.routes = routes

        self.services = [
            AssignmentIndexService(engine: engine, checkEvery: configuration.indexCheckInterval, logger: logger),
            commits,
            EventIndexer(repository: storage, logger: logger) { commits.lastCommitAt },
            PeriodicService("WAL checkpoint", every: configuration.checkpointInterval, logger: logger) { try storage.checkpoint() },
            // Heap pages freed after a burst of intake go back to the system, so resident memory at rest follows
            // what is held, not the peak of the last burst.
            PeriodicService("memory trim", every: .seconds(2), logger: logger, MemoryTrim.afterBursts { commits.lastCommitAt }),
        ]
    }

    /// Method and path of every endpoint, in the order the API document lists them.
    public var endpoints: [(method: HTTPRequest.Method, path: String)] { routes.map { ($0.method, $0.path) } }

    /// The router alone: middleware (request logging with request ids, CORS, errors as JSON, bearer tokens), then
    /// every route.
    public func router() -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        // One line per request with its id (hb.request.id), unless the log level would drop it anyway.
        if configuration.logRequests && logger.logLevel <= .info { router.add(middleware: LogRequestsMiddleware(.info)) }
        // Map viewers in browsers call the API from other origins (CORS, preflight included).
        router.add(middleware: CORSMiddleware(allowOrigin: .all,
                                              allowHeaders: [.accept, .authorization, .contentType, .origin, .ifNoneMatch, HTTPField.Name("Idempotency-Key")!],
                                              allowMethods: [.get, .post, .put, .head, .options],
                                              exposedHeaders: ["ETag", "Location", "X-Request-Id", "Idempotency-Replayed"]))
        router.add(middleware: ErrorMiddleware(routes: endpoints))
        router.add(middleware: AuthMiddleware(tokens: tokens))
        router.add(routes, limiter: configuration.rateLimits.isEmpty ? nil : limiter, bodyTimeout: configuration.bodyTimeout)
        return router
    }
}

/// The application `wangge serve` runs: the router on the configured address, with the background services in its
/// service group.
public func buildApplication(_ wiring: ServiceWiring) -> some ApplicationProtocol {
    // Requests the parser cannot read get the service's JSON error too; connections idle this long are closed.
    let limits = HTTP1Channel.Configuration.DecoderConfiguration()
    let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [ProtocolErrorAnswer(maxHeaderBytes: limits.maxHeaderListSize)],
                                           idleTimeout: wiring.configuration.idleTimeout.map { d in
                                               .nanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
                                           }, httpDecoderConfiguration: limits)
    return Application(
        router: wiring.router(),
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(wiring.configuration.host, port: wiring.configuration.port), serverName: "wangge"),
        services: wiring.services,
        logger: wiring.logger
    )
}
