using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
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

        public static CliCommand Command { get; } = new(Name, Usage.SwarmSummary, Usage.Swarm, Run);

        private static readonly IReadOnlyDictionary<string, string> ValueOptions = new Dictionary<string, string>
        {
            ["--task"] = "a task name (" + string.Join(", ", AE.Experiments.Tasks.TaskCatalog.Names) + ")",
            ["--k"] = "the number of members, a whole number from 2",
            ["--rounds"] = "the number of rounds",
            ["--steps"] = "the steps per member, a whole number",
            ["--seeds"] = "the number of seeds N (seeds 0..N-1)",
            ["--method"] = "swarm, independent, pbt or all",
            ["--temperature"] = "a number >= 0, or inf",
            ["--kappa"] = "a number in [0, 1]",
            ["--min-steps"] = "a whole number",
            ["--dither"] = "a number >= 0",
            ["--spread"] = "decades, a number >= 0",
            ["--lr-param"] = "the law's initial-rate param",
            ["--name"] = "the name of a law or variant in the file",
            ["--set"] = "NAME=VALUE, such as k_p=1.2",
            ["--threads"] = "a whole number from 1",
            ["--format"] = "table or json",
            ["--db"] = "a SQLite database file",
            ["--out"] = "a folder for run-ID.csv and run-ID.svg",
        };

        private static readonly string[] Flags = { "--no-progress" };
        private static readonly string[] Repeatable = { "--set" };

        public static int Run(string[] args, CliContext context)
        {
            if (Experiment.ParseLawCommand(args, context, Name, Usage.Swarm, ValueOptions, Flags, Repeatable) is not ParsedArguments parsed) return ExitCodes.Success;
            if (parsed.Value("--task") is not string taskName)
                throw CliException.BadUsage("no task; give --task NAME (" + string.Join(", ", AE.Experiments.Tasks.TaskCatalog.Names) + ")", Name);
            var taskSource = TaskSource.FromCatalog(taskName);
            if (parsed.Value("--k") is null) throw CliException.BadUsage("no swarm size; give --k K (at least 2)", Name);
            int k = (int)Experiment.PositiveInt(parsed, "--k", Name, min: 2, max: MaxMembers)!.Value;
            int rounds = (int)(Experiment.PositiveInt(parsed, "--rounds", Name, max: 100_000) ?? DefaultRounds);
            long? stepsGiven = Experiment.PositiveInt(parsed, "--steps", Name, max: MaxSteps);
            int seeds = (int)(Experiment.PositiveInt(parsed, "--seeds", Name, max: 1000) ?? DefaultSeeds);
            long? minSteps = Experiment.PositiveInt(parsed, "--min-steps", Name, min: 0);
            int threads = (int)(Experiment.PositiveInt(parsed, "--threads", Name, max: 1024) ?? Math.Max(1, Environment.ProcessorCount));
            var methods = ParseMethods(parsed.Value("--method"));
            double temperature = Real(parsed, "--temperature", 1.0, allowInfinity: true);
            double kappa = Real(parsed, "--kappa", 0.05);
            if (kappa > 1) throw CliException.BadUsage("invalid value '" + parsed.Value("--kappa") + "' for '--kappa'; expected a number from 0 to 1", Name);
            double dither = Real(parsed, "--dither", 0.0);
            double spread = Real(parsed, "--spread", DefaultSpread);
            string lrParam = parsed.Value("--lr-param") ?? SweepCommand.DefaultLrParam;
            var format = Experiment.ParseFormat(parsed, Name);
            var settings = Experiment.ParseSettings(parsed.Values("--set"), Name);
            string dbPath = Experiment.DatabasePath(parsed, context);
            string? outDir = parsed.Value("--out") is string o ? Path.GetFullPath(o, context.CurrentDirectory) : null;
            bool progress = context.StderrIsTerminal && !parsed.Has("--no-progress");

            var task = taskSource.Create();
            long steps = stepsGiven ?? task.DefaultSteps;
            var swarm = new SwarmSettings(k, rounds, steps, temperature, kappa, minSteps, dither);
            if (swarm.Problem() is string problem) throw new CliException(problem);

            var law = ExperimentLaw.Load(parsed.Positionals, parsed.Value("--name"), settings, Array.Empty<string>(), context.CurrentDirectory, context.Stderr, Name, task.Dimension);
            LawInput.Call(() => SwarmRunner.PopulationType(law.Compiled));
            var paramNames = AE.Experiments.Replay.LawSettings.ParamNames(law.Compiled.Type);
            bool spreads = paramNames.Contains(lrParam, StringComparer.Ordinal);
            if (!spreads && (parsed.Value("--lr-param") is not null || (parsed.Value("--spread") is not null && spread != 0)))
                throw new CliException("unknown param '" + lrParam + "' for the members' spread; the params of " + law.Name + ": " + string.Join(", ", paramNames));
            var memberRates = new double[k];
            var options = new object[k];
            double baseRate = spreads ? BaseRate(law, lrParam) : double.NaN;
            for (int j = 0; j < k; j++)
            {
                memberRates[j] = spreads ? baseRate * Math.Pow(10, spread * ((double)j / (k - 1) - 0.5)) : double.NaN;
                options[j] = spreads ? law.OptionsWith(lrParam, memberRates[j]) : LawOptions.BuildOptions(law.Compiled.Type, law.Settings, law.Name);
                if (law.Refuses(options[j]) is string why) throw new CliException("member " + j + " (" + lrParam + " = " + SweepCommand.Rate(memberRates[j]) + "): " + why);
            }
            using var store = RunStore.Open(dbPath);
            if (outDir is not null) Save(outDir, null, null, context);

            var jobs = methods.SelectMany(m => Enumerable.Range(0, seeds).Select(s => (Method: m, Seed: (ulong)s))).ToList();
            var results = new SwarmRun?[jobs.Count];
            var started = new DateTime[jobs.Count];
            var finished = new DateTime[jobs.Count];
            long total = (long)jobs.Count * swarm.Rounds * swarm.RoundTotal;
            long done = 0;
            var gate = new object();
            using (var bar = new ProgressBar(context.Stderr, progress, "swarm " + law.Name + " on " + task.Name))
            {
                var errors = new List<Exception>();
                Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, (i, state) =>
                {
                    if (context.Cancellation.IsCancellationRequested) return;
                    try
                    {
                        long reported = 0;
                        started[i] = DateTime.UtcNow;
                        results[i] = SwarmRunner.Run(law.Compiled, options, taskSource.Create, jobs[i].Method, swarm, jobs[i].Seed, true, context.Cancellation,
                            (c, _) =>
                            {
                                lock (gate)
                                {
                                    done += c - reported;
                                    reported = c;
                                    bar.Report(done, total);
                                    context.RunObserver?.Invoke(new MachineProgress(done, total, double.NaN));
                                }
                            });
                        finished[i] = DateTime.UtcNow;
                    }
                    catch (Exception ex)
                    {
                        lock (gate) errors.Add(ex);
                        state.Stop();
                    }
                });
                if (errors.Count > 0) ExceptionDispatchInfo.Capture(errors[0]).Throw();
            }

            string batch = Name + "-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var written = new List<string>();
            int stored = 0;
            bool interrupted = false;
            for (int i = 0; i < jobs.Count; i++)
            {
                if (results[i] is not SwarmRun run) { interrupted = true; continue; }
                interrupted |= run.Cancelled;
                long bestId = 0;
                for (int j = 0; j < k; j++)
                {
                    var extra = new List<(string, double)> { ("member", j), ("k", k), ("rounds", rounds), ("temperature", temperature), ("kappa", kappa) };
                    if (spreads) extra.Add((lrParam, memberRates[j]));
                    string json = law.SettingsJson(extra.ToArray());
                    json = json.Insert(1, "\"method\":" + Json.String(MethodName(run.Method)) + ",");
                    long id = store.Save(new RunRecord(Name, batch, law.Name, law.Sha256, law.FilePath, task.Name, run.Members[j].Seed, json, Array.Empty<string>(),
                        run.Members[j], started[i], finished[i], run.Cancelled, StoreSteps: true));
                    stored++;
                    if (j == run.Best) bestId = id;
                }
                if (outDir is not null)
                {
                    var best = run.Members[run.Best];
                    string title = law.Name + " on " + task.Name + ", " + MethodName(run.Method) + " of " + k + ", seed " + run.Seed + ": best member " + run.Best
                        + " (run " + bestId.ToString(CultureInfo.InvariantCulture) + ")";
                    string stem = "run-" + bestId.ToString(CultureInfo.InvariantCulture);
                    written.Add(Save(outDir, stem + ".csv", w => RunFiles.WriteCsv(best, w), context));
                    written.Add(Save(outDir, stem + ".svg", w => RunFiles.WriteSvg(best, title, w), context));
                }
            }
            string db = Experiment.Display(dbPath, context.CurrentDirectory);
            if (interrupted || context.Cancellation.IsCancellationRequested)
            {
                context.Stderr.WriteLine("ae: interrupted; " + stored.ToString(CultureInfo.InvariantCulture) + " member runs are stored in " + db + " (batch " + batch + "); no table was printed");
                return ExitCodes.Interrupted;
            }
            context.Stderr.WriteLine("stored " + stored.ToString(CultureInfo.InvariantCulture) + " member runs in " + db + " (batch " + batch + ")"
                + (written.Count > 0 ? "; wrote " + string.Join(", ", written) : ""));

            var rows = methods.Select(m => new Row(m, jobs.Select((job, i) => (job, i)).Where(x => x.job.Method == m).Select(x => results[x.i]!).ToList())).ToList();
            if (format == OutputFormat.Json) WriteJson(law, task.Name, swarm, rows, context.Stdout);
            else WriteTable(law, task.Name, swarm, seeds, spreads ? lrParam + " " + SweepCommand.Rate(memberRates[0]) + " .. " + SweepCommand.Rate(memberRates[^1]) : null, rows, context.Stdout);
            return ExitCodes.Success;
        }

        /// <summary>The runs of one method over the seeds.</summary>
        internal sealed record Row(SwarmMethod Method, IReadOnlyList<SwarmRun> Runs)
        {
            public int Reached => Runs.Count(r => r.Reached);

            public MeanCi ComputeToTarget => MeanCi.Of(Runs.Where(r => r.Reached).Select(r => (double)r.ComputeToTarget!.Value).ToList());

            /// <summary>log10 of the best member's final loss gap, per seed.</summary>
            public MeanCi BestGap => MeanCi.Of(Runs.Select(r => Math.Log10(Math.Max(Gap(r.Members[r.Best]), 1e-300))).ToList());

            public int Dead => Runs.Sum(r => r.Dead);

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

        private static double BaseRate(ExperimentLaw law, string param)
        {
            var options = LawOptions.BuildOptions(law.Compiled.Type, law.Settings, law.Name);
            var value = options.GetType().GetProperty(param)?.GetValue(options);
            if (value is double d && d > 0 && double.IsFinite(d)) return d;
            throw new CliException("the param " + param + " of " + law.Name + " is not a positive real (" + (value ?? "no default") + "); the members' rates are spread around it");
        }

        private static double Real(ParsedArguments parsed, string option, double fallback, bool allowInfinity = false)
        {
            string? text = parsed.Value(option);
            if (text is null) return fallback;
            if (LawOptions.TryParseReal(text, out double v) && v >= 0 && (allowInfinity || double.IsFinite(v))) return v;
            throw CliException.BadUsage("invalid value '" + text + "' for '" + option + "'; expected a number >= 0" + (allowInfinity ? " or inf" : ""), Name);
        }

        /// <summary>Writes <paramref name="name"/> in <paramref name="dir"/> (created when missing; with no name, only the folder); returns how the path is shown.</summary>
        internal static string Save(string dir, string? name, Action<TextWriter>? write, CliContext context)
        {
            string path = name is null ? dir : Path.Combine(dir, name);
            string text = "";
            if (write is not null)
            {
                using var content = new StringWriter(CultureInfo.InvariantCulture);
                write(content);
                text = content.ToString();
            }
            try
            {
                Directory.CreateDirectory(dir);
                if (name is not null) File.WriteAllText(path, text, new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot write '" + path + "': " + ex.Message, ex);
            }
            return Experiment.Display(path, context.CurrentDirectory);
        }

        private static string G(double v) => double.IsNaN(v) ? "—" : v.ToString("G4", CultureInfo.InvariantCulture).Replace('E', 'e');

        private static string Ci(MeanCi m) => m.Count == 0 ? "—" : G(m.Mean) + (m.Ci is double ci ? " ± " + G(ci) : "");

        internal static void WriteTable(ExperimentLaw law, string task, SwarmSettings s, int seeds, string? spread, IReadOnlyList<Row> rows, TextWriter stdout)
        {
            stdout.WriteLine(law.Name + " (" + law.FilePath + ") on " + task + ": K = " + s.Members + " members, " + s.Rounds + " rounds of " + s.RoundTotal
                + " steps (" + (s.Rounds * s.RoundTotal).ToString(CultureInfo.InvariantCulture) + " in all, " + s.EqualShare * s.Rounds + " per member on average); "
                + (seeds == 1 ? "seed 0" : "seeds 0.." + (seeds - 1).ToString(CultureInfo.InvariantCulture))
                + (spread is null ? "" : "; members " + spread) + (law.Settings.Count > 0 ? "; settings " + string.Join(", ", law.Settings.Select(x => x.Name + "=" + x.Text)) : ""));
            stdout.WriteLine("swarm: temperature " + G(s.Temperature) + ", kappa " + G(s.Kappa) + ", at least " + s.RoundMinimum + " steps per member and round"
                + (s.Dither > 0 ? ", dither " + G(s.Dither) : "") + "; pbt: the worst " + G(s.PbtQuantile * 100) + "% copy the best and multiply each coefficient by "
                + G(s.PbtFactor) + " or its inverse");
            stdout.WriteLine();
            var header = new[] { "method", "seeds reaching target", "steps of all members to target (mean ± 95% CI)", "best member's log10 final gap (mean ± 95% CI)", "dead members" };
            var cells = rows.Select(r => new[]
            {
                MethodName(r.Method),
                r.Reached.ToString(CultureInfo.InvariantCulture) + "/" + r.Runs.Count.ToString(CultureInfo.InvariantCulture),
                Ci(r.ComputeToTarget),
                Ci(r.BestGap),
                r.Dead.ToString(CultureInfo.InvariantCulture),
            }).ToList();
            var widths = header.Select((t, i) => Math.Max(t.Length, cells.Max(c => c[i].Length))).ToArray();
            stdout.WriteLine("| " + string.Join(" | ", header.Select((t, i) => t.PadRight(widths[i]))) + " |");
            stdout.WriteLine("|" + string.Join("|", widths.Select(w => " " + new string('-', w) + " ")) + "|");
            foreach (var c in cells) stdout.WriteLine("| " + string.Join(" | ", c.Select((t, i) => t.PadRight(widths[i]))) + " |");
        }

        /// <summary>
        /// <c>{"law", "law_file", "task", "k", "rounds", "round_steps", "rows": [{"method", "seeds", "reached", "compute_to_target": {mean, ci},
        /// "best_log10_gap": {mean, ci}, "dead", "runs": [{"seed", "reached", "compute_to_target", "compute", "best_member", "best_final_loss",
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
                    AblateCommand.Stat(json, "compute_to_target", r.ComputeToTarget, withCount: true);
                    AblateCommand.Stat(json, "best_log10_gap", r.BestGap, withCount: true);
                    json.WriteNumber("dead", r.Dead);
                    json.WriteStartArray("runs");
                    foreach (var run in r.Runs)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("seed", run.Seed);
                        json.WriteBoolean("reached", run.Reached);
                        if (run.ComputeToTarget is long c) json.WriteNumber("compute_to_target", c); else json.WriteNull("compute_to_target");
                        json.WriteNumber("compute", run.Compute);
                        json.WriteNumber("best_member", run.Best);
                        Json.Number(json, "best_final_loss", run.Members[run.Best].FinalLoss);
                        json.WriteStartArray("rounds");
                        foreach (var round in run.Rounds)
                        {
                            json.WriteStartObject();
                            json.WriteNumber("round", round.Round);
                            Numbers(json, "scores", round.Scores);
                            if (round.Weights is { } w) Numbers(json, "weights", w); else json.WriteNull("weights");
                            json.WriteStartArray("budgets");
                            foreach (long b in round.Budgets) json.WriteNumberValue(b);
                            json.WriteEndArray();
                            json.WriteStartObject("consensus");
                            foreach (var (name, value) in round.Consensus) Json.Number(json, name, value);
                            json.WriteEndObject();
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
                if (double.IsFinite(v)) json.WriteNumberValue(v); else json.WriteStringValue(Json.Number(v).Trim('"'));
            json.WriteEndArray();
        }
    }
}
