using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Experiments;
using AE.Cluster;
using AE.Engine;
using AE.Experiments.Machine;

namespace AE.Cli
{
    /// <summary>One line of the sweep table: a method on a task over the learning-rate grid.</summary>
    /// <param name="Cells">per grid value, the runs of every seed</param>
    /// <param name="Refused">per cell, why the method refuses that initial rate (outside the law's declared range), or null when the cell ran</param>
    internal sealed record SweepRow(string Task, string Method, string LrParam, IReadOnlyList<double> Grid, IReadOnlyList<IReadOnlyList<MachineRun>> Cells, IReadOnlyList<string?> Refused)
    {
        /// <summary>A cell succeeds when it ran and every seed reached the target (so none diverged or hit a NaN).</summary>
        public bool Success(int cell) => Refused[cell] is null && Cells[cell].Count > 0 && Cells[cell].All(r => r.StepsToTarget.HasValue);

        /// <summary>A cell failed by divergence or a non-finite value in at least one seed.</summary>
        public bool Blew(int cell) => Cells[cell].Any(r => r.Stop is StopReason.Diverged or StopReason.NonFinite);

        public int Successes => Enumerable.Range(0, Grid.Count).Count(Success);

        public int Blowups => Enumerable.Range(0, Grid.Count).Count(Blew);

        /// <summary><c>+</c> reached, <c>x</c> diverged or NaN, <c>.</c> neither, <c>-</c> refused (not run), from the smallest rate to the largest.</summary>
        public string Marks => new(Enumerable.Range(0, Grid.Count).Select(c => Refused[c] is not null ? '-' : Success(c) ? '+' : Blew(c) ? 'x' : '.').ToArray());
    }

    /// <summary>
    /// <c>ae sweep &lt;law.ae&gt; --tasks T1,T2 [--name LAW] [--lr-decades D] [--points P] [--lr-max X] [--lr-param NAME]
    /// [--steps N] [--seeds K] [--set k=v ...] [--baselines adam,sgd-hd,adam-hd|...|none] [--baseline-set ...]
    /// [--format table|json] [--db FILE] [--store-steps] [--no-progress]</c>: the initial-learning-rate sensitivity
    /// grid. P rates log-spaced over D decades up to X (default 13 over 6 decades: 1e-5 .. 1e1); per task and method,
    /// how many grid cells reach the target without divergence.
    /// </summary>
    public static class SweepCommand
    {
        /// <summary>The largest <c>--steps</c> (per run).</summary>
        public const long MaxSteps = 10_000_000;

        public const string Name = "sweep";

        public const double DefaultDecades = 6, DefaultLrMax = 10;
        public const int DefaultPoints = 13, DefaultSeeds = 1;

        /// <summary>The law's param that holds its initial learning rate unless <c>--lr-param</c> says otherwise.</summary>
        public const string DefaultLrParam = "init_alpha";

        /// <summary>The baselines swept unless <c>--baselines</c> says otherwise: fixed-rate Adam and the two hypergradient methods.</summary>
        public static readonly IReadOnlyList<string> DefaultBaselines = new[] { "adam", "sgd-hd", "adam-hd" };

