import Foundation
import WanggeCore
import WanggeGeo

/// CSV at the engine's speed: the file is read in large blocks, `CSV.Splitter` finds where the records are (one
/// pass over the bytes, no fields), and each worker takes a share of the block's records and does everything else
/// itself — cuts a record at its delimiters, parses the two coordinates from their bytes, assigns the point with
/// its own replica, and writes the record and the added columns straight into its own byte buffer. The main thread
/// writes the buffers in order. A record stays the bytes it was: nothing is decoded into a `String`.
///
/// Records the fast path cannot cut by bytes — with a quote, a stray carriage return, more fields than the header,
/// or an input that already has some of the added columns (they are replaced in place) — and coordinates that are
/// not plain decimals go through `CSV.Reader` and the exact parser, with the same result as before.
extension BatchAssignment {
    /// What the header decides for every record.
    struct CSVLayout: Sendable {
        let header: [String]
        let delimiter: UInt8
        let lineEnd: [UInt8]
        let lonIndex: Int
        let latIndex: Int
        /// The column of each added field: after the input's columns, or an existing one it replaces.
        let addedIndex: [Int]
        /// True when every added field comes after the input's columns, in order (records can be copied whole).
        let appends: Bool
    }

    /// The records of one block: offsets into the block (the `\n` left out), the line each starts on, and whether
    /// it holds a quote.
    struct RecordSpans: Sendable {
        var starts: [Int] = []
        var ends: [Int] = []
        var lines: [Int] = []
        var quoted: [Bool] = []
        var count: Int { starts.count }

        mutating func append(_ s: Int, _ e: Int, _ l: Int, _ q: Bool) {
            starts.append(s); ends.append(e); lines.append(l); quoted.append(q)
        }

