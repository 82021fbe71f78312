import WanggeCore

/// A regular grid of cells over a set of polygons that answers most point lookups without a predicate call.
///
/// Every cell that a polygon edge passes through or near (within a tiny margin) is a *boundary* cell and keeps the
/// polygons whose bounding box meets it, for an exact test by GEOS. Every other cell lies wholly inside the same set
/// of polygons (possibly none), so a point there is answered by the cell alone. The raster holds only Swift values and
/// is immutable: one raster serves every worker, while the GEOS objects that answer boundary cells are replicated
/// per worker.
public struct CellRaster: Sendable {
    public let minX: Double
    public let minY: Double
    public let cellWidth: Double
    public let cellHeight: Double
    public let columns: Int
    public let rows: Int
    /// Per cell: ≥ 0 the index of a containment set; -1 no polygon; ≤ -2 boundary cell number `-label - 2`.
    let labels: Int32Storage
    /// Containment set k is `setItems[setStart[k]..<setStart[k+1]]` (polygon indices, ascending).
    let setStart: Int32Storage
    let setItems: Int32Storage
    /// Boundary cell k's candidates are `candidateItems[candidateStart[k]..<candidateStart[k+1]]`.
    let candidateStart: Int32Storage
    let candidateItems: Int32Storage

    init(minX: Double, minY: Double, cellWidth: Double, cellHeight: Double, columns: Int, rows: Int,
         labels: [Int32], setStart: [Int32], setItems: [Int32], candidateStart: [Int32], candidateItems: [Int32]) {
        self.minX = minX; self.minY = minY; self.cellWidth = cellWidth; self.cellHeight = cellHeight
        self.columns = columns; self.rows = rows
        self.labels = Int32Storage(labels)
        self.setStart = Int32Storage(setStart)
        self.setItems = Int32Storage(setItems)
        self.candidateStart = Int32Storage(candidateStart)
        self.candidateItems = Int32Storage(candidateItems)
    }

    init(minX: Double, minY: Double, cellWidth: Double, cellHeight: Double, columns: Int, rows: Int,
         labels: Int32Storage, setStart: Int32Storage, setItems: Int32Storage, candidateStart: Int32Storage, candidateItems: Int32Storage) {
        self.minX = minX; self.minY = minY; self.cellWidth = cellWidth; self.cellHeight = cellHeight
        self.columns = columns; self.rows = rows
        self.labels = labels; self.setStart = setStart; self.setItems = setItems
        self.candidateStart = candidateStart; self.candidateItems = candidateItems
    }

    /// True when every label, offset and item points inside the raster's own arrays and at one of `members`
    /// polygons — what lookups rely on to read without bounds checks (a raster read from a file is checked).
    func isConsistent(members: Int) -> Bool {
        guard columns >= 1, rows >= 1, labels.count == columns * rows, setStart.count >= 1, candidateStart.count >= 1,
              cellWidth > 0, cellHeight > 0, minX.isFinite, minY.isFinite else { return false }
        func offsets(_ start: Int32Storage, _ items: Int32Storage) -> Bool {
            let s = start.pointer
            guard s[0] == 0, Int(s[start.count - 1]) == items.count else { return false }
            for k in 1..<max(start.count, 1) where s[k] < s[k - 1] { return false }
            let it = items.pointer
            for k in 0..<items.count where it[k] < 0 || Int(it[k]) >= members { return false }
            return true
        }
        guard offsets(setStart, setItems), offsets(candidateStart, candidateItems) else { return false }
        let sets = Int32(setStart.count - 1), boundary = candidateStart.count - 1
        let l = labels.pointer
        for k in 0..<labels.count {
            let v = l[k]
            if v >= 0 { if v >= sets { return false } } else if v < -1, Int(-v - 2) >= boundary { return false }
        }
        return true
    }

    public var cellCount: Int { columns * rows }
    public var boundaryCellCount: Int { candidateStart.count - 1 }

