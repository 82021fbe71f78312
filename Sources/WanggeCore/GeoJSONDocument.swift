/// One feature as read from a GeoJSON FeatureCollection, before any geometric check.
public struct RawFeature: Sendable, Equatable {
    /// 0-based position in the collection's `features` array.
    public var index: Int
    /// 1-based line where the feature starts in the file.
    public var line: Int
    /// 1-based column (in characters) and 0-based byte offset where the feature starts.
    public var column: Int = 1
    public var offset: Int = 0
    public var id: JSONValue?
    /// `geometry.type`, or nil when the geometry is missing or null.
    public var geometryType: String?
    public var coordinates: NestedCoordinates?
    public var properties: JSONObject
    /// Structural problems found while reading (not a Feature, geometry not an object, bad coordinates...).
    public var problems: [String]
    /// Features nested in this one (a `children` array of Features: a hierarchy written as a tree); their `index`
    /// is their place within `children` until `GeoJSONDocument.flattened` numbers them.
    public var children: [RawFeature] = []

    /// A feature with nothing in it, in the place of one let go.
    public static func empty(index: Int) -> RawFeature {
        RawFeature(index: index, line: 0, id: nil, geometryType: nil, coordinates: nil, properties: JSONObject(), problems: [])
    }
}

/// A GeoJSON FeatureCollection read feature by feature.
public struct GeoJSONDocument: Sendable, Equatable {
    public var features: [RawFeature]
    /// The name in a legacy (GeoJSON 2008) `crs` member, if the file has one.
    public var crsName: String?

    /// Reads a FeatureCollection.
    /// - Throws: `JSONSyntaxError` (with line and column) when the text is not JSON, and
    ///   `GeoJSONStructureError` when the top level is not a FeatureCollection.
    public static func parse(_ data: some Collection<UInt8>) throws -> GeoJSONDocument {
        var buffer = Array(data)
        buffer.append(0)
        // A UTF-8 byte-order mark is tolerated (some Windows tools write one).
        let skip = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        return try buffer.withUnsafeBufferPointer { p in
            var s = JSONScanner(bytes: p)
            s.pos = skip
            return try read(&s)
        }
    }

    static func read(_ s: inout JSONScanner) throws -> GeoJSONDocument {
        s.skipWhitespace()
        guard s.current == 0x7B else {
            if s.pos >= s.end { throw s.error("the file is empty") }
            // Still a syntax check first: a broken file should say where it breaks.
            var probe = s
            try probe.skipValue()
            throw GeoJSONStructureError(message: "the top level must be a GeoJSON FeatureCollection object")
        }
        var type: String?
        var features: [RawFeature] = []
        var sawFeatures = false
        /// What `features` was when it was not an array.
        var featuresKind: String?
        var crsName: String?
        var lineCounter = LineCounter()
        var seen: Set<String> = []
        try s.readObject { (s: inout JSONScanner, key: String) throws(JSONSyntaxError) in
            if key != "features", !seen.insert(key).inserted {
                throw s.error("the member \"\(key)\" appears twice in the FeatureCollection")
            }
            switch key {
            case "type":
                do throws(JSONSyntaxError) { type = try s.readValue().stringValue } catch { throw error.within(key: key) }
            case "features":
                if sawFeatures { throw s.error("the member \"features\" appears twice in the FeatureCollection") }
                sawFeatures = true
                s.skipWhitespace()
                guard s.current == 0x5B else { featuresKind = try s.readValue().typeDescription; return }
                do throws(JSONSyntaxError) {
                    try s.readArray { (s: inout JSONScanner, i: Int) throws(JSONSyntaxError) in
                        let at = lineCounter.place(at: s.pos, in: s.bytes)
                        do throws(JSONSyntaxError) { features.append(try readFeature(&s, index: i, at: at)) } catch { throw error.within(index: i) }
                    }
                } catch { throw error.within(key: "features") }
            case "crs":
                do throws(JSONSyntaxError) { crsName = Self.crsName(try s.readValue()) } catch { throw error.within(key: key) }
            default:
                do throws(JSONSyntaxError) { try s.skipValue() } catch { throw error.within(key: key) }
            }
        }
        s.skipWhitespace()
        guard s.pos == s.end else {
            throw s.error("unexpected \(s.describeByte(at: s.pos)) after the end of the JSON value")
        }
        guard type == "FeatureCollection" else {
            throw GeoJSONStructureError(message: Reader.typeMessage(type))
        }
        guard sawFeatures else {
            throw GeoJSONStructureError(message: "the FeatureCollection has no \"features\" array")
        }
        if let featuresKind {
            throw GeoJSONStructureError(message: "\"features\" must be an array of features, not \(featuresKind)")
        }
        return GeoJSONDocument(features: features, crsName: crsName)
    }

