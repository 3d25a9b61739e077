using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AE.Engine;
using Orleans;
using Orleans.Runtime;

namespace AE.Cluster
{
    /// <summary>
    /// The dispatch loop that batches and swarms share: at most two units of work per worker at a time, each a grain
    /// polled for its progress until it finishes; a unit whose worker is lost (a call that fails or times out, a grain that
    /// no longer holds its work) is started again under a new key, so on a worker that is up, and the client says so when
    /// it starts there. The cluster lost for <see cref="LostAfter"/> is an <see cref="EngineException"/>.
    /// </summary>
    public sealed partial class ClusterExecutor
    {
        /// <summary>One unit of work on a worker, as the dispatch loop sees it; the batch's parts and the swarm's runs say what each step means.</summary>
        private abstract class DispatchedWork
        {
            /// <summary>How often the work has been started again; part of its grain's key.</summary>
            public int Attempt;

            /// <summary>Why the work's last worker was lost, until it runs on another.</summary>
            public string? Lost;

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
        private async Task Dispatch<TWork>(IEnumerable<TWork> work, int workers, Action<long> progress, CancellationToken cancellation) where TWork : DispatchedWork
        {
            var waiting = new Queue<TWork>(work);
            var running = new List<TWork>();
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
                while (waiting.Count > 0 && running.Count < 2 * Math.Max(1, workers))
                {
                    var unit = waiting.Dequeue();
                    if (await Try(() => unit.Start(_client)).ConfigureAwait(false) is Exception ex)
                    {
                        // Not started (its worker is gone, or the cluster): tried again on the next round, on another key.
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

        /// <summary>The workers the cluster has now.</summary>
        private Task<int> Workers() => Call(async () => (await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false)).Count);

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
