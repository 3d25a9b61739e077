using System;
using System.Collections.Generic;
using System.IO;
using AE.Experiments.Menu;

namespace AE.Cli
{
    /// <summary><c>ae experiment list [--format table|json]</c>: seed 001's experiment menu, A to L, and where each section stands here.</summary>
    public static class ExperimentCommand
    {
        public const string Name = "experiment";

        public static CliCommand Command { get; } = new(Name, Usage.ExperimentSummary, Usage.Experiment, Run);

        private static readonly IReadOnlyDictionary<string, string> ValueOptions = new Dictionary<string, string> { ["--format"] = "table or json" };

        public static int Run(string[] args, CliContext context)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            if (context is null) throw new ArgumentNullException(nameof(context));
            var parsed = ParsedArguments.Parse(args, Name, ValueOptions);
            if (parsed.ShowHelp)
            {
                context.Stdout.Write(Usage.Experiment);
                return ExitCodes.Success;
            }
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no subcommand; valid subcommands: list", Name);
            if (parsed.Positionals[0] != "list") throw CliException.BadUsage("unknown subcommand '" + parsed.Positionals[0] + "'; valid subcommands: list", Name);
            if (parsed.Positionals.Count > 1) throw CliException.BadUsage("unexpected argument '" + parsed.Positionals[1] + "'", Name);
            var format = global::AE.Cli.Experiment.ParseFormat(parsed, Name);
            if (format == OutputFormat.Json) WriteJson(context.Stdout);
            else WriteTable(context.Stdout);
            return ExitCodes.Success;
        }

        private static void WriteTable(TextWriter stdout)
        {
            stdout.WriteLine("Seed 001's experiment menu: the question of each section and whether it runs here");
            stdout.WriteLine();
            stdout.WriteLine("| id | section | question | runs here | how, or what it lacks |");
            stdout.WriteLine("| -- | ------- | -------- | --------- | --------------------- |");
            foreach (var item in ExperimentMenu.Items)
                stdout.WriteLine("| " + item.Id + " | " + item.Title + " | " + item.Question + " | " + ExperimentMenu.Word(item.Status) + " | " + item.Here + " |");
        }

        private static void WriteJson(TextWriter stdout)
        {
            Json.WriteIndented(stdout, json =>
            {
                json.WriteStartArray();
                foreach (var item in ExperimentMenu.Items)
                {
                    json.WriteStartObject();
                    json.WriteString("id", item.Id);
                    json.WriteString("title", item.Title);
                    json.WriteString("question", item.Question);
                    json.WriteString("runs_here", ExperimentMenu.Word(item.Status));
                    json.WriteString("here", item.Here);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }
    }
}
