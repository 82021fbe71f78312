/// Reads the fields of one record of an uploaded document — a JSON object, or a CSV row turned into one — and
/// collects every problem with where it is (`appointments[3].role`, `line 5, column role`), so a whole upload is
/// refused with all its problems at once and nothing of it is stored.
public struct RecordReader {
    public let object: JSONObject
    /// How problems name this record: `people[2]`, or `line 7` for a CSV row.
    public let location: String
    /// CSV rows name their fields as columns.
    let csv: Bool
    public private(set) var problems: [FieldError] = []

    public init(_ object: JSONObject, location: String, csv: Bool = false) {
        self.object = object; self.location = location; self.csv = csv
    }

    public func path(_ key: String) -> String { csv ? "\(location), column \(key)" : "\(location).\(key)" }

    public mutating func fail(_ key: String, _ reason: String) { problems.append(FieldError(path(key), reason)) }

    /// A one-line text; nil when absent, null or (for CSV) empty. Required texts that are missing are a problem.
    public mutating func text(_ key: String, required: Bool = false, maxLength: Int = 200) -> String? {
        let value = object[key]
        var s: String?
        switch value {
        case nil, .null?: s = nil
        case .string(let t)?: s = t.trimmingSpaces
        case .number(let n)?: s = n.literal
        case let other?:
            fail(key, "must be a string, not \(other.typeDescription)")
            return nil
        }
        if s?.isEmpty == true { s = nil }
        guard let text = s else {
            if required { fail(key, "is missing") }
            return nil
        }
        if let why = TextField.problem(text, multiline: false) { fail(key, why); return nil }
        if text.count > maxLength { fail(key, "is longer than \(maxLength) characters"); return nil }
        return text
    }

    /// Whether the record has the key at all (a JSON null counts as present: it clears).
    public func has(_ key: String) -> Bool { object[key] != nil }

    /// One of a fixed set of values.
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type, required: Bool = true) -> T?
        where T.RawValue == String {
        guard let raw = text(key, required: required) else { return nil }
        guard let v = T(rawValue: raw) else {
            fail(key, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not \(raw)")
            return nil
        }
        return v
    }

    /// A whole number in `range` (CSV cells and JSON strings of digits are read too).
    public mutating func int(_ key: String, in range: ClosedRange<Int>, required: Bool = true) -> Int? {
        let value = object[key]
        let n: Int?
        switch value {
        case nil, .null?:
            if required { fail(key, "is missing") }
            return nil
        case .number(let num)?: n = Int(exactly: num.value)
        case .string(let s)?:
            if s.trimmingSpaces.isEmpty, !required { return nil }
            n = Int(s.trimmingSpaces)
        default: n = nil
        }
        guard let n else { fail(key, "must be a whole number"); return nil }
        guard range.contains(n) else { fail(key, "must be between \(range.lowerBound) and \(range.upperBound), not \(n)"); return nil }
        return n
    }

    /// A number (degrees, metres).
    public mutating func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        let n: Double?
        switch object[key] {
        case nil, .null?: fail(key, "is missing"); return nil
        case .number(let num)?: n = num.value
        case .string(let s)?: n = Double(s.trimmingSpaces)
        default: n = nil
        }
        guard let n, n.isFinite else { fail(key, "must be a number"); return nil }
        guard range.contains(n) else { fail(key, "must be between \(range.lowerBound) and \(range.upperBound), not \(n)"); return nil }
        return n
    }

    /// A calendar date `YYYY-MM-DD`.
    public mutating func date(_ key: String, required: Bool = false) -> String? {
        guard let s = text(key, required: required) else { return nil }
        guard CalendarDay.isValid(s) else { fail(key, "must be a date as YYYY-MM-DD, not \(s)"); return nil }
        return s
    }
}

