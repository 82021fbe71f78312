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
