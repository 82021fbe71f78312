import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeUseCases

struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Print the grids a point falls in, in every layer, as JSON.",
        discussion: """
            match: inside; boundary (on an edge: the grid with the smallest code is given and the others are listed \
            in touching); nearest (outside, within --snap metres); outside.
            """
    )

    @Argument(help: "Longitude (or x in the given CRS).") var lon: Double
    @Argument(help: "Latitude (or y in the given CRS).") var lat: Double
    @Option(name: .long, help: "CRS of the position: EPSG:nnnn (e.g. EPSG:4490), an OGC URI (http://www.opengis.net/def/crs/EPSG/0/4547), GCJ02 or BD09 (default EPSG:4326).") var crs: String?
    @Option(name: .long, help: "Snap points outside every grid to one within this many metres.") var snap: Double = 0
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let parsedCRS: CRS
        do { parsedCRS = try crs.map { try CRS(parsing: $0) } ?? .wgs84 } catch { throw ValidationError("\(error)") }
        guard snap >= 0, snap.isFinite else { throw ValidationError("--snap must be a non-negative number of metres") }
        let engine = try AssignmentEngine(repository: database.openForReading(), workers: 1, indexFile: database.indexFile)
        do {
            let answer = try engine.assignBlocking(x: lon, y: lat, crs: parsedCRS, snapMetres: snap)
            print(JSONValue.object(answer.json).prettyPrinted())
        } catch let e as WanggeError {
            throw ValidationError(e.description)
        }
    }
}
