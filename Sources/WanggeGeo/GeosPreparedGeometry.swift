import CGEOS
import WanggeCore

/// A prepared geometry for fast repeated predicates. Owned here: made by `GEOSPrepare_r`, freed by
/// `GEOSPreparedGeom_destroy_r` in `deinit`. It keeps the geometry it was prepared from alive (GEOS borrows it).
/// GEOS builds a prepared geometry's indexes lazily on first use, so `warm()` forces that before sharing work.
public final class GeosPreparedGeometry {
    public let geometry: GeosGeometry
    let pointer: OpaquePointer

    public init(_ geometry: GeosGeometry) throws(GeosError) {
        guard let p = GEOSPrepare_r(geometry.context.handle, geometry.pointer) else {
            throw geometry.context.error("prepare")
        }
        self.geometry = geometry
        self.pointer = p
    }

    deinit {
        GEOSPreparedGeom_destroy_r(geometry.context.handle, pointer)
    }

    var h: GEOSContextHandle_t { geometry.context.handle }

    /// True when the point lies in the interior (not on the boundary).
    public func contains(x: Double, y: Double) throws(GeosError) -> Bool {
        try GeosGeometry.predicate(wangge_prepared_contains_xy(h, pointer, x, y), geometry.context, "preparedContainsXY")
    }

    public func contains(_ other: GeosGeometry) throws(GeosError) -> Bool {
        try GeosGeometry.predicate(GEOSPreparedContains_r(h, pointer, other.pointer), geometry.context, "preparedContains")
    }

    public func covers(_ other: GeosGeometry) throws(GeosError) -> Bool {
        try GeosGeometry.predicate(GEOSPreparedCovers_r(h, pointer, other.pointer), geometry.context, "preparedCovers")
    }

    public func intersects(_ other: GeosGeometry) throws(GeosError) -> Bool {
        try GeosGeometry.predicate(GEOSPreparedIntersects_r(h, pointer, other.pointer), geometry.context, "preparedIntersects")
    }

    /// Builds the lazy indexes now (one point-in-polygon test builds the prepared polygon's locator).
    public func warm() {
        let b = geometry.bounds
        guard !b.isEmpty else { return }
        _ = try? contains(x: b.centerX, y: b.centerY)
    }
}
