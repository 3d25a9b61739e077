using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AE.Cli.Tests;
using RunDatabase = AE.Cli.Tests.Experiments;
using Xunit;

namespace AE.Cluster.Tests
{
    /// <summary>Three <c>ae worker</c> processes on loopback (the built ae.dll), and <c>ae sweep --cluster</c> and <c>ae swarm --cluster</c> against them.</summary>
    [Collection("clusters")]
    public class WorkerProcessTests
    {
        /// <summary>An <c>ae worker</c> process and the lines it printed.</summary>
        private sealed class WorkerProcess : IDisposable
        {
            private readonly Process _process;
            private readonly BlockingCollection<string> _lines = new();
            private readonly ConcurrentQueue<string> _all = new();

            public WorkerProcess(string spec, int index)
            {
                string aeDll = Path.Combine(AppContext.BaseDirectory, "ae.dll");
                var start = new ProcessStartInfo(AE.Cli.Tests.Cli.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { aeDll, "worker", "--cluster", spec, "--worker", index.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
                _process = Process.Start(start)!;
                _process.OutputDataReceived += (_, e) => Heard(e.Data);
                _process.ErrorDataReceived += (_, e) => Heard(e.Data is null ? null : "stderr: " + e.Data);
                _process.BeginOutputReadLine();
                _process.BeginErrorReadLine();
            }

            private void Heard(string? line)
            {
                if (line is null) return;
                _all.Enqueue(line);
                _lines.Add(line);
            }

            /// <summary>Every line the worker printed so far, its stderr's marked <c>stderr: </c>.</summary>
            public IReadOnlyList<string> Lines => _all.ToList();

            /// <summary>The worker's exit code once it has ended by itself within <paramref name="timeout"/>; null while it still runs.</summary>
            public int? ExitWithin(TimeSpan timeout)
            {
                if (!_process.WaitForExit(timeout)) return null;
                _process.WaitForExit();   // and its output read to the end
                return _process.ExitCode;
            }

            /// <summary>Waits for a line that starts with <paramref name="prefix"/>; the lines seen on the way.</summary>
            public string WaitFor(string prefix, TimeSpan timeout)
            {
                var seen = new List<string>();
                using var cts = new CancellationTokenSource(timeout);
                try
                {
                    foreach (var line in _lines.GetConsumingEnumerable(cts.Token))
                    {
                        if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
                        seen.Add(line);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                throw new TimeoutException("no line '" + prefix + "...' from the worker; it printed: " + string.Join(" | ", seen));
            }

            public void Kill() => _process.Kill(entireProcessTree: true);

            public void Dispose()
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
                _process.Dispose();
                _lines.Dispose();
            }
        }

        /// <summary>
        /// Starts three <c>ae worker</c> processes on a fresh port, runs <paramref name="args"/> against them with
        /// <c>--db cluster.db --cluster</c>, and kills worker 2 (SIGKILL) as soon as it prints <paramref name="started"/>.
        /// </summary>
        private static async Task<CliResult> OnThreeWorkersKillingTheThird(string dir, string[] args, string started)
        {
            string spec = new ClusterSpec(Support.FreshPort()).ToString();
            var up = TimeSpan.FromSeconds(60);
            using var primary = new WorkerProcess(spec, 0);
            primary.WaitFor("ae worker 0 of the cluster " + spec, up);
            using var one = new WorkerProcess(spec, 1);
            using var two = new WorkerProcess(spec, 2);
            one.WaitFor("ae worker 1 of the cluster", up);
            two.WaitFor("ae worker 2 of the cluster", up);

            var run = Task.Run(() => Support.Ae(dir, args.Concat(new[] { "--db", "cluster.db", "--cluster", spec }).ToArray()));
            two.WaitFor(started, up);
            two.Kill();
            return await run.WaitAsync(TimeSpan.FromSeconds(180));
        }

        [Fact]
        public void A_worker_whose_primary_was_restarted_without_it_stops_in_one_line()
        {
            string spec = new ClusterSpec(Support.FreshPort()).ToString();
            var up = TimeSpan.FromSeconds(60);
            using var primary = new WorkerProcess(spec, 0);
            primary.WaitFor("ae worker 0 of the cluster " + spec, up);
            using var one = new WorkerProcess(spec, 1);
            one.WaitFor("ae worker 1 of the cluster", up);

            // Worker 0 dies with the membership it kept; started again, it keeps a new one, which worker 1 is not in.
            primary.Kill();
            Assert.NotNull(primary.ExitWithin(TimeSpan.FromSeconds(30)));
            using var again = new WorkerProcess(spec, 0);
            again.WaitFor("ae worker 0 of the cluster " + spec, up);

            int? exit = one.ExitWithin(TimeSpan.FromSeconds(120));
            Assert.True(exit is not null, "worker 1 still runs outside the cluster; it printed: " + string.Join(" | ", one.Lines));
            // Orleans' own handler printed FATAL EXCEPTION, the exception and a stack trace, and failed the process fast (exit 134).
            var stderr = one.Lines.Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal)).ToList();
            Assert.True(stderr.Count == 1, "worker 1 printed on stderr: " + string.Join(" | ", stderr));
            Assert.StartsWith("stderr: ae: error: worker 1 left the cluster " + spec + ", which no longer counts it as a member (", stderr[0], StringComparison.Ordinal);
            Assert.EndsWith("); start it again: ae worker --cluster " + spec + " --worker 1", stderr[0], StringComparison.Ordinal);
            Assert.Equal(2, exit);
        }

