import Foundation
import CGEOS
import WanggeCore

extension BoundaryValidator {
    /// Parent references and level order, then the geometric rules of the residential hierarchy: each child inside
    /// its parent, siblings without overlaps, each parent covered by its children.
    func checkHierarchy(_ checked: [Checked], options: BoundaryOptions, defects: inout [Defect]) {
        var byCode: [String: Int] = [:]
        for (i, c) in checked.enumerated() where byCode[c.code] == nil { byCode[c.code] = i }
        let levels = Set(checked.compactMap(\.level))
        guard let top = levels.min() else { return }

        var parentOf = [Int?](repeating: nil, count: checked.count)
        var sound = checked.map { $0.valid && $0.level != nil }
        for (i, c) in checked.enumerated() {
            guard let level = c.level else { continue }
            func defect(_ kind: Defect.Kind, _ message: String) {
                defects.append(Defect(kind: kind, featureIndex: c.index, code: c.code, message: message,
                                      location: c.value, line: c.line))
                sound[i] = false
            }
            guard let p = c.parent else {
                if level != top {
                    defect(.missingProperty, "property \"\(options.fields.parent)\" is missing: a \(level.rawValue) needs the code of its \(options.levels.parent(of: level)?.rawValue ?? "parent"); only the top level (\(top.rawValue) in this file) has no parent")
                }
                continue
            }
            guard let pi = byCode[p] else {
                if options.externalRoot && level == top {
                    if let scheme = options.codeScheme, let problem = scheme.problem(code: c.code, level: level, parent: p, in: options.levels) {
                        defect(.codeScheme, problem)
                    }
                    continue  // a top-level grid under a parent outside the file
                }
                defect(.unknownParent, "parent \"\(p)\" is not the code of any grid in this file" + (level == top ? " (a top level whose parent lies outside the file needs --external-root)" : ""))
                continue
            }
            guard let pl = checked[pi].level else { sound[i] = false; continue }
            guard pl.rank == level.rank - 1 else {
                let want = options.levels.parent(of: level).map { "a \($0.rawValue)" } ?? "none (a \(level.rawValue) is the top level)"
                defect(.levelOrder, "level out of order: the parent of a \(level.rawValue) must be \(want), but \"\(p)\" is a \(pl.rawValue)")
                continue
            }
            parentOf[i] = pi
            if let scheme = options.codeScheme, let problem = scheme.problem(code: c.code, level: level, parent: p, in: options.levels) {
                defect(.codeScheme, problem)
            }
        }
        if let scheme = options.codeScheme {
            for (i, c) in checked.enumerated() where c.parent == nil {
                guard let level = c.level, let problem = scheme.problem(code: c.code, level: level, parent: nil, in: options.levels) else { continue }
                defects.append(Defect(kind: .codeScheme, featureIndex: c.index, code: c.code, message: problem, location: c.value, line: c.line))
                sound[i] = false
            }
        }

        let total = checked.count
        var done = 0
        func tick(_ k: Int = 1) {
            done += k
            if done % 256 == 0 { progress?(.hierarchy, done, total) }
        }

        var all = BoundingBox.empty
        for c in checked { all.extend(c.value.boundingBox) }
        let metric: ProjTransform
        do {
            metric = try ProjTransform(from: "EPSG:4326", to: Self.localTransverseMercator(lon: all.centerX, lat: all.centerY), in: proj)
        } catch {
            defects.append(Defect(kind: .crs, message: "cannot set up the local metric projection for tolerances: \(error)"))
            return
        }
        let filter = RegionFilter(validator: self, metric: metric, toleranceMetres: options.toleranceMetres,
                                  sliverAreaM2: options.sliverAreaM2)
        let boxes = checked.map { $0.value.boundingBox }
        let planarAreas = checked.map { (try? $0.geometry.planarArea()) ?? 0 }
        // Below this many m² a whole group's overlap, overhang or gap cannot hold a single defect, so the exact
        // per-piece overlays are skipped. Half the sliver area leaves room for the approximate degree-to-metre factor.
        let negligibleM2 = options.sliverAreaM2 / 2

        // Sibling groups: the children of one parent, or the grids at the top level.
        var groups: [String: [Int]] = [:]
        var groupParent: [String: Int] = [:]
        for (i, c) in checked.enumerated() where sound[i] {
            if let pi = parentOf[i] {
                groups["p:\(checked[pi].code)", default: []].append(i)
                groupParent["p:\(checked[pi].code)"] = pi
            } else if let l = c.level, c.parent == nil || (options.externalRoot && l == top) {
                groups["top:\(l.rawValue)", default: []].append(i)
            }
        }
        // A parent with a broken child cannot be judged for coverage: that child's defect is reported instead.
        var childLevelBroken = [Bool](repeating: false, count: checked.count)
        for i in checked.indices where !sound[i] {
            if let p = checked[i].parent, let pi = byCode[p] { childLevelBroken[pi] = true }
        }
        // Parents whose level has children in the file but which have none of their own.
        for (pi, c) in checked.enumerated() {
            guard sound[pi], let below = c.level.flatMap(options.levels.child(of:)), levels.contains(below), groups["p:\(c.code)"] == nil,
                  !childLevelBroken[pi], let region = filter.significant(c.geometry) else { continue }
            defects.append(Defect(kind: .parentNotCovered, featureIndex: c.index, code: c.code,
                message: "\(c.level!.rawValue) \"\(c.code)\" has no \(below.rawValue) grids although the file has \(below.rawValue)s elsewhere: all \(Self.area(region.areaM2)) of it are uncovered",
                location: region.value, areaM2: region.areaM2, line: c.line))
        }

        for key in groups.keys.sorted() {
            let members = groups[key]!
            tick(members.count)
            var box = BoundingBox.empty
            for m in members { box.extend(boxes[m]) }
            let m2PerDegree2 = 111_320 * cos(box.centerY * .pi / 180) * 110_574
            let kids = members.map { checked[$0].geometry }
            let sum = members.reduce(0) { $0 + planarAreas[$1] }
            // The coverage union is fast but only meaningful when the children do not overlap; overlapping input
            // leaves crossing or nested rings in its result, so an invalid result (or an area that does not add up)
            // hands over to the robust union.
            var union: GeosGeometry? = kids.count == 1 ? kids[0] : try? GeosGeometry.collection(kids, in: geos).coverageUnion()
            var unionArea = union.flatMap { try? $0.planarArea() } ?? 0
            var overlapM2 = (sum - unionArea) * m2PerDegree2
            if union == nil || abs(overlapM2) > negligibleM2 || (try? union!.invalidity()) != .some(nil) {
                union = try? GeosGeometry.collection(kids, in: geos).unaryUnion()
                unionArea = union.flatMap { try? $0.planarArea() } ?? 0
                overlapM2 = (sum - unionArea) * m2PerDegree2
            }

            // 2. Siblings must not overlap.
            if overlapM2 > negligibleM2 {
                let sorted = members.sorted { boxes[$0].minX < boxes[$1].minX }
                for (k, a) in sorted.enumerated() {
                    for b in sorted[(k + 1)...] {
                        if boxes[b].minX > boxes[a].maxX { break }
                        guard boxes[a].intersects(boxes[b]) else { continue }
                        guard let overlap = try? checked[a].geometry.intersection(checked[b].geometry),
                              let region = filter.significant(overlap) else { continue }
                        let (first, second) = checked[a].index < checked[b].index ? (checked[a], checked[b]) : (checked[b], checked[a])
                        defects.append(Defect(kind: .siblingOverlap, featureIndex: second.index, code: second.code,
                            message: "\(second.level!.rawValue) \"\(second.code)\" overlaps its sibling \"\(first.code)\" (feature \(first.index)) by \(Self.area(region.areaM2))",
                            location: region.value, areaM2: region.areaM2, line: second.line, relatedCodes: [first.code]))
                    }
                }
            }

            guard let pi = groupParent[key], let union else { continue }
            let parent = checked[pi]
            // The usual case, an exact tiling: the union of the children is the parent, vertex for vertex.
            if let u = try? union.clone(), let p = try? parent.geometry.clone(), u.normalize(), p.normalize(), u.equalsExact(p) {
                continue
            }
            let common = try? union.intersection(parent.geometry)
            let commonArea = common.flatMap { try? $0.planarArea() } ?? 0

            // 1. Children inside their parent: only looked at one by one when the union sticks out.
            if (unionArea - commonArea) * m2PerDegree2 > negligibleM2 || common == nil {
                let prepared = try? GeosPreparedGeometry(parent.geometry)
                for i in members {
                    let c = checked[i]
                    if let prepared, (try? prepared.covers(c.geometry)) == true { continue }
                    guard let outside = try? c.geometry.difference(parent.geometry),
                          let region = filter.significant(outside) else { continue }
                    defects.append(Defect(kind: .childOutsideParent, featureIndex: c.index, code: c.code,
                        message: "\(c.level!.rawValue) \"\(c.code)\" is not inside its parent \(parent.level!.rawValue) \"\(parent.code)\": \(Self.area(region.areaM2)) lie outside it (beyond the \(Self.metres(options.toleranceMetres)) tolerance)",
                        location: region.value, areaM2: region.areaM2, line: c.line, relatedCodes: [parent.code]))
                }
            }

            // 3. The parent covered by its children.
            guard !childLevelBroken[pi], (planarAreas[pi] - commonArea) * m2PerDegree2 > negligibleM2 || common == nil,
                  let uncovered = try? parent.geometry.difference(union), let region = filter.significant(uncovered) else { continue }
            let below = options.levels.child(of: parent.level!)?.rawValue ?? "children"
            defects.append(Defect(kind: .parentNotCovered, featureIndex: parent.index, code: parent.code,
                message: "the \(below)s of \(parent.level!.rawValue) \"\(parent.code)\" leave \(Self.area(region.areaM2)) of it uncovered (gaps between or around them)",
                location: region.value, areaM2: region.areaM2, line: parent.line,
                relatedCodes: members.map { checked[$0].code }))
        }
        progress?(.hierarchy, total, total)
    }

