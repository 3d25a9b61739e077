using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

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

        /// <summary>Builds (does not start) worker <paramref name="index"/> of <paramref name="spec"/>.</summary>
        public static IHost Build(ClusterSpec spec, int index)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (index < 0 || index > ClusterSpec.MaxWorker) throw new ArgumentOutOfRangeException(nameof(index), index, "a worker index from 0 to " + ClusterSpec.MaxWorker);
            return new HostBuilder()
                .UseOrleans(silo =>
                {
                    silo.UseLocalhostClustering(spec.SiloPort(index), spec.GatewayPort(index), index == 0 ? null : spec.Primary, ClusterSpec.ClusterId, ClusterSpec.ClusterId);
                    Configure(silo);
                })
                .Build();
        }

        /// <summary>What every worker sets, in a process of its own or in a test cluster: a lost worker is declared dead within seconds.</summary>
        public static void Configure(ISiloBuilder silo)
        {
            if (silo is null) throw new ArgumentNullException(nameof(silo));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
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
            using var host = Build(spec, index);
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
            // Ctrl-C (the command's token) or SIGTERM (the host's console lifetime stops the application) ends the worker.
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            try
            {
                await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                BatchGrain.Started -= Started;
                SwarmGrain.Started -= SwarmStarted;
            }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(grace.Token).ConfigureAwait(false);
            say("ae worker " + index + " stopped");
        }
    }
}
