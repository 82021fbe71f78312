/// One administrative action, as the audit log keeps it: who, when, what, on what. The log is append-only
/// (storage refuses to change or delete an entry).
public struct AuditEntry: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case tokenCreated = "token_created"
        case tokenRevoked = "token_revoked"
        case boundariesImported = "boundaries_imported"
        case versionActivated = "version_activated"
        case servicePointsReplaced = "service_points_replaced"
        case rosterReplaced = "roster_replaced"
        case responsibilitiesReplaced = "responsibilities_replaced"
        case organisationsReplaced = "organisations_replaced"
        case componentsReplaced = "components_replaced"
        case partyReplaced = "party_replaced"
        case jointBuildingReplaced = "joint_building_replaced"
        case backupTaken = "backup_taken"
        case restored
    }

    /// Who did it: a token over HTTP, or the command line (the system user running it).
    public enum Actor: Sendable, Equatable {
        case token(Identity)
        case commandLine(user: String)

        public var name: String {
            switch self {
            case .token(let i): return i.name
            case .commandLine(let user): return "command line (\(user))"
            }
        }

        public var role: String {
            switch self {
            case .token(let i): return i.role.rawValue
            case .commandLine: return "cli"
            }
        }

        public var tokenID: Int64? {
            if case .token(let i) = self { return i.tokenID }
            return nil
        }
    }

    public var id: Int64
    /// Seconds since 1970.
    public var at: Double
    public var actorName: String
    public var role: String
    public var tokenID: Int64?
    public var action: Action
    /// What it was done to (a layer, a token number, a file).
    public var target: String
    /// Figures of the action (grids stored, people, a token's role…), as a JSON object.
    public var detail: JSONObject

    public init(id: Int64, at: Double, actorName: String, role: String, tokenID: Int64?, action: Action, target: String, detail: JSONObject) {
        self.id = id; self.at = at; self.actorName = actorName; self.role = role; self.tokenID = tokenID
        self.action = action; self.target = target; self.detail = detail
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("id", .number(JSONNumber(Int(id)))), ("at", .string(Timestamp.format(at))), ("actor", .string(actorName)),
            ("role", .string(role)), ("token", tokenID.map { .number(JSONNumber(Int($0))) } ?? .null),
            ("action", .string(action.rawValue)), ("target", .string(target)), ("detail", .object(detail)),
        ]))
    }
}

/// Where the audit log is kept.
public protocol AuditRepository: Sendable {
    /// Appends an entry; returns its id.
    @discardableResult
    func appendAudit(at: Double, actor: AuditEntry.Actor, action: AuditEntry.Action, target: String, detail: JSONObject) throws -> Int64
    /// The newest entries first, optionally of one action and from a time on.
    func auditLog(limit: Int, action: AuditEntry.Action?, since: Double?) throws -> [AuditEntry]
}
