import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WanggeCore
import WanggeAssignment
import WanggeUseCases

extension Services {
    static let eventListParameters = ["status", "type", "grid", "since", "until", "bbox", "limit", "cursor"]

    var eventRoutes: [APIRoute] {
        let intake = self.intake
        let loop = self.loop
        let database = self.database
        return [
            APIRoute(
                method: .post, path: "/events", summary: "Submit an event; it is assigned to its grids and stored with status reported",
                tag: "events", roles: [.reporter, .dispatcher, .admin],
                parameters: [.init(name: "Idempotency-Key", location: .header, type: "string",
                                   description: "Makes retries safe: the same key returns the original response and creates nothing new (at most 200 characters)")],
                body: .init(contentTypes: ["application/json"], schema: "EventSubmission", description: "The event as reported"),
                answers: [
                    .init(status: 201, description: "Stored (committed durably before this answer); also the replay of a request with the same Idempotency-Key",
                          schema: "Event", headers: ["Location": "/events/{id}", "Idempotency-Replayed": "true on a replay"]),
                    .init(status: 409, description: "The Idempotency-Key was used for a different request"),
                    .init(status: 413, description: "The body is larger than 64 KiB"),
                    .init(status: 415, description: "The body is not application/json"),
                    .init(status: 422, description: "Invalid fields: each listed in details with its reason"),
                ]
            ) { request, context, identity in
                let identity = identity!
                let key = request.headers[HTTPField.Name("Idempotency-Key")!]
                if let key, key.isEmpty || key.count > 200 {
                    throw APIError(.badRequest, code: "bad_header", message: "Idempotency-Key must be 1 to 200 characters",
                                   details: [FieldError("Idempotency-Key", "must be 1 to 200 characters")])
                }
                let (body, raw) = try await request.jsonObject(upTo: 64 * 1024)
                let (response, created) = try await intake.submit(body, rawBody: raw, actor: identity, idempotencyKey: key) { record in
                    var w = GeoJSONWriter(reserving: 768)
                    EventJSON.write(record, showReporter: true, into: &w)
                    return w.bytes
                }
                var r = Response.bytes(response.body, status: HTTPResponse.Status(code: response.status), contentType: "application/json")
                if let id = response.eventID { r.headers[.location] = "/events/\(id)" }
                if !created { r.headers[HTTPField.Name("Idempotency-Replayed")!] = "true" }
                return r
            },
            APIRoute(
                method: .get, path: "/events/{id}", summary: "One event (reporters see their own, departments theirs)",
                tag: "events", roles: Set(Role.allCases),
                parameters: [Self.eventIDParameter],
                answers: [.init(status: 200, description: "The event with its workflow and the actions this token may take now", schema: "EventWithWorkflow"),
                          .init(status: 404, description: "No such event, or not one this token may see")]
            ) { request, context, identity in
                let identity = identity!
                _ = try Query(request, allowed: [])
                let id = try Self.eventID(context)
                return .json(Self.eventWithWorkflow(try loop.state(eventID: id, for: identity), loop: loop, identity: identity))
            },
            APIRoute(
                method: .get, path: "/events", summary: "Events, newest first, with filters and stable cursor paging",
                tag: "events", roles: Set(Role.allCases),
                parameters: [
                    .init(name: "status", location: .query, type: "string", description: "Only this status", enumValues: EventStatus.allCases.map(\.rawValue)),
                    .init(name: "type", location: .query, type: "string", description: "Only this event type code"),
                    .init(name: "grid", location: .query, type: "string", description: "Only events assigned to this grid code (any layer or level)"),
                    .init(name: "since", location: .query, type: "string", description: "occurred_at at or after this RFC 3339 time (no offset: +08:00)", format: "date-time"),
                    .init(name: "until", location: .query, type: "string", description: "occurred_at before this RFC 3339 time", format: "date-time"),
                    .init(name: "bbox", location: .query, type: "string", description: "minLon,minLat,maxLon,maxLat (WGS84, min ≤ max)",
                          pattern: "^-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?$"),
                    .init(name: "limit", location: .query, type: "integer", description: "At most this many (1–1000, default 100)", minimum: 1, maximum: 1000),
                    .init(name: "cursor", location: .query, type: "string", description: "The next_cursor of the previous page"),
                ],
                answers: [.init(status: 200, description: "A page of events", schema: "EventPage")]
            ) { request, context, identity in
                let identity = identity!
                let q = try Query(request, allowed: Self.eventListParameters)
                var query = EventQuery()
                query.status = try q.choice("status", EventStatus.self)
                query.type = q.string("type").flatMap { $0.isEmpty ? nil : $0 }
                query.grid = q.string("grid").flatMap { $0.isEmpty ? nil : $0 }
                query.since = try Self.time(q, "since")
                query.until = try Self.time(q, "until")
                query.bbox = try Self.bbox(q)
                query.limit = try q.int("limit", range: 1...1000) ?? 100
                if let c = try q.nonEmpty("cursor") {
                    guard let id = Self.decodeCursor(c) else {
                        throw APIError(.badRequest, code: "bad_parameter", message: "cursor is not one this service issued", details: [FieldError("cursor", "invalid")])
                    }
                    query.beforeID = id
                }
                query.visibility = Self.visibility(for: identity)
                var page = try database.events(with: query, limitPlusOne: true)
                let more = page.count > query.limit
                if more { page.removeLast() }
                var o = JSONObject([("events", .array(page.map { EventJSON.render($0, showReporter: identity.seesReporterIdentity) })),
                                    ("count", .number(JSONNumber(page.count)))])
                o["next_cursor"] = more ? .string(Self.encodeCursor(page.last!.id)) : .null
                return .json(.object(o))
            },
        ]
    }

