using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using AE.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace AE.Cluster
{
    /// <summary>
    /// A worker of a cluster: an Orleans silo that hosts <see cref="BatchGrain"/>s and <see cref="SwarmGrain"/>s. Worker 0 is the primary (it keeps
    /// the membership of a localhost cluster); every other worker joins it.
    /// </summary>
    public static class Worker
    {
        /// <summary>Throws <see cref="IOException"/> when <paramref name="port"/> on the loopback cannot be bound alone (another worker, another program).</summary>
        private static void EnsureFree(int port, int index)
        {
            var listener = new TcpListener(IPAddress.Loopback, port) { ExclusiveAddressUse = true };
            try
            {
                listener.Start();
            }
            catch (SocketException ex)
            {
                throw new IOException("port " + port + " is taken (another worker " + index + " of this cluster, or another program)", ex);
            }
            finally
            {
                listener.Stop();
            }
        }

        /// <summary>
        /// Builds (does not start) worker <paramref name="index"/> of <paramref name="spec"/>; <paramref name="left"/> hears,
        /// once, why the worker is no longer a member of the cluster (<see cref="LeaveOnFatalError"/>).
        /// </summary>
        public static IHost Build(ClusterSpec spec, int index, Action<string> left)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (left is null) throw new ArgumentNullException(nameof(left));
            if (index < 0 || index > ClusterSpec.MaxWorker) throw new ArgumentOutOfRangeException(nameof(index), index, "a worker index from 0 to " + ClusterSpec.MaxWorker);
            return new HostBuilder()
                .UseOrleans(silo =>
                {
                    silo.UseLocalhostClustering(spec.SiloPort(index), spec.GatewayPort(index), index == 0 ? null : spec.Primary, ClusterSpec.ClusterId, ClusterSpec.ClusterId);
                    Configure(silo);
                    silo.ConfigureServices(services => services.AddSingleton<IFatalErrorHandler>(new LeaveOnFatalError(left)));
                })
                .Build();
        }

        /// <summary>
        /// Orleans' fatal errors of a worker's silo: its membership is lost (worker 0 was restarted and keeps a new, empty
        /// membership, whose version went back) or the cluster declared it dead. Orleans' own handler prints the error with
        /// its stack trace and fails the process fast; this one hands the reason to the worker, which stops in one line.
        /// </summary>
        private sealed class LeaveOnFatalError(Action<string> left) : IFatalErrorHandler
        {
            private int _told;

            // Every exception that reaches the silo's last handler ends the worker: none of them leaves it a sound member.
            public bool IsUnexpected(Exception exception) => true;

            public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
            {
                if (Interlocked.Exchange(ref _told, 1) == 0) left(MessageText.FirstLine(exception?.Message ?? context ?? "a fatal error of its silo"));
            }
        }

        /// <summary>
        /// What every worker sets, in a process of its own or in a test cluster: a lost worker is declared dead within seconds,
        /// and a worker reads the membership every 5 s (Orleans' default is 60 s), so that one left out of it (worker 0 restarted
        /// without it) learns so and stops within seconds; the table is small and kept in worker 0's memory.
        /// </summary>
        public static void Configure(ISiloBuilder silo)
        {
            if (silo is null) throw new ArgumentNullException(nameof(silo));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            });
            silo.Configure<SiloMessagingOptions>(o => o.MaxMessageBodySize = MaxMessageBytes);
        }

        /// <summary>
        /// The largest message a worker or a client takes: a part's finished runs cross in one reply, and with every step stored
        /// (--store-steps) a few million steps pass Orleans' default of 100 MB.
        /// </summary>
        public const int MaxMessageBytes = 1 << 30;

        /// <summary>How long a worker other than 0 waits to join worker 0 before it gives up (a test may shorten it).</summary>
        public static TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// Runs worker <paramref name="index"/> until <paramref name="stop"/> is cancelled. Its two ports must be free (an
        /// <see cref="IOException"/> otherwise: a second worker of the same index would start a second cluster on them); a
        /// worker other than 0 that has not joined worker 0 within <see cref="JoinTimeout"/> is a <see cref="TimeoutException"/>;
        /// stopped before it has joined, it returns.
        /// </summary>
        public static async Task RunAsync(ClusterSpec spec, int index, Action<string> say, CancellationToken stop)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (say is null) throw new ArgumentNullException(nameof(say));
            EnsureFree(spec.SiloPort(index), index);
            EnsureFree(spec.GatewayPort(index), index);
            var left = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var host = Build(spec, index, reason => left.TrySetResult(reason));
            using var timeout = new CancellationTokenSource();
            using var joining = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
            if (index > 0) timeout.CancelAfter(JoinTimeout);
            try
            {
                await host.StartAsync(joining.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (timeout.IsCancellationRequested && !stop.IsCancellationRequested)
            {
                throw new TimeoutException("worker " + index + " found no worker 0 at port " + spec.SiloPort(0) + " within " + JoinTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)
                    + " s; start worker 0 first (ae worker --cluster " + spec + ")", ex);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM while joining: a clean stop, as once running.
                say("ae worker " + index + " stopped before it joined the cluster");
                return;
            }
            say("ae worker " + index + " of the cluster " + spec + ": silo port " + spec.SiloPort(index) + ", gateway port " + spec.GatewayPort(index)
                + (index == 0 ? " (the primary: the others join it, clients connect to it)" : ", joined the primary at port " + spec.SiloPort(0)) + "; Ctrl-C stops it");
            void Started(WireBatch part, Orleans.Runtime.SiloAddress silo) => say("running " + AE.Experiments.Plural.Count(part.Jobs.Length, "run") + " of " + part.Batch);
            void SwarmStarted(WireSwarm swarm, Orleans.Runtime.SiloAddress silo) => say("running a swarm of " + swarm.Settings.Members + " members, seed " + swarm.Seed + ", of " + swarm.Batch);
            BatchGrain.Started += Started;
            SwarmGrain.Started += SwarmStarted;
            // Ctrl-C (the command's token) or SIGTERM (the host's console lifetime stops the application) ends the worker, and so
            // does the loss of its membership.
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            try
            {
                await Task.WhenAny(Task.Delay(Timeout.Infinite, either.Token), left.Task).ConfigureAwait(false);
            }
            finally
            {
                BatchGrain.Started -= Started;
                SwarmGrain.Started -= SwarmStarted;
            }
            if (left.Task.IsCompleted) await LeaveAsync(host, spec, index, left.Task.Result).ConfigureAwait(false);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(grace.Token).ConfigureAwait(false);
            say("ae worker " + index + " stopped");
        }

        /// <summary>
        /// Stops a worker that is no longer a member of the cluster and throws the <see cref="EngineException"/> that says so.
        /// It does not join again by itself: a silo whose membership was lost must end (Orleans' rule), and a new silo in the
        /// same process would carry whatever the old one left behind; a worker started again is a clean member.
        /// </summary>
        private static async Task LeaveAsync(IHost host, ClusterSpec spec, int index, string reason)
        {
            using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try
                {
                    await host.StopAsync(grace.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or OrleansException or AggregateException or ObjectDisposedException)
                {
                    // The silo cannot tell a cluster it is not in that it leaves: stopping it is only to close its ports.
                }
            }
            string k = index.ToString(CultureInfo.InvariantCulture);
            throw new EngineException("worker " + k + " left the cluster " + spec + ", which no longer counts it as a member (" + reason.TrimEnd('.')
                + "); start it again: ae worker --cluster " + spec + " --worker " + k);
        }
    }
}
