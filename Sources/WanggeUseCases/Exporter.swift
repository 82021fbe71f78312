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

    public init(format: Format, withReporter: Bool = false) {
        self.format = format
        self.withReporter = withReporter
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

    static let csvEventColumns = ["id", "lon", "lat", "status", "type", "severity", "description", "channel", "occurred_at",
                                  "reported_at", "match", "street", "community", "courtyard", "building", "functional",
                                  "industry", "outside", "department"]

    /// Exports the events matching `query` (oldest first). `progress` gets (done, total).
    public func exportEvents(_ db: any ExportRepository, query: FeatureQuery, to path: String,
                             progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        let total = try db.countEvents(query)
        return try writing(to: path) { sink in
            var columns = Self.csvEventColumns
            if withReporter { columns += ["reporter_name", "reporter_phone"] }
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
                    writeEventCSV(&sink.writer, row, reporter: withReporter)
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
        func text(_ i: Int) {
            r.withText(i) { if let t = $0 { w.appendString(utf8: t) } else { w.append("null") } }
        }
        w.append(#"{"type":"Feature","id":"#)
        w.appendInt(Int(r.id))
        w.append(#","geometry":{"type":"Point","coordinates":["#)
        w.appendCoordinate(r.lon)
        w.append(",")
        w.appendCoordinate(r.lat)
        w.append(#"]},"properties":{"id":"#)
        w.appendInt(Int(r.id))
        w.append(#","status":"#); text(3)
        w.append(#","type":"#); text(4)
        w.append(#","severity":"#); w.appendInt(r.int(5))
        w.append(#","description":"#); text(6)
        w.append(#","channel":"#); text(7)
        w.append(#","occurred_at":"#); w.appendTimestamp(r.double(8))
        w.append(#","reported_at":"#); w.appendTimestamp(r.double(9))
        w.append(#","match":"#); text(10)
        w.append(#","street":"#); text(11)
        w.append(#","community":"#); text(12)
        w.append(#","courtyard":"#); text(13)
        w.append(#","building":"#); text(14)
        w.append(#","functional":"#); text(15)
        w.append(#","industry":"#); text(16)
        w.append(#","outside":"#); w.append(r.bool(17) ? "true" : "false")
        w.append(#","department":"#); text(18)
        if withReporter {
            w.append(#","reporter_name":"#); text(19)
            w.append(#","reporter_phone":"#); text(20)
        }
        w.append("}}")
    }

    func writeEventCSV(_ w: inout GeoJSONWriter, _ r: any EventColumns, reporter: Bool) {
        func field(_ i: Int) {
            r.withText(i) { t in if let t { w.appendCSVField(utf8: t) } }
        }
        w.appendInt(Int(r.id)); w.append(",")
        w.appendCoordinate(r.lon); w.append(",")
        w.appendCoordinate(r.lat)
        for i in 3...7 { w.append(","); if i == 5 { w.appendInt(r.int(5)) } else { field(i) } }
        w.append(","); w.appendTimestampUnquoted(r.double(8))
        w.append(","); w.appendTimestampUnquoted(r.double(9))
        for i in 10...16 { w.append(","); field(i) }
        w.append(","); w.append(r.bool(17) ? "true" : "false")
        w.append(","); field(18)
        if reporter { w.append(","); field(19); w.append(","); field(20) }
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
