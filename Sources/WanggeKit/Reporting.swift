import Foundation
import WanggeCore
import WanggeStore

/// Reports over the stored grids and events, for the HTTP service and the CLI alike: the period a request names,
/// then one pass over that period's events.
public struct Reporting: Sendable {
    public let database: AppDatabase
    /// Now, in seconds since 1970 (injected so tests fix the moment figures are taken).
    public let clock: @Sendable () -> Double

    public init(database: AppDatabase, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.database = database
        self.clock = clock
    }

    /// The period named by `period` + `date`, or `from` + `to`; this month when nothing is given. Errors name the
    /// field at fault.
    public func period(kind: String?, date: String?, from: String?, to: String?, timeZone: String?) throws(InvalidFields) -> ReportPeriod {
        let zone = timeZone ?? ReportPeriod.defaultTimeZone
        func invalid(_ field: String, _ e: ReportPeriod.PeriodError) -> InvalidFields {
            InvalidFields([FieldError(field, e.description)])
        }
        if from != nil || to != nil {
            guard kind == nil && date == nil else {
                throw InvalidFields([FieldError("period", "give either period (with date) or from and to, not both")])
            }
            guard let from else { throw InvalidFields([FieldError("from", "is required with to")]) }
            guard let to else { throw InvalidFields([FieldError("to", "is required with from")]) }
            do { return try ReportPeriod.between(from, to, timeZone: zone) } catch {
                switch error {
                case .unknownTimeZone: throw invalid("tz", error)
                case .badDate(let d): throw invalid(d == from ? "from" : "to", error)
                case .emptySpan: throw invalid("to", error)
                }
            }
        }
        let k: ReportPeriod.Kind
        if let kind {
            guard let parsed = ReportPeriod.Kind(rawValue: kind), parsed != .custom else {
                throw InvalidFields([FieldError("period", "must be one of day, week, month, quarter, year (or give from and to)")])
            }
            k = parsed
        } else { k = .month }
        do {
            return try ReportPeriod.containing(k, date: date ?? Timestamp.format(clock()), timeZone: zone)
        } catch {
            if case .unknownTimeZone = error { throw invalid("tz", error) }
            throw invalid("date", error)
        }
    }

    /// Every grid of the scope with its figures over the period. The period is cut into equal spans read at once on
    /// separate SQLite readers (one per core, each in its own transaction) and their counts merged; a span's events
    /// are read in one snapshot, so an event changed meanwhile is counted as it was then or as it is now, never twice.
    public func grids(_ scope: ReportScope, period: ReportPeriod, parts: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> GridReport {
        let empty = GridReport.Builder(scope: scope, grids: try database.reportGrids(scope), period: period, now: clock())
        let n = max(1, min(parts, 8))
        let step = (period.to - period.from) / Double(n)
        let results = Locked([Result<GridReport.Builder, any Error>?](repeating: nil, count: n))
        DispatchQueue.concurrentPerform(iterations: n) { k in
            let from = period.from + Double(k) * step, to = k == n - 1 ? period.to : period.from + Double(k + 1) * step
            var b = empty
            let r = Result { () throws -> GridReport.Builder in
                try database.forEachReportEvent(scope: scope, from: from, to: to) { b.add($0) }
                return b
            }
            results.withLock { $0[k] = r }
        }
        var merged: GridReport.Builder?
        for r in results.withLock({ $0 }) {
            let b = try r!.get()
            if merged == nil { merged = b } else { merged!.merge(b) }
        }
        return merged!.finish()
    }

    /// Every department with the events it holds over the period.
    public func departments(period: ReportPeriod) throws -> DepartmentReport {
        var b = DepartmentReport.Builder(departments: try database.departments(), period: period, now: clock())
        try database.forEachReportEvent(scope: nil, from: period.from, to: period.to) { b.add($0) }
        return b.finish(returnedBy: try database.returnsByDepartment(from: period.from, to: period.to))
    }
}
