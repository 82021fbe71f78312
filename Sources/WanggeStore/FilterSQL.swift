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
}
