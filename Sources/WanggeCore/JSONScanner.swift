
/// A JSON syntax error with the line and column (1-based, in characters) where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public let line: Int
    public let column: Int
    /// Where in the document it is (`features[3].properties`), empty at the top.
    public private(set) var path: String = ""

    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message; self.offset = offset; self.line = line; self.column = column
    }

    public var description: String {
        "malformed JSON at line \(line), column \(column)\(path.isEmpty ? "" : " (in \(path))"): \(message)"
    }

    /// The same error, one level further down: inside member `key`, or element `index`.
    func within(key: String? = nil, index: Int? = nil) -> JSONSyntaxError {
        var e = self
        let step = key.map { Self.isPlain($0) ? $0 : "\"\($0)\"" } ?? "[\(index ?? 0)]"
        e.path = step + (path.isEmpty || path.hasPrefix("[") ? path : "." + path)
        return e
    }

    /// The same error, found in a piece of a larger text that starts at `at`.
    func placed(at: GeoJSONFeatureStream.Place) -> JSONSyntaxError {
        var e = JSONSyntaxError(message: message, offset: offset + at.offset, line: line + at.line - 1,
                                column: line == 1 ? column + at.column - 1 : column)
        e.path = path
        return e
    }

    static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}

/// A byte-level JSON reader over a buffer that ends with a NUL byte (the NUL is not part of the text).
///
/// Besides standard JSON it accepts the tokens `NaN`, `Infinity` and `-Infinity` where a number may stand, so that a
/// file written by a tool that emits them gets a "coordinate is not a finite number" defect instead of a syntax
/// error that hides every other problem.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Index one past the last byte of text (the NUL terminator's index).
    let end: Int
    var pos: Int = 0
    /// Nesting limit, so hostile input cannot exhaust the stack.
    let maxDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.last == 0, "JSONScanner needs a NUL-terminated buffer")
        self.bytes = bytes
        self.end = bytes.count - 1
    }

    // MARK: errors

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let at = min(offset ?? pos, end)
        let (line, column) = Self.lineAndColumn(of: at, in: bytes)
        return JSONSyntaxError(message: message, offset: at, line: line, column: column)
    }

    /// 1-based line and column of a byte offset; columns count characters, not bytes.
    static func lineAndColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        var line = 1
        var column = 1
        var i = 0
        while i < offset {
            let b = bytes[i]
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    func describeByte(at i: Int) -> String {
        if i >= end { return "end of input" }
        let b = bytes[i]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    // MARK: tokens

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let b = bytes[pos]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1 } else { return }
        }
    }

    @inline(__always)
    var current: UInt8 { pos < end ? bytes[pos] : 0 }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard pos < end, bytes[pos] == byte else {
            throw error("expected \(what), found \(describeByte(at: pos))")
        }
        pos += 1
    }

    /// Reads `,` or the closing byte of a container; returns true when the container goes on.
    mutating func commaOrClose(_ close: UInt8, _ container: String) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw error("unterminated \(container)") }
        let b = bytes[pos]
        if b == 0x2C { pos += 1; return true }
        if b == close { pos += 1; return false }
        throw error("expected ',' or '\(Character(Unicode.Scalar(close)))' in \(container), found \(describeByte(at: pos))")
    }

    /// Walks an object's members, calling `body` with each key positioned at its value; `body` must consume the value.
    mutating func readObject(_ body: (inout JSONScanner, String) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try walkObject(naming: true) { (s: inout JSONScanner, key: String?) throws(JSONSyntaxError) in try body(&s, key!) }
    }

    /// The walk behind `readObject`; without `naming`, member names are stepped over and `body` gets nil (a batch
    /// checks every record's syntax this way: making the names was a large part of `wangge assign` on NDJSON).
    /// The same errors in the same places either way.
    mutating func walkObject(naming: Bool, _ body: (inout JSONScanner, String?) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try expect(0x7B, "'{'")
        skipWhitespace()
        if current == 0x7D { pos += 1; return }
        repeat {
            skipWhitespace()
            guard current == 0x22 else { throw error("expected a member name in double quotes, found \(describeByte(at: pos))") }
            let key = try memberName(naming: naming)
            skipWhitespace()
            try body(&self, key)
        } while try commaOrClose(0x7D, "object")
    }

    /// A member name and the `:` after it. Without `naming` the name is only stepped over (nil), unless the `:` is
    /// missing: it is then read for the error's message.
    mutating func memberName(naming: Bool) throws(JSONSyntaxError) -> String? {
        let start = pos
        if !naming {
            try skipString()
            skipWhitespace()
            if current == 0x3A { pos += 1; return nil }
            pos = start
        }
        let key = try readString()
        try expect(0x3A, "':' after member name \"\(key)\"")
        return key
    }

    /// Walks an array's elements, calling `body` positioned at each element; `body` must consume it.
    mutating func readArray(_ body: (inout JSONScanner, Int) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try expect(0x5B, "'['")
        skipWhitespace()
        if current == 0x5D { pos += 1; return }
        var i = 0
        repeat {
            skipWhitespace()
            try body(&self, i)
            i += 1
        } while try commaOrClose(0x5D, "array")
    }

    // MARK: values

    mutating func readValue(depth: Int = 0) throws(JSONSyntaxError) -> JSONValue {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        skipWhitespace()
        switch current {
        case 0x7B:
            // A member named twice is refused: JSON leaves its meaning open, and last-wins would store what the
            // sender may not have meant (RFC 8259 §4).
            var members: [(String, JSONValue)] = []
            var names: Set<String>?
            try readObject { (s: inout JSONScanner, key: String) throws(JSONSyntaxError) in
                if members.count > 16, names == nil { names = Set(members.map(\.0)) }
                if names?.contains(key) ?? members.contains(where: { $0.0 == key }) {
                    throw s.error("the member \"\(key)\" appears twice in one object")
                }
                names?.insert(key)
                do throws(JSONSyntaxError) { members.append((key, try s.readValue(depth: depth + 1))) } catch { throw error.within(key: key) }
            }
            return .object(JSONObject(members))
        case 0x5B:
            var items: [JSONValue] = []
            try readArray { (s: inout JSONScanner, i: Int) throws(JSONSyntaxError) in
                do throws(JSONSyntaxError) { items.append(try s.readValue(depth: depth + 1)) } catch { throw error.within(index: i) }
            }
            return .array(items)
        case 0x22:
            return .string(try readString())
        case 0x74:
            try readKeyword("true"); return .bool(true)
        case 0x66:
            try readKeyword("false"); return .bool(false)
        case 0x6E:
            try readKeyword("null"); return .null
        default:
            return .number(try readNumber())
        }
    }

    /// Consumes one value without building it (checks its syntax all the same).
    mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        skipWhitespace()
        switch current {
        case 0x7B:
            try walkObject(naming: false) { (s: inout JSONScanner, _: String?) throws(JSONSyntaxError) in try s.skipValue(depth: depth + 1) }
        case 0x5B:
            try readArray { (s: inout JSONScanner, _: Int) throws(JSONSyntaxError) in try s.skipValue(depth: depth + 1) }
        case 0x22:
            try skipString()
        case 0x74: try readKeyword("true")
        case 0x66: try readKeyword("false")
        case 0x6E: try readKeyword("null")
        default: _ = try readDouble()
        }
    }

    /// Finds the end of one value by its brackets and strings alone, without checking its syntax, so a malformed
    /// value can be cut out whole and reported on its own. A container ends at its matching bracket; a bare value at
    /// the next `,`, `]` or `}` outside strings. Returns false, leaving `pos` where it was, when the text ends first.
    mutating func skipBalanced() -> Bool {
        var fresh = Balance()
        return skipBalanced(resuming: &fresh)
    }

    /// How far an unfinished `skipBalanced` got into a value, so that it goes on from there when more text has come
    /// (a 50 MB feature arriving in 64 KB chunks is scanned once, not once per chunk).
    struct Balance: Sendable {
        var scanned = 0
        var depth = 0
        var inString = false
    }

    /// `skipBalanced` that starts where `balance` (for the value at `pos`) says the last try stopped, and leaves
    /// there where this one stopped (reset when the value's end is found).
    mutating func skipBalanced(resuming balance: inout Balance) -> Bool {
        skipWhitespace()
        var i = pos + balance.scanned
        var depth = balance.depth
        var inString = balance.inString
        func found(_ end: Int) -> Bool {
            pos = end
            balance = Balance()
            return true
        }
        while i < end {
            let b = bytes[i]
            if inString {
                if b == 0x5C { i += 2; continue }
                if b == 0x22 {
                    inString = false
                    if depth == 0 { return found(i + 1) }
                }
                i += 1
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                if depth == 0 { return found(i) }  // a bare value ends before its container closes
                depth -= 1
                if depth == 0 { return found(i + 1) }
            case 0x2C where depth == 0:
                return found(i)
            default: break
            }
            i += 1
        }
        balance = Balance(scanned: i - pos, depth: depth, inString: inString)
        return false
    }

    mutating func readKeyword(_ word: String) throws(JSONSyntaxError) {
        let start = pos
        let w = Array(word.utf8)
        let n = w.count
        for k in 0..<n {
            guard pos + k < end, bytes[pos + k] == w[k] else {
                throw error("unexpected \(describeByte(at: start)); expected a value", at: start)
            }
        }
        pos += n
    }

    @inline(__always)
    static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45
    }

    /// Reads a number and returns only its value (the fast path for coordinates).
    mutating func readDouble() throws(JSONSyntaxError) -> Double {
        skipWhitespace()
        let start = pos
        if let special = readNonFiniteToken() { return special }
        try validateNumberSyntax()
        return Self.decimalValue(UnsafeBufferPointer(rebasing: bytes[start..<pos]))
    }

    /// Exact powers of ten (every one up to 10²² is a double).
    static let exactPowers: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                        1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// The value of a number whose JSON syntax is already checked, correctly rounded. Coordinates take Clinger's fast
    /// path: a mantissa below 2⁵³ and a power of ten up to 10²² are both exact, so one multiplication or division
    /// rounds correctly. Anything else goes to the standard library's parser.
    static func decimalValue(_ p: UnsafeBufferPointer<UInt8>) -> Double {
        var i = 0
        let negative = p.first == 0x2D
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        var exponent = 0
        var exact = true
        let limit: UInt64 = (1 << 53) / 10
        while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
            if mantissa >= limit { exact = false }
            mantissa = mantissa &* 10 &+ UInt64(p[i] - 0x30)
            i += 1
        }
        if i < p.count, p[i] == 0x2E {
            i += 1
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
                if mantissa >= limit { exact = false }
                mantissa = mantissa &* 10 &+ UInt64(p[i] - 0x30)
                exponent -= 1
                i += 1
            }
        }
        if i < p.count, p[i] == 0x65 || p[i] == 0x45 {
            i += 1
            var sign = 1
            if i < p.count, p[i] == 0x2D || p[i] == 0x2B { sign = p[i] == 0x2D ? -1 : 1; i += 1 }
            var e = 0
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
                if e > 100_000 { exact = false } else { e = e * 10 + Int(p[i] - 0x30) }
                i += 1
            }
            exponent += sign * e
        }
        if exact {
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            let m = Double(mantissa)
            if exponent >= 0 && exponent <= 22 { return negative ? -(m * exactPowers[exponent]) : m * exactPowers[exponent] }
            if exponent < 0 && exponent >= -22 { return negative ? -(m / exactPowers[-exponent]) : m / exactPowers[-exponent] }
        }
        return Double(String(decoding: p, as: UTF8.self)) ?? .nan
    }

    mutating func readNumber() throws(JSONSyntaxError) -> JSONNumber {
        skipWhitespace()
        let start = pos
        let value = try readDouble()
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        return JSONNumber(literal: literal, value: value)
    }

    /// `NaN`, `Infinity`, `-Infinity` (as Python and JavaScript's non-standard writers emit them).
    mutating func readNonFiniteToken() -> Double? {
        func matches(_ word: String, at i: Int) -> Bool {
            var k = i
            for b in word.utf8 {
                guard k < end, bytes[k] == b else { return false }
                k += 1
            }
            return true
        }
        if matches("NaN", at: pos) { pos += 3; return .nan }
        if matches("Infinity", at: pos) { pos += 8; return .infinity }
        if matches("-Infinity", at: pos) { pos += 9; return -.infinity }
        return nil
    }

    /// Checks the JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func validateNumberSyntax() throws(JSONSyntaxError) {
        let start = pos
        func digits() -> Int {
            let s = pos
            while pos < end, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
            return pos - s
        }
        if current == 0x2D { pos += 1 }
        guard pos < end, bytes[pos] >= 0x30, bytes[pos] <= 0x39 else {
            throw error(pos == start ? "unexpected \(describeByte(at: start)); expected a value" : "a number needs digits after '-'", at: start)
        }
        if bytes[pos] == 0x30 {
            pos += 1
        } else {
            _ = digits()
        }
        if current == 0x2E {
            pos += 1
            guard digits() > 0 else { throw error("a number needs digits after '.'") }
        }
        if current == 0x65 || current == 0x45 {
            pos += 1
            if current == 0x2B || current == 0x2D { pos += 1 }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        if pos < end, Self.isNumberByte(bytes[pos]) {
            throw error("malformed number")
        }
    }

    /// Moves past a string as `readString` reads it, with the same errors, without making a String when it is
    /// plain ASCII with no escapes (anything else is read by `readString` for its checks).
    mutating func skipString() throws(JSONSyntaxError) {
        let open = pos
        guard current == 0x22 else { throw error("expected a string, found \(describeByte(at: pos))") }
        pos += 1
        while pos < end {
            let b = bytes[pos]
            if b == 0x22 { pos += 1; return }
            if b == 0x5C || b >= 0x80 || b < 0x20 { break }
            pos += 1
        }
        pos = open
        _ = try readString()
    }

    mutating func readString() throws(JSONSyntaxError) -> String {
        let open = pos
        guard current == 0x22 else { throw error("expected a string, found \(describeByte(at: pos))") }
        pos += 1
        let start = pos
        var simple = true
        while true {
            guard pos < end else { throw error("unterminated string", at: open) }
            let b = bytes[pos]
            if b == 0x22 { break }
            if b == 0x5C { simple = false; pos += 2; continue }
            if b < 0x20 { throw error("control character in a string (escape it as \\u00XX)") }
            pos += 1
        }
        guard pos <= end else { throw error("unterminated string", at: open) }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<pos])
        pos += 1
        if simple {
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw error("string is not valid UTF-8", at: open)
            }
            return s
        }
        return try unescape(raw, at: start)
    }

    func unescape(_ raw: UnsafeBufferPointer<UInt8>, at base: Int) throws(JSONSyntaxError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ i: Int) throws(JSONSyntaxError) -> UInt32 {
            guard i + 4 <= raw.count else { throw error("incomplete \\u escape", at: base + i) }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = raw[i + k]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw error("bad hex digit in \\u escape", at: base + i + k)
                }
                v = v << 4 | d
            }
            return v
        }
        while i < raw.count {
            let b = raw[i]
            if b != 0x5C { out.append(b); i += 1; continue }
            guard i + 1 < raw.count else { throw error("incomplete escape", at: base + i) }
            let e = raw[i + 1]
            i += 2
            switch e {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4(i)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by \u and a low surrogate.
                    guard i + 6 <= raw.count, raw[i] == 0x5C, raw[i + 1] == 0x75 else {
                        throw error("unpaired surrogate in \\u escape", at: base + i)
                    }
                    let low = try hex4(i + 2)
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in \\u escape", at: base + i) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape", at: base + i) }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("unknown escape '\\\(Character(Unicode.Scalar(e)))'", at: base + i - 1)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8", at: base) }
        return s
    }
}

