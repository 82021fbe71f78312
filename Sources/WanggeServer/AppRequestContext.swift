import HTTPTypes
public import Hummingbird
import Logging
public import WanggeCore

/// The request context: Hummingbird's core storage plus the caller behind the bearer token, if any.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when the request carries a valid token.
    public var identity: Identity?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }

    /// Boundary files may be large; everything else is small. Handlers apply their own tighter limits.
    public var maxUploadSize: Int { 256 * 1024 * 1024 }

    /// What an error line says besides the request id: the error and, when there is one, the caller's token id.
    func errorMetadata(_ error: any Error) -> Logger.Metadata {
        var m: Logger.Metadata = ["error": "\(String(reflecting: error))"]
        if let identity { m["token"] = "\(identity.tokenID)" }
        return m
    }

    /// The caller, who must hold one of `roles`.
    /// - Throws: `APIError` 401 without a valid token, 403 when the role may not do this.
    public func require(_ roles: Set<Role>) throws -> Identity {
        guard let identity else {
            throw APIError.needsToken("this endpoint")
        }
        guard roles.contains(identity.role) else {
            throw APIError(.forbidden, code: "forbidden",
                           message: "role \(identity.role.rawValue) may not do this; allowed: \(roles.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        return identity
    }
}
