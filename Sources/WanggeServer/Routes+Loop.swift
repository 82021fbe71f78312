import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeAssignment
import WanggeUseCases

/// The levels `GET /warnings?level=` filters on.
enum WarningFilter: String, CaseIterable { case yellow, red }

extension Services {
    static let actionFields = ["action", "version", "reason", "note", "department", "feedback", "photo_url", "hours", "satisfaction", "rating"]

    var loopRoutes: [APIRoute] {
        let loop = self.loop
        return [
            APIRoute(
                method: .post, path: "/events/{id}/actions",
                summary: "Take an action in the closed loop (accept, reject, dispatch, acknowledge, return, resolve, …)",
                tag: "closed loop", roles: [.dispatcher, .department, .reporter, .admin],
                parameters: [Self.eventIDParameter],
                body: .init(contentTypes: ["application/json"], schema: "ActionRequest", description: "The action and its fields"),
                answers: [.init(status: 200, description: "Done: the event, its workflow and what the caller may do next", schema: "EventWithWorkflow"),
                          .init(status: 404, description: "No such event, or not one this token may see"),
                          .init(status: 409, description: "Not possible now (details list the actions that are), or the event changed meanwhile (version)"),
                          .init(status: 413, description: "The body is larger than 16 KiB"),
                          .init(status: 415, description: "The body is not application/json"),
                          .init(status: 422, description: "A field is missing or wrong")]
            ) { request, context, identity in
                let identity = identity!
                let id = try Self.eventID(context)
                let (body, _) = try await request.jsonObject(upTo: 16 * 1024)
                let (action, fields, version) = try Self.actionRequest(body)
                do {
                    let outcome = try loop.act(eventID: id, action: action, fields: fields, identity: identity, expectedVersion: version)
                    return .json(Self.eventWithWorkflow(outcome, loop: loop, identity: identity))
                } catch let e as WorkflowError {
                    throw Self.apiError(e)
                }
            },
            APIRoute(
                method: .get, path: "/events/{id}/history", summary: "Every change of an event, oldest first (append-only)",
                tag: "closed loop", roles: Set(Role.allCases),
                parameters: [Self.eventIDParameter],
                answers: [.init(status: 200, description: "The history", schema: "History"),
                          .init(status: 404, description: "No such event, or not one this token may see")]
            ) { request, context, identity in
                _ = try Query(request, allowed: [])
                let id = try Self.eventID(context)
                _ = try loop.state(eventID: id, for: identity!)  // visibility
                let entries = try loop.repository.history(eventID: id)
                return .json(.object(JSONObject([("event_id", .number(JSONNumber(Int(id)))), ("history", .array(entries.map(Self.historyJSON)))])))
            },
            APIRoute(
                method: .get, path: "/warnings", summary: "Early warnings: open events at 80 % of their time (yellow) or overdue (red)",
                tag: "closed loop", roles: [.dispatcher, .department, .admin, .viewer],
                parameters: [
                    .init(name: "department", location: .query, type: "string", description: "Only this department (department tokens always see only their own)"),
                    .init(name: "grid", location: .query, type: "string", description: "Only events assigned to this grid code"),
                    .init(name: "level", location: .query, type: "string", description: "Only this level", enumValues: ["yellow", "red"]),
                ],
                answers: [.init(status: 200, description: "Warnings with counts per department and per grid", schema: "Warnings")]
            ) { request, _, identity in
                let q = try Query(request, allowed: ["department", "grid", "level"])
                let level = try q.choice("level", WarningFilter.self).map { $0 == .red ? WarningLevel.red : .yellow }
                let list = try loop.warnings(for: identity, department: try q.nonEmpty("department"), grid: try q.nonEmpty("grid"))
                    .filter { level == nil || $0.deadline.level == level }
                return .json(Self.warningsJSON(list, now: loop.clock()))
            },
        ]
    }

    static let eventIDParameter = APIRoute.Parameter(name: "id", location: .path, type: "integer", required: true,
                                                     description: "Event id", minimum: 1)

