import Testing
@testable import WanggeCore

@Suite("CSV (RFC 4180): one reader, one writer")
struct CSVTests {
    /// Every record of `text` fed in chunks of `size` bytes.
    static func read(_ text: String, chunk size: Int) -> (records: [[String]], lines: [Int], reader: CSV.Reader) {
        var reader = CSV.Reader()
        var records: [[String]] = [], lines: [Int] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            reader.feed(bytes[i..<min(bytes.count, i + size)]) { records.append($0); lines.append($1) }
            i += size
        }
        reader.finish { records.append($0); lines.append($1) }
        return (records, lines, reader)
    }

    @Test("quoted fields with commas, quotes and line breaks read the same whatever the chunks", arguments: [1, 2, 3, 7, 1000])
    func quoting(chunk: Int) {
        let text = "id,name,note\r\n1,\"王, 芳\",\"said \"\"hi\"\"\"\r\n2,plain,\"two\nlines\"\r\n3,,\r\n"
        let (records, lines, reader) = Self.read(text, chunk: chunk)
        #expect(records == [["id", "name", "note"], ["1", "王, 芳", "said \"hi\""], ["2", "plain", "two\nlines"], ["3", "", ""]])
        #expect(lines == [1, 2, 3, 5], "a record's line is where it starts")
        #expect(reader.lineEnd == CSV.crlf)
    }

    @Test("the delimiter is a comma unless the header has only tabs or semicolons; LF line ends are noticed; a last line without one is read")
    func delimiters() {
        #expect(Self.read("a;b\n1;2", chunk: 100).records == [["a", "b"], ["1", "2"]])
        #expect(Self.read("a\tb\n1\t2\n", chunk: 100).records == [["a", "b"], ["1", "2"]])
        #expect(Self.read("a,b;c\n1,2;3\n", chunk: 100).records == [["a", "b;c"], ["1", "2;3"]])
        #expect(Self.read("a,b\n1,2\n", chunk: 100).reader.lineEnd == CSV.lf)
    }

    @Test("written records read back unchanged, with the delimiter and line end asked for", arguments: [UInt8(0x2C), 0x3B, 0x09])
    func roundTrip(delimiter: UInt8) {
        let rows = [["code", "name", "wkt"], ["A1", "西苑, 北区", "POLYGON ((1 2, 3 4))"], ["A2", "a \"quoted\" word", "x\ny"], ["", "\t;", ","]]
        for lineEnd in [CSV.crlf, CSV.lf] {
            var out: [UInt8] = []
            for r in rows { CSV.appendRecord(r, delimiter: delimiter, lineEnd: lineEnd, to: &out) }
            #expect(out.suffix(lineEnd.count).elementsEqual(lineEnd))
            var reader = CSV.Reader()
            var back: [[String]] = []
            reader.feed(out) { r, _ in back.append(r) }
            reader.finish { r, _ in back.append(r) }
            #expect(back == rows)
        }
    }

    @Test("a report table uses CRLF and quotes only what needs it")
    func table() {
        let t = CSV.table(header: ["code", "name"], rows: [[("code", .string("1")), ("name", .string("a,b"))], [("code", .number(JSONNumber(2))), ("name", .null)]])
        #expect(t == "code,name\r\n1,\"a,b\"\r\n2,\r\n")
    }
}
