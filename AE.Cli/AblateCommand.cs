using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Cluster;
using AE.Engine;
using AE.Experiments.Baselines;
using AE.Experiments.Machine;

namespace AE.Cli
{
    /// <summary>One row of an ablation table: the full law, the law without one rule, or a baseline.</summary>
    /// <param name="Ablated"><c>none</c>, the rule id, or the baseline's name</param>
    /// <param name="Kind"><c>law</c>, <c>rule</c> or <c>baseline</c></param>
    internal sealed record AblationRow(string Ablated, string Kind, string Law, IReadOnlyList<MachineRun> Runs)
    {
        public int Reached => Runs.Count(r => r.StepsToTarget.HasValue);

        public MeanCi StepsToTarget => MeanCi.Of(Runs.Where(r => r.StepsToTarget.HasValue).Select(r => (double)r.StepsToTarget!.Value).ToList());

        public MeanCi FinalLoss => MeanCi.Of(Runs.Select(r => r.FinalLoss).ToList());

        /// <summary>Final loss minus the optimum; null when the task's optimum is unknown.</summary>
        public MeanCi? FinalGap => Runs.Count > 0 && Runs[0].OptimumLoss is double o ? MeanCi.Of(Runs.Select(r => r.FinalLoss - o).ToList()) : null;

        public MeanCi Auc => MeanCi.Of(Runs.Select(r => r.Auc).ToList());

        public MeanCi Incidents => MeanCi.Of(Runs.Select(r => (double)r.IncidentCount).ToList());

        public int Count(params IncidentKind[] kinds) => Runs.Sum(r => r.Incidents.Count(i => kinds.Contains(i.Kind)));

        public int NonFinite => Count(IncidentKind.NonFiniteLoss, IncidentKind.NonFiniteGradient, IncidentKind.NonFiniteTheta);

        public int Divergences => Count(IncidentKind.Divergence);

        public int LyapunovRises => Count(IncidentKind.LyapunovRise);
    }

    /// <summary>
    /// <c>ae ablate &lt;law.ae&gt; (--task T | --case FILE) [--name LAW] [--seeds K] [--steps N] [--set k=v ...]
    /// [--baselines sgdm,adam,...|none] [--baseline-set NAME.KEY=VALUE ...] [--format table|json] [--db FILE]
    /// [--store-steps] [--no-progress]</c>: the full law, the law with each switchable rule switched off in turn
    /// (run-time ablation), and the baselines, each over seeds 0..K−1; per row the mean and 95% CI over the seeds
    /// of steps to target, final loss, AUC of the log loss gap and incidents.
    /// </summary>
    public static class AblateCommand
    {
        /// <summary>The largest <c>--steps</c> (per run).</summary>
        public const long MaxSteps = 10_000_000;

        public const string Name = "ablate";

        /// <summary>Seeds per row unless <c>--seeds</c> says otherwise.</summary>
        public const int DefaultSeeds = 5;

        public static CommandSpec Command { get; } = new(Name, "Knock out each rule of a law in turn; compare with baselines over seeds", Run)
        {
            StopsOnInterrupt = true,
            Arguments = LawCommandOptions.LawFiles,
            Options = new[]
            {
                LawCommandOptions.Task,
                LawCommandOptions.Case,
                LawCommandOptions.Name,
                new OptionSpec("--seeds", "the number of seeds K (seeds 0..K-1)", "Seeds per row (default 5).") { HelpName = "K" }.WholeNumber(max: 1000),
                new OptionSpec("--steps", "the step budget, a whole number", "The step budget (default: the task's; at most 10,000,000).") { HelpName = "N" }.WholeNumber(max: MaxSteps),
                LawCommandOptions.Set,
                new OptionSpec("--baselines", "a comma list of " + string.Join(", ", BaselineCatalog.Names) + ", or none", "Baselines to add: sgdm, adam, sgd-hd, adam-hd (default all four), or none.") { HelpName = "LIST", Choices = BaselineCatalog.Names.Append("none").ToArray() },
                new OptionSpec("--baseline-set", "NAME.KEY=VALUE, such as adam.lr=0.01", "Change a baseline's setting (repeatable). Defaults: sgdm lr=0.01 momentum=0.9; adam lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8; sgd-hd lr=0.001 beta=0.001; adam-hd lr=0.001 beta=1e-7 beta1=0.9 beta2=0.999 eps=1e-8.", OptionKind.Repeatable) { HelpName = "NAME.KEY=VALUE" },
                LawCommandOptions.TableFormat.Describe("A markdown table (default) or one JSON object whose rows have 'ablated' and 'final_loss' {mean, ci} among their fields."),
                LawCommandOptions.Db,
                LawCommandOptions.NoProgress,
                LawCommandOptions.StoreSteps,
                LawCommandOptions.Cluster,
            },
            Details = new[]
            {
                "Runs the full law, then the law with each switchable rule switched off in turn",
                "(run-time ablation, proven equal to compiling the rule out), then the baselines,",
                "each over seeds 0..K-1 on the task, and prints one row each: 'none' for the full",
                "law, the rule id, or the baseline's name. Columns: seeds that reached the target,",
                "steps to target (mean over the seeds that reached it), final loss, final gap",
                "above the optimum (when known), AUC of the log loss gap, incidents (NaN/Inf,",
                "divergence, AE-10 Lyapunov rises): mean and 95% CI over the seeds (Student t,",
                "K-1 degrees of freedom; none with K = 1). The same seeds give the same table.",
                "",
                "Exit codes: 0 table printed; 2 bad input, the cluster lost (the finished runs",
                "are stored), or the runs could not be stored (the table is printed first);",
                "3 internal error; 130 interrupted (the finished runs are stored, no table is",
                "printed).",
            },
        };

