public import ArgumentParser
import Foundation
public import WanggeCore
import WanggeGeo
import WanggeStore

/// `--db PATH`, defaulting to $WANGGE_DB or ./wangge.db.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (default: $WANGGE_DB, else ./wangge.db).")
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["WANGGE_DB"] ?? "wangge.db"
    }

    func open() throws -> AppDatabase {
        try Self.checkTimeZone()
        return try AppDatabase(path: path)
    }

    /// Every command that opens a database writes times in the zone `WANGGE_TIME_ZONE` names: a name the tz
    /// database does not know stops the command here, before anything is written in another zone.
    static func checkTimeZone() throws {
        do { _ = try ZoneOffsets.configured() } catch let e as WanggeError { throw ValidationError(e.description) }
    }

    /// The database opened only to read (the file is left as it is, unless an earlier version made it: then it is
    /// migrated first, and the command says so).
    func openForReading() throws -> AppDatabase {
        try Self.checkTimeZone()
        do {
            let (db, migrated) = try AppDatabase.openForReading(path)
            if migrated { FileHandle.standardError.write(Data("migrated \(path) to this version of Wangge\n".utf8)) }
            return db
        } catch let e as WanggeError { throw ValidationError(e.description) }
    }

    /// The assignment index kept beside the database (rebuilt when the grids change).
    var indexFile: String { path + ".index" }
}

extension GridLayer: ExpressibleByArgument {}

/// How to read a boundary file: layer, CRS, property names and tolerances.
struct BoundaryReadOptions: ParsableArguments {
    @Option(name: .long, help: "Layer: residential, functional or industry.")
    var layer: GridLayer

    @Option(name: .long, help: "CRS of the file: EPSG:nnnn (e.g. EPSG:4490, EPSG:4547), an OGC URI (http://www.opengis.net/def/crs/EPSG/0/4547), GCJ02 or BD09 (default: the file's crs member, else EPSG:4326 lon/lat).")
    var crs: String?

    @Option(name: .customLong("code-field"), help: "Property holding the grid code.")
    var codeField = "code"
    @Option(name: .customLong("name-field"), help: "Property holding the grid name.")
    var nameField = "name"
    @Option(name: .customLong("level-field"), help: "Property holding the residential level.")
    var levelField = "level"
    @Option(name: .customLong("parent-field"), help: "Property holding the parent's code.")
    var parentField = "parent"
    @Option(name: .long, help: "The residential levels, top first, comma-separated: any names, any depth (e.g. province,city,district; default street,community,courtyard,building). Kept with the version: collections, lookups, reports and files name the levels so.")
    var levels: String?
    @Option(name: .customLong("level-map"), parsing: .singleValue,
            help: "Extra level spelling, VALUE=LEVEL (e.g. subdistrict=street); repeatable.")
    var levelMap: [String] = []

    @Option(name: .long, help: "Gaps, overlaps and overhangs narrower than this many metres are ignored.")
    var tolerance = 0.5
    @Option(name: .customLong("sliver-area"), help: "Pieces of at most this many square metres are ignored.")
    var sliverArea = 1.0

    @Flag(name: .long, help: "Repair invalid polygons (GEOS MakeValid, structure method) instead of refusing them; every repair is printed.")
    var repair = false
    @Option(name: .customLong("repair-max-change"), help: "With --repair: refuse a repair that changes a feature's area by more than this many percent.")
    var repairMaxChange = 0.1

    @Flag(name: .customLong("external-root"), help: "Accept top-level grids whose parent lies outside the file (kept as the property external_parent).")
    var externalRoot = false
    @Option(name: .customLong("code-scheme"),
            help: "Check residential codes by the national scheme: gbt30428 (district 6 digits + street 3 + community 3 + grid 2 + building 2), or gbt30428:courtyard=3,… for other digits per level.")
    var codeScheme: String?

    @Option(name: .long, help: "Write every defect as a GeoJSON layer to this file.")
    var report: String?

    func boundaryOptions() throws -> BoundaryOptions {
        var o = BoundaryOptions(layer: layer)
        if let crs {
            do { o.crs = try CRS(parsing: crs) } catch { throw ValidationError(error.description) }
        }
        o.fields.code = codeField
        o.fields.name = nameField
        o.fields.level = levelField
        o.fields.parent = parentField
        if let levels {
            guard layer == .residential else { throw ValidationError("--levels is for the residential layer (overlays have no levels)") }
            do { o.levels = try LevelScheme(names: levels.split(separator: ",").map { String($0).trimmingWhitespace() }) } catch {
                throw ValidationError("--levels \(levels): \(error.description)")
            }
        }
        for m in levelMap {
            let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, o.levels.level(named: parts[1]) != nil else {
                throw ValidationError("--level-map \(m): expected VALUE=LEVEL with LEVEL one of \(o.levels.names.joined(separator: ", "))")
            }
            o.levelAliases[parts[0]] = parts[1]
        }
        guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a non-negative number of metres") }
        guard sliverArea >= 0, sliverArea.isFinite else { throw ValidationError("--sliver-area must be a non-negative number of square metres") }
        guard repairMaxChange >= 0, repairMaxChange.isFinite else { throw ValidationError("--repair-max-change must be a non-negative percentage") }
        o.toleranceMetres = tolerance
        o.sliverAreaM2 = sliverArea
        o.repair = repair
        o.repairMaxChangePercent = repairMaxChange
        o.externalRoot = externalRoot
        if let codeScheme {
            do { o.codeScheme = try CodeScheme(parsing: codeScheme, levels: o.levels) } catch { throw ValidationError(error.description) }
        }
        return o
    }
}
