import Foundation
public import WanggeCore
import WanggeGeo

/// What a staged (or any) version of a layer would change against the boundaries in use: the grids added, removed
/// and changed, and the stored events and organisations that would fall in other grids of the layer.
public struct VersionDiff: Sendable {
    public enum Change: String, Sendable { case added, removed, changed }

    /// A grid that is new, gone, or different (geometry, name, level or parent) in the version.
    public struct GridChange: Sendable, Equatable {
        public var code: String
        public var name: String
        public var change: Change
        /// m²; nil for an added grid.
        public var areaBeforeM2: Double?
        /// m²; nil for a removed grid.
        public var areaAfterM2: Double?
        /// What differs for a changed grid: `geometry`, `name`, `level`, `parent`, `properties`.
        public var fields: [String]
    }

    /// How many stored things would go from one grid to another. `from`/`to` name the layer's grid for a point:
    /// the most detailed residential code (building, else courtyard, community, street), or the overlay codes
    /// joined by `;`; nil where the point is in no grid of the layer.
    public struct Move: Sendable, Equatable, Hashable {
        public var from: String?
        public var to: String?
    }

    public struct MovedPoint: Sendable, Equatable {
        public enum Kind: String, Sendable { case event, organisation }
        public var kind: Kind
        public var id: String
        public var lon: Double
        public var lat: Double
        public var from: [String]
        public var to: [String]
    }

    public var version: LayerImport
    /// The version in use now (nil: the layer has none).
    public var active: LayerImport?
    public var grids: [GridChange]
    public var unchangedGrids: Int
    public var eventsChecked: Int
    public var organisationsChecked: Int
    /// Counts per old → new pair, most first.
    public var moves: [(move: Move, events: Int, organisations: Int)]
    public var movedPoints: [MovedPoint]

    public var eventsMoved: Int { moves.reduce(0) { $0 + $1.events } }
    public var organisationsMoved: Int { moves.reduce(0) { $0 + $1.organisations } }

    /// The diff as JSON (the moved points themselves are in `movedGeoJSON`).
    public var json: JSONValue {
        func area(_ a: Double?) -> JSONValue { a.map { .number(JSONNumber(($0 * 100).rounded() / 100)) } ?? .null }
        func code(_ c: String?) -> JSONValue { c.map { .string($0) } ?? .null }
        let changes = grids.map { g -> JSONValue in
            var o = JSONObject([("code", .string(g.code)), ("name", .string(g.name)), ("change", .string(g.change.rawValue)),
                                ("area_before_m2", area(g.areaBeforeM2)), ("area_after_m2", area(g.areaAfterM2))])
            if let b = g.areaBeforeM2, let a = g.areaAfterM2, b > 0 {
                o["area_change_percent"] = .number(JSONNumber(((a - b) / b * 1e4).rounded() / 100))
            }
            if g.change == .changed { o["fields"] = .array(g.fields.map { .string($0) }) }
            return .object(o)
        }
        let count = { (c: Change) in JSONValue.number(JSONNumber(grids.filter { $0.change == c }.count)) }
        return .object(JSONObject([
            ("version", VersionJSON.json(version)),
            ("active", active.map(VersionJSON.json) ?? .null),
            ("grids", .object(JSONObject([("added", count(.added)), ("removed", count(.removed)), ("changed", count(.changed)),
                                          ("unchanged", .number(JSONNumber(unchangedGrids))), ("list", .array(changes))]))),
            ("events", .object(JSONObject([("checked", .number(JSONNumber(eventsChecked))), ("would_move", .number(JSONNumber(eventsMoved)))]))),
            ("organisations", .object(JSONObject([("checked", .number(JSONNumber(organisationsChecked))),
                                                  ("would_move", .number(JSONNumber(organisationsMoved)))]))),
            ("moves", .array(moves.map { m in
                .object(JSONObject([("from", code(m.move.from)), ("to", code(m.move.to)), ("events", .number(JSONNumber(m.events))),
                                    ("organisations", .number(JSONNumber(m.organisations)))]))
            })),
        ]))
    }

    /// The events and organisations that would move, as a FeatureCollection of points (RFC 7946) with `kind`,
    /// `from` and `to` (the layer's codes, most general first).
    public var movedGeoJSON: [UInt8] {
        var w = GeoJSONWriter()
        w.append(#"{"type":"FeatureCollection","features":["#)
        for (i, p) in movedPoints.enumerated() {
            if i > 0 { w.append(",") }
            w.appendFeature(id: "\(p.kind.rawValue)-\(p.id)", geometry: .point(x: p.lon, y: p.lat), properties: JSONObject([
                ("kind", .string(p.kind.rawValue)), ("id", .string(p.id)), ("layer", .string(version.layer.rawValue)),
                ("from", .array(p.from.map { .string($0) })), ("to", .array(p.to.map { .string($0) })),
            ]))
        }
        w.append("]}")
        return w.bytes
    }
}

/// A version as JSON (the versions list, the diff, activation answers).
public enum VersionJSON {
    public static func json(_ v: LayerImport) -> JSONValue {
        func time(_ t: Double?) -> JSONValue { t.map { .string(Timestamp.format($0)) } ?? .null }
        return .object(JSONObject([
            ("id", .number(JSONNumber(Int(v.id)))), ("layer", .string(v.layer.rawValue)), ("status", .string(v.status.rawValue)),
            ("source", .string(v.source)), ("crs", .string(v.crs)), ("grids", .number(JSONNumber(v.gridCount))),
            ("imported_at", time(v.importedAt)), ("valid_from", time(v.validFrom)), ("valid_to", time(v.validTo)),
            ("grids_kept", .bool(v.gridsKept)),
        ] + (v.layer == .residential ? [("levels", .array(v.levels.names.map { .string($0) }))] : [])))
    }
}

/// The versions of the boundary layers: what a version would change, and its activation.
public struct BoundaryVersions: Sendable {
    public let grids: any GridRepository
    public let events: any ExportRepository
    /// nil: the storage keeps no organisations.
    public let community: (any CommunityRepository)?

