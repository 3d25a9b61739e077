using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae swarm</c> in-process, with short budgets on the quadratic task.</summary>
    public class SwarmCommandTests
    {
        [Fact]
        public void The_table_has_a_row_per_method_and_every_member_is_stored()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "3", "--rounds", "2", "--steps", "20", "--seeds", "2",
                "--method", "all", "--db", "s.db", "--out", "plots");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.StartsWith("AeSgdm (", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.Contains("on quadratic: K = 3 members, 2 rounds of 30 steps (60 in all, 20 per member on average); seeds 0..1; members init_alpha 3e-5 .. 0.003",
                r.StdoutLines[0], StringComparison.Ordinal);
            var table = r.StdoutLines.SkipWhile(l => !l.StartsWith("|", StringComparison.Ordinal)).ToList();
            Assert.Equal(5, table.Count);
            var cells = table.Skip(2).Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();
            Assert.Equal(new[] { "swarm", "independent", "pbt" }, cells.Select(c => c[0]));
            Assert.All(cells, c => Assert.Equal("0/2", c[1]));
            string db = Path.Combine(dir.Path, "s.db");
            Assert.Equal(3 * 2 * 3, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE command = 'swarm'"));
            Assert.Equal(1, Experiments.Scalar(db, "SELECT count(DISTINCT batch) FROM runs"));
            // the batch is recorded whole: its 18 member runs, complete, under the runs' batch id
            Assert.Equal(new object?[] { 18L, "complete" }, Assert.Single(Experiments.Rows(db, "SELECT runs, state FROM batches WHERE batch = (SELECT batch FROM runs LIMIT 1)")));
            Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, Experiments.Rows(db, "SELECT DISTINCT seed FROM runs ORDER BY seed").Select(x => (long)x[0]!));
            Assert.Equal(3 * 2, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE json_extract(settings, '$.method') = 'pbt'"));
            // the independent members share the compute equally: 20 steps each, all stored
            Assert.Equal(6 * 20, Experiments.Scalar(db, "SELECT sum(steps_taken) FROM runs WHERE json_extract(settings, '$.method') = 'independent'"));
            Assert.Equal(6 * 20, Experiments.Scalar(db, "SELECT count(*) FROM steps JOIN runs ON runs.id = steps.run_id WHERE json_extract(settings, '$.method') = 'independent'"));
            Assert.Equal(3 * 2 * 3, Directory.GetFiles(Path.Combine(dir.Path, "plots")).Length);   // csv, svg and png per method and seed
            Assert.All(Directory.GetFiles(Path.Combine(dir.Path, "plots"), "*.svg"), f => Assert.Contains("loss − optimum (log)", Plots.LoadSvg(f).Texts));
            Assert.All(Directory.GetFiles(Path.Combine(dir.Path, "plots"), "*.png"), f => Plots.AssertPng(f, AE.Cli.Plots.FigureRenderer.Width));
        }

        /// <summary>
        /// Every member dies (rates of 0.28 to 0.89 on Rosenbrock, whose curvature near the start is in the hundreds): no
        /// seed has a best member, so the best gap is no figure, where it was the mean of the dead members' last finite losses.
        /// </summary>
        [Fact]
        public void When_every_member_dies_the_best_gap_says_none_survived()
        {
            using var dir = new TempDirectory();
            string[] args = { "swarm", Repo.SgdmLaw, "--task", "rosenbrock", "--k", "4", "--seeds", "2", "--steps", "200", "--set", "init_alpha=0.5", "--spread", "0.5", "--db", "s.db" };

            var text = Cli.Run(dir.Path, args.Concat(new[] { "--out", "plots" }).ToArray());
            var json = Cli.Run(dir.Path, args.Concat(new[] { "--format", "json" }).ToArray());

            string db = Path.Combine(dir.Path, "s.db");
            Assert.Equal(16, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE status IN ('diverged', 'non-finite')"));   // both invocations' members, every one
            Assert.True(text.ExitCode == 0, text.Stderr);
            var row = text.StdoutLines.Single(l => l.StartsWith("| swarm ", StringComparison.Ordinal)).Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.Equal(new[] { "swarm", "0/2", "—", "none survived", "8" }, row);
            Assert.Empty(Directory.Exists(Path.Combine(dir.Path, "plots")) ? Directory.GetFiles(Path.Combine(dir.Path, "plots")) : Array.Empty<string>());

            Assert.True(json.ExitCode == 0, json.Stderr);
            using var doc = JsonDocument.Parse(json.Stdout);
            var result = doc.RootElement.GetProperty("rows")[0];
            Assert.Equal(JsonValueKind.Null, result.GetProperty("best_log10_gap").GetProperty("mean").ValueKind);
            Assert.Equal(0, result.GetProperty("best_log10_gap").GetProperty("n").GetInt32());
            Assert.Equal(8, result.GetProperty("dead").GetInt32());
            foreach (var run in result.GetProperty("runs").EnumerateArray())
            {
                Assert.Equal(4, run.GetProperty("dead").GetInt32());
                Assert.Equal(JsonValueKind.Null, run.GetProperty("best_member").ValueKind);
                Assert.Equal(JsonValueKind.Null, run.GetProperty("best_final_loss").ValueKind);
            }
        }

        /// <summary>
        /// PBT replaces a member that blew up by a copy of a good one; its death still counts (the table's deaths, the JSON's
        /// "deaths"), as the independent runs' same death does, while "dead" is the members dead at the end. The header
        /// names how many PBT replaces (one of two here, not a quarter).
        /// </summary>
        [Fact]
        public void A_member_pbt_replaced_after_it_blew_up_counts_as_a_death()
        {
            using var dir = new TempDirectory();
            // Member 1 of 2 starts at alpha 10 · 10^(2/2) = 100 on eigenvalues up to 60 and diverges within the first round, in every method.
            var r = Cli.Run(dir.Path, "swarm", Path.Combine(Repo.Laws, "ae_sgdm_phase.ae"), "--task", "quadratic", "--k", "2", "--rounds", "4", "--steps", "400", "--seeds", "1",
                "--method", "all", "--set", "init_alpha=10", "--set", "alpha_max=100", "--spread", "2", "--format", "json", "--db", "s.db");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(x => x.GetProperty("method").GetString()!);
            Assert.Equal((1, 1), (rows["swarm"].GetProperty("dead").GetInt32(), rows["swarm"].GetProperty("deaths").GetInt32()));
            Assert.Equal((1, 1), (rows["independent"].GetProperty("dead").GetInt32(), rows["independent"].GetProperty("deaths").GetInt32()));
            Assert.Equal((0, 1), (rows["pbt"].GetProperty("dead").GetInt32(), rows["pbt"].GetProperty("deaths").GetInt32()));
            string db = Path.Combine(dir.Path, "s.db");
            // the replaced member's row keeps its death among its incidents
            Assert.Equal(1, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE json_extract(settings, '$.method') = 'pbt' AND incident_list LIKE '%\"Divergence\"%'"));

            var text = Cli.Run(dir.Path, "swarm", Path.Combine(Repo.Laws, "ae_sgdm_phase.ae"), "--task", "quadratic", "--k", "2", "--rounds", "4", "--steps", "400", "--seeds", "1",
                "--method", "all", "--set", "init_alpha=10", "--set", "alpha_max=100", "--spread", "2", "--db", "s.db");
            Assert.True(text.ExitCode == 0, text.Stdout + text.Stderr);
            Assert.Contains("; pbt: the worst 1 of 2 copy the best ", text.StdoutLines[1], StringComparison.Ordinal);
            Assert.EndsWith("| deaths |", text.StdoutLines.First(l => l.StartsWith("| method", StringComparison.Ordinal)), StringComparison.Ordinal);
            var deaths = text.StdoutLines.SkipWhile(l => !l.StartsWith("| method", StringComparison.Ordinal)).Skip(2).Select(l => l.Trim('|').Split('|')[^1].Trim());
            Assert.Equal(new[] { "1", "1", "1" }, deaths);
        }

        /// <summary>--set of the spread param gives the centre; each member's stored settings hold its own rate, once.</summary>
        [Fact]
        public void A_member_stores_its_own_rate_once_when_set_gives_the_centre()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "3", "--rounds", "1", "--steps", "9", "--seeds", "1",
                "--set", "init_alpha=0.1", "--set", "k_p=0.5", "--db", "s.db");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            string db = Path.Combine(dir.Path, "s.db");
            var settings = Experiments.Rows(db, "SELECT settings FROM runs ORDER BY id").Select(x => (string)x[0]!).ToList();
            Assert.Equal(3, settings.Count);
            var rates = settings.Select(json =>
            {
                using var doc = JsonDocument.Parse(json);
                var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
                Assert.Equal(names.Distinct().Count(), names.Count);                       // no key twice
                Assert.Equal(0.5, doc.RootElement.GetProperty("k_p").GetDouble());
                return doc.RootElement.GetProperty("init_alpha").GetDouble();
            }).ToList();
            // spread 2 decades around 0.1: 0.01, 0.1, 1 exactly (the decimal point of 0.1 shifted); SQLite's json_extract reads the same
            Assert.Equal(new[] { 0.01, 0.1, 1.0 }, rates);
            Assert.Equal(rates, Experiments.Rows(db, "SELECT json_extract(settings, '$.init_alpha') FROM runs ORDER BY id").Select(x => Convert.ToDouble(x[0], System.Globalization.CultureInfo.InvariantCulture)));
        }

        /// <summary>
        /// 0.07 · 10 as a product of doubles is 0.7000000000000001: the top member of a spread around 0.07 was refused by a law
        /// whose alpha_max is 0.7 ("must lie in its bounds [1e-06, 0.7]", member 4 "init_alpha = 0.7").
        /// </summary>
        [Fact]
        public void A_member_at_a_whole_number_of_decades_from_the_centre_is_the_centre_s_digits_shifted()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "swarm", Repo.Root + "/laws/ae_sgdm_phase.ae", "--task", "quadratic", "--k", "5", "--rounds", "2", "--steps", "20", "--seeds", "1",
                "--set", "alpha_max=0.7,init_alpha=0.07", "--spread", "2", "--db", "s.db", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            var rates = Experiments.Rows(Path.Combine(dir.Path, "s.db"), "SELECT json_extract(settings, '$.init_alpha') FROM runs ORDER BY id")
                .Select(x => Convert.ToDouble(x[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(0.007, rates[0]);
            Assert.Equal(0.07, rates[2]);
            Assert.Equal(0.7, rates[4]);
            // the header gives the settings of the methods run: AE-Swarm's alone here, not PBT's
            Assert.Contains(r.StdoutLines, l => l.StartsWith("swarm: temperature ", StringComparison.Ordinal) && l.Contains(" steps per member and round", StringComparison.Ordinal));
            Assert.DoesNotContain(r.StdoutLines, l => l.Contains("pbt:", StringComparison.Ordinal));
        }

        [Fact]
        public void Files_of_another_database_in_out_are_kept()
        {
            using var dir = new TempDirectory();
            dir.Write("plots/run-2.csv", "my notes\n");
            var r = Cli.Run(dir.Path, "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "3", "--rounds", "1", "--steps", "9", "--seeds", "1", "--db", "s.db", "--out", "plots");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: plots/run-2.csv exists: this swarm's member runs will be runs 1 to 3 of s.db and may write run 2's files (run ids restart in every database); give another --out, or move the file" }, r.StderrLines);
            Assert.Equal("my notes\n", File.ReadAllText(Path.Combine(dir.Path, "plots", "run-2.csv")));
            Assert.False(File.Exists(Path.Combine(dir.Path, "s.db")));                      // refused before a database was made

            Directory.CreateDirectory(Path.Combine(dir.Path, "folder", "run-1.png"));          // a folder in the way
            var folder = Cli.Run(dir.Path, "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "3", "--rounds", "1", "--steps", "9", "--seeds", "1", "--db", "s.db", "--out", "folder");
            Assert.Equal(2, folder.ExitCode);
            Assert.StartsWith("ae: error: folder/run-1.png exists: ", Assert.Single(folder.StderrLines), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir.Path, "s.db")));

            dir.Write("kappa.ae", File.ReadAllText(Repo.SgdmLaw).Replace("param k_p = 0.8,", "param kappa = 2;\n  param k_p = 0.8,", StringComparison.Ordinal));
            var clash = Cli.Run(dir.Path, "swarm", "kappa.ae", "--task", "quadratic", "--k", "3", "--rounds", "1", "--steps", "9", "--set", "kappa=1");
            Assert.Equal(2, clash.ExitCode);
            Assert.Equal(new[] { "ae: error: --set kappa: each member's stored settings use 'kappa' for the swarm's own kappa, so a param of that name cannot be stored beside it (leave it at its default, or rename the param)" }, clash.StderrLines);
        }

        [Fact]
        public void Json_repeats_exactly_and_does_not_depend_on_the_threads()
        {
            using var dir = new TempDirectory();
            string[] Args(string threads) => new[] { "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "4", "--rounds", "3", "--steps", "30", "--seeds", "2",
                "--method", "all", "--set", "init_alpha=0.01", "--format", "json", "--db", "s.db", "--threads", threads };
            var one = Cli.Run(dir.Path, Args("1"));
            Assert.True(one.ExitCode == 0, one.Stdout + one.Stderr);
            Assert.Equal(one.Stdout, Cli.Run(dir.Path, Args("1")).Stdout);
            Assert.Equal(one.Stdout, Cli.Run(dir.Path, Args("3")).Stdout);
            using var json = JsonDocument.Parse(one.Stdout);
            var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(new[] { "swarm", "independent", "pbt" }, rows.Select(x => x.GetProperty("method").GetString()));
            var swarm = rows[0].GetProperty("runs")[0].GetProperty("rounds").EnumerateArray().ToList();
            Assert.Equal(3, swarm.Count);
            Assert.Equal(4 * 10, swarm[0].GetProperty("budgets").EnumerateArray().Sum(b => b.GetInt64()));
            Assert.Equal(1.0, swarm[0].GetProperty("weights").EnumerateArray().Sum(w => w.GetDouble()), 12);
            Assert.True(swarm[0].GetProperty("consensus").TryGetProperty("alpha", out _));
            Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("runs")[0].GetProperty("rounds")[0].GetProperty("weights").ValueKind);
            // what does not apply is null: no next budgets after the last round, no consensus without selection
            Assert.Equal(JsonValueKind.Null, swarm[2].GetProperty("budgets").ValueKind);
            Assert.Equal(JsonValueKind.Null, swarm[2].GetProperty("consensus").ValueKind);
            Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("runs")[0].GetProperty("rounds")[0].GetProperty("consensus").ValueKind);
            Assert.Equal(4 * 10, rows[1].GetProperty("runs")[0].GetProperty("rounds")[0].GetProperty("budgets").EnumerateArray().Sum(b => b.GetInt64()));
        }

        [Theory]
        [InlineData("--task", "nope", "ae: error: unknown task 'nope'; valid tasks: quadratic, ")]
        [InlineData("--k", "1", "ae: error: invalid value '1' for '--k'; expected a whole number from 2 to 256")]
        [InlineData("--k", "x", "ae: error: invalid value 'x' for '--k'")]
        [InlineData("--rounds", "0", "ae: error: invalid value '0' for '--rounds'")]
        [InlineData("--method", "ga", "ae: error: invalid value 'ga' for '--method'; expected swarm, independent, pbt or all")]
        [InlineData("--kappa", "1.5", "ae: error: invalid value '1.5' for '--kappa'; expected a number from 0 to 1")]
        [InlineData("--temperature", "-1", "ae: error: invalid value '-1' for '--temperature'; expected a number >= 0, or inf")]
        [InlineData("--kappa", "-0.1", "ae: error: invalid value '-0.1' for '--kappa'; expected a number from 0 to 1")]
        [InlineData("--dither", "inf", "ae: error: invalid value 'inf' for '--dither'; expected a finite number >= 0")]
        [InlineData("--format", "csv", "ae: error: invalid value 'csv' for '--format'; expected table or json")]
        [InlineData("--min-steps", "50", "ae: error: the minimum of 50 steps per member and round does not fit the round's 20 steps for 2 members")]
        [InlineData("--steps", "1", "ae: error: the steps per member (1) must be at least the rounds (2)")]
        [InlineData("--lr-param", "alpha0", "ae: error: unknown param 'alpha0' for the members' spread; the params of AeSgdm: ")]
        [InlineData("--set", "init_alpha=5", "ae: error: AeSgdm rejects its settings")]
        [InlineData("--name", "AeSgdmLagged", "ae: error: the law AeSgdmLagged has no generated population (a lagged variant has none yet); name its base law")]
        public void Bad_input_is_one_line_and_exit_2(string option, string value, string expected)
        {
            using var dir = new TempDirectory();
            var args = new[] { "--task", "quadratic", "--k", "2", "--rounds", "2", "--steps", "20" }.ToList();
            int at = args.IndexOf(option);
            if (at >= 0) args[at + 1] = value;
            else args.AddRange(new[] { option, value });
            var r = Cli.Run(dir.Path, new[] { "swarm", Repo.SgdmLaw, "--db", "s.db" }.Concat(args).ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith(expected, r.StderrLines.Single(), StringComparison.Ordinal);
            Assert.Equal("", r.Stdout);
        }

        /// <summary>
        /// A param whose default is written in terms of others (AeSgdmPhase's refractory = 1 / (1 - beta_T), 10 at the defaults)
        /// is spread around the value it works out to: it was refused as "not a positive real (no default)".
        /// </summary>
        [Fact]
        public void A_derived_default_is_spread_around_its_value()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "swarm", Path.Combine(Repo.Root, "laws", "ae_sgdm_phase.ae"), "--task", "quadratic", "--k", "3", "--rounds", "2", "--steps", "20",
                "--lr-param", "refractory", "--set", "beta_T=0.8", "--db", "s.db", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stderr);
            // 1 / (1 - 0.8) = 5 (as the law computes it), times 10^-1, 10^0, 10^1
            Assert.Contains("members refractory 0.5 .. 50", r.Stdout, StringComparison.Ordinal);
            var rates = Experiments.Rows(Path.Combine(dir.Path, "s.db"), "SELECT json_extract(settings, '$.refractory') FROM runs ORDER BY id")
                .Select(x => Convert.ToDouble(x[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(1 / (1 - 0.8), rates[1]);
            Assert.Equal(0.5, rates[0], 1e-15);
            Assert.Equal(50, rates[2], 1e-13);
        }

        /// <summary>A law without init_alpha runs its members alike (their seeds differ); a note says so rather than leaving --spread's default silently unused.</summary>
        [Fact]
        public void A_law_without_init_alpha_says_its_members_start_alike()
        {
            using var dir = new TempDirectory();
            File.WriteAllText(Path.Combine(dir.Path, "plain.ae"), "law Plain {\n  dim n;\n  param lr in (0, inf) = 0.01;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  update {\n    theta' = theta - lr * grad;\n  }\n}\n");
            var r = Cli.Run(dir.Path, "swarm", "plain.ae", "--task", "quadratic", "--k", "3", "--rounds", "2", "--steps", "20", "--db", "s.db", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal("ae: note: Plain has no param init_alpha, so its members start alike and differ in their seeds only; --lr-param NAME spreads another param", r.StderrLines[0]);
            Assert.StartsWith("stored 9 member runs in s.db", r.StderrLines.Single(l => !l.StartsWith("ae: note:", StringComparison.Ordinal)), StringComparison.Ordinal);
            var quiet = Cli.Run(dir.Path, "swarm", "plain.ae", "--task", "quadratic", "--k", "3", "--rounds", "2", "--steps", "20", "--db", "s.db", "--no-progress", "--spread", "0");
            Assert.True(quiet.ExitCode == 0, quiet.Stderr);
            Assert.DoesNotContain(quiet.StderrLines, l => l.StartsWith("ae: note:", StringComparison.Ordinal));
        }

        [Fact]
        public void The_task_and_the_size_are_required()
        {
            var r = Cli.Run(Repo.Root, "swarm", "laws/ae_sgdm.ae", "--k", "4");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: no task; give --task NAME (quadratic, ", r.StderrLines.Single(), StringComparison.Ordinal);
            r = Cli.Run(Repo.Root, "swarm", "laws/ae_sgdm.ae", "--task", "quadratic");
            Assert.Equal(new[] { "ae: error: no swarm size; give --k K (at least 2). Run 'ae swarm --help'" }, r.StderrLines);
            r = Cli.Run(Repo.Root, "swarm", "--task", "quadratic", "--k", "2");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: no law file", r.StderrLines.Single(), StringComparison.Ordinal);
        }

        [Fact]
        public void Ctrl_C_stores_the_members_so_far_as_interrupted_and_exits_130()
        {
            using var dir = new TempDirectory();
            using var cts = new System.Threading.CancellationTokenSource();
            // one run at a time: the first round's end cancels, so the first run stops in its second round and the second never starts
            var r = Experiments.Run(dir.Path, cts.Token, _ => cts.Cancel(), "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "3", "--rounds", "4",
                "--steps", "40", "--seeds", "2", "--threads", "1", "--db", "s.db");
            Assert.Equal(130, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.StartsWith("ae: interrupted; 3 member runs are stored in s.db (batch swarm-", r.StderrLines.Single(), StringComparison.Ordinal);
            string db = Path.Combine(dir.Path, "s.db");
            Assert.Equal(3, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'"));
            Assert.Equal(3, Experiments.Scalar(db, "SELECT count(*) FROM runs"));
            // each member had its 10 steps of round 1 before the cancel, and none after it
            Assert.Equal(3 * 10, Experiments.Scalar(db, "SELECT sum(steps_taken) FROM runs"));
        }

        /// <summary>
        /// Ctrl-C once every population run has finished cuts nothing short: the table is printed and the runs stored as
        /// complete, as ae sweep and ae ablate do (the swarm said "interrupted", printed no table and exited 130). The cancel
        /// comes with the last progress report, counted in a run left alone.
        /// </summary>
        [Fact]
        public void Ctrl_C_after_every_run_finished_still_prints_the_table()
        {
            string[] Args(string db) => new[] { "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "3", "--rounds", "2", "--steps", "20", "--seeds", "1", "--threads", "1", "--method", "swarm", "--db", db };
            using var dir = new TempDirectory();
            int reports = 0;
            var whole = Experiments.Run(dir.Path, System.Threading.CancellationToken.None, _ => reports++, Args("a.db"));
            Assert.True(whole.ExitCode == 0, whole.Stderr);
            using var cts = new System.Threading.CancellationTokenSource();
            int seen = 0;
            var late = Experiments.Run(dir.Path, cts.Token, _ => { if (++seen == reports) cts.Cancel(); }, Args("b.db"));
            Assert.True(cts.IsCancellationRequested);
            Assert.True(late.ExitCode == 0, late.Stderr);
            Assert.Equal(whole.Stdout, late.Stdout);
            Assert.Equal(3, Experiments.Scalar(Path.Combine(dir.Path, "b.db"), "SELECT count(*) FROM runs WHERE status <> 'interrupted'"));
        }

        [Fact]
        public void Help_is_printed_and_listed()
        {
            var r = Cli.Run(Repo.Root, "swarm", "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("  ae swarm [<law.ae>...] [options]", r.StdoutLines);
            Assert.Contains("--k <K>", r.Stdout, StringComparison.Ordinal);
            Assert.Contains(Cli.Run(Repo.Root, "--help").StdoutLines, l => l.StartsWith("  swarm ", StringComparison.Ordinal));
        }
    }
}
