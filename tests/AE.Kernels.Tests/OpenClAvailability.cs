using System;
using AE.Kernels.OpenCl;
using Xunit;

namespace AE.Kernels.Tests
{
    /// <summary>
    /// The one place that decides what a test does on a machine without OpenCL: under CI=true a
    /// missing platform fails the test (.ci/run installs PoCL, so its absence is a broken setup);
    /// elsewhere the test is skipped with the reason (<see cref="OpenClFactAttribute"/>,
    /// <see cref="OpenClTheoryAttribute"/>), so a run without OpenCL says how many tests it did not run.
    /// </summary>
    internal static class OpenClAvailability
    {
        private static readonly Lazy<(OpenClDevice? Device, string? Problem)> Probe = new(() =>
        {
            try
            {
                return (OpenClPlatform.DefaultDevice(), null);
            }
            catch (OpenClUnavailableException ex)
            {
                return (null, ex.Message);
            }
        });

        public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>Why a test that needs OpenCL is skipped here, or null when it runs (always under CI=true).</summary>
        public static string? SkipReason => Probe.Value.Device is null && !InCi
            ? "no OpenCL platform (apt-get install pocl-opencl-icd): " + Probe.Value.Problem + "; runs, and fails, under CI=true"
            : null;

        /// <summary>
        /// The device to test on. A test marked <see cref="OpenClFactAttribute"/> or <see cref="OpenClTheoryAttribute"/> gets
        /// here only where there is one or under CI=true, where a missing platform is this assertion's failure.
        /// </summary>
        public static OpenClDevice Device()
        {
            var (device, problem) = Probe.Value;
            return device ?? throw new Xunit.Sdk.XunitException("OpenCL is required under CI=true: " + problem);
        }

        private static readonly Lazy<OpenClContext> SharedContext = new(() => new OpenClContext(Device()));

        /// <summary>One context for the whole test run (creating one per test costs the driver's start-up each time).</summary>
        public static OpenClContext Context() => SharedContext.Value;
    }

    /// <summary>A fact that needs OpenCL: skipped with the reason where there is none, except under CI=true, where it runs and fails.</summary>
    public sealed class OpenClFactAttribute : FactAttribute
    {
        public OpenClFactAttribute() => Skip = OpenClAvailability.SkipReason;
    }

    /// <summary>A theory that needs OpenCL (as <see cref="OpenClFactAttribute"/>).</summary>
    public sealed class OpenClTheoryAttribute : TheoryAttribute
    {
        public OpenClTheoryAttribute() => Skip = OpenClAvailability.SkipReason;
    }
}