    public init(grids: any GridRepository, events: any ExportRepository, community: (any CommunityRepository)?) {
        self.grids = grids
        self.events = events
        self.community = community
    }

    /// Compares version `id` with the boundaries in use: grid by grid (by code), and every stored event and
    /// organisation assigned with the version's grids of the layer (with `snapMetres`, as intake does) against the
    /// grids it holds now. The version's index is built for this call on this thread and freed after it.
    /// - Throws: `WanggeError.notFound` for an unknown version, `.conflict` for one whose grids were not kept.
    public func diff(_ id: Int64, snapMetres: Double = 0) throws -> VersionDiff {
        guard let version = try grids.version(id) else { throw WanggeError.notFound("no boundary version \(id)") }
        guard version.gridsKept else { throw version.notKept }
        let layer = version.layer
        let next = try grids.versionGrids(id)
        let now = try grids.grids(in: layer)
        let changes = Self.gridChanges(from: now, to: next)

        let replica = try GridIndexReplica(snapshot: GridIndexSnapshot.build(grids: next, scheme: layer == .residential ? version.levels : nil,
                                                                                 generation: 0))
        var counts: [VersionDiff.Move: (events: Int, organisations: Int)] = [:]
        var points: [VersionDiff.MovedPoint] = []
        var eventsChecked = 0
        try events.forEachEventRow(.allEvents) { row in
            eventsChecked += 1
            let before = Self.storedCodes(row, layer)
            let after = OrganisationMove.codes(replica.assign(lon: row.lon, lat: row.lat, snapMetres: snapMetres), layer)
            guard before != after else { return }
            counts[Self.move(before, after, layer), default: (0, 0)].events += 1
            points.append(.init(kind: .event, id: String(row.id), lon: row.lon, lat: row.lat, from: before, to: after))
        }
        let organisations = try community?.organisations() ?? []
        for o in organisations {
            let before = o.assignment.map { OrganisationMove.codes($0, layer) } ?? []
            let after = OrganisationMove.codes(replica.assign(lon: o.lon, lat: o.lat), layer)
            guard before != after else { continue }
            counts[Self.move(before, after, layer), default: (0, 0)].organisations += 1
            points.append(.init(kind: .organisation, id: o.id, lon: o.lon, lat: o.lat, from: before, to: after))
        }
        let moves = counts.map { (move: $0.key, events: $0.value.events, organisations: $0.value.organisations) }
            .sorted { ($0.events + $0.organisations, $1.move.from ?? "", $1.move.to ?? "") > ($1.events + $1.organisations, $0.move.from ?? "", $0.move.to ?? "") }
        return VersionDiff(version: version, active: try grids.activeVersions()[layer], grids: changes,
                           unchangedGrids: next.count - changes.filter { $0.change != .removed }.count,
                           eventsChecked: eventsChecked, organisationsChecked: organisations.count, moves: moves,
                           movedPoints: points)
    }

    static func gridChanges(from now: [StoredGrid], to next: [StoredGrid]) -> [VersionDiff.GridChange] {
        let old = Dictionary(now.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Set(next.map(\.code))
        var out: [VersionDiff.GridChange] = []
        for g in next {
            guard let o = old[g.code] else {
                out.append(.init(code: g.code, name: g.name, change: .added, areaBeforeM2: nil, areaAfterM2: g.areaM2, fields: []))
                continue
            }
            var fields: [String] = []
            if o.wkb != g.wkb { fields.append("geometry") }
            if o.name != g.name { fields.append("name") }
            if o.level != g.level { fields.append("level") }
            if o.parent != g.parent { fields.append("parent") }
            if o.properties != g.properties { fields.append("properties") }
            if !fields.isEmpty {
                out.append(.init(code: g.code, name: g.name, change: .changed, areaBeforeM2: o.areaM2, areaAfterM2: g.areaM2, fields: fields))
            }
        }
        for o in now where !new.contains(o.code) {
            out.append(.init(code: o.code, name: o.name, change: .removed, areaBeforeM2: o.areaM2, areaAfterM2: nil, fields: []))
        }
        return out
    }

    /// The layer's codes an event holds, as `OrganisationMove.codes` lists them for an assignment.
    static func storedCodes(_ row: any EventColumns, _ layer: GridLayer) -> [String] {
        func text(_ c: ExportColumn) -> String? {
            row.withText(c.rawValue) { $0.map { String(decoding: $0, as: UTF8.self) } }
        }
        switch layer {
        case .residential:
            let lower = ResidentialAnswer.lowerCodes(text(.lowerLevels)).compactMap { $0 }
            return [ExportColumn.street, .community, .courtyard, .building].compactMap { text($0).flatMap { $0.isEmpty ? nil : $0 } } + lower
        case .functional, .industry:
            return (text(layer == .functional ? .functional : .industry) ?? "").split(separator: ";").map(String.init)
        }
    }

    static func move(_ before: [String], _ after: [String], _ layer: GridLayer) -> VersionDiff.Move {
        func name(_ codes: [String]) -> String? {
            codes.isEmpty ? nil : layer == .residential ? codes.last : codes.joined(separator: ";")
        }
        return VersionDiff.Move(from: name(before), to: name(after))
    }
}
