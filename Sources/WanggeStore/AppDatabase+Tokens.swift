import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: TokenRepository {
    public func createToken(name: String, role: Role, department: String?, tokenHash: String, prefix: String) throws -> APIToken {
        var record = TokenRecord(id: nil, name: name, role: role.rawValue, department: department, tokenHash: tokenHash, prefix: prefix,
                                 createdAt: Date().timeIntervalSince1970, revokedAt: nil)
        return try writer.write { db in
            try record.insert(db)
            return record.token
        }
    }

    public func tokens() throws -> [APIToken] {
        try writer.read { db in try TokenRecord.order(TokenRecord.Columns.id).fetchAll(db).map(\.token) }
    }

    public func revokeToken(id: Int64) throws -> Bool {
        try writer.write { db in
            try TokenRecord.filter(TokenRecord.Columns.id == id && TokenRecord.Columns.revokedAt == nil)
                .updateAll(db, TokenRecord.Columns.revokedAt.set(to: Date().timeIntervalSince1970)) > 0
        }
    }

    public func identity(tokenHash: String) throws -> Identity? {
        try writer.read { db in
            try TokenRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL"),
                                     arguments: [tokenHash])?.identity
        }
    }
}
