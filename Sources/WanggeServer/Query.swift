import Foundation
import Hummingbird
import WanggeCore

/// A request's query parameters, checked against the ones its route declares: an unknown name is a 400 that lists
/// the allowed ones, and each typed read applies the declared range or values, with errors that name the parameter.
struct Query: Sendable {
    let values: [String: String]
    let declared: [String: APIRoute.Parameter]

    /// The request's query as the client wrote it, pair by pair: the decoded key, the value still encoded, and
    /// the whole `key=value` text.
    static func rawPairs(_ request: Request) -> [(key: String, value: Substring, pair: Substring)] {
        (request.uri.query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecoded(parts[0]), parts.count > 1 ? parts[1] : "", pair)
        }
    }

    /// `text` with its %XX escapes decoded (as it is when invalid). Most keys and values have none, and Foundation's
    /// decoding is then skipped: it was a few per cent of a map request, which reads every query twice (the
    /// parameters, then the links).
    static func percentDecoded<S: StringProtocol>(_ text: S) -> String {
        let plain = String(text)
        guard plain.utf8.contains(UInt8(ascii: "%")) else { return plain }
        return plain.removingPercentEncoding ?? plain
    }

    init(_ request: Request, declared parameters: [APIRoute.Parameter]) throws {
        let declared = Dictionary(parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Read from the raw query, decoded once here (Hummingbird's `queryParameters` has decoded already, and a
        // parameter whose `+` is a space must see the `+` before `%2B` becomes one).
        var values: [String: String] = [:]
        for (key, rawValue, _) in Self.rawPairs(request) {
            var raw = String(rawValue)
            if declared[key]?.plusIsSpace == true, raw.utf8.contains(UInt8(ascii: "+")) { raw = raw.replacingOccurrences(of: "+", with: " ") }
            values[key] = Self.percentDecoded(raw)
        }
        self.values = values
        self.declared = declared
        let unknown = Set(values.keys).subtracting(declared.keys).sorted()
        if !unknown.isEmpty {
            let allowed = parameters.map(\.name)
            throw APIError(.badRequest, code: "bad_parameter",
                           message: "unknown query parameter\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); allowed: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))",
                           details: unknown.map { FieldError($0, "unknown parameter") })
        }
        // Every declared constraint holds for every parameter sent, whether or not the handler reads it on this
        // path (a `bom` given with f=json is still checked): the API document promises them.
        for name in values.keys.sorted() {
            guard let p = declared[name] else { continue }
            switch p.type {
            case "integer": _ = try int(name)
            case "number": _ = try double(name)
            default:
                if let allowed = p.enumValues, let v = try nonEmpty(name), !allowed.contains(v) {
                    throw APIError.badParameter(name, "must be one of \(allowed.joined(separator: ", "))",
                                                message: "query parameter \(name) must be one of \(allowed.joined(separator: ", ")), not \"\(v)\"")
                }
            }
        }
    }

    func parameter(_ name: String) -> APIRoute.Parameter {
        guard let p = declared[name] else { preconditionFailure("query parameter \(name) is read but not declared by its route") }
        return p
    }

    /// The raw value, if the parameter is present (possibly empty).
    func string(_ name: String) -> String? {
        _ = parameter(name)
        return values[name]
    }

    /// A typed parameter that is present must have a value: `?until=` is an error, not "no filter".
    func nonEmpty(_ name: String) throws -> String? {
        guard let s = string(name) else {
            if parameter(name).required { throw APIError.badParameter(name, "is required", message: "query parameter \(name) is required") }
            return nil
        }
        guard !s.isEmpty else {
            throw APIError.badParameter(name, "must not be empty", message: "query parameter \(name) is empty; leave it out or give a value")
        }
        return s
    }

    /// A finite number within the declared minimum and maximum.
    func double(_ name: String) throws -> Double? {
        guard let s = try nonEmpty(name) else { return nil }
        guard let v = Double(s), v.isFinite else {
            throw APIError.badParameter(name, "must be a finite number", message: "query parameter \(name) must be a finite number, not \"\(s)\"")
        }
        let p = parameter(name)
        if let lo = p.minimum, v < lo { throw outOfRange(name, p) }
        if let hi = p.maximum, v > hi { throw outOfRange(name, p) }
        return v
    }

    /// An integer within the declared minimum and maximum (above it, the maximum where the parameter clamps).
    func int(_ name: String) throws -> Int? {
        guard let s = try nonEmpty(name) else { return nil }
        let p = parameter(name)
        if p.clampsToMaximum, let v = Int(s), let hi = p.maximum, Double(v) > hi { return Int(hi) }
        guard let v = Int(s), p.minimum.map({ Double(v) >= $0 }) ?? true, p.maximum.map({ Double(v) <= $0 }) ?? true else {
            let range = Self.range(p)
            throw APIError.badParameter(name, "must be an integer\(range)", message: "query parameter \(name) must be an integer\(range), not \"\(s)\"")
        }
        return v
    }

    func outOfRange(_ name: String, _ p: APIRoute.Parameter) -> APIError {
        APIError.badParameter(name, "out of range", message: "query parameter \(name) must be\(Self.range(p))")
    }

    static func range(_ p: APIRoute.Parameter) -> String {
        func n(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
        switch (p.minimum, p.maximum) {
        case let (lo?, hi?): return " within \(n(lo))…\(n(hi))"
        case let (lo?, nil): return " of at least \(n(lo))"
        case let (nil, hi?): return " of at most \(n(hi))"
        case (nil, nil): return ""
        }
    }

    /// One of a closed set of values (the route declares the same set).
    /// A residential level named by the layer's scheme.
    func level(_ name: String, in levels: LevelScheme) throws -> GridLevel? {
        guard let s = try nonEmpty(name) else { return nil }
        guard let l = levels.level(named: s) else {
            let allowed = levels.names.joined(separator: ", ")
            throw APIError.badParameter(name, "must be one of \(allowed)", message: "query parameter \(name) must be one of \(allowed) (the residential levels), not \"\(s)\"")
        }
        return l
    }

    func choice<T: RawRepresentable>(_ name: String, _: T.Type) throws -> T? where T.RawValue == String, T: CaseIterable {
        guard let s = try nonEmpty(name) else { return nil }
        guard let v = T(rawValue: s) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badParameter(name, "must be one of \(allowed)", message: "query parameter \(name) must be one of \(allowed), not \"\(s)\"")
        }
        return v
    }

    func crs(_ name: String = "crs") throws -> CRS? {
        guard let s = try nonEmpty(name) else { return nil }
        do { return try CRS(parsing: s) } catch {
            throw APIError.badParameter(name, error.description, message: error.description)
        }
    }
}
