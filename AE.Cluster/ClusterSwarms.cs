using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AE.Engine;
using AE.Experiments.Swarm;
using Orleans;
using Orleans.Runtime;

namespace AE.Cluster
{
    /// <summary>
    /// The population runs of a swarm on a cluster: each run (a method and a seed) is a <see cref="ISwarmGrain"/> on a
    /// worker, at most two per worker at a time; the client polls them for the law steps taken and, once finished,
    /// for the run, and each round's end state comes back with the poll that follows it. A run whose worker is lost is
    /// started again under a new key from the last round state the client holds (or from its start): a run is
    /// deterministic from the state a round starts with, so the run taken up is the one that was lost, bit for bit.
    /// </summary>
    public sealed partial class ClusterExecutor : ISwarmExecutor
    {
        private sealed class SwarmPart
        {
            public required int Job;
            public int Attempt;
            public ISwarmGrain? Grain;
            public long Compute;
            public string? Lost;

            /// <summary>The state the run's latest round ended with, as the client last heard: where a redo starts.</summary>
            public SwarmCheckpoint? Latest;
        }

        public IReadOnlyList<SwarmOutcome?> Execute(SwarmSpec spec, ExperimentLaw law, IReadOnlyList<SwarmJob> jobs, Action<long> progress, CancellationToken cancellation)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (law is null) throw new ArgumentNullException(nameof(law));
            if (jobs is null) throw new ArgumentNullException(nameof(jobs));
            if (progress is null) throw new ArgumentNullException(nameof(progress));
            return ExecuteSwarmsAsync(spec, law.Sha256, jobs, progress, cancellation).GetAwaiter().GetResult();
        }

        private async Task<IReadOnlyList<SwarmOutcome?>> ExecuteSwarmsAsync(SwarmSpec spec, string lawSha256, IReadOnlyList<SwarmJob> jobs, Action<long> progress,
            CancellationToken cancellation)
        {
            var outcomes = new SwarmOutcome?[jobs.Count];
            string batch = spec.Command + "-" + Guid.NewGuid().ToString("N");
            int workers = await Call(async () => (await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false)).Count).ConfigureAwait(false);
            var waiting = new Queue<SwarmPart>(Enumerable.Range(0, jobs.Count).Select(i => new SwarmPart { Job = i }));
            var running = new List<SwarmPart>();
            long finished = 0;
            var lastContact = DateTime.UtcNow;
            bool cancelled = false;
            while (waiting.Count > 0 || running.Count > 0)
            {
                if (cancellation.IsCancellationRequested && !cancelled)
                {
                    // Ctrl-C: the runs not started stay undone; the running ones end as cancelled and are kept, as in one process.
                    cancelled = true;
                    waiting.Clear();
                    foreach (var part in running) await Try(() => part.Grain!.Cancel()).ConfigureAwait(false);
                }
                while (waiting.Count > 0 && running.Count < 2 * Math.Max(1, workers))
                {
                    var part = waiting.Dequeue();
                    part.Grain = _client.GetGrain<ISwarmGrain>(batch + "/" + part.Job.ToString(CultureInfo.InvariantCulture) + "/" + part.Attempt.ToString(CultureInfo.InvariantCulture));
                    if (await Try(() => part.Grain.Start(SwarmWire.Of(spec, batch, lawSha256, jobs[part.Job], part.Latest))).ConfigureAwait(false) is Exception ex)
                    {
                        RedoSwarm(part, ex.Message, waiting);
                        break;
                    }
                    lastContact = DateTime.UtcNow;
                    if (part.Lost is string why) _notice("a worker was lost (" + why + "); redoing the " + jobs[part.Job].Method.ToString().ToLowerInvariant() + " run of seed "
                        + jobs[part.Job].Seed.ToString(CultureInfo.InvariantCulture) + " elsewhere from "
                        + (part.Latest is { } latest ? "round " + (latest.Round + 1).ToString(CultureInfo.InvariantCulture) : "its first round"));
                    part.Lost = null;
                    running.Add(part);
                }
                await Task.Delay(PollEvery, CancellationToken.None).ConfigureAwait(false);
                foreach (var part in running.ToList())
                {
                    WireSwarmStatus? status = null;
                    var error = await Try(async () => status = await part.Grain!.Poll(part.Latest?.Round ?? 0).ConfigureAwait(false)).ConfigureAwait(false);
                    if (error is not null || status is null || !status.Held)
                    {
                        running.Remove(part);
                        if (!cancelled) RedoSwarm(part, error?.Message ?? "its swarm is gone from the cluster", waiting);
                        continue;
                    }
                    lastContact = DateTime.UtcNow;
                    part.Compute = status.Compute;
                    if (status.Round > (part.Latest?.Round ?? 0)) part.Latest = new SwarmCheckpoint(status.Round, status.Compute, status.State);
                    if (!status.Finished) continue;
                    running.Remove(part);
                    if (status.Error is string message)
                        throw status.InputError ? new EngineException(message) : new InvalidOperationException("a worker failed: " + message);
                    outcomes[part.Job] = new SwarmOutcome(SwarmWire.Run(status, spec.Settings, jobs[part.Job]),
                        new DateTime(status.StartedAt, DateTimeKind.Utc), new DateTime(status.FinishedAt, DateTimeKind.Utc));
                    finished += status.TotalCompute;
                }
                if (DateTime.UtcNow - lastContact > LostAfter)
                    throw new EngineException("lost the cluster at " + _where + ": no worker answered for " + LostAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
                progress(finished + running.Sum(p => p.Compute));
            }
            return outcomes;
        }

        private static void RedoSwarm(SwarmPart part, string why, Queue<SwarmPart> waiting)
        {
            part.Lost ??= MessageText.FirstLine(why);
            part.Attempt++;
            part.Compute = part.Latest?.Compute ?? 0;
            waiting.Enqueue(part);
        }
    }
}
