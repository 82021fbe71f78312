import ArgumentParser

@main
struct Wangge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wangge",
        abstract: "Grid-based community management: boundaries, assignment, events and reports.",
        subcommands: [ServeCommand.self, TokenCommand.self, ImportCommand.self, ValidateCommand.self, GridsCommand.self,
                      LookupCommand.self, AssignCommand.self, WarningsCommand.self, ExportCommand.self, ReportCommand.self,
                      SampleCommand.self, CommunityCommand.self, BackupCommand.self, RestoreCommand.self, AuditCommand.self,
                      VersionsCommand.self]
    )
}
