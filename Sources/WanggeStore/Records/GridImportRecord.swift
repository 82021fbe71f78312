import Foundation
import GRDB
import WanggeCore

/// A row of `grid_import`.
struct GridImportRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "grid_import"
    var id: Int64?
    var layer: String
    var source: String
    var crs: String
    var gridCount: Int
    var importedAt: Double
    var status: String = VersionStatus.staged.rawValue
    var validFrom: Double?
    var validTo: Double?
    /// The activation's number (the latest activation has the largest); nil while staged.
    var activation: Int64?
    var gridsKept = true
    /// The residential layer's level names as a JSON array; nil for the standard ones (and overlays).
    var levels: String?

    enum CodingKeys: String, CodingKey {
        case id, layer, source, crs, status, activation, levels
        case gridCount = "grid_count"
        case importedAt = "imported_at"
        case validFrom = "valid_from", validTo = "valid_to"
        case gridsKept = "grids_kept"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let layer = Column(CodingKeys.layer)
        static let status = Column(CodingKeys.status)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var value: LayerImport {
        LayerImport(id: id ?? 0, layer: GridLayer(rawValue: layer) ?? .residential, source: source, crs: crs,
                    gridCount: gridCount, importedAt: importedAt, status: VersionStatus(rawValue: status) ?? .staged,
                    validFrom: validFrom, validTo: validTo, gridsKept: gridsKept,
                    levels: LevelScheme.stored(levels))
    }
}
