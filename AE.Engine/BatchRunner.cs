using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AE.Runtime;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;

namespace AE.Engine
{
    /// <summary>
    /// What optimizer a run uses, as data: the law (every rule on but <paramref name="Ablated"/>, and the real param
    /// <paramref name="Param"/> set to <paramref name="Value"/> when given), or the baseline <paramref name="Baseline"/>
    /// (its rate replaced by <paramref name="Value"/> when given).
    /// </summary>
    public sealed record JobRecipe(string? Baseline, IReadOnlyList<string> Ablated, string? Param, double? Value)
    {
        /// <summary>The law with the rules <paramref name="ablated"/> switched off.</summary>
        public static JobRecipe Law(IReadOnlyList<string>? ablated = null) => new(null, ablated ?? Array.Empty<string>(), null, null);

        /// <summary>The law with one real param set (the sweep's initial learning rate).</summary>
        public static JobRecipe LawWith(string param, double value) => new(null, Array.Empty<string>(), param, value);

        /// <summary>A baseline, at <paramref name="lr"/> when given.</summary>
        public static JobRecipe Of(BaselineSpec baseline, double? lr = null) => new(baseline.Name, Array.Empty<string>(), null, lr);
    }

    /// <summary>One run of a batch: a task, the optimizer's recipe, a seed, and how it is stored.</summary>
    public sealed record BatchJob(TaskSource Task, JobRecipe Recipe, ulong Seed, long? Steps, string Law, string? LawSha256, string? LawFile, string SettingsJson)
    {
        /// <summary>
        /// The run's key: SHA-256 (hex) of what decides its result (the law or baseline and its file's hash, the settings,
        /// the rules switched off, the task, the seed, the budget). A batch stores each key once; a run redone
        /// (on another worker of a cluster) replaces the first and is never counted twice.
        /// </summary>
        public string Key => RunKey(Law, LawSha256, SettingsJson, Recipe.Ablated, Task.Name, Seed, Steps);

        private static string RunKey(string law, string? sha, string settings, IReadOnlyList<string> ablated, string task, ulong seed, long? steps)
        {
            string text = string.Join("\n", law, sha ?? "", settings, string.Join(",", ablated), task, seed.ToString(CultureInfo.InvariantCulture),
                steps?.ToString(CultureInfo.InvariantCulture) ?? "task");
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        }
    }

    /// <summary>The optimizers of a batch: its law (null when it runs baselines only) and its baselines, by recipe.</summary>
    public sealed class BatchMethods
    {
        private readonly ExperimentLaw? _law;
        private readonly IReadOnlyList<BaselineSpec> _baselines;

        public BatchMethods(ExperimentLaw? law, IReadOnlyList<BaselineSpec> baselines)
        {
            _law = law;
            _baselines = baselines;
        }

        /// <summary>A fresh optimizer of <paramref name="recipe"/> for <paramref name="dimension"/> parameters and <paramref name="seed"/>.</summary>
        public IOptimizerLaw Create(JobRecipe recipe, int dimension, ulong seed)
        {
            if (recipe.Baseline is string name)
                return (_baselines.FirstOrDefault(b => b.Name == name) ?? throw new InvalidOperationException("the batch has no baseline " + name)).Create(dimension, recipe.Value);
            var law = _law ?? throw new InvalidOperationException("the batch has no law");
            var options = recipe.Param is string param ? law.OptionsWith(param, recipe.Value!.Value) : null;
            return law.Create(dimension, seed, recipe.Ablated, options);
        }
    }

    /// <summary>One job's run and when it ran; null in a batch's outcomes for a job that did not start (Ctrl-C).</summary>
    public sealed record JobOutcome(MachineRun Run, DateTime StartedAt, DateTime FinishedAt);

    /// <summary>Runs the jobs of a batch somewhere (this process, or a cluster) and returns an outcome per job, in job order.</summary>
    public interface IBatchExecutor
    {
        /// <param name="progress">called with (jobs done, jobs) as jobs finish; calls do not overlap</param>
        IReadOnlyList<JobOutcome?> Execute(BatchSpec batch, BatchMethods methods, Action<int, int> progress, CancellationToken cancellation);
    }

