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

        public static CommandSpec Command { get; } = new(Name, "List seed 001's experiment menu (sections A-L) and what of it runs here; run an item and judge its outcome", Run)
        {
            StopsOnInterrupt = true,
            Arguments = new ArgumentSpec("list | run ID", "list, or run and the item's ID (A-L).") { Usage = "list | run <ID>" },
            Options = new[]
            {
                new OptionSpec("--format", "table or json", "Output format (default: table).") { HelpName = "table|json" }.AsFormat(),
                new OptionSpec("--seeds", "the number of seeds K (seeds 0..K-1)", "Seeds 0..N-1 per cell (default: 3, at most 100).") { HelpName = "N" }.WholeNumber(max: 100),
                new OptionSpec("--out", "a folder for the tables and plots", "Folder for the tables and plots (default: ae-experiment-ID).") { HelpName = "DIR" },
                new OptionSpec("--law", "a .ae file of the law to run", "The law's .ae file (default: laws/ae_sgdm_phase.ae).") { HelpName = "FILE" },
                new OptionSpec("--name", "the name of a law or variant in the file", "A law or variant of the file (default: its first law).") { HelpName = "LAW" },
                new OptionSpec("--steps", "the step budget of each run, a whole number", "Each run's step budget (default: the task's own).") { HelpName = "N" }.WholeNumber(max: SweepCommand.MaxSteps),
                new OptionSpec(ClusterOption.Name, ClusterOption.Expected,
                    "Run the item's runs on the workers of a cluster (ae worker): localhost or localhost:PORT (docs/cluster.md). The files and verdict are the same; items D and F do not run on a cluster.") { HelpName = "SPEC" },
            },
            Details = new[]
            {
                "Forms: ae experiment list [--format table|json]",
                "       ae experiment run <ID> [--seeds N] [--out DIR] [--format table|json]",
                "                              [--law FILE] [--name LAW] [--steps N] [--cluster SPEC]",
                "",
                "list: the sections A-L of seed 001's menu of experiments: each one's question,",
                "whether it runs here (yes, partly, no) and with which command and tasks, or what",
                "it lacks, and whether 'ae experiment run' runs it.",
                "",
                "run: runs item ID on the AE machine with the law and fixed-rate SGDm, writes its",
                "tables (markdown, CSV) and plots (SVG and PNG) under --out, and says whether the seed's",
                "falsifiable outcome held, did not hold, or is not testable here, with the",
                "numbers that decide it (docs/experiments.md gives each item's criterion).",
                "  A  the law against SGDm from the same rates on quadratic and linreg",
                "  B  recovery after the switch on scale-change and moving-optimum, against the",
                "     best of SGDm and Adam",
                "  C  the law with and without AE5 on delayed: oscillation at equal speed",
                "  D  prediction 2, gauge robustness: quadratic with the loss x 0.1, 1, 10, and",
                "     noisy-quadratic at the noise of batch 64, 256, 1024",
                "  E  the law with and without AE4 on plateau: plateau exit and incidents",
                "  F  prediction 1, the coupling curve: init_alpha x init_mu grid on quadratic",
                "  G  from init_alpha = 1 on quadratic and noisy-quadratic: blown seeds",
                "  J  laws/ae_sgdm.ae against SGDm and laws/ae_adam.ae against Adam (not --law)",
                "  L  every switchable rule off in turn on four tasks",
                "H, I and K print one line saying why not and exit 2. With --cluster SPEC each",
                "arm's seeds run as one batch on the cluster's workers (ae worker); the files and",
                "the verdict are the same. D and F do not run on a cluster (one line, exit 2).",
                "",
                "Exit codes: 0 listed or run; 2 bad input or an item that does not run here;",
                "3 internal error; 130 interrupted (no verdict).",
            },
        };

        /// <summary>Seeds per cell unless <c>--seeds</c> says otherwise.</summary>
        public const int DefaultSeeds = 3;

        /// <summary>The options of 'ae experiment run' that 'ae experiment list' refuses.</summary>
        private static readonly string[] RunOnly = { "--seeds", "--out", "--law", "--name", "--steps", ClusterOption.Name };

        private static int Run(CommandInput parsed, CliContext context)
        {
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no subcommand; valid subcommands: list, run", Name);
            var format = parsed.Format();
            switch (parsed.Positionals[0])
            {
                case "list":
                    if (parsed.Positionals.Count > 1) throw CliException.BadUsage("unexpected argument '" + parsed.Positionals[1] + "'", Name);
                    if (parsed.Given.FirstOrDefault(RunOnly.Contains) is string option)
                        throw CliException.BadUsage("'" + option + "' is an option of 'ae experiment run'", Name);
                    if (format == OutputFormat.Json) WriteJson(context.Stdout);
                    else WriteTable(context.Stdout);
                    return ExitCodes.Success;
                case "run":
                    return RunItem(parsed, format, context);
                default:
                    throw CliException.BadUsage("unknown subcommand '" + parsed.Positionals[0] + "'; valid subcommands: list, run", Name);
            }
        }

        private static int RunItem(CommandInput parsed, OutputFormat format, CliContext context)
        {
            if (parsed.Positionals.Count < 2) throw CliException.BadUsage("no item; name one of A-L (ae experiment list)", Name);
            if (parsed.Positionals.Count > 2) throw CliException.BadUsage("unexpected argument '" + parsed.Positionals[2] + "'", Name);
            var item = ExperimentMenu.Find(parsed.Positionals[1])
                ?? throw CliException.BadUsage("unknown item '" + parsed.Positionals[1] + "'; items: " + string.Join(", ", ExperimentMenu.Items.Select(i => i.Id)), Name);
            int seeds = (int)(parsed.Number("--seeds") ?? DefaultSeeds);
            long? steps = parsed.Number("--steps");
            if (!ExperimentRun.Runnable.ContainsKey(item.Id))
                throw new CliException("item " + item.Id + " (" + item.Title + ") is not run by 'ae experiment run': "
                    + (item.Status == MenuStatus.No ? item.Here : "its arms run with other commands here: " + item.Here));
            var clusterSpec = ClusterOption.Spec(parsed.Value(ClusterOption.Name), Name);
            if (clusterSpec is not null && ExperimentArms.NotOnCluster(item.Id) is string why) throw new CliException(why + "; run it without --cluster");
            string outDir = Path.GetFullPath(parsed.Value("--out") ?? "ae-experiment-" + item.Id, context.CurrentDirectory);
            OutputFiles.KeepFiles(outDir, ExperimentRun.FileNames(item.Id), "", context);
            if (!ExperimentRun.UsesLaw(item.Id) && (parsed.Value("--law") is not null || parsed.Value("--name") is not null))
                throw CliException.BadUsage("item " + item.Id + " runs " + string.Join(" and ", ExperimentRun.FamilyLaws.Select(l => l.File)) + " of its own; it takes no --law or --name", Name);
            var law = !ExperimentRun.UsesLaw(item.Id) ? null
                : ExperimentLaw.Load(new[] { parsed.Value("--law") ?? ReplayCommand.FindDefaultLaw(context.CurrentDirectory, "with --law FILE", ExperimentRun.DefaultLaw) }, parsed.Value("--name"), Array.Empty<ParamSetting>(),
                    Array.Empty<string>(), context.CurrentDirectory, context.Stderr, Name, null);
            ExperimentReport report;
            using (var cluster = ClusterOption.Connect(clusterSpec, context))
            {
                try
                {
                    report = ExperimentRun.Run(item.Id, new ExperimentRunSettings(seeds, steps, outDir, law, context, new ExperimentArms(cluster, context)));
                }
                catch (ExperimentArms.Interrupted)
                {
                    context.Stderr.WriteLine("ae: interrupted; no verdict; the cluster's runs of the item were not all done, so no files were written under "
                        + global::AE.Cli.Experiment.Display(outDir, context.CurrentDirectory));
                    return ExitCodes.Interrupted;
                }
            }
            // Runs cut short by Ctrl-C: the report (files and output) shows them as such and gives no verdict. A Ctrl-C that came
            // after every run had finished cut nothing short: the report is whole, and so is its verdict.
            bool interrupted = report.Judgement.Verdict == Verdict.Interrupted;
            WriteReport(report, item, law, seeds, format, context);
            if (interrupted)
            {
                context.Stderr.WriteLine("ae: interrupted; no verdict; the files under " + global::AE.Cli.Experiment.Display(outDir, context.CurrentDirectory)
                    + " hold the runs as far as they got");
                return ExitCodes.Interrupted;
            }
            if (context.Cancellation.IsCancellationRequested)
                context.Stderr.WriteLine("ae: interrupted after every run had finished; the report and its verdict are whole");
            return ExitCodes.Success;
        }

        private static void WriteReport(ExperimentReport report, MenuItem item, ExperimentLaw? law, int seeds, OutputFormat format, CliContext context)
        {
            if (format == OutputFormat.Json)
            {
                Json.WriteIndented(context.Stdout, json =>
                {
                    json.WriteStartObject();
                    json.WriteString("id", report.Id);
                    json.WriteString("title", report.Title);
                    if (law is null) json.WriteNull("law");   // J: the laws are named in its arms
                    else json.WriteString("law", law.Name);
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
                context.Stdout.WriteLine("Wrote " + string.Join(", ", report.Files));
                context.Stdout.WriteLine("Verdict (" + item.Id + "): " + report.Judgement.Word + ": " + report.Judgement.Numbers);
            }
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
                    // what 'ae experiment run' does for it, as the table's last column says (null where it does not run)
                    if (ExperimentRun.Runnable.TryGetValue(item.Id, out var what)) json.WriteString("run_does", what);
                    else json.WriteNull("run_does");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }
    }
}
