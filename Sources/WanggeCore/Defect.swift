/// One problem found in a boundary file, with where it is and a reason a GIS person understands.
public struct Defect: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case malformedJSON = "malformed_json"
        case notFeatureCollection = "not_feature_collection"
        case structure
        case geometryType = "geometry_type"
        case ringNotClosed = "ring_not_closed"
        case ringTooShort = "ring_too_short"
        case nonFiniteCoordinate = "non_finite_coordinate"
        case coordinateOutOfRange = "coordinate_out_of_range"
        case crs
        case invalidPolygon = "invalid_polygon"
        case missingProperty = "missing_property"
        case badProperty = "bad_property"
        case duplicateCode = "duplicate_code"
        case unknownParent = "unknown_parent"
        case levelOrder = "level_order"
        /// A code that does not follow the code scheme asked for (`--code-scheme gbt30428`).
        case codeScheme = "code_scheme"
        case childOutsideParent = "child_outside_parent"
        case siblingOverlap = "sibling_overlap"
        case parentNotCovered = "parent_not_covered"
        case emptyLayer = "empty_layer"
        /// A ring with an edge across ±180° longitude (read as planar lon/lat it would go the other way round).
        case crossesAntimeridian = "crosses_antimeridian"
        /// Coverage report: overlay grids that overlap each other (allowed, reported for review).
        case overlayOverlap = "overlay_overlap"
        /// Coverage report: part of an overlay grid beyond the street.
        case outsideStreet = "outside_street"
    }

    public var kind: Kind
    /// 0-based index of the feature in the file's `features` array, when the defect belongs to one feature.
    public var featureIndex: Int?
    public var code: String?
    public var message: String
    /// Where to look, in WGS84 lon/lat when known: a point (invalidity location) or the problem area.
    public var location: GeometryValue?
    /// Area of the problem region in m² (overlaps, gaps, parts outside a parent).
    public var areaM2: Double?
    /// Line and column (1-based, the column in characters) in the input file: where reading stopped for a syntax
    /// error, where the feature starts for a feature's defect.
    public var line: Int?
    public var column: Int?
    /// Byte offset (0-based) of the same place: what finds it in a file written on one line.
    public var offset: Int?
    /// Other features the defect involves (the other sibling of an overlap).
    public var relatedCodes: [String]

    public init(kind: Kind, featureIndex: Int? = nil, code: String? = nil, message: String,
                location: GeometryValue? = nil, areaM2: Double? = nil, line: Int? = nil, column: Int? = nil,
                offset: Int? = nil, relatedCodes: [String] = []) {
        self.kind = kind; self.featureIndex = featureIndex; self.code = code; self.message = message
        self.location = location; self.areaM2 = areaM2; self.line = line; self.column = column; self.offset = offset
        self.relatedCodes = relatedCodes
    }

    /// "feature 12 (code 130105-03, line 340, column 3): ring 1 is not closed ..."; on line 1 the byte offset too
    /// ("line 1, column 52001, byte 52010"), as a file written on one line is found by offset.
    public var description: String {
        var parts: [String] = []
        if let i = featureIndex { parts.append("feature \(i)") }
        var extra: [String] = []
        if let c = code { extra.append("code \(c)") }
        if let l = line {
            extra.append(column.map { "line \(l), column \($0)" } ?? "line \(l)")
            if l == 1, let o = offset { extra.append("byte \(o)") }
        }
        let head = (parts + (extra.isEmpty ? [] : ["(\(extra.joined(separator: ", ")))"])).joined(separator: " ")
        return head.isEmpty ? "\(kind.rawValue): \(message)" : "\(head): \(kind.rawValue): \(message)"
    }
}
