/// OGC CQL2 filters (OGC 21-065r2), as OGC API – Features Part 3 takes them in `filter`: CQL2-text and CQL2-JSON
/// read into one expression, checked against a collection's queryables, and planned into the feature query's SQL
/// by the store. What is implemented: Basic CQL2 (comparisons of properties and literals — strings, numbers,
/// booleans, `TIMESTAMP(…)`, `DATE(…)` —, AND, OR, NOT, IS [NOT] NULL), the advanced comparison operators
/// (`[NOT] LIKE` with `%` and `_`, `[NOT] BETWEEN`, `[NOT] IN`), `T_AFTER`, `T_BEFORE`, `T_DURING`, `T_EQUALS`,
/// `T_INTERSECTS` and `T_DISJOINT` of a date-time property with an instant or an `INTERVAL` (open ends `..`), and
/// `S_INTERSECTS` of an event's point or a grid's boundary with a `BBOX`, `POINT`, `POLYGON` or `MULTIPOLYGON`. GDAL 3.6's draft `cql-text` (a quoted time compared with a date-time property, `ILIKE`)
/// is read too.
public enum CQL2 {
    public indirect enum Expression: Sendable, Equatable {
        case and([Expression])
        case or([Expression])
        case not(Expression)
        case compare(Operand, Comparison, Operand)
        /// `pattern` in CQL2's syntax: `%` any run, `_` one character, `\` escapes.
        case like(Operand, pattern: String, caseInsensitive: Bool)
        case isIn(Operand, [Operand])
        case between(Operand, Operand, Operand)
        case isNull(Operand)
        case intersects(property: String, Geometry)
        case literal(Bool)
    }

    public enum Comparison: String, Sendable, Equatable {
        case eq = "=", ne = "<>", lt = "<", le = "<=", gt = ">", ge = ">="
    }

    public enum Operand: Sendable, Equatable {
        case property(String)
        case string(String)
        case number(Double)
        case boolean(Bool)
        /// Seconds since 1970 (`TIMESTAMP('…')`, or a quoted time compared with a date-time property).
        case timestamp(Double)
    }

    public enum Geometry: Sendable, Equatable {
        case bbox(BoundingBox)
        case point(x: Double, y: Double)
        /// A POLYGON or MULTIPOLYGON (closed rings in CRS84, the first of each polygon its exterior).
        case polygons([Polygon])
    }

    /// Rings as a filter gives them, checked: closed, at least 4 positions, within CRS84's ranges.
    static func polygon(_ rings: [[Double]], at place: String) throws(FilterError) -> Polygon {
        guard !rings.isEmpty else { throw FilterError("a polygon at \(place) has no rings") }
        for r in rings {
            guard r.count >= 8, r.count % 2 == 0 else { throw FilterError("a ring at \(place) needs at least 4 positions") }
            guard r[0] == r[r.count - 2], r[1] == r[r.count - 1] else { throw FilterError("a ring at \(place) is not closed (its last position must repeat its first)") }
            var k = 0
            while k < r.count {
                guard abs(r[k]) <= 180, abs(r[k + 1]) <= 90 else { throw FilterError("a position at \(place) is outside CRS84 (longitude −180…180, latitude −90…90)") }
                k += 2
            }
        }
        return Polygon(rings: rings.map { Ring(xy: $0) })
    }

    /// What is wrong with a filter and where: the character (1-based) of the offending token in CQL2-text, the
    /// JSON path in CQL2-JSON.
    public struct FilterError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Nested deeper than this is refused (a filter is a few conditions; the parser recurses).
    static let maxDepth = 64

    // MARK: CQL2-text

    struct Token: Equatable {
        enum Kind: Equatable { case word, quoted, string, number, symbol, end }
        var kind: Kind
        var text: String
        /// 1-based character position.
        var at: Int
        var upper: String { text.uppercased() }
    }

