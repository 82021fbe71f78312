/// A coordinate reference system that input may be given in. Wangge stores and writes WGS84 lon/lat only.
public enum CRS: Hashable, Sendable, CustomStringConvertible {
    /// WGS84 longitude/latitude (EPSG:4326 with lon/lat axis order, OGC CRS84): no conversion.
    case wgs84
    /// Any CRS PROJ knows by EPSG code (e.g. 4547 CGCS2000 / 3-degree Gauss-Kruger CM 114E, 4490, 3857).
    case epsg(Int)
    /// GCJ-02, the offset lon/lat of Amap and Tencent map SDKs.
    case gcj02
    /// BD-09, Baidu's further offset of GCJ-02.
    case bd09

    /// Reads `EPSG:4547`, `GCJ02`, `BD09`, `WGS84`, `CRS84`, and the OGC URN/URI spellings of EPSG codes and CRS84.
    /// - Throws: `CRSParseError` naming the accepted forms.
    public init(parsing text: String) throws(CRSParseError) {
        let t = text.trimmingWhitespace()
        let upper = t.uppercased()
        switch upper {
        case "WGS84", "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84",
             "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84":
            self = .wgs84; return
        case "GCJ02", "GCJ-02", "GCJ_02":
            self = .gcj02; return
        case "BD09", "BD-09", "BD_09", "BD09LL":
            self = .bd09; return
        default: break
        }
        var digits: Substring?
        for prefix in ["EPSG:", "URN:OGC:DEF:CRS:EPSG::", "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/"] where upper.hasPrefix(prefix) {
            digits = Substring(upper.dropFirst(prefix.count))
        }
        if digits == nil, upper.hasPrefix("URN:OGC:DEF:CRS:EPSG:"), let last = upper.split(separator: ":").last {
            digits = last  // urn:ogc:def:crs:EPSG:9.8.1:4547
        }
        guard let d = digits, let code = Int(d), code > 0 else {
            throw CRSParseError(text: text)
        }
        self = code == 4326 ? .wgs84 : .epsg(code)
    }

    /// `EPSG:4326` for WGS84, `EPSG:nnnn`, `GCJ02`, `BD09`.
    public var description: String {
        switch self {
        case .wgs84: return "EPSG:4326"
        case .epsg(let c): return "EPSG:\(c)"
        case .gcj02: return "GCJ02"
        case .bd09: return "BD09"
        }
    }
}

public struct CRSParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "unknown CRS \"\(text)\": use EPSG:nnnn (e.g. EPSG:4326, EPSG:4490, EPSG:4547, EPSG:3857), GCJ02 or BD09"
    }
}

extension String {
    /// The string without leading and trailing whitespace (newlines included).
    public func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