extension RecordReader {
    /// The features of a GeoJSON FeatureCollection of points as records: each one's properties with its `id` (if
    /// the properties have none) and `lon`, `lat` from its geometry; a feature that is not a Point is a problem.
    /// - Throws: `InvalidFields` when the document is not a FeatureCollection; `JSONSyntaxError`.
    public static func points(geojson bytes: [UInt8]) throws -> ([RecordReader], [FieldError]) {
        guard case .object(let fc) = try JSONValue.parse(bytes), fc["type"] == .string("FeatureCollection"),
              case .array(let features)? = fc["features"] else {
            throw InvalidFields([FieldError("body", "must be a GeoJSON FeatureCollection of points")])
        }
        var records: [RecordReader] = [], problems: [FieldError] = []
        for (i, f) in features.enumerated() {
            let o = f.objectValue
            var props = o?["properties"]?.objectValue ?? JSONObject()
            if props["id"] == nil, let id = o?["id"] { props["id"] = id }
            guard let g = o?["geometry"]?.objectValue, g["type"] == .string("Point"), case .array(let c)? = g["coordinates"], c.count >= 2 else {
                problems.append(FieldError("features[\(i)].geometry", "must be a Point"))
                continue
            }
            props["lon"] = c[0]
            props["lat"] = c[1]
            records.append(RecordReader(props, location: "features[\(i)].properties"))
        }
        return (records, problems)
    }
}

extension JSONObject {
    /// The array member `key` of an uploaded document: empty when absent or null; anything else is a problem.
    func array(_ key: String, problems: inout [FieldError]) -> [JSONValue] {
        switch self[key] {
        case .array(let a)?: return a
        case nil, .null?: return []
        default:
            problems.append(FieldError(key, "must be an array"))
            return []
        }
    }
}

/// Calendar days as `YYYY-MM-DD` text, which sorts as the days do.
public enum CalendarDay {
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D,
              u.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (0x30...0x39).contains($0.element) }),
              let y = Int(s.prefix(4)), let m = Int(s.dropFirst(5).prefix(2)), let d = Int(s.suffix(2)),
              (1...12).contains(m), d >= 1, d <= Timestamp.daysIn(month: m, year: y) else { return false }
        return true
    }

    /// The day `seconds` since 1970 falls on in `zone` (the service's zone by default).
    public static func day(_ seconds: Double, in zone: ZoneOffsets = .service) -> String {
        String(Timestamp.format(seconds, in: zone).prefix(10))
    }

    /// The first moment of `day` in `zone`, in seconds since 1970.
    public static func start(_ day: String, in zone: ZoneOffsets = .service) -> Double? {
        Timestamp.parse(day + "T00:00:00", zone: zone)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (no Foundation in Core).
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

extension CSV {
    /// The rows of a CSV document with a header line, each as an object of its non-empty cells (the header names
    /// the keys) and the line it starts on. A row with more cells than the header is a problem naming its line.
    /// - Throws: `InvalidFields` for a missing header, a duplicate column, or rows wider than the header.
    public static func records(_ bytes: [UInt8], required: [String]) throws -> [(object: JSONObject, line: Int)] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var reader = CSV.Reader(delimiter: CSV.Reader.delimiter(firstLine: body.prefix { $0 != 0x0A }))
        var header: [String]?
        var out: [(JSONObject, Int)] = [], problems: [FieldError] = []
        let emit: ([String], Int) throws -> Void = { fields, line in
            guard let h = header else {
                header = fields.map { $0.trimmingSpaces }
                return
            }
            if fields.count == 1, fields[0].isEmpty { return }
            if fields.count > h.count {
                problems.append(FieldError("line \(line)", "has \(fields.count) fields; the header has \(h.count)"))
                return
            }
            out.append((JSONObject(zip(h, fields).filter { !$0.1.isEmpty }.map { ($0.0, JSONValue.string($0.1)) }), line))
        }
        try reader.feed(body, emit: emit)
        try reader.finish(emit: emit)
        guard let h = header else { throw InvalidFields([FieldError("body", "is empty: expected a header line naming the columns")]) }
        if let dup = h.first(where: { c in h.filter { $0 == c }.count > 1 }) {
            problems.insert(FieldError("line 1", "names the column \(dup) twice"), at: 0)
        }
        for column in required where !h.contains(column) {
            problems.insert(FieldError("line 1", "has no column \(column) (columns: \(h.joined(separator: ", ")))"), at: 0)
        }
        guard problems.isEmpty else { throw InvalidFields(problems) }
        return out
    }
}
