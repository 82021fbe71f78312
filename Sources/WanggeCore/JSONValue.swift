/// A JSON number with the literal it was read from, so identifiers survive a round trip unchanged.
public struct JSONNumber: Sendable, Hashable {
    /// The literal as written (e.g. `4000001`, `1.50`); written back verbatim.
    public let literal: String
    public let value: Double

    public init(literal: String, value: Double) {
        self.literal = literal
        self.value = value
    }

    public init(_ value: Double) {
        self.value = value
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            self.literal = String(Int64(value))
        } else {
            self.literal = value.isFinite ? "\(value)" : "null"
        }
    }

    public init(_ value: Int) {
        self.value = Double(value)
        self.literal = String(value)
    }
}

/// A JSON object that keeps its members in the order they were written.
public struct JSONObject: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
    }

    public private(set) var members: [Member]

    public init(_ members: [(String, JSONValue)] = []) {
        self.members = members.map { Member(key: $0.0, value: $0.1) }
    }

    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The value of the last member named `key` (JSON leaves duplicate names undefined; the last one wins, as in
    /// most readers).
    public subscript(key: String) -> JSONValue? {
        get { members.last(where: { $0.key == key })?.value }
        set {
            if let newValue {
                if let i = members.lastIndex(where: { $0.key == key }) {
                    members[i].value = newValue
                } else {
                    members.append(Member(key: key, value: newValue))
                }
            } else {
                members.removeAll { $0.key == key }
            }
        }
    }
}

/// A parsed JSON value.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let n) = self { return n.value }
        return nil
    }

    /// A short name of the value's JSON type, for messages ("a number", "an array", ...).
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as an identifier: strings as they are, numbers by their literal; nil for anything else.
    public var identifierText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n.literal
        default: return nil
        }
    }
}

extension JSONValue {
    /// The value written one way whatever way it was sent: members sorted by name, numbers by their value, no
    /// whitespace. Two requests that mean the same have the same canonical bytes (idempotent replays compare them).
    public var canonicalBytes: [UInt8] {
        var w = GeoJSONWriter()
        Self.canonical(self, &w)
        return w.take()
    }

    static func canonical(_ v: JSONValue, _ w: inout GeoJSONWriter) {
        switch v {
        case .number(let n): w.appendValue(.number(JSONNumber(n.value)))
        case .array(let items):
            w.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { w.append(",") }
                canonical(item, &w)
            }
            w.append("]")
        case .object(let o):
            w.append("{")
            for (i, m) in o.members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if i > 0 { w.append(",") }
                w.appendString(m.key)
                w.append(":")
                canonical(m.value, &w)
            }
            w.append("}")
        case .null, .bool, .string: w.appendValue(v)
        }
    }
}
