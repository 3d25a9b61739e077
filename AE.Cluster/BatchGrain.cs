using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AE.Engine;
using AE.Experiments.Machine;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;

namespace AE.Cluster
{
    /// <summary>
    /// A part of a batch on one worker. <see cref="Start"/> begins running its jobs on the worker's thread pool (every
    /// core, as a batch runs in one process) and returns at once; <see cref="Poll"/> says how far it is and, once it
    /// is finished, hands back every run. The key is the batch, the part and the attempt, so a part redone after a
    /// worker was lost is a new grain, placed on a worker that is up.
    /// </summary>
    public interface IBatchGrain : IGrainWithStringKey
    {
        /// <summary>Starts the part (a second call while it runs does nothing).</summary>
        Task Start(WireBatch part);

        Task<WireStatus> Poll();

        /// <summary>Stops the part's jobs that have not started (the client was interrupted).</summary>
        Task Cancel();
    }

    /// <summary>
    /// Placed where the client hints (the least busy worker, see <see cref="ClusterExecutor"/>); at random when the hint
    /// names a worker the placing silo does not know, whatever the load statistics of a fresh cluster say.
    /// </summary>
    [RandomPlacement]
    public sealed class BatchGrain : Grain, IBatchGrain
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly SiloAddress _silo;
        private Task<WireStatus>? _work;
        private int _done, _total;

        public BatchGrain(ILocalSiloDetails silo)
        {
            if (silo is null) throw new ArgumentNullException(nameof(silo));
            _silo = silo.SiloAddress;
        }

        /// <summary>Called when a part starts on a worker of this process, with the worker's silo (the worker prints it; a test kills it).</summary>
        public static event Action<WireBatch, SiloAddress>? Started;

        public Task Start(WireBatch part)
        {
            if (_work is null)
            {
                _total = part.Jobs.Length;
                Started?.Invoke(part, _silo);
                _work = Task.Run(() => Run(part));
            }
            return Task.CompletedTask;
        }

        public Task<WireStatus> Poll()
        {
            if (_work is { IsCompleted: true } work)
            {
                DeactivateOnIdle();
                return Task.FromResult(work.Result);
            }
            var none = Array.Empty<byte[]>();
            return Task.FromResult(new WireStatus(_work is not null, Volatile.Read(ref _done), _total, false, null, false, none, Array.Empty<long>(), Array.Empty<long>()));
        }

        public Task Cancel()
        {
            _cancel.Cancel();
            return Task.CompletedTask;
        }

        private WireStatus Run(WireBatch part)
        {
            int n = part.Jobs.Length;
            try
            {
                var law = Wire.Law(part) is LawSource source ? WorkerLaws.Load(source, part.Law!.Sha256, part.Command) : null;
                var (batch, methods) = Wire.ToEngine(part, law);
                var outcomes = BatchRunner.RunJobs(batch, Enumerable.Range(0, n).ToList(), methods, (done, _) => Volatile.Write(ref _done, done), _cancel.Token);
                return new WireStatus(true, n, n, true, null, false,
                    outcomes.Select(o => o is null ? Array.Empty<byte>() : MachineRunBytes.Write(o.Run, log: part.RecordSignals || part.KeepLogs)).ToArray(),
                    outcomes.Select(o => o?.StartedAt.Ticks ?? 0).ToArray(), outcomes.Select(o => o?.FinishedAt.Ticks ?? 0).ToArray());
            }
            catch (Exception ex)
            {
                // The part cannot run here (a law file that differs, a missing data set): the client reports it and stops.
                return new WireStatus(true, Volatile.Read(ref _done), n, true, MessageText.FirstLine(ex.Message), ex is EngineException, Array.Empty<byte[]>(), Array.Empty<long>(), Array.Empty<long>());
            }
        }
    }
}
