/// One stored event's export columns (`ExportRepository.eventColumns`, by position), read in place: text is the
/// store's own UTF-8 bytes, valid only inside the callback that hands the row over.
public protocol EventColumns {
    var id: Int64 { get }
    var lon: Double { get }
    var lat: Double { get }
    func isNull(_ i: Int) -> Bool
    func double(_ i: Int) -> Double
    func int(_ i: Int) -> Int
    func bool(_ i: Int) -> Bool
    /// The column's text (nil for NULL), as bytes that must not escape `body`.
    func withText<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T
}

// Inlinable: rows are read millions of times, and the concrete row type lives in the store module.
extension EventColumns {
    @inlinable
    public func string(_ i: Int) -> String? { withText(i) { $0.map { String(decoding: $0, as: UTF8.self) } } }

    /// The case whose raw value is the column's text, compared as bytes (no String is made); nil for NULL or no match.
    @inlinable
    public func choice<E: CaseIterable & RawRepresentable>(_ i: Int, _: E.Type) -> E? where E.RawValue == String {
        withText(i) { bytes in
            guard let bytes else { return nil }
            return E.allCases.first { $0.rawValue.utf8.elementsEqual(bytes) }
        }
    }
}

extension GeoJSONWriter {
    /// An event row's members from `"status"` through `"industry"` (each after a comma), as the export and the
    /// events collection both write them; NULL text is `null`, and so are no overlay codes.
    @inlinable
    public mutating func appendEventColumns(_ r: any EventColumns, levels: LevelScheme) {
        typealias C = ExportColumn
        func text(_ c: C) { r.withText(c.rawValue) { if let t = $0 { appendString(utf8: t) } else { append("null") } } }
        /// Grid codes: none is `null`, not `""` (so `IS NULL` finds the events outside every overlay grid).
        func codes(_ c: C) { r.withText(c.rawValue) { if let t = $0, !t.isEmpty { appendString(utf8: t) } else { append("null") } } }
        append(#","status":"#); text(.status)
        append(#","type":"#); text(.type)
        append(#","severity":"#); appendInt(r.int(C.severity.rawValue))
        append(#","description":"#); text(.description)
        append(#","channel":"#); text(.channel)
        append(#","occurred_at":"#); appendTimestamp(r.double(C.occurredAt.rawValue))
        append(#","reported_at":"#); appendTimestamp(r.double(C.reportedAt.rawValue))
        append(#","match":"#); text(.match)
        if levels.isStandard {
            append(#","street":"#); text(.street)
            append(#","community":"#); text(.community)
            append(#","courtyard":"#); text(.courtyard)
            append(#","building":"#); text(.building)
        } else {
            // The layer's own level names, by rank: the four level columns, then `lower_levels`' array.
            let slots: [C] = [.street, .community, .courtyard, .building]
            let lower = levels.levels.count > 4 ? ResidentialAnswer.lowerCodes(r.string(C.lowerLevels.rawValue)) : []
            for level in levels.levels {
                append(","); appendString(level.name); append(":")
                if level.rank < 4 {
                    text(slots[level.rank])
                } else if let code = lower.indices.contains(level.rank - 4) ? lower[level.rank - 4] : nil {
                    appendString(code)
                } else {
                    append("null")
                }
            }
        }
        append(#","functional":"#); codes(.functional)
        append(#","industry":"#); codes(.industry)
    }
}

/// Streaming reads for exports: rows are handed over one by one from one consistent snapshot, so memory does not
/// grow with the table.
public protocol ExportRepository: Sendable {
    /// Every event matching `query` (its limit and cursor ignored), oldest first, with the columns of
    /// `ExportColumn` in that order.
    func forEachEventRow(_ query: FeatureQuery, _ body: (any EventColumns) throws -> Void) throws
    /// Every grid of a layer (and level), in code order within levels.
    func forEachGrid(layer: GridLayer?, level: GridLevel?, _ body: (StoredGrid) throws -> Void) throws
    /// How many events match the query's filters (its limit and cursor ignored).
    func countEvents(_ query: FeatureQuery) throws -> Int
}

/// The columns of an event export, in the order `ExportRepository.forEachEventRow` hands them over; a row is read
/// by these (`row.double(ExportColumn.occurredAt.rawValue)`), never by bare positions.
public enum ExportColumn: Int, CaseIterable, Sendable {
    case id, lon, lat, status, type, severity, description, channel, occurredAt, reportedAt, match
    case street, community, courtyard, building, functional, industry, outside, department, component
    case reporterName, reporterPhone, lowerLevels

    /// The stored column, which is also the name exports give it.
    public var name: String {
        switch self {
        case .occurredAt: return "occurred_at"
        case .reportedAt: return "reported_at"
        case .reporterName: return "reporter_name"
        case .reporterPhone: return "reporter_phone"
        case .lowerLevels: return "lower_levels"
        default: return String(describing: self)
        }
    }
}
