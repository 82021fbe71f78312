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
    /// Parked (挂账): it cannot be done now, leaves the disposal figures and cannot be overdue.
    public var parked = false
    /// Hours past the resolution deadline at the last resolution (0 when on time); nil until resolved.
    public var resolvedLateHours: Double?
    public var reworks: Int
    public var returns: Int
    public var extensions: Int
    public var satisfaction: Satisfaction?
    /// The rating that counts (the dispatcher's override if there is one).
    public var rating: Rating?
    /// The grid it counts for at the report's level (the first of its overlay grids); nil for none.
    public var grid: String?
    /// Further overlay grids it lies in (overlays may overlap); empty at residential levels.
    public var otherGrids: [String]
    /// Where it was reported, WGS84 (for a report that assigns the events again).
    public var lon: Double
    public var lat: Double

    /// The grids it counts for (one at a residential level; any number in an overlay layer).
    public var grids: [String] {
        get { grid.map { [$0] + otherGrids } ?? [] }
        set { grid = newValue.first; otherGrids = Array(newValue.dropFirst()) }
    }

    public init(id: Int64, type: String, severity: Int, status: EventStatus, department: String? = nil,
                match: MatchKind = .inside, outside: Bool = false, reportedAt: Double, acceptedAt: Double? = nil,
                resolvedAt: Double? = nil, closedAt: Double? = nil, dueAt: Double? = nil, suspended: Bool = false,
                resolvedLateHours: Double? = nil, reworks: Int = 0, returns: Int = 0, extensions: Int = 0,
                satisfaction: Satisfaction? = nil, rating: Rating? = nil, grids: [String]) {
        self.init(id: id, type: type, severity: severity, status: status, department: department, match: match, outside: outside,
                  reportedAt: reportedAt, acceptedAt: acceptedAt, resolvedAt: resolvedAt, closedAt: closedAt, dueAt: dueAt,
                  suspended: suspended, resolvedLateHours: resolvedLateHours, reworks: reworks, returns: returns,
                  extensions: extensions, satisfaction: satisfaction, rating: rating, grid: grids.first,
                  otherGrids: Array(grids.dropFirst()))
    }

    public init(id: Int64, type: String, severity: Int, status: EventStatus, department: String? = nil,
                match: MatchKind = .inside, outside: Bool = false, reportedAt: Double, acceptedAt: Double? = nil,
                resolvedAt: Double? = nil, closedAt: Double? = nil, dueAt: Double? = nil, suspended: Bool = false,
                resolvedLateHours: Double? = nil, reworks: Int = 0, returns: Int = 0, extensions: Int = 0,
                satisfaction: Satisfaction? = nil, rating: Rating? = nil, grid: String? = nil, otherGrids: [String] = [],
                lon: Double = 0, lat: Double = 0) {
        self.lon = lon; self.lat = lat
        self.id = id; self.type = type; self.severity = severity; self.status = status; self.department = department
        self.match = match; self.outside = outside; self.reportedAt = reportedAt; self.acceptedAt = acceptedAt
        self.resolvedAt = resolvedAt; self.closedAt = closedAt; self.dueAt = dueAt; self.suspended = suspended
        self.resolvedLateHours = resolvedLateHours; self.reworks = reworks; self.returns = returns
        self.extensions = extensions; self.satisfaction = satisfaction; self.rating = rating
        self.grid = grid; self.otherGrids = otherGrids
    }

    public var isClosed: Bool { status == .closed || status == .evaluated }
    public var isOpen: Bool { !isClosed && status != .rejected }

    /// Open and past its current deadline at `now` (the red warning), unless a suspension has stopped its clock.
    public func isOverdue(at now: Double) -> Bool {
        guard isOpen, !suspended, !parked, let due = dueAt else { return false }
        return due < now
    }

    /// 立案: accepted by the centre (and not rejected).
    public var isFiled: Bool { acceptedAt != nil && status != .rejected }
    /// 处置: the department resolved it (or the centre closed it).
    public var isDisposed: Bool { resolvedAt != nil || isClosed }
    /// Dispatched to a department at least once.
    public var wasDispatched: Bool {
        returns > 0 || resolvedAt != nil || [.dispatched, .inProgress, .resolved].contains(status)
    }
    /// Resolved by its deadline at its last resolution.
    public var resolvedOnTime: Bool { resolvedAt != nil && (resolvedLateHours ?? 0) <= 0 }
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
public struct LoopTally: Sendable {
    public var received = 0
    /// By status ordinal (`TallySet.statusOrdinal`); inline, so counting touches no heap array.
    var statusCounts = InlineArray<8, Int>(repeating: 0)
    var severityCounts = InlineArray<4, Int>(repeating: 0)
    public var byType: [String: Int] = [:]
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
    // The standard's figures (GB/T 30428, as cities report them monthly).
    /// 立案: filed (accepted, not rejected).
    public var filed = 0
    /// 应结案: filed, not parked, and disposed or overdue while undisposed.
    public var dueToClose = 0
    /// 结案: closed, of those due to close.
    public var closedOfDue = 0
    /// 按期结案: closed and resolved by the deadline, of those due to close.
    public var closedOnTime = 0
    /// 应处置: dispatched, not parked, and resolved or overdue while unresolved.
    public var dueToDispose = 0
    /// Dispatched at least once, and of those never returned as a wrong dispatch (准确派遣).
    public var dispatched = 0
    public var accuratelyDispatched = 0
    /// 挂账: parked now.
    public var parked = 0
    public var medianHoursToAccept: Double?
    public var medianHoursToResolve: Double?
    public var medianHoursToClose: Double?

