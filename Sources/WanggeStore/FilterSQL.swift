import Foundation
import GRDB
import WanggeCore

/// A checked CQL2 filter as an SQL condition over the columns its queryables stand for, with every value bound as
/// an argument (nothing from the filter is spliced into the SQL text but column expressions of our own).
enum FilterSQL {
    /// The event columns, as the items write them (`functional` and `industry` are null, not "", on none; `outside`
    /// is what the items say: the residential match).
    /// The residential chain's names are the layer's levels, each its column by rank (`AppDatabase.levelColumn`).
    static func events(_ levels: LevelScheme) -> [String: String] {
        var columns = [
            "id": "e.id", "status": "e.status", "type": "e.type", "severity": "e.severity", "description": "e.description",
            "channel": "e.channel", "occurred_at": "e.occurred_at", "reported_at": "e.reported_at", "match": "e.match",
            "functional": "NULLIF(e.functional, '')", "industry": "NULLIF(e.industry, '')", "outside": "(e.match = 'outside')",
            "department": "e.department", "media_url": "NULLIF(e.media_url, '')", "component": "e.component",
        ]
        for l in levels.levels { columns[l.name] = AppDatabase.levelColumn(l, of: "e") }
        return columns
    }

    /// The grid columns (`area_km2` rounded to 3 decimals, as written).
    static let grids: [String: String] = [
        "code": "code", "name": "name", "layer": "layer", "level": "level", "parent": "parent_code",
        "area_km2": "(round(area_m2 / 1000.0) / 1000.0)",
    ]

    /// What a collection's `geometry` queryable is in SQL: an event's point columns, or a grid's boundary (its
    /// WKB and bounding-box columns).
    enum Spatial {
        case point(lon: String, lat: String)
        case region
    }

    static func sql(_ e: CQL2.Expression, columns: [String: String], spatial: Spatial,
                    args: inout [any DatabaseValueConvertible]) -> String {
        func operand(_ o: CQL2.Operand) -> String {
            switch o {
            case .property(let p): return columns[p]!
            case .string(let s): args.append(s); return "?"
            case .number(let n): args.append(n); return "?"
            case .boolean(let b): args.append(b ? 1 : 0); return "?"
            case .timestamp(let t): args.append(t); return "?"
            }
        }
        switch e {
        case .and(let parts): return "(" + parts.map { sql($0, columns: columns, spatial: spatial, args: &args) }.joined(separator: " AND ") + ")"
        case .or(let parts): return "(" + parts.map { sql($0, columns: columns, spatial: spatial, args: &args) }.joined(separator: " OR ") + ")"
        case .not(let inner): return "(NOT " + sql(inner, columns: columns, spatial: spatial, args: &args) + ")"
        case .literal(let b): return b ? "1" : "0"
        case .compare(let a, let op, let b):
            let l = operand(a)
            return "(\(l) \(op.rawValue) \(operand(b)))"
        case .like(let a, let pattern, let ci):
            let l = operand(a)
            args.append(CQL2.glob(pattern))
            return ci ? "(lower(\(l)) GLOB lower(?))" : "(\(l) GLOB ?)"
        case .isIn(let a, let list):
            let l = operand(a)
            return "(\(l) IN (" + list.map { operand($0) }.joined(separator: ", ") + "))"
        case .between(let a, let lo, let hi):
            let l = operand(a), x = operand(lo)
            return "(\(l) BETWEEN \(x) AND \(operand(hi)))"
        case .isNull(let a): return "(\(operand(a)) IS NULL)"
        case .intersects(_, let g):
            // The literal as polygons (a box: one or two rectangles; a point: a ring of one position), their box
            // as an index-friendly range first, then the exact test on what is left.
            let polygons: [Polygon]
            switch g {
            case .polygons(let p): polygons = p
            case .point(let x, let y): polygons = [Polygon(rings: [Ring(xy: [x, y])])]
            case .bbox(let b):
                func rect(_ x0: Double, _ x1: Double) -> Polygon {
                    Polygon(rings: [Ring(xy: [x0, b.minY, x1, b.minY, x1, b.maxY, x0, b.maxY, x0, b.minY])])
                }
                polygons = b.minX > b.maxX ? [rect(b.minX, 180), rect(-180, b.maxX)] : [rect(b.minX, b.maxX)]
            }
            var parts: [String] = []
            for polygon in polygons {
                var box = BoundingBox(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
                for ring in polygon.rings { for i in 0..<ring.pointCount { box.extend(x: ring.xy[2 * i], y: ring.xy[2 * i + 1]) } }
                args += [box.minX, box.maxX, box.minY, box.maxY, pack([polygon])]
                switch spatial {
                case .point(let lon, let lat):
                    parts.append("(\(lon) BETWEEN ? AND ? AND \(lat) BETWEEN ? AND ? AND \(pointInPolygons)(\(lon), \(lat), ?))")
                case .region:
                    parts.append("(max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ? AND \(regionIntersects)(geometry, ?))")
                }
            }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")"
        }
    }

    /// Polygons packed as doubles for the SQL functions: count, then per polygon its ring count, per ring its
    /// point count and x, y ….
    static func pack(_ polygons: [Polygon]) -> Data {
        var packed: [Double] = [Double(polygons.count)]
        for polygon in polygons {
            packed.append(Double(polygon.rings.count))
            for ring in polygon.rings {
                packed.append(Double(ring.pointCount))
                packed += ring.xy
            }
        }
        return packed.withUnsafeBytes { Data($0) }
    }

    static func unpack(_ blob: Data) -> [Polygon]? {
        let v: [Double] = blob.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        guard let count = v.first.map(Int.init), count >= 0 else { return nil }
        var i = 1
        var out: [Polygon] = []
        for _ in 0..<count {
            guard i < v.count else { return nil }
            let rings = Int(v[i]); i += 1
            var rs: [Ring] = []
            for _ in 0..<rings {
                guard i < v.count else { return nil }
                let n = Int(v[i]); i += 1
                guard n >= 0, i + 2 * n <= v.count else { return nil }
                rs.append(Ring(xy: Array(v[i..<(i + 2 * n)])))
                i += 2 * n
            }
            out.append(Polygon(rings: rs))
        }
        return out
    }

    static let pointInPolygons = "wangge_point_in_polygons"
    static let regionIntersects = "wangge_region_intersects"

    /// `wangge_point_in_polygons(lon, lat, polygons)`: whether the point is inside or on an edge of the packed
    /// polygons; `wangge_region_intersects(wkb, polygons)`: whether a stored boundary and the polygons share any
    /// point. Registered on every connection; pure Swift, planar in lon/lat (as the boundaries are stored).
    static func addFunctions(_ db: Database) {
        db.add(function: DatabaseFunction(pointInPolygons, argumentCount: 3, pure: true) { values in
            guard let x = Double.fromDatabaseValue(values[0]), let y = Double.fromDatabaseValue(values[1]),
                  let blob = Data.fromDatabaseValue(values[2]), let polygons = unpack(blob) else { return nil }
            return polygons.contains { Planar.covers($0, x, y) }
        })
        db.add(function: DatabaseFunction(regionIntersects, argumentCount: 2, pure: true) { values in
            guard let wkb = Data.fromDatabaseValue(values[0]), let blob = Data.fromDatabaseValue(values[1]),
                  let polygons = unpack(blob), let stored = try? WKB.decode(Array(wkb)) else { return nil }
            let region = stored.polygons
            return polygons.contains { p in region.contains { Planar.intersects($0, p) } }
        })
    }
}

/// Planar tests on lon/lat rings, edges included (S_INTERSECTS counts the boundary).
enum Planar {
    /// Whether the point is inside the polygon (even-odd over its rings, so holes are out) or on an edge.
    static func covers(_ p: Polygon, _ x: Double, _ y: Double) -> Bool {
        var inside = false
        for r in p.rings {
            let n = r.pointCount
            guard n >= 2 else { continue }
            for k in 0..<(n - 1) {
                let (ax, ay) = r.point(k), (bx, by) = r.point(k + 1)
                if onSegment(ax, ay, bx, by, x, y) { return true }
                if (ay > y) != (by > y), x < (bx - ax) * (y - ay) / (by - ay) + ax { inside.toggle() }
            }
        }
        return inside
    }

