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

    /// The columns (or properties) added to every row, in order.
    public static let addedFields = ["street", "community", "courtyard", "building", "functional", "industry", "match", "error"]

    public var format: Format
    /// CRS of the input coordinates (a FeatureCollection's legacy `crs` member is used when this is nil).
    public var crs: CRS?
    /// Coordinate fields; nil picks the first of lon/lng/longitude/x and lat/latitude/y (any case).
    public var lonField: String?
    public var latField: String?
    public var snapMetres: Double = 0
    /// Rows per chunk: the unit of streaming and of sharing work among the workers.
    public var chunkRows = 32_768

    public init(format: Format, crs: CRS? = nil, lonField: String? = nil, latField: String? = nil, snapMetres: Double = 0) {
        self.format = format; self.crs = crs; self.lonField = lonField; self.latField = latField; self.snapMetres = snapMetres
    }

    /// What happened to the rows.
    public struct Summary: Sendable, Equatable {
        public var rows = 0
        public var byMatch: [MatchKind: Int] = [:]
        /// Rows kept but not assigned because their coordinates were missing or bad.
        public var bad = 0
        public var badByReason: [String: Int] = [:]
        /// The first few bad rows: line number and reason.
        public var firstBad: [(line: Int, reason: String)] = []

        public static func == (a: Summary, b: Summary) -> Bool {
            a.rows == b.rows && a.byMatch == b.byMatch && a.bad == b.bad && a.badByReason == b.badByReason
        }

        mutating func count(_ answer: RowAnswer, line: Int) {
            rows += 1
            if let e = answer.error {
                bad += 1
                badByReason[e.kind, default: 0] += 1
                if firstBad.count < 20 { firstBad.append((line, e.message)) }
            } else {
                byMatch[answer.match, default: 0] += 1
            }
        }
    }

    /// A row's coordinates as read, or why there are none.
    enum Position: Sendable {
        case at(Double, Double, line: Int)
        case bad(kind: String, message: String)
    }

    /// The added values for one row.
    struct RowAnswer: Sendable {
        var chain: [String?] = [nil, nil, nil, nil]
        var functional = ""
        var industry = ""
        var match: MatchKind = .outside
        var error: (kind: String, message: String)?

        /// Values in the order of `addedFields`.
        var values: [String?] {
            chain + [functional, industry, error == nil ? match.rawValue : "", error?.message ?? ""]
        }
    }

    /// Assigns a chunk of positions on all workers, keeping the order.
    func answer(_ positions: [Position], crs: CRS, engine: AssignmentEngine) -> [RowAnswer] {
        let workers = engine.workers
        let parts = min(positions.count, workers.count * 4)
        guard parts > 0 else { return [] }
        let size = (positions.count + parts - 1) / parts
        let results = ResultSlots(count: parts)
        let snap = snapMetres
        workers.forEachChunk(parts) { k, replica in
            let lo = k * size, hi = min(positions.count, lo + size)
            guard lo < hi else { results.set(k, []); return }
            results.set(k, positions[lo..<hi].map { Self.answer($0, crs: crs, snap: snap, replica: replica) })
        }
        return results.joined()
    }

    static func answer(_ p: Position, crs: CRS, snap: Double, replica: GridIndexReplica) -> RowAnswer {
        var a = RowAnswer()
        guard case .at(let x, let y, let line) = p else {
            if case .bad(let kind, let message) = p { a.error = (kind, message) }
            return a
        }
        let lon: Double, lat: Double
        do {
            (lon, lat) = try replica.toWGS84(x: x, y: y, crs: crs)
        } catch {
            a.error = ("crs", "line \(line): \(error.description)")
            return a
        }
        guard lon.isFinite, lat.isFinite, abs(lon) <= 180, abs(lat) <= 90 else {
            let swapped = abs(x) <= 90 && abs(y) <= 180 && crs == .wgs84
            a.error = ("out_of_range", "line \(line): position [\(x), \(y)] is outside longitude −180…180 / latitude −90…90"
                + (swapped ? "; latitude and longitude look swapped" : ""))
            return a
        }
        var touching: [Int] = []
        let snapshot = replica.snapshot
        let (grid, match) = replica.residentialGrid(x: lon, y: lat, snapMetres: snap, touching: &touching)
        a.match = match
        var g: Int? = grid >= 0 ? grid : nil
        while let i = g {
            if let level = snapshot.grids[i].level { a.chain[level.rank] = snapshot.grids[i].code }
            g = snapshot.grids[i].parent
        }
        var inside: [Int] = []
        for layer in [GridLayer.functional, .industry] {
            let m = replica.overlayGrids(layer, x: lon, y: lat, snapMetres: snap, inside: &inside, touching: &touching)
            let picked = m == .boundary ? [touching[0]] : inside
            let codes = picked.map { snapshot.grids[$0].code }.joined(separator: ";")
            if layer == .functional { a.functional = codes } else { a.industry = codes }
        }
        return a
    }

    /// Per-part results of one chunk: each worker fills only its own slot, the caller reads after all finish.
    struct ResultSlots: Sendable {
        let slots: Locked<[[RowAnswer]]>
        init(count: Int) { slots = Locked(Array(repeating: [], count: count)) }
        func set(_ k: Int, _ v: [RowAnswer]) { slots.withLock { $0[k] = v } }
        func joined() -> [RowAnswer] { slots.withLock { $0.flatMap { $0 } } }
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
        do {
            let source = ChunkedInput(handle: reader, size: size, progress: progress)
            switch format {
            case .csv: try runCSV(source, writer, engine, &summary)
            case .ndjson: try runNDJSON(source, writer, engine, &summary)
            case .geojson: try runGeoJSON(source, writer, engine, &summary)
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

    /// The next block, or nil at the end.
    func next() throws -> [UInt8]? {
        guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
        consumed += Int64(data.count)
        progress?(consumed, size)
        return [UInt8](data)
    }
}
