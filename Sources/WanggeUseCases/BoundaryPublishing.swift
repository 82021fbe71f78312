import Foundation
import CMalloc
public import WanggeCore
public import WanggeGeo
public import WanggeAssignment

/// A boundary upload as the service takes it: every check of `wangge import`, the layer stored whole or not at
/// all, and the assignment index reloaded before the answer, so the next lookup already uses the new boundaries.
public struct BoundaryPublishing: Sendable {
    public let repository: any GridRepository
    public let engine: AssignmentEngine
    /// Organisations are assigned again after every landed import (nil: the storage keeps none).
    public let community: Community?

    public init(repository: any GridRepository, engine: AssignmentEngine, community: Community? = nil) {
        self.repository = repository
        self.engine = engine
        self.community = community
    }

    /// An upload as it was read, handed over once: the check takes it out, so that its features are freed when the
    /// check is done — before memory is handed back — and not when the request ends. (Measured: a refused
    /// 100,000-grid upload left 42 MB behind when the handler still held the document during the trim.)
    public final class Upload: @unchecked Sendable {  // one owner at a time: filled by the handler, emptied by the check's thread
        var read: Result<GeoJSONDocument, any Error>?

        public init(_ read: Result<GeoJSONDocument, any Error>) { self.read = read }

        func take() -> Result<GeoJSONDocument, any Error> {
            guard let taken = read else { preconditionFailure("an upload is published once") }
            read = nil
            return taken
        }
    }

    /// A landed (or refused) upload, and the organisations the new boundaries moved.
    public struct Published: Sendable {
        public var outcome: BoundaryImport.Outcome
        public var moved: [OrganisationMove]
    }

    /// Checks an upload read as it arrived (`GeoJSONDocument.Reader`; a failed read is its one defect) and, when
    /// clean, stores it as a new version (named `source` in the history) — staged, or with `activate` made the
    /// layer's boundaries, the index reloaded and the organisations reassigned.
    /// The checks are seconds of CPU work on big files: they run on a dispatch thread, not on the cooperative pool.
    /// - Returns: the outcome; `landed` is nil when there were defects (nothing stored then).
    /// - Throws: the repository's error (nothing stored), or `GeosError` when the new index cannot be built.
    public func publish(_ upload: Upload, options: BoundaryOptions, source: String, activate: Bool) async throws -> Published {
        // A large upload's parse, checks and GEOS work free hundreds of MB at the end; glibc keeps freed memory in
        // its arenas unless asked to give it back, so without this the service stayed near its peak for good.
        defer { MemoryTrim.now() }
        let repository = self.repository
        let outcome = try await Self.offPool {
            try BoundaryImport(options: options, activate: activate).run(read: upload.take(), source: source, repository: repository)
        }
        guard let landed = outcome.landed, landed.status == .active else { return Published(outcome: outcome, moved: []) }
        return Published(outcome: outcome, moved: try await followActivation())
    }

    /// Makes a stored version its layer's boundaries now (`GridRepository.activate`), then the index and the
    /// organisations follow, as after an activated upload. Lookups are answered throughout: by the old index until
    /// the new one is swapped in.
    /// - Returns: the version as activated (a retired one comes back as a new version) and the organisations moved.
    public func activate(version id: Int64) async throws -> (version: LayerImport, moved: [OrganisationMove]) {
        let repository = self.repository
        let version = try await Self.offPool { try repository.activate(version: id, at: Date.now.timeIntervalSince1970) }
        return (version, try await followActivation())
    }

    func followActivation() async throws -> [OrganisationMove] {
        _ = try await engine.reloadIfStale()
        return try await community?.reassignOrganisations() ?? []
    }

    /// Work that holds a thread for long, kept off Swift concurrency's few threads.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try work() }) }
        }
    }
}

/// Memory the allocator holds after a burst of work, given back to the system (glibc keeps freed heap pages of
/// every thread's arena until asked).
public enum MemoryTrim {
    /// Returns free heap pages to the system (`malloc_trim`); a few milliseconds with the arenas locked in turn.
    public static func now() { _ = malloc_trim(0) }

    /// A periodic job that trims once after each burst of intake: when events were committed since the last trim
    /// but none in the last `quiet` seconds (so a running load is never interrupted by it).
    public static func afterBursts(quiet: Double = 5, lastCommitAt: @escaping @Sendable () -> Double) -> @Sendable () async throws -> Void {
        let trimmedAt = Locked<Double>(0)
        return {
            let last = lastCommitAt()
            let now = Date().timeIntervalSince1970
            guard last > trimmedAt.withLock({ $0 }), now - last >= quiet else { return }
            trimmedAt.withLock { $0 = now }
            Self.now()
        }
    }
}
