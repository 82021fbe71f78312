import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
public import WanggeCore
import WanggeUseCases

/// The one error type clients see: `{"error": {"code", "message", "details": [{"field", "reason"}]}}` with its HTTP
/// status. Anything else thrown by a handler becomes a 500 whose body says nothing about internals (the cause is
/// logged with the request id).
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [FieldError]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [FieldError] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var json: JSONValue {
        .object(JSONObject([("error", .object(JSONObject([
            ("code", .string(code)), ("message", .string(message)),
            ("details", .array(details.map { .object(JSONObject([("field", .string($0.field)), ("reason", .string($0.reason))])) })),
        ])))]))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var r = Response.json(json, status: status)
        r.headers.append(contentsOf: headers)
        if status == .unauthorized, r.headers[.wwwAuthenticate] == nil { r.headers.append(contentsOf: Self.challenges()) }
        return r
    }

    /// The `WWW-Authenticate` challenges of a 401: both ways a token may come (RFC 6750, RFC 7617), so that a
    /// client that can only do Basic prompts; `invalidToken` when the one sent is unknown or revoked.
    static func challenges(invalidToken: Bool = false) -> [HTTPField] {
        [HTTPField(name: .wwwAuthenticate, value: invalidToken ? #"Bearer realm="wangge", error="invalid_token""# : #"Bearer realm="wangge""#),
         HTTPField(name: .wwwAuthenticate, value: #"Basic realm="wangge", charset="UTF-8""#)]
    }

    /// A 401 for `what` without a token.
    public static func needsToken(_ what: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized",
                 message: "\(what) needs a token: Authorization: Bearer wg_…, or HTTP Basic with the token as the password (any user name); create one with `wangge token create`")
    }

    /// Maps the errors the core and kit throw to what the client should see.
    public static func from(_ error: any Error) -> APIError? {
        switch error {
        case let e as APIError: return e
        case let e as InvalidFields:
            return APIError(.unprocessableContent, code: "invalid_input", message: "the request has invalid fields: \(e.description)", details: e.errors)
        case is EventCommitQueue.Stopped:
            var e = APIError(.serviceUnavailable, code: "shutting_down", message: "the service is shutting down; nothing was stored — send it again")
            e.headers[.retryAfter] = "5"
            return e
        case let e as WanggeError:
            switch e {
            case .notFound(let m): return APIError(.notFound, code: "not_found", message: m)
            case .invalidInput(let m): return APIError(.unprocessableContent, code: "invalid_input", message: m)
            case .conflict(let m): return APIError(.conflict, code: "conflict", message: m)
            case .io: return nil
            }
        default: return nil
        }
    }
}

extension Response {
    /// A JSON response (compact, UTF-8).
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var w = GeoJSONWriter()
        w.appendValue(value)
        return bytes(w.bytes, status: status, contentType: contentType)
    }

    public static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension APIError {
    /// A 400 for one query or path parameter.
    static func badParameter(_ name: String, _ reason: String, message: String? = nil) -> APIError {
        APIError(.badRequest, code: "bad_parameter", message: message ?? "\(name) \(reason)", details: [FieldError(name, reason)])
    }
}

extension Response {
    /// A response type (a fixed shape) as JSON, members in the order the type declares them.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, contentType: String = "application/json") throws -> Response {
        json(try JSONValueEncoder.encode(value), status: status, contentType: contentType)
    }
}