    static func tokens(_ source: String) throws(FilterError) -> [Token] {
        let chars = Array(source.unicodeScalars)
        var out: [Token] = []
        var i = 0
        func isWordStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isWord(_ c: Unicode.Scalar) -> Bool { isWordStart(c) || ("0"..."9").contains(c) || c == ":" || c == "." }
        while i < chars.count {
            let c = chars[i]
            let start = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            if c == "'" || c == "\"" {
                var text = String.UnicodeScalarView()
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == c {
                        if i + 1 < chars.count, chars[i + 1] == c { text.append(c); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    text.append(chars[i]); i += 1
                }
                guard closed else { throw FilterError("unterminated \(c == "'" ? "string" : "quoted name") starting at character \(start)") }
                out.append(Token(kind: c == "'" ? .string : .quoted, text: String(text), at: start))
            } else if ("0"..."9").contains(c) || (c == "-" || c == "+" || c == ".") && i + 1 < chars.count && (("0"..."9").contains(chars[i + 1]) || chars[i + 1] == ".") {
                var j = i + 1
                while j < chars.count, ("0"..."9").contains(chars[j]) || chars[j] == "." || chars[j] == "e" || chars[j] == "E"
                        || (chars[j] == "-" || chars[j] == "+") && (chars[j - 1] == "e" || chars[j - 1] == "E") { j += 1 }
                let text = String(String.UnicodeScalarView(chars[i..<j]))
                guard Double(text) != nil else { throw FilterError("'\(text)' at character \(start) is not a number") }
                out.append(Token(kind: .number, text: text, at: start))
                i = j
            } else if isWordStart(c) {
                var j = i + 1
                while j < chars.count, isWord(chars[j]) { j += 1 }
                out.append(Token(kind: .word, text: String(String.UnicodeScalarView(chars[i..<j])), at: start))
                i = j
            } else {
                let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
                if ["<>", "<=", ">=", "!="].contains(two) {
                    out.append(Token(kind: .symbol, text: two, at: start)); i += 2
                } else if "(),=<>".unicodeScalars.contains(c) {
                    out.append(Token(kind: .symbol, text: String(c), at: start)); i += 1
                } else {
                    throw FilterError("unexpected '\(c)' at character \(start)")
                }
            }
        }
        out.append(Token(kind: .end, text: "", at: chars.count + 1))
        return out
    }

    /// Reads a CQL2-text filter (`status = 'closed' AND severity >= 3`).
    public static func parseText(_ source: String) throws(FilterError) -> Expression {
        var p = TextParser(tokens: try tokens(source))
        let e = try p.expression(depth: 0)
        guard p.peek.kind == .end else { throw p.unexpected("the end of the filter") }
        return e
    }

    struct TextParser {
        var tokens: [Token]
        var i = 0
        var peek: Token { tokens[i] }

        mutating func next() -> Token { defer { i += 1 }; return tokens[i] }

        func unexpected(_ wanted: String) -> FilterError {
            let t = peek
            if t.kind == .end { return FilterError("the filter ends where \(wanted) was expected") }
            return FilterError("unexpected '\(t.text)' at character \(t.at) (expected \(wanted))")
        }

        func isKeyword(_ word: String) -> Bool { peek.kind == .word && peek.upper == word }
        func isSymbol(_ s: String) -> Bool { peek.kind == .symbol && peek.text == s }

        mutating func expect(symbol s: String, _ wanted: String) throws(FilterError) {
            guard isSymbol(s) else { throw unexpected(wanted) }
            i += 1
        }

        mutating func expression(depth: Int) throws(FilterError) -> Expression {
            guard depth < CQL2.maxDepth else { throw FilterError("the filter nests deeper than \(CQL2.maxDepth) levels at character \(peek.at)") }
            var parts = [try conjunction(depth: depth)]
            while isKeyword("OR") { i += 1; parts.append(try conjunction(depth: depth)) }
            return parts.count == 1 ? parts[0] : .or(parts)
        }

        mutating func conjunction(depth: Int) throws(FilterError) -> Expression {
            var parts = [try negation(depth: depth)]
            while isKeyword("AND") { i += 1; parts.append(try negation(depth: depth)) }
            return parts.count == 1 ? parts[0] : .and(parts)
        }

        mutating func negation(depth: Int) throws(FilterError) -> Expression {
            if isKeyword("NOT") {
                i += 1
                guard depth + 1 < CQL2.maxDepth else { throw FilterError("the filter nests deeper than \(CQL2.maxDepth) levels at character \(peek.at)") }
                return .not(try negation(depth: depth + 1))
            }
            return try primary(depth: depth)
        }

        mutating func primary(depth: Int) throws(FilterError) -> Expression {
            if isSymbol("(") {
                i += 1
                let e = try expression(depth: depth + 1)
                try expect(symbol: ")", "')'")
                return e
            }
            if peek.kind == .word, let op = TemporalOp(rawValue: peek.upper) {
                let at = peek.at
                i += 1
                try expect(symbol: "(", "'(' after \(op.rawValue)")
                let left = try scalar()
                try expect(symbol: ",", "',' between the two times")
                let right: TemporalValue
                if isKeyword("INTERVAL") {
                    i += 1
                    try expect(symbol: "(", "'(' after INTERVAL")
                    guard peek.kind == .string else { throw unexpected("a quoted start (or '..')") }
                    let a = next()
                    try expect(symbol: ",", "',' in INTERVAL")
                    guard peek.kind == .string else { throw unexpected("a quoted end (or '..')") }
                    let b = next()
                    try expect(symbol: ")", "')' closing INTERVAL")
                    right = .interval(try CQL2.bound(a.text, at: "character \(a.at)"), try CQL2.bound(b.text, at: "character \(b.at)"))
                } else {
                    right = .instant(try scalar())
                }
                try expect(symbol: ")", "')'")
                return try CQL2.temporal(op, left, right, at: "character \(at)")
            }
            if isKeyword("S_INTERSECTS") || isKeyword("INTERSECTS") {
                i += 1
                try expect(symbol: "(", "'(' after S_INTERSECTS")
                let a = try spatialOperand()
                try expect(symbol: ",", "',' between the two geometries")
                let b = try spatialOperand()
                try expect(symbol: ")", "')'")
                switch (a, b) {
                case (.left(let p), .right(let g)), (.right(let g), .left(let p)): return .intersects(property: p, g)
                default: throw FilterError("S_INTERSECTS needs a property and a geometry (BBOX, POINT, POLYGON or MULTIPOLYGON)")
                }
            }
            let left = try scalar()
            return try predicate(left)
        }

        enum Either { case left(String), right(Geometry) }

        mutating func spatialOperand() throws(FilterError) -> Either {
            if isKeyword("BBOX") {
                i += 1
                try expect(symbol: "(", "'(' after BBOX")
                var v: [Double] = []
                repeat {
                    if !v.isEmpty { i += 1 }
                    guard peek.kind == .number, let d = Double(peek.text) else { throw unexpected("a number in BBOX") }
                    v.append(d); i += 1
                } while isSymbol(",")
                try expect(symbol: ")", "')' closing BBOX")
                guard v.count == 4 || v.count == 6 else { throw FilterError("BBOX takes 4 numbers (or 6 with heights), not \(v.count)") }
                let (x0, y0, x1, y1) = v.count == 4 ? (v[0], v[1], v[2], v[3]) : (v[0], v[1], v[3], v[4])
                guard (-180...180).contains(x0), (-180...180).contains(x1), (-90...90).contains(y0), (-90...90).contains(y1), y0 <= y1 else {
                    throw FilterError("BBOX(\(v.map { "\($0)" }.joined(separator: ","))) is not a box in CRS84 (longitudes −180…180, latitudes −90…90, south before north)")
                }
                return .right(.bbox(BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1)))
            }
            if isKeyword("POLYGON") || isKeyword("MULTIPOLYGON") {
                let multi = peek.upper == "MULTIPOLYGON"
                let at = peek.at
                i += 1
                var polygons: [Polygon] = []
                try expect(symbol: "(", "'(' after \(multi ? "MULTIPOLYGON" : "POLYGON")")
                repeat {
                    if !polygons.isEmpty { i += 1 }
                    if multi { try expect(symbol: "(", "'(' opening a polygon") }
                    var rings: [[Double]] = []
                    repeat {
                        if !rings.isEmpty { i += 1 }
                        try expect(symbol: "(", "'(' opening a ring")
                        var xy: [Double] = []
                        repeat {
                            if !xy.isEmpty { i += 1 }
                            guard peek.kind == .number, let x = Double(peek.text) else { throw unexpected("a longitude") }
                            i += 1
                            guard peek.kind == .number, let y = Double(peek.text) else { throw unexpected("a latitude") }
                            i += 1
                            xy += [x, y]
                        } while isSymbol(",")
                        try expect(symbol: ")", "')' closing a ring")
                        rings.append(xy)
                    } while isSymbol(",")
                    if multi { try expect(symbol: ")", "')' closing a polygon") }
                    polygons.append(try CQL2.polygon(rings, at: "character \(at)"))
                } while multi && isSymbol(",")
                try expect(symbol: ")", "')'")
                return .right(.polygons(polygons))
            }
            if isKeyword("POINT") {
                i += 1
                try expect(symbol: "(", "'(' after POINT")
                guard peek.kind == .number, let x = Double(peek.text) else { throw unexpected("a longitude in POINT") }
                i += 1
                guard peek.kind == .number, let y = Double(peek.text) else { throw unexpected("a latitude in POINT") }
                i += 1
                try expect(symbol: ")", "')' closing POINT")
                return .right(.point(x: x, y: y))
            }
            if peek.kind == .word || peek.kind == .quoted { return .left(next().text) }
            throw unexpected("a property or a geometry (BBOX, POINT, POLYGON, MULTIPOLYGON)")
        }

        mutating func scalar() throws(FilterError) -> Operand {
            let t = peek
            switch t.kind {
            case .string: i += 1; return .string(t.text)
            case .number: i += 1; return .number(Double(t.text)!)
            case .quoted: i += 1; return .property(t.text)
            case .word:
                switch t.upper {
                case "TRUE": i += 1; return .boolean(true)
                case "FALSE": i += 1; return .boolean(false)
                case "TIMESTAMP", "DATE":
                    i += 1
                    try expect(symbol: "(", "'(' after \(t.upper)")
                    guard peek.kind == .string else { throw unexpected("a quoted \(t.upper == "DATE" ? "date" : "time")") }
                    let text = next()
                    try expect(symbol: ")", "')'")
                    if t.upper == "DATE" {
                        guard text.text.utf8.count == 10, CalendarDay.isValid(text.text), let s = CalendarDay.start(text.text) else {
                            throw FilterError("DATE('\(text.text)') at character \(text.at) is not a date (YYYY-MM-DD)")
                        }
                        return .timestamp(s)
                    }
                    guard let s = Timestamp.parse(text.text) else {
                        throw FilterError("TIMESTAMP('\(text.text)') at character \(text.at) is not an RFC 3339 time")
                    }
                    return .timestamp(s)
                case "AND", "OR", "NOT", "LIKE", "ILIKE", "IN", "BETWEEN", "IS", "NULL":
                    throw unexpected("a property or a value")
                default:
                    i += 1
                    return .property(t.text)
                }
            default:
                throw unexpected("a property or a value")
            }
        }

        mutating func predicate(_ left: Operand) throws(FilterError) -> Expression {
            if peek.kind == .symbol, let op = Self.comparison(peek.text) {
                i += 1
                return .compare(left, op, try scalar())
            }
            var negated = false
            if isKeyword("IS") {
                i += 1
                if isKeyword("NOT") { i += 1; negated = true }
                guard isKeyword("NULL") else { throw unexpected("NULL") }
                i += 1
                return negated ? .not(.isNull(left)) : .isNull(left)
            }
            if isKeyword("NOT") { i += 1; negated = true }
            let e: Expression
            if isKeyword("LIKE") || isKeyword("ILIKE") {
                let ci = peek.upper == "ILIKE"
                i += 1
                guard peek.kind == .string else { throw unexpected("a quoted pattern") }
                e = .like(left, pattern: next().text, caseInsensitive: ci)
            } else if isKeyword("BETWEEN") {
                i += 1
                let lo = try scalar()
                guard isKeyword("AND") else { throw unexpected("AND in BETWEEN") }
                i += 1
                e = .between(left, lo, try scalar())
            } else if isKeyword("IN") {
                i += 1
                try expect(symbol: "(", "'(' after IN")
                var list = [try scalar()]
                while isSymbol(",") { i += 1; list.append(try scalar()) }
                try expect(symbol: ")", "')' closing the IN list")
                e = .isIn(left, list)
            } else if !negated, case .boolean(let b) = left {
                return .literal(b)
            } else {
                throw unexpected(negated ? "LIKE, BETWEEN or IN after NOT" : "a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL)")
            }
            return negated ? .not(e) : e
        }

        static func comparison(_ s: String) -> Comparison? {
            switch s {
            case "=": return .eq
            case "<>", "!=": return .ne
            case "<": return .lt
            case "<=": return .le
            case ">": return .gt
            case ">=": return .ge
            default: return nil
            }
        }
    }

    // MARK: CQL2-JSON

    /// Reads a CQL2-JSON filter (`{"op":"=","args":[{"property":"status"},"closed"]}`).
    public static func parseJSON(_ source: String) throws(FilterError) -> Expression {
        let value: JSONValue
        do { value = try JSONValue.parse(source) } catch { throw FilterError("not JSON: \(error)") }
        return try json(value, path: "filter", depth: 0)
    }

    static func json(_ v: JSONValue, path: String, depth: Int) throws(FilterError) -> Expression {
        guard depth < maxDepth else { throw FilterError("\(path): the filter nests deeper than \(maxDepth) levels") }
        if case .bool(let b) = v { return .literal(b) }
        guard let o = v.objectValue, let op = o["op"]?.stringValue else {
            throw FilterError("\(path): expected an object with \"op\" and \"args\" (or true/false)")
        }
        guard case .array(let args)? = o["args"] else { throw FilterError("\(path).args: expected an array") }
        func arity(_ n: Int) throws(FilterError) {
            guard args.count == n else { throw FilterError("\(path): \"\(op)\" takes \(n) arguments, not \(args.count)") }
        }
        func operand(_ k: Int) throws(FilterError) -> Operand { try jsonOperand(args[k], path: "\(path).args[\(k)]") }
        switch op.lowercased() {
        case "and", "or":
            guard args.count >= 2 else { throw FilterError("\(path): \"\(op)\" takes at least 2 arguments") }
            var parts: [Expression] = []
            for (k, a) in args.enumerated() { parts.append(try json(a, path: "\(path).args[\(k)]", depth: depth + 1)) }
            return op.lowercased() == "and" ? .and(parts) : .or(parts)
        case "not":
            try arity(1)
            return .not(try json(args[0], path: "\(path).args[0]", depth: depth + 1))
        case "=", "<>", "<", "<=", ">", ">=":
            try arity(2)
            return .compare(try operand(0), Comparison(rawValue: op)!, try operand(1))
        case "like":
            try arity(2)
            guard let pattern = args[1].stringValue else { throw FilterError("\(path).args[1]: a LIKE pattern is a string") }
            return .like(try operand(0), pattern: pattern, caseInsensitive: false)
        case "between":
            try arity(3)
            return .between(try operand(0), try operand(1), try operand(2))
        case "in":
            try arity(2)
            guard case .array(let list) = args[1], !list.isEmpty else { throw FilterError("\(path).args[1]: IN takes a non-empty array") }
            var values: [Operand] = []
            for (k, a) in list.enumerated() { values.append(try jsonOperand(a, path: "\(path).args[1][\(k)]")) }
            return .isIn(try operand(0), values)
        case "isnull":
            try arity(1)
            return .isNull(try operand(0))
        case let t where TemporalOp(rawValue: t.uppercased()) != nil:
            try arity(2)
            let right: TemporalValue
            if case .array(let ends)? = args[1].objectValue?["interval"] {
                guard ends.count == 2, let a = ends[0].stringValue, let b = ends[1].stringValue else {
                    throw FilterError("\(path).args[1].interval: two strings (a time, a date or \"..\")")
                }
                right = .interval(try bound(a, at: "\(path).args[1]"), try bound(b, at: "\(path).args[1]"))
            } else {
                right = .instant(try operand(1))
            }
            return try temporal(TemporalOp(rawValue: t.uppercased())!, try operand(0), right, at: path)
        case "s_intersects":
            try arity(2)
            if let p = args[0].objectValue?["property"]?.stringValue { return .intersects(property: p, try jsonGeometry(args[1], path: "\(path).args[1]")) }
            if let p = args[1].objectValue?["property"]?.stringValue { return .intersects(property: p, try jsonGeometry(args[0], path: "\(path).args[0]")) }
            throw FilterError("\(path): s_intersects needs a property and a geometry")
        default:
            throw FilterError("\(path): unknown or unsupported op \"\(op)\"")
        }
    }

    static func jsonOperand(_ v: JSONValue, path: String) throws(FilterError) -> Operand {
        switch v {
        case .string(let s): return .string(s)
        case .bool(let b): return .boolean(b)
        case .number(let n): return .number(n.value)
        case .object(let o):
            if let p = o["property"]?.stringValue { return .property(p) }
            if let t = o["timestamp"]?.stringValue {
                guard let s = Timestamp.parse(t) else { throw FilterError("\(path): \"\(t)\" is not an RFC 3339 time") }
                return .timestamp(s)
            }
            if let d = o["date"]?.stringValue {
                guard CalendarDay.isValid(d), let s = CalendarDay.start(d) else { throw FilterError("\(path): \"\(d)\" is not a date (YYYY-MM-DD)") }
                return .timestamp(s)
            }
            throw FilterError("\(path): expected a property, a timestamp, a date or a literal")
        default:
            throw FilterError("\(path): expected a property, a timestamp, a date or a literal")
        }
    }

    static func jsonGeometry(_ v: JSONValue, path: String) throws(FilterError) -> Geometry {
        if case .array(let b)? = v.objectValue?["bbox"] {
            let n = b.compactMap(\.doubleValue)
            guard n.count == b.count, n.count == 4 || n.count == 6 else { throw FilterError("\(path).bbox: 4 (or 6) numbers") }
            let (x0, y0, x1, y1) = n.count == 4 ? (n[0], n[1], n[2], n[3]) : (n[0], n[1], n[3], n[4])
            guard (-180...180).contains(x0), (-180...180).contains(x1), (-90...90).contains(y0), (-90...90).contains(y1), y0 <= y1 else {
                throw FilterError("\(path).bbox: not a box in CRS84")
            }
            return .bbox(BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1))
        }
        if v.objectValue?["type"]?.stringValue == "Point", case .array(let c)? = v.objectValue?["coordinates"] {
            let n = c.compactMap(\.doubleValue)
            guard n.count >= 2, n.count == c.count else { throw FilterError("\(path).coordinates: a longitude and a latitude") }
            return .point(x: n[0], y: n[1])
        }
        let type = v.objectValue?["type"]?.stringValue
        if type == "Polygon" || type == "MultiPolygon", case .array(let c)? = v.objectValue?["coordinates"] {
            func rings(_ value: JSONValue) throws(FilterError) -> [[Double]] {
                guard case .array(let rs) = value else { throw FilterError("\(path).coordinates: arrays of rings") }
                var out: [[Double]] = []
                for r in rs {
                    guard case .array(let positions) = r else { throw FilterError("\(path).coordinates: a ring is an array of positions") }
                    var xy: [Double] = []
                    for p in positions {
                        guard case .array(let xyz) = p, xyz.count >= 2, let x = xyz[0].doubleValue, let y = xyz[1].doubleValue else {
                            throw FilterError("\(path).coordinates: a position is [longitude, latitude]")
                        }
                        xy += [x, y]
                    }
                    out.append(xy)
                }
                return out
            }
            var polygons: [Polygon] = []
            if type == "Polygon" { polygons.append(try polygon(try rings(.array(c)), at: path)) }
            else { for p in c { polygons.append(try polygon(try rings(p), at: path)) } }
            guard !polygons.isEmpty else { throw FilterError("\(path): an empty MultiPolygon") }
            return .polygons(polygons)
        }
        throw FilterError("\(path): expected {\"bbox\": […]}, a GeoJSON Point, Polygon or MultiPolygon")
    }

    // MARK: temporal functions

    /// The temporal functions read, written as comparisons on an instant property (what every date-time queryable
    /// here is): an instant is compared with an instant, or with an interval's ends (`..` open).
    enum TemporalOp: String {
        case after = "T_AFTER", before = "T_BEFORE", during = "T_DURING", equals = "T_EQUALS"
        case intersects = "T_INTERSECTS", disjoint = "T_DISJOINT"
    }

    enum TemporalValue {
        case instant(Operand)
        /// Seconds since 1970; nil for an open end.
        case interval(Double?, Double?)
    }

    static func bound(_ text: String, at place: String) throws(FilterError) -> Double? {
        if text == ".." || text.isEmpty { return nil }
        if text.utf8.count == 10, CalendarDay.isValid(text), let s = CalendarDay.start(text) { return s }
        guard let t = Timestamp.parse(text) else { throw FilterError("'\(text)' at \(place) is not an RFC 3339 time, a date or '..'") }
        return t
    }

    static func temporal(_ op: TemporalOp, _ left: Operand, _ right: TemporalValue, at place: String) throws(FilterError) -> Expression {
        guard case .property = left else { throw FilterError("\(op.rawValue) at \(place) takes a date-time property first") }
        switch right {
        case .instant(let t):
            switch op {
            case .after: return .compare(left, .gt, t)
            case .before: return .compare(left, .lt, t)
            case .equals, .intersects: return .compare(left, .eq, t)
            case .disjoint: return .compare(left, .ne, t)
            case .during: throw FilterError("T_DURING at \(place) needs an INTERVAL")
            }
        case .interval(let a, let b):
            func cmp(_ c: Comparison, _ v: Double?) -> Expression { v.map { .compare(left, c, .timestamp($0)) } ?? .literal(true) }
            let within = Expression.and([cmp(.ge, a), cmp(.le, b)])
            switch op {
            case .after: return b.map { .compare(left, .gt, .timestamp($0)) } ?? .literal(false)
            case .before: return a.map { .compare(left, .lt, .timestamp($0)) } ?? .literal(false)
            case .during: return .and([cmp(.gt, a), cmp(.lt, b)])
            case .intersects: return within
            case .disjoint: return .and([.not(.isNull(left)), .not(within)])
            case .equals: return .literal(false)  // an instant never equals an interval
            }
        }
    }

    // MARK: checking against the queryables

    /// The filter with every property known to the collection and every comparison between values of one type: a
    /// quoted time compared with a date-time property is read as that time; a number where a string is expected,
    /// or a property the collection does not have, is an error naming it.
    public static func check(_ e: Expression, against queryables: [Queryable]) throws(FilterError) -> Expression {
        func kind(_ name: String) throws(FilterError) -> Queryable.Kind {
            guard let q = queryables.first(where: { $0.name == name }) else {
                throw FilterError("'\(name)' is not a queryable of this collection (see its queryables: \(queryables.map(\.name).joined(separator: ", ")))")
            }
            return q.kind
        }
        func type(_ o: Operand) throws(FilterError) -> Queryable.Kind? {
            switch o {
            case .property(let p):
                let k = try kind(p)
                if k == .point || k == .region { throw FilterError("'\(p)' is a geometry: compare it with S_INTERSECTS") }
                return k
            case .string: return nil  // fits a string, or a time where one is expected
            case .number: return .number
            case .boolean: return .boolean
            case .timestamp: return .dateTime
            }
        }
        func describe(_ o: Operand) -> String {
            switch o {
            case .property(let p): return p
            case .string(let s): return "'\(s)'"
            case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
            case .boolean(let b): return b ? "TRUE" : "FALSE"
            case .timestamp(let t): return "TIMESTAMP('\(Timestamp.format(t))')"
            }
        }
        func name(_ k: Queryable.Kind) -> String {
            switch k {
            case .string: return "a string"
            case .integer, .number: return "a number"
            case .boolean: return "a boolean"
            case .dateTime: return "a date-time"
            case .point, .region: return "a geometry"
            }
        }
        /// `o` made to fit `want` (a quoted time for a date-time), or an error.
        func fit(_ o: Operand, _ want: Queryable.Kind?, against other: Operand) throws(FilterError) -> Operand {
            guard let want else { return o }
            let have = try type(o)
            switch (want, have, o) {
            case (.dateTime, nil, .string(let s)):
                guard let t = Timestamp.parse(s) else {
                    throw FilterError("'\(s)' is not an RFC 3339 time, and \(describe(other)) is a date-time")
                }
                return .timestamp(t)
            case (.string, nil, _): return o
            case (.integer, .number, _), (.number, .integer, _), (.number, .number, _), (.integer, .integer, _): return o
            case (let w, let h?, _) where w == h: return o
            default:
                throw FilterError("\(describe(other)) is \(name(want)) and \(describe(o)) is \(have.map(name) ?? "a string")")
            }
        }
        func pair(_ a: Operand, _ b: Operand) throws(FilterError) -> (Operand, Operand) {
            let ta = try type(a), tb = try type(b)
            if case .property = a { return (a, try fit(b, ta, against: a)) }
            if case .property = b { return (try fit(a, tb, against: b), b) }
            if let ta { return (a, try fit(b, ta, against: a)) }
            if let tb { return (try fit(a, tb, against: b), b) }
            return (a, b)
        }
        switch e {
        case .and(let parts):
            var out: [Expression] = []
            for p in parts { out.append(try check(p, against: queryables)) }
            return .and(out)
        case .or(let parts):
            var out: [Expression] = []
            for p in parts { out.append(try check(p, against: queryables)) }
            return .or(out)
        case .not(let inner): return .not(try check(inner, against: queryables))
        case .literal: return e
        case .compare(let a, let op, let b):
            let (x, y) = try pair(a, b)
            let tx = try type(x), ty = try type(y)
            if op != .eq && op != .ne, tx == .boolean || ty == .boolean { throw FilterError("booleans compare only with = and <>") }
            return .compare(x, op, y)
        case .like(let a, let pattern, let ci):
            let t = try type(a)
            guard t == nil || t == .string else { throw FilterError("LIKE needs a string, and \(describe(a)) is \(name(t!))") }
            return .like(a, pattern: pattern, caseInsensitive: ci)
        case .isIn(let a, let list):
            var out: [Operand] = []
            for v in list { out.append(try pair(a, v).1) }
            return .isIn(a, out)
        case .between(let a, let lo, let hi):
            let l = try pair(a, lo).1, h = try pair(a, hi).1
            if let t = try type(a), t == .boolean || t == .string { throw FilterError("BETWEEN needs numbers or times, and \(describe(a)) is \(name(t))") }
            return .between(a, l, h)
        case .isNull(let a):
            _ = try type(a)
            return e
        case .intersects(let property, let g):
            let k = try kind(property)
            guard k == .point || k == .region else { throw FilterError("'\(property)' is not a geometry") }
            return .intersects(property: property, g)
        }
    }

    /// A CQL2 LIKE pattern as an SQLite GLOB pattern (which, unlike SQLite's LIKE, is case-sensitive as CQL2's
    /// LIKE is): `%` → `*`, `_` → `?`, and the GLOB wildcards of the text escaped as one-character classes.
    public static func glob(_ pattern: String) -> String {
        var out = ""
        var escaped = false
        for c in pattern {
            if escaped { out += c == "*" || c == "?" || c == "[" ? "[\(c)]" : String(c); escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case "%": out += "*"
            case "_": out += "?"
            case "*", "?", "[": out += "[\(c)]"
            default: out.append(c)
            }
        }
        if escaped { out += "\\" }
        return out
    }
}
