import WanggeAssignment
import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeUseCases

/// Events: `POST /events` (intake), `GET /events` (a feature query, newest first) and `GET /events/{id}`.
struct EventsController: Sendable {
    let intake: EventIntake
    let loop: ClosedLoop
    let features: any FeatureRepository
    /// Names the first contacts of an event: its courtyard's grid leader and the staff role answering for its type.
    let community: Community

    static let idParameter = APIRoute.Parameter(name: "id", location: .path, type: "integer", required: true,
                                                description: "Event id", minimum: 1)

    /// The roles that may submit events (`/me` tells a client whether its token is one).
    static let submitters: Set<Role> = [.reporter, .dispatcher, .admin, .supervisor]

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/events", summary: "Submit an event; it is assigned to its grids and stored with status reported",
                tag: "events", roles: Self.submitters,
                parameters: [.init(name: "Idempotency-Key", location: .header, type: "string",
                                   description: "Makes retries safe: the same key returns the original response and creates nothing new (at most 200 characters)")],
                body: .init(contentTypes: ["application/json"], schema: "EventSubmission", description: "The event as reported", maxBytes: 64 * 1024),
                answers: [
                    .init(status: 201, description: "Stored (committed durably before this answer); also the replay of a request with the same Idempotency-Key",
                          schema: "Event", headers: ["Location": "/events/{id}", "Idempotency-Replayed": "true on a replay"]),
                    .init(status: 409, description: "The Idempotency-Key was used for a different request"),
                    .init(status: 413, description: "The body is larger than 64 KiB"),
                    .init(status: 415, description: "The body is not application/json"),
                    .init(status: 422, description: "Invalid fields: each listed in details with its reason"),
                    .init(status: 503, description: "The service is shutting down; nothing was stored"),
                ], handler: submit),
            APIRoute(
                method: .get, path: "/events/{id}", summary: "One event (reporters see their own, departments theirs)",
                tag: "events", roles: Set(Role.allCases),
                parameters: [Self.idParameter],
                answers: [.init(status: 200, description: "The event with its workflow and the actions this token may take now", schema: "EventWithWorkflow"),
                          .init(status: 404, description: "No such event, or not one this token may see")], handler: one),
            APIRoute(
                method: .get, path: "/events", summary: "Events, newest first, with filters and stable cursor paging",
                tag: "events", roles: Set(Role.allCases),
                parameters: [
                    FeatureRequest.status, FeatureRequest.type, FeatureRequest.grid,
                    .init(name: "since", location: .query, type: "string", description: "occurred_at at or after this RFC 3339 time (without an offset: in the service time zone)", format: "date-time"),
                    .init(name: "until", location: .query, type: "string", description: "occurred_at before this RFC 3339 time", format: "date-time"),
                    FeatureRequest.bbox, FeatureRequest.eventsLimit, FeatureRequest.cursor,
                ],
                answers: [.init(status: 200, description: "A page of events", schema: "EventPage")], handler: list),
            APIRoute(
                method: .get, path: "/duplicates", summary: "Open events a report at this point would probably repeat (same type, near, recent)",
                tag: "events", roles: [.reporter, .dispatcher, .admin, .viewer, .supervisor],
                parameters: [
                    .init(name: "type", location: .query, type: "string", required: true, description: "The event type of the report"),
                    .init(name: "lon", location: .query, type: "number", required: true, description: "Longitude (or x in crs)"),
                    .init(name: "lat", location: .query, type: "number", required: true, description: "Latitude (or y in crs)"),
                    .init(name: "crs", location: .query, type: "string", description: "EPSG:nnnn (e.g. EPSG:4490), an OGC URI or URN (http://www.opengis.net/def/crs/EPSG/0/4547), GCJ02 or BD09 (default EPSG:4326)"),
                ],
                answers: [.init(status: 200, description: "The possible duplicates, nearest first, and the rule", schema: "PossibleDuplicates"),
                          .init(status: 422, description: "The position is not a valid location in that CRS")],
                handler: duplicates),
        ]
    }

    @Sendable func submit(_ r: RouteRequest) async throws -> Response {
        let identity = try r.caller()
        let key = r.request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key, key.isEmpty || key.count > 200 {
            throw APIError(.badRequest, code: "bad_header", message: "Idempotency-Key must be 1 to 200 characters",
                           details: [FieldError("Idempotency-Key", "must be 1 to 200 characters")])
        }
        let (body, raw) = try await r.jsonBody()
        // Reported now by the service's clock, the one the closed loop's steps are timed by.
        let (response, created) = try await intake.submit(body, rawBody: raw, actor: identity, idempotencyKey: key, now: loop.clock(),
                                                          renderDuplicates: EventJSON.duplicatesBytes) { record, duplicates in
            var w = GeoJSONWriter(reserving: 768 + duplicates.count)
            EventJSON.write(record, showReporter: true, levels: community.engine.levels, possibleDuplicates: duplicates, into: &w)
            return w.bytes
        }
        var answer = Response.bytes(response.body, status: HTTPResponse.Status(code: response.status), contentType: "application/json")
        if let id = response.eventID { answer.headers[.location] = "/events/\(id)" }
        if !created { answer.headers[HTTPField.Name("Idempotency-Replayed")!] = "true" }
        return answer
    }

    @Sendable func duplicates(_ r: RouteRequest) async throws -> Response {
        let type = try r.query.nonEmpty("type")!
        let x = try r.query.double("lon")!, y = try r.query.double("lat")!
        let crs = try r.query.crs() ?? .wgs84
        let point = try await intake.engine.assign(x: x, y: y, crs: crs)
        let rule = try intake.duplicates.rule()
        let found = try intake.duplicates.candidates(type: type, lon: point.lon, lat: point.lat)
        return .json(.object(JSONObject([("radius_m", .number(JSONNumber(rule.radiusMetres))), ("days", .number(JSONNumber(rule.days))),
                                         ("possible_duplicates", EventJSON.duplicates(found))])))
    }

    @Sendable func one(_ r: RouteRequest) async throws -> Response {
        let identity = try r.caller()
        return .json(try EventJSON.detailed(try loop.state(eventID: try r.eventID(), for: identity), loop: loop, identity: identity, community: community))
    }

    @Sendable func list(_ r: RouteRequest) async throws -> Response {
        let identity = try r.caller()
        var query = try FeatureRequest.common(r.query, .events)
        try FeatureRequest.eventFilters(r.query, into: &query)
        query.since = try FeatureRequest.time(r.query, "since")
        query.until = try FeatureRequest.time(r.query, "until")
        query.visibility = identity.eventVisibility
        let page = try features.eventPage(query, count: false)
        var o = JSONObject([("events", .array(page.items.map { EventJSON.render($0, showReporter: identity.seesReporterIdentity, levels: community.engine.levels) })),
                            ("count", .number(JSONNumber(page.items.count)))])
        o["next_cursor"] = page.next.map { .string(FeatureRequest.encodeCursor($0)) } ?? .null
        return .json(.object(o))
    }
}
