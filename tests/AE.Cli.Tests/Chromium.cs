using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace AE.Cli.Tests
{
    /// <summary>
    /// Headless Chromium (Debian's chromium package, /usr/bin/chromium; AE_CHROMIUM names another) for the tests
    /// that open <c>ae report</c>'s page. The policy is OpenCL's: under CI=true a missing browser fails the test
    /// (.ci/run installs it, so its absence is a broken setup); elsewhere the test writes why it did nothing and returns.
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

        /// <summary>The browser, or null when there is none and the test should return (outside CI); under CI=true a missing one is an assertion failure.</summary>
        public static string? Find(ITestOutputHelper output)
        {
            if (Found.Value is string path) return path;
            const string problem = "no chromium (apt-get install chromium, or set AE_CHROMIUM)";
            if (InCi) Assert.Fail("Chromium is required under CI=true: " + problem);
            output.WriteLine("not run: " + problem);
            return null;
        }

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
}
