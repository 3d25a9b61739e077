using System;
using System.Collections.Generic;
using System.Linq;
using AE.Engine;
using AE.Experiments.Machine;
using Orleans;

namespace AE.Cluster
{
    /// <summary>A law's source on the wire (<see cref="LawSource"/>), with the SHA-256 of its files as the client read them.</summary>
    [GenerateSerializer, Immutable]
    public sealed record WireLaw(string[] Paths, string? Name, string[] SettingNames, string[] SettingTexts, string CurrentDirectory, string Sha256);

    /// <summary>A baseline with its settings (<see cref="BaselineSpec"/>).</summary>
    [GenerateSerializer, Immutable]
    public sealed record WireBaseline(string Name, string[] Keys, double[] Values);

    /// <summary>
    /// One job (<see cref="BatchJob"/>): its task as a <see cref="TaskSource.Spec"/> with the <see cref="TaskSource.Identity"/> the client
    /// read (a case's hash), its recipe, seed and budget, and what the store keeps of it.
    /// </summary>
    [GenerateSerializer, Immutable]
    public sealed record WireJob(string Task, string TaskIdentity, string? Baseline, string[] Ablated, string? Param, double? Value, ulong Seed, long? Steps,
        string Law, string? LawSha256, string? LawFile, string SettingsJson);

    /// <summary>A part of a batch for one worker: the batch's law and baselines, and some of its jobs.</summary>
    [GenerateSerializer, Immutable]
    public sealed record WireBatch(string Command, string Batch, WireLaw? Law, WireBaseline[] Baselines, WireJob[] Jobs, bool RecordSignals, bool KeepLogs);

    /// <summary>
    /// Where a worker's part stands (a run's log travels only when the batch stores its steps: the tables need its figures only): whether this grain holds the part at all (a grain whose first activation was lost
    /// with its worker's directory comes back empty); jobs done of all; when finished, each job's run (<see cref="MachineRunBytes"/>; empty
    /// for a job that did not start) and its start and end (UTC ticks); a failure as its one-line message.
    /// </summary>
    [GenerateSerializer, Immutable]
    public sealed record WireStatus(bool Held, int Done, int Total, bool Finished, string? Error, bool InputError, byte[][] Runs, long[] StartedAt, long[] FinishedAt);

    /// <summary>The engine's batch on the wire and back.</summary>
    public static class Wire
    {
        public static WireBatch Of(BatchSpec batch, IEnumerable<int> jobs, string? lawSha256) => new(batch.Command, batch.Batch,
            // A batch whose jobs are all baselines (every law rate refused) sends no law: the workers have nothing to load or compare.
            batch.Law is LawSource law && lawSha256 is not null ? LawOf(law, lawSha256) : null,
            batch.Baselines.Select(b => new WireBaseline(b.Name, b.Settings.Select(s => s.Key).ToArray(), b.Settings.Select(s => s.Value).ToArray())).ToArray(),
            jobs.Select(i => batch.Jobs[i]).Select(j => new WireJob(j.Task.Spec, j.Task.Identity, j.Recipe.Baseline, j.Recipe.Ablated.ToArray(), j.Recipe.Param, j.Recipe.Value, j.Seed, j.Steps,
                j.Law, j.LawSha256, j.LawFile, j.SettingsJson)).ToArray(),
            batch.RecordSignals, batch.KeepLogs);

        public static LawSource? Law(WireBatch batch) => batch.Law is WireLaw l ? Source(l) : null;

        public static WireLaw LawOf(LawSource law, string sha256) => new(law.Paths.ToArray(), law.Name, law.Settings.Select(s => s.Name).ToArray(),
            law.Settings.Select(s => s.Text).ToArray(), law.CurrentDirectory, sha256);

        public static LawSource Source(WireLaw law) => new(law.Paths, law.Name, law.SettingNames.Zip(law.SettingTexts, (n, t) => new ParamSetting(n, t)).ToList(), law.CurrentDirectory);

        /// <summary>The batch a worker runs; <paramref name="law"/> is the law the worker loaded from <see cref="Law"/>.</summary>
        public static (BatchSpec Batch, BatchMethods Methods) ToEngine(WireBatch batch, ExperimentLaw? law)
        {
            var baselines = batch.Baselines.Select(b => new BaselineSpec(b.Name, b.Keys.Zip(b.Values, (k, v) => new KeyValuePair<string, double>(k, v)))).ToList();
            var tasks = new Dictionary<string, TaskSource>(StringComparer.Ordinal);
            var jobs = batch.Jobs.Select(j =>
            {
                if (!tasks.TryGetValue(j.Task, out var task)) tasks.Add(j.Task, task = TaskSource.FromSpec(j.Task, j.TaskIdentity));
                return new BatchJob(task, new JobRecipe(j.Baseline, j.Ablated, j.Param, j.Value), j.Seed, j.Steps, j.Law, j.LawSha256, j.LawFile, j.SettingsJson);
            }).ToList();
            return (new BatchSpec(batch.Command, batch.Batch, law?.Source, baselines, jobs, batch.RecordSignals) { KeepLogs = batch.KeepLogs }, new BatchMethods(law, baselines));
        }

        public static JobOutcome? Outcome(WireStatus status, int i) => status.Runs[i].Length == 0 ? null
            : new JobOutcome(MachineRunBytes.Read(status.Runs[i]), new DateTime(status.StartedAt[i], DateTimeKind.Utc), new DateTime(status.FinishedAt[i], DateTimeKind.Utc));
    }
}
