public import Foundation
public import WanggeCore
public import WanggeGeo

/// The boundaries a grid report is on: a version's grids (of the scope's layer), and whether every event is counted
/// where those grids put it (`reassign`) or where it was assigned when it came in.
public struct ReportBoundaries: Sendable {
    public var version: LayerImport
    public var grids: [StoredGrid]
    public var reassign: Bool

    public init(version: LayerImport, grids: [StoredGrid], reassign: Bool) {
        self.version = version
        self.grids = grids
        self.reassign = reassign
    }
}

/// Reports over the stored grids and events, for the HTTP service and the CLI alike: the period a request names,
/// then one pass over that period's events.
public struct Reporting: Sendable {
    /// What the reports read.
    public typealias Repository = ReportRepository & GridRepository & EventRepository & WorkflowRepository & CommunityRepository & AuditRepository

    public let repository: any Repository
    /// Now, in seconds since 1970 (injected so tests fix the moment figures are taken).
    public let clock: @Sendable () -> Double

    public init(repository: any Repository, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.repository = repository
        self.clock = clock
    }

    /// The period named by `period` + `date`, or `from` + `to`; this month when nothing is given. Errors name the
    /// field at fault.
    public func period(kind: String?, date: String?, from: String?, to: String?, timeZone: String?) throws(InvalidFields) -> ReportPeriod {
        let zone = timeZone ?? ReportPeriod.defaultTimeZone
        func invalid(_ field: String, _ e: ReportPeriod.PeriodError) -> InvalidFields {
            InvalidFields([FieldError(field, e.description)])
        }
        if from != nil || to != nil {
            guard kind == nil && date == nil else {
                throw InvalidFields([FieldError("period", "give either period (with date) or from and to, not both")])
            }
            guard let from else { throw InvalidFields([FieldError("from", "is required with to")]) }
            guard let to else { throw InvalidFields([FieldError("to", "is required with from")]) }
            do { return try ReportPeriod.between(from, to, timeZone: zone) } catch {
                switch error {
                case .unknownTimeZone: throw invalid("tz", error)
                case .badDate(let d): throw invalid(d == from ? "from" : "to", error)
                case .emptySpan: throw invalid("to", error)
                }
            }
        }
        let k: ReportPeriod.Kind
        if let kind {
            guard let parsed = ReportPeriod.Kind(rawValue: kind), parsed != .custom else {
                throw InvalidFields([FieldError("period", "must be one of day, week, month, quarter, year (or give from and to)")])
            }
            k = parsed
        } else { k = .month }
        do {
            return try ReportPeriod.containing(k, date: date ?? Timestamp.format(clock()), timeZone: zone)
        } catch {
            if case .unknownTimeZone = error { throw invalid("tz", error) }
            throw invalid("date", error)
        }
    }

