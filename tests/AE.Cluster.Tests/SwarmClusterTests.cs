using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Orleans.Runtime;
using AE.Engine;
using AE.Experiments.Swarm;
using AE.Cli.Tests;
using RunDatabase = AE.Cli.Tests.Experiments;
using Xunit;

namespace AE.Cluster.Tests
{
    /// <summary>
    /// ae swarm on Orleans' test cluster (three silos in this process, over TCP) with --cluster: each seed and method's
    /// population runs on a silo, and the table, the JSON and the stored members are the single-process run's.
    /// </summary>
    [Collection("clusters")]
    public class SwarmClusterTests
    {
        private static readonly string[] Swarm =
        {
            "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "4", "--rounds", "3", "--steps", "300", "--seeds", "2", "--method", "all", "--dither", "0.1", "--no-progress",
        };

        /// <summary>Every stored member as the store keeps it (its figures to the last bit, its steps), in the order stored; not the times, ids or batch.</summary>
        private const string Members = "SELECT group_concat(law || '|' || task || '|' || seed || '|' || steps || '|' || settings || '|' || status || '|' || steps_taken || '|' "
            + "|| ifnull(steps_to_target, '-') || '|' || printf('%.17g|%.17g|%.17g', final_loss, initial_loss, auc) || '|' || incident_list || '|' || signal_names || '|' || steps_stored, '\n') "
            + "FROM (SELECT * FROM runs ORDER BY id)";

        private const string Steps = "SELECT count(*) || ':' || printf('%.17g', total(loss)) || ':' || total(length(signals)) FROM steps";

        private static void AssertSameStore(string expected, string actual)
        {
            Assert.NotEqual("", RunDatabase.Text(actual, Members));
            Assert.Equal(RunDatabase.Text(expected, Members), RunDatabase.Text(actual, Members));
            Assert.Equal(RunDatabase.Text(expected, Steps), RunDatabase.Text(actual, Steps));
        }

        [Fact]
        public async Task A_swarm_on_three_silos_prints_the_single_process_table_and_json_and_stores_the_same_members()
        {
            var (cluster, spec) = await TestClusterTests.Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            foreach (var format in new[] { "table", "json" })
            {
                var local = Support.Ae(dir.Path, Swarm.Concat(new[] { "--format", format, "--db", format + "-local.db" }).ToArray());
                var remote = Support.Ae(dir.Path, Swarm.Concat(new[] { "--format", format, "--db", format + "-cluster.db", "--cluster", spec }).ToArray());
                Assert.True(local.ExitCode == 0, local.Stderr);
                Assert.True(remote.ExitCode == 0, remote.Stderr);
                Assert.Contains("pbt", remote.Stdout, StringComparison.Ordinal);
                Assert.Equal(local.Stdout, remote.Stdout);
                Assert.StartsWith("stored 24 member runs in " + format + "-cluster.db", remote.StderrLines.Single(), StringComparison.Ordinal);
                AssertSameStore(Path.Combine(dir.Path, format + "-local.db"), Path.Combine(dir.Path, format + "-cluster.db"));
            }
        }

        [Fact]
        public async Task A_swarm_whose_run_store_cannot_be_written_prints_its_json_and_says_so_in_one_line()
        {
            var (cluster, spec) = await TestClusterTests.Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            var json = Swarm.Concat(new[] { "--format", "json" }).ToArray();
            var local = Support.Ae(dir.Path, json.Concat(new[] { "--db", "local.db" }).ToArray());
            Assert.True(local.ExitCode == 0, local.Stderr);
            string folder = Path.Combine(dir.Path, "gone");
            Directory.CreateDirectory(folder);
            // The run store is open once the first population run starts; its folder removed then, SQLite refuses every write to it.
            int first = 0;
            void Started(WireSwarm swarm, SiloAddress silo)
            {
                if (Interlocked.Exchange(ref first, 1) == 0) Directory.Delete(folder, recursive: true);
            }
            SwarmGrain.Started += Started;
            CliResult r;
            try
            {
                r = await Task.Run(() => Support.Ae(dir.Path, json.Concat(new[] { "--db", "gone/x.db", "--cluster", spec }).ToArray())).WaitAsync(TimeSpan.FromSeconds(120));
            }
            finally
            {
                SwarmGrain.Started -= Started;
            }
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(local.Stdout, r.Stdout);
            Assert.Matches(@"^ae: error: cannot write to the database '[^']+x\.db': .+; 0 of 24 member runs are stored in gone/x\.db \(batch swarm-[^)]+\), the output above has all of them$",
                r.StderrLines.Single());
        }

