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
                    client.Configure<ClientMessagingOptions>(o =>
                    {
                        o.ResponseTimeout = TimeSpan.FromSeconds(10);
                        o.MaxMessageBodySize = Worker.MaxMessageBytes;
                    });
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

        /// <summary>A part of a batch: some of its jobs on one worker (<see cref="IBatchGrain"/>).</summary>
        private sealed class Part : DispatchedWork
        {
            public required BatchSpec Batch;
            public required int[] Jobs;
            public required string? LawSha256;
            public required JobOutcome?[] Outcomes;
            private IBatchGrain? _grain;
            private int _done;

            public override string What => "part";

            public override long Progress => _done;

            public override Task Start(IClusterClient client)
            {
                _grain = client.GetGrain<IBatchGrain>(Batch.Batch + "/" + Jobs[0].ToString(CultureInfo.InvariantCulture) + "/" + Attempt.ToString(CultureInfo.InvariantCulture));
                return _grain.Start(Wire.Of(Batch, Jobs, LawSha256));
            }

            public override Task Cancel() => _grain!.Cancel();

            public override async Task<bool?> Poll()
            {
                var status = await _grain!.Poll().ConfigureAwait(false);
                if (!status.Held) return null;
                if (!status.Finished)
                {
                    _done = status.Done;
                    return false;
                }
                if (status.Error is string message)
                    throw status.InputError ? new EngineException(message) : new InvalidOperationException("a worker failed: " + message);
                for (int k = 0; k < Jobs.Length; k++) Outcomes[Jobs[k]] = Wire.Outcome(status, k);
                _done = Jobs.Length;
                return true;
            }

            public override string Redone(string why) => "a worker was lost (" + why + "); redoing " + AE.Experiments.Plural.Count(Jobs.Length, "run") + " elsewhere";

            public override void Restart() => _done = 0;
        }

        public IReadOnlyList<JobOutcome?> Execute(BatchSpec batch, BatchMethods methods, Action<int, int> progress, CancellationToken cancellation)
            => ExecuteAsync(batch, progress, cancellation).GetAwaiter().GetResult();

        private async Task<IReadOnlyList<JobOutcome?>> ExecuteAsync(BatchSpec batch, Action<int, int> progress, CancellationToken cancellation)
        {
            int n = batch.Jobs.Count;
            var outcomes = new JobOutcome?[n];
            try
            {
                // Asked for once before anything starts (a cluster gone already is said at once); the parts are about four per worker.
                var workers = await Call(ActiveWorkers).ConfigureAwait(false);
                int parts = Math.Min(n, Math.Max(1, 4 * workers.Count));
                string? lawSha = batch.Jobs.FirstOrDefault(j => j.Recipe.Baseline is null)?.LawSha256;
                progress(0, n);
                await Dispatch(Enumerable.Range(0, parts).Select(p => new Part
                {
                    Batch = batch,
                    Jobs = Enumerable.Range(0, n).Where(i => i % parts == p).ToArray(),
                    LawSha256 = lawSha,
                    Outcomes = outcomes,
                }), workers, done => progress((int)done, n), cancellation).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                // The cluster lost, or a part its workers refused: the parts that finished before are the caller's to store.
                throw new BatchStoppedException(ex.Message, outcomes, ex);
            }
            return outcomes;
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