        public static CommandSpec Command { get; } = new(Name, "Initial learning-rate sensitivity grid of a law against Adam and hypergradient descent", Run)
        {
            StopsOnInterrupt = true,
            Arguments = LawCommandOptions.LawFiles,
            Options = new[]
            {
                new OptionSpec("--tasks", "a comma list of task names (" + string.Join(", ", AE.Experiments.Tasks.TaskCatalog.Names) + ")", "The tasks (catalog names, as for 'ae run --task').") { HelpName = "T1,T2", Choices = AE.Experiments.Tasks.TaskCatalog.Names },
                LawCommandOptions.Name,
                new OptionSpec("--lr-decades", "a positive number of decades", "Decades the grid spans (default 6).") { HelpName = "D" },
                new OptionSpec("--points", "the number of grid values", "Rates in the grid (default 13); 1 runs the one rate X, over no decades.") { HelpName = "P" }.WholeNumber(max: 1000),
                new OptionSpec("--lr-max", "the largest learning rate of the grid", "The largest rate (default 10).") { HelpName = "X" },
                new OptionSpec("--lr-param", "the law's param holding its initial learning rate", "The law's initial-rate param (default init_alpha).") { HelpName = "NAME" },
                new OptionSpec("--steps", "the step budget, a whole number", "The step budget (default: each task's; at most 10,000,000).") { HelpName = "N" }.WholeNumber(max: MaxSteps),
                new OptionSpec("--seeds", "the number of seeds K (seeds 0..K-1)", "Seeds per cell, 0..K-1 (default 1).") { HelpName = "K" }.WholeNumber(max: 1000),
                LawCommandOptions.Set,
                new OptionSpec("--baselines", "a comma list of sgdm, adam, sgd-hd, adam-hd, or none", "Baselines to sweep: default adam, sgd-hd, adam-hd; any of sgdm, adam, sgd-hd, adam-hd, or none.") { HelpName = "LIST", Choices = AE.Experiments.Baselines.BaselineCatalog.Names.Append("none").ToArray() },
                new OptionSpec("--baseline-set", "NAME.KEY=VALUE, such as adam.beta1=0.95", "Change a baseline's setting (repeatable). Defaults: sgdm lr=0.01 momentum=0.9; adam lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8; sgd-hd lr=0.001 beta=0.001; adam-hd lr=0.001 beta=1e-7 beta1=0.9 beta2=0.999 eps=1e-8.", OptionKind.Repeatable) { HelpName = "NAME.KEY=VALUE" },
                LawCommandOptions.TableFormat,
                LawCommandOptions.Db,
                LawCommandOptions.NoProgress,
                LawCommandOptions.StoreSteps,
                LawCommandOptions.Cluster,
            },
            Details = new[]
            {
                "Runs the law and the baselines from P initial learning rates log-spaced over D",
                "decades up to X (default 13 rates over 6 decades: 1e-5, 3.16e-5, ..., 10) on",
                "each task, and counts per task and method the grid cells that reach the target",
                "without divergence (a cell: every seed reaches the target). The initial rate is",
                "the law's param init_alpha (or --lr-param NAME), the fixed rate of adam and",
                "sgdm, and the initial rate alpha_0 of sgd-hd and adam-hd. A rate the law's own",
                "checks refuse (an initial alpha above its alpha_max) is not run: its cell is '-'",
                "and says why, and it counts as a cell that did not reach the target.",
                "",
                "Output: a markdown table, one row per task and method: cells reaching the target,",
                "cells that diverged, the range of rates that reached it, and the grid as marks",
                "from the smallest rate to the largest (+ reached, x diverged or NaN, . neither,",
                "- refused by the law).",
                "",
                "Exit codes: 0 table printed; 2 bad input, the cluster lost (the finished runs",
                "are stored), or the runs could not be stored (the table is printed first);",
                "3 internal error; 130 interrupted (the finished runs are stored, no table is",
                "printed).",
            },
        };

        /// <summary>
        /// The grid: <paramref name="points"/> rates log-spaced from lrMax·10^−decades to lrMax, the last lrMax itself and
        /// each whole number of decades below it lrMax's digits shifted (<see cref="DecimalScale.Times10"/>): 4.5, not
        /// 4.500000000000001, which a law bounded at 4.5 refuses.
        /// </summary>
        public static double[] Grid(double decades, int points, double lrMax)
        {
            if (points == 1) return new[] { lrMax };
            return Enumerable.Range(0, points).Select(i => DecimalScale.Times10(lrMax, -decades * (points - 1 - i) / (points - 1))).ToArray();
        }