        mutating func removeAll() {
            starts.removeAll(keepingCapacity: true); ends.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true); quoted.removeAll(keepingCapacity: true)
        }
    }

    /// Blocks of 4 MiB: large enough that handing them to the workers costs nothing, small enough to stay flat.
    static let csvBlock = 4 << 20

    func runCSV(_ input: ChunkedInput, _ out: FileHandle, _ engine: AssignmentEngine, _ summary: inout Summary) throws {
        var buffer: [UInt8] = []
        var splitter: CSV.Splitter?
        var layout: CSVLayout?
        var lineEnd: [UInt8]?
        var recordStart = 0, scanned = 0
        var records = RecordSpans()
        var atEnd = false
        let crs = self.crs ?? .wgs84

        while !atEnd {
            // Fill the buffer: the carried part of a record, then at least a block (or the rest of the file).
            let carried = buffer.count
            while buffer.count - carried < Self.csvBlock {
                guard let block = try input.next(Self.csvBlock) else { atEnd = true; break }
                buffer.append(contentsOf: block)
            }
            if splitter == nil {
                guard !buffer.isEmpty else { break }
                // The delimiter is decided by the file's first line (as `CSV.Reader` does).
                while !atEnd, !buffer.contains(0x0A), let more = try input.next(Self.csvBlock) { buffer.append(contentsOf: more) }
                splitter = CSV.Splitter(delimiter: CSV.Reader.delimiter(firstLine: buffer.prefix { $0 != 0x0A }))
            }
            records.removeAll()
            recordStart = buffer.withUnsafeBufferPointer { b in
                splitter!.feed(b, recordStart: recordStart, from: scanned) { s, e, l, q in
                    if lineEnd == nil { lineEnd = e > s && b[e - 1] == 0x0D ? CSV.crlf : CSV.lf }
                    records.append(s, e, l, q)
                }
            }
            var first = 0
            if layout == nil {
                // The header: the first record that is not blank.
                while first < records.count, layout == nil {
                    let fields = Self.exactRecord(buffer, records.starts[first], records.ends[first], delimiter: splitter!.delimiter)
                    first += 1
                    if let fields { layout = try csvHeader(fields.fields, delimiter: splitter!.delimiter, lineEnd: lineEnd ?? CSV.lf, out) }
                }
            }
            if let layout, first < records.count {
                try csvBlock(buffer, records, from: first, layout, crs, engine, out, &summary)
            }
            // Keep the record left incomplete for the next round.
            buffer.removeSubrange(..<recordStart)
            scanned = buffer.count
            recordStart = 0
        }
        // A last record with no line break after it, read as `CSV.Reader.finish` reads it.
        if !buffer.isEmpty, let splitter {
            var reader = CSV.Reader(delimiter: splitter.delimiter)
            var last: [([String], Int)] = []
            reader.feed(buffer) { last.append(($0, $1)) }
            reader.finish { last.append(($0, $1)) }
            let line0 = splitter.pending.line
            for (fields, l) in last {
                if let layout {
                    var text: [UInt8] = []
                    csvExact(fields, line: line0 + l - 1, layout, crs, engine: engine, into: &text, &summary)
                    try out.write(contentsOf: text)
                } else {
                    layout = try csvHeader(fields, delimiter: splitter.delimiter, lineEnd: lineEnd ?? CSV.lf, out)
                }
            }
        }
        guard layout != nil else { throw WanggeError.invalidInput("the CSV file is empty: it needs a header row") }
    }

    /// Reads the header: the coordinate columns and where the added fields go; writes the output's header.
    /// - Throws: `WanggeError.invalidInput` when a coordinate column is missing.
    func csvHeader(_ fields: [String], delimiter: UInt8, lineEnd: [UInt8], _ out: FileHandle) throws -> CSVLayout {
        guard let lon = Self.field(lonField, in: fields, usual: Self.lonNames) else {
            throw WanggeError.invalidInput("line 1: no longitude column (" + (lonField.map { "\"\($0)\" is not a column" } ?? "looked for \(Self.lonNames.joined(separator: ", "))") + "); name it with --lon-field")
        }
        guard let lat = Self.field(latField, in: fields, usual: Self.latNames) else {
            throw WanggeError.invalidInput("line 1: no latitude column (" + (latField.map { "\"\($0)\" is not a column" } ?? "looked for \(Self.latNames.joined(separator: ", "))") + "); name it with --lat-field")
        }
        var outHeader = fields
        let added = addedFields.map { name in
            if let i = fields.firstIndex(of: name) { return i }
            outHeader.append(name)
            return outHeader.count - 1
        }
        var text = [UInt8]()
        CSV.appendRecord(outHeader, delimiter: delimiter, lineEnd: lineEnd, to: &text)
        try out.write(contentsOf: text)
        return CSVLayout(header: fields, delimiter: delimiter, lineEnd: lineEnd, lonIndex: lon, latIndex: lat, addedIndex: added,
                         appends: added == Array(fields.count..<(fields.count + addedFields.count)))
    }

    /// The fields of one record by `CSV.Reader`, or nil for a blank one (which is no record).
    static func exactRecord(_ buffer: [UInt8], _ start: Int, _ end: Int, delimiter: UInt8) -> (fields: [String], line: Int)? {
        var reader = CSV.Reader(delimiter: delimiter)
        var got: (fields: [String], line: Int)?
        reader.feed(buffer[start..<end]) { got = ($0, $1) }
        reader.feed([0x0A]) { got = ($0, $1) }
        return got
    }

    /// Assigns the records of a block on every worker and writes what they made, in order.
    func csvBlock(_ buffer: [UInt8], _ records: RecordSpans, from first: Int, _ layout: CSVLayout, _ crs: CRS,
                  _ engine: AssignmentEngine, _ out: FileHandle, _ summary: inout Summary) throws {
        let n = records.count - first
        let parts = min(n, engine.workers.count * 4)
        let size = (n + parts - 1) / parts
        let results = ResultSlots<([UInt8], Summary)>(count: parts, empty: ([], Summary()))
        let job = self
        let tables = codeTables
        engine.workers.forEachChunk(parts) { k, replica in
            let lo = first + k * size, hi = min(records.count, lo + size)
            guard lo < hi else { return }
            var text: [UInt8] = []
            text.reserveCapacity((records.ends[hi - 1] - records.starts[lo]) + (hi - lo) * 96)
            var part = Summary()
            var row = CSVRowWriter(layout: layout, codes: tables.table(for: replica.snapshot))
            buffer.withUnsafeBufferPointer { b in
                for r in lo..<hi {
                    if records.quoted[r] || !row.fast(b, records.starts[r], records.ends[r], line: records.lines[r], crs: crs,
                                                      snap: job.snapMetres, replica: replica, into: &text) {
                        if let (fields, _) = Self.exactRecord(buffer, records.starts[r], records.ends[r], delimiter: layout.delimiter) {
                            job.csvExact(fields, line: records.lines[r], layout, crs, replica: replica, into: &text, &part)
                        }
                    }
                }
            }
            row.counts.add(to: &part)
            results.set(k, (text, part))
        }
        for (text, part) in results.all() {
            try out.write(contentsOf: text)
            summary.add(part)
        }
    }

    /// One record by the exact path: its fields as `CSV.Reader` read them, coordinates by the exact parser, the
    /// added fields put in their columns, the record written back by `CSV.appendRecord`.
    func csvExact(_ record: [String], line: Int, _ layout: CSVLayout, _ crs: CRS, replica: GridIndexReplica? = nil,
                  engine: AssignmentEngine? = nil, into text: inout [UInt8], _ summary: inout Summary) {
        let x = layout.lonIndex < record.count ? JSONValue.string(record[layout.lonIndex]) : nil
        let y = layout.latIndex < record.count ? JSONValue.string(record[layout.latIndex]) : nil
        let position = Self.position(Self.coordinate(x, name: layout.header[layout.lonIndex], axis: "longitude", line: line),
                                     Self.coordinate(y, name: layout.header[layout.latIndex], axis: "latitude", line: line), line: line)
        let a: RowAnswer
        if let replica {
            var one = RowAnswer()
            switch position {
            case .at(let x, let y, let line): one.error = Self.locate(x, y, line: line, crs: crs, snap: snapMetres, replica: replica, into: &one.hits)
            case .bad(let kind, let message): one.error = (kind, message)
            }
            one.values = one.values(replica.snapshot)
            a = one
        } else {
            a = answer([position], crs: crs, engine: engine!)[0]
        }
        summary.count(a, line: line)
        var fields = record
        while fields.count < layout.header.count { fields.append("") }
        for (k, v) in a.values.enumerated() {
            let s: String
            switch v {
            case .string(let t): s = t
            case .number(let n): s = n.literal
            default: s = ""
            }
            let i = layout.addedIndex[k]
            if i < fields.count { fields[i] = s } else { fields.append(s) }
        }
        CSV.appendRecord(fields, delimiter: layout.delimiter, lineEnd: layout.lineEnd, to: &text)
    }
}

