import CGEOS
import WanggeCore

/// Why a polygon is invalid and where, from `GEOSisValidDetail_r`.
public struct InvalidityDetail: Sendable, Equatable {
    public let reason: String
    public let x: Double?
    public let y: Double?
}

extension GeosGeometry {
    // MARK: validity

    /// nil when valid (OGC rules); otherwise GEOS's reason and location.
    /// - Throws: `GeosError` when GEOS cannot decide (return code 2).
    public func invalidity() throws(GeosError) -> InvalidityDetail? {
        var reason: UnsafeMutablePointer<CChar>?
        var location: OpaquePointer?
        let r = GEOSisValidDetail_r(h, pointer, 0, &reason, &location)
        // reason is a GEOS-allocated string (GEOSFree_r); location a geometry we own (GEOSGeom_destroy_r).
        defer {
            if let reason { GEOSFree_r(h, reason) }
            if let location { GEOSGeom_destroy_r(h, location) }
        }
        switch r {
        case 1: return nil
        case 0:
            var x: Double?, y: Double?
            if let location, GEOSisEmpty_r(h, location) == 0 {
                var vx = 0.0, vy = 0.0
                if GEOSGeomGetX_r(h, location, &vx) == 1, GEOSGeomGetY_r(h, location, &vy) == 1 { x = vx; y = vy }
            }
            return InvalidityDetail(reason: reason.map { String(cString: $0) } ?? "invalid", x: x, y: y)
        default:
            throw context.error("isValidDetail")
        }
    }

