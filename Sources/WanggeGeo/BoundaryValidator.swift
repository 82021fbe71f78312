public import WanggeCore

/// Checks a boundary file completely — syntax, structure, coordinates, CRS, validity, properties, and for the
/// residential hierarchy containment, sibling overlaps and coverage — and reports every defect at once.
///
/// Holds its own GEOS and PROJ contexts, so one validator serves one thread at a time (it is not `Sendable`).
public final class BoundaryValidator {
    public let geos: GeosContext
    public let proj: ProjContext
    public let geodesic = Geodesic.wgs84

    public enum Phase: String, Sendable { case reading, features, hierarchy }

    /// Called now and then with the phase and how far it is (done, total).
    public var progress: ((Phase, Int, Int) -> Void)?

    public init(geos: GeosContext = GeosContext(), proj: ProjContext = ProjContext()) {
        self.geos = geos
        self.proj = proj
    }

    /// A feature that passed the per-feature checks.
    struct Checked {
        var index: Int
        var line: Int
        var code: String
        var name: String
        var level: GridLevel?
        var parent: String?
        var value: GeometryValue
        /// The GEOS geometry (built from `value`), kept only where later checks need it: the hierarchy's
        /// containment, overlaps and coverage. An overlay layer's features hold none while the rest is checked
        /// (100,000 small grids: tens of MB less); what is stored is `WKB.encode(value)`, GEOS's bytes exactly.
        var geos: GeosGeometry?
        var properties: JSONObject
        var valid: Bool

        /// The GEOS geometry of a feature of a hierarchical layer (the only ones the hierarchy checks see).
        var geometry: GeosGeometry { geos! }
    }

    /// At least as many bytes as `value` takes written as JSON (a string's characters counted as escapes).
    static func jsonSizeBound(_ value: JSONValue) -> Int {
        switch value {
        case .null, .bool: return 5
        case .number(let n): return n.literal.utf8.count + 32
        case .string(let t): return t.utf8.count * 6 + 2
        case .array(let a): return a.reduce(2) { $0 + jsonSizeBound($1) + 1 }
        case .object(let o): return o.members.reduce(2) { $0 + $1.key.utf8.count * 6 + 4 + jsonSizeBound($1.value) }
        }
    }

    /// Checks the bytes of a GeoJSON file.
    public func check(_ data: [UInt8], options: BoundaryOptions) -> BoundaryCheckResult {
        progress?(.reading, 0, data.count)
        let read = Result { try GeoJSONDocument.parse(data) }
        if case .success = read { progress?(.reading, data.count, data.count) }
        return check(read, options: options)
    }

