import CGEOS
public import WanggeCore

/// A GEOS geometry with one owner: the pointer was returned by a GEOS constructor or operation, and is freed with
/// `GEOSGeom_destroy_r` in `deinit`. It keeps its context alive, and is as thread-bound as that context.
public final class GeosGeometry {
    public let context: GeosContext
    /// Owned by this geometry, freed in `deinit`; never leaves WanggeGeo.
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer, in context: GeosContext) {
        self.pointer = pointer
        self.context = context
    }

    deinit {
        GEOSGeom_destroy_r(context.handle, pointer)
    }

    var h: GEOSContextHandle_t { context.handle }

    // MARK: construction

    /// A GEOS geometry from a Core value. Rings must have at least four positions and be closed (the import checks
    /// that first); GEOS's own message is thrown otherwise.
    public convenience init(_ value: GeometryValue, in context: GeosContext) throws(GeosError) {
        let h = context.handle
        switch value {
        case .point(let x, let y):
            guard let p = GEOSGeom_createPointFromXY_r(h, x, y) else { throw context.error("createPoint") }
            self.init(owning: p, in: context)
        case .polygon(let polygon):
            self.init(owning: try Self.makePolygon(polygon, context), in: context)
        case .multiPolygon(let polygons):
            var parts: [OpaquePointer?] = []
            parts.reserveCapacity(polygons.count)
            for p in polygons {
                do {
                    parts.append(try Self.makePolygon(p, context))
                } catch {
                    for q in parts { GEOSGeom_destroy_r(h, q) }
                    throw error
                }
            }
            // The collection takes ownership of the parts (the array itself stays ours).
            let c = parts.withUnsafeMutableBufferPointer {
                GEOSGeom_createCollection_r(h, Int32(GEOS_MULTIPOLYGON.rawValue), $0.baseAddress, UInt32(polygons.count))
            }
            guard let c else {
                for q in parts { GEOSGeom_destroy_r(h, q) }
                throw context.error("createMultiPolygon")
            }
            self.init(owning: c, in: context)
        }
    }

    /// Returns an owned polygon pointer; the caller takes ownership.
    static func makePolygon(_ p: Polygon, _ context: GeosContext) throws(GeosError) -> OpaquePointer {
        let h = context.handle
        var rings: [OpaquePointer?] = []
        rings.reserveCapacity(p.rings.count)
        for ring in p.rings {
            let seq = ring.xy.withUnsafeBufferPointer {
                GEOSCoordSeq_copyFromBuffer_r(h, $0.baseAddress, UInt32(ring.pointCount), 0, 0)
            }
            // The linear ring takes ownership of the sequence (and frees it if it fails).
            guard let seq, let r = GEOSGeom_createLinearRing_r(h, seq) else {
                for q in rings { GEOSGeom_destroy_r(h, q) }
                throw context.error("createLinearRing")
            }
            rings.append(r)
        }
        guard let shell = rings.first ?? nil else { throw GeosError(operation: "createPolygon", message: "polygon has no rings") }
        // The polygon takes ownership of shell and holes, also when it fails.
        var holes = Array(rings.dropFirst())
        let poly = holes.withUnsafeMutableBufferPointer {
            GEOSGeom_createPolygon_r(h, shell, $0.baseAddress, UInt32($0.count))
        }
        guard let poly else { throw context.error("createPolygon") }
        return poly
    }

    /// Reads WKB (ISO or extended).
    public convenience init(wkb: [UInt8], in context: GeosContext) throws(GeosError) {
        let g = wkb.withUnsafeBufferPointer {
            GEOSWKBReader_read_r(context.handle, context.reader, $0.baseAddress, $0.count)
        }
        guard let g else { throw context.error("WKB read") }
        self.init(owning: g, in: context)
    }

    /// An independent copy.
    public func clone() throws(GeosError) -> GeosGeometry {
        try context.own(GEOSGeom_clone_r(h, pointer), "clone")
    }

    // MARK: reading back

    /// ISO WKB, little-endian, 2D.
    public var wkb: [UInt8] {
        var size = 0
        // The buffer is allocated by GEOS and must be released with GEOSFree_r.
        guard let buf = GEOSWKBWriter_write_r(h, context.isoWKBWriter, pointer, &size) else { return [] }
        defer { GEOSFree_r(h, buf) }
        return Array(UnsafeBufferPointer(start: buf, count: size))
    }

    public var typeID: Int { Int(GEOSGeomTypeId_r(h, pointer)) }
    public var isEmpty: Bool { GEOSisEmpty_r(h, pointer) == 1 }

    public var isPolygonal: Bool {
        typeID == Int(GEOS_POLYGON.rawValue) || typeID == Int(GEOS_MULTIPOLYGON.rawValue)
    }

    /// Number of parts (1 for a single geometry).
    public var partCount: Int { Int(GEOSGetNumGeometries_r(h, pointer)) }

    /// Owned copies of the parts of a collection (the geometry itself for a single one).
    public func parts() throws(GeosError) -> [GeosGeometry] {
        var out: [GeosGeometry] = []
        for i in 0..<partCount {
            // GEOSGetGeometryN_r returns a pointer borrowed from `self`; clone it into an owner.
            guard let borrowed = GEOSGetGeometryN_r(h, pointer, Int32(i)) else { throw context.error("getGeometryN") }
            out.append(try context.own(GEOSGeom_clone_r(h, borrowed), "clone part"))
        }
        return out
    }

    static func readRing(_ h: GEOSContextHandle_t, _ ring: OpaquePointer) -> Ring {
        // The sequence is borrowed from the ring, which is borrowed from the polygon the caller holds.
        guard let seq = GEOSGeom_getCoordSeq_r(h, ring) else { return Ring(xy: []) }
        var n: UInt32 = 0
        GEOSCoordSeq_getSize_r(h, seq, &n)
        var xy = [Double](repeating: 0, count: Int(n) * 2)
        xy.withUnsafeMutableBufferPointer { _ = GEOSCoordSeq_copyToBuffer_r(h, seq, $0.baseAddress, 0, 0) }
        return Ring(xy: xy)
    }

    static func readPolygon(_ h: GEOSContextHandle_t, _ p: OpaquePointer) -> Polygon {
        var rings: [Ring] = []
        if let ext = GEOSGetExteriorRing_r(h, p) { rings.append(readRing(h, ext)) }
        let holes = GEOSGetNumInteriorRings_r(h, p)
        if holes > 0 {
            for i in 0..<holes {
                if let r = GEOSGetInteriorRingN_r(h, p, i) { rings.append(readRing(h, r)) }
            }
        }
        return Polygon(rings: rings)
    }

    /// The geometry as a Core value (points and polygonal geometry only; empty polygons are left out).
    /// - Throws: `GeosError` for other geometry types.
    public func value() throws(GeosError) -> GeometryValue {
        switch Int32(typeID) {
        case Int32(GEOS_POINT.rawValue):
            var x = 0.0, y = 0.0
            GEOSGeomGetX_r(h, pointer, &x)
            GEOSGeomGetY_r(h, pointer, &y)
            return .point(x: x, y: y)
        case Int32(GEOS_POLYGON.rawValue):
            return .polygon(Self.readPolygon(h, pointer))
        case Int32(GEOS_MULTIPOLYGON.rawValue), Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            var ps: [Polygon] = []
            for i in 0..<GEOSGetNumGeometries_r(h, pointer) {
                guard let part = GEOSGetGeometryN_r(h, pointer, i) else { continue }
                if GEOSGeomTypeId_r(h, part) == Int32(GEOS_POLYGON.rawValue), GEOSisEmpty_r(h, part) == 0 {
                    ps.append(Self.readPolygon(h, part))
                }
            }
            if typeID == Int(GEOS_GEOMETRYCOLLECTION.rawValue) && ps.count == 1 { return .polygon(ps[0]) }
            return .multiPolygon(ps)
        default:
            throw GeosError(operation: "value", message: "geometry type \(typeID) is not a point or polygon")
        }
    }

    public var bounds: BoundingBox {
        var b = BoundingBox.empty
        guard !isEmpty else { return b }
        GEOSGeom_getExtent_r(h, pointer, &b.minX, &b.minY, &b.maxX, &b.maxY)
        return b
    }
}
