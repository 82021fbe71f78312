import Foundation
import WanggeCore

/// The periodic summary (周报告 weekly, 月交流 monthly, 季小结 quarterly): one printable HTML page with the headline
/// figures against the previous period, a map, and tables per grid, per department and per event type. For the
/// whole street or one community. Self-contained: styles inline, the map as inline SVG, nothing fetched.
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

    /// - Parameter community: a community code to limit the page to that community and its courtyards.
    public static func render(reporting: Reporting, period: ReportPeriod, community: String? = nil) throws -> String {
        let previous = try period.previous()
        let communities = try reporting.grids(.level(.community), period: period)
        let communitiesBefore = try reporting.grids(.level(.community), period: previous)
        var courtyards = try reporting.grids(.level(.courtyard), period: period)
        var courtyardsBefore = try reporting.grids(.level(.courtyard), period: previous)
        let street = try reporting.database.reportGrids(.level(.street)).first
        var place = street?.name ?? "Street"
        var total = courtyards.total, totalBefore = courtyardsBefore.total
        if let community {
            guard let row = communities.rows.first(where: { $0.grid.code == community }),
                  let before = communitiesBefore.rows.first(where: { $0.grid.code == community }) else {
                throw WanggeError.notFound("no community grid \(community)")
            }
            place += " · " + row.grid.name
            total = row.tally
            totalBefore = before.tally
            courtyards.rows = courtyards.rows.filter { $0.grid.parent == community }
            courtyardsBefore.rows = courtyardsBefore.rows.filter { $0.grid.parent == community }
        }
        let departments = community == nil ? try reporting.departments(period: period) : nil
        let typeNames = try reporting.typeNames()
        let title = "\(place) \(name(period.kind))"
        let map = try ChoroplethSVG.render(courtyards, options: .init(figure: "resolution_rate", width: 900,
                                                                        title: "办结率 by courtyard · \(period.label)"))

        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }
        func hours(_ v: Double?) -> String { v.map { String(format: "%.1f h", $0) } ?? "–" }
        func change(_ now: Int, _ before: Int) -> String {
            if now == before { return "<span class=same>±0</span>" }
            return now > before ? "<span class=up>▲ \(now - before)</span>" : "<span class=down>▼ \(before - now)</span>"
        }
        func x(_ s: String) -> String { ChoroplethSVG.xml(s) }

        var h = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(x(title)) \(x(period.label))</title>
            <style>
            body { font-family: 'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif; margin: 24px auto; max-width: 960px; color: #222; }
            h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid #333; padding-bottom: 3px; }
            .sub { color: #555; margin-bottom: 16px; }
            .cards { display: grid; grid-template-columns: repeat(6, 1fr); gap: 8px; }
            .card { border: 1px solid #ccc; border-radius: 6px; padding: 8px 10px; }
            .card b { display: block; font-size: 22px; } .card small { color: #555; }
            table { border-collapse: collapse; width: 100%; font-size: 13px; }
            th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: right; } th { background: #f3f3f3; }
            td:first-child, th:first-child, td.l { text-align: left; }
            .up, .down, .same { color: #555; font-size: 12px; }
            .blind { color: #8a6d00; } .note { color: #555; font-size: 12px; }
            svg { max-width: 100%; height: auto; }
            @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table, svg { break-inside: avoid; } }
            </style></head><body>
            <h1>\(x(title))</h1>
            <div class=sub>\(x(period.label)) · \(x(period.readableRange)) (\(x(period.timeZone))) · compared with \(x(previous.label)) · figures as of \(x(period.readableInstant(reporting.clock())))</div>
            <div class=cards>
            <div class=card><small>受理 received</small><b>\(total.received)</b>\(change(total.received, totalBefore.received))</div>
            <div class=card><small>办结 closed</small><b>\(total.closed)</b>\(change(total.closed, totalBefore.closed))</div>
            <div class=card><small>办结率 resolution</small><b>\(pct(total.resolutionRate))</b><small>before \(pct(totalBefore.resolutionRate))</small></div>
            <div class=card><small>满意率 satisfaction</small><b>\(pct(total.satisfactionRate))</b><small>before \(pct(totalBefore.satisfactionRate))</small></div>
            <div class=card><small>按时 on time</small><b>\(pct(total.onTimeRate))</b><small>before \(pct(totalBefore.onTimeRate))</small></div>
            <div class=card><small>超期 overdue now</small><b>\(total.overdue)</b><small>\(total.open) open</small></div>
            </div>

            """
        h += "<h2>地图 · Map</h2>\n" + map
        h += "\n<h2>\(community == nil ? "社区 · Communities" : "楼院 · Courtyards")</h2>\n<table><tr><th>grid</th><th>received</th><th>vs \(x(previous.label))</th><th>closed</th><th>resolution</th><th>satisfaction</th><th>on time</th><th>overdue</th><th>median to resolve</th><th>reworks</th></tr>\n"
        let (rows, before) = community == nil ? (communities.rows, communitiesBefore.rows) : (courtyards.rows, courtyardsBefore.rows)
        for (row, b) in zip(rows, before) {
            let t = row.tally
            h += "<tr><td>\(x(row.grid.name)) <span class=note>\(x(row.grid.code))</span>\(t.received == 0 ? " <span class=blind>blind spot</span>" : "")</td><td>\(t.received)</td><td>\(change(t.received, b.tally.received))</td><td>\(t.closed)</td><td>\(pct(t.resolutionRate))</td><td>\(pct(t.satisfactionRate))</td><td>\(pct(t.onTimeRate))</td><td>\(t.overdue)</td><td>\(hours(t.medianHoursToResolve))</td><td>\(t.reworks)</td></tr>\n"
        }
        h += "</table>\n"
        let blind = courtyards.rows.filter { $0.tally.received == 0 }
        h += "<p class=note>Blind spots (courtyards with no event in the period): " + (blind.isEmpty ? "none" : blind.map { x("\($0.grid.name) (\($0.grid.code))") }.joined(separator: ", ")) + ".</p>\n"

        if let departments {
            h += "<h2>承办部门 · Departments</h2>\n<table><tr><th>department</th><th>held</th><th>closed</th><th>on time</th><th>overdue</th><th>returned</th><th>reworks</th><th>extensions</th><th>good / average / poor</th><th>satisfaction</th></tr>\n"
            for d in departments.rows where d.tally.received > 0 || d.returned > 0 {
                let t = d.tally
                h += "<tr><td>\(x(d.department.name))</td><td>\(t.received)</td><td>\(t.closed)</td><td>\(pct(t.onTimeRate))</td><td>\(t.overdue)</td><td>\(d.returned)</td><td>\(t.reworks)</td><td>\(t.extensions)</td><td>\(t.good) / \(t.average) / \(t.poor)</td><td>\(pct(t.satisfactionRate))</td></tr>\n"
            }
            h += "<tr><td class=l>not yet dispatched</td><td>\(departments.undispatched.received)</td><td colspan=8></td></tr>\n</table>\n"
        }

        h += "<h2>事件类型 · Event types</h2>\n<table><tr><th>type</th><th>received</th><th>vs \(x(previous.label))</th><th>share</th></tr>\n"
        for (code, count) in total.byType.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(12) {
            let b = totalBefore.byType[code] ?? 0
            h += "<tr><td>\(x(typeNames[code] ?? code)) <span class=note>\(x(code))</span></td><td>\(count)</td><td>\(change(count, b))</td><td>\(pct(Double(count) / Double(max(total.received, 1))))</td></tr>\n"
        }
        h += "</table>\n"
        h += """
            <p class=note>办结率 = closed ÷ received (closed or evaluated when the report is made); 满意率 = (satisfied + neutral) ÷
            residents who answered; on time = resolved by the deadline (suspensions and extensions included) ÷ resolved;
            overdue = open events past their current deadline now. Generated by Wangge.</p>
            </body></html>

            """
        return h
    }
}
