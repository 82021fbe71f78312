import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import WanggeCore
import WanggeGeo

/// GeoJSON pieces of the feature endpoints: features, their properties, links, and the page around them.
enum FeatureJSON {
    static let geojson = "application/geo+json"

    static func link(_ href: String, _ rel: String, _ type: String, _ title: String) -> JSONValue {
        .object(JSONObject([("href", .string(href)), ("rel", .string(rel)), ("type", .string(type)), ("title", .string(title))]))
    }

    static func writeFeature(_ w: inout GeoJSONWriter, id: String, geometry: GeometryValue, properties: JSONObject, links: [JSONValue] = [],
                             crs: CRSWriter? = nil) {
        w.append(#"{"type":"Feature","id":"#)
        w.appendString(id)
        w.append(#","geometry":"#)
        w.appendGeometry(crs.map { $0.geometry(geometry) } ?? geometry)
        w.append(#","properties":"#)
        w.appendObject(properties)
        if !links.isEmpty {
            w.append(#","links":"#)
            w.appendValue(.array(links))
        }
        w.append("}")
    }

    /// Only the properties asked for (all when `keep` is nil).
    static func selected(_ p: JSONObject, _ keep: [String]?) -> JSONObject {
        guard let keep else { return p }
        let wanted = Set(keep)
        return JSONObject(p.members.filter { wanted.contains($0.key) }.map { ($0.key, $0.value) })
    }

    static func gridProperties(_ g: StoredGrid) -> JSONObject {
        var p = JSONObject([("code", .string(g.code)), ("name", .string(g.name)), ("layer", .string(g.layer.rawValue))])
        p["level"] = g.level.map { .string($0.rawValue) } ?? .null
        p["parent"] = g.parent.map { .string($0) } ?? .null
        p["area_km2"] = .number(JSONNumber((g.areaM2 / 1e3).rounded() / 1e3))
        for m in g.properties.members where p[m.key] == nil { p[m.key] = m.value }
        return p
    }

    /// Grid codes as one `;`-separated text; none is `null`, not `""` (so `IS NULL` finds them).
    static func codes(_ c: [String]) -> JSONValue { c.isEmpty ? .null : .string(c.joined(separator: ";")) }

    /// An event's properties; reporters' names and phones only for roles that may see them.
    static func eventProperties(_ r: EventRecord, showReporter: Bool, levels: LevelScheme) -> JSONObject {
        let e = r.event, a = e.assignment.residential
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        var p = JSONObject([("id", .number(JSONNumber(Int(r.id)))), ("status", .string(r.status.rawValue)), ("type", .string(e.type)),
                            ("severity", .number(JSONNumber(e.severity))), ("description", .string(e.description)),
                            ("channel", .string(e.channel.rawValue)), ("occurred_at", .string(Timestamp.format(e.occurredAt))),
                            ("reported_at", .string(Timestamp.format(e.reportedAt))), ("match", .string(a.match.rawValue))]
                           + levels.members(a) + [("functional", codes(e.assignment.functional.grids)),
                            ("industry", codes(e.assignment.industry.grids)), ("outside", .bool(e.isOutside)),
                            ("department", opt(r.department)), ("media_url", opt(e.mediaURL)), ("component", opt(e.component))])
        if showReporter {
            p["reporter_name"] = e.reporterName.isEmpty ? .null : .string(e.reporterName)
            p["reporter_phone"] = e.reporterPhone.isEmpty ? .null : .string(e.reporterPhone)
            p["reporter_email"] = e.reporterEmail.isEmpty ? .null : .string(e.reporterEmail)
        }
        return p
    }

    /// One event as a feature, written from its stored columns: the same bytes as `writeFeature` with
    /// `eventProperties` gives for the record, without decoding it (the items path for pages not cached).
    static func writeEventFeature(_ w: inout GeoJSONWriter, _ r: any EventColumns, showReporter: Bool, levels: LevelScheme,
                                  links: [JSONValue] = []) {
        typealias C = ExportColumn
        func text(_ i: Int) { r.withText(i) { if let t = $0 { w.appendString(utf8: t) } else { w.append("null") } } }
        func nonEmpty(_ i: Int) { r.withText(i) { if let t = $0, !t.isEmpty { w.appendString(utf8: t) } else { w.append("null") } } }
        w.append(#"{"type":"Feature","id":""#)
        w.appendInt(Int(r.id))
        w.append(#"","geometry":"#)
        w.appendGeometry(.point(x: r.lon, y: r.lat))
        w.append(#","properties":{"id":"#)
        w.appendInt(Int(r.id))
        w.appendEventColumns(r, levels: levels)
        let outside = r.withText(C.match.rawValue) { $0.map { $0.elementsEqual("outside".utf8) } ?? true }
        w.append(outside ? #","outside":true"# : #","outside":false"#)
        w.append(#","department":"#); text(C.department.rawValue)
        w.append(#","media_url":"#); text(EventItemColumn.mediaURL)
        w.append(#","component":"#); text(C.component.rawValue)
        if showReporter {
            w.append(#","reporter_name":"#); nonEmpty(C.reporterName.rawValue)
            w.append(#","reporter_phone":"#); nonEmpty(C.reporterPhone.rawValue)
            w.append(#","reporter_email":"#); nonEmpty(EventItemColumn.reporterEmail)
        }
        w.append("}")
        if !links.isEmpty {
            w.append(#","links":"#)
            w.appendValue(.array(links))
        }
        w.append("}")
    }

    /// The request's query with some parameters replaced (for next links).
    static func query(_ request: Request, replacing: [String: String], removing: Set<String> = []) -> String {
        // The parameters kept are copied as the client encoded them (decoded values would need encoding again, and
        // a filter's spaces, quotes and pluses must reach the next page as they left).
        var items: [String] = []
        for (key, _, pair) in Query.rawPairs(request) where replacing[key] == nil && !removing.contains(key) {
            items.append(String(pair))
        }
        for (k, v) in replacing.sorted(by: { $0.key < $1.key }) {
            items.append(k + "=" + (v.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? v))
        }
        return items.joined(separator: "&")
    }

    static let contentCRS = HTTPField.Name("Content-Crs")!

    /// The page as GeoJSON, with `Content-Crs` naming the CRS its coordinates are in (Part 2).
    static func response(_ entry: PageCache.Entry, crs: OutputCRS) -> Response {
        var r = response(entry)
        r.headers[contentCRS] = "<\(crs.uri)>"
        return r
    }

    /// A page from its rendered features: the members around them (`timeStamp` above all) are made for this answer.
    static func response(_ entry: PageCache.Entry) -> Response {
        var head = GeoJSONWriter()
        head.append(#"{"type":"FeatureCollection","features":["#)
        var tail = GeoJSONWriter()
        tail.append("],")
        tail.append(#""numberMatched":"#); tail.appendInt(entry.matched); tail.append(",")
        tail.append(#""numberReturned":"#); tail.appendInt(entry.returned)
        tail.append(#","timeStamp":"#); tail.appendString(Timestamp.format(Date().timeIntervalSince1970.rounded(.down)))
        tail.append(#","links":"#); tail.appendValue(.array(entry.links))
        tail.append("}")
        let buffers = [ByteBuffer(bytes: head.bytes), entry.features, ByteBuffer(bytes: tail.bytes)]
        return Response(status: .ok, headers: [.contentType: geojson], body: ResponseBody(contentsOf: buffers))
    }
}
