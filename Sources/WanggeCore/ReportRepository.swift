/// What the reports read: the grids of a scope and the events of a period, as plain values.
public protocol ReportRepository: Sendable {
    /// The grids of a residential level or an overlay layer, in code order, with their boundaries.
    func reportGrids(_ scope: ReportScope) throws -> [ReportGrid]
    /// Every event reported in `[from, to)`, oldest first, with its grid codes in `scope` (none for `nil`; then the
    /// department is read, for the department report).
    func forEachReportEvent(scope: ReportScope?, from: Double, to: Double, _ body: (ReportEvent) throws -> Void) throws
    /// Dispatches returned by each department (as wrong dispatches), over events reported in `[from, to)`.
    func returnsByDepartment(from: Double, to: Double) throws -> [String: Int]
    /// Every event reported in `[from, to)` (not merged duplicates) with its history lines in order, for the role report.
    func forEachRoleEvent(from: Double, to: Double, _ body: (RoleEvent) throws -> Void) throws
    /// Events reported in `[from, to)` as points with their grid at `level`, for hot spots.
    func hotSpotPoints(level: GridLevel, from: Double, to: Double) throws -> [HotSpots.Point]
    /// Events reported in `[from, to)` per grid code at `level`.
    func eventCounts(level: GridLevel, from: Double, to: Double) throws -> [String: Int]
}

/// What storage does in the background to stay fast, for the service's maintenance task.
public protocol StorageMaintenance: Sendable {
    /// Copies committed changes into the main file without blocking writers (a no-op where it means nothing).
    func checkpoint() throws
    /// Writes a consistent copy of everything stored to `path` while the service runs; returns its size in bytes.
    func backup(to path: String) throws -> Int
}
