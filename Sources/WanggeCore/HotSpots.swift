import Foundation

/// Hot spots (分析研判): where problems gather. Pure arithmetic over event points:
/// - **clusters**: events of one type within `radiusMetres` of another and `days` of it in time, chained
///   (single linkage), with at least `minEvents` events;
/// - **repeats**: one place (events of one type within `repeatRadiusMetres`) with at least `minEvents` events over
///   the whole period, spread over more than `days` — the same problem coming back, not one burst;
/// - **rising grids**: grids whose count went up against the previous period by at least `minRise` events and half
///   again as many.
public enum HotSpots {
    public struct Point: Sendable, Equatable {
        public var id: Int64
        public var type: String
        public var lon: Double
        public var lat: Double
        /// When it happened (seconds since 1970).
        public var at: Double
        public var grid: String?

        public init(id: Int64, type: String, lon: Double, lat: Double, at: Double, grid: String?) {
            self.id = id; self.type = type; self.lon = lon; self.lat = lat; self.at = at; self.grid = grid
        }
    }

    public struct Options: Sendable, Equatable {
        public var radiusMetres = 50.0
        public var days = 7.0
        public var minEvents = 3
        public var repeatRadiusMetres = 30.0
        public var minRise = 3
        public init() {}
    }

    public struct Cluster: Sendable, Equatable {
        public enum Kind: String, Sendable { case cluster, `repeat` }
        public var kind: Kind
        public var type: String
        public var ids: [Int64]
        public var lon: Double
        public var lat: Double
        /// Distance from the centre to the farthest event.
        public var radiusMetres: Double
        public var first: Double
        public var last: Double
        /// The grids its events lie in, most events first.
        public var grids: [String]
    }

    public struct Rise: Sendable, Equatable {
        public var grid: String
        public var now: Int
        public var before: Int
    }

    /// Metres per degree near `lat` (a local plane; at the scale of a few hundred metres the error is far below
    /// what the radius means).
    static func scale(_ lat: Double) -> (x: Double, y: Double) {
        let phi = lat * .pi / 180
        return (111_320 * cos(phi), 110_574)
    }

    /// Single-linkage groups of points of one type within `radius` metres and `window` seconds of each other.
    static func groups(_ points: [Point], radius: Double, window: Double) -> [[Int]] {
        guard !points.isEmpty else { return [] }
        let lat0 = points.reduce(0) { $0 + $1.lat } / Double(points.count)
        let (sx, sy) = scale(lat0)
        // Cells of the radius's size: neighbours are in the 3 × 3 cells around.
        var cells: [Int64: [Int]] = [:]
        func key(_ cx: Int64, _ cy: Int64) -> Int64 { cx &* 73_856_093 ^ cy &* 19_349_663 }
        let cx = points.map { Int64(($0.lon * sx / radius).rounded(.down)) }
        let cy = points.map { Int64(($0.lat * sy / radius).rounded(.down)) }
        for i in points.indices { cells[key(cx[i], cy[i]), default: []].append(i) }
        var parent = Array(points.indices)
        func find(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        let r2 = radius * radius
        for i in points.indices {
            for dx in -1...1 {
                for dy in -1...1 {
                    guard let cell = cells[key(cx[i] + Int64(dx), cy[i] + Int64(dy))] else { continue }
                    for j in cell where j > i && points[j].type == points[i].type && abs(points[j].at - points[i].at) <= window {
                        let ddx = (points[j].lon - points[i].lon) * sx, ddy = (points[j].lat - points[i].lat) * sy
                        if ddx * ddx + ddy * ddy <= r2 {
                            let a = find(i), b = find(j)
                            if a != b { parent[max(a, b)] = min(a, b) }
                        }
                    }
                }
            }
        }
        var byRoot: [Int: [Int]] = [:]
        for i in points.indices { byRoot[find(i), default: []].append(i) }
        return byRoot.values.sorted { $0[0] < $1[0] }
    }

    static func summarise(_ kind: Cluster.Kind, _ members: [Int], _ points: [Point]) -> Cluster {
        let ps = members.map { points[$0] }
        let lon = ps.reduce(0) { $0 + $1.lon } / Double(ps.count), lat = ps.reduce(0) { $0 + $1.lat } / Double(ps.count)
        let (sx, sy) = scale(lat)
        let radius = ps.map { hypot(($0.lon - lon) * sx, ($0.lat - lat) * sy) }.max() ?? 0
        var gridCounts: [String: Int] = [:]
        for p in ps { if let g = p.grid { gridCounts[g, default: 0] += 1 } }
        return Cluster(kind: kind, type: ps[0].type, ids: ps.map(\.id).sorted(), lon: lon, lat: lat, radiusMetres: radius,
                       first: ps.map(\.at).min()!, last: ps.map(\.at).max()!,
                       grids: gridCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key))
    }

    /// Clusters in space and time, largest first.
    public static func clusters(_ points: [Point], options: Options = Options()) -> [Cluster] {
        groups(points, radius: options.radiusMetres, window: options.days * 86400)
            .filter { $0.count >= options.minEvents }
            .map { summarise(.cluster, $0, points) }
            .sorted { ($0.ids.count, $1.first) > ($1.ids.count, $0.first) }
    }

    /// The same problem at the same place again and again over the period, largest first.
    public static func repeats(_ points: [Point], options: Options = Options()) -> [Cluster] {
        groups(points, radius: options.repeatRadiusMetres, window: .infinity)
            .filter { $0.count >= options.minEvents }
            .map { summarise(.`repeat`, $0, points) }
            .filter { $0.last - $0.first > options.days * 86400 }
            .sorted { ($0.ids.count, $1.first) > ($1.ids.count, $0.first) }
    }

    /// Grids that rose against the previous period: at least `minRise` more events and at least 1.5 times as many.
    public static func rising(now: [String: Int], before: [String: Int], options: Options = Options()) -> [Rise] {
        now.compactMap { grid, n in
            let b = before[grid] ?? 0
            return n - b >= options.minRise && Double(n) >= 1.5 * Double(b) ? Rise(grid: grid, now: n, before: b) : nil
        }.sorted { ($0.now - $0.before, $1.grid) > ($1.now - $1.before, $0.grid) }
    }
}
