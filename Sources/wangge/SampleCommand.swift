import ArgumentParser

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "The Xiyuan sample: generate it, or load it into a database.",
        subcommands: []
    )
}
