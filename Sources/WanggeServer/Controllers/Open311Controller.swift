import Foundation
import HTTPTypes
import Hummingbird
import WanggeAssignment
import WanggeCore
import WanggeUseCases

/// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under `/open311/v2`, in JSON and XML: the event
/// types as services (with severity and channel as attributes), reports posted as service requests (form-encoded or
/// JSON, `api_key` a reporter token) through the same intake as `POST /events`, and the events read as requests.
/// Reads need no key and show what a viewer sees (no reporters); errors are Open311's `[{code, description}]`.
struct Open311Controller: Sendable {
    let intake: EventIntake
    let loop: ClosedLoop
    let events: any FeatureRepository & EventRepository
    let tokens: TokenCache
    /// Callers named by an api_key (not by a bearer token the router already counted) are counted here.
    let limiter: RateLimiter?

    static let root = "/open311/v2"
    /// The span `GET requests` covers without dates, and the most it may cover with them (as the specification says).
    static let window = 90.0 * 86400

    /// `extensions=true|false`.
    enum Flag: String, CaseIterable {
        case yes = "true", no = "false"
    }

    enum Format: String, CaseIterable, Sendable {
        case json, xml
        var contentType: String { self == .json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8" }
    }

    /// Element names of list items in XML.
    static func itemName(_ list: String) -> String {
        switch list {
        case "services": return "service"
        case "service_requests": return "request"
        case "attributes": return "attribute"
        case "values": return "value"
        case "endpoints": return "endpoint"
        case "formats": return "format"
        case "errors": return "error"
        default: return list.hasSuffix("s") ? String(list.dropLast()) : "item"
        }
    }

    /// An answer in the format of the URL: JSON as it is; XML with `root` (and a list's items named after it).
    static func answer(_ value: JSONValue, root: String, format: Format, status: HTTPResponse.Status = .ok) -> Response {
        switch format {
        case .json:
            var r = Response.json(value, status: status)
            r.headers[.contentType] = format.contentType
            return r
        case .xml:
            var w = XMLWriter()
            w.element(root, value, itemName: itemName)
            return .bytes(Array(w.text.utf8), status: status, contentType: format.contentType)
        }
    }

    /// Open311's error list, with the HTTP status as the code.
    static func error(_ e: APIError, format: Format) -> Response {
        var description = e.message
        if !e.details.isEmpty, !e.details.allSatisfy({ e.message.contains($0.reason) }) {
            description += " (" + e.details.map { "\($0.field): \($0.reason)" }.joined(separator: "; ") + ")"
        }
        let list = JSONValue.array([.object(JSONObject([("code", .number(JSONNumber(Int(e.status.code)))), ("description", .string(description))]))])
        return answer(list, root: "errors", format: format, status: e.status)
    }

    static let jurisdiction = APIRoute.Parameter(name: "jurisdiction_id", location: .query, type: "string",
                                                 description: "Accepted (this service has one jurisdiction)")

    /// The same endpoint in JSON and in XML.
    func both(_ method: HTTPRequest.Method, _ path: String, _ summary: String, parameters: [APIRoute.Parameter] = [],
              body: APIRoute.Body? = nil, answers: [APIRoute.Answer],
              _ handler: @escaping @Sendable (RouteRequest, Format) async throws -> Response) -> [APIRoute] {
        Format.allCases.map { format in
            let type = format == .json ? "application/json" : "text/xml"
            return APIRoute(method: method, path: Self.root + path + "." + format.rawValue, summary: summary + " (\(format.rawValue.uppercased()))",
                            tag: "open311", roles: nil, parameters: parameters + [Self.jurisdiction], body: body,
                            answers: answers.map { a in
                                var a = a
                                a.contentType = type
                                if a.status >= 400 { a.schema = "Open311Errors" }
                                if format == .xml { a.schema = nil }
                                return a
                            },
                            handler: { try await handler($0, format) },
                            renderError: { Self.error($0, format: format) },
                            errorContentType: type, errorSchema: format == .json ? "Open311Errors" : nil)
        }
    }

