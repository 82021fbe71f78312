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

    enum CodingKeys: String, CodingKey {
        case id, layer, source, crs
        case gridCount = "grid_count"
        case importedAt = "imported_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let layer = Column(CodingKeys.layer)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var value: LayerImport {
        LayerImport(id: id ?? 0, layer: GridLayer(rawValue: layer) ?? .residential, source: source, crs: crs,
                    gridCount: gridCount, importedAt: importedAt)
    }
}
