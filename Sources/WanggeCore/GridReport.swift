/// A grid as the reports see it: identity, size, and (for the choropleth) its boundary as WKB.
public struct ReportGrid: Sendable, Equatable {
    public var code: String
    public var name: String
    public var layer: GridLayer
    public var level: GridLevel?
    public var parent: String?
    public var areaM2: Double
    /// From the boundary's `households` property when it has one.
    public var households: Int?
    public var wkb: [UInt8]

    public init(code: String, name: String, layer: GridLayer, level: GridLevel?, parent: String?, areaM2: Double,
                households: Int? = nil, wkb: [UInt8] = []) {
        self.code = code; self.name = name; self.layer = layer; self.level = level; self.parent = parent
        self.areaM2 = areaM2; self.households = households; self.wkb = wkb
    }
}

/// Which grids a report is about: one residential level, or one overlay layer.
public enum ReportScope: Sendable, Equatable, CustomStringConvertible {
    case level(GridLevel)
    case overlay(GridLayer)

    /// The layer its grids belong to.
    public var layer: GridLayer {
        switch self {
        case .level: return .residential
        case .overlay(let o): return o
        }
    }

    /// Whether a grid is one of the scope's.
    public func contains(_ g: StoredGrid) -> Bool {
        switch self {
        case .level(let l): return g.layer == .residential && g.level == l
        case .overlay(let o): return g.layer == o
        }
    }

    /// The codes an assignment gives a point in this scope (none, one, or an overlay's several).
    public func codes(_ a: PointAssignment) -> [String] {
        switch self {
        case .level(let l): return a.residential[l].map { [$0] } ?? []
        case .overlay(let o): return o == .functional ? a.functional.grids : a.industry.grids
        }
    }

    /// A level of the residential layer's scheme (`street`, `community`, `courtyard`, `building` by default), or
    /// `functional` or `industry` (the OGC collection names).
    public init?(_ name: String, levels: LevelScheme) {
        if let l = levels.level(named: name) { self = .level(l) } else if let o = GridLayer(rawValue: name), o != .residential {
            self = .overlay(o)
        } else { return nil }
    }

    public var description: String {
        switch self {
        case .level(let l): return l.rawValue
        case .overlay(let o): return o.rawValue
        }
    }

    /// Every scope's name under a scheme.
    public static func names(_ levels: LevelScheme) -> [String] { levels.names + ["functional", "industry"] }
}

/// The grid report: every grid of a level or overlay layer with its closed-loop figures over a period (see
/// `LoopTally` for the definitions), the whole layer's totals, and the events that fell in no grid of it.
public struct GridReport: Sendable {
    public var scope: ReportScope
    public var period: ReportPeriod
    /// When the figures were taken: states, overdue and open counts are as of this moment.
    public var asOf: Double
    public var rows: [(grid: ReportGrid, tally: LoopTally)]
    /// Every event of the period, once (an event in two overlapping overlay grids counts once here).
    public var total: LoopTally
    /// Events of the period in no grid of this scope (outside every overlay grid, or outside the residential ones).
    public var unassigned: LoopTally
    /// Organisations on each grid by kind (filled from the stored organisations; empty when none are kept).
    public var organisations: [String: [Organisation.Kind: Int]] = [:]
    /// Which boundaries the report is on, when not simply those in use with events where they were assigned.
    public var boundaries: JSONObject?
    /// Codes of grids with no event in the period.
    public var blindSpots: [String] { rows.filter { $0.tally.received == 0 }.map(\.grid.code) }

    /// Adds events one at a time (a report over a million events never holds them), then `finish()`.
    public struct Builder: Sendable {
        let scope: ReportScope
        let grids: [ReportGrid]
        let period: ReportPeriod
        let now: Double
        var index: [String: Int] = [:]
        /// Groups 0..<grids.count are the grids, then the unassigned events, then the total.
        var set: TallySet

