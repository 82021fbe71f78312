import Foundation
import CGEOS
public import WanggeCore

/// A place that offers a service to residents (a clinic, legal aid, a community service centre, …).
public struct ServicePoint: Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    /// What the kind is called (the points' `kind_name`), for report labels.
    public var kindName: String?
    public var lon: Double
    public var lat: Double

    public init(id: String, name: String, kind: String, kindName: String? = nil, lon: Double, lat: Double) {
        self.id = id; self.name = name; self.kind = kind; self.kindName = kindName; self.lon = lon; self.lat = lat
    }
}

/// The "ten-minute convenience circle" (十分钟便民服务圈): which part of each grid's area and households lies within
/// walking distance of each kind of service. Circles are buffered in metres in a local transverse Mercator plane
/// (PROJ; 32 segments per quadrant, so a circle's area is within 0.05 % of πr²), brought back to WGS84, and
/// measured on the ellipsoid. Households are taken as spread evenly over each building grid, summed up the
/// hierarchy to the report's level.
///
/// Owns its GEOS and PROJ contexts: one computation on one thread.
public final class ServiceCoverage {
    let geos = GeosContext()
    let proj = ProjContext()
    let geodesic = Geodesic.wgs84

    public init() {}

    public struct Row: Sendable {
        public var grid: StoredGrid
        /// Per kind: covered area in m² and covered households (nil when the grid has no household figures).
        public var coveredM2: [String: Double]
        public var households: Double?
        public var coveredHouseholds: [String: Double]
        /// Covered by every kind at once (the whole circle).
        public var allM2: Double
        public var allHouseholds: Double?
    }

    public struct Result: Sendable {
        public var kinds: [String]
        public var radiusMetres: Double
        public var rows: [Row]
        /// Per kind: the points near enough to count, covered share of the street (m²), and the uncovered part.
        public var points: [String: Int]
        public var streetM2: Double
        public var streetCoveredM2: [String: Double]
        public var uncovered: [(kind: String, geometry: GeometryValue?, areaM2: Double)]
    }

    /// - Parameters:
    ///   - grids: the grids to report on (one level or overlay).
    ///   - buildings: the finest residential grids, with `households` in their properties; `ancestors` maps a grid
    ///     code to its parent's, to sum their households up to `grids`.
    ///   - street: the area the uncovered layer is cut from.
    public func compute(points: [ServicePoint], kinds: [String], grids: [StoredGrid], buildings: [StoredGrid],
                        parents: [String: String], street: GeometryValue?, radiusMetres: Double) throws -> Result {
        var box = BoundingBox.empty
        for g in grids { box.extend(g.bbox) }
        if let street { box.extend(street.boundingBox) }
        guard !box.isEmpty else {
            return Result(kinds: kinds, radiusMetres: radiusMetres, rows: [], points: [:], streetM2: 0, streetCoveredM2: [:], uncovered: [])
        }
        let local = try ProjTransform(from: "EPSG:4326", to: BoundaryValidator.localTransverseMercator(lon: box.centerX, lat: box.centerY), in: proj)
        // Only points that can reach the area count (and only they are projected: a point on the far side of the
        // world has no place in a plane centred here). A degree of latitude is ~111 km, of longitude no more.
        let margin = 2 * radiusMetres / 111_000 / max(0.05, cos(box.centerY * .pi / 180))
        let near = points.filter {
            $0.lon >= box.minX - margin && $0.lon <= box.maxX + margin && $0.lat >= box.minY - margin && $0.lat <= box.maxY + margin
        }

        // Per kind, the union of its circles in WGS84.
        var reach: [String: GeosGeometry] = [:]
        var count: [String: Int] = [:]
        for kind in kinds {
            let mine = near.filter { $0.kind == kind }
            count[kind] = mine.count
            guard !mine.isEmpty else { continue }
            var xy = mine.flatMap { [$0.lon, $0.lat] }
            local.transform(&xy)
            let circles = try (0..<mine.count).map { i in
                try GeosGeometry(.point(x: xy[2 * i], y: xy[2 * i + 1]), in: geos).buffer(radiusMetres, quadrantSegments: 32)
            }
            var u = try GeosGeometry.collection(circles, in: geos).unaryUnion().value()
            u.transformCoordinates { local.transform(&$0, inverse: true) }
            reach[kind] = try GeosGeometry(u, in: geos)
        }
        // Every kind at once: the intersection of all reaches (empty if a kind has no point).
        var all: GeosGeometry? = !kinds.isEmpty && kinds.allSatisfy { reach[$0] != nil } ? reach[kinds[0]] : nil
        for kind in kinds.dropFirst() { if let a = all, let r = reach[kind] { all = try a.intersection(r) } }

        func covered(_ g: GeosGeometry, _ r: GeosGeometry?) throws -> Double {
            guard let r else { return 0 }
            return geodesic.area(of: try g.intersection(r))
        }
        // Households covered per building, then summed to each report grid through the parents.
        var hhCovered: [String: [String: Double]] = [:], hhAll: [String: Double] = [:], hhTotal: [String: Double] = [:]
        let reportCodes = Set(grids.map(\.code))
        for b in buildings {
            guard let hh = b.properties["households"]?.doubleValue, b.areaM2 > 0 else { continue }
            var target: String? = b.code
            while let t = target, !reportCodes.contains(t) { target = parents[t] }
            guard let code = target else { continue }
            let g = try GeosGeometry(try WKB.decode(b.wkb), in: geos)
            hhTotal[code, default: 0] += hh
            for kind in kinds { hhCovered[code, default: [:]][kind, default: 0] += hh * (try covered(g, reach[kind])) / b.areaM2 }
            hhAll[code, default: 0] += hh * (try covered(g, all)) / b.areaM2
        }

        var rows: [Row] = []
        for grid in grids {
            let g = try GeosGeometry(try WKB.decode(grid.wkb), in: geos)
            var m2: [String: Double] = [:]
            for kind in kinds { m2[kind] = try covered(g, reach[kind]) }
            rows.append(Row(grid: grid, coveredM2: m2, households: hhTotal[grid.code], coveredHouseholds: hhCovered[grid.code] ?? [:],
                            allM2: try covered(g, all), allHouseholds: hhTotal[grid.code] == nil ? nil : hhAll[grid.code] ?? 0))
        }

        var uncovered: [(kind: String, geometry: GeometryValue?, areaM2: Double)] = []
        var streetCovered: [String: Double] = [:]
        var streetM2 = 0.0
        if let street {
            let s = try GeosGeometry(street, in: geos)
            streetM2 = geodesic.area(of: street)
            for kind in kinds {
                let left = try reach[kind].map { try s.difference($0) } ?? s
                let leftValue = left.isEmpty ? nil : try? left.value()
                let leftM2 = leftValue.map { geodesic.area(of: $0) } ?? 0
                streetCovered[kind] = streetM2 - leftM2
                if leftM2 > 1 { uncovered.append((kind, leftValue?.orientedForOutput(), leftM2)) }
            }
        }
        return Result(kinds: kinds, radiusMetres: radiusMetres, rows: rows, points: count, streetM2: streetM2,
                      streetCoveredM2: streetCovered, uncovered: uncovered)
    }
}
