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
        /// <summary>Called when the client takes in the state a round of a population run ended with (its method, seed and round): a redo starts after it (a test kills a worker then).</summary>
        internal static event Action<SwarmMethod, ulong, int>? RoundReceived;

        /// <summary>A population run of a swarm (a method and a seed) on one worker (<see cref="ISwarmGrain"/>).</summary>
        private sealed class SwarmPart : DispatchedWork
        {
            public required SwarmSpec Spec;
            public required string Batch;
            public required string LawSha256;
            public required IReadOnlyList<SwarmJob> Jobs;
            public required int Job;
            public required SwarmOutcome?[] Outcomes;
            private ISwarmGrain? _grain;
            private long _compute;

            /// <summary>The state the run's latest round ended with, as the client last heard: where a redo starts.</summary>
            private SwarmCheckpoint? _latest;

            public override string What => "swarm";

            public override long Progress => _compute;

            public override Task Start(IClusterClient client)
            {
                _grain = client.GetGrain<ISwarmGrain>(Batch + "/" + Job.ToString(CultureInfo.InvariantCulture) + "/" + Attempt.ToString(CultureInfo.InvariantCulture));
                return _grain.Start(SwarmWire.Of(Spec, Batch, LawSha256, Jobs[Job], _latest));
            }

            public override Task Cancel() => _grain!.Cancel();

            public override async Task<bool?> Poll()
            {
                var status = await _grain!.Poll(_latest?.Round ?? 0).ConfigureAwait(false);
                if (!status.Held) return null;
                _compute = status.Compute;
                if (status.Round > (_latest?.Round ?? 0))
                {
                    _latest = new SwarmCheckpoint(status.Round, status.Compute, status.State);
                    RoundReceived?.Invoke(Jobs[Job].Method, Jobs[Job].Seed, status.Round);
                }
                if (!status.Finished) return false;
                if (status.Error is string message)
                    throw status.InputError ? new EngineException(message) : new InvalidOperationException("a worker failed: " + message);
                Outcomes[Job] = new SwarmOutcome(SwarmWire.Run(status, Spec.Settings, Jobs[Job]),
                    new DateTime(status.StartedAt, DateTimeKind.Utc), new DateTime(status.FinishedAt, DateTimeKind.Utc));
                _compute = status.TotalCompute;
                return true;
            }

            public override string Redone(string why) => "a worker was lost (" + why + "); redoing the " + Jobs[Job].Method.ToString().ToLowerInvariant() + " run of seed "
                + Jobs[Job].Seed.ToString(CultureInfo.InvariantCulture) + " elsewhere from "
                + (_latest is { } latest ? "round " + (latest.Round + 1).ToString(CultureInfo.InvariantCulture) : "its first round");

            public override void Restart() => _compute = _latest?.Compute ?? 0;
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
            try
            {
                var workers = await Call(ActiveWorkers).ConfigureAwait(false);   // a cluster gone already is said at once
                await Dispatch(Enumerable.Range(0, jobs.Count).Select(i => new SwarmPart
                {
                    Spec = spec,
                    Batch = batch,
                    LawSha256 = lawSha256,
                    Jobs = jobs,
                    Job = i,
                    Outcomes = outcomes,
                }), workers, progress, cancellation).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                // The cluster lost, or a run its workers refused: the population runs that ended before are the caller's to store.
                throw new SwarmStoppedException(ex.Message, outcomes, ex);
            }
            return outcomes;
        }
    }
}