/// Match counts per layer in a fixed table (no dictionary per row), added to a `Summary` at the end of a part.
struct MatchCounts {
    var counts = [Int](repeating: 0, count: 3 * MatchKind.allCases.count)
    var rows = 0

    @inline(__always)
    mutating func count(_ hits: [GridIndexReplica.LayerHit]) {
        rows += 1
        for k in 0..<3 { counts[k * 4 + Self.index(hits[k].match)] += 1 }
    }

    @inline(__always)
    static func index(_ m: MatchKind) -> Int {
        switch m {
        case .inside: return 0
        case .boundary: return 1
        case .nearest: return 2
        case .outside: return 3
        }
    }

    func add(to summary: inout BatchAssignment.Summary) {
        summary.rows += rows
        for (k, layer) in BatchAssignment.Summary.layers.enumerated() {
            for m in MatchKind.allCases where counts[k * 4 + Self.index(m)] > 0 {
                summary.byLayer[layer, default: [:]][m, default: 0] += counts[k * 4 + Self.index(m)]
            }
        }
    }
}

/// One worker's writer of CSV records by the fast path, with its buffers kept from row to row.
struct CSVRowWriter {
    let layout: BatchAssignment.CSVLayout
    let codes: BatchCodeTable
    var hits = [GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit()]
    var counts = MatchCounts()