    static func readFeature(_ s: inout JSONScanner, index: Int, at: GeoJSONFeatureStream.Place) throws(JSONSyntaxError) -> RawFeature {
        var f = RawFeature(index: index, line: at.line, column: at.column, offset: at.offset, id: nil, geometryType: nil,
                           coordinates: nil, properties: JSONObject(), problems: [])
        s.skipWhitespace()
        guard s.current == 0x7B else {
            let v = try s.readValue()
            f.problems.append("a feature must be an object, found \(v.typeDescription)")
            return f
        }
        var type: String?
        var sawGeometry = false
        var seen = Set<String>()
        // Places of nested features, counted on from the feature's own (its bytes may be all the scanner holds).
        let start = s.pos
        var counter = LineCounter(offset: start, line: at.line, column: at.column)
        try s.readObject { (s: inout JSONScanner, key: String) throws(JSONSyntaxError) in
            if !seen.insert(key).inserted { throw s.error("the member \"\(key)\" appears twice in one feature") }
            switch key {
            case "type":
                type = try s.readValue().stringValue
            case "id":
                f.id = try s.readValue()
            case "properties":
                let v: JSONValue
                do throws(JSONSyntaxError) { v = try s.readValue() } catch { throw error.within(key: "properties") }
                switch v {
                case .object(let o): f.properties = o
                case .null: break
                default: f.problems.append("\"properties\" must be an object or null, found \(v.typeDescription)")
                }
            case "geometry":
                sawGeometry = true
                try readGeometry(&s, into: &f)
            case "children":
                s.skipWhitespace()
                guard s.current == 0x5B else {
                    f.problems.append("\"children\" must be an array of features, found \(try s.readValue().typeDescription)")
                    return
                }
                do throws(JSONSyntaxError) {
                    try s.readArray { (s: inout JSONScanner, i: Int) throws(JSONSyntaxError) in
                        var place = counter.place(at: s.pos, in: s.bytes)
                        place.offset = at.offset + (place.offset - start)
                        do throws(JSONSyntaxError) { f.children.append(try readFeature(&s, index: i, at: place)) } catch { throw error.within(index: i) }
                    }
                } catch { throw error.within(key: "children") }
            default:
                try s.skipValue()
            }
        }
        if type != "Feature" {
            f.problems.append(type.map { "\"type\" is \"\($0)\"; a member of \"features\" must be a \"Feature\"" }
                ?? "the feature has no \"type\": \"Feature\"")
        }
        if !sawGeometry {
            f.problems.append("the feature has no \"geometry\" member")
        }
        return f
    }

    static func readGeometry(_ s: inout JSONScanner, into f: inout RawFeature) throws(JSONSyntaxError) {
        s.skipWhitespace()
        if s.current == 0x6E {  // null geometry: allowed by RFC 7946, reported later as "no geometry"
            try s.readKeyword("null")
            return
        }
        guard s.current == 0x7B else {
            let v = try s.readValue()
            f.problems.append("\"geometry\" must be an object or null, found \(v.typeDescription)")
            return
        }
        var coordinatesStart: Int?
        var geometryType: String?
        try s.readObject { (s: inout JSONScanner, key: String) throws(JSONSyntaxError) in
            switch key {
            case "type":
                geometryType = try s.readValue().stringValue
            case "coordinates":
                coordinatesStart = s.pos
                try s.skipValue()  // syntax first; the shape is read below from the same bytes
            default:
                try s.skipValue()
            }
        }
        f.geometryType = geometryType ?? ""
        if let start = coordinatesStart {
            var c = s
            c.pos = start
            do {
                f.coordinates = try c.readCoordinates()
            } catch {
                f.problems.append("coordinates: \(error.message)")
            }
        }
    }
}

/// The top level of a file is JSON but not a GeoJSON FeatureCollection.
public struct GeoJSONStructureError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Counts lines and columns (characters, as `JSONScanner` counts them) incrementally as a reader moves forward
/// through a buffer.
extension GeoJSONDocument {
    /// The features with every nested one (`children`) after its parent, depth first, numbered in that order; a
    /// child without a `parentField` property gets its parent's `codeField` value there.
    public static func flattened(_ features: [RawFeature], codeField: String, parentField: String) -> [RawFeature] {
        guard features.contains(where: { !$0.children.isEmpty }) else { return features }
        var out: [RawFeature] = []
        func add(_ f: RawFeature, parent: JSONValue?) {
            var f = f
            let children = f.children
            f.children = []
            f.index = out.count
            if let parent, f.properties[parentField] == nil { f.properties[parentField] = parent }
            let code = f.properties[codeField]
            out.append(f)
            for c in children { add(c, parent: code) }
        }
        for f in features { add(f, parent: nil) }
        return out
    }
}

struct LineCounter {
    var offset = 0
    var line = 1
    var column = 1

    mutating func place(at position: Int, in bytes: UnsafeBufferPointer<UInt8>) -> GeoJSONFeatureStream.Place {
        while offset < position {
            if bytes[offset] == 0x0A { line += 1; column = 1 } else if bytes[offset] & 0xC0 != 0x80 { column += 1 }
            offset += 1
        }
        return GeoJSONFeatureStream.Place(line: line, column: column, offset: offset)
    }
}
