import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WanggeCore
import WanggeAssignment
import WanggeUseCases

/// Reads the token — `Authorization: Bearer <token>`, or HTTP Basic with the token as the password and any user
/// name (QGIS's and most GIS clients' only way to send a credential; `curl -u TOKEN:` works too: an empty password
/// takes the user name as the token) — and, when it is valid and not revoked, puts its identity in the context.
/// A credential that is present but wrong is refused here (401, with the challenges, so a client asks again)
/// even on public resources: a connection with a mistyped password must fail loudly, not look empty. A missing
/// one is left to each route.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: TokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        let token = try Self.token(header)
        guard let identity = try tokens.identity(token: token) else {
            var e = APIError(.unauthorized, code: "unauthorized", message: "the token is not valid (unknown or revoked)")
            e.headers.append(contentsOf: APIError.challenges(invalidToken: true))
            throw e
        }
        var context = context
        // The token's id reaches the logs through the error lines that name it (`AppRequestContext.errorMetadata`):
        // writing it into the logger's metadata here copied that dictionary on every request.
        context.identity = identity
        return try await next(request, context)
    }

    /// The token in an Authorization header's value.
    /// - Throws: `APIError` 401 for another scheme, or Basic credentials that are not base64 of `user:password`.
    static func token(_ header: String) throws -> String {
        // The usual case, `Bearer <token>` with nothing around it, read from the bytes without splitting the header.
        let u = header.utf8
        if u.count > 7, u.prefix(7).elementsEqual("Bearer ".utf8), let last = u.last, last != 32, last != 9,
           let first = u.dropFirst(7).first, first != 32, first != 9 {
            return String(header.dropFirst(7))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        let scheme = parts.first?.lowercased() ?? ""
        let value = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch scheme {
        case "bearer" where !value.isEmpty:
            return value
        case "basic" where !value.isEmpty:
            guard let data = Data(base64Encoded: value), let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") else {
                throw APIError(.unauthorized, code: "unauthorized", message: "the Basic credentials must be base64 of \"user:token\"")
            }
            let user = pair[..<colon], password = pair[pair.index(after: colon)...]
            return String(password.isEmpty ? user : password)
        default:
            throw APIError(.unauthorized, code: "unauthorized",
                           message: "the Authorization header must be \"Bearer <token>\" or HTTP Basic with the token as the password")
        }
    }
}

/// Token checks without a database read per request: answers (valid or not) are remembered for a few seconds, so a
/// revocation made by another process takes effect within `ttl`.
final class TokenCache: Sendable {
    let repository: any TokenRepository
    let ttl: Double
    let entries = Locked<[String: (identity: Identity?, at: Double)]>([:])

    init(repository: any TokenRepository, ttl: Double = 5) {
        self.repository = repository
        self.ttl = ttl
    }

    /// Keyed by the token itself, so a hit costs no hashing; only a miss computes the SHA-256 to look it up.
    func identity(token: String) throws -> Identity? {
        let now = Date().timeIntervalSince1970
        if let hit = entries.withLock({ e -> (identity: Identity?, at: Double)? in
            guard let v = e[token], now - v.at < ttl else { return nil }
            return v
        }) {
            return hit.identity
        }
        let identity = try repository.identity(tokenHash: Tokens.hash(token))
        entries.withLock { e in
            if e.count > 10_000 { e.removeAll() }  // bounded: unknown tokens must not grow it forever
            e[token] = (identity, now)
        }
        return identity
    }
}

/// Turns every error into the JSON error shape: user errors keep their status and message; anything else is logged
/// with the request id and answered with a 500 that reveals nothing. Adds `X-Request-Id` to every response.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// Method and path template of every route, to tell "no such path" (404) from "not this method" (405).
    let routes: [(method: HTTPRequest.Method, path: String)]

    /// The methods a concrete path answers to.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        return routes.filter { r in
            let template = r.path.split(separator: "/")
            return template.count == parts.count && zip(template, parts).allSatisfy { Self.segment($0, matches: $1) }
        }.map(\.method)
    }

    /// A template segment against a concrete one: a literal, a capture (`{id}`), or a capture with a literal
    /// before or after it (`{code}.json`, `services.{format}`).
    static func segment(_ template: Substring, matches part: Substring) -> Bool {
        guard let open = template.firstIndex(of: "{"), let close = template.firstIndex(of: "}") else { return template == part }
        let prefix = template[..<open], suffix = template[template.index(after: close)...]
        return part.count > prefix.count + suffix.count && part.hasPrefix(prefix) && part.hasSuffix(suffix)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound && !methods(for: request.uri.path).isEmpty {
            let allowed = methods(for: request.uri.path)
            var error = APIError(.methodNotAllowed, code: "method_not_allowed",
                                 message: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(allowed.map(\.rawValue).joined(separator: ", "))")
            error.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            response = try error.response(from: request, context: context)
        } catch let e as HTTPError where e.status == .notFound || e.status == .methodNotAllowed || e.status == .contentTooLarge {
            let code = e.status == .notFound ? "not_found" : e.status == .contentTooLarge ? "payload_too_large" : "method_not_allowed"
            let message = e.status == .notFound ? "no such endpoint: \(request.method.rawValue) \(request.uri.path) (see GET /api)"
                : e.status == .contentTooLarge ? "the request body is too large" : "\(request.method.rawValue) is not allowed on \(request.uri.path)"
            response = try APIError(e.status, code: code, message: message).response(from: request, context: context)
        } catch {
            if let api = APIError.from(error) {
                response = try api.response(from: request, context: context)
            } else {
                context.logger.error("unhandled error", metadata: context.errorMetadata(error))
                response = try APIError(.internalServerError, code: "internal",
                                        message: "the server could not complete the request (request id \(context.id))")
                    .response(from: request, context: context)
            }
        }
        response.headers[.init("X-Request-Id")!] = context.id
        return response
    }
}
