import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WanggeCore

/// One endpoint: how it is called, who may call it, what it answers, and its handler. The router, the OpenAPI
/// document and the check of query parameters are all made from the same list, so they cannot disagree.
struct APIRoute: Sendable {
    struct Parameter: Sendable {
        enum Location: String, Sendable { case query, path, header }
        var name: String
        var location: Location
        var type: String
        var required = false
        var description: String
        var enumValues: [String]? = nil
        var minimum: Double? = nil
        var maximum: Double? = nil
        var format: String? = nil
        var pattern: String? = nil
        /// A value above `maximum` is taken as the maximum, not refused (OGC API – Features' `limit`: a client
        /// asking for more gets pages of the most there may be).
        var clampsToMaximum = false
        /// `+` is a space, as HTML forms, curl's --data-urlencode and GDAL write free text (a CQL2 filter); a plus
        /// is then `%2B`. Elsewhere `+` stays a plus, so a hand-typed `since=…T08:00:00+08:00` keeps its offset.
        var plusIsSpace = false
    }

    struct Body: Sendable {
        var contentTypes: [String]
        var schema: String
        var description: String
        /// The largest body taken (413 beyond); the OpenAPI document lists it.
        var maxBytes: Int
    }

    struct Answer: Sendable {
        var status: Int
        var description: String
        var schema: String? = "Error"
        var contentType = "application/json"
        var headers: [String: String] = [:]
        /// Other representations of the same answer (chosen with `f=`): content type → schema name, or nil for text.
        var alternatives: [(String, String?)] = []
    }

    typealias Handler = @Sendable (RouteRequest) async throws -> Response

    var method: HTTPRequest.Method
    var path: String
    var summary: String
    var tag: String
    /// nil: public. Otherwise the roles that may call it.
    var roles: Set<Role>?
    var parameters: [Parameter] = []
    var body: Body? = nil
    var answers: [Answer]
    var handler: Handler
    /// How this route's errors are written, when not as the service's JSON error (Open311's own shapes), and how
    /// the API document describes them.
    var renderError: (@Sendable (APIError) -> Response)? = nil
    var errorContentType = "application/json"
    var errorSchema: String? = "Error"

    /// Every answer, including the ones every endpoint of its kind can give.
    var allAnswers: [Answer] {
        var a = answers
        func error(_ status: Int, _ description: String) -> Answer {
            Answer(status: status, description: description, schema: errorSchema, contentType: errorContentType)
        }
        if roles != nil {
            a.append(error(401, "No token, or a token that is unknown or revoked"))
            a.append(error(403, "The token's role may not call this endpoint"))
        }
        if !parameters.isEmpty || body != nil, !a.contains(where: { $0.status == 400 }) {
            a.append(error(400, "A parameter or the body is malformed"))
        }
        if let body, !a.contains(where: { $0.status == 415 }) {
            a.append(error(415, "The body is not sent as \(body.contentTypes.joined(separator: " or "))"))
        }
        if body != nil, !a.contains(where: { $0.status == 408 }) {
            a.append(error(408, "The body did not arrive within the time allowed (120 s); nothing was stored"))
        }
        if let body, !a.contains(where: { $0.status == 413 }) {
            a.append(error(413, "The body is larger than \(body.maxBytes) bytes"))
        }
        if roles != nil, !a.contains(where: { $0.status == 429 }) {
            a.append(error(429, "The token has used its rate for now (when limits are configured); Retry-After says when to try again"))
        }
        a.append(error(500, "The server failed; the body holds a request id to quote"))
        return a.sorted { $0.status < $1.status }
    }
}

/// What a handler works with: the request, its query checked against the route's declared parameters, and the
/// caller (already checked against the route's roles).
struct RouteRequest: Sendable {
    let request: Request
    let context: AppRequestContext
    let query: Query
    let identity: Identity?
    /// The route's body limit (0 for routes without a body).
    let bodyLimit: Int
    /// How long a client may take to send the body.
    var bodyTimeout: Duration = .seconds(120)

    /// The body, at most the route's limit, sent within `bodyTimeout`.
    /// - Throws: `APIError` 413 when it is larger, 408 when it is not all there in time.
    func body() async throws -> [UInt8] {
        let request = self.request, limit = bodyLimit
        return try await timed { try await request.bytes(upTo: limit) }
    }

    /// The body handed to `feed` chunk by chunk as it arrives, so that a large upload is read as it streams and
    /// never held whole; at most the route's limit, sent within `bodyTimeout`. `state` ends as `feed` left it.
    /// - Throws: `APIError` 413 when the body is larger, 408 when it is not all there in time; what `feed` throws.
    func body<State: Sendable>(streaming state: State,
                               _ feed: @escaping @Sendable (inout State, ByteBuffer) throws -> Void) async throws -> State {
        let request = self.request, limit = bodyLimit
        return try await timed {
            var state = state
            var total = 0
            for try await chunk in request.body {
                total += chunk.readableBytes
                guard total <= limit else {
                    throw APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than \(limit) bytes")
                }
                try feed(&state, chunk)
            }
            return state
        }
    }

