using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AE.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace AE.Cluster
{
    /// <summary>
    /// Runs a batch on a cluster: the jobs are cut into parts (about four per worker), each part runs on a worker
    /// (<see cref="IBatchGrain"/>), at most two parts per worker at a time; the client polls them for progress and
    /// their runs. A part whose worker is lost (a call that fails or times out) is started again under a new key, so
    /// on a worker that is up (the client says so when it does); its runs, keyed by their run keys, are stored once by the
    /// engine. The cluster lost for <see cref="LostAfter"/> is an <see cref="EngineException"/>.
    /// </summary>
    public sealed partial class ClusterExecutor : IBatchExecutor, IDisposable
    {
        /// <summary>How long the client keeps trying when no call reaches the cluster.</summary>
        public static TimeSpan LostAfter { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>How long connecting may take before the cluster counts as unreachable.</summary>
        public static TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);

        private readonly IHost? _host;
        private readonly IClusterClient _client;
        private readonly string _where;
        private readonly Action<string> _notice;

        private ClusterExecutor(IHost? host, IClusterClient client, string where, Action<string> notice)
        {
            _host = host;
            _client = client;
            _where = where;
            _notice = notice;
        }

        /// <summary>A client of the cluster <paramref name="spec"/>; <paramref name="notice"/> hears of lost workers and redone parts.</summary>
        public static ClusterExecutor Connect(ClusterSpec spec, Action<string> notice)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            var host = new HostBuilder()
                .UseOrleansClient(client =>
                {
                    client.UseLocalhostClustering(spec.GatewayPort(0), ClusterSpec.ClusterId, ClusterSpec.ClusterId);
                    client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
                    client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
                })
                // Ctrl-C belongs to the command (it stops the batch and stores what finished), not to the client's host.
                .ConfigureServices(services => services.AddSingleton<IHostLifetime, CommandLifetime>())
                .Build();
            try
            {
                using var timeout = new CancellationTokenSource(ConnectTimeout);
                host.StartAsync(timeout.Token).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is OperationCanceledException || Lost(ex))
            {
                host.Dispose();
                throw new EngineException("cannot reach the cluster at " + spec + ": no worker 0 answered on port " + spec.GatewayPort(0).ToString(CultureInfo.InvariantCulture)
                    + " within " + ConnectTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s (start one with 'ae worker --cluster " + spec + "')", ex);
            }
            return new ClusterExecutor(host, host.Services.GetRequiredService<IClusterClient>(), spec.ToString(), notice);
        }

        /// <summary>A client over an existing cluster client (a test cluster's).</summary>
        public static ClusterExecutor Over(IClusterClient client, string where, Action<string> notice) => new(null, client, where, notice);

        /// <summary>A host lifetime that leaves the signals to the command.</summary>
        private sealed class CommandLifetime : IHostLifetime
        {
            public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }

        private sealed class Part
        {
            public required int[] Jobs;
            public int Attempt;
            public IBatchGrain? Grain;
            public int Done;

            /// <summary>Why the part's last worker was lost, until the part runs on another.</summary>
            public string? Lost;
        }

        public IReadOnlyList<JobOutcome?> Execute(BatchSpec batch, BatchMethods methods, Action<int, int> progress, CancellationToken cancellation)
            => ExecuteAsync(batch, progress, cancellation).GetAwaiter().GetResult();

        private async Task<IReadOnlyList<JobOutcome?>> ExecuteAsync(BatchSpec batch, Action<int, int> progress, CancellationToken cancellation)
        {
            int n = batch.Jobs.Count;
            var outcomes = new JobOutcome?[n];
            int workers = await Call(async () => (await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false)).Count).ConfigureAwait(false);
            int parts = Math.Min(n, Math.Max(1, 4 * workers));
            var waiting = new Queue<Part>(Enumerable.Range(0, parts).Select(p => new Part { Jobs = Enumerable.Range(0, n).Where(i => i % parts == p).ToArray() }));
            var running = new List<Part>();
            int finished = 0;
            string? lawSha = batch.Jobs.FirstOrDefault(j => j.Recipe.Baseline is null)?.LawSha256;
            progress(0, n);
            var lastContact = DateTime.UtcNow;
            bool cancelled = false;
            while (waiting.Count > 0 || running.Count > 0)
            {
                if (cancellation.IsCancellationRequested && !cancelled)
                {
                    // Ctrl-C: the parts not started stay undone; the running parts stop their jobs that have not started.
                    cancelled = true;
                    waiting.Clear();
                    foreach (var part in running) await Try(() => part.Grain!.Cancel()).ConfigureAwait(false);
                }
                while (waiting.Count > 0 && running.Count < 2 * Math.Max(1, workers))
                {
                    var part = waiting.Dequeue();
                    part.Grain = _client.GetGrain<IBatchGrain>(batch.Batch + "/" + part.Jobs[0].ToString(CultureInfo.InvariantCulture) + "/" + part.Attempt.ToString(CultureInfo.InvariantCulture));
                    if (await Try(() => part.Grain.Start(Wire.Of(batch, part.Jobs, lawSha))).ConfigureAwait(false) is Exception ex)
                    {
                        // Not started (its worker is gone, or the cluster): tried again on the next round, on another key.
                        Redo(part, ex.Message, waiting);
                        break;
                    }
                    lastContact = DateTime.UtcNow;
                    if (part.Lost is string why) _notice("a worker was lost (" + why + "); redoing " + part.Jobs.Length + " runs elsewhere");
                    part.Lost = null;
                    running.Add(part);
                }
                await Task.Delay(PollEvery, CancellationToken.None).ConfigureAwait(false);
                foreach (var part in running.ToList())
                {
                    WireStatus? status = null;
                    var error = await Try(async () => status = await part.Grain!.Poll().ConfigureAwait(false)).ConfigureAwait(false);
                    if (error is not null || status is null || !status.Held)
                    {
                        running.Remove(part);
                        if (!cancelled) Redo(part, error?.Message ?? "its part is gone from the cluster", waiting);
                        continue;
                    }
                    lastContact = DateTime.UtcNow;
                    if (!status.Finished)
                    {
                        part.Done = status.Done;
                        continue;
                    }
                    running.Remove(part);
                    if (status.Error is string message)
                        throw status.InputError ? new EngineException(message) : new InvalidOperationException("a worker failed: " + message);
                    for (int k = 0; k < part.Jobs.Length; k++) outcomes[part.Jobs[k]] = Wire.Outcome(status, k);
                    finished += part.Jobs.Length;
                    part.Done = 0;
                }
                if (DateTime.UtcNow - lastContact > LostAfter)
                    throw new EngineException("lost the cluster at " + _where + ": no worker answered for " + LostAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
                progress(finished + running.Sum(p => p.Done), n);
            }
            return outcomes;
        }

        /// <summary>Queues <paramref name="part"/> again under a new key; the notice comes when it starts on a worker that is up.</summary>
        private static void Redo(Part part, string why, Queue<Part> waiting)
        {
            part.Lost ??= MessageText.FirstLine(why);
            part.Attempt++;
            part.Done = 0;
            waiting.Enqueue(part);
        }

        /// <summary>Null when <paramref name="call"/> reached the cluster; otherwise why not.</summary>
        private static async Task<Exception?> Try(Func<Task> call)
        {
            try
            {
                await call().ConfigureAwait(false);
                return null;
            }
            catch (Exception ex) when (Lost(ex))
            {
                return ex;
            }
        }

        private async Task<T> Call<T>(Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception ex) when (Lost(ex))
            {
                throw new EngineException("lost the cluster at " + _where + ": " + MessageText.FirstLine(ex.Message), ex);
            }
        }

        /// <summary>The failures of a call that mean its worker (or the way to it) is gone, not that the call itself is wrong.</summary>
        private static bool Lost(Exception ex) => ex is SiloUnavailableException or TimeoutException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException
            or System.Net.Sockets.SocketException or OrleansException;

        public void Dispose()
        {
            if (_host is null) return;
            try
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                _host.StopAsync(grace.Token).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is OperationCanceledException or OrleansException or TimeoutException)
            {
                // The cluster is gone already: nothing to close politely.
            }
            _host.Dispose();
        }
    }
}
