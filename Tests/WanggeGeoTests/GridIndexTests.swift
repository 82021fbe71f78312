import Foundation
import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

/// Builds a snapshot straight from boundary files (checked as an import would).
func snapshot(_ files: [(bytes: [UInt8], layer: GridLayer)], generation: Int = 1) throws -> GridIndexSnapshot {
    let validator = BoundaryValidator()
    var stored: [StoredGrid] = []
    for f in files {
        let r = validator.check(f.bytes, options: BoundaryOptions(layer: f.layer))
        #expect(r.isClean, "\(r.defects.prefix(3))")
        stored += r.grids.map { StoredGrid($0, id: Int64(stored.count + 1)) }
    }
    return try GridIndexSnapshot.build(grids: stored, generation: generation)
}

func sampleSnapshot() throws -> GridIndexSnapshot {
    try snapshot(["residential", "functional", "industry"].map { name in
        (try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.geoData)/\(name).geojson")).map { $0 }, GridLayer(rawValue: name)!)
    })
}

@Suite("Grid index: every point to its grids")
struct GridIndexTests {
    @Test("agrees with brute-force GEOS covers on random points, for every level and overlay")
    func bruteForceAgreement() throws {
        let snap = try sampleSnapshot()
        let replica = try GridIndexReplica(snapshot: snap)
        let context = GeosContext()
        let prepared = try snap.grids.map { try GeosPreparedGeometry(GeosGeometry(wkb: $0.wkb, in: context)) }
        var bbox = BoundingBox.empty
        for g in snap.grids { bbox.extend(g.bbox) }
        var rng = SystemRandomNumberGenerator()
        var checked = 0, inside = 0
        for _ in 0..<20_000 {
            // A margin around the street so outside points are tested too.
            let x = Double.random(in: (bbox.minX - 0.002)...(bbox.maxX + 0.002), using: &rng)
            let y = Double.random(in: (bbox.minY - 0.002)...(bbox.maxY + 0.002), using: &rng)
            let point = try GeosGeometry(.point(x: x, y: y), in: context)
            var covering: [Int] = []
            for (i, p) in prepared.enumerated() where snap.grids[i].bbox.contains(x: x, y: y) {
                if try p.covers(point) { covering.append(i) }
            }
            // Points exactly on an edge follow the boundary rule instead; random doubles essentially never are.
            guard covering.allSatisfy({ (try? prepared[$0].contains(x: x, y: y)) == true }) else { continue }
            checked += 1
            let a = replica.assign(lon: x, lat: y)
            for level in LevelScheme.standard.levels {
                let expected = covering.filter { snap.grids[$0].layer == .residential && snap.grids[$0].level == level }.map { snap.grids[$0].code }
                #expect(expected.count <= 1)
                #expect(a.residential[level] == expected.first, "\(level) at \(x), \(y)")
            }
            if a.residential.building != nil { inside += 1 }
            #expect(a.residential.match == (a.residential.street == nil ? .outside : .inside))
            for layer in [GridLayer.functional, .industry] {
                let expected = covering.filter { snap.grids[$0].layer == layer }.map { snap.grids[$0].code }.sorted()
                let got = layer == .functional ? a.functional : a.industry
                #expect(got.grids == expected, "\(layer) at \(x), \(y)")
                #expect(got.match == (expected.isEmpty ? .outside : .inside))
            }
        }
        #expect(checked > 19_000)
        #expect(inside > 5_000 && inside < checked)
    }

    @Test("agrees with brute force on a real boundary set (Natural Earth countries: holes, enclaves, islands, the antimeridian)")
    func realBoundaries() throws {
        var options = BoundaryOptions(layer: .industry)
        options.fields.code = "name"
        let checked = BoundaryValidator().check(try Fixtures.naturalEarthValid(), options: options)
        #expect(checked.isClean)
        let snap = try GridIndexSnapshot.build(grids: checked.grids.enumerated().map { StoredGrid($1, id: Int64($0 + 1)) }, generation: 1)
        let replica = try GridIndexReplica(snapshot: snap)
        let context = GeosContext()
        let prepared = try snap.grids.map { try GeosPreparedGeometry(GeosGeometry(wkb: $0.wkb, in: context)) }
        var rng = SystemRandomNumberGenerator()
        var landed = 0
        for k in 0..<20_000 {
            // Half uniform over the globe, half around Lesotho inside South Africa.
            let x = k % 2 == 0 ? Double.random(in: -180...180, using: &rng) : Double.random(in: 26.5...30, using: &rng)
            let y = k % 2 == 0 ? Double.random(in: -90...90, using: &rng) : Double.random(in: -31.5...(-28), using: &rng)
            let expected = prepared.indices.filter { snap.grids[$0].bbox.contains(x: x, y: y) && ((try? prepared[$0].contains(x: x, y: y)) ?? false) }
                .map { snap.grids[$0].code }.sorted()
            let got = replica.assign(lon: x, lat: y).industry
            #expect(got.grids == expected, "\(x), \(y)")
            if !expected.isEmpty { landed += 1 }
        }
        #expect(landed > 5_000)
        #expect(replica.assign(lon: 28.2, lat: -29.6).industry.grids == ["Lesotho"])
        #expect(replica.assign(lon: 25.0, lat: -29.0).industry.grids == ["South Africa"])
    }

