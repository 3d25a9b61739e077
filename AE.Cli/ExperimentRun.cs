using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Cli.Plots;
using AE.Experiments.Baselines;
using AE.Experiments.Machine;
using AE.Experiments.Menu;
using AE.Experiments.Tasks;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>What one <c>ae experiment run ID</c> settles: the verdict, the tables as markdown, the files written, and the JSON view.</summary>
    internal sealed record ExperimentReport(string Id, string Title, Judgement Judgement, string Markdown, IReadOnlyList<string> Files, Action<Utf8JsonWriter> Json);

    /// <summary>The settings every item's run shares: seeds, budget override, output folder, the law.</summary>
    /// <param name="Law">the law of <c>--law</c>; null for an item that runs laws of its own (J)</param>
    internal sealed record ExperimentRunSettings(int Seeds, long? Steps, string OutDir, ExperimentLaw? Law, CliContext Context, ExperimentArms Arms)
    {
        /// <summary>The law of an item that runs <c>--law</c>'s.</summary>
        public ExperimentLaw ItemLaw => Law ?? throw new InvalidOperationException("this item runs laws of its own, not --law's");
    }

    /// <summary>
    /// <c>ae experiment run ID</c>: the items of seed 001's menu that run here, each on the AE machine with the law and a
    /// fixed-rate baseline (<see cref="BaselineCatalog"/>), writing its tables (markdown, CSV) and plots (SVG and PNG) and judging the
    /// seed's falsifiable outcome by the item's documented criterion.
    /// </summary>
    internal static class ExperimentRun
    {
        /// <summary>The law an item runs unless <c>--law</c> names another: the improved law of the seed's SGDm.</summary>
        public const string DefaultLaw = "laws/ae_sgdm_phase.ae";

        /// <summary>The items <c>ae experiment run</c> runs, by letter, with what each runs.</summary>
        public static readonly IReadOnlyDictionary<string, string> Runnable = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["A"] = "quadratic and linreg from the rates 0.01, 0.1, 1: the law against SGDm (momentum 0.9) from the same rate",
            ["B"] = "scale-change and moving-optimum (switch at step 200) from 0.01, 0.1, 1: recovery steps of the law against SGDm and Adam at their best rate",
            ["C"] = "delayed (gradients 4 steps stale) from init_alpha = 1, the law with and without AE5: oscillation and speed",
            ["D"] = "prediction 2: quadratic with the loss x 0.1, 1, 10 and noisy-quadratic at noise 2, 1, 0.5 (batch 64, 256, 1024), the law against fixed-rate SGDm",
            ["E"] = "plateau from init_alpha = 1, the law with and without AE4: plateau exit time and incidents",
            ["F"] = "prediction 1: a grid of init_alpha (1e-3 .. 100) x init_mu (0 .. 0.99) on quadratic, the law beside SGDm",
            ["G"] = "quadratic and noisy-quadratic from init_alpha = 1 (SGDm at lr 1 beside it): blown seeds, largest change of log alpha",
            ["J"] = "laws/ae_sgdm.ae against SGDm and laws/ae_adam.ae against Adam, each from the same rates 0.01, 0.1, 1 on quadratic, linreg and rosenbrock",
            ["L"] = "every switchable rule of the law off in turn on quadratic, delayed, noisy-quadratic and plateau from init_alpha = 1",
        };

        /// <summary>Whether item <paramref name="id"/> runs the law of <c>--law</c> (J runs the shipped laws of its own).</summary>
        public static bool UsesLaw(string id) => id != "J";

        /// <summary>
        /// The names of the files item <paramref name="id"/> writes into its folder, known before it runs so that a run refuses a
        /// folder where it would replace a file (an earlier run's tables, or the user's).
        /// </summary>
        public static IReadOnlyList<string> FileNames(string id) => id switch
        {
            "D" => ["D-gauge.csv", .. GaugeFamilies().SelectMany(f => Plot("D-" + f.Task)), "D.md"],
            "F" => ["F-coupling.csv", .. Plot("F-coupling"), "F.md"],
            _ => [id + "-runs.csv", .. Plot(id + "-gap"), id + ".md"],
        };

        private static string[] Plot(string stem) => [stem + ".svg", stem + ".png"];

        public static ExperimentReport Run(string id, ExperimentRunSettings settings) => id switch
        {
            "A" => Sanity(settings),
            "B" => Drift(settings),
            "C" => KnockOne(settings, "C", "Resonance / phase behavior", "AE5", "delayed", "oscillation", ArmComparison.Oscillation,
                (on, off) => MenuCriteria.Resonance(on, off)),
            "D" => Gauge(settings),
            "E" => KnockOne(settings, "E", "Exploration noise law", "AE4", "plateau", "plateau exit (step)", r => ArmComparison.ExitTime(r),
                (on, off) => MenuCriteria.NoiseEscape(on, off, on.Runs[0].MaxSteps)),
            "F" => Coupling(settings),
            "G" => Cliff(settings),
            "J" => Family(settings),
            "L" => Ablations(settings),
            _ => throw new InvalidOperationException("no run for item " + id),
        };

        // ---- F: the coupling curve -------------------------------------------------------------------------------

        /// <summary>The coupling grid's initial rates: 11 log-spaced over 5 decades, 1e-3 .. 100, half a decade apart.</summary>
        public static readonly double[] CouplingAlphas = SweepCommand.Grid(5, 11, 100);

        /// <summary>The coupling grid's momenta: log 1/(1 − μ) from 0 to 4.6.</summary>
        public static readonly double[] CouplingMus = { 0, 0.5, 0.8, 0.9, 0.95, 0.99 };

        public const string CouplingTask = "quadratic";

        private static ExperimentReport Coupling(ExperimentRunSettings s)
        {
            var law = s.ItemLaw;
            var options = new MachineOptions { MaxSteps = s.Steps, RecordSignals = false };
            Func<ITask> task = () => TaskCatalog.Create(CouplingTask);
            int dimension = task().Dimension;
            // A law whose alpha is bounded by a param alpha_max gets the grid's top as its bound, so that every cell can start.
            bool raise = AE.Experiments.Replay.LawSettings.ParamNames(law.Compiled.Type).Contains("alpha_max", StringComparer.Ordinal);
            var lawResult = CouplingGrid.Run(law.Name, task, CouplingAlphas, CouplingMus, (a, m) =>
            {
                var o = raise ? law.OptionsWith(("init_alpha", a), ("init_mu", m), ("alpha_max", CouplingAlphas[^1])) : law.OptionsWith(("init_alpha", a), ("init_mu", m));
                string? why = law.Refuses(dimension, o);
                return why is null ? ((n, seed) => law.Create(n, seed, null, o), null) : (null, why);
            }, s.Seeds, options, s.Context.Cancellation);
            var sgdm = CouplingGrid.Run("sgdm", task, CouplingAlphas, CouplingMus, (a, m) => ((n, _) => new SgdMomentum(n, a, m), null), s.Seeds, options, s.Context.Cancellation);
            var results = new[] { lawResult, sgdm };
            bool gridCutShort = results.Any(r => r.Cells.Any(c => c.CutShort));
            var judgements = results.Select(r => Stopped(CouplingGrid.Judge(r), gridCutShort)).ToArray();

            var md = new StringBuilder();
            md.Append("## F. Coupling law (prediction 1): ").Append(law.Name).Append(" on ").Append(CouplingTask).Append('\n').Append('\n');
            md.Append(Setup(s, "initial rate x momentum: init_alpha (SGDm's lr) in " + string.Join(", ", CouplingAlphas.Select(SweepCommand.Rate))
                + "; init_mu (SGDm's momentum) in " + string.Join(", ", CouplingMus.Select(SweepCommand.Rate))
                + (raise ? "; the law's alpha_max set to " + SweepCommand.Rate(CouplingAlphas[^1]) + " (the grid's top)" : "")));
            for (int i = 0; i < results.Length; i++)
            {
                var r = results[i];
                md.Append('\n').Append("### ").Append(r.Method).Append(": mean steps to target per cell (x diverged, . not reached by every seed, - refused by the law, ? cut short by Ctrl-C)").Append('\n').Append('\n');
                md.Append("| mu \\ alpha | ").Append(string.Join(" | ", r.Alphas.Select(SweepCommand.Rate))).Append(" | best alpha |\n");
                md.Append("| --- |").Append(string.Concat(r.Alphas.Select(_ => " --- |"))).Append(" --- |\n");
                for (int m = 0; m < r.Mus.Count; m++)
                {
                    int best = r.BestAlpha(m);
                    md.Append("| ").Append(SweepCommand.Rate(r.Mus[m])).Append(" | ");
                    md.Append(string.Join(" | ", Enumerable.Range(0, r.Alphas.Count).Select(a =>
                    {
                        var c = r.Cell(m, a);
                        string text = c.Converged ? c.MeanSteps.ToString("F1", CultureInfo.InvariantCulture) : c.Mark.ToString();
                        return a == best ? "**" + text + "**" : text;
                    })));
                    md.Append(" | ").Append(best >= 0 ? SweepCommand.Rate(r.Alphas[best]) : r.RowCutShort(m) ? "?" : "—").Append(" |\n");
                }
                md.Append('\n').Append(r.Method).Append(": **").Append(judgements[i].Word).Append("**: ").Append(judgements[i].Numbers).Append('\n');
            }
            md.Append('\n').Append("Criterion: ").Append(judgements[0].Criterion).Append(". The verdict is ").Append(law.Name)
              .Append("'s; SGDm's (whose step is about lr/(1 - mu)) is the control.\n");

            List<string> files =
            [
                OutputFiles.Text(s.OutDir, "F-coupling.csv", w =>
                {
                    w.Write("method,init_alpha,init_mu,log_1_over_1_minus_mu,seeds,seeds_at_target,seeds_diverged,mean_steps_to_target,refused,seeds_interrupted\n");
                    foreach (var r in results)
                        foreach (var c in r.Cells)
                            w.Write(string.Join(",", r.Method, ReplayOutput.Num(c.Alpha), ReplayOutput.Num(c.Mu), ReplayOutput.Num(c.MomentumLog),
                                c.Runs.Count.ToString(CultureInfo.InvariantCulture), c.Runs.Count(x => x.StepsToTarget.HasValue).ToString(CultureInfo.InvariantCulture),
                                c.Runs.Count(x => x.Stop is StopReason.Diverged or StopReason.NonFinite).ToString(CultureInfo.InvariantCulture),
                                ReplayOutput.Num(c.MeanSteps), c.Refused is null ? "" : "yes",
                                c.Runs.Count(x => x.Stop == StopReason.Cancelled).ToString(CultureInfo.InvariantCulture)) + "\n");
                }, s.Context),
                .. PlotFiles.Save(s.OutDir, "F-coupling.svg", new Figure("F: mean steps to target over init_alpha " + SweepCommand.Rate(CouplingAlphas[0])
                    + " .. " + SweepCommand.Rate(CouplingAlphas[^1]) + ", one line per mu (gaps: not every seed reached it)",
                    results.Select(r => new PlotPanel(r.Method + ": steps to target (log)",
                        Enumerable.Range(0, r.Mus.Count).Select(m => new PlotSeries("mu " + SweepCommand.Rate(r.Mus[m]),
                            Enumerable.Range(0, r.Alphas.Count).Select(a => r.Cell(m, a).MeanSteps).ToArray())).ToList(), true)).ToList(),
                    0, "index of init_alpha in the grid (0 = " + SweepCommand.Rate(CouplingAlphas[0]) + ", " + (CouplingAlphas.Length - 1).ToString(CultureInfo.InvariantCulture)
                    + " = " + SweepCommand.Rate(CouplingAlphas[^1]) + ", half a decade apart)"), s.Context),
            ];
            files.Add(OutputFiles.Text(s.OutDir, "F.md", w => w.Write(md.ToString()), s.Context));
            return new ExperimentReport("F", "Coupling law (α ↔ β)", judgements[0], md.ToString(), files, json =>
            {
                json.WriteStartArray("methods");
                for (int i = 0; i < results.Length; i++)
                {
                    var r = results[i];
                    json.WriteStartObject();
                    json.WriteString("method", r.Method);
                    json.WriteString("verdict", judgements[i].Word);
                    json.WriteString("numbers", judgements[i].Numbers);
                    json.WriteStartArray("cells");
                    foreach (var c in r.Cells)
                    {
                        json.WriteStartObject();
                        Json.Number(json, "alpha", c.Alpha);
                        Json.Number(json, "mu", c.Mu);
                        json.WriteNumber("seeds_at_target", c.Runs.Count(x => x.StepsToTarget.HasValue));
                        json.WriteNumber("seeds_diverged", c.Runs.Count(x => x.Stop is StopReason.Diverged or StopReason.NonFinite));
                        Json.MeanWithCi(json, "mean_steps", MeanCi.Of(c.StepsWhenAllReached));
                        if (c.Refused is not null) json.WriteString("refused", c.Refused);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }

        // ---- D: gauge robustness ---------------------------------------------------------------------------------

        /// <summary>A family of conditions of one task, with the initial rate both the law and the fixed-rate baseline start from.</summary>
        internal sealed record GaugeFamily(string Name, string Task, double Rate, IReadOnlyList<GaugeCondition> Conditions);

        /// <summary>The loss times 0.1, 1, 10 on quadratic (menu item D, gradient scaling).</summary>
        public static readonly double[] GaugeScales = { 0.1, 1, 10 };

        /// <summary>Batch sizes 64, 256, 1024 as noise levels: the noise of a minibatch mean falls as 1/√batch, so σ = 2, 1, 0.5 with 256 as σ = 1.</summary>
        public static readonly int[] GaugeBatches = { 64, 256, 1024 };

        internal static IReadOnlyList<GaugeFamily> GaugeFamilies() => new[]
        {
            new GaugeFamily("gradient scale", "quadratic", 0.1, GaugeScales.Select(c => new GaugeCondition("loss x " + SweepCommand.Rate(c), c,
                () => new ScaledTask(TaskCatalog.Create("quadratic"), c))).ToList()),
            new GaugeFamily("batch size (as gradient noise)", "noisy-quadratic", 1e-3, GaugeBatches.Select(b =>
            {
                double sigma = Math.Sqrt(256.0 / b);
                return new GaugeCondition("batch " + b.ToString(CultureInfo.InvariantCulture) + " (noise " + SweepCommand.Rate(sigma) + ")", 1.0,
                    () => new NoisyQuadraticTask(noiseStd: sigma));
            }).ToList()),
        };

        private static ExperimentReport Gauge(ExperimentRunSettings s)
        {
            var law = s.ItemLaw;
            var families = GaugeFamilies();
            var md = new StringBuilder();
            md.Append("## D. Gauge invariance (prediction 2): ").Append(law.Name).Append(" against fixed-rate SGDm\n\n");
            md.Append(Setup(s, "each run for the whole budget (reaching the target does not stop it); the law and SGDm (momentum 0.9) start from the same rate"));
            var lawVerdicts = new List<Verdict>();
            var all = new List<(GaugeFamily Family, IReadOnlyList<GaugeCell> Cells, Judgement[] Judgements)>();
            var files = new List<string>();
            Judgement? first = null;
            bool cutShort = false;
            foreach (var family in families)
            {
                var o = law.OptionsWith("init_alpha", family.Rate);
                var arms = new[]
                {
                    new GaugeArm(law.Name, (n, seed) => law.Create(n, seed, null, o)),
                    new GaugeArm("sgdm", (n, _) => new SgdMomentum(n, family.Rate, 0.9)),
                };
                var cells = GaugeRobustness.Run(family.Conditions, arms, s.Seeds, s.Steps, s.Context.Cancellation);
                bool familyCutShort = cells.Any(c => c.CutShort);
                cutShort |= familyCutShort;
                var judgements = arms.Select(a => Stopped(GaugeRobustness.Judge(family.Name,
                    cells.Where(c => c.Method == a.Method).Select(c => (c.Condition.Label, c.MeanScore, c.MeanStart)).ToList()), familyCutShort)).ToArray();
                first ??= judgements[0];
                lawVerdicts.Add(judgements[0].Verdict);
                all.Add((family, cells, judgements));

                md.Append("\n### ").Append(family.Name).Append(" on ").Append(family.Task).Append(", initial rate ").Append(SweepCommand.Rate(family.Rate)).Append("\n\n");
                md.Append("| method | condition | start: mean log10 relative gap (± 95% CI) | score: mean log10 relative gap (± 95% CI) | seeds at target | steps to target (the first seed, by number, that reached it) |\n");
                md.Append("| --- | --- | --- | --- | --- | --- |\n");
                foreach (var c in cells)
                {
                    var ci = MeanCi.Of(c.Scores);
                    var start = MeanCi.Of(c.Starts);
                    long? firstAt = c.Runs.Select(r => GaugeRobustness.FirstAtTarget(r)).FirstOrDefault(x => x is not null);
                    md.Append("| ").Append(c.Method).Append(" | ").Append(c.Condition.Label).Append(" | ").Append(start.Text(F2)).Append(" | ").Append(ci.Text(F2))
                      .Append(" | ").Append(c.Reached.ToString(CultureInfo.InvariantCulture)).Append('/').Append(c.Runs.Count.ToString(CultureInfo.InvariantCulture))
                      .Append(" | ").Append(firstAt is long f ? f.ToString(CultureInfo.InvariantCulture) : "—").Append(" |\n");
                }
                md.Append('\n');
                for (int i = 0; i < arms.Length; i++)
                    md.Append(arms[i].Method).Append(": **").Append(judgements[i].Word).Append("**: ").Append(judgements[i].Numbers).Append('\n').Append('\n');

                string slug = family.Task;
                files.AddRange(PlotFiles.Save(s.OutDir, "D-" + slug + ".svg", new Figure("D: " + family.Name + " on " + family.Task
                    + ": relative gap (L - c L*)/c, geometric mean over seeds",
                    arms.Select(a => new PlotPanel(a.Method + ": relative gap (log)",
                        cells.Where(c => c.Method == a.Method).Select(c => new PlotSeries(c.Condition.Label, c.Curve.Select(v => Math.Pow(10, v)).ToArray())).ToList(), true)).ToList(),
                    0, "step"), s.Context));
            }
            var verdict = GaugeRobustness.Combine(lawVerdicts);
            var judgement = Stopped(new Judgement(verdict, first!.Criterion.Replace(all[0].Family.Name, "the conditions of each family", StringComparison.Ordinal)
                + "; held when it holds in every family", string.Join("; ", all.Select(f => f.Family.Name + ": " + f.Judgements[0].Word + ", " + f.Judgements[0].Numbers))), cutShort);
            md.Append("Criterion: ").Append(judgement.Criterion).Append(". The verdict is ").Append(law.Name).Append("'s: **").Append(judgement.Word)
              .Append("**; SGDm at a fixed rate is the contrast.\n");
            files.Insert(0, OutputFiles.Text(s.OutDir, "D-gauge.csv", w =>
            {
                w.Write("family,task,method,condition,scale,seed,score,first_step_at_target,stop\n");
                foreach (var (family, cells, _) in all)
                    foreach (var c in cells)
                        for (int i = 0; i < c.Runs.Count; i++)
                            w.Write(string.Join(",", Csv(family.Name), family.Task, c.Method, Csv(c.Condition.Label), ReplayOutput.Num(c.Condition.Scale),
                                c.Runs[i].Seed.ToString(CultureInfo.InvariantCulture), ReplayOutput.Num(c.Scores[i]),
                                GaugeRobustness.FirstAtTarget(c.Runs[i])?.ToString(CultureInfo.InvariantCulture) ?? "", c.Runs[i].Stop.ToString()) + "\n");
            }, s.Context));
            files.Add(OutputFiles.Text(s.OutDir, "D.md", w => w.Write(md.ToString()), s.Context));
            return new ExperimentReport("D", "Gauge invariance (scale robustness)", judgement, md.ToString(), files, json =>
            {
                json.WriteStartArray("families");
                foreach (var (family, cells, judgements) in all)
                {
                    json.WriteStartObject();
                    json.WriteString("family", family.Name);
                    json.WriteString("task", family.Task);
                    Json.Number(json, "rate", family.Rate);
                    json.WriteStartArray("methods");
                    foreach (var (method, j) in cells.Select(c => c.Method).Distinct().Zip(judgements))
                    {
                        json.WriteStartObject();
                        json.WriteString("method", method);
                        json.WriteString("verdict", j.Word);
                        json.WriteString("numbers", j.Numbers);
                        json.WriteStartArray("conditions");
                        foreach (var c in cells.Where(c => c.Method == method))
                        {
                            json.WriteStartObject();
                            json.WriteString("condition", c.Condition.Label);
                            Json.Number(json, "scale", c.Condition.Scale);
                            Json.MeanWithCi(json, "start", MeanCi.Of(c.Starts));
                            Json.MeanWithCi(json, "score", MeanCi.Of(c.Scores));
                            json.WriteNumber("seeds_at_target", c.Reached);
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }

        // ---- C, E, G, L: the law against itself without a rule, or from an absurd rate ------------------------------

        /// <summary>The initial rate of items C, E, G and L: 1, where the law reaches the targets of delayed and plateau (docs/results.md, "From init_alpha = 1").</summary>
        public const double HighRate = 1;

        private static ExperimentArm LawArm(ExperimentLaw law, string name, string? without)
        {
            if (without is not null && !law.RuleIds.Contains(without, StringComparer.Ordinal))
                throw new CliException("the law " + law.Name + " has no switchable rule " + without + "; " + (law.RuleIds.Count == 0 ? "it has none" : "its switchable rules: " + string.Join(", ", law.RuleIds)));
            var o = law.OptionsWith("init_alpha", HighRate);
            var ablated = without is null ? Array.Empty<string>() : new[] { without };
            return new ExperimentArm(new Arm(name, (n, seed) => law.Create(n, seed, ablated, o)), law, new JobRecipe(null, ablated, "init_alpha", HighRate), null);
        }

        /// <summary>A fixed-rate baseline of <see cref="BaselineCatalog"/> at <paramref name="rate"/>, shown as <paramref name="name"/>.</summary>
        private static ExperimentArm BaselineArm(string name, string baseline, double rate)
        {
            var spec = new BaselineSpec(baseline);
            return new ExperimentArm(new Arm(name, (n, _) => BaselineCatalog.Create(baseline, n, rate)), null, JobRecipe.Of(spec, rate), spec);
        }

        private static ExperimentReport KnockOne(ExperimentRunSettings s, string id, string title, string rule, string task, string measureName,
            Func<MachineRun, double> measure, Func<ArmResult, ArmResult, Judgement> judge)
        {
            var law = s.ItemLaw;
            var options = new MachineOptions { MaxSteps = s.Steps, RecordSignals = false };
            var on = s.Arms.Run(LawArm(law, law.Name, null), task, s.Seeds, options, measure);
            var off = s.Arms.Run(LawArm(law, law.Name + " without " + rule, rule), task, s.Seeds, options, measure);
            var j = judge(on, off);
            // Arms that ran the same have tested nothing: "did not hold" would say the rule was tried and failed.
            if (ArmComparison.RanTheSame(on, off))
                j = new Judgement(Verdict.NotTestable, j.Criterion, "the law ran the same with and without " + rule + " on every seed (every loss within 1e-12): "
                    + rule + " never acted on " + task + " here, so the runs say nothing about it");
            return ArmsReport(s, id, title, "the law with and without " + rule + " on " + task + " from init_alpha = " + SweepCommand.Rate(HighRate), new[] { on, off }, measureName, j,
                "The verdict is on " + rule + "'s effect: the law with it against the law without it.");
        }

        private static ExperimentReport Cliff(ExperimentRunSettings s)
        {
            var law = s.ItemLaw;
            var options = new MachineOptions { MaxSteps = s.Steps, RecordSignals = true };
            var results = new List<ArmResult>();
            var lawRows = new List<ArmResult>();
            double start = InitialAlpha(law);
            foreach (var task in new[] { "quadratic", "noisy-quadratic" })
            {
                var l = s.Arms.Run(LawArm(law, law.Name, null), task, s.Seeds, options, run => ArmComparison.LargestLogAlphaStep(run, start));
                lawRows.Add(l);
                results.Add(l);
                results.Add(s.Arms.Run(BaselineArm("sgdm", "sgdm", HighRate), task, s.Seeds, options, null));
            }
            double? alphaMax = ParamValue(law, "alpha_max");
            string bound = alphaMax is double a ? a == HighRate ? " (its alpha_max)" : " (its alpha_max is " + SweepCommand.Rate(a) + ")" : "";
            return ArmsReport(s, "G", "Budget/continuity & safety", "the law from init_alpha = " + SweepCommand.Rate(HighRate) + bound + " and SGDm (momentum 0.9) at lr "
                + SweepCommand.Rate(HighRate) + " on quadratic and noisy-quadratic (eigenvalues up to 60)", results, "largest |d log alpha| per step",
                MenuCriteria.Cliff(lawRows), "The verdict is the law's; SGDm at the same rate is the contrast.");
        }

        /// <summary>The law's alpha before its first step from init_alpha = <see cref="HighRate"/> (NaN where it has no signal alpha).</summary>
        private static double InitialAlpha(ExperimentLaw law)
        {
            var instance = law.Create(1, 0, null, law.OptionsWith("init_alpha", HighRate));
            int i = instance.SignalNames.ToList().IndexOf("alpha");
            return i < 0 ? double.NaN : instance.ReadSignal(i);
        }

        /// <summary>A real param's value in the law's options (its default, or the value set), or null where it has none of that name.</summary>
        private static double? ParamValue(ExperimentLaw law, string name) =>
            law.OptionsWith("init_alpha", HighRate) is { } o && o.GetType().GetProperty(name)?.GetValue(o) is double v ? v : null;

        /// <summary>The initial rates of items A and B, each method run from each.</summary>
        public static readonly double[] StartRates = { 0.01, 0.1, 1 };

        private static ExperimentArm RateArm(ExperimentLaw law, double rate)
        {
            var o = law.OptionsWith("init_alpha", rate);
            return new ExperimentArm(new Arm(law.Name + " from " + SweepCommand.Rate(rate), (n, seed) => law.Create(n, seed, null, o)), law, JobRecipe.LawWith("init_alpha", rate), null);
        }

        private static ExperimentReport Sanity(ExperimentRunSettings s)
        {
            var options = new MachineOptions { MaxSteps = s.Steps, RecordSignals = false };
            var cells = new List<(ArmResult Law, ArmResult Fixed)>();
            foreach (var task in new[] { "quadratic", "linreg" })
                foreach (double rate in StartRates)
                    cells.Add((s.Arms.Run(RateArm(s.ItemLaw, rate), task, s.Seeds, options, null),
                        s.Arms.Run(BaselineArm("sgdm from " + SweepCommand.Rate(rate), "sgdm", rate), task, s.Seeds, options, null)));
            return ArmsReport(s, "A", "Core sanity & speedups", "the law and SGDm (momentum 0.9) from init_alpha = lr = " + string.Join(", ", StartRates.Select(SweepCommand.Rate))
                + " on quadratic and linreg", cells.SelectMany(c => new[] { c.Law, c.Fixed }).ToList(), null, MenuCriteria.Sanity(cells),
                "The seed's MLP, ResNet-18 and WikiText setups are not here.");
        }

        /// <summary>Item J's laws, each beside the fixed-rate optimizer it closes the loop over (paths from the current folder).</summary>
        public static readonly (string File, string Baseline)[] FamilyLaws = { ("laws/ae_sgdm.ae", "sgdm"), ("laws/ae_adam.ae", "adam") };

        /// <summary>Item J's tasks.</summary>
        public static readonly string[] FamilyTasks = { "quadratic", "linreg", "rosenbrock" };

        private static ExperimentReport Family(ExperimentRunSettings s)
        {
            var options = new MachineOptions { MaxSteps = s.Steps, RecordSignals = false };
            var all = new List<ArmResult>();
            var verdicts = new List<Judgement>();
            foreach (var (file, baseline) in FamilyLaws)
            {
                string path = ReplayCommand.FindDefaultLaw(s.Context.CurrentDirectory, defaultLaw: file, what: "a law item J runs", remedy: "run the item from the repository's folder");
                var law = ExperimentLaw.Load(new[] { path }, null, Array.Empty<ParamSetting>(), Array.Empty<string>(), s.Context.CurrentDirectory, s.Context.Stderr, ExperimentCommand.Name, null);
                var cells = new List<(ArmResult Law, ArmResult Fixed)>();
                foreach (var task in FamilyTasks)
                    foreach (double rate in StartRates)
                        cells.Add((s.Arms.Run(RateArm(law, rate), task, s.Seeds, options, null),
                            s.Arms.Run(BaselineArm(baseline + " from " + SweepCommand.Rate(rate), baseline, rate), task, s.Seeds, options, null)));
                all.AddRange(cells.SelectMany(c => new[] { c.Law, c.Fixed }));
                var j = MenuCriteria.Sanity(cells);
                verdicts.Add(j with { Numbers = law.Name + " against " + baseline + ": " + j.Word + ", " + j.Numbers });
            }
            var judgement = new Judgement(GaugeRobustness.Combine(verdicts.Select(v => v.Verdict)), "for each law against its fixed-rate optimizer: " + verdicts[0].Criterion
                + "; held when it holds for every law (consistent gains)", string.Join("; ", verdicts.Select(v => v.Numbers)));
            return ArmsReport(s, "J", "Optimizer family coverage", "laws/ae_sgdm.ae against SGDm (momentum 0.9) and laws/ae_adam.ae against Adam, from init_alpha = lr = "
                + string.Join(", ", StartRates.Select(SweepCommand.Rate)) + " on " + string.Join(", ", FamilyTasks), all, null, judgement,
                "No Adafactor is here; memory is item K's.");
        }

        /// <summary>The step from which scale-change multiplies its loss by 10 and moving-optimum's optimum drifts.</summary>
        public const long DriftSwitch = 200;

        private static ExperimentReport Drift(ExperimentRunSettings s)
        {
            var options = new MachineOptions { MaxSteps = s.Steps, RecordSignals = false };
            var all = new List<ArmResult>();
            var verdicts = new List<Judgement>();
            foreach (var task in new[] { "scale-change", "moving-optimum" })
            {
                var law = StartRates.Select(r => s.Arms.Run(RateArm(s.ItemLaw, r), task, s.Seeds, options, null)).ToList();
                var fixedRuns = StartRates.SelectMany(r => new[]
                {
                    s.Arms.Run(BaselineArm("sgdm from " + SweepCommand.Rate(r), "sgdm", r), task, s.Seeds, options, null),
                    s.Arms.Run(BaselineArm("adam from " + SweepCommand.Rate(r), "adam", r), task, s.Seeds, options, null),
                }).ToList();
                all.AddRange(law);
                all.AddRange(fixedRuns);
                verdicts.Add(MenuCriteria.Recovery(task, law, fixedRuns, DriftSwitch, TaskCatalog.Create(task).AcceptAfter));
            }
            var j = new Judgement(GaugeRobustness.Combine(verdicts.Select(v => v.Verdict)), verdicts[0].Criterion + "; held when it holds on both tasks",
                // Each task's own verdict after its numbers: the combined one leads the line, and led by a task's the two read "did not hold: did not hold".
                string.Join("; ", verdicts.Select(v => v.Numbers + " (" + v.Word + ")")));
            return ArmsReport(s, "B", "Non-stationary & drift (where AE should shine)", "the law, SGDm (momentum 0.9) and Adam from " + string.Join(", ", StartRates.Select(SweepCommand.Rate))
                + " on scale-change (loss x 10 from step 200) and moving-optimum (optimum drifting from step 200); the target counts from step 300 and 700", all, null, j,
                "Rotating corruptions, class shift and RL reward scaling are not here.");
        }

        /// <summary>The tasks of item L: where the law from init_alpha = 1 reaches the target, and the noisy task where the protective rules matter.</summary>
        public static readonly string[] AblationTasks = { "quadratic", "delayed", "noisy-quadratic", "plateau" };

        private static ExperimentReport Ablations(ExperimentRunSettings s)
        {
            var law = s.ItemLaw;
            var options = new MachineOptions { MaxSteps = s.Steps, RecordSignals = false };
            var full = AblationTasks.Select(t => s.Arms.Run(LawArm(law, law.Name, null), t, s.Seeds, options, null)).ToList();
            var removed = law.RuleIds.Select(rule => (rule, (IReadOnlyList<ArmResult>)AblationTasks.Select(t => s.Arms.Run(LawArm(law, "without " + rule, rule),
                t, s.Seeds, options, null)).ToList())).ToList();
            var all = full.Concat(removed.SelectMany(r => r.Item2)).ToList();
            return ArmsReport(s, "L", "Ablations (prove each law matters)", "the full law and each switchable rule off in turn, from init_alpha = " + SweepCommand.Rate(HighRate)
                + " on " + string.Join(", ", AblationTasks), all, null, MenuCriteria.Ablation(full, removed), "");
        }

        /// <summary>The seeds of an arm that Ctrl-C stopped before their end (or before they started).</summary>
        private static int Interrupted(ArmResult r) => r.Runs.Count(x => x.Stop == StopReason.Cancelled);

        /// <summary>The markdown table, the CSV of every run and the plot (SVG and PNG) of seed 0's gap per task and arm, for the items that compare arms.</summary>
        private static ExperimentReport ArmsReport(ExperimentRunSettings s, string id, string title, string what, IReadOnlyList<ArmResult> results, string? measureName,
            Judgement judgement, string note)
        {
            judgement = Stopped(judgement, results.Any(r => Interrupted(r) > 0));   // every item that compares arms (A, B, C, E, G, J, L) passes here
            var md = new StringBuilder();
            md.Append("## ").Append(id).Append(". ").Append(title).Append('\n').Append('\n');
            md.Append(Setup(s, what)).Append('\n');
            md.Append("| task | arm | seeds at target | mean steps to target | final log10 gap | blown seeds | incidents (sum over seeds) |").Append(measureName is null ? "" : " " + measureName.Replace("|", "\\|", StringComparison.Ordinal) + " |").Append('\n');   // a '|' in the name would split the cell
            md.Append("| --- | --- | --- | --- | --- | --- | --- |").Append(measureName is null ? "" : " --- |").Append('\n');
            foreach (var r in results)
            {
                // An arm with interrupted seeds has no figures: a seed stopped early (or never started) would count as a result.
                int stopped = Interrupted(r);
                string Figure(string text) => stopped > 0 ? "—" : text;
                md.Append("| ").Append(r.Task).Append(" | ").Append(r.Arm).Append(" | ").Append(r.Reached.ToString(CultureInfo.InvariantCulture)).Append('/').Append(r.Seeds.ToString(CultureInfo.InvariantCulture))
                  .Append(stopped > 0 ? " (" + stopped.ToString(CultureInfo.InvariantCulture) + " interrupted)" : "")
                  .Append(" | ").Append(Figure(WithCi(MeanCi.Of(r.StepsWhenAllReached), "F1"))).Append(" | ").Append(Figure(WithCi(MeanCi.Of(r.FinalLogGaps), "F2")))
                  .Append(" | ").Append(r.Blown.ToString(CultureInfo.InvariantCulture))
                  .Append(" | ").Append(Figure(r.Incidents.ToString(CultureInfo.InvariantCulture))).Append(" |").Append(measureName is null ? "" : " " + Figure(WithCi(MeasureOf(r), "G4")) + " |").Append('\n');
            }
            md.Append('\n').Append(s.Seeds > 1 ? "Means over seeds ± the half-width of their 95% CI (Student t, " + (s.Seeds - 1).ToString(CultureInfo.InvariantCulture) + " df)" : "One seed: no CI")
              .Append("; mean steps to target only where every seed reached it").Append(measureName is null ? "" : "; " + measureName.Replace("|", "\\|", StringComparison.Ordinal) + " over the seeds it applies to")
              .Append(".\n");
            md.Append('\n').Append("**").Append(judgement.Word).Append("**: ").Append(judgement.Numbers).Append('\n').Append('\n');
            md.Append("Criterion: ").Append(judgement.Criterion).Append('.').Append(note.Length > 0 ? " " + note : "").Append('\n');
            List<string> files =
            [
                OutputFiles.Text(s.OutDir, id + "-runs.csv", w =>
                {
                    w.Write("task,arm,seed,steps_to_target,final_loss,incidents,stop" + (measureName is null ? "" : ",measure") + "\n");
                    foreach (var r in results)
                        for (int i = 0; i < r.Runs.Count; i++)
                            w.Write(string.Join(",", r.Task, Csv(r.Arm), r.Runs[i].Seed.ToString(CultureInfo.InvariantCulture), r.Runs[i].StepsToTarget?.ToString(CultureInfo.InvariantCulture) ?? "",
                                ReplayOutput.Num(r.Runs[i].FinalLoss), r.Runs[i].IncidentCount.ToString(CultureInfo.InvariantCulture), r.Runs[i].Stop.ToString())
                                // a stopped run measured nothing (a run stopped before its first step read as "no oscillation")
                                + (measureName is null ? "" : "," + (r.Runs[i].Stop == StopReason.Cancelled ? "" : ReplayOutput.Num(r.Measure[i]))) + "\n");
                }, s.Context),
                .. PlotFiles.Save(s.OutDir, id + "-gap.svg", new Figure(id + ": loss - optimum over the steps, seed 0", results.GroupBy(r => r.Task).Select(g =>
                    new PlotPanel(g.Key + " (log)", g.Take(5).Select(r => new PlotSeries(r.Arm, r.Runs[0].Log.Losses.ToArray().Select(l => l - (r.Runs[0].OptimumLoss ?? 0)).ToArray())).ToList(), true)).ToList(),
                    0, "step"), s.Context),
            ];
            files.Add(OutputFiles.Text(s.OutDir, id + ".md", w => w.Write(md.ToString()), s.Context));
            return new ExperimentReport(id, title, judgement, md.ToString(), files, json =>
            {
                json.WriteStartArray("arms");
                foreach (var r in results)
                {
                    json.WriteStartObject();
                    json.WriteString("task", r.Task);
                    json.WriteString("arm", r.Arm);
                    json.WriteNumber("seeds", r.Seeds);
                    json.WriteNumber("seeds_at_target", r.Reached);
                    json.WriteNumber("seeds_interrupted", Interrupted(r));
                    Json.MeanWithCi(json, "mean_steps", MeanCi.Of(r.StepsWhenAllReached));
                    // an arm with interrupted seeds has no figures (as in the table): a null mean
                    Json.MeanWithCi(json, "final_log10_gap", MeanCi.Of(Interrupted(r) > 0 ? Array.Empty<double>() : r.FinalLogGaps));
                    json.WriteNumber("blown", r.Blown);
                    // a sum over seeds, some of them stopped, is no arm's figure: null, as the table's —
                    if (Interrupted(r) > 0) json.WriteNull("incidents");
                    else json.WriteNumber("incidents", r.Incidents);
                    // a seed's measure is NaN where it does not apply (an arm without alpha): over the others, null when none has one
                    if (measureName is not null) Json.MeanWithCi(json, "measure", Interrupted(r) > 0 ? MeanCi.Of(Array.Empty<double>()) : MeasureOf(r), withCount: true);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }

        /// <summary>An arm's measure over its seeds: a seed's is NaN where it does not apply (an arm without alpha), and is left out.</summary>
        private static MeanCi MeasureOf(ArmResult r) => MeanCi.Of(r.Measure.Where(v => !double.IsNaN(v)).ToList());

        /// <summary>A table cell of a mean over seeds: <c>mean ± ci</c>, the mean alone where there is no interval, <c>—</c> where there is no mean (cli.md's rule).</summary>
        private static string WithCi(MeanCi m, string format)
            => double.IsNaN(m.Mean) ? "—" : m.Text(v => ArmComparison.F(v, format));

        private static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

        /// <summary>
        /// The judgement as the files give it: none where Ctrl-C cut a run short or kept it from starting (the figures are of the
        /// runs as far as they got, and the comparisons the criterion would state of them decide nothing); a Ctrl-C that came
        /// after every run had finished changes nothing.
        /// </summary>
        private static Judgement Stopped(Judgement judgement, bool cutShort) =>
            cutShort ? judgement with { Verdict = Verdict.Interrupted, Numbers = "runs were cut short by Ctrl-C; the figures are of the runs as far as they got" } : judgement;

        private static string Csv(string text) => text.Contains(',', StringComparison.Ordinal) ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

        private static string Setup(ExperimentRunSettings s, string what) =>
            (s.Law is null ? "" : "Law " + s.Law.Name + " (" + s.Law.FilePath + ")" + (s.Law.Settings.Count > 0 ? " with " + string.Join(", ", s.Law.Settings.Select(x => x.Name + "=" + x.Text)) : "") + "; ")
            + what + (s.Seeds == 1 ? "; seed 0; " : "; seeds 0.." + (s.Seeds - 1).ToString(CultureInfo.InvariantCulture) + "; ")
            + (s.Steps is long n ? "budget " + AE.Experiments.Plural.Count(n, "step") : "each task's own budget") + ".\n";
    }
}
