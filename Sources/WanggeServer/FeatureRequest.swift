import HTTPTypes
import Foundation
import WanggeCore
import WanggeGeo

/// Reads the parameters of `/events` and the OGC items endpoints into one validated `FeatureQuery`: one bbox
/// parser, one limit rule, one cursor format, for grids and events alike.
enum FeatureRequest {
    /// Largest page; larger `limit` values are clamped to it (as OGC API – Features asks), not refused.
    static let maxLimit = 10_000
    static let defaultLimit = 100

    static let bboxPattern = "^-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?$"

    // The parameters as routes declare them.
    /// OGC items: the maximum is declared (GDAL and QGIS size their pages by it: QGIS asks for 1,000 a page
    /// instead of 100) and a larger value is taken as the maximum, not refused, as OGC API – Features intends.
    static let limit = APIRoute.Parameter(name: "limit", location: .query, type: "integer",
                                          description: "Features per page (default \(defaultLimit); values above \(maxLimit) are clamped to \(maxLimit))", minimum: 1,
                                          maximum: Double(maxLimit), clampsToMaximum: true)
    /// `/events` (not OGC): clamped the same way, the maximum only described, so the document does not promise a
    /// refusal the endpoint does not give.
    static let eventsLimit = APIRoute.Parameter(name: "limit", location: .query, type: "integer",
                                                description: "Events per page (default \(defaultLimit); values above \(maxLimit) are clamped to \(maxLimit))", minimum: 1)
    static let bbox = APIRoute.Parameter(name: "bbox", location: .query, type: "string",
                                         description: "minLon,minLat,maxLon,maxLat in CRS84 (WGS 84); minLon > maxLon crosses the antimeridian",
                                         pattern: bboxPattern)
    static let cursor = APIRoute.Parameter(name: "cursor", location: .query, type: "string", description: "Where the next page starts (next links and next_cursor set it)")
    static let status = APIRoute.Parameter(name: "status", location: .query, type: "string", description: "events: only this status", enumValues: EventStatus.allCases.map(\.rawValue))
    static let type = APIRoute.Parameter(name: "type", location: .query, type: "string", description: "events: only this event type code")
    static let severity = APIRoute.Parameter(name: "severity", location: .query, type: "integer", description: "events: only this severity (1–4)", minimum: 1, maximum: 4)
    static let grid = APIRoute.Parameter(name: "grid", location: .query, type: "string", description: "events and organisations: only those assigned to this grid code (any layer or level)")

    /// OGC API – Features Part 2.
    static let crs = APIRoute.Parameter(name: "crs", location: .query, type: "string",
                                        description: "CRS of the features written (default CRS84): \(OutputCRS.crs84URI) or http://www.opengis.net/def/crs/EPSG/0/{code} for any EPSG code PROJ knows (listed: \(OutputCRS.listedCodes.map(String.init).joined(separator: ", "))), in that CRS's axis order")
    static let bboxCRS = APIRoute.Parameter(name: "bbox-crs", location: .query, type: "string",
                                            description: "CRS of bbox (default CRS84), as for crs; the values in that CRS's axis order")

    /// The `crs` (or `bbox-crs`) of a request, CRS84 when absent; a CRS PROJ does not know is a 400.
    static func outputCRS(_ q: Query, _ name: String = "crs") throws -> OutputCRS {
        guard let s = try q.nonEmpty(name) else { return .crs84 }
        guard let crs = OutputCRS.parse(s, context: ProjContext()) else {
            throw APIError.badParameter(name, "unknown CRS",
                                        message: "\(name) must be \(OutputCRS.crs84URI) or http://www.opengis.net/def/crs/EPSG/0/{code} with an EPSG code PROJ knows, not \"\(s)\"")
        }
        return crs
    }

    /// What writes a page's coordinates in the requested CRS: nil for CRS84 (coordinates as stored).
    static func writer(for crs: OutputCRS) throws -> CRSWriter? {
        guard crs != .crs84 else { return nil }
        do { return try CRSWriter(crs) } catch {
            throw APIError.badParameter("crs", "cannot be written", message: "crs: \(error.message)")
        }
    }

