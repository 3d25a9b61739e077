using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SkiaSharp;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae report</c>: the page of a run store, its plots, the page in a browser, and bad input as one line.</summary>
    public class ReportCommandTests
    {
        /// <summary>A run store with two runs of <c>ae run</c> (their steps stored) and an ablation of one seed (steps not stored): 2 + 8 runs.</summary>
        private static string MakeStore(TempDirectory dir)
        {
            foreach (var seed in new[] { "0", "1" })
            {
                var run = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "40", "--seed", seed, "--db", "runs.db");
                Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
            }
            var ablate = Cli.Run(dir.Path, "ablate", Repo.SgdmLaw, "--task", "quadratic", "--seeds", "1", "--steps", "20", "--baselines", "none", "--db", "runs.db");
            Assert.True(ablate.ExitCode == 0, ablate.Stdout + ablate.Stderr);
            return Path.Combine(dir.Path, "runs.db");
        }

        /// <summary>Runs <paramref name="sql"/> on the SQLite database at <paramref name="path"/> (created when missing).</summary>
        private static void Sql(string path, string sql)
        {
            using var connection = new SqliteConnection("Data Source=" + path + ";Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        /// <summary>
        /// A run that starts at an infinite loss: the store keeps inf (SQLite holds it; it wrote NULL for every non-finite
        /// number, which the page showed as a value that does not apply), NaN is NULL (SQLite has none) and the page shows
        /// nan for it in a non-finite run; a setting of 1e+200 is written with a lower-case exponent in the store and on the page.
        /// </summary>
        [Fact]
        public void Numbers_that_are_not_finite_are_stored_and_shown_as_what_they_are()
        {
            using var dir = new TempDirectory();
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            json["theta0"] = new System.Text.Json.Nodes.JsonArray(1e200, -1e200);
            File.WriteAllText(Path.Combine(dir.Path, "far.json"), json.ToJsonString());
            File.Copy(Path.ChangeExtension(Repo.Case("quadratic_2d"), ".csv"), Path.Combine(dir.Path, "far.csv"));
            var run = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--case", "far.json", "--name", "AeSgdmNoResonance", "--set", "loss_emergency=1e+200", "--db", "runs.db");
            Assert.Equal(1, run.ExitCode);
            string db = Path.Combine(dir.Path, "runs.db");
            var row = Experiments.Rows(db, "SELECT status, initial_loss, final_loss, auc, settings FROM runs").Single();
            Assert.Equal("non-finite", row[0]);
            Assert.Equal(double.PositiveInfinity, row[1]);
            Assert.Null(row[2]);
            Assert.Null(row[3]);
            Assert.Equal("{\"loss_emergency\":1e+200}", row[4]);

            var r = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            string html = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.Contains("<td>loss_emergency=1e+200</td>", html, StringComparison.Ordinal);
            Assert.Contains("<td class=\"num\">not reached</td><td class=\"num\">nan</td><td class=\"num\">nan</td><td class=\"num\">nan</td>", html, StringComparison.Ordinal);
        }

        [Fact]
        public void The_page_has_a_table_per_command_and_a_plot_per_run_with_steps()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir);
            byte[] before = File.ReadAllBytes(db);
            var r = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal(new[] { "wrote rep/index.html: 10 runs, 2 plotted" }, r.StdoutLines);
            Assert.Equal("", r.Stderr);
            Assert.Equal(before, File.ReadAllBytes(db));                                      // only read

            string html = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.Contains("<title>AE runs: runs.db</title>", html, StringComparison.Ordinal);
            Assert.Equal(2, Regex.Matches(html, "<table>").Count);                            // ae run; the ablation's batch
            Assert.Contains("<h2>ae run</h2>", html, StringComparison.Ordinal);
            Assert.Matches("<h2>ae ablate, batch ablate-[^<]+</h2>", html);
            Assert.Equal(Enumerable.Range(1, 10).Select(i => "row-" + i), Regex.Matches(html, "<tr id=\"(row-[0-9]+)\"").Select(m => m.Groups[1].Value));
            Assert.Contains("<td>AeSgdm</td><td>quadratic</td><td class=\"num\">1</td>", html, StringComparison.Ordinal);
            Assert.Equal(8, Regex.Matches(html, "<td>steps not stored</td>").Count);
            Assert.Equal(new[] { "run-1.png", "run-2.png" }, Regex.Matches(html, "<img src=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
            Assert.DoesNotContain("http", html, StringComparison.Ordinal);                    // nothing from the network
            Assert.DoesNotContain("<p class=\"batch\">", html, StringComparison.Ordinal);     // the ablation's batch is whole
            foreach (var id in new[] { 1, 2 })
                Plots.AssertPng(Path.Combine(dir.Path, "rep", "run-" + id + ".png"), AE.Cli.Plots.FigureRenderer.Width, 36 + 5 * 190 + 22);
        }

        /// <summary>
        /// A batch whose storing never ended (its process killed while storing, or the database failed) says so over its
        /// table and in the contents, with how many of its runs are stored; an interrupted one says what that leaves out.
        /// </summary>
        [Fact]
        public void A_batch_that_was_not_stored_whole_says_so()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir);
            Sql(db, "DELETE FROM runs WHERE id = (SELECT max(id) FROM runs WHERE batch IS NOT NULL); UPDATE batches SET state = 'storing', finished_at = NULL;");
            var r = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            string html = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.Contains("<p class=\"batch\">Incomplete: 7 of the batch&#39;s 8 runs are stored; the command storing them has not "
                + "recorded the last (it was killed, the database failed, or it is storing them still).</p>", html, StringComparison.Ordinal);
            Assert.Matches("<li><a href=\"#runs-ablate-[^\"]+\">ae ablate, batch ablate-[^<]+</a>: 7 runs \\(incomplete\\)</li>", html);

            Sql(db, "UPDATE batches SET state = 'interrupted';");
            r = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            html = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.Contains("<p class=\"batch\">Interrupted by Ctrl-C:", html, StringComparison.Ordinal);
            Assert.DoesNotContain("(incomplete)", html, StringComparison.Ordinal);
        }

        /// <summary>A store written before runs had keys (schema version 1, no run_key column) gives the same page.</summary>
        [Fact]
        public void A_store_of_schema_version_1_is_reported_too()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir);
            var current = Cli.Run(dir.Path, "report", "runs.db", "--out", "now");
            Sql(db, "DROP INDEX runs_by_key; ALTER TABLE runs DROP COLUMN run_key; DROP TABLE batches; PRAGMA user_version = 1;");
            var old = Cli.Run(dir.Path, "report", "runs.db", "--out", "old");
            Assert.True(old.ExitCode == 0, old.Stdout + old.Stderr);
            Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "now", "index.html")), File.ReadAllText(Path.Combine(dir.Path, "old", "index.html")));
            Assert.Equal(current.StdoutLines[0].Replace("now/", "old/", StringComparison.Ordinal), old.StdoutLines[0]);
        }

        [ChromiumFact]
        public void The_page_opens_in_headless_chromium_with_its_tables_and_images()
        {
            string browser = Chromium.Browser;
            using var dir = new TempDirectory();
            MakeStore(dir);
            var r = Cli.Run(dir.Path, "report", "runs.db");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            string folder = Path.Combine(dir.Path, ReportCommand.DefaultOut);
            string page = Path.Combine(folder, "index.html");

            // The DOM after loading: the title, and a row per stored run in the tables.
            string dom = Chromium.Run(browser, dir.Path, page, "--dump-dom");
            Assert.Contains("<title>AE runs: runs.db</title>", dom, StringComparison.Ordinal);
            Assert.Equal(10, Regex.Matches(dom, "<tr id=\"row-[0-9]+\"").Count);

            // Each image the page references loads in the browser: a probe page beside it, with the same
            // sources, writes every image's natural size once all have loaded.
            var sources = Regex.Matches(File.ReadAllText(page), "<img src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(2, sources.Count);
            string probe = Path.Combine(folder, "probe.html");
            File.WriteAllText(probe, "<!DOCTYPE html><html><body>" + string.Concat(sources.Select(s => "<img src=\"" + s + "\">"))
                + "<pre id=\"sizes\"></pre><script>window.addEventListener('load', () => { document.getElementById('sizes').textContent = "
                + "Array.from(document.images).map(i => i.getAttribute('src') + ' ' + i.naturalWidth + 'x' + i.naturalHeight).join(';'); });</script></body></html>");
            string sizes = Regex.Match(Chromium.Run(browser, dir.Path, probe, "--dump-dom"), "<pre id=\"sizes\">([^<]*)</pre>").Groups[1].Value;
            Assert.Equal(string.Join(";", sources.Select(s => s + " 900x" + (36 + 5 * 190 + 22))), sizes);

            // A screenshot of the page is not blank: the tables and the first plot's lines are drawn.
            string shot = Path.Combine(dir.Path, "shot.png");
            Chromium.Run(browser, dir.Path, page, "--screenshot=" + shot, "--window-size=1200,1600", "--hide-scrollbars");
            using var bitmap = SKBitmap.Decode(shot);
            Assert.NotNull(bitmap);
            Assert.Equal((1200, 1600), (bitmap.Width, bitmap.Height));
            int dark = Plots.Count(bitmap, c => c.Red + c.Green + c.Blue < 3 * 100);
            int blue = Plots.Count(bitmap, c => c.Blue > 150 && c.Red < 100);                 // the series' colour
            Assert.True(dark > 2000, "dark pixels (sampled): " + dark);
            Assert.True(blue > 50, "blue pixels (sampled): " + blue);
        }

        [Fact]
        public void Bad_input_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            var missing = Cli.Run(dir.Path, "report", "nope.db");
            Assert.Equal(2, missing.ExitCode);
            Assert.Equal(new[] { "ae: error: no database '" + Path.Combine(dir.Path, "nope.db") + "'" }, missing.StderrLines);
            Assert.False(File.Exists(Path.Combine(dir.Path, "nope.db")));                    // not created
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "report")));

            dir.Write("text.db", "not a database\n");
            var text = Cli.Run(dir.Path, "report", "text.db");
            Assert.Equal(2, text.ExitCode);
            Assert.Equal(new[] { "ae: error: '" + Path.Combine(dir.Path, "text.db") + "' is not a run store: not an SQLite database" }, text.StderrLines);

            Directory.CreateDirectory(Path.Combine(dir.Path, "runs"));
            var folder = Cli.Run(dir.Path, "report", "runs");
            Assert.Equal(2, folder.ExitCode);
            Assert.Equal(new[] { "ae: error: '" + Path.Combine(dir.Path, "runs") + "' is a folder; name the run store's file in it, such as " + Path.Combine(dir.Path, "runs", "ae-runs.db") }, folder.StderrLines);

            string other = Path.Combine(dir.Path, "other.db");
            Sql(other, "CREATE TABLE runs (id INTEGER);");
            var notStore = Cli.Run(dir.Path, "report", "other.db");
            Assert.Equal(2, notStore.ExitCode);
            Assert.Equal(new[] { "ae: error: '" + other + "' is not a run store: it has no runs and steps tables (ae run --db writes one)" }, notStore.StderrLines);

            var run = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "5", "--db", "runs.db");
            Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
            File.Copy(Path.Combine(dir.Path, "runs.db"), Path.Combine(dir.Path, "future.db"));
            Sql(Path.Combine(dir.Path, "future.db"), "PRAGMA user_version = 3;");
            var future = Cli.Run(dir.Path, "report", "future.db");
            Assert.Equal(2, future.ExitCode);
            Assert.Equal(new[] { "ae: error: the database '" + Path.Combine(dir.Path, "future.db") + "' has schema version 3; this ae reads versions 1 to 2" }, future.StderrLines);
            dir.Write("file", "a file where the folder would go\n");
            var unwritable = Cli.Run(dir.Path, "report", "runs.db", "--out", "file/report");
            Assert.Equal(2, unwritable.ExitCode);
            Assert.StartsWith("ae: error: cannot create the folder '" + Path.Combine(dir.Path, "file", "report") + "': ", Assert.Single(unwritable.StderrLines), StringComparison.Ordinal);

            // text where the store holds numbers (no writer leaves it): read as numbers it showed a final loss and an AUC of 0
            File.Copy(Path.Combine(dir.Path, "runs.db"), Path.Combine(dir.Path, "edited.db"));
            Sql(Path.Combine(dir.Path, "edited.db"), "UPDATE runs SET final_loss = 'zz';");
            var edited = Cli.Run(dir.Path, "report", "edited.db", "--out", "edited");
            Assert.Equal(2, edited.ExitCode);
            Assert.Equal(new[] { "ae: error: the run store '" + Path.Combine(dir.Path, "edited.db") + "' is damaged: run 1's final_loss is 'zz', not a number" }, edited.StderrLines);
            File.Copy(Path.Combine(dir.Path, "runs.db"), Path.Combine(dir.Path, "edited-steps.db"));
            Sql(Path.Combine(dir.Path, "edited-steps.db"), "UPDATE steps SET loss = 'abc' WHERE step = 3;");
            var steps = Cli.Run(dir.Path, "report", "edited-steps.db", "--out", "edited-steps");
            Assert.Equal(2, steps.ExitCode);
            Assert.Equal(new[] { "ae: error: the run store '" + Path.Combine(dir.Path, "edited-steps.db") + "' is damaged: the loss of run 1 at step 3 is 'abc', not a number" }, steps.StderrLines);

            var none = Cli.Run(dir.Path, "report");
            Assert.Equal(2, none.ExitCode);
            Assert.Equal(new[] { "ae: error: no database; name the run store to report on, such as ae-runs.db. Run 'ae report --help'" }, none.StderrLines);
            var two = Cli.Run(dir.Path, "report", "runs.db", "more.db");
            Assert.Equal(2, two.ExitCode);
            Assert.Equal(new[] { "ae: error: unexpected argument 'more.db'. Run 'ae report --help'" }, two.StderrLines);
            var unknown = Cli.Run(dir.Path, "report", "runs.db", "--format", "json");
            Assert.Equal(2, unknown.ExitCode);
            Assert.Single(unknown.StderrLines);
        }

        /// <summary>A report replaces its own page and plots, and refuses a folder whose page or plots it did not write.</summary>
        [Fact]
        public void Files_another_program_wrote_in_the_folder_are_kept()
        {
            using var dir = new TempDirectory();
            MakeStore(dir);
            dir.Write("mine/index.html", "<html>my own page</html>\n");
            var page = Cli.Run(dir.Path, "report", "runs.db", "--out", "mine");
            Assert.Equal(2, page.ExitCode);
            Assert.Equal(new[] { "ae: error: 'mine/index.html' was not written by ae report, which would replace it; choose another --out folder" }, page.StderrLines);
            Assert.Equal("<html>my own page</html>\n", File.ReadAllText(Path.Combine(dir.Path, "mine", "index.html")));
            Assert.False(File.Exists(Path.Combine(dir.Path, "mine", "run-1.png")));

            // ae run --out's plot of run 1 of another store
            var run = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "10", "--db", "other.db", "--out", "plots");
            Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
            byte[] plot = File.ReadAllBytes(Path.Combine(dir.Path, "plots", "run-1.png"));
            var plots = Cli.Run(dir.Path, "report", "runs.db", "--out", "plots");
            Assert.Equal(2, plots.ExitCode);
            Assert.Equal(new[] { "ae: error: 'plots/run-1.png' was not written by ae report, which would replace it; choose another --out folder" }, plots.StderrLines);
            Assert.Equal(plot, File.ReadAllBytes(Path.Combine(dir.Path, "plots", "run-1.png")));
            Assert.False(File.Exists(Path.Combine(dir.Path, "plots", "index.html")));

            // its own folder, twice
            foreach (var _ in new[] { 1, 2 })
            {
                var again = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
                Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
                Assert.Equal(new[] { "wrote rep/index.html: 10 runs, 2 plotted" }, again.StdoutLines);
            }
        }

        /// <summary>
        /// A store whose writer was killed mid-write holds a hot journal, which only a connection that may write can roll
        /// back: the report called it "not a run store: SQLite Error 8: attempt to write a readonly database". It rolls it
        /// back (the store as it was before the unfinished write) and reports. The killed writer is made here by copying
        /// the files of a write in progress whose changes spilled into the database file.
        /// </summary>
        [Fact]
        public void A_store_a_killed_writer_left_is_rolled_back_and_reported()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir), copy = Path.Combine(dir.Path, "killed.db");
            using (var connection = new SqliteConnection("Data Source=" + db + ";Pooling=False"))
            {
                connection.Open();
                using var transaction = connection.BeginTransaction();
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "PRAGMA cache_size = 1; UPDATE runs SET final_loss = 12345; DELETE FROM steps;";
                command.ExecuteNonQuery();
                Assert.True(File.Exists(db + "-journal"));
                File.Copy(db, copy);
                File.Copy(db + "-journal", copy + "-journal");
                transaction.Rollback();
            }
            var r = Cli.Run(dir.Path, "report", "killed.db", "--out", "rep");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal(new[] { "wrote rep/index.html: 10 runs, 2 plotted" }, r.StdoutLines);
            Assert.False(File.Exists(copy + "-journal"));
            Assert.DoesNotContain("12345", File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html")), StringComparison.Ordinal);
        }

        /// <summary>
        /// A folder with an earlier report's page is the report's only for the plots that page names: <c>ae run --out</c>'s
        /// plot written there since was replaced without a word. A later report replaces the page and its plots: those of
        /// runs it no longer shows are removed, the files of others kept.
        /// </summary>
        [Fact]
        public void A_plot_written_into_a_report_folder_by_another_command_is_kept_and_stale_plots_go()
        {
            using var dir = new TempDirectory();
            MakeStore(dir);
            var first = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
            var run = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "10", "--seed", "5", "--db", "runs.db", "--out", "rep");
            Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
            byte[] plot = File.ReadAllBytes(Path.Combine(dir.Path, "rep", "run-11.png"));
            var refused = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.Equal(2, refused.ExitCode);
            Assert.Equal(new[] { "ae: error: 'rep/run-11.png' was not written by ae report, which would replace it; choose another --out folder" }, refused.StderrLines);
            Assert.Equal(plot, File.ReadAllBytes(Path.Combine(dir.Path, "rep", "run-11.png")));

            // a store with one plotted run: run-2.png of the earlier page goes, notes.txt stays
            File.Copy(Path.Combine(dir.Path, "runs.db"), Path.Combine(dir.Path, "one.db"));
            Sql(Path.Combine(dir.Path, "one.db"), "DELETE FROM steps WHERE run_id <> 1;");
            dir.Write("other/notes.txt", "mine\n");
            Assert.Equal(0, Cli.Run(dir.Path, "report", "runs.db", "--out", "other").ExitCode);
            Assert.True(File.Exists(Path.Combine(dir.Path, "other", "run-2.png")));
            var fewer = Cli.Run(dir.Path, "report", "one.db", "--out", "other");
            Assert.True(fewer.ExitCode == 0, fewer.Stdout + fewer.Stderr);
            Assert.True(File.Exists(Path.Combine(dir.Path, "other", "run-1.png")));
            Assert.False(File.Exists(Path.Combine(dir.Path, "other", "run-2.png")));
            Assert.Equal("mine\n", File.ReadAllText(Path.Combine(dir.Path, "other", "notes.txt")));
        }

        /// <summary>
        /// A report that fails part way into a folder with an earlier report's page keeps that page and adds the plots it
        /// wrote to it (a comment at its end), so the next report knows them for its own; a page's other text that reads
        /// like a plot's name (the database's path) does not make a user's file the report's.
        /// </summary>
        [Fact]
        public void A_report_that_fails_beside_an_earlier_page_adds_its_plots_to_it_and_only_named_plots_are_ours()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir);
            File.Copy(db, Path.Combine(dir.Path, "two.db"));
            Sql(Path.Combine(dir.Path, "two.db"), "DELETE FROM steps WHERE run_id = 1;");
            File.Copy(db, Path.Combine(dir.Path, "bad.db"));
            Sql(Path.Combine(dir.Path, "bad.db"), "UPDATE steps SET signals = 'notjson' WHERE run_id = 2;");
            Assert.Equal(0, Cli.Run(dir.Path, "report", "two.db", "--out", "rep").ExitCode);   // its page shows run-2.png only
            var failed = Cli.Run(dir.Path, "report", "bad.db", "--out", "rep");                 // writes run-1.png, then fails at run 2
            Assert.Equal(2, failed.ExitCode);
            string page = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.EndsWith("<!-- ae report also wrote: run-1.png -->\n", page, StringComparison.Ordinal);
            var again = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);

            // a store named like a plot: its name is on the page, and a user's run-3.png beside it stays theirs
            File.Copy(db, Path.Combine(dir.Path, "run-3.png.db"));
            Assert.Equal(0, Cli.Run(dir.Path, "report", "run-3.png.db", "--out", "named").ExitCode);
            dir.Write("named/run-3.png", "mine");
            Assert.Equal(0, Cli.Run(dir.Path, "report", "run-3.png.db", "--out", "named").ExitCode);
            Assert.Equal("mine", File.ReadAllText(Path.Combine(dir.Path, "named", "run-3.png")));
        }

        /// <summary>
        /// Ctrl-C writes no report page and exits 130; the page it leaves says so and marks the folder as the report's, so that
        /// the same command again finishes it (the plots alone were taken for another program's files and refused).
        /// </summary>
        [Fact]
        public void Ctrl_C_writes_no_page_and_exits_130_and_the_same_command_finishes_it()
        {
            using var dir = new TempDirectory();
            MakeStore(dir);
            using var cts = new System.Threading.CancellationTokenSource();
            cts.Cancel();
            var r = Experiments.Run(dir.Path, cts.Token, null, "report", "runs.db", "--out", "rep");
            Assert.Equal(130, r.ExitCode);
            Assert.Equal(new[] { "ae: interrupted; the page was not written (0 plots written in rep, and a page that says so; the same command again writes it)" }, r.StderrLines);
            string page = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.Contains("was interrupted after 0 plots", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<table>", page, StringComparison.Ordinal);
            var again = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
            Assert.Equal(new[] { "wrote rep/index.html: 10 runs, 2 plotted" }, again.StdoutLines);
        }

        /// <summary>
        /// A store that fails to read after some plots were written (a damaged step of its second run) leaves a page saying so: the
        /// plots alone made the next report into the folder refuse it as another program's files ("not written by ae report").
        /// </summary>
        [Fact]
        public void A_report_that_fails_part_way_marks_its_folder_so_that_the_next_report_writes_there()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir);
            File.Copy(db, Path.Combine(dir.Path, "bad.db"));
            Sql(Path.Combine(dir.Path, "bad.db"), "UPDATE steps SET signals = 'notjson' WHERE run_id = 2;");
            // JSON, but not the object of signals a step holds: one line too (it was an internal error), and the mark
            File.Copy(db, Path.Combine(dir.Path, "array.db"));
            Sql(Path.Combine(dir.Path, "array.db"), "UPDATE steps SET signals = '[]' WHERE run_id = 2;");
            var array = Cli.Run(dir.Path, "report", "array.db", "--out", "rep-array");
            Assert.Equal(2, array.ExitCode);
            Assert.StartsWith("ae: error: cannot read the run store ", Assert.Single(array.StderrLines), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir.Path, "rep-array", "index.html")));

            var failed = Cli.Run(dir.Path, "report", "bad.db", "--out", "rep");

            Assert.Equal(2, failed.ExitCode);
            Assert.StartsWith("ae: error: cannot read the run store ", Assert.Single(failed.StderrLines), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir.Path, "rep", "run-1.png")));
            string page = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.Contains("</code> failed (cannot read the run store ", page, StringComparison.Ordinal);
            Assert.Contains(") after 1 plot; run <code>ae report</code> again to write it.", page, StringComparison.Ordinal);

            var again = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
            Assert.Equal(new[] { "wrote rep/index.html: 10 runs, 2 plotted" }, again.StdoutLines);
        }

        /// <summary>A batch of which no run is stored (storing failed at its first, or it was interrupted before any ran) still has its section and note.</summary>
        [Fact]
        public void A_batch_with_no_stored_run_still_says_what_happened()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir);
            Sql(db, "DELETE FROM runs WHERE batch IS NOT NULL; UPDATE batches SET state = 'storing', finished_at = NULL;");
            var r = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            string html = File.ReadAllText(Path.Combine(dir.Path, "rep", "index.html"));
            Assert.Matches("<h2>ae ablate, batch ablate-[^<]+</h2>\\n<p class=\"batch\">Incomplete: 0 of the batch&#39;s 8 runs are stored;", html);
        }

        /// <summary>A store another process holds locked is said to be locked, not "not a run store".</summary>
        [Fact]
        public void A_locked_store_is_said_to_be_locked()
        {
            using var dir = new TempDirectory();
            string db = MakeStore(dir);
            using var holder = new SqliteConnection("Data Source=" + db + ";Pooling=False");
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                begin.ExecuteNonQuery();
            }
            var r = Cli.Run(dir.Path, "report", "runs.db", "--out", "rep");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the run store '" + db + "' is locked by another process (waited 30 s); try again once it is done" }, r.StderrLines);
        }

        [Fact]
        public void Help_describes_the_command()
        {
            var r = Cli.Run(Path.GetTempPath(), "report", "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("  ae report <db> [options]", r.StdoutLines);
            Assert.Contains(r.StdoutLines, l => l.TrimStart().StartsWith("--out <DIR>", StringComparison.Ordinal));
            Assert.Contains(Cli.Run(Path.GetTempPath(), "--help").StdoutLines, l => l.StartsWith("  report ", StringComparison.Ordinal));
        }
    }
}
