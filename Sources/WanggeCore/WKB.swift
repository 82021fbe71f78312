/// Reads the ISO WKB that Wangge stores (points, polygons, multipolygons; either byte order; 2D, Z and M ordinates
/// are read and dropped) into Core values, without GEOS, for writing GeoJSON quickly; writes Core values as the
/// same 2D little-endian WKB GEOS's writer gives (checked byte for byte against it in WKBTests).
public enum WKB {
    /// The 2D little-endian WKB of `value`.
    public static func encode(_ value: GeometryValue) -> [UInt8] {
        var out: [UInt8] = []
        func uint32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func double(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        func polygon(_ p: Polygon) {
            out.append(1); uint32(3); uint32(UInt32(p.rings.count))
            for r in p.rings {
                uint32(UInt32(r.xy.count / 2))
                for v in r.xy { double(v) }
            }
        }
        switch value {
        case .point(let x, let y):
            out.reserveCapacity(21)
            out.append(1); uint32(1); double(x); double(y)
        case .polygon(let p):
            out.reserveCapacity(9 + p.rings.reduce(0) { $0 + 4 + 8 * $1.xy.count })
            polygon(p)
        case .multiPolygon(let ps):
            out.reserveCapacity(9 + ps.reduce(0) { $0 + 9 + $1.rings.reduce(0) { $0 + 4 + 8 * $1.xy.count } })
            out.append(1); uint32(6); uint32(UInt32(ps.count))
            for p in ps { polygon(p) }
        }
        return out
    }

    public struct DecodeError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> GeometryValue {
        var r = Reader(bytes: bytes)
        return try r.geometry()
    }

    struct Reader {
        let bytes: [UInt8]
        var pos = 0
        var little = true

        mutating func byte() throws(DecodeError) -> UInt8 {
            guard pos < bytes.count else { throw DecodeError(description: "WKB ends early at byte \(pos)") }
            defer { pos += 1 }
            return bytes[pos]
        }

        mutating func uint32() throws(DecodeError) -> UInt32 {
            guard pos + 4 <= bytes.count else { throw DecodeError(description: "WKB ends early at byte \(pos)") }
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[pos + i]) << (little ? 8 * UInt32(i) : 8 * UInt32(3 - i)) }
            pos += 4
            return v
        }

        mutating func double() throws(DecodeError) -> Double {
            guard pos + 8 <= bytes.count else { throw DecodeError(description: "WKB ends early at byte \(pos)") }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[pos + i]) << (little ? 8 * UInt64(i) : 8 * UInt64(7 - i)) }
            pos += 8
            return Double(bitPattern: v)
        }

        mutating func header() throws(DecodeError) -> (type: UInt32, dims: Int) {
            little = try byte() == 1
            let raw = try uint32()
            // ISO codes add 1000 (Z), 2000 (M), 3000 (ZM); EWKB sets high flag bits.
            let ewkbZ = raw & 0x8000_0000 != 0, ewkbM = raw & 0x4000_0000 != 0
            let hasSRID = raw & 0x2000_0000 != 0
            var code = raw & 0x0FFF_FFFF
            var dims = 2 + (ewkbZ ? 1 : 0) + (ewkbM ? 1 : 0)
            if code >= 1000 {
                dims = 2 + [0, 1, 1, 2][Int(code / 1000) % 4]
                code %= 1000
            }
            if hasSRID { _ = try uint32() }
            return (code, dims)
        }

        mutating func ring(_ dims: Int) throws(DecodeError) -> Ring {
            let n = Int(try uint32())
            guard n <= (bytes.count - pos) / (8 * dims) else { throw DecodeError(description: "WKB ring claims \(n) points") }
            var xy = [Double]()
            xy.reserveCapacity(2 * n)
            for _ in 0..<n {
                xy.append(try double()); xy.append(try double())
                for _ in 2..<dims { _ = try double() }
            }
            return Ring(xy: xy)
        }

        mutating func polygon(_ dims: Int) throws(DecodeError) -> Polygon {
            let n = Int(try uint32())
            guard n <= bytes.count else { throw DecodeError(description: "WKB polygon claims \(n) rings") }
            var rings: [Ring] = []
            for _ in 0..<n { rings.append(try ring(dims)) }
            return Polygon(rings: rings)
        }

        mutating func geometry() throws(DecodeError) -> GeometryValue {
            let (type, dims) = try header()
            switch type {
            case 1:
                let x = try double(), y = try double()
                for _ in 2..<dims { _ = try double() }
                return .point(x: x, y: y)
            case 3:
                return .polygon(try polygon(dims))
            case 6:
                let n = Int(try uint32())
                guard n <= bytes.count else { throw DecodeError(description: "WKB multipolygon claims \(n) parts") }
                var parts: [Polygon] = []
                for _ in 0..<n {
                    let (t, d) = try header()
                    guard t == 3 else { throw DecodeError(description: "a MultiPolygon part of WKB type \(t)") }
                    parts.append(try polygon(d))
                }
                return .multiPolygon(parts)
            default:
                throw DecodeError(description: "WKB geometry type \(type) is not a point, polygon or multipolygon")
            }
        }
    }
}
