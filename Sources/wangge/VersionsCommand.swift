import ArgumentParser
import Foundation
import WanggeCore
import WanggeUseCases
import WanggeStore

struct VersionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "The versions of the boundary layers: list them, see what one would change, put one in use.",
        subcommands: [List.self, Diff.self, Activate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every version, newest first: staged, active (since), retired (from, to).")
        @Option(name: .long, help: "Only this layer.") var layer: GridLayer?
        @Flag(name: .long, help: "As JSON (what GET /versions answers).") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let list = try database.openForReading().imports(layer: layer)
            if json {
                var w = GeoJSONWriter()
                w.appendValue(.object(JSONObject([("versions", .array(list.map(VersionJSON.json)))])))
                print(String(decoding: w.bytes, as: UTF8.self))
                return
            }
            guard !list.isEmpty else {
                print("no versions in \(database.path); import one with `wangge import FILE --layer residential`")
                return
            }
            print("  id  layer        status   grids  valid from                  valid to                    source")
            for v in list {
                func time(_ t: Double?) -> String { (t.map { Timestamp.format($0.rounded(.down)) } ?? "-").padding(toLength: 27, withPad: " ", startingAt: 0) }
                print("\(String(v.id).leftPadded(4))  \(v.layer.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(v.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(v.gridCount).leftPadded(5))  \(time(v.validFrom)) \(time(v.validTo)) \(v.source)\(v.gridsKept ? "" : " (grids not kept)")\(v.layer == .residential && !v.levels.isStandard ? "  levels \(v.levels)" : "")")
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a version would change against the boundaries in use: grids added, removed and changed, and the stored events and organisations that would change grid.")
        @Argument(help: "The version's id (`wangge versions list`).") var id: Int64
        @Option(name: .long, help: "Write the diff as JSON here (- for standard output).") var json: String?
        @Option(name: .long, help: "Write the events and organisations that would move as GeoJSON points here.") var geojson: String?
        @Option(name: .long, help: "Assign with this snap distance in metres, as `serve --snap` does (default 0).") var snap: Double = 0
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.openForReading()
            let diff = try BoundaryVersions(grids: db, events: db, community: db).diff(id, snapMetres: snap)
            if let json {
                var w = GeoJSONWriter()
                w.appendValue(diff.json)
                if json == "-" { print(String(decoding: w.bytes, as: UTF8.self)); return } else { try FileIO.write(w.bytes, to: json) }
            }
            if let geojson { try FileIO.write(diff.movedGeoJSON, to: geojson) }
            let v = diff.version
            print("version #\(v.id) of \(v.layer.rawValue) (\(v.status.rawValue), \(v.gridCount) grids, \(v.source)) against \(diff.active.map { "version #\($0.id) in use" } ?? "no version in use")")
            let count = { (c: VersionDiff.Change) in diff.grids.filter { $0.change == c }.count }
            print("grids: \(count(.added)) added, \(count(.removed)) removed, \(count(.changed)) changed, \(diff.unchangedGrids) unchanged")
            for g in diff.grids.prefix(100) {
                let before = g.areaBeforeM2.map { String(format: "%.1f", $0) } ?? "-", after = g.areaAfterM2.map { String(format: "%.1f", $0) } ?? "-"
                var line = "  \(g.change.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(g.code)  \(g.name)  area m² \(before) → \(after)"
                if let b = g.areaBeforeM2, let a = g.areaAfterM2, b > 0 { line += String(format: " (%+.2f %%)", (a - b) / b * 100) }
                if g.change == .changed { line += "  [\(g.fields.joined(separator: ", "))]" }
                print(line)
            }
            if diff.grids.count > 100 { print("  … \(diff.grids.count - 100) more (--json)") }
            print("events: \(diff.eventsMoved) of \(diff.eventsChecked) would change grid; organisations: \(diff.organisationsMoved) of \(diff.organisationsChecked)")
            for m in diff.moves.prefix(50) {
                print("  \(m.move.from ?? "(none)") → \(m.move.to ?? "(none)"): \(m.events) events, \(m.organisations) organisations")
            }
            if diff.moves.count > 50 { print("  … \(diff.moves.count - 50) more pairs (--json)") }
            if let geojson { print("moved points written to \(geojson)") }
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a version in use now: the active one is retired, in one transaction; a running serve follows within seconds.",
            discussion: "Stored events keep the grids they were assigned. Activating a retired version brings its grids back as a new version.")
        @Argument(help: "The version's id (`wangge versions list`).") var id: Int64
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try database.open()
            if let v = try db.version(id), v.status == .active {
                print("version #\(id) of \(v.layer.rawValue) is already in use (since \(Timestamp.format(v.validFrom ?? 0)))")
                return
            }
            let version: LayerImport
            do {
                version = try db.activate(version: id, at: Date.now.timeIntervalSince1970)
            } catch let e as WanggeError {
                throw ValidationError(e.description)
            }
            print("version #\(version.id) of \(version.layer.rawValue) in use from \(Timestamp.format(version.validFrom ?? 0)): \(version.gridCount) grids\(version.id == id ? "" : " (version #\(id)'s grids, again)")")
            try await followActivation(db, database: database, version: version)
        }
    }
}
