using System.Globalization;
using System.IO;

namespace AE.Cli
{
    /// <summary>Text output: one MSBuild line per diagnostic, then <c>2 files checked: 1 error, 3 warnings</c>.</summary>
    internal static class TextOutput
    {
        public static void Write(CheckReport report, TextWriter stdout)
        {
            foreach (var diagnostic in report.Diagnostics) stdout.WriteLine(diagnostic.ToMsBuildString());
            stdout.WriteLine(Summary(report));
        }

        public static string Summary(CheckReport report)
            => Count(report.Files.Count, "file") + " checked: " + Count(report.Errors, "error") + ", " + Count(report.Warnings, "warning");

        private static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");
    }
}
