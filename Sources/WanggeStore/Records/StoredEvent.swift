import Foundation
import GRDB
import WanggeCore

/// A row of `event`: the event as reported and assigned, its place in the closed loop, and the loop's outcome
/// columns that reports read. Read by the positions of `Columns` in `selection` (GRDB's lookup by name lowercases
/// the name on every access, which shows in list requests), so the column list and the reading cannot drift apart.
struct StoredEvent: FetchableRecord {
    static let databaseTableName = "event"

    /// The columns an `EventRecord` is read from, in the order they are selected.
    enum Columns: Int, CaseIterable {
        case id, type, severity, status, lon, lat
        case inputCRS, inputX, inputY
        case description, reporterName, reporterPhone, channel
        case occurredAt, reportedAt
        case match, street, community, courtyard, building, functional, industry, touching
        case submittedBy, department, version, workflow
        case reporterEmail, mediaURL, lowerLevels, component

        var name: String {
            switch self {
            case .inputCRS: return "input_crs"
            case .inputX: return "input_x"
            case .inputY: return "input_y"
            case .reporterName: return "reporter_name"
            case .reporterPhone: return "reporter_phone"
            case .occurredAt: return "occurred_at"
            case .reportedAt: return "reported_at"
            case .submittedBy: return "submitted_by"
            case .reporterEmail: return "reporter_email"
            case .mediaURL: return "media_url"
            case .lowerLevels: return "lower_levels"
            default: return String(describing: self)
            }
        }
    }

    /// `SELECT e.id, e.type, … FROM event e`.
    static let selection = "SELECT " + Columns.allCases.map { "e.\($0.name)" }.joined(separator: ", ") + " FROM event e"

    /// The loop's outcome columns (kept in step with the workflow state by `save`), in this order.
    enum OutcomeColumns: String, CaseIterable {
        case acceptedAt = "accepted_at", resolvedAt = "resolved_at", resolvedLateHours = "resolved_late_hours"
        case closedAt = "closed_at", suspended, reworks, returns, extensions, satisfaction, rating
        case duplicateOf = "duplicate_of", parked

        static func values(_ s: WorkflowState) -> [(any DatabaseValueConvertible)?] {
            [s.acceptedAt, s.resolvedAt, s.resolvedLateHours, s.closedAt, s.suspendedSince != nil, s.reworks, s.returns,
             s.extensions, s.satisfaction?.rawValue, s.effectiveRating?.rawValue, s.duplicateOf, s.parkedSince != nil]
        }

        /// `accepted_at = ?, resolved_at = ?, …`.
        static let assignment = allCases.map { "\($0.rawValue) = ?" }.joined(separator: ", ")
    }

    var record: EventRecord
    /// The workflow state as JSON; NULL until the first action (intake does not encode JSON for every event).
    var workflowJSON: String?

    init(row r: Row) {
        func value<T: DatabaseValueConvertible>(_ c: Columns) -> T { r[c.rawValue] }
        func optional<T: DatabaseValueConvertible>(_ c: Columns) -> T? { r[c.rawValue] }
        func codes(_ c: Columns) -> [String] {
            let s: String = value(c)
            return s.isEmpty ? [] : s.split(separator: ";").map(String.init)
        }
        let residential = ResidentialAnswer(match: MatchKind(rawValue: value(.match)) ?? .outside,
                                            slots: [optional(.street), optional(.community), optional(.courtyard), optional(.building)],
                                            lower: optional(.lowerLevels), touching: codes(.touching))
        let functional = codes(.functional), industry = codes(.industry)
        let lon: Double = value(.lon), lat: Double = value(.lat)
        let assignment = PointAssignment(lon: lon, lat: lat, residential: residential,
                                         functional: OverlayAnswer(match: functional.isEmpty ? .outside : .inside, grids: functional),
                                         industry: OverlayAnswer(match: industry.isEmpty ? .outside : .inside, grids: industry))
        let e = NewEvent(type: value(.type), severity: value(.severity), lon: lon, lat: lat, inputCRS: value(.inputCRS),
                         inputX: value(.inputX), inputY: value(.inputY), description: value(.description),
                         reporterName: value(.reporterName), reporterPhone: value(.reporterPhone),
                         reporterEmail: value(.reporterEmail), mediaURL: optional(.mediaURL),
                         channel: EventChannel(rawValue: value(.channel)) ?? .web, occurredAt: value(.occurredAt),
                         reportedAt: value(.reportedAt), assignment: assignment, submittedBy: optional(.submittedBy),
                         component: optional(.component))
        record = EventRecord(id: value(.id), event: e, status: EventStatus(rawValue: value(.status)) ?? .reported,
                             department: optional(.department), version: value(.version))
        workflowJSON = optional(.workflow)
    }

    /// The stored state, or the state of an event as reported.
    var workflowState: WorkflowState {
        if let json = workflowJSON, let s = try? JSONDecoder().decode(WorkflowState.self, from: Data(json.utf8)) {
            return s
        }
        return WorkflowState(status: record.status, department: record.department, version: record.version,
                             type: record.event.type, severity: record.event.severity, reportedAt: record.event.reportedAt)
    }
}
