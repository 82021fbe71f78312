public import WanggeCore
import Foundation

/// Exports of grids and events as GeoJSON (RFC 7946), GeoJSON text sequences (RFC 8142) or CSV, streamed to a file
/// in chunks: memory stays flat whatever the number of features. The file appears only when complete.
public struct Exporter {
    public enum Format: String, Sendable, CaseIterable {
        case geojson, geojsonseq, ndjson, csv

        /// From a file name: .geojson/.json, .geojsons/.geojsonseq, .ndjson/.geojsonl/.jsonl, .csv.
        public init?(path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "geojson", "json": self = .geojson
            case "geojsons", "geojsonseq": self = .geojsonseq
            case "ndjson", "geojsonl", "jsonl": self = .ndjson
            case "csv": self = .csv
            default: return nil
            }
        }
    }

    public var format: Format
    /// Reporters' names and phones are left out unless asked for (exports travel further than the service).
    public var withReporter = false
    public var decimals = 7
    /// The residential layer's levels, which name an event's grid codes (`GridRepository.levelScheme`).
    public var levels: LevelScheme

    public init(format: Format, withReporter: Bool = false, levels: LevelScheme = .standard) {
        self.format = format
        self.withReporter = withReporter
        self.levels = levels
    }

    /// Counts what was written.
    public struct Summary: Sendable {
        public var features = 0
        public var bytes = 0
    }

    /// Writes to `path` through a temporary file.
    func writing(to path: String, _ body: (inout Sink) throws -> Void) throws -> Summary {
        let temporary = path + ".partial"
        FileManager.default.createFile(atPath: temporary, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: temporary) else { throw WanggeError.io("cannot write \(path)") }
        var sink = Sink(handle: handle, writer: GeoJSONWriter(decimals: decimals, reserving: 1 << 21))
        do {
            try body(&sink)
            try sink.flush()
            try handle.close()
            _ = try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        return sink.summary
    }

    struct Sink {
        let handle: FileHandle
        var writer: GeoJSONWriter
        var summary = Summary()

        mutating func flushIfFull() throws {
            if writer.bytes.count >= 1 << 20 { try flush() }
        }

        mutating func flush() throws {
            let chunk = writer.take()
            summary.bytes += chunk.count
            try handle.write(contentsOf: chunk)
        }
    }

    // MARK: events

    /// A column of an event CSV: a stored column, or the code at a level below the fourth (from `lower_levels`).
    enum CSVColumn {
        case stored(ExportColumn)
        case lower(Int)
    }

    /// The CSV columns of an event export and their header names: the export columns, the residential chain named
    /// by the layer's levels (one column per level), the reporters' name and phone only when asked for.
    func csvEventColumns(reporter: Bool) -> [(name: String, column: CSVColumn)] {
        let slots: [ExportColumn] = [.street, .community, .courtyard, .building]
        var out: [(name: String, column: CSVColumn)] = []
        for c in ExportColumn.allCases where c != .lowerLevels && (reporter || (c != .reporterName && c != .reporterPhone)) {
            if let rank = slots.firstIndex(of: c) {
                if let level = levels.level(rank: rank) { out.append((level.name, .stored(c))) }
                if c == .building { for level in levels.levels.dropFirst(4) { out.append((level.name, .lower(level.rank - 4))) } }
            } else {
                out.append((c.name, .stored(c)))
            }
        }
        return out
    }

    /// Exports the events matching `query` (oldest first). `progress` gets (done, total).
    public func exportEvents(_ db: any ExportRepository, query: FeatureQuery, to path: String,
                             progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        let total = try db.countEvents(query)
        return try writing(to: path) { sink in
            let csvColumns = csvEventColumns(reporter: withReporter)
            let columns = csvColumns.map(\.name)
            switch format {
            case .geojson: sink.writer.append(#"{"type":"FeatureCollection","features":["#); sink.writer.append("\n")
            case .csv: sink.writer.appendRaw(columns.joined(separator: ",") + "\r\n")
            case .geojsonseq, .ndjson: break
            }
            var n = 0
            try db.forEachEventRow(query) { row in
                switch format {
                case .geojson:
                    if n > 0 { sink.writer.append(",\n") }
                    writeEventFeature(&sink.writer, row)
                case .geojsonseq, .ndjson:
                    if format == .geojsonseq { sink.writer.append("\u{1E}") }
                    writeEventFeature(&sink.writer, row)
                    sink.writer.append("\n")
                case .csv:
                    writeEventCSV(&sink.writer, row, csvColumns)
                }
                n += 1
                if n & 0x3FFF == 0 {
                    try sink.flushIfFull()
                    progress?(n, total)
                }
                try sink.flushIfFull()
            }
            if format == .geojson { sink.writer.append("\n]}\n") }
            sink.summary.features = n
            progress?(n, total)
        }
    }

    func writeEventFeature(_ w: inout GeoJSONWriter, _ r: any EventColumns) {
        typealias C = ExportColumn
        func text(_ c: C) {
            r.withText(c.rawValue) { if let t = $0 { w.appendString(utf8: t) } else { w.append("null") } }
        }
        w.append(#"{"type":"Feature","id":"#)
        w.appendInt(Int(r.id))
        w.append(#","geometry":{"type":"Point","coordinates":["#)
        w.appendCoordinate(r.lon)
        w.append(",")
        w.appendCoordinate(r.lat)
        w.append(#"]},"properties":{"id":"#)
        w.appendInt(Int(r.id))
        w.appendEventColumns(r, levels: levels)
        w.append(#","outside":"#); w.append(r.bool(C.outside.rawValue) ? "true" : "false")
        w.append(#","department":"#); text(.department)
        w.append(#","component":"#); text(.component)
        if withReporter {
            w.append(#","reporter_name":"#); text(.reporterName)
            w.append(#","reporter_phone":"#); text(.reporterPhone)
        }
        w.append("}}")
    }

    /// One CSV line in the order of `csvEventColumns`.
    func writeEventCSV(_ w: inout GeoJSONWriter, _ r: any EventColumns, _ columns: [(name: String, column: CSVColumn)]) {
        var lower: [String?]?
        for (i, (_, column)) in columns.enumerated() {
            if i > 0 { w.append(",") }
            switch column {
            case .stored(let c):
                switch c {
                case .id: w.appendInt(Int(r.id))
                case .lon: w.appendCoordinate(r.lon)
                case .lat: w.appendCoordinate(r.lat)
                case .severity: w.appendInt(r.int(c.rawValue))
                case .occurredAt, .reportedAt: w.appendTimestampUnquoted(r.double(c.rawValue))
                case .outside: w.append(r.bool(c.rawValue) ? "true" : "false")
                default: r.withText(c.rawValue) { t in if let t { w.appendCSVField(utf8: t) } }
                }
            case .lower(let k):
                if lower == nil {
                    lower = ResidentialAnswer.lowerCodes(r.string(ExportColumn.lowerLevels.rawValue))
                }
                if let code = lower!.indices.contains(k) ? lower![k] : nil {
                    var f: [UInt8] = []
                    CSV.appendField(code, to: &f)
                    f.withUnsafeBufferPointer { w.append(bytes: $0) }
                }
            }
        }
        w.append("\r\n")
    }

    // MARK: grids

    /// Exports the grids of a layer (and level), or all.
    public func exportGrids(_ db: any ExportRepository & GridRepository, layer: GridLayer?, level: GridLevel?, bbox: BoundingBox?, to path: String,
                            progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        let total = try db.counts().filter { (layer == nil || $0.layer == layer) && (level == nil || $0.level == level) }.reduce(0) { $0 + $1.count }
        return try writing(to: path) { sink in
            switch format {
            case .geojson: sink.writer.append(#"{"type":"FeatureCollection","features":["#); sink.writer.append("\n")
            case .csv: sink.writer.appendRaw("code,name,layer,level,parent,area_km2,min_lon,min_lat,max_lon,max_lat,wkt\r\n")
            case .geojsonseq, .ndjson: break
            }
            var n = 0
            var seen = 0
            try db.forEachGrid(layer: layer, level: level) { g in
                seen += 1
                if let bbox, !bbox.intersects(g.bbox) { return }
                let geometry = try WKB.decode(g.wkb)
                var p = JSONObject([("code", .string(g.code)), ("name", .string(g.name)), ("layer", .string(g.layer.rawValue))])
                p["level"] = g.level.map { .string($0.rawValue) } ?? .null
                p["parent"] = g.parent.map { .string($0) } ?? .null
                p["area_km2"] = .number(JSONNumber((g.areaM2 / 1e3).rounded() / 1e3))
                for m in g.properties.members where p[m.key] == nil { p[m.key] = m.value }
                switch format {
                case .geojson:
                    if n > 0 { sink.writer.append(",\n") }
                    sink.writer.appendFeature(id: g.code, geometry: geometry, properties: p)
                case .geojsonseq, .ndjson:
                    if format == .geojsonseq { sink.writer.append("\u{1E}") }
                    sink.writer.appendFeature(id: g.code, geometry: geometry, properties: p)
                    sink.writer.append("\n")
                case .csv:
                    var row: [String] = [g.code, g.name, g.layer.rawValue, g.level?.rawValue ?? "", g.parent ?? ""]
                    row.append(String((g.areaM2 / 1e3).rounded() / 1e3))
                    row += [g.bbox.minX, g.bbox.minY, g.bbox.maxX, g.bbox.maxY].map { String($0) }
                    row.append(Self.wkt(geometry))
                    var out: [UInt8] = []
                    CSV.appendRecord(row, to: &out)
                    sink.writer.appendRaw(String(decoding: out, as: UTF8.self))
                }
                n += 1
                try sink.flushIfFull()
                progress?(seen, total)
            }
            if format == .geojson { sink.writer.append("\n]}\n") }
            sink.summary.features = n
        }
    }

    /// Well-known text of a polygonal geometry (for spreadsheets and GIS tools that read WKT columns).
    static func wkt(_ g: GeometryValue) -> String {
        func ring(_ r: Ring) -> String {
            "(" + stride(from: 0, to: r.xy.count, by: 2).map { "\(r.xy[$0]) \(r.xy[$0 + 1])" }.joined(separator: ", ") + ")"
        }
        func polygon(_ p: Polygon) -> String { "(" + p.rings.map(ring).joined(separator: ", ") + ")" }
        switch g {
        case .point(let x, let y): return "POINT (\(x) \(y))"
        case .polygon(let p): return "POLYGON " + polygon(p)
        case .multiPolygon(let ps): return "MULTIPOLYGON (" + ps.map(polygon).joined(separator: ", ") + ")"
        }
    }
}
