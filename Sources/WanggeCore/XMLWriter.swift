/// Writes plain XML documents (elements and text, no attributes or namespaces), as Open311's XML format uses:
/// a JSON-like value becomes elements, an array becomes one element per item under a name that says what an item is.
public struct XMLWriter: Sendable {
    public private(set) var text = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n"

    public init() {}

    /// Text for an element's content or an attribute value: `&`, `<`, `>` and both quotes escaped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// `value` as the element `name`: an object's members become child elements in order; an array becomes one
    /// child per item, named by `itemName(name)`; null an empty element; numbers and booleans their JSON text.
    public mutating func element(_ name: String, _ value: JSONValue, itemName: (String) -> String) {
        switch value {
        case .null:
            text += "<\(name)/>"
        case .bool(let b):
            text += "<\(name)>\(b ? "true" : "false")</\(name)>"
        case .number(let n):
            text += "<\(name)>\(n.literal)</\(name)>"
        case .string(let s):
            text += s.isEmpty ? "<\(name)/>" : "<\(name)>\(Self.escape(s))</\(name)>"
        case .array(let items):
            text += "<\(name)>"
            let item = itemName(name)
            for v in items { element(item, v, itemName: itemName) }
            text += "</\(name)>"
        case .object(let o):
            text += "<\(name)>"
            for m in o.members { element(m.key, m.value, itemName: itemName) }
            text += "</\(name)>"
        }
    }
}
