using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Experiments;
using AE.Cli.Plots;
using AE.Cli.Report;
using Microsoft.Data.Sqlite;

namespace AE.Cli
{
    /// <summary>What <c>ae report</c> is asked to do: the run store to read and the folder to write the page into (both absolute).</summary>
    public sealed record ReportOptions(string Database, string OutDir);

    /// <summary>
    /// <c>ae report &lt;db&gt; [--out DIR]</c>: reads a run store (<see cref="RunStore"/>) without changing it and
    /// writes one HTML page, <c>DIR/index.html</c> (default DIR: <c>report</c> in the current folder), with a
    /// table of the stored runs per command and batch and a plot (<c>DIR/run-ID.png</c>) of every run whose steps
    /// are stored. The page needs no network.
    /// </summary>
    public static class ReportCommand
    {
        public const string Name = "report";

        /// <summary>The folder the page goes into without <c>--out</c>, in the current folder.</summary>
        public const string DefaultOut = "report";

        /// <summary>The page's name in the folder.</summary>
        public const string PageFile = "index.html";

        public static CommandSpec Command { get; } = new(Name, "Write an HTML page of the runs in a run store: a table per command, a plot per run", Run)
        {
            StopsOnInterrupt = true,
            Arguments = new ArgumentSpec("db", "The run store, such as ae-runs.db (only read).", "empty database name") { Usage = "<db>" },
            Options = new[]
            {
                new OptionSpec("--out", "a folder for index.html and the plots",
                    "The folder for index.html and the plots (default: report in the current folder; created when missing).") { HelpName = "DIR" },
            },
            Details = new[]
            {
                "Reads a run store (the SQLite database that ae run, ablate, sweep, swarm and",
                "train write; it is only read) and writes one HTML page, DIR/index.html: a table",
                "of the runs per command and batch (law, task, seed, settings, ablated rules,",
                "status, steps, steps to target, final loss, its gap above the optimum, AUC,",
                "incidents) and, under each table, a plot of every run whose steps are stored",
                "(DIR/run-ID.png: the loss' gap above the optimum on a log axis where the",
                "task's optimum is known, else the loss, on a log axis when it stays positive;",
                "alpha, mu, sigma, gamma; all over the steps). The page fetches nothing from",
                "the network: open it from the folder.",
                "",
                "Exit codes: 0 page written; 2 bad input (no such database, a file that is not",
                "a run store, a folder that cannot be written); 3 internal error.",
            },
        };

        private static int Run(CommandInput input, CliContext context) => Run(ToOptions(input, context), context);

        /// <summary>The options of a parsed command line: the database and the folder, made absolute.</summary>
        internal static ReportOptions ToOptions(CommandInput parsed, CliContext context)
        {
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no database; name the run store to report on, such as ae-runs.db", Name);
            if (parsed.Positionals.Count > 1) throw CliException.BadUsage("unexpected argument '" + parsed.Positionals[1] + "'", Name);
            return new ReportOptions(Path.GetFullPath(parsed.Positionals[0], context.CurrentDirectory),
                Path.GetFullPath(parsed.Value("--out") ?? DefaultOut, context.CurrentDirectory));
        }

        /// <summary>Writes the report; returns the exit code.</summary>
        public static int Run(ReportOptions options, CliContext context)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            if (context is null) throw new ArgumentNullException(nameof(context));
            using var store = StoredRuns.Open(options.Database);
            var runs = Read(options.Database, store.Runs);
            var batches = Read(options.Database, store.Batches);
            var reportable = runs.Where(r => r.StepsStored && r.StepsTaken > 0).ToList();
            var earlier = KeepOthersFiles(options.OutDir, reportable.Select(r => PlotFile(r.Id)), context);
            OutputFiles.CreateFolder(options.OutDir);

            var plots = new Dictionary<long, ReportPlot>();
            string page = Path.Combine(options.OutDir, PageFile);
            try
            {
                foreach (var run in reportable)
                {
                    if (context.Cancellation.IsCancellationRequested) return Interrupted(options, plots, context);
                    var steps = Read(options.Database, () => store.Steps(run.Id, RunFigure.PlottedSignals.Where(run.SignalNames.Contains).ToList()));
                    if (steps.Loss.Length == 0) continue;
                    var figure = RunFigure.Of(ReportPage.RunTitle(run), steps.Loss, run.OptimumLoss, name => steps.Signals.TryGetValue(name, out var v) ? v : null,
                        steps.First, run.Command == TrainCommand.Name ? "epoch" : "step");
                    string file = PlotFile(run.Id);
                    PlotFiles.WritePng(Path.Combine(options.OutDir, file), figure);
                    plots.Add(run.Id, new ReportPlot(file, FigureRenderer.Width, FigureRenderer.Height(figure)));
                }

                if (context.Cancellation.IsCancellationRequested) return Interrupted(options, plots, context);
                byte[] html = new UTF8Encoding(false).GetBytes(ReportPage.Html(Experiment.Display(options.Database, context.CurrentDirectory), runs, batches, plots));
                OutputFiles.WriteBytes(page, html);
                RemoveStalePlots(options.OutDir, earlier, plots.Values.Select(p => p.FileName));
            }
            catch (CliException ex) when (plots.Count > 0)
            {
                // The plots so far would read as another program's files to the next report into this folder: mark it as ours.
                TryMarkUnfinished(options, plots, context, ex.Message);
                throw;
            }
            context.Stdout.WriteLine("wrote " + Experiment.Display(page, context.CurrentDirectory) + ": " + Plural.Count(runs.Count, "run")
                + ", " + plots.Count.ToString(CultureInfo.InvariantCulture) + " plotted");
            return ExitCodes.Success;
        }

