using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Orleans.Runtime;
using Orleans.TestingHost;
using AE.Cli.Tests;
using RunDatabase = AE.Cli.Tests.Experiments;
using Xunit;

namespace AE.Cluster.Tests
{
    /// <summary>Configures each silo of a test cluster as an ae worker is configured.</summary>
    public sealed class WorkerConfigurator : ISiloConfigurator
    {
        public void Configure(Orleans.Hosting.ISiloBuilder siloBuilder) => Worker.Configure(siloBuilder);
    }

    /// <summary>
    /// Sweeps and ablations on Orleans' test cluster (three silos in this process, over TCP), the command connected to it
    /// with --cluster as to a cluster of ae workers: the tables are the ones the single-process run prints.
    /// </summary>
    [Collection("clusters")]
    public class TestClusterTests
    {
        internal static async Task<(TestCluster Cluster, string Spec)> Deploy()
        {
            int port = Support.FreshPort();
            var builder = new TestClusterBuilder(3);
            builder.Options.ClusterId = ClusterSpec.ClusterId;
            builder.Options.ServiceId = ClusterSpec.ClusterId;
            builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
            builder.Options.BaseGatewayPort = new ClusterSpec(port).GatewayPort(0);
            builder.Options.BaseSiloPort = port + 100;
            builder.Options.InitializeClientOnDeploy = false;
            builder.AddSiloBuilderConfigurator<WorkerConfigurator>();
            var cluster = builder.Build();
            await cluster.DeployAsync();
            return (cluster, new ClusterSpec(port).ToString());
        }

        private static readonly string[] Sweep = { "sweep", Repo.SgdmLaw, "--tasks", "quadratic,rosenbrock", "--points", "5", "--steps", "400", "--no-progress" };

        private static readonly string[] Ablate = { "ablate", Repo.SgdmLaw, "--task", "quadratic", "--seeds", "3", "--steps", "300", "--no-progress", "--store-steps" };

        /// <summary>Every rate of the law refused (init_alpha above alpha_max): the batch is the baseline's runs alone, and sends no law.</summary>
        private static readonly string[] BaselinesOnly = { "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--points", "2", "--lr-decades", "1", "--lr-max", "1e6", "--baselines", "adam", "--steps", "100", "--no-progress" };

        [Fact]
        public async Task A_sweep_and_an_ablation_on_three_silos_print_the_single_process_tables()
        {
            var (cluster, spec) = await Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            foreach (var args in new[] { Sweep, Ablate, BaselinesOnly })
            {
                var local = Support.Ae(dir.Path, args.Concat(new[] { "--db", "local.db" }).ToArray());
                var remote = Support.Ae(dir.Path, args.Concat(new[] { "--db", "cluster.db", "--cluster", spec }).ToArray());
                Assert.Equal(0, local.ExitCode);
                Assert.True(remote.ExitCode == 0, remote.Stderr);
                Assert.Equal(local.Stdout, remote.Stdout);
                Assert.StartsWith("stored ", remote.StderrLines.Single(), StringComparison.Ordinal);
            }
            string db = Path.Combine(dir.Path, "cluster.db");
            Assert.Equal(RunDatabase.Scalar(Path.Combine(dir.Path, "local.db"), "SELECT count(*) FROM runs"), RunDatabase.Scalar(db, "SELECT count(*) FROM runs"));
            Assert.Equal(RunDatabase.Scalar(db, "SELECT count(*) FROM runs"), RunDatabase.Scalar(db, "SELECT count(DISTINCT batch || run_key) FROM runs"));
            // The ablation stored every step: the logs crossed from the workers whole.
            const string steps = "SELECT count(*) || ':' || total(loss) FROM steps";
            Assert.NotEqual("0:0.0", RunDatabase.Text(db, steps));
            Assert.Equal(RunDatabase.Text(Path.Combine(dir.Path, "local.db"), steps), RunDatabase.Text(db, steps));
        }

