/// The one CSV codec (RFC 4180): a streaming reader, and writers that quote a field when it holds the delimiter, a
/// quote or a line break. Files this service writes end their lines with CRLF, as RFC 4180 and spreadsheets
/// expect; `wangge assign` keeps the line ends of its input.
public enum CSV {
    public static let crlf: [UInt8] = [0x0D, 0x0A]
    public static let lf: [UInt8] = [0x0A]

    /// A header row and one line per row.
    public static func table(header: [String], rows: [[(String, JSONValue)]]) -> String {
        var lines = [header.map { field($0) }.joined(separator: ",")]
        for r in rows { lines.append(r.map { field($0.1) }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// True if the field must be quoted: it holds the delimiter, a quote or a line break.
    public static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8 = 0x2C) -> Bool {
        bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }

    public static func needsQuotes(_ s: String, delimiter: UInt8 = 0x2C) -> Bool {
        s.utf8.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }

    /// The field as it goes into a line, quoted (its quotes doubled) when it has to be.
    public static func field(_ s: String, delimiter: UInt8 = 0x2C) -> String {
        guard needsQuotes(s, delimiter: delimiter) else { return s }
        var out = "\""
        for c in s { if c == "\"" { out += "\"\"" } else { out.append(c) } }
        return out + "\""
    }

    public static func field(_ v: JSONValue) -> String {
        switch v {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.literal
        case .string(let s): return field(s)
        case .array, .object:
            var w = GeoJSONWriter()
            w.appendValue(v)
            return field(String(decoding: w.take(), as: UTF8.self))
        }
    }

    /// Appends one field's bytes, quoted when they have to be.
    public static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8 = 0x2C, to out: inout [UInt8]) {
        guard needsQuotes(bytes, delimiter: delimiter) else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(0x22)
        for b in bytes {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }

    public static func appendField(_ s: String, delimiter: UInt8 = 0x2C, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendField($0, delimiter: delimiter, to: &out) }
    }

    /// Appends a record and its line end.
    public static func appendRecord(_ fields: [String], delimiter: UInt8 = 0x2C, lineEnd: [UInt8] = crlf, to out: inout [UInt8]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(delimiter) }
            appendField(f, delimiter: delimiter, to: &out)
        }
        out.append(contentsOf: lineEnd)
    }

    /// Reads records incrementally from chunks of any size: quoted fields with delimiters, quotes and line breaks;
    /// CRLF or LF. The delimiter is a comma unless the first line has tabs or semicolons and no commas.
    public struct Reader {
        public private(set) var delimiter: UInt8 = 0x2C
        /// The line end of the first record (assign writes its output with the same).
        public private(set) var lineEnd = CSV.lf
        var delimiterKnown = false
        var lineEndKnown = false
        var field: [UInt8] = []
        var record: [String] = []
        var inQuotes = false
        var quoteSeen = false
        var line = 1
        var recordLine = 1
        var fieldStarted = false

        public init() {}

        /// Hands each complete record to `emit` with the line it starts on.
        public mutating func feed(_ bytes: [UInt8], emit: ([String], Int) throws -> Void) rethrows {
            try bytes.withUnsafeBufferPointer { try feed($0, emit: emit) }
        }

        public mutating func feed(_ bytes: ArraySlice<UInt8>, emit: ([String], Int) throws -> Void) rethrows {
            try bytes.withUnsafeBufferPointer { try feed($0, emit: emit) }
        }

        public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, emit: ([String], Int) throws -> Void) rethrows {
            if !delimiterKnown {
                let firstLine = bytes.prefix { $0 != 0x0A }
                if !firstLine.contains(0x2C) {
                    if firstLine.contains(0x09) { delimiter = 0x09 } else if firstLine.contains(0x3B) { delimiter = 0x3B }
                }
                delimiterKnown = true
            }
            for b in bytes {
                if inQuotes {
                    if quoteSeen {
                        quoteSeen = false
                        if b == 0x22 { field.append(0x22); continue }
                        inQuotes = false  // the quote closed the field; b is read below
                    } else if b == 0x22 {
                        quoteSeen = true
                        continue
                    } else {
                        if b == 0x0A { line += 1 }
                        field.append(b)
                        continue
                    }
                }
                switch b {
                case 0x22 where !fieldStarted:
                    inQuotes = true
                    fieldStarted = true
                case delimiter:
                    endField()
                case 0x0A:
                    let crlf = field.last == 0x0D
                    if crlf { field.removeLast() }
                    if !lineEndKnown { lineEnd = crlf ? CSV.crlf : CSV.lf; lineEndKnown = true }
                    endField()
                    if !(record.count == 1 && record[0].isEmpty) { try emit(record, recordLine) }
                    record.removeAll(keepingCapacity: true)
                    line += 1
                    recordLine = line
                default:
                    field.append(b)
                    fieldStarted = true
                }
            }
        }

        mutating func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }

        /// The last record, when the input does not end with a line break.
        public mutating func finish(emit: ([String], Int) throws -> Void) rethrows {
            if quoteSeen { inQuotes = false; quoteSeen = false }
            if !field.isEmpty || !record.isEmpty || fieldStarted {
                if field.last == 0x0D { field.removeLast() }
                endField()
                try emit(record, recordLine)
                record.removeAll()
            }
        }
    }
}

extension GeoJSONWriter {
    /// One CSV field's bytes, quoted when they have to be.
    public mutating func appendCSVField(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard CSV.needsQuotes(bytes) else {
            append(bytes: bytes)
            return
        }
        var quoted: [UInt8] = []
        CSV.appendField(bytes, delimiter: 0x2C, to: &quoted)
        quoted.withUnsafeBufferPointer { append(bytes: $0) }
    }
}