    /// A valid version of an invalid geometry (`GEOSMakeValid_r`).
    public func makeValid() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSMakeValid_r(h, pointer), "makeValid")
    }

    /// A valid version by GEOS's structure method (`GEOSMakeValidWithParams_r`, GEOS ≥ 3.10): each ring made valid,
    /// shells merged and holes subtracted, so a ring's area is kept where the linework method may drop it; parts
    /// that collapse to lines or points are dropped, so the result is polygonal or empty.
    /// - Throws: `GeosError` when GEOS fails (NULL from the constructor or the repair, 0 from a setter).
    public func makeValidByStructure() throws(GeosError) -> GeosGeometry {
        // The parameters are ours from create (NULL on failure) to the deferred destroy.
        guard let params = GEOSMakeValidParams_create_r(h) else { throw context.error("makeValidParams") }
        defer { GEOSMakeValidParams_destroy_r(h, params) }
        guard GEOSMakeValidParams_setMethod_r(h, params, GEOS_MAKE_VALID_STRUCTURE) == 1,
              GEOSMakeValidParams_setKeepCollapsed_r(h, params, 0) == 1 else { throw context.error("makeValidParams") }
        // The result (NULL on failure) is a new geometry that `own` gives its one owner.
        return try context.own(GEOSMakeValidWithParams_r(h, pointer, params), "makeValid")
    }

    /// Puts the geometry in GEOS's normal form in place (ring starts and orders), so equal shapes compare equal.
    /// Returns false when GEOS fails.
    @discardableResult
    public func normalize() -> Bool {
        GEOSNormalize_r(h, pointer) == 0
    }

    // MARK: measures

    /// Planar area in the geometry's own units.
    public func planarArea() throws(GeosError) -> Double {
        var a = 0.0
        guard GEOSArea_r(h, pointer, &a) == 1 else { throw context.error("area") }
        return a
    }

    public func length() throws(GeosError) -> Double {
        var l = 0.0
        guard GEOSLength_r(h, pointer, &l) == 1 else { throw context.error("length") }
        return l
    }

    public func distance(to other: GeosGeometry) throws(GeosError) -> Double {
        var d = 0.0
        guard GEOSDistance_r(h, pointer, other.pointer, &d) == 1 else { throw context.error("distance") }
        return d
    }

    // MARK: predicates (GEOS returns 1 true, 0 false, 2 exception)

    static func predicate(_ r: CChar, _ context: GeosContext, _ name: String) throws(GeosError) -> Bool {
        switch r {
        case 1: return true
        case 0: return false
        default: throw context.error(name)
        }
    }

    public func covers(_ other: GeosGeometry) throws(GeosError) -> Bool {
        try Self.predicate(GEOSCovers_r(h, pointer, other.pointer), context, "covers")
    }

    public func contains(_ other: GeosGeometry) throws(GeosError) -> Bool {
        try Self.predicate(GEOSContains_r(h, pointer, other.pointer), context, "contains")
    }

    public func intersects(_ other: GeosGeometry) throws(GeosError) -> Bool {
        try Self.predicate(GEOSIntersects_r(h, pointer, other.pointer), context, "intersects")
    }

    public func equalsExact(_ other: GeosGeometry, tolerance: Double = 0) -> Bool {
        GEOSEqualsExact_r(h, pointer, other.pointer, tolerance) == 1
    }

    public func topologicallyEquals(_ other: GeosGeometry) throws(GeosError) -> Bool {
        try Self.predicate(GEOSEquals_r(h, pointer, other.pointer), context, "equals")
    }

    // MARK: overlay and constructions

    public func intersection(_ other: GeosGeometry) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSIntersection_r(h, pointer, other.pointer), "intersection")
    }

    public func difference(_ other: GeosGeometry) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSDifference_r(h, pointer, other.pointer), "difference")
    }

    public func union(_ other: GeosGeometry) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSUnion_r(h, pointer, other.pointer), "union")
    }

    /// Union of all parts of this geometry (for a collection: dissolves them).
    public func unaryUnion() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSUnaryUnion_r(h, pointer), "unaryUnion")
    }

    /// Union with snap-rounding to a grid of `gridSize` units: nodes linework robustly.
    public func unaryUnion(gridSize: Double) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSUnaryUnionPrec_r(h, pointer, gridSize), "unaryUnionPrec")
    }

    /// Fast exact union of polygons that form a coverage (edges match exactly, no overlaps).
    public func coverageUnion() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSCoverageUnion_r(h, pointer), "coverageUnion")
    }

    public func buffer(_ width: Double, quadrantSegments: Int = 8) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSBuffer_r(h, pointer, width, Int32(quadrantSegments)), "buffer")
    }

    public func pointOnSurface() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSPointOnSurface_r(h, pointer), "pointOnSurface")
    }

    public func centroid() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSGetCentroid_r(h, pointer), "centroid")
    }

    public func boundary() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSBoundary_r(h, pointer), "boundary")
    }

    public func convexHull() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSConvexHull_r(h, pointer), "convexHull")
    }

    public func lineMerge() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSLineMerge_r(h, pointer), "lineMerge")
    }

    public func simplifyPreservingTopology(_ tolerance: Double) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSTopologyPreserveSimplify_r(h, pointer, tolerance), "topologyPreserveSimplify")
    }

    /// Adds vertices so no segment is longer than `maxSegmentLength`.
    public func densify(_ maxSegmentLength: Double) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSDensify_r(h, pointer, maxSegmentLength), "densify")
    }

    /// Voronoi cells (polygons) of this geometry's vertices, extended to cover `envelope`.
    public func voronoiCells(envelope: GeosGeometry?) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSVoronoiDiagram_r(h, pointer, envelope?.pointer, 0, 0), "voronoiDiagram")
    }

    /// The edges of the Voronoi diagram of this geometry's vertices (a MultiLineString), clipped to `envelope`'s
    /// extent or a little beyond.
    public func voronoiEdges(envelope: GeosGeometry?) throws(GeosError) -> GeosGeometry {
        try context.own(GEOSVoronoiDiagram_r(h, pointer, envelope?.pointer, 0, 1), "voronoiDiagram")
    }

    /// Polygons formed by noded linework.
    public static func polygonize(_ lines: [GeosGeometry], in context: GeosContext) throws(GeosError) -> GeosGeometry {
        let ptrs: [OpaquePointer?] = lines.map { $0.pointer }
        // The inputs stay owned by `lines` (kept alive through this call); the result is new and ours.
        let r = withExtendedLifetime(lines) {
            ptrs.withUnsafeBufferPointer { GEOSPolygonize_r(context.handle, $0.baseAddress, UInt32(ptrs.count)) }
        }
        return try context.own(r, "polygonize")
    }

    /// A geometry collection that takes copies of `parts`.
    public static func collection(_ parts: [GeosGeometry], in context: GeosContext) throws(GeosError) -> GeosGeometry {
        try collection(parts, type: Int32(GEOS_GEOMETRYCOLLECTION.rawValue), in: context)
    }

    /// A collection of the given GEOS type id that takes copies of `parts`.
    static func collection(_ parts: [GeosGeometry], type: Int32, in context: GeosContext) throws(GeosError) -> GeosGeometry {
        let h = context.handle
        var copies: [OpaquePointer?] = []
        copies.reserveCapacity(parts.count)
        for p in parts {
            guard let c = GEOSGeom_clone_r(h, p.pointer) else {
                for q in copies { GEOSGeom_destroy_r(h, q) }
                throw context.error("clone")
            }
            copies.append(c)
        }
        // The collection takes ownership of the copies.
        let c = copies.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(h, type, $0.baseAddress, UInt32(parts.count))
        }
        return try context.own(c, "createCollection")
    }

    public static func multiPolygon(_ parts: [GeosGeometry], in context: GeosContext) throws(GeosError) -> GeosGeometry {
        try collection(parts, type: Int32(GEOS_MULTIPOLYGON.rawValue), in: context)
    }

    public static func multiPoint(_ points: [(Double, Double)], in context: GeosContext) throws(GeosError) -> GeosGeometry {
        let h = context.handle
        var ptrs: [OpaquePointer?] = []
        for (x, y) in points {
            guard let p = GEOSGeom_createPointFromXY_r(h, x, y) else {
                for q in ptrs { GEOSGeom_destroy_r(h, q) }
                throw context.error("createPoint")
            }
            ptrs.append(p)
        }
        let c = ptrs.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(h, Int32(GEOS_MULTIPOINT.rawValue), $0.baseAddress, UInt32(points.count))
        }
        return try context.own(c, "createMultiPoint")
    }

    /// A line string through the given interleaved x, y values.
    public static func lineString(_ xy: [Double], in context: GeosContext) throws(GeosError) -> GeosGeometry {
        let h = context.handle
        let seq = xy.withUnsafeBufferPointer { GEOSCoordSeq_copyFromBuffer_r(h, $0.baseAddress, UInt32(xy.count / 2), 0, 0) }
        guard let seq else { throw context.error("coordSeq") }
        // The line string takes ownership of the sequence.
        return try context.own(GEOSGeom_createLineString_r(h, seq), "createLineString")
    }

    /// The coordinates of a line string or linear ring, interleaved x, y.
    public func lineCoordinates() -> [Double] {
        Self.readRing(h, pointer).xy
    }
}