    static func orientation(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ cx: Double, _ cy: Double) -> Double {
        (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    }

    static func onSegment(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ x: Double, _ y: Double) -> Bool {
        orientation(ax, ay, bx, by, x, y) == 0 && min(ax, bx) <= x && x <= max(ax, bx) && min(ay, by) <= y && y <= max(ay, by)
    }

    /// Whether segments ab and cd share a point.
    static func segmentsMeet(_ a: (Double, Double), _ b: (Double, Double), _ c: (Double, Double), _ d: (Double, Double)) -> Bool {
        let o1 = orientation(a.0, a.1, b.0, b.1, c.0, c.1), o2 = orientation(a.0, a.1, b.0, b.1, d.0, d.1)
        let o3 = orientation(c.0, c.1, d.0, d.1, a.0, a.1), o4 = orientation(c.0, c.1, d.0, d.1, b.0, b.1)
        if (o1 > 0 && o2 < 0 || o1 < 0 && o2 > 0) && (o3 > 0 && o4 < 0 || o3 < 0 && o4 > 0) { return true }
        return onSegment(a.0, a.1, b.0, b.1, c.0, c.1) || onSegment(a.0, a.1, b.0, b.1, d.0, d.1)
            || onSegment(c.0, c.1, d.0, d.1, a.0, a.1) || onSegment(c.0, c.1, d.0, d.1, b.0, b.1)
    }

    /// Whether two polygons share any point: an edge of one meets an edge of the other, or one holds a position
    /// of the other (one inside the other, or a single-position "polygon" — a point — inside or on the other).
    static func intersects(_ a: Polygon, _ b: Polygon) -> Bool {
        for ra in a.rings where ra.pointCount >= 2 {
            for rb in b.rings where rb.pointCount >= 2 {
                for i in 0..<(ra.pointCount - 1) {
                    for j in 0..<(rb.pointCount - 1) where segmentsMeet(ra.point(i), ra.point(i + 1), rb.point(j), rb.point(j + 1)) {
                        return true
                    }
                }
            }
        }
        if let p = b.rings.first, p.pointCount > 0, covers(a, p.point(0).x, p.point(0).y) { return true }
        if let p = a.rings.first, p.pointCount > 0, covers(b, p.point(0).x, p.point(0).y) { return true }
        return false
    }
}
