import NIOCore
import WanggeCore
import WanggeAssignment
import WanggeUseCases

/// Rendered feature arrays of item pages, so a page asked for again is not queried and rendered again.
///
/// An entry is never stale. Boundary pages have the layer's import id in their key (a new import makes new keys).
/// Event pages are kept for one `version` of the events — the last history entry, which every insert and every
/// action appends in the same transaction — and the whole cache starts over when it moves on. Bounded by bytes:
/// when full, it starts over too.
final class PageCache: Sendable {
    struct Entry: Sendable {
        /// The features, comma-separated, as they go between `"features":[` and `]`.
        var features: ByteBuffer
        var matched: Int
        var returned: Int
        var links: [JSONValue]
    }

    private let state = Locked<(entries: [String: Entry], bytes: Int, version: Int64)>(([:], 0, 0))
    let capacity: Int
    /// Pages larger than this are rendered every time (bulk downloads are read once; caching them only holds memory).
    let largestEntry: Int

    init(capacity: Int, largestEntry: Int = 1 << 20) {
        self.capacity = capacity
        self.largestEntry = largestEntry
    }

    /// The entry for `key` at `version`, made by `make` if there is none (two requests racing may both make it).
    /// `make` must read the data at `version` or later: a page newer than its key is replaced as soon as a request
    /// sees the newer version.
    func entry(_ key: String, version: Int64 = 0, make: () throws -> Entry) rethrows -> Entry {
        let cached = state.withLock { s -> Entry? in
            if s.version != version { s = ([:], 0, version) }
            return s.entries[key]
        }
        if let cached { return cached }
        let e = try make()
        let size = e.features.readableBytes + key.utf8.count
        guard size <= min(largestEntry, capacity / 4) else { return e }
        state.withLock { s in
            guard s.version == version else { return }
            if s.bytes + size > capacity { s = ([:], 0, version) }
            if s.entries.updateValue(e, forKey: key) == nil { s.bytes += size }
        }
        return e
    }
}
