extension GeoJSONDocument {
    /// A FeatureCollection read as its bytes arrive, in chunks of any size: each feature is read (exactly as
    /// `GeoJSONDocument.parse` reads it) as soon as its last byte is in, and its bytes are let go, so an upload is
    /// never held whole — only the features read so far and at most one feature's bytes beyond the current chunk.
    ///
    /// What it finds is what `parse` finds: the same features, the same `crs` name, and a feature's syntax error
    /// with the same message, line, column and path. Errors in the collection's own structure (not an object, a
    /// truncated file, `features` not an array) say the same things as the streaming splitter does, with their line.
    public struct Reader: Sendable {
        var stream = GeoJSONFeatureStream()
        var features: [RawFeature] = []
        var crsName: String?
        var type: String?
        var seen: Set<String> = []
        /// Bytes fed so far.
        public private(set) var bytesRead = 0

        public init() {}

        /// Reads what is complete of `bytes` with what was left over.
        /// - Throws: `JSONSyntaxError` (a feature or member that is not JSON), `GeoJSONStructureError`.
        public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws {
            bytesRead += bytes.count
            var pieces: [GeoJSONFeatureStream.Piece] = []
            do {
                try stream.feed(bytes) { pieces.append($0) }
            } catch {
                try take(&pieces)  // what came before the error is read first, as the parser reads
                throw Self.structure(error)
            }
            try take(&pieces)
        }

        public mutating func feed(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBufferPointer { try feed($0) }
        }

        /// The document, once the last chunk is in.
        /// - Throws: as `feed`, and `GeoJSONStructureError` for a collection that is truncated, has no `features`
        ///   array or is not of type FeatureCollection.
        public mutating func finish() throws -> GeoJSONDocument {
            var pieces: [GeoJSONFeatureStream.Piece] = []
            do {
                try stream.finish { pieces.append($0) }
            } catch {
                try take(&pieces)
                // A file cut inside a feature: that feature's own error (where it breaks), as the parser finds it.
                if let (rest, at) = stream.unfinishedFeature {
                    try take(.feature(rest, at: at))
                }
                throw Self.structure(error)
            }
            try take(&pieces)
            guard type == "FeatureCollection" else { throw GeoJSONStructureError(message: Self.typeMessage(type)) }
            defer { features = [] }  // the document is their one owner: the check lets each go once read
            return GeoJSONDocument(features: features, crsName: crsName)
        }

        /// Takes the pieces out one by one, so each one's bytes have one owner and are freed once read.
        mutating func take(_ pieces: inout [GeoJSONFeatureStream.Piece]) throws {
            pieces.reverse()
            while let piece = pieces.popLast() { try take(piece) }
        }

        mutating func take(_ piece: consuming GeoJSONFeatureStream.Piece) throws {
            switch consume piece {
            case .feature(let bytes, let at):
                let index = features.count
                features.append(try Self.read(bytes, at: at, path: { $0.within(index: index).within(key: "features") }) { s throws(JSONSyntaxError) in
                    try GeoJSONDocument.readFeature(&s, index: index, at: at)
                })
            case .member(let key, let bytes, let at):
                guard seen.insert(key).inserted else {
                    throw GeoJSONStructureError(message: "line \(at.line): the member \"\(key)\" appears twice in the FeatureCollection")
                }
                // As the parser does: `type` and `crs` are read, any other member only checked as JSON.
                let value = try Self.read(bytes, at: at, path: { $0.within(key: key) }) { s throws(JSONSyntaxError) -> JSONValue? in
                    if key == "type" || key == "crs" { return try s.readValue() }
                    try s.skipValue()
                    return nil
                }
                switch key {
                case "type": type = value?.stringValue
                case "crs": crsName = value.flatMap(GeoJSONDocument.crsName)
                default: break
                }
            }
        }

        /// One piece read whole by `read` (which must take all of it), its error placed in the whole text.
        static func read<T>(_ bytes: consuming [UInt8], at: GeoJSONFeatureStream.Place, path: (JSONSyntaxError) -> JSONSyntaxError,
                            _ read: (inout JSONScanner) throws(JSONSyntaxError) -> T) throws(JSONSyntaxError) -> T {
            var buffer = consume bytes  // the one owner: the NUL goes on without a copy of a 50 MB feature
            buffer.append(0)
            return try buffer.withUnsafeBufferPointer { (p) throws(JSONSyntaxError) -> T in
                var s = JSONScanner(bytes: p)
                do throws(JSONSyntaxError) {
                    let value = try read(&s)
                    s.skipWhitespace()
                    guard s.pos == s.end else { throw s.error("unexpected \(s.describeByte(at: s.pos)) after the end of the value") }
                    return value
                } catch {
                    throw path(error.placed(at: at))
                }
            }
        }

        /// The splitter's errors (they already name their line) as this reader's.
        static func structure(_ error: any Error) -> any Error {
            if case WanggeError.invalidInput(let message) = error { return GeoJSONStructureError(message: message) }
            return error
        }

        static func typeMessage(_ type: String?) -> String {
            type.map { "the top-level type is \"\($0)\"; expected \"FeatureCollection\"" }
                ?? "the top-level object has no \"type\": \"FeatureCollection\""
        }
    }

    /// The name in a legacy `crs` member's properties.
    static func crsName(_ crs: JSONValue) -> String? {
        crs.objectValue?["properties"]?.objectValue?["name"]?.stringValue
    }
}
