/// Finds the members of a FeatureCollection's `features` array, and its legacy `crs` member, in a byte stream fed
/// in chunks of any size, holding no more than one feature beyond the current chunk: any size of collection streams
/// through. Each feature is handed on as its bytes, unchecked, with the line it starts on, so one malformed feature
/// is reported on its own; the collection's own structure is read with `JSONScanner`. A UTF-8 byte-order mark at
/// the start is skipped (it still counts as a character of line 1, as `JSONScanner` counts it).
public struct GeoJSONFeatureStream: Sendable {
    public enum Piece: Sendable, Equatable {
        /// A member of `features`, with where it starts.
        case feature([UInt8], at: Place)
        /// A member of the collection other than `features`: its value's bytes (balanced, not checked as JSON) and
        /// where they start.
        case member(String, [UInt8], at: Place)
    }

    /// Where a piece starts in the whole text: line and column (1-based, the column in characters, as
    /// `JSONSyntaxError` counts them) and byte offset.
    public struct Place: Sendable, Equatable {
        public var line: Int
        public var column: Int
        public var offset: Int

        public init(line: Int, column: Int, offset: Int) {
            self.line = line; self.column = column; self.offset = offset
        }
    }

    enum Phase { case start, members, features, done }

    /// What may come next in the object or array being read: anything or its close (just opened), a member or
    /// element (after a comma), a comma or the close (after a member or element). JSON allows no other order.
    enum Expect { case opened, item, separator }

    /// Bytes not consumed yet, then a NUL (the scanner's terminator).
    var buffer: [UInt8] = [0]
    var phase = Phase.start
    var expect = Expect.opened
    /// The line and column `buffer` starts at.
    var line = 1
    var column = 1
    /// The offset in the whole text of `buffer`'s first byte.
    var offset = 0
    /// How far the scan of an unfinished feature at the head of `buffer` got.
    var balance = JSONScanner.Balance()

    public init() {}

    /// Reads what it can of `bytes` (with what was left over) and emits every complete piece.
    /// - Throws: `WanggeError.invalidInput` when the text is not a FeatureCollection.
    public mutating func feed(_ bytes: [UInt8], emit: (Piece) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { try feed($0, emit: emit) }
    }

