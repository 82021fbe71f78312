public import Foundation
public import WanggeCore
public import WanggeAssignment

/// Event intake: check a submission, assign its grids, store it durably with its first history entry, and answer
/// retries that carry the same `Idempotency-Key` with the original response.
public struct EventIntake: Sendable {
    public let repository: any EventRepository
    public let engine: AssignmentEngine
    let commits: EventCommitQueue
    /// Open events a new report may repeat, listed in its answer.
    public let duplicates: DuplicateCheck
    /// Event type codes, re-read at most every few seconds (the catalog changes rarely, every event needs it).
    let typeCache = Locked<(codes: Set<String>, readAt: Double)>(([], -.infinity))
    /// Snap distance for events just outside every grid (metres; 0 keeps them `outside`).
    public var snapMetres: Double = 0

    /// - Parameter commits: the group-commit queue that stores the events (a service: it must be running).
    /// - Parameter duplicates: the open events reports are checked against (shared with the closed loop, which
    ///   keeps it in step).
    public init(repository: any EventRepository & WorkflowRepository, engine: AssignmentEngine, commits: EventCommitQueue,
                duplicates: DuplicateCheck, snapMetres: Double = 0) {
        self.repository = repository
        self.engine = engine
        self.snapMetres = snapMetres
        self.commits = commits
        self.duplicates = duplicates
    }

    /// When intake last committed, for background work that should wait for a quiet moment.
    public var lastCommitAt: Double { commits.lastCommitAt }

    func typeCodes(now: Double) throws -> Set<String> {
        if let fresh = typeCache.withLock({ now - $0.readAt < 5 && !$0.codes.isEmpty ? $0.codes : nil }) { return fresh }
        let codes = Set(try repository.eventTypes().map(\.code))
        typeCache.withLock { $0 = (codes, now) }
        return codes
    }

    /// Stores the event described by `body` for `actor`. `render` makes the response body from the stored record and
    /// what `renderDuplicates` made of the open events it may repeat (see `DuplicateCheck`): that runs on the
    /// caller's thread, `render` on the writer's, inside the transaction, so it should only put bytes together.
    /// - Returns: the response to send and whether an event was created (false for a replayed key).
    /// - Throws: `InvalidFields` for a bad submission; `WanggeError.conflict` when the key was used for a different
    ///   request; the repository's error when the store fails (then nothing was stored).
    public func submit(_ body: JSONObject, rawBody: [UInt8], actor: Identity, idempotencyKey: String?,
                       now: Double = Date().timeIntervalSince1970,
                       renderDuplicates: ([PossibleDuplicate]) -> [UInt8] = { _ in [] },
                       render: @escaping @Sendable (EventRecord, [UInt8]) -> [UInt8]) async throws -> (IdempotentResponse, created: Bool) {
        // The fingerprint only matters for requests that can be replayed. It is taken of what the request means
        // (its canonical form: members sorted, numbers by value, no whitespace), so a client that re-sends the same
        // event written another way is replayed, not refused. Keys stored before hashed the raw bytes; those
        // still match a byte-identical retry.
        let requestHash = idempotencyKey == nil ? "" : "c1:" + SHA256.hex(JSONValue.object(body).canonicalBytes)
        let rawHash = idempotencyKey == nil ? "" : SHA256.hex(rawBody)
        let submission: EventSubmission
        switch EventSubmission.parse(body, now: now) {
        case .success(let s): submission = s
        case .failure(let e): throw e
        }
        let known = try typeCodes(now: now)
        guard known.contains(submission.type) else {
            throw InvalidFields([FieldError("type", "unknown event type \"\(submission.type)\"; known types: \(known.sorted().joined(separator: ", "))")])
        }
        if let c = submission.component, try repository.component(id: c) == nil {
            throw InvalidFields([FieldError("component", "there is no component \(c) (GET /components lists them)")])
        }
        let assignment: PointAssignment, mark: Int64
        do {
            (assignment, mark) = try await engine.assignMarked(x: submission.x, y: submission.y, crs: submission.crs, snapMetres: snapMetres)
        } catch let e as WanggeError {
            throw InvalidFields([FieldError("lon", e.description)])
        }
        let event = NewEvent(type: submission.type, severity: submission.severity, lon: assignment.lon, lat: assignment.lat,
                             inputCRS: submission.crs.description, inputX: submission.x, inputY: submission.y,
                             description: submission.description, reporterName: submission.reporterName,
                             reporterPhone: submission.reporterPhone, reporterEmail: submission.reporterEmail,
                             mediaURL: submission.mediaURL, channel: submission.channel,
                             occurredAt: submission.occurredAt ?? now, reportedAt: now, assignment: assignment,
                             submittedBy: actor.tokenID, boundaryMark: mark, component: submission.component)
        let possible = renderDuplicates(try duplicates.candidates(type: event.type, lon: event.lon, lat: event.lat, now: now))
        let insert = EventInsert(event: event, actor: actor,
                                 idempotency: idempotencyKey.map { IdempotencyKey(key: $0, requestHash: requestHash) }) { record in
            IdempotentResponse(status: 201, body: render(record, possible), requestHash: requestHash)
        }
        let (response, created) = try await commits.submit(insert)
        if created, let id = response.eventID {
            duplicates.add(EventRecord(id: id, event: event, status: .reported, department: nil, version: 1))
        }
        if !created && response.requestHash != requestHash && response.requestHash != rawHash {
            throw WanggeError.conflict("Idempotency-Key \"\(idempotencyKey ?? "")\" was already used for a different request; use a new key for a new event")
        }
        return (response, created)
    }
}
