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
                    defect(.missingProperty, "property \"\(options.fields.parent)\" is missing: a \(level.rawValue) needs the code of its \(level.parentLevel!.rawValue); only the top level (\(top.rawValue) in this file) has no parent")
                }
                continue
            }
            guard let pi = byCode[p] else {
                defect(.unknownParent, "parent \"\(p)\" is not the code of any grid in this file")
                continue
            }
            guard let pl = checked[pi].level else { sound[i] = false; continue }
            guard pl.rank == level.rank - 1 else {
                let want = level.parentLevel.map { "a \($0.rawValue)" } ?? "none (a street is the top level)"
                defect(.levelOrder, "level out of order: the parent of a \(level.rawValue) must be \(want), but \"\(p)\" is a \(pl.rawValue)")
                continue
            }
            parentOf[i] = pi
        }

        let total = checked.count * 3
        var done = 0
        func tick(_ k: Int = 1) {
            done += k
            if done % 512 == 0 { progress?(.hierarchy, done, total) }
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

        // 1. Children inside their parents.
        for (i, c) in checked.enumerated() {
            tick()
            guard sound[i], let pi = parentOf[i], sound[pi] else { continue }
            let parent = checked[pi]
            guard let outside = try? c.geometry.difference(parent.geometry),
                  let region = filter.significant(outside) else { continue }
            defects.append(Defect(kind: .childOutsideParent, featureIndex: c.index, code: c.code,
                message: "\(c.level!.rawValue) \"\(c.code)\" is not inside its parent \(parent.level!.rawValue) \"\(parent.code)\": \(Self.area(region.areaM2)) lie outside it (beyond the \(Self.metres(options.toleranceMetres)) tolerance)",
                location: region.value, areaM2: region.areaM2, line: c.line, relatedCodes: [parent.code]))
        }

        // 2. Siblings must not overlap: same parent, or both at the top level.
        var groups: [String: [Int]] = [:]
        for (i, c) in checked.enumerated() where sound[i] {
            let key: String
            if let pi = parentOf[i] { key = "p:\(checked[pi].code)" } else if c.parent == nil, let l = c.level { key = "top:\(l.rawValue)" } else { continue }
            groups[key, default: []].append(i)
        }
        for key in groups.keys.sorted() {
            let members = groups[key]!.sorted { boxes[$0].minX < boxes[$1].minX }
            for (k, a) in members.enumerated() {
                tick()
                for b in members[(k + 1)...] {
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

        // 3. Parents covered by their children, wherever the file has the level below.
        var children = [[Int]](repeating: [], count: checked.count)
        var childLevelBroken = [Bool](repeating: false, count: checked.count)
        for i in checked.indices {
            if let pi = parentOf[i] {
                if sound[i] { children[pi].append(i) } else { childLevelBroken[pi] = true }
            } else if let p = checked[i].parent, let pi = byCode[p] {
                childLevelBroken[pi] = true
            }
        }
        for (i, c) in checked.enumerated() {
            tick()
            guard sound[i], !childLevelBroken[i], let level = c.level, let below = level.childLevel, levels.contains(below) else { continue }
            let kids = children[i].map { checked[$0].geometry }
            let uncovered: GeosGeometry?
            if kids.isEmpty {
                uncovered = c.geometry
            } else if kids.count == 1 {
                uncovered = try? c.geometry.difference(kids[0])
            } else {
                uncovered = (try? GeosGeometry.collection(kids, in: geos).unaryUnion()).flatMap { try? c.geometry.difference($0) }
            }
            guard let uncovered, let region = filter.significant(uncovered) else { continue }
            let what = kids.isEmpty
                ? "\(level.rawValue) \"\(c.code)\" has no \(below.rawValue) grids although the file has \(below.rawValue)s elsewhere: all \(Self.area(region.areaM2)) of it are uncovered"
                : "the \(below.rawValue)s of \(level.rawValue) \"\(c.code)\" leave \(Self.area(region.areaM2)) of it uncovered (gaps between or around them)"
            defects.append(Defect(kind: .parentNotCovered, featureIndex: c.index, code: c.code, message: what,
                                  location: region.value, areaM2: region.areaM2, line: c.line,
                                  relatedCodes: children[i].map { checked[$0].code }))
        }
        progress?(.hierarchy, total, total)
    }

    static func localTransverseMercator(lon: Double, lat: Double) -> String {
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