    static func visibility(for identity: Identity) -> EventVisibility {
        switch identity.role {
        case .reporter: return .submittedBy(identity.tokenID)
        case .department: return .department(identity.department ?? "")
        case .gis: return .submittedBy(-1)  // GIS staff manage boundaries, not events
        default: return .all
        }
    }

    static func time(_ q: Query, _ name: String) throws -> Double? {
        guard let s = try q.nonEmpty(name) else { return nil }
        guard let t = Timestamp.parse(s) else {
            throw APIError(.badRequest, code: "bad_parameter", message: "\(name) must be an RFC 3339 time such as 2026-11-01T00:00:00+08:00", details: [FieldError(name, "not an RFC 3339 time")])
        }
        return t
    }

    static func bbox(_ q: Query) throws -> BoundingBox? {
        guard let s = try q.nonEmpty("bbox") else { return nil }
        let v = s.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, v.allSatisfy({ $0?.isFinite == true }), let a = v[0], let b = v[1], let c = v[2], let d = v[3],
              a <= c, b <= d, abs(a) <= 180, abs(c) <= 180, abs(b) <= 90, abs(d) <= 90 else {
            throw APIError(.badRequest, code: "bad_parameter", message: "bbox must be minLon,minLat,maxLon,maxLat in WGS84 with min ≤ max", details: [FieldError("bbox", "must be minLon,minLat,maxLon,maxLat")])
        }
        return BoundingBox(minX: a, minY: b, maxX: c, maxY: d)
    }

    /// Cursors are opaque to clients: the last id of a page, base64url-encoded with a prefix.
    static func encodeCursor(_ id: Int64) -> String {
        Data("e:\(id)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ s: String) -> Int64? {
        var b = s
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b), let text = String(data: data, encoding: .utf8), text.hasPrefix("e:") else { return nil }
        return Int64(text.dropFirst(2)).flatMap { $0 > 0 ? $0 : nil }
    }
}

extension EventRepository {
    /// One more than the page size, to know whether there is a next page.
    func events(with query: EventQuery, limitPlusOne: Bool) throws -> [EventRecord] {
        var q = query
        if limitPlusOne { q.limit += 1 }
        return try events(q)
    }
}