    @Test("a point on a shared edge or vertex goes to the smallest code and names the other grids")
    func boundaryRule() throws {
        let snap = try snapshot([(BoundaryFileBuilder.cleanHierarchy().bytes, .residential)])
        let replica = try GridIndexReplica(snapshot: snap)
        // The vertical edge between Y1 and Y3 (and C1 and C2) at x = 114.452.
        let onEdge = replica.assign(lon: 114.452, lat: 38.0605)
        #expect(onEdge.residential.match == .boundary)
        #expect(onEdge.residential.courtyard == "Y1")
        #expect(onEdge.residential.touching == ["Y3"])
        #expect(onEdge.residential.community == "C1" && onEdge.residential.street == "S")
        // The vertex where four courtyards meet.
        let corner = replica.assign(lon: 114.452, lat: 38.061)
        #expect(corner.residential.match == .boundary)
        #expect(corner.residential.courtyard == "Y1")
        #expect(corner.residential.touching == ["Y2", "Y3", "Y4"])
        // On the outer edge of the street: the one grid whose edge it is.
        let outer = replica.assign(lon: 114.450, lat: 38.0605)
        #expect(outer.residential.match == .boundary && outer.residential.courtyard == "Y1" && outer.residential.touching.isEmpty)
        // The same answers on every call and every replica.
        let other = try GridIndexReplica(snapshot: snap)
        #expect(other.assign(lon: 114.452, lat: 38.061) == corner)
    }

    @Test("holes and enclaves: a point in a hole goes to the enclave; MultiPolygon parts all count")
    func holesAndEnclaves() throws {
        var b = BoundaryFileBuilder()
        let x0 = 114.450, y0 = 38.060
        typealias B = BoundaryFileBuilder
        b.add("S", level: "street", geometry: B.polygon([B.box(x0, y0, x0 + 0.004, y0 + 0.002, clockwise: true)]))
        b.add("C1", level: "community", parent: "S", geometry: B.polygon([
            [[x0, y0], [x0 + 0.003, y0], [x0 + 0.003, y0 + 0.002], [x0, y0 + 0.002], [x0, y0]],
            B.box(x0 + 0.001, y0 + 0.0005, x0 + 0.002, y0 + 0.0015, clockwise: true),
        ]))
        b.add("C2", level: "community", parent: "S", geometry: B.multiPolygon([
            [B.box(x0 + 0.001, y0 + 0.0005, x0 + 0.002, y0 + 0.0015)],
            [B.box(x0 + 0.003, y0, x0 + 0.004, y0 + 0.002)],
        ]))
        let replica = try GridIndexReplica(snapshot: try snapshot([(b.bytes, .residential)]))
        #expect(replica.assign(lon: x0 + 0.0015, lat: y0 + 0.001).residential.community == "C2")  // in the hole
        #expect(replica.assign(lon: x0 + 0.0035, lat: y0 + 0.001).residential.community == "C2")  // detached part
        #expect(replica.assign(lon: x0 + 0.0005, lat: y0 + 0.001).residential.community == "C1")
        #expect(replica.assign(lon: x0 + 0.0015, lat: y0 + 0.001).residential.street == "S")
    }

    @Test("overlapping overlays: a point in both gets both, in code order")
    func overlappingOverlays() throws {
        var f = BoundaryFileBuilder()
        typealias B = BoundaryFileBuilder
        f.add("F2", geometry: B.polygon([B.box(114.450, 38.060, 114.452, 38.062)]))
        f.add("F1", geometry: B.polygon([B.box(114.451, 38.061, 114.453, 38.063)]))
        let replica = try GridIndexReplica(snapshot: try snapshot([(BoundaryFileBuilder.cleanHierarchy().bytes, .residential), (f.bytes, .functional)]))
        let both = replica.assign(lon: 114.4515, lat: 38.0615)
        #expect(both.functional == OverlayAnswer(match: .inside, grids: ["F1", "F2"]))
        let one = replica.assign(lon: 114.4525, lat: 38.0625)
        #expect(one.functional.grids == ["F1"])
        // On F2's edge inside F1: inside F1, touching F2.
        let edge = replica.assign(lon: 114.452, lat: 38.0615)
        #expect(edge.functional == OverlayAnswer(match: .inside, grids: ["F1"], touching: ["F2"]))
        #expect(replica.assign(lon: 114.46, lat: 38.07).functional.match == .outside)
    }

    @Test("points just outside snap to the nearest grid only within the snap distance")
    func nearest() throws {
        let replica = try GridIndexReplica(snapshot: try snapshot([(BoundaryFileBuilder.cleanHierarchy().bytes, .residential)]))
        // 20 m west of the street's west edge (x = 114.450).
        let x = 114.450 - 20 / (111_320 * cos(38.0605 * .pi / 180))
        #expect(replica.assign(lon: x, lat: 38.0605).residential.match == .outside)
        let snapped = replica.assign(lon: x, lat: 38.0605, snapMetres: 50)
        #expect(snapped.residential.match == .nearest)
        #expect(snapped.residential.courtyard == "Y1" && snapped.residential.street == "S")
        #expect(abs((snapped.residential.distanceM ?? 0) - 20) < 0.5)
        #expect(replica.assign(lon: x, lat: 38.0605, snapMetres: 10).residential.match == .outside)
    }

    @Test("coordinates that are not numbers are outside, not a crash")
    func nonFinite() throws {
        let replica = try GridIndexReplica(snapshot: try snapshot([(BoundaryFileBuilder.cleanHierarchy().bytes, .residential)]))
        #expect(replica.assign(lon: .nan, lat: 38.06).residential.match == .outside)
        #expect(replica.assign(lon: .infinity, lat: .nan, snapMetres: 100).residential.match == .outside)
    }

    @Test("an empty store gives an index that answers outside everywhere")
    func empty() throws {
        let replica = try GridIndexReplica(snapshot: try GridIndexSnapshot.build(grids: [], generation: 1))
        let a = replica.assign(lon: 114.45, lat: 38.06, snapMetres: 100)
        #expect(a.residential.match == .outside && a.functional.match == .outside && a.industry.match == .outside)
    }
}