        /// <summary>The command line of <c>ae sweep</c>, its values checked.</summary>
        internal sealed record Options(IReadOnlyList<string> LawFiles, string? Law, IReadOnlyList<TaskSource> Tasks, double Decades, double LrMax, int Points, int Seeds,
            long? Steps, string LrParam, OutputFormat Format, IReadOnlyList<ParamSetting> Settings, IReadOnlyList<BaselineSpec> Baselines, string Database, bool StoreSteps, ClusterSpec? Cluster, bool Progress, bool LrParamGiven)
        {
            public static Options From(CommandInput parsed, CliContext context)
            {
                Experiment.RequireLawFile(parsed, Name);
                if (parsed.Value("--tasks") is not string tasksText) throw CliException.BadUsage("no tasks; give --tasks T1,T2 (" + string.Join(", ", AE.Experiments.Tasks.TaskCatalog.Names) + ")", Name);
                var taskNames = Experiment.Items(new[] { tasksText }, "--tasks", Name);
                if (taskNames.Distinct(StringComparer.Ordinal).Count() != taskNames.Count) throw CliException.BadUsage("--tasks names a task twice", Name);
                var tasks = taskNames.Select(TaskSource.FromCatalog).ToList();
                double decades = Real(parsed, "--lr-decades", DefaultDecades, positive: true);
                double lrMax = Real(parsed, "--lr-max", DefaultLrMax, positive: true);
                int points = (int)(parsed.Number("--points") ?? DefaultPoints);
                // One point is the rate X alone: decades given with it would be silently ignored.
                if (points == 1 && parsed.Value("--lr-decades") is not null)
                    throw CliException.BadUsage("--lr-decades has no meaning with --points 1, which runs the one rate --lr-max; give more points, or leave out --lr-decades", Name);
                int seeds = (int)(parsed.Number("--seeds") ?? DefaultSeeds);
                long? steps = parsed.Number("--steps");
                string lrParam = parsed.Value("--lr-param") ?? DefaultLrParam;
                var format = parsed.Format();
                var settings = Experiment.ParseSettings(parsed.Values("--set"), Name);
                if (settings.Any(s => s.Name == lrParam)) throw CliException.BadUsage("--set sets " + lrParam + ", which the sweep varies", Name);
                var baselines = BaselineOptions.Parse(parsed.Value("--baselines"), parsed.Values("--baseline-set"), DefaultBaselines, Name);
                string dbPath = Experiment.DatabasePath(parsed, context);
                bool storeSteps = parsed.Has("--store-steps");
                var clusterSpec = ClusterOption.Spec(parsed.Value(ClusterOption.Name), Name);
                bool progress = context.StderrIsTerminal && !parsed.Has("--no-progress");
                return new Options(parsed.Positionals, parsed.Value("--name"), tasks, decades, lrMax, points, seeds, steps, lrParam, format, settings, baselines, dbPath, storeSteps, clusterSpec, progress, parsed.Value("--lr-param") is not null);
            }
        }

        private static int Run(CommandInput parsed, CliContext context) => Run(Options.From(parsed, context), context);

        /// <summary>Runs the law and the baselines over the grid on every task, stores the runs and prints the table.</summary>
        internal static int Run(Options sweep, CliContext context)
        {
            var (lawFiles, lawName, tasks, decades, lrMax, points, seeds, steps, lrParam, format, settings, baselines, dbPath, storeSteps, clusterSpec, progress, _) = sweep;

            var grid = Grid(decades, points, lrMax);
            if (!(grid[0] > 0))
                throw CliException.BadUsage("the grid's smallest rate, " + Rate(lrMax) + " over 10^" + ReplayOutput.Num(decades)
                    + ", is 0 in float64; give fewer --lr-decades or a larger --lr-max", Name);
            // Rates the table shows alike (3 digits) would be rows no one can tell apart, or one run key for two jobs.
            for (int i = 1; i < grid.Length; i++)
                if (Rate(grid[i]) == Rate(grid[i - 1]))
                    throw CliException.BadUsage("the grid's rates " + i.ToString(CultureInfo.InvariantCulture) + " and " + (i + 1).ToString(CultureInfo.InvariantCulture) + " are both "
                        + Rate(grid[i]) + " to 3 digits: " + points.ToString(CultureInfo.InvariantCulture) + " points over " + ReplayOutput.Num(decades)
                        + " decades are too close; give more --lr-decades or fewer --points", Name);
            var dimensions = tasks.Select(t => t.Create().Dimension).ToArray(); // a missing data set is reported before anything runs
            var law = ExperimentLaw.Load(lawFiles, lawName, settings, Array.Empty<string>(), context.CurrentDirectory, context.Stderr, Name, dimensions[0]);
            var paramNames = AE.Experiments.Replay.LawSettings.ParamNames(law.Compiled.Type);
            if (!paramNames.Contains(lrParam, StringComparer.Ordinal))
                throw new CliException(lrParam == DefaultLrParam && !sweep.LrParamGiven
                    ? "the sweep varies the param " + DefaultLrParam + " unless --lr-param names another, and " + law.Name + " has none of that name; " + LawOptions.ParamsOf(law.Name, paramNames)
                    : "unknown param '" + lrParam + "' in --lr-param; " + LawOptions.ParamsOf(law.Name, paramNames));
            // A rate the law's own checks reject at a task's size (an initial coefficient outside its bounds) is not run: the cell says why.
            var refused = dimensions.Select(n => grid.Select(lr => law.Refuses(n, law.OptionsWith(lrParam, lr))).ToArray()).ToArray();
            // The cluster first: a client that cannot reach it leaves no run store behind.
            using var cluster = ClusterOption.Connect(clusterSpec, context);
            using var store = Experiment.OpenStore(dbPath, context);

            var methods = new List<(string Method, string Param)> { (law.Name, lrParam) };
            methods.AddRange(baselines.Select(b => (b.Name, "lr")));
            var jobs = new List<BatchJob>();
            for (int t = 0; t < tasks.Count; t++)
                for (int m = 0; m < methods.Count; m++)
                    for (int c = 0; c < grid.Length; c++)
                        for (int s = 0; s < seeds; s++)
                        {
                            double lr = grid[c];
                            if (m == 0)
                            {
                                if (refused[t][c] is null)
                                    jobs.Add(new BatchJob(tasks[t], JobRecipe.LawWith(lrParam, lr), (ulong)s, steps, law.Name, law.Sha256, law.FilePath, law.SettingsJson((lrParam, lr))));
                            }
                            else
                            {
                                var spec = baselines[m - 1];
                                jobs.Add(new BatchJob(tasks[t], JobRecipe.Of(spec, lr), (ulong)s, steps, spec.Name, null, null, spec.SettingsJson(lr)));
                            }
                        }

            var batch = new BatchSpec(Name, BatchRunner.NewBatchId(Name), law.Source, baselines, jobs, storeSteps);
            var result = BatchOutput.Run(batch, new BatchMethods(law, baselines), ClusterOption.Or(cluster), store, context, progress, "sweep " + law.Name);
            string db = Experiment.Display(dbPath, context.CurrentDirectory);
            BatchOutput.ReportStored(result, jobs.Count, db, context);
            if (result.Interrupted) return ExitCodes.Interrupted;

            var rows = new List<SweepRow>();
            int j = 0;
            for (int t = 0; t < tasks.Count; t++)
                for (int m = 0; m < methods.Count; m++)
                {
                    var (method, param) = methods[m];
                    var cells = new List<IReadOnlyList<MachineRun>>();
                    for (int c = 0; c < grid.Length; c++)
                    {
                        var runs = new List<MachineRun>();
                        if (m != 0 || refused[t][c] is null)
                            for (int s = 0; s < seeds; s++) runs.Add(result.Runs[j++]!);
                        cells.Add(runs);
                    }
                    rows.Add(new SweepRow(tasks[t].Name, method, param, grid, cells, m == 0 ? refused[t] : new string?[grid.Length]));
                }
            // Every cell refused (a grid above the law's bounds) and no baseline: a table of '-', its budget the one asked for.
            long budget = rows.SelectMany(r => r.Cells).FirstOrDefault(c => c.Count > 0)?[0].MaxSteps ?? steps ?? 0;
            if (format == OutputFormat.Json) WriteJson(law, rows, grid, seeds, context.Stdout);
            else WriteTable(law, rows, grid, seeds, decades, budget, steps is null, baselines, context.Stdout);
            return BatchOutput.Finish(result, jobs.Count, db, context);
        }