    /// OGC API – Features Part 3. `cql-text` is GDAL 3.6's name (the draft's) for the same text.
    static let filter = APIRoute.Parameter(name: "filter", location: .query, type: "string",
                                           description: "A CQL2 filter over the collection's queryables (/collections/{collectionId}/queryables), e.g. status = 'closed' AND severity >= 3 (form-encoded: + is a space, %2B a plus)", plusIsSpace: true)
    static let filterLanguages = ["cql2-text", "cql2-json", "cql-text"]
    static let filterLang = APIRoute.Parameter(name: "filter-lang", location: .query, type: "string",
                                               description: "cql2-text (default) or cql2-json; cql-text is taken as cql2-text", enumValues: filterLanguages)
    static let filterCRS = APIRoute.Parameter(name: "filter-crs", location: .query, type: "string",
                                              description: "CRS of the filter's geometries: CRS84 only", enumValues: [FeaturesController.crs84])

    /// The `filter` of a request, read in its language and checked against the collection's queryables; errors are
    /// 400s that name the offending token or path.
    static func filter(_ q: Query, _ queryables: [Queryable]) throws -> CQL2.Expression? {
        let lang = try q.nonEmpty("filter-lang") ?? "cql2-text"
        guard filterLanguages.contains(lang) else {
            throw APIError.badParameter("filter-lang", "unknown", message: "filter-lang must be one of \(filterLanguages.joined(separator: ", "))")
        }
        _ = try q.nonEmpty("filter-crs")
        guard let text = try q.nonEmpty("filter") else { return nil }
        do {
            let parsed = lang == "cql2-json" ? try CQL2.parseJSON(text) : try CQL2.parseText(text)
            return try CQL2.check(parsed, against: queryables)
        } catch {
            throw APIError.badParameter("filter", "invalid", message: "filter: \(error.message)")
        }
    }

    /// The parts every feature query shares: limit, bbox and cursor.
    static func common(_ q: Query, _ target: FeatureQuery.Target) throws -> FeatureQuery {
        var f = FeatureQuery(target)
        f.limit = min(try q.int("limit") ?? defaultLimit, maxLimit)
        f.boxes = try boxes(q)
        if let c = try q.nonEmpty("cursor") {
            guard let cursor = decodeCursor(c), cursor.fits(target) else {
                throw APIError.badParameter("cursor", "invalid", message: "cursor is not one this service issued")
            }
            f.cursor = cursor
        }
        return f
    }

    /// The event filters (those the route declares).
    static func eventFilters(_ q: Query, into f: inout FeatureQuery) throws {
        f.status = try q.choice("status", EventStatus.self)
        f.type = try q.nonEmpty("type")
        f.grid = try q.nonEmpty("grid")
        if q.declared["severity"] != nil { f.severity = try q.int("severity") }
    }

