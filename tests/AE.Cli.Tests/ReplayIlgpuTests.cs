using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Ilgpu;
using Xunit;
using Xunit.Abstractions;

namespace AE.Cli.Tests
{
    /// <summary>
    /// <c>ae replay --backend ilgpu</c> and <c>ae bench --backend ilgpu</c>: the golden cases through the ILGPU law
    /// within the CPU replay's tolerance (on ILGPU's CPU simulator where there is no GPU, as here), and one line
    /// with exit 2 where there is no device of the kind asked for.
    /// </summary>
    public class ReplayIlgpuTests
    {
        private readonly ITestOutputHelper _output;

        public ReplayIlgpuTests(ITestOutputHelper output) => _output = output;

        [Theory]
        [MemberData(nameof(ReplayOpenClTests.Cases), MemberType = typeof(ReplayOpenClTests))]
        public void Every_golden_controller_case_replays_on_ilgpu_within_tolerance(string name, string? law)
        {
            var args = new[] { "replay", Repo.Case(name), "--backend", "ilgpu" };
            if (law is not null) args = args.Concat(new[] { "--name", law }).ToArray();
            var r = Cli.Run(Repo.Root, args);
            _output.WriteLine(r.Stdout + r.Stderr);
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal("", r.Stderr);
            Assert.StartsWith(name + ": " + (law ?? "AeSgdm") + " [ILGPU: ", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.StartsWith("ok: all ", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        [Fact]
        public void A_perturbed_law_fails_on_ilgpu_too()
        {
            using var dir = new TempDirectory();
            dir.Write("perturbed.ae", File.ReadAllText(Repo.SgdmLaw).Replace("0.8 * max(gtrack", "0.81 * max(gtrack", StringComparison.Ordinal));
            var r = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "perturbed.ae", "--backend", "ilgpu");
            Assert.Equal(1, r.ExitCode);
            Assert.EndsWith("the first at step 21 in column alpha", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        [Fact]
        public void A_lagged_law_is_refused_on_ilgpu_in_one_line_rather_than_run_unlagged()
        {
            var r = Cli.Run(Repo.Root, "replay", Repo.Case("quadratic_2d"), "--backend", "ilgpu", "--name", "AeSgdmLagged");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: cannot emit 'AeSgdmLagged' for ILGPU: 'AeSgdmLagged' is lagged; the ILGPU backend runs the reductions of the current step only so far (use the C# backend)", Assert.Single(r.StderrLines));
        }

        [Theory]
        [InlineData("replay")]
        [InlineData("bench")]
        public void A_device_kind_that_does_not_exist_is_one_line_and_exit_2(string command)
        {
            var args = command == "replay" ? new[] { "replay", Repo.Case("quadratic_2d"), "--backend", "ilgpu" } : new[] { "bench", "--backend", "ilgpu", "--n", "100" };
            var (exit, stdout, stderr) = ProcessTests.RunAe(Repo.Root, new Dictionary<string, string> { ["AE_ILGPU_DEVICE"] = "tpu" }, args);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.Equal("ae: error: unknown ILGPU device kind 'tpu'; use one of auto, cuda, opencl, cpu" + Environment.NewLine, stderr);
        }

        [Fact]
        public void No_cuda_device_is_one_line_and_exit_2_where_there_is_none()
        {
            if (IlgpuDevices.Context.Devices.Any(d => d.AcceleratorType == ILGPU.Runtime.AcceleratorType.Cuda))
            {
                _output.WriteLine("this machine has a CUDA device: nothing to refuse");
                return;
            }
            var (exit, stdout, stderr) = ProcessTests.RunAe(Repo.Root, new Dictionary<string, string> { ["AE_ILGPU_DEVICE"] = "cuda" }, "replay", Repo.Case("quadratic_2d"), "--backend", "ilgpu");
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.StartsWith("ae: error: no ILGPU cuda device (ILGPU found: ", stderr, StringComparison.Ordinal);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