        private static double Real(CommandInput parsed, string option, double fallback, bool positive)
        {
            string? text = parsed.Value(option);
            if (text is null) return fallback;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || (positive && !(v > 0)))
                throw CliException.BadUsage("invalid value '" + text + "' for '" + option + "'; expected a positive number", Name);
            return v;
        }

        internal static string Rate(double v) => v.ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal).Replace("e-0", "e-", StringComparison.Ordinal).Replace("e+0", "e+", StringComparison.Ordinal);

        internal static void WriteTable(ExperimentLaw law, IReadOnlyList<SweepRow> rows, IReadOnlyList<double> grid, int seeds, double decades, long budget, bool taskBudgets,
            IReadOnlyList<BaselineSpec> baselines, TextWriter stdout)
        {
            // One point is the rate --lr-max alone: it spans no decades.
            string rates = grid.Count == 1 ? "1 rate, " + Rate(grid[0])
                : Plural.Count(grid.Count, "rate") + " log-spaced over " + decades.ToString("G4", CultureInfo.InvariantCulture).Replace('E', 'e') + (decades == 1 ? " decade, " : " decades, ") + Rate(grid[0]) + " .. " + Rate(grid[^1]);
            stdout.WriteLine("initial-LR sweep of " + law.Name + " (" + law.FilePath + "): " + rates + "; "
                + (seeds == 1 ? "seed 0" : "seeds 0.." + (seeds - 1).ToString(CultureInfo.InvariantCulture)) + "; "
                + (taskBudgets ? "each task's own step budget" : "budget " + Plural.Count(budget, "step"))
                + (law.Settings.Count > 0 ? "; settings " + string.Join(", ", law.Settings.Select(s => s.Name + "=" + s.Text)) : ""));
            stdout.WriteLine("a cell counts when every seed reaches the target (so without divergence or NaN); grid: + reached, x diverged or NaN, . neither, - refused by the law"
                + (baselines.Count > 0 ? "; baselines: " + string.Join("; ", baselines.Select(b => b.Describe(sweptLr: true))) : ""));
            // A refusal can depend on the task's dimension (a bound over n): each is said once, with the tasks it holds for
            // when not all of them.
            var lawRows = rows.Where(r => r.Method == law.Name).ToList();
            var refusals = lawRows.SelectMany(r => r.Grid.Select((lr, c) => (Lr: lr, Why: r.Refused[c], r.Task)))
                .Where(x => x.Why is not null).GroupBy(x => (x.Lr, x.Why)).OrderBy(g => g.Key.Lr);
            foreach (var g in refusals)
            {
                var where = g.Select(x => x.Task).Distinct().ToList();
                stdout.WriteLine(rows[0].LrParam + " = " + Rate(g.Key.Lr) + " not run (-)" + (where.Count < lawRows.Count ? " on " + string.Join(", ", where) : "") + ": " + g.Key.Why);
            }
            stdout.WriteLine();
            var header = new[] { "task", "method", "initial LR", "cells reaching target", "diverged cells", "reached from .. to", "grid " + Rate(grid[0]) + (grid.Count == 1 ? "" : " → " + Rate(grid[^1])) };
            var cells = rows.Select(r =>
            {
                var ok = Enumerable.Range(0, grid.Count).Where(r.Success).ToList();
                return new[]
                {
                    r.Task, r.Method, r.LrParam,
                    r.Successes.ToString(CultureInfo.InvariantCulture) + "/" + grid.Count.ToString(CultureInfo.InvariantCulture),
                    r.Blowups.ToString(CultureInfo.InvariantCulture),
                    ok.Count == 0 ? "—" : Rate(grid[ok[0]]) + " .. " + Rate(grid[ok[^1]]),
                    "`" + r.Marks + "`",
                };
            }).ToList();
            var widths = header.Select((t, i) => Math.Max(t.Length, cells.Max(c => c[i].Length))).ToArray();
            stdout.WriteLine(Row(header, widths));
            stdout.WriteLine("|" + string.Join("|", widths.Select(w => " " + new string('-', w) + " ")) + "|");
            foreach (var c in cells) stdout.WriteLine(Row(c, widths));
        }

        private static string Row(IReadOnlyList<string> cells, int[] widths)
        {
            var sb = new StringBuilder("|");
            for (int i = 0; i < cells.Count; i++) sb.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
            return sb.ToString();
        }


        /// <summary>
        /// <c>{"law", "law_file", "grid": [rates], "seeds", "rows": [{"task", "method", "lr_param", "cells", "reached",
        /// "diverged", "marks", "per_rate": [{"lr", "reached", "diverged", "seeds", "refused"}]}]}</c> (refused: why the law refuses the rate, or null); per rate, <c>reached</c> and
        /// <c>diverged</c> count seeds; <c>refused</c> says why the law does not start from that rate (its cell did not run).
        /// </summary>
        internal static void WriteJson(ExperimentLaw law, IReadOnlyList<SweepRow> rows, IReadOnlyList<double> grid, int seeds, TextWriter stdout)
        {
            Json.WriteIndented(stdout, json =>
            {
                json.WriteStartObject();
                json.WriteString("law", law.Name);
                json.WriteString("law_file", law.FilePath);
                json.WriteStartArray("grid");
                foreach (double lr in grid) Json.NumberValue(json, lr);
                json.WriteEndArray();
                json.WriteNumber("seeds", seeds);
                json.WriteStartArray("rows");
                foreach (var r in rows)
                {
                    json.WriteStartObject();
                    json.WriteString("task", r.Task);
                    json.WriteString("method", r.Method);
                    json.WriteString("lr_param", r.LrParam);
                    json.WriteNumber("cells", grid.Count);
                    json.WriteNumber("reached", r.Successes);
                    json.WriteNumber("diverged", r.Blowups);
                    json.WriteString("marks", r.Marks);
                    json.WriteStartArray("per_rate");
                    for (int c = 0; c < grid.Count; c++)
                    {
                        json.WriteStartObject();
                        Json.Number(json, "lr", grid[c]);
                        json.WriteNumber("reached", r.Cells[c].Count(x => x.StepsToTarget.HasValue));
                        json.WriteNumber("diverged", r.Cells[c].Count(x => x.Stop is StopReason.Diverged or StopReason.NonFinite));
                        json.WriteNumber("seeds", r.Cells[c].Count);
                        if (r.Refused[c] is string why) json.WriteString("refused", why);
                        else json.WriteNull("refused");   // null where it does not apply (cli.md)
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }
    }
}
