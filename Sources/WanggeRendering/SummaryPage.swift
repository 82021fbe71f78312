public import WanggeCore
import Foundation
import Mustache

/// The periodic summary (周报告 weekly, 月交流 monthly, 季小结 quarterly) as one printable HTML page, from
/// `Resources/summary.mustache`: styles inline, the map as inline SVG, nothing fetched.
public enum SummaryPage {
    static func name(_ kind: ReportPeriod.Kind) -> String {
        switch kind {
        case .week: return "周报告 · Weekly report"
        case .month: return "月交流 · Monthly exchange"
        case .quarter: return "季小结 · Quarterly summary"
        case .year: return "年度总结 · Annual summary"
        case .day: return "日报 · Daily report"
        case .custom: return "报告 · Report"
        }
    }

    /// - Throws: `ChoroplethSVG.SVGError` or `PageTemplates.Missing`.
    public static func render(_ s: PeriodSummary) throws -> String {
        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }
        func hours(_ v: Double?) -> String { v.map { String(format: "%.1f h", $0) } ?? "–" }
        func change(_ now: Int, _ before: Int) -> [String: String] {
            if now == before { return ["kind": "same", "text": "±0"] }
            return now > before ? ["kind": "up", "text": "▲ \(now - before)"] : ["kind": "down", "text": "▼ \(before - now)"]
        }
        let map = try ChoroplethSVG.render(s.courtyards, options: .init(figure: "resolution_rate", width: 900,
                                                                          title: "办结率 by courtyard · \(s.period.label)"))
        let total = s.total, before = s.totalBefore
        var page: [String: Any] = [
            "title": "\(s.place) \(name(s.period.kind))", "period": s.period.label, "range": s.period.readableRange,
            "timeZone": s.period.timeZone, "previousPeriod": s.previous.label, "asOf": s.period.readableInstant(s.asOf),
            "received": total.received, "receivedChange": change(total.received, before.received),
            "closed": total.closed, "closedChange": change(total.closed, before.closed),
            "resolutionRate": pct(total.resolutionRate), "resolutionRateBefore": pct(before.resolutionRate),
            "satisfactionRate": pct(total.satisfactionRate), "satisfactionRateBefore": pct(before.satisfactionRate),
            "onTimeRate": pct(total.onTimeRate), "onTimeRateBefore": pct(before.onTimeRate),
            "overdue": total.overdue, "open": total.open, "map": map,
            "filed": total.filed, "dueToClose": total.dueToClose, "closedOfDue": total.closedOfDue, "closedOnTime": total.closedOnTime,
            "closureRate": pct(total.closureRate), "closureRateBefore": pct(before.closureRate),
            "onTimeClosureRate": pct(total.onTimeClosureRate), "onTimeClosureRateBefore": pct(before.onTimeClosureRate),
            "parked": total.parked,
            "rowsHeading": s.community == nil ? "社区 · Communities" : "楼院 · Courtyards",
        ]
        page["rows"] = s.rows.map { r -> [String: Any] in
            let t = r.tally
            return ["name": r.grid.name, "code": r.grid.code, "blind": t.received == 0, "received": t.received,
                    "change": change(t.received, r.before.received), "closed": t.closed,
                    "resolutionRate": pct(t.resolutionRate), "satisfactionRate": pct(t.satisfactionRate),
                    "onTimeRate": pct(t.onTimeRate), "overdue": t.overdue,
                    "medianHoursToResolve": hours(t.medianHoursToResolve), "reworks": t.reworks]
        }
        page["work"] = s.rows.map { r -> [String: Any] in
            let w = s.work[r.grid.code] ?? GridWork()
            return ["name": r.grid.name, "code": r.grid.code, "vacancies": w.vacancies.count,
                    "vacant": w.vacancies.isEmpty ? "–" : w.vacancies.joined(separator: ", "), "organisations": w.organisations,
                    "activities": w.activities, "participants": w.participants]
        }
        let blind = s.blindSpots
        page["blindSpots"] = blind.isEmpty ? "none" : blind.map { "\($0.name) (\($0.code))" }.joined(separator: ", ")
        if let departments = s.departments {
            page["departments"] = [
                "rows": departments.rows.filter { $0.tally.received > 0 || $0.returned > 0 }.map { d -> [String: Any] in
                    let t = d.tally
                    return ["name": d.department.name, "received": t.received, "closed": t.closed, "onTimeRate": pct(t.onTimeRate),
                            "disposalOnTimeRate": pct(t.disposalOnTimeRate), "reworkRate": pct(t.reworkRate), "overdue": t.overdue, "returned": d.returned, "reworks": t.reworks, "extensions": t.extensions,
                            "good": t.good, "average": t.average, "poor": t.poor, "satisfactionRate": pct(t.satisfactionRate)]
                },
                "undispatched": departments.undispatched.received,
            ] as [String: Any]
        }
        page["types"] = total.byType.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(12).map { code, count -> [String: Any] in
            ["name": s.typeNames[code] ?? code, "code": code, "received": count, "change": change(count, before.byType[code] ?? 0),
             "share": pct(Double(count) / Double(max(total.received, 1)))]
        }
        return try PageTemplates.render("summary", page)
    }
}
