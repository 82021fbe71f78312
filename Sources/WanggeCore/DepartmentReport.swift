/// The department report (承办部门考核): per department, the events it holds over a period — on time, overdue,
/// reworked, extended, how residents answered and how the centre rated it — and the wrong dispatches it sent back.
///
/// An event counts for the department that holds it when the report is made (the last one it was dispatched to);
/// `returned` counts the events a department sent back as not its own (退件), which then count for whoever took
/// them. Events not yet dispatched are in `undispatched`.
public struct DepartmentReport: Sendable {
    public var period: ReportPeriod
    public var asOf: Double
    public var rows: [(department: Department, tally: LoopTally, returned: Int)]
    public var undispatched: LoopTally
    public var total: LoopTally

    /// Adds events one at a time, then `finish()`.
    public struct Builder: Sendable {
        let departments: [Department]
        let period: ReportPeriod
        let now: Double
        var index: [String: Int] = [:]
        /// Groups: the catalog's departments, the undispatched, the total, then departments missing from the catalog.
        var set: TallySet
        var extra: [String: Int] = [:]

        public init(departments: [Department], period: ReportPeriod, now: Double) {
            self.departments = departments; self.period = period; self.now = now
            for (i, d) in departments.enumerated() { index[d.code] = i }
            set = TallySet(groups: departments.count + 2)
        }

        public mutating func add(_ e: ReportEvent) {
            guard e.reportedAt >= period.from && e.reportedAt < period.to else { return }
            let total = departments.count + 1
            var g = departments.count  // undispatched
            if let d = e.department {
                if let i = index[d] { g = i } else if let i = extra[d] { g = i } else {
                    g = set.addGroup()
                    extra[d] = g
                }
            }
            set.add(e, to: g, and: total, now: now)
        }

        /// - Parameter returnedBy: return actions per department for events of the period (from the history).
        public func finish(returnedBy: [String: Int]) -> DepartmentReport {
            let t = set.finish()
            var rows = zip(departments, t).map { ($0.0, $0.1, returnedBy[$0.0.code] ?? 0) }
            // A department no longer in the catalog still answers for its events.
            for (code, i) in extra.sorted(by: { $0.key < $1.key }) {
                rows.append((Department(code: code, name: code, nameEn: code, phone: ""), t[i], returnedBy[code] ?? 0))
            }
            return DepartmentReport(period: period, asOf: now, rows: rows, undispatched: t[departments.count],
                                    total: t[departments.count + 1])
        }
    }

    public static func build<S: Sequence>(departments: [Department], events: S, returnedBy: [String: Int],
                                          period: ReportPeriod, now: Double) -> DepartmentReport where S.Element == ReportEvent {
        var b = Builder(departments: departments, period: period, now: now)
        for e in events { b.add(e) }
        return b.finish(returnedBy: returnedBy)
    }

    func columns(_ row: (department: Department, tally: LoopTally, returned: Int), types: [String]) -> [(String, JSONValue)] {
        [("department", .string(row.department.code)), ("name", .string(row.department.name)),
         ("name_en", .string(row.department.nameEn)),
         ("returned_as_wrong_dispatch", .number(JSONNumber(row.returned)))] + ReportColumns.figures(row.tally, types: types)
    }

    public var types: [String] { ReportColumns.types([total]) }

    public func json() -> JSONValue {
        let types = self.types
        return .object(JSONObject([
            ("report", .string("departments")),
            ("period", period.json),
            ("as_of", .string(period.localString(asOf))),
            ("definitions", .object(JSONObject([
                ("holds", .string("an event counts for the department that holds it when the report is made (the last one it was dispatched to)")),
                ("returned_as_wrong_dispatch", .string("events of the period the department sent back as not its own (退件); they count for whoever took them")),
                ("rates", .string("as in the grid report: resolution = closed ÷ received, satisfaction = (satisfied + neutral) ÷ answered, on time = resolved by the deadline ÷ resolved")),
            ] + ReportColumns.standardDefinitions))),
            ("total", .object(JSONObject(ReportColumns.figures(total, types: types)))),
            ("undispatched", .object(JSONObject(ReportColumns.figures(undispatched, types: types)))),
            ("departments", .array(rows.map { .object(JSONObject(columns($0, types: types))) })),
        ]))
    }

    public func csv() -> String {
        let types = self.types
        let header = columns((Department(code: "", name: "", nameEn: "", phone: ""), LoopTally(), 0), types: types).map(\.0)
        return CSV.table(header: header, rows: rows.map { columns($0, types: types) })
    }
}