    /// What the raster knows about a point.
    public enum Lookup: Equatable {
        /// Inside exactly these polygons (a range of set items; empty means outside all).
        case decided(Range<Int>)
        /// In a boundary cell: test these candidates (a range of candidate items).
        case candidates(Range<Int>)
    }

    /// A view for one thread's hot loop: plain pointers into the shared storage, so reading it touches no reference
    /// count (on shared arrays every read bumps a shared count and the cores fight over that cache line). Valid while
    /// the raster it came from is alive; the holder keeps the raster (or its snapshot) alive.
    public struct View {
        public let minX: Double, minY: Double, cellWidth: Double, cellHeight: Double
        public let columns: Int, rows: Int
        let labels: UnsafePointer<Int32>
        let setStart: UnsafePointer<Int32>
        let setItems: UnsafePointer<Int32>
        let candidateStart: UnsafePointer<Int32>
        let candidateItems: UnsafePointer<Int32>

        @inline(__always)
        public func lookup(x: Double, y: Double) -> Lookup {
            let fx = (x - minX) / cellWidth, fy = (y - minY) / cellHeight
            // Outside the raster (or NaN) is outside every polygon: the raster covers all their bounding boxes.
            guard fx >= 0, fy >= 0, fx < Double(columns), fy < Double(rows) else { return .decided(0..<0) }
            let label = labels[Int(fy) * columns + Int(fx)]
            if label >= 0 {
                return .decided(Int(setStart[Int(label)])..<Int(setStart[Int(label) + 1]))
            }
            if label == -1 { return .decided(0..<0) }
            let k = Int(-label - 2)
            return .candidates(Int(candidateStart[k])..<Int(candidateStart[k + 1]))
        }

        @inline(__always) public func setMember(_ i: Int) -> Int { Int(setItems[i]) }
        @inline(__always) public func candidate(_ i: Int) -> Int { Int(candidateItems[i]) }
    }

    public var view: View {
        View(minX: minX, minY: minY, cellWidth: cellWidth, cellHeight: cellHeight, columns: columns, rows: rows,
             labels: labels.pointer, setStart: setStart.pointer, setItems: setItems.pointer,
             candidateStart: candidateStart.pointer, candidateItems: candidateItems.pointer)
    }

    /// Convenience for tests and tools (the hot loop uses a `View`).
    public func lookup(x: Double, y: Double) -> Lookup {
        withExtendedLifetime(self) { view.lookup(x: x, y: y) }
    }

    /// Approximate bytes held.
    public var memoryBytes: Int {
        [labels, setStart, setItems, candidateStart, candidateItems].reduce(0) { $0 + $1.count * 4 }
    }
}

/// Immutable Int32 storage with a stable address. Owned here: allocated and filled in `init`, freed in `deinit` —
/// unless it lies in a mapped file (`init(mapped:owner:)`), which it then keeps alive and never frees.
/// `@unchecked Sendable` is safe because nothing writes the memory after `init` returns, so any number of threads
/// may read it while a reference keeps it alive.
final class Int32Storage: @unchecked Sendable {
    let base: UnsafeMutablePointer<Int32>
    let count: Int
    /// The mapping `base` points into, or nil when `base` was allocated here.
    let owner: (any Sendable & AnyObject)?

    /// Values in place in a mapped file (4-byte aligned), kept alive by holding `owner`.
    init(mapped raw: UnsafeRawBufferPointer, owner: any Sendable & AnyObject) {
        count = raw.count / 4
        self.owner = owner
        if let b = raw.baseAddress, count > 0 {
            precondition(Int(bitPattern: b) % 4 == 0, "an index array is not aligned")
            base = UnsafeMutablePointer(mutating: b.assumingMemoryBound(to: Int32.self))
        } else {
            base = .allocate(capacity: 1)  // freed in deinit like any allocation here
        }
    }

    init(_ values: [Int32]) {
        count = values.count
        owner = nil
        base = .allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { source in
            if let a = source.baseAddress { base.initialize(from: a, count: source.count) }
        }
    }

    deinit {
        if owner == nil || count == 0 { base.deallocate() }
    }

    var pointer: UnsafePointer<Int32> { UnsafePointer(base) }
}

