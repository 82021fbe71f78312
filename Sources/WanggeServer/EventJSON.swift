import WanggeCore

/// An event as the API shows it. Reporter name and phone appear only for roles that may see personal data.
enum EventJSON {
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
