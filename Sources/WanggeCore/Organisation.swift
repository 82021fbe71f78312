/// A unit on the grids (驻区单位): the public institutions the functional grids group and the private firms and
/// social organisations the industry grids group, as points.
public struct Organisation: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case publicInstitution = "public_institution"
        case privateFirm = "private_firm"
        case socialOrganisation = "social_organisation"
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var category: String
    /// The person to contact there, and their phone (shown only to admin and dispatcher).
    public var contact: String?
    public var phone: String?
    public var lon: Double
    public var lat: Double
    /// Where the engine puts it in every layer; nil until assigned.
    public var assignment: PointAssignment?

    public init(id: String, name: String, kind: Kind, category: String, contact: String? = nil, phone: String? = nil,
                lon: Double, lat: Double, assignment: PointAssignment? = nil) {
        self.id = id; self.name = name; self.kind = kind; self.category = category; self.contact = contact
        self.phone = phone; self.lon = lon; self.lat = lat; self.assignment = assignment
    }

    /// Every grid code it falls in, residential chain first.
    public var gridCodes: [String] {
        guard let a = assignment else { return [] }
        return GridLayer.allCases.flatMap { OrganisationMove.codes(a, $0) }
    }

    /// The properties a feature of it carries (the same in GeoJSON, CSV and the OGC collection).
    public func properties(phones: Bool) -> JSONObject {
        func s(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
        var p = JSONObject([("id", .string(id)), ("name", .string(name)), ("kind", .string(kind.rawValue)),
                            ("category", .string(category)), ("contact", s(contact))])
        if phones { p["phone"] = s(phone) }
        let r = assignment?.residential
        p["community"] = s(r?.community)
        p["courtyard"] = s(r?.courtyard)
        p["building"] = s(r?.building)
        p["functional"] = assignment.map { .array($0.functional.grids.map { .string($0) }) } ?? .array([])
        p["industry"] = assignment.map { .array($0.industry.grids.map { .string($0) }) } ?? .array([])
        p["match"] = s(r?.match.rawValue)
        return p
    }
}

extension Organisation {
    /// Reads a GeoJSON FeatureCollection of points (`id`, `name`, `kind`, `category`, optional `contact`,
    /// `phone`; other properties, such as a `grid` the file was made with, are ignored: the engine decides).
    /// - Throws: `InvalidFields` naming each feature and property at fault; `JSONSyntaxError`.
    public static func parse(geojson bytes: [UInt8], previous: [Organisation] = []) throws -> [Organisation] {
        let (records, problems) = try RecordReader.points(geojson: bytes)
        return try read(records, problems: problems, previous: previous)
    }

    /// Reads CSV with columns `id`, `name`, `kind`, `category`, `lon`, `lat` and optional `contact`, `phone`.
    /// - Throws: `InvalidFields` naming each line and column at fault.
    public static func parse(csv bytes: [UInt8], previous: [Organisation] = []) throws -> [Organisation] {
        let rows = try CSV.records(bytes, required: ["id", "name", "kind", "category", "lon", "lat"])
        return try read(rows.map { RecordReader($0.object, location: "line \($0.line)", csv: true) }, problems: [], previous: previous)
    }

    static func read(_ records: [RecordReader], problems: [FieldError], previous: [Organisation]) throws -> [Organisation] {
        var problems = problems, out: [Organisation] = [], seen: [String: String] = [:]
        let before = Dictionary(previous.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for var r in records {
            let id = r.text("id", required: true, maxLength: 64), name = r.text("name", required: true)
            let kind = r.choice("kind", Kind.self), category = r.text("category", required: true, maxLength: 64)
            let contact = r.text("contact", maxLength: 100)
            var phone = r.text("phone", maxLength: 40)
            if !r.has("phone"), let id { phone = before[id]?.phone }
            let lon = r.double("lon", in: -180...180), lat = r.double("lat", in: -90...90)
            if let id {
                if let first = seen[id] { r.fail("id", "\(id) is used twice (first at \(first))") } else { seen[id] = r.location }
            }
            problems += r.problems
            guard r.problems.isEmpty, let id, let name, let kind, let category, let lon, let lat else { continue }
            out.append(Organisation(id: id, name: name, kind: kind, category: category, contact: contact, phone: phone, lon: lon, lat: lat))
        }
        guard problems.isEmpty else { throw InvalidFields(problems) }
        return out
    }

    /// The CSV form the import reads, with the grids it was assigned to after.
    public static func csv(_ list: [Organisation], contacts: Bool, phones: Bool) -> String {
        let rows: [[(String, JSONValue)]] = list.map { o in
            var r: [(String, JSONValue)] = [("id", .string(o.id)), ("name", .string(o.name)), ("kind", .string(o.kind.rawValue)),
                                            ("category", .string(o.category))]
            if contacts { r.append(("contact", o.contact.map { .string($0) } ?? .null)) }
            if contacts && phones { r.append(("phone", o.phone.map { .string($0) } ?? .null)) }
            r += [("lon", .number(JSONNumber(o.lon))), ("lat", .number(JSONNumber(o.lat)))]
            for m in o.properties(phones: false).members where ["community", "courtyard", "building", "functional", "industry", "match"].contains(m.key) {
                if case .array(let a) = m.value {
                    r.append((m.key, .string(a.compactMap(\.stringValue).joined(separator: " "))))
                } else { r.append((m.key, m.value)) }
            }
            return r
        }
        var header = ["id", "name", "kind", "category"]
        if contacts { header.append("contact") }
        if contacts && phones { header.append("phone") }
        header += ["lon", "lat", "community", "courtyard", "building", "functional", "industry", "match"]
        return CSV.table(header: header, rows: rows)
    }
}

/// An organisation whose grids changed with a boundary import: which layer, and the codes before and after.
public struct OrganisationMove: Sendable, Equatable {
    public var organisation: String
    public var name: String
    public var layer: GridLayer
    public var from: [String]
    public var to: [String]

    public init(organisation: String, name: String, layer: GridLayer, from: [String], to: [String]) {
        self.organisation = organisation; self.name = name; self.layer = layer; self.from = from; self.to = to
    }

    /// What moved between two assignments of the same organisations, layer by layer.
    public static func between(_ before: [Organisation], _ after: [Organisation]) -> [OrganisationMove] {
        let old = Dictionary(before.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [OrganisationMove] = []
        for o in after {
            let was = old[o.id]?.assignment
            for layer in GridLayer.allCases {
                let from = was.map { codes($0, layer) } ?? [], to = o.assignment.map { codes($0, layer) } ?? []
                if from != to { out.append(OrganisationMove(organisation: o.id, name: o.name, layer: layer, from: from, to: to)) }
            }
        }
        return out
    }

    /// A layer's codes in an assignment, most general first (the residential chain from the top level down; the
    /// overlays' codes).
    public static func codes(_ a: PointAssignment, _ layer: GridLayer) -> [String] {
        switch layer {
        case .residential:
            return a.residential.codes
        case .functional: return a.functional.grids
        case .industry: return a.industry.grids
        }
    }

    public var json: JSONValue {
        .object(JSONObject([("organisation", .string(organisation)), ("name", .string(name)), ("layer", .string(layer.rawValue)),
                            ("from", .array(from.map { .string($0) })), ("to", .array(to.map { .string($0) }))]))
    }
}
