import CGEOS
public import WanggeCore

/// A GEOS STRtree over geometries, with each geometry's position in `geometries` as its item. Owned here: created by
/// `GEOSSTRtree_create_r`, freed by `GEOSSTRtree_destroy_r` in `deinit`. GEOS keeps pointers to the inserted
/// geometries' envelopes, so the tree holds the geometries alive. GEOS 3.11 builds the tree on the first query;
/// `init` runs one so the tree is complete before any lookup.
public final class GeosSTRtree {
    public let context: GeosContext
    let tree: OpaquePointer
    public let geometries: [GeosGeometry]

    /// Collects query hits; the callback's userdata points at it for the duration of one query.
    final class Hits {
        var items: [Int] = []
    }

    public init(_ geometries: [GeosGeometry], in context: GeosContext, nodeCapacity: Int = 10) throws(GeosError) {
        guard let t = GEOSSTRtree_create_r(context.handle, nodeCapacity) else { throw context.error("STRtree_create") }
        self.context = context
        self.tree = t
        self.geometries = geometries
        for (i, g) in geometries.enumerated() {
            // Items are 1-based so that item 0 is never a NULL pointer.
            GEOSSTRtree_insert_r(context.handle, t, g.pointer, UnsafeMutableRawPointer(bitPattern: i + 1))
        }
        if let first = geometries.first { _ = query(first.bounds) }  // forces the lazy build
    }

    deinit {
        GEOSSTRtree_destroy_r(context.handle, tree)
    }

    /// Indices of the geometries whose envelope intersects `box`.
    public func query(_ box: BoundingBox) -> [Int] {
        let h = context.handle
        guard !box.isEmpty,
              let env = (try? GeosGeometry(.polygon(Polygon(rings: [Ring(xy: [box.minX, box.minY, box.maxX, box.minY, box.maxX, box.maxY, box.minX, box.maxY, box.minX, box.minY])])), in: context))
        else { return [] }
        return query(geometry: env, h)
    }

    /// Indices of the geometries whose envelope contains the point.
    public func query(x: Double, y: Double) -> [Int] {
        guard let p = try? GeosGeometry(.point(x: x, y: y), in: context) else { return [] }
        return query(geometry: p, context.handle)
    }

    func query(geometry: GeosGeometry, _ h: GEOSContextHandle_t) -> [Int] {
        let hits = Hits()
        withExtendedLifetime(hits) {
            GEOSSTRtree_query_r(h, tree, geometry.pointer, { item, userdata in
                guard let item, let userdata else { return }
                Unmanaged<Hits>.fromOpaque(userdata).takeUnretainedValue().items.append(Int(bitPattern: item) - 1)
            }, Unmanaged.passUnretained(hits).toOpaque())
        }
        return hits.items.sorted()
    }
}