    var routes: [APIRoute] {
        let code = APIRoute.Parameter(name: "service_code", location: .path, type: "string", required: true, description: "An event type code")
        let definition: @Sendable (RouteRequest, Format) async throws -> Response = { r, f in try self.definition(r, f) }
        return both(.get, "/discovery", "Open311: where this endpoint is and what it speaks",
                    answers: [.init(status: 200, description: "The discovery document", schema: "Open311Discovery")]) { r, f in self.discovery(r, f) }
            + both(.get, "/services", "Open311: the event types as services",
                   answers: [.init(status: 200, description: "The services", schema: "Open311Services")]) { r, f in try self.services(r, f) }
            + both(.get, "/services/{service_code}", "Open311: a service's attributes (severity, channel)", parameters: [code],
                   answers: [.init(status: 200, description: "The service definition", schema: "Open311ServiceDefinition"),
                             .init(status: 404, description: "No such service")], definition)
            + both(.get, "/service/{service_code}", "Open311: a service's attributes (the path some clients use)", parameters: [code],
                   answers: [.init(status: 200, description: "The service definition", schema: "Open311ServiceDefinition"),
                             .init(status: 404, description: "No such service")], definition)
            + both(.post, "/requests", "Open311: report a problem (api_key: a reporter token)",
                   parameters: [.init(name: "api_key", location: .query, type: "string", description: "A reporter token (also accepted in the body, or as a bearer token)")],
                   body: .init(contentTypes: ["application/x-www-form-urlencoded", "application/json"], schema: "Open311Request",
                               description: "service_code, lat, long, description; optional first_name, last_name, phone, email, media_url, attribute[severity], attribute[channel]", maxBytes: 64 * 1024),
                   answers: [.init(status: 201, description: "Stored: the new request's id", schema: "Open311PostAnswer", headers: ["Location": "the request's URL"]),
                             .init(status: 403, description: "The api_key is unknown, revoked, or not a reporter's"),
                             .init(status: 413, description: "The body is larger than 64 KiB")]) { r, f in try await self.post(r, f) }
            + both(.get, "/requests", "Open311: service requests, newest first",
                   parameters: [
                    .init(name: "service_request_id", location: .query, type: "string", description: "Ids, comma-separated (the other filters are then ignored)"),
                    .init(name: "service_code", location: .query, type: "string", description: "Event types, comma-separated"),
                    .init(name: "start_date", location: .query, type: "string", description: "Reported at or after (W3C date-time; default: 90 days before end_date)", format: "date-time"),
                    .init(name: "end_date", location: .query, type: "string", description: "Reported before (default: now); at most 90 days after start_date", format: "date-time"),
                    .init(name: "status", location: .query, type: "string", description: "open, closed, or both comma-separated"),
                    .init(name: "page", location: .query, type: "integer", description: "Page, from 1", minimum: 1, maximum: 100_000),
                    .init(name: "page_size", location: .query, type: "integer", description: "Requests per page (default 100)", minimum: 1, maximum: 1000),
                    .init(name: "extensions", location: .query, type: "string", description: "true adds extended_attributes: the grids, the detailed status, severity and channel", enumValues: ["true", "false"]),
                    .init(name: "api_key", location: .query, type: "string", description: "Optional: a token, whose view of events applies"),
                   ],
                   answers: [.init(status: 200, description: "The requests", schema: "Open311Requests"),
                             .init(status: 403, description: "The api_key given is unknown or revoked")]) { r, f in try self.list(r, f) }
            + both(.get, "/requests/{service_request_id}", "Open311: one service request (a list of one)",
                   parameters: [.init(name: "service_request_id", location: .path, type: "string", required: true, description: "The request (event) id"),
                                .init(name: "extensions", location: .query, type: "string", description: "true adds extended_attributes", enumValues: ["true", "false"]),
                                .init(name: "api_key", location: .query, type: "string", description: "Optional: a token, whose view of events applies")],
                   answers: [.init(status: 200, description: "The request, as a list of one", schema: "Open311Requests"),
                             .init(status: 403, description: "The api_key given is unknown or revoked"),
                             .init(status: 404, description: "No such request")]) { r, f in try self.one(r, f) }
    }

    // MARK: services

