import Foundation
import WanggeCore
import WanggeGeo

/// NDJSON objects by bytes: a record that is a plain object with numeric coordinate members is checked as JSON
/// without building it (`JSONValue.isValid`), its members are found with `JSONLayout`, the two coordinates are
/// parsed from their bytes, and the added members are written from a per-snapshot table of codes already escaped
/// as JSON — no tree, no `String` per member. Anything else (a Feature, coordinates as strings or missing, an added
/// member already there, a key with an escape or twice, a refused position) goes the tree's way, with the same
/// result.
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

/// A snapshot's codes as JSON string contents (escaped, without quotes), levels and parents, for the JSON writer.
final class JSONCodeTable: Sendable {
    let generation: Int
    let bytes: [UInt8]
    let start: [Int32]
    let rank: [Int8]
    let parent: [Int32]

    init(_ snapshot: GridIndexSnapshot) {
        generation = snapshot.generation
        var bytes: [UInt8] = [], start: [Int32] = [0]
        for g in snapshot.grids {
            var w = GeoJSONWriter()
            w.appendString(g.code)
            bytes.append(contentsOf: w.bytes.dropFirst().dropLast())
            start.append(Int32(bytes.count))
        }
        self.bytes = bytes
        self.start = start
        rank = snapshot.grids.map { Int8($0.level?.rank ?? -1) }
        parent = snapshot.grids.map { Int32($0.parent ?? -1) }
    }
}

final class JSONCodeTables: Sendable {
    let tables = Locked<[JSONCodeTable]>([])

    func table(for snapshot: GridIndexSnapshot) -> JSONCodeTable {
        tables.withLock { list in
            if let t = list.first(where: { $0.generation == snapshot.generation }) { return t }
            let t = JSONCodeTable(snapshot)
            list.append(t)
            return t
        }
    }
}

/// One worker's writer of NDJSON objects by bytes, with its buffers kept from row to row.
struct JSONRowWriter {
    let codes: JSONCodeTable
    let lon: BatchAssignment.CoordinateNames
    let lat: BatchAssignment.CoordinateNames
    var hits = [GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit()]
    var counts = MatchCounts()
    static let added: [[UInt8]] = BatchAssignment.addedFields.map { Array($0.utf8) }

    /// Writes the record with its added members and a line end; false (nothing written or counted) when the record
    /// needs the tree's way.
    mutating func fast(_ raw: [UInt8], line: Int, crs: CRS, snap: Double, replica: GridIndexReplica, into w: inout GeoJSONWriter) -> Bool {
        guard raw.first == 0x7B, JSONValue.isValid(raw) else { return false }
        return raw.withUnsafeBufferPointer { p -> Bool in
            guard let layout = JSONLayout.members(p) else { return false }
            let members = layout.members
            // Keys as they are: one with an escape, one given twice, or an added member already there is the tree's.
            for (k, m) in members.enumerated() {
                if p[m.key].contains(0x5C) { return false }
                if Self.added.contains(where: { p[m.key].elementsEqual($0) }) { return false }
                if p[m.key].elementsEqual("type".utf8) { return false }  // perhaps a Feature
                for other in members[..<k] where p[other.key].elementsEqual(p[m.key]) { return false }
            }
            guard let xi = lon.pick(p, members), let yi = lat.pick(p, members),
                  let x = CSV.number(UnsafeBufferPointer(rebasing: p[members[xi].value])), x.isFinite,
                  let y = CSV.number(UnsafeBufferPointer(rebasing: p[members[yi].value])), y.isFinite,
                  BatchAssignment.locate(x, y, line: line, crs: crs, snap: snap, replica: replica, into: &hits) == nil
            else { return false }
            counts.count(hits)
            w.append(bytes: UnsafeBufferPointer(rebasing: p[..<layout.close]))
            appendAdded(first: members.isEmpty, into: &w)
            var end = p.count
            while end > layout.close, p[end - 1] == 0x20 || p[end - 1] == 0x09 || p[end - 1] == 0x0A || p[end - 1] == 0x0D { end -= 1 }
            w.append(bytes: UnsafeBufferPointer(rebasing: p[layout.close..<end]))
            w.append("\n")
            return true
        }
    }