    public static func localTransverseMercator(lon: Double, lat: Double) -> String {
        "+proj=tmerc +lat_0=\(lat) +lon_0=\(lon) +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs"
    }

    static func area(_ m2: Double) -> String {
        m2 >= 1_000_000 ? "\(rounded(m2 / 1_000_000, 3)) km²" : "\(rounded(m2, 1)) m²"
    }

    static func metres(_ m: Double) -> String { "\(rounded(m, 3)) m" }

    static func rounded(_ v: Double, _ digits: Int) -> String {
        var w = GeoJSONWriter(decimals: digits)
        w.appendFixed(v, decimals: digits)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

/// Keeps the parts of a problem region (an overlap, a gap, a part outside a parent) that are real defects: larger
/// than the sliver area and wider than the tolerance. Width is tested in a local transverse Mercator projection in
/// metres: a part survives a negative buffer of half the tolerance only if it is wider than the tolerance somewhere.
struct RegionFilter {
    let validator: BoundaryValidator
    let metric: ProjTransform
    let toleranceMetres: Double
    let sliverAreaM2: Double

    struct Region {
        var value: GeometryValue
        var areaM2: Double
    }

    func significant(_ g: GeosGeometry) -> Region? {
        guard !g.isEmpty else { return nil }
        var kept: [Polygon] = []
        var area = 0.0
        for part in polygonParts(g) {
            guard let v = try? part.value() else { continue }
            for p in v.polygons {
                let a = validator.geodesic.area(of: p)
                guard a > sliverAreaM2 else { continue }
                if toleranceMetres > 0 {
                    var m = GeometryValue.polygon(p)
                    m.transformCoordinates { metric.transform(&$0) }
                    guard let mg = try? GeosGeometry(m, in: validator.geos),
                          let core = try? mg.buffer(-toleranceMetres / 2), !core.isEmpty else { continue }
                }
                kept.append(p)
                area += a
            }
        }
        guard !kept.isEmpty else { return nil }
        return Region(value: kept.count == 1 ? .polygon(kept[0]) : .multiPolygon(kept), areaM2: area)
    }

    /// The polygons inside any geometry (collections are opened; lines and points are dropped).
    func polygonParts(_ g: GeosGeometry) -> [GeosGeometry] {
        switch Int32(g.typeID) {
        case Int32(GEOS_POLYGON.rawValue): return g.isEmpty ? [] : [g]
        case Int32(GEOS_MULTIPOLYGON.rawValue), Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            return ((try? g.parts()) ?? []).flatMap { polygonParts($0) }
        default: return []
        }
    }
}
