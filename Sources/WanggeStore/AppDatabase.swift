import Foundation
public import GRDB
public import WanggeCore

/// The service's SQLite database: a `DatabasePool` in WAL mode on disk, or an in-memory queue for tests. Creating
/// it runs the migrations.
public struct AppDatabase: Sendable, StorageMaintenance {
    public let writer: any DatabaseWriter
    /// A separate connection that copies the WAL back into the database file (on-disk databases only).
    let checkpointer: DatabaseQueue?
    /// Connections of the store's own for the hottest one-statement reads (on-disk databases the service writes).
    let hot: HotReaders?
    /// The events' points in memory for one-box map pages (the service's store; nil for a read-only CLI store).
    let points: EventPointIndex?

    /// Opens (creating if needed) the database at `path` in WAL mode and migrates it.
    /// - Throws: GRDB's error when the file cannot be opened or migrated.
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        // Requests read on the cooperative pool's threads, one per core: more readers than that would only add
        // page caches (each connection keeps its own).
        config.maximumReaderCount = max(2, ProcessInfo.processInfo.activeProcessorCount)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            FilterSQL.addFunctions(db)
            // WAL with synchronous=FULL: a committed transaction survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Checkpoints normally run on a connection of their own (checkpoint()), so commits do not pay for them;
            // this larger automatic threshold is only the fallback if that stops.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16000")
            // A page cache of 4 MB per connection (SQLite's default is 2 MB), kept between read transactions while
            // the file is unchanged: hot pages are not copied in again through pread(2) on every request.
            try db.execute(sql: "PRAGMA cache_size = -4096")
        }
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
        var checkpointConfig = Configuration()
        checkpointConfig.busyMode = .timeout(10)
        self.writer = pool
        self.checkpointer = try DatabaseQueue(path: path, configuration: checkpointConfig)
        self.hot = HotReaders(path: path)
        self.points = EventPointIndex()
    }

    /// Opens an existing database only to read it (commands that change nothing: `assign`, `lookup`, `export`):
    /// the file is not touched, and a database that is missing or needs migrating is an error that says so.
    /// - Throws: `WanggeError.notFound` for no file, `WanggeError.invalidInput` for a schema this build must
    ///   migrate first, or GRDB's error.
    public init(readingFrom path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WanggeError.notFound("no database at \(path) (give --db or set WANGGE_DB)")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in FilterSQL.addFunctions(db) }
        let pool = try DatabasePool(path: path, configuration: config)
        guard try pool.read({ try Self.migrator.hasCompletedMigrations($0) }) else {
            throw WanggeError.invalidInput("the database at \(path) was made by an earlier version of Wangge and must be migrated first")
        }
        self.writer = pool
        self.checkpointer = nil
        self.hot = nil
        self.points = nil
    }

    /// `init(readingFrom:)`, after migrating a database an earlier version made (the one time the file changes);
    /// `migrated` says whether it had to.
    public static func openForReading(_ path: String) throws -> (database: AppDatabase, migrated: Bool) {
        do {
            return (try AppDatabase(readingFrom: path), false)
        } catch WanggeError.invalidInput {
            _ = try AppDatabase(path: path)
            return (try AppDatabase(readingFrom: path), true)
        }
    }

    /// An empty in-memory database (tests).
    public static func inMemory() throws -> AppDatabase {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            FilterSQL.addFunctions(db)
        }
        return try AppDatabase(writer: DatabaseQueue(configuration: config))
    }

    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        self.checkpointer = nil
        self.hot = nil
        self.points = EventPointIndex()
        try Self.migrator.migrate(writer)
    }

    /// Copies committed WAL frames into the database file from a connection other than the writer (SQLite's
    /// PASSIVE checkpoint waits for no one and blocks no one), so intake commits never stall on a checkpoint.
    /// A no-op for in-memory databases.
    public func checkpoint() throws {
        do {
            try checkpointer?.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY {
            // Another checkpoint is running (the writer's automatic fallback): nothing to do this round.
        }
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
        m.registerMigration("v2-events") { db in
            try db.execute(sql: """
                CREATE TABLE department (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_en TEXT NOT NULL,
                    phone TEXT NOT NULL DEFAULT ''
                );
                CREATE TABLE event_type (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_en TEXT NOT NULL,
                    category TEXT NOT NULL,
                    default_department TEXT NOT NULL REFERENCES department(code)
                );
                CREATE TABLE api_token (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'gis', 'reporter', 'dispatcher', 'department', 'viewer')),
                    department TEXT REFERENCES department(code),
                    token_hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    revoked_at REAL,
                    CHECK ((role = 'department') = (department IS NOT NULL))
                );
                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL REFERENCES event_type(code),
                    severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
                    status TEXT NOT NULL,
                    lon REAL NOT NULL,
                    lat REAL NOT NULL,
                    input_crs TEXT NOT NULL,
                    input_x REAL NOT NULL,
                    input_y REAL NOT NULL,
                    description TEXT NOT NULL,
                    reporter_name TEXT NOT NULL,
                    reporter_phone TEXT NOT NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('grid_station', 'hotline', 'web', 'reception')),
                    occurred_at REAL NOT NULL,
                    reported_at REAL NOT NULL,
                    match TEXT NOT NULL,
                    street TEXT,
                    community TEXT,
                    courtyard TEXT,
                    building TEXT,
                    functional TEXT NOT NULL DEFAULT '',
                    industry TEXT NOT NULL DEFAULT '',
                    touching TEXT NOT NULL DEFAULT '',
                    outside INTEGER NOT NULL,
                    department TEXT REFERENCES department(code),
                    submitted_by INTEGER REFERENCES api_token(id),
                    version INTEGER NOT NULL DEFAULT 1
                );
                CREATE INDEX event_by_status ON event(status, id);
                CREATE INDEX event_by_occurred ON event(occurred_at);
                CREATE INDEX event_by_submitter ON event(submitted_by, id);
                CREATE INDEX event_by_department ON event(department, id);
                -- event_grid and event_rtree are filled behind intake, in large batches (see indexPendingEvents):
                -- events above indexed_upto are found by scanning their own columns instead.
                CREATE TABLE event_index_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    indexed_upto INTEGER NOT NULL
                );
                INSERT INTO event_index_state (id, indexed_upto) VALUES (1, 0);
                CREATE TABLE event_grid (
                    grid_code TEXT NOT NULL,
                    event_id INTEGER NOT NULL REFERENCES event(id),
                    PRIMARY KEY (grid_code, event_id)
                ) WITHOUT ROWID;
                CREATE VIRTUAL TABLE event_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);
                CREATE TABLE event_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id INTEGER NOT NULL REFERENCES event(id),
                    at REAL NOT NULL,
                    actor_token INTEGER REFERENCES api_token(id),
                    actor_name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    action TEXT NOT NULL,
                    from_status TEXT,
                    to_status TEXT NOT NULL,
                    note TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX event_history_by_event ON event_history(event_id, id);
                CREATE TABLE idempotency (
                    token_id INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    event_id INTEGER REFERENCES event(id),
                    created_at REAL NOT NULL,
                    PRIMARY KEY (token_id, key)
                );
                """)
        }
        m.registerMigration("v3-closed-loop") { db in
            try db.execute(sql: """
                -- The closed loop's state (WorkflowState as JSON; NULL means "as reported"), and the current
                -- phase's deadline for early warnings.
                ALTER TABLE event ADD COLUMN workflow TEXT;
                ALTER TABLE event ADD COLUMN due_at REAL;
                CREATE INDEX event_by_due ON event(due_at) WHERE due_at IS NOT NULL;
                -- Configuration documents (service levels, routing), as JSON.
                CREATE TABLE setting (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v4-report-columns") { db in
            // The closed loop's times and outcome as plain columns, so reports read them without decoding each
            // event's workflow JSON (a million decodes would take seconds); kept in step by save(). Events that
            // already went through the loop get them from their workflow JSON; the lateness of a resolution made
            // before that member existed is worked out from the service levels stored then, as the loop does:
            // due = dispatched + (resolve hours for the type and severity + extension hours) × 3600 + paused time.
            // Frozen SQL: it must mean the same whatever the application code becomes.
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN accepted_at REAL;
                ALTER TABLE event ADD COLUMN resolved_at REAL;
                ALTER TABLE event ADD COLUMN resolved_late_hours REAL;
                ALTER TABLE event ADD COLUMN closed_at REAL;
                ALTER TABLE event ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE event ADD COLUMN reworks INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE event ADD COLUMN returns INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE event ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE event ADD COLUMN satisfaction TEXT;
                ALTER TABLE event ADD COLUMN rating TEXT;
                CREATE INDEX event_by_reported ON event(reported_at);
                UPDATE event SET
                    accepted_at = json_extract(workflow, '$.accepted_at'),
                    resolved_at = json_extract(workflow, '$.resolved_at'),
                    closed_at = json_extract(workflow, '$.closed_at'),
                    suspended = json_extract(workflow, '$.suspended_since') IS NOT NULL,
                    reworks = coalesce(json_extract(workflow, '$.reworks'), 0),
                    returns = coalesce(json_extract(workflow, '$.returns'), 0),
                    extensions = coalesce(json_extract(workflow, '$.extensions'), 0),
                    satisfaction = json_extract(workflow, '$.satisfaction'),
                    rating = coalesce(json_extract(workflow, '$.rating_override'), json_extract(workflow, '$.rating')),
                    resolved_late_hours = coalesce(json_extract(workflow, '$.resolved_late_hours'), CASE
                        WHEN json_extract(workflow, '$.resolved_at') IS NOT NULL AND json_extract(workflow, '$.dispatched_at') IS NOT NULL
                        THEN max(0, json_extract(workflow, '$.resolved_at') - (
                            json_extract(workflow, '$.dispatched_at')
                            + (coalesce(
                                  (SELECT json_extract(value, '$.types."' || json_extract(event.workflow, '$.type') || '"."'
                                                               || json_extract(event.workflow, '$.severity') || '".resolve_hours')
                                   FROM setting WHERE key = 'sla'),
                                  (SELECT json_extract(value, '$.defaults."' || json_extract(event.workflow, '$.severity') || '".resolve_hours')
                                   FROM setting WHERE key = 'sla'),
                                  168)
                               + coalesce(json_extract(workflow, '$.extension_hours'), 0)) * 3600
                            + coalesce(json_extract(workflow, '$.paused_seconds'), 0)
                            + CASE WHEN json_extract(workflow, '$.suspended_since') IS NOT NULL
                                   THEN max(0, json_extract(workflow, '$.resolved_at') - json_extract(workflow, '$.suspended_since'))
                                   ELSE 0 END)) / 3600.0
                        END)
                WHERE workflow IS NOT NULL;
                """)
        }
        m.registerMigration("v5-reporter-email-media") { db in
            // Open311 clients send an email and a picture's URL with a report; both are kept as sent.
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN reporter_email TEXT NOT NULL DEFAULT '';
                ALTER TABLE event ADD COLUMN media_url TEXT;
                """)
        }
        m.registerMigration("v6-duplicate-of") { db in
            // A report merged into another as the same problem: reports count the pair once.
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN duplicate_of INTEGER REFERENCES event(id);
                CREATE INDEX event_by_duplicate_of ON event(duplicate_of) WHERE duplicate_of IS NOT NULL;
                """)
        }
        m.registerMigration("v7-community") { db in
            // The people and organisations on the grids (人 and 组织 of 人地物事组织舆情): staff and their
            // appointments, units as assigned points, the party organisation with member counts (never who the
            // members are), themes, joint-building links and activities. Grid codes are not foreign keys: a
            // boundary import replaces the grid rows, and a roster must survive it (vacancies show what no longer
            // fits).
            try db.execute(sql: """
                CREATE TABLE person (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    phone TEXT
                );
                CREATE TABLE appointment (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    person_id TEXT NOT NULL REFERENCES person(id),
                    grid_code TEXT NOT NULL,
                    role TEXT NOT NULL,
                    valid_from TEXT,
                    valid_to TEXT
                );
                CREATE INDEX appointment_by_grid ON appointment(grid_code, role);
                CREATE INDEX appointment_by_person ON appointment(person_id);
                CREATE TABLE organisation (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('public_institution', 'private_firm', 'social_organisation')),
                    category TEXT NOT NULL,
                    contact TEXT,
                    phone TEXT,
                    lon REAL NOT NULL,
                    lat REAL NOT NULL,
                    assignment TEXT
                );
                CREATE TABLE organisation_move (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    organisation_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    layer TEXT NOT NULL,
                    from_codes TEXT NOT NULL,
                    to_codes TEXT NOT NULL
                );
                CREATE TABLE party_unit (
                    grid_code TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('working_committee', 'general_branch', 'branch', 'group')),
                    name TEXT NOT NULL
                );
                CREATE TABLE party_members (
                    grid_code TEXT NOT NULL,
                    category TEXT NOT NULL CHECK (category IN ('direct', 'in_service', 'retired', 'floating')),
                    count INTEGER NOT NULL CHECK (count >= 0),
                    PRIMARY KEY (grid_code, category)
                ) WITHOUT ROWID;
                CREATE TABLE grid_theme (
                    grid_code TEXT PRIMARY KEY,
                    theme TEXT NOT NULL,
                    name TEXT
                );
                CREATE TABLE joint_link (
                    grid_code TEXT NOT NULL,
                    organisation_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    PRIMARY KEY (grid_code, organisation_id, type)
                ) WITHOUT ROWID;
                CREATE TABLE joint_activity (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    day TEXT NOT NULL,
                    title TEXT NOT NULL,
                    type TEXT NOT NULL,
                    scale TEXT NOT NULL CHECK (scale IN ('small', 'medium', 'large')),
                    participants INTEGER NOT NULL CHECK (participants >= 0),
                    grids TEXT NOT NULL,
                    organisations TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX joint_activity_by_day ON joint_activity(day);
                """)
        }
        m.registerMigration("v8-audit") { db in
            // Administrative actions (tokens, imports, replaced documents, backups, restores), append-only: the
            // triggers refuse any change to an entry or its removal, whoever asks.
            try db.execute(sql: """
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor_token INTEGER,
                    actor_name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX audit_by_action ON audit(action, id);
                CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        m.registerMigration("v9-versions") { db in
            // Boundaries as versions (issue 12): every import is kept with its grids in grid_version; grid holds the
            // active version's grids of each layer, so every reader of the boundaries in use is unchanged. A version
            // is staged, active (valid_from set, valid_to NULL) or retired (both set); activation numbers every
            // activation, and their maximum tells another process that the grids in use changed. The imports before
            // this migration: the newest of each layer is active since it was imported; older ones are retired
            // without their grids (they were replaced, not kept).
            try db.execute(sql: """
                ALTER TABLE grid_import ADD COLUMN status TEXT NOT NULL DEFAULT 'staged' CHECK (status IN ('staged', 'active', 'retired'));
                ALTER TABLE grid_import ADD COLUMN valid_from REAL;
                ALTER TABLE grid_import ADD COLUMN valid_to REAL;
                ALTER TABLE grid_import ADD COLUMN activation INTEGER;
                ALTER TABLE grid_import ADD COLUMN grids_kept INTEGER NOT NULL DEFAULT 1;
                CREATE TABLE grid_version (
                    import_id INTEGER NOT NULL REFERENCES grid_import(id),
                    seq INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    name TEXT NOT NULL,
                    level TEXT,
                    parent_code TEXT,
                    geometry BLOB NOT NULL,
                    min_lon REAL NOT NULL,
                    min_lat REAL NOT NULL,
                    max_lon REAL NOT NULL,
                    max_lat REAL NOT NULL,
                    area_m2 REAL NOT NULL,
                    properties TEXT NOT NULL DEFAULT '{}',
                    PRIMARY KEY (import_id, seq),
                    UNIQUE (import_id, code)
                );
                CREATE UNIQUE INDEX one_active_version ON grid_import(layer) WHERE status = 'active';
                -- The boundary mark of the index that assigned an event: with the activation numbers it names the
                -- version of each layer the event was assigned with (NULL for events stored before this).
                ALTER TABLE event ADD COLUMN boundary_mark INTEGER;
                UPDATE grid_import SET status = 'active', valid_from = imported_at, activation = id
                    WHERE id IN (SELECT max(id) FROM grid_import GROUP BY layer);
                UPDATE grid_import SET status = 'retired', valid_from = imported_at, activation = id, grids_kept = 0,
                    valid_to = (SELECT min(n.imported_at) FROM grid_import n WHERE n.layer = grid_import.layer AND n.id > grid_import.id)
                    WHERE status = 'staged';
                INSERT INTO grid_version (import_id, seq, code, name, level, parent_code, geometry, min_lon, min_lat, max_lon,
                                          max_lat, area_m2, properties)
                    SELECT import_id, id, code, name, level, parent_code, geometry, min_lon, min_lat, max_lon, max_lat, area_m2,
                           properties FROM grid;
                """)
        }
        m.registerMigration("v10-level-schemes") { db in
            // Any hierarchy (issue 12): a residential version keeps its ordered level names (NULL: street, community,
            // courtyard, building); a grid's level is a name of its version's scheme and its rank (0 at the top), so
            // readers order and compare levels without the scheme. `grid` is rebuilt to drop v1's CHECK on the four
            // names (same ids: grid_rtree keeps pointing at the same rows). An event keeps its levels' codes by rank:
            // the four columns street … building hold ranks 0 … 3 whatever the levels are called, `lower_levels` the
            // codes of ranks 4 and below (a JSON array, top first, null for none at a level; NULL without such levels). Readers name them by the
            // layer's scheme now, so every event of a collection has the same members.
            try db.execute(sql: """
                ALTER TABLE grid_import ADD COLUMN levels TEXT;
                CREATE TABLE grid_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    layer TEXT NOT NULL CHECK (layer IN ('residential', 'functional', 'industry')),
                    code TEXT NOT NULL,
                    name TEXT NOT NULL,
                    level TEXT,
                    level_rank INTEGER,
                    parent_code TEXT,
                    geometry BLOB NOT NULL,
                    min_lon REAL NOT NULL,
                    min_lat REAL NOT NULL,
                    max_lon REAL NOT NULL,
                    max_lat REAL NOT NULL,
                    area_m2 REAL NOT NULL,
                    properties TEXT NOT NULL DEFAULT '{}',
                    import_id INTEGER NOT NULL REFERENCES grid_import(id),
                    UNIQUE (layer, code),
                    CHECK ((level IS NULL) = (level_rank IS NULL))
                );
                INSERT INTO grid_new (id, layer, code, name, level, level_rank, parent_code, geometry, min_lon, min_lat,
                                      max_lon, max_lat, area_m2, properties, import_id)
                    SELECT id, layer, code, name, level,
                           CASE level WHEN 'street' THEN 0 WHEN 'community' THEN 1 WHEN 'courtyard' THEN 2 WHEN 'building' THEN 3 END,
                           parent_code, geometry, min_lon, min_lat, max_lon, max_lat, area_m2, properties, import_id FROM grid;
                DROP TABLE grid;
                ALTER TABLE grid_new RENAME TO grid;
                CREATE INDEX grid_by_parent ON grid(layer, parent_code);
                CREATE INDEX grid_by_code ON grid(code);
                ALTER TABLE grid_version ADD COLUMN level_rank INTEGER;
                UPDATE grid_version SET level_rank =
                    CASE level WHEN 'street' THEN 0 WHEN 'community' THEN 1 WHEN 'courtyard' THEN 2 WHEN 'building' THEN 3 END;
                ALTER TABLE event ADD COLUMN lower_levels TEXT;
                """)
        }
        m.registerMigration("v11-standard-classes") { db in
            // Issue 17: an event type may be filed under a class of GB/T 30428.2 (`event:0102`), whose time limit its
            // deadlines take. The class tree and the working calendar are settings (`categories`, `calendar`). An event
            // may be parked (挂账): reports read it from `parked`, as they read `suspended`.
            // Components (部件) are points with the standard's identifier, assigned like organisations; an event may name
            // the component it concerns (`event.component`). Supervisors (监督员) are a role: `api_token` is rebuilt to widen its CHECK (same ids, so events and
            // history lines keep pointing at the same tokens).
            try db.execute(sql: """
                ALTER TABLE event_type ADD COLUMN standard_class TEXT;
                ALTER TABLE event ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE api_token_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'gis', 'reporter', 'dispatcher', 'department', 'viewer', 'supervisor')),
                    department TEXT REFERENCES department(code),
                    token_hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    revoked_at REAL,
                    CHECK ((role = 'department') = (department IS NOT NULL))
                );
                INSERT INTO api_token_new (id, name, role, department, token_hash, prefix, created_at, revoked_at)
                    SELECT id, name, role, department, token_hash, prefix, created_at, revoked_at FROM api_token;
                DROP TABLE api_token;
                ALTER TABLE api_token_new RENAME TO api_token;
                CREATE TABLE component (
                    id TEXT PRIMARY KEY,
                    class TEXT NOT NULL,
                    name TEXT NOT NULL,
                    competent TEXT,
                    owner TEXT,
                    maintainer TEXT,
                    state TEXT NOT NULL CHECK (state IN ('intact', 'damaged', 'lost', 'scrapped')),
                    installed_on TEXT,
                    updated_on TEXT,
                    lon REAL NOT NULL,
                    lat REAL NOT NULL,
                    assignment TEXT
                );
                ALTER TABLE event ADD COLUMN component TEXT;
                """)
        }
        return m
    }
}
