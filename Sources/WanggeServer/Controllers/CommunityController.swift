import Foundation
import HTTPTypes
import Hummingbird
import WanggeCore
import WanggeUseCases

/// The people and organisations on the grids: the staff roster and each grid's staff, vacancies and load, the
/// organisations (assigned points), the party organisation and its report, themes and joint building.
/// GIS staff and admins edit; other tokens read; phones only to admin and dispatcher, and in whole exports only
/// when asked (`phones=true`).
struct CommunityController: Sendable {
    let community: Community
    let reporting: Reporting
    let maxUploadBytes: Int

    static let readers: Set<Role> = [.admin, .gis, .dispatcher, .viewer, .department, .reporter, .supervisor]
    static let editors: Set<Role> = [.gis, .admin]
    enum TableFormat: String, CaseIterable { case json, csv }
    enum Flag: String, CaseIterable { case `true`, `false` }
    enum OrganisationFormat: String, CaseIterable { case geojson, json, csv }

    static let tableFormat = APIRoute.Parameter(name: "f", location: .query, type: "string", description: "json (default) or csv", enumValues: TableFormat.allCases.map(\.rawValue))
    static let bom = ReportsController.bom
    static let phones = APIRoute.Parameter(name: "phones", location: .query, type: "string",
                                           description: "true: include phones (admin and dispatcher only; left out otherwise)", enumValues: ["true", "false"])
    static let day = APIRoute.Parameter(name: "date", location: .query, type: "string", description: "The day appointments are read on, YYYY-MM-DD (default: today, Beijing time)",
                                        pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    static let level = APIRoute.Parameter(name: "level", location: .query, type: "string",
                                          description: "The residential level of the rows, a level of the layer (street, community, courtyard, building by default; default: courtyard, or the deepest level when the layer has none of that name)")

    /// The `level` a community report is on: the one asked for, else the courtyard (the deepest level under other
    /// level names).
    static func level(_ r: RouteRequest, _ grids: any GridRepository) throws -> GridLevel {
        let levels = try grids.levelScheme()
        return try r.query.level("level", in: levels) ?? levels.reportDefault
    }

    var routes: [APIRoute] {
        let upload: (String, String, Int) -> APIRoute.Body = { types, d, max in
            APIRoute.Body(contentTypes: types.split(separator: " ").map(String.init), schema: "Upload", description: d, maxBytes: max)
        }
        let refused = APIRoute.Answer(status: 422, description: "Problems, each with where it is (nothing stored)")
        return [
            APIRoute(method: .get, path: "/staff", summary: "The whole roster: people and their appointments (names for every token; phones only with phones=true, admin and dispatcher)",
                     tag: "community", roles: Self.readers, parameters: [Self.tableFormat, Self.phones, Self.bom],
                     answers: [.init(status: 200, description: "The roster", schema: "Roster", alternatives: [("text/csv", nil)])], handler: roster),
            APIRoute(method: .put, path: "/staff", summary: "Replace the roster (JSON or CSV, checked against the grids; all or nothing). A person sent without a phone keeps the stored one",
                     tag: "community", roles: Self.editors,
                     body: upload("application/json text/csv", "{\"people\": [{id, name, phone}], \"appointments\": [{person, grid, role, valid_from, valid_to}]}, or CSV person,name,phone,grid,role,valid_from,valid_to", maxUploadBytes),
                     answers: [.init(status: 200, description: "Stored", schema: "Stored"), refused], handler: replaceRoster),
            APIRoute(method: .get, path: "/grids/{code}/staff",
                     summary: "Who works on a grid and the grids under it (a community's roster): grid leaders, the ten staff, group leaders, and what is vacant",
                     tag: "community", roles: Self.readers,
                     parameters: [.init(name: "code", location: .path, type: "string", required: true, description: "Residential grid code"), Self.day, Self.tableFormat, Self.phones, Self.bom],
                     answers: [.init(status: 200, description: "The grid's staff", schema: "GridStaff", alternatives: [("text/csv", nil)]),
                               .init(status: 404, description: "No residential grid with that code")], handler: gridStaff),
            APIRoute(method: .get, path: "/staff/vacancies", summary: "Courtyards and buildings with a role nobody holds, or no leader",
                     tag: "community", roles: Self.readers,
                     parameters: [.init(name: "grid", location: .query, type: "string", description: "Only under this grid (a community, say)"), Self.day, Self.tableFormat, Self.bom],
                     answers: [.init(status: 200, description: "The vacancies", schema: "Vacancies", alternatives: [("text/csv", nil)]),
                               .init(status: 404, description: "No residential grid with that code")], handler: vacancies),
            APIRoute(method: .get, path: "/staff/load", summary: "Each person's roles and grids (一员多能, 一岗多责), the most loaded first",
                     tag: "community", roles: Self.readers, parameters: [Self.day, Self.tableFormat, Self.bom],
                     answers: [.init(status: 200, description: "The load", schema: "StaffLoad", alternatives: [("text/csv", nil)])], handler: load),
            APIRoute(method: .get, path: "/staff/responsibilities", summary: "Which staff role answers for which event type (events name that person as a first contact)",
                     tag: "community", roles: Self.readers,
                     answers: [.init(status: 200, description: "Event type → role", schema: "Responsibilities")], handler: responsibilities),
            APIRoute(method: .put, path: "/staff/responsibilities", summary: "Replace the event type → staff role mapping",
                     tag: "community", roles: Self.editors, body: upload("application/json", "{\"garbage\": \"environment\", …}", 1 << 20),
                     answers: [.init(status: 200, description: "Stored", schema: "Responsibilities"), refused], handler: replaceResponsibilities),

            APIRoute(method: .get, path: "/organisations",
                     summary: "Organisations on the grids as points with the grids the engine put them in (public; contact names for tokens; phones with phones=true for admin and dispatcher)",
                     tag: "community", roles: nil,
                     parameters: [.init(name: "grid", location: .query, type: "string", description: "Only those in this grid (any layer or level)"),
                                  .init(name: "kind", location: .query, type: "string", description: "Only this kind", enumValues: Organisation.Kind.allCases.map(\.rawValue)),
                                  .init(name: "category", location: .query, type: "string", description: "Only this category"),
                                  .init(name: "f", location: .query, type: "string", description: "geojson (default) or csv (lon, lat columns)", enumValues: OrganisationFormat.allCases.map(\.rawValue)),
                                  Self.phones, Self.bom],
                     answers: [.init(status: 200, description: "A FeatureCollection", schema: "FeatureCollection", contentType: FeatureJSON.geojson, alternatives: [("text/csv", nil)])],
                     handler: organisations),
            APIRoute(method: .put, path: "/organisations", summary: "Replace the organisations (GeoJSON points or CSV with lon, lat; all or nothing); each is assigned to every layer",
                     tag: "community", roles: Self.editors,
                     body: upload("application/geo+json application/json text/csv", "Points with id, name, kind, category, contact, phone", maxUploadBytes),
                     answers: [.init(status: 200, description: "Stored", schema: "Stored"), refused], handler: replaceOrganisations),
            APIRoute(method: .get, path: "/components",
                     summary: "Components (部件): manhole covers, lights, bins, signs… as points with their identifier, class, departments, state and grids (public)",
                     tag: "community", roles: nil,
                     parameters: [.init(name: "grid", location: .query, type: "string", description: "Only those in this grid (any layer or level)"),
                                  .init(name: "class", location: .query, type: "string", description: "Only this class (component:0102)"),
                                  .init(name: "state", location: .query, type: "string", description: "Only this state", enumValues: Component.State.allCases.map(\.rawValue)),
                                  .init(name: "f", location: .query, type: "string", description: "geojson (default) or csv (lon, lat columns)", enumValues: OrganisationFormat.allCases.map(\.rawValue)),
                                  Self.bom],
                     answers: [.init(status: 200, description: "A FeatureCollection", schema: "FeatureCollection", contentType: FeatureJSON.geojson, alternatives: [("text/csv", nil)])],
                     handler: components),
            APIRoute(method: .put, path: "/components",
                     summary: "Replace the components (GeoJSON points or CSV with lon, lat; all or nothing); identifiers not given continue their class's sequence; each is assigned to every layer",
                     tag: "community", roles: Self.editors,
                     parameters: [.init(name: "district", location: .query, type: "string", description: "The 6-digit district code identifiers start with (default: the street code's first six digits)")],
                     body: upload("application/geo+json application/json text/csv", "Points with class, name, optional id, competent, owner, maintainer, state, installed_on, updated_on", maxUploadBytes),
                     answers: [.init(status: 200, description: "Stored", schema: "Stored"), refused], handler: replaceComponents),
            APIRoute(method: .get, path: "/organisations/moves", summary: "Organisations whose grids changed with a boundary import, newest first",
                     tag: "community", roles: Self.readers,
                     parameters: [.init(name: "limit", location: .query, type: "integer", description: "At most this many (default 1000)", minimum: 1, maximum: 100_000)],
                     answers: [.init(status: 200, description: "The moves", schema: "OrganisationMoves")], handler: moves),

            APIRoute(method: .get, path: "/party", summary: "The party organisation on the grids (units) and member counts per grid and category — counts only",
                     tag: "community", roles: Self.readers,
                     answers: [.init(status: 200, description: "The document", schema: "Party")], handler: party),
            APIRoute(method: .put, path: "/party", summary: "Replace the party units and member counts (all or nothing)",
                     tag: "community", roles: Self.editors,
                     body: upload("application/json", "{\"units\": [{grid, kind, name}], \"members\": [{grid, direct, in_service, retired, floating}]}", maxUploadBytes),
                     answers: [.init(status: 200, description: "Stored", schema: "Stored"), refused], handler: replaceParty),
            APIRoute(method: .get, path: "/reports/party", summary: "Party members per grid and category (direct, in service, retired, floating), the unit on each grid, grids without one, and the tree of units",
                     tag: "reports", roles: Self.readers, parameters: [Self.level, Self.tableFormat, Self.bom],
                     answers: [.init(status: 200, description: "The report", schema: "PartyReport", alternatives: [("text/csv", nil)])], handler: partyReport),

            APIRoute(method: .get, path: "/joint-building", summary: "Themes (一格一品), links between grids and organisations (九联共建) and activities",
                     tag: "community", roles: Self.readers,
                     answers: [.init(status: 200, description: "The document", schema: "JointBuilding")], handler: jointBuilding),
            APIRoute(method: .put, path: "/joint-building", summary: "Replace themes, links and activities (all or nothing)",
                     tag: "community", roles: Self.editors,
                     body: upload("application/json", "{\"themes\": [{grid, theme, name}], \"links\": [{grid, organisation, type}], \"activities\": [{date, title, type, scale, participants, grids, organisations}]}", maxUploadBytes),
                     answers: [.init(status: 200, description: "Stored", schema: "Stored"), refused], handler: replaceJointBuilding),
            APIRoute(method: .post, path: "/joint-building/activities", summary: "Record one joint-building activity",
                     tag: "community", roles: [.gis, .admin, .dispatcher],
                     body: upload("application/json", "{date, title, type, scale, participants, grids, organisations}", 1 << 20),
                     answers: [.init(status: 201, description: "Recorded", schema: "Activity"), refused], handler: recordActivity),
            APIRoute(method: .get, path: "/reports/joint-building", summary: "Per grid over a period: theme, links by type, activities by scale, participants",
                     tag: "reports", roles: Self.readers, parameters: [Self.level] + ReportsController.periodParameters + [Self.tableFormat, Self.bom],
                     answers: [.init(status: 200, description: "The report", schema: "JointBuildingReport", alternatives: [("text/csv", nil)])], handler: jointBuildingReport),
        ]
    }

    // MARK: staff

    /// Whether the answer may carry phones: for per-grid views, admin and dispatcher always; for whole exports,
    /// only when they ask.
    static func phones(_ r: RouteRequest, export: Bool) throws -> Bool {
        let mayAsk = r.identity.map { $0.role == .admin || $0.role == .dispatcher } ?? false
        switch try r.query.choice("phones", Flag.self) {
        case .true?:
            guard mayAsk else {
                throw APIError(.forbidden, code: "forbidden", message: "phones are shown only to admin and dispatcher tokens")
            }
            return true
        case .false?: return false
        case nil: return mayAsk && !export
        }
    }

    func day(_ r: RouteRequest) throws -> String? {
        guard let d = r.query.string("date") else { return nil }
        guard CalendarDay.isValid(d) else { throw APIError.badParameter("date", "must be a day as YYYY-MM-DD") }
        return d
    }

    static func bom(_ r: RouteRequest) throws -> Bool { try r.query.int("bom") == 1 }

    static func isCSV(_ r: RouteRequest) -> Bool {
        (r.request.headers[.contentType] ?? "").lowercased().hasPrefix("text/csv")
    }

    @Sendable func roster(_ r: RouteRequest) async throws -> Response {
        let phones = try Self.phones(r, export: true)
        let roster = try community.repository.roster()
        if try r.query.choice("f", TableFormat.self) == .csv {
            return ReportsController.csv(roster.csv(phones: phones), "staff.csv", bom: try Self.bom(r))
        }
        return .json(roster.json(phones: phones))
    }

    @Sendable func replaceRoster(_ r: RouteRequest) async throws -> Response {
        let bytes = try await r.body()
        let roster = try Self.parsing { try community.importRoster(bytes, csv: Self.isCSV(r)) }
        try community.repository.record(.rosterReplaced, by: .token(try r.caller()), target: "staff",
                                        [("people", .int(roster.people.count)), ("appointments", .int(roster.appointments.count))])
        return .json(Self.stored([("people", roster.people.count), ("appointments", roster.appointments.count)]))
    }

    @Sendable func gridStaff(_ r: RouteRequest) async throws -> Response {
        let format = try r.query.choice("f", TableFormat.self) ?? .json
        let staff = try community.staff(grid: r.path("code"), on: try day(r))
        let phones = try Self.phones(r, export: format == .csv)
        func entry(_ e: (appointment: Appointment, person: Person?, gridName: String)) -> [(String, JSONValue)] {
            var o: [(String, JSONValue)] = [("grid", .string(e.appointment.grid)), ("grid_name", .string(e.gridName)),
                                            ("role", .string(e.appointment.role.rawValue)), ("role_name", .string(e.appointment.role.chinese)),
                                            ("person", .string(e.appointment.person)), ("name", e.person.map { .string($0.name) } ?? .null)]
            if phones { o.append(("phone", e.person?.phone.map { .string($0) } ?? .null)) }
            o += [("valid_from", e.appointment.validFrom.map { .string($0) } ?? .null), ("valid_to", e.appointment.validTo.map { .string($0) } ?? .null)]
            return o
        }
        if format == .csv {
            return ReportsController.csv(CSV.table(header: staff.entries.first.map { entry($0).map(\.0) } ?? ["grid"], rows: staff.entries.map(entry)),
                                         "staff-\(staff.grid.code).csv", bom: try Self.bom(r))
        }
        return .json(.object(JSONObject([
            ("grid", .string(staff.grid.code)), ("name", .string(staff.grid.name)), ("level", staff.grid.level.map { .string($0.rawValue) } ?? .null),
            ("date", .string(staff.day)),
            ("staff", .array(staff.entries.map { .object(JSONObject(entry($0))) })),
            ("vacancies", .array(staff.vacancies.map(Self.vacancyJSON))),
        ])))
    }

    static func vacancyColumns(_ v: Vacancy) -> [(String, JSONValue)] {
        [("grid", .string(v.grid)), ("name", .string(v.name)), ("level", .string(v.level.rawValue)),
         ("parent", v.parent.map { .string($0) } ?? .null), ("no_leader", .bool(v.noLeader)),
         ("missing", .string(v.missing.map(\.rawValue).joined(separator: " ")))]
    }

    static func vacancyJSON(_ v: Vacancy) -> JSONValue {
        var o = JSONObject(vacancyColumns(v))
        o["missing"] = .array(v.missing.map { .string($0.rawValue) })
        return .object(o)
    }

    @Sendable func vacancies(_ r: RouteRequest) async throws -> Response {
        let list = try community.vacancies(under: try r.query.nonEmpty("grid"), on: try day(r))
        if try r.query.choice("f", TableFormat.self) == .csv {
            return ReportsController.csv(CSV.table(header: Self.vacancyColumns(Vacancy(grid: "", name: "", level: .courtyard, parent: nil, missing: [])).map(\.0),
                                                   rows: list.map(Self.vacancyColumns)), "vacancies.csv", bom: try Self.bom(r))
        }
        return .json(.object(JSONObject([("date", .string(try day(r) ?? community.today)), ("grids", .number(JSONNumber(list.count))),
                                         ("without_leader", .number(JSONNumber(list.filter(\.noLeader).count))),
                                         ("vacancies", .array(list.map(Self.vacancyJSON)))])))
    }

    @Sendable func load(_ r: RouteRequest) async throws -> Response {
        let list = try community.load(on: try day(r))
        func columns(_ l: StaffLoad) -> [(String, JSONValue)] {
            [("person", .string(l.person.id)), ("name", .string(l.person.name)), ("appointments", .number(JSONNumber(l.appointments))),
             ("roles", .number(JSONNumber(l.roles.count))), ("grids", .number(JSONNumber(l.grids.count))),
             ("role_list", .string(l.roles.map(\.rawValue).joined(separator: " "))), ("grid_list", .string(l.grids.joined(separator: " ")))]
        }
        if try r.query.choice("f", TableFormat.self) == .csv {
            return ReportsController.csv(CSV.table(header: list.first.map { columns($0).map(\.0) } ?? ["person"], rows: list.map(columns)), "staff-load.csv", bom: try Self.bom(r))
        }
        return .json(.object(JSONObject([("date", .string(try day(r) ?? community.today)), ("people", .array(list.map { l in
            var o = JSONObject(columns(l))
            o["role_list"] = .array(l.roles.map { .string($0.rawValue) })
            o["grid_list"] = .array(l.grids.map { .string($0) })
            return .object(o)
        }))])))
    }

    @Sendable func responsibilities(_ r: RouteRequest) async throws -> Response {
        .json(.object(JSONObject(try community.responsibilities().sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.rawValue)) })))
    }

    @Sendable func replaceResponsibilities(_ r: RouteRequest) async throws -> Response {
        let bytes = try await r.body()
        try Self.parsing { try community.storeResponsibilities(bytes) }
        try community.repository.record(.responsibilitiesReplaced, by: .token(try r.caller()), target: "responsibilities",
                                        [("event_types", .int(try community.responsibilities().count))])
        return try await responsibilities(r)
    }

    // MARK: organisations

    @Sendable func organisations(_ r: RouteRequest) async throws -> Response {
        let q = r.query
        let phones = try Self.phones(r, export: true)
        let list = try community.organisations(grid: try q.nonEmpty("grid"), kind: try q.choice("kind", Organisation.Kind.self), category: try q.nonEmpty("category"))
        let contacts = r.identity != nil
        if try q.choice("f", OrganisationFormat.self) == .csv {
            return ReportsController.csv(Organisation.csv(list, contacts: contacts, phones: phones), "organisations.csv", bom: try Self.bom(r))
        }
        return .bytes(Self.featureCollection(list, contacts: contacts, phones: phones), contentType: FeatureJSON.geojson)
    }

    static func featureCollection(_ list: [Organisation], contacts: Bool, phones: Bool) -> [UInt8] {
        GeoJSONWriter.featureCollection(list.map { o in
            (id: o.id, geometry: .point(x: o.lon, y: o.lat), properties: o.publicProperties(contacts: contacts, phones: phones))
        })
    }

    @Sendable func replaceOrganisations(_ r: RouteRequest) async throws -> Response {
        let bytes = try await r.body()
        let csv = Self.isCSV(r)
        let list = try await Self.readingJSON { try await community.importOrganisations(bytes, csv: csv) }
        try community.repository.record(.organisationsReplaced, by: .token(try r.caller()), target: "organisations", [("organisations", .int(list.count))])
        return Self.stored("organisations", list, by: "kinds", Organisation.Kind.allCases, \.kind, ids: \.id,
                           outside: { $0.assignment?.residential.match == .outside })
    }

    /// An upload's import, with a JSON syntax error answered as a 400 naming the body.
    static func readingJSON<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as JSONSyntaxError {
            throw APIError(.badRequest, code: "malformed_json", message: e.description, details: [FieldError("body", e.description)])
        }
    }

    /// The answer to a replaced list of points: how many, how many of each value of `key`, and those outside every
    /// residential grid.
    static func stored<T, K: RawRepresentable & Equatable>(_ name: String, _ list: [T], by breakdown: String, _ values: [K], _ key: KeyPath<T, K>,
                                                          ids: KeyPath<T, String>, outside: (T) -> Bool) -> Response where K.RawValue == String {
        var counts = JSONObject()
        for v in values { counts[v.rawValue] = .number(JSONNumber(list.filter { $0[keyPath: key] == v }.count)) }
        return .json(.object(JSONObject([("stored", .bool(true)), (name, .number(JSONNumber(list.count))), (breakdown, .object(counts)),
                                         ("outside_every_residential_grid", .array(list.filter(outside).map { .string($0[keyPath: ids]) }))])))
    }

    // MARK: components

    @Sendable func components(_ r: RouteRequest) async throws -> Response {
        let q = r.query
        let list = try community.components(grid: try q.nonEmpty("grid"), classID: try q.nonEmpty("class"), state: try q.choice("state", Component.State.self))
        let names = community.componentClassNames()
        if try q.choice("f", OrganisationFormat.self) == .csv {
            return ReportsController.csv(Component.csv(list, classNames: names), "components.csv", bom: try Self.bom(r))
        }
        return .bytes(Component.featureCollection(list, classNames: names), contentType: FeatureJSON.geojson)
    }


    @Sendable func replaceComponents(_ r: RouteRequest) async throws -> Response {
        let bytes = try await r.body()
        let csv = Self.isCSV(r), district = try r.query.nonEmpty("district")
        let list = try await Self.readingJSON { try await community.importComponents(bytes, csv: csv, district: district) }
        try community.repository.record(.componentsReplaced, by: .token(try r.caller()), target: "components", [("components", .int(list.count))])
        return Self.stored("components", list, by: "states", Component.State.allCases, \.state, ids: \.id,
                           outside: { $0.assignment?.residential.match == .outside })
    }

    @Sendable func moves(_ r: RouteRequest) async throws -> Response {
        let list = try community.repository.organisationMoves(limit: try r.query.int("limit") ?? 1000)
        return .json(.object(JSONObject([("moves", .array(list.map { at, m in
            var o = m.json.objectValue!
            o["at"] = .string(Timestamp.format(at))
            return .object(o)
        }))])))
    }

    // MARK: party and joint building

    @Sendable func party(_ r: RouteRequest) async throws -> Response { .json(try community.repository.party().json) }

    @Sendable func replaceParty(_ r: RouteRequest) async throws -> Response {
        let bytes = try await r.body()
        let party = try Self.parsing { try community.importParty(bytes) }
        try community.repository.record(.partyReplaced, by: .token(try r.caller()), target: "party", [("units", .int(party.units.count))])
        return .json(Self.stored([("units", party.units.count)] + PartyOrganisation.Category.allCases.map { ($0.rawValue, party.total($0)) }))
    }

    @Sendable func partyReport(_ r: RouteRequest) async throws -> Response {
        let level = try Self.level(r, community.repository)
        let report = try community.partyReport(level: level)
        if try r.query.choice("f", TableFormat.self) == .csv { return ReportsController.csv(report.csv(), "party-\(level.rawValue).csv", bom: try Self.bom(r)) }
        return .json(report.json())
    }

    @Sendable func jointBuilding(_ r: RouteRequest) async throws -> Response { .json(try community.repository.jointBuilding().json) }

    @Sendable func replaceJointBuilding(_ r: RouteRequest) async throws -> Response {
        let bytes = try await r.body()
        let j = try Self.parsing { try community.importJointBuilding(bytes) }
        try community.repository.record(.jointBuildingReplaced, by: .token(try r.caller()), target: "joint-building",
                                        [("themes", .int(j.themes.count)), ("links", .int(j.links.count)), ("activities", .int(j.activities.count))])
        return .json(Self.stored([("themes", j.themes.count), ("links", j.links.count), ("activities", j.activities.count)]))
    }

    @Sendable func recordActivity(_ r: RouteRequest) async throws -> Response {
        let (object, _) = try await r.jsonBody()
        return .json(try community.recordActivity(object).json, status: .created)
    }

    @Sendable func jointBuildingReport(_ r: RouteRequest) async throws -> Response {
        let level = try Self.level(r, community.repository)
        let period = try reporting.period(r.query)
        let report = try community.jointBuildingReport(level: level, from: CalendarDay.day(period.from), to: CalendarDay.day(period.to - 1))
        if try r.query.choice("f", TableFormat.self) == .csv { return ReportsController.csv(report.csv(), "joint-building-\(level.rawValue).csv", bom: try Self.bom(r)) }
        return .json(report.json())
    }

    // MARK: shared

    static func stored(_ counts: [(String, Int)]) -> JSONValue {
        .object(JSONObject([("stored", .bool(true))] + counts.map { ($0.0, .number(JSONNumber($0.1))) }))
    }

    /// Runs an import; malformed JSON is a 400 with its line and column (invalid fields are 422s already).
    static func parsing<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch let e as JSONSyntaxError {
            throw APIError(.badRequest, code: "malformed_json", message: e.description, details: [FieldError("body", e.description)])
        }
    }
}

extension Organisation {
    /// Properties for an answer: the contact's name only for tokens, the phone only when allowed.
    func publicProperties(contacts: Bool, phones: Bool) -> JSONObject {
        var p = properties(phones: phones && contacts)
        if !contacts { p["contact"] = nil }
        return p
    }
}