    public mutating func feed(_ bytes: ArraySlice<UInt8>, emit: (Piece) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { try feed($0, emit: emit) }
    }

    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, emit: (Piece) throws -> Void) throws {
        buffer.removeLast()
        buffer.append(contentsOf: bytes)
        buffer.append(0)
        try consume(final: false, emit: emit)
    }

    /// Checks that the collection was complete.
    /// - Throws: `WanggeError.invalidInput` for an empty or truncated file, or one without a `features` array.
    public mutating func finish(emit: (Piece) throws -> Void = { _ in }) throws {
        try consume(final: true, emit: emit)
        switch phase {
        case .start: throw WanggeError.invalidInput("the file is empty or not a GeoJSON FeatureCollection")
        case .members, .features: throw WanggeError.invalidInput("line \(line): the file ends in the middle of the FeatureCollection")
        case .done: break
        }
        guard sawFeatures else { throw WanggeError.invalidInput("the FeatureCollection has no \"features\" array") }
    }

    var sawFeatures = false

    /// What is left of a feature the text ended inside (after `finish` threw), and where it starts.
    public var unfinishedFeature: ([UInt8], Place)? {
        guard phase == .features else { return nil }
        let rest = buffer.dropLast()  // the NUL
        guard rest.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x2C }) else { return nil }
        return (Array(rest), Place(line: line, column: column, offset: offset))
    }

    /// What a JSON value starting with `byte` is, for messages.
    static func kind(of byte: UInt8) -> String {
        switch byte {
        case 0x7B: return "an object"
        case 0x22: return "a string"
        case 0x74, 0x66: return "a boolean"
        case 0x6E: return "null"
        default: return "a number"
        }
    }

    mutating func consume(final: Bool, emit: (Piece) throws -> Void) throws {
        var pieces: [Piece] = []
        var balance = self.balance
        var expect = self.expect
        // The pieces found before an error are handed on before it is thrown: the reader's first error is then the
        // same as a whole-file parser's, which reads in order.
        let scanned: (Int, Phase, (line: Int, column: Int), Bool)
        do { scanned = try buffer.withUnsafeBufferPointer { p in
            var s = JSONScanner(bytes: p)
            var phase = self.phase
            var sawFeatures = self.sawFeatures
            /// Everything up to here is done with.
            var committed = 0
            // Lines and columns are counted once, forwards, as offsets are asked for in increasing order.
            var counted = (offset: 0, line: line, column: column)
            func placeAt(_ offset: Int) -> (line: Int, column: Int) {
                if offset < counted.offset { counted = (0, line, column) }
                var (n, c) = (counted.line, counted.column)
                for i in counted.offset..<offset {
                    if p[i] == 0x0A { n += 1; c = 1 } else if p[i] & 0xC0 != 0x80 { c += 1 }
                }
                counted = (offset, n, c)
                return (n, c)
            }
            func lineAt(_ offset: Int) -> Int { placeAt(offset).line }
            func piecePlace(_ at: Int) -> Place {
                let (l, c) = placeAt(at)
                return Place(line: l, column: c, offset: offset + at)
            }
            scan: while true {
                s.skipWhitespace()
                if s.pos == s.end { committed = s.pos; break }
                switch phase {
                case .start:
                    if s.current == 0xEF {  // a byte-order mark, perhaps cut by the chunk's end
                        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                        let have = min(3, s.end - s.pos)
                        if have < 3 && !final && bom.starts(with: p[s.pos..<(s.pos + have)]) { break scan }
                        if have == 3 && p[s.pos..<(s.pos + 3)].elementsEqual(bom) { s.pos += 3; continue scan }
                    }
                    guard s.current == 0x7B else {
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): the file is not a GeoJSON FeatureCollection (it starts with \(s.describeByte(at: s.pos)))")
                    }
                    s.pos += 1
                    phase = .members
                    expect = .opened
                case .members:
                    if s.current == 0x7D, expect != .item { s.pos += 1; phase = .done; committed = s.pos; continue scan }
                    if s.current == 0x2C, expect == .separator { s.pos += 1; expect = .item; committed = s.pos; continue scan }
                    let memberStart = s.pos
                    guard s.current == 0x22, expect != .separator else {
                        if expect == .separator {
                            throw WanggeError.invalidInput("line \(lineAt(s.pos)): expected ',' or '}' after a member of the FeatureCollection, found \(s.describeByte(at: s.pos))")
                        }
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): expected a member name of the FeatureCollection, found \(s.describeByte(at: s.pos))")
                    }
                    let key: String
                    do { key = try s.readString() } catch let e as JSONSyntaxError {
                        // More text may complete the name; at the end it is an error.
                        if !final { s.pos = memberStart; break scan }
                        throw WanggeError.invalidInput("line \(lineAt(memberStart)): \(e.message)")
                    }
                    s.skipWhitespace()
                    guard s.pos < s.end else { s.pos = memberStart; break scan }
                    guard s.current == 0x3A else {
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): expected ':' after \"\(key)\", found \(s.describeByte(at: s.pos))")
                    }
                    s.pos += 1
                    s.skipWhitespace()
                    guard s.pos < s.end else { s.pos = memberStart; break scan }
                    if key == "features" {
                        if sawFeatures { throw WanggeError.invalidInput("line \(lineAt(memberStart)): the FeatureCollection has \"features\" twice") }
                        guard s.current == 0x5B else {
                            throw WanggeError.invalidInput("line \(lineAt(s.pos)): \"features\" must be an array of features, not \(Self.kind(of: s.current))")
                        }
                        s.pos += 1
                        phase = .features
                        expect = .opened
                        sawFeatures = true
                        committed = s.pos
                        continue scan
                    }
                    let valueStart = s.pos
                    guard s.skipBalanced(), s.pos < s.end || final else { s.pos = memberStart; break scan }
                    guard s.pos > valueStart else {
                        throw WanggeError.invalidInput("line \(lineAt(valueStart)): \"\(key)\" has no value")
                    }
                    pieces.append(.member(key, Array(p[valueStart..<s.pos]), at: piecePlace(valueStart)))
                    expect = .separator
                case .features:
                    if (s.current == 0x5D && expect == .item) || (s.current == 0x2C && expect != .separator) {
                        // An element is missing: handed on as a feature, whose reading says so where a whole-file
                        // parser does ("expected a value", at this byte).
                        pieces.append(.feature([s.current], at: piecePlace(s.pos)))
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): a feature is missing before \(s.describeByte(at: s.pos))")
                    }
                    if s.current == 0x5D { s.pos += 1; phase = .members; expect = .separator; committed = s.pos; continue scan }
                    if s.current == 0x2C { s.pos += 1; expect = .item; committed = s.pos; continue scan }
                    if expect == .separator, s.current != 0x7D {
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): expected ',' or ']' after a feature, found \(s.describeByte(at: s.pos))")
                    }
                    if s.current == 0x7D {
                        // Only an unbalanced feature before it can have eaten the array's closing bracket.
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): the features array is not closed (a feature before this line has unbalanced brackets)")
                    }
                    let start = s.pos
                    // A bare value at the very end of the chunk may go on in the next one.
                    guard s.skipBalanced(resuming: &balance), s.pos < s.end || final || p[start] == 0x7B || p[start] == 0x5B else { s.pos = start; break scan }
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(s.pos - start + 1)  // room for the NUL a reader appends
                    bytes.append(contentsOf: p[start..<s.pos])
                    pieces.append(.feature(bytes, at: piecePlace(start)))
                    expect = .separator
                case .done:
                    throw WanggeError.invalidInput("line \(lineAt(s.pos)): unexpected \(s.describeByte(at: s.pos)) after the end of the FeatureCollection")
                }
                committed = s.pos
            }
            return (committed, phase, placeAt(committed), sawFeatures)
        } } catch {
            for piece in pieces { try emit(piece) }
            throw error
        }
        let (used, phase, place, sawFeatures) = scanned
        buffer.removeFirst(used)
        // A long feature grew the buffer; keeping its capacity would hold that much memory for the rest of the file.
        if buffer.capacity > 1 << 20, buffer.capacity > 4 * buffer.count { buffer = Array(buffer) }
        (line, column) = place
        offset += used
        self.balance = balance
        self.expect = expect
        self.phase = phase
        self.sawFeatures = sawFeatures
        for piece in pieces { try emit(piece) }
    }
}
