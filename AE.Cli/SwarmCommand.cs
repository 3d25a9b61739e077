using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Experiments;
using AE.Cli.Plots;
using AE.Cluster;
using AE.Experiments.Machine;
using AE.Experiments.Swarm;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae swarm &lt;law.ae&gt; --task T --k K [--rounds R] [--steps S] [--seeds N] [--method swarm|independent|pbt|all] ...</c>:
    /// K controllers of the law as one generated population on the task, with AE-Swarm, independent runs or PBT
    /// between rounds (<see cref="SwarmRunner"/>); every member stored as a run, one table row per method.
    /// </summary>
    public static class SwarmCommand
    {
        public const string Name = "swarm";

        public const int MaxMembers = 256, DefaultRounds = 10, DefaultSeeds = 3;

        public const double DefaultSpread = 2;

        /// <summary>The largest <c>--steps</c> (per member).</summary>
        public const long MaxSteps = 1_000_000;

        public static CommandSpec Command { get; } = new(Name, "Run K controllers of a law together with AE-Swarm (or independent runs, or PBT) on a task", Run)
        {
            StopsOnInterrupt = true,
            Arguments = LawCommandOptions.LawFiles,
            Options = new[]
            {
                LawCommandOptions.Task,
                new OptionSpec("--k", "the number of members, a whole number from 2", "Members, at least 2 (at most 256).") { HelpName = "K" }.WholeNumber(min: 2, max: MaxMembers),
                new OptionSpec("--rounds", "the number of rounds", "Rounds (default 10).") { HelpName = "R" }.WholeNumber(max: 100_000),
                new OptionSpec("--steps", "the steps per member, a whole number", "Law steps per member on average (default: the task's budget).") { HelpName = "S" }.WholeNumber(max: MaxSteps),
                new OptionSpec("--seeds", "the number of seeds N (seeds 0..N-1)", "Seeds 0..N-1 (default 3).") { HelpName = "N" }.WholeNumber(max: 1000),
                new OptionSpec("--method", "swarm, independent, pbt or all", "swarm (default), independent, pbt, or all three.") { HelpName = "M", Choices = new[] { "swarm", "independent", "pbt", "all" } },
                new OptionSpec("--temperature", "a number >= 0, or inf", "Soft-selection temperature in nats of loss gap (default 1; 0: all spare steps to the best member; inf: equal shares).") { HelpName = "T" },
                new OptionSpec("--kappa", "a number in [0, 1]", "Consensus strength per round, 0..1 (default 0.05).") { HelpName = "X" },
                new OptionSpec("--min-steps", "a whole number", "Least steps a member gets in a round (default: a quarter of the equal share S/R).") { HelpName = "M" }.WholeNumber(min: 0),
                new OptionSpec("--dither", "a number >= 0", "The worst member's theta += X * alpha * N(0,1) after each round (default 0: off).") { HelpName = "X" },
                new OptionSpec("--spread", "decades, a number >= 0", "Decades the members' initial rates span (default 2).") { HelpName = "D" },
                new OptionSpec("--lr-param", "the law's initial-rate param", "The law's initial-rate param (default init_alpha).") { HelpName = "NAME" },
                LawCommandOptions.Name,
                LawCommandOptions.Set,
                new OptionSpec("--threads", "a whole number from 1", "Seeds and methods run on N threads (default: all cores); the results do not depend on it.") { HelpName = "N" }.WholeNumber(max: 1024),
                LawCommandOptions.TableFormat,
                LawCommandOptions.Db,
                new OptionSpec("--out", "a folder for run-ID.csv, run-ID.svg and run-ID.png", "Write the best member's run-ID.csv, run-ID.svg and run-ID.png per seed and method.") { HelpName = "DIR" },
                LawCommandOptions.NoProgress,
                LawCommandOptions.Cluster,
            },
            Details = new[]
            {
                "Runs K controllers of the law as one generated population (stepped together) on",
                "K copies of the task, in R rounds sharing K x S law steps (S per member on",
                "average). Member j of seed s uses seed s*K+j for the task and the law, and",
                "starts from the law's initial rate times 10^(D*(j/(K-1) - 1/2)). Between rounds,",
                "AE-Swarm (seed 001's aeo_swarm.py) scores each member by the log of its exact",
                "loss gap, weights them by softmax(-score/T), gives each the next round's budget",
                "(at least M steps, the rest in proportion to the weights) and nudges every",
                "scalar coefficient toward the weighted mean by kappa; independent runs share the",
                "steps equally; pbt replaces the worst quarter by copies of the best quarter and",
                "multiplies their coefficients by 1.25 or 0.8. The run stops when a member",
                "reaches the task's target. Every member is a row of 'runs' (command swarm, one",
                "batch per invocation) with its steps. With --cluster, each seed and method runs",
                "on a worker of the cluster (its members stay together); the table is the same.",
                "",
                "Output: a markdown table, one row per method: seeds reaching the target, the law",
                "steps of all members until then, the best member's final loss gap (over the",
                "seeds where a member survived: 'none survived' when none did; null in JSON),",
                "deaths (members that diverged or turned non-finite, PBT's replaced ones",
                "included).",
                "",
                "Exit codes: 0 table printed; 2 bad input, the cluster lost (the members of the",
                "finished runs are stored), or the members could not be stored (the table is",
                "printed first); 3 internal error; 130 interrupted (a run cut short or not",
                "started; Ctrl-C once every run had finished prints the table).",
            },
        };

        /// <summary>The command line of <c>ae swarm</c>, its values checked.</summary>
        /// <param name="SpreadAsked">Whether --lr-param, or a --spread other than 0, was given: then the law must have the initial-rate param.</param>
        internal sealed record Options(IReadOnlyList<string> LawFiles, string? Law, TaskSource Task, int K, int Rounds, long? Steps, int Seeds, long? MinSteps, int Threads,
            IReadOnlyList<SwarmMethod> Methods, double Temperature, double Kappa, double Dither, double Spread, string LrParam, bool SpreadAsked, OutputFormat Format,
            IReadOnlyList<ParamSetting> Settings, string Database, string? Out, bool Progress, ClusterSpec? Cluster)
        {
            public static Options From(CommandInput parsed, CliContext context)
            {
                Experiment.RequireLawFile(parsed, Name);
                if (parsed.Value("--task") is not string taskName)
                    throw CliException.BadUsage("no task; give --task NAME (" + string.Join(", ", AE.Experiments.Tasks.TaskCatalog.Names) + ")", Name);
                var taskSource = TaskSource.FromCatalog(taskName);
                if (parsed.Number("--k") is null) throw CliException.BadUsage("no swarm size; give --k K (at least 2)", Name);
                int k = (int)parsed.Number("--k")!.Value;
                int rounds = (int)(parsed.Number("--rounds") ?? DefaultRounds);
                long? stepsGiven = parsed.Number("--steps");
                int seeds = (int)(parsed.Number("--seeds") ?? DefaultSeeds);
                long? minSteps = parsed.Number("--min-steps");
                int threads = (int)(parsed.Number("--threads") ?? Math.Max(1, Environment.ProcessorCount));
                var methods = ParseMethods(parsed.Value("--method"));
                double temperature = Real(parsed, "--temperature", 1.0, allowInfinity: true);
                double kappa = Real(parsed, "--kappa", 0.05, expected: "a number from 0 to 1");
                if (kappa > 1) throw CliException.BadUsage("invalid value '" + parsed.Value("--kappa") + "' for '--kappa'; expected a number from 0 to 1", Name);
                double dither = Real(parsed, "--dither", 0.0);
                double spread = Real(parsed, "--spread", DefaultSpread);
                string lrParam = parsed.Value("--lr-param") ?? SweepCommand.DefaultLrParam;
                var format = parsed.Format();
                var settings = Experiment.ParseSettings(parsed.Values("--set"), Name);
                string dbPath = Experiment.DatabasePath(parsed, context);
                string? outDir = parsed.Value("--out") is string o ? Path.GetFullPath(o, context.CurrentDirectory) : null;
                bool progress = context.StderrIsTerminal && !parsed.Has("--no-progress");
                bool spreadAsked = parsed.Value("--lr-param") is not null || (parsed.Value("--spread") is not null && spread != 0);
                return new Options(parsed.Positionals, parsed.Value("--name"), taskSource, k, rounds, stepsGiven, seeds, minSteps, threads, methods, temperature, kappa,
                    dither, spread, lrParam, spreadAsked, format, settings, dbPath, outDir, progress, ClusterOption.Spec(parsed.Value(ClusterOption.Name), Name));
            }
        }

        /// <summary>The keys of a member's stored settings that the swarm writes itself (swarm.md), besides its rate, and what each holds.</summary>
        private static readonly Dictionary<string, string> StoredKeys = new(StringComparer.Ordinal)
        {
            ["method"] = "method", ["member"] = "member index", ["k"] = "member count", ["rounds"] = "rounds", ["temperature"] = "temperature", ["kappa"] = "kappa",
        };

        private static int Run(CommandInput parsed, CliContext context) => Run(Options.From(parsed, context), context);

        /// <summary>Runs the members of every seed and method, stores them and prints the table.</summary>
        internal static int Run(Options swarmOptions, CliContext context)
        {
            var (lawFiles, lawName, taskSource, k, rounds, stepsGiven, seeds, minSteps, threads, methods, temperature, kappa, dither, spread, lrParam, spreadAsked,
                format, settings, dbPath, outDir, progress, clusterSpec) = swarmOptions;

            var task = taskSource.Create();
            long steps = stepsGiven ?? task.DefaultSteps;
            var swarm = new SwarmSettings(k, rounds, steps, temperature, kappa, minSteps, dither);
            if (swarm.Problem() is string problem) throw new CliException(problem);

            var law = ExperimentLaw.Load(lawFiles, lawName, settings, Array.Empty<string>(), context.CurrentDirectory, context.Stderr, Name, task.Dimension);
            LawInput.Call(() => SwarmRunner.PopulationType(law.Compiled));
            if (settings.FirstOrDefault(x => StoredKeys.ContainsKey(x.Name)) is ParamSetting clash)
                throw new CliException("--set " + clash.Name + ": each member's stored settings use '" + clash.Name + "' for the swarm's own " + StoredKeys[clash.Name]
                    + ", so a param of that name cannot be stored beside it (leave it at its default, or rename the param)");
            var paramNames = AE.Experiments.Replay.LawSettings.ParamNames(law.Compiled.Type);
            bool spreads = paramNames.Contains(lrParam, StringComparer.Ordinal);
            if (!spreads && spreadAsked)
                throw new CliException("unknown param '" + lrParam + "' for the members' spread; " + LawOptions.ParamsOf(law.Name, paramNames));
            if (!spreads && spread != 0)
                context.Stderr.WriteLine("ae: note: " + law.Name + " has no param " + lrParam + ", so its members start alike and differ in their seeds only; --lr-param NAME spreads another param");
            var memberRates = new double[k];
            double baseRate = spreads ? BaseRate(law, lrParam, task.Dimension) : double.NaN;
            for (int j = 0; j < k; j++) memberRates[j] = spreads ? DecimalScale.Times10(baseRate, spread * (2 * j - (k - 1)) / (2.0 * (k - 1))) : double.NaN;   // exact where whole
            var spec = new SwarmSpec(Name, law.Source, taskSource, swarm, spreads ? lrParam : null, memberRates);
            var options = spec.MemberOptions(law);
            for (int j = 0; j < k; j++)
                if (law.Refuses(task.Dimension, options[j]) is string why)
                    throw new CliException("member " + j + (spreads ? " (" + lrParam + " = " + SweepCommand.Rate(memberRates[j]) + ")" : "") + ": " + why);
            var jobs = methods.SelectMany(m => Enumerable.Range(0, seeds).Select(s => new SwarmJob(m, (ulong)s))).ToList();
            long memberRuns = (long)jobs.Count * k;
            const string What = "this swarm's member runs";
            if (outDir is not null) OutputFiles.KeepDatabaseOutOf(dbPath, outDir, RunOutputFiles.IsRunFile, context);
            using var store = RunOutputFiles.OpenStore(dbPath, outDir, memberRuns, What, context, out _, out var folderLock, RunOutputFiles.IsRunFile);
            using var heldFolder = folderLock;

            long total = (long)jobs.Count * swarm.Rounds * swarm.RoundTotal;
            IReadOnlyList<SwarmOutcome?> outcomes;
            string? stopped = null;
            using (var cluster = ClusterOption.Connect(clusterSpec, context))
            using (var bar = new ProgressBar(context.Stderr, progress, "swarm " + law.Name + " on " + task.Name))
            {
                ISwarmExecutor executor = cluster is null ? new LocalSwarmExecutor(threads) : cluster;
                try
                {
                    outcomes = executor.Execute(spec, law, jobs, done =>
                    {
                        bar.Report(done, total);
                        context.RunObserver?.Invoke(new MachineProgress(done, total, double.NaN));
                    }, context.Cancellation);
                }
                catch (SwarmStoppedException ex)
                {
                    // The runs that came back before the cluster was lost are stored below, then the error is said.
                    outcomes = ex.Finished.Count == jobs.Count ? ex.Finished : new SwarmOutcome?[jobs.Count];
                    stopped = ex.Message;
                }
            }
            var results = outcomes.Select(o => o?.Run).ToArray();

            string batch = BatchRunner.NewBatchId(Name);
            var written = new List<string>();
            int stored = 0;
            bool interrupted = false;
            string? storeFailed = null;
            try
            {
                store.BeginBatch(batch, Name, (long)results.Count(r => r is not null) * k);
            }
            catch (EngineException ex)
            {
                storeFailed = MessageText.FirstLine(ex.Message).TrimEnd('.');
            }
            for (int i = 0; i < jobs.Count; i++)
            {
                if (results[i] is not SwarmRun run) { interrupted = true; continue; }
                interrupted |= run.Cancelled;
                // After a failed write the next would fail alike (a locked database after its full wait): the table still has every run.
                if (storeFailed is not null) continue;
                long bestId = 0;
                try
                {
                    for (int j = 0; j < k; j++)
                    {
                        var extra = new List<(string, double)> { ("member", j), ("k", k), ("rounds", rounds), ("temperature", temperature), ("kappa", kappa) };
                        if (spreads) extra.Add((lrParam, memberRates[j]));
                        string json = law.SettingsJson(extra.ToArray());
                        json = json.Insert(1, "\"method\":" + Json.String(MethodName(run.Method)) + ",");
                        long id = store.Save(new RunRecord(Name, batch, law.Name, law.Sha256, law.FilePath, task.Name, run.Members[j].Seed, json, Array.Empty<string>(),
                            run.Members[j], outcomes[i]!.StartedAt, outcomes[i]!.FinishedAt, run.Cancelled, StoreSteps: true));
                        stored++;
                        if (j == run.Best) bestId = id;
                    }
                }
                catch (EngineException ex)
                {
                    storeFailed = MessageText.FirstLine(ex.Message).TrimEnd('.');
                    continue;
                }
                // A run where every member died has no best member, and no files.
                if (outDir is not null && run.Best is int bestMember)
                {
                    var best = run.Members[bestMember];
                    string title = law.Name + " on " + task.Name + ", " + MethodName(run.Method) + " of " + k + ", seed " + run.Seed + ": best member " + bestMember
                        + " (run " + bestId.ToString(CultureInfo.InvariantCulture) + ")";
                    string stem = RunOutputFiles.Stem(bestId);
                    RunOutputFiles.RefuseTaken(outDir, bestId, "the member runs are stored in " + Experiment.Display(dbPath, context.CurrentDirectory), context);
                    written.Add(OutputFiles.Text(outDir, stem + ".csv", w => RunFiles.WriteCsv(best, w), context));
                    written.AddRange(PlotFiles.Save(outDir, stem + ".svg", RunFigure.Of(best, title), context));
                }
            }
            if (storeFailed is null)
            {
                try
                {
                    store.EndBatch(batch, BatchState.Of(stopped is not null, interrupted));
                }
                catch (EngineException ex)
                {
                    storeFailed = MessageText.FirstLine(ex.Message).TrimEnd('.');
                }
            }
            string db = Experiment.Display(dbPath, context.CurrentDirectory);
            string wrote = written.Count > 0 ? "; wrote " + string.Join(", ", written) : "";
            string notStored = storeFailed is null ? "" : "; storing the rest failed: " + storeFailed;
            if (stopped is not null)
            {
                int finished = results.Count(r => r is not null);
                throw new CliException(stopped + "; " + (finished == 0 ? "no population run had finished, so none is stored"
                    : finished.ToString(CultureInfo.InvariantCulture) + " of " + Plural.Count(jobs.Count, "population run") + " had finished and their "
                      + stored.ToString(CultureInfo.InvariantCulture) + " member runs are stored in " + db + " (batch " + batch + ")" + notStored + wrote));
            }
            // A Ctrl-C that came when every run had finished cut nothing short: the table stands, as a batch's does.
            if (interrupted)
            {
                context.Stderr.WriteLine("ae: interrupted; " + stored.ToString(CultureInfo.InvariantCulture) + " member runs are stored in " + db + " (batch " + batch + ")" + notStored
                    + "; no table was printed");
                return ExitCodes.Interrupted;
            }
            if (storeFailed is null) context.Stderr.WriteLine("stored " + stored.ToString(CultureInfo.InvariantCulture) + " member runs in " + db + " (batch " + batch + ")" + wrote);

            var rows = methods.Select(m => new Row(m, jobs.Select((job, i) => (job, i)).Where(x => x.job.Method == m).Select(x => results[x.i]!).ToList())).ToList();
            if (format == OutputFormat.Json) WriteJson(law, task.Name, swarm, rows, context.Stdout);
            else WriteTable(law, task.Name, swarm, seeds, spreads ? lrParam + " " + SweepCommand.Rate(memberRates[0]) + " .. " + SweepCommand.Rate(memberRates[^1]) : null, rows, context.Stdout);
            if (storeFailed is null) return ExitCodes.Success;
            // As for a batch: the table is of every run, the line says how far storing got, and the exit is a database's that cannot be written.
            context.Stderr.WriteLine("ae: error: " + storeFailed + "; " + stored.ToString(CultureInfo.InvariantCulture) + " of " + Plural.Count(memberRuns, "member run")
                + (stored == 1 ? " is" : " are") + " stored in " + db + " (batch " + batch + "), the output above has all of them" + wrote);
            return ExitCodes.Usage;
        }

        /// <summary>The runs of one method over the seeds.</summary>
        internal sealed record Row(SwarmMethod Method, IReadOnlyList<SwarmRun> Runs)
        {
            public int Reached => Runs.Count(r => r.Reached);

            public MeanCi ComputeToTarget => MeanCi.Of(Runs.Where(r => r.Reached).Select(r => (double)r.ComputeToTarget!.Value).ToList());

            /// <summary>log10 of the best member's final loss gap, over the seeds where a member survived.</summary>
            public MeanCi BestGap => MeanCi.Of(Runs.Where(r => r.Best is not null).Select(r => Math.Log10(Math.Max(Gap(r.Members[r.Best!.Value]), 1e-300))).ToList());

            /// <summary>Seeds where every member died.</summary>
            public int NoSurvivor => Runs.Count(r => r.Best is null);

            public int Dead => Runs.Sum(r => r.Dead);

            public int Deaths => Runs.Sum(r => r.Deaths);

            private static double Gap(MachineRun run) => run.FinalLoss - (run.OptimumLoss ?? 0);
        }

        internal static string MethodName(SwarmMethod method) => method switch
        {
            SwarmMethod.Swarm => "swarm",
            SwarmMethod.Independent => "independent",
            _ => "pbt",
        };

        private static IReadOnlyList<SwarmMethod> ParseMethods(string? text) => text switch
        {
            null or "swarm" => new[] { SwarmMethod.Swarm },
            "independent" => new[] { SwarmMethod.Independent },
            "pbt" => new[] { SwarmMethod.Pbt },
            "all" => new[] { SwarmMethod.Swarm, SwarmMethod.Independent, SwarmMethod.Pbt },
            _ => throw CliException.BadUsage("invalid value '" + text + "' for '--method'; expected swarm, independent, pbt or all", Name),
        };

        private static double BaseRate(ExperimentLaw law, string param, int dimension)
        {
            var options = LawOptions.BuildOptions(law.Compiled.Type, law.Settings, law.Name);
            var property = AE.Experiments.Replay.LawSettings.ParamProperty(options.GetType(), param);
            var value = property?.GetValue(options);
            // A default written in terms of other params ('refractory = 1 / (1 - beta_T)') is left unset in the options: its
            // value is the one the law works out from theirs.
            if (value is null && property is not null && law.Compiled.Type.GetProperty(property.Name) is { } derived)
                value = derived.GetValue(law.Compiled.Create(dimension, options));
            if (value is double d && d > 0 && double.IsFinite(d)) return d;
            string shown = value switch { null => "no default", bool b => b ? "true" : "false", IFormattable f => f.ToString(null, CultureInfo.InvariantCulture), _ => value.ToString() ?? "" };
            throw new CliException("the param " + param + " of " + law.Name + " is not a positive real (" + shown + "); the members' rates are spread around it");
        }

        private static double Real(CommandInput parsed, string option, double fallback, bool allowInfinity = false, string? expected = null)
        {
            string? text = parsed.Value(option);
            if (text is null) return fallback;
            if (LawOptions.TryParseReal(text, out double v) && v >= 0 && (allowInfinity || double.IsFinite(v))) return v;
            throw CliException.BadUsage("invalid value '" + text + "' for '" + option + "'; expected " + (expected ?? (allowInfinity ? "a number >= 0, or inf" : "a finite number >= 0")), Name);
        }

        private static string G(double v) => double.IsNaN(v) ? "—" : double.IsPositiveInfinity(v) ? "inf" : v.ToString("G4", CultureInfo.InvariantCulture).Replace('E', 'e');

        /// <summary>How many members PBT replaces each round, q = max(1, ⌊K · quantile⌋), as the runner counts them.</summary>
        private static string PbtShare(SwarmSettings s)
        {
            int q = Math.Max(1, (int)Math.Floor(s.Members * s.PbtQuantile));
            return q.ToString(CultureInfo.InvariantCulture) + " of " + s.Members.ToString(CultureInfo.InvariantCulture);
        }

        private static string Ci(MeanCi m) => m.Count == 0 ? "—" : m.Text(G);

        /// <summary>The best gap's mean over the seeds with a survivor, and how many seeds had none.</summary>
        private static string BestGapText(Row r)
        {
            if (r.NoSurvivor == r.Runs.Count) return "none survived";
            string gap = Ci(r.BestGap);
            return r.NoSurvivor == 0 ? gap : gap + "; none survived in " + Plural.Count(r.NoSurvivor, "seed");
        }

        internal static void WriteTable(ExperimentLaw law, string task, SwarmSettings s, int seeds, string? spread, IReadOnlyList<Row> rows, TextWriter stdout)
        {
            stdout.WriteLine(law.Name + " (" + law.FilePath + ") on " + task + ": K = " + s.Members + " members, " + Plural.Count(s.Rounds, "round") + " of " + Plural.Count(s.RoundTotal, "step")
                + " (" + (s.Rounds * s.RoundTotal).ToString(CultureInfo.InvariantCulture) + " in all, " + s.EqualShare * s.Rounds + " per member on average); "
                + (seeds == 1 ? "seed 0" : "seeds 0.." + (seeds - 1).ToString(CultureInfo.InvariantCulture))
                + (spread is null ? "" : "; members " + spread) + (law.Settings.Count > 0 ? "; settings " + string.Join(", ", law.Settings.Select(x => x.Name + "=" + x.Text)) : ""));
            // Each method's settings, for the methods run (independent runs have none).
            var settings = new List<string>();
            if (rows.Any(r => r.Method == SwarmMethod.Swarm))
                settings.Add("swarm: temperature " + G(s.Temperature) + ", kappa " + G(s.Kappa) + ", at least " + Plural.Count(s.RoundMinimum, "step") + " per member and round"
                    + (s.Dither > 0 ? ", dither " + G(s.Dither) : ""));
            if (rows.Any(r => r.Method == SwarmMethod.Pbt))
                settings.Add("pbt: the worst " + PbtShare(s) + " copy the best and multiply each coefficient by " + G(s.PbtFactor) + " or its inverse");
            if (settings.Count > 0) stdout.WriteLine(string.Join("; ", settings));
            stdout.WriteLine();
            var header = new[] { "method", "seeds reaching target", "steps of all members to target (mean ± 95% CI)", "best member's log10 final gap (mean ± 95% CI)", "deaths" };
            var cells = rows.Select(r => new[]
            {
                MethodName(r.Method),
                r.Reached.ToString(CultureInfo.InvariantCulture) + "/" + r.Runs.Count.ToString(CultureInfo.InvariantCulture),
                Ci(r.ComputeToTarget),
                BestGapText(r),
                r.Deaths.ToString(CultureInfo.InvariantCulture),
            }).ToList();
            var widths = header.Select((t, i) => Math.Max(t.Length, cells.Max(c => c[i].Length))).ToArray();
            stdout.WriteLine("| " + string.Join(" | ", header.Select((t, i) => t.PadRight(widths[i]))) + " |");
            stdout.WriteLine("|" + string.Join("|", widths.Select(w => " " + new string('-', w) + " ")) + "|");
            foreach (var c in cells) stdout.WriteLine("| " + string.Join(" | ", c.Select((t, i) => t.PadRight(widths[i]))) + " |");
        }

        /// <summary>
        /// <c>{"law", "law_file", "task", "k", "rounds", "round_steps", "rows": [{"method", "seeds", "reached", "compute_to_target": {mean, ci},
        /// "best_log10_gap": {mean, ci, n}, "dead", "runs": [{"seed", "reached", "compute_to_target", "compute", "dead", "best_member", "best_final_loss",
        /// "rounds": [{"round", "scores", "weights", "budgets", "consensus", "copies"}]}]}]}</c>.
        /// </summary>
        internal static void WriteJson(ExperimentLaw law, string task, SwarmSettings s, IReadOnlyList<Row> rows, TextWriter stdout)
        {
            Json.WriteIndented(stdout, json =>
            {
                json.WriteStartObject();
                json.WriteString("law", law.Name);
                json.WriteString("law_file", law.FilePath);
                json.WriteString("task", task);
                json.WriteNumber("k", s.Members);
                json.WriteNumber("rounds", s.Rounds);
                json.WriteNumber("round_steps", s.RoundTotal);
                json.WriteStartArray("rows");
                foreach (var r in rows)
                {
                    json.WriteStartObject();
                    json.WriteString("method", MethodName(r.Method));
                    json.WriteNumber("seeds", r.Runs.Count);
                    json.WriteNumber("reached", r.Reached);
                    Json.MeanWithCi(json, "compute_to_target", r.ComputeToTarget, withCount: true);
                    Json.MeanWithCi(json, "best_log10_gap", r.BestGap, withCount: true);
                    json.WriteNumber("dead", r.Dead);
                    json.WriteNumber("deaths", r.Deaths);
                    json.WriteStartArray("runs");
                    foreach (var run in r.Runs)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("seed", run.Seed);
                        json.WriteBoolean("reached", run.Reached);
                        if (run.ComputeToTarget is long c) json.WriteNumber("compute_to_target", c); else json.WriteNull("compute_to_target");
                        json.WriteNumber("compute", run.Compute);
                        json.WriteNumber("dead", run.Dead);
                        json.WriteNumber("deaths", run.Deaths);
                        // null when every member died: a dead member's last finite loss is no result (cli.md's JSON conventions).
                        if (run.Best is int best)
                        {
                            json.WriteNumber("best_member", best);
                            Json.Number(json, "best_final_loss", run.Members[best].FinalLoss);
                        }
                        else
                        {
                            json.WriteNull("best_member");
                            json.WriteNull("best_final_loss");
                        }
                        json.WriteStartArray("rounds");
                        foreach (var round in run.Rounds)
                        {
                            json.WriteStartObject();
                            json.WriteNumber("round", round.Round);
                            Numbers(json, "scores", round.Scores);
                            if (round.Weights is { } w) Numbers(json, "weights", w); else json.WriteNull("weights");
                            // null where it does not apply (cli.md): no budgets after the last round, no consensus without selection weights
                            if (round.Budgets.Count == 0) json.WriteNull("budgets");
                            else
                            {
                                json.WriteStartArray("budgets");
                                foreach (long b in round.Budgets) json.WriteNumberValue(b);
                                json.WriteEndArray();
                            }
                            if (round.Weights is null) json.WriteNull("consensus");
                            else
                            {
                                json.WriteStartObject("consensus");
                                foreach (var (name, value) in round.Consensus) Json.Number(json, name, value);
                                json.WriteEndObject();
                            }
                            json.WriteStartArray("copies");
                            foreach (var (from, to) in round.Copies)
                            {
                                json.WriteStartObject();
                                json.WriteNumber("from", from);
                                json.WriteNumber("to", to);
                                json.WriteEndObject();
                            }
                            json.WriteEndArray();
                            json.WriteNumber("compute", round.Compute);
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }

        private static void Numbers(Utf8JsonWriter json, string name, IEnumerable<double> values)
        {
            json.WriteStartArray(name);
            foreach (double v in values)
                Json.NumberValue(json, v);
            json.WriteEndArray();
        }
    }
}
