import ArgumentParser

@main
struct WanggeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wangge-bench",
        abstract: "Benchmarks that print figures side by side with their baselines (never timed assertions).",
        subcommands: [AssignBench.self, IntakeBench.self, ExportBench.self, FeaturesBench.self, ReportBench.self]
    )
}
