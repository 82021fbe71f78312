/// A grid as stored: its geometry stays WKB until a geometry worker decodes it.
public struct StoredGrid: Sendable, Equatable {
    public var id: Int64
    public var layer: GridLayer
    public var code: String
    public var name: String
    public var level: GridLevel?
    public var parent: String?
    /// ISO WKB, WGS84 lon/lat, RFC 7946 ring orientation.
    public var wkb: [UInt8]
    public var bbox: BoundingBox
    public var areaM2: Double
    public var properties: JSONObject
    public var importID: Int64

    public init(id: Int64, layer: GridLayer, code: String, name: String, level: GridLevel?, parent: String?,
                wkb: [UInt8], bbox: BoundingBox, areaM2: Double, properties: JSONObject, importID: Int64) {
        self.id = id; self.layer = layer; self.code = code; self.name = name; self.level = level
        self.parent = parent; self.wkb = wkb; self.bbox = bbox; self.areaM2 = areaM2
        self.properties = properties; self.importID = importID
    }
}

/// One landed import of a layer: a version of that layer's boundaries.
public struct LayerImport: Sendable, Equatable {
    public var id: Int64
    public var layer: GridLayer
    /// Where the boundaries came from (a file name, an upload).
    public var source: String
    /// The CRS the source was in (they are stored in WGS84).
    public var crs: String
    public var gridCount: Int
    /// Seconds since 1970, UTC.
    public var importedAt: Double

    public init(id: Int64, layer: GridLayer, source: String, crs: String, gridCount: Int, importedAt: Double) {
        self.id = id; self.layer = layer; self.source = source; self.crs = crs
        self.gridCount = gridCount; self.importedAt = importedAt
    }
}

/// How many grids a layer (and level) holds, and their total area.
public struct GridCount: Sendable, Equatable {
    public var layer: GridLayer
    public var level: GridLevel?
    public var count: Int
    public var areaM2: Double

    public init(layer: GridLayer, level: GridLevel?, count: Int, areaM2: Double) {
        self.layer = layer; self.level = level; self.count = count; self.areaM2 = areaM2
    }
}

/// Where grid boundaries are kept. SQLite is the embedded implementation; a PostGIS one can stand behind the same
/// protocol.
public protocol GridRepository: Sendable {
    /// Replaces every grid of `layer` with `grids`, in one transaction: all land or none do.
    func replaceLayer(_ layer: GridLayer, with grids: [GridFeature], source: String, crs: String) throws -> LayerImport
    /// All grids, or those of one layer, ordered by layer, level and code.
    func grids(in layer: GridLayer?) throws -> [StoredGrid]
    /// Grids with this code (one per layer at most).
    func grids(code: String) throws -> [StoredGrid]
    /// The direct children of a residential grid.
    func children(ofResidential code: String) throws -> [StoredGrid]
    /// Counts and areas per layer and level.
    func counts() throws -> [GridCount]
    /// The imports that landed, newest first.
    func imports(layer: GridLayer?) throws -> [LayerImport]
}

extension StoredGrid {
    /// A checked grid as it would come back from storage (for indexes built straight from a file).
    public init(_ g: GridFeature, id: Int64, importID: Int64 = 0) {
        self.init(id: id, layer: g.layer, code: g.code, name: g.name, level: g.level, parent: g.parent, wkb: g.wkb,
                  bbox: g.bbox, areaM2: g.areaM2, properties: g.properties, importID: importID)
    }
}