    /// Checks a file already read — whole by `GeoJSONDocument.parse`, or as it arrived by `GeoJSONDocument.Reader`;
    /// a read that failed is the one defect.
    /// It takes the document (`consuming`): each feature as read is let go once checked, so the features as read
    /// and as checked are not all held at once.
    public func check(_ read: consuming Result<GeoJSONDocument, any Error>, options: BoundaryOptions) -> BoundaryCheckResult {
        var result = BoundaryCheckResult(layer: options.layer, crs: options.crs ?? .wgs84, featureCount: 0,
                                         defects: [], grids: [])
        var document: GeoJSONDocument
        switch consume read {
        case .success(let d):
            document = d
        case .failure(let e as JSONSyntaxError):
            result.defects = [Defect(kind: .malformedJSON, message: e.description, line: e.line, column: e.column)]
            return result
        case .failure(let e):
            result.defects = [Defect(kind: .notFeatureCollection, message: "\(e)")]
            return result
        }
        // A tree of features (children arrays) is checked as the flat list it stands for: each child after its
        // parent, naming it as its parent, numbered depth first.
        document.features = GeoJSONDocument.flattened(document.features, codeField: options.fields.code, parentField: options.fields.parent)
        result.featureCount = document.features.count

        // The CRS: the option, else the file's legacy crs member, else RFC 7946's WGS84.
        var crs = options.crs ?? .wgs84
        if let declared = document.crsName {
            do {
                let fileCRS = try CRS(parsing: declared)
                if let given = options.crs, given != fileCRS {
                    result.defects.append(Defect(kind: .crs,
                        message: "the file declares its CRS as \(declared) (\(fileCRS)) but \(given) was given; remove one or make them agree"))
                    return result
                }
                crs = fileCRS
            } catch {
                if options.crs == nil {
                    result.defects.append(Defect(kind: .crs, message: "the file's crs member names \"\(declared)\", which is not a CRS Wangge reads; give the CRS explicitly (\(error))"))
                    return result
                }
            }
        }
        result.crs = crs
        let converter: CRSConverter
        do {
            converter = try CRSConverter(crs, context: proj)
        } catch {
            result.defects.append(Defect(kind: .crs, message: error.description))
            return result
        }
        guard !document.features.isEmpty else {
            result.defects.append(Defect(kind: .emptyLayer,
                message: "the FeatureCollection has no features; importing it would leave the \(options.layer.rawValue) layer empty"))
            return result
        }

        var checked: [Checked] = []
        var defects: [Defect] = []
        var repairs: [BoundaryRepair] = []
        /// Where each feature starts: every defect of a feature is placed there (line, column and byte offset).
        var places: [GeoJSONFeatureStream.Place] = []
        var projectedButDegrees = 0
        var features = document.features
        document.features = []
        places.reserveCapacity(features.count)
        let count = features.count
        for n in 0..<count {
            if n % 256 == 0 { progress?(.features, n, count) }
            let raw = features[n]
            features[n] = .empty(index: n)  // the array's reference to this feature's storage goes; `raw` has the last
            places.append(GeoJSONFeatureStream.Place(line: raw.line, column: raw.column, offset: raw.offset))
            if let c = checkFeature(raw, options: options, converter: converter, defects: &defects, repairs: &repairs,
                                    projectedButDegrees: &projectedButDegrees) {
                checked.append(c)
            }
        }
        progress?(.features, count, count)
        if !converter.sourceIsGeographic && projectedButDegrees == count {
            defects.insert(Defect(kind: .crs,
                message: "every coordinate looks like longitude/latitude degrees, but \(crs) is a projected CRS in metres; give the right --crs (EPSG:4326 for lon/lat)"), at: 0)
        }

        checkCodes(checked, defects: &defects)
        if options.layer.isHierarchical {
            checkHierarchy(checked, options: options, defects: &defects)
        }
        for k in defects.indices {
            guard let i = defects[k].featureIndex, i < places.count else { continue }
            defects[k].line = places[i].line
            defects[k].column = places[i].column
            defects[k].offset = places[i].offset
        }
        defects.sort { ($0.featureIndex ?? -1, $0.kind.rawValue) < ($1.featureIndex ?? -1, $1.kind.rawValue) }
        result.defects = defects
        result.repairs = repairs
        if defects.isEmpty {
            let codes = Set(checked.map(\.code))
            result.grids = checked.map { c in
                // A parent outside the file (--external-root) is not a grid here: kept as a property.
                var parent = c.parent, properties = c.properties
                if let p = parent, !codes.contains(p) {
                    parent = nil
                    properties["external_parent"] = .string(p)
                }
                return GridFeature(layer: options.layer, code: c.code, name: c.name, level: c.level, parent: parent,
                                   geometry: c.value, wkb: WKB.encode(c.value), bbox: c.value.boundingBox,
                                   areaM2: geodesic.area(of: c.value), properties: properties)
            }
        }
        return result
    }

    // MARK: one feature

