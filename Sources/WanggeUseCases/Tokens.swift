import Foundation
public import WanggeCore

/// API tokens: made from 32 random bytes, shown once, stored only as their SHA-256.
public enum Tokens {
    /// A new token: `wg_` and 43 URL-safe base64 characters (256 bits from the system's secure generator).
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let b64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "wg_" + b64
    }

    public static func hash(_ token: String) -> String { SHA256.hex(Array(token.utf8)) }

    /// Creates a token and returns it with its record; the plain token exists only in the return value.
    /// - Throws: `InvalidFields` when a department token names no known department (or another role names one).
    public static func create(name: String, role: Role, department: String?, in repository: any TokenRepository & EventRepository) throws -> (token: String, record: APIToken) {
        if role == .department {
            guard let department else { throw InvalidFields([FieldError("department", "a department token needs --department CODE")]) }
            let known = try repository.departments().map(\.code)
            guard known.contains(department) else {
                throw InvalidFields([FieldError("department", "unknown department \"\(department)\"; known: \(known.joined(separator: ", "))")])
            }
        } else if department != nil {
            throw InvalidFields([FieldError("department", "only department tokens are bound to a department")])
        }
        let token = generate()
        let record = try repository.createToken(name: name, role: role, department: department, tokenHash: hash(token),
                                                prefix: String(token.prefix(8)))
        return (token, record)
    }
}
