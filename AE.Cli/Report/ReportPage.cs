using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AE.Engine;
using AE.Runtime;

namespace AE.Cli.Report
{
    /// <summary>A run's plot as the page shows it: the PNG's name beside index.html and its size in pixels.</summary>
    internal sealed record ReportPlot(string FileName, int Width, int Height);

    /// <summary>
    /// The HTML of <c>ae report</c>: one standalone page (inline style, no script, nothing fetched from the
    /// network) with a table of the runs per command and batch, and under each table the plots of its runs
    /// that have stored steps, as PNG files beside the page.
    /// </summary>
    internal static class ReportPage
    {
        private const string Style = @"
body { font-family: 'DejaVu Sans', sans-serif; margin: 1.5em; color: #111; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.accepted td.status { color: #1a7f37; } tr.diverged td.status, tr.non-finite td.status { color: #c62828; }
figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #444; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
";

        /// <summary>The mark in every page's head by which a later report knows the page, and its folder, as its own.</summary>
        public const string GeneratorMark = "<meta name=\"generator\" content=\"ae report\">";

        /// <summary>The page for the runs of <paramref name="database"/> (as the page names it), with the plots of those in <paramref name="plots"/>.</summary>
        /// <param name="batches">how each batch's storing ended, where the store records it: a batch that is not whole says so over its table</param>
        public static string Html(string database, IReadOnlyList<StoredRun> runs, IReadOnlyDictionary<string, StoredBatch> batches, IReadOnlyDictionary<long, ReportPlot> plots)
        {
            var html = new StringBuilder();
            string title = "AE runs: " + System.IO.Path.GetFileName(database);
            html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n").Append(GeneratorMark).Append("\n<title>").Append(E(title)).Append("</title>\n<style>")
                .Append(Style).Append("</style>\n</head>\n<body>\n<h1>").Append(E(title)).Append("</h1>\n");
            var groups = runs.GroupBy(r => (r.Command, r.Batch)).ToList();
            html.Append("<p>").Append(Count(runs.Count, "run")).Append(" stored in <code>").Append(E(database)).Append("</code>, in ").Append(Count(groups.Count, "table"))
                .Append("; the ").Append(Count(plots.Count, "run")).Append(" whose steps are stored ").Append(plots.Count == 1 ? "is" : "are")
                .Append(" plotted under ").Append(groups.Count == 1 ? "it" : "their tables")
                .Append(" (the loss on a log axis, and alpha, mu, sigma, gamma over the steps).</p>\n");
            if (groups.Count > 1)
            {
                html.Append("<ul class=\"contents\">\n");
                foreach (var group in groups)
                    html.Append("<li><a href=\"#").Append(Anchor(group.Key)).Append("\">").Append(E(Heading(group.Key))).Append("</a>: ").Append(Count(group.Count(), "run"))
                        .Append(Of(batches, group.Key.Batch)?.State == BatchState.Storing ? " (incomplete)" : "").Append("</li>\n");
                html.Append("</ul>\n");
            }
            foreach (var group in groups)
            {
                html.Append("<section id=\"").Append(Anchor(group.Key)).Append("\">\n<h2>").Append(E(Heading(group.Key))).Append("</h2>\n");
                if (BatchNote(Of(batches, group.Key.Batch), group.Count()) is string note) html.Append("<p class=\"batch\">").Append(E(note)).Append("</p>\n");
                AppendTable(html, group.ToList(), plots);
                foreach (var run in group)
                {
                    if (!plots.TryGetValue(run.Id, out var plot)) continue;
                    string caption = RunTitle(run);
                    html.Append("<figure id=\"run-").Append(Int(run.Id)).Append("\">\n<img src=\"").Append(E(plot.FileName)).Append("\" width=\"").Append(Int(plot.Width))
                        .Append("\" height=\"").Append(Int(plot.Height)).Append("\" alt=\"").Append(E(caption)).Append("\">\n<figcaption>").Append(E(caption))
                        .Append("</figcaption>\n</figure>\n");
                }
                html.Append("</section>\n");
            }
            // A batch that is not whole and of which no run is stored has no table: it still says what happened to it.
            foreach (var batch in batches.Values.Where(b => b.State != BatchState.Complete && !runs.Any(r => r.Batch == b.Batch)))
            {
                var key = (batch.Command, (string?)batch.Batch);
                html.Append("<section id=\"").Append(Anchor(key)).Append("\">\n<h2>").Append(E(Heading(key))).Append("</h2>\n");
                if (BatchNote(batch, 0) is string note) html.Append("<p class=\"batch\">").Append(E(note)).Append("</p>\n");
                html.Append("</section>\n");
            }
            if (runs.Count == 0) html.Append("<p>The database holds no runs.</p>\n");
            html.Append("</body>\n</html>\n");
            return html.ToString();
        }

        private static StoredBatch? Of(IReadOnlyDictionary<string, StoredBatch> batches, string? batch)
            => batch is not null && batches.TryGetValue(batch, out var b) ? b : null;

        /// <summary>What the page says over a batch's table that is not the whole batch (null for a whole one, or one the store has no record of).</summary>
        private static string? BatchNote(StoredBatch? batch, int stored) => batch?.State switch
        {
            BatchState.Storing => "Incomplete: " + Int(stored) + " of the batch's " + Count(batch.Runs, "run") + (stored == 1 ? " is" : " are") + " stored; the command storing them has not "
                + "recorded the last (it was killed, the database failed, or it is storing them still).",
            BatchState.Interrupted => "Interrupted by Ctrl-C: runs it cut short have the status interrupted, and runs it kept from starting are not stored.",
            BatchState.Stopped => "The cluster was lost: the runs that had finished are stored, the others are not.",
            _ => null,
        };

        /// <summary>The page an interrupted report leaves where there was none: it marks the folder as the report's.</summary>
        /// <param name="why">what stopped it: null for Ctrl-C, else the error's line</param>
        /// <param name="plots">the plot files it wrote, which the page lists so that the next report knows them for its own</param>
        public static string Unfinished(string database, IReadOnlyList<string> plots, string? why = null)
            => "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" + GeneratorMark + "\n<title>AE runs: " + E(System.IO.Path.GetFileName(database))
               + (why is null ? " (interrupted)" : " (failed)") + "</title>\n</head>\n<body>\n<p>The report of <code>" + E(database) + "</code> "
               + (why is null ? "was interrupted" : "failed (" + E(why) + ")") + " after " + Count(plots.Count, "plot")
               + "; run <code>ae report</code> again to write it.</p>\n</body>\n</html>\n" + PlotsComment(plots);

        /// <summary>How the comment that lists an unfinished report's plots begins.</summary>
        private const string PlotsCommentLead = "ae report also wrote: ";

        /// <summary>The names of plots a report wrote, as a comment at the end of its page (what <c>ae report</c> reads back to know its own files).</summary>
        public static string PlotsComment(IEnumerable<string> plots)
        {
            var names = plots.ToList();
            return names.Count == 0 ? "" : "<!-- " + PlotsCommentLead + string.Join(" ", names) + " -->\n";
        }

        /// <summary>
        /// The plots a page this class wrote shows (its figures' <c>img src</c>) or lists (<see cref="PlotsComment"/>). Only
        /// those: a database path or a setting on the page may read like a plot's name.
        /// </summary>
        public static HashSet<string> PlotsNamed(string pageText)
        {
            var names = Regex.Matches(pageText, "<img src=\"(run-[0-9]+\\.png)\"").Select(m => m.Groups[1].Value);
            foreach (Match list in Regex.Matches(pageText, "<!-- " + PlotsCommentLead + "([^>]*) -->"))
                names = names.Concat(list.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(n => Regex.IsMatch(n, "^run-[0-9]+\\.png$")));
            return names.ToHashSet(StringComparer.Ordinal);
        }

        /// <summary>A run as its plot's title and caption name it.</summary>
        public static string RunTitle(StoredRun run)
            => "run " + Int(run.Id) + ": " + run.Law + " on " + run.Task + ", seed " + Int(run.Seed) + " (ae " + run.Command + ", " + run.Status + ")";

        private static readonly string[] Columns =
        {
            "run", "started (UTC)", "law", "task", "seed", "settings", "ablated", "status", "steps / budget", "steps to target", "final loss", "above the optimum", "AUC of log loss", "incidents", "plot",
        };

        private static void AppendTable(StringBuilder html, IReadOnlyList<StoredRun> runs, IReadOnlyDictionary<long, ReportPlot> plots)
        {
            html.Append("<table>\n<thead><tr>");
            foreach (var column in Columns) html.Append("<th>").Append(E(column)).Append("</th>");
            html.Append("</tr></thead>\n<tbody>\n");
            foreach (var run in runs)
            {
                html.Append("<tr id=\"row-").Append(Int(run.Id)).Append("\" class=\"").Append(E(run.Status)).Append("\">");
                Cell(html, Int(run.Id), "num");
                Cell(html, run.StartedAt.Replace('T', ' ').TrimEnd('Z'));
                Cell(html, run.Law);
                Cell(html, run.Task);
                Cell(html, Int(run.Seed), "num");
                Cell(html, Settings(run.Settings));
                Cell(html, run.Ablated);
                Cell(html, run.Status, "status");
                Cell(html, Int(run.StepsTaken) + " / " + Int(run.Budget), "num");
                Cell(html, run.StepsToTarget is long s ? Int(s) : "not reached", "num");
                // NaN is stored as NULL (SQLite has no NaN): in a run that stopped on a value that is not finite, that is what it was.
                string? notANumber = run.Status == "non-finite" ? "nan" : null;
                Cell(html, G(run.FinalLoss, notANumber), "num");
                Cell(html, run.OptimumLoss is double o && run.FinalLoss is double f ? G(f - o) : notANumber ?? "—", "num");
                Cell(html, G(run.Auc, notANumber), "num");
                Cell(html, Int(run.Incidents), "num");
                if (plots.ContainsKey(run.Id)) html.Append("<td><a href=\"#run-").Append(Int(run.Id)).Append("\">plot</a></td>");
                else Cell(html, run.StepsStored ? "no steps" : "steps not stored");
                html.Append("</tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }

        private static void Cell(StringBuilder html, string text, string? cssClass = null)
        {
            html.Append("<td");
            if (cssClass is not null) html.Append(" class=\"").Append(cssClass).Append('"');
            html.Append('>').Append(E(text)).Append("</td>");
        }

        /// <summary>The settings object as <c>name=value, ...</c> (the JSON text as stored when it is not an object).</summary>
        private static string Settings(string json)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return json;
                return string.Join(", ", doc.RootElement.EnumerateObject().Select(p => p.Name + "=" + p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Number when p.Value.TryGetDouble(out var d) => NumberText.Of(d),
                    _ => p.Value.GetRawText(),
                }));
            }
            catch (JsonException)
            {
                return json;
            }
        }

        private static string Heading((string Command, string? Batch) key) => "ae " + key.Command + (key.Batch is null ? "" : ", batch " + key.Batch);

        private static string Anchor((string Command, string? Batch) key)
            => "runs-" + new string((key.Command + (key.Batch is null ? "" : "-" + key.Batch)).Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());

        private static string Count(long n, string noun) => Int(n) + " " + noun + (n == 1 ? "" : "s");

        private static string G(double? v, string? whenNull = null) => v is double d ? NumberText.Of(d, "G6") : whenNull ?? "—";

        private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

        private static string E(string text) => WebUtility.HtmlEncode(text);
    }
}