    /// Every grid of the scope with its figures over the period. The period is cut into equal spans read at once on
    /// separate SQLite readers (one per core, each in its own transaction) and their counts merged; a span's events
    /// are read in one snapshot, so an event changed meanwhile is counted as it was then or as it is now, never twice.
    public func grids(_ scope: ReportScope, period: ReportPeriod, on boundaries: ReportBoundaries? = nil,
                      parts: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> GridReport {
        let rows = try boundaries.map { b in
            b.grids.filter { scope.contains($0) }.map { g in
                ReportGrid(code: g.code, name: g.name, layer: g.layer, level: g.level, parent: g.parent, areaM2: g.areaM2,
                           households: g.properties["households"]?.doubleValue.map { Int($0) }, wkb: g.wkb)
            }
        } ?? repository.reportGrids(scope)
        let empty = GridReport.Builder(scope: scope, grids: rows, period: period, now: clock())
        // Assigning again: one snapshot of the version's grids shared by the parts, a replica (own GEOS context)
        // per part, freed with it.
        let snapshot = try boundaries.flatMap { b in b.reassign ? try GridIndexSnapshot.build(grids: b.grids, scheme: b.version.layer == .residential ? b.version.levels : nil, generation: 0) : nil }
        let n = max(1, min(parts, 8))
        let step = (period.to - period.from) / Double(n)
        let results = Locked([Result<GridReport.Builder, any Error>?](repeating: nil, count: n))
        DispatchQueue.concurrentPerform(iterations: n) { k in
            let from = period.from + Double(k) * step, to = k == n - 1 ? period.to : period.from + Double(k + 1) * step
            var b = empty
            let r = Result { () throws -> GridReport.Builder in
                guard let snapshot else {
                    try repository.forEachReportEvent(scope: scope, from: from, to: to) { b.add($0) }
                    return b
                }
                let replica = try GridIndexReplica(snapshot: snapshot)
                try repository.forEachReportEvent(scope: scope, from: from, to: to) { e in
                    var e = e
                    e.grids = scope.codes(replica.assign(lon: e.lon, lat: e.lat))
                    b.add(e)
                }
                return b
            }
            results.withLock { $0[k] = r }
        }
        var merged: GridReport.Builder?
        for r in results.withLock({ $0 }) {
            let b = try r!.get()
            if merged == nil { merged = b } else { merged!.merge(b) }
        }
        var report = merged!.finish()
        if let boundaries {
            report.boundaries = JSONObject([("version", VersionJSON.json(boundaries.version)),
                                            ("assignment", .string(boundaries.reassign ? "reassigned" : "stored"))])
        }
        for o in try repository.organisations() {
            for code in Set(o.gridCodes) { report.organisations[code, default: [:]][o.kind, default: 0] += 1 }
        }
        return report
    }

    /// Which boundaries a grid report is on: `period` the versions in use when the period ended (else those in use
    /// now), `reassign` every event counted where those grids put it. Nil when neither is asked (the usual report).
    /// - Throws: `WanggeError.notFound` when the layer had no version then, `.conflict` when that version's grids
    ///   were not kept.
    public func boundaries(_ scope: ReportScope, period: ReportPeriod, asOfPeriodEnd: Bool, reassign: Bool) throws -> ReportBoundaries? {
        guard asOfPeriodEnd || reassign else { return nil }
        let layer = scope.layer
        let end = period.to - 0.001
        let version: LayerImport
        if asOfPeriodEnd {
            version = try repository.keptVersion(of: layer, at: end)
        } else {
            guard let v = try repository.activeVersions()[layer] else { throw WanggeError.notFound("the \(layer.rawValue) layer has no version in use") }
            version = v
        }
        return ReportBoundaries(version: version, grids: try repository.versionGrids(version.id), reassign: reassign)
    }

    /// Event type names (Chinese) by code, for report labels.
    public func typeNames() throws -> [String: String] {
        Dictionary(try repository.eventTypes().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every department with the events it holds over the period.
    /// Dispatchers' and supervisors' figures over the events reported in the period.
    public func roles(period: ReportPeriod) throws -> RoleReport {
        let loop = ClosedLoop(repository: repository)
        var events: [RoleEvent] = []
        try repository.forEachRoleEvent(from: period.from, to: period.to) { events.append($0) }
        return RoleReport.build(events, period: period, sla: try loop.sla(), supervision: try loop.supervision())
    }

    public func departments(period: ReportPeriod) throws -> DepartmentReport {
        var b = DepartmentReport.Builder(departments: try repository.departments(), period: period, now: clock())
        try repository.forEachReportEvent(scope: nil, from: period.from, to: period.to) { b.add($0) }
        return b.finish(returnedBy: try repository.returnsByDepartment(from: period.from, to: period.to))
    }

    /// The boundary coverage report: per level and overlay layer, how much of the street it covers, its gaps,
    /// overlaps and parts outside; with the defects (locations and areas) of the stored layers.
    public func boundaries(options: BoundaryOptions = BoundaryOptions(layer: .residential)) throws -> CoverageResult {
        // A validator of its own: its GEOS and PROJ contexts live on this thread for this call only.
        let validator = BoundaryValidator()
        var overlays: [GridLayer: [StoredGrid]] = [:]
        for layer in [GridLayer.functional, .industry] { overlays[layer] = try repository.grids(in: layer) }
        return try validator.coverage(residential: try repository.grids(in: .residential), overlays: overlays, options: options)
    }
}

/// Hot spots over a period: clusters in space and time, repeated problems at one place, grids on the rise.
public struct HotSpotReport: Sendable {
    public var period: ReportPeriod
    public var previous: ReportPeriod
    public var level: GridLevel
    public var options: HotSpots.Options
    public var clusters: [HotSpots.Cluster]
    public var repeats: [HotSpots.Cluster]
    public var rising: [HotSpots.Rise]
    /// The grids of the level, for names and (in GeoJSON) the rising grids' outlines.
    public var grids: [String: ReportGrid]

    func clusterJSON(_ c: HotSpots.Cluster, typeNames: [String: String]) -> JSONObject {
        JSONObject([
            ("kind", .string(c.kind.rawValue)), ("type", .string(c.type)), ("type_name", .string(typeNames[c.type] ?? c.type)),
            ("events", .number(JSONNumber(c.ids.count))),
            ("lon", ReportColumns.round(c.lon, 7)), ("lat", ReportColumns.round(c.lat, 7)),
            ("radius_m", ReportColumns.round(c.radiusMetres, 1)),
            ("first", .string(period.localString(c.first))), ("last", .string(period.localString(c.last))),
            ("grids", .string(c.grids.joined(separator: ";"))),
            ("grid_names", .string(c.grids.map { grids[$0]?.name ?? $0 }.joined(separator: ";"))),
            ("ids", .string(c.ids.map(String.init).joined(separator: ";"))),
        ])
    }

    func riseJSON(_ r: HotSpots.Rise) -> JSONObject {
        JSONObject([
            ("kind", .string("rising")), ("grid", .string(r.grid)), ("name", .string(grids[r.grid]?.name ?? r.grid)),
            ("events", .number(JSONNumber(r.now))), ("before", .number(JSONNumber(r.before))),
            ("change", .number(JSONNumber(r.now - r.before))),
        ])
    }

    public func json(typeNames: [String: String] = [:]) -> JSONValue {
        .object(JSONObject([
            ("report", .string("hotspots")), ("level", .string(level.rawValue)),
            ("period", period.json), ("previous_period", previous.json),
            ("options", .object(JSONObject([
                ("radius_m", .number(JSONNumber(options.radiusMetres))), ("days", .number(JSONNumber(options.days))),
                ("min_events", .number(JSONNumber(options.minEvents))), ("repeat_radius_m", .number(JSONNumber(options.repeatRadiusMetres))),
                ("min_rise", .number(JSONNumber(options.minRise))),
            ]))),
            ("definitions", .object(JSONObject([
                ("cluster", .string("events of one type each within radius_m and days of another (chained), at least min_events of them")),
                ("repeat", .string("events of one type within repeat_radius_m of each other over the whole period, at least min_events, spread over more than days")),
                ("rising", .string("grids with at least min_rise more events than in the previous period and at least 1.5 times as many")),
            ]))),
            ("clusters", .array(clusters.map { .object(clusterJSON($0, typeNames: typeNames)) })),
            ("repeats", .array(repeats.map { .object(clusterJSON($0, typeNames: typeNames)) })),
            ("rising", .array(rising.map { .object(riseJSON($0)) })),
        ]))
    }

    /// Clusters and repeats as points at their centres; rising grids as their polygons.
    public func geojson(typeNames: [String: String] = [:]) throws -> [UInt8] {
        var features: [(id: String?, geometry: GeometryValue?, properties: JSONObject)] = []
        for c in clusters + repeats {
            features.append((nil, .point(x: c.lon, y: c.lat), clusterJSON(c, typeNames: typeNames)))
        }
        for r in rising {
            let wkb = grids[r.grid]?.wkb ?? []
            features.append((r.grid, wkb.isEmpty ? nil : try WKB.decode(wkb).orientedForOutput(), riseJSON(r)))
        }
        return GeoJSONWriter.featureCollection(features)
    }
}

extension Reporting {
    public func hotSpots(level: GridLevel, period: ReportPeriod, options: HotSpots.Options = HotSpots.Options()) throws -> HotSpotReport {
        let points = try repository.hotSpotPoints(level: level, from: period.from, to: period.to)
        let previous = try period.previous()
        var now: [String: Int] = [:]
        for p in points { if let g = p.grid { now[g, default: 0] += 1 } }
        let before = try repository.eventCounts(level: level, from: previous.from, to: previous.to)
        let grids = Dictionary(try repository.reportGrids(.level(level)).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        return HotSpotReport(period: period, previous: previous, level: level, options: options,
                             clusters: HotSpots.clusters(points, options: options), repeats: HotSpots.repeats(points, options: options),
                             rising: HotSpots.rising(now: now, before: before, options: options), grids: grids)
    }
}

extension CoverageResult {
    /// The report as JSON: the street, a row per level and overlay layer, and every defect with its area.
    public func json(toleranceMetres: Double, sliverAreaM2: Double) -> JSONValue {
        func km2(_ m2: Double) -> JSONValue { ReportColumns.round(m2 / 1e6, 6) }
        var byKind: [String: Int] = [:]
        for d in defects { byKind[d.kind.rawValue, default: 0] += 1 }
        return .object(JSONObject([
            ("report", .string("boundaries")),
            ("street_area_km2", km2(streetM2)),
            ("tolerance_m", .number(JSONNumber(toleranceMetres))), ("sliver_m2", .number(JSONNumber(sliverAreaM2))),
            ("definitions", .object(JSONObject([
                ("share_of_street", .string("the part of the street (the union of the top residential level) the layer's grids cover")),
                ("overlap_km2", .string("area counted more than once: the sum of the grids' areas less the area of their union")),
                ("gap_km2", .string("street not covered by the layer")),
                ("defects", .string("the residential layer checked as an import checks it (gaps, overlaps, children outside parents, beyond the tolerance and sliver area), overlay grids overlapping each other, overlay parts beyond the street")),
            ]))),
            ("layers", .array(figures.map { f in
                .object(JSONObject([
                    ("name", .string(f.name)), ("layer", .string(f.layer.rawValue)), ("grids", .number(JSONNumber(f.grids))),
                    ("area_km2", km2(f.areaM2)), ("union_km2", km2(f.unionM2)),
                    ("share_of_street", ReportColumns.round(streetM2 > 0 ? f.coveredM2 / streetM2 : nil, 6)),
                    ("outside_street_km2", km2(f.outsideStreetM2)), ("overlap_km2", km2(f.overlapM2)), ("gap_km2", km2(f.gapM2)),
                ]))
            })),
            ("defect_counts", .object(JSONObject(byKind.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) }))),
            ("defects", .array(defects.map { d in
                .object(JSONObject([
                    ("kind", .string(d.kind.rawValue)), ("code", d.code.map { .string($0) } ?? .null),
                    ("message", .string(d.message)), ("area_m2", d.areaM2.map { ReportColumns.round($0, 2) } ?? .null),
                    ("related", .array(d.relatedCodes.map { .string($0) })),
                ]))
            })),
        ]))
    }
}

extension Reporting {
    /// The periodic summary's figures for the street, or for one community and its courtyards.
    /// - Throws: `WanggeError.notFound` for a community code that is not a community grid.
    public func summary(period: ReportPeriod, community: String? = nil) throws -> PeriodSummary {
        let previous = try period.previous()
        let communities = try grids(.level(.community), period: period)
        let communitiesBefore = try grids(.level(.community), period: previous)
        var courtyards = try grids(.level(.courtyard), period: period)
        var courtyardsBefore = try grids(.level(.courtyard), period: previous)
        var place = try repository.reportGrids(.level(.street)).first?.name ?? "Street"
        var total = courtyards.total, totalBefore = courtyardsBefore.total
        if let community {
            guard let row = communities.rows.first(where: { $0.grid.code == community }),
                  let before = communitiesBefore.rows.first(where: { $0.grid.code == community }) else {
                throw WanggeError.notFound("no community grid \(community)")
            }
            place += " · " + row.grid.name
            total = row.tally
            totalBefore = before.tally
            courtyards.rows = courtyards.rows.filter { $0.grid.parent == community }
            courtyardsBefore.rows = courtyardsBefore.rows.filter { $0.grid.parent == community }
        }
        let (rows, before) = community == nil ? (communities.rows, communitiesBefore.rows) : (courtyards.rows, courtyardsBefore.rows)
        var summary = PeriodSummary(period: period, previous: previous, place: place, community: community, total: total,
                             totalBefore: totalBefore,
                             rows: zip(rows, before).map { (grid: $0.grid, tally: $0.tally, before: $1.tally) },
                             courtyards: courtyards, departments: community == nil ? try departments(period: period) : nil,
                             typeNames: try typeNames(), asOf: clock())
        summary.work = try work(rows: rows.map(\.grid.code), period: period)
        return summary
    }

    /// Vacancies today, organisations now and activities in the period, per grid in `rows` (with the grids under it).
    func work(rows: [String], period: ReportPeriod) throws -> [String: GridWork] {
        let residential = try repository.grids(in: .residential)
        let parents = Dictionary(residential.compactMap { g in g.parent.map { (g.code, $0) } }, uniquingKeysWith: { a, _ in a })
        let wanted = Set(rows)
        /// The row a grid falls under (itself or an ancestor).
        func row(_ code: String) -> String? {
            var c: String? = code
            while let cur = c, !wanted.contains(cur) { c = parents[cur] }
            return c
        }
        var out = Dictionary(rows.map { ($0, GridWork()) }, uniquingKeysWith: { a, _ in a })
        for v in try repository.roster().vacancies(grids: residential, on: CalendarDay.day(clock())) {
            if let r = row(v.grid) { out[r]!.vacancies += v.missing.map { "\(v.grid) \($0.rawValue)" } }
        }
        for o in try repository.organisations() {
            if let r = Set(o.gridCodes.compactMap(row)).first { out[r]!.organisations += 1 }
        }
        let from = CalendarDay.day(period.from), to = CalendarDay.day(period.to - 1)
        for a in try repository.jointBuilding().activities where a.date >= from && a.date <= to {
            for r in Set(a.grids.compactMap(row)) {
                out[r]!.activities += 1
                out[r]!.participants += a.participants
            }
        }
        return out
    }
}