    /// <summary>
    /// A batch as data: the command and batch id, where its law comes from (null: baselines only), its baselines,
    /// its jobs, and whether the runs record every signal. Enough for a worker elsewhere to run any of its jobs.
    /// </summary>
    public sealed record BatchSpec(string Command, string Batch, LawSource? Law, IReadOnlyList<BaselineSpec> Baselines, IReadOnlyList<BatchJob> Jobs, bool RecordSignals)
    {
        /// <summary>Whether the runs come back from a cluster with their logs even when no signals are recorded (an experiment reads its losses step by step).</summary>
        public bool KeepLogs { get; init; }
    }

    /// <summary>
    /// What a batch produced: a run per job (null for a job that did not start because of Ctrl-C, or that had not
    /// finished when the executor stopped), and how many of them are stored.
    /// </summary>
    public sealed record BatchResult(IReadOnlyList<MachineRun?> Runs, bool Interrupted, int Stored, string Batch)
    {
        /// <summary>Why the executor stopped before every job ran (the cluster lost), in one line; null when it ran them all.</summary>
        public string? Stopped { get; init; }

        /// <summary>Why storing the runs failed (the database became read-only or stayed locked), in one line; null when every run is stored.</summary>
        public string? StoreFailed { get; init; }

        /// <summary>The runs that were cut short by Ctrl-C (stored with status interrupted).</summary>
        public int CutShort => Runs.Count(r => r?.Stop == StopReason.Cancelled);

        /// <summary>The jobs that never ran (Ctrl-C came first, or the executor stopped before their results came back).</summary>
        public int NotRun => Runs.Count(r => r is null);
    }

    /// <summary>
    /// An executor stopped before every job ran (a cluster lost, a part its workers refused): the message says why in
    /// one line, and <see cref="Finished"/> holds the outcomes that had reached this process, so that they are stored.
    /// </summary>
    public sealed class BatchStoppedException : Exception
    {
        public BatchStoppedException() { }

        public BatchStoppedException(string message) : base(message) { }

        public BatchStoppedException(string message, Exception innerException) : base(message, innerException) { }

        public BatchStoppedException(string message, IReadOnlyList<JobOutcome?> finished, Exception innerException) : base(message, innerException)
            => Finished = finished ?? throw new ArgumentNullException(nameof(finished));

        /// <summary>An outcome per job, in job order: null for a job whose run had not come back.</summary>
        public IReadOnlyList<JobOutcome?> Finished { get; } = Array.Empty<JobOutcome?>();
    }

    /// <summary>
    /// Runs many independent jobs (each run has its own task instance and optimizer, so the results do not depend
    /// on the order, the number of threads or the machine), then stores them in the database, each in its own
    /// transaction, in job order, keyed by <see cref="BatchJob.Key"/>.
    /// </summary>
    public static class BatchRunner
    {
        /// <summary>A new batch id: the command, the time (UTC) and 8 random hex digits.</summary>
        public static string NewBatchId(string command)
            => command + "-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);

