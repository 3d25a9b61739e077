using System;
using AE.Kernels.OpenCl;
using Xunit;
using Xunit.Abstractions;

namespace AE.Kernels.Tests
{
    /// <summary>
    /// The one place that decides what a test does on a machine without OpenCL: under CI=true a
    /// missing platform fails the test (.ci/run installs PoCL, so its absence is a broken setup);
    /// elsewhere the test writes why it did nothing and returns.
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

        /// <summary>
        /// The device to test on, or null when there is none and the test should return (outside CI).
        /// Under CI=true a missing platform is an assertion failure.
        /// </summary>
        public static OpenClDevice? Device(ITestOutputHelper output)
        {
            var (device, problem) = Probe.Value;
            if (device is not null) return device;
            if (InCi) Assert.Fail("OpenCL is required under CI=true: " + problem);
            output.WriteLine("not run: " + problem);
            return null;
        }

        private static readonly Lazy<OpenClContext?> SharedContext = new(() => Probe.Value.Device is { } d ? new OpenClContext(d) : null);

        /// <summary>One context for the whole test run (creating one per test costs the driver's start-up each time).</summary>
        public static OpenClContext? Context(ITestOutputHelper output) => Device(output) is null ? null : SharedContext.Value;
    }
}
