using System.Collections.Generic;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// <c>--warnaserror</c>: end to end with a real warning (AE0050, an unused param, reported by the binder),
    /// and on a hand-built warning so the rewriting itself is pinned down independently of the checker.
    /// </summary>
    public class WarningsAsErrorsTests
    {
        /// <summary>AE0050 warning at (1,15), the name 'unused'.</summary>
        private const string UnusedParam = "law W { param unused = 1; }\n";

        private const string UnusedMessage = "AE0050: Param 'unused' is never used; remove it or use it";

        [Fact]
        public void Real_warning_prints_as_warning_and_exits_0_without_the_flag()
        {
            using var dir = new TempDirectory();
            dir.Write("w.ae", UnusedParam);

            var r = Cli.Run(dir.Path, "check", "w.ae");

            Assert.Equal(0, r.ExitCode);
            Assert.Equal(new[]
            {
                "w.ae(1,15): warning " + UnusedMessage,
                "1 file checked: 0 errors, 1 warning",
            }, r.StdoutLines);
        }

        [Fact]
        public void Warnaserror_turns_a_real_warning_into_an_error_and_exits_1()
        {
            using var dir = new TempDirectory();
            dir.Write("w.ae", UnusedParam);

            var r = Cli.Run(dir.Path, "check", "w.ae", "--warnaserror");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal(new[]
            {
                "w.ae(1,15): error " + UnusedMessage,
                "1 file checked: 1 error, 0 warnings",
            }, r.StdoutLines);
        }

        [Fact]
        public void Warnaserror_json_reports_a_real_warning_as_error_and_exits_1()
        {
            using var dir = new TempDirectory();
            dir.Write("w.ae", UnusedParam);

            var plain = Cli.Run(dir.Path, "check", "w.ae", "--format", "json");
            var strict = Cli.Run(dir.Path, "check", "w.ae", "--format", "json", "--warnaserror");

            Assert.Equal(0, plain.ExitCode);
            using (var doc = System.Text.Json.JsonDocument.Parse(plain.Stdout))
            {
                Assert.Equal("warning", doc.RootElement.GetProperty("diagnostics")[0].GetProperty("severity").GetString());
                Assert.Equal(0, doc.RootElement.GetProperty("errors").GetInt32());
                Assert.Equal(1, doc.RootElement.GetProperty("warnings").GetInt32());
            }
            Assert.Equal(1, strict.ExitCode);
            using (var doc = System.Text.Json.JsonDocument.Parse(strict.Stdout))
            {
                var d = doc.RootElement.GetProperty("diagnostics")[0];
                Assert.Equal("AE0050", d.GetProperty("id").GetString());
                Assert.Equal("error", d.GetProperty("severity").GetString());
                Assert.Equal(1, doc.RootElement.GetProperty("errors").GetInt32());
                Assert.Equal(0, doc.RootElement.GetProperty("warnings").GetInt32());
            }
        }

        private static Diagnostic UnusedWarning(string path)
        {
            var file = new SourceFile(path, "law L { param unused = 1; }\n");
            return Diagnostic.Create(DiagnosticCatalog.Unused, file, new TextSpan(14, 20), "Param", "unused");
        }

        [Fact]
        public void Without_the_flag_a_warning_prints_as_warning_and_counts_as_warning()
        {
            var report = CheckReport.From(new[] { "a.ae" }, new List<Diagnostic> { UnusedWarning("a.ae") }, warningsAsErrors: false);

            Assert.Equal("a.ae(1,15): warning AE0050: Param 'unused' is never used; remove it or use it", report.Diagnostics[0].ToMsBuildString());
            Assert.Equal(0, report.Errors);
            Assert.Equal(1, report.Warnings);
            Assert.Equal("1 file checked: 0 errors, 1 warning", TextOutput.Summary(report));
        }

        [Fact]
        public void With_the_flag_a_warning_prints_as_error_and_counts_as_error()
        {
            var report = CheckReport.From(new[] { "a.ae" }, new List<Diagnostic> { UnusedWarning("a.ae") }, warningsAsErrors: true);

            Assert.Equal("a.ae(1,15): error AE0050: Param 'unused' is never used; remove it or use it", report.Diagnostics[0].ToMsBuildString());
            Assert.Equal(1, report.Errors);
            Assert.Equal(0, report.Warnings);
            Assert.Equal("1 file checked: 1 error, 0 warnings", TextOutput.Summary(report));
        }

        [Fact]
        public void Only_the_severity_word_is_rewritten()
        {
            // A path that itself contains "warning" must come through untouched.
            var report = CheckReport.From(new[] { "warning/x.ae" }, new List<Diagnostic> { UnusedWarning("warning/x.ae") }, warningsAsErrors: true);

            Assert.Equal("warning/x.ae(1,15): error AE0050: Param 'unused' is never used; remove it or use it", report.Diagnostics[0].ToMsBuildString());
        }
    }
}
