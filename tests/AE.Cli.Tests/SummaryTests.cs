using System.Collections.Generic;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using Xunit;

namespace AE.Cli.Tests
{
    public class SummaryTests
    {
        private static readonly SourceFile File = new("a.ae", "law L { param x = 1; }\n");

        private static Diagnostic Error() => Diagnostic.Create(DiagnosticCatalog.SyntaxError, File, new TextSpan(18, 19), "an expression", "';'");

        private static Diagnostic Warning() => Diagnostic.Create(DiagnosticCatalog.Unused, File, new TextSpan(14, 15), "Param", "x");

        [Theory]
        [InlineData(0, 0, 0, "0 files checked: 0 errors, 0 warnings")]
        [InlineData(1, 0, 0, "1 file checked: 0 errors, 0 warnings")]
        [InlineData(1, 1, 1, "1 file checked: 1 error, 1 warning")]
        [InlineData(2, 1, 3, "2 files checked: 1 error, 3 warnings")]
        [InlineData(3, 2, 0, "3 files checked: 2 errors, 0 warnings")]
        public void Summary_counts_with_singular_and_plural(int files, int errors, int warnings, string expected)
        {
            var paths = new List<string>();
            for (int i = 0; i < files; i++) paths.Add("f" + i + ".ae");
            var diagnostics = new List<Diagnostic>();
            for (int i = 0; i < errors; i++) diagnostics.Add(Error());
            for (int i = 0; i < warnings; i++) diagnostics.Add(Warning());

            var report = CheckReport.From(paths, diagnostics, warningsAsErrors: false);

            Assert.Equal(expected, TextOutput.Summary(report));
        }

        [Fact]
        public void Warnaserror_moves_every_warning_into_the_error_count()
        {
            var report = CheckReport.From(new[] { "a.ae", "b.ae" }, new List<Diagnostic> { Error(), Warning(), Warning(), Warning() }, warningsAsErrors: true);

            Assert.Equal("2 files checked: 4 errors, 0 warnings", TextOutput.Summary(report));
        }
    }
}
