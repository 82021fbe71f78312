import NIOCore
import WanggeCore
import WanggeKit

/// Rendered feature arrays of boundary collection pages. Boundaries change only through an import, and the key
/// holds the layer's import id (with the query and the base URL), so an entry is never stale: a new import makes
/// new keys. Bounded by bytes: when full, the cache starts over.
final class GridPageCache: Sendable {
    struct Entry: Sendable {
        /// The features, comma-separated, as they go between `"features":[` and `]`.
        var features: ByteBuffer
        var matched: Int
        var returned: Int
        var links: [JSONValue]
    }

    private let state = Locked<(entries: [String: Entry], bytes: Int)>(([:], 0))
    let capacity: Int

    init(capacity: Int = 32 << 20) {
        self.capacity = capacity
    }

    /// The entry for `key`, made by `make` if there is none (two requests racing may both make it; one is kept).
    func entry(_ key: String, make: () throws -> Entry) rethrows -> Entry {
        if let e = state.withLock({ $0.entries[key] }) { return e }
        let e = try make()
        let size = e.features.readableBytes + key.utf8.count
        guard size <= capacity / 4 else { return e }
        state.withLock { s in
            if s.bytes + size > capacity { s = ([:], 0) }
            if s.entries.updateValue(e, forKey: key) == nil { s.bytes += size }
        }
        return e
    }
}