        /// <summary>The command line of <c>ae ablate</c>, its values checked.</summary>
        internal sealed record Options(IReadOnlyList<string> LawFiles, string? Law, string? Task, string? Case, int Seeds, long? Steps, OutputFormat Format,
            IReadOnlyList<ParamSetting> Settings, IReadOnlyList<BaselineSpec> Baselines, string Database, bool StoreSteps, ClusterSpec? Cluster, bool Progress)
        {
            public static Options From(CommandInput parsed, CliContext context)
            {
                Experiment.RequireLawFile(parsed, Name);
                return new Options(parsed.Positionals, parsed.Value("--name"), parsed.Value("--task"), parsed.Value("--case"),
                    (int)(parsed.Number("--seeds") ?? DefaultSeeds), parsed.Number("--steps"), parsed.Format(),
                    Experiment.ParseSettings(parsed.Values("--set"), Name),
                    BaselineOptions.Parse(parsed.Value("--baselines"), parsed.Values("--baseline-set"), BaselineCatalog.Names, Name),
                    Experiment.DatabasePath(parsed, context), parsed.Has("--store-steps"), ClusterOption.Spec(parsed.Value(ClusterOption.Name), Name),
                    context.StderrIsTerminal && !parsed.Has("--no-progress"));
            }
        }

        private static int Run(CommandInput parsed, CliContext context) => Run(Options.From(parsed, context), context);

        /// <summary>Runs every row over the seeds, stores the runs and prints the table.</summary>
        internal static int Run(Options options, CliContext context)
        {
            var (lawFiles, lawName, taskName, casePath, seeds, steps, format, settings, baselines, dbPath, storeSteps, clusterSpec, progress) = options;
            var taskSource = Experiment.ResolveTask(taskName, casePath, context, Name);
            var probeTask = taskSource.Create();
            var law = ExperimentLaw.Load(lawFiles, lawName, settings, Array.Empty<string>(), context.CurrentDirectory, context.Stderr, Name, probeTask.Dimension);
            // The cluster first: a client that cannot reach it leaves no run store behind.
            using var cluster = ClusterOption.Connect(clusterSpec, context);
            using var store = Experiment.OpenStore(dbPath, context);

            // Rows: the full law, each switchable rule off, each baseline.
            var rows = new List<(string Ablated, string Kind, string Law)> { ("none", "law", law.Name) };
            rows.AddRange(law.RuleIds.Select(r => (r, "rule", law.Name)));
            rows.AddRange(baselines.Select(b => (b.Name, "baseline", b.Name)));
            string lawSettings = law.SettingsJson();

            var jobs = new List<BatchJob>();
            foreach (var row in rows)
                for (int s = 0; s < seeds; s++)
                {
                    if (row.Kind == "baseline")
                    {
                        var spec = baselines.First(b => b.Name == row.Ablated);
                        jobs.Add(new BatchJob(taskSource, JobRecipe.Of(spec), (ulong)s, steps, spec.Name, null, null, spec.SettingsJson()));
                    }
                    else
                        jobs.Add(new BatchJob(taskSource, JobRecipe.Law(row.Kind == "rule" ? new[] { row.Ablated } : null), (ulong)s, steps, law.Name, law.Sha256, law.FilePath, lawSettings));
                }

            var batch = new BatchSpec(Name, BatchRunner.NewBatchId(Name), law.Source, baselines, jobs, storeSteps);
            var result = BatchOutput.Run(batch, new BatchMethods(law, baselines), ClusterOption.Or(cluster), store, context, progress, "ablate " + law.Name + " on " + taskSource.Name);
            string db = Experiment.Display(dbPath, context.CurrentDirectory);
            BatchOutput.ReportStored(result, jobs.Count, db, context);
            if (result.Interrupted) return ExitCodes.Interrupted;

            var table = rows.Select((row, r) => new AblationRow(row.Ablated, row.Kind, row.Law,
                Enumerable.Range(0, seeds).Select(s => result.Runs[r * seeds + s]!).ToList())).ToList();
            var header = new AblationHeader(law, taskSource.Name, seeds, table[0].Runs[0], baselines);
            if (format == OutputFormat.Json) WriteJson(header, table, context.Stdout);
            else WriteTable(header, table, context.Stdout);
            return BatchOutput.Finish(result, jobs.Count, db, context);
        }