        public init(scope: ReportScope, grids: [ReportGrid], period: ReportPeriod, now: Double) {
            self.scope = scope; self.grids = grids; self.period = period; self.now = now
            index.reserveCapacity(grids.count)
            for (i, g) in grids.enumerated() { index[g.code] = i }
            set = TallySet(groups: grids.count + 2)
        }

        /// Counts an event reported in the period (others are ignored).
        public mutating func add(_ e: ReportEvent) {
            guard e.reportedAt >= period.from && e.reportedAt < period.to else { return }
            let unassigned = grids.count, total = grids.count + 1
            if e.otherGrids.isEmpty {
                // The usual case: one grid (or none), no array built.
                let g = e.grid.flatMap { index[$0] } ?? unassigned
                set.add(e, to: g, and: total, now: now)
                return
            }
            var groups = e.grids.compactMap { index[$0] }
            if groups.isEmpty { groups.append(unassigned) }
            groups.append(total)
            set.add(e, to: groups, now: now)
        }

        /// Adds what another builder of the same report counted (over another part of the period).
        public mutating func merge(_ other: Builder) { set.merge(other.set) }

        public func finish() -> GridReport {
            let t = set.finish()
            return GridReport(scope: scope, period: period, asOf: now, rows: zip(grids, t).map { ($0.0, $0.1) },
                              total: t[grids.count + 1], unassigned: t[grids.count])
        }
    }

    public static func build<S: Sequence>(scope: ReportScope, grids: [ReportGrid], events: S, period: ReportPeriod,
                                          now: Double) -> GridReport where S.Element == ReportEvent {
        var b = Builder(scope: scope, grids: grids, period: period, now: now)
        for e in events { b.add(e) }
        return b.finish()
    }
}

/// The flat figures of one tally, in a fixed column order, for CSV rows and GeoJSON properties (QGIS styles a
/// choropleth from a flat numeric attribute). Rates are fractions (0.8812), hours to two decimals.
public enum ReportColumns {
    public static let statuses = EventStatus.allCases

    /// A measure (rate, median, area, density) rounded to `decimals`, always written with a decimal point (`1.0`,
    /// not `1`): QGIS and GDAL type a column by its values, and a rate that happens to be whole must not turn the
    /// layer's field into an Integer for that month.
    public static func round(_ v: Double?, _ decimals: Int) -> JSONValue {
        guard let v, v.isFinite else { return .null }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let r = (v * scale).rounded() / scale
        if r == r.rounded(), abs(r) < 1e15 { return .number(JSONNumber(literal: "\(Int64(r)).0", value: r)) }
        return .number(JSONNumber(r))
    }