    func checkFeature(_ raw: RawFeature, options: BoundaryOptions, converter: CRSConverter,
                      defects: inout [Defect], repairs: inout [BoundaryRepair], projectedButDegrees: inout Int) -> Checked? {
        let f = options.fields
        let code = raw.properties[f.code]?.identifierText?.trimmingWhitespace()
        // A code past the limit is named by its start in the defects (it is never stored).
        let shownCode = code.map { $0.count > BoundaryOptions.maxCodeLength ? String($0.prefix(BoundaryOptions.maxCodeLength)) + "…" : $0 }
        func defect(_ kind: Defect.Kind, _ message: String, location: GeometryValue? = nil) -> Defect {
            Defect(kind: kind, featureIndex: raw.index, code: shownCode, message: message, location: location, line: raw.line)
        }
        for p in raw.problems { defects.append(defect(.structure, p)) }
        let before = defects.count

        // Properties.
        if code == nil || code!.isEmpty {
            let why = raw.properties[f.code].map { "property \"\(f.code)\" must be a non-empty string or number, found \($0.typeDescription)" }
                ?? "property \"\(f.code)\" (the grid code) is missing"
            defects.append(defect(raw.properties[f.code] == nil ? .missingProperty : .badProperty, why))
        }
        for (key, text) in [(f.code, code), (f.name, raw.properties[f.name]?.identifierText), (f.parent, raw.properties[f.parent]?.identifierText)] {
            if let text, let why = TextField.problem(text, multiline: false) {
                defects.append(defect(.badProperty, "property \"\(key)\" \(why)"))
            }
        }
        let name = raw.properties[f.name]?.identifierText
        // Limits: what is stored is served in every answer and export, so a code, name or property bag is bounded.
        for (key, text, limit) in [(f.code, code, BoundaryOptions.maxCodeLength), (f.name, name, BoundaryOptions.maxNameLength),
                                   (f.parent, raw.properties[f.parent]?.identifierText, BoundaryOptions.maxCodeLength)] {
            if let n = text?.count, n > limit {
                defects.append(defect(.badProperty, "property \"\(key)\" is \(n) characters long; at most \(limit) are allowed"))
            }
        }
        // Written out only when a bound on the written size (every character escaped) could pass the limit: the
        // usual small property bag costs no allocation.
        if Self.jsonSizeBound(.object(raw.properties)) > BoundaryOptions.maxPropertiesBytes {
            var sized = GeoJSONWriter()
            sized.appendObject(raw.properties)
            if sized.bytes.count > BoundaryOptions.maxPropertiesBytes {
                defects.append(defect(.badProperty,
                    "its properties take \(sized.bytes.count) bytes as JSON; at most \(BoundaryOptions.maxPropertiesBytes) (64 KiB) are allowed"))
            }
        }
        if name == nil || name!.isEmpty {
            defects.append(defect(raw.properties[f.name] == nil ? .missingProperty : .badProperty,
                                  raw.properties[f.name] == nil ? "property \"\(f.name)\" (the grid name) is missing"
                                                                : "property \"\(f.name)\" must be a non-empty string"))
        }
        var level: GridLevel?
        var parent: String?
        if options.layer.isHierarchical {
            if let lv = raw.properties[f.level] {
                if let text = lv.stringValue, let l = options.level(named: text) {
                    level = l
                } else {
                    defects.append(defect(.badProperty,
                        "property \"\(f.level)\" is \(lv.identifierText.map { "\"\($0)\"" } ?? lv.typeDescription); expected one of \(options.levels.names.joined(separator: ", "))" + (options.levels.isStandard ? " (--levels names other levels)" : "")))
                }
            } else {
                defects.append(defect(.missingProperty, "property \"\(f.level)\" (\(options.levels.names.joined(separator: ", "))) is missing"))
            }
            switch raw.properties[f.parent] {
            case nil, .null?: parent = nil
            case let v?:
                if let t = v.identifierText?.trimmingWhitespace(), !t.isEmpty {
                    parent = t
                } else if v.stringValue?.isEmpty != true {
                    defects.append(defect(.badProperty, "property \"\(f.parent)\" must be the parent's code, found \(v.typeDescription)"))
                }
            }
        }

        // Geometry shape (a feature whose structure is broken has nothing more to check).
        guard raw.problems.isEmpty else { return nil }
        let (shaped, shapeDefects) = raw.polygonalGeometry(code: code)
        defects.append(contentsOf: shapeDefects)
        guard var value = shaped else { return nil }

        // Coordinates and CRS.
        if converter.sourceIsGeographic {
            if let d = CoordinateRangeCheck.check(value, featureIndex: raw.index, code: code, line: raw.line) {
                defects.append(d)
                return nil
            }
        } else if CoordinateRangeCheck.check(value, featureIndex: nil, code: nil, line: nil) == nil {
            projectedButDegrees += 1
        }
        value.transformCoordinates { converter.toWGS84(&$0) }
        if converter.crs != .wgs84 {
            if let d = CoordinateRangeCheck.check(value, featureIndex: raw.index, code: code, line: raw.line, crs: converter.crs) {
                defects.append(d)
                return nil
            }
        }
        if let cross = AntimeridianCheck.crossing(in: value) {
            let (a, b) = (cross.from, cross.to)
            defects.append(defect(.crossesAntimeridian,
                "ring \(cross.ring)\(value.polygons.count > 1 ? " of part \(cross.polygon)" : "") crosses the antimeridian (±180° longitude) between [\(Self.short(a.0)), \(Self.short(a.1))] and [\(Self.short(b.0)), \(Self.short(b.1))]; "
                + "read as lon/lat it would span \(Self.short(abs(b.0 - a.0)))° the other way round the world. Split it at 180° into a MultiPolygon with one part on each side (RFC 7946 §3.1.9)",
                location: .point(x: a.0 > 0 ? 180 : -180, y: a.1 + (b.1 - a.1) * (180 - abs(a.0)) / max(360 - abs(b.0 - a.0), 1e-12))))
            return nil
        }
        value = value.orientedForOutput()

        // Validity.
        var geometry: GeosGeometry
        do {
            geometry = try GeosGeometry(value, in: geos)
        } catch {
            defects.append(defect(.invalidPolygon, "GEOS cannot build the polygon: \(error.message)"))
            return nil
        }
        var valid = true
        do {
            if let bad = try geometry.invalidity() {
                let at = bad.x.flatMap { x in bad.y.map { y in GeometryValue.point(x: x, y: y) } }
                let whereText = bad.x.map { x in " at [\(Self.short(x)), \(Self.short(bad.y!))]" } ?? ""
                if options.repair {
                    switch repairPolygon(value, geometry, reason: bad.reason, index: raw.index, code: shownCode ?? "", options: options) {
                    case .success(let (fixedValue, fixedGeometry, report)):
                        value = fixedValue
                        geometry = fixedGeometry
                        repairs.append(report)
                    case .failure(let why):
                        valid = false
                        defects.append(defect(.invalidPolygon, "invalid polygon: \(bad.reason)\(whereText); \(why.message)", location: at))
                    }
                } else {
                    valid = false
                    defects.append(defect(.invalidPolygon, "invalid polygon: \(bad.reason)\(whereText) (repair is opt-in: --repair, or repair=true on upload)", location: at))
                }
            }
        } catch {
            valid = false
            defects.append(defect(.invalidPolygon, "GEOS could not check validity: \(error.message)"))
        }
        guard defects.count == before || code != nil else { return nil }
        return Checked(index: raw.index, line: raw.line, code: code ?? "", name: name ?? "", level: level,
                       parent: parent, value: value, geos: options.layer.isHierarchical ? geometry : nil,
                       properties: Self.otherProperties(raw.properties, options: options), valid: valid && defects.count == before)
    }

