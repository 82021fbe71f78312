import Foundation
import WanggeCore
import WanggeGeo

extension BatchAssignment {
    static let lonNames = ["lon", "lng", "long", "longitude", "x", "经度"]
    static let latNames = ["lat", "latitude", "y", "纬度"]

    /// The index of the coordinate field among `names`: the given name, else the first usual name (any case).
    static func field(_ given: String?, in names: [String], usual: [String]) -> Int? {
        if let given { return names.firstIndex(of: given) }
        for u in usual { if let i = names.firstIndex(where: { Self.equalIgnoringASCIICase($0, u) }) { return i } }
        return nil
    }

    /// `name.lowercased() == lower` for a lowercase `lower`, without making a String per call (it runs for every
    /// key of every record). No non-ASCII character lowercases to one of the ASCII names looked for, so comparing
    /// bytes with ASCII letters folded is the same test.
    @inline(__always)
    static func equalIgnoringASCIICase(_ name: String, _ lower: String) -> Bool {
        var a = name.utf8.makeIterator(), b = lower.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                let folded = x >= 0x41 && x <= 0x5A ? x + 0x20 : x
                if folded != y { return false }
            default: return false
            }
        }
    }

    /// A coordinate from text or a JSON value, or why it is unusable.
    static func coordinate(_ value: JSONValue?, name: String, axis: String, line: Int) -> Result<Double, BatchProblem> {
        switch value {
        case nil, .null?:
            return .failure(BatchProblem(kind: "missing", message: "line \(line): no \(axis) (field \"\(name)\")"))
        case .number(let n)?:
            return n.value.isFinite ? .success(n.value)
                : .failure(BatchProblem(kind: "not_finite", message: "line \(line): \(axis) is not a finite number"))
        case .string(let s)?:
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return .failure(BatchProblem(kind: "missing", message: "line \(line): \(axis) field \"\(name)\" is empty")) }
            guard let v = Double(t) else {
                return .failure(BatchProblem(kind: "not_a_number", message: "line \(line): \(axis) \"\(t)\" is not a number"))
            }
            return v.isFinite ? .success(v)
                : .failure(BatchProblem(kind: "not_finite", message: "line \(line): \(axis) \"\(t)\" is not a finite number"))
        case let v?:
            return .failure(BatchProblem(kind: "not_a_number", message: "line \(line): \(axis) is \(v.typeDescription), not a number"))
        }
    }

    struct BatchProblem: Error {
        let kind: String
        let message: String
    }

    static func position(_ x: Result<Double, BatchProblem>, _ y: Result<Double, BatchProblem>, line: Int) -> Position {
        switch (x, y) {
        case (.success(let a), .success(let b)): return .at(a, b, line: line)
        case (.failure(let e), _), (_, .failure(let e)): return .bad(kind: e.kind, message: e.message)
        }
    }

    // MARK: NDJSON / GeoJSON text sequences

    func runNDJSON(_ input: ChunkedInput, _ out: FileHandle, _ engine: AssignmentEngine, _ summary: inout Summary) throws {
        var carry: [UInt8] = []
        var line = 0
        var pending: [JSONRecord] = []
        let crs = self.crs ?? .wgs84

        func flush() throws {
            guard !pending.isEmpty else { return }
            try jsonRecords(pending, featureOnly: false, crs: crs, engine: engine, first: false, out, &summary)
            pending.removeAll(keepingCapacity: true)
        }

        func handle(_ raw: ArraySlice<UInt8>) throws {
            line += 1
            var bytes = Array(raw)
            if bytes.last == 0x0D { bytes.removeLast() }
            while bytes.first == 0x1E { bytes.removeFirst() }  // RFC 8142 record separator
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
            pending.append(JSONRecord(raw: bytes, line: line))
            if pending.count >= chunkRows { try flush() }
        }

        while let block = try input.next() {
            carry += block
            var start = carry.startIndex
            while let nl = carry[start...].firstIndex(of: 0x0A) {
                try handle(carry[start..<nl])
                start = nl + 1
            }
            carry.removeSubrange(..<start)
        }
        if !carry.isEmpty { try handle(carry[...]) }
        try flush()
    }

    /// One record of a JSON format as read: its bytes and the line it starts on.
    struct JSONRecord: Sendable {
        var raw: [UInt8]
        var line: Int
    }

    /// Parses, assigns and writes a chunk of JSON records on every worker, in order. A record is written as its
    /// own bytes with the added members spliced in before the closing brace of the object (or of a Feature's
    /// `properties`); one that cannot be spliced that way (an added member already there, no `properties` object)
    /// or that is not a usable object is written from its parsed tree, as before. GeoJSON features are separated
    /// by `,\n` (`first`: the chunk starts the collection); NDJSON records end with `\n`.
    func jsonRecords(_ records: [JSONRecord], featureOnly: Bool, crs: CRS, engine: AssignmentEngine, first: Bool,
                     _ out: FileHandle, _ summary: inout Summary) throws {
        let parts = min(records.count, engine.workers.count * 4)
        let size = (records.count + parts - 1) / parts
        let results = ResultSlots<([UInt8], Summary)>(count: parts, empty: ([], Summary()))
        let job = self
        engine.workers.forEachChunk(parts) { k, replica in
            let lo = k * size, hi = min(records.count, lo + size)
            guard lo < hi else { return }
            var w = GeoJSONWriter(reserving: (hi - lo) * 400)
            var part = Summary()
            let fields = BatchAssignment.addedFields(replica.snapshot.scheme)
            var bytes = JSONRowWriter(codes: job.codeTables.table(for: replica.snapshot),
                                      lon: CoordinateNames(given: job.lonField, usual: Self.lonNames),
                                      lat: CoordinateNames(given: job.latField, usual: Self.latNames))
            defer { bytes.counts.add(to: &part); results.set(k, (w.take(), part)) }
            for r in lo..<hi {
                let row = records[r]
                if featureOnly { w.append(first && r == 0 ? "\n" : ",\n") }
                if bytes.write(row.raw, featureOnly: featureOnly, line: row.line, crs: crs, snap: job.snapMetres, replica: replica, into: &w) {
                    if !featureOnly { w.append("\n") }
                    continue
                }
                let (value, problem) = Self.record(row.raw, line: row.line, featureOnly: featureOnly)
                var a = RowAnswer()
                let position: Position = problem.map { .bad(kind: $0.kind, message: $0.message) }
                    ?? (featureOnly ? Self.pointPosition(value!.objectValue!, line: row.line) : job.positionOf(value!, line: row.line))
                switch position {
                case .at(let x, let y, let line): a.error = Self.locate(x, y, line: line, crs: crs, snap: job.snapMetres, replica: replica, into: &a.hits)
                case .bad(let kind, let message): a.error = (kind, message)
                }
                a.values = a.values(replica.snapshot)
                part.count(a, line: row.line)
                if let value, Self.splice(row.raw, value, a.values, fields: fields, feature: value.objectValue?["type"]?.stringValue == "Feature", into: &w) {
                } else {
                    let fallback: JSONValue = value ?? (featureOnly
                        ? .object(JSONObject([("type", .string("Feature")), ("geometry", .null),
                                              ("properties", .object(JSONObject([("line", .number(JSONNumber(row.line))),
                                                                                 ("input", .string(String(decoding: row.raw.prefix(2000), as: UTF8.self)))])))]))
                        : .object(JSONObject([("line", .number(JSONNumber(row.line))), ("input", .string(String(decoding: row.raw, as: UTF8.self)))])))
                    w.appendValue(Self.adding(a, fields: fields, to: fallback))
                }
                if !featureOnly { w.append("\n") }
            }
        }
        for (bytes, part) in results.all() {
            try out.write(contentsOf: bytes)
            summary.add(part)
        }
    }

    /// Writes `raw` (a parsed object) with the added members before the closing brace of the object, or of a
    /// Feature's `properties` object; false (nothing written) when that is not possible as is.
    static func splice(_ raw: [UInt8], _ value: JSONValue, _ values: [JSONValue], fields addedFields: [String], feature: Bool,
                       into w: inout GeoJSONWriter) -> Bool {
        guard let object = value.objectValue else { return false }
        let target: JSONObject
        if feature {
            guard let p = object["properties"]?.objectValue else { return false }
            target = p
        } else {
            target = object
        }
        guard !addedFields.contains(where: { target[$0] != nil }) else { return false }
        return raw.withUnsafeBufferPointer { p -> Bool in
            guard let top = JSONLayout.members(p) else { return false }
            var close = top.close, empty = top.members.isEmpty
            if feature {
                let named = top.members.filter { $0.key.count == 10 && p[$0.key].elementsEqual("properties".utf8) }
                guard named.count == 1, let inner = JSONLayout.members(UnsafeBufferPointer(rebasing: p[named[0].value])) else { return false }
                close = named[0].value.lowerBound + inner.close
                empty = inner.members.isEmpty
            }
            splice(p, before: close, into: &w) { w in
                for (n, (name, v)) in zip(addedFields, values).enumerated() {
                    w.append(n == 0 && empty ? "\"" : ",\"")
                    name.utf8.withContiguousStorageIfAvailable { w.append(bytes: $0) }
                    w.append("\":")
                    w.appendValue(v)
                }
            }
            return true
        }
    }

    /// Writes the record `p` with `members` written in just before its byte `close` (an object's closing brace),
    /// and without the whitespace after it.
    static func splice(_ p: UnsafeBufferPointer<UInt8>, before close: Int, into w: inout GeoJSONWriter, _ members: (inout GeoJSONWriter) -> Void) {
        w.append(bytes: UnsafeBufferPointer(rebasing: p[..<close]))
        members(&w)
        var end = p.count
        while end > close, p[end - 1] == 0x20 || p[end - 1] == 0x09 || p[end - 1] == 0x0A || p[end - 1] == 0x0D { end -= 1 }
        w.append(bytes: UnsafeBufferPointer(rebasing: p[close..<end]))
    }

    /// One record (an NDJSON line, a member of `features`) as a JSON object, or why it is not one.
    static func record(_ bytes: [UInt8], line: Int, featureOnly: Bool) -> (JSONValue?, BatchProblem?) {
        do {
            let v = try JSONValue.parse(bytes)
            if featureOnly && v.objectValue?["type"]?.stringValue != "Feature" {
                return (nil, BatchProblem(kind: "not_a_feature", message: "line \(line): a member of \"features\" is not a Feature"))
            }
            guard case .object = v else {
                return (nil, BatchProblem(kind: "not_an_object", message: "line \(line): expected a JSON object or GeoJSON Feature, found \(v.typeDescription)"))
            }
            return (v, nil)
        } catch {
            return (nil, BatchProblem(kind: "malformed_json", message: "line \(line), column \(error.column): malformed JSON: \(error.message)"))
        }
    }

    /// Coordinates of an NDJSON object: a GeoJSON Feature's Point, or lon/lat members.
    func positionOf(_ value: JSONValue, line: Int) -> Position {
        guard let o = value.objectValue else { return .bad(kind: "not_an_object", message: "line \(line): not an object") }
        if o["type"]?.stringValue == "Feature" { return Self.pointPosition(o, line: line) }
        let keys = o.keys
        guard let xi = Self.field(lonField, in: keys, usual: Self.lonNames) else {
            return .bad(kind: "missing", message: "line \(line): no longitude member (" + (lonField ?? Self.lonNames.joined(separator: "/")) + ")")
        }
        guard let yi = Self.field(latField, in: keys, usual: Self.latNames) else {
            return .bad(kind: "missing", message: "line \(line): no latitude member (" + (latField ?? Self.latNames.joined(separator: "/")) + ")")
        }
        return Self.position(Self.coordinate(o[keys[xi]], name: keys[xi], axis: "longitude", line: line),
                             Self.coordinate(o[keys[yi]], name: keys[yi], axis: "latitude", line: line), line: line)
    }

    /// A Feature's Point coordinates, or why it has none.
    static func pointPosition(_ feature: JSONObject, line: Int) -> Position {
        guard let g = feature["geometry"]?.objectValue else {
            return .bad(kind: "missing", message: "line \(line): the feature has no geometry")
        }
        guard g["type"]?.stringValue == "Point" else {
            return .bad(kind: "not_a_point", message: "line \(line): the geometry is \(g["type"]?.stringValue ?? "untyped"); batch assignment takes Point features")
        }
        guard case .array(let c)? = g["coordinates"], c.count >= 2 else {
            return .bad(kind: "missing", message: "line \(line): the Point has no [longitude, latitude] coordinates")
        }
        return position(coordinate(c[0], name: "coordinates[0]", axis: "longitude", line: line),
                        coordinate(c[1], name: "coordinates[1]", axis: "latitude", line: line), line: line)
    }

    /// The object (or the Feature's properties) with the added fields set.
    static func adding(_ a: RowAnswer, fields addedFields: [String], to value: JSONValue) -> JSONValue {
        guard var o = value.objectValue else { return value }
        var target = o["type"]?.stringValue == "Feature" ? (o["properties"]?.objectValue ?? JSONObject()) : o
        for (name, v) in zip(addedFields, a.values) { target[name] = v }
        if o["type"]?.stringValue == "Feature" { o["properties"] = .object(target) } else { o = target }
        return .object(o)
    }

    // MARK: GeoJSON FeatureCollection

    func runGeoJSON(_ input: ChunkedInput, _ out: FileHandle, _ engine: AssignmentEngine, _ summary: inout Summary) throws {
        var splitter = GeoJSONFeatureStream()
        var pending: [JSONRecord] = []
        var crs = self.crs
        var written = 0
        try out.write(contentsOf: Array(#"{"type":"FeatureCollection","features":["#.utf8))

        func flush() throws {
            guard !pending.isEmpty else { return }
            try jsonRecords(pending, featureOnly: true, crs: crs ?? .wgs84, engine: engine, first: written == 0, out, &summary)
            written += pending.count
            pending.removeAll(keepingCapacity: true)
        }

        func handle(_ piece: GeoJSONFeatureStream.Piece) throws {
            switch piece {
            case .member("crs", let bytes, _):
                if self.crs == nil, let name = (try? JSONValue.parse(bytes))?.objectValue?["properties"]?.objectValue?["name"]?.stringValue {
                    do { crs = try CRS(parsing: name) } catch { throw WanggeError.invalidInput("the file's crs member names \"\(name)\", which Wangge cannot read; give --crs") }
                }
            case .feature(let bytes, let at):
                pending.append(JSONRecord(raw: bytes, line: at.line))
                if pending.count >= chunkRows { try flush() }
            case .member:
                break
            }
        }

        while let block = try input.next() {
            try splitter.feed(block, emit: handle)
        }
        try splitter.finish(emit: handle)
        try flush()
        try out.write(contentsOf: Array("\n]}\n".utf8))
    }
}
