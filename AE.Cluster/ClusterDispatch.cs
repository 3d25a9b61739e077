using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AE.Engine;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace AE.Cluster
{
    /// <summary>
    /// The dispatch loop that batches and swarms share: at most two units of work per worker at a time, each a grain
    /// polled for its progress until it finishes; a unit whose worker is lost (a call that fails or times out, a grain that
    /// no longer holds its work) is started again under a new key, on another worker, and the client says so when
    /// it starts there. The cluster lost for <see cref="LostAfter"/> is an <see cref="EngineException"/>.
    /// </summary>
    /// <remarks>
    /// The client places each unit itself (a placement hint on its first call): on the worker that runs the fewest units,
    /// the workers taken in the order of their addresses, so every worker gets work from the first units on and none gets
    /// a third while another has one free. A random placement left a given worker idle now and then (in a twelve-part
    /// sweep on three workers with a chance of (2/3)^12, about 1 in 130). The workers are asked for again before units
    /// start, so one that joins during a batch takes work too.
    /// </remarks>
    public sealed partial class ClusterExecutor
    {
        /// <summary>One unit of work on a worker, as the dispatch loop sees it; the batch's parts and the swarm's runs say what each step means.</summary>
        private abstract class DispatchedWork
        {
            /// <summary>How often the work has been started again; part of its grain's key.</summary>
            public int Attempt;

            /// <summary>Why the work's last worker was lost, until it runs on another.</summary>
            public string? Lost;

            /// <summary>The worker the client placed the work on (null before it starts).</summary>
            public SiloAddress? On;

            /// <summary>What the work is called in a notice ("part", "swarm").</summary>
            public abstract string What { get; }

            /// <summary>Progress of the work while it runs (what the loop adds to the finished work's).</summary>
            public abstract long Progress { get; }

            /// <summary>Makes the grain for the current attempt and starts it.</summary>
            public abstract Task Start(IClusterClient client);

            public abstract Task Cancel();

            /// <summary>Polls the grain: null when it no longer holds the work; else whether it finished (its outcome then recorded, its progress final).</summary>
            public abstract Task<bool?> Poll();

            /// <summary>The notice when the work starts again elsewhere after its worker was lost.</summary>
            public abstract string Redone(string why);

            /// <summary>Resets what the work's progress counts before it is started again.</summary>
            public abstract void Restart();
        }

        /// <summary>Runs <paramref name="work"/> on the cluster's workers until every unit finished (or, after Ctrl-C, the running ones ended).</summary>
        /// <param name="workers">the active workers (<see cref="ActiveWorkers"/>) as the caller asked for them just before</param>
        private async Task Dispatch<TWork>(IEnumerable<TWork> work, List<SiloAddress> workers, Action<long> progress, CancellationToken cancellation) where TWork : DispatchedWork
        {
            var waiting = new Queue<TWork>(work);
            var running = new List<TWork>();
            var lost = new HashSet<SiloAddress>();
            bool firstRound = true;
            long finished = 0;
            var lastContact = DateTime.UtcNow;
            bool cancelled = false;
            while (waiting.Count > 0 || running.Count > 0)
            {
                if (cancellation.IsCancellationRequested && !cancelled)
                {
                    // Ctrl-C: the work not started stays undone; the running work ends as in one process.
                    cancelled = true;
                    waiting.Clear();
                    foreach (var unit in running) await Try(unit.Cancel).ConfigureAwait(false);
                }
                // Asked for again on later rounds, so that a worker that joined takes work; the first round has the caller's list.
                if (waiting.Count > 0 && !firstRound && await Try(async () => workers = await ActiveWorkers().ConfigureAwait(false)).ConfigureAwait(false) is null)
                    lastContact = DateTime.UtcNow;
                firstRound = false;
                while (waiting.Count > 0 && LeastBusy(workers, lost, running) is SiloAddress worker)
                {
                    var unit = waiting.Dequeue();
                    unit.On = worker;
                    if (await Try(() => StartOn(unit, worker)).ConfigureAwait(false) is Exception ex)
                    {
                        // Not started (its worker is gone, or the cluster): tried again on the next round, on another key and worker.
                        lost.Add(worker);
                        Redo(unit, ex.Message, waiting);
                        break;
                    }
                    lastContact = DateTime.UtcNow;
                    if (unit.Lost is string why) _notice(unit.Redone(why));
                    unit.Lost = null;
                    running.Add(unit);
                }
                await Task.Delay(PollEvery, CancellationToken.None).ConfigureAwait(false);
                foreach (var unit in running.ToList())
                {
                    bool? done = null;
                    var error = await Try(async () => done = await unit.Poll().ConfigureAwait(false)).ConfigureAwait(false);
                    if (error is not null || done is null)
                    {
                        running.Remove(unit);
                        // Workers that answer but never hand the work over (a result the messages cannot carry) would have it redone forever.
                        if (!cancelled && unit.Attempt + 1 >= MaxAttempts)
                            throw new EngineException("the " + unit.What + " was started " + MaxAttempts + " times and never collected from the workers (last: "
                                + MessageText.FirstLine(error?.Message ?? "gone from the cluster") + "); run it without --cluster, or with fewer steps stored");
                        if (unit.On is SiloAddress where) lost.Add(where);
                        if (!cancelled) Redo(unit, error?.Message ?? "its " + unit.What + " is gone from the cluster", waiting);
                        continue;
                    }
                    lastContact = DateTime.UtcNow;
                    if (done == false) continue;
                    running.Remove(unit);
                    finished += unit.Progress;
                }
                if (DateTime.UtcNow - lastContact > LostAfter)
                    throw new EngineException("lost the cluster at " + _where + ": no worker answered for " + LostAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
                progress(finished + running.Sum(p => p.Progress));
            }
        }

        /// <summary>Starts <paramref name="unit"/> with its grain placed on <paramref name="worker"/> (Orleans' placement takes the hint while that worker is up).</summary>
        private Task StartOn(DispatchedWork unit, SiloAddress worker)
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, worker);
            try
            {
                return unit.Start(_client);
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }
        }

        /// <summary>
        /// The worker that runs the fewest units and has room for one more (two at a time), the first in address order on a
        /// tie; those a unit was lost on are passed over while another is up. Null when every worker is busy.
        /// </summary>
        private static SiloAddress? LeastBusy(IReadOnlyList<SiloAddress> workers, IReadOnlySet<SiloAddress> lost, IEnumerable<DispatchedWork> running)
        {
            var candidates = workers.Where(w => !lost.Contains(w)).ToList();
            if (candidates.Count == 0) candidates = workers.ToList();
            var load = running.Where(u => u.On is not null).GroupBy(u => u.On!).ToDictionary(g => g.Key, g => g.Count());
            SiloAddress? best = null;
            int bestLoad = UnitsPerWorker;
            foreach (var w in candidates)
            {
                int l = load.TryGetValue(w, out int n) ? n : 0;
                if (l < bestLoad) (best, bestLoad) = (w, l);
            }
            return best;
        }

        /// <summary>How many units a worker runs at a time: two, so that one starts while the other's results travel.</summary>
        private const int UnitsPerWorker = 2;

        /// <summary>The cluster's active workers in address order.</summary>
        private async Task<List<SiloAddress>> ActiveWorkers()
        {
            var hosts = await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false);
            return hosts.Keys.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToList();
        }

        /// <summary>How often one unit of work is started before the client gives up on it.</summary>
        private const int MaxAttempts = 6;

        /// <summary>Queues <paramref name="unit"/> again under a new key; the notice comes when it starts on a worker that is up.</summary>
        private static void Redo<TWork>(TWork unit, string why, Queue<TWork> waiting) where TWork : DispatchedWork
        {
            unit.Lost ??= MessageText.FirstLine(why);
            unit.Attempt++;
            unit.Restart();
            waiting.Enqueue(unit);
        }
    }
}