    static func eventID(_ context: AppRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.badRequest, code: "bad_parameter", message: "the event id must be a positive integer", details: [FieldError("id", "must be a positive integer")])
        }
        return id
    }

    /// Reads `{"action": …, "version": …, fields…}`, reporting every problem at once.
    static func actionRequest(_ o: JSONObject) throws -> (EventAction, ActionFields, Int?) {
        var errors: [FieldError] = []
        for k in o.keys where !actionFields.contains(k) { errors.append(FieldError(k, "unknown field; expected \(actionFields.joined(separator: ", "))")) }
        func string(_ k: String) -> String? {
            switch o[k] {
            case nil, .null?: return nil
            case .string(let s)?: return s
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
        var version: Int?
        if let v = o["version"], v != .null {
            if let d = v.doubleValue, d == d.rounded(), d >= 1, d < 1e9 { version = Int(d) } else { errors.append(FieldError("version", "must be a positive integer")) }
        }
        var hours: Double?
        if let h = o["hours"], h != .null {
            if let d = h.doubleValue, d.isFinite { hours = d } else { errors.append(FieldError("hours", "must be a number")) }
        }
        let fields = ActionFields(reason: string("reason"), note: string("note"), department: string("department"),
                                  feedback: string("feedback"), photoURL: string("photo_url"), hours: hours,
                                  satisfaction: choice("satisfaction", Satisfaction.self), rating: choice("rating", Rating.self))
        guard errors.isEmpty, let action else { throw InvalidFields(errors) }
        return (action, fields, version)
    }

    static func apiError(_ e: WorkflowError) -> APIError {
        switch e {
        case .notAllowed(let why, let allowed):
            var error = APIError(.conflict, code: "action_not_allowed", message: e.description,
                                 details: [FieldError("action", why)] + allowed.map { FieldError("allowed", $0.rawValue) })
            error.headers = [:]
            return error
        case .invalid(let fields):
            return APIError(.unprocessableContent, code: "invalid_input", message: "the action has invalid fields: \(fields.description)", details: fields.errors)
        case .conflict:
            return APIError(.conflict, code: "version_conflict", message: e.description, details: [FieldError("version", e.description)])
        }
    }

    static func historyJSON(_ h: HistoryEntry) -> JSONValue {
        .object(JSONObject([("at", .string(Timestamp.format(h.at))), ("actor", .string(h.actorName)), ("role", .string(h.role)),
                            ("action", .string(h.action)), ("from", h.from.map { .string($0.rawValue) } ?? .null),
                            ("to", .string(h.to.rawValue)), ("note", .string(h.note))]))
    }

    /// The workflow part of an event: deadlines, counters, requests, outcome.
    static func workflowJSON(_ s: WorkflowState, sla: SLARules, now: Double) -> JSONValue {
        func time(_ t: Double?) -> JSONValue { t.map { .string(Timestamp.format($0)) } ?? .null }
        var o = JSONObject()
        if let d = Workflow.deadline(s, sla: sla, now: now) {
            o["deadline"] = .object(JSONObject([("phase", .string(d.phase.rawValue)), ("due_at", time(d.due)),
                                                ("used_percent", .number(JSONNumber((d.used * 1000).rounded() / 10))),
                                                ("level", .string(d.level.rawValue))]))
        } else {
            o["deadline"] = .null
        }
        o["accepted_at"] = time(s.acceptedAt); o["dispatched_at"] = time(s.dispatchedAt)
        o["acknowledged_at"] = time(s.acknowledgedAt); o["resolved_at"] = time(s.resolvedAt)
        o["closed_at"] = time(s.closedAt); o["evaluated_at"] = time(s.evaluatedAt)
        o["suspended"] = .bool(s.suspendedSince != nil)
        o["paused_hours"] = .number(JSONNumber((s.pausedSeconds / 36).rounded() / 100))
        o["extension_hours"] = .number(JSONNumber(s.extensionHours))
        o["pending_request"] = s.pending.map { p in
            .object(JSONObject([("kind", .string(p.kind.rawValue)), ("reason", .string(p.reason)),
                                ("hours", p.hours.map { .number(JSONNumber($0)) } ?? .null), ("at", time(p.at))]))
        } ?? .null
        for (k, v) in [("reworks", s.reworks), ("returns", s.returns), ("extensions", s.extensions), ("suspensions", s.suspensions)] {
            o[k] = .number(JSONNumber(v))
        }
        o["supervised"] = .bool(s.supervised)
        o["reject_reason"] = s.rejectReason.map { .string($0) } ?? .null
        o["feedback"] = s.feedback.map { .string($0) } ?? .null
        o["photo_url"] = s.photoURL.map { .string($0) } ?? .null
        o["satisfaction"] = s.satisfaction.map { .string($0.rawValue) } ?? .null
        o["rating"] = s.effectiveRating.map { .string($0.rawValue) } ?? .null
        o["computed_rating"] = s.rating.map { .string($0.rawValue) } ?? .null
        o["rating_override"] = s.ratingOverride.map { r in
            .object(JSONObject([("rating", .string(r.rawValue)), ("reason", .string(s.ratingOverrideReason ?? ""))]))
        } ?? .null
        o["rating_inputs"] = s.ratingInputs.map { i in
            .object(JSONObject([("on_time", .bool(i.onTime)), ("hours_late", .number(JSONNumber(i.hoursLate))),
                                ("reworks", .number(JSONNumber(i.reworks))), ("returns", .number(JSONNumber(i.returns))),
                                ("extensions", .number(JSONNumber(i.extensions))), ("satisfaction", .string(i.satisfaction.rawValue)),
                                ("score", .number(JSONNumber(i.score)))]))
        } ?? .null
        return .object(o)
    }

    static func eventWithWorkflow(_ outcome: ClosedLoop.Outcome, loop: ClosedLoop, identity: Identity) -> JSONValue {
        guard case .object(var o) = EventJSON.render(outcome.record, showReporter: identity.seesReporterIdentity) else { return .null }
        let sla = (try? loop.sla()) ?? SLARules(defaults: [:])
        o["workflow"] = workflowJSON(outcome.state, sla: sla, now: loop.clock())
        o["allowed_actions"] = .array(outcome.allowed.map { .string($0.rawValue) })
        return .object(o)
    }

    static func warningsJSON(_ list: [ClosedLoop.Warning], now: Double) -> JSONValue {
        var byDepartment: [String: (yellow: Int, red: Int)] = [:]
        var byGrid: [String: (yellow: Int, red: Int)] = [:]
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
            return .object(JSONObject([
                ("id", .number(JSONNumber(Int(w.record.id)))), ("type", .string(w.record.event.type)),
                ("severity", .number(JSONNumber(w.record.event.severity))), ("status", .string(w.state.status.rawValue)),
                ("department", w.state.department.map { .string($0) } ?? .null),
                ("phase", .string(w.deadline.phase.rawValue)), ("level", .string(w.deadline.level.rawValue)),
                ("due_at", .string(Timestamp.format(w.deadline.due))),
                ("used_percent", .number(JSONNumber((w.deadline.used * 1000).rounded() / 10))),
                ("supervised", .bool(w.state.supervised)),
                ("community", r.community.map { .string($0) } ?? .null), ("courtyard", r.courtyard.map { .string($0) } ?? .null),
            ]))
        }
        func counts(_ d: [String: (yellow: Int, red: Int)]) -> JSONValue {
            .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, .object(JSONObject([("yellow", .number(JSONNumber($0.value.yellow))), ("red", .number(JSONNumber($0.value.red)))]))) }))
        }
        return .object(JSONObject([
            ("generated_at", .string(Timestamp.format(now))),
            ("yellow", .number(JSONNumber(list.filter { $0.deadline.level == .yellow }.count))),
            ("red", .number(JSONNumber(list.filter { $0.deadline.level == .red }.count))),
            ("by_department", counts(byDepartment)), ("by_grid", counts(byGrid)), ("warnings", .array(items)),
        ]))
    }
}
