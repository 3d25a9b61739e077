using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Experiments;
using AE.Experiments.Replay;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>What <c>ae replay</c> reports: the case, the law and the comparison.</summary>
    internal sealed record ReplaySummary(GoldenCase Case, string Law, string LawFile, ReplayReport Report);

    /// <summary>
    /// Replay output. Text: a heading, one line per column (largest absolute and relative deviation
    /// and the step of each, then how many steps were out of tolerance), then a verdict line that
    /// starts with <c>ok:</c> or <c>FAIL:</c>. Json: one object with the same facts.
    /// </summary>
    internal static class ReplayOutput
    {
        public static void WriteText(ReplaySummary summary, TextWriter stdout)
        {
            var report = summary.Report;
            var golden = summary.Case;
            stdout.WriteLine(golden.Name + ": " + summary.Law + " (" + summary.LawFile + ") on " + golden.ProblemKind
                + ", n = " + Int(golden.Theta0.Length) + ", " + Int(report.Steps) + " " + Plural.Noun(report.Steps, "step") + "; tolerance " + report.Tolerance);

            var header = new[] { "column", "max abs dev", "at step", "max rel dev", "at step", "out of tolerance" };
            var rows = report.Columns.Select(c => new[]
            {
                c.Column,
                Dev(c.MaxAbs),
                Int(c.MaxAbsStep),
                Dev(c.MaxRel),
                Int(c.MaxRelStep),
                c.Within ? "-" : Int(c.Failures) + " step" + (c.Failures == 1 ? "" : "s") + ", first at step " + Int(c.FirstFailureStep)
                    + ": expected " + Num(c.FirstFailureExpected) + ", got " + Num(c.FirstFailureActual),
            }).ToList();
            var widths = Enumerable.Range(0, header.Length - 1)
                .Select(i => Math.Max(header[i].Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))
                .ToArray();
            stdout.WriteLine(Row(header, widths));
            foreach (var row in rows) stdout.WriteLine(Row(row, widths));
            stdout.WriteLine(Verdict(report));
        }

        /// <summary>The last line of the text output.</summary>
        public static string Verdict(ReplayReport report)
        {
            int columns = report.Columns.Count;
            if (report.Within)
                return "ok: " + (columns == 1 ? "the column" : "all " + Int(columns) + " columns") + " within tolerance at every one of " + Int(report.Steps) + " " + Plural.Noun(report.Steps, "step");
            var failed = report.Failed;
            var first = report.FirstFailure!;
            return "FAIL: " + Int(failed.Count) + " of " + Int(columns) + " columns out of tolerance (" + string.Join(", ", failed.Select(c => c.Column))
                + "); the first at step " + Int(first.FirstFailureStep) + " in column " + first.Column;
        }

        private static string Row(IReadOnlyList<string> cells, int[] widths)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < cells.Count; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append(i < widths.Length ? cells[i].PadRight(widths[i]) : cells[i]);
            }
            return sb.ToString().TrimEnd();
        }

        private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

        /// <summary>A deviation: <c>0</c>, <c>3.47e-16</c>, <c>inf</c>.</summary>
        internal static string Dev(double v)
            => v == 0 ? "0" : double.IsPositiveInfinity(v) ? "inf" : double.IsNaN(v) ? "nan" : v.ToString("0.00e+00", CultureInfo.InvariantCulture);

        /// <summary>A value, exactly (round-trip).</summary>
        internal static string Num(double v) => AE.Runtime.NumberText.Of(v);


        /// <summary>
        /// <c>{"case", "law", "law_file", "problem", "dimension", "steps", "tolerance": {"rel", "abs"},
        /// "within", "columns": [{"column", "source", "max_abs", "max_abs_step", "max_rel", "max_rel_step",
        /// "failures", "first_failure": null | {"step", "expected", "actual"}, "within"}]}</c>. Non-finite
        /// numbers are the strings <c>"Infinity"</c>, <c>"-Infinity"</c>, <c>"NaN"</c>.
        /// </summary>
        public static void WriteJson(ReplaySummary summary, TextWriter stdout)
        {
            var report = summary.Report;
            Json.WriteIndented(stdout, json =>
            {
                json.WriteStartObject();
                json.WriteString("case", summary.Case.Name);
                json.WriteString("law", summary.Law);
                json.WriteString("law_file", summary.LawFile);
                json.WriteString("problem", summary.Case.ProblemKind);
                json.WriteNumber("dimension", summary.Case.Theta0.Length);
                json.WriteNumber("steps", report.Steps);
                json.WriteStartObject("tolerance");
                Json.Number(json, "rel", report.Tolerance.Rel);
                Json.Number(json, "abs", report.Tolerance.Abs);
                json.WriteEndObject();
                json.WriteBoolean("within", report.Within);
                json.WriteStartArray("columns");
                foreach (var c in report.Columns)
                {
                    json.WriteStartObject();
                    json.WriteString("column", c.Column);
                    json.WriteString("source", c.Source);
                    Json.Number(json, "max_abs", c.MaxAbs);
                    json.WriteNumber("max_abs_step", c.MaxAbsStep);
                    Json.Number(json, "max_rel", c.MaxRel);
                    json.WriteNumber("max_rel_step", c.MaxRelStep);
                    json.WriteNumber("failures", c.Failures);
                    if (c.Within) json.WriteNull("first_failure");
                    else
                    {
                        json.WriteStartObject("first_failure");
                        json.WriteNumber("step", c.FirstFailureStep);
                        Json.Number(json, "expected", c.FirstFailureExpected);
                        Json.Number(json, "actual", c.FirstFailureActual);
                        json.WriteEndObject();
                    }
                    json.WriteBoolean("within", c.Within);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }
    }
}
