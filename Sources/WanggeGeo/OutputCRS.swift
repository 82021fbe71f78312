public import WanggeCore

/// A CRS the feature endpoints write in (OGC API – Features Part 2): CRS84 (lon/lat, the default and the storage
/// CRS) or any EPSG code PROJ knows, in that CRS's own axis order.
public struct OutputCRS: Sendable, Equatable, Hashable {
    /// nil for CRS84.
    public let epsg: Int?
    /// Degrees (7 decimals written) rather than metres (3 decimals).
    public let geographic: Bool

    public static let crs84URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    public static let crs84 = OutputCRS(epsg: nil, geographic: true)

    /// The CRSs each collection lists (others PROJ knows are taken too): WGS 84 in both axis orders, CGCS2000
    /// geographic, CGCS2000 / 3-degree Gauss-Krüger CM 114°E (the sample's zone), Web Mercator.
    public static let listedCodes = [4326, 4490, 4547, 3857]

    public var uri: String { epsg.map { Self.uri(epsg: $0) } ?? Self.crs84URI }

    public static func uri(epsg: Int) -> String { "http://www.opengis.net/def/crs/EPSG/0/\(epsg)" }

    /// The URIs each collection lists, CRS84 first.
    public static var listedURIs: [String] { [crs84URI] + listedCodes.map(uri(epsg:)) }
    /// What PROJ is given.
    var definition: String { epsg.map { "EPSG:\($0)" } ?? "OGC:CRS84" }

    /// Reads `http://www.opengis.net/def/crs/EPSG/0/4547`, `EPSG:4547`, `[EPSG:4547]` or the CRS84 URI (also
    /// `OGC:CRS84`); nil for anything else or an EPSG code PROJ does not know.
    public static func parse(_ text: String, context: ProjContext) -> OutputCRS? {
        var t = Substring(text)
        if t.hasPrefix("["), t.hasSuffix("]") { t = t.dropFirst().dropLast() }
        if t == crs84URI || t == "OGC:CRS84" || t == "http://www.opengis.net/def/crs/OGC/0/CRS84" { return .crs84 }
        let code: Substring?
        if t.hasPrefix("http://www.opengis.net/def/crs/EPSG/0/") { code = t.dropFirst("http://www.opengis.net/def/crs/EPSG/0/".count) }
        else if t.uppercased().hasPrefix("EPSG:") { code = t.dropFirst(5) }
        else { code = nil }
        guard let code, let n = Int(code), n > 0, let geographic = try? context.isGeographic("EPSG:\(n)") else { return nil }
        return OutputCRS(epsg: n, geographic: geographic)
    }
}

/// Coordinates from CRS84 into an `OutputCRS` and back. Thread-bound: owns a PROJ context and transform (made per
/// request; nothing here crosses threads).
public final class CRSWriter {
    public let crs: OutputCRS
    let context: ProjContext
    let transform: ProjTransform

    /// - Throws: `ProjectionError` when PROJ cannot build the transformation.
    public init(_ crs: OutputCRS) throws(ProjectionError) {
        self.crs = crs
        context = ProjContext()
        transform = try ProjTransform(from: "OGC:CRS84", to: crs.definition, in: context, authorityAxisOrder: true)
    }

    /// The geometry with every position in this CRS (its axis order).
    public func geometry(_ g: GeometryValue) -> GeometryValue {
        func ring(_ r: Ring) -> Ring {
            var xy = r.xy
            transform.transform(&xy)
            return Ring(xy: xy)
        }
        switch g {
        case .point(let x, let y):
            var xy = [x, y]
            transform.transform(&xy)
            return .point(x: xy[0], y: xy[1])
        case .polygon(let p): return .polygon(Polygon(rings: p.rings.map(ring)))
        case .multiPolygon(let ps): return .multiPolygon(ps.map { Polygon(rings: $0.rings.map(ring)) })
        }
    }

    /// A box given in this CRS (its axis order: `bbox-crs`) as the CRS84 box that holds it: the edges are
    /// sampled, since a projected box's edges are curves in lon/lat. Nil when PROJ cannot take it back.
    public func crs84Box(_ a0: Double, _ b0: Double, _ a1: Double, _ b1: Double) -> BoundingBox? {
        var xy: [Double] = []
        let steps = 16
        for i in 0...steps {
            let f = Double(i) / Double(steps)
            xy += [a0 + (a1 - a0) * f, b0, a0 + (a1 - a0) * f, b1, a0, b0 + (b1 - b0) * f, a1, b0 + (b1 - b0) * f]
        }
        transform.transform(&xy, inverse: true)
        var box = BoundingBox(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        var i = 0
        while i < xy.count {
            guard xy[i].isFinite, xy[i + 1].isFinite else { return nil }
            box.extend(x: xy[i], y: xy[i + 1])
            i += 2
        }
        return box
    }
}
