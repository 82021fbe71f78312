import WanggeAssignment
import WanggeCore
import WanggeUseCases

/// An event as the API shows it. Reporter name and phone appear only for roles that may see personal data.
enum EventJSON {
    /// The open events a new report may repeat, as the answer to a submission lists them.
    static func duplicates(_ list: [PossibleDuplicate]) -> JSONValue {
        .array(list.map { d in
            .object(JSONObject([("id", .number(JSONNumber(Int(d.id)))), ("distance_m", .number(JSONNumber((d.distanceMetres * 10).rounded() / 10))),
                                ("status", .string(d.status.rawValue)), ("reported_at", .string(Timestamp.format(d.reportedAt)))]))
        })
    }

    /// The list `duplicates` makes, as bytes (made before the intake transaction, spliced in by `write`).
    static func duplicatesBytes(_ list: [PossibleDuplicate]) -> [UInt8] {
        var w = GeoJSONWriter(reserving: 2 + list.count * 96)
        w.append("[")
        for (i, d) in list.enumerated() {
            w.append(i == 0 ? #"{"id":"# : #",{"id":"#); w.appendInt(Int(d.id))
            w.append(#","distance_m":"#); w.appendNumber((d.distanceMetres * 10).rounded() / 10)
            w.append(#","status":"#); w.appendString(d.status.rawValue)
            w.append(#","reported_at":"#); w.appendTimestamp(d.reportedAt)
            w.append("}")
        }
        w.append("]")
        return w.bytes
    }

    /// The same object as `render`, written straight into bytes (the intake path: no intermediate tree); with
    /// `possibleDuplicates` (the bytes `duplicatesBytes` made), a member listing them follows.
    /// `levels`: the residential layer's, which name the chain of codes in `grids`.
    static func write(_ r: EventRecord, showReporter: Bool, levels: LevelScheme, possibleDuplicates: [UInt8]? = nil,
                      into w: inout GeoJSONWriter) {
        let e = r.event
        let a = e.assignment
        func number(_ v: Double) { w.appendRaw(JSONNumber(v).literal) }
        func codes(_ c: [String]) {
            w.append("[")
            for (i, s) in c.enumerated() {
                if i > 0 { w.append(",") }
                w.appendString(s)
            }
            w.append("]")
        }
        func optional(_ s: String?) { if let s { w.appendString(s) } else { w.append("null") } }
        w.append(#"{"id":"#); w.appendInt(Int(r.id))
        w.append(#","status":"#); w.appendString(r.status.rawValue)
        w.append(#","type":"#); w.appendString(e.type)
        w.append(#","severity":"#); w.appendInt(e.severity)
        w.append(#","lon":"#); number(e.lon)
        w.append(#","lat":"#); number(e.lat)
        w.append(#","input":{"crs":"#); w.appendString(e.inputCRS)
        w.append(#","x":"#); number(e.inputX)
        w.append(#","y":"#); number(e.inputY)
        w.append(#"},"description":"#); w.appendString(e.description)
        w.append(#","channel":"#); w.appendString(e.channel.rawValue)
        if showReporter {
            w.append(#","reporter":{"name":"#); optional(e.reporterName.isEmpty ? nil : e.reporterName)
            w.append(#","phone":"#); optional(e.reporterPhone.isEmpty ? nil : e.reporterPhone)
            w.append(#","email":"#); optional(e.reporterEmail.isEmpty ? nil : e.reporterEmail)
            w.append("}")
        } else {
            w.append(#","reporter":null"#)
        }
        w.append(#","media_url":"#); optional(e.mediaURL)
        w.append(#","component":"#); optional(e.component)
        w.append(#","occurred_at":"#); w.appendString(Timestamp.format(e.occurredAt))
        w.append(#","reported_at":"#); w.appendString(Timestamp.format(e.reportedAt))
        w.append(#","grids":{"match":"#); w.appendString(a.residential.match.rawValue)
        for level in levels.levels {
            w.append(","); w.appendString(level.name); w.append(":"); optional(a.residential.code(rank: level.rank))
        }
        w.append(#","touching":"#); codes(a.residential.touching)
        w.append(#","functional":"#); codes(a.functional.grids)
        w.append(#","industry":"#); codes(a.industry.grids)
        w.append(#"},"outside":"#); w.append(e.isOutside ? "true" : "false")
        w.append(#","department":"#); optional(r.department)
        w.append(#","version":"#); w.appendInt(r.version)
        if let possibleDuplicates {
            w.append(#","possible_duplicates":"#)
            possibleDuplicates.withUnsafeBufferPointer { w.append(bytes: $0) }
        }
        w.append("}")
    }

    static func render(_ r: EventRecord, showReporter: Bool, levels: LevelScheme) -> JSONValue {
        let e = r.event
        let a = e.assignment
        func codes(_ c: [String]) -> JSONValue { .array(c.map { .string($0) }) }
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        var o = JSONObject([
            ("id", .number(JSONNumber(Int(r.id)))),
            ("status", .string(r.status.rawValue)),
            ("type", .string(e.type)),
            ("severity", .number(JSONNumber(e.severity))),
            ("lon", .number(JSONNumber(e.lon))),
            ("lat", .number(JSONNumber(e.lat))),
            ("input", .object(JSONObject([("crs", .string(e.inputCRS)), ("x", .number(JSONNumber(e.inputX))), ("y", .number(JSONNumber(e.inputY)))]))),
            ("description", .string(e.description)),
            ("channel", .string(e.channel.rawValue)),
        ])
        o["reporter"] = showReporter
            ? .object(JSONObject([("name", e.reporterName.isEmpty ? .null : .string(e.reporterName)),
                                  ("phone", e.reporterPhone.isEmpty ? .null : .string(e.reporterPhone)),
                                  ("email", e.reporterEmail.isEmpty ? .null : .string(e.reporterEmail))]))
            : .null
        o["media_url"] = opt(e.mediaURL)
        o["component"] = opt(e.component)
        o["occurred_at"] = .string(Timestamp.format(e.occurredAt))
        o["reported_at"] = .string(Timestamp.format(e.reportedAt))
        o["grids"] = .object(JSONObject([
            ("match", .string(a.residential.match.rawValue))] + levels.members(a.residential) + [("touching", codes(a.residential.touching)),
            ("functional", codes(a.functional.grids)), ("industry", codes(a.industry.grids)),
        ]))
        o["outside"] = .bool(e.isOutside)
        o["department"] = opt(r.department)
        o["version"] = .number(JSONNumber(r.version))
        return .object(o)
    }
}

extension EventJSON {
    /// An event with its workflow (deadline, times, counters, request, outcome) and the actions this caller may take.
    static func withWorkflow(_ outcome: ClosedLoop.Outcome, loop: ClosedLoop, identity: Identity, levels: LevelScheme) -> JSONValue {
        guard case .object(var o) = render(outcome.record, showReporter: identity.seesReporterIdentity, levels: levels) else { return .null }
        let sla = (try? loop.sla()) ?? SLARules(defaults: [:])
        o["workflow"] = workflow(outcome.state, sla: sla, now: loop.clock())
        o["allowed_actions"] = .array(outcome.allowed.map { .string($0.rawValue) })
        return .object(o)
    }

    /// The workflow part of an event: deadlines, counters, requests, outcome.
    static func workflow(_ s: WorkflowState, sla: SLARules, now: Double) -> JSONValue {
        func time(_ t: Double?) -> JSONValue { t.map { .string(Timestamp.format($0)) } ?? .null }
        var o = JSONObject()
        if let d = Workflow.deadline(s, sla: sla, now: now) {
            var deadline = JSONObject([("phase", .string(d.phase.rawValue)), ("due_at", time(d.due)),
                                       ("used_percent", .number(JSONNumber((d.used * 1000).rounded() / 10))),
                                       ("level", .string(d.level.rawValue)),
                                       ("limit", .object(JSONObject([("amount", .number(JSONNumber(d.limit.amount))),
                                                                     ("unit", .string(d.limit.unit.rawValue))])))])
            if d.phase == .resolve {
                let stages = Workflow.stageDues(s, sla: sla, now: now)
                if !stages.isEmpty {
                    deadline["stages"] = .array(stages.map { st in
                        let done = s.stagesDone?[st.stage.name]
                        return .object(JSONObject([("name", .string(st.stage.name)), ("amount", .number(JSONNumber(st.stage.limit.amount))),
                                                   ("unit", .string(st.stage.limit.unit.rawValue)), ("due_at", time(st.due)),
                                                   ("done_at", time(done)), ("on_time", done.map { .bool($0 <= st.due) } ?? .null),
                                                   ("overdue", .bool(done == nil && now > st.due))]))
                    })
                }
            }
            o["deadline"] = .object(deadline)
        } else {
            o["deadline"] = .null
        }
        o["accepted_at"] = time(s.acceptedAt); o["dispatched_at"] = time(s.dispatchedAt)
        o["acknowledged_at"] = time(s.acknowledgedAt); o["resolved_at"] = time(s.resolvedAt)
        o["closed_at"] = time(s.closedAt); o["evaluated_at"] = time(s.evaluatedAt)
        o["suspended"] = .bool(s.suspendedSince != nil)
        o["parked"] = s.parkedSince.map { since in
            .object(JSONObject([("since", time(since)), ("reason", .string(s.parkReason ?? "")), ("review_at", time(s.parkReviewAt)),
                                ("age_days", .number(JSONNumber(((now - since) / 8640).rounded() / 10))),
                                ("review_due", .bool(s.parkReviewAt.map { now >= $0 } ?? false))]))
        } ?? .null
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
        o["verification"] = s.verification.map { .object(JSONObject([("result", .string($0.rawValue)), ("at", time(s.verifiedAt))])) } ?? .null
        o["check"] = s.checkResult.map { .object(JSONObject([("result", .string($0.rawValue)), ("at", time(s.checkedAt))])) } ?? .null
        o["reject_reason"] = s.rejectReason.map { .string($0) } ?? .null
        o["feedback"] = s.feedback.map { .string($0) } ?? .null
        o["photo_url"] = s.photoURL.map { .string($0) } ?? .null
        o["satisfaction"] = s.satisfaction.map { .string($0.rawValue) } ?? .null
        o["rating"] = s.effectiveRating.map { .string($0.rawValue) } ?? .null
        o["computed_rating"] = s.rating.map { .string($0.rawValue) } ?? .null
        o["rating_override"] = s.ratingOverride.map { r in
            .object(JSONObject([("rating", .string(r.rawValue)), ("reason", .string(s.ratingOverrideReason ?? ""))]))
        } ?? .null
        o["duplicate_of"] = s.duplicateOf.map { .number(JSONNumber(Int($0))) } ?? .null
        o["duplicates"] = .array((s.duplicates ?? []).map { .number(JSONNumber(Int($0))) })
        o["rating_inputs"] = s.ratingInputs.map { i in
            .object(JSONObject([("on_time", .bool(i.onTime)), ("hours_late", .number(JSONNumber(i.hoursLate))),
                                ("reworks", .number(JSONNumber(i.reworks))), ("returns", .number(JSONNumber(i.returns))),
                                ("extensions", .number(JSONNumber(i.extensions))), ("satisfaction", .string(i.satisfaction.rawValue)),
                                ("score", .number(JSONNumber(i.score)))]))
        } ?? .null
        return .object(o)
    }
}

extension EventJSON {
    /// `withWorkflow`, with the event's first contacts (`GET /events/{id}` and the answer to an action).
    static func detailed(_ outcome: ClosedLoop.Outcome, loop: ClosedLoop, identity: Identity, community: Community) throws -> JSONValue {
        guard case .object(var o) = withWorkflow(outcome, loop: loop, identity: identity, levels: community.engine.levels) else { return .null }
        let courtyard = outcome.record.event.assignment.residential.courtyard
        // The versions it was assigned with: its grids stay those, whatever was activated since.
        let versions = try loop.repository.assignedVersions(eventID: outcome.record.id)
        o["assigned_with"] = versions.isEmpty ? .null : .object(JSONObject(GridLayer.allCases.compactMap { l in
            versions[l].map { (l.rawValue, JSONValue.number(JSONNumber(Int($0)))) }
        }))
        o["contacts"] = contacts(try community.contacts(courtyard: courtyard, type: outcome.record.event.type), courtyard: courtyard,
                                 phones: identity.role == .admin || identity.role == .dispatcher)
        return .object(o)
    }

    /// An event's first contacts: its courtyard's grid leader and whoever holds the role answering for its type
    /// there (phones only for admin and dispatcher). Null outside every courtyard.
    static func contacts(_ c: Community.Contacts?, courtyard: String?, phones: Bool) -> JSONValue {
        guard let c, let courtyard else { return .null }
        func person(_ p: Person?) -> JSONValue {
            guard let p else { return .null }
            var o = JSONObject([("id", .string(p.id)), ("name", .string(p.name))])
            if phones { o["phone"] = p.phone.map { .string($0) } ?? .null }
            return .object(o)
        }
        return .object(JSONObject([
            ("courtyard", .string(courtyard)), ("grid_leader", person(c.gridLeader)),
            ("role", c.role.map { .string($0.rawValue) } ?? .null), ("role_name", c.role.map { .string($0.chinese) } ?? .null),
            ("responsible", person(c.responsible)),
        ]))
    }
}
