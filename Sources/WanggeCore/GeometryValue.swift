/// A closed ring of positions, stored as interleaved x, y (the last position repeats the first).
public struct Ring: Sendable, Hashable {
    public var xy: [Double]

    public init(xy: [Double]) { self.xy = xy }

    public init(points: [(Double, Double)]) {
        self.xy = points.flatMap { [$0.0, $0.1] }
    }

    public var pointCount: Int { xy.count / 2 }

    public func point(_ i: Int) -> (x: Double, y: Double) { (xy[2 * i], xy[2 * i + 1]) }

    /// Twice the planar signed area (shoelace); positive when the ring runs counter-clockwise.
    public var signedArea2: Double {
        var s = 0.0
        let n = pointCount
        guard n >= 3 else { return 0 }
        // Shift to the first point to keep the products small (better rounding on lon/lat values).
        let x0 = xy[0], y0 = xy[1]
        for i in 0..<(n - 1) {
            let ax = xy[2 * i] - x0, ay = xy[2 * i + 1] - y0
            let bx = xy[2 * i + 2] - x0, by = xy[2 * i + 3] - y0
            s += ax * by - bx * ay
        }
        return s
    }

    public var isCounterClockwise: Bool { signedArea2 > 0 }

    public func reversed() -> Ring {
        var out = [Double]()
        out.reserveCapacity(xy.count)
        var i = pointCount - 1
        while i >= 0 {
            out.append(xy[2 * i]); out.append(xy[2 * i + 1])
            i -= 1
        }
        return Ring(xy: out)
    }
}

/// A polygon: an exterior ring followed by any holes.
public struct Polygon: Sendable, Hashable {
    public var rings: [Ring]

    public init(rings: [Ring]) { self.rings = rings }

    public var exterior: Ring { rings[0] }
    public var holes: ArraySlice<Ring> { rings.dropFirst() }

    /// The polygon with its exterior counter-clockwise and its holes clockwise (RFC 7946's right-hand rule).
    public func orientedForOutput() -> Polygon {
        Polygon(rings: rings.enumerated().map { i, ring in
            (ring.isCounterClockwise == (i == 0)) ? ring : ring.reversed()
        })
    }
}

/// A bounding box in the geometry's own coordinates.
public struct BoundingBox: Sendable, Hashable, Codable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    public static let empty = BoundingBox(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)

    public var isEmpty: Bool { minX > maxX || minY > maxY }

    public mutating func extend(x: Double, y: Double) {
        if x < minX { minX = x }
        if x > maxX { maxX = x }
        if y < minY { minY = y }
        if y > maxY { maxY = y }
    }

    public mutating func extend(_ other: BoundingBox) {
        guard !other.isEmpty else { return }
        extend(x: other.minX, y: other.minY)
        extend(x: other.maxX, y: other.maxY)
    }

    public func intersects(_ o: BoundingBox) -> Bool {
        !(o.minX > maxX || o.maxX < minX || o.minY > maxY || o.maxY < minY)
    }

    public func contains(x: Double, y: Double) -> Bool {
        x >= minX && x <= maxX && y >= minY && y <= maxY
    }

    public var centerX: Double { (minX + maxX) / 2 }
    public var centerY: Double { (minY + maxY) / 2 }
}

/// The geometries Wangge reads and writes: points (events, organisations) and polygonal grids.
public enum GeometryValue: Sendable, Hashable {
    case point(x: Double, y: Double)
    case polygon(Polygon)
    case multiPolygon([Polygon])

    public var typeName: String {
        switch self {
        case .point: return "Point"
        case .polygon: return "Polygon"
        case .multiPolygon: return "MultiPolygon"
        }
    }

    /// The polygons of a polygonal geometry (empty for a point).
    public var polygons: [Polygon] {
        switch self {
        case .point: return []
        case .polygon(let p): return [p]
        case .multiPolygon(let ps): return ps
        }
    }

    public var boundingBox: BoundingBox {
        var b = BoundingBox.empty
        switch self {
        case .point(let x, let y):
            b.extend(x: x, y: y)
        case .polygon, .multiPolygon:
            for p in polygons {
                // The exterior bounds the polygon; holes lie inside it.
                let xy = p.exterior.xy
                var i = 0
                while i < xy.count { b.extend(x: xy[i], y: xy[i + 1]); i += 2 }
            }
        }
        return b
    }

    /// Applies `body` to every coordinate pair in place.
    public mutating func transformCoordinates(_ body: (inout [Double]) throws -> Void) rethrows {
        switch self {
        case .point(let x, let y):
            var xy = [x, y]
            try body(&xy)
            self = .point(x: xy[0], y: xy[1])
        case .polygon(var p):
            for r in p.rings.indices { try body(&p.rings[r].xy) }
            self = .polygon(p)
        case .multiPolygon(var ps):
            for k in ps.indices { for r in ps[k].rings.indices { try body(&ps[k].rings[r].xy) } }
            self = .multiPolygon(ps)
        }
    }

    /// The geometry with RFC 7946 ring orientation (exteriors counter-clockwise, holes clockwise).
    public func orientedForOutput() -> GeometryValue {
        switch self {
        case .point: return self
        case .polygon(let p): return .polygon(p.orientedForOutput())
        case .multiPolygon(let ps): return .multiPolygon(ps.map { $0.orientedForOutput() })
        }
    }

    /// Total number of positions (closing positions included).
    public var pointCount: Int {
        switch self {
        case .point: return 1
        default: return polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.pointCount } }
        }
    }
}
