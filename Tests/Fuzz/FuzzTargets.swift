// libFuzzer targets for the readers that take untrusted bytes (issue 15), compiled into WanggeCore's own module
// by .ci/fuzz.sh with `-sanitize=fuzzer,address`; WANGGE_FUZZ names the target. Each target also checks that two
// ways of reading the same bytes agree, so a wrong answer is found, not only a crash.

/// Which reader the process fuzzes (read once; libFuzzer calls the entry point millions of times).
let fuzzTarget: String = {
    guard let p = getenv("WANGGE_FUZZ") else { return "json" }
    return String(cString: p)
}()

@_silgen_name("getenv") func getenv(_ name: UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>?
@_silgen_name("abort") func abort() -> Never
@_silgen_name("fflush") func fflush(_ stream: UnsafeMutableRawPointer?) -> CInt

func require(_ ok: Bool, _ what: @autoclosure () -> String) {
    if !ok {
        print("fuzz: \(what())")
        _ = fflush(nil)  // abort does not flush stdout
        abort()
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch fuzzTarget {
    case "json": fuzzJSON(bytes)
    case "csv": fuzzCSV(bytes)
    case "geojson": fuzzGeoJSON(bytes)
    case "event": fuzzEvent(bytes)
    case "layout": fuzzLayout(bytes)
    default: require(false, "unknown WANGGE_FUZZ \(fuzzTarget)")
    }
    return 0
}

/// The tree parser and the validating skipper agree on what is JSON; a parsed value's canonical form parses back
/// to the same canonical form.
func fuzzJSON(_ bytes: [UInt8]) {
    let parsed = try? JSONValue.parse(bytes)
    // The skipper does not look for members named twice, which the tree parser refuses.
    if let parsed {
        require(JSONValue.isValid(bytes), "parse accepted what isValid refuses")
        let canonical = parsed.canonicalBytes
        require((try? JSONValue.parse(canonical))?.canonicalBytes == canonical, "the canonical form does not read back")
    }
}

/// Records are the same whether the bytes come in one piece or two.
func fuzzCSV(_ bytes: [UInt8]) {
    func records(_ pieces: [ArraySlice<UInt8>]) -> [[String]] {
        var reader = CSV.Reader(delimiter: CSV.Reader.delimiter(firstLine: bytes.prefix { $0 != 0x0A }))
        var out: [[String]] = []
        for p in pieces { reader.feed(p) { fields, _ in out.append(fields) } }
        reader.finish { fields, _ in out.append(fields) }
        return out
    }
    let whole = records([bytes[...]])
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    require(records([bytes[..<cut], bytes[cut...]]) == whole, "a record changed with where the chunk ended (cut at \(cut))")
    _ = try? CSV.records(bytes, required: ["id"])
}

/// The whole-document reader and the streaming one find the same features.
func fuzzGeoJSON(_ bytes: [UInt8]) {
    let document = try? GeoJSONDocument.parse(bytes)
    var stream = GeoJSONFeatureStream()
    var streamed = 0
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    let ok: Bool
    do {
        try stream.feed(bytes[..<cut]) { if case .feature = $0 { streamed += 1 } }
        try stream.feed(bytes[cut...]) { if case .feature = $0 { streamed += 1 } }
        try stream.finish { if case .feature = $0 { streamed += 1 } }
        ok = true
    } catch { ok = false }
    if let document, ok {
        require(document.features.count == streamed, "the document has \(document.features.count) features, the stream \(streamed)")
    }
    // An upload is read as it arrives (GeoJSONDocument.Reader): it takes what the whole-file parser takes, finds
    // the same document, and a feature's syntax error is the parser's own.
    var reader = GeoJSONDocument.Reader()
    let read = Result { () throws -> GeoJSONDocument in
        try reader.feed(Array(bytes[..<cut]))
        try reader.feed(Array(bytes[cut...]))
        return try reader.finish()
    }
    switch (Result { try GeoJSONDocument.parse(bytes) }, read) {
    case (.success(let whole), .success(let streamed)):
        require(whole == streamed, "the reader found another document than the parser (cut at \(cut))")
    case (.failure(let a as JSONSyntaxError), .failure(let b as JSONSyntaxError)) where a.path.hasPrefix("features["):
        require(a == b && a.path == b.path, "a feature's error differs: \(a) / \(b)")
    case (.success, .failure(let e)), (.failure(let e), .success):
        require(false, "only one of the parser and the reader took it (cut at \(cut)): \(e)")
    default:
        break
    }
}

/// The event parser takes any object without crashing, and what it accepts has finite coordinates.
func fuzzEvent(_ bytes: [UInt8]) {
    guard case .object(let o)? = try? JSONValue.parse(bytes) else { return }
    if case .success(let s) = EventSubmission.parse(o, now: 1_800_000_000) {
        require(s.x.isFinite && s.y.isFinite, "an accepted event has a non-finite coordinate")
    }
}

/// The batch fast path (NDJSON lines and GeoJSON features read by bytes, `JSONRowWriter`) finds members and
/// elements with `JSONLayout` in text `isValid` accepted: every member's key and value, and every element, must be
/// what the tree parser reads from the same text, in the same order, and an object's closing brace where it is.
func fuzzLayout(_ bytes: [UInt8]) {
    guard JSONValue.isValid(bytes), let tree = try? JSONValue.parse(bytes) else { return }
    bytes.withUnsafeBufferPointer { p in
        func value(_ r: Range<Int>) -> JSONValue? { try? JSONValue.parse(p[r]) }
        switch tree {
        case .object(let o):
            guard let layout = JSONLayout.members(p) else { return require(false, "members found no object in an object") }
            require(layout.members.count == o.members.count, "members found \(layout.members.count) members, the tree \(o.members.count)")
            for (m, t) in zip(layout.members, o.members) {
                let key = value(m.key.lowerBound - 1..<m.key.upperBound + 1)
                require(key == .string(t.key), "member key \(String(decoding: p[m.key], as: UTF8.self)) is not the tree's \(t.key)")
                require(value(m.value) == t.value, "the value of \(t.key) is not the tree's")
            }
            require(p[layout.close] == 0x7D && JSONValue.isValid(Array(p[..<(layout.close + 1)])), "the closing brace is not at \(layout.close)")
            require(JSONLayout.elements(p) == nil, "elements found an array in an object")
        case .array(let a):
            guard let elements = JSONLayout.elements(p) else { return require(false, "elements found no array in an array") }
            require(elements.count == a.count, "elements found \(elements.count) elements, the tree \(a.count)")
            for (r, t) in zip(elements, a) { require(value(r) == t, "an element is not the tree's") }
            require(JSONLayout.members(p) == nil, "members found an object in an array")
        default:
            require(JSONLayout.members(p) == nil && JSONLayout.elements(p) == nil, "a scalar read as an object or array")
        }
    }
}