    /// `read` (the body's reading), unless the body takes longer than `bodyTimeout` to arrive.
    /// - Throws: `APIError` 408 then (the connection is closed); what `read` throws.
    func timed<T: Sendable>(_ read: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = bodyTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await read() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let done = first else {
                var e = APIError(.requestTimeout, code: "request_timeout",
                                 message: "the body did not arrive within \(timeout.components.seconds) s; nothing was stored")
                e.headers[.connection] = "close"
                throw e
            }
            return done
        }
    }

    /// A JSON object body, at most the route's limit.
    /// - Throws: `APIError` 413, 408, 400 (malformed, with line and column).
    func jsonBody() async throws -> (JSONObject, [UInt8]) {
        let raw = try await body()
        return (try Request.jsonObject(raw), raw)
    }

    /// The caller of a route that needs a token.
    /// - Throws: `APIError` 401 without one.
    func caller() throws -> Identity {
        guard let identity else {
            throw APIError.needsToken("this endpoint")
        }
        return identity
    }

    /// A path parameter, as the route declares it.
    func path(_ name: String) -> String { context.parameters.get(name) ?? "" }

    /// An event id path parameter.
    /// - Throws: `APIError` 400 when it is not a positive integer.
    func eventID(_ name: String = "id") throws -> Int64 {
        guard let id = Int64(path(name)), id > 0 else {
            throw APIError.badParameter(name, "must be a positive integer", message: "the event id must be a positive integer")
        }
        return id
    }

    /// The scheme and authority the client used (links must work from where the client stands).
    var baseURL: String { "http://\(request.head.authority ?? "127.0.0.1")" }
}

extension Router where Context == AppRequestContext {
    /// Registers the routes: each checks its roles, its query parameters and the media type of its body (the one it
    /// declares; none given is refused too) before its handler runs.
    func add(_ routes: [APIRoute], limiter: RateLimiter? = nil, bodyTimeout: Duration = .seconds(120)) {
        for route in routes {
            let declared = route.parameters.filter { $0.location == .query }
            on(RouterPath(stringLiteral: route.path), method: route.method) { request, context -> Response in
                do {
                    let identity = try route.roles.map { try context.require($0) } ?? context.identity
                    if let limiter, let identity { try limiter.admit(identity) }
                    let query = try Query(request, declared: declared)
                    if let body = route.body { try Self.checkMediaType(request, accepts: body.contentTypes) }
                    return try await route.handler(RouteRequest(request: request, context: context, query: query, identity: identity,
                                                                bodyLimit: route.body?.maxBytes ?? 0, bodyTimeout: bodyTimeout))
                } catch {
                    guard let render = route.renderError else { throw error }
                    guard let api = APIError.from(error) else {
                        // Not the caller's fault: logged with the request id, answered in the route's own shape.
                        context.logger.error("unhandled error", metadata: context.errorMetadata(error))
                        return render(APIError(.internalServerError, code: "internal", message: "the server could not complete the request (request id \(context.id))"))
                    }
                    var answer = render(api)
                    answer.headers.append(contentsOf: api.headers)
                    return answer
                }
            }
        }
    }

    /// - Throws: `APIError` 415 when the Content-Type is missing or not one of `accepts` (parameters such as
    ///   `charset` aside).
    static func checkMediaType(_ request: Request, accepts: [String]) throws {
        let list = accepts.joined(separator: " or ")
        guard let header = request.headers[.contentType] else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "say what the body is: send it with Content-Type: \(list)")
        }
        let type = header.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard accepts.contains(type) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the body as \(list), not \(header)")
        }
    }
}

extension Request {
    /// The body, at most `limit` bytes.
    /// - Throws: `APIError` 413 when it is larger.
    func bytes(upTo limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than \(limit) bytes")
        }
    }

    /// A JSON object body, at most `limit` bytes.
    /// - Throws: `APIError` 413, 400 (malformed, with line and column). (The route has checked its media type.)
    func jsonObject(upTo limit: Int) async throws -> (JSONObject, [UInt8]) {
        let raw = try await bytes(upTo: limit)
        return (try Self.jsonObject(raw), raw)
    }

    /// `raw` as a JSON object.
    /// - Throws: `APIError` 400 (malformed, with line and column, or not an object).
    static func jsonObject(_ raw: [UInt8]) throws -> JSONObject {
        do {
            let value = try JSONValue.parse(raw)
            guard case .object(let o) = value else {
                throw APIError(.badRequest, code: "malformed_json", message: "the body must be a JSON object, not \(value.typeDescription)")
            }
            return o
        } catch let e as JSONSyntaxError {
            throw APIError(.badRequest, code: "malformed_json", message: e.description, details: [FieldError("body", e.description)])
        }
    }
}