    func discovery(_ r: RouteRequest, _ f: Format) -> Response {
        let changeset = "2026-12-01T00:00:00Z"
        let value = JSONValue.object(JSONObject([
            ("changeset", .string(changeset)),
            ("contact", .string("The street information centre (信息中心) that runs this Wangge service")),
            ("key_service", .string("API keys are Wangge reporter tokens: wangge token create --role reporter --name NAME")),
            ("endpoints", .array([.object(JSONObject([
                ("specification", .string("http://wiki.open311.org/GeoReport_v2")),
                ("url", .string(r.baseURL + Self.root)), ("changeset", .string(changeset)), ("type", .string("production")),
                ("formats", .array([.string("application/json"), .string("text/xml")])),
            ]))])),
        ]))
        return Self.answer(value, root: "discovery", format: f)
    }

    /// `keywords` are the type's category and, for a type filed under a class of the standard, the class's 大类, 小类,
    /// id and GB/T 47678.5 code (`城市管理,市容环境,暴露垃圾,event:0110,06010`), so a client can find a service by them.
    func services(_ r: RouteRequest, _ f: Format) throws -> Response {
        let classes = try loop.classes()
        let list = try events.eventTypes().map { t -> JSONValue in
            var keywords = [t.category]
            if let id = t.standardClass, let c = classes?.find(id) {
                keywords += [c.major.name, c.minor.name, id] + (c.minor.nationalCode.map { [$0] } ?? [])
            }
            return .object(JSONObject([
                ("service_code", .string(t.code)), ("service_name", .string(t.name)), ("description", .string(t.nameEn)),
                ("metadata", .bool(true)), ("type", .string("realtime")), ("keywords", .string(keywords.joined(separator: ","))),
                ("group", .string(t.category)),
            ]))
        }
        return Self.answer(.array(list), root: "services", format: f)
    }

    static let severityNames = ["1": "1 一般 minor", "2": "2 较重 moderate", "3": "3 严重 serious", "4": "4 紧急 most urgent"]
    static let channelNames: [EventChannel: String] = [.gridStation: "网格工作站 grid station", .hotline: "24小时热线 hotline",
                                                       .web: "网站 web", .reception: "接待室 reception"]

    func definition(_ r: RouteRequest, _ f: Format) throws -> Response {
        let code = r.path("service_code")
        guard try events.eventTypes().contains(where: { $0.code == code }) else {
            throw APIError(.notFound, code: "not_found", message: "no service \(code); see services.\(f.rawValue)")
        }
        func attribute(_ code: String, _ order: Int, _ description: String, _ note: String, _ values: [(String, String)]) -> JSONValue {
            .object(JSONObject([
                ("variable", .bool(true)), ("code", .string(code)), ("datatype", .string("singlevaluelist")), ("required", .bool(false)),
                ("datatype_description", .string(note)), ("order", .number(JSONNumber(order))), ("description", .string(description)),
                ("values", .array(values.map { .object(JSONObject([("key", .string($0.0)), ("name", .string($0.1))])) })),
            ]))
        }
        let value = JSONValue.object(JSONObject([
            ("service_code", .string(code)),
            ("attributes", .array([
                attribute("severity", 1, "How urgent (严重程度)", "1 to 4; 2 when not given",
                          ["1", "2", "3", "4"].map { ($0, Self.severityNames[$0]!) }),
                attribute("channel", 2, "How the report reached the service (渠道)", "web when not given",
                          EventChannel.allCases.map { ($0.rawValue, Self.channelNames[$0] ?? $0.rawValue) }),
            ])),
        ]))
        return Self.answer(value, root: "service_definition", format: f)
    }

    // MARK: posting

    /// The fields a request may carry, besides `attribute[severity]` and `attribute[channel]`.
    static let postFields: Set<String> = ["api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
                                          "email", "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url"]