extension CellRaster {
    /// Builds the raster for `polygons` (WGS84 values) with about `targetCells` cells. `contains` answers whether
    /// polygon i contains a point strictly inside (used once per connected region of non-boundary cells), and
    /// `candidatesAt` lists the polygons whose envelope contains a point.
    ///
    /// `tiles`: the polygons do not overlap. A point in a boundary cell then lies in a polygon with an edge through
    /// that cell (a polygon holding the whole cell would overlap the one whose edge crosses it), so only those edge
    /// owners are candidates. Overlapping polygons keep every polygon whose envelope meets the cell.
    static func build(polygons: [GeometryValue], targetCells: Int, tiles: Bool,
                      candidatesAt: (Double, Double) -> [Int],
                      contains: (Int, Double, Double) -> Bool) -> CellRaster {
        var extent = BoundingBox.empty
        let boxes = polygons.map(\.boundingBox)
        for b in boxes { extent.extend(b) }
        guard !extent.isEmpty else {
            return CellRaster(minX: 0, minY: 0, cellWidth: 1, cellHeight: 1, columns: 1, rows: 1, labels: [-1],
                              setStart: [0], setItems: [], candidateStart: [0], candidateItems: [])
        }
        let pad = max(extent.maxX - extent.minX, extent.maxY - extent.minY, 1e-9) * 1e-6
        let x0 = extent.minX - pad, y0 = extent.minY - pad
        let w = extent.maxX - extent.minX + 2 * pad, h = extent.maxY - extent.minY + 2 * pad
        let size = (w * h / Double(max(targetCells, 1))).squareRoot()
        let columns = max(1, min(1 << 15, Int((w / size).rounded(.up))))
        let rows = max(1, min(1 << 15, Int((h / size).rounded(.up))))
        let cw = w / Double(columns), ch = h / Double(rows)
        // Margin around every edge: far above the rounding error of degree arithmetic, far below a cell.
        let eps = max(cw, ch) * 1e-6

        // 1. Boundary cells: every cell a segment passes within `eps` of, with the polygons whose edges do so.
        var boundary = [Bool](repeating: false, count: columns * rows)
        var stamp = [Int32](repeating: -1, count: columns * rows)
        var owners: [(cell: Int32, polygon: Int32)] = []
        func clampColumn(_ v: Double) -> Int { min(columns - 1, max(0, Int(((v - x0) / cw).rounded(.down)))) }
        func clampRow(_ v: Double) -> Int { min(rows - 1, max(0, Int(((v - y0) / ch).rounded(.down)))) }
        for (pi, p) in polygons.enumerated() {
            for poly in p.polygons {
                for ring in poly.rings {
                    let xy = ring.xy
                    var i = 0
                    while i + 3 < xy.count {
                        let ax = xy[i], ay = xy[i + 1], bx = xy[i + 2], by = xy[i + 3]
                        i += 2
                        let lox = min(ax, bx), hix = max(ax, bx), loy = min(ay, by), hiy = max(ay, by)
                        let c0 = clampColumn(lox - eps), c1 = clampColumn(hix + eps)
                        for c in c0...c1 {
                            // The part of the segment over this column (widened by eps), as a y-range.
                            let xa = max(lox, x0 + Double(c) * cw - eps), xb = min(hix, x0 + Double(c + 1) * cw + eps)
                            var ya: Double, yb: Double
                            if bx == ax {
                                ya = loy; yb = hiy
                            } else {
                                let ta = min(1, max(0, (xa - ax) / (bx - ax))), tb = min(1, max(0, (xb - ax) / (bx - ax)))
                                ya = ay + ta * (by - ay); yb = ay + tb * (by - ay)
                                if ya > yb { swap(&ya, &yb) }
                            }
                            let r0 = clampRow(max(ya, loy) - eps), r1 = clampRow(min(yb, hiy) + eps)
                            for r in r0...r1 {
                                let k = r * columns + c
                                boundary[k] = true
                                if stamp[k] != Int32(pi) {
                                    stamp[k] = Int32(pi)
                                    owners.append((Int32(k), Int32(pi)))
                                }
                            }
                        }
                    }
                }
            }
        }
        stamp = []

        // 2. Boundary cell numbers and their candidates.
        var labels = [Int32](repeating: Int32.min, count: columns * rows)
        var boundaryCount = 0
        for k in 0..<(columns * rows) where boundary[k] {
            labels[k] = Int32(-2 - boundaryCount)
            boundaryCount += 1
        }
        var counts = [Int32](repeating: 0, count: boundaryCount + 1)
        func eachBoundaryCell(of b: BoundingBox, _ body: (Int) -> Void) {
            let c0 = clampColumn(b.minX - eps), c1 = clampColumn(b.maxX + eps)
            let r0 = clampRow(b.minY - eps), r1 = clampRow(b.maxY + eps)
            for r in r0...r1 {
                for c in c0...c1 where boundary[r * columns + c] { body(Int(-labels[r * columns + c] - 2)) }
            }
        }
        if tiles {
            for o in owners { counts[Int(-labels[Int(o.cell)] - 2) + 1] += 1 }
        } else {
            for b in boxes { eachBoundaryCell(of: b) { counts[$0 + 1] += 1 } }
        }
        for k in 0..<boundaryCount { counts[k + 1] += counts[k] }
        let candidateStart = counts
        var fill = Array(counts.dropLast())
        var candidateItems = [Int32](repeating: 0, count: Int(counts[boundaryCount]))
        if tiles {
            // Owners were appended polygon by polygon, so each cell's list comes out in ascending polygon order.
            for o in owners {
                let k = Int(-labels[Int(o.cell)] - 2)
                candidateItems[Int(fill[k])] = o.polygon
                fill[k] += 1
            }
        } else {
            for (pi, b) in boxes.enumerated() {
                eachBoundaryCell(of: b) { k in
                    candidateItems[Int(fill[k])] = Int32(pi)
                    fill[k] += 1
                }
            }
        }
        owners = []

        // 3. Regions of non-boundary cells: one containment test per region, by flood fill.
        var setIndex: [[Int32]: Int32] = [[]: 0]
        var setStart: [Int32] = [0, 0]
        var setItems: [Int32] = []
        var queue: [Int32] = []
        queue.reserveCapacity(1024)
        for start in 0..<(columns * rows) where labels[start] == Int32.min {
            let sx = x0 + (Double(start % columns) + 0.5) * cw, sy = y0 + (Double(start / columns) + 0.5) * ch
            let set = candidatesAt(sx, sy).filter { contains($0, sx, sy) }.map { Int32($0) }.sorted()
            let label: Int32
            if let known = setIndex[set] {
                label = known
            } else {
                label = Int32(setStart.count - 1)
                setIndex[set] = label
                setItems.append(contentsOf: set)
                setStart.append(Int32(setItems.count))
            }
            // An empty set is stored as label -1 so outside cells need no set lookup.
            let mark: Int32 = set.isEmpty ? -1 : label
            labels[start] = mark
            queue.removeAll(keepingCapacity: true)
            queue.append(Int32(start))
            var head = 0
            while head < queue.count {
                let k = Int(queue[head])
                head += 1
                let c = k % columns, r = k / columns
                if c > 0, labels[k - 1] == Int32.min { labels[k - 1] = mark; queue.append(Int32(k - 1)) }
                if c < columns - 1, labels[k + 1] == Int32.min { labels[k + 1] = mark; queue.append(Int32(k + 1)) }
                if r > 0, labels[k - columns] == Int32.min { labels[k - columns] = mark; queue.append(Int32(k - columns)) }
                if r < rows - 1, labels[k + columns] == Int32.min { labels[k + columns] = mark; queue.append(Int32(k + columns)) }
            }
        }
        return CellRaster(minX: x0, minY: y0, cellWidth: cw, cellHeight: ch, columns: columns, rows: rows,
                          labels: labels, setStart: setStart, setItems: setItems,
                          candidateStart: candidateStart, candidateItems: candidateItems)
    }
}
