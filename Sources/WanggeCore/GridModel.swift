/// The boundary layers a sub-district keeps: the residential hierarchy and two overlays.
public enum GridLayer: String, Sendable, Codable, CaseIterable, Hashable {
    /// street → community → courtyard → building; children tile their parent.
    case residential
    /// Functional grids (功能型网格) grouping public institutions; may overlap anything.
    case functional
    /// Industry grids (行业网格) grouping private firms and social organisations; may overlap anything.
    case industry

    public var isHierarchical: Bool { self == .residential }
}

/// The levels of the residential hierarchy, from the top.
public enum GridLevel: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case street, community, courtyard, building

    /// 0 for street, 3 for building.
    public var rank: Int {
        switch self {
        case .street: return 0
        case .community: return 1
        case .courtyard: return 2
        case .building: return 3
        }
    }

    public static func < (a: GridLevel, b: GridLevel) -> Bool { a.rank < b.rank }

    /// The level directly above, nil for the street.
    public var parentLevel: GridLevel? {
        GridLevel.allCases.first { $0.rank == rank - 1 }
    }

    public var childLevel: GridLevel? {
        GridLevel.allCases.first { $0.rank == rank + 1 }
    }

    public var chineseName: String {
        switch self {
        case .street: return "街道"
        case .community: return "社区网格"
        case .courtyard: return "楼院网格"
        case .building: return "楼栋网格"
        }
    }
}

/// One grid ready to be stored: checked, converted to WGS84 lon/lat, oriented, with WKB and its geodesic area.
public struct GridFeature: Sendable, Equatable {
    public var layer: GridLayer
    public var code: String
    public var name: String
    /// Residential layer only.
    public var level: GridLevel?
    /// The parent's code; nil at the top of the hierarchy and on overlays.
    public var parent: String?
    public var geometry: GeometryValue
    /// ISO WKB (little-endian) of `geometry`.
    public var wkb: [UInt8]
    public var bbox: BoundingBox
    /// Geodesic area on the WGS84 ellipsoid, m².
    public var areaM2: Double
    /// Every other property of the source feature, as written.
    public var properties: JSONObject

    public init(layer: GridLayer, code: String, name: String, level: GridLevel?, parent: String?,
                geometry: GeometryValue, wkb: [UInt8], bbox: BoundingBox, areaM2: Double, properties: JSONObject) {
        self.layer = layer; self.code = code; self.name = name; self.level = level; self.parent = parent
        self.geometry = geometry; self.wkb = wkb; self.bbox = bbox; self.areaM2 = areaM2; self.properties = properties
    }
}
