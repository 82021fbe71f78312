extension RawFeature {
    /// Where a ring sits, in words: "the exterior ring", "hole 2", "part 3, hole 1".
    static func ringName(part: Int, ring: Int, multi: Bool) -> String {
        let r = ring == 0 ? "the exterior ring" : "hole \(ring)"
        return multi ? "part \(part + 1), \(r)" : r
    }

    /// Builds the polygonal geometry of a boundary feature, checking its type and the shape of every ring
    /// (at least four positions, closed, finite numbers). Returns the geometry, or nil and the defects found.
    public func polygonalGeometry(code: String?) -> (geometry: GeometryValue?, defects: [Defect]) {
        func defect(_ kind: Defect.Kind, _ message: String, at location: GeometryValue? = nil) -> Defect {
            Defect(kind: kind, featureIndex: index, code: code, message: message, location: location, line: line)
        }
        guard let type = geometryType else {
            return (nil, [defect(.geometryType, "the geometry is null; a grid boundary must be a Polygon or MultiPolygon")])
        }
        guard type == "Polygon" || type == "MultiPolygon" else {
            let shown = type.isEmpty ? "missing" : type
            return (nil, [defect(.geometryType, "the geometry type is \(shown); a grid boundary must be a Polygon or MultiPolygon")])
        }
        guard let c = coordinates else {
            return (nil, [defect(.structure, "the \(type) has no \"coordinates\"")])
        }
        let multi = type == "MultiPolygon"
        let wantDepth = multi ? 3 : 2
        guard c.depth == wantDepth else {
            let shape = multi ? "an array of polygons, each an array of rings of [lon, lat] positions"
                              : "an array of rings, each an array of [lon, lat] positions"
            return (nil, [defect(.structure, "the coordinates of a \(type) must be \(shape); these are nested \(c.depth) deep instead of \(wantDepth)")])
        }
        // counts[depth-1] holds the positions per ring; counts[depth-2] the rings per polygon.
        let ringsPerPolygon: [Int] = multi ? c.counts[1] : c.counts[0]
        let positionsPerRing: [Int] = c.counts.count > wantDepth - 1 ? c.counts[wantDepth - 1] : []
        var defects: [Defect] = []
        var polygons: [Polygon] = []
        if multi && c.counts[0].first == 0 {
            defects.append(defect(.ringTooShort, "the MultiPolygon has no polygons"))
        }
        var ringCursor = 0
        var xyCursor = 0
        for (part, nRings) in ringsPerPolygon.enumerated() {
            if nRings == 0 {
                defects.append(defect(.ringTooShort, multi ? "part \(part + 1) of the MultiPolygon has no rings" : "the polygon has no rings"))
            }
            var rings: [Ring] = []
            for r in 0..<nRings {
                let n = positionsPerRing[ringCursor]
                ringCursor += 1
                let xy = Array(c.xy[xyCursor..<(xyCursor + 2 * n)])
                xyCursor += 2 * n
                let name = Self.ringName(part: part, ring: r, multi: multi)
                if let bad = (0..<n).first(where: { !xy[2 * $0].isFinite || !xy[2 * $0 + 1].isFinite }) {
                    let value = xy[2 * bad].isFinite ? xy[2 * bad + 1] : xy[2 * bad]
                    defects.append(defect(.nonFiniteCoordinate,
                        "position \(bad + 1) of \(name) is not a finite number (\(value)); coordinates must be finite decimal numbers"))
                    rings.append(Ring(xy: xy))
                    continue
                }
                if n < 4 {
                    defects.append(defect(.ringTooShort,
                        "\(name) has \(n) position\(n == 1 ? "" : "s"); a ring needs at least 4 (three corners and the closing position)",
                        at: n > 0 ? .point(x: xy[0], y: xy[1]) : nil))
                } else if xy[0] != xy[2 * n - 2] || xy[1] != xy[2 * n - 1] {
                    defects.append(defect(.ringNotClosed,
                        "\(name) is not closed: it starts at [\(xy[0]), \(xy[1])] but ends at [\(xy[2 * n - 2]), \(xy[2 * n - 1])]; the last position must repeat the first",
                        at: .point(x: xy[0], y: xy[1])))
                }
                rings.append(Ring(xy: xy))
            }
            polygons.append(Polygon(rings: rings))
        }
        if !defects.isEmpty { return (nil, defects) }
        return (multi ? .multiPolygon(polygons) : .polygon(polygons[0]), [])
    }
}

/// Checks that lon/lat coordinates lie within −180…180 and −90…90, with a hint when they look swapped or projected.
public enum CoordinateRangeCheck {
    /// Returns at most one defect per feature: the first position out of range and how many are.
    public static func check(_ geometry: GeometryValue, featureIndex: Int?, code: String?, line: Int?,
                             crs: CRS = .wgs84) -> Defect? {
        var firstBad: (Double, Double)?
        var badCount = 0
        var total = 0
        var swappedFits = true
        var looksProjected = true
        func visit(_ xy: [Double]) {
            var i = 0
            while i < xy.count {
                let x = xy[i], y = xy[i + 1]
                total += 1
                if !(abs(x) <= 180 && abs(y) <= 90) {
                    if firstBad == nil { firstBad = (x, y) }
                    badCount += 1
                    if !(abs(y) <= 180 && abs(x) <= 90) { swappedFits = false }
                    if abs(x) < 1000 && abs(y) < 1000 { looksProjected = false }
                }
                i += 2
            }
        }
        switch geometry {
        case .point(let x, let y): visit([x, y])
        default: for p in geometry.polygons { for r in p.rings { visit(r.xy) } }
        }
        guard let (x, y) = firstBad else { return nil }
        var message = "\(badCount) of \(total) positions are outside longitude −180…180 / latitude −90…90 (first: [\(x), \(y)])"
        if swappedFits {
            message += "; they look like latitude/longitude swapped — GeoJSON order is [longitude, latitude]"
        } else if looksProjected {
            message += "; they look like projected metres — give the file's CRS (e.g. --crs EPSG:4547)"
        }
        if crs != .wgs84 { message += " (after conversion from \(crs))" }
        return Defect(kind: .coordinateOutOfRange, featureIndex: featureIndex, code: code, message: message,
                      location: nil, line: line)
    }
}

/// Finds a ring edge that crosses ±180° longitude. Rings are read as planar lon/lat everywhere (the grid index,
/// GEOS predicates, bounding boxes), so such an edge goes the long way round the world there, while the geodesic
/// area takes the short way: the two would disagree. RFC 7946 §3.1.9 asks for such a polygon to be cut in two.
public enum AntimeridianCheck {
    /// The first edge whose ends are more than 180° of longitude apart, as (polygon, ring, from, to); nil when none.
    /// An edge along the antimeridian itself (from +180° to −180°, as a cut polygon closes) does not cross it.
    public static func crossing(in geometry: GeometryValue) -> (polygon: Int, ring: Int, from: (Double, Double), to: (Double, Double))? {
        for (p, polygon) in geometry.polygons.enumerated() {
            for (r, ring) in polygon.rings.enumerated() {
                let xy = ring.xy
                var i = 2
                while i + 1 < xy.count {
                    let x0 = xy[i - 2], x1 = xy[i]
                    if abs(x1 - x0) > 180, !(abs(x0) == 180 && abs(x1) == 180) {
                        return (p, r, (x0, xy[i - 1]), (x1, xy[i + 1]))
                    }
                    i += 2
                }
            }
        }
        return nil
    }
}