extension JSONValue {
    /// Parses a whole JSON text.
    /// - Throws: `JSONSyntaxError` with line and column.
    public static func parse(_ text: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var buffer = Array(text)
        buffer.append(0)
        return try buffer.withUnsafeBufferPointer { (p) throws(JSONSyntaxError) -> JSONValue in
            var scanner = JSONScanner(bytes: p)
            let value = try scanner.readValue()
            scanner.skipWhitespace()
            guard scanner.pos == scanner.end else {
                throw scanner.error("unexpected \(scanner.describeByte(at: scanner.pos)) after the end of the JSON value")
            }
            return value
        }
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// True when `parse` would accept `text` — checked without building the value (the fast paths read what they
    /// need from the bytes afterwards, with `JSONLayout`).
    public static func isValid(_ text: [UInt8]) -> Bool {
        var buffer = text
        buffer.append(0)
        return buffer.withUnsafeBufferPointer { p -> Bool in
            var scanner = JSONScanner(bytes: p)
            do { try scanner.skipValue() } catch { return false }
            scanner.skipWhitespace()
            return scanner.pos == scanner.end
        }
    }
}

/// Where the members of a JSON object lie in its text, for splicing members into text already known to be valid
/// (`JSONValue.parse` accepted it): the output keeps the input's bytes as they were.
public enum JSONLayout {
    /// The elements of an array's text (valid JSON), as ranges; nil when the text is not an array.
    public static func elements(_ p: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        // An array's elements are an object's member values without keys: wrap the walk in the same scanner.
        var i = 0
        while i < p.count, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0A || p[i] == 0x0D { i += 1 }
        guard i < p.count, p[i] == 0x5B else { return nil }
        var out: [Range<Int>] = []
        var start = i + 1, depth = 0, inString = false, k = i + 1
        while k < p.count {
            let b = p[k]
            if inString {
                if b == 0x5C { k += 2; continue }
                if b == 0x22 { inString = false }
                k += 1
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1
            case 0x7D: depth -= 1
            case 0x5D:
                if depth == 0 {
                    if let r = trimmed(p, start..<k) { out.append(r) }
                    return out
                }
                depth -= 1
            case 0x2C where depth == 0:
                if let r = trimmed(p, start..<k) { out.append(r) }
                start = k + 1
            default: break
            }
            k += 1
        }
        return nil
    }

