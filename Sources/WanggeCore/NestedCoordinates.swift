/// A GeoJSON `coordinates` member read into flat arrays: every position's x and y in order, and for each nesting
/// level the number of children of each list. A Polygon has depth 2 (rings of positions), a MultiPolygon depth 3,
/// a Point depth 0.
public struct NestedCoordinates: Sendable, Equatable {
    /// Nesting levels above the positions (0 for a bare position).
    public var depth: Int
    /// x, y of every position in reading order (a third ordinate, if any, is dropped).
    public var xy: [Double]
    /// `counts[level][i]`: how many children the i-th list at `level` (0 = outermost) has.
    public var counts: [[Int]]
    /// True if some position carried more than two ordinates (altitude, measure).
    public var hadExtraOrdinates: Bool

    public init(depth: Int, xy: [Double], counts: [[Int]], hadExtraOrdinates: Bool = false) {
        self.depth = depth
        self.xy = xy
        self.counts = counts
        self.hadExtraOrdinates = hadExtraOrdinates
    }
}

/// Why a `coordinates` member does not have the shape its geometry type needs.
public struct CoordinateShapeError: Error, Sendable, Equatable {
    public let message: String
}

extension JSONScanner {
    /// Reads a `coordinates` value whose syntax is already known to be valid.
    /// - Throws: `CoordinateShapeError` when the nesting is not a regular array-of-positions structure.
    mutating func readCoordinates() throws(CoordinateShapeError) -> NestedCoordinates {
        var xy: [Double] = []
        var counts: [[Int]] = []
        var positionDepth = -1
        var extra = false

        func fail(_ m: String) -> CoordinateShapeError { CoordinateShapeError(message: m) }

        // Recursive descent with an explicit check that all positions sit at the same depth.
        func readList(_ s: inout JSONScanner, level: Int) throws(CoordinateShapeError) {
            s.skipWhitespace()
            guard s.current == 0x5B else {
                throw fail(level == 0 ? "coordinates must be an array" : "expected an array at nesting level \(level) of the coordinates, found \(s.describeByte(at: s.pos))")
            }
            s.pos += 1
            s.skipWhitespace()
            let first = s.current
            let isPosition = first != 0x5B && first != 0x5D
            if isPosition {
                if positionDepth < 0 { positionDepth = level }
                guard positionDepth == level else {
                    throw fail("positions appear at different nesting levels of the coordinates")
                }
                var n = 0
                while true {
                    s.skipWhitespace()
                    let c = s.current
                    guard c == 0x2D || (c >= 0x30 && c <= 0x39) || c == 0x4E || c == 0x49 else {
                        throw fail("a position must hold numbers, found \(s.describeByte(at: s.pos))")
                    }
                    guard let v = try? s.readDouble() else { throw fail("a position must hold numbers") }
                    if n < 2 { xy.append(v) } else { extra = true }
                    n += 1
                    s.skipWhitespace()
                    if s.current == 0x2C { s.pos += 1; continue }
                    s.pos += 1  // ']' (syntax was checked before)
                    break
                }
                guard n >= 2 else {
                    xy.removeLast(n)
                    throw fail("a position needs at least two numbers (longitude, latitude), found \(n)")
                }
                return
            }
            // A list of lists (possibly empty).
            if positionDepth >= 0 && level >= positionDepth {
                throw fail("positions appear at different nesting levels of the coordinates")
            }
            while counts.count <= level { counts.append([]) }
            let slot = counts[level].count
            counts[level].append(0)
            if first == 0x5D { s.pos += 1; return }
            var n = 0
            while true {
                try readList(&s, level: level + 1)
                n += 1
                s.skipWhitespace()
                if s.current == 0x2C { s.pos += 1; continue }
                s.pos += 1
                break
            }
            counts[level][slot] = n
        }

        try readList(&self, level: 0)
        // An empty outer array: depth is not knowable; report it as depth of the lists seen.
        let depth = positionDepth >= 0 ? positionDepth : counts.count
        return NestedCoordinates(depth: depth, xy: xy, counts: counts, hadExtraOrdinates: extra)
    }
}
