import Foundation
import GRDB
public import WanggeCore

extension AppDatabase: TokenRepository {
    public func createToken(name: String, role: Role, department: String?, tokenHash: String, prefix: String) throws -> APIToken {
        let now = Date().timeIntervalSince1970
        return try writer.write { db in
            try db.execute(sql: """
                INSERT INTO api_token (name, role, department, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [name, role.rawValue, department, tokenHash, prefix, now])
            return APIToken(id: db.lastInsertedRowID, name: name, role: role, department: department, prefix: prefix,
                            createdAt: now, revokedAt: nil)
        }
    }

    public func tokens() throws -> [APIToken] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_token ORDER BY id").map(Self.token)
        }
    }

    public func revokeToken(id: Int64) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [Date().timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    public func identity(tokenHash: String) throws -> Identity? {
        try writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL"), arguments: [tokenHash])
                .map { r in
                    let t = Self.token(r)
                    return Identity(tokenID: t.id, name: t.name, role: t.role, department: t.department)
                }
        }
    }

    static func token(_ r: Row) -> APIToken {
        APIToken(id: r["id"], name: r["name"], role: Role(rawValue: r["role"]) ?? .viewer, department: r["department"],
                 prefix: r["prefix"], createdAt: r["created_at"], revokedAt: r["revoked_at"])
    }
}