        /// <summary>Runs <paramref name="batch"/> with <paramref name="executor"/> and stores what ran.</summary>
        public static BatchResult Run(BatchSpec batch, BatchMethods methods, IBatchExecutor executor, RunStore store, Action<int, int> progress, CancellationToken cancellation)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var job in batch.Jobs)
                if (!keys.Add(job.Key)) throw new InvalidOperationException("two jobs of the batch have the same run key (" + job.Law + " on " + job.Task.Name + ", seed " + job.Seed + ")");
            IReadOnlyList<JobOutcome?> outcomes;
            string? stopped = null;
            try
            {
                outcomes = executor.Execute(batch, methods, progress, cancellation);
            }
            catch (BatchStoppedException ex)
            {
                // The runs that came back before the executor stopped are kept: the caller reports why it stopped once they are stored.
                outcomes = ex.Finished.Count == batch.Jobs.Count ? ex.Finished : new JobOutcome?[batch.Jobs.Count];
                stopped = ex.Message;
            }
            var runs = outcomes.Select(o => o?.Run).ToList();
            bool interrupted = stopped is null && cancellation.IsCancellationRequested && runs.Any(r => r is null || r.Stop == StopReason.Cancelled);
            var (stored, storeFailed) = Store(batch, outcomes, store, BatchState.Of(stopped is not null, interrupted));
            return new BatchResult(runs, interrupted, stored, batch.Batch) { Stopped = stopped, StoreFailed = storeFailed };
        }

        /// <summary>
        /// Stores the runs of <paramref name="outcomes"/> in job order until one cannot be written; how many were stored and,
        /// when one failed, why. The runs stay in the result either way, so that the table can still be printed.
        /// </summary>
        /// <param name="ending">how the batch ended (<see cref="BatchState"/>), recorded once every run is stored; until then the
        /// store holds the batch as <see cref="BatchState.Storing"/>, which is what a process killed while storing leaves</param>
        private static (int Stored, string? Failed) Store(BatchSpec batch, IReadOnlyList<JobOutcome?> outcomes, RunStore store, string ending)
        {
            int stored = 0;
            try
            {
                store.BeginBatch(batch.Batch, batch.Command, outcomes.Count(o => o is not null));
                for (int i = 0; i < batch.Jobs.Count; i++)
                {
                    if (outcomes[i] is not JobOutcome outcome) continue;
                    var job = batch.Jobs[i];
                    store.Save(new RunRecord(batch.Command, batch.Batch, job.Law, job.LawSha256, job.LawFile, outcome.Run.TaskName, job.Seed, job.SettingsJson, job.Recipe.Ablated,
                        outcome.Run, outcome.StartedAt, outcome.FinishedAt, outcome.Run.Stop == StopReason.Cancelled, batch.RecordSignals) { Key = job.Key });
                    stored++;
                }
                store.EndBatch(batch.Batch, ending);
            }
            catch (EngineException ex)
            {
                // The next run would fail alike (a locked database would make each wait its full timeout): stop at the first.
                return (stored, MessageText.FirstLine(ex.Message).TrimEnd('.'));
            }
            return (stored, null);
        }

        /// <summary>
        /// Runs the jobs <paramref name="indices"/> of <paramref name="batch"/> on every core of this process; an outcome per
        /// index (null for a job that did not start because of <paramref name="cancellation"/>). The first failure is rethrown.
        /// </summary>
        public static JobOutcome?[] RunJobs(BatchSpec batch, IReadOnlyList<int> indices, BatchMethods methods, Action<int, int> progress, CancellationToken cancellation)
        {
            var outcomes = new JobOutcome?[indices.Count];
            int done = 0;
            var gate = new object();
            progress(0, indices.Count);
            var errors = new List<Exception>();
            Parallel.For(0, indices.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) },
                () => new Dictionary<string, ITask>(StringComparer.Ordinal),
                (i, state, tasks) =>
                {
                    if (cancellation.IsCancellationRequested) return tasks;
                    try
                    {
                        var job = batch.Jobs[indices[i]];
                        if (!tasks.TryGetValue(job.Task.Name, out var task)) tasks.Add(job.Task.Name, task = job.Task.Create());
                        var machine = new AeMachine(task, new MachineOptions { MaxSteps = job.Steps, RecordSignals = batch.RecordSignals });
                        var law = methods.Create(job.Recipe, task.Dimension, job.Seed);
                        var started = DateTime.UtcNow;
                        var run = machine.Run(law, job.Seed, cancellation);
                        outcomes[i] = new JobOutcome(run, started, DateTime.UtcNow);
                    }
                    catch (Exception ex)
                    {
                        lock (gate) errors.Add(ex);
                        state.Stop();
                    }
                    lock (gate) progress(++done, indices.Count);
                    return tasks;
                },
                _ => { });
            if (errors.Count > 0) ExceptionDispatchInfo.Capture(errors[0]).Throw();
            return outcomes;
        }
    }

    /// <summary>Runs a batch on every core of this process (the default: no cluster).</summary>
    public sealed class LocalExecutor : IBatchExecutor
    {
        public static LocalExecutor Instance { get; } = new();

        public IReadOnlyList<JobOutcome?> Execute(BatchSpec batch, BatchMethods methods, Action<int, int> progress, CancellationToken cancellation)
            => BatchRunner.RunJobs(batch, Enumerable.Range(0, batch.Jobs.Count).ToList(), methods, progress, cancellation);
    }
}
