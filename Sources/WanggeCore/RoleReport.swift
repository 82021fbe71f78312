/// One event of a period with the lines of its history, as the role report reads them.
public struct RoleEvent: Sendable, Equatable {
    public var id: Int64
    public var type: String
    public var severity: Int
    public var reportedAt: Double
    public var status: EventStatus
    public var acceptedAt: Double?
    /// Who submitted it, and that token's role (nil for events without a token, such as the sample's import).
    public var submittedBy: Int64?
    public var submitterName: String?
    public var submitterRole: Role?
    public var history: [HistoryEntry]

    public init(id: Int64, type: String, severity: Int, reportedAt: Double, status: EventStatus, acceptedAt: Double?, submittedBy: Int64?,
                submitterName: String?, submitterRole: Role?, history: [HistoryEntry]) {
        self.id = id; self.type = type; self.severity = severity; self.reportedAt = reportedAt; self.status = status; self.acceptedAt = acceptedAt
        self.submittedBy = submittedBy; self.submitterName = submitterName; self.submitterRole = submitterRole
        self.history = history
    }
}

/// The figures of the people in the loop (GB/T 30428's assessment of each role): dispatchers' 按时派遣, 准确派遣 and
/// 错误派遣, and supervisors' 上报, 有效上报, 按时核实 and 按时核查, per token, over the events reported in a period.
/// Departments' figures (应处置, 按期处置, 返工, 延期, 挂账) are in the department report.
public struct RoleReport: Sendable {
    public struct Dispatcher: Sendable, Equatable {
        public var tokenID: Int64
        public var name: String
        /// Dispatch actions.
        public var dispatches = 0
        /// Made within the accept limit (from the report, or from the return that sent it back).
        public var onTime = 0
        /// Returned by the department as not its own (退件) before the next dispatch.
        public var wrong = 0
        public var accurate: Int { dispatches - wrong }
    }

    public struct Supervisor: Sendable, Equatable {
        public var tokenID: Int64
        public var name: String
        /// 上报: events this supervisor reported.
        public var reports = 0
        /// 有效上报: of those, filed (accepted, not rejected).
        public var validReports = 0
        /// 核实 and how many within the verify limit from the report.
        public var verifications = 0
        public var onTimeVerifications = 0
        /// 核查 and how many within the check limit from the resolution; how many failed.
        public var checks = 0
        public var onTimeChecks = 0
        public var failedChecks = 0
    }

    public var period: ReportPeriod
    public var dispatchers: [Dispatcher]
    public var supervisors: [Supervisor]

    public static func build<S: Sequence>(_ events: S, period: ReportPeriod, sla: SLARules, supervision: SupervisionRules) -> RoleReport
        where S.Element == RoleEvent {
        var dispatchers: [Int64: Dispatcher] = [:], supervisors: [Int64: Supervisor] = [:]
        func supervisor(_ id: Int64, _ name: String) -> Int64 {
            if supervisors[id] == nil { supervisors[id] = Supervisor(tokenID: id, name: name) }
            return id
        }
        for e in events {
            if e.submitterRole == .supervisor, let by = e.submittedBy {
                let s = supervisor(by, e.submitterName ?? "")
                supervisors[s]!.reports += 1
                if e.acceptedAt != nil && e.status != .rejected { supervisors[s]!.validReports += 1 }
            }
            let acceptLimit = sla.times(type: e.type, severity: e.severity).accept
            var clockFrom = e.reportedAt, lastResolve: Double?
            var openDispatch: Int64?
            for h in e.history {
                guard let token = h.actorToken else { continue }
                switch EventAction(rawValue: h.action) {
                case .dispatch?:
                    var d = dispatchers[token] ?? Dispatcher(tokenID: token, name: h.actorName)
                    d.dispatches += 1
                    if h.at <= sla.adding(sla.seconds(acceptLimit), acceptLimit.unit, to: clockFrom) { d.onTime += 1 }
                    dispatchers[token] = d
                    openDispatch = token
                case .returnEvent?:
                    if let by = openDispatch { dispatchers[by]?.wrong += 1 }
                    openDispatch = nil
                    clockFrom = h.at
                case .resolve?:
                    lastResolve = h.at
                case .verify?:
                    let s = supervisor(token, h.actorName)
                    supervisors[s]!.verifications += 1
                    if h.at <= sla.adding(sla.seconds(supervision.verify), supervision.verify.unit, to: e.reportedAt) {
                        supervisors[s]!.onTimeVerifications += 1
                    }
                case .check?:
                    let s = supervisor(token, h.actorName)
                    supervisors[s]!.checks += 1
                    if let r = lastResolve, h.at <= sla.adding(sla.seconds(supervision.check), supervision.check.unit, to: r) {
                        supervisors[s]!.onTimeChecks += 1
                    }
                    if h.note.hasPrefix(Workflow.checkNote(.failed)) {
                        supervisors[s]!.failedChecks += 1
                    }
                default:
                    break
                }
            }
        }
        return RoleReport(period: period,
                          dispatchers: dispatchers.values.sorted { ($0.name, $0.tokenID) < ($1.name, $1.tokenID) },
                          supervisors: supervisors.values.sorted { ($0.name, $0.tokenID) < ($1.name, $1.tokenID) })
    }

    public func json() -> JSONValue {
        func n(_ v: Int) -> JSONValue { .number(JSONNumber(v)) }
        func rate(_ a: Int, _ b: Int) -> JSONValue { ReportColumns.round(LoopTally.rate(a, b), 4) }
        return .object(JSONObject([
            ("report", .string("roles")),
            ("period", period.json),
            ("definitions", .object(JSONObject([
                ("on_time_dispatches", .string("按时派遣: dispatches made within the accept limit, counted from the report (or from the return that sent the case back)")),
                ("wrong_dispatches", .string("错误派遣: dispatches the department returned as not its own before the case was dispatched again")),
                ("accurate_dispatch_rate", .string("准确派遣率 = (dispatches − wrong) ÷ dispatches")),
                ("reports", .string("上报: events the supervisor reported; valid_reports (有效上报): of those, filed (accepted, not rejected)")),
                ("on_time_verifications", .string("按时核实: verifications within the verify limit from the report")),
                ("on_time_checks", .string("按时核查: checks within the check limit from the resolution they check")),
            ]))),
            ("dispatchers", .array(dispatchers.map { d in
                .object(JSONObject([
                    ("token_id", n(Int(d.tokenID))), ("name", .string(d.name)), ("dispatches", n(d.dispatches)),
                    ("on_time_dispatches", n(d.onTime)), ("on_time_dispatch_rate", rate(d.onTime, d.dispatches)),
                    ("accurate_dispatches", n(d.accurate)), ("wrong_dispatches", n(d.wrong)),
                    ("accurate_dispatch_rate", rate(d.accurate, d.dispatches)),
                ]))
            })),
            ("supervisors", .array(supervisors.map { s in
                .object(JSONObject([
                    ("token_id", n(Int(s.tokenID))), ("name", .string(s.name)),
                    ("reports", n(s.reports)), ("valid_reports", n(s.validReports)), ("valid_report_rate", rate(s.validReports, s.reports)),
                    ("verifications", n(s.verifications)), ("on_time_verifications", n(s.onTimeVerifications)),
                    ("on_time_verification_rate", rate(s.onTimeVerifications, s.verifications)),
                    ("checks", n(s.checks)), ("on_time_checks", n(s.onTimeChecks)), ("on_time_check_rate", rate(s.onTimeChecks, s.checks)),
                    ("failed_checks", n(s.failedChecks)),
                ]))
            })),
        ]))
    }
}
