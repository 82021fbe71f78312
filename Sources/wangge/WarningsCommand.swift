import ArgumentParser
import Foundation
import WanggeCore
import WanggeAssignment
import WanggeUseCases

struct WarningsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warnings",
        abstract: "Open events at 80 % of their time (yellow) or overdue (red), per department and grid."
    )

    @Option(name: .long, help: "Only this department.") var department: String?
    @Option(name: .long, help: "Only events assigned to this grid code.") var grid: String?
    @Flag(name: .long, help: "Only overdue (red) events.") var red = false
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let loop = ClosedLoop(repository: try database.open())
        let list = try loop.warnings(for: nil, department: department, grid: grid).filter { !red || $0.deadline.level == .red }
        let yellow = list.filter { $0.deadline.level == .yellow }.count, overdue = list.count - yellow
        print("\(overdue) overdue (red), \(yellow) at 80 % (yellow)")
        var byDepartment: [String: (Int, Int)] = [:]
        for w in list {
            var c = byDepartment[w.state.department ?? "(not dispatched)"] ?? (0, 0)
            if w.deadline.level == .red { c.0 += 1 } else { c.1 += 1 }
            byDepartment[w.state.department ?? "(not dispatched)"] = c
        }
        for (d, c) in byDepartment.sorted(by: { $0.key < $1.key }) { print("  \(d): \(c.0) red, \(c.1) yellow") }
        print("")
        for w in list.prefix(200) {
            let r = w.record.event.assignment.residential
            print("#\(w.record.id)\t\(w.deadline.level.rawValue)\t\(w.state.status.rawValue)\t\(w.record.event.type)/\(w.record.event.severity)\t\(w.deadline.phase.rawValue) due \(Timestamp.format(w.deadline.due)) (\(Int(w.deadline.used * 100)) %)\t\(w.state.department ?? "-")\t\(r.courtyard ?? r.community ?? "outside")")
        }
        if list.count > 200 { print("… \(list.count - 200) more") }
    }
}