        [Fact]
        public async Task A_sweep_on_three_worker_processes_with_one_killed_mid_sweep_prints_the_single_process_table()
        {
            using var dir = new TempDirectory();
            // Four seeds make parts of about 20 runs, so that worker 2 is killed while its part runs.
            var args = new[] { "sweep", Repo.SgdmLaw, "--tasks", "quadratic,rosenbrock", "--points", "7", "--steps", "20000", "--seeds", "4", "--no-progress" };
            var local = Support.Ae(dir.Path, args.Concat(new[] { "--db", "local.db" }).ToArray());
            Assert.Equal(0, local.ExitCode);

            // Worker 2 is killed (SIGKILL) as soon as it starts a part of the sweep.
            var remote = await OnThreeWorkersKillingTheThird(dir.Path, args, "running ");

            Assert.True(remote.ExitCode == 0, remote.Stderr);
            Assert.Equal(local.Stdout, remote.Stdout);
            Assert.Contains(remote.StderrLines, l => l.StartsWith("ae: a worker was lost", StringComparison.Ordinal));
            string db = Path.Combine(dir.Path, "cluster.db");
            Assert.Equal(RunDatabase.Scalar(Path.Combine(dir.Path, "local.db"), "SELECT count(*) FROM runs"), RunDatabase.Scalar(db, "SELECT count(*) FROM runs"));
            Assert.Equal(RunDatabase.Scalar(db, "SELECT count(*) FROM runs"), RunDatabase.Scalar(db, "SELECT count(DISTINCT run_key) FROM runs"));
        }

        [Fact]
        public async Task A_swarm_on_three_worker_processes_with_one_killed_mid_swarm_prints_the_single_process_table_and_stores_the_same_members()
        {
            using var dir = new TempDirectory();
            // Twelve population runs (three methods, four seeds), so that worker 2 gets one and is killed while it runs.
            var args = new[] { "swarm", Repo.SgdmLaw, "--task", "rosenbrock", "--k", "4", "--rounds", "8", "--steps", "20000", "--seeds", "4", "--method", "all", "--no-progress" };
            var local = Support.Ae(dir.Path, args.Concat(new[] { "--db", "local.db" }).ToArray());
            Assert.Equal(0, local.ExitCode);

            var remote = await OnThreeWorkersKillingTheThird(dir.Path, args, "running a swarm of 4 members");

            Assert.True(remote.ExitCode == 0, remote.Stderr);
            Assert.Equal(local.Stdout, remote.Stdout);
            Assert.Contains(remote.StderrLines, l => l.StartsWith("ae: a worker was lost", StringComparison.Ordinal));
            const string members = "SELECT group_concat(seed || ':' || settings || ':' || status || ':' || steps_taken || ':' || printf('%.17g', final_loss), ';') FROM (SELECT * FROM runs ORDER BY id)";
            Assert.Equal(RunDatabase.Text(Path.Combine(dir.Path, "local.db"), members), RunDatabase.Text(Path.Combine(dir.Path, "cluster.db"), members));
            const string steps = "SELECT count(*) || ':' || printf('%.17g', total(loss)) FROM steps";
            Assert.Equal(RunDatabase.Text(Path.Combine(dir.Path, "local.db"), steps), RunDatabase.Text(Path.Combine(dir.Path, "cluster.db"), steps));
        }
    }
}
