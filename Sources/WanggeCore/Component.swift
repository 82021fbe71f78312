/// A component (部件): a thing in the street the centre answers for — a manhole cover, a street light, a litter bin,
/// a sign — as a point with the standard's identifier, its class, the three departments that answer for it and
/// its state.
///
/// The identifier (部件标识码) is the district's 6-digit administrative code, the class's 大类 and 小类 codes and a
/// 6-digit sequence: `130105` `01` `02` `000017` is the 17th sewer manhole cover (公用设施 01, 污水井盖 02) of
/// Xinhua District.
public struct Component: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable, Codable {
        case intact, damaged, lost, scrapped

        public var chineseName: String {
            switch self { case .intact: "完好"; case .damaged: "破损"; case .lost: "丢失"; case .scrapped: "废弃" }
        }
    }

    public var id: String
    /// `component:0102`.
    public var classID: String
    public var name: String
    /// 主管部门, 权属单位, 养护单位: department codes where the deployment knows them, else names.
    public var competent: String?
    public var owner: String?
    public var maintainer: String?
    public var state: State
    /// `YYYY-MM-DD`.
    public var installedOn: String?
    public var updatedOn: String?
    public var lon: Double
    public var lat: Double
    /// Where the engine puts it in every layer; nil until assigned.
    public var assignment: PointAssignment?

    public init(id: String, classID: String, name: String, competent: String? = nil, owner: String? = nil, maintainer: String? = nil,
                state: State = .intact, installedOn: String? = nil, updatedOn: String? = nil, lon: Double, lat: Double,
                assignment: PointAssignment? = nil) {
        self.id = id; self.classID = classID; self.name = name; self.competent = competent; self.owner = owner
        self.maintainer = maintainer; self.state = state; self.installedOn = installedOn; self.updatedOn = updatedOn
        self.lon = lon; self.lat = lat; self.assignment = assignment
    }

    /// The department an event about it goes to by default: its maintainer (养护), else its competent department
    /// (主管), if either is a known department code.
    public func department(known: Set<String>) -> String? {
        [maintainer, competent].compactMap { $0 }.first(where: known.contains)
    }

    /// Every grid code it falls in, residential chain first.
    public var gridCodes: [String] {
        guard let a = assignment else { return [] }
        return GridLayer.allCases.flatMap { OrganisationMove.codes(a, $0) }
    }

    /// The properties of its feature (the same in GeoJSON, CSV and the OGC collection).
    public func properties(className: String?) -> JSONObject {
        func s(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
        let r = assignment?.residential
        return JSONObject([
            ("id", .string(id)), ("class", .string(classID)), ("class_name", s(className)), ("name", .string(name)),
            ("competent", s(competent)), ("owner", s(owner)), ("maintainer", s(maintainer)), ("state", .string(state.rawValue)),
            ("installed_on", s(installedOn)), ("updated_on", s(updatedOn)),
            ("community", s(r?.community)), ("courtyard", s(r?.courtyard)), ("building", s(r?.building)),
            ("functional", .array((assignment?.functional.grids ?? []).map { .string($0) })),
            ("industry", .array((assignment?.industry.grids ?? []).map { .string($0) })),
            ("match", s(r?.match.rawValue)),
        ])
    }
}

extension Component {
    /// The columns of the CSV form (the import reads it back: `class`, `name`, `lon`, `lat` and the optional ones).
    public static let csvHeader = ["id", "class", "class_name", "name", "competent", "owner", "maintainer", "state", "installed_on",
                                   "updated_on", "lon", "lat", "community", "courtyard", "building", "functional", "industry", "match"]