    func post(_ r: RouteRequest, _ f: Format) async throws -> Response {
        let raw = try await r.body()
        var fields: [String: String] = [:]
        let type = r.request.headers[.contentType]?.lowercased() ?? ""
        if type.hasPrefix("application/json") {
            let value: JSONValue
            do { value = try JSONValue.parse(raw) } catch {
                throw APIError(.badRequest, code: "malformed_json", message: error.description)
            }
            guard case .object(let o) = value else { throw APIError(.badRequest, code: "malformed_json", message: "the body must be a JSON object") }
            for m in o.members {
                switch m.value {
                case .string(let s): fields[m.key] = s
                case .number(let n): fields[m.key] = n.literal
                case .null: break
                case .object(let attrs) where m.key == "attribute":
                    for a in attrs.members { fields["attribute[\(a.key)]"] = a.value.identifierText ?? "" }
                default: throw APIError.badParameter(m.key, "must be a string or a number", message: "\(m.key) must be a string or a number")
                }
            }
        } else {
            fields = try FormBody.fields(raw)
        }
        if fields["api_key"] == nil, let key = r.query.string("api_key") { fields["api_key"] = key }
        let unknown = fields.keys.filter { !Self.postFields.contains($0) && $0 != "attribute[severity]" && $0 != "attribute[channel]" }.sorted()
        if !unknown.isEmpty {
            throw APIError(.badRequest, code: "bad_parameter", message: "unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); the attributes are severity and channel")
        }
        // Who: the api_key (or a bearer token) must be a token that may report.
        let caller: Identity
        if let key = fields["api_key"], !key.isEmpty {
            guard let identity = try tokens.identity(token: key) else { throw APIError(.forbidden, code: "forbidden", message: "the api_key is not valid (unknown or revoked)") }
            if r.identity == nil { try limiter?.admit(identity) }
            caller = identity
        } else if let identity = r.identity {
            caller = identity
        } else {
            throw APIError(.badRequest, code: "bad_parameter", message: "api_key is required: a reporter token (wangge token create --role reporter)")
        }
        guard [.reporter, .dispatcher, .admin].contains(caller.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(caller.role.rawValue) token may not report; use a reporter's")
        }
        guard let service = fields["service_code"], !service.isEmpty else {
            throw APIError.badParameter("service_code", "is required", message: "service_code is required (see services.\(f.rawValue))")
        }
        guard fields["lat"] != nil || fields["long"] != nil else {
            if fields["address_string"] != nil || fields["address_id"] != nil {
                throw APIError(.badRequest, code: "bad_parameter", message: "this service has no geocoder: give lat and long (WGS 84) rather than an address")
            }
            throw APIError(.badRequest, code: "bad_parameter", message: "lat and long are required")
        }
        func number(_ k: String) throws -> JSONValue {
            guard let s = fields[k], let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw APIError.badParameter(k, "must be a number", message: "\(k) must be a number (WGS 84 degrees)")
            }
            return .number(JSONNumber(v))
        }
        // The same submission as POST /events, with the same checks.
        var body = JSONObject([("type", .string(service)), ("lon", try number("long")), ("lat", try number("lat"))])
        let severity = fields["attribute[severity]"].flatMap { $0.isEmpty ? nil : $0 } ?? "2"
        guard let s = Int(severity) else { throw APIError.badParameter("attribute[severity]", "must be 1, 2, 3 or 4") }
        body["severity"] = .number(JSONNumber(s))
        body["channel"] = .string(fields["attribute[channel]"].flatMap { $0.isEmpty ? nil : $0 } ?? EventChannel.web.rawValue)
        body["description"] = .string(fields["description"] ?? "")
        let name = [fields["first_name"], fields["last_name"]].compactMap { $0?.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
        if !name.isEmpty { body["reporter_name"] = .string(name) }
        if let phone = fields["phone"], !phone.isEmpty { body["reporter_phone"] = .string(phone) }
        if let email = fields["email"], !email.isEmpty { body["reporter_email"] = .string(email) }
        if let media = fields["media_url"], !media.isEmpty { body["media_url"] = .string(media) }
        let submitted: (IdempotentResponse, created: Bool)
        do {
            submitted = try await intake.submit(body, rawBody: raw, actor: caller, idempotencyKey: nil, now: loop.clock(),
                                                renderDuplicates: EventJSON.duplicatesBytes) { record, duplicates in
                // The id, then what the report may repeat, for the service notice.
                var w = GeoJSONWriter()
                w.append(#"{"id":"#)
                w.appendString(String(record.id))
                w.append(#","duplicates":"#)
                duplicates.withUnsafeBufferPointer { w.append(bytes: $0) }
                w.append("}")
                return w.bytes
            }
        } catch let e as InvalidFields {
            // Name the fields as the Open311 client sent them.
            let names = ["type": "service_code", "lon": "long", "reporter_name": "first_name", "reporter_phone": "phone",
                         "reporter_email": "email", "severity": "attribute[severity]", "channel": "attribute[channel]"]
            let errors = e.errors.map { FieldError(names[$0.field] ?? $0.field, $0.reason) }
            throw APIError(.badRequest, code: "invalid_input", message: errors.map(\.description).joined(separator: "; "), details: errors)
        }
        let stored = (try? JSONValue.parse(submitted.0.body))?.objectValue
        let id = stored?["id"]?.stringValue ?? ""
        var notice: JSONValue = .null
        if case .array(let dups)? = stored?["duplicates"], !dups.isEmpty {
            notice = .string("Possibly the same as " + dups.compactMap { d -> String? in
                guard let o = d.objectValue, let other = o["id"]?.identifierText, let m = o["distance_m"]?.doubleValue else { return nil }
                return "#\(other) (\(Int(m.rounded())) m)"
            }.joined(separator: ", ") + ", reported nearby and still open")
        }
        var answer = Self.answer(.array([.object(JSONObject([("service_request_id", .string(id)), ("service_notice", notice), ("account_id", .null)]))]),
                                 root: "service_requests", format: f, status: .created)
        answer.headers[.location] = "\(Self.root)/requests/\(id).\(f.rawValue)"
        return answer
    }

    // MARK: reading

    /// The caller's view: a token's if an api_key (or bearer token) is given, a viewer's otherwise.
    func visibility(_ r: RouteRequest) throws -> EventVisibility {
        if let key = r.query.string("api_key"), !key.isEmpty {
            guard let identity = try tokens.identity(token: key) else { throw APIError(.forbidden, code: "forbidden", message: "the api_key is not valid (unknown or revoked)") }
            if r.identity == nil { try limiter?.admit(identity) }
            return identity.eventVisibility
        }
        return r.identity?.eventVisibility ?? .all
    }

    static let closedStatuses: [EventStatus] = [.closed, .evaluated, .rejected]

    func list(_ r: RouteRequest, _ f: Format) throws -> Response {
        let q = r.query
        var query = FeatureQuery(.events)
        query.visibility = try visibility(r)
        if let ids = try q.nonEmpty("service_request_id") {
            query.ids = try ids.split(separator: ",").map { part in
                guard let id = Int64(part.trimmingCharacters(in: .whitespaces)), id > 0 else {
                    throw APIError.badParameter("service_request_id", "must be ids separated by commas")
                }
                return id
            }
            query.limit = 1000
        } else {
            if let codes = try q.nonEmpty("service_code") { query.types = codes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            if let statuses = try q.nonEmpty("status") {
                var set: [EventStatus] = []
                for s in statuses.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    switch s {
                    case "open": set += EventStatus.allCases.filter { !Self.closedStatuses.contains($0) }
                    case "closed": set += Self.closedStatuses
                    default: throw APIError.badParameter("status", "must be open, closed or both")
                    }
                }
                if Set(set).count < EventStatus.allCases.count { query.statuses = set }
            }
            let end = try FeatureRequest.time(q, "end_date") ?? loop.clock()
            let start = try FeatureRequest.time(q, "start_date") ?? end - Self.window
            guard start < end else { throw APIError.badParameter("start_date", "must be before end_date") }
            guard end - start <= Self.window else {
                throw APIError.badParameter("end_date", "may not be more than 90 days after start_date", message: "start_date and end_date may not be more than 90 days apart")
            }
            query.reportedFrom = start
            query.reportedTo = end
            let size = try q.int("page_size") ?? 100
            query.limit = size
            query.cursor = .offset(((try q.int("page") ?? 1) - 1) * size)
        }
        let page = try events.eventPage(query, count: false)
        let extensions = try q.choice("extensions", Flag.self) == .yes
        return Self.answer(.array(try page.items.map { try request($0, extensions: extensions) }), root: "service_requests", format: f)
    }

    func one(_ r: RouteRequest, _ f: Format) throws -> Response {
        let text = r.path("service_request_id")
        guard let id = Int64(text), id > 0, let record = try events.event(id: id), try visibility(r).admits(record) else {
            throw APIError(.notFound, code: "not_found", message: "no service request \(text)")
        }
        let extensions = try r.query.choice("extensions", Flag.self) == .yes
        return Self.answer(.array([try request(record, extensions: extensions)]), root: "service_requests", format: f)
    }

    /// An event as an Open311 service request: open until closed (or rejected), the department as the agency
    /// responsible, the current deadline as the expected time.
    func request(_ record: EventRecord, extensions: Bool) throws -> JSONValue {
        let state = try loop.repository.workflow(eventID: record.id)?.1
        let e = record.event
        let closed = Self.closedStatuses.contains(record.status)
        let types = Dictionary(try events.eventTypes().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let departments = Dictionary(try events.departments().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        func time(_ t: Double?) -> JSONValue { t.map { .string(Timestamp.format($0)) } ?? .null }
        let updated = [e.reportedAt, state?.acceptedAt, state?.dispatchedAt, state?.acknowledgedAt, state?.resolvedAt,
                       state?.closedAt, state?.evaluatedAt].compactMap { $0 }.max()
        let sla = try loop.sla()
        let due = state.flatMap { Workflow.deadline($0, sla: sla, now: loop.clock())?.due }
        var notes: JSONValue = .null
        if let parent = state?.duplicateOf { notes = .string("duplicate of #\(parent)") }
        else if record.status == .rejected, let reason = state?.rejectReason { notes = .string(reason) }
        else if closed, let feedback = state?.feedback { notes = .string(feedback) }
        var o = JSONObject([
            ("service_request_id", .string(String(record.id))), ("status", .string(closed ? "closed" : "open")),
            ("status_notes", notes), ("service_name", .string(types[e.type] ?? e.type)), ("service_code", .string(e.type)),
            ("description", .string(e.description)),
            ("agency_responsible", record.department.map { .string(departments[$0] ?? $0) } ?? .null),
            ("service_notice", .null), ("requested_datetime", time(e.reportedAt)), ("updated_datetime", time(updated)),
            ("expected_datetime", time(due)), ("address", .null), ("address_id", .null), ("zipcode", .null),
            ("lat", .number(JSONNumber(e.lat))), ("long", .number(JSONNumber(e.lon))), ("media_url", e.mediaURL.map { .string($0) } ?? .null),
        ])
        if extensions {
            let a = e.assignment
            func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            o["extended_attributes"] = .object(JSONObject([
                ("status", .string(record.status.rawValue)), ("severity", .number(JSONNumber(e.severity))),
                ("channel", .string(e.channel.rawValue)), ("department", opt(record.department))]
                + intake.engine.levels.members(a.residential) + [
                ("functional", FeatureJSON.codes(a.functional.grids)), ("industry", FeatureJSON.codes(a.industry.grids)),
                ("outside", .bool(e.isOutside)),
                ("duplicate_of", state?.duplicateOf.map { .string(String($0)) } ?? .null),
                ("duplicates", .array((state?.duplicates ?? []).map { .string(String($0)) })),
            ]))
        }
        return .object(o)
    }
}

/// An `application/x-www-form-urlencoded` body as fields: `+` is a space, `%XX` a byte, and text must be UTF-8.
enum FormBody {
    /// - Throws: `APIError` 400 for a field named twice or text that does not decode.
    static func fields(_ bytes: [UInt8]) throws -> [String: String] {
        var out: [String: String] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let kv = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(kv[0]), !key.isEmpty, let value = decode(kv.count > 1 ? kv[1] : []) else {
                throw APIError(.badRequest, code: "malformed_form", message: "the form body is not valid application/x-www-form-urlencoded UTF-8 text")
            }
            guard out[key] == nil else { throw APIError.badParameter(key, "is given more than once") }
            out[key] = value
        }
        return out
    }

    static func decode(_ part: ArraySlice<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(part.count)
        var i = part.startIndex
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while i < part.endIndex {
            let b = part[i]
            if b == UInt8(ascii: "+") { bytes.append(0x20); i += 1; continue }
            if b == UInt8(ascii: "%") {
                guard i + 2 < part.endIndex, let h = hex(part[i + 1]), let l = hex(part[i + 2]) else { return nil }
                bytes.append(h << 4 | l)
                i += 3
                continue
            }
            bytes.append(b)
            i += 1
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