    /// Why a repair was not taken.
    struct RepairRefused: Error { var message: String }

    /// The polygon made valid by GEOS's structure method, oriented for output, with what changed; refused when the
    /// result is not a valid polygon or moves the geodesic area by more than the options allow.
    func repairPolygon(_ value: GeometryValue, _ geometry: GeosGeometry, reason: String, index: Int, code: String,
                       options: BoundaryOptions) -> Result<(GeometryValue, GeosGeometry, BoundaryRepair), RepairRefused> {
        let fixedValue: GeometryValue, fixed: GeosGeometry
        do {
            let made = try geometry.makeValidByStructure()
            // Polygons, or a collection of which only the polygons are read (the structure method keeps no lines).
            let read: GeometryValue = try made.isEmpty ? .multiPolygon([]) : made.value()
            guard !read.polygons.isEmpty else { return .failure(RepairRefused(message: "the repair leaves no polygon (every ring collapses)")) }
            fixedValue = read.orientedForOutput()
            fixed = try GeosGeometry(fixedValue, in: geos)
            if let still = try fixed.invalidity() {
                return .failure(RepairRefused(message: "the repair is still invalid (\(still.reason))"))
            }
        } catch {
            return .failure(RepairRefused(message: "GEOS could not repair it: \(error.message)"))
        }
        let report = BoundaryRepair(featureIndex: index, code: code, areaBeforeM2: abs(geodesic.area(of: value)),
                                    areaAfterM2: geodesic.area(of: fixedValue), partsBefore: value.polygons.count,
                                    partsAfter: fixedValue.polygons.count, reason: reason)
        guard report.changePercent <= options.repairMaxChangePercent else {
            return .failure(RepairRefused(message:
                "the repair was refused: it changes the area by \(BoundaryRepair.percent(report.changePercent)) % (\(BoundaryRepair.m2(report.areaBeforeM2)) → \(BoundaryRepair.m2(report.areaAfterM2)) m², parts \(report.partsBefore) → \(report.partsAfter)), more than the \(options.repairMaxChangePercent) % allowed (--repair-max-change, repair_max_change); fix it by hand"))
        }
        return .success((fixedValue, fixed, report))
    }

    static func otherProperties(_ p: JSONObject, options: BoundaryOptions) -> JSONObject {
        var out = p
        let f = options.fields
        for k in [f.code, f.name] { out[k] = nil }
        if options.layer.isHierarchical { out[f.level] = nil; out[f.parent] = nil }
        return out
    }

    static func short(_ v: Double) -> String {
        var w = GeoJSONWriter(decimals: 7)
        w.appendCoordinate(v)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    // MARK: codes

    func checkCodes(_ checked: [Checked], defects: inout [Defect]) {
        var firstIndex: [String: Int] = [:]
        for c in checked where !c.code.isEmpty {
            if let first = firstIndex[c.code] {
                defects.append(Defect(kind: .duplicateCode, featureIndex: c.index, code: c.code,
                                      message: "code \"\(c.code)\" is already used by feature \(first); codes must be unique within the layer",
                                      location: c.value, line: c.line))
            } else {
                firstIndex[c.code] = c.index
            }
        }
    }
}
