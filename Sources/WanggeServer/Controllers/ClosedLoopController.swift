import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeUseCases

/// The closed loop: actions on an event, its history, and early warnings.
struct ClosedLoopController: Sendable {
    let community: Community
    let loop: ClosedLoop

    /// The levels `GET /warnings?level=` filters on.
    enum WarningFilter: String, CaseIterable { case yellow, red }

    /// `{"action": …, "version": …, fields…}`, read with every problem reported at once.
    struct ActionRequest {
        static let fields = ["action", "version", "reason", "note", "department", "feedback", "photo_url", "hours", "satisfaction",
                             "rating", "into", "review_at", "result", "stage", "component_state"]

        var action: EventAction
        var fields: ActionFields
        var version: Int?

        /// - Throws: `InvalidFields` listing every unknown, missing or mistyped field.
        init(_ o: JSONObject) throws(InvalidFields) {
            var errors: [FieldError] = []
            for k in o.keys where !Self.fields.contains(k) {
                errors.append(FieldError(k, "unknown field; expected \(Self.fields.joined(separator: ", "))"))
            }
            func string(_ k: String, multiline: Bool = false) -> String? {
                switch o[k] {
                case nil, .null?: return nil
                case .string(let s)?:
                    if let why = TextField.problem(s, multiline: multiline) { errors.append(FieldError(k, why)); return nil }
                    return s
                case let v?: errors.append(FieldError(k, "must be a string, not \(v.typeDescription)")); return nil
                }
            }
            func choice<T: RawRepresentable & CaseIterable>(_ k: String, _: T.Type) -> T? where T.RawValue == String {
                guard let s = string(k) else { return nil }
                guard let v = T(rawValue: s) else {
                    errors.append(FieldError(k, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")); return nil
                }
                return v
            }
            let action = choice("action", EventAction.self)
            if o["action"] == nil || o["action"] == .null { errors.append(FieldError("action", "is required")) }
            if let v = o["version"], v != .null {
                if let d = v.doubleValue, d == d.rounded(), d >= 1, d < 1e9 { version = Int(d) } else { errors.append(FieldError("version", "must be a positive integer")) }
            }
            var into: Int64?
            if let v = o["into"], v != .null {
                if let d = v.doubleValue, d == d.rounded(), d >= 1, d < 1e15 { into = Int64(d) } else { errors.append(FieldError("into", "must be an event id")) }
            }
            var hours: Double?
            if let h = o["hours"], h != .null {
                if let d = h.doubleValue, d.isFinite { hours = d } else { errors.append(FieldError("hours", "must be a number")) }
            }
            var reviewAt: Double?
            if let text = string("review_at") {
                if let t = Timestamp.parse(text) { reviewAt = t } else {
                    errors.append(FieldError("review_at", "must be an RFC 3339 time or a date (2026-12-31), not \"\(text)\""))
                }
            }
            fields = ActionFields(reason: string("reason", multiline: true), note: string("note", multiline: true),
                                  department: string("department"), feedback: string("feedback", multiline: true),
                                  photoURL: string("photo_url"), hours: hours,
                                  satisfaction: choice("satisfaction", Satisfaction.self), rating: choice("rating", Rating.self),
                                  into: into, reviewAt: reviewAt, result: choice("result", SupervisorResult.self), stage: string("stage"),
                                  componentState: choice("component_state", Component.State.self))
            guard errors.isEmpty, let action else { throw InvalidFields(errors) }
            self.action = action
        }
    }

    struct History: Encodable {
        struct Entry: Encodable {
            var at: String
            var actor: String
            var role: String
            var action: String
            var from: String?
            var to: String
            var note: String
        }
        var event_id: Int64
        var history: [Entry]
    }

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/events/{id}/actions",
                summary: "Take an action in the closed loop (accept, reject, dispatch, acknowledge, return, resolve, …)",
                tag: "closed loop", roles: [.dispatcher, .department, .reporter, .admin, .supervisor],
                parameters: [EventsController.idParameter],
                body: .init(contentTypes: ["application/json"], schema: "ActionRequest", description: "The action and its fields", maxBytes: 16 * 1024),
                answers: [.init(status: 200, description: "Done: the event, its workflow and what the caller may do next", schema: "EventWithWorkflow"),
                          .init(status: 403, description: "This caller may never take this action on this event (details list the actions it may take now)"),
                          .init(status: 404, description: "No such event, or not one this token may see"),
                          .init(status: 409, description: "Not possible now (details list the actions that are), or the event changed meanwhile (version)"),
                          .init(status: 413, description: "The body is larger than 16 KiB"),
                          .init(status: 415, description: "The body is not application/json"),
                          .init(status: 422, description: "A field is missing or wrong")], handler: act),
            APIRoute(
                method: .get, path: "/events/{id}/history", summary: "Every change of an event, oldest first (append-only)",
                tag: "closed loop", roles: Set(Role.allCases),
                parameters: [EventsController.idParameter],
                answers: [.init(status: 200, description: "The history", schema: "History"),
                          .init(status: 404, description: "No such event, or not one this token may see")], handler: history),
            APIRoute(
                method: .get, path: "/warnings", summary: "Early warnings: open events at 80 % of their time (yellow) or overdue (red)",
                tag: "closed loop", roles: [.dispatcher, .department, .admin, .viewer, .supervisor],
                parameters: [
                    .init(name: "department", location: .query, type: "string", description: "Only this department (department tokens always see only their own)"),
                    .init(name: "grid", location: .query, type: "string", description: "Only events assigned to this grid code"),
                    .init(name: "level", location: .query, type: "string", description: "Only this level", enumValues: WarningFilter.allCases.map(\.rawValue)),
                    .init(name: "grid_leader", location: .query, type: "string", description: "Only events in the courtyards this person (a staff id) leads today"),
                ],
                answers: [.init(status: 200, description: "Warnings with counts per department and per grid", schema: "Warnings")], handler: warnings),
            APIRoute(
                method: .get, path: "/parked", summary: "Parked cases (挂账), oldest first, with their age, reason and review date",
                tag: "closed loop", roles: [.dispatcher, .department, .admin, .viewer, .supervisor],
                parameters: [
                    .init(name: "department", location: .query, type: "string", description: "Only this department (department tokens always see only their own)"),
                ],
                answers: [.init(status: 200, description: "The parked cases", schema: nil)], handler: parked),
        ]
    }

    @Sendable func parked(_ r: RouteRequest) async throws -> Response {
        let now = loop.clock()
        let list = try loop.parked(for: r.identity, department: try r.query.nonEmpty("department"))
        let items: [JSONValue] = list.map { record, s in
            let since = s.parkedSince ?? now
            let r = record.event.assignment.residential
            return .object(JSONObject([
                ("id", .number(JSONNumber(Int(record.id)))), ("type", .string(record.event.type)),
                ("status", .string(s.status.rawValue)), ("department", s.department.map { .string($0) } ?? .null),
                ("parked_since", .string(Timestamp.format(since))),
                ("age_days", .number(JSONNumber(((now - since) / 8640).rounded() / 10))),
                ("reason", .string(s.parkReason ?? "")),
                ("review_at", s.parkReviewAt.map { .string(Timestamp.format($0)) } ?? .null),
                ("review_due", .bool(s.parkReviewAt.map { now >= $0 } ?? false)),
                ("community", r.community.map { .string($0) } ?? .null), ("courtyard", r.courtyard.map { .string($0) } ?? .null),
            ]))
        }
        return .json(.object(JSONObject([
            ("generated_at", .string(Timestamp.format(now))),
            ("count", .number(JSONNumber(items.count))),
            ("review_due", .number(JSONNumber(list.filter { $0.state.parkReviewAt.map { now >= $0 } ?? false }.count))),
            ("parked", .array(items)),
        ])))
    }

    @Sendable func act(_ r: RouteRequest) async throws -> Response {
        let identity = try r.caller()
        let id = try r.eventID()
        let (body, _) = try await r.jsonBody()
        let request = try ActionRequest(body)
        do {
            let outcome = try loop.act(eventID: id, action: request.action, fields: request.fields, identity: identity,
                                       expectedVersion: request.version)
            return .json(try EventJSON.detailed(outcome, loop: loop, identity: identity, community: community))
        } catch let e as WorkflowError {
            throw Self.apiError(e)
        }
    }

    @Sendable func history(_ r: RouteRequest) async throws -> Response {
        let id = try r.eventID()
        let entries = try loop.history(eventID: id, for: try r.caller())
        return try .json(History(event_id: id, history: entries.map { h in
            History.Entry(at: Timestamp.format(h.at), actor: h.actorName, role: h.role, action: h.action, from: h.from?.rawValue,
                          to: h.to.rawValue, note: h.note)
        }))
    }

    @Sendable func warnings(_ r: RouteRequest) async throws -> Response {
        let level = try r.query.choice("level", WarningFilter.self).map { $0 == .red ? WarningLevel.red : .yellow }
        // One read of the roster serves the filter and the names on every warning.
        let leaders = try community.gridLeaders()
        let led = try r.query.nonEmpty("grid_leader").map { person in Set(leaders.filter { $0.value.id == person }.keys) }
        let list = try loop.warnings(for: r.identity, department: try r.query.nonEmpty("department"), grid: try r.query.nonEmpty("grid"))
            .filter { level == nil || $0.deadline.level == level }
            .filter { w in led.map { set in w.record.event.assignment.residential.courtyard.map(set.contains) ?? false } ?? true }
        return .json(Self.warningsJSON(list, now: loop.clock(), leaders: leaders))
    }

    static func apiError(_ e: WorkflowError) -> APIError {
        switch e {
        case .notAllowed(let why, let allowed):
            return APIError(.conflict, code: "action_not_allowed", message: e.description,
                            details: [FieldError("action", why)] + allowed.map { FieldError("allowed", $0.rawValue) })
        case .forbidden(let why, let allowed):
            return APIError(.forbidden, code: "forbidden", message: e.description,
                            details: [FieldError("action", why)] + allowed.map { FieldError("allowed", $0.rawValue) })
        case .invalid(let fields):
            return APIError(.unprocessableContent, code: "invalid_input", message: "the action has invalid fields: \(fields.description)", details: fields.errors)
        case .conflict:
            return APIError(.conflict, code: "version_conflict", message: e.description, details: [FieldError("version", e.description)])
        }
    }

    /// - Parameter leaders: each courtyard's grid leader today (the first contact for its warnings).
    static func warningsJSON(_ list: [ClosedLoop.Warning], now: Double, leaders: [String: Person] = [:]) -> JSONValue {
        var byDepartment: [String: (yellow: Int, red: Int)] = [:]
        var byGrid: [String: (yellow: Int, red: Int)] = [:]
        var byLeader: [String: (yellow: Int, red: Int)] = [:]
        func count(_ d: inout [String: (yellow: Int, red: Int)], _ key: String, _ level: WarningLevel) {
            var c = d[key] ?? (0, 0)
            if level == .red { c.red += 1 } else { c.yellow += 1 }
            d[key] = c
        }
        let items: [JSONValue] = list.map { w in
            let r = w.record.event.assignment.residential
            count(&byDepartment, w.state.department ?? "(not dispatched)", w.deadline.level)
            for code in [r.community, r.courtyard].compactMap({ $0 }) { count(&byGrid, code, w.deadline.level) }
            if r.street == nil { count(&byGrid, "(outside)", w.deadline.level) }
            let leader = r.courtyard.flatMap { leaders[$0] }
            if let leader { count(&byLeader, leader.id, w.deadline.level) }
            return .object(JSONObject([
                ("id", .number(JSONNumber(Int(w.record.id)))), ("type", .string(w.record.event.type)),
                ("severity", .number(JSONNumber(w.record.event.severity))), ("status", .string(w.state.status.rawValue)),
                ("department", w.state.department.map { .string($0) } ?? .null),
                ("phase", .string(w.deadline.phase.rawValue)), ("level", .string(w.deadline.level.rawValue)),
                ("due_at", .string(Timestamp.format(w.deadline.due))),
                ("used_percent", .number(JSONNumber((w.deadline.used * 1000).rounded() / 10))),
                ("supervised", .bool(w.state.supervised)),
                ("community", r.community.map { .string($0) } ?? .null), ("courtyard", r.courtyard.map { .string($0) } ?? .null),
                ("grid_leader", leader.map { .object(JSONObject([("id", .string($0.id)), ("name", .string($0.name))])) } ?? .null),
            ]))
        }
        func counts(_ d: [String: (yellow: Int, red: Int)]) -> JSONValue {
            .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, .object(JSONObject([("yellow", .number(JSONNumber($0.value.yellow))), ("red", .number(JSONNumber($0.value.red)))]))) }))
        }
        return .object(JSONObject([
            ("generated_at", .string(Timestamp.format(now))),
            ("yellow", .number(JSONNumber(list.filter { $0.deadline.level == .yellow }.count))),
            ("red", .number(JSONNumber(list.filter { $0.deadline.level == .red }.count))),
            ("by_department", counts(byDepartment)), ("by_grid", counts(byGrid)), ("by_grid_leader", counts(byLeader)), ("warnings", .array(items)),
        ]))
    }
}
