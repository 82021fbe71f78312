import Foundation
import GRDB
import WanggeCore

/// A row of `idempotency`: the answer given to a request made with an `Idempotency-Key`, per token.
struct IdempotencyRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "idempotency"

    var tokenID: Int64
    var key: String
    var requestHash: String
    var status: Int
    var body: Data
    var eventID: Int64?
    var createdAt: Double

    enum CodingKeys: String, CodingKey {
        case key, status, body
        case tokenID = "token_id", requestHash = "request_hash", eventID = "event_id", createdAt = "created_at"
    }

    enum Columns {
        static let tokenID = Column(CodingKeys.tokenID)
        static let key = Column(CodingKeys.key)
    }

    var response: IdempotentResponse {
        IdempotentResponse(status: status, body: [UInt8](body), requestHash: requestHash, eventID: eventID)
    }
}
