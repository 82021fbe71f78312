import GRDB
import WanggeCore

/// A row of `api_token`: a token's SHA-256 (never the token), its role and whether it was revoked.
struct TokenRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "api_token"

    var id: Int64?
    var name: String
    var role: String
    var department: String?
    var tokenHash: String
    var prefix: String
    var createdAt: Double
    var revokedAt: Double?

    enum CodingKeys: String, CodingKey {
        case id, name, role, department, prefix
        case tokenHash = "token_hash", createdAt = "created_at", revokedAt = "revoked_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tokenHash = Column(CodingKeys.tokenHash)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var token: APIToken {
        APIToken(id: id ?? 0, name: name, role: Role(rawValue: role) ?? .viewer, department: department, prefix: prefix,
                 createdAt: createdAt, revokedAt: revokedAt)
    }

    var identity: Identity {
        Identity(tokenID: id ?? 0, name: name, role: Role(rawValue: role) ?? .viewer, department: department)
    }
}
