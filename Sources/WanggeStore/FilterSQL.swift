import Foundation
import GRDB
import WanggeCore

/// A checked CQL2 filter as an SQL condition over the columns its queryables stand for, with every value bound as
/// an argument (nothing from the filter is spliced into the SQL text but column expressions of our own).
enum FilterSQL {
    /// The event columns, as the items write them (`functional` and `industry` are null, not "", on none; `outside`
    /// is what the items say: the residential match).
    static let events: [String: String] = [
        "id": "e.id", "status": "e.status", "type": "e.type", "severity": "e.severity", "description": "e.description",
        "channel": "e.channel", "occurred_at": "e.occurred_at", "reported_at": "e.reported_at", "match": "e.match",
        "street": "e.street", "community": "e.community", "courtyard": "e.courtyard", "building": "e.building",
        "functional": "NULLIF(e.functional, '')", "industry": "NULLIF(e.industry, '')", "outside": "(e.match = 'outside')",
        "department": "e.department", "media_url": "NULLIF(e.media_url, '')",
    ]

    /// The grid columns (`area_km2` rounded to 3 decimals, as written).
    static let grids: [String: String] = [
        "code": "code", "name": "name", "layer": "layer", "level": "level", "parent": "parent_code",
        "area_km2": "(round(area_m2 / 1000.0) / 1000.0)",
    ]

    static func sql(_ e: CQL2.Expression, columns: [String: String], point: (lon: String, lat: String)?,
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
        case .and(let parts): return "(" + parts.map { sql($0, columns: columns, point: point, args: &args) }.joined(separator: " AND ") + ")"
        case .or(let parts): return "(" + parts.map { sql($0, columns: columns, point: point, args: &args) }.joined(separator: " OR ") + ")"
        case .not(let inner): return "(NOT " + sql(inner, columns: columns, point: point, args: &args) + ")"
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
            guard let point else { return "0" }
            switch g {
            case .point(let x, let y):
                args += [x, y]
                return "(\(point.lon) = ? AND \(point.lat) = ?)"
            case .polygons(let polygons):
                // The polygons' box first (an index-friendly range), then the exact test on what is left.
                var box = BoundingBox(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
                var packed: [Double] = [Double(polygons.count)]
                for polygon in polygons {
                    packed.append(Double(polygon.rings.count))
                    for ring in polygon.rings {
                        packed.append(Double(ring.pointCount))
                        packed += ring.xy
                        for i in 0..<ring.pointCount { box.extend(x: ring.xy[2 * i], y: ring.xy[2 * i + 1]) }
                    }
                }
                args += [box.minX, box.maxX, box.minY, box.maxY]
                args.append(packed.withUnsafeBytes { Data($0) })
                return "(\(point.lon) BETWEEN ? AND ? AND \(point.lat) BETWEEN ? AND ? AND \(pointInPolygons)(\(point.lon), \(point.lat), ?))"
            case .bbox(let b):
                if b.minX > b.maxX {  // across the antimeridian
                    args += [b.minX, b.maxX, b.minY, b.maxY]
                    return "((\(point.lon) >= ? OR \(point.lon) <= ?) AND \(point.lat) BETWEEN ? AND ?)"
                }
                args += [b.minX, b.maxX, b.minY, b.maxY]
                return "(\(point.lon) BETWEEN ? AND ? AND \(point.lat) BETWEEN ? AND ?)"
            }
        }
    }

    static let pointInPolygons = "wangge_point_in_polygons"

    /// `wangge_point_in_polygons(lon, lat, polygons)`: whether the point is inside or on the edge of any of the
    /// polygons, packed as doubles (count, then per polygon its ring count, per ring its point count and x, y …).
    /// Registered on every connection; pure Swift even-odd test over all rings (holes count), edges included.
    static func addFunctions(_ db: Database) {
        db.add(function: DatabaseFunction(pointInPolygons, argumentCount: 3, pure: true) { values in
            guard let x = Double.fromDatabaseValue(values[0]), let y = Double.fromDatabaseValue(values[1]),
                  let blob = Data.fromDatabaseValue(values[2]) else { return nil }
            return blob.withUnsafeBytes { raw -> Bool in
                let v = raw.bindMemory(to: Double.self)
                return FilterSQL.inside(x, y, packed: v)
            }
        })
    }

    static func inside(_ x: Double, _ y: Double, packed v: UnsafeBufferPointer<Double>) -> Bool {
        guard !v.isEmpty else { return false }
        var i = 1
        for _ in 0..<Int(v[0]) {
            guard i < v.count else { return false }
            let rings = Int(v[i]); i += 1
            var crossings = false
            for _ in 0..<rings {
                guard i < v.count else { return false }
                let n = Int(v[i]); i += 1
                guard i + 2 * n <= v.count, n >= 2 else { return false }
                for k in 0..<(n - 1) {
                    let ax = v[i + 2 * k], ay = v[i + 2 * k + 1], bx = v[i + 2 * k + 2], by = v[i + 2 * k + 3]
                    // On the edge: inside (S_INTERSECTS includes the boundary).
                    let cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax)
                    if cross == 0, min(ax, bx) <= x, x <= max(ax, bx), min(ay, by) <= y, y <= max(ay, by) { return true }
                    if (ay > y) != (by > y), x < (bx - ax) * (y - ay) / (by - ay) + ax { crossings.toggle() }
                }
                i += 2 * n
            }
            if crossings { return true }
        }
        return false
    }
}
