import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WanggeCore
import WanggeGeo
import WanggeServer
import WanggeTestSupport

@Suite("Boundary upload checks over HTTP: repair on request, limits, one-line locations, and CGCS2000 / OGC URI CRSs everywhere")
struct BoundaryChecksAPITests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    static let x0 = 114.450, y0 = 38.060
    static let uri = "http://www.opengis.net/def/crs/EPSG/0/"

    /// Two functional grids, the second with a tiny self-intersecting loop (about 0.01 % of its area).
    static func loopFile() -> [UInt8] {
        let (x0, y0, x1, y1, d) = (x0, y0, x0 + 0.002, y0 + 0.002, 0.00002)
        var b = BoundaryFileBuilder()
        b.add("F1", geometry: BoundaryFileBuilder.polygon([BoundaryFileBuilder.box(x0 + 0.003, y0, x1 + 0.003, y1)]))
        b.add("F2", geometry: BoundaryFileBuilder.polygon([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0 + d, y0 - d], [x0, y0]]]))
        return b.bytes
    }

    func upload(_ client: some TestClientProtocol, _ query: String, _ bytes: [UInt8]) async throws -> TestResponse {
        try await client.execute(uri: "/boundaries?\(query)&activate=true", method: .post, headers: f.headers(.gis, extra: [("Content-Type", "application/geo+json")]),
                                 body: ByteBuffer(bytes: bytes)) { $0 }
    }

    static func defects(_ r: TestResponse) -> [JSONObject] {
        guard case .array(let a)? = r.json["error"]?.objectValue?["defects"] else { return [] }
        return a.compactMap(\.objectValue)
    }

    @Test("repair=true repairs within repair_max_change and says what changed; without it, or beyond the limit, nothing is stored")
    func repair() async throws {
        try await f.app().test(.router) { client in
            let unasked = try await upload(client, "layer=functional", Self.loopFile())
            #expect(unasked.status == .unprocessableContent)
            #expect(Self.defects(unasked).first?["message"]?.stringValue?.contains("repair=true") == true)

            let tight = try await upload(client, "layer=functional&repair=true&repair_max_change=0.001", Self.loopFile())
            #expect(tight.status == .unprocessableContent)
            #expect(Self.defects(tight).first?["message"]?.stringValue?.contains("refused") == true, "\(tight.text)")

            let r = try await upload(client, "layer=functional&repair=true", Self.loopFile())
            #expect(r.status == .ok, "\(r.text)")
            guard case .array(let repairs)? = r.json["repairs"], let one = repairs.first?.objectValue else { Issue.record("no repairs: \(r.text)"); return }
            #expect(repairs.count == 1)
            #expect(one["feature_index"] == .number(JSONNumber(1)) && one["code"] == .string("F2"))
            #expect(one["parts_before"] == .number(JSONNumber(1)) && one["parts_after"] == .number(JSONNumber(2)))
            let change = try #require(one["area_change_percent"]?.doubleValue)
            #expect(change > 0 && change < 0.1)
            #expect((one["area_after_m2"]?.doubleValue ?? 0) > (one["area_before_m2"]?.doubleValue ?? .infinity))

            let bad = try await upload(client, "layer=functional&repair=maybe", Self.loopFile())
            #expect(bad.status == .badRequest)
            let api = try await client.execute(uri: "/api", method: .get) { $0 }
            #expect(api.text.contains("repair_max_change") && api.text.contains("area_change_percent"))
        }
    }

    @Test("limits: a 100,000-character code is refused with the feature's index; a one-line file's defect has column and byte offset")
    func limitsAndLocations() async throws {
        try await f.app().test(.router) { client in
            var b = BoundaryFileBuilder()
            b.add("A", geometry: BoundaryFileBuilder.polygon([BoundaryFileBuilder.box(Self.x0, Self.y0, Self.x0 + 0.001, Self.y0 + 0.001)]))
            b.add(String(repeating: "9", count: 100_000), geometry: BoundaryFileBuilder.polygon([BoundaryFileBuilder.box(Self.x0 + 0.001, Self.y0, Self.x0 + 0.002, Self.y0 + 0.001)]))
            // On one line: the builder's line breaks go.
            let oneLine = b.bytes.filter { $0 != 0x0A }
            let r = try await upload(client, "layer=functional", oneLine)
            #expect(r.status == .unprocessableContent)
            let d = try #require(Self.defects(r).first { $0["message"]?.stringValue?.contains("characters long") == true }, "\(r.text.prefix(300))")
            #expect(d["feature_index"] == .number(JSONNumber(1)))
            #expect(d["line"] == .number(JSONNumber(1)))
            let text = String(decoding: oneLine, as: UTF8.self)
            let second = try #require(text.range(of: #",{"type":"Feature""#))
            let offset = text.utf8.distance(from: text.startIndex, to: second.lowerBound) + 1
            #expect(d["offset"] == .number(JSONNumber(offset)) && d["column"] == .number(JSONNumber(offset + 1)), "\(d)")
            #expect((d["code"]?.stringValue?.count ?? .max) <= 65)
            guard case .array(let details)? = r.json["error"]?.objectValue?["details"] else { Issue.record("no details"); return }
            #expect(details.contains { $0.objectValue?["field"] == .string("features[1]") })
        }
    }

    @Test("EPSG:4490 and the OGC URI form are taken by POST /boundaries (?crs= and the file's crs member), /lookup, /duplicates and event submissions")
    func crsEverywhere() async throws {
        // Where the sample's building 1301050050040102 is, in WGS84, CGCS2000 and CGCS2000 Gauss–Krüger; and a box
        // for boundaries in CGCS2000 lon/lat and in Gauss–Krüger metres.
        let (lon, lat) = (114.453, 38.062)
        let ring = [[Self.x0, Self.y0], [Self.x0 + 0.002, Self.y0], [Self.x0 + 0.002, Self.y0 + 0.002], [Self.x0, Self.y0 + 0.002], [Self.x0, Self.y0]]
        let (gk, metres) = try {
            let toGK = try ProjTransform(from: "EPSG:4326", to: "EPSG:4547", in: ProjContext())
            var gk = [lon, lat]
            toGK.transform(&gk)
            return (gk, ring.map { p -> [Double] in var xy = p; toGK.transform(&xy); return xy })
        }()
        try await f.app().test(.router) { client in
            for q in ["lon=\(lon)&lat=\(lat)&crs=EPSG:4490", "lon=\(lon)&lat=\(lat)&crs=\(Self.uri)4490",
                      "lon=\(gk[0])&lat=\(gk[1])&crs=\(Self.uri)4547", "lon=\(gk[0])&lat=\(gk[1])&crs=urn:ogc:def:crs:EPSG::4547"] {
                let r = try await client.execute(uri: "/lookup?\(q)", method: .get, headers: f.headers(.viewer)) { $0 }
                #expect(r.status == .ok, "\(q): \(r.text)")
                #expect(r.json["residential"]?.objectValue?["building"] == .string("1301050050040102"), "\(q)")
                let dup = try await client.execute(uri: "/duplicates?type=garbage&\(q)", method: .get, headers: f.headers(.reporter)) { $0 }
                #expect(dup.status == .ok, "\(q): \(dup.text)")
            }
            for (crs, x, y) in [("EPSG:4490", lon, lat), ("\(Self.uri)4490", lon, lat), ("\(Self.uri)4547", gk[0], gk[1])] {
                let body = #"{"type":"garbage","severity":2,"lon":\#(x),"lat":\#(y),"crs":"\#(crs)","description":"垃圾堆放在楼下","reporter_name":"王芳","channel":"grid_station"}"#
                let r = try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true), body: ServerFixture.body(body)) { $0 }
                #expect(r.status == .created, "\(crs): \(r.text)")
                #expect(abs((r.json["lon"]?.doubleValue ?? 0) - lon) < 1e-5 && abs((r.json["lat"]?.doubleValue ?? 0) - lat) < 1e-5, "\(crs): \(r.text)")
                let code = try #require(CRS(parsing: crs).description as String?)
                #expect(r.json["input"]?.objectValue?["crs"] == .string(code))
            }

            func file(_ ring: [[Double]], member: String? = nil) -> [UInt8] {
                var b = BoundaryFileBuilder()
                b.add("G", geometry: BoundaryFileBuilder.polygon([ring]))
                guard let member else { return b.bytes }
                return Array(String(decoding: b.bytes, as: UTF8.self).replacingOccurrences(
                    of: #"{"type":"FeatureCollection","#, with: #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"\#(member)"}},"#).utf8)
            }
            let uploads: [(String, [UInt8], String)] = [
                ("layer=industry&crs=EPSG:4490", file(ring), "EPSG:4490"),
                ("layer=industry&crs=\(Self.uri)4490", file(ring), "EPSG:4490"),
                ("layer=industry&crs=\(Self.uri)4547", file(metres), "EPSG:4547"),
                ("layer=industry", file(metres, member: "\(Self.uri)4547"), "EPSG:4547"),
                ("layer=industry", file(ring, member: "\(Self.uri)4490"), "EPSG:4490"),
            ]
            for (q, bytes, crs) in uploads {
                let r = try await upload(client, q, bytes)
                #expect(r.status == .ok, "\(q): \(r.text.prefix(300))")
                #expect(r.json["crs"] == .string(crs), "\(q)")
                let look = try await client.execute(uri: "/lookup?lon=\(Self.x0 + 0.001)&lat=\(Self.y0 + 0.001)", method: .get, headers: f.headers(.viewer)) { $0 }
                #expect(look.json["industry"]?.objectValue?["grids"] == .array([.string("G")]), "\(q): \(look.text)")
            }
        }
    }
}
