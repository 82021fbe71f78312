import Foundation
import CGEOS
public import WanggeCore

/// How much of the street a level or overlay layer covers, and where it does not (the boundary coverage report).
public struct CoverageFigures: Sendable, Equatable {
    /// A residential level (`street` … `building`) or an overlay layer (`functional`, `industry`).
    public var name: String
    public var layer: GridLayer
    public var grids: Int
    /// Sum of the grids' geodesic areas.
    public var areaM2: Double
    /// Area of their union (overlaps counted once).
    public var unionM2: Double
    /// Part of the street the union covers.
    public var coveredM2: Double
    /// Union beyond the street.
    public var outsideStreetM2: Double
    /// Street not covered by the union.
    public var gapM2: Double

    /// Area counted more than once (grids overlapping each other).
    public var overlapM2: Double { max(0, areaM2 - unionM2) }
}

public struct CoverageResult: Sendable {
    public var streetM2: Double
    public var figures: [CoverageFigures]
    /// Gaps, overlaps and children outside parents of the residential hierarchy (as the import finds them), overlay
    /// grids overlapping each other and overlay parts beyond the street; each with its area and location.
    public var defects: [Defect]
}

extension BoundaryValidator {
    /// The coverage of the stored layers. The residential hierarchy is checked again exactly as an import would
    /// check it (a layer imported before a rule existed, or with other tolerances, shows what it has); the overlays
    /// are measured against the street (the union of the top residential level).
    public func coverage(residential: [StoredGrid], overlays: [GridLayer: [StoredGrid]],
                         options: BoundaryOptions = BoundaryOptions(layer: .residential)) throws -> CoverageResult {
        var defects: [Defect] = []
        if !residential.isEmpty {
            let fc = GeoJSONWriter.featureCollection(residential.map { g in
                var p = JSONObject([("code", .string(g.code)), ("name", .string(g.name))])
                p["level"] = g.level.map { .string($0.rawValue) } ?? .null
                if let parent = g.parent { p["parent"] = .string(parent) }
                return (id: nil, geometry: try? WKB.decode(g.wkb), properties: p)
            })
            var o = options
            o.layer = .residential
            o.crs = .wgs84
            if o.levels.isStandard { o.levels = LevelScheme.of(residential) }  // the stored grids' own levels
            defects += check(fc, options: o).defects
        }
        func union(_ grids: [StoredGrid]) throws -> GeosGeometry? {
            let geoms = try grids.map { try GeosGeometry(try WKB.decode($0.wkb), in: geos) }
            guard !geoms.isEmpty else { return nil }
            if geoms.count == 1 { return geoms[0] }
            let c = try GeosGeometry.collection(geoms, in: geos)
            // The coverage union is exact and fast for a tiling; anything else takes the robust union.
            if let u = try? c.coverageUnion(), (try? u.invalidity()) == .some(nil) {
                let sum = grids.reduce(0) { $0 + $1.areaM2 }
                if abs(geodesic.area(of: u) - sum) <= max(1, sum * 1e-9) { return u }
            }
            return try c.unaryUnion()
        }
        let levels = Set(residential.compactMap(\.level))
        let top = levels.min()
        let street = try top.flatMap { t in try union(residential.filter { $0.level == t }) }
        let streetM2 = street.map(geodesic.area(of:)) ?? 0

        var all = BoundingBox.empty
        for g in residential { all.extend(g.bbox) }
        for (_, grids) in overlays { for g in grids { all.extend(g.bbox) } }
        let filter: RegionFilter? = all.isEmpty ? nil : (try? ProjTransform(from: "EPSG:4326", to: Self.localTransverseMercator(lon: all.centerX, lat: all.centerY), in: proj))
            .map { RegionFilter(validator: self, metric: $0, toleranceMetres: options.toleranceMetres, sliverAreaM2: options.sliverAreaM2) }

        var figures: [CoverageFigures] = []
        func measure(_ name: String, _ layer: GridLayer, _ grids: [StoredGrid]) throws -> GeosGeometry? {
            let u = try union(grids)
            let unionM2 = u.map(geodesic.area(of:)) ?? 0
            var covered = 0.0, outside = 0.0
            if let u, let street {
                covered = geodesic.area(of: try u.intersection(street))
                outside = geodesic.area(of: try u.difference(street))
            }
            figures.append(CoverageFigures(name: name, layer: layer, grids: grids.count, areaM2: grids.reduce(0) { $0 + $1.areaM2 },
                                           unionM2: unionM2, coveredM2: covered, outsideStreetM2: outside,
                                           gapM2: max(0, streetM2 - covered)))
            return u
        }
        for level in levels.sorted() {
            _ = try measure(level.rawValue, .residential, residential.filter { $0.level == level })
        }
        for layer in [GridLayer.functional, .industry] {
            guard let grids = overlays[layer], !grids.isEmpty else { continue }
            _ = try measure(layer.rawValue, layer, grids)
            let geoms = try grids.map { try GeosGeometry(try WKB.decode($0.wkb), in: geos) }
            // Overlay grids beyond the street, and overlapping each other (both allowed, both worth a look).
            for (g, geom) in zip(grids, geoms) {
                guard let street, let filter, (try? street.covers(geom)) != true,
                      let region = filter.significant(try geom.difference(street)) else { continue }
                defects.append(Defect(kind: .outsideStreet, code: g.code,
                                      message: "\(layer.rawValue) grid \"\(g.code)\" extends \(Self.area(region.areaM2)) beyond the street",
                                      location: region.value, areaM2: region.areaM2))
            }
            for i in grids.indices {
                for j in grids.indices where j > i && grids[i].bbox.intersects(grids[j].bbox) {
                    guard let filter, let region = filter.significant(try geoms[i].intersection(geoms[j])) else { continue }
                    defects.append(Defect(kind: .overlayOverlap, code: grids[j].code,
                                          message: "\(layer.rawValue) grids \"\(grids[i].code)\" and \"\(grids[j].code)\" overlap by \(Self.area(region.areaM2)) (allowed for overlays)",
                                          location: region.value, areaM2: region.areaM2, relatedCodes: [grids[i].code]))
                }
            }
        }
        return CoverageResult(streetM2: streetM2, figures: figures, defects: defects)
    }
}
