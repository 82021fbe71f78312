import Foundation

/// When a new report is probably a problem already reported: an open event of the same type within `radiusMetres`
/// reported in the last `days` (GeoData/duplicates.json; 50 m and 7 days unless it says otherwise).
public struct DuplicateRule: Sendable, Codable, Equatable {
    public var radiusMetres: Double
    public var days: Double

    public init(radiusMetres: Double = 50, days: Double = 7) {
        self.radiusMetres = radiusMetres
        self.days = days
    }

    enum CodingKeys: String, CodingKey {
        case radiusMetres = "radius_m", days
    }

    /// The setting it is stored under.
    public static let settingKey = "duplicates"

    /// The box to search around a point (a little larger than the circle; the distance decides).
    public func box(lon: Double, lat: Double) -> BoundingBox {
        let dLat = radiusMetres / 110_574 * 1.01
        let dLon = radiusMetres / (111_320 * max(0.01, cos(lat * .pi / 180))) * 1.01
        return BoundingBox(minX: lon - dLon, minY: lat - dLat, maxX: lon + dLon, maxY: lat + dLat)
    }
}

/// An open event the new report may repeat.
public struct PossibleDuplicate: Sendable, Equatable {
    public var id: Int64
    public var distanceMetres: Double
    public var status: EventStatus
    public var reportedAt: Double

    public init(id: Int64, distanceMetres: Double, status: EventStatus, reportedAt: Double) {
        self.id = id; self.distanceMetres = distanceMetres; self.status = status; self.reportedAt = reportedAt
    }

    /// Great-circle distance in metres (haversine on a sphere of the WGS 84 mean radius; within 0.5 % of the
    /// ellipsoid at the tens of metres duplicates are found in).
    public static func metres(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        let r = 6_371_008.8, d = Double.pi / 180
        let dLat = (lat2 - lat1) * d, dLon = (lon2 - lon1) * d
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * d) * cos(lat2 * d) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, a.squareRoot()))
    }

    /// The open events of `candidates` within the rule's radius of the point, nearest first.
    public static func within(_ rule: DuplicateRule, lon: Double, lat: Double, of candidates: [EventRecord]) -> [PossibleDuplicate] {
        candidates.compactMap { r -> PossibleDuplicate? in
            let m = metres(lon, lat, r.event.lon, r.event.lat)
            return m <= rule.radiusMetres ? PossibleDuplicate(id: r.id, distanceMetres: m, status: r.status, reportedAt: r.event.reportedAt) : nil
        }.sorted { ($0.distanceMetres, $0.id) < ($1.distanceMetres, $1.id) }
    }
}
