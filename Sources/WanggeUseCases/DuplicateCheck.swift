public import Foundation
public import WanggeCore

/// Finds the open events a new report may repeat: the same type, within the rule's radius and days (the
/// `duplicates` setting, from GeoData/duplicates.json; 50 m and 7 days without one).
public struct DuplicateCheck: Sendable {
    public let repository: any EventRepository & WorkflowRepository
    /// The rule, re-read at most every few seconds.
    let cache = Locked<(rule: DuplicateRule, readAt: Double)>((DuplicateRule(), -.infinity))

    public init(repository: any EventRepository & WorkflowRepository) {
        self.repository = repository
    }

    public func rule(now: Double = Date().timeIntervalSince1970) throws -> DuplicateRule {
        if let fresh = cache.withLock({ now - $0.readAt < 5 ? $0.rule : nil }) { return fresh }
        let rule = try repository.setting(DuplicateRule.settingKey).flatMap { try? JSONDecoder().decode(DuplicateRule.self, from: Data($0.utf8)) }
            ?? DuplicateRule()
        cache.withLock { $0 = (rule, now) }
        return rule
    }

    /// Open events of `type` near the WGS 84 point, reported within the rule's days before `now`, nearest first.
    public func candidates(type: String, lon: Double, lat: Double, now: Double = Date().timeIntervalSince1970) throws -> [PossibleDuplicate] {
        let rule = try self.rule(now: now)
        let near = try repository.openEvents(type: type, in: rule.box(lon: lon, lat: lat), reportedSince: now - rule.days * 86400)
        return PossibleDuplicate.within(rule, lon: lon, lat: lat, of: near)
    }
}