        [Fact]
        public async Task A_silo_killed_mid_sweep_has_its_part_redone_and_the_table_is_unchanged()
        {
            var (cluster, spec) = await Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            var args = new[] { "sweep", Repo.SgdmLaw, "--tasks", "quadratic,rosenbrock", "--points", "7", "--steps", "20000", "--no-progress" };
            var local = Support.Ae(dir.Path, args.Concat(new[] { "--db", "local.db" }).ToArray());

            // The first secondary silo that starts a part is killed before the part can run: its Start waits for the kill.
            var victim = new TaskCompletionSource<SiloAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var killed = new ManualResetEventSlim();
            void Started(WireBatch part, SiloAddress silo)
            {
                if (cluster.SecondarySilos.Any(s => s.SiloAddress.Equals(silo)) && victim.TrySetResult(silo)) killed.Wait(TimeSpan.FromSeconds(30));
            }
            BatchGrain.Started += Started;
            CliResult remote;
            try
            {
                var run = Task.Run(() => Support.Ae(dir.Path, args.Concat(new[] { "--db", "cluster.db", "--cluster", spec }).ToArray()));
                var silo = await victim.Task.WaitAsync(TimeSpan.FromSeconds(60));
                await cluster.KillSiloAsync(cluster.SecondarySilos.First(s => s.SiloAddress.Equals(silo)));
                killed.Set();
                remote = await run.WaitAsync(TimeSpan.FromSeconds(120));
            }
            finally
            {
                killed.Set();
                BatchGrain.Started -= Started;
            }
            Assert.True(remote.ExitCode == 0, remote.Stderr);
            Assert.Equal(local.Stdout, remote.Stdout);
            Assert.Contains(remote.StderrLines, l => l.StartsWith("ae: a worker was lost", StringComparison.Ordinal) && l.Contains("redoing", StringComparison.Ordinal));
            string db = Path.Combine(dir.Path, "cluster.db");
            Assert.Equal(RunDatabase.Scalar(Path.Combine(dir.Path, "local.db"), "SELECT count(*) FROM runs"), RunDatabase.Scalar(db, "SELECT count(*) FROM runs"));
            Assert.Equal(RunDatabase.Scalar(db, "SELECT count(*) FROM runs"), RunDatabase.Scalar(db, "SELECT count(DISTINCT run_key) FROM runs"));
        }

        [Fact]
        public async Task A_sweep_whose_run_store_cannot_be_written_prints_its_table_and_says_so_in_one_line()
        {
            var (cluster, spec) = await Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            var local = Support.Ae(dir.Path, Sweep.Concat(new[] { "--db", "local.db" }).ToArray());
            Assert.Equal(0, local.ExitCode);
            string folder = Path.Combine(dir.Path, "gone");
            Directory.CreateDirectory(folder);
            // The run store is open once the first part starts; its folder removed then, SQLite refuses every write to it.
            int first = 0;
            void Started(WireBatch part, SiloAddress silo)
            {
                if (Interlocked.Exchange(ref first, 1) == 0) Directory.Delete(folder, recursive: true);
            }
            BatchGrain.Started += Started;
            CliResult r;
            try
            {
                r = await Task.Run(() => Support.Ae(dir.Path, Sweep.Concat(new[] { "--db", "gone/x.db", "--cluster", spec }).ToArray())).WaitAsync(TimeSpan.FromSeconds(120));
            }
            finally
            {
                BatchGrain.Started -= Started;
            }
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(local.Stdout, r.Stdout);
            Assert.Matches(@"^ae: error: cannot write to the database '[^']+x\.db': .+; 0 of 38 runs are stored in gone/x\.db \(batch sweep-[^)]+\), the output above has all of them$",
                r.StderrLines.Single());
        }

        [Fact]
        public async Task A_sweep_starts_two_parts_on_every_silo_before_a_third_on_any()
        {
            var (cluster, spec) = await Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            var silos = new System.Collections.Concurrent.ConcurrentQueue<SiloAddress>();
            void Started(WireBatch part, SiloAddress silo) => silos.Enqueue(silo);
            BatchGrain.Started += Started;
            CliResult r;
            try
            {
                r = await Task.Run(() => Support.Ae(dir.Path, Sweep.Concat(new[] { "--db", "cluster.db", "--cluster", spec }).ToArray())).WaitAsync(TimeSpan.FromSeconds(120));
            }
            finally
            {
                BatchGrain.Started -= Started;
            }
            Assert.True(r.ExitCode == 0, r.Stderr);
            // 38 runs on three workers are twelve parts, at most two per worker at a time: the client starts six at once,
            // and placed at random (as Orleans would) they would be two per silo in 90 of 729 cases.
            var order = silos.ToList();
            Assert.Equal(12, order.Count);
            var firstWave = order.Take(6).GroupBy(s => s).Select(g => g.Count()).ToList();
            Assert.Equal(new[] { 2, 2, 2 }, firstWave);
            Assert.Equal(cluster.Silos.Select(s => s.SiloAddress).OrderBy(s => s.ToParsableString(), StringComparer.Ordinal),
                order.Distinct().OrderBy(s => s.ToParsableString(), StringComparer.Ordinal));
        }