    /// A bbox in CRS84 (4 numbers, or 6 with heights that are ignored); one crossing the antimeridian
    /// (minLon > maxLon) becomes two boxes.
    static func boxes(_ q: Query) throws -> [BoundingBox] {
        guard let s = try q.nonEmpty("bbox") else { return [] }
        // Foundation's trimming only where there is a space to trim (it was a few per cent of a map request).
        let v = s.split(separator: ",", omittingEmptySubsequences: false).map { part in
            Double(part.utf8.contains { $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 } ? part.trimmingCharacters(in: .whitespaces) : String(part))
        }
        guard v.count == 4 || v.count == 6, v.allSatisfy({ $0?.isFinite == true }) else {
            throw APIError.badParameter("bbox", "must be 4 numbers", message: "bbox must be minLon,minLat,maxLon,maxLat")
        }
        let n = v.map { $0! }
        var (x0, y0, x1, y1) = n.count == 4 ? (n[0], n[1], n[2], n[3]) : (n[0], n[1], n[3], n[4])
        if q.declared["bbox-crs"] != nil, case let crs = try outputCRS(q, "bbox-crs"), crs != .crs84 {
            // In that CRS and its axis order: taken back to the CRS84 box that holds it.
            guard let writer = try? CRSWriter(crs), let b = writer.crs84Box(x0, y0, x1, y1) else {
                throw APIError.badParameter("bbox", "outside bbox-crs", message: "bbox cannot be taken from \(crs.uri) to CRS84")
            }
            (x0, y0, x1, y1) = (b.minX, b.minY, b.maxX, b.maxY)
        }
        guard abs(x0) <= 180, abs(x1) <= 180, abs(y0) <= 90, abs(y1) <= 90, y0 <= y1 else {
            throw APIError.badParameter("bbox", "out of range", message: "bbox must lie within −180…180 / −90…90 with minLat ≤ maxLat")
        }
        if x0 <= x1 { return [BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1)] }
        return [BoundingBox(minX: x0, minY: y0, maxX: 180, maxY: y1), BoundingBox(minX: -180, minY: y0, maxX: x1, maxY: y1)]
    }

    /// An RFC 3339 time (without an offset: in the service time zone).
    /// `date`: a calendar day (the boundaries in use when it ended) or an RFC 3339 time.
    static let dateParameter = APIRoute.Parameter(name: "date", location: .query, type: "string",
                                                  description: "Answer with the boundary versions in use then: YYYY-MM-DD (as that day ended, in the service's zone) or an RFC 3339 time")

    static func asOf(_ q: Query) throws -> Double? {
        guard let s = try q.nonEmpty("date") else { return nil }
        guard let t = AsOf.instant(s) else {
            throw APIError.badParameter("date", "not a date", message: "date must be YYYY-MM-DD or an RFC 3339 time, not \"\(s)\"")
        }
        return t
    }

    /// The version of `layer` in use at `time`, for `?date=`.
    /// - Throws: 404 when the layer had none then, 409 when its grids were not kept.
    static func version(_ grids: any GridRepository, _ layer: GridLayer, at time: Double) throws -> LayerImport {
        try grids.keptVersion(of: layer, at: time)
    }

    static func time(_ q: Query, _ name: String) throws -> Double? {
        guard let s = try q.nonEmpty(name) else { return nil }
        guard let t = Timestamp.parse(s) else {
            throw APIError.badParameter(name, "not an RFC 3339 time", message: "\(name) must be an RFC 3339 time such as 2026-11-01T00:00:00+08:00")
        }
        return t
    }

    /// OGC `datetime`: an instant, or `start/end` with `..` or empty for an open end; as since (inclusive) and
    /// until (exclusive).
    static func datetime(_ q: Query) throws -> (since: Double?, until: Double?)? {
        guard let s = try q.nonEmpty("datetime") else { return nil }
        func bad() -> APIError {
            APIError.badParameter("datetime", "not an RFC 3339 instant or interval",
                                  message: "datetime must be an RFC 3339 instant or an interval start/end (.. for an open end)")
        }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            guard let t = Timestamp.parse(parts[0]) else { throw bad() }
            return (t, t + 0.001)
        }
        guard parts.count == 2 else { throw bad() }
        func end(_ p: String) throws -> Double? {
            if p.isEmpty || p == ".." { return nil }
            guard let t = Timestamp.parse(p) else { throw bad() }
            return t
        }
        let a = try end(parts[0]), b = try end(parts[1])
        if a == nil && b == nil && parts[0] != ".." && parts[1] != ".." { throw bad() }
        if let a, let b, a > b { throw bad() }
        return (a, b.map { $0 + 0.001 })
    }

    /// `properties=a,b`: the properties to keep.
    static func properties(_ q: Query) throws -> [String]? {
        guard let s = try q.nonEmpty("properties") else { return nil }
        return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    // MARK: cursors

    /// Cursors are opaque to clients: `e:` and an event id, or `g:` and a grid code, or `o:` and an offset, in
    /// base64 (standard alphabet, padding dropped).
    static func encodeCursor(_ c: FeatureQuery.Cursor) -> String {
        let text: String
        switch c {
        case .beforeID(let id): text = "e:\(id)"
        case .afterCode(let code): text = "g:\(code)"
        case .offset(let n): text = "o:\(n)"
        }
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ s: String) -> FeatureQuery.Cursor? {
        var b = s
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b), let text = String(data: data, encoding: .utf8), text.count > 2 else { return nil }
        let value = String(text.dropFirst(2))
        switch text.prefix(2) {
        case "e:": return Int64(value).flatMap { $0 > 0 ? .beforeID($0) : nil }
        case "g:": return .afterCode(value)
        case "o:": return Int(value).flatMap { $0 >= 0 ? .offset($0) : nil }
        default: return nil
        }
    }
}

extension FeatureQuery.Cursor {
    /// Whether the cursor pages this kind of collection.
    func fits(_ target: FeatureQuery.Target) -> Bool {
        switch (self, target) {
        case (.beforeID, .events), (.afterCode, .grids), (.offset, .grids): return true
        default: return false
        }
    }
}
