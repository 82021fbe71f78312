import Foundation
public import WanggeCore
import WanggeGeo

/// Batch assignment of a file of points (CSV, NDJSON / GeoJSON text sequences, or a GeoJSON FeatureCollection) to
/// their grids, streamed in chunks so memory stays flat whatever the input size, with every worker busy on each
/// chunk. Rows with missing or bad coordinates are kept, flagged with the reason and their line, and counted.
public struct BatchAssignment: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case csv, ndjson, geojson

        /// From a file name: .csv; .ndjson, .jsonl, .geojsonl, .geojsons, .geojsonseq; .geojson, .json.
        public init?(path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "csv", "txt": self = .csv
            case "ndjson", "jsonl", "geojsonl", "geojsons", "geojsonseq": self = .ndjson
            case "geojson", "json": self = .geojson
            default: return nil
            }
        }
    }

    /// The columns (or properties) added to every row, in order: the residential chain, then each layer's match
    /// (`inside`, `boundary`, `nearest`, `outside`), the distance of a `nearest` match in metres, and the codes of
    /// the other grids on whose edge the point lies (`;`-separated, as overlay codes are); last, why a row has no
    /// answer.
    /// The residential chain is one column per level of the layer's scheme (street, community, courtyard, building
    /// by default), named as the layer names them.
    public static func addedFields(_ levels: LevelScheme) -> [String] {
        levels.names + [
            "residential_match", "residential_distance_m", "residential_touching",
            "functional", "functional_match", "functional_distance_m", "functional_touching",
            "industry", "industry_match", "industry_distance_m", "industry_touching", "error",
        ]
    }

    /// The added fields in the standard scheme.
    public static let addedFields = addedFields(.standard)

    /// The residential layer's levels for this run: the index's when the run starts.
    var levels = LevelScheme.standard
    var addedFields: [String] { Self.addedFields(levels) }

    public var format: Format
    /// CRS of the input coordinates (a FeatureCollection's legacy `crs` member is used when this is nil).
    public var crs: CRS?
    /// Coordinate fields; nil picks the first of lon/lng/longitude/x and lat/latitude/y (any case).
    public var lonField: String?
    public var latField: String?
    public var snapMetres: Double = 0
    /// Rows per chunk: the unit of streaming and of sharing work among the workers.
    public var chunkRows = 32_768
    /// The fast writers' code tables, one per snapshot (shared by the workers of a run).
    let codeTables = BatchCodeTables()

    public init(format: Format, crs: CRS? = nil, lonField: String? = nil, latField: String? = nil, snapMetres: Double = 0) {
        self.format = format; self.crs = crs; self.lonField = lonField; self.latField = latField; self.snapMetres = snapMetres
    }

    /// What happened to the rows.
    public struct Summary: Sendable, Equatable {
        public var rows = 0
        /// Per layer, how the rows with coordinates matched.
        public var byLayer: [GridLayer: [MatchKind: Int]] = [:]
        /// Rows kept but not assigned because their coordinates were missing or bad.
        public var bad = 0
        public var badByReason: [String: Int] = [:]
        /// The first few bad rows: line number and reason.
        public var firstBad: [(line: Int, reason: String)] = []

        public init() {}

        public static func == (a: Summary, b: Summary) -> Bool {
            a.rows == b.rows && a.byLayer == b.byLayer && a.bad == b.bad && a.badByReason == b.badByReason
        }

        /// How the residential layer matched.
        public var byMatch: [MatchKind: Int] { byLayer[.residential] ?? [:] }

        mutating func count(_ answer: RowAnswer, line: Int) { count(hits: answer.hits, error: answer.error, line: line) }

        mutating func count(hits: [GridIndexReplica.LayerHit], error: (kind: String, message: String)?, line: Int) {
            rows += 1
            if let e = error {
                bad += 1
                badByReason[e.kind, default: 0] += 1
                if firstBad.count < 20 { firstBad.append((line, e.message)) }
            } else {
                for (layer, hit) in zip(Self.layers, hits) { byLayer[layer, default: [:]][hit.match, default: 0] += 1 }
            }
        }

        /// The layers in the order of a row's hits.
        static let layers: [GridLayer] = [.residential, .functional, .industry]

        /// Adds the counts of rows that came after these.
        mutating func add(_ other: Summary) {
            rows += other.rows
            bad += other.bad
            for (layer, counts) in other.byLayer { byLayer[layer, default: [:]].merge(counts, uniquingKeysWith: +) }
            badByReason.merge(other.badByReason, uniquingKeysWith: +)
            firstBad.append(contentsOf: other.firstBad.prefix(max(0, 20 - firstBad.count)))
        }
    }

    /// A row's coordinates as read, or why there are none.
    enum Position: Sendable {
        case at(Double, Double, line: Int)
        case bad(kind: String, message: String)
    }

    /// The answer for one row: a hit per layer (residential, functional, industry), as grid indices into the
    /// snapshot, or why there is none.
    struct RowAnswer: Sendable {
        var hits = [GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit(), GridIndexReplica.LayerHit()]
        var error: (kind: String, message: String)?
        /// What `values` gives, filled by the worker that answered (with its replica's snapshot).
        var values: [JSONValue] = []

        /// Values in the order of `addedFields` (null where a CSV cell is empty).
        func values(_ snapshot: GridIndexSnapshot) -> [JSONValue] {
            guard error == nil else {
                return Array(repeating: .null, count: BatchAssignment.addedFields(snapshot.scheme).count - 1) + [.string(error!.message)]
            }
            func codes(_ list: [Int]) -> JSONValue {
                list.isEmpty ? .null : .string(list.map { snapshot.grids[$0].code }.joined(separator: ";"))
            }
            func layer(_ h: GridIndexReplica.LayerHit) -> [JSONValue] {
                [.string(h.match.rawValue), h.metres.map { .number(JSONNumber($0)) } ?? .null, codes(h.touching)]
            }
            var chain = [JSONValue](repeating: .null, count: snapshot.scheme.levels.count)
            var g: Int? = hits[0].grids.first
            while let i = g {
                if let level = snapshot.grids[i].level, chain.indices.contains(level.rank) { chain[level.rank] = .string(snapshot.grids[i].code) }
                g = snapshot.grids[i].parent
            }
            return chain + layer(hits[0]) + [codes(hits[1].grids)] + layer(hits[1]) + [codes(hits[2].grids)] + layer(hits[2]) + [.null]
        }
    }

    /// Assigns a chunk of positions on all workers, keeping the order.
    func answer(_ positions: [Position], crs: CRS, engine: AssignmentEngine) -> [RowAnswer] {
        let workers = engine.workers
        let parts = min(positions.count, workers.count * 4)
        guard parts > 0 else { return [] }
        let size = (positions.count + parts - 1) / parts
        let results = ResultSlots<[RowAnswer]>(count: parts, empty: [])
        let snap = snapMetres
        workers.forEachChunk(parts) { k, replica in
            let lo = k * size, hi = min(positions.count, lo + size)
            guard lo < hi else { return }
            results.set(k, positions[lo..<hi].map { p in
                var a = RowAnswer()
                switch p {
                case .at(let x, let y, let line): a.error = Self.locate(x, y, line: line, crs: crs, snap: snap, replica: replica, into: &a.hits)
                case .bad(let kind, let message): a.error = (kind, message)
                }
                a.values = a.values(replica.snapshot)
                return a
            })
        }
        return results.all().flatMap { $0 }
    }

    /// Finds the grids of one position in every layer, into `hits`; or says why it has none.
    @inline(__always)
    static func locate(_ x: Double, _ y: Double, line: Int, crs: CRS, snap: Double, replica: GridIndexReplica,
                       into hits: inout [GridIndexReplica.LayerHit]) -> (kind: String, message: String)? {
        let lon: Double, lat: Double
        do {
            (lon, lat) = try replica.toWGS84(x: x, y: y, crs: crs)
        } catch {
            return ("crs", "line \(line): \(error.description)")
        }
        guard lon.isFinite, lat.isFinite, abs(lon) <= 180, abs(lat) <= 90 else {
            let swapped = abs(x) <= 90 && abs(y) <= 180 && crs == .wgs84
            return ("out_of_range", "line \(line): position [\(x), \(y)] is outside longitude −180…180 / latitude −90…90"
                + (swapped ? "; latitude and longitude look swapped" : ""))
        }
        replica.residentialHit(x: lon, y: lat, snapMetres: snap, into: &hits[0])
        replica.overlayHit(.functional, x: lon, y: lat, snapMetres: snap, into: &hits[1])
        replica.overlayHit(.industry, x: lon, y: lat, snapMetres: snap, into: &hits[2])
        return nil
    }

    /// Per-part results of one chunk: each worker fills only its own slot, the caller reads after all finish.
    struct ResultSlots<T: Sendable>: Sendable {
        let slots: Locked<[T]>
        init(count: Int, empty: T) { slots = Locked(Array(repeating: empty, count: count)) }
        func set(_ k: Int, _ v: T) { slots.withLock { $0[k] = v } }
        func all() -> [T] { slots.withLock { $0 } }
    }

    /// Reads `input`, writes `output` in the same format, and returns the summary.
    /// - Throws: `WanggeError` when a file cannot be read or written, or the input's structure (not its rows) is
    ///   unusable: no header, no coordinate columns, not a FeatureCollection.
    public func run(input: String, output: String, engine: AssignmentEngine,
                    progress: ((Int64, Int64) -> Void)? = nil) throws -> Summary {
        guard let reader = FileHandle(forReadingAtPath: input) else { throw WanggeError.notFound("no file at \(input)") }
        defer { try? reader.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int64) ?? 0
        let temporary = output + ".partial"
        FileManager.default.createFile(atPath: temporary, contents: nil)
        guard let writer = FileHandle(forWritingAtPath: temporary) else { throw WanggeError.io("cannot write \(output)") }
        var summary = Summary()
        var job = self
        job.levels = engine.levels
        do {
            let source = ChunkedInput(handle: reader, size: size, progress: progress)
            switch format {
            case .csv: try job.runCSV(source, writer, engine, &summary)
            case .ndjson: try job.runNDJSON(source, writer, engine, &summary)
            case .geojson: try job.runGeoJSON(source, writer, engine, &summary)
            }
            try writer.close()
            // Only a complete output replaces the target.
            _ = try? FileManager.default.removeItem(atPath: output)
            try FileManager.default.moveItem(atPath: temporary, toPath: output)
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        return summary
    }
}

/// Reads a file in blocks and reports progress by bytes.
final class ChunkedInput {
    let handle: FileHandle
    let size: Int64
    let progress: ((Int64, Int64) -> Void)?
    var consumed: Int64 = 0

    init(handle: FileHandle, size: Int64, progress: ((Int64, Int64) -> Void)?) {
        self.handle = handle; self.size = size; self.progress = progress
    }

    /// The next block (at most `limit` bytes), or nil at the end.
    func next(_ limit: Int = 1 << 20) throws -> [UInt8]? {
        guard let data = try handle.read(upToCount: limit), !data.isEmpty else { return nil }
        consumed += Int64(data.count)
        progress?(consumed, size)
        return [UInt8](data)
    }
}
