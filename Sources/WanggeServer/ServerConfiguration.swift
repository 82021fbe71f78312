public import Foundation
public import WanggeCore

/// Addresses, limits, workers, the clock and the background intervals of the service.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest boundary upload.
    public var maxBoundaryBytes = 256 * 1024 * 1024
    /// Assignment worker threads.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Now, in seconds since 1970 (tests move it forward).
    public var clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }
    /// How often committed WAL frames are copied into the database file.
    public var checkpointInterval: Duration = .milliseconds(100)
    /// How often the stored boundaries are checked for imports made elsewhere (a CLI import).
    public var indexCheckInterval: Duration = .seconds(1)
    /// Where the assignment index is kept between starts (beside the database); nil builds it at every start.
    public var indexFile: String?
    /// How long a client may take to send a request body (408 after).
    public var bodyTimeout: Duration = .seconds(120)
    /// A keep-alive connection with no request for this long is closed (nil: never).
    public var idleTimeout: Duration? = .seconds(75)
    /// Requests per token, by role (roles not listed are not limited; none are by default).
    public var rateLimits: [Role: RateLimit] = [:]
    /// One log line per request (at info).
    public var logRequests = true

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}
