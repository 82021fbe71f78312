import Testing
import WanggeCore
import WanggeTestSupport
@testable import WanggeGeo

@Suite("Repairing invalid polygons: only when asked, and only when the area barely moves")
struct BoundaryRepairTests {
    let validator = BoundaryValidator()
    static let x0 = 114.450, y0 = 38.060

    /// A 0.002° box whose last edge dips below its first one and back: a self-intersection that leaves a tiny
    /// triangle (about 0.01 % of the box) wound the other way.
    static func boxWithTinyLoop(dip d: Double = 0.00002) -> BoundaryFileBuilder {
        let (x0, y0, x1, y1) = (Self.x0, Self.y0, Self.x0 + 0.002, Self.y0 + 0.002)
        var b = BoundaryFileBuilder()
        b.add("F1", geometry: B.polygon([B.box(x0 + 0.003, y0, x1 + 0.003, y1)]))
        b.add("F2", geometry: B.polygon([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0 + d, y0 - d], [x0, y0]]]))
        return b
    }

    /// A bow tie: two triangles of equal area wound opposite ways, whose signed area is nil.
    static func bowTie() -> BoundaryFileBuilder {
        let (x0, y0, x1, y1) = (Self.x0, Self.y0, Self.x0 + 0.002, Self.y0 + 0.002)
        var b = BoundaryFileBuilder()
        b.add("BT", geometry: B.polygon([[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]))
        return b
    }

    func check(_ b: BoundaryFileBuilder, repair: Bool, maxChange: Double? = nil) -> BoundaryCheckResult {
        var o = BoundaryOptions(layer: .functional)
        o.repair = repair
        if let maxChange { o.repairMaxChangePercent = maxChange }
        return validator.check(b.bytes, options: o)
    }

    @Test("without --repair an invalid polygon is refused as before, and the message says repair is opt-in")
    func refusedUnasked() throws {
        let r = check(Self.boxWithTinyLoop(), repair: false)
        let d = try #require(r.defects.first)
        #expect(r.defects.count == 1 && d.kind == .invalidPolygon && d.featureIndex == 1)
        #expect(d.message.contains("Self-intersection") && d.message.contains("--repair"))
        #expect(r.grids.isEmpty && r.repairs.isEmpty)
    }

    @Test("a repair within the limit is taken: the grid is valid and the report gives area and parts before and after")
    func withinLimit() throws {
        let r = check(Self.boxWithTinyLoop(), repair: true)
        #expect(r.defects.isEmpty, "\(r.defects)")
        let rep = try #require(r.repairs.first)
        #expect(r.repairs.count == 1)
        #expect(rep.featureIndex == 1 && rep.code == "F2" && rep.reason.contains("Self-intersection"))
        #expect(rep.partsBefore == 1 && rep.partsAfter == 2)
        #expect(rep.changePercent > 0 && rep.changePercent < 0.1)
        let grid = try #require(r.grids.first { $0.code == "F2" })
        #expect(abs(grid.areaM2 - rep.areaAfterM2) < 1e-6)
        #expect(try GeosGeometry(wkb: grid.wkb, in: GeosContext()).invalidity() == nil)
        #expect(rep.description.contains("feature 1 (code F2)") && rep.description.contains("parts 1 → 2"))
        // The valid feature is untouched and not reported.
        #expect(r.grids.count == 2)
    }

    @Test("a repair beyond the limit is refused with the figures; raising the limit takes it")
    func beyondLimit() throws {
        // The same loop, but the limit set below what it changes (about 0.01 %).
        let tight = check(Self.boxWithTinyLoop(), repair: true, maxChange: 0.001)
        let d = try #require(tight.defects.first)
        #expect(tight.defects.count == 1 && d.kind == .invalidPolygon && d.featureIndex == 1)
        #expect(d.message.contains("refused") && d.message.contains("parts 1 → 2") && d.message.contains("0.001 %"), "\(d.message)")
        #expect(tight.grids.isEmpty && tight.repairs.isEmpty)

        // A bow tie's two halves cancel in its signed area: the repair doubles nothing into something, refused at
        // the default 0.1 %.
        let bow = check(Self.bowTie(), repair: true)
        #expect(bow.defects.map(\.kind) == [.invalidPolygon], "\(bow.defects)")
        #expect(bow.defects.first?.message.contains("refused") == true)
        #expect(check(Self.bowTie(), repair: true, maxChange: .infinity).isClean)
    }
}
