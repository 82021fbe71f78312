import Foundation
import HTTPTypes
import WanggeCore

/// A sustained rate and a burst, per token.
public struct RateLimit: Sendable, Equatable {
    public var perSecond: Double
    public var burst: Double

    public init(perSecond: Double, burst: Double? = nil) {
        self.perSecond = perSecond
        self.burst = max(1, burst ?? perSecond * 2)
    }

    /// `100/s`, `100/s:300` (a burst of 300), `600/min`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        let rate = parts[0].split(separator: "/", maxSplits: 1)
        guard rate.count == 2, let n = Double(rate[0]), n > 0, n.isFinite else { return nil }
        let per: Double
        switch rate[1] { case "s": per = 1; case "min": per = 60; case "h": per = 3600; default: return nil }
        var burst: Double?
        if parts.count == 2 {
            guard let b = Double(parts[1]), b >= 1, b.isFinite else { return nil }
            burst = b
        }
        self.init(perSecond: n / per, burst: burst)
    }
}

/// Token buckets per token: each request takes one; a token whose bucket is empty gets a 429 with Retry-After
/// until it refills. Limits are per role (a token takes its role's), and only for the roles configured.
final class RateLimiter: Sendable {
    struct Bucket { var tokens: Double; var at: Double }
    let limits: [Role: RateLimit]
    let buckets = Locked<[Int64: Bucket]>([:])
    let clock: @Sendable () -> Double

    init(limits: [Role: RateLimit], clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.limits = limits
        self.clock = clock
    }

    /// - Throws: `APIError` 429 with `Retry-After` (whole seconds) when the token has used its rate.
    func admit(_ identity: Identity) throws {
        guard let limit = limits[identity.role] else { return }
        let now = clock()
        let wait: Double? = buckets.withLock { all in
            var b = all[identity.tokenID] ?? Bucket(tokens: limit.burst, at: now)
            b.tokens = min(limit.burst, b.tokens + (now - b.at) * limit.perSecond)
            b.at = now
            defer { all[identity.tokenID] = b }
            if b.tokens >= 1 { b.tokens -= 1; return nil }
            return (1 - b.tokens) / limit.perSecond
        }
        guard let wait else { return }
        var e = APIError(.tooManyRequests, code: "rate_limited",
                         message: "token \(identity.name) has used its rate of \(Self.describe(limit)) for the \(identity.role.rawValue) role; try again in \(Int(wait.rounded(.up))) s")
        e.headers[.retryAfter] = String(max(1, Int(wait.rounded(.up))))
        throw e
    }

    static func describe(_ l: RateLimit) -> String {
        let r = l.perSecond
        return (r >= 1 ? "\(JSONNumber(r).literal)/s" : "\(JSONNumber((r * 60 * 100).rounded() / 100).literal)/min") + " (burst \(Int(l.burst)))"
    }
}
