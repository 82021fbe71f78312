import Foundation
import Hummingbird
import WanggeCore
import WanggeUseCases

/// The standard's class tree (`GET /categories`) and the working calendar deadlines are counted on
/// (`GET /calendar`): reference data every role reads, and clients without a token too.
struct StandardsController: Sendable {
    let loop: ClosedLoop

    static let kindParameter = APIRoute.Parameter(name: "kind", location: .query, type: "string",
                                                  description: "Only this kind: event (事件) or component (部件)",
                                                  enumValues: CaseClasses.Kind.allCases.map(\.rawValue))
    static let yearParameter = APIRoute.Parameter(name: "year", location: .query, type: "integer",
                                                  description: "The year (default: this year in the calendar's zone)", minimum: 1900, maximum: 2200)

    var routes: [APIRoute] {
        [
            APIRoute(method: .get, path: "/categories",
                     summary: "The class tree of GB/T 30428.2: 事件 and 部件, 大类 and 小类 with 立案条件, 结案条件, department, 处置时限 and stages, and the event types filed under each",
                     tag: "closed loop", roles: nil, parameters: [Self.kindParameter],
                     answers: [.init(status: 200, description: "The classes", schema: nil),
                               .init(status: 404, description: "No class tree is loaded (categories.json)")], handler: categories),
            APIRoute(method: .get, path: "/calendar",
                     summary: "The working calendar of a year: office hours, public holidays, make-up working days, and every day's kind",
                     tag: "closed loop", roles: nil, parameters: [Self.yearParameter],
                     answers: [.init(status: 200, description: "The year's calendar (published: false when its holidays are not known)", schema: nil)],
                     handler: calendar),
        ]
    }

    @Sendable func categories(_ r: RouteRequest) async throws -> Response {
        guard let classes = try loop.classes() else {
            throw WanggeError.notFound("no class tree is loaded: put categories.json in the catalogue folder and restart, or load it with `wangge sample load`")
        }
        let kinds: [CaseClasses.Kind]
        if let k = try r.query.nonEmpty("kind") {
            guard let kind = CaseClasses.Kind(rawValue: k) else {
                throw APIError.badParameter("kind", "must be event or component", message: "query parameter kind must be event or component, not \"\(k)\"")
            }
            kinds = [kind]
        } else {
            kinds = CaseClasses.Kind.allCases
        }
        var typesByClass: [String: [String]] = [:]
        for t in try loop.repository.eventTypes() { if let c = t.standardClass { typesByClass[c, default: []].append(t.code) } }
        func limit(_ l: TimeLimit) -> JSONValue {
            .object(JSONObject([("amount", .number(JSONNumber(l.amount))), ("unit", .string(l.unit.rawValue))]))
        }
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let out = kinds.map { kind -> JSONValue in
            .object(JSONObject([
                ("kind", .string(kind.rawValue)), ("name", .string(kind.name)),
                ("majors", .array(classes.majors(kind).map { major in
                    .object(JSONObject([
                        ("code", .string(major.code)), ("name", .string(major.name)), ("name_en", .string(major.nameEn)),
                        ("minors", .array(major.minors.map { m in
                            let id = "\(kind.rawValue):\(major.code)\(m.code)"
                            return .object(JSONObject([
                                ("id", .string(id)), ("code", .string(m.code)), ("name", .string(m.name)), ("name_en", .string(m.nameEn)),
                                ("filing", .string(m.filing)), ("closing", .string(m.closing)), ("department", text(m.department)),
                                ("limit", m.limit.map(limit) ?? .null),
                                ("stages", .array(m.stages.map { s in
                                    .object(JSONObject([("name", .string(s.name)), ("limit", limit(s.limit))]))
                                })),
                                ("extension", .bool(m.isExtension)), ("source", text(m.source)),
                                ("national_code", text(m.nationalCode)),
                                ("event_types", .array((typesByClass[id] ?? []).sorted().map { .string($0) })),
                            ]))
                        })),
                    ]))
                })),
            ]))
        }
        return .json(.object(JSONObject([
            ("kinds", .array(out)),
            ("extension_range", .array(classes.extensionRange.map { .number(JSONNumber($0)) })),
            ("sources", .array(classes.sources.map { s in
                .object(JSONObject([("id", .string(s.id)), ("title", .string(s.title)), ("url", text(s.url))]))
            })),
        ])))
    }

    @Sendable func calendar(_ r: RouteRequest) async throws -> Response {
        let clock = try loop.workingClock()
        let zone = ZoneOffsets(clock.calendar.timeZone) ?? .service
        let now = loop.clock()
        let thisYear = Int(Timestamp.format(now, in: zone).prefix(4)) ?? 2026
        let year = try r.query.int("year") ?? thisYear
        return .json(Self.calendarJSON(clock, year: year))
    }

    /// A year of `clock` as JSON: its days one by one, with the holidays and make-up days as published.
    static func calendarJSON(_ clock: WorkingClock, year: Int) -> JSONValue {
        let c = clock.calendar
        let published = c.years[String(year)]
        var days: [JSONValue] = [], working = 0
        for day in WorkCalendar.dayNumber(year: year, month: 1, day: 1)..<WorkCalendar.dayNumber(year: year + 1, month: 1, day: 1) {
            let kind = clock.kind(ofDay: day)
            if clock.isWorking(day: day) { working += 1 }
            var o = JSONObject([("date", .string(WorkCalendar.date(day))), ("kind", .string(kind.rawValue))])
            if let h = clock.holidayName(ofDay: day) { o["holiday"] = .string(h) }
            days.append(.object(o))
        }
        return .object(JSONObject([
            ("year", .number(JSONNumber(year))),
            ("published", .bool(clock.knows(year: year))),
            ("source", published.map { .string($0.source) } ?? .null),
            ("time_zone", .string(c.timeZone)),
            ("office_hours", .array(c.officeHours.map { .array($0.map { .string($0) }) })),
            ("working_day_hours", .number(JSONNumber(clock.dayLength / 3600))),
            ("working_days", .number(JSONNumber(working))),
            ("holidays", .array((published?.holidays ?? []).map { h in
                .object(JSONObject([("name", .string(h.name)), ("name_en", .string(h.nameEn)), ("from", .string(h.from)), ("to", .string(h.to))]))
            })),
            ("makeup_workdays", .array((published?.workdays ?? []).map { .string($0) })),
            ("days", .array(days)),
        ]))
    }
}