    /// A GeoJSON Feature with a Point of two plain numbers and a `properties` object: written with the added
    /// members spliced into `properties` (no line end: the caller separates records); false when it needs the tree.
    mutating func fastFeature(_ raw: [UInt8], line: Int, crs: CRS, snap: Double, replica: GridIndexReplica, into w: inout GeoJSONWriter) -> Bool {
        guard raw.first == 0x7B, JSONValue.isValid(raw) else { return false }
        return raw.withUnsafeBufferPointer { p -> Bool in
            func distinct(_ members: [(key: Range<Int>, value: Range<Int>)]) -> Bool {
                for (k, m) in members.enumerated() {
                    if p[m.key].contains(0x5C) { return false }
                    for other in members[..<k] where p[other.key].elementsEqual(p[m.key]) { return false }
                }
                return true
            }
            func member(_ members: [(key: Range<Int>, value: Range<Int>)], _ name: String) -> Range<Int>? {
                members.first { p[$0.key].elementsEqual(name.utf8) }?.value
            }
            func object(_ r: Range<Int>) -> (members: [(key: Range<Int>, value: Range<Int>)], close: Int)? {
                guard let inner = JSONLayout.members(UnsafeBufferPointer(rebasing: p[r])) else { return nil }
                let shift = r.lowerBound
                return (inner.members.map { ($0.key.lowerBound + shift..<$0.key.upperBound + shift, $0.value.lowerBound + shift..<$0.value.upperBound + shift) },
                        inner.close + shift)
            }
            guard let top = JSONLayout.members(p), distinct(top.members),
                  let type = member(top.members, "type"), p[type].elementsEqual(#""Feature""#.utf8),
                  let g = member(top.members, "geometry"), let geometry = object(g), distinct(geometry.members),
                  let gt = member(geometry.members, "type"), p[gt].elementsEqual(#""Point""#.utf8),
                  let c = member(geometry.members, "coordinates"),
                  let xy = JSONLayout.elements(UnsafeBufferPointer(rebasing: p[c])), xy.count >= 2,
                  let x = CSV.number(UnsafeBufferPointer(rebasing: p[(xy[0].lowerBound + c.lowerBound)..<(xy[0].upperBound + c.lowerBound)])), x.isFinite,
                  let y = CSV.number(UnsafeBufferPointer(rebasing: p[(xy[1].lowerBound + c.lowerBound)..<(xy[1].upperBound + c.lowerBound)])), y.isFinite,
                  let pr = member(top.members, "properties"), let properties = object(pr), distinct(properties.members),
                  !properties.members.contains(where: { m in Self.added.contains { p[m.key].elementsEqual($0) } }),
                  BatchAssignment.locate(x, y, line: line, crs: crs, snap: snap, replica: replica, into: &hits) == nil
            else { return false }
            counts.count(hits)
            w.append(bytes: UnsafeBufferPointer(rebasing: p[..<properties.close]))
            appendAdded(first: properties.members.isEmpty, into: &w)
            var end = p.count
            while end > properties.close, p[end - 1] == 0x20 || p[end - 1] == 0x09 || p[end - 1] == 0x0A || p[end - 1] == 0x0D { end -= 1 }
            w.append(bytes: UnsafeBufferPointer(rebasing: p[properties.close..<end]))
            return true
        }
    }

    /// The added members, as `RowAnswer.values` gives them for a row with an answer.
    func appendAdded(first: Bool, into w: inout GeoJSONWriter) {
        codes.bytes.withUnsafeBufferPointer { bytes in
            codes.start.withUnsafeBufferPointer { start in
                codes.rank.withUnsafeBufferPointer { rank in
                    codes.parent.withUnsafeBufferPointer { parent in
                        var n = 0
                        func key(_ name: StaticString) {
                            w.append(n == 0 && first ? "\"" : ",\"")
                            w.append(bytes: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
                            w.append("\":")
                            n += 1
                        }
                        func codes(_ l: some Collection<Int>) {
                            guard !l.isEmpty else { w.append("null"); return }
                            w.append("\"")
                            for (k, i) in l.enumerated() {
                                if k > 0 { w.append(";") }
                                w.append(bytes: UnsafeBufferPointer(rebasing: bytes[Int(start[i])..<Int(start[i + 1])]))
                            }
                            w.append("\"")
                        }
                        var chain = (-1, -1, -1, -1)
                        var g = hits[0].grids.first ?? -1
                        while g >= 0 {
                            switch rank[g] {
                            case 0: chain.0 = g
                            case 1: chain.1 = g
                            case 2: chain.2 = g
                            case 3: chain.3 = g
                            default: break
                            }
                            g = Int(parent[g])
                        }
                        func one(_ i: Int) { if i >= 0 { codes(CollectionOfOne(i)) } else { w.append("null") } }
                        func layer(_ k: Int, _ match: StaticString, _ distance: StaticString, _ touching: StaticString) {
                            key(match)
                            switch hits[k].match {
                            case .inside: w.append("\"inside\"")
                            case .boundary: w.append("\"boundary\"")
                            case .nearest: w.append("\"nearest\"")
                            case .outside: w.append("\"outside\"")
                            }
                            key(distance)
                            if let d = hits[k].metres { w.appendRaw(JSONNumber(d).literal) } else { w.append("null") }
                            key(touching)
                            codes(hits[k].touching)
                        }
                        key("street"); one(chain.0)
                        key("community"); one(chain.1)
                        key("courtyard"); one(chain.2)
                        key("building"); one(chain.3)
                        layer(0, "residential_match", "residential_distance_m", "residential_touching")
                        key("functional"); codes(hits[1].grids)
                        layer(1, "functional_match", "functional_distance_m", "functional_touching")
                        key("industry"); codes(hits[2].grids)
                        layer(2, "industry_match", "industry_distance_m", "industry_touching")
                        key("error"); w.append("null")
                    }
                }
            }
        }
    }
}
