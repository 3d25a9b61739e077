using System;
using System.Threading;
using System.Threading.Tasks;
using AE.Engine;
using AE.Experiments.Swarm;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;

namespace AE.Cluster
{
    /// <summary>
    /// One population run of a swarm (a method and a seed) on a worker, round by round. The members of a population are
    /// not split across workers: they step together in one generated population, and a member that reaches the target
    /// stops every member at that step, so a round is one process's loop (docs/cluster.md). <see cref="Start"/> begins
    /// the run on the worker's thread pool, from its start or from the state a round ended with, and returns; at the end
    /// of each round the grain holds the run's whole state (<see cref="SwarmCheckpoint"/>), which <see cref="Poll"/> hands
    /// to the client, and once finished the whole run. The key is the swarm's batch, the run and the attempt, so a run
    /// taken up after its worker was lost is a new grain on a worker that is up, started from the last round the client holds.
    /// </summary>
    public interface ISwarmGrain : IGrainWithStringKey
    {
        /// <summary>Starts the run (a second call while it runs does nothing).</summary>
        Task Start(WireSwarm swarm);

        /// <param name="round">the round whose end state the client holds (0: none): a later one comes with the answer</param>
        Task<WireSwarmStatus> Poll(int round);

        /// <summary>Ends the run after the step it is taking (the client was interrupted): it finishes as cancelled.</summary>
        Task Cancel();
    }

    /// <summary>Placed as <see cref="BatchGrain"/>: where the client hints, so a swarm of several seeds and methods spreads over the workers.</summary>
    [RandomPlacement]
    public sealed class SwarmGrain : Grain, ISwarmGrain
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly SiloAddress _silo;
        private Task<WireSwarmStatus>? _work;
        private long _compute;
        private SwarmCheckpoint? _latest;

        public SwarmGrain(ILocalSiloDetails silo)
        {
            if (silo is null) throw new ArgumentNullException(nameof(silo));
            _silo = silo.SiloAddress;
        }

        /// <summary>Called when a population run starts on a worker of this process, with the worker's silo (the worker prints it; a test kills it).</summary>
        public static event Action<WireSwarm, SiloAddress>? Started;

        /// <summary>Called when a round of a population run on a worker of this process ends and another follows, with the state then (a test kills the worker there).</summary>
        public static event Action<WireSwarm, SiloAddress, SwarmCheckpoint>? RoundEnded;

        public Task Start(WireSwarm swarm)
        {
            if (_work is null)
            {
                Started?.Invoke(swarm, _silo);
                _work = Task.Run(() => Run(swarm));
            }
            return Task.CompletedTask;
        }

        public Task<WireSwarmStatus> Poll(int round)
        {
            if (_work is { IsCompleted: true } work)
            {
                DeactivateOnIdle();
                return Task.FromResult(work.Result);
            }
            var latest = Volatile.Read(ref _latest);
            return Task.FromResult(SwarmWire.Running(_work is not null, Interlocked.Read(ref _compute), latest is not null && latest.Round > round ? latest : null));
        }

        public Task Cancel()
        {
            _cancel.Cancel();
            return Task.CompletedTask;
        }

        private WireSwarmStatus Run(WireSwarm swarm)
        {
            try
            {
                var (spec, job) = SwarmWire.ToEngine(swarm);
                var law = WorkerLaws.Load(spec.Law, swarm.Law.Sha256, swarm.Command);
                var started = DateTime.UtcNow;
                var run = spec.Run(law, spec.MemberOptions(law), job, _cancel.Token, (compute, _) => Interlocked.Exchange(ref _compute, compute),
                    swarm.Resume.Length > 0 ? swarm.Resume : null, checkpoint =>
                    {
                        Volatile.Write(ref _latest, checkpoint);
                        RoundEnded?.Invoke(swarm, _silo, checkpoint);
                    });
                return SwarmWire.Finished(run, started, DateTime.UtcNow);
            }
            catch (Exception ex)
            {
                // The run cannot go on here (a law file that differs, a missing data set): the client reports it and stops.
                return SwarmWire.Failed(Interlocked.Read(ref _compute), ex);
            }
        }
    }
}