    /// The loop figures every report row carries, after its own identifying columns.
    public static func figures(_ t: LoopTally, types: [String]) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = [
            ("received", .number(JSONNumber(t.received))),
            ("rejected", .number(JSONNumber(t.rejected))),
            ("open", .number(JSONNumber(t.open))),
            ("closed", .number(JSONNumber(t.closed))),
            ("resolution_rate", round(t.resolutionRate, 4)),
            ("resolved", .number(JSONNumber(t.resolved))),
            ("on_time", .number(JSONNumber(t.onTime))),
            ("on_time_rate", round(t.onTimeRate, 4)),
            ("overdue", .number(JSONNumber(t.overdue))),
            ("satisfied", .number(JSONNumber(t.satisfied))),
            ("neutral", .number(JSONNumber(t.neutral))),
            ("dissatisfied", .number(JSONNumber(t.dissatisfied))),
            ("satisfaction_rate", round(t.satisfactionRate, 4)),
            ("median_hours_to_accept", round(t.medianHoursToAccept, 2)),
            ("median_hours_to_resolve", round(t.medianHoursToResolve, 2)),
            ("median_hours_to_close", round(t.medianHoursToClose, 2)),
            ("reworks", .number(JSONNumber(t.reworks))),
            ("reworked_events", .number(JSONNumber(t.reworkedEvents))),
            ("returns", .number(JSONNumber(t.returns))),
            ("extensions", .number(JSONNumber(t.extensions))),
            ("rated_good", .number(JSONNumber(t.good))),
            ("rated_average", .number(JSONNumber(t.average))),
            ("rated_poor", .number(JSONNumber(t.poor))),
            ("outside", .number(JSONNumber(t.outside))),
            ("boundary", .number(JSONNumber(t.boundary))),
            ("filed", .number(JSONNumber(t.filed))),
            ("due_to_close", .number(JSONNumber(t.dueToClose))),
            ("closed_of_due", .number(JSONNumber(t.closedOfDue))),
            ("closed_on_time", .number(JSONNumber(t.closedOnTime))),
            ("closure_rate", round(t.closureRate, 4)),
            ("on_time_closure_rate", round(t.onTimeClosureRate, 4)),
            ("due_to_dispose", .number(JSONNumber(t.dueToDispose))),
            ("resolved_late", .number(JSONNumber(t.resolved - t.onTime))),
            ("disposal_on_time_rate", round(t.disposalOnTimeRate, 4)),
            ("rework_rate", round(t.reworkRate, 4)),
            ("dispatched", .number(JSONNumber(t.dispatched))),
            ("accurately_dispatched", .number(JSONNumber(t.accuratelyDispatched))),
            ("accurate_dispatch_rate", round(t.accurateDispatchRate, 4)),
            ("parked", .number(JSONNumber(t.parked))),
        ]
        for s in statuses { out.append(("status_\(s.rawValue)", .number(JSONNumber(t.byStatus[s] ?? 0)))) }
        for (i, n) in t.bySeverity.enumerated() { out.append(("severity_\(i + 1)", .number(JSONNumber(n)))) }
        for ty in types { out.append(("type_\(ty)", .number(JSONNumber(t.byType[ty] ?? 0)))) }
        return out
    }

    /// What the standard's figures mean (GB/T 30428; the way cities compute their monthly 结案率 and 按期结案率).
    public static let standardDefinitions: [(String, JSONValue)] = [
        ("filed", .string("立案: events the centre accepted (not rejected)")),
        ("due_to_close", .string("应结案: filed events, not parked, that were disposed (resolved or closed) or are overdue while undisposed when the report is made")),
        ("closed_of_due", .string("结案: closed events among those due to close")),
        ("closed_on_time", .string("按期结案: closed events resolved by their deadline (working time where the class says so)")),
        ("closure_rate", .string("结案率 = closed_of_due ÷ due_to_close")),
        ("on_time_closure_rate", .string("按期结案率 = closed_on_time ÷ due_to_close")),
        ("due_to_dispose", .string("应处置: dispatched events, not parked, resolved or overdue while unresolved")),
        ("resolved_late", .string("超期处置: events resolved after their deadline (按期处置 is on_time)")),
        ("disposal_on_time_rate", .string("按期处置率 = resolved by the deadline ÷ due_to_dispose")),
        ("rework_rate", .string("返工率 = events the centre sent back at least once ÷ events resolved")),
        ("accurate_dispatch_rate", .string("准确派遣率 = dispatched events never returned as a wrong dispatch ÷ dispatched events")),
        ("parked", .string("挂账: events parked now (they leave due_to_close and due_to_dispose and are never overdue)")),
    ]

    /// The event types present in any of the tallies, sorted: the `type_…` columns.
    public static func types(_ tallies: [LoopTally]) -> [String] {
        var seen = Set<String>()
        for t in tallies { seen.formUnion(t.byType.keys) }
        return seen.sorted()
    }
}