    public init() {}

    public var byStatus: [EventStatus: Int] {
        var d: [EventStatus: Int] = [:]
        for s in EventStatus.allCases where statusCounts[TallySet.statusOrdinal(s)] > 0 { d[s] = statusCounts[TallySet.statusOrdinal(s)] }
        return d
    }

    /// Index 0 is severity 1.
    public var bySeverity: [Int] { (0..<4).map { severityCounts[$0] } }

    /// Every counter of one event (its type and medians are kept by the `TallySet` that calls this).
    mutating func count(_ e: ReportEvent, status: Int, now: Double) {
        received += 1
        statusCounts[status] += 1
        if e.severity >= 1 && e.severity <= 4 { severityCounts[e.severity - 1] += 1 }
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
        if e.parked { parked += 1 }
        if e.isFiled {
            filed += 1
            let overdueUndisposed = !e.isDisposed && e.isOverdue(at: now)
            if !e.parked && (e.isDisposed || overdueUndisposed) {
                dueToClose += 1
                if e.isClosed {
                    closedOfDue += 1
                    if e.resolvedOnTime { closedOnTime += 1 }
                }
            }
        }
        if e.wasDispatched {
            dispatched += 1
            if e.returns == 0 { accuratelyDispatched += 1 }
            if !e.parked && (e.resolvedAt != nil || (!e.isDisposed && e.isOverdue(at: now))) { dueToDispose += 1 }
        }
    }

    /// Adds another tally's counters (of the same group, counted over other events); medians are not merged here.
    mutating func merge(_ o: LoopTally) {
        received += o.received
        for i in 0..<8 { statusCounts[i] += o.statusCounts[i] }
        for i in 0..<4 { severityCounts[i] += o.severityCounts[i] }
        rejected += o.rejected; closed += o.closed; open += o.open; overdue += o.overdue
        resolved += o.resolved; onTime += o.onTime
        satisfied += o.satisfied; neutral += o.neutral; dissatisfied += o.dissatisfied
        good += o.good; average += o.average; poor += o.poor
        reworks += o.reworks; reworkedEvents += o.reworkedEvents; returns += o.returns; extensions += o.extensions
        outside += o.outside; boundary += o.boundary
        filed += o.filed; dueToClose += o.dueToClose; closedOfDue += o.closedOfDue; closedOnTime += o.closedOnTime
        dueToDispose += o.dueToDispose; dispatched += o.dispatched; accuratelyDispatched += o.accuratelyDispatched
        parked += o.parked
    }

