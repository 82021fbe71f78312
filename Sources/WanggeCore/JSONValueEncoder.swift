/// Encodes an `Encodable` value as a `JSONValue`, keeping the members in the order the type encodes them (its
/// coding keys' order) and writing `nil` optionals as `null`: response types read the same in every answer.
/// (Foundation's `JSONEncoder` on Linux orders members by hash, and drops `nil`s.)
public enum JSONValueEncoder {
    /// - Throws: `EncodingError` for a value that is not finite or a top-level value that encodes nothing.
    public static func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Node()
        try value.encode(to: TreeEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A value being built: a leaf, or a container its children fill in.
private final class Node {
    enum Content {
        case empty
        case value(JSONValue)
        case object([(String, Node)])
        case array([Node])
    }

    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: return .null
        case .value(let v): return v
        case .object(let members): return .object(JSONObject(members.map { ($0.0, $0.1.value) }))
        case .array(let items): return .array(items.map(\.value))
        }
    }

    func member(_ key: String) -> Node {
        let child = Node()
        if case .object(var m) = content {
            m.append((key, child))
            content = .object(m)
        } else {
            content = .object([(key, child)])
        }
        return child
    }

    func append() -> Node {
        let child = Node()
        if case .array(var items) = content {
            items.append(child)
            content = .array(items)
        } else {
            content = .array([child])
        }
        return child
    }

    func set(_ v: JSONValue) { content = .value(v) }

    static func number(_ d: Double, _ path: [any CodingKey]) throws -> JSONValue {
        guard d.isFinite else {
            throw EncodingError.invalidValue(d, .init(codingPath: path, debugDescription: "not a finite number"))
        }
        return .number(JSONNumber(d))
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    func child(_ key: Key) -> Node { node.member(key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { child(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).set(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set(try Node.number(value, codingPath + [key])) }
    mutating func encode(_ value: Float, forKey key: Key) throws { child(key).set(try Node.number(Double(value), codingPath + [key])) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).set(.number(JSONNumber(literal: String(value), value: Double(value)))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { child(key).set(.number(JSONNumber(literal: String(value), value: Double(value)))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let j = value as? JSONValue { child(key).set(j); return }
        if let o = value as? JSONObject { child(key).set(.object(o)); return }
        try value.encode(to: TreeEncoder(node: child(key), codingPath: codingPath + [key]))
    }

    // Optionals are written as null rather than left out: every answer has the same members.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let c = child(key)
        c.content = .object([])
        return KeyedEncodingContainer(Keyed<NestedKey>(node: c, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let c = child(key)
        c.content = .array([])
        return Unkeyed(node: c, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: child(key), codingPath: codingPath + [key]) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }

    mutating func encodeNil() throws { node.append().set(.null) }
    mutating func encode(_ value: Bool) throws { node.append().set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.append().set(.string(value)) }
    mutating func encode(_ value: Double) throws { node.append().set(try Node.number(value, codingPath)) }
    mutating func encode(_ value: Int) throws { node.append().set(.number(JSONNumber(literal: String(value), value: Double(value)))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let j = value as? JSONValue { node.append().set(j); return }
        if let o = value as? JSONObject { node.append().set(.object(o)); return }
        try value.encode(to: TreeEncoder(node: node.append(), codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let c = node.append()
        c.content = .object([])
        return KeyedEncodingContainer(Keyed<NestedKey>(node: c, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let c = node.append()
        c.content = .array([])
        return Unkeyed(node: c, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.append(), codingPath: codingPath) }
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { node.set(try Node.number(value, codingPath)) }
    mutating func encode(_ value: Float) throws { node.set(try Node.number(Double(value), codingPath)) }
    mutating func encode(_ value: Int) throws { node.set(.number(JSONNumber(literal: String(value), value: Double(value)))) }
    mutating func encode(_ value: Int64) throws { node.set(.number(JSONNumber(literal: String(value), value: Double(value)))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let j = value as? JSONValue { node.set(j); return }
        if let o = value as? JSONObject { node.set(.object(o)); return }
        try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
    }
}

/// JSON values inside response types are written as they are (number literals included).
extension JSONValue: Encodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n.value)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for v in items { try c.encode(v) }
        case .object(let o):
            try o.encode(to: encoder)
        }
    }
}

extension JSONObject: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONValue.Key.self)
        for m in members { try c.encode(m.value, forKey: JSONValue.Key(m.key)) }
    }
}