extension GridReport {
    /// The columns of one grid's row: identity, size, density, the loop figures, and whether it is a blind spot.
    public func columns(_ row: (grid: ReportGrid, tally: LoopTally), types: [String]) -> [(String, JSONValue)] {
        let g = row.grid, t = row.tally
        let km2 = g.areaM2 / 1e6
        var out: [(String, JSONValue)] = [
            ("code", .string(g.code)), ("name", .string(g.name)), ("layer", .string(g.layer.rawValue)),
            ("level", g.level.map { .string($0.rawValue) } ?? .null), ("parent", g.parent.map { .string($0) } ?? .null),
            ("area_km2", ReportColumns.round(km2, 4)),
            ("households", g.households.map { .number(JSONNumber($0)) } ?? .null),
            ("organisations", .number(JSONNumber(organisations[g.code]?.values.reduce(0, +) ?? 0))),
        ]
        for k in Organisation.Kind.allCases { out.append(("\(k.rawValue)s", .number(JSONNumber(organisations[g.code]?[k] ?? 0)))) }
        out += [
            ("density_per_km2", ReportColumns.round(km2 > 0 ? Double(t.received) / km2 : nil, 2)),
        ]
        out += ReportColumns.figures(t, types: types)
        out.append(("blind_spot", .bool(t.received == 0)))
        return out
    }

    public var types: [String] { ReportColumns.types([total]) }

    /// The report as one JSON document: what it covers, the definitions, totals, and a row per grid.
    public func json() -> JSONValue {
        let types = self.types
        let definitions: [(String, JSONValue)] = [
            ("received", .string("events reported in the period, rejected ones included")),
            ("resolution_rate", .string("closed ÷ received; closed = status closed or evaluated when the report is made (办结率)")),
            ("satisfaction_rate", .string("(satisfied + neutral) ÷ events whose resident answered (满意率; neutral is 基本满意)")),
            ("on_time_rate", .string("resolved by the resolution deadline (suspensions and approved extensions included) ÷ resolved; a reworked event counts by its last resolution")),
            ("overdue", .string("open events past their current phase's deadline when the report is made; suspended ones are not")),
            ("median_hours", .string("medians over the events that got there, from the report time to acceptance, the last resolution, closing")),
            ("density_per_km2", .string("received ÷ the grid's geodesic area in km²")),
            ("blind_spot", .string("a grid with no event in the period")),
            ("organisations", .string("organisations the engine puts in the grid now (public_institutions, private_firms, social_organisations by kind)")),
            ("outside", .string("events outside every residential grid, counted for the nearest within the snap distance")),
            ("boundary", .string("events exactly on a grid edge, counted for the grid with the smallest code")),
        ] + ReportColumns.standardDefinitions
        return .object(JSONObject([
            ("report", .string("grids")),
            ("scope", .string(scope.description)),
            ("period", period.json),
            ("as_of", .string(period.localString(asOf))),
            ("definitions", .object(JSONObject(definitions))),
            ("total", .object(JSONObject([("grids", .number(JSONNumber(rows.count)))] + ReportColumns.figures(total, types: types)))),
            ("unassigned", .object(JSONObject(ReportColumns.figures(unassigned, types: types)))),
            ("blind_spots", .array(blindSpots.map { .string($0) })),
            ("grids", .array(rows.map { .object(JSONObject(columns($0, types: types))) })),
        ] + (boundaries.map { [("boundaries", JSONValue.object($0))] } ?? [])))
    }

    /// One CSV row per grid (RFC 4180, a header row, UTF-8), the same columns as the GeoJSON properties.
    public func csv() -> String {
        let types = self.types
        let empty = (ReportGrid(code: "", name: "", layer: .residential, level: nil, parent: nil, areaM2: 0), LoopTally())
        return CSV.table(header: columns(empty, types: types).map(\.0), rows: rows.map { columns($0, types: types) })
    }

    /// The choropleth layer: each grid's polygon with its figures as flat properties (RFC 7946).
    public func geojson() throws -> [UInt8] {
        let types = self.types
        var w = GeoJSONWriter(reserving: 1 << 16)
        w.append(#"{"type":"FeatureCollection","name":"#)
        w.appendString("report_\(scope)_\(period.label)")
        w.append(#","features":["#)
        for (i, row) in rows.enumerated() {
            if i > 0 { w.append(",") }
            w.append("\n")
            w.appendFeature(id: row.grid.code, geometry: row.grid.wkb.isEmpty ? nil : try WKB.decode(row.grid.wkb),
                            properties: JSONObject(columns(row, types: types)))
        }
        w.append("\n]}\n")
        return w.take()
    }
}
