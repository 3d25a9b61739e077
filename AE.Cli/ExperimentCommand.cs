using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Experiments.Menu;
using AE.Engine;

namespace AE.Cli
{
    /// <summary><c>ae experiment list [--format table|json]</c>: seed 001's experiment menu, A to L, and where each section stands here; <c>ae experiment run ID [--seeds N] [--out DIR] [--format table|json] [--law FILE] [--name LAW] [--steps N]</c>: an item run (<see cref="ExperimentRun"/>).</summary>
    public static class ExperimentCommand
    {
        public const string Name = "experiment";

        public static CliCommand Command { get; } = new(Name, Usage.ExperimentSummary, Usage.Experiment, Run);

        private static readonly IReadOnlyDictionary<string, string> ValueOptions = new Dictionary<string, string>
        {
            ["--format"] = "table or json",
            ["--seeds"] = "the number of seeds K (seeds 0..K-1)",
            ["--out"] = "a folder for the tables and plots",
            ["--law"] = "a .ae file of the law to run",
            ["--name"] = "the name of a law or variant in the file",
            ["--steps"] = "the step budget of each run, a whole number",
        };

        /// <summary>Seeds per cell unless <c>--seeds</c> says otherwise.</summary>
        public const int DefaultSeeds = 3;

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
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no subcommand; valid subcommands: list, run", Name);
            var format = global::AE.Cli.Experiment.ParseFormat(parsed, Name);
            switch (parsed.Positionals[0])
            {
                case "list":
                    if (parsed.Positionals.Count > 1) throw CliException.BadUsage("unexpected argument '" + parsed.Positionals[1] + "'", Name);
                    foreach (var option in new[] { "--seeds", "--out", "--law", "--name", "--steps" })
                        if (parsed.Value(option) is not null) throw CliException.BadUsage("'" + option + "' is an option of 'ae experiment run'", Name);
                    if (format == OutputFormat.Json) WriteJson(context.Stdout);
                    else WriteTable(context.Stdout);
                    return ExitCodes.Success;
                case "run":
                    return RunItem(parsed, format, context);
                default:
                    throw CliException.BadUsage("unknown subcommand '" + parsed.Positionals[0] + "'; valid subcommands: list, run", Name);
            }
        }

        private static int RunItem(ParsedArguments parsed, OutputFormat format, CliContext context)
        {
            if (parsed.Positionals.Count < 2) throw CliException.BadUsage("no item; name one of A-L (ae experiment list)", Name);
            if (parsed.Positionals.Count > 2) throw CliException.BadUsage("unexpected argument '" + parsed.Positionals[2] + "'", Name);
            var item = ExperimentMenu.Find(parsed.Positionals[1])
                ?? throw CliException.BadUsage("unknown item '" + parsed.Positionals[1] + "'; items: " + string.Join(", ", ExperimentMenu.Items.Select(i => i.Id)), Name);
            int seeds = (int)(global::AE.Cli.Experiment.PositiveInt(parsed, "--seeds", Name, max: 100) ?? DefaultSeeds);
            long? steps = global::AE.Cli.Experiment.PositiveInt(parsed, "--steps", Name, max: SweepCommand.MaxSteps);
            if (!ExperimentRun.Runnable.ContainsKey(item.Id))
                throw new CliException("item " + item.Id + " (" + item.Title + ") is not run by 'ae experiment run': "
                    + (item.Status == MenuStatus.No ? item.Here : "its arms run with other commands here: " + item.Here));
            string outDir = Path.GetFullPath(parsed.Value("--out") ?? "ae-experiment-" + item.Id, context.CurrentDirectory);
            var law = ExperimentLaw.Load(new[] { parsed.Value("--law") ?? ExperimentRun.DefaultLaw }, parsed.Value("--name"), Array.Empty<ParamSetting>(),
                Array.Empty<string>(), context.CurrentDirectory, context.Stderr, Name, 1);
            var report = ExperimentRun.Run(item.Id, new ExperimentRunSettings(seeds, steps, outDir, law, context));
            if (context.Cancellation.IsCancellationRequested)
            {
                // The runs stopped where they were: their files are written, but no verdict is given on them.
                context.Stderr.WriteLine("ae: interrupted; no verdict; the files under " + global::AE.Cli.Experiment.Display(outDir, context.CurrentDirectory)
                    + " hold the runs as far as they got");
                return ExitCodes.Interrupted;
            }
            if (format == OutputFormat.Json)
            {
                Json.WriteIndented(context.Stdout, json =>
                {
                    json.WriteStartObject();
                    json.WriteString("id", report.Id);
                    json.WriteString("title", report.Title);
                    json.WriteString("law", law.Name);
                    json.WriteNumber("seeds", seeds);
                    json.WriteString("verdict", report.Judgement.Word);
                    json.WriteString("criterion", report.Judgement.Criterion);
                    json.WriteString("numbers", report.Judgement.Numbers);
                    report.Json(json);
                    json.WriteStartArray("files");
                    foreach (var f in report.Files) json.WriteStringValue(f);
                    json.WriteEndArray();
                    json.WriteEndObject();
                });
            }
            else
            {
                context.Stdout.Write(report.Markdown);
                context.Stdout.WriteLine();
                context.Stdout.WriteLine("Verdict (" + item.Id + "): " + report.Judgement.Word + ": " + report.Judgement.Numbers);
                context.Stdout.WriteLine("Wrote " + string.Join(", ", report.Files));
            }
            return ExitCodes.Success;
        }

        /// <summary>Whether <c>ae experiment run</c> runs an item: yes, or no.</summary>
        private static string RunWord(MenuItem item) => ExperimentRun.Runnable.ContainsKey(item.Id) ? "yes" : "no";

        private static void WriteTable(TextWriter stdout)
        {
            stdout.WriteLine("Seed 001's experiment menu: the question of each section and whether it runs here");
            stdout.WriteLine();
            stdout.WriteLine("| id | section | question | runs here | how, or what it lacks | ae experiment run |");
            stdout.WriteLine("| -- | ------- | -------- | --------- | --------------------- | ----------------- |");
            foreach (var item in ExperimentMenu.Items)
                stdout.WriteLine("| " + item.Id + " | " + item.Title + " | " + item.Question + " | " + ExperimentMenu.Word(item.Status) + " | " + item.Here
                    + " | " + (ExperimentRun.Runnable.TryGetValue(item.Id, out var what) ? "yes: " + what : "no") + " |");
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
                    json.WriteString("run", RunWord(item));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }
    }
}
