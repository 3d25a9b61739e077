using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.Diagnostics;

namespace AE.Cli
{
    /// <summary>One diagnostic as reported, with its severity after <c>--warnaserror</c>.</summary>
    public sealed record ReportedDiagnostic(Diagnostic Diagnostic, Severity Severity)
    {
        /// <summary>The MSBuild line; a warning promoted to an error reads <c>error</c>.</summary>
        public string ToMsBuildString()
        {
            string line = Diagnostic.ToMsBuildString();
            if (Severity == Diagnostic.Severity) return line;
            string head = Diagnostic.Path + "(" + Diagnostic.Start.Line.ToString(CultureInfo.InvariantCulture)
                + "," + Diagnostic.Start.Column.ToString(CultureInfo.InvariantCulture) + "): ";
            const string Warning = "warning ";
            return line.StartsWith(head + Warning, StringComparison.Ordinal)
                ? head + "error " + line.Substring(head.Length + Warning.Length)
                : line;
        }
    }

    /// <summary>What a check reports: the files, the diagnostics in the checker's order, and the counts.</summary>
    public sealed record CheckReport(IReadOnlyList<string> Files, IReadOnlyList<ReportedDiagnostic> Diagnostics, int Errors, int Warnings)
    {
        public static CheckReport From(IReadOnlyList<string> files, IReadOnlyList<Diagnostic> diagnostics, bool warningsAsErrors)
        {
            var reported = diagnostics
                .Select(d => new ReportedDiagnostic(d, warningsAsErrors ? Severity.Error : d.Severity))
                .ToList();
            return new CheckReport(
                files,
                reported,
                reported.Count(d => d.Severity == Severity.Error),
                reported.Count(d => d.Severity == Severity.Warning));
        }
    }
}
