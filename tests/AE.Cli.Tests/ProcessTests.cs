using System;
using System.Diagnostics;
using System.IO;
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
