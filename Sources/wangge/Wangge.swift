import ArgumentParser

@main
struct Wangge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wangge",
        abstract: "Grid-based community management: boundaries, assignment, events and reports.",
        subcommands: [ImportCommand.self, ValidateCommand.self, GridsCommand.self, LookupCommand.self, AssignCommand.self, SampleCommand.self]
    )
}