        [Fact]
        public async Task A_silo_killed_mid_swarm_has_its_run_redone_and_the_table_is_unchanged()
        {
            var (cluster, spec) = await TestClusterTests.Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            var args = new[] { "swarm", Repo.SgdmLaw, "--task", "rosenbrock", "--k", "6", "--rounds", "5", "--steps", "2000", "--seeds", "3", "--no-progress" };
            var local = Support.Ae(dir.Path, args.Concat(new[] { "--db", "local.db" }).ToArray());

            // The first secondary silo to end round 2 of a run is killed before its next round, once the client has taken in the state round 2
            // ended with (it polls five times a second): the run is taken up from round 3 on another silo.
            var victim = new TaskCompletionSource<SiloAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var killed = new ManualResetEventSlim();
            using var heard = new ManualResetEventSlim();
            int chosen = 0;
            string? run2 = null;   // the victim's run, as method/seed
            string? unheard = null;   // the victim's run, if the client did not take in its round 2 within a minute
            var received = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();   // the runs whose round 2 the client took in
            void RoundEnded(WireSwarm swarm, SiloAddress silo, SwarmCheckpoint checkpoint)
            {
                if (checkpoint.Round != 2 || !cluster.SecondarySilos.Any(s => s.SiloAddress.Equals(silo)) || Interlocked.Exchange(ref chosen, 1) == 1) return;
                string run = swarm.Method + "/" + swarm.Seed;
                Volatile.Write(ref run2, run);
                if (received.ContainsKey(run)) heard.Set();   // taken in before this handler ran
                if (!heard.Wait(TimeSpan.FromSeconds(60))) Volatile.Write(ref unheard, run);
                victim.TrySetResult(silo);
                killed.Wait(TimeSpan.FromSeconds(30));
            }
            void RoundReceived(SwarmMethod method, ulong seed, int round)
            {
                if (round != 2) return;
                string run = (int)method + "/" + seed;
                received[run] = true;
                if (Volatile.Read(ref run2) == run) heard.Set();
            }
            SwarmGrain.RoundEnded += RoundEnded;
            ClusterExecutor.RoundReceived += RoundReceived;
            CliResult remote;
            try
            {
                var run = Task.Run(() => Support.Ae(dir.Path, args.Concat(new[] { "--db", "cluster.db", "--cluster", spec }).ToArray()));
                var silo = await victim.Task.WaitAsync(TimeSpan.FromSeconds(60));
                await cluster.KillSiloAsync(cluster.SecondarySilos.First(s => s.SiloAddress.Equals(silo)));
                killed.Set();
                remote = await run.WaitAsync(TimeSpan.FromSeconds(180));
            }
            finally
            {
                killed.Set();
                heard.Set();
                SwarmGrain.RoundEnded -= RoundEnded;
                ClusterExecutor.RoundReceived -= RoundReceived;
            }
            Assert.True(local.ExitCode == 0, local.Stderr);
            Assert.True(remote.ExitCode == 0, remote.Stderr);
            Assert.Null(Volatile.Read(ref unheard));
            Assert.Equal(local.Stdout, remote.Stdout);
            Assert.Contains(remote.StderrLines, l => l.StartsWith("ae: a worker was lost", StringComparison.Ordinal) && l.EndsWith("elsewhere from round 3", StringComparison.Ordinal));
            AssertSameStore(Path.Combine(dir.Path, "local.db"), Path.Combine(dir.Path, "cluster.db"));
        }

