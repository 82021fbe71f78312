public import WanggeCore

/// A boundary file with exactly one kind of defect, the defect it must produce and words its message must hold.
public struct BadBoundaryCase: CustomStringConvertible, Sendable {
    public let name: String
    public let kind: Defect.Kind
    public let mentions: String
    public let make: @Sendable () -> BoundaryFileBuilder
    public var description: String { name }

    public init(name: String, kind: Defect.Kind, mentions: String, make: @escaping @Sendable () -> BoundaryFileBuilder) {
        self.name = name
        self.kind = kind
        self.mentions = mentions
        self.make = make
    }
}

extension BadBoundaryCase {
    static let x0 = 114.450, y0 = 38.060
    typealias B = BoundaryFileBuilder


    /// One case per kind of defect the residential checks find, each a small change to `cleanHierarchy()`.
    public static let all: [BadBoundaryCase] = [
        BadBoundaryCase(name: "duplicate code", kind: .duplicateCode, mentions: "already used by feature 1") {
            var b = B.cleanHierarchy(); b.features[2].properties["code"] = .string("C1"); return b
        },
        BadBoundaryCase(name: "unknown parent", kind: .unknownParent, mentions: "parent \"C9\" is not the code") {
            var b = B.cleanHierarchy(); b.features[3].properties["parent"] = .string("C9"); return b
        },
        BadBoundaryCase(name: "level out of order", kind: .levelOrder, mentions: "the parent of a courtyard must be a community, but \"S\" is a street") {
            var b = B.cleanHierarchy(); b.features[3].properties["parent"] = .string("S"); return b
        },
        BadBoundaryCase(name: "unknown level", kind: .badProperty, mentions: "expected one of street, community") {
            var b = B.cleanHierarchy(); b.features[3].properties["level"] = .string("block"); return b
        },
        BadBoundaryCase(name: "missing parent below the top", kind: .missingProperty, mentions: "a courtyard needs the code of its community") {
            var b = B.cleanHierarchy(); b.features[3].properties["parent"] = nil; return b
        },
        BadBoundaryCase(name: "missing code", kind: .missingProperty, mentions: "\"code\" (the grid code) is missing") {
            var b = B.cleanHierarchy(); b.features[3].properties["code"] = nil; return b
        },
        BadBoundaryCase(name: "missing name", kind: .missingProperty, mentions: "\"name\" (the grid name) is missing") {
            var b = B.cleanHierarchy(); b.features[3].properties["name"] = nil; return b
        },
        BadBoundaryCase(name: "a control character in a name", kind: .badProperty, mentions: "\"name\" contains the control character U+0000") {
            var b = B.cleanHierarchy(); b.features[3].properties["name"] = .string("楼院\u{0}一"); return b
        },
        BadBoundaryCase(name: "self-intersecting polygon", kind: .invalidPolygon, mentions: "Self-intersection at [114.451, 38.0605]") {
            var b = B.cleanHierarchy()
            b.features[3].geometry = B.polygon([[[x0, y0], [x0 + 0.002, y0 + 0.001], [x0 + 0.002, y0], [x0, y0 + 0.001], [x0, y0]]])
            return b
        },
        BadBoundaryCase(name: "latitude/longitude swapped", kind: .coordinateOutOfRange, mentions: "latitude/longitude swapped") {
            var b = B.cleanHierarchy()
            b.features[3].geometry = B.polygon([B.box(x0, y0, x0 + 0.002, y0 + 0.001).map { [$0[1], $0[0]] }])
            return b
        },
        BadBoundaryCase(name: "wrong geometry type", kind: .geometryType, mentions: "type is LineString") {
            var b = B.cleanHierarchy()
            b.features[3].geometry = .object(JSONObject([("type", .string("LineString")), ("coordinates", B.coords([[x0, y0], [x0 + 1e-3, y0]]))]))
            return b
        },
        BadBoundaryCase(name: "unclosed ring", kind: .ringNotClosed, mentions: "is not closed") {
            var b = B.cleanHierarchy()
            b.features[3].geometry = B.polygon([Array(B.box(x0, y0, x0 + 0.002, y0 + 0.001).dropLast())])
            return b
        },
        BadBoundaryCase(name: "child outside its parent", kind: .childOutsideParent, mentions: "\"Y1\" is not inside its parent community \"C1\"") {
            var b = B.cleanHierarchy()
            b.features[3].geometry = B.polygon([B.box(x0 - 0.0005, y0, x0 + 0.002, y0 + 0.001)])
            return b
        },
        BadBoundaryCase(name: "overlapping siblings", kind: .siblingOverlap, mentions: "\"Y2\" overlaps its sibling \"Y1\"") {
            var b = B.cleanHierarchy()
            b.features[4].geometry = B.polygon([B.box(x0, y0 + 0.0008, x0 + 0.002, y0 + 0.002)])
            return b
        },
        BadBoundaryCase(name: "a sibling nested inside another", kind: .siblingOverlap, mentions: "\"Y2\" overlaps its sibling \"Y1\"") {
            var b = B.cleanHierarchy()
            b.features[3].geometry = B.polygon([B.box(x0, y0, x0 + 0.002, y0 + 0.002)])
            b.features[4].geometry = B.polygon([B.box(x0 + 0.0005, y0 + 0.0005, x0 + 0.001, y0 + 0.001)])
            return b
        },
        BadBoundaryCase(name: "gap under a parent", kind: .parentNotCovered, mentions: "the courtyards of community \"C1\" leave") {
            var b = B.cleanHierarchy()
            b.features[4].geometry = B.polygon([B.box(x0, y0 + 0.0012, x0 + 0.002, y0 + 0.002)])
            return b
        },
    ]
}
