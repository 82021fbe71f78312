import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WanggeCore

/// One endpoint: how it is called, who may call it, what it answers, and its handler. The router and the OpenAPI
/// document are both made from the same list, so they cannot disagree.
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
    }

    struct Body: Sendable {
        var contentTypes: [String]
        var schema: String
        var description: String
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

    typealias Handler = @Sendable (Request, AppRequestContext, Identity?) async throws -> Response

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

    /// Every answer, including the ones every endpoint of its kind can give.
    var allAnswers: [Answer] {
        var a = answers
        if roles != nil {
            a.append(Answer(status: 401, description: "No token, or a token that is unknown or revoked"))
            a.append(Answer(status: 403, description: "The token's role may not call this endpoint"))
        }
        if !parameters.isEmpty || body != nil, !a.contains(where: { $0.status == 400 }) {
            a.append(Answer(status: 400, description: "A parameter or the body is malformed"))
        }
        a.append(Answer(status: 500, description: "The server failed; the body holds a request id to quote"))
        return a.sorted { $0.status < $1.status }
    }
}

extension Router where Context == AppRequestContext {
    /// Registers the routes, each checking its roles before its handler runs.
    func add(_ routes: [APIRoute]) {
        for route in routes {
            on(RouterPath(stringLiteral: route.path), method: route.method) { request, context -> Response in
                let identity = try route.roles.map { try context.require($0) } ?? context.identity
                return try await route.handler(request, context, identity)
            }
        }
    }
}

/// Query parameter reading with errors that name the parameter.
struct Query {
    let request: Request
    let known: Set<String>

    init(_ request: Request, allowed: [String]) throws {
        self.request = request
        self.known = Set(allowed)
        let unknown = Set(request.uri.queryParameters.map { String($0.key) }).subtracting(known)
        if !unknown.isEmpty {
            throw APIError(.badRequest, code: "bad_parameter",
                           message: "unknown query parameter\(unknown.count == 1 ? "" : "s") \(unknown.sorted().joined(separator: ", ")); allowed: \(allowed.joined(separator: ", "))",
                           details: unknown.sorted().map { FieldError($0, "unknown parameter") })
        }
    }

    func string(_ name: String) -> String? {
        request.uri.queryParameters[name[...]].map { String($0).removingPercentEncoding ?? String($0) }
    }

    /// A typed parameter that is present must have a value: `?until=` is an error, not "no filter".
    func nonEmpty(_ name: String) throws -> String? {
        guard let s = string(name) else { return nil }
        guard !s.isEmpty else {
            throw APIError(.badRequest, code: "bad_parameter", message: "query parameter \(name) is empty; leave it out or give a value",
                           details: [FieldError(name, "must not be empty")])
        }
        return s
    }

    func double(_ name: String, required: Bool = false, range: ClosedRange<Double>? = nil) throws -> Double? {
        guard let s = try nonEmpty(name) else {
            if required { throw APIError(.badRequest, code: "bad_parameter", message: "query parameter \(name) is required", details: [FieldError(name, "is required")]) }
            return nil
        }
        guard let v = Double(s), v.isFinite else {
            throw APIError(.badRequest, code: "bad_parameter", message: "query parameter \(name) must be a finite number, not \"\(s)\"", details: [FieldError(name, "must be a finite number")])
        }
        if let range, !range.contains(v) {
            throw APIError(.badRequest, code: "bad_parameter", message: "query parameter \(name) must be within \(range.lowerBound)…\(range.upperBound)", details: [FieldError(name, "out of range")])
        }
        return v
    }

    func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let s = try nonEmpty(name) else { return nil }
        guard let v = Int(s), range.contains(v) else {
            throw APIError(.badRequest, code: "bad_parameter", message: "query parameter \(name) must be an integer within \(range.lowerBound)…\(range.upperBound), not \"\(s)\"", details: [FieldError(name, "must be an integer within \(range.lowerBound)…\(range.upperBound)")])
        }
        return v
    }

    func crs(_ name: String = "crs") throws -> CRS {
        guard let s = try nonEmpty(name) else { return .wgs84 }
        do { return try CRS(parsing: s) } catch {
            throw APIError(.badRequest, code: "bad_parameter", message: error.description, details: [FieldError(name, error.description)])
        }
    }

    func choice<T: RawRepresentable>(_ name: String, _: T.Type) throws -> T? where T.RawValue == String, T: CaseIterable {
        guard let s = try nonEmpty(name) else { return nil }
        guard let v = T(rawValue: s) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(.badRequest, code: "bad_parameter", message: "query parameter \(name) must be one of \(allowed), not \"\(s)\"", details: [FieldError(name, "must be one of \(allowed)")])
        }
        return v
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
    /// - Throws: `APIError` 413, 415 (not JSON), 400 (malformed, with line and column).
    func jsonObject(upTo limit: Int) async throws -> (JSONObject, [UInt8]) {
        if let type = headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json, not \(type)")
        }
        let raw = try await bytes(upTo: limit)
        do {
            let value = try JSONValue.parse(raw)
            guard case .object(let o) = value else {
                throw APIError(.badRequest, code: "malformed_json", message: "the body must be a JSON object, not \(value.typeDescription)")
            }
            return (o, raw)
        } catch let e as JSONSyntaxError {
            throw APIError(.badRequest, code: "malformed_json", message: e.description, details: [FieldError("body", e.description)])
        }
    }
}