        [Fact]
        public async Task A_swarm_that_loses_the_cluster_says_so_in_one_line_and_prints_no_table()
        {
            var (cluster, spec) = await TestClusterTests.Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            // Every silo is killed as the first population run starts.
            var r = await TestClusterTests.KillingEverySiloAtTheFirstStart(cluster, started =>
            {
                void Started(WireSwarm swarm, SiloAddress silo) => started();
                SwarmGrain.Started += Started;
                return () => SwarmGrain.Started -= Started;
            }, () => Support.Ae(dir.Path, Swarm.Concat(new[] { "--db", "x.db", "--cluster", spec }).ToArray()));
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal("ae: error: lost the cluster at " + spec + ": no worker answered for 3 s; no population run had finished, so none is stored", r.StderrLines.Single());
            Assert.Equal(0, RunDatabase.Scalar(Path.Combine(dir.Path, "x.db"), "SELECT count(*) FROM runs"));
        }

        [Fact]
        public async Task A_swarm_that_loses_worker_0_stores_the_members_of_the_runs_that_had_finished()
        {
            var (cluster, spec) = await TestClusterTests.Deploy();
            await using var _ = cluster;
            using var dir = new TempDirectory();
            // Nine population runs, two at a time on each of three silos: the seventh starts once a run has ended and reached
            // the client. The primary (worker 0, the client's gateway and the membership) is killed then.
            var args = Swarm.ToArray();
            args[Array.IndexOf(args, "--seeds") + 1] = "3";
            var local = Support.Ae(dir.Path, args.Concat(new[] { "--db", "local.db" }).ToArray());
            Assert.True(local.ExitCode == 0, local.Stderr);
            var r = await TestClusterTests.KillingAtAStart(cluster, 7, () => new[] { cluster.Primary! }, started =>
            {
                void Started(WireSwarm swarm, SiloAddress silo) => started();
                SwarmGrain.Started += Started;
                return () => SwarmGrain.Started -= Started;
            }, () => Support.Ae(dir.Path, args.Concat(new[] { "--db", "x.db", "--cluster", spec }).ToArray()));

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            string db = Path.Combine(dir.Path, "x.db");
            long members = RunDatabase.Scalar(db, "SELECT count(*) FROM runs");
            Assert.True(members >= 4 && members % 4 == 0, "the members of a finished run were not stored: " + r.Stderr);
            Assert.Matches(@"^ae: error: lost the cluster at " + spec + @": no worker answered for 3 s; " + members / 4 + " of 9 population runs had finished and their "
                + members + @" member runs are stored in x\.db \(batch swarm-[^)]+\)$", r.StderrLines.Single());
            // Each the member the single-process swarm made of the same method, seed and member, to the last bit.
            string which = RunDatabase.Text(db, "SELECT group_concat(quote(seed || '|' || settings), ',') FROM runs");
            Assert.Equal(RunDatabase.Text(db, Members),
                RunDatabase.Text(Path.Combine(dir.Path, "local.db"), Members.Replace("FROM runs", "FROM runs WHERE seed || '|' || settings IN (" + which + ")", StringComparison.Ordinal)));
        }

        [Fact]
        public void A_swarm_with_no_cluster_at_the_port_is_one_line_and_stores_nothing()
        {
            using var dir = new TempDirectory();
            var before = ClusterExecutor.ConnectTimeout;
            ClusterExecutor.ConnectTimeout = TimeSpan.FromSeconds(2);
            try
            {
                string spec = new ClusterSpec(Support.FreshPort()).ToString();
                var r = Support.Ae(dir.Path, Swarm.Concat(new[] { "--db", "x.db", "--cluster", spec }).ToArray());
                Assert.Equal(2, r.ExitCode);
                Assert.Equal("", r.Stdout);
                Assert.StartsWith("ae: error: cannot reach the cluster at " + spec + ": no worker 0 answered", r.StderrLines.Single(), StringComparison.Ordinal);
                Assert.Equal(0, RunDatabase.Scalar(Path.Combine(dir.Path, "x.db"), "SELECT count(*) FROM runs"));
            }
            finally
            {
                ClusterExecutor.ConnectTimeout = before;
            }
        }
    }
}
