import Foundation
public import WanggeCore

extension AuditRepository {
    /// Records an administrative action now.
    /// - Throws: the repository's error.
    public func record(_ action: AuditEntry.Action, by actor: AuditEntry.Actor, target: String, _ detail: [(String, JSONValue)] = []) throws {
        try appendAudit(at: Date().timeIntervalSince1970, actor: actor, action: action, target: target, detail: JSONObject(detail))
    }
}

extension AuditEntry.Actor {
    /// The system user running a command (`$USER`, else `$LOGNAME`, else the account of the process's uid).
    public static var commandLineUser: Self {
        let env = ProcessInfo.processInfo.environment
        if let user = env["USER"] ?? env["LOGNAME"], !user.isEmpty { return .commandLine(user: user) }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return .commandLine(user: String(cString: name)) }
        return .commandLine(user: "uid \(getuid())")
    }
}

extension JSONValue {
    public static func int(_ n: Int) -> JSONValue { .number(JSONNumber(n)) }
}
