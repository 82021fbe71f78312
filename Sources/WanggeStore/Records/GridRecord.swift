import Foundation
import GRDB
import WanggeCore

/// A row of `grid`.
struct GridRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "grid"

    var id: Int64?
    var layer: String
    var code: String
    var name: String
    var level: String?
    var levelRank: Int?
    var parentCode: String?
    var geometry: Data
    var minLon: Double
    var minLat: Double
    var maxLon: Double
    var maxLat: Double
    var areaM2: Double
    var properties: String
    var importId: Int64

    enum CodingKeys: String, CodingKey {
        case id, layer, code, name, level, geometry, properties
        case parentCode = "parent_code"
        case levelRank = "level_rank"
        case minLon = "min_lon", minLat = "min_lat", maxLon = "max_lon", maxLat = "max_lat"
        case areaM2 = "area_m2"
        case importId = "import_id"
    }

    enum Columns {
        static let layer = Column(CodingKeys.layer)
        static let code = Column(CodingKeys.code)
        static let level = Column(CodingKeys.level)
        static let parentCode = Column(CodingKeys.parentCode)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    init(_ g: GridFeature, importID: Int64) {
        layer = g.layer.rawValue
        code = g.code
        name = g.name
        level = g.level?.name
        levelRank = g.level?.rank
        parentCode = g.parent
        geometry = Data(g.wkb)
        minLon = g.bbox.minX; minLat = g.bbox.minY; maxLon = g.bbox.maxX; maxLat = g.bbox.maxY
        areaM2 = g.areaM2
        var w = GeoJSONWriter()
        w.appendObject(g.properties)
        properties = String(decoding: w.bytes, as: UTF8.self)
        importId = importID
    }

    /// A level from its stored name and rank.
    static func level(_ name: String?, _ rank: Int?) -> GridLevel? {
        guard let name, let rank else { return nil }
        return GridLevel(rank: rank, name: name)
    }

    var stored: StoredGrid {
        StoredGrid(id: id ?? 0, layer: GridLayer(rawValue: layer) ?? .residential, code: code, name: name,
                   level: Self.level(level, levelRank), parent: parentCode, wkb: [UInt8](geometry),
                   bbox: BoundingBox(minX: minLon, minY: minLat, maxX: maxLon, maxY: maxLat), areaM2: areaM2,
                   properties: (try? JSONValue.parse(properties))?.objectValue ?? JSONObject(), importID: importId)
    }
}
