import Foundation

/// A value behind a pthread mutex (`NSLock`). Used instead of `Synchronization.Mutex` where threads meet, because
/// ThreadSanitizer understands pthread locks: the stress tests under TSan then check our code rather than flag the
/// lock itself.
///
/// `@unchecked Sendable` is safe: `value` is only ever touched inside `withLock`, under `lock`.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) {
        self.value = value
    }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
