import Foundation
import WanggeCore
import WanggeGeo

/// The service points of the "ten-minute convenience circle" (十分钟便民服务圈): a community service centre in every
/// community and, spread over the street, clinics, legal aid, domestic services, culture and sport, and policy
/// advice. Placed at random inside communities, from their own random stream (so the rest of the sample keeps its
/// bytes), reproducibly for a seed.
public enum SampleServices {
    /// Kind, Chinese name, and how many the street has (0: one per community).
    public static let kinds: [(kind: String, name: String, count: Int)] = [
        ("community_service_centre", "社区服务中心", 0),
        ("clinic", "社区卫生服务站", 4),
        ("legal_aid", "法律援助工作站", 2),
        ("domestic_services", "家政服务点", 3),
        ("culture_sport", "文体活动中心", 3),
        ("policy_advice", "政策咨询窗口", 2),
    ]

    public struct Point: Sendable, Equatable {
        public var id: String
        public var name: String
        public var kind: String
        public var lon: Double
        public var lat: Double
        public var community: String
    }

    public static func generate(_ residential: [SampleGenerator.Grid], seed: UInt64) throws -> [Point] {
        var rng = SampleRandom(seed: seed ^ 0x5E27_1CE5_0F_CAFE)
        let geos = GeosContext()
        let communities = residential.filter { $0.level == .community }
        let prepared = try communities.map { try GeosPreparedGeometry(try GeosGeometry($0.geometry, in: geos)) }
        func place(in i: Int) throws -> (Double, Double) {
            let b = communities[i].geometry.boundingBox
            while true {
                let x = rng.uniform(b.minX, b.maxX), y = rng.uniform(b.minY, b.maxY)
                if try prepared[i].contains(x: x, y: y) { return ((x * 1e7).rounded() / 1e7, (y * 1e7).rounded() / 1e7) }
            }
        }
        var out: [Point] = []
        for (kind, name, count) in kinds {
            let places = count == 0 ? Array(communities.indices) : (0..<count).map { _ in rng.int(0..<communities.count) }
            for (n, i) in places.enumerated() {
                let (x, y) = try place(in: i)
                let c = communities[i]
                // 西苑社区 + 社区服务中心 → 西苑社区服务中心
                let base = c.name.hasSuffix("社区") && name.hasPrefix("社区") ? c.name + name.dropFirst(2) : c.name + name
                let label = base + (places.filter { $0 == i }.count > 1 ? "\(n + 1)" : "")
                out.append(Point(id: "\(kind)-\(n + 1)", name: label, kind: kind, lon: x, lat: y, community: c.code))
            }
        }
        return out
    }

    /// The FeatureCollection written as `GeoData/services.geojson`.
    public static func geoJSON(_ points: [Point]) -> [UInt8] {
        SampleFiles.collection(points.map { p in
            (p.id, .point(x: p.lon, y: p.lat),
             JSONObject([("id", .string(p.id)), ("name", .string(p.name)), ("kind", .string(p.kind)),
                         ("kind_name", .string(kinds.first { $0.kind == p.kind }?.name ?? p.kind)), ("community", .string(p.community))]))
        })
    }
}
