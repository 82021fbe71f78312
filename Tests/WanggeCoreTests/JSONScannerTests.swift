import Testing
@testable import WanggeCore

@Suite("JSON reading")
struct JSONScannerTests {
    struct SyntaxCase: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let column: Int
        let mentions: String
        var testDescription: String { mentions }
    }

    @Test("syntax errors say where the text breaks and why", arguments: [
        SyntaxCase(text: "{\"a\": 1,\n \"b\" 2}", line: 2, column: 6, mentions: "expected ':'"),
        SyntaxCase(text: "{\"a\": [1, 2,\n\n   ]}", line: 3, column: 4, mentions: "unexpected ']'"),
        SyntaxCase(text: "{\"a\": \"open", line: 1, column: 7, mentions: "unterminated string"),
        SyntaxCase(text: "[1, 2] x", line: 1, column: 8, mentions: "after the end"),
        SyntaxCase(text: "{\"a\": 01}", line: 1, column: 8, mentions: "malformed number"),
        SyntaxCase(text: "{\"名字\": tru}", line: 1, column: 8, mentions: "expected a value"),
        SyntaxCase(text: "{\"a\": 1 \"b\": 2}", line: 1, column: 9, mentions: "expected ',' or '}'"),
    ])
    func syntaxErrors(_ c: SyntaxCase) {
        do {
            _ = try JSONValue.parse(c.text)
            Issue.record("parsed malformed JSON: \(c.text)")
        } catch {
            #expect(error.line == c.line)
            #expect(error.column == c.column)
            #expect(error.message.contains(c.mentions), "\(error.message)")
            #expect(error.description.hasPrefix("malformed JSON at line \(c.line), column \(c.column)"))
        }
    }

    /// Where reading (`readValue`) and skipping (`skipValue`) a text end, or the error each throws.
    static func readAndSkip(_ bytes: [UInt8]) -> (read: Result<Int, JSONSyntaxError>, skip: Result<Int, JSONSyntaxError>) {
        var buffer = bytes
        buffer.append(0)
        return buffer.withUnsafeBufferPointer { p in
            var r = JSONScanner(bytes: p), s = JSONScanner(bytes: p)
            let read: Result<Int, JSONSyntaxError>
            do throws(JSONSyntaxError) { _ = try r.readValue(); read = .success(r.pos) } catch { read = .failure(error) }
            let skip: Result<Int, JSONSyntaxError>
            do throws(JSONSyntaxError) { try s.skipValue(); skip = .success(s.pos) } catch { skip = .failure(error) }
            return (read, skip)
        }
    }

    @Test("skipping a value (no strings made) accepts and refuses exactly what reading it does, with the same error at the same place")
    func skipAgrees() {
        var texts: [[UInt8]] = [
            #"{"a": 1, "b": [true, false, null, "x", {"c": "d"}], "e": {}}"#, #"{"名字": "西苑", "k\u00e9y": "v\n"}"#,
            #"{"a" 1}"#, #"{"名字" 1}"#, #"{"k\"ey" 1}"#, #"{"a": "b\q"}"#, #"{"a\q": 1}"#, #"{"a": "\ud800"}"#, #"{"a": "open"#,
            #"{"open: 1}"#, #"{a: 1}"#, #"{"a": 1,}"#, #"["a", ]"#, #"{"a": 1 "b": 2}"#, #""plain""#, "\"tab\tin\"", "{\"a\":\t\"b\"}",
            #"{"a": 01}"#, #"{"a": tru}"#, "{\"a\": \"line\nbreak\"}", "{\"a\n\": 1}", "{}", "[]", " {\"a\" : 1 } ",
        ].map { Array($0.utf8) }
        texts.append([0x7B, 0x22, 0x61, 0xFF, 0x22, 0x3A, 0x31, 0x7D])        // {"a\xFF":1}: not UTF-8 in a name
        texts.append([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x22, 0x7D])  // {"a":"\xC3"}: a cut UTF-8 sequence
        for t in texts {
            // The same message at the same offset (reading also names the member path; skipping never did).
            let (read, skip) = Self.readAndSkip(t)
            func place(_ r: Result<Int, JSONSyntaxError>) -> String {
                switch r { case .success(let end): "ends at \(end)"; case .failure(let e): "\(e.message) at \(e.offset)" }
            }
            #expect(place(read) == place(skip), "\(String(decoding: t, as: UTF8.self))")
        }
    }

    @Test("values, escapes and surrogate pairs decode exactly")
    func values() throws {
        let v = try JSONValue.parse(#"{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00","n":-12.5e2,"i":4000001,"t":true,"f":false,"z":null,"a":[]}"#)
        let o = try #require(v.objectValue)
        #expect(o["s"] == .string("a\"b\\c/d\né😀"))
        #expect(o["n"]?.doubleValue == -1250)
        #expect(o["i"] == .number(JSONNumber(literal: "4000001", value: 4000001)))
        #expect(o["t"] == .bool(true))
        #expect(o["f"] == .bool(false))
        #expect(o["z"] == .null)
        #expect(o["a"] == .array([]))
        #expect(o.keys == ["s", "n", "i", "t", "f", "z", "a"])
    }

    @Test("NaN and Infinity are read as non-finite numbers rather than rejected")
    func nonFiniteTokens() throws {
        let v = try JSONValue.parse("[NaN, Infinity, -Infinity]")
        guard case .array(let items) = v else { Issue.record("not an array"); return }
        #expect(items[0].doubleValue?.isNaN == true)
        #expect(items[1].doubleValue == .infinity)
        #expect(items[2].doubleValue == -.infinity)
    }

    @Test("a number's literal is kept for identifiers")
    func literalKept() throws {
        let v = try JSONValue.parse("[1.50, 12345678901234567890]")
        guard case .array(let items) = v else { Issue.record("not an array"); return }
        #expect(items[0].identifierText == "1.50")
        #expect(items[1].identifierText == "12345678901234567890")
    }

    @Test("deep nesting is refused, not a stack overflow")
    func depthLimit() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }
}

