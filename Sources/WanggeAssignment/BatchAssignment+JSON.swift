import Foundation
import WanggeCore
import WanggeGeo

/// NDJSON objects and GeoJSON features by bytes: a record is checked as JSON without building it
/// (`JSONValue.isValid`), its members are found with `JSONLayout`, the two coordinates (a plain object's members or
/// a Feature's Point) are parsed from their bytes, and the added members are written from the run's code table —
/// no tree, no `String` per member. Anything else (coordinates as strings or missing, an added member already
/// there, a key with an escape or twice, a refused position) goes the tree's way, with the same result.
extension BatchAssignment {
    /// Names looked for, as bytes: the one given (matched exactly), or the usual ones in order (ASCII case folded).
    struct CoordinateNames: Sendable {
        let given: [UInt8]?
        let usual: [[UInt8]]

        init(given: String?, usual: [String]) {
            self.given = given.map { Array($0.utf8) }
            self.usual = usual.map { Array($0.utf8) }
        }

        /// The member whose key matches, as `field(_:in:usual:)` picks it.
        func pick(_ p: UnsafeBufferPointer<UInt8>, _ members: [(key: Range<Int>, value: Range<Int>)]) -> Int? {
            if let given { return members.firstIndex { p[$0.key].elementsEqual(given) } }
            for u in usual {
                if let i = members.firstIndex(where: { m in
                    m.key.count == u.count && zip(p[m.key], u).allSatisfy { (b, l) in (b >= 0x41 && b <= 0x5A ? b + 0x20 : b) == l }
                }) { return i }
            }
            return nil
        }
    }
}

/// One worker's writer of NDJSON objects and GeoJSON features by bytes, with its buffers kept from row to row.
struct JSONRowWriter {
    let codes: BatchCodeTable
    let lon: BatchAssignment.CoordinateNames
    let lat: BatchAssignment.CoordinateNames
    var hits = [GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit()]
    var counts = MatchCounts()

    typealias Members = [(key: Range<Int>, value: Range<Int>)]

    /// Writes the record with its added members (no separator or line end: the caller writes those): a plain
    /// object with numeric coordinate members (not when `featureOnly`), or a Feature with a Point of two plain
    /// numbers and a `properties` object. False (nothing written or counted) when the record needs the tree's way:
    /// keys with escapes or given twice, an added member already there, a `type` that is not plainly `"Feature"`,
    /// coordinates that are not plain numbers, a refused position.
    mutating func write(_ raw: [UInt8], featureOnly: Bool, line: Int, crs: CRS, snap: Double, replica: GridIndexReplica,
                        into w: inout GeoJSONWriter) -> Bool {
        guard raw.first == 0x7B, JSONValue.isValid(raw) else { return false }
        return raw.withUnsafeBufferPointer { p -> Bool in
            func plain(_ members: Members) -> Bool {
                for (k, m) in members.enumerated() {
                    if p[m.key].contains(0x5C) { return false }
                    for other in members[..<k] where p[other.key].elementsEqual(p[m.key]) { return false }
                }
                return true
            }
            func member(_ members: Members, _ name: String) -> Range<Int>? {
                members.first { p[$0.key].elementsEqual(name.utf8) }?.value
            }
            func object(_ r: Range<Int>) -> (members: Members, close: Int)? {
                guard let inner = JSONLayout.members(UnsafeBufferPointer(rebasing: p[r])) else { return nil }
                let shift = r.lowerBound
                return (inner.members.map { ($0.key.lowerBound + shift..<$0.key.upperBound + shift, $0.value.lowerBound + shift..<$0.value.upperBound + shift) },
                        inner.close + shift)
            }
            func number(_ r: Range<Int>) -> Double? {
                CSV.number(UnsafeBufferPointer(rebasing: p[r])).flatMap { $0.isFinite ? $0 : nil }
            }
            guard let top = JSONLayout.members(p), plain(top.members) else { return false }
            // Where the added members go: the object itself, or the Feature's properties.
            let target: (members: Members, close: Int)
            let x: Double, y: Double
            if let type = member(top.members, "type") {
                guard p[type].elementsEqual(#""Feature""#.utf8),
                      let g = member(top.members, "geometry"), let geometry = object(g), plain(geometry.members),
                      let gt = member(geometry.members, "type"), p[gt].elementsEqual(#""Point""#.utf8),
                      let c = member(geometry.members, "coordinates"),
                      let xy = JSONLayout.elements(UnsafeBufferPointer(rebasing: p[c])), xy.count >= 2,
                      let fx = number(xy[0].lowerBound + c.lowerBound..<xy[0].upperBound + c.lowerBound),
                      let fy = number(xy[1].lowerBound + c.lowerBound..<xy[1].upperBound + c.lowerBound),
                      let pr = member(top.members, "properties"), let properties = object(pr), plain(properties.members)
                else { return false }
                (x, y, target) = (fx, fy, properties)
            } else {
                guard !featureOnly, let xi = lon.pick(p, top.members), let yi = lat.pick(p, top.members),
                      let ox = number(top.members[xi].value), let oy = number(top.members[yi].value)
                else { return false }
                (x, y, target) = (ox, oy, top)
            }
            guard !target.members.contains(where: { m in codes.addedKeys.contains { p[m.key].elementsEqual($0) } }),
                  BatchAssignment.locate(x, y, line: line, crs: crs, snap: snap, replica: replica, into: &hits) == nil
            else { return false }
            counts.count(hits)
            BatchAssignment.splice(p, before: target.close, into: &w) { appendAdded(first: target.members.isEmpty, into: &$0) }
            return true
        }
    }

    /// The added members, as `RowAnswer.values` gives them for a row with an answer.
    func appendAdded(first: Bool, into w: inout GeoJSONWriter) {
        var n = 0
        func key(_ name: StaticString) {
            w.append(n == 0 && first ? "\"" : ",\"")
            w.append(name)
            w.append("\":")
            n += 1
        }
        func list(_ l: some Collection<Int>) {
            guard !l.isEmpty else { w.append("null"); return }
            w.append("\"")
            for (k, i) in l.enumerated() {
                if k > 0 { w.append(";") }
                w.append(bytes: codes.jsonCode(i))
            }
            w.append("\"")
        }
        func one(_ i: Int) { if i >= 0 { list(CollectionOfOne(i)) } else { w.append("null") } }
        func layer(_ k: Int, _ match: StaticString, _ distance: StaticString, _ touching: StaticString) {
            key(match)
            w.append("\""); w.append(hits[k].match.text); w.append("\"")
            key(distance)
            if let d = hits[k].metres { w.appendRaw(JSONNumber(d).literal) } else { w.append("null") }
            key(touching)
            list(hits[k].touching)
        }
        var level = 0
        codes.forEachInChain(hits[0].grids.first) { g in
            w.append(n == 0 && first ? "\"" : ",\"")
            w.append(bytes: codes.levelKeys[level])
            w.append("\":")
            n += 1
            level += 1
            one(g)
        }
        layer(0, "residential_match", "residential_distance_m", "residential_touching")
        key("functional"); list(hits[1].grids)
        layer(1, "functional_match", "functional_distance_m", "functional_touching")
        key("industry"); list(hits[2].grids)
        layer(2, "industry_match", "industry_distance_m", "industry_touching")
        key("error"); w.append("null")
    }
}