    init(layout: BatchAssignment.CSVLayout, codes: BatchCodeTable) {
        self.layout = layout
        self.codes = codes
    }

    /// Writes the record at `start..<end` (its `\r` included, if any) with the added columns; false when the
    /// record needs the exact path instead (nothing is written or counted then). Only rows with an answer come
    /// here: a row whose position is refused (CRS, range) goes to the exact path for its message.
    mutating func fast(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ rawEnd: Int, line: Int, crs: CRS, snap: Double,
                       replica: GridIndexReplica, into out: inout [UInt8]) -> Bool {
        guard layout.appends else { return false }
        var end = rawEnd
        if end > start && b[end - 1] == 0x0D { end -= 1 }
        if end == start { return true }  // a blank line is no record
        let d = layout.delimiter
        let lonIndex = layout.lonIndex, latIndex = layout.latIndex
        var field = 0, fieldStart = start
        var lon = 0..<0, lat = 0..<0
        var hasLon = false, hasLat = false
        for i in start...end {
            if i < end {
                let c = b[i]
                if c == 0x0D { return false }
                guard c == d else { continue }
            }
            if field == lonIndex { lon = fieldStart..<i; hasLon = true }
            if field == latIndex { lat = fieldStart..<i; hasLat = true }
            field += 1
            fieldStart = i + 1
        }
        guard field <= layout.header.count else { return false }
        // Plain decimals here; anything else (blank, junk, `inf`, other spaces) by the exact parser for its message.
        guard hasLon, hasLat, let x = CSV.number(UnsafeBufferPointer(rebasing: b[lon])), x.isFinite,
              let y = CSV.number(UnsafeBufferPointer(rebasing: b[lat])), y.isFinite else { return false }
        guard BatchAssignment.locate(x, y, line: line, crs: crs, snap: snap, replica: replica, into: &hits) == nil else { return false }
        counts.count(hits)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<end]))
        for _ in field..<layout.header.count { out.append(d) }
        appendAdded(into: &out)
        out.append(contentsOf: layout.lineEnd)
        return true
    }

    /// The added columns, each after a delimiter, as `RowAnswer.values` gives them for a row with an answer.
    func appendAdded(into out: inout [UInt8]) {
        let d = layout.delimiter
        func code(_ i: Int) { CSV.appendField(codes.code(i), delimiter: d, to: &out) }
        func list(_ l: [Int]) {
            // Codes joined by `;`: one field, quoted as a whole when it has to be.
            if (d == 0x3B && l.count > 1) || l.contains(where: { CSV.needsQuotes(codes.code($0), delimiter: d) }) {
                var joined: [UInt8] = []
                for (n, i) in l.enumerated() {
                    if n > 0 { joined.append(0x3B) }
                    joined.append(contentsOf: codes.code(i))
                }
                joined.withUnsafeBufferPointer { CSV.appendField($0, delimiter: d, to: &out) }
                return
            }
            for (n, i) in l.enumerated() {
                if n > 0 { out.append(0x3B) }
                out.append(contentsOf: codes.code(i))
            }
        }
        func layer(_ k: Int) {
            out.append(d)
            let m = hits[k].match.text
            out.append(contentsOf: UnsafeBufferPointer(start: m.utf8Start, count: m.utf8CodeUnitCount))
            out.append(d)
            if let metres = hits[k].metres { out.append(contentsOf: JSONNumber(metres).literal.utf8) }
            out.append(d)
            list(hits[k].touching)
        }
        codes.forEachInChain(hits[0].grids.first) { g in out.append(d); if g >= 0 { code(g) } }
        layer(0)
        out.append(d); list(hits[1].grids)
        layer(1)
        out.append(d); list(hits[2].grids)
        layer(2)
        out.append(d)  // error: none
    }
}
