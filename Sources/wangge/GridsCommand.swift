import ArgumentParser
import Foundation
import WanggeCore
import WanggeStore

struct GridsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grids",
        abstract: "Show the stored grids.",
        subcommands: [List.self, Show.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts and areas per layer and level; --all lists every grid.")
        @Option(name: .long, help: "Only this layer.") var layer: GridLayer?
        @Flag(name: .long, help: "List every grid with its code, name, parent and area.") var all = false
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.open()
            let counts = try db.counts().filter { layer == nil || $0.layer == layer }
            if counts.isEmpty {
                print("no grids stored in \(database.path); import some with `wangge import FILE --layer residential`")
                return
            }
            print("layer        level        grids     area km²")
            for c in counts {
                print("\(c.layer.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \((c.level?.rawValue ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(c.count).leftPadded(5)) \(String(format: "%12.4f", c.areaM2 / 1e6))")
            }
            for imp in try db.imports(layer: layer) where imp.status == .active {
                let when = Timestamp.format((imp.validFrom ?? imp.importedAt).rounded(.down))
                print("\(imp.layer.rawValue): version #\(imp.id) from \(imp.source) (\(imp.crs)), in use since \(when)")
            }
            let staged = try db.imports(layer: layer).filter { $0.status == .staged }
            if !staged.isEmpty {
                print("staged, not in use: \(staged.map { "#\($0.id) (\($0.layer.rawValue))" }.joined(separator: ", ")) — `wangge versions diff ID`, `wangge versions activate ID`")
            }
            if all {
                print("")
                for g in try db.grids(in: layer) {
                    print("\(g.layer.rawValue)\t\(g.level?.rawValue ?? "-")\t\(g.code)\t\(g.name)\tparent=\(g.parent ?? "-")\t\(String(format: "%.4f", g.areaM2 / 1e6)) km²")
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One grid: name, level, area, parent and children.")
        @Argument(help: "The grid's code.") var code: String
        @Option(name: .long, help: "The layer, when the code exists in more than one.") var layer: GridLayer?
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.open()
            let found = try db.grids(code: code).filter { layer == nil || $0.layer == layer }
            guard !found.isEmpty else { throw ValidationError("no grid with code \(code) in \(database.path)") }
            for g in found {
                print("\(g.code)  \(g.name)")
                print("  layer:    \(g.layer.rawValue)\(g.level.map { " / \($0.rawValue) (\($0.chineseName))" } ?? "")")
                print(String(format: "  area:     %.6f km² (%.1f m², geodesic)", g.areaM2 / 1e6, g.areaM2))
                print(String(format: "  bbox:     %.7f, %.7f, %.7f, %.7f", g.bbox.minX, g.bbox.minY, g.bbox.maxX, g.bbox.maxY))
                if let p = g.parent {
                    let parent = try db.grids(code: p).first { $0.layer == g.layer }
                    print("  parent:   \(p)\(parent.map { "  \($0.name)" } ?? "")")
                }
                if g.layer == .residential {
                    let kids = try db.children(ofResidential: g.code)
                    print("  children: \(kids.count)\(kids.isEmpty ? "" : "")")
                    for k in kids { print(String(format: "    %@  %@  %.6f km²", k.code, k.name, k.areaM2 / 1e6)) }
                }
                if !g.properties.isEmpty {
                    for m in g.properties.members { print("  \(m.key): \(m.value.identifierText ?? "\(m.value)")") }
                }
            }
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String {
        count >= n ? self : String(repeating: " ", count: n - count) + self
    }
}
