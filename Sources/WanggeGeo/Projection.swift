import CPROJ
public import WanggeCore

/// A failed PROJ call or an unusable CRS.
public struct ProjectionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// One PROJ context (`PJ_CONTEXT`), network access off, logging silenced. Owned here: created by
/// `proj_context_create`, freed by `proj_context_destroy` in `deinit`. Not thread-safe, so not `Sendable`: one per
/// worker, like a GEOS context.
public final class ProjContext {
    /// Owned by this context, freed in `deinit`; never leaves WanggeGeo.
    let pointer: OpaquePointer

    public init() {
        guard let c = proj_context_create() else { fatalError("proj_context_create returned NULL (out of memory)") }
        pointer = c
        _ = proj_context_set_enable_network(c, 0)
        _ = proj_log_level(c, PJ_LOG_NONE)
    }

    deinit {
        proj_context_destroy(pointer)
    }

    func lastError() -> String {
        let e = proj_context_errno(pointer)
        guard e != 0, let s = proj_context_errno_string(pointer, e) else { return "unknown PROJ error" }
        return String(cString: s)
    }

    /// True when PROJ knows `definition` as a geographic (lon/lat) CRS; false for projected ones.
    /// - Throws: `ProjectionError` when PROJ does not know the CRS.
    public func isGeographic(_ definition: String) throws(ProjectionError) -> Bool {
        guard let crs = proj_create(pointer, definition) else {
            throw ProjectionError(message: "PROJ does not know \(definition): \(lastError())")
        }
        defer { proj_destroy(crs) }  // owned by us
        switch proj_get_type(crs) {
        case PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_GEOGRAPHIC_CRS:
            return true
        case PJ_TYPE_BOUND_CRS:
            // A CRS bound to WGS84 by a transformation: look at the CRS it wraps.
            guard let base = proj_get_source_crs(pointer, crs) else { return false }
            defer { proj_destroy(base) }
            let t = proj_get_type(base)
            return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS
        default:
            return false
        }
    }
}

/// A PROJ transformation between two CRSs with lon/lat (x = east) axis order on both sides
/// (`proj_normalize_for_visualization`). Owns its `PJ` (freed by `proj_destroy` in `deinit`) and keeps its context
/// alive; as thread-bound as that context.
public final class ProjTransform {
    public let context: ProjContext
    let pj: OpaquePointer
    public let source: String
    public let target: String

    /// - Parameter authorityAxisOrder: keep each CRS's axis order as its authority defines it (EPSG:4326 is
    ///   latitude first, EPSG:4547 northing first), as OGC API – Features Part 2 writes coordinates, instead of
    ///   lon/lat (x = east) order.
    /// - Throws: `ProjectionError` when PROJ cannot build the transformation.
    public init(from source: String, to target: String, in context: ProjContext, authorityAxisOrder: Bool = false) throws(ProjectionError) {
        self.context = context
        self.source = source
        self.target = target
        guard let raw = proj_create_crs_to_crs(context.pointer, source, target, nil) else {
            throw ProjectionError(message: "cannot transform \(source) to \(target): \(context.lastError())")
        }
        if authorityAxisOrder {
            pj = raw  // owned by us, freed in deinit
            return
        }
        defer { proj_destroy(raw) }  // the normalized copy below is what we keep
        guard let normalized = proj_normalize_for_visualization(context.pointer, raw) else {
            throw ProjectionError(message: "cannot normalise axis order of \(source) → \(target): \(context.lastError())")
        }
        pj = normalized
    }

    deinit {
        proj_destroy(pj)
    }

    /// Transforms interleaved x, y values in place (forward, or inverse when `inverse`). Positions PROJ cannot
    /// transform become infinite (PROJ's HUGE_VAL), which the caller's range checks report.
    public func transform(_ xy: inout [Double], inverse: Bool = false) {
        let n = xy.count / 2
        guard n > 0 else { return }
        xy.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            _ = proj_trans_generic(pj, inverse ? PJ_INV : PJ_FWD,
                                   base, 16, n,
                                   base + 1, 16, n,
                                   nil, 0, 0, nil, 0, 0)
        }
        // proj_trans_generic reports per-point failure as HUGE_VAL; make that unmistakably non-finite.
        for i in 0..<xy.count where xy[i] == Double.greatestFiniteMagnitude { xy[i] = .infinity }
    }
}

/// Converts coordinates between an input CRS and WGS84 lon/lat: PROJ for EPSG codes, the published formulas for
/// GCJ-02 and BD-09. Thread-bound (holds a PROJ transform).
public final class CRSConverter {
    public let crs: CRS
    let proj: ProjTransform?
    /// False for projected CRSs (coordinates in metres).
    public let sourceIsGeographic: Bool

    /// - Throws: `ProjectionError` for an EPSG code PROJ does not know.
    public init(_ crs: CRS, context: ProjContext) throws(ProjectionError) {
        self.crs = crs
        switch crs {
        case .wgs84, .gcj02, .bd09:
            proj = nil
            sourceIsGeographic = true
        case .epsg(let code):
            let def = "EPSG:\(code)"
            sourceIsGeographic = try context.isGeographic(def)
            proj = try ProjTransform(from: def, to: "EPSG:4326", in: context)
        }
    }

    /// Interleaved x, y in this CRS → WGS84 lon/lat, in place.
    public func toWGS84(_ xy: inout [Double]) {
        switch crs {
        case .wgs84: return
        case .epsg: proj!.transform(&xy)
        case .gcj02: Self.apply(&xy, ChinaOffset.gcj02ToWGS84)
        case .bd09: Self.apply(&xy, ChinaOffset.bd09ToWGS84)
        }
    }

    /// WGS84 lon/lat → this CRS, in place.
    public func fromWGS84(_ xy: inout [Double]) {
        switch crs {
        case .wgs84: return
        case .epsg: proj!.transform(&xy, inverse: true)
        case .gcj02: Self.apply(&xy, ChinaOffset.wgs84ToGCJ02)
        case .bd09: Self.apply(&xy, ChinaOffset.wgs84ToBD09)
        }
    }

    static func apply(_ xy: inout [Double], _ f: (Double, Double) -> (lon: Double, lat: Double)) {
        var i = 0
        while i < xy.count {
            let r = f(xy[i], xy[i + 1])
            xy[i] = r.lon
            xy[i + 1] = r.lat
            i += 2
        }
    }
}
