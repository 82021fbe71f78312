public import Foundation
public import WanggeCore

/// Finds the open events a new report may repeat: the same type, within the rule's radius and days (the
/// `duplicates` setting, from GeoData/duplicates.json; 50 m and 7 days without one).
///
/// The open events of the last days are kept in memory, by type and by cells as wide as the radius, so intake finds
/// them without a database read on its path (a read per report took a reader connection from the requests and cut
/// intake to a fifth). They are read from storage on first use, and kept in step by intake (`add`) and the closed
/// loop (`update`): events written by another process show up when this one starts again.
public final class DuplicateCheck: Sendable {
    public let repository: any EventRepository & WorkflowRepository

    struct Entry: Sendable {
        var id: Int64
        var lon: Double
        var lat: Double
        var reportedAt: Double
        var status: EventStatus
    }

    struct Key: Hashable, Sendable {
        var type: String
        var x: Int
        var y: Int
    }

    struct State: Sendable {
        var rule: DuplicateRule?
        var ruleReadAt = -Double.infinity
        var cells: [Key: [Entry]] = [:]
        var where_: [Int64: Key] = [:]
        var loaded = false
    }

    let state = Locked(State())

    public init(repository: any EventRepository & WorkflowRepository) {
        self.repository = repository
    }

    /// The rule, re-read at most every few seconds; a new radius or window rebuilds what is kept.
    public func rule(now: Double = Date().timeIntervalSince1970) throws -> DuplicateRule {
        if let fresh = state.withLock({ s in s.loaded && now - s.ruleReadAt < 5 ? s.rule : nil }) { return fresh }
        let rule = try repository.setting(DuplicateRule.settingKey).flatMap { try? JSONDecoder().decode(DuplicateRule.self, from: Data($0.utf8)) }
            ?? DuplicateRule()
        let reload = state.withLock { s -> Bool in
            defer { s.rule = rule; s.ruleReadAt = now }
            return !s.loaded || s.rule != rule
        }
        if reload { try load(rule, now: now) }
        return rule
    }

    /// Reads the open events of the rule's window from storage.
    func load(_ rule: DuplicateRule, now: Double) throws {
        var q = FeatureQuery.allEvents
        q.statuses = EventStatus.allCases.filter { ![.rejected, .closed, .evaluated].contains($0) }
        q.reportedFrom = now - rule.days * 86400
        let open = try repository.events(q)
        state.withLock { s in
            s.cells = [:]
            s.where_ = [:]
            for r in open { Self.insert(r, rule: rule, into: &s) }
            s.loaded = true
        }
    }

    static func key(_ type: String, _ lon: Double, _ lat: Double, _ rule: DuplicateRule) -> Key {
        // Cells a radius wide (in degrees at this latitude): the circle around a point touches at most 3 × 3 of them.
        let size = rule.box(lon: lon, lat: lat)
        return Key(type: type, x: Int((lon / (size.maxX - size.minX) * 2).rounded(.down)), y: Int((lat / (size.maxY - size.minY) * 2).rounded(.down)))
    }

    static func insert(_ r: EventRecord, rule: DuplicateRule, into s: inout State) {
        let k = key(r.event.type, r.event.lon, r.event.lat, rule)
        s.cells[k, default: []].append(Entry(id: r.id, lon: r.event.lon, lat: r.event.lat, reportedAt: r.event.reportedAt, status: r.status))
        s.where_[r.id] = k
    }

    /// Open events of `type` near the WGS 84 point, reported within the rule's days before `now`, nearest first (at
    /// most `listed`).
    public static let listed = 10

    public func candidates(type: String, lon: Double, lat: Double, now: Double = Date().timeIntervalSince1970) throws -> [PossibleDuplicate] {
        let rule = try self.rule(now: now)
        let since = now - rule.days * 86400
        let center = Self.key(type, lon, lat, rule)
        // A plane at this latitude picks the candidates (no trigonometry per event; off by far less than a metre at
        // these distances, with a margin); the great-circle distance is worked out for those listed.
        let kx = 111_320 * cos(lat * .pi / 180), ky = 110_574.0
        let reach = (rule.radiusMetres * 1.01) * (rule.radiusMetres * 1.01)
        // The nearest `listed`, kept sorted as the cells are scanned (a busy spot has many open reports; only ten
        // are listed, so nothing else is sorted).
        var near: [(d2: Double, entry: Entry)] = []
        near.reserveCapacity(Self.listed + 1)
        state.withLock { s in
            for dx in -1...1 {
                for dy in -1...1 {
                    guard let cell = s.cells[Key(type: type, x: center.x + dx, y: center.y + dy)] else { continue }
                    for e in cell where e.reportedAt >= since {
                        let x = (e.lon - lon) * kx, y = (e.lat - lat) * ky
                        let d2 = x * x + y * y
                        guard d2 <= reach else { continue }
                        if near.count == Self.listed, let last = near.last, (last.d2, last.entry.id) < (d2, e.id) { continue }
                        let at = near.firstIndex { ($0.d2, $0.entry.id) > (d2, e.id) } ?? near.count
                        near.insert((d2, e), at: at)
                        if near.count > Self.listed { near.removeLast() }
                    }
                }
            }
        }
        var found: [PossibleDuplicate] = []
        for (_, e) in near where found.count < Self.listed {
            let m = PossibleDuplicate.metres(lon, lat, e.lon, e.lat)
            if m <= rule.radiusMetres { found.append(PossibleDuplicate(id: e.id, distanceMetres: m, status: e.status, reportedAt: e.reportedAt)) }
        }
        return found
    }

    /// A report just stored.
    public func add(_ record: EventRecord) {
        state.withLock { s in
            guard s.loaded, let rule = s.rule, s.where_[record.id] == nil else { return }
            Self.insert(record, rule: rule, into: &s)
        }
    }

    /// An event whose status changed: it keeps its place while open; one no longer open (closed, rejected,
    /// merged) is no candidate any more.
    public func update(_ id: Int64, status: EventStatus) {
        state.withLock { s in
            guard let k = s.where_[id] else { return }
            if [.rejected, .closed, .evaluated].contains(status) {
                s.where_[id] = nil
                s.cells[k]?.removeAll { $0.id == id }
                if s.cells[k]?.isEmpty == true { s.cells[k] = nil }
            } else if let i = s.cells[k]?.firstIndex(where: { $0.id == id }) {
                s.cells[k]![i].status = status
            }
        }
    }
}
