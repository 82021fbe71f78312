/// Writes RFC 7946 GeoJSON into a byte buffer: lon/lat, fixed decimals without trailing zeros, no `crs` member.
public struct GeoJSONWriter: Sendable {
    /// Digits after the decimal point for coordinates (7 ≈ 1 cm).
    public var decimals: Int
    public private(set) var bytes: [UInt8] = []

    public init(decimals: Int = 7, reserving capacity: Int = 0) {
        precondition((0...15).contains(decimals))
        self.decimals = decimals
        bytes.reserveCapacity(capacity)
    }

    /// Hands over what was written and starts an empty buffer (for streaming in chunks).
    public mutating func take() -> [UInt8] {
        let out = bytes
        bytes.removeAll(keepingCapacity: true)
        return out
    }

    public mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes as they are (already valid JSON or CSV).
    public mutating func append(bytes b: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: b)
    }

    public mutating func appendRaw(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    // MARK: numbers

    static let powers: [Double] = (0...15).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    /// A coordinate with `decimals` digits, trailing zeros dropped (`114.4512`, `38`).
    public mutating func appendCoordinate(_ v: Double) {
        appendFixed(v, decimals: decimals)
    }

    public mutating func appendFixed(_ v: Double, decimals d: Int) {
        guard v.isFinite else { append("null"); return }
        let scale = Self.powers[d]
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9.0e15 else {
            appendRaw("\(v)")
            return
        }
        let n = UInt64(scaled)
        if v < 0 && n != 0 { bytes.append(0x2D) }
        let intPart = n / UInt64(scale)
        var frac = n % UInt64(scale)
        appendUInt(intPart)
        if frac != 0 {
            var digits = d
            while frac % 10 == 0 { frac /= 10; digits -= 1 }
            bytes.append(0x2E)
            // Leading zeros of the fraction.
            var width = 1
            var f = frac
            while f >= 10 { f /= 10; width += 1 }
            for _ in 0..<(digits - width) { bytes.append(0x30) }
            appendUInt(frac)
        }
    }

    public mutating func appendUInt(_ value: UInt64) {
        if value < 10 { bytes.append(0x30 + UInt8(value)); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value
        var i = 20
        withUnsafeMutableBytes(of: &tmp) { p in
            while v > 0 {
                i -= 1
                p[i] = 0x30 + UInt8(v % 10)
                v /= 10
            }
            bytes.append(contentsOf: p[i..<20])
        }
    }

    public mutating func appendInt(_ value: Int) {
        if value < 0 { bytes.append(0x2D); appendUInt(UInt64(-value)) } else { appendUInt(UInt64(value)) }
    }

    /// A number for a property: integers exactly, others in the shortest form that reads back the same.
    public mutating func appendNumber(_ v: Double) {
        guard v.isFinite else { append("null"); return }
        if v == v.rounded(), abs(v) < 1e15 {
            appendInt(Int(v))
        } else {
            appendRaw("\(v)")
        }
    }

    // MARK: strings and values

    public mutating func appendString(_ s: String) {
        var s = s
        s.withUTF8 { appendString(utf8: $0) }
    }

    /// A JSON string from UTF-8 bytes (valid UTF-8 assumed): runs without escapes are copied whole.
    public mutating func appendString(utf8 u: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        var start = 0
        for i in 0..<u.count {
            let b = u[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C { continue }
            if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<i])) }
            appendEscape(b)
            start = i + 1
        }
        if start < u.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[start...])) }
        bytes.append(0x22)
    }

    /// A quoted RFC 3339 UTC time (`Timestamp.format`).
    public mutating func appendTimestamp(_ seconds: Double) {
        bytes.append(0x22)
        Timestamp.append(seconds, to: &bytes)
        bytes.append(0x22)
    }

    /// The same time without quotes (for CSV).
    public mutating func appendTimestampUnquoted(_ seconds: Double) {
        Timestamp.append(seconds, to: &bytes)
    }

    mutating func appendEscape(_ b: UInt8) {
        switch b {
        case 0x22: bytes.append(0x5C); bytes.append(0x22)
        case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
        case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
        case 0x0D: bytes.append(0x5C); bytes.append(0x72)
        case 0x09: bytes.append(0x5C); bytes.append(0x74)
        default:
            let hex: StaticString = "0123456789abcdef"
            hex.withUTF8Buffer { h in bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, h[Int(b >> 4)], h[Int(b & 15)]]) }
        }
    }

    public mutating func appendValue(_ v: JSONValue) {
        switch v {
        case .null: append("null")
        case .bool(let b): if b { append("true") } else { append("false") }
        case .number(let n): n.value.isFinite ? appendRaw(n.literal) : append("null")
        case .string(let s): appendString(s)
        case .array(let items):
            bytes.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                appendValue(item)
            }
            bytes.append(0x5D)
        case .object(let o): appendObject(o)
        }
    }

    public mutating func appendObject(_ o: JSONObject) {
        bytes.append(0x7B)
        for (i, m) in o.members.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            appendString(m.key)
            bytes.append(0x3A)
            appendValue(m.value)
        }
        bytes.append(0x7D)
    }

    // MARK: geometry

    mutating func appendPosition(_ x: Double, _ y: Double) {
        bytes.append(0x5B)
        appendCoordinate(x)
        bytes.append(0x2C)
        appendCoordinate(y)
        bytes.append(0x5D)
    }

    mutating func appendRing(_ r: Ring) {
        bytes.append(0x5B)
        let xy = r.xy
        var i = 0
        while i < xy.count {
            if i > 0 { bytes.append(0x2C) }
            appendPosition(xy[i], xy[i + 1])
            i += 2
        }
        bytes.append(0x5D)
    }

    mutating func appendPolygonCoordinates(_ p: Polygon) {
        bytes.append(0x5B)
        for (i, r) in p.rings.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            appendRing(r)
        }
        bytes.append(0x5D)
    }

    /// A geometry object. Rings are written in the orientation they have; call `orientedForOutput()` first for
    /// geometry that did not come from Wangge's store (which keeps RFC 7946 orientation).
    public mutating func appendGeometry(_ g: GeometryValue?) {
        guard let g else { append("null"); return }
        switch g {
        case .point(let x, let y):
            append(#"{"type":"Point","coordinates":"#)
            appendPosition(x, y)
        case .polygon(let p):
            append(#"{"type":"Polygon","coordinates":"#)
            appendPolygonCoordinates(p)
        case .multiPolygon(let ps):
            append(#"{"type":"MultiPolygon","coordinates":["#)
            for (i, p) in ps.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                appendPolygonCoordinates(p)
            }
            bytes.append(0x5D)
        }
        bytes.append(0x7D)
    }

    /// A whole Feature. `id` is written as a string unless it is nil.
    public mutating func appendFeature(id: String?, geometry: GeometryValue?, properties: JSONObject) {
        append(#"{"type":"Feature","#)
        if let id {
            append(#""id":"#)
            appendString(id)
            bytes.append(0x2C)
        }
        append(#""geometry":"#)
        appendGeometry(geometry)
        append(#","properties":"#)
        appendObject(properties)
        bytes.append(0x7D)
    }

    /// A complete FeatureCollection of the given features.
    public static func featureCollection(_ features: [(id: String?, geometry: GeometryValue?, properties: JSONObject)],
                                         decimals: Int = 7) -> [UInt8] {
        var w = GeoJSONWriter(decimals: decimals)
        w.append(#"{"type":"FeatureCollection","features":["#)
        for (i, f) in features.enumerated() {
            if i > 0 { w.append(",\n") } else { w.append("\n") }
            w.appendFeature(id: f.id, geometry: f.geometry, properties: f.properties)
        }
        w.append("\n]}\n")
        return w.bytes
    }
}
