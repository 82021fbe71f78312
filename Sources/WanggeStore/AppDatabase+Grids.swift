import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: GridRepository {
    public func stageLayer(_ layer: GridLayer, with grids: [GridFeature], levels: LevelScheme, source: String,
                           crs: String) throws -> LayerImport {
        let rows = Self.versionRows(layer, grids)  // built before the transaction: the write lock is held only for the inserts
        let now = Date().timeIntervalSince1970
        return try writer.write { db in
            try Self.insertVersion(db, layer, rows, levels: levels, source: source, crs: crs, at: now).value
        }
    }

    public func replaceLayer(_ layer: GridLayer, with grids: [GridFeature], levels: LevelScheme, source: String,
                             crs: String) throws -> LayerImport {
        let rows = Self.versionRows(layer, grids)
        let now = Date().timeIntervalSince1970
        return try writer.write { db in
            let staged = try Self.insertVersion(db, layer, rows, levels: levels, source: source, crs: crs, at: now)
            return try Self.activate(db, staged, at: now)
        }
    }

    public func activate(version id: Int64, at time: Double) throws -> LayerImport {
        try writer.write { db in
            guard let version = try GridImportRecord.fetchOne(db, key: id) else {
                throw WanggeError.notFound("no boundary version \(id)")
            }
            return try Self.activate(db, version, at: time)
        }
    }

    static func versionRows(_ layer: GridLayer, _ grids: [GridFeature]) -> [GridRecord] {
        grids.map { g in
            precondition(g.layer == layer, "grid \(g.code) belongs to layer \(g.layer), not \(layer)")
            return GridRecord(g, importID: 0)
        }
    }

    static func insertVersion(_ db: Database, _ layer: GridLayer, _ rows: [GridRecord], levels: LevelScheme, source: String,
                              crs: String, at time: Double) throws -> GridImportRecord {
        precondition(layer == .residential || levels.isStandard, "only the residential layer has levels")
        var imp = GridImportRecord(id: nil, layer: layer.rawValue, source: source, crs: crs, gridCount: rows.count, importedAt: time)
        imp.levels = levels.stored
        try imp.insert(db)
        let insert = try db.makeStatement(sql: """
            INSERT INTO grid_version (import_id, seq, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat,
                                      max_lon, max_lat, area_m2, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (seq, r) in rows.enumerated() {
            try insert.execute(arguments: [imp.id, seq, r.code, r.name, r.level, r.levelRank, r.parentCode, r.geometry, r.minLon,
                                           r.minLat, r.maxLon, r.maxLat, r.areaM2, r.properties])
        }
        return imp
    }

    /// Retires the layer's active version and puts `version`'s grids in use, inside the caller's transaction.
    static func activate(_ db: Database, _ version: GridImportRecord, at time: Double) throws -> LayerImport {
        var version = version
        let id = version.id!
        if version.status == VersionStatus.active.rawValue { return version.value }
        guard version.gridsKept else { throw version.value.notKept }
        let layer = version.layer
        if let active = try GridImportRecord.filter(GridImportRecord.Columns.layer == layer && GridImportRecord.Columns.status == VersionStatus.active.rawValue).fetchOne(db) {
            if let from = active.validFrom, time < from {
                throw WanggeError.conflict("version \(active.id!) of \(layer) is in use from \(Timestamp.format(from)); another cannot start before that")
            }
            try db.execute(sql: "UPDATE grid_import SET status = 'retired', valid_to = ? WHERE id = ?", arguments: [time, active.id])
        }
        let number = try Int64.fetchOne(db, sql: "SELECT coalesce(max(activation), 0) + 1 FROM grid_import") ?? 1
        if version.status == VersionStatus.retired.rawValue {
            // Going back: a retired version keeps its one period of validity, so its grids come back as a new version
            // (the same rows, a new id) valid from now.
            var copy = GridImportRecord(id: nil, layer: layer, source: "\(version.source) (again, from version \(id))",
                                        crs: version.crs, gridCount: version.gridCount, importedAt: time)
            copy.levels = version.levels
            try copy.insert(db)
            try db.execute(sql: """
                INSERT INTO grid_version (import_id, seq, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat,
                                          max_lon, max_lat, area_m2, properties)
                SELECT ?, seq, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat, max_lon, max_lat,
                       area_m2, properties FROM grid_version WHERE import_id = ?
                """, arguments: [copy.id, id])
            version = copy
        }
        version.status = VersionStatus.active.rawValue
        version.validFrom = time
        version.validTo = nil
        version.activation = number
        try version.update(db)
        try db.execute(sql: "DELETE FROM grid_rtree WHERE id IN (SELECT id FROM grid WHERE layer = ?)", arguments: [layer])
        try db.execute(sql: "DELETE FROM grid WHERE layer = ?", arguments: [layer])
        try db.execute(sql: """
            INSERT INTO grid (layer, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat, max_lon, max_lat,
                              area_m2, properties, import_id)
            SELECT ?, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat, max_lon, max_lat, area_m2, properties,
                   import_id FROM grid_version WHERE import_id = ? ORDER BY seq
            """, arguments: [layer, version.id])
        try db.execute(sql: """
            INSERT INTO grid_rtree (id, min_lon, max_lon, min_lat, max_lat)
            SELECT id, min_lon, max_lon, min_lat, max_lat FROM grid WHERE layer = ?
            """, arguments: [layer])
        return version.value
    }

    public func versionGrids(_ id: Int64) throws -> [StoredGrid] {
        try writer.read { db in
            guard let version = try GridImportRecord.fetchOne(db, key: id) else {
                throw WanggeError.notFound("no boundary version \(id)")
            }
            let layer = GridLayer(rawValue: version.layer) ?? .residential
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat, max_lon, max_lat, area_m2,
                       properties
                FROM grid_version WHERE import_id = ? ORDER BY coalesce(level_rank, 1000), code
                """, arguments: [id])
            return rows.map { r in
                StoredGrid(id: r["seq"], layer: layer, code: r["code"], name: r["name"],
                           level: GridRecord.level(r["level"], r["level_rank"]), parent: r["parent_code"],
                           wkb: [UInt8](r["geometry"] as Data),
                           bbox: BoundingBox(minX: r["min_lon"], minY: r["min_lat"], maxX: r["max_lon"], maxY: r["max_lat"]),
                           areaM2: r["area_m2"],
                           properties: (try? JSONValue.parse(r["properties"] as String))?.objectValue ?? JSONObject(),
                           importID: id)
            }
        }
    }

    public func boundaryMark() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(activation), 0) FROM grid_import") ?? 0 }
    }

    static let gridOrderSQL = "layer, coalesce(level_rank, 1000), code"
    static let gridOrder = SQL(sql: gridOrderSQL)

    public func grids(in layer: GridLayer?) throws -> [StoredGrid] {
        try writer.read { db in
            var req = GridRecord.all()
            if let layer { req = req.filter(GridRecord.Columns.layer == layer.rawValue) }
            return try req.order(Self.gridOrder).fetchAll(db).map(\.stored)
        }
    }

    public func indexGrids() throws -> [StoredGrid] {
        // Read by column from the statement: decoding each row as a record (Codable, by column name) and parsing its
        // properties was a quarter of a cold start on the 14,740-grid city.
        var out: [StoredGrid] = []
        try forEachRawRow(sql: """
            SELECT id, layer, code, level, level_rank, parent_code, geometry, min_lon, min_lat, max_lon, max_lat, import_id
            FROM grid ORDER BY \(Self.gridOrderSQL)
            """, arguments: []) { r in
            out.append(StoredGrid(id: r.id, layer: r.choice(1, GridLayer.self) ?? .residential, code: r.string(2) ?? "", name: "",
                                  level: GridRecord.level(r.string(3), r.isNull(4) ? nil : r.int(4)), parent: r.string(5), wkb: r.bytes(6),
                                  bbox: BoundingBox(minX: r.double(7), minY: r.double(8), maxX: r.double(9), maxY: r.double(10)),
                                  areaM2: 0, properties: JSONObject(), importID: Int64(r.int(11))))
        }
        return out
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
                SELECT layer, level, level_rank, count(*) AS n, total(area_m2) AS area FROM grid GROUP BY layer, level, level_rank
                ORDER BY layer, coalesce(level_rank, 1000)
                """)
            return rows.map { r in
                GridCount(layer: GridLayer(rawValue: r["layer"]) ?? .residential,
                          level: GridRecord.level(r["level"], r["level_rank"]),
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