    static func trimmed(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int>? {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 || p[lo] == 0x0A || p[lo] == 0x0D { lo += 1 }
        while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 || p[hi - 1] == 0x0A || p[hi - 1] == 0x0D { hi -= 1 }
        return lo < hi ? lo..<hi : nil
    }

    /// The object's top-level members — each key's bytes (between its quotes, escapes not decoded) and its value's
    /// range — and the offset of its closing brace; nil when the text is not an object.
    public static func members(_ p: UnsafeBufferPointer<UInt8>) -> (members: [(key: Range<Int>, value: Range<Int>)], close: Int)? {
        var i = 0
        let n = p.count
        func ws() { while i < n, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0A || p[i] == 0x0D { i += 1 } }
        func string() -> Bool {  // at a quote; leaves i after the closing quote
            i += 1
            while i < n {
                if p[i] == 0x5C { i += 2; continue }
                if p[i] == 0x22 { i += 1; return true }
                i += 1
            }
            return false
        }
        func value() -> Bool {
            guard i < n else { return false }
            switch p[i] {
            case 0x22: return string()
            case 0x7B, 0x5B:
                var depth = 0
                while i < n {
                    switch p[i] {
                    case 0x22: if !string() { return false }; continue
                    case 0x7B, 0x5B: depth += 1
                    case 0x7D, 0x5D:
                        depth -= 1
                        if depth == 0 { i += 1; return true }
                    default: break
                    }
                    i += 1
                }
                return false
            default:
                while i < n, p[i] != 0x2C, p[i] != 0x7D, p[i] != 0x5D, p[i] != 0x20, p[i] != 0x09, p[i] != 0x0A, p[i] != 0x0D { i += 1 }
                return true
            }
        }
        ws()
        guard i < n, p[i] == 0x7B else { return nil }
        i += 1
        var members: [(key: Range<Int>, value: Range<Int>)] = []
        while true {
            ws()
            guard i < n else { return nil }
            if p[i] == 0x7D { return (members, i) }
            if p[i] == 0x2C { i += 1; continue }
            guard p[i] == 0x22 else { return nil }
            let k0 = i + 1
            guard string() else { return nil }
            let key = k0..<(i - 1)
            ws()
            guard i < n, p[i] == 0x3A else { return nil }
            i += 1
            ws()
            let v0 = i
            guard value() else { return nil }
            members.append((key, v0..<i))
        }
    }
}