        /// <summary>
        /// Ctrl-C before the page was written: the plots so far stay, and an earlier page, if any, is as it was. Where there
        /// was none, a page saying the report was interrupted marks the folder as the report's, so that the same command
        /// again finishes it (the plots alone would read as another program's files).
        /// </summary>
        private static int Interrupted(ReportOptions options, IReadOnlyDictionary<long, ReportPlot> plots, CliContext context)
        {
            bool earlier = MarkUnfinished(options, plots, context, why: null);
            context.Stderr.WriteLine("ae: interrupted; the page was not written (" + Plural.Count(plots.Count, "plot") + " written in "
                + Experiment.Display(options.OutDir, context.CurrentDirectory)
                + (earlier ? ", beside the earlier page" : ", and a page that says so") + "; the same command again writes it)");
            return ExitCodes.Interrupted;
        }

        /// <summary>
        /// Marks the plots written so far as the report's, for the next report into the folder (<see cref="KeepOthersFiles"/>):
        /// where there is no page yet, a page saying the report stopped (Ctrl-C, or the error <paramref name="why"/>) that
        /// lists them; where an earlier report's page is, it stays as it was, with their names added at its end in a
        /// comment. Returns whether there was an earlier page.
        /// </summary>
        private static bool MarkUnfinished(ReportOptions options, IReadOnlyDictionary<long, ReportPlot> plots, CliContext context, string? why)
        {
            string page = Path.Combine(options.OutDir, PageFile);
            var files = plots.Values.Select(p => p.FileName).ToList();
            if (!File.Exists(page))
            {
                OutputFiles.WriteBytes(page, new UTF8Encoding(false).GetBytes(ReportPage.Unfinished(Experiment.Display(options.Database, context.CurrentDirectory), files, why)));
                return false;
            }
            if (files.Count > 0 && IsReportPage(page))
            {
                try
                {
                    File.AppendAllText(page, ReportPage.PlotsComment(files), new UTF8Encoding(false));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new CliException("cannot write '" + page + "': " + ex.Message, ex);
                }
            }
            return true;
        }

        /// <summary>The mark after a failure, which it must not replace: where even the mark cannot be written, the failure is what is said.</summary>
        private static void TryMarkUnfinished(ReportOptions options, IReadOnlyDictionary<long, ReportPlot> plots, CliContext context, string why)
        {
            try
            {
                MarkUnfinished(options, plots, context, why);
            }
            catch (CliException)
            {
            }
        }

        /// <summary>The plot of run <paramref name="id"/>, in the report's folder.</summary>
        private static string PlotFile(long id) => "run-" + id.ToString(CultureInfo.InvariantCulture) + ".png";

        /// <summary>
        /// Refuses a folder that holds files the report would replace and that an earlier report did not write. A page of
        /// its own there (one that carries <see cref="ReportPage.GeneratorMark"/>) is replaced, with the plots it names (its
        /// figures, or the list of an interrupted report); any other existing plot is someone else's, such as
        /// <c>ae run --out</c>'s <c>run-2.png</c> written into the folder after a report, as is an <c>index.html</c> of another program.
        /// </summary>
        /// <returns>the plots the earlier page names (empty where there is none)</returns>
        private static IReadOnlySet<string> KeepOthersFiles(string dir, IEnumerable<string> plots, CliContext context)
        {
            string page = Path.Combine(dir, PageFile);
            var ours = File.Exists(page) && IsReportPage(page) ? PlotsNamedIn(page) : null;
            var candidates = ours is null ? new[] { PageFile }.Concat(plots) : plots.Where(p => !ours.Contains(p));
            if (OutputFiles.FirstExisting(dir, candidates, context) is string taken)
                throw new CliException("'" + taken + "' was not written by ae report, which would replace it; choose another --out folder");
            return ours ?? new HashSet<string>(StringComparer.Ordinal);
        }

        /// <summary>
        /// The plots of the earlier page that the new one does not show (runs no longer in the store, or no longer plotted):
        /// the new page replaces the old with its plots, as the README says. Only files the earlier page named are touched.
        /// </summary>
        private static void RemoveStalePlots(string dir, IReadOnlySet<string> earlier, IEnumerable<string> written)
        {
            var now = written.ToHashSet(StringComparer.Ordinal);
            foreach (var stale in earlier.Where(p => !now.Contains(p)))
            {
                try
                {
                    File.Delete(Path.Combine(dir, stale));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A stale plot that cannot be removed is left: the page no longer shows it.
                }
            }
        }

        /// <summary>The plot files an earlier report's page names (<see cref="ReportPage.PlotsNamed"/>).</summary>
        private static HashSet<string> PlotsNamedIn(string page)
        {
            try
            {
                return ReportPage.PlotsNamed(File.ReadAllText(page));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot read '" + page + "': " + ex.Message, ex);
            }
        }

        /// <summary>Whether the file at <paramref name="path"/> is a page an earlier report wrote (its head carries the mark).</summary>
        private static bool IsReportPage(string path)
        {
            try
            {
                using var stream = File.OpenRead(path);
                var head = new byte[4096];
                int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
                return Encoding.UTF8.GetString(head, 0, n).Contains(ReportPage.GeneratorMark, StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot read '" + path + "': " + ex.Message, ex);
            }
        }

        /// <summary>Runs a query of the store; a database it cannot read (damaged, or changed under it) is one line.</summary>
        private static T Read<T>(string database, Func<T> query)
        {
            try
            {
                return query();
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 5)
            {
                throw StoredRuns.Locked(database, ex);
            }
            catch (Exception ex) when (ex is SqliteException or JsonException or InvalidCastException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new CliException("cannot read the run store '" + database + "': " + ex.Message.Replace('\n', ' '), ex);
            }
        }
    }
}
