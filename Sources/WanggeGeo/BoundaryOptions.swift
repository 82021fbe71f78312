public import WanggeCore

/// How to read and check a boundary file.
public struct BoundaryOptions: Sendable {
    /// Property names in the source file.
    public struct Fields: Sendable, Equatable {
        public var code = "code"
        public var name = "name"
        public var level = "level"
        public var parent = "parent"
        public init() {}
    }

    public var layer: GridLayer
    /// The input CRS; nil means the file's own `crs` member, or WGS84 lon/lat (RFC 7946) when it has none.
    public var crs: CRS?
    public var fields = Fields()
    /// Extra spellings of levels (e.g. `subdistrict` → street), on top of the built-in English and Chinese names.
    public var levelAliases: [String: GridLevel] = [:]
    /// Gaps, overlaps and parts outside a parent narrower than this many metres are digitising noise, not defects.
    public var toleranceMetres: Double = 0.5
    /// Pieces of at most this many m² are slivers, not defects.
    public var sliverAreaM2: Double = 1.0
    /// The longest grid code (and parent code), in characters.
    public static let maxCodeLength = 64
    /// The longest grid name, in characters.
    public static let maxNameLength = 200
    /// The most a feature's properties may take, serialized as JSON, in bytes.
    public static let maxPropertiesBytes = 64 * 1024

    public init(layer: GridLayer, crs: CRS? = nil) {
        self.layer = layer
        self.crs = crs
    }

    /// Built-in level names: the English ones, `subdistrict`, and the Chinese names of the four levels.
    public static let builtInLevelNames: [String: GridLevel] = [
        "street": .street, "subdistrict": .street, "街道": .street,
        "community": .community, "社区": .community, "社区网格": .community,
        "courtyard": .courtyard, "楼院": .courtyard, "楼院网格": .courtyard,
        "building": .building, "楼栋": .building, "楼栋网格": .building,
    ]

    func level(named text: String) -> GridLevel? {
        levelAliases[text] ?? Self.builtInLevelNames[text] ?? Self.builtInLevelNames[text.lowercased()]
    }
}

/// The outcome of checking a boundary file: the grids ready to store when there is no defect.
public struct BoundaryCheckResult: Sendable {
    public var layer: GridLayer
    public var crs: CRS
    public var featureCount: Int
    /// Every defect found; the file may be stored only when this is empty.
    public var defects: [Defect]
    /// Checked grids in WGS84 with RFC 7946 orientation; empty when there are defects.
    public var grids: [GridFeature]

    public var isClean: Bool { defects.isEmpty }
}

