import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: GridRepository {
    public func replaceLayer(_ layer: GridLayer, with grids: [GridFeature], source: String, crs: String) throws -> LayerImport {
        // Rows are built before the transaction so the write lock is held only for the inserts.
        let now = Date().timeIntervalSince1970
        return try writer.write { db in
            try db.execute(sql: "DELETE FROM grid_rtree WHERE id IN (SELECT id FROM grid WHERE layer = ?)", arguments: [layer.rawValue])
            try db.execute(sql: "DELETE FROM grid WHERE layer = ?", arguments: [layer.rawValue])
            var imp = GridImportRecord(id: nil, layer: layer.rawValue, source: source, crs: crs,
                                       gridCount: grids.count, importedAt: now)
            try imp.insert(db)
            let rtree = try db.makeStatement(sql: "INSERT INTO grid_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)")
            for g in grids {
                precondition(g.layer == layer, "grid \(g.code) belongs to layer \(g.layer), not \(layer)")
                var r = GridRecord(g, importID: imp.id!)
                try r.insert(db)
                try rtree.execute(arguments: [r.id, r.minLon, r.maxLon, r.minLat, r.maxLat])
            }
            return imp.value
        }
    }

    static let gridOrderSQL = "layer, CASE level WHEN 'street' THEN 0 WHEN 'community' THEN 1 WHEN 'courtyard' THEN 2 WHEN 'building' THEN 3 ELSE 4 END, code"
    static let gridOrder = SQL(sql: gridOrderSQL)

    public func grids(in layer: GridLayer?) throws -> [StoredGrid] {
        try writer.read { db in
            var req = GridRecord.all()
            if let layer { req = req.filter(GridRecord.Columns.layer == layer.rawValue) }
            return try req.order(Self.gridOrder).fetchAll(db).map(\.stored)
        }
    }

    public func grids(code: String) throws -> [StoredGrid] {
        try writer.read { db in
            try GridRecord.filter(GridRecord.Columns.code == code).order(Self.gridOrder).fetchAll(db).map(\.stored)
        }
    }

    public func children(ofResidential code: String) throws -> [StoredGrid] {
        try writer.read { db in
            try GridRecord
                .filter(GridRecord.Columns.layer == GridLayer.residential.rawValue && GridRecord.Columns.parentCode == code)
                .order(GridRecord.Columns.code).fetchAll(db).map(\.stored)
        }
    }

    public func counts() throws -> [GridCount] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT layer, level, count(*) AS n, total(area_m2) AS area FROM grid GROUP BY layer, level
                ORDER BY layer, CASE level WHEN 'street' THEN 0 WHEN 'community' THEN 1 WHEN 'courtyard' THEN 2 WHEN 'building' THEN 3 ELSE 4 END
                """)
            return rows.map { r in
                GridCount(layer: GridLayer(rawValue: r["layer"]) ?? .residential,
                          level: (r["level"] as String?).flatMap(GridLevel.init(rawValue:)),
                          count: r["n"], areaM2: r["area"])
            }
        }
    }

    public func imports(layer: GridLayer?) throws -> [LayerImport] {
        try writer.read { db in
            var req = GridImportRecord.all()
            if let layer { req = req.filter(GridImportRecord.Columns.layer == layer.rawValue) }
            return try req.order(GridImportRecord.Columns.id.desc).fetchAll(db).map(\.value)
        }
    }
}
