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

@Suite("OGC API – Features Part 2: features in the CRS asked for, boxes in the CRS given")
struct CRSAPITests {
    let f: ServerFixture

    init() throws { f = try ServerFixture() }

    func get(_ client: some TestClientProtocol, _ uri: String, _ role: Role? = nil) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: f.headers(role)) { $0 }
    }

    static func features(_ r: TestResponse) -> [JSONObject] {
        guard case .array(let a)? = r.json["features"] else { return [] }
        return a.compactMap(\.objectValue)
    }

    /// Every position of a feature's geometry, in order.
    static func positions(_ feature: JSONObject) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        func walk(_ v: JSONValue) {
            guard case .array(let a) = v else { return }
            if a.count >= 2, let x = a[0].doubleValue, let y = a[1].doubleValue { out.append((x, y)); return }
            a.forEach(walk)
        }
        walk(feature["geometry"]?.objectValue?["coordinates"] ?? .null)
        return out
    }

    static let epsg = "http://www.opengis.net/def/crs/EPSG/0/"

    @Test("EPSG:4547 (northing, easting in metres) and EPSG:4326/4490 (latitude first) agree with PROJ taken the other way, for grids and events")
    func reprojected() async throws {
        try await f.app().test(.router) { client in
            _ = try await client.execute(uri: "/events", method: .post, headers: f.headers(.reporter, json: true), body: ServerFixture.body(ServerFixture.goodEvent)) { _ in }
            // PROJ in lon/lat order on both sides (normalised for visualisation), independent of the authority
            // axis order the service writes: x = easting, y = northing.
            let context = ProjContext()
            let back = try ProjTransform(from: "EPSG:4547", to: "EPSG:4326", in: context)
            for (collection, role) in [("courtyard", nil), ("events", Role.viewer)] as [(String, Role?)] {
                let plain = try await get(client, "/collections/\(collection)/items?limit=5", role)
                #expect(plain.headers[HTTPField.Name("Content-Crs")!] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
                let gk = try await get(client, "/collections/\(collection)/items?limit=5&crs=\(Self.epsg)4547", role)
                #expect(gk.status == .ok, "\(gk.text.prefix(200))")
                #expect(gk.headers[HTTPField.Name("Content-Crs")!] == "<\(Self.epsg)4547>")
                let a = Self.features(plain), b = Self.features(gk)
                #expect(a.count == b.count && !a.isEmpty)
                for (fa, fb) in zip(a, b) {
                    let pa = Self.positions(fa), pb = Self.positions(fb)
                    #expect(pa.count == pb.count)
                    for ((lon, lat), (north, east)) in zip(pa, pb) {
                        #expect(north > 4_000_000 && north < 4_400_000 && east > 400_000 && east < 600_000, "\(north), \(east)")
                        var xy = [east, north]
                        back.transform(&xy)
                        // 3 decimals of a metre written: within 1e-7° (about 1 cm) of the stored lon/lat.
                        #expect(abs(xy[0] - lon) < 1e-7 && abs(xy[1] - lat) < 1e-7, "\(collection): \(xy) vs \(lon), \(lat)")
                    }
                }
                for code in [4326, 4490] {
                    let latFirst = Self.features(try await get(client, "/collections/\(collection)/items?limit=5&crs=\(Self.epsg)\(code)", role))
                    for (fa, fc) in zip(a, latFirst) {
                        for ((lon, lat), (y, x)) in zip(Self.positions(fa), Self.positions(fc)) {
                            // CGCS2000 and WGS 84 agree to well under a metre; the order is latitude, longitude.
                            #expect(abs(y - lat) < 1e-5 && abs(x - lon) < 1e-5, "EPSG:\(code): \(y), \(x) vs \(lat), \(lon)")
                        }
                    }
                }
            }
            let one = try await get(client, "/collections/courtyard/items/\(Self.features(try await get(client, "/collections/courtyard/items?limit=1")).first?["id"]?.stringValue ?? "")?crs=\(Self.epsg)4547")
            #expect(one.status == .ok && one.headers[HTTPField.Name("Content-Crs")!] == "<\(Self.epsg)4547>")
            #expect(Self.positions(one.json).allSatisfy { $0.0 > 4_000_000 })
        }
    }

    @Test("bbox-crs: the same box given in EPSG:4326 order or in EPSG:4547 metres selects what the CRS84 box selects; unknown CRSs are 400s; collections list their CRSs")
    func boxesAndErrors() async throws {
        try await f.app().test(.router) { client in
            let crs84 = try await get(client, "/collections/building/items?bbox=114.445,38.055,114.46,38.065&limit=1000")
            let n = crs84.json["numberMatched"]?.doubleValue
            #expect((n ?? 0) > 0)
            let latFirst = try await get(client, "/collections/building/items?bbox=38.055,114.445,38.065,114.46&bbox-crs=\(Self.epsg)4326&limit=1000")
            #expect(latFirst.json["numberMatched"]?.doubleValue == n)
            // The CRS84 box's corners in EPSG:4547 (northing, easting): nearly the same box (its edges are not
            // quite parallel to the grid's), so nearly the same buildings.
            let context = ProjContext()
            let to = try ProjTransform(from: "EPSG:4326", to: "EPSG:4547", in: context)
            var xy = [114.445, 38.055, 114.46, 38.065]
            to.transform(&xy)
            let gk = try await get(client, "/collections/building/items?bbox=\(xy[1]),\(xy[0]),\(xy[3]),\(xy[2])&bbox-crs=\(Self.epsg)4547&limit=1000")
            #expect(gk.status == .ok, "\(gk.text.prefix(200))")
            let m = gk.json["numberMatched"]?.doubleValue ?? 0
            #expect(m > 0 && abs(m - (n ?? 0)) <= 4, "a box in metres selects about what the lon/lat box does: \(m) vs \(n ?? 0)")

            for bad in ["crs=EPSG:999999", "crs=http://example.com/crs", "bbox-crs=\(Self.epsg)0&bbox=0,0,1,1"] {
                let r = try await get(client, "/collections/courtyard/items?\(bad)")
                #expect(r.status == .badRequest, "\(bad): \(r.text.prefix(200))")
            }
            let c = try await get(client, "/collections/courtyard")
            guard case .array(let list)? = c.json["crs"] else { Issue.record("no crs list"); return }
            #expect(list.contains(.string("\(Self.epsg)4547")) && list.first == .string("http://www.opengis.net/def/crs/OGC/1.3/CRS84"))
            #expect(c.json["storageCrs"] == .string("http://www.opengis.net/def/crs/OGC/1.3/CRS84"))
            #expect(try await get(client, "/conformance").text.contains("ogcapi-features-2/1.0/conf/crs"))
        }
    }
}
