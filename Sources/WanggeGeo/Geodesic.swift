import CPROJ
public import WanggeCore

/// Geodesic measures on the WGS84 ellipsoid through PROJ's copy of Karney's routines (`geod_*`). The struct holds
/// only the ellipsoid's constants, so it is a value that any thread may use.
public struct Geodesic: Sendable {
    let g: geod_geodesic

    /// WGS84 (a = 6378137 m, f = 1/298.257223563). CGCS2000 differs from it by far less than a millimetre of area
    /// per square kilometre.
    public static let wgs84 = Geodesic(a: 6378137, f: 1 / 298.257223563)

    public init(a: Double, f: Double) {
        var g = geod_geodesic()
        geod_init(&g, a, f)
        self.g = g
    }

    /// Signed area of a ring of lon/lat positions in m² (positive when counter-clockwise). The closing position may
    /// be repeated or not.
    public func signedArea(ring xy: [Double]) -> Double {
        var n = xy.count / 2
        if n >= 2, xy[0] == xy[2 * n - 2], xy[1] == xy[2 * n - 1] { n -= 1 }
        guard n >= 3 else { return 0 }
        var lats = [Double](repeating: 0, count: n)
        var lons = [Double](repeating: 0, count: n)
        for i in 0..<n {
            lons[i] = xy[2 * i]
            lats[i] = xy[2 * i + 1]  // geod_* takes latitude before longitude
        }
        var area = 0.0
        var perimeter = 0.0
        withUnsafePointer(to: g) { gp in
            geod_polygonarea(gp, &lats, &lons, Int32(n), &area, &perimeter)
        }
        return area
    }

    /// Area of a polygon in m²: its exterior less its holes, whatever their orientation.
    public func area(of polygon: Polygon) -> Double {
        var a = 0.0
        for (i, r) in polygon.rings.enumerated() {
            let s = abs(signedArea(ring: r.xy))
            a += i == 0 ? s : -s
        }
        return a
    }

    /// Area of a polygonal geometry in m² (0 for a point).
    /// Area of the polygons in a GEOS result in m² (lines and points in it count nothing; empty is 0).
    public func area(of g: GeosGeometry) -> Double {
        guard !g.isEmpty, let v = try? g.value() else { return 0 }
        return area(of: v)
    }

    public func area(of geometry: GeometryValue) -> Double {
        geometry.polygons.reduce(0) { $0 + area(of: $1) }
    }

    /// Distance in metres between two lon/lat positions along the ellipsoid.
    public func distance(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
        var s12 = 0.0
        var azi1 = 0.0, azi2 = 0.0
        withUnsafePointer(to: g) { gp in
            geod_inverse(gp, lat1, lon1, lat2, lon2, &s12, &azi1, &azi2)
        }
        return s12
    }
}
