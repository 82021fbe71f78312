import Foundation
import WanggeCore

extension BatchAssignment {
    static let lonNames = ["lon", "lng", "long", "longitude", "x", "经度"]
    static let latNames = ["lat", "latitude", "y", "纬度"]

    /// The index of the coordinate field among `names`: the given name, else the first usual name (any case).
    static func field(_ given: String?, in names: [String], usual: [String]) -> Int? {
        if let given { return names.firstIndex(of: given) }
        for u in usual { if let i = names.firstIndex(where: { $0.lowercased() == u }) { return i } }
        return nil
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
        var pending: [(value: JSONValue?, raw: [UInt8], line: Int, problem: BatchProblem?)] = []
        let crs = self.crs ?? .wgs84

        func flush() throws {
            guard !pending.isEmpty else { return }
            let positions = pending.map { row -> Position in
                if let p = row.problem { return .bad(kind: p.kind, message: p.message) }
                return positionOf(row.value!, line: row.line)
            }
            let answers = answer(positions, crs: crs, engine: engine)
            var w = GeoJSONWriter()
            for (row, a) in zip(pending, answers) {
                summary.count(a, line: row.line)
                var value: JSONValue
                if let v = row.value, case .object = v {
                    value = v
                } else {
                    value = .object(JSONObject([("line", .number(JSONNumber(row.line))),
                                                ("input", .string(String(decoding: row.raw, as: UTF8.self)))]))
                }
                w.appendValue(Self.adding(a, to: value))
                w.append("\n")
            }
            try out.write(contentsOf: w.take())
            pending.removeAll(keepingCapacity: true)
        }

        func handle(_ raw: ArraySlice<UInt8>) throws {
            line += 1
            var bytes = Array(raw)
            if bytes.last == 0x0D { bytes.removeLast() }
            while bytes.first == 0x1E { bytes.removeFirst() }  // RFC 8142 record separator
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
            let (value, problem) = Self.record(bytes, line: line, featureOnly: false)
            pending.append((value, value == nil ? bytes : [], line, problem))
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
    static func adding(_ a: RowAnswer, to value: JSONValue) -> JSONValue {
        guard var o = value.objectValue else { return value }
        var target = o["type"]?.stringValue == "Feature" ? (o["properties"]?.objectValue ?? JSONObject()) : o
        for (name, v) in zip(addedFields, a.values) { target[name] = v }
        if o["type"]?.stringValue == "Feature" { o["properties"] = .object(target) } else { o = target }
        return .object(o)
    }

    // MARK: GeoJSON FeatureCollection

    func runGeoJSON(_ input: ChunkedInput, _ out: FileHandle, _ engine: AssignmentEngine, _ summary: inout Summary) throws {
        var splitter = GeoJSONFeatureStream()
        var pending: [(feature: JSONValue?, raw: [UInt8], line: Int, problem: BatchProblem?)] = []
        var crs = self.crs
        var written = 0
        try out.write(contentsOf: Array(#"{"type":"FeatureCollection","features":["#.utf8))

        func flush() throws {
            guard !pending.isEmpty else { return }
            let positions = pending.map { row -> Position in
                if let p = row.problem { return .bad(kind: p.kind, message: p.message) }
                return Self.pointPosition(row.feature!.objectValue!, line: row.line)
            }
            let answers = answer(positions, crs: crs ?? .wgs84, engine: engine)
            var w = GeoJSONWriter()
            for (row, a) in zip(pending, answers) {
                summary.count(a, line: row.line)
                let feature = row.feature ?? .object(JSONObject([("type", .string("Feature")), ("geometry", .null),
                    ("properties", .object(JSONObject([("line", .number(JSONNumber(row.line))),
                                                       ("input", .string(String(decoding: row.raw.prefix(2000), as: UTF8.self)))])))]))
                w.append(written == 0 ? "\n" : ",\n")
                w.appendValue(Self.adding(a, to: feature))
                written += 1
            }
            try out.write(contentsOf: w.take())
            pending.removeAll(keepingCapacity: true)
        }

        func handle(_ piece: GeoJSONFeatureStream.Piece) throws {
            switch piece {
            case .crs(let bytes):
                if self.crs == nil, let name = (try? JSONValue.parse(bytes))?.objectValue?["properties"]?.objectValue?["name"]?.stringValue {
                    do { crs = try CRS(parsing: name) } catch { throw WanggeError.invalidInput("the file's crs member names \"\(name)\", which Wangge cannot read; give --crs") }
                }
            case .feature(let bytes, let line):
                let (value, problem) = Self.record(bytes, line: line, featureOnly: true)
                pending.append((value, value == nil ? bytes : [], line, problem))
                if pending.count >= chunkRows { try flush() }
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