        internal sealed record AblationHeader(ExperimentLaw Law, string Task, int Seeds, MachineRun First, IReadOnlyList<BaselineSpec> Baselines);

        /// <summary>Two lines saying what was run, then a markdown table.</summary>
        internal static void WriteTable(AblationHeader h, IReadOnlyList<AblationRow> rows, TextWriter stdout)
        {
            var first = h.First;
            string seeds = h.Seeds == 1 ? "seed 0" : "seeds 0.." + (h.Seeds - 1).ToString(CultureInfo.InvariantCulture);
            stdout.WriteLine(h.Law.Name + " (" + h.Law.FilePath + ") on " + h.Task + ": " + seeds + ", budget " + AE.Experiments.Plural.Count(first.MaxSteps, "step") + ", target "
                + G(first.TargetLoss) + (first.OptimumLoss is double o ? " (optimum " + G(o) + ")" : "")
                + (h.Law.Settings.Count > 0 ? ", settings " + string.Join(", ", h.Law.Settings.Select(s => s.Name + "=" + s.Text)) : ""));
            stdout.WriteLine((h.Seeds > 1 ? "mean ± 95% CI over seeds (Student t, " + Int(h.Seeds - 1) + " df)" : "one seed: no CI")
                + "; steps to target over the seeds that reached it; incidents: NaN/Inf, divergence, AE-10 rises"
                + (h.Baselines.Count > 0 ? "; baselines: " + string.Join("; ", h.Baselines.Select(b => b.Describe())) : ""));
            stdout.WriteLine();
            bool gap = rows.Count > 0 && rows[0].FinalGap is not null;
            var header = new List<string> { "ablated", "reached", "steps to target", "final loss" };
            if (gap) header.Add("final gap");
            header.AddRange(new[] { "AUC of log loss", "incidents", "kinds" });
            var cells = new List<List<string>>();
            foreach (var row in rows)
            {
                var c = new List<string>
                {
                    row.Kind == "baseline" ? row.Ablated + " (baseline)" : row.Ablated,
                    Int(row.Reached) + "/" + Int(row.Runs.Count),
                    row.Reached == 0 ? "—" : Show(row.StepsToTarget, "0.#", "G3"),
                    Show(row.FinalLoss, "G6", "G2"),
                };
                if (gap) c.Add(Show(row.FinalGap!.Value, "G3", "G2"));
                c.Add(Show(row.Auc, "G6", "G3"));
                c.Add(Show(row.Incidents, "0.##", "G2"));
                c.Add(Kinds(row));
                cells.Add(c);
            }
            var widths = header.Select((t, i) => Math.Max(t.Length, cells.Max(r => r[i].Length))).ToArray();
            stdout.WriteLine(MarkdownRow(header, widths));
            stdout.WriteLine("|" + string.Join("|", widths.Select((w, i) => i == 0 ? " " + new string('-', w) + " " : " " + new string('-', w - 1) + ": ")) + "|");
            foreach (var c in cells) stdout.WriteLine(MarkdownRow(c, widths, rightAlign: true));
        }

        private static string Kinds(AblationRow row)
        {
            var parts = new List<string>();
            if (row.NonFinite > 0) parts.Add(Int(row.NonFinite) + " NaN/Inf");
            if (row.Divergences > 0) parts.Add(Int(row.Divergences) + " div");
            if (row.LyapunovRises > 0) parts.Add(Int(row.LyapunovRises) + " AE-10");
            return parts.Count == 0 ? "—" : string.Join(", ", parts);
        }

