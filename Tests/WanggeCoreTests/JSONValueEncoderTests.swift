import Testing
@testable import WanggeCore

@Suite("Response types as JSON")
struct JSONValueEncoderTests {
    struct Inner: Encodable { var b: Int; var a: String }
    struct Outer: Encodable {
        var zeta = "first"
        var alpha = 2.5
        var missing: String? = nil
        var inner = Inner(b: 1, a: "x")
        var list = [1, 2]
        var raw = JSONValue.number(JSONNumber(literal: "1.50", value: 1.5))
    }

    @Test("members come in declaration order, nil is null, and JSON values keep their literals")
    func order() throws {
        var w = GeoJSONWriter()
        w.appendValue(try JSONValueEncoder.encode(Outer()))
        #expect(String(decoding: w.bytes, as: UTF8.self)
            == #"{"zeta":"first","alpha":2.5,"missing":null,"inner":{"b":1,"a":"x"},"list":[1,2],"raw":1.50}"#)
    }

    @Test("a number that is not finite is an error, not invalid JSON")
    func notFinite() {
        struct N: Encodable { var v = Double.nan }
        #expect(throws: EncodingError.self) { try JSONValueEncoder.encode(N()) }
    }
}
