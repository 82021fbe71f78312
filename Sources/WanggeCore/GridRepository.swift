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

/// Where a version of a layer stands: staged (checked and stored, not in use), active (the layer's boundaries now),
/// or retired (was active once; kept with its grids for `?date=` and for going back).
public enum VersionStatus: String, Sendable, Codable, CaseIterable {
    case staged, active, retired
}

/// One import of a layer: a version of that layer's boundaries, valid from its activation until the next one.
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
    public var status: VersionStatus
    /// When the version became the layer's boundaries (seconds since 1970); nil while staged.
    public var validFrom: Double?
    /// When another version replaced it; nil while active (and staged).
    public var validTo: Double?
    /// Whether its grids are kept (false only for versions retired before versions were kept, migration v9).
    public var gridsKept: Bool
    /// The residential layer's levels in this version (the standard ones for overlays).
    public var levels: LevelScheme

    public init(id: Int64, layer: GridLayer, source: String, crs: String, gridCount: Int, importedAt: Double,
                status: VersionStatus = .active, validFrom: Double? = nil, validTo: Double? = nil, gridsKept: Bool = true,
                levels: LevelScheme = .standard) {
        self.id = id; self.layer = layer; self.source = source; self.crs = crs
        self.gridCount = gridCount; self.importedAt = importedAt
        self.status = status; self.validFrom = validFrom; self.validTo = validTo; self.gridsKept = gridsKept
        self.levels = levels
    }

    /// Why a version retired before versions were kept (migration v9) cannot be read or activated.
    public var notKept: WanggeError {
        .conflict("version \(id) of \(layer.rawValue) was retired before versions kept their grids: they are gone; import the file again")
    }

    /// Whether the version was the layer's boundaries at `time` (seconds since 1970): valid from ≤ time < valid to.
    public func isValid(at time: Double) -> Bool {
        guard let from = validFrom, from <= time else { return false }
        return validTo.map { time < $0 } ?? true
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
///
/// Every import is a version of its layer, kept with its grids. The layer's boundaries in use (`grids(in:)` and the
/// other readers) are those of its active version; a staged version waits for `activate`, which retires the active
/// one and puts the staged one in its place in one transaction.
public protocol GridRepository: Sendable {
    /// Stores `grids` as a new version of `layer`, staged (not in use), in one transaction: all land or none do.
    /// `levels`: the residential layer's level names, kept with the version.
    func stageLayer(_ layer: GridLayer, with grids: [GridFeature], levels: LevelScheme, source: String, crs: String) throws -> LayerImport
    /// Makes version `id` its layer's boundaries from `time` (seconds since 1970): the active version is retired
    /// (valid to `time`), the grids in use replaced by the version's, all in one transaction. Activating the active
    /// version changes nothing; a retired one may be activated again (going back).
    /// - Returns: the version as activated.
    /// - Throws: `WanggeError.notFound` for an unknown id, `WanggeError.conflict` for a version whose grids were not
    ///   kept or a time before the active version's start.
    func activate(version id: Int64, at time: Double) throws -> LayerImport
    /// Stores `grids` as a new version of `layer` and activates it at once, in one transaction.
    func replaceLayer(_ layer: GridLayer, with grids: [GridFeature], levels: LevelScheme, source: String, crs: String) throws -> LayerImport
    /// The grids of any version, ordered by level and code.
    func versionGrids(_ id: Int64) throws -> [StoredGrid]
    /// All grids in use, or those of one layer, ordered by layer, level and code.
    func grids(in layer: GridLayer?) throws -> [StoredGrid]
    /// All grids in use in the order of `grids(in: nil)`, with only what the assignment index reads: layer, code,
    /// level, parent, geometry and bounds (name empty, no properties, area 0). Every start reads them.
    func indexGrids() throws -> [StoredGrid]
    /// Grids with this code (one per layer at most).
    func grids(code: String) throws -> [StoredGrid]
    /// The direct children of a residential grid.
    func children(ofResidential code: String) throws -> [StoredGrid]
    /// Counts and areas per layer and level.
    func counts() throws -> [GridCount]
    /// Every version (staged, active and retired), newest first.
    func imports(layer: GridLayer?) throws -> [LayerImport]
    /// A number that changes whenever the grids in use change (an activation, here or in another process).
    func boundaryMark() throws -> Int64
}

extension GridRepository {
    public func indexGrids() throws -> [StoredGrid] { try grids(in: nil) }

    /// Stores grids of the standard levels (or an overlay) as a staged version.
    public func stageLayer(_ layer: GridLayer, with grids: [GridFeature], source: String, crs: String) throws -> LayerImport {
        try stageLayer(layer, with: grids, levels: .standard, source: source, crs: crs)
    }

    /// Stores grids of the standard levels (or an overlay) as a version in use at once.
    public func replaceLayer(_ layer: GridLayer, with grids: [GridFeature], source: String, crs: String) throws -> LayerImport {
        try replaceLayer(layer, with: grids, levels: .standard, source: source, crs: crs)
    }

    /// The version of each layer in use, by layer.
    public func activeVersions() throws -> [GridLayer: LayerImport] {
        var active: [GridLayer: LayerImport] = [:]
        for v in try imports(layer: nil) where v.status == .active { active[v.layer] = v }
        return active
    }

    /// The residential layer's levels now (its active version's; the standard ones before any import).
    public func levelScheme() throws -> LevelScheme {
        try activeVersions()[.residential]?.levels ?? .standard
    }

    /// The version of `layer` in use at `time`, with its grids (`?date=`, reports on the boundaries of a period).
    /// - Throws: `WanggeError.notFound` when the layer had none then, `.conflict` when that version's grids were
    ///   not kept (`LayerImport.notKept`).
    public func keptVersion(of layer: GridLayer, at time: Double) throws -> LayerImport {
        guard let v = try version(of: layer, at: time) else {
            throw WanggeError.notFound("no version of the \(layer.rawValue) layer was in use at \(Timestamp.format(time))")
        }
        guard v.gridsKept else { throw v.notKept }
        return v
    }

    /// The version of `layer` that was in use at `time` (nil: none was).
    public func version(of layer: GridLayer, at time: Double) throws -> LayerImport? {
        try imports(layer: layer).first { $0.isValid(at: time) }
    }

    /// One version by id.
    public func version(_ id: Int64) throws -> LayerImport? {
        try imports(layer: nil).first { $0.id == id }
    }
}

extension StoredGrid {
    /// A checked grid as it would come back from storage (for indexes built straight from a file).
    public init(_ g: GridFeature, id: Int64, importID: Int64 = 0) {
        self.init(id: id, layer: g.layer, code: g.code, name: g.name, level: g.level, parent: g.parent, wkb: g.wkb,
                  bbox: g.bbox, areaM2: g.areaM2, properties: g.properties, importID: importID)
    }
}

/// The time a `date` parameter (lookups, items, reports as of then) stands for.
public enum AsOf {
    /// The instant a `date` parameter names: the end of a calendar day (`2026-11-01`: the versions in use when that
    /// day ended, in the service's zone), or an RFC 3339 time as given.
    public static func instant(_ text: String) -> Double? {
        if CalendarDay.isValid(text), let start = CalendarDay.start(text) {
            let next = CalendarDay.start(CalendarDay.day(start + 36 * 3600)) ?? start + 86400
            return next - 0.001
        }
        return Timestamp.parse(text)
    }
}