        private static string MarkdownRow(IReadOnlyList<string> cells, int[] widths, bool rightAlign = false)
        {
            var sb = new StringBuilder("|");
            for (int i = 0; i < cells.Count; i++)
                sb.Append(' ').Append(rightAlign && i > 0 ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i])).Append(" |");
            return sb.ToString();
        }

        /// <summary><c>mean ± ci</c>, or the mean alone when there is no interval.</summary>
        internal static string Show(MeanCi m, string meanFormat, string ciFormat)
            => m.Text(v => Num(v, meanFormat), v => Num(v, ciFormat));

        private static string Num(double v, string format)
            => double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf"
                : v.ToString(format, CultureInfo.InvariantCulture).Replace('E', 'e');


        /// <summary>
        /// <c>{"law", "law_file", "law_sha256", "task", "seeds": [..], "steps", "target_loss", "optimum_loss", "settings": {..},
        /// "baselines": [{"name", "settings": {..}}], "rows": [{"ablated", "kind", "law", "seeds", "reached",
        /// "steps_to_target": {"mean", "ci", "n"} | null, "final_loss": {"mean", "ci"}, "final_gap": {"mean", "ci"} | null,
        /// "auc": {"mean", "ci"}, "incidents": {"mean", "ci"}, "incident_kinds": {"non_finite", "divergence", "lyapunov_rise"},
        /// "per_seed": [{"seed", "status", "steps_to_target", "final_loss", "auc", "incidents"}]}]}</c>; <c>ci</c> is null
        /// with fewer than two values or a value that is not finite (<see cref="MeanCi.Of"/>), where the table shows the mean alone.
        /// </summary>
        internal static void WriteJson(AblationHeader h, IReadOnlyList<AblationRow> rows, TextWriter stdout)
        {
            Json.WriteIndented(stdout, json =>
            {
                var first = h.First;
                json.WriteStartObject();
                json.WriteString("law", h.Law.Name);
                json.WriteString("law_file", h.Law.FilePath);
                json.WriteString("law_sha256", h.Law.Sha256);
                json.WriteString("task", h.Task);
                json.WriteStartArray("seeds");
                for (int s = 0; s < h.Seeds; s++) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteNumber("steps", first.MaxSteps);
                Json.Number(json, "target_loss", first.TargetLoss);
                if (first.OptimumLoss is double o) Json.Number(json, "optimum_loss", o);
                else json.WriteNull("optimum_loss");
                json.WritePropertyName("settings");
                json.WriteRawValue(h.Law.SettingsJson());
                json.WriteStartArray("baselines");
                foreach (var b in h.Baselines)
                {
                    json.WriteStartObject();
                    json.WriteString("name", b.Name);
                    json.WritePropertyName("settings");
                    json.WriteRawValue(b.SettingsJson());
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("rows");
                foreach (var row in rows)
                {
                    json.WriteStartObject();
                    json.WriteString("ablated", row.Ablated);
                    json.WriteString("kind", row.Kind);
                    json.WriteString("law", row.Law);
                    json.WriteNumber("seeds", row.Runs.Count);
                    json.WriteNumber("reached", row.Reached);
                    Json.MeanWithCi(json, "steps_to_target", row.StepsToTarget, withCount: true);   // over the seeds that reached it: n of them
                    Json.MeanWithCi(json, "final_loss", row.FinalLoss);
                    if (row.FinalGap is MeanCi g) Json.MeanWithCi(json, "final_gap", g);
                    else json.WriteNull("final_gap");
                    Json.MeanWithCi(json, "auc", row.Auc);
                    Json.MeanWithCi(json, "incidents", row.Incidents);
                    json.WriteStartObject("incident_kinds");
                    json.WriteNumber("non_finite", row.NonFinite);
                    json.WriteNumber("divergence", row.Divergences);
                    json.WriteNumber("lyapunov_rise", row.LyapunovRises);
                    json.WriteEndObject();
                    json.WriteStartArray("per_seed");
                    foreach (var run in row.Runs)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("seed", run.Seed);
                        json.WriteString("status", Status(run));
                        if (run.StepsToTarget is long st) json.WriteNumber("steps_to_target", st);
                        else json.WriteNull("steps_to_target");
                        Json.Number(json, "final_loss", run.FinalLoss);
                        Json.Number(json, "auc", run.Auc);
                        json.WriteNumber("incidents", run.IncidentCount);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }

        private static string Status(MachineRun run) => run.Stop switch
        {
            StopReason.Accepted => "accepted",
            StopReason.BudgetExhausted => "not-reached",
            StopReason.Diverged => "diverged",
            StopReason.NonFinite => "non-finite",
            _ => "interrupted",
        };

        private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

        private static string G(double v) => AE.Runtime.NumberText.Of(v, "G7");
    }
}
