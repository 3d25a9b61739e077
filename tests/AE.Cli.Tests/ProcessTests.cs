using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>Runs the built <c>ae.dll</c> as a child process to prove the real entry point.</summary>
    public class ProcessTests
    {
        internal static (int ExitCode, string Stdout, string Stderr) RunAe(string workingDirectory, params string[] args) =>
            RunAe(workingDirectory, new System.Collections.Generic.Dictionary<string, string>(), args);

        /// <summary>The real executable with <paramref name="environment"/> added to the test's environment.</summary>
        internal static (int ExitCode, string Stdout, string Stderr) RunAe(string workingDirectory, System.Collections.Generic.IReadOnlyDictionary<string, string> environment, params string[] args)
        {
            string aeDll = Path.Combine(AppContext.BaseDirectory, "ae.dll");
            Assert.True(File.Exists(aeDll), "ae.dll not found next to the test assembly: " + aeDll);

            var start = new ProcessStartInfo(Cli.DotnetHost())
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
                UseShellExecute = false,
            };
            foreach (var (name, value) in environment) start.Environment[name] = value;
            start.ArgumentList.Add(aeDll);
            foreach (var arg in args) start.ArgumentList.Add(arg);

            using var process = Process.Start(start)!;
            var stderrTask = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = stderrTask.GetAwaiter().GetResult();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("ae did not exit within 60 s");
            }
            return (process.ExitCode, stdout, stderr);
        }

        /// <summary>
        /// An interrupt sent twice at once ('timeout -s INT' signals the process, then its process group) is one interrupt: the
        /// run is stored as interrupted and says so. The second signal ended the process silently, nothing stored. SIGTERM (what
        /// plain 'timeout', 'kill' and 'docker stop' send) is an interrupt too: it ended the process with nothing stored.
        /// </summary>
        [Theory]
        [InlineData("INT")]
        [InlineData("TERM")]
        public async System.Threading.Tasks.Task Two_interrupts_at_once_stop_the_run_cleanly(string signal)
        {
            Assert.True(File.Exists("/bin/sh"), "a POSIX shell sends the signals");
            using var dir = new TempDirectory();
            var start = new ProcessStartInfo(Cli.DotnetHost())
            {
                WorkingDirectory = dir.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ae.dll"), "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "1000000", "--set", "sigma_max=0", "--db", "runs.db" })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // the database is opened just before the first step: the run is under way once it exists
            var waited = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(dir.Path, "runs.db")) && waited.Elapsed < TimeSpan.FromSeconds(60)) await System.Threading.Tasks.Task.Delay(20);
            await System.Threading.Tasks.Task.Delay(200);
            using (var kill = Process.Start("/bin/sh", new[] { "-c", "kill -" + signal + " " + process.Id + "; kill -" + signal + " " + process.Id })!) kill.WaitForExit();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("ae did not exit within 60 s of the interrupt");
            }
            string err = await stderr;
            Assert.Equal(130, process.ExitCode);
            Assert.Contains("the partial run is stored in runs.db as run 1 with status interrupted", err, StringComparison.Ordinal);
            Assert.Contains("stopped: interrupted after", await stdout, StringComparison.Ordinal);
        }

        /// <summary>
        /// A command that does not stop cleanly on an interrupt ends at the first SIGTERM, as any program: 'ae check' of a FIFO
        /// nobody writes waits (as cat does), and 'timeout' or 'kill' must still end it (it went on waiting when every SIGTERM
        /// was taken as a request to stop cleanly).
        /// </summary>
        [Fact]
        public async System.Threading.Tasks.Task A_command_that_does_not_stop_on_an_interrupt_ends_at_the_first_sigterm()
        {
            Assert.True(File.Exists("/usr/bin/mkfifo"), "mkfifo makes the input that never ends");
            using var dir = new TempDirectory();
            using (var mk = Process.Start("/usr/bin/mkfifo", new[] { Path.Combine(dir.Path, "pipe.ae") })!) mk.WaitForExit();
            var start = new ProcessStartInfo(Cli.DotnetHost())
            {
                WorkingDirectory = dir.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ae.dll"), "check", "pipe.ae" }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Waiting at the FIFO: a thread of it sleeps in the kernel's wait for a writer (a signal sent while the runtime
            // still starts is not the case under test).
            var waited = Stopwatch.StartNew();
            while (!WaitsForAWriter(process.Id) && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (process.HasExited) Assert.Fail("ae check returned before anything was written to the FIFO: " + await stderr);
                await System.Threading.Tasks.Task.Delay(50);
            }
            Assert.True(WaitsForAWriter(process.Id), "ae check did not reach the FIFO within 60 s");
            using (var kill = Process.Start("/bin/sh", new[] { "-c", "kill -TERM " + process.Id })!) kill.WaitForExit();
            bool ended = process.WaitForExit(30_000);
            if (!ended) process.Kill(entireProcessTree: true);
            Assert.True(ended, "ae check went on waiting after SIGTERM");
            Assert.Equal(128 + 15, process.ExitCode);
            await stdout;
        }

        /// <summary>Whether a thread of the process sleeps opening a FIFO that has no writer (Linux: its wchan is wait_for_partner).</summary>
        private static bool WaitsForAWriter(int pid)
        {
            try
            {
                foreach (var task in Directory.GetDirectories("/proc/" + pid + "/task"))
                    if (File.ReadAllText(Path.Combine(task, "wchan")).Trim() == "wait_for_partner") return true;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return false;
        }

        /// <summary>
        /// A law whose state does not fit in memory (here a heap limit of 256 MiB and a state of 4 GB) is one line and exit 2: the
        /// constructor, called by reflection, wrapped the OutOfMemoryException, and ae said "internal error: TargetInvocationException".
        /// </summary>
        [Fact]
        public void A_law_whose_state_does_not_fit_in_memory_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            dir.Write("big.ae", "law Big {\n  dim n;\n  dim k = 500000000;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  state m: real[k] = 0;\n"
                + "  update { m' = m + 1; theta' = theta - 0.01 * grad / (1 + sum(m) * sum(m)) + 0 * loss; }\n}\n");
            var r = RunAe(dir.Path, new System.Collections.Generic.Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" },
                "run", "big.ae", "--task", "quadratic", "--steps", "3", "--db", "x.db");
            Assert.Equal(2, r.ExitCode);
            var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("ae: error: not enough memory for this run (", line, StringComparison.Ordinal);
        }

        /// <summary>A damaged data set is bad input, not a bug: one line naming the file and the folder, exit 2.</summary>
        [Fact]
        public void A_damaged_fashion_mnist_file_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            // IDX headers of unsigned bytes (magic 0 0 8 rank), the images' body cut short; the labels whole
            var images = new byte[] { 0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28 }.Concat(new byte[100]).ToArray();
            var labels = new byte[] { 0, 0, 8, 1, 0, 0, 0, 10 }.Concat(new byte[10]).ToArray();
            foreach (var split in new[] { "train", "t10k" })
            {
                dir.WriteBytes("fm/" + split + "-images-idx3-ubyte", images);
                dir.WriteBytes("fm/" + split + "-labels-idx1-ubyte", labels);
            }
            string data = Path.Combine(dir.Path, "fm");
            var env = new System.Collections.Generic.Dictionary<string, string> { ["AE_FASHION_MNIST_DIR"] = data };
            foreach (var command in new[] { "ablate", "sweep" })
            {
                var (exit, stdout, stderr) = RunAe(dir.Path, env, command, Path.Combine(Repo.Laws, "ae_sgdm.ae"), command == "ablate" ? "--task" : "--tasks", "logreg-fashion",
                    "--seeds", "1", "--steps", "5");
                Assert.True(exit == 2, command + ": " + stdout + stderr);
                Assert.Equal("ae: error: cannot read the data of the task: train-images-idx3-ubyte: truncated (ended while reading 10 items) (in " + data + ")", stderr.TrimEnd('\n'));
            }
        }

        [Fact]
        public void Real_executable_reports_errors_in_utf8_and_exits_1()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/a.ae", Sources.SyntaxError("A"));
            dir.Write("laws/m.ae", Sources.BadCharacter("B"));

            var (exit, stdout, stderr) = RunAe(dir.Path, "check", "laws/*.ae");

            Assert.Equal(1, exit);
            Assert.Equal("", stderr);
            Assert.Equal(
                "laws/a.ae(1,15): " + Sources.SyntaxErrorMessage + Environment.NewLine +
                "laws/m.ae(1,9): " + Sources.BadCharacterMessage + Environment.NewLine +
                "2 files checked: 2 errors, 0 warnings" + Environment.NewLine,
                stdout);
        }

        [Fact]
        public void Real_executable_exits_0_on_clean_input_and_2_on_a_missing_file()
        {
            using var dir = new TempDirectory();
            dir.Write("c.ae", Sources.Clean("C"));

            var clean = RunAe(dir.Path, "check", "c.ae");
            var missing = RunAe(dir.Path, "check", "nope.ae");

            Assert.Equal(0, clean.ExitCode);
            Assert.Equal("1 file checked: 0 errors, 0 warnings" + Environment.NewLine, clean.Stdout);
            Assert.Equal(2, missing.ExitCode);
            Assert.Equal("", missing.Stdout);
            Assert.Equal("ae: error: file not found: 'nope.ae'" + Environment.NewLine, missing.Stderr);
        }

        [Fact]
        public void Real_executable_replays_a_golden_case_with_roslyn_in_a_fresh_process()
        {
            var ok = RunAe(Repo.Root, "replay", Repo.Case("quadratic_2d"));
            Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
            Assert.Equal("", ok.Stderr);
            Assert.StartsWith("quadratic_2d: AeSgdm (laws/ae_sgdm.ae) on quadratic, n = 2, 300 steps; tolerance rel 1e-09 or abs 1e-12" + Environment.NewLine, ok.Stdout, StringComparison.Ordinal);
            Assert.EndsWith("ok: all 12 columns within tolerance at every one of 300 steps" + Environment.NewLine, ok.Stdout, StringComparison.Ordinal);
        }
    }
}
