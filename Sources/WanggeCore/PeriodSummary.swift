/// What the periodic summary (周报告 weekly, 月交流 monthly, 季小结 quarterly) shows, for the whole street or one
/// community: headline figures against the previous period, a row per community (or per courtyard of the one
/// community), the courtyards for the map, the departments (street only) and the event types.
public struct PeriodSummary: Sendable {
    public var period: ReportPeriod
    public var previous: ReportPeriod
    /// The street's name, and " · " and the community's when the summary is for one community.
    public var place: String
    /// The community code, when the summary is for one community.
    public var community: String?
    public var total: LoopTally
    public var totalBefore: LoopTally
    /// Communities (street) or the community's courtyards, with the same grids' figures in the previous period.
    public var rows: [(grid: ReportGrid, tally: LoopTally, before: LoopTally)]
    /// Courtyards of the place, for the map and the blind spots.
    public var courtyards: GridReport
    public var departments: DepartmentReport?
    /// Event type names by code.
    public var typeNames: [String: String]
    /// When the figures were taken (seconds since 1970).
    public var asOf: Double
    /// People and organisations per row's grid: vacancies on the day the summary is made, organisations now,
    /// joint-building activities in the period.
    public var work: [String: GridWork] = [:]

    public init(period: ReportPeriod, previous: ReportPeriod, place: String, community: String?, total: LoopTally,
                totalBefore: LoopTally, rows: [(grid: ReportGrid, tally: LoopTally, before: LoopTally)],
                courtyards: GridReport, departments: DepartmentReport?, typeNames: [String: String], asOf: Double) {
        self.period = period; self.previous = previous; self.place = place; self.community = community
        self.total = total; self.totalBefore = totalBefore; self.rows = rows; self.courtyards = courtyards
        self.departments = departments; self.typeNames = typeNames; self.asOf = asOf
    }

    /// Courtyards with no event in the period.
    public var blindSpots: [ReportGrid] { courtyards.rows.filter { $0.tally.received == 0 }.map(\.grid) }
}

/// What a summary row says of the people and organisations on a grid (and the grids under it).
public struct GridWork: Sendable, Equatable {
    /// Roles nobody holds, with the grid that lacks them (`13010500500202 medical`).
    public var vacancies: [String]
    public var organisations: Int
    public var activities: Int
    public var participants: Int

    public init(vacancies: [String] = [], organisations: Int = 0, activities: Int = 0, participants: Int = 0) {
        self.vacancies = vacancies; self.organisations = organisations; self.activities = activities; self.participants = participants
    }
}
