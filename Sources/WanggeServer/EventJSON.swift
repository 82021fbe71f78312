import WanggeCore

/// An event as the API shows it. Reporter name and phone appear only for roles that may see personal data.
enum EventJSON {
    /// The same object as `render`, written straight into bytes (the intake path: no intermediate tree).
    static func write(_ r: EventRecord, showReporter: Bool, into w: inout GeoJSONWriter) {
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
            w.append(#","reporter":{"name":"#); w.appendString(e.reporterName)
            w.append(#","phone":"#); w.appendString(e.reporterPhone)
            w.append("}")
        } else {
            w.append(#","reporter":null"#)
        }
        w.append(#","occurred_at":"#); w.appendString(Timestamp.format(e.occurredAt))
        w.append(#","reported_at":"#); w.appendString(Timestamp.format(e.reportedAt))
        w.append(#","grids":{"match":"#); w.appendString(a.residential.match.rawValue)
        w.append(#","street":"#); optional(a.residential.street)
        w.append(#","community":"#); optional(a.residential.community)
        w.append(#","courtyard":"#); optional(a.residential.courtyard)
        w.append(#","building":"#); optional(a.residential.building)
        w.append(#","touching":"#); codes(a.residential.touching)
        w.append(#","functional":"#); codes(a.functional.grids)
        w.append(#","industry":"#); codes(a.industry.grids)
        w.append(#"},"outside":"#); w.append(e.isOutside ? "true" : "false")
        w.append(#","department":"#); optional(r.department)
        w.append(#","version":"#); w.appendInt(r.version)
        w.append("}")
    }

    static func render(_ r: EventRecord, showReporter: Bool) -> JSONValue {
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
            ? .object(JSONObject([("name", .string(e.reporterName)), ("phone", .string(e.reporterPhone))]))
            : .null
        o["occurred_at"] = .string(Timestamp.format(e.occurredAt))
        o["reported_at"] = .string(Timestamp.format(e.reportedAt))
        o["grids"] = .object(JSONObject([
            ("match", .string(a.residential.match.rawValue)), ("street", opt(a.residential.street)),
            ("community", opt(a.residential.community)), ("courtyard", opt(a.residential.courtyard)),
            ("building", opt(a.residential.building)), ("touching", codes(a.residential.touching)),
            ("functional", codes(a.functional.grids)), ("industry", codes(a.industry.grids)),
        ]))
        o["outside"] = .bool(e.isOutside)
        o["department"] = opt(r.department)
        o["version"] = .number(JSONNumber(r.version))
        return .object(o)
    }
}
