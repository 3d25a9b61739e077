using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// Headless Chromium (Debian's chromium package, /usr/bin/chromium; AE_CHROMIUM names another) for the tests
    /// that open <c>ae report</c>'s page. Under CI=true a missing browser fails the test (.ci/run installs it, so its
    /// absence is a broken setup); elsewhere the test is skipped with the reason (<see cref="ChromiumFactAttribute"/>).
    /// </summary>
    internal static class Chromium
    {
        private static readonly Lazy<string?> Found = new(() =>
        {
            var candidates = new List<string>();
            if (Environment.GetEnvironmentVariable("AE_CHROMIUM") is { Length: > 0 } named) candidates.Add(named);
            candidates.Add("/usr/bin/chromium");
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                candidates.AddRange(new[] { "chromium", "chromium-browser" }.Select(n => Path.Combine(dir, n)));
            return candidates.FirstOrDefault(File.Exists);
        });

        private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>Why a test that needs the browser is skipped here, or null when it runs (always under CI=true).</summary>
        public static string? SkipReason => Found.Value is null && !InCi ? "no chromium (apt-get install chromium, or set AE_CHROMIUM); runs, and fails, under CI=true" : null;

        /// <summary>The browser; under CI=true a missing one is an assertion failure (a test without <see cref="ChromiumFactAttribute"/>'s skip never gets here otherwise).</summary>
        public static string Browser => Found.Value ?? throw new Xunit.Sdk.XunitException("Chromium is required under CI=true: no chromium (apt-get install chromium, or set AE_CHROMIUM)");

        /// <summary>
        /// Runs the browser headless on <paramref name="file"/> with <paramref name="options"/> (such as
        /// <c>--dump-dom</c>), in a profile of its own under <paramref name="scratch"/>; returns its stdout.
        /// </summary>
        public static string Run(string browser, string scratch, string file, params string[] options)
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--user-data-dir=" + Path.Combine(scratch, "profile") }
                .Concat(options).Append(new Uri(file).AbsoluteUri))
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 2 minutes on " + file);
            }
            Assert.True(process.ExitCode == 0, "chromium exited with " + process.ExitCode + ": " + stderr.Result);
            return stdout;
        }
    }

    /// <summary>A fact that needs headless Chromium: skipped, with the install command, where there is none outside CI.</summary>
    public sealed class ChromiumFactAttribute : FactAttribute
    {
        public ChromiumFactAttribute() => Skip = Chromium.SkipReason;
    }
}
