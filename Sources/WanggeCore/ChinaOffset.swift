import Foundation

/// The published GCJ-02 ("Mars coordinates") and BD-09 formulas, forward and inverse.
///
/// The forward transforms are the widely published ones (Krasovsky ellipsoid constants, the `transformLat` /
/// `transformLon` series; BD-09 as a small rotation and offset of GCJ-02). Outside mainland China's bounding box
/// GCJ-02 equals WGS84, as every implementation does. The inverses are iterative: a fixed-point iteration on the
/// forward transform, run until the residual is below 1e-12 degrees, so they agree with the forward transform to far
/// better than 1e-7 degrees (about 1 cm).
public enum ChinaOffset {
    static let a = 6378245.0
    static let ee = 0.00669342162296594323
    static let xPi = Double.pi * 3000.0 / 180.0

    /// True where GCJ-02 applies an offset (the common mainland-China bounding box).
    public static func isInChina(lon: Double, lat: Double) -> Bool {
        lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271
    }

    static func transformLat(_ x: Double, _ y: Double) -> Double {
        var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        r += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        r += (160.0 * sin(y / 12.0 * .pi) + 320.0 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        return r
    }

    static func transformLon(_ x: Double, _ y: Double) -> Double {
        var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        r += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        r += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0
        return r
    }

    /// WGS84 → GCJ-02.
    public static func wgs84ToGCJ02(lon: Double, lat: Double) -> (lon: Double, lat: Double) {
        guard isInChina(lon: lon, lat: lat) else { return (lon, lat) }
        var dLat = transformLat(lon - 105.0, lat - 35.0)
        var dLon = transformLon(lon - 105.0, lat - 35.0)
        let radLat = lat / 180.0 * .pi
        var magic = sin(radLat)
        magic = 1 - ee * magic * magic
        let sqrtMagic = magic.squareRoot()
        dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * .pi)
        dLon = (dLon * 180.0) / (a / sqrtMagic * cos(radLat) * .pi)
        return (lon + dLon, lat + dLat)
    }

    /// GCJ-02 → BD-09.
    public static func gcj02ToBD09(lon: Double, lat: Double) -> (lon: Double, lat: Double) {
        let z = (lon * lon + lat * lat).squareRoot() + 0.00002 * sin(lat * xPi)
        let theta = atan2(lat, lon) + 0.000003 * cos(lon * xPi)
        return (z * cos(theta) + 0.0065, z * sin(theta) + 0.006)
    }

    public static func wgs84ToBD09(lon: Double, lat: Double) -> (lon: Double, lat: Double) {
        let g = wgs84ToGCJ02(lon: lon, lat: lat)
        return gcj02ToBD09(lon: g.lon, lat: g.lat)
    }

    /// GCJ-02 → WGS84 by fixed-point iteration on the forward transform.
    public static func gcj02ToWGS84(lon: Double, lat: Double) -> (lon: Double, lat: Double) {
        invert(lon: lon, lat: lat, forward: wgs84ToGCJ02)
    }

    /// BD-09 → GCJ-02 by fixed-point iteration on the forward transform.
    public static func bd09ToGCJ02(lon: Double, lat: Double) -> (lon: Double, lat: Double) {
        // Start from the published closed-form approximation.
        let x = lon - 0.0065, y = lat - 0.006
        let z = (x * x + y * y).squareRoot() - 0.00002 * sin(y * xPi)
        let theta = atan2(y, x) - 0.000003 * cos(x * xPi)
        return invert(lon: lon, lat: lat, start: (z * cos(theta), z * sin(theta)), forward: gcj02ToBD09)
    }

    public static func bd09ToWGS84(lon: Double, lat: Double) -> (lon: Double, lat: Double) {
        let g = bd09ToGCJ02(lon: lon, lat: lat)
        return gcj02ToWGS84(lon: g.lon, lat: g.lat)
    }

    static func invert(lon: Double, lat: Double, start: (Double, Double)? = nil,
                       forward: (Double, Double) -> (lon: Double, lat: Double)) -> (lon: Double, lat: Double) {
        guard lon.isFinite, lat.isFinite else { return (lon, lat) }
        var w = start ?? (lon, lat)
        for _ in 0..<40 {
            let f = forward(w.0, w.1)
            let dx = f.lon - lon, dy = f.lat - lat
            w = (w.0 - dx, w.1 - dy)
            if abs(dx) < 1e-12 && abs(dy) < 1e-12 { break }
        }
        return w
    }
}
