using System;
using AE.Experiments.Tasks;

namespace AE.Cli
{
    /// <summary>
    /// The options that the commands running laws share (run, ablate, sweep, swarm), declared once: a command
    /// lists the ones it takes in its <see cref="CommandSpec"/>, with <see cref="OptionSpec.Describe"/> where
    /// its meaning differs.
    /// </summary>
    internal static class LawCommandOptions
    {
        /// <summary>The positionals of every command that takes laws.</summary>
        public static ArgumentSpec LawFiles { get; } = new("law.ae",
            "The .ae files (paths or globs), checked together: a variant's base or a used group may live in any of them.");

        public static OptionSpec Task { get; } = new("--task", "a task name (" + string.Join(", ", TaskCatalog.Names) + ")",
            "A benchmark task: " + string.Join(", ", TaskCatalog.Names) + " (docs/tasks.md).") { HelpName = "T", Choices = TaskCatalog.Names };

        public static OptionSpec Case { get; } = new("--case", "a golden case .json file",
            "A golden case (.json with its .csv) as the task: its problem, theta0 and steps.") { HelpName = "FILE" };

        public static OptionSpec Name { get; } = new("--name", "the name of a law or variant in the file",
            "The law or variant to run (default: the first law of the optimizer shape, several files taken in the order of their paths).") { HelpName = "LAW" };

        public static OptionSpec Set { get; } = new("--set", "NAME=VALUE, such as k_p=1.2",
            "Set a scalar param of the law (repeatable, or a comma list; a vector param keeps its declared value): numbers (1.2, 3e-4, inf), true/false, whole numbers (100, 1e3); none for the "
            + "guards that the seed's None disables. An unknown param is an error that lists the law's params.", OptionKind.Repeatable) { HelpName = "NAME=VALUE" };

        public static OptionSpec Db { get; } = new("--db", "a SQLite database file",
            "The database (default: " + Experiment.DefaultDatabase + " in the current directory).") { HelpName = "FILE" };

        public static OptionSpec TableFormat { get; } = new OptionSpec("--format", "table or json", "A markdown table (default) or one JSON object.") { HelpName = "table|json" }.AsFormat();

        public static OptionSpec NoProgress { get; } = OptionSpec.Flag("--no-progress", "No progress display (it is drawn on stderr only when stderr is a terminal).");

        /// <summary>Run the batch on a cluster's workers (<c>ae worker</c>) instead of in this process (docs/cluster.md).</summary>
        public static OptionSpec Cluster { get; } = new(ClusterOption.Name, ClusterOption.Expected,
            "Run the batch on the workers of a cluster (ae worker) instead of in this process: localhost, or localhost:PORT for a primary worker on another port (docs/cluster.md). The table is the same.") { HelpName = "SPEC" };

        public static OptionSpec StoreSteps { get; } = OptionSpec.Flag("--store-steps",
            "Also store every step of every run (table steps); by default only the runs table gets a row per run.");
    }
}