    public static func rate(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }

    public var resolutionRate: Double? { Self.rate(closed, received) }
    public var satisfactionRate: Double? { Self.rate(satisfied + neutral, satisfied + neutral + dissatisfied) }
    public var onTimeRate: Double? { Self.rate(onTime, resolved) }
    /// 结案率 = 结案 ÷ 应结案.
    public var closureRate: Double? { Self.rate(closedOfDue, dueToClose) }
    /// 按期结案率 = 按期结案 ÷ 应结案.
    public var onTimeClosureRate: Double? { Self.rate(closedOnTime, dueToClose) }
    /// 按期处置率 = resolved by the deadline ÷ 应处置.
    public var disposalOnTimeRate: Double? { Self.rate(onTime, dueToDispose) }
    /// 返工率 = events reworked ÷ events resolved.
    public var reworkRate: Double? { Self.rate(reworkedEvents, resolved) }
    /// 准确派遣率 = dispatched and never returned ÷ dispatched.
    public var accurateDispatchRate: Double? { Self.rate(accuratelyDispatched, dispatched) }

    /// The middle value (the mean of the two middle ones for an even count); nil for none.
    public static func median(_ values: [Double]) -> Double? {
        var v = values
        return v.withUnsafeMutableBufferPointer { median(inPlace: $0) }
    }

    /// The median of a buffer that may be reordered: selection, not a full sort (reports take medians of hundreds
    /// of thousands of values).
    static func median(inPlace b: UnsafeMutableBufferPointer<Double>) -> Double? {
        guard !b.isEmpty else { return nil }
        var b = b
        let mid = b.count / 2
        select(&b, mid)
        if b.count % 2 == 1 { return b[mid] }
        var lower = b[0]
        for i in 1..<mid where b[i] > lower { lower = b[i] }
        return (lower + b[mid]) / 2
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
}

/// The tallies of many groups at once (the grids of a report and its totals, or departments), fed one event at a
/// time. Counters go straight into each group's `LoopTally`; event types are numbered once per event rather than
/// hashed per group; the hours behind the medians are kept in flat arrays and split by group only at the end.
/// One pass over a million events stays well under a second this way.
public struct TallySet: Sendable {
    var tallies: [LoopTally]
    var typeIndex: [String: Int] = [:]
    var typeNames: [String] = []
    /// typeCounts[group * typeStride + type]; the stride grows (rarely) when a new type appears.
    var typeStride = 0
    var typeCounts: [Int32] = []
    /// (group, hours) of every event that reached a step: acceptance, the last resolution, closing.
    struct Samples: Sendable {
        var groups: [Int32] = []
        var hours: [Double] = []
        mutating func add(_ g: Int, _ h: Double) { groups.append(Int32(g)); hours.append(h) }
    }
    var accept = Samples(), resolve = Samples(), close = Samples()

    public init(groups: Int) {
        tallies = [LoopTally](repeating: LoopTally(), count: groups)
    }

    public var count: Int { tallies.count }

    static func statusOrdinal(_ s: EventStatus) -> Int {
        switch s {
        case .reported: return 0
        case .accepted: return 1
        case .rejected: return 2
        case .dispatched: return 3
        case .inProgress: return 4
        case .resolved: return 5
        case .closed: return 6
        case .evaluated: return 7
        }
    }

    /// Counts the event in each of `groups` (a group listed twice counts it twice).
    public mutating func add<C: Collection>(_ e: ReportEvent, to groups: C, now: Double) where C.Element == Int {
        let t = type(e.type), status = Self.statusOrdinal(e.status)
        for g in groups { count(e, in: g, type: t, status: status, now: now) }
    }

