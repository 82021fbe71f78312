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

        /// A reader for records of a file whose delimiter is already known (records handed over one by one).
        public init(delimiter: UInt8) {
            self.delimiter = delimiter
            delimiterKnown = true
        }

        /// The delimiter of a file from its first line: a comma, unless the line has none and has tabs or semicolons.
        public static func delimiter(firstLine: some Collection<UInt8>) -> UInt8 {
            if firstLine.contains(0x2C) { return 0x2C }
            if firstLine.contains(0x09) { return 0x09 }
            return firstLine.contains(0x3B) ? 0x3B : 0x2C
        }

        /// Hands each complete record to `emit` with the line it starts on.
        public mutating func feed(_ bytes: [UInt8], emit: ([String], Int) throws -> Void) rethrows {
            try bytes.withUnsafeBufferPointer { try feed($0, emit: emit) }
        }

        public mutating func feed(_ bytes: ArraySlice<UInt8>, emit: ([String], Int) throws -> Void) rethrows {
            try bytes.withUnsafeBufferPointer { try feed($0, emit: emit) }
        }

        public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, emit: ([String], Int) throws -> Void) rethrows {
            if !delimiterKnown {
                delimiter = Self.delimiter(firstLine: bytes.prefix { $0 != 0x0A })
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

extension CSV {
    /// A field's text as a number, for the fast path of readers: ASCII spaces and tabs around an optional sign,
    /// digits with at most one point, and an optional exponent — correctly rounded, the same value `Double(String)`
    /// gives. Anything else (other spaces, `inf`, hexadecimal, junk) is nil, for the caller's exact path.
    public static func number(_ p: UnsafeBufferPointer<UInt8>) -> Double? {
        var lo = 0, hi = p.count
        while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 { lo += 1 }
        while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 { hi -= 1 }
        var i = lo
        var negative = false
        if i < hi, p[i] == 0x2D || p[i] == 0x2B { negative = p[i] == 0x2D; i += 1 }
        let body = i
        var digits = 0
        while i < hi, p[i] >= 0x30, p[i] <= 0x39 { i += 1; digits += 1 }
        if i < hi, p[i] == 0x2E {
            i += 1
            while i < hi, p[i] >= 0x30, p[i] <= 0x39 { i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if i < hi, p[i] == 0x65 || p[i] == 0x45 {
            i += 1
            if i < hi, p[i] == 0x2D || p[i] == 0x2B { i += 1 }
            let e = i
            while i < hi, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
            guard i > e else { return nil }
        }
        guard i == hi else { return nil }
        let v = JSONScanner.decimalValue(UnsafeBufferPointer(rebasing: p[body..<hi]))
        return negative ? -v : v
    }

    /// Finds where the records of a CSV file are, without reading their fields: the same rules as `Reader` (a quote
    /// opens a quoted field only at the start of a field; line breaks inside quotes belong to the field), fed blocks
    /// of any size. Each record is handed over as a byte range of the buffer (its `\n` left out, a `\r` before it
    /// kept), the line it starts on, and whether it holds a quote — a record with none can be cut at its delimiters.
    public struct Splitter: Sendable {
        public let delimiter: UInt8
        var inQuotes = false
        var quoteSeen = false
        var fieldStarted = false
        var quoted = false
        /// The line the next byte is on, and the line the current record started on.
        var line = 1
        var recordLine = 1

        public init(delimiter: UInt8) { self.delimiter = delimiter }

        /// Scans `buffer[from...]`, where `from` is the start of a record (or a position up to which an earlier
        /// call scanned the same record), and emits each record that ends in it. Returns the start of the record
        /// left incomplete, to come again at the front of the next buffer, with `scanned` where to go on from.
        public mutating func feed(_ buffer: UnsafeBufferPointer<UInt8>, recordStart: Int, from: Int,
                                  emit: (_ start: Int, _ end: Int, _ line: Int, _ quoted: Bool) throws -> Void) rethrows -> Int {
            var start = recordStart
            var i = from
            let n = buffer.count
            let delimiter = self.delimiter
            while i < n {
                let b = buffer[i]
                i += 1
                if inQuotes {
                    if quoteSeen {
                        quoteSeen = false
                        if b == 0x22 { continue }
                        inQuotes = false  // the quote closed the field; b is read below
                    } else if b == 0x22 {
                        quoteSeen = true
                        continue
                    } else {
                        if b == 0x0A { line += 1 }
                        continue
                    }
                }
                switch b {
                case 0x22:
                    quoted = true
                    if !fieldStarted { inQuotes = true }
                    fieldStarted = true
                case delimiter:
                    fieldStarted = false
                case 0x0A:
                    try emit(start, i - 1, recordLine, quoted)
                    line += 1
                    recordLine = line
                    start = i
                    quoted = false
                    fieldStarted = false
                default:
                    fieldStarted = true
                }
            }
            return start
        }

        /// The line the record left incomplete starts on, and whether it holds a quote (for the last record of a
        /// file that does not end with a line break).
        public var pending: (line: Int, quoted: Bool) { (recordLine, quoted || inQuotes) }
    }
}
