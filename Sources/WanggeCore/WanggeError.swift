/// The errors users see, with what went wrong and where. Underlying library messages go to the log.
public enum WanggeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something named does not exist (a file, a grid code).
    case notFound(String)
    /// Input that cannot be used, with the field or place and the reason.
    case invalidInput(String)
    /// A file could not be read or written.
    case io(String)
    /// The request clashes with what is stored (a reused idempotency key, a stale version).
    case conflict(String)

    public var description: String {
        switch self {
        case .notFound(let m): return m
        case .invalidInput(let m): return m
        case .io(let m): return m
        case .conflict(let m): return m
        }
    }
}