    /// Counts the event in two groups (its grid and the total): the hot path, no array built.
    public mutating func add(_ e: ReportEvent, to a: Int, and b: Int, now: Double) {
        let t = type(e.type), status = Self.statusOrdinal(e.status)
        count(e, in: a, type: t, status: status, now: now)
        count(e, in: b, type: t, status: status, now: now)
    }

    mutating func type(_ name: String) -> Int {
        if let known = typeIndex[name] { return known }
        let t = typeNames.count
        typeIndex[name] = t
        typeNames.append(name)
        if t >= typeStride { widenTypes(to: typeStride + 8) }
        return t
    }

    mutating func count(_ e: ReportEvent, in g: Int, type t: Int, status: Int, now: Double) {
        tallies[g].count(e, status: status, now: now)
        typeCounts[g * typeStride + t] += 1
        if let at = e.acceptedAt { accept.add(g, (at - e.reportedAt) / 3600) }
        if let at = e.resolvedAt { resolve.add(g, (at - e.reportedAt) / 3600) }
        if let at = e.closedAt { close.add(g, (at - e.reportedAt) / 3600) }
    }

    /// Adds what another set counted over other events, group for group (both must have the same groups).
    public mutating func merge(_ o: TallySet) {
        precondition(o.tallies.count == tallies.count, "merging tally sets of different groups")
        for g in tallies.indices { tallies[g].merge(o.tallies[g]) }
        for (t, name) in o.typeNames.enumerated() {
            let mine = type(name)
            for g in tallies.indices { typeCounts[g * typeStride + mine] += o.typeCounts[g * o.typeStride + t] }
        }
        for (k, samples) in [(0, o.accept), (1, o.resolve), (2, o.close)] {
            switch k {
            case 0: accept.groups += samples.groups; accept.hours += samples.hours
            case 1: resolve.groups += samples.groups; resolve.hours += samples.hours
            default: close.groups += samples.groups; close.hours += samples.hours
            }
        }
    }

    /// One more group (a department missing from the catalog, say); returns its index.
    public mutating func addGroup() -> Int {
        tallies.append(LoopTally())
        typeCounts.append(contentsOf: repeatElement(0, count: typeStride))
        return tallies.count - 1
    }

    mutating func widenTypes(to stride: Int) {
        var wider = [Int32](repeating: 0, count: tallies.count * stride)
        for g in 0..<tallies.count {
            for t in 0..<typeStride { wider[g * stride + t] = typeCounts[g * typeStride + t] }
        }
        typeCounts = wider
        typeStride = stride
    }

    /// The tallies with their types and medians filled in.
    public func finish() -> [LoopTally] {
        var out = tallies
        for g in out.indices {
            for (t, name) in typeNames.enumerated() where typeCounts[g * typeStride + t] > 0 {
                out[g].byType[name] = Int(typeCounts[g * typeStride + t])
            }
        }
        // Hours grouped by a counting sort on the group, then a median per slice.
        func medians(_ samples: Samples) -> [Double?] {
            var starts = [Int](repeating: 0, count: out.count + 1)
            for g in samples.groups { starts[Int(g) + 1] += 1 }
            for g in 0..<out.count { starts[g + 1] += starts[g] }
            var next = starts
            var sorted = [Double](repeating: 0, count: samples.hours.count)
            for (i, g) in samples.groups.enumerated() {
                sorted[next[Int(g)]] = samples.hours[i]
                next[Int(g)] += 1
            }
            return sorted.withUnsafeMutableBufferPointer { all in
                out.indices.map { g in LoopTally.median(inPlace: UnsafeMutableBufferPointer(rebasing: all[starts[g]..<starts[g + 1]])) }
            }
        }
        let (a, r, c) = (medians(accept), medians(resolve), medians(close))
        for g in out.indices {
            out[g].medianHoursToAccept = a[g]
            out[g].medianHoursToResolve = r[g]
            out[g].medianHoursToClose = c[g]
        }
        return out
    }
}
