using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using AE.Experiments;
using AE.Cli.Plots;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Experiments.Training;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae run &lt;law.ae&gt; (--task T | --case FILE) [--name LAW] [--steps N] [--ablate R1,R2] [--set k=v ...]
    /// [--seed S] [--out DIR] [--checkpoint-every N] [--resume FILE] [--db FILE] [--no-progress]</c>: compiles the law,
    /// runs it on the task in the AE machine, prints a summary and stores the run (every step's signals) in the SQLite
    /// database. Exit 0 when the target was reached, 1 when not (budget out, divergence, NaN), 2 on bad input, 130 on
    /// Ctrl-C (the partial run is stored with status <c>interrupted</c>, and with --out a checkpoint
    /// (<see cref="MachineCheckpoint"/>) that --resume continues bit for bit).
    /// </summary>
    public static class RunCommand
    {
        /// <summary>The largest <c>--steps</c> (every step of the run is kept in memory and stored).</summary>
        public const long MaxSteps = 1_000_000;

        public const string Name = "run";

        /// <summary>The checkpoint's name in <c>--out DIR</c> (<see cref="MachineCheckpoint"/>).</summary>
        public const string CheckpointFile = "checkpoint.aerun";

        public static CommandSpec Command { get; } = new(Name, "Run a law on a benchmark task, store the run, plot it", Run)
        {
            StopsOnInterrupt = true,
            Arguments = LawCommandOptions.LawFiles,
            Options = new[]
            {
                LawCommandOptions.Task,
                LawCommandOptions.Case,
                LawCommandOptions.Name,
                new OptionSpec("--steps", "the step budget, a whole number", "The step budget (default: the task's; at most 1,000,000).") { HelpName = "N" }.WholeNumber(max: MaxSteps),
                new OptionSpec("--ablate", "rule ids such as AE5,AE8", "Switch these rules off at run time (repeatable). An unknown or fixed rule is an error that lists the switchable ones.", OptionKind.Repeatable) { HelpName = "R1,R2" },
                LawCommandOptions.Set,
                new OptionSpec("--seed", "a whole number", "The run's seed: start point, noise, minibatches (default 0).") { HelpName = "S" }.WholeNumber(min: 0),
                new OptionSpec("--out", "a folder for run-ID.csv, run-ID.svg and run-ID.png", "Also write DIR/run-ID.csv (step, loss, every signal) and DIR/run-ID.svg and DIR/run-ID.png (loss, alpha, mu, sigma, gamma over the steps). With --out, Ctrl-C writes DIR/checkpoint.aerun first.") { HelpName = "DIR" },
                new OptionSpec("--checkpoint-every", "a whole number of steps", "Also write DIR/checkpoint.aerun every N steps (needs --out); one that would bring the checkpoints' writing above a tenth of the run's time is skipped (each holds the run's whole log so far).") { HelpName = "N" }.WholeNumber(max: MaxSteps),
                new OptionSpec("--resume", "a run checkpoint file", "Continue the run of a checkpoint: the same law file, settings, ablation, task, seed and budget; the result is bit for bit that of a run never interrupted (stored as a new run with every step). Another run's checkpoint or a damaged one is one line and exit 2; nothing is written.") { HelpName = "FILE" },
                LawCommandOptions.Db,
                LawCommandOptions.NoProgress,
            },
            Details = new[]
            {
                "Compiles a law in memory (the generator's C#, built with Roslyn), runs it in the",
                "AE machine on a benchmark task until it reaches the task's target loss or the",
                "step budget runs out, prints a summary and stores the run in a SQLite database.",
                "A run that diverges or produces NaN/Inf stops cleanly and is recorded as an",
                "incident.",
                "",
                "Database: table runs (one row per run: id, started_at, law, law_sha256 of the",
                ".ae files (those named, then any of their folder a group or base came from),",
                "law_file, task, seed, steps, settings JSON, ablated, status, and its",
                "results: steps_taken, steps_to_target, final_loss, auc, incidents, ...)",
                "and table steps (run_id, step, loss, signals as a JSON object), one transaction",
                "per run. Ctrl-C stops the run: what it did so far is stored with status",
                "'interrupted', the message names the database and the run id (and the",
                "checkpoint to resume from, with --out), and the exit code is 130. Checkpoints",
                "are written whole (a temporary file, then a rename).",
                "",
                "Exit codes:",
                "  0    The run reached the target.",
                "  1    It did not (budget out, divergence, NaN/Inf).",
                "  2    Bad input: command line, file, task, rule, param or value.",
                "  3    Internal error in ae.",
                "  130  Interrupted (Ctrl-C); the partial run is stored.",
            },
        };

        /// <summary>The command line of <c>ae run</c>, its values checked; paths are absolute.</summary>
        internal sealed record Options(IReadOnlyList<string> LawFiles, string? Law, string? Task, string? Case, long? Steps, ulong Seed,
            IReadOnlyList<ParamSetting> Settings, IReadOnlyList<string> Ablate, string Database, string? Out, bool Progress, long CheckpointEvery, string? Resume)
        {
            public static Options From(CommandInput parsed, CliContext context)
            {
                Experiment.RequireLawFile(parsed, Name);
                var settings = Experiment.ParseSettings(parsed.Values("--set"), Name);
                var ablate = Experiment.Items(parsed.Values("--ablate"), "--ablate", Name);
                string? outDir = parsed.Value("--out") is string o ? Path.GetFullPath(o, context.CurrentDirectory) : null;
                long every = parsed.Number("--checkpoint-every") ?? 0;
                if (every > 0 && outDir is null) throw CliException.BadUsage("--checkpoint-every needs --out DIR", Name);
                string? resume = InputFileOption.Path(parsed, "--resume", "checkpoint file", CheckpointFile, context);
                return new Options(parsed.Positionals, parsed.Value("--name"), parsed.Value("--task"), parsed.Value("--case"), parsed.Number("--steps"),
                    (ulong)(parsed.Number("--seed") ?? 0), settings, ablate, Experiment.DatabasePath(parsed, context), outDir, context.StderrIsTerminal && !parsed.Has("--no-progress"), every, resume);
            }
        }

        private static int Run(CommandInput parsed, CliContext context) => Run(Options.From(parsed, context), context);

        /// <summary>Runs the law on the task, stores the run and prints the summary.</summary>
        internal static int Run(Options options, CliContext context)
        {
            var (lawFiles, lawName, taskName, casePath, steps, seed, settings, ablate, dbPath, outDir, progress, every, resume) = options;
            var taskSource = Experiment.ResolveTask(taskName, casePath, context, Name);
            var task = taskSource.Create();
            var law = ExperimentLaw.Load(lawFiles, lawName, settings, ablate, context.CurrentDirectory, context.Stderr, Name, task.Dimension);
            var instance = law.Create(task.Dimension, seed, ablate);

            var machineOptions = new MachineOptions { MaxSteps = steps };
            var machine = new AeMachine(task, machineOptions);
            long budget = machine.MaxSteps;
            // A task over a data set names the samples it loaded: a checkpoint is not resumed on other files.
            string taskIdentity = task is TaskBase { DataIdentity: { Length: > 0 } data } ? taskSource.Identity + " " + data : taskSource.Identity;
            var identity = new RunIdentity(law.Name, law.Sha256, law.IdentitySettingsJson(), string.Join(",", ablate), taskIdentity, task.Dimension, seed, budget);
            MachineState? resumed = null;
            // The run's key in the store, kept through resumes: storing it again replaces its row instead of adding one.
            string runKey = RunKeys.New();
            if (resume is not null)
            {
                try
                {
                    resumed = MachineCheckpoint.Load(resume, identity, instance, task, out runKey);   // checked whole before anything is written
                }
                catch (CheckpointException ex)
                {
                    throw new CliException(ex.Message, ex);
                }
            }

            string? checkpointPath = outDir is null ? null : Path.Combine(outDir, CheckpointFile);
            Func<string, bool> ownName = name => OutputFiles.Names.Equals(name, CheckpointFile) || RunOutputFiles.IsRunFile(name);
            if (outDir is not null) OutputFiles.KeepDatabaseOutOf(dbPath, outDir, ownName, context);
            if (checkpointPath is not null)
                OutputFiles.KeepOtherCheckpoint(checkpointPath, resume, identity, MachineCheckpoint.IdentityOf,
                    other => other.Law + " on " + other.Task + ", seed " + other.Seed.ToString(CultureInfo.InvariantCulture), context);

            using var store = RunOutputFiles.OpenStore(dbPath, outDir, 1, "this run", context, out long expectedId, out var folderLock, ownName);
            using var heldFolder = folderLock;

            machineOptions.ProgressInterval = Math.Clamp(budget / 100, 1, 100);
            if (checkpointPath is not null)
            {
                machineOptions.CheckpointInterval = every;
                var pacing = new CheckpointPacing();
                machineOptions.Checkpoint = state =>
                {
                    try
                    {
                        // An interrupt's checkpoint is the one to resume from: always written. The periodic ones keep to a share of the run's time.
                        if (context.Cancellation.IsCancellationRequested) MachineCheckpoint.Save(checkpointPath, identity, state, runKey);
                        else pacing.Periodic(() => MachineCheckpoint.Save(checkpointPath, identity, state, runKey));
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new CliException("cannot write '" + checkpointPath + "': " + ex.Message, ex);
                    }
                };
            }
            var started = DateTime.UtcNow;
            MachineRun run;
            using (var bar = new ProgressBar(context.Stderr, progress, law.Name + " on " + task.Name))
            {
                var observer = context.RunObserver;
                machineOptions.Progress = p =>
                {
                    bar.Report(p.Step, p.MaxSteps, "loss " + AE.Runtime.NumberText.Of(p.Loss, "G4"));
                    observer?.Invoke(p);
                };
                run = machine.Run(instance, seed, context.Cancellation, resumed);
            }
            bool interrupted = run.Stop == StopReason.Cancelled;

            // Only the complete run carries the key: the partial runs of interrupts stay rows of their own.
            var record = new RunRecord(Name, null, law.Name, law.Sha256, law.FilePath, task.Name, seed, law.SettingsJson(), ablate, run,
                started, DateTime.UtcNow, interrupted, StoreSteps: true) { Key = interrupted ? null : runKey };
            long id;
            long? replaced;
            try
            {
                id = store.Save(record, out replaced);
            }
            catch (EngineException ex) when (checkpointPath is not null && File.Exists(checkpointPath))
            {
                throw new CliException(ex.Message + "; the run is not stored, and its last checkpoint is kept: --resume "
                    + Experiment.Display(checkpointPath, context.CurrentDirectory) + " runs it from there and stores it", ex);
            }
            string dbShown = Experiment.Display(dbPath, context.CurrentDirectory);
            if (replaced is long before)
                context.Stderr.WriteLine("ae: this checkpoint's run was stored before, as run " + before.ToString(CultureInfo.InvariantCulture)
                    + "; run " + id.ToString(CultureInfo.InvariantCulture) + " replaces it (the same run, run again from the checkpoint)");
            // A complete run is in the database: its checkpoint would only let it be run and stored again.
            // So would the checkpoint it resumed from, wherever it lies (a resume without --out left it to be stored again).
            if (!interrupted)
                foreach (var path in new[] { checkpointPath, resume }.OfType<string>())
                    OutputFiles.DeleteOwnCheckpoint(path, identity, MachineCheckpoint.IdentityOf);

            // Ctrl-C while the finished run was being stored: the run is kept (it is complete), the files are not written.
            if (!interrupted && context.Cancellation.IsCancellationRequested)
            {
                context.Stderr.WriteLine("ae: interrupted after the run finished; it is stored in " + dbShown + " as run " + id.ToString(CultureInfo.InvariantCulture)
                    + " (status " + record.Status + ")" + (outDir is null ? "" : "; its --out files are not written"));
                return ExitCodes.Interrupted;
            }
            var written = new List<string>();
            if (outDir is not null)
            {
                if (id != expectedId) RunOutputFiles.RefuseTaken(outDir, id, "the run is stored in " + dbShown, context);
                string title = law.Name + (ablate.Count > 0 ? " without " + string.Join(", ", ablate) : "") + " on " + task.Name + ", seed " + seed.ToString(CultureInfo.InvariantCulture)
                    + " (run " + id.ToString(CultureInfo.InvariantCulture) + ")";
                written.Add(OutputFiles.Text(outDir, RunOutputFiles.Stem(id) + ".csv", w => RunFiles.WriteCsv(run, w), context));
                written.AddRange(PlotFiles.Save(outDir, RunOutputFiles.Stem(id) + ".svg", RunFigure.Of(run, title), context));
            }

            WriteSummary(context.Stdout, law, record, id, dbShown, written);
            if (interrupted)
            {
                context.Stderr.WriteLine("ae: interrupted after " + Plural.Count(run.StepsTaken, "step") + "; the partial run is stored in "
                    + dbShown + " as run " + id.ToString(CultureInfo.InvariantCulture) + " with status interrupted"
                    + (checkpointPath is null ? "" : "; resume with --resume " + Experiment.Display(checkpointPath, context.CurrentDirectory)));
                return ExitCodes.Interrupted;
            }
            return run.Accepted ? ExitCodes.Success : ExitCodes.Errors;
        }

        /// <summary>The summary: what ran, steps to target, final loss, AUC, incidents, why it stopped, where it is stored.</summary>
        internal static void WriteSummary(TextWriter stdout, ExperimentLaw law, RunRecord record, long id, string db, IReadOnlyList<string> written)
        {
            var run = record.Run;
            stdout.WriteLine(law.Name + " (" + law.FilePath + ") on " + run.TaskName + ", seed " + run.Seed.ToString(CultureInfo.InvariantCulture)
                + ", budget " + Int(run.MaxSteps) + " " + Plural.Noun(run.MaxSteps, "step"));
            if (law.Settings.Count > 0) stdout.WriteLine("settings: " + string.Join(", ", law.Settings.Select(s => s.Name + "=" + s.Text)));
            if (record.Ablated.Count > 0) stdout.WriteLine("ablated: " + string.Join(", ", record.Ablated));
            string target = "target " + G(run.TargetLoss) + (run.OptimumLoss is double opt ? ", optimum " + G(opt) : "");
            stdout.WriteLine("steps to target: " + (run.StepsToTarget is long s ? Int(s) : "not reached") + " (" + target + ")");
            stdout.WriteLine("final loss: " + G(run.FinalLoss) + (run.OptimumLoss is double o && double.IsFinite(run.FinalLoss)
                ? " (" + (run.FinalLoss - o).ToString("0.00e+00", CultureInfo.InvariantCulture) + " above the optimum)" : ""));
            // no finite loss, no area: '—' as where a value does not apply (cli.md), not a NaN shown as a number; a run that
            // reached its target at step 0 has one term, padded over the budget
            stdout.WriteLine("AUC of log loss: " + (double.IsNaN(run.Auc) ? "—" : AE.Runtime.NumberText.Of(run.Auc, "G6")));
            stdout.WriteLine("incidents: " + IncidentSummary(run.Incidents));
            foreach (var incident in run.Incidents.Take(3)) stdout.WriteLine("  " + incident.Message);
            if (run.Incidents.Count > 3) stdout.WriteLine("  ... " + Int(run.Incidents.Count - 3) + " more (incident_list in the database)");
            stdout.WriteLine("stopped: " + StopText(run));
            stdout.WriteLine("stored: run " + Int(id) + " in " + db + " (status " + record.Status + ")");
            if (written.Count > 0) stdout.WriteLine("wrote: " + string.Join(", ", written));
        }

        internal static string IncidentSummary(IReadOnlyList<Incident> incidents)
        {
            if (incidents.Count == 0) return "0";
            var parts = incidents.GroupBy(i => i.Kind).OrderBy(g => g.Key).Select(g => Int(g.Count()) + " " + KindName(g.Key, g.Count()));
            return Int(incidents.Count) + " (" + string.Join(", ", parts) + ")";
        }

        internal static string KindName(IncidentKind kind, int count) => kind switch
        {
            IncidentKind.NonFiniteLoss => "non-finite loss",
            IncidentKind.NonFiniteGradient => "non-finite gradient",
            IncidentKind.NonFiniteTheta => "non-finite theta",
            IncidentKind.Divergence => count == 1 ? "divergence" : "divergences",
            IncidentKind.LyapunovRise => "AE-10 rise" + (count == 1 ? "" : "s"),
            _ => kind.ToString(),
        };

        private static string StopText(MachineRun run) => run.Stop switch
        {
            StopReason.Accepted => "accepted (" + (run.Accept == AcceptReason.GammaV ? "gamma/V" : "target") + ") after " + Int(run.StepsTaken) + " " + Plural.Noun(run.StepsTaken, "step"),
            StopReason.BudgetExhausted => "budget exhausted after " + Int(run.StepsTaken) + " " + Plural.Noun(run.StepsTaken, "step"),
            StopReason.Diverged => "diverged after " + Int(run.StepsTaken) + " " + Plural.Noun(run.StepsTaken, "step"),
            StopReason.NonFinite => "non-finite value after " + Int(run.StepsTaken) + " " + Plural.Noun(run.StepsTaken, "step"),
            StopReason.Cancelled => "interrupted after " + Int(run.StepsTaken) + " " + Plural.Noun(run.StepsTaken, "step"),
            _ => run.Stop.ToString(),
        };

        private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

        private static string G(double v) => AE.Runtime.NumberText.Of(v, "G7");
    }
}
