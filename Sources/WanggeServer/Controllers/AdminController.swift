import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import WanggeCore
import WanggeUseCases

/// For admins: a backup of the running service's database, streamed; and the audit log of administrative actions.
struct AdminController: Sendable {
    let storage: any AuditRepository & StorageMaintenance

    var routes: [APIRoute] {
        [
            APIRoute(method: .get, path: "/admin/backup",
                     summary: "A consistent copy of the database as of now (SQLite's online backup; intake and the loop go on meanwhile), as one SQLite file to keep — `wangge restore FILE` puts it back",
                     tag: "admin", roles: [.admin],
                     answers: [.init(status: 200, description: "The SQLite database file", schema: nil, contentType: "application/vnd.sqlite3",
                                     headers: ["Content-Disposition": "attachment; filename=wangge-<time>.db"])],
                     handler: backup),
            APIRoute(method: .get, path: "/admin/audit", summary: "The audit log, newest first: tokens created and revoked, imports, replaced documents, backups, restores",
                     tag: "admin", roles: [.admin],
                     parameters: [.init(name: "action", location: .query, type: "string", description: "Only this action", enumValues: AuditEntry.Action.allCases.map(\.rawValue)),
                                  .init(name: "since", location: .query, type: "string", description: "Only from this RFC 3339 time on", format: "date-time"),
                                  .init(name: "limit", location: .query, type: "integer", description: "At most this many (default 100)", minimum: 1, maximum: 10_000)],
                     answers: [.init(status: 200, description: "The entries", schema: "Audit")], handler: audit),
        ]
    }

    @Sendable func backup(_ r: RouteRequest) async throws -> Response {
        let caller = try r.caller()
        let stamp = Timestamp.format(Date().timeIntervalSince1970.rounded(.down), in: .utc).replacingOccurrences(of: ":", with: "")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-backup-\(UUID().uuidString).db").path
        let storage = self.storage
        // Seconds of I/O for a large database: off the cooperative pool.
        let size = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Int, any Error>) in
            DispatchQueue.global().async { c.resume(with: Result { try storage.backup(to: path) }) }
        }
        try storage.record(.backupTaken, by: .token(caller), target: "GET /admin/backup", [("bytes", .int(size))])
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw APIError(.internalServerError, code: "internal", message: "the backup could not be read back")
        }
        // The file is unlinked at once: the open handle keeps it readable until the answer is sent, and nothing is
        // left behind if the client goes away.
        try? FileManager.default.removeItem(atPath: path)
        let body = ResponseBody(contentLength: size) { writer in
            defer { try? handle.close() }
            while true {
                let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
                if chunk.isEmpty { break }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/vnd.sqlite3",
                                               .contentDisposition: "attachment; filename=\"wangge-\(stamp).db\""], body: body)
    }

    @Sendable func audit(_ r: RouteRequest) async throws -> Response {
        let since = try FeatureRequest.time(r.query, "since")
        let list = try storage.auditLog(limit: try r.query.int("limit") ?? 100, action: try r.query.choice("action", AuditEntry.Action.self), since: since)
        return .json(.object(JSONObject([("entries", .array(list.map(\.json)))])))
    }
}
