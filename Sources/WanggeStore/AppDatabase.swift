import Foundation
import GRDB
import WanggeCore

/// The service's SQLite database: a `DatabasePool` in WAL mode on disk, or an in-memory queue for tests. Creating
/// it runs the migrations.
public struct AppDatabase: Sendable {
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` in WAL mode and migrates it.
    /// - Throws: GRDB's error when the file cannot be opened or migrated.
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // WAL with synchronous=FULL: a committed transaction survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: config)
        try self.init(writer: pool)
    }

    /// An empty in-memory database (tests).
    public static func inMemory() throws -> AppDatabase {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA foreign_keys = ON") }
        return try AppDatabase(writer: DatabaseQueue(configuration: config))
    }

    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// Migrations are named and never edited once landed; add new ones at the end.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-grids") { db in
            try db.execute(sql: """
                CREATE TABLE grid_import (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    layer TEXT NOT NULL CHECK (layer IN ('residential', 'functional', 'industry')),
                    source TEXT NOT NULL,
                    crs TEXT NOT NULL,
                    grid_count INTEGER NOT NULL,
                    imported_at REAL NOT NULL
                );
                CREATE TABLE grid (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    layer TEXT NOT NULL CHECK (layer IN ('residential', 'functional', 'industry')),
                    code TEXT NOT NULL,
                    name TEXT NOT NULL,
                    level TEXT CHECK (level IN ('street', 'community', 'courtyard', 'building')),
                    parent_code TEXT,
                    geometry BLOB NOT NULL,
                    min_lon REAL NOT NULL,
                    min_lat REAL NOT NULL,
                    max_lon REAL NOT NULL,
                    max_lat REAL NOT NULL,
                    area_m2 REAL NOT NULL,
                    properties TEXT NOT NULL DEFAULT '{}',
                    import_id INTEGER NOT NULL REFERENCES grid_import(id),
                    UNIQUE (layer, code)
                );
                CREATE INDEX grid_by_parent ON grid(layer, parent_code);
                CREATE INDEX grid_by_code ON grid(code);
                CREATE VIRTUAL TABLE grid_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);
                """)
        }
        return m
    }
}