@Suite("Numbers: correctly rounded without the C library")
struct JSONNumberTests {
    @Test("coordinates, exponents, long mantissas and extremes give the same double as Swift's own parser", arguments: [
        "0", "-0", "1", "114.4531234", "38.0620001", "-179.9999999", "1e0", "1E+2", "2.5e-3", "123456789012345678901234567890",
        "0.1", "0.30000000000000004", "9007199254740993", "4.9e-324", "1.7976931348623157e308", "1e400", "-1e-400",
        "114.45312345678901234", "0.000001", "1000000000000000000000", "3.141592653589793238462643383279",
    ])
    func sameAsSwift(_ literal: String) throws {
        let value = try JSONValue.parse(literal)
        guard case .number(let n) = value else { Issue.record("not a number: \(value)"); return }
        let expected = Double(literal)!
        #expect(n.value.bitPattern == expected.bitPattern || (n.value.isNaN && expected.isNaN), "\(literal): \(n.value) vs \(expected)")
    }

    @Test("every decimal with up to seven places between −180 and 180 on a lattice parses exactly as Swift does")
    func lattice() throws {
        var rng = UInt64(20111001)
        for _ in 0..<20_000 {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            let units = Int64(bitPattern: rng) % 1_800_000_000
            let fraction = String(abs(units) % 10_000_000)
            let literal = (units < 0 ? "-" : "") + "\(abs(units) / 10_000_000)." + String(repeating: "0", count: 7 - fraction.count) + fraction
            guard case .number(let n) = try JSONValue.parse(literal) else { Issue.record("not a number: \(literal)"); return }
            #expect(n.value.bitPattern == Double(literal)!.bitPattern, "\(literal)")
        }
    }
}
