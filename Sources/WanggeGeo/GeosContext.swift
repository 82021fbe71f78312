import CGEOS

/// A failed GEOS call: which operation, and the message GEOS's error handler gave.
public struct GeosError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let message: String
    public var description: String { "GEOS \(operation) failed: \(message)" }
}

/// One GEOS context (`GEOSContextHandle_t`). Owned here: created by `GEOS_init_r`, freed by `GEOS_finish_r` in
/// `deinit`. GEOS contexts and everything made in them are not thread-safe, so this class is deliberately not
/// `Sendable`: each worker creates its own and keeps its geometries, prepared geometries and trees to itself.
public final class GeosContext {
    /// Owned by this context (see above); never leaves WanggeGeo.
    let handle: GEOSContextHandle_t
    /// Receives the error handler's last message; kept alive by this context, which the handler's userdata points to.
    private let messages = MessageBox()
    private var wkbWriter: OpaquePointer?
    private var wkbReader: OpaquePointer?

    final class MessageBox {
        var last = ""
    }

    public init() {
        guard let h = GEOS_init_r() else { fatalError("GEOS_init_r returned NULL (out of memory)") }
        handle = h
        let box = Unmanaged.passUnretained(messages).toOpaque()
        _ = GEOSContext_setErrorMessageHandler_r(h, { message, userdata in
            guard let message, let userdata else { return }
            Unmanaged<MessageBox>.fromOpaque(userdata).takeUnretainedValue().last = String(cString: message)
        }, box)
    }

    deinit {
        if let w = wkbWriter { GEOSWKBWriter_destroy_r(handle, w) }
        if let r = wkbReader { GEOSWKBReader_destroy_r(handle, r) }
        GEOS_finish_r(handle)
    }

    /// The handler's last message, cleared once read.
    func takeMessage() -> String {
        defer { messages.last = "" }
        return messages.last.isEmpty ? "no message from GEOS" : messages.last
    }

    func error(_ operation: String) -> GeosError {
        GeosError(operation: operation, message: takeMessage())
    }

    /// Wraps a newly created geometry pointer (NULL means failure) in an owner.
    func own(_ pointer: OpaquePointer?, _ operation: String) throws(GeosError) -> GeosGeometry {
        guard let pointer else { throw error(operation) }
        return GeosGeometry(owning: pointer, in: self)
    }

    /// The context's WKB writer (ISO flavour, little-endian, 2D), created on first use and freed in `deinit`.
    var isoWKBWriter: OpaquePointer {
        if let w = wkbWriter { return w }
        let w = GEOSWKBWriter_create_r(handle)!
        GEOSWKBWriter_setOutputDimension_r(handle, w, 2)
        GEOSWKBWriter_setByteOrder_r(handle, w, Int32(GEOS_WKB_NDR.rawValue))
        GEOSWKBWriter_setFlavor_r(handle, w, Int32(GEOS_WKB_ISO.rawValue))
        wkbWriter = w
        return w
    }

    var reader: OpaquePointer {
        if let r = wkbReader { return r }
        let r = GEOSWKBReader_create_r(handle)!
        wkbReader = r
        return r
    }

    /// "3.11.1-CAPI-1.17.1"
    public static var version: String { String(cString: wangge_geos_version()) }
}
