/// Finds the members of a FeatureCollection's `features` array, and its legacy `crs` member, in a byte stream fed
/// in chunks of any size, holding no more than one feature beyond the current chunk: any size of collection streams
/// through. Each feature is handed on as its bytes, unchecked, with the line it starts on, so one malformed feature
/// is reported on its own; the collection's own structure is read with `JSONScanner`.
public struct GeoJSONFeatureStream {
    public enum Piece: Sendable, Equatable {
        case feature([UInt8], line: Int)
        case crs([UInt8])
    }

    enum Phase { case start, members, features, done }

    /// Bytes not consumed yet, then a NUL (the scanner's terminator).
    var buffer: [UInt8] = [0]
    var phase = Phase.start
    /// The line `buffer` starts on.
    var line = 1

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
        let (used, phase, lines, sawFeatures) = try buffer.withUnsafeBufferPointer { p in
            var s = JSONScanner(bytes: p)
            var phase = self.phase
            var sawFeatures = self.sawFeatures
            /// Everything up to here is done with.
            var committed = 0
            // Lines are counted once, forwards, as offsets are asked for in increasing order.
            var counted = (offset: 0, line: line)
            func lineAt(_ offset: Int) -> Int {
                if offset < counted.offset { counted = (0, line) }
                var n = counted.line
                for i in counted.offset..<offset where p[i] == 0x0A { n += 1 }
                counted = (offset, n)
                return n
            }
            scan: while true {
                s.skipWhitespace()
                if s.pos == s.end { committed = s.pos; break }
                switch phase {
                case .start:
                    guard s.current == 0x7B else {
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): the file is not a GeoJSON FeatureCollection (it starts with \(s.describeByte(at: s.pos)))")
                    }
                    s.pos += 1
                    phase = .members
                case .members:
                    if s.current == 0x7D { s.pos += 1; phase = .done; committed = s.pos; continue scan }
                    if s.current == 0x2C { s.pos += 1; committed = s.pos; continue scan }
                    let memberStart = s.pos
                    guard s.current == 0x22 else {
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
                        sawFeatures = true
                        committed = s.pos
                        continue scan
                    }
                    let valueStart = s.pos
                    guard s.skipBalanced(), s.pos < s.end || final else { s.pos = memberStart; break scan }
                    guard s.pos > valueStart else {
                        throw WanggeError.invalidInput("line \(lineAt(valueStart)): \"\(key)\" has no value")
                    }
                    if key == "crs" { pieces.append(.crs(Array(p[valueStart..<s.pos]))) }
                case .features:
                    if s.current == 0x5D { s.pos += 1; phase = .members; committed = s.pos; continue scan }
                    if s.current == 0x2C { s.pos += 1; committed = s.pos; continue scan }
                    if s.current == 0x7D {
                        // Only an unbalanced feature before it can have eaten the array's closing bracket.
                        throw WanggeError.invalidInput("line \(lineAt(s.pos)): the features array is not closed (a feature before this line has unbalanced brackets)")
                    }
                    let start = s.pos
                    // A bare value at the very end of the chunk may go on in the next one.
                    guard s.skipBalanced(), s.pos < s.end || final || p[start] == 0x7B || p[start] == 0x5B else { s.pos = start; break scan }
                    pieces.append(.feature(Array(p[start..<s.pos]), line: lineAt(start)))
                case .done:
                    throw WanggeError.invalidInput("line \(lineAt(s.pos)): unexpected \(s.describeByte(at: s.pos)) after the end of the FeatureCollection")
                }
                committed = s.pos
            }
            return (committed, phase, lineAt(committed) - line, sawFeatures)
        }
        buffer.removeFirst(used)
        line += lines
        self.phase = phase
        self.sawFeatures = sawFeatures
        for piece in pieces { try emit(piece) }
    }
}
