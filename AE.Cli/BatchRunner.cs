using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using AE.Runtime;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;

namespace AE.Cli
{
    /// <summary>One run of a batch: a task, a fresh optimizer for its dimension, a seed, and how it is stored.</summary>
    /// <param name="Create">builds a fresh optimizer for the task's dimension and the run's seed</param>
    internal sealed record BatchJob(TaskSource Task, Func<int, ulong, IOptimizerLaw> Create, ulong Seed, long? Steps,
        string Law, string? LawSha256, string? LawFile, string SettingsJson, IReadOnlyList<string> Ablated);

    /// <summary>What a batch produced: a run per job (null for a job that did not start because of Ctrl-C).</summary>
    internal sealed record BatchResult(IReadOnlyList<MachineRun?> Runs, bool Interrupted, int Stored, string Batch);

    /// <summary>
    /// Runs many independent jobs on every core (each run has its own task instance and optimizer, so the
    /// results do not depend on the order or the number of threads), then stores them in the database, each in
    /// its own transaction, in job order.
    /// </summary>
    internal static class BatchRunner
    {
        public static BatchResult Run(string command, IReadOnlyList<BatchJob> jobs, RunStore store, bool storeSteps, CliContext context, bool progress, string label)
        {
            var runs = new MachineRun?[jobs.Count];
            var started = new DateTime[jobs.Count];
            var finished = new DateTime[jobs.Count];
            var token = context.Cancellation;
            int done = 0;
            var gate = new object();
            using (var bar = new ProgressBar(context.Stderr, progress, label))
            {
                bar.Report(0, jobs.Count);
                var errors = new List<Exception>();
                Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) },
                    () => new Dictionary<string, ITask>(StringComparer.Ordinal),
                    (i, state, tasks) =>
                    {
                        if (token.IsCancellationRequested) return tasks;
                        try
                        {
                            var job = jobs[i];
                            if (!tasks.TryGetValue(job.Task.Name, out var task)) tasks.Add(job.Task.Name, task = job.Task.Create());
                            var machine = new AeMachine(task, new MachineOptions { MaxSteps = job.Steps, RecordSignals = storeSteps });
                            var law = job.Create(task.Dimension, job.Seed);
                            started[i] = DateTime.UtcNow;
                            runs[i] = machine.Run(law, job.Seed, token);
                            finished[i] = DateTime.UtcNow;
                        }
                        catch (Exception ex)
                        {
                            lock (gate) errors.Add(ex);
                            state.Stop();
                        }
                        lock (gate) bar.Report(++done, jobs.Count);
                        return tasks;
                    },
                    _ => { });
                if (errors.Count > 0) ExceptionDispatchInfo.Capture(errors[0]).Throw();
            }

            string batch = command + "-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            int stored = 0;
            for (int i = 0; i < jobs.Count; i++)
            {
                if (runs[i] is not MachineRun run) continue;
                var job = jobs[i];
                store.Save(new RunRecord(command, batch, job.Law, job.LawSha256, job.LawFile, run.TaskName, job.Seed, job.SettingsJson, job.Ablated, run,
                    started[i], finished[i], run.Stop == StopReason.Cancelled, storeSteps));
                stored++;
            }
            bool interrupted = token.IsCancellationRequested && runs.Any(r => r is null || r.Stop == StopReason.Cancelled);
            return new BatchResult(runs, interrupted, stored, batch);
        }

        /// <summary>The stderr line saying where the runs are; on Ctrl-C, what was kept.</summary>
        public static void ReportStored(BatchResult result, int total, string db, CliContext context)
        {
            string where = " in " + db + " (batch " + result.Batch + ")";
            if (result.Interrupted)
                context.Stderr.WriteLine("ae: interrupted; " + result.Stored.ToString(CultureInfo.InvariantCulture) + " of " + total.ToString(CultureInfo.InvariantCulture)
                    + " runs are stored" + where + " (runs cut short with status interrupted); no table was printed");
            else
                context.Stderr.WriteLine("stored " + result.Stored.ToString(CultureInfo.InvariantCulture) + " runs" + where);
        }
    }
}
