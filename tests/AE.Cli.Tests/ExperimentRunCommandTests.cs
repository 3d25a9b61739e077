using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae experiment run</c>: items D and F run small (few steps, one or two seeds), write their files and say a verdict; the rest are one line.</summary>
    public class ExperimentRunCommandTests
    {
        private static string PhaseLaw => Path.Combine(Repo.Laws, "ae_sgdm_phase.ae");

        private static readonly string[] Verdicts = { "held", "did not hold", "not testable here" };

        /// <summary>The files in <paramref name="folder"/> are the ones the item says it writes, which its refusal to overwrite checks.</summary>
        private static void AssertWroteItsNames(string id, string folder)
            => Assert.Equal(ExperimentRun.FileNames(id).Order(StringComparer.Ordinal), Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        [Fact]
        public void F_writes_its_grid_and_gives_the_same_table_for_the_same_seeds()
        {
            using var dir = new TempDirectory();
            string[] Args(string output) => new[] { "experiment", "run", "F", "--seeds", "1", "--steps", "40", "--law", PhaseLaw, "--out", output };
            // Output folders named so that no other part of a path (the clone's, the temporary folder's) contains them.
            var first = Cli.Run(dir.Path, Args("first-run-out"));
            Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
            var second = Cli.Run(dir.Path, Args("second-run-out"));
            Assert.Equal(0, second.ExitCode);
            Assert.Equal(first.Stdout.Replace("first-run-out", "second-run-out", StringComparison.Ordinal), second.Stdout);
            Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "first-run-out", "F-coupling.csv")), File.ReadAllText(Path.Combine(dir.Path, "second-run-out", "F-coupling.csv")));
            Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "first-run-out", "F.md")), File.ReadAllText(Path.Combine(dir.Path, "second-run-out", "F.md")));
            AssertWroteItsNames("F", Path.Combine(dir.Path, "first-run-out"));

            var csv = File.ReadAllLines(Path.Combine(dir.Path, "first-run-out", "F-coupling.csv"));
            Assert.StartsWith("method,init_alpha,init_mu,", csv[0], StringComparison.Ordinal);
            Assert.Equal(2 * 11 * 6, csv.Length - 1);   // the law and SGDm, 11 rates x 6 momenta
            Assert.Equal(new[] { "AeSgdmPhase", "sgdm" }, csv.Skip(1).Select(l => l.Split(',')[0]).Distinct());
            // In 40 steps no cell reaches the target (the fastest, SGDm at lr 3.16 with momentum 0.8, needs about 70).
            Assert.All(csv.Skip(1), l => Assert.Equal("0", l.Split(',')[5]));
            Assert.Contains("AeSgdmPhase: steps to target (log) (nothing to show)", Plots.LoadSvg(Path.Combine(dir.Path, "first-run-out", "F-coupling.svg")).Texts);
            Assert.True(File.Exists(Path.Combine(dir.Path, "first-run-out", "F-coupling.png")));
            var verdict = first.StdoutLines.Single(l => l.StartsWith("Verdict (F): ", StringComparison.Ordinal));
            Assert.StartsWith("Verdict (F): not testable here: 0 row(s) with a best alpha inside the grid", verdict, StringComparison.Ordinal);
        }

        [Fact]
        public void F_with_its_budget_finds_converging_cells_for_sgdm_as_json()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", "F", "--seeds", "1", "--steps", "300", "--law", PhaseLaw, "--out", "f", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var root = json.RootElement;
            Assert.Equal("F", root.GetProperty("id").GetString());
            Assert.Contains(root.GetProperty("verdict").GetString(), Verdicts);
            var sgdm = root.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("method").GetString() == "sgdm");
            var cell = sgdm.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("alpha").GetDouble() == 1 && c.GetProperty("mu").GetDouble() == 0.8);
            Assert.Equal(1, cell.GetProperty("seeds_at_target").GetInt32());   // lr 1 with momentum 0.8 reaches the quadratic in under 100 steps
            var far = sgdm.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("alpha").GetDouble() == 100 && c.GetProperty("mu").GetDouble() == 0);
            Assert.Equal(1, far.GetProperty("seeds_diverged").GetInt32());     // lr 100 on eigenvalues up to 1
            Assert.Equal(new[] { "f/F-coupling.csv", "f/F-coupling.svg", "f/F-coupling.png", "f/F.md" }, root.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        }

        [Fact]
        public void D_runs_both_families_for_the_law_and_sgdm()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", "D", "--seeds", "2", "--steps", "60", "--law", PhaseLaw, "--out", "d", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var root = json.RootElement;
            Assert.Contains(root.GetProperty("verdict").GetString(), Verdicts);
            var families = root.GetProperty("families").EnumerateArray().ToList();
            Assert.Equal(new[] { "quadratic", "noisy-quadratic" }, families.Select(f => f.GetProperty("task").GetString()));
            foreach (var f in families)
            {
                var methods = f.GetProperty("methods").EnumerateArray().ToList();
                Assert.Equal(new[] { "AeSgdmPhase", "sgdm" }, methods.Select(m => m.GetProperty("method").GetString()));
                Assert.All(methods, m => Assert.Equal(3, m.GetProperty("conditions").GetArrayLength()));
            }
            var scales = families[0].GetProperty("methods")[1].GetProperty("conditions").EnumerateArray().Select(c => c.GetProperty("scale").GetDouble());
            Assert.Equal(new[] { 0.1, 1, 10 }, scales);
            var csv = File.ReadAllLines(Path.Combine(dir.Path, "d", "D-gauge.csv"));
            Assert.Equal(2 * 2 * 3 * 2, csv.Length - 1);   // families x methods x conditions x seeds
            Assert.True(File.Exists(Path.Combine(dir.Path, "d", "D-quadratic.svg")));
            Assert.True(File.Exists(Path.Combine(dir.Path, "d", "D-noisy-quadratic.svg")));
            Plots.AssertPng(Path.Combine(dir.Path, "d", "D-noisy-quadratic.png"), AE.Cli.Plots.FigureRenderer.Width);
            Assert.True(File.Exists(Path.Combine(dir.Path, "d", "D.md")));
            AssertWroteItsNames("D", Path.Combine(dir.Path, "d"));
        }

        /// <summary>
        /// Run from a folder outside the repository, an item finds its default law (C: laws/ae_sgdm_phase.ae) and its own
        /// laws (J: laws/ae_sgdm.ae and laws/ae_adam.ae) in the repository above ae, as ae replay and ae bench find theirs
        /// (it said "file not found: 'laws/ae_sgdm_phase.ae'", a file the user never named).
        /// </summary>
        [Theory]
        [InlineData("C", "AeSgdmPhase")]
        [InlineData("J", "AeAdam")]
        public void An_item_finds_its_laws_in_the_repository_from_any_folder(string id, string law)
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", id, "--seeds", "1", "--steps", "10", "--out", "o");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Contains(law, r.Stdout, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("A", null)]
        [InlineData("B", null)]
        [InlineData("C", "oscillation")]
        [InlineData("E", "plateau exit")]
        [InlineData("G", "largest \\|d log alpha\\|")]
        [InlineData("L", null)]
        public void The_items_that_compare_arms_write_a_table_a_csv_and_a_plot(string id, string? measure)
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", id, "--seeds", "1", "--steps", "30", "--law", PhaseLaw, "--out", "o");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Single(r.StdoutLines, l => l.StartsWith("Verdict (" + id + "): ", StringComparison.Ordinal));
            Assert.StartsWith("Verdict (" + id + "): ", r.StdoutLines[^1], StringComparison.Ordinal);              // the last line, as experiments.md says
            Assert.Contains(Verdicts, v => r.Stdout.Contains("Verdict (" + id + "): " + v + ":", StringComparison.Ordinal));
            Assert.DoesNotContain(Verdicts, v => r.StdoutLines[^1].Contains(": " + v + ": " + v, StringComparison.Ordinal));   // B's two tasks' words once each, not after the item's
            var header = r.StdoutLines.First(l => l.StartsWith("| task | arm |", StringComparison.Ordinal));
            Assert.Equal(measure is not null, measure is not null && header.Contains(measure, StringComparison.Ordinal));
            Assert.Contains("| incidents (sum over seeds) |", header, StringComparison.Ordinal);
            // one seed: the means alone, and the line under the table says why there is no interval
            Assert.Contains(r.StdoutLines, l => l.StartsWith("One seed: no CI; mean steps to target only where every seed reached it", StringComparison.Ordinal));
            // a markdown row: as many cells as the separator line below the header (a '|' inside a name is escaped)
            static int Cells(string line) => System.Text.RegularExpressions.Regex.Matches(line, @"(?<!\\)\|").Count;
            var separator = r.StdoutLines[r.StdoutLines.ToList().IndexOf(header) + 1];
            Assert.Equal(Cells(separator), Cells(header));
            var csv = File.ReadAllLines(Path.Combine(dir.Path, "o", id + "-runs.csv"));
            Assert.StartsWith("task,arm,seed,steps_to_target,final_loss,incidents,stop", csv[0], StringComparison.Ordinal);
            Assert.All(csv.Skip(1), l => Assert.Equal("", l.Split(',')[3])); // 30 steps reach no target here
            Assert.True(File.Exists(Path.Combine(dir.Path, "o", id + "-gap.svg")));
            Assert.True(File.Exists(Path.Combine(dir.Path, "o", id + "-gap.png")));
            Assert.True(File.Exists(Path.Combine(dir.Path, "o", id + ".md")));
            AssertWroteItsNames(id, Path.Combine(dir.Path, "o"));
        }

        /// <summary>
        /// With two seeds a table cell of a mean shows its 95% interval, the JSON's number (cli.md's rule for every table),
        /// and the line under the table names the degrees of freedom.
        /// </summary>
        [Fact]
        public void An_items_table_gives_each_mean_its_interval()
        {
            using var dir = new TempDirectory();
            var text = Cli.Run(dir.Path, "experiment", "run", "C", "--seeds", "2", "--steps", "30", "--law", PhaseLaw, "--out", "t");
            var json = Cli.Run(dir.Path, "experiment", "run", "C", "--seeds", "2", "--steps", "30", "--law", PhaseLaw, "--out", "j", "--format", "json");
            Assert.True(text.ExitCode == 0, text.Stdout + text.Stderr);
            Assert.True(json.ExitCode == 0, json.Stdout + json.Stderr);
            Assert.Contains(text.StdoutLines, l => l.StartsWith("Means over seeds ± the half-width of their 95% CI (Student t, 1 df)", StringComparison.Ordinal));
            using var doc = JsonDocument.Parse(json.Stdout);
            var arm = doc.RootElement.GetProperty("arms")[0];
            var gap = arm.GetProperty("final_log10_gap");
            string expected = gap.GetProperty("mean").GetDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " ± "
                + gap.GetProperty("ci").GetDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            var row = text.StdoutLines.First(l => l.StartsWith("| " + arm.GetProperty("task").GetString() + " | " + arm.GetProperty("arm").GetString() + " |", StringComparison.Ordinal));
            Assert.Equal(expected, row.Split('|')[5].Trim());
        }

        /// <summary>A measure that does not apply to an arm (G's change of log alpha for SGDm, which has none) is a null mean over 0 values, not "NaN".</summary>
        [Fact]
        public void A_measure_an_arm_does_not_have_is_null()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", "G", "--seeds", "1", "--steps", "10", "--law", PhaseLaw, "--out", "o", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var arms = json.RootElement.GetProperty("arms").EnumerateArray().ToList();
            var sgdm = arms.First(a => a.GetProperty("arm").GetString()!.StartsWith("sgdm", StringComparison.Ordinal)).GetProperty("measure");
            Assert.Equal(JsonValueKind.Null, sgdm.GetProperty("mean").ValueKind);
            Assert.Equal(0, sgdm.GetProperty("n").GetInt32());
            var law = arms.First(a => a.GetProperty("arm").GetString()!.StartsWith("AeSgdmPhase", StringComparison.Ordinal)).GetProperty("measure");
            Assert.Equal(JsonValueKind.Number, law.GetProperty("mean").ValueKind);
        }

        /// <summary>
        /// G's largest change of log alpha counts the first step's, from init_alpha = 1 (it compared logged values only, the
        /// first of which is already after that step), computed here from the same run made by ae run, its alpha column.
        /// </summary>
        [Fact]
        public void G_counts_the_first_step_s_change_of_alpha_from_its_initial_value()
        {
            using var dir = new TempDirectory();
            string hd = Path.Combine(Repo.Laws, "ae_hd.ae");
            var g = Cli.Run(dir.Path, "experiment", "run", "G", "--seeds", "1", "--steps", "60", "--law", hd, "--out", "g", "--format", "json");
            Assert.True(g.ExitCode == 0, g.Stdout + g.Stderr);
            var run = Cli.Run(dir.Path, "run", hd, "--task", "quadratic", "--set", "init_alpha=1", "--seed", "0", "--steps", "60", "--out", "r", "--db", "r.db", "--no-progress");
            Assert.True(run.ExitCode is 0 or 1, run.Stdout + run.Stderr);
            var rows = File.ReadAllLines(Path.Combine(dir.Path, "r", "run-1.csv"));
            int col = Array.IndexOf(rows[0].Split(','), "alpha");
            Assert.True(col >= 0, rows[0]);
            var alphas = new[] { 1.0 }.Concat(rows.Skip(1).Select(l => double.Parse(l.Split(',')[col], System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            double expected = alphas.Zip(alphas.Skip(1), (a, b) => Math.Abs(Math.Log(b) - Math.Log(a))).Max();
            Assert.True(Math.Abs(Math.Log(alphas[1])) >= expected, "the first step's change is the largest in this run: the test tells the two computations apart");

            using var json = JsonDocument.Parse(g.Stdout);
            var law = json.RootElement.GetProperty("arms").EnumerateArray().First(a => a.GetProperty("task").GetString() == "quadratic" && a.GetProperty("arm").GetString() == "AeHd");
            Assert.Equal(expected, law.GetProperty("measure").GetProperty("mean").GetDouble(), 12);
            Assert.Contains("the law from init_alpha = 1 (its alpha_max is 10)", File.ReadAllText(Path.Combine(dir.Path, "g", "G.md")), StringComparison.Ordinal);
        }

        /// <summary>
        /// C knocks the resonance clamp out; on its task the clamp never fires, so the two arms run the same (the CSV shows the
        /// same row for each seed) and the item tested nothing: not testable, where it said "did not hold".
        /// </summary>
        [Fact]
        public void Arms_that_ran_the_same_are_not_testable()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", "C", "--seeds", "2", "--steps", "300", "--law", PhaseLaw, "--out", "o", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            var rows = File.ReadAllLines(Path.Combine(dir.Path, "o", "C-runs.csv")).Skip(1).Select(l => l.Split(',')).ToList();
            var arms = rows.GroupBy(f => f[1]).ToList();
            Assert.Equal(2, arms.Count);
            // the same steps to target, final loss, incidents and stop for every seed: the clamp never acted
            Assert.Equal(arms[0].Select(f => string.Join(",", f[2], f[3], f[4], f[5], f[6])), arms[1].Select(f => string.Join(",", f[2], f[3], f[4], f[5], f[6])));
            using var json = JsonDocument.Parse(r.Stdout);
            Assert.Equal("not testable here", json.RootElement.GetProperty("verdict").GetString());
            Assert.Contains("never acted on", json.RootElement.GetProperty("numbers").GetString(), StringComparison.Ordinal);
        }

        /// <summary>Every file in the way is named at once (one at a time, the user moved one and was refused for the next).</summary>
        [Fact]
        public void Every_file_in_the_way_is_named()
        {
            using var dir = new TempDirectory();
            dir.Write("o/D.md", "mine\n");
            dir.Write("o/D-gauge.csv", "mine\n");
            var r = Cli.Run(dir.Path, "experiment", "run", "D", "--seeds", "1", "--steps", "5", "--law", PhaseLaw, "--out", "o");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: o/D-gauge.csv, o/D.md exist and this run would overwrite them: give another --out, or move them" }, r.StderrLines);
        }

        /// <summary>A mean over seeds in the JSON is {"mean", "ci"} (cli.md), with the interval the markdown shows: it was the mean alone.</summary>
        [Fact]
        public void Means_over_seeds_in_the_json_carry_their_interval()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", "A", "--seeds", "2", "--steps", "30", "--law", PhaseLaw, "--out", "o", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var arm = json.RootElement.GetProperty("arms")[0];
            var gap = arm.GetProperty("final_log10_gap");
            // the mean and the interval of the two seeds' values, from the CSV of every run
            var seeds = File.ReadAllLines(Path.Combine(dir.Path, "o", "A-runs.csv")).Skip(1).Select(l => l.Split(','))
                .Where(c => c[0] == arm.GetProperty("task").GetString() && c[1] == arm.GetProperty("arm").GetString()).ToList();
            Assert.Equal(2, seeds.Count);
            Assert.Equal(2, arm.GetProperty("seeds").GetInt32());
            Assert.Equal(JsonValueKind.Number, gap.GetProperty("ci").ValueKind);
            Assert.True(gap.GetProperty("ci").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Null, arm.GetProperty("mean_steps").GetProperty("mean").ValueKind);   // 30 steps reach no target
            Assert.Equal(JsonValueKind.Null, arm.GetProperty("mean_steps").GetProperty("ci").ValueKind);
        }

        /// <summary>A folder holding a file the item would write (an earlier run's tables, or the user's) is refused before any run, the file untouched.</summary>
        [Theory]
        [InlineData("A", "A.md")]
        [InlineData("D", "D-noisy-quadratic.png")]
        [InlineData("F", "F-coupling.csv")]
        public void A_run_does_not_overwrite_a_file_in_its_folder(string id, string taken)
        {
            using var dir = new TempDirectory();
            dir.Write("o/" + taken, "mine\n");
            var r = Cli.Run(dir.Path, "experiment", "run", id, "--seeds", "1", "--steps", "5", "--law", PhaseLaw, "--out", "o");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: o/" + taken + " exists and this run would overwrite it: give another --out, or move the file" }, r.StderrLines);
            Assert.Equal("mine\n", File.ReadAllText(Path.Combine(dir.Path, "o", taken)));
            Assert.Equal(new[] { taken }, Directory.GetFiles(Path.Combine(dir.Path, "o")).Select(Path.GetFileName));
        }

        [Fact]
        public void A_law_without_the_knocked_out_rule_is_one_line()
        {
            var r = Cli.Run(Repo.Root, "experiment", "run", "C", "--seeds", "1", "--steps", "5", "--law", Repo.SgdmLaw, "--name", "AeSgdmNoResonance", "--out", Path.Combine(Path.GetTempPath(), "unused"));
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: the law AeSgdmNoResonance has no switchable rule AE5; its switchable rules: ", r.StderrLines[0], StringComparison.Ordinal);
        }

        /// <summary>A law without switchable rules says so (the list after 'its rules:' was empty).</summary>
        [Theory]
        [InlineData("C", "AE5")]
        [InlineData("E", "AE4")]
        public void A_law_without_switchable_rules_says_it_has_none(string id, string rule)
        {
            using var dir = new TempDirectory();
            dir.Write("plain.ae", "law Plain { dim n; param init_alpha = 0.1; param init_mu = 0.9; input loss: real; input grad: real[n]; state theta: real[n]; update { theta' = theta - init_alpha * grad; } }\n");
            var r = Cli.Run(dir.Path, "experiment", "run", id, "--seeds", "1", "--steps", "5", "--law", "plain.ae");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the law Plain has no switchable rule " + rule + "; it has none" }, r.StderrLines);
        }

        [Fact]
        public void J_runs_the_two_shipped_laws_against_their_baselines()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(Repo.Root, "experiment", "run", "J", "--seeds", "1", "--steps", "20", "--out", dir.Path, "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var arms = json.RootElement.GetProperty("arms").EnumerateArray().Select(a => a.GetProperty("arm").GetString()!.Split(' ')[0]).Distinct();
            Assert.Equal(new[] { "AeSgdm", "sgdm", "AeAdam", "adam" }, arms);
            Assert.Equal(2 * 2 * 3 * 3, json.RootElement.GetProperty("arms").GetArrayLength());   // 2 laws x (law, baseline) x 3 tasks x 3 rates
            Assert.Contains(json.RootElement.GetProperty("verdict").GetString(), Verdicts);
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("law").ValueKind);        // its laws are its arms'
            AssertWroteItsNames("J", dir.Path);
        }

        [Fact]
        public void An_interrupted_run_gives_no_verdict_and_exit_130()
        {
            using var dir = new TempDirectory();
            using var cts = new System.Threading.CancellationTokenSource();
            cts.Cancel();
            var r = Experiments.Run(dir.Path, cts.Token, null, "experiment", "run", "C", "--seeds", "1", "--steps", "50", "--law", PhaseLaw, "--out", "o");
            Assert.Equal(130, r.ExitCode);
            // the table as the files give it, and no comparison of runs that never ran (it said "every removal degrades a metric")
            Assert.Equal("Verdict (C): interrupted: no verdict: runs were cut short by Ctrl-C; the figures are of the runs as far as they got", r.StdoutLines[^1]);
            Assert.Equal(new[] { "ae: interrupted; no verdict; the files under o hold the runs as far as they got" }, r.StderrLines);

            // the JSON too, whose seeds_interrupted says what was cut short (it printed nothing)
            var json = Experiments.Run(dir.Path, cts.Token, null, "experiment", "run", "C", "--seeds", "2", "--steps", "50", "--law", PhaseLaw, "--out", "j", "--format", "json");
            Assert.Equal(130, json.ExitCode);
            using var doc = JsonDocument.Parse(json.Stdout);
            Assert.Equal("interrupted: no verdict", doc.RootElement.GetProperty("verdict").GetString());
            Assert.All(doc.RootElement.GetProperty("arms").EnumerateArray(), a => Assert.Equal(2, a.GetProperty("seeds_interrupted").GetInt32()));
        }

        /// <summary>Runs stopped by Ctrl-C decide nothing: the files mark them and give no verdict (F's grid and D's families too).</summary>
        [Theory]
        [InlineData("A", "A.md")]
        [InlineData("C", "C.md")]
        [InlineData("D", "D.md")]
        [InlineData("F", "F.md")]
        public void The_files_of_an_interrupted_run_give_no_verdict(string id, string markdown)
        {
            using var dir = new TempDirectory();
            using var cts = new System.Threading.CancellationTokenSource();
            cts.Cancel();
            var r = Experiments.Run(dir.Path, cts.Token, null, "experiment", "run", id, "--seeds", "1", "--steps", "50", "--law", PhaseLaw, "--out", "o");
            Assert.Equal(130, r.ExitCode);
            string md = File.ReadAllText(Path.Combine(dir.Path, "o", markdown));
            Assert.Contains("**interrupted: no verdict**", md, StringComparison.Ordinal);
            foreach (var verdict in Verdicts) Assert.DoesNotContain("**" + verdict + "**", md, StringComparison.Ordinal);
            if (id == "F")
            {
                Assert.Contains("? cut short by Ctrl-C", md, StringComparison.Ordinal);
                Assert.Contains(" ? |", md, StringComparison.Ordinal);   // a cell that was cut short is not shown as one that did not converge ('.')
                var rows = File.ReadAllLines(Path.Combine(dir.Path, "o", "F-coupling.csv"));
                Assert.EndsWith(",refused,seeds_interrupted", rows[0], StringComparison.Ordinal);
                // every cell the law does not refuse ran its one seed until it was stopped
                Assert.All(rows.Skip(1).Where(l => !l.Contains(",yes,", StringComparison.Ordinal)), l => Assert.EndsWith(",1", l, StringComparison.Ordinal));
            }
            if (id == "A")
            {
                // every arm's seed was stopped: each row says so and shows no figures (a stopped seed's gap is its start's)
                var arms = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| task", StringComparison.Ordinal) && !l.StartsWith("| ---", StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(arms);
                Assert.All(arms, l => Assert.Contains("| 0/1 (1 interrupted) | — | — |", l, StringComparison.Ordinal));
                Assert.All(arms, l => Assert.EndsWith("| — |", l, StringComparison.Ordinal));   // the incidents, a sum over seeds stopped (it was a count)
            }
            if (id == "C")
            {
                // a run stopped before its first step measured nothing: its oscillation was written 0, "no oscillation"
                var rows = File.ReadAllLines(Path.Combine(dir.Path, "o", "C-runs.csv"));
                Assert.EndsWith(",stop,measure", rows[0], StringComparison.Ordinal);
                Assert.All(rows.Skip(1), l => Assert.EndsWith(",Cancelled,", l, StringComparison.Ordinal));
            }
        }

        [Fact]
        public void J_runs_its_own_laws_and_takes_no_law()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "experiment", "run", "J", "--law", PhaseLaw);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: item J runs laws/ae_sgdm.ae and laws/ae_adam.ae of its own; it takes no --law or --name. Run 'ae experiment --help'" }, r.StderrLines);
            // laws/ae_sgdm_phase.ae (the default --law) is not needed
            Directory.CreateDirectory(Path.Combine(dir.Path, "laws"));
            foreach (var f in new[] { "ae_sgdm.ae", "ae_adam.ae" }) File.Copy(Path.Combine(Repo.Laws, f), Path.Combine(dir.Path, "laws", f));
            var j = Cli.Run(dir.Path, "experiment", "run", "J", "--seeds", "1", "--steps", "10", "--out", "o");
            Assert.True(j.ExitCode == 0, j.Stdout + j.Stderr);
            Assert.DoesNotContain("AeSgdmPhase", File.ReadAllText(Path.Combine(dir.Path, "o", "J.md")), StringComparison.Ordinal);
        }

        [Fact]
        public void A_law_without_init_mu_is_one_line()
        {
            using var dir = new TempDirectory();
            dir.Write("plain.ae", "law Plain { dim n; param init_alpha = 0.1; input loss: real; input grad: real[n]; state theta: real[n]; update { theta' = theta - init_alpha * grad; } }\n");
            var r = Cli.Run(dir.Path, "experiment", "run", "F", "--seeds", "1", "--steps", "5", "--law", "plain.ae");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the law Plain has no param 'init_mu'" }, r.StderrLines);
        }
    }
}
