using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Kernels.Tests;
using Xunit;
using Xunit.Abstractions;

namespace AE.Cli.Tests
{
    /// <summary><c>ae replay --backend opencl</c>: the golden cases through the OpenCL law, within the CPU replay's tolerance.</summary>
    public class ReplayOpenClTests
    {
        private readonly ITestOutputHelper _output;

        public ReplayOpenClTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string, string?> Cases()
        {
            var data = new TheoryData<string, string?>();
            foreach (var name in Repo.ControllerCases()) data.Add(name, null);
            data.Add("quadratic_no_resonance", "AeSgdmNoResonance");
            return data;
        }

        [OpenClTheory]
        [MemberData(nameof(Cases))]
        public void Every_golden_controller_case_replays_on_opencl_within_tolerance(string name, string? law)
        {
            OpenClAvailability.Device();
            var args = new[] { "replay", Repo.Case(name), "--backend", "opencl" };
            if (law is not null) args = args.Concat(new[] { "--name", law }).ToArray();
            var r = Cli.Run(Repo.Root, args);
            _output.WriteLine(r.Stdout + r.Stderr);
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal("", r.Stderr);
            Assert.StartsWith(name + ": " + (law ?? "AeSgdm") + " [OpenCL: ", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.StartsWith("ok: all ", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        [OpenClFact]
        public void Json_output_names_the_backend_in_the_law()
        {
            OpenClAvailability.Device();
            var r = Cli.Run(Repo.Root, "replay", Repo.Case("quadratic_2d"), "--backend", "opencl", "--format", "json");
            Assert.Equal(0, r.ExitCode);
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.StartsWith("AeSgdm [OpenCL: ", doc.RootElement.GetProperty("law").GetString(), StringComparison.Ordinal);
            Assert.True(doc.RootElement.GetProperty("within").GetBoolean());
        }

        [OpenClFact]
        public void A_case_made_with_the_noise_on_is_refused_on_opencl_too()
        {
            var (exitCode, stdout, stderr) = ReplayCommandTests.ReplayWithNoiseOn("opencl");
            Assert.Equal(2, exitCode);
            Assert.Equal("", stdout);
            Assert.StartsWith(ReplayCommandTests.NoiseRefusal, Assert.Single(stderr), StringComparison.Ordinal);
        }

        [OpenClFact]
        public void A_perturbed_law_fails_on_opencl_too()
        {
            OpenClAvailability.Device();
            using var dir = new TempDirectory();
            dir.Write("perturbed.ae", File.ReadAllText(Repo.SgdmLaw).Replace("0.8 * max(gtrack", "0.81 * max(gtrack", StringComparison.Ordinal));
            var r = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "perturbed.ae", "--backend", "opencl");
            Assert.Equal(1, r.ExitCode);
            Assert.EndsWith("the first at step 21 in column alpha", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        [OpenClFact]
        public void A_lagged_law_is_refused_on_opencl_in_one_line_rather_than_run_unlagged()
        {
            OpenClAvailability.Device();
            var r = Cli.Run(Repo.Root, "replay", Repo.Case("quadratic_2d"), "--backend", "opencl", "--name", "AeSgdmLagged");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: cannot emit 'AeSgdmLagged' for OpenCL: 'AeSgdmLagged' is lagged; the OpenCL backend runs the reductions of the current step only so far (use the C# backend)", Assert.Single(r.StderrLines));
        }

        [OpenClFact]
        public void Settings_out_of_range_are_one_line_as_on_the_cpu()
        {
            OpenClAvailability.Device();
            using var dir = new TempDirectory();
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            json["config"]!["sigma_min"] = -1;
            dir.Write("bad_range.json", json.ToJsonString());
            File.Copy(Path.Combine(Repo.Golden, "quadratic_2d.csv"), Path.Combine(dir.Path, "bad_range.csv"));
            var r = Cli.Run(dir.Path, "replay", "bad_range.json", "--backend", "opencl");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: bad_range.json: AeSgdm rejects its settings: param 'sigma_min' must lie in [0, 1] (given -1)", Assert.Single(r.StderrLines));
        }

        [OpenClFact]
        public void A_law_that_does_not_run_at_the_case_s_n_says_so_as_on_the_cpu()
        {
            OpenClAvailability.Device();
            Assert.Equal(ReplayCommandTests.ExpectedDimRefusals, ReplayCommandTests.DimRefusals("opencl"));
        }

        [Fact]
        public void An_unknown_backend_is_a_usage_error()
        {
            var r = Cli.Run(Repo.Root, "replay", Repo.Case("quadratic_2d"), "--backend", "cuda");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: invalid value 'cuda' for '--backend'; expected csharp, opencl or ilgpu. Run 'ae replay --help'", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void No_opencl_platform_is_one_line_and_exit_2()
        {
            // The ICD loader reads its vendor list once per process: an empty list needs a fresh process.
            using var empty = new TempDirectory();
            var (exit, stdout, stderr) = RunAeWithoutPlatforms(empty.Path, "replay", Repo.Case("quadratic_2d"), "--backend", "opencl");
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("ae: error: no OpenCL ", line, StringComparison.Ordinal);
            Assert.Contains("install pocl-opencl-icd and ocl-icd-libopencl1", line, StringComparison.Ordinal);
        }

        private static (int ExitCode, string Stdout, string Stderr) RunAeWithoutPlatforms(string vendors, params string[] args)
        {
            var start = new ProcessStartInfo(Cli.DotnetHost())
            {
                WorkingDirectory = Repo.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ae.dll"));
            foreach (var arg in args) start.ArgumentList.Add(arg);
            start.Environment["OCL_ICD_VENDORS"] = vendors;
            start.Environment.Remove("AE_OPENCL_DEVICE");
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
    }
}