        [Fact]
        public async Task Ctrl_C_on_the_client_stops_the_parts_stores_what_ran_and_prints_no_table()
        {
            var (cluster, spec) = await Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            using var interrupt = new CancellationTokenSource();
            void Started(WireBatch part, SiloAddress silo) => interrupt.Cancel();
            BatchGrain.Started += Started;
            CliResult r;
            try
            {
                r = await Task.Run(() => RunDatabase.Run(dir.Path, interrupt.Token, null, Sweep.Concat(new[] { "--db", "cluster.db", "--cluster", spec }).ToArray()))
                    .WaitAsync(TimeSpan.FromSeconds(120));
            }
            finally
            {
                BatchGrain.Started -= Started;
            }
            Assert.Equal(130, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.StartsWith("ae: interrupted; ", r.StderrLines.Last(), StringComparison.Ordinal);
            string db = Path.Combine(dir.Path, "cluster.db");
            long stored = RunDatabase.Scalar(db, "SELECT count(*) FROM runs");
            Assert.Contains(" " + stored + " of 38 runs are stored in cluster.db", r.StderrLines.Last(), StringComparison.Ordinal);
            Assert.True(stored < 38);
            // The line counts what the database holds: the runs that ran to their end, those cut short, those never started.
            long cut = RunDatabase.Scalar(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'");
            Assert.Equal(Fates(stored - cut, cut, 38 - stored), r.StderrLines.Last()[(r.StderrLines.Last().IndexOf("): ", StringComparison.Ordinal) + 3)..]);

            // Ctrl-C before the batch started: nothing ran, so nothing was cut short.
            r = RunDatabase.Run(dir.Path, new CancellationToken(canceled: true), null, Sweep.Concat(new[] { "--db", "early.db", "--cluster", spec }).ToArray());
            Assert.Equal(130, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Matches(@"^ae: interrupted; 0 of 38 runs are stored in early\.db \(batch sweep-[^)]+\): none had started; no table was printed$", r.StderrLines.Single());
        }

        /// <summary>What an interrupted batch's line says became of its runs, from the counts of each.</summary>
        private static string Fates(long complete, long cut, long notStarted)
        {
            var fates = new System.Collections.Generic.List<string>();
            if (complete > 0) fates.Add(complete + " complete");
            if (cut > 0) fates.Add(cut + " cut short (status interrupted)");
            if (notStarted > 0) fates.Add(notStarted + " not started");
            return (fates.Count == 0 ? "none had started" : string.Join(", ", fates)) + "; no table was printed";
        }

        /// <summary>
        /// Runs <paramref name="command"/> with the client's patience cut to 3 s and kills every silo as the first unit of
        /// work starts on one (that start waits for it). <paramref name="onStart"/> subscribes its argument to a grain's
        /// start event and returns what unsubscribes it.
        /// </summary>
        internal static Task<CliResult> KillingEverySiloAtTheFirstStart(TestCluster cluster, Func<Action, Action> onStart, Func<CliResult> command)
            => KillingAtAStart(cluster, 1, () => cluster.Silos.ToList(), onStart, command);

        /// <summary>
        /// Runs <paramref name="command"/> with the client's patience cut to 3 s and kills the silos <paramref name="victims"/>
        /// as the <paramref name="nth"/> unit of work starts (that start waits for it); the silos left are killed once the
        /// command ended. <paramref name="onStart"/> subscribes its argument to a grain's start event and returns what unsubscribes it.
        /// </summary>
        internal static async Task<CliResult> KillingAtAStart(TestCluster cluster, int nth, Func<IReadOnlyList<SiloHandle>> victims, Func<Action, Action> onStart, Func<CliResult> command)
        {
            var before = ClusterExecutor.LostAfter;
            ClusterExecutor.LostAfter = TimeSpan.FromSeconds(3);
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var killed = new ManualResetEventSlim();
            int starts = 0;
            var unsubscribe = onStart(() =>
            {
                if (Interlocked.Increment(ref starts) == nth && reached.TrySetResult()) killed.Wait(TimeSpan.FromSeconds(30));
            });
            try
            {
                var run = Task.Run(command);
                await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
                foreach (var silo in victims()) await cluster.KillSiloAsync(silo);
                killed.Set();
                return await run.WaitAsync(TimeSpan.FromSeconds(120));
            }
            finally
            {
                killed.Set();
                unsubscribe();
                ClusterExecutor.LostAfter = before;
                foreach (var silo in cluster.Silos.ToList()) await cluster.KillSiloAsync(silo);
            }
        }

        [Fact]
        public async Task A_client_that_loses_worker_0_mid_sweep_stores_the_runs_that_had_finished()
        {
            var (cluster, spec) = await Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            var local = Support.Ae(dir.Path, Sweep.Concat(new[] { "--db", "local.db" }).ToArray());
            Assert.Equal(0, local.ExitCode);

            // Twelve parts, two at a time on each of three silos: the seventh starts once a part has finished and its runs
            // reached the client. The primary (worker 0, the client's gateway and the membership) is killed then.
            var r = await KillingAtAStart(cluster, 7, () => new[] { cluster.Primary! }, started =>
            {
                void Started(WireBatch part, SiloAddress silo) => started();
                BatchGrain.Started += Started;
                return () => BatchGrain.Started -= Started;
            }, () => Support.Ae(dir.Path, Sweep.Concat(new[] { "--db", "x.db", "--cluster", spec }).ToArray()));

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            string db = Path.Combine(dir.Path, "x.db");
            long stored = RunDatabase.Scalar(db, "SELECT count(*) FROM runs");
            Assert.True(stored >= 3, "a finished part's runs were not stored: " + r.Stderr);
            Assert.Matches(@"^ae: error: lost the cluster at " + spec + @": no worker answered for 3 s; " + stored + @" of 38 runs had finished and are stored in x\.db \(batch sweep-[^)]+\)$",
                r.StderrLines.Single());
            // Each stored once, and each the run the single-process sweep made of the same job.
            Assert.Equal(stored, RunDatabase.Scalar(db, "SELECT count(DISTINCT run_key) FROM runs"));
            const string runs = "SELECT group_concat(run_key || ':' || status || ':' || steps_taken || ':' || printf('%.17g', final_loss), ';') FROM (SELECT * FROM runs ORDER BY run_key)";
            string localDb = Path.Combine(dir.Path, "local.db");
            string keys = RunDatabase.Text(db, "SELECT group_concat(quote(run_key), ',') FROM runs");
            Assert.Equal(RunDatabase.Text(db, runs), RunDatabase.Text(localDb, runs.Replace("FROM runs", "FROM runs WHERE run_key IN (" + keys + ")", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task A_client_that_loses_the_cluster_mid_sweep_says_so_in_one_line()
        {
            var (cluster, spec) = await Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            // Every silo is killed as the first part starts.
            var r = await KillingEverySiloAtTheFirstStart(cluster, started =>
            {
                void Started(WireBatch part, SiloAddress silo) => started();
                BatchGrain.Started += Started;
                return () => BatchGrain.Started -= Started;
            }, () => Support.Ae(dir.Path, Sweep.Concat(new[] { "--db", "x.db", "--cluster", spec }).ToArray()));
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal("ae: error: lost the cluster at " + spec + ": no worker answered for 3 s; no run had finished, so none is stored", r.StderrLines.Single());
        }

        [Fact]
        public void A_client_without_a_cluster_says_so_in_one_line()
        {
            using var dir = new TempDirectory();
            var before = ClusterExecutor.ConnectTimeout;
            ClusterExecutor.ConnectTimeout = TimeSpan.FromSeconds(2);
            try
            {
                string spec = new ClusterSpec(Support.FreshPort()).ToString();
                foreach (var args in new[] { Sweep, Ablate })
                {
                    var r = Support.Ae(dir.Path, args.Concat(new[] { "--db", "x.db", "--cluster", spec }).ToArray());
                    Assert.Equal(2, r.ExitCode);
                    Assert.Equal("", r.Stdout);
                    Assert.StartsWith("ae: error: cannot reach the cluster at " + spec + ": no worker 0 answered", r.StderrLines.Single(), StringComparison.Ordinal);
                    Assert.False(File.Exists(Path.Combine(dir.Path, "x.db")), "an unreachable cluster left a run store behind");
                }
            }
            finally
            {
                ClusterExecutor.ConnectTimeout = before;
            }
        }

        [Fact]
        public void A_cluster_spec_is_localhost_with_an_optional_port()
        {
            Assert.Equal(11111, ClusterSpec.Parse("localhost").Port);
            var spec = ClusterSpec.Parse("localhost:20000");
            Assert.Equal((20000, 20001, 20004, 20005), (spec.SiloPort(0), spec.GatewayPort(0), spec.SiloPort(2), spec.GatewayPort(2)));
            Assert.Throws<FormatException>(() => ClusterSpec.Parse("example.org:20000"));
            Assert.Throws<FormatException>(() => ClusterSpec.Parse("localhost:80"));
            using var dir = new TempDirectory();
            var r = Support.Ae(dir.Path, "worker", "--cluster", "nowhere");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: invalid cluster 'nowhere'", r.StderrLines.Single(), StringComparison.Ordinal);
            // A sweep with a bad cluster stops before anything runs or is stored.
            r = Support.Ae(dir.Path, Sweep.Concat(new[] { "--db", "x.db", "--cluster", "nowhere" }).ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: invalid cluster 'nowhere'; expected localhost or localhost:PORT (PORT from 1024 to 65336). Run 'ae sweep --help'", r.StderrLines.Single());
            Assert.False(File.Exists(Path.Combine(dir.Path, "x.db")));
        }
    }
}
