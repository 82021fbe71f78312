/// One event as the reports see it: its classification, the closed loop's times and outcome, and the codes of the
/// grids it counts for at the report's level or layer. Built from stored columns, never from the event's text.
public struct ReportEvent: Sendable, Equatable {
    public var id: Int64
    public var type: String
    public var severity: Int
    public var status: EventStatus
    public var department: String?
    public var match: MatchKind
    public var outside: Bool
    public var reportedAt: Double
    public var acceptedAt: Double?
    public var resolvedAt: Double?
    public var closedAt: Double?
    /// The current phase's deadline while the event is open.
    public var dueAt: Double?
    /// A suspension is running (the clock is stopped, so the event cannot be overdue).
    public var suspended: Bool
    /// Hours past the resolution deadline at the last resolution (0 when on time); nil until resolved.
    public var resolvedLateHours: Double?
    public var reworks: Int
    public var returns: Int
    public var extensions: Int
    public var satisfaction: Satisfaction?
    /// The rating that counts (the dispatcher's override if there is one).
    public var rating: Rating?
    /// The grids it counts for (one at a residential level; any number in an overlay layer).
    public var grids: [String]

    public init(id: Int64, type: String, severity: Int, status: EventStatus, department: String? = nil,
                match: MatchKind = .inside, outside: Bool = false, reportedAt: Double, acceptedAt: Double? = nil,
                resolvedAt: Double? = nil, closedAt: Double? = nil, dueAt: Double? = nil, suspended: Bool = false,
                resolvedLateHours: Double? = nil, reworks: Int = 0, returns: Int = 0, extensions: Int = 0,
                satisfaction: Satisfaction? = nil, rating: Rating? = nil, grids: [String] = []) {
        self.id = id; self.type = type; self.severity = severity; self.status = status; self.department = department
        self.match = match; self.outside = outside; self.reportedAt = reportedAt; self.acceptedAt = acceptedAt
        self.resolvedAt = resolvedAt; self.closedAt = closedAt; self.dueAt = dueAt; self.suspended = suspended
        self.resolvedLateHours = resolvedLateHours; self.reworks = reworks; self.returns = returns
        self.extensions = extensions; self.satisfaction = satisfaction; self.rating = rating; self.grids = grids
    }

    public var isClosed: Bool { status == .closed || status == .evaluated }
    public var isOpen: Bool { !isClosed && status != .rejected }

    /// Open and past its current deadline at `now` (the red warning), unless a suspension has stopped its clock.
    public func isOverdue(at now: Double) -> Bool {
        guard isOpen, !suspended, let due = dueAt else { return false }
        return due < now
    }
}

/// The closed-loop figures of a set of events (a grid's, a department's, a whole layer's). Add events, then read.
///
/// Definitions (the same in every report and format):
/// - **received**: events reported in the period (rejected ones included);
/// - **resolution rate** (办结率) = closed ÷ received, where closed means the centre closed it (status `closed`
///   or `evaluated`) by the time the report is made;
/// - **satisfaction rate** (满意率) = (satisfied + neutral) ÷ events whose resident gave an answer — neutral is
///   基本满意, "basically satisfied", which the seed's 99 % counts as satisfied;
/// - **on-time rate** = events resolved by their resolution deadline (suspensions and approved extensions
///   included) ÷ events resolved; a reworked event counts by its last resolution;
/// - **overdue**: open events past their current phase's deadline when the report is made (suspended ones not);
/// - **hours to accept / resolve / close**: medians from the report time to acceptance, to the last resolution, to
///   closing, over the events that got there;
/// - **reworks**: how many times the centre sent a result back (an event may count more than once);
/// - **outside** / **boundary**: events outside every residential grid (kept with the nearest) / exactly on a grid
///   edge (counted for one grid by the smallest-code rule).
public struct LoopTally: Sendable, Equatable {
    public var received = 0
    public var byStatus: [EventStatus: Int] = [:]
    public var byType: [String: Int] = [:]
    /// Index 0 is severity 1.
    public var bySeverity = [0, 0, 0, 0]
    public var rejected = 0
    public var closed = 0
    public var open = 0
    public var overdue = 0
    public var resolved = 0
    public var onTime = 0
    public var satisfied = 0
    public var neutral = 0
    public var dissatisfied = 0
    public var good = 0
    public var average = 0
    public var poor = 0
    public var reworks = 0
    public var reworkedEvents = 0
    public var returns = 0
    public var extensions = 0
    public var outside = 0
    public var boundary = 0
    public var hoursToAccept: [Double] = []
    public var hoursToResolve: [Double] = []
    public var hoursToClose: [Double] = []

    public init() {}

    public mutating func add(_ e: ReportEvent, now: Double) {
        received += 1
        byStatus[e.status, default: 0] += 1
        byType[e.type, default: 0] += 1
        if (1...4).contains(e.severity) { bySeverity[e.severity - 1] += 1 }
        if e.status == .rejected { rejected += 1 }
        if e.isClosed { closed += 1 }
        if e.isOpen { open += 1 }
        if e.isOverdue(at: now) { overdue += 1 }
        if let late = e.resolvedLateHours, e.resolvedAt != nil {
            resolved += 1
            if late <= 0 { onTime += 1 }
        }
        switch e.satisfaction {
        case .satisfied: satisfied += 1
        case .neutral: neutral += 1
        case .dissatisfied: dissatisfied += 1
        case nil: break
        }
        switch e.rating {
        case .good: good += 1
        case .average: average += 1
        case .poor: poor += 1
        case nil: break
        }
        reworks += e.reworks
        if e.reworks > 0 { reworkedEvents += 1 }
        returns += e.returns
        extensions += e.extensions
        if e.outside { outside += 1 } else if e.match == .boundary { boundary += 1 }
        if let t = e.acceptedAt { hoursToAccept.append((t - e.reportedAt) / 3600) }
        if let t = e.resolvedAt { hoursToResolve.append((t - e.reportedAt) / 3600) }
        if let t = e.closedAt { hoursToClose.append((t - e.reportedAt) / 3600) }
    }

    public static func rate(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }

    public var resolutionRate: Double? { Self.rate(closed, received) }
    public var satisfactionRate: Double? { Self.rate(satisfied + neutral, satisfied + neutral + dissatisfied) }
    public var onTimeRate: Double? { Self.rate(onTime, resolved) }

    /// The middle value (the mean of the two middle ones for an even count); nil for none.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var v = values
        let mid = v.count / 2
        // Selection, not a full sort: reports take medians of hundreds of thousands of values.
        v.withUnsafeMutableBufferPointer { select(&$0, mid) }
        if v.count % 2 == 1 { return v[mid] }
        let lower = v[..<mid].max()!
        return (lower + v[mid]) / 2
    }

    /// Hoare's quickselect: afterwards `b[k]` is the k-th smallest, everything before it no larger.
    static func select(_ b: inout UnsafeMutableBufferPointer<Double>, _ k: Int) {
        var lo = 0, hi = b.count - 1
        while lo < hi {
            let pivot = b[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while b[i] < pivot { i += 1 }
                while b[j] > pivot { j -= 1 }
                if i <= j { b.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }

    public var medianHoursToAccept: Double? { Self.median(hoursToAccept) }
    public var medianHoursToResolve: Double? { Self.median(hoursToResolve) }
    public var medianHoursToClose: Double? { Self.median(hoursToClose) }
}