    /// The components as CSV (overlay codes space-separated), with their class names from `classNames`.
    public static func csv(_ list: [Component], classNames: [String: String]) -> String {
        CSV.table(header: csvHeader, rows: list.map { c in
            var p = c.properties(className: classNames[c.classID])
            p["lon"] = .number(JSONNumber(c.lon)); p["lat"] = .number(JSONNumber(c.lat))
            for k in ["functional", "industry"] { p[k] = .string((p[k]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")) }
            return csvHeader.map { ($0, p[$0] ?? .null) }
        })
    }

    /// The components as a GeoJSON FeatureCollection of points.
    public static func featureCollection(_ list: [Component], classNames: [String: String]) -> [UInt8] {
        GeoJSONWriter.featureCollection(list.map { c in
            (id: c.id, geometry: .point(x: c.lon, y: c.lat), properties: c.properties(className: classNames[c.classID]))
        })
    }

    /// The class code in an identifier (大类 + 小类) for a 小类 of `digits` digits.
    static func identifier(district: String, major: String, minor: String, sequence: Int) -> String {
        let seq = String(sequence)
        return district + major + minor + String(repeating: "0", count: max(0, 6 - seq.count)) + seq
    }

    /// Reads a GeoJSON FeatureCollection of points or CSV rows (`lon`, `lat`) with `class` (`component:0102` or
    /// `0102`), `name`, optional `id`, `competent`, `owner`, `maintainer`, `state`, `installed_on`, `updated_on`. An
    /// `id` must be the district code, the class's code and a 6-digit sequence; without one, the next free sequence
    /// of its class is given.
    /// - Throws: `InvalidFields` naming each feature or line and property at fault (nothing is read then).
    public static func read(_ records: [RecordReader], problems: [FieldError], district: String, classes: CaseClasses,
                            existing: [Component] = []) throws -> [Component] {
        var problems = problems, out: [Component] = [], seen: [String: String] = [:]
        var pending: [(Int, String, String)] = []   // index in out, 大类, 小类: identifiers to give
        for var r in records {
            let given = r.text("id", maxLength: 32)
            var classText = r.text("class", required: true, maxLength: 32)
            if let c = classText, !c.contains(":") { classText = "component:" + c }
            let found = classText.flatMap(classes.find)
            if let c = classText, found?.kind != .component {
                r.fail("class", "\(c) is not a component class of categories.json (give component:大类小类, e.g. component:0102)")
            }
            let name = r.text("name", required: true)
            let state = r.has("state") ? r.choice("state", State.self) : .intact
            let competent = r.text("competent", maxLength: 100), owner = r.text("owner", maxLength: 100), maintainer = r.text("maintainer", maxLength: 100)
            let installed = r.date("installed_on"), updated = r.date("updated_on")
            let lon = r.double("lon", in: -180...180), lat = r.double("lat", in: -90...90)
            if let given, let found {
                let prefix = district + found.major.code + found.minor.code
                if !(given.hasPrefix(prefix) && given.count == prefix.count + 6 && given.allSatisfy { $0.isASCII && $0.isNumber }) {
                    r.fail("id", "\(given) is not this district's identifier for \(classText!): \(prefix) followed by a 6-digit sequence")
                }
                if let first = seen[given] { r.fail("id", "\(given) is used twice (first at \(first))") } else { seen[given] = r.location }
            }
            problems += r.problems
            guard r.problems.isEmpty, let found, let name, let state, let lon, let lat else { continue }
            if given == nil { pending.append((out.count, found.major.code, found.minor.code)) }
            out.append(Component(id: given ?? "", classID: "component:\(found.major.code)\(found.minor.code)", name: name,
                                 competent: competent, owner: owner, maintainer: maintainer, state: state,
                                 installedOn: installed, updatedOn: updated, lon: lon, lat: lat))
        }
        guard problems.isEmpty else { throw InvalidFields(problems) }
        // New identifiers continue each class's sequence past every one in use (in the file or stored before).
        var next: [String: Int] = [:]
        for id in out.map(\.id) + existing.map(\.id) where id.count > 6 {
            let prefix = String(id.dropLast(6))
            next[prefix] = max(next[prefix] ?? 1, (Int(id.suffix(6)) ?? 0) + 1)
        }
        for (i, major, minor) in pending {
            let prefix = district + major + minor
            let n = next[prefix] ?? 1
            out[i].id = identifier(district: district, major: major, minor: minor, sequence: n)
            next[prefix] = n + 1
        }
        return out
    }

    /// Reads a GeoJSON FeatureCollection of points; see `read`.
    public static func parse(geojson bytes: [UInt8], district: String, classes: CaseClasses, existing: [Component] = []) throws -> [Component] {
        let (records, problems) = try RecordReader.points(geojson: bytes)
        return try read(records, problems: problems, district: district, classes: classes, existing: existing)
    }

    /// Reads CSV with columns `class`, `name`, `lon`, `lat` and optional ones; see `read`.
    public static func parse(csv bytes: [UInt8], district: String, classes: CaseClasses, existing: [Component] = []) throws -> [Component] {
        let rows = try CSV.records(bytes, required: ["class", "name", "lon", "lat"])
        return try read(rows.map { RecordReader($0.object, location: "line \($0.line)", csv: true) }, problems: [],
                        district: district, classes: classes, existing: existing)
    }
}

/// A component's state as a department left it, with the day (`updated_on`, in the service's zone).
public struct ComponentStateChange: Sendable, Equatable {
    public var id: String
    public var state: Component.State
    public var on: String

    public init(id: String, state: Component.State, on: String) { self.id = id; self.state = state; self.on = on }
}
