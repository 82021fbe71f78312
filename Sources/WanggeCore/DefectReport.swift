/// Defects as a GeoJSON layer that GIS staff can open next to their data in a map viewer.
public enum DefectReport {
    /// A FeatureCollection with one feature per defect: its location (a point, the problem area, or the feature's
    /// outline; null when there is none) and `kind`, `message`, `feature_index`, `code`, `area_m2`, `line`,
    /// `column`, `offset` (bytes), `related` as properties.
    public static func geoJSON(_ defects: [Defect]) -> [UInt8] {
        GeoJSONWriter.featureCollection(defects.map { d in
            var p = JSONObject()
            p["kind"] = .string(d.kind.rawValue)
            p["message"] = .string(d.message)
            p["feature_index"] = d.featureIndex.map { .number(JSONNumber($0)) } ?? .null
            p["code"] = d.code.map { .string($0) } ?? .null
            p["area_m2"] = d.areaM2.map { .number(JSONNumber(($0 * 100).rounded() / 100)) } ?? .null
            p["line"] = d.line.map { .number(JSONNumber($0)) } ?? .null
            p["column"] = d.column.map { .number(JSONNumber($0)) } ?? .null
            p["offset"] = d.offset.map { .number(JSONNumber($0)) } ?? .null
            p["related"] = .string(d.relatedCodes.joined(separator: ";"))
            return (id: nil, geometry: d.location?.orientedForOutput(), properties: p)
        })
    }
}
