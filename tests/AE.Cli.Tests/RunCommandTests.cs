using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Xml.Linq;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// <c>ae run</c> in-process on the quadratic task with small budgets. The law is compiled once per process
    /// (LawCompiler caches the assembly), so only the first test of the class pays for Roslyn.
    /// </summary>
    public class RunCommandTests
    {
        /// <summary>
        /// language.md's momentum, written with states because a law's filter of a vector is not emitted, runs; the same law
        /// with the filters it replaces checks with AE0080 alone and is refused by ae run in one line, as the page says.
        /// </summary>
        [Fact]
        public void The_momentum_law_of_language_md_runs_and_its_form_with_vector_filters_is_refused()
        {
            string doc = File.ReadAllText(Path.Combine(Repo.Root, "docs", "language.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
            int at = doc.IndexOf("**A law's filters run over scalars.**", StringComparison.Ordinal);
            Assert.True(at >= 0, "language.md has no section on a law's filters");
            int start = doc.IndexOf("```ae\n", at, StringComparison.Ordinal) + "```ae\n".Length;
            string law = doc.Substring(start, doc.IndexOf("```", start, StringComparison.Ordinal) - start);
            using var dir = new TempDirectory();
            dir.Write("momentum.ae", law);
            var check = Cli.Run(dir.Path, "check", "momentum.ae");
            Assert.Equal(new[] { "1 file checked: 0 errors, 0 warnings" }, check.StdoutLines);
            var run = Cli.Run(dir.Path, "run", "momentum.ae", "--task", "quadratic", "--steps", "50", "--no-progress", "--db", "runs.db");
            Assert.True(run.ExitCode is 0 or 1, run.Stderr);
            Assert.Equal("", run.Stderr);
            Assert.Contains(run.StdoutLines, l => l.StartsWith("incidents: 0", StringComparison.Ordinal));

            dir.Write("filters.ae", law.Replace("align = cosine(grad, gprev);", "align = cosine(grad, prev(grad, grad));", StringComparison.Ordinal)
                .Replace("m' = 0.9 * m + 0.1 * grad;", "m' = ema(0.9, grad);", StringComparison.Ordinal));
            var warned = Cli.Run(dir.Path, "check", "filters.ae");
            Assert.Equal(0, warned.ExitCode);
            Assert.Contains("warning AE0080: law 'Momentum' is checked but not emitted as C#: the filter 'align.prev' runs over a vector; the C# backend emits scalar filters so far", warned.StdoutLines[0], StringComparison.Ordinal);
            Assert.Equal("1 file checked: 0 errors, 1 warning", warned.StdoutLines[^1]);
            var refused = Cli.Run(dir.Path, "run", "filters.ae", "--task", "quadratic", "--steps", "50", "--no-progress", "--db", "runs.db");
            Assert.Equal(2, refused.ExitCode);
            Assert.Equal("ae: error: cannot emit 'Momentum': the filter 'align.prev' runs over a vector; the C# backend emits scalar filters so far", Assert.Single(refused.StderrLines));
        }

        [Fact]
        public void A_run_is_stored_with_one_row_per_step_and_its_summary_printed()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "40");

            Assert.Equal(1, r.ExitCode); // 40 steps do not reach the target
            Assert.Equal("", r.Stderr);   // not a terminal: no progress bar
            Assert.StartsWith("AeSgdm (", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.Contains("on quadratic, seed 0, budget 40 steps", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.Contains(r.StdoutLines, l => l.StartsWith("steps to target: not reached (target -4.27", StringComparison.Ordinal));
            Assert.Contains(r.StdoutLines, l => l.StartsWith("final loss: ", StringComparison.Ordinal));
            Assert.Contains(r.StdoutLines, l => l.StartsWith("AUC of log loss: ", StringComparison.Ordinal));
            Assert.Contains("incidents: 0", r.StdoutLines);
            Assert.Contains("stored: run 1 in ae-runs.db (status not-reached)", r.StdoutLines);

            string db = Path.Combine(dir.Path, "ae-runs.db");
            Assert.Equal(1, Experiments.Scalar(db, "SELECT count(*) FROM runs"));
            Assert.Equal(40, Experiments.Scalar(db, "SELECT count(*) FROM steps WHERE run_id = 1"));
            var row = Experiments.Rows(db, "SELECT law, law_sha256, task, seed, steps, status, steps_taken, ablated, settings, command FROM runs").Single();
            string sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Repo.SgdmLaw))).ToLowerInvariant();
            Assert.Equal(new object?[] { "AeSgdm", sha, "quadratic", 0L, 40L, "not-reached", 40L, "", "{}", "run" }, row);

            // The signals of every step, as JSON, the loss beside them.
            string signals = Experiments.Text(db, "SELECT signals FROM steps WHERE run_id = 1 AND step = 40");
            using var json = JsonDocument.Parse(signals);
            Assert.True(json.RootElement.GetProperty("alpha").GetDouble() > 0);
            Assert.Equal(Experiments.Text(db, "SELECT loss FROM steps WHERE run_id = 1 AND step = 40"),
                Experiments.Text(db, "SELECT json_extract(signals, '$.L') FROM steps WHERE run_id = 1 AND step = 40"));

            // A second run gets the next id in the same database.
            r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "10", "--seed", "3");
            Assert.Contains("stored: run 2 in ae-runs.db (status not-reached)", r.StdoutLines);
            Assert.Equal(2, Experiments.Scalar(db, "SELECT count(*) FROM runs"));
            Assert.Equal(3, Experiments.Scalar(db, "SELECT seed FROM runs WHERE id = 2"));
        }

        /// <summary>A signal named loss (the law's loss input has another name) was a second column "loss", which a reader keyed on the header took for the loss.</summary>
        [Fact]
        public void A_signal_named_loss_has_a_column_of_its_own_name()
        {
            using var dir = new TempDirectory();
            dir.Write("nm.ae", "law Nm {\n  dim n;\n  input f: real;\n  input g: real[n];\n  state x: real[n];\n  signal loss: real;\n"
                + "  fixed rule L { loss = 2 * f + 100; }\n  update { x' = x - 0.1 * g; }\n}\n");
            var r = Cli.Run(dir.Path, "run", "nm.ae", "--task", "quadratic", "--steps", "3", "--db", "x.db", "--out", "o");
            Assert.True(r.ExitCode is 0 or 1, r.Stdout + r.Stderr);
            var csv = File.ReadAllLines(Path.Combine(dir.Path, "o", "run-1.csv"));
            Assert.Equal("step,loss,signal loss", csv[0]);
            var row = csv[1].Split(',').Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(2 * row[1] + 100, row[2], 12);   // the signal is the law's own, 2 f + 100 of the loss it was handed
        }

        [Fact]
        public void Out_writes_a_well_formed_csv_svg_and_png()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "30", "--db", "x.db", "--out", "plots");
            Assert.True(r.ExitCode == 1, r.Stdout + r.Stderr);
            Assert.Contains("wrote: plots/run-1.csv, plots/run-1.svg, plots/run-1.png", r.StdoutLines);

            var csv = File.ReadAllLines(Path.Combine(dir.Path, "plots", "run-1.csv"));
            Assert.Equal(31, csv.Length);
            var header = csv[0].Split(',');
            Assert.Equal(new[] { "step", "loss" }, header.Take(2));
            foreach (var name in new[] { "alpha", "mu", "sigma", "gamma", "T", "V" }) Assert.Contains(name, header);
            for (int i = 1; i < csv.Length; i++)
            {
                var cells = csv[i].Split(',');
                Assert.Equal(header.Length, cells.Length);
                Assert.Equal(i.ToString(CultureInfo.InvariantCulture), cells[0]);
                Assert.All(cells, c => Assert.True(double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _), c));
            }

            var (_, labels) = Plots.LoadSvg(Path.Combine(dir.Path, "plots", "run-1.svg"));
            Assert.Contains("AeSgdm on quadratic, seed 0 (run 1)", labels);
            Assert.Contains("loss − optimum (log)", labels);
            Assert.Contains("alpha (log)", labels);
            Assert.Contains("mu", labels);
            Assert.Contains("sigma", labels);
            Assert.Contains(labels, l => l.StartsWith("gamma", StringComparison.Ordinal));
            Assert.Contains("step", labels);
            // five panels: loss, alpha, mu, sigma, gamma
            Plots.AssertPng(Path.Combine(dir.Path, "plots", "run-1.png"), AE.Cli.Plots.FigureRenderer.Width, 36 + 5 * 190 + 22);
        }

        [Fact]
        public void Set_and_ablate_are_applied_and_recorded()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "2000", "--set", "init_alpha=0.5", "--set", "k_p=1.2,auto_gamma=false",
                "--ablate", "AE5", "--db", "x.db");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr); // without the resonance clamp, from alpha 0.5, the quadratic is solved
            Assert.Contains("settings: init_alpha=0.5, k_p=1.2, auto_gamma=false", r.StdoutLines);
            Assert.Contains("ablated: AE5", r.StdoutLines);
            string db = Path.Combine(dir.Path, "x.db");
            var row = Experiments.Rows(db, "SELECT settings, ablated, status FROM runs").Single();
            Assert.Equal(new object?[] { "{\"init_alpha\":0.5,\"k_p\":1.2,\"auto_gamma\":false}", "AE5", "accepted" }, row);
            Assert.Equal(0.5, double.Parse(Experiments.Text(db, "SELECT json_extract(signals, '$.alpha') FROM steps WHERE step = 1"), CultureInfo.InvariantCulture), 1);
        }

        /// <summary>
        /// A param named like a C# keyword (its property is @double) is set by its .ae name like any other: --set reached
        /// no property and said the law had no params; its range is checked and a value in it is run.
        /// </summary>
        [Fact]
        public void A_param_named_like_a_csharp_keyword_is_set_by_its_name()
        {
            using var dir = new TempDirectory();
            dir.Write("kw.ae", """
                law Kw {
                  dim n;
                  param double in (0, 1] = 0.1;
                  param base = 1;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  update { theta' = theta - double * base * grad + 0 * loss; }
                }
                """);
            var refused = Cli.Run(dir.Path, "run", "kw.ae", "--task", "quadratic", "--steps", "5", "--set", "double=5", "--no-progress");
            Assert.Equal(2, refused.ExitCode);
            Assert.Equal("ae: error: Kw rejects its settings: param 'double' must lie in (0, 1] (given 5)", refused.StderrLines.Single());
            var unknown = Cli.Run(dir.Path, "run", "kw.ae", "--task", "quadratic", "--steps", "5", "--set", "nope=5", "--no-progress");
            Assert.Equal("ae: error: unknown param 'nope' in --set; the params of Kw: double, base", unknown.StderrLines.Single());
            var ran = Cli.Run(dir.Path, "run", "kw.ae", "--task", "quadratic", "--steps", "5", "--set", "double=0.5,base=0.5", "--no-progress");
            Assert.Equal("", ran.Stderr);
            Assert.Contains("settings: double=0.5, base=0.5", ran.StdoutLines);
            Assert.Contains("stopped: budget exhausted after 5 steps", ran.StdoutLines);
        }

        [Theory]
        [InlineData("--set", "k_q=1", "ae: error: unknown param 'k_q' in --set; the params of AeSgdm: beta_mu, beta_T, ")]
        [InlineData("--set", "k_p=fast", "ae: error: invalid value 'fast' for the real param k_p of AeSgdm; expected a number")]
        [InlineData("--set", "k_p=none", "ae: error: invalid value 'none' for the real param k_p of AeSgdm; none (the seed's None) stands only for the params the seed's config lets be None (max_dlog_alpha, ")]
        [InlineData("--set", "auto_gamma=1", "ae: error: invalid value '1' for the bool param auto_gamma of AeSgdm; expected true or false")]
        [InlineData("--set", "auto_gamma_warmup=2.5", "ae: error: invalid value '2.5' for the int param auto_gamma_warmup of AeSgdm")]
        [InlineData("--set", "beta_T=1.5", "ae: error: AeSgdm rejects its settings: param 'beta_T' must lie in [0, 1) (given 1.5)")]
        [InlineData("--set", "k_p", "ae: error: invalid --set 'k_p'; expected NAME=VALUE")]
        [InlineData("--set", "init_alpha=0,5", "ae: error: invalid --set '5'; expected NAME=VALUE, such as k_p=1.2 (a comma separates settings, so 'init_alpha=0,5' reads as two: numbers are written with a decimal point")]
        [InlineData("--set", "auto_gamma_warmup=1,000", "ae: error: invalid --set '000'; expected NAME=VALUE, such as k_p=1.2 (a comma separates settings, so 'auto_gamma_warmup=1,000' reads as two")]
        [InlineData("--ablate", "AE9", "ae: error: unknown rule 'AE9' in --ablate; switchable rules of AeSgdm: brake, AE8, AE2, AE4, AE6, AE3, AE5")]
        [InlineData("--ablate", "AE1", "ae: error: 'AE1' is a fixed rule of AeSgdm and cannot be switched off; switchable rules: brake, AE8, AE2, AE4, AE6, AE3, AE5")]
        [InlineData("--task", "quadratik", "ae: error: unknown task 'quadratik'; valid tasks: quadratic, quadratic-1e4, noisy-quadratic, rosenbrock, rosenbrock-nd, linreg, logreg-fashion, delayed, plateau, scale-change, moving-optimum")]
        [InlineData("--steps", "0", "ae: error: invalid value '0' for '--steps'; expected a whole number from 1 to 1000000")]
        [InlineData("--colour", "red", "ae: error: unknown option '--colour'; valid options: --task, --case, --name, --steps, --ablate, --set, --seed, --out, --checkpoint-every, --resume, --db, --no-progress, --help. Run 'ae run --help'")]
        public void Bad_input_is_one_line_and_exit_2(string option, string value, string expected)
        {
            using var dir = new TempDirectory();
            var args = option is "--task" or "--steps"
                ? new[] { "run", Repo.SgdmLaw, "--task", option == "--task" ? value : "quadratic", option == "--steps" ? option : "--seed", option == "--steps" ? value : "0" }
                : new[] { "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "5", option, value };
            var r = Cli.Run(dir.Path, args);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Single(r.StderrLines);
            Assert.StartsWith(expected, r.StderrLines[0], StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir.Path, "ae-runs.db"))); // nothing ran, nothing was stored
        }

        /// <summary>
        /// A param named like a generated member (Step, whose C# property is Step_) is set by its .ae name, and the C# name
        /// is not one; the message lists the .ae names. A dim derived from n that is below 1 at the task's n is one line.
        /// </summary>
        [Fact]
        public void Params_are_set_by_their_ae_names_and_a_derived_dim_below_1_is_one_line()
        {
            using var dir = new TempDirectory();
            dir.Write("member.ae", "law MemberNames {\n  dim n;\n  param Step = 1, Options = 1;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                + "  signal Kernel: real;\n  update {\n    Kernel = loss;\n    theta' = theta - 0.01 * Step * Options * grad;\n  }\n}\n");
            var set = Cli.Run(dir.Path, "run", "member.ae", "--task", "quadratic", "--steps", "3", "--set", "Step=2", "--set", "Options=0.5", "--db", "runs.db");
            Assert.True(set.ExitCode is 0 or 1, set.Stderr);
            Assert.Contains("settings: Step=2, Options=0.5", set.Stdout, StringComparison.Ordinal);
            var renamed = Cli.Run(dir.Path, "run", "member.ae", "--task", "quadratic", "--steps", "3", "--set", "Step_=2", "--db", "runs.db");
            Assert.Equal(2, renamed.ExitCode);
            Assert.Equal(new[] { "ae: error: unknown param 'Step_' in --set; the params of MemberNames: Step, Options" }, renamed.StderrLines);

            dir.Write("derived.ae", "law NegDim {\n  dim n;\n  dim w = n - 3;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  state f: real[w] = 0;\n"
                + "  signal L: real;\n  update {\n    L = loss + sum(f);\n    f' = f + 1;\n    theta' = theta - 0.001 * grad;\n  }\n}\n");
            foreach (var args in new[] { new[] { "run", "derived.ae", "--task", "rosenbrock", "--steps", "3", "--db", "runs.db" }, new[] { "grad", "derived.ae", "--task", "rosenbrock", "--steps", "3", "--subgradients" }, new[] { "bench", "derived.ae", "--n", "2", "--min-time-ms", "1" } })
            {
                var r = Cli.Run(dir.Path, args);
                Assert.True(r.ExitCode == 2, args[0] + ": " + r.Stdout + r.Stderr);
                var line = Assert.Single(r.StderrLines);
                Assert.Contains("dimension 'w' = n - 3 is -1 for n = 2; a dimension must be at least 1 and at most 2147483647", line, StringComparison.Ordinal);
                Assert.DoesNotContain("Parameter", line, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void The_unknown_param_message_lists_every_param()
        {
            var r = Cli.Run(Repo.Root, "run", "laws/ae_sgdm.ae", "--task", "quadratic", "--set", "nope=1", "--db", Path.Combine(Path.GetTempPath(), "unused.db"));
            Assert.Equal(2, r.ExitCode);
            foreach (var p in new[] { "k_p", "init_alpha", "alpha_max", "auto_gamma_warmup", "clip_grad_norm" })
                Assert.Contains(p, r.StderrLines.Single(), StringComparison.Ordinal);
        }

        [Fact]
        public void A_cancelled_run_is_committed_as_interrupted_and_the_message_says_where()
        {
            using var dir = new TempDirectory();
            using var cts = new CancellationTokenSource();
            long seen = 0;
            var r = Experiments.Run(dir.Path, cts.Token, p =>
            {
                seen = p.Step;
                if (p.Step >= 100) cts.Cancel();
            }, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "2000", "--db", "runs.db", "--out", "out");

            Assert.Equal(130, r.ExitCode);
            string db = Path.Combine(dir.Path, "runs.db");
            var row = Experiments.Rows(db, "SELECT id, status, steps_taken, steps FROM runs").Single();
            Assert.Equal("interrupted", row[1]);
            long taken = (long)row[2]!;
            Assert.InRange(taken, 100, 101);
            Assert.Equal(2000L, row[3]);
            Assert.Equal(taken, Experiments.Scalar(db, "SELECT count(*) FROM steps WHERE run_id = 1"));
            Assert.Equal(taken, Experiments.Scalar(db, "SELECT max(step) FROM steps"));
            Assert.Equal("ok", Experiments.Text(db, "PRAGMA integrity_check"));
            Assert.Equal(new[] { "ae: interrupted after " + taken + " steps; the partial run is stored in runs.db as run 1 with status interrupted; resume with --resume out/checkpoint.aerun" }, r.StderrLines);
            Assert.Contains("stored: run 1 in runs.db (status interrupted)", r.StdoutLines);
            Assert.Equal(taken + 1, File.ReadAllLines(Path.Combine(dir.Path, "out", "run-1.csv")).Length);
        }

        /// <summary>Every column of the steps table and the run's figures, for comparing two runs row for row.</summary>
        private static List<object?[]> Steps(string db, long run) => Experiments.Rows(db, "SELECT step, loss, signals FROM steps WHERE run_id = " + run + " ORDER BY step");

        private static object?[] Figures(string db, long run) => Experiments.Rows(db,
            "SELECT status, steps_taken, steps_to_target, initial_loss, final_loss, auc, incidents, incident_list FROM runs WHERE id = " + run).Single();

        [Fact]
        public void A_run_cancelled_mid_way_resumes_from_its_checkpoint_bit_for_bit()
        {
            using var dir = new TempDirectory();
            string[] common = { "run", Repo.SgdmLaw, "--task", "noisy-quadratic", "--steps", "600", "--seed", "3", "--set", "init_alpha=0.02", "--ablate", "AE4", "--db", "runs.db" };
            var whole = Cli.Run(dir.Path, common.Concat(new[] { "--out", "whole" }).ToArray());
            Assert.True(whole.ExitCode is 0 or 1, whole.Stderr);

            using var cts = new CancellationTokenSource();
            var cut = Experiments.Run(dir.Path, cts.Token, p => { if (p.Step >= 250) cts.Cancel(); }, common.Concat(new[] { "--out", "cut", "--checkpoint-every", "100" }).ToArray());
            Assert.Equal(130, cut.ExitCode);
            Assert.EndsWith("with status interrupted; resume with --resume cut/checkpoint.aerun", cut.StderrLines.Single(), StringComparison.Ordinal);
            string db = Path.Combine(dir.Path, "runs.db");
            Assert.Equal("interrupted", Experiments.Text(db, "SELECT status FROM runs WHERE id = 2"));
            long taken = Experiments.Scalar(db, "SELECT steps_taken FROM runs WHERE id = 2");
            Assert.InRange(taken, 250, 300);

            var resumed = Cli.Run(dir.Path, common.Concat(new[] { "--out", "cut", "--resume", "cut/checkpoint.aerun" }).ToArray());
            Assert.Equal(whole.ExitCode, resumed.ExitCode);
            Assert.Equal("", resumed.Stderr);
            // The summary, the stored run and its steps, and the CSV are those of the run never interrupted.
            Assert.Equal(whole.StdoutLines.Where(l => !l.StartsWith("stored:", StringComparison.Ordinal) && !l.StartsWith("wrote:", StringComparison.Ordinal)),
                resumed.StdoutLines.Where(l => !l.StartsWith("stored:", StringComparison.Ordinal) && !l.StartsWith("wrote:", StringComparison.Ordinal)));
            Assert.Equal(Figures(db, 1), Figures(db, 3));
            Assert.Equal(600, Steps(db, 3).Count);
            Assert.Equal(Steps(db, 1), Steps(db, 3));
            Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "whole", "run-1.csv")), File.ReadAllText(Path.Combine(dir.Path, "cut", "run-3.csv")));
            // The interrupted run's steps are a prefix of them.
            Assert.Equal(Steps(db, 1).Take((int)taken), Steps(db, 2));
            // Complete and stored, the run leaves no checkpoint: resuming it would store it a second time.
            Assert.False(File.Exists(Path.Combine(dir.Path, "cut", "checkpoint.aerun")));
        }

        /// <summary>Two processes writing one --out at once replaced each other's files: the second is refused while the first holds the folder.</summary>
        [Theory]
        [InlineData("run")]
        [InlineData("train")]
        [InlineData("swarm")]
        public void A_folder_another_process_writes_to_is_refused(string command)
        {
            using var dir = new TempDirectory();
            Directory.CreateDirectory(Path.Combine(dir.Path, "o"));
            string[] args = OutArgs(command, "o");
            using (new FileStream(Path.Combine(dir.Path, "o", ".ae-lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
                var r = Cli.Run(dir.Path, args);
                Assert.Equal(2, r.ExitCode);
                Assert.Equal("ae: error: another ae process is writing to o (it holds .ae-lock); wait for it, or give another --out", Assert.Single(r.StderrLines));
                Assert.Equal(new[] { ".ae-lock" }, Directory.GetFiles(Path.Combine(dir.Path, "o")).Select(Path.GetFileName));
                Assert.False(File.Exists(Path.Combine(dir.Path, "runs.db")));   // the refusal leaves no database it made
            }
            // released: the run writes, and takes its lock file away with it
            var ok = Cli.Run(dir.Path, args);
            Assert.True(ok.ExitCode is 0 or 1, ok.Stderr);
            Assert.False(File.Exists(Path.Combine(dir.Path, "o", ".ae-lock")));
        }

        /// <summary>A run whose database another process holds says on stderr that it waits (it seemed to hang for up to 5 minutes), then stores the run.</summary>
        [Fact]
        public async System.Threading.Tasks.Task A_run_waiting_for_the_database_says_so_and_stores_when_it_is_let_go()
        {
            using var dir = new TempDirectory();
            string[] args = { "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "20", "--db", "runs.db" };
            Assert.True(Cli.Run(dir.Path, args).ExitCode is 0 or 1);
            using var other = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(dir.Path, "runs.db") + ";Pooling=False");
            other.Open();
            using (var begin = other.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                begin.ExecuteNonQuery();
            }
            using var stdout = new StringWriter();
            using var stderr = new LineSignallingWriter("ae: waiting for ");
            var running = System.Threading.Tasks.Task.Run(() => CliApp.Run(args, stdout, stderr, dir.Path));
            // told once it has waited a while (however long the law took to compile first), and still waiting
            Assert.True(await System.Threading.Tasks.Task.Run(() => stderr.Seen.Wait(TimeSpan.FromSeconds(120))), "never said it waits");
            Assert.False(running.IsCompleted);
            using (var commit = other.CreateCommand())
            {
                commit.CommandText = "COMMIT;";
                commit.ExecuteNonQuery();
            }
            int exit = await running;
            Assert.True(exit is 0 or 1, stderr.ToString());
            Assert.Equal(new[] { "ae: waiting for runs.db: another process is using it (each wait lasts up to 5 minutes)" },
                stderr.ToString().Split('\n').Where(l => l.StartsWith("ae: ", StringComparison.Ordinal)));
            Assert.Contains("run 2", stdout.ToString(), StringComparison.Ordinal);
        }

        /// <summary>A writer that sets <see cref="Seen"/> once a line starting with a prefix is written to it.</summary>
        private sealed class LineSignallingWriter(string prefix) : StringWriter
        {
            public ManualResetEventSlim Seen { get; } = new();

            public override void WriteLine(string? value)
            {
                lock (this) base.WriteLine(value);
                if (value is not null && value.StartsWith(prefix, StringComparison.Ordinal)) Seen.Set();
            }

            public override string ToString()
            {
                lock (this) return base.ToString();
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) Seen.Dispose();
                base.Dispose(disposing);
            }
        }

        /// <summary>A run stopped before its first step has no AUC: the summary says '—' (it printed 'nan' as if one were computed).</summary>
        [Fact]
        public void A_run_interrupted_before_its_first_step_shows_no_auc()
        {
            using var dir = new TempDirectory();
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var r = Experiments.Run(dir.Path, cts.Token, null, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "50", "--db", "runs.db");
            Assert.Equal(130, r.ExitCode);
            Assert.Contains("stopped: interrupted after 0 steps", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("AUC of log loss: —", r.StdoutLines);
        }

        /// <summary>
        /// A run that starts at the optimum reaches its target at step 0 and takes no step, but it has an AUC: its one term,
        /// log(0 + 1e-12), padded over the budget of 30 (docs/tasks.md), which the summary printed as '—'.
        /// </summary>
        [Fact]
        public void A_run_that_starts_on_its_target_shows_its_padded_auc()
        {
            using var dir = new TempDirectory();
            File.WriteAllText(Path.Combine(dir.Path, "at-optimum.json"),
                """{"name": "at-optimum", "problem": {"kind": "quadratic", "A": [[1.0, 0.0], [0.0, 1.0]], "b": [0.0, 0.0]}, "theta0": [0.0, 0.0], "steps": 30,"""
                + """ "config": {}, "agent": {}, "columns": ["step", "loss"], "tolerance": {"rel": 1e-9, "abs": 1e-12}}""");
            File.WriteAllText(Path.Combine(dir.Path, "at-optimum.csv"), "step,loss\n" + string.Concat(Enumerable.Range(1, 30).Select(k => k + ",0\n")));
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--case", "at-optimum.json", "--db", "runs.db", "--no-progress");
            Assert.Equal(0, r.ExitCode);
            // b = 0 makes the optimum -0.5 b'A^-1 b = -0, which printed as "optimum -0"
            Assert.Contains("steps to target: 0 (target 1e-12, optimum 0)", r.StdoutLines);
            Assert.Contains("AUC of log loss: " + (30 * Math.Log(1e-12)).ToString("G6", System.Globalization.CultureInfo.InvariantCulture), r.StdoutLines);
        }

        private static string[] OutArgs(string command, string output) => command switch
        {
            "run" => new[] { "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "20", "--db", "runs.db", "--out", output },
            "train" => new[] { "train", Path.Combine(Repo.Root, "cells", "residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "5", "--batch", "2", "--epochs", "1", "--db", "runs.db", "--out", output },
            _ => new[] { "swarm", Repo.SgdmLaw, "--task", "quadratic", "--k", "2", "--rounds", "1", "--steps", "20", "--seeds", "1", "--db", "runs.db", "--out", output },
        };

        /// <summary>
        /// A --db that is a file the command writes or removes in its --out folder is refused before anything runs: the run's
        /// CSV replaced the database, or the lock file's removal deleted it, with every run it held.
        /// </summary>
        [Theory]
        [InlineData("run", ".ae-lock")]
        [InlineData("run", "run-1.csv")]
        [InlineData("run", "run-7.png")]
        [InlineData("run", "checkpoint.aerun")]
        [InlineData("swarm", "run-2.svg")]
        [InlineData("swarm", ".ae-lock")]
        [InlineData("train", "curve.csv")]
        [InlineData("train", "checkpoint.aetrain")]
        [InlineData("train", ".ae-lock")]
        [InlineData("train", "checkpoint.aetrain.tmp-99999")]   // a killed writer's leftover, which the command removes: the database went with it
        [InlineData("run", "run-1.csv.tmp-123")]
        public void A_database_the_out_folder_would_overwrite_is_refused(string command, string name)
        {
            using var dir = new TempDirectory();
            Directory.CreateDirectory(Path.Combine(dir.Path, "o"));
            // a store with a run in it already, as the one the probe lost
            var first = Cli.Run(dir.Path, OutArgs(command, "elsewhere").Select(a => a == "runs.db" ? "o/" + name : a).ToArray());
            Assert.True(first.ExitCode is 0 or 1, first.Stderr);
            byte[] before = File.ReadAllBytes(Path.Combine(dir.Path, "o", name));
            var r = Cli.Run(dir.Path, OutArgs(command, "o").Select(a => a == "runs.db" ? "o/" + name : a).ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: --db o/" + name + " is a file this command writes in its --out folder, which would destroy the database: give the database another name" }, r.StderrLines);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir.Path, "o", name)));
            Assert.Equal(new[] { name }, Directory.GetFiles(Path.Combine(dir.Path, "o")).Select(Path.GetFileName));
        }

        /// <summary>A database refused (another program's) leaves no --out folder the command made for the run.</summary>
        [Theory]
        [InlineData("run")]
        [InlineData("train")]
        [InlineData("swarm")]
        public void A_refused_database_leaves_no_folder_made_for_the_run(string command)
        {
            using var dir = new TempDirectory();
            using (var other = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(dir.Path, "runs.db") + ";Pooling=False"))
            {
                other.Open();
                using var create = other.CreateCommand();
                create.CommandText = "CREATE TABLE notes (text TEXT);";
                create.ExecuteNonQuery();
            }
            var r = Cli.Run(dir.Path, OutArgs(command, "newdir"));
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("is not a run store", Assert.Single(r.StderrLines), StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "newdir")));
        }

        /// <summary>An --out folder that cannot be made (a file is in its way) is one line, and leaves no new database behind.</summary>
        [Theory]
        [InlineData("run")]
        [InlineData("train")]
        [InlineData("swarm")]
        public void An_out_folder_that_cannot_be_made_leaves_no_new_database(string command)
        {
            using var dir = new TempDirectory();
            dir.Write("file", "mine\n");
            var r = Cli.Run(dir.Path, OutArgs(command, "file/o"));
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: cannot create the folder '", Assert.Single(r.StderrLines), StringComparison.Ordinal);
            Assert.Equal(new[] { "file" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        }

        /// <summary>A run that completes leaves no checkpoint behind (it wrote some on the way), so it can neither be resumed into a duplicate nor block a fresh start.</summary>
        [Fact]
        public void A_complete_run_leaves_no_checkpoint_and_a_copy_resumed_over_a_newer_one_is_refused()
        {
            using var dir = new TempDirectory();
            string[] common = { "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "300", "--db", "runs.db" };
            var done = Cli.Run(dir.Path, common.Concat(new[] { "--out", "o", "--checkpoint-every", "100" }).ToArray());
            Assert.True(done.ExitCode is 0 or 1, done.Stderr);
            Assert.False(File.Exists(Path.Combine(dir.Path, "o", "checkpoint.aerun")));
            var again = Cli.Run(dir.Path, common.Concat(new[] { "--out", "o2", "--checkpoint-every", "100" }).ToArray());
            Assert.Equal(done.ExitCode, again.ExitCode);

            // An interrupted run's checkpoint, copied aside; resuming the copy into the folder would overwrite the newer progress there.
            using var cts = new CancellationTokenSource();
            var cut = Experiments.Run(dir.Path, cts.Token, p => { if (p.Step >= 40) cts.Cancel(); }, common.Concat(new[] { "--out", "c" }).ToArray());
            Assert.Equal(130, cut.ExitCode);
            File.Copy(Path.Combine(dir.Path, "c", "checkpoint.aerun"), Path.Combine(dir.Path, "backup.aerun"));
            var r = Cli.Run(dir.Path, common.Concat(new[] { "--out", "c", "--resume", "backup.aerun" }).ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: c/checkpoint.aerun holds this run's progress too, which resuming from backup.aerun would overwrite: resume from c/checkpoint.aerun instead, or move it", Assert.Single(r.StderrLines));

            // Resumed without --out, the completed run leaves no checkpoint either: the one it resumed would store it again.
            var resumed = Cli.Run(dir.Path, common.Concat(new[] { "--resume", "c/checkpoint.aerun" }).ToArray());
            Assert.Equal(done.ExitCode, resumed.ExitCode);
            Assert.False(File.Exists(Path.Combine(dir.Path, "c", "checkpoint.aerun")));
            Assert.True(File.Exists(Path.Combine(dir.Path, "backup.aerun")));   // a copy is the user's until it is resumed
            Assert.Equal(2, Cli.Run(dir.Path, common.Concat(new[] { "--resume", "c/checkpoint.aerun" }).ToArray()).ExitCode);
        }

        /// <summary>
        /// A run is stored once however often its checkpoint is resumed: a process stopped after it stored the run and before it
        /// removed the checkpoint, or two processes resuming one checkpoint, store the same run under the run's key, and the
        /// second replaces the first. Two fresh runs of the same settings are two runs.
        /// </summary>
        [Fact]
        public void A_checkpoint_resumed_after_its_run_was_stored_replaces_the_stored_run()
        {
            using var dir = new TempDirectory();
            string[] common = { "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "300", "--db", "runs.db" };
            string db = Path.Combine(dir.Path, "runs.db");
            using var cts = new CancellationTokenSource();
            var cut = Experiments.Run(dir.Path, cts.Token, p => { if (p.Step >= 40) cts.Cancel(); }, common.Concat(new[] { "--out", "c" }).ToArray());
            Assert.Equal(130, cut.ExitCode);
            File.Copy(Path.Combine(dir.Path, "c", "checkpoint.aerun"), Path.Combine(dir.Path, "copy.aerun"));

            var first = Cli.Run(dir.Path, common.Concat(new[] { "--resume", "c/checkpoint.aerun" }).ToArray());
            Assert.True(first.ExitCode is 0 or 1, first.Stderr);
            Assert.Equal("", first.Stderr);
            var second = Cli.Run(dir.Path, common.Concat(new[] { "--resume", "copy.aerun" }).ToArray());
            Assert.Equal(first.ExitCode, second.ExitCode);
            Assert.Equal(new[] { "ae: this checkpoint's run was stored before, as run 2; run 3 replaces it (the same run, run again from the checkpoint)" }, second.StderrLines);
            Assert.Equal(1, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE status <> 'interrupted'"));
            Assert.Equal(1, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'"));
            Assert.Equal(300, Experiments.Scalar(db, "SELECT count(*) FROM steps WHERE run_id = 3"));   // the replaced run's steps went with it
            Assert.Equal(0, Experiments.Scalar(db, "SELECT count(*) FROM steps WHERE run_id = 2"));

            var fresh = Cli.Run(dir.Path, common);
            var freshAgain = Cli.Run(dir.Path, common);
            Assert.Equal("", fresh.Stderr + freshAgain.Stderr);
            Assert.Equal(3, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE status <> 'interrupted'"));
        }

        /// <summary>
        /// A run killed while it wrote its --out files leaves NAME.tmp-PID, and NAME (a run id's) is never written again, so the
        /// next run that takes the folder removes it; a temporary of a name the command does not write is not its to remove.
        /// </summary>
        [Fact]
        public void Taking_the_folder_removes_the_temporaries_a_killed_run_left_of_its_own_files()
        {
            using var dir = new TempDirectory();
            int dead;
            using (var exited = System.Diagnostics.Process.Start("/bin/true")!)
            {
                exited.WaitForExit();
                dead = exited.Id;
            }
            Directory.CreateDirectory(Path.Combine(dir.Path, "o"));
            dir.Write("o/run-7.csv.tmp-" + dead, "half a table");
            dir.Write("o/checkpoint.aerun.tmp-" + dead, "half a checkpoint");
            dir.Write("o/notes.txt.tmp-" + dead, "the user's");

            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "20", "--db", "runs.db", "--out", "o");

            Assert.True(r.ExitCode is 0 or 1, r.Stderr);
            Assert.False(File.Exists(Path.Combine(dir.Path, "o", "run-7.csv.tmp-" + dead)));
            Assert.False(File.Exists(Path.Combine(dir.Path, "o", "checkpoint.aerun.tmp-" + dead)));
            Assert.Equal("the user's", File.ReadAllText(Path.Combine(dir.Path, "o", "notes.txt.tmp-" + dead)));
        }

        /// <summary>A case is named after its file: the checkpoint records its contents too, so a case whose problem changed is another task.</summary>
        [Fact]
        public void A_checkpoint_of_a_case_whose_file_changed_is_refused()
        {
            using var dir = new TempDirectory();
            File.Copy(Repo.Case("quadratic_2d"), Path.Combine(dir.Path, "q.json"));
            File.Copy(Path.Combine(Repo.Golden, "quadratic_2d.csv"), Path.Combine(dir.Path, "q.csv"));
            using var cts = new CancellationTokenSource();
            var cut = Experiments.Run(dir.Path, cts.Token, p => { if (p.Step >= 40) cts.Cancel(); }, "run", Repo.SgdmLaw, "--case", "q.json", "--db", "runs.db", "--out", "out");
            Assert.Equal(130, cut.ExitCode);
            var checkpoint = File.ReadAllBytes(Path.Combine(dir.Path, "out", "checkpoint.aerun"));

            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "q.json")))!;
            json["problem"]!["b"] = new System.Text.Json.Nodes.JsonArray(50, -20);
            File.WriteAllText(Path.Combine(dir.Path, "q.json"), json.ToJsonString());
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--case", "q.json", "--db", "runs.db", "--out", "out", "--resume", "out/checkpoint.aerun");

            Assert.Equal(2, r.ExitCode);
            var line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: the checkpoint checkpoint.aerun is of task case:q sha256:", line, StringComparison.Ordinal);
            Assert.Contains(", this run's is case:q sha256:", line, StringComparison.Ordinal);
            Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(dir.Path, "out", "checkpoint.aerun")));
            Assert.Equal(1, Experiments.Scalar(Path.Combine(dir.Path, "runs.db"), "SELECT COUNT(*) FROM runs"));
        }

        [Fact]
        public void Another_runs_checkpoint_or_a_truncated_one_is_one_line_and_nothing_is_overwritten()
        {
            using var dir = new TempDirectory();
            using var cts = new CancellationTokenSource();
            var cut = Experiments.Run(dir.Path, cts.Token, p => { if (p.Step >= 40) cts.Cancel(); },
                "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100", "--db", "runs.db", "--out", "out");
            Assert.Equal(130, cut.ExitCode);
            string out_ = Path.Combine(dir.Path, "out");
            List<byte[]> Files() => Directory.GetFiles(out_).OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
            var before = Files();
            string db = Path.Combine(dir.Path, "runs.db");
            var dbBefore = File.ReadAllBytes(db);

            void Refused(string expected, params string[] args)
            {
                var r = Cli.Run(dir.Path, args.Concat(new[] { "--db", "runs.db", "--out", "out" }).ToArray());
                Assert.Equal(2, r.ExitCode);
                Assert.Equal(new[] { "ae: error: " + expected }, r.StderrLines);
                Assert.Equal("", r.Stdout);
                Assert.Equal(before, Files());
                Assert.Equal(dbBefore, File.ReadAllBytes(db));
            }
            Refused("the checkpoint checkpoint.aerun is of law AeSgdm, this run's is AeSgdmNoResonance",
                "run", Repo.SgdmLaw, "--name", "AeSgdmNoResonance", "--task", "quadratic", "--steps", "100", "--resume", "out/checkpoint.aerun");
            Refused("the checkpoint checkpoint.aerun is of task quadratic, this run's is rosenbrock-nd",
                "run", Repo.SgdmLaw, "--task", "rosenbrock-nd", "--steps", "100", "--resume", "out/checkpoint.aerun");
            Refused("the checkpoint checkpoint.aerun is of step budget 100, this run's is 200",
                "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "200", "--resume", "out/checkpoint.aerun");
            Refused("the checkpoint checkpoint.aerun is of settings {}, this run's is {\"k_p\":1.5}",
                "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100", "--set", "k_p=1.5", "--resume", "out/checkpoint.aerun");

            var bytes = File.ReadAllBytes(Path.Combine(out_, "checkpoint.aerun"));
            dir.WriteBytes("cut.aerun", bytes.Take(bytes.Length * 2 / 3).ToArray());
            Refused("the checkpoint cut.aerun is truncated", "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100", "--resume", "cut.aerun");
            dir.Write("other.aerun", "a text file");
            Refused("the file other.aerun is not a run checkpoint", "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100", "--resume", "other.aerun");

            var usage = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--checkpoint-every", "10");
            Assert.Equal(2, usage.ExitCode);
            Assert.StartsWith("ae: error: --checkpoint-every needs --out DIR", usage.StderrLines[0], StringComparison.Ordinal);

            // Another run into the same folder would overwrite the interrupted run's checkpoint, which --resume still needs;
            // with another database it would also overwrite run-1's files (ids restart in every database).
            Refused("out/checkpoint.aerun is the checkpoint of another run (AeSgdm on quadratic, seed 0), which this run would overwrite: resume that run with --resume out/checkpoint.aerun, or give another --out",
                "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100", "--seed", "4");
            File.Move(Path.Combine(out_, "checkpoint.aerun"), Path.Combine(dir.Path, "kept.aerun"));
            var other = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100", "--seed", "4", "--db", "other.db", "--out", "out");
            Assert.Equal(2, other.ExitCode);
            Assert.Equal(new[] { "ae: error: out/run-1.csv exists: this run will be run 1 of other.db and would overwrite it (run ids restart in every database); give another --out, or move the file" }, other.StderrLines);
            Assert.False(File.Exists(Path.Combine(dir.Path, "other.db")));   // the refused run made no database
            Assert.Equal(before.Where((_, i) => i != 0).ToList(), Files());   // the checkpoint was moved away; the run's files are as they were
            // The same run again, from scratch: its checkpoint holds progress a fresh start would overwrite.
            File.Move(Path.Combine(dir.Path, "kept.aerun"), Path.Combine(out_, "checkpoint.aerun"));
            Refused("out/checkpoint.aerun holds this run's progress, which a fresh start would overwrite: continue it with --resume out/checkpoint.aerun, or give another --out to start over",
                "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100");

            // A setting equal to the param's default is the run the checkpoint holds (k_p's default is 0.8).
            var same = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "100", "--set", "k_p=0.8", "--db", "runs.db", "--out", "out", "--resume", "out/checkpoint.aerun");
            Assert.True(same.ExitCode is 0 or 1, same.Stderr);
        }

        [Fact]
        public void A_database_of_another_program_is_not_made_a_run_store()
        {
            using var dir = new TempDirectory();
            string path = Path.Combine(dir.Path, "app.db");
            using (var c = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path + ";Pooling=False"))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "CREATE TABLE notes(id INTEGER, body TEXT); INSERT INTO notes VALUES (1, 'mine');";
                cmd.ExecuteNonQuery();
            }
            var before = File.ReadAllBytes(path);
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "10", "--db", "app.db");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the database '" + path + "' is not a run store: it holds other tables (notes) and no runs; use another --db" }, r.StderrLines);
            Assert.Equal(before, File.ReadAllBytes(path));
        }

        [Fact]
        public void A_diverging_run_is_an_incident_and_stops_cleanly()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "rosenbrock", "--steps", "300", "--set", "alpha_max=1e6,init_alpha=10",
                "--ablate", "AE5,brake", "--db", "x.db", "--out", "o");
            Assert.True(r.ExitCode == 1, r.Stdout + r.Stderr);
            Assert.Equal("", r.Stderr);
            string db = Path.Combine(dir.Path, "x.db");
            string status = Experiments.Text(db, "SELECT status FROM runs");
            Assert.Contains(status, new[] { "diverged", "non-finite" });
            Assert.True(Experiments.Scalar(db, "SELECT incidents FROM runs") >= 1);
            Assert.Contains(r.StdoutLines, l => l.StartsWith("incidents: 1 (", StringComparison.Ordinal));
            XDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "o", "run-1.svg")));
            Plots.AssertPng(Path.Combine(dir.Path, "o", "run-1.png"), AE.Cli.Plots.FigureRenderer.Width);
        }

        /// <summary>Every number of the summary, the incident lines and the stored settings has a lower-case exponent, as cli.md says (the divergence line said 1.17837E+40 and 1E+04).</summary>
        [Fact]
        public void Numbers_are_written_with_a_lower_case_exponent()
        {
            using var dir = new TempDirectory();
            dir.Write("blow.ae", "law Blow {\n  dim n;\n  param lr in (0, inf) = 1e-3;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                + "  update { theta' = theta - lr * grad + 0 * loss; }\n}\n");
            var r = Cli.Run(dir.Path, "run", "blow.ae", "--task", "quadratic", "--steps", "20", "--set", "lr=1e20", "--db", "x.db");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("settings: lr=1e20", r.StdoutLines); // as given
            Assert.Contains("  step 1: loss 1.17837e+40 is more than 1e+04 times the initial gap above -4.27357", r.StdoutLines);
            Assert.DoesNotContain("E", string.Join("\n", r.StdoutLines.Skip(1)), StringComparison.Ordinal);
            string db = Path.Combine(dir.Path, "x.db");
            Assert.Equal("{\"lr\":1e+20}", Experiments.Text(db, "SELECT settings FROM runs"));
            Assert.Contains("1.17837e+40", Experiments.Text(db, "SELECT incident_list FROM runs"), StringComparison.Ordinal);
        }

        [Fact]
        public void A_golden_case_is_a_task()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--case", Repo.Case("quadratic_2d"), "--name", "AeSgdmNoResonance", "--db", "x.db");
            Assert.Contains("AeSgdmNoResonance (", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.Contains("on case:quadratic_2d, seed 0, budget 300 steps", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.Equal("case:quadratic_2d", Experiments.Text(Path.Combine(dir.Path, "x.db"), "SELECT task FROM runs"));

            // The variant has AE5 compiled out: it is not switchable any more.
            r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--case", Repo.Case("quadratic_2d"), "--name", "AeSgdmNoResonance", "--ablate", "AE5", "--db", "x.db");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: the rule AE5 is already removed from AeSgdmNoResonance at compile time; switchable rules of AeSgdmNoResonance: brake, AE8, AE2, AE4, AE6, AE3",
                r.StderrLines.Single(), StringComparison.Ordinal);
        }

        [Fact]
        public void Task_and_case_together_or_neither_are_usage_errors()
        {
            var r = Cli.Run(Repo.Root, "run", "laws/ae_sgdm.ae");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: no task; give --task NAME (quadratic, ", r.StderrLines.Single(), StringComparison.Ordinal);
            r = Cli.Run(Repo.Root, "run", "laws/ae_sgdm.ae", "--task", "quadratic", "--case", Repo.Case("quadratic_2d"));
            Assert.Equal(new[] { "ae: error: give --task or --case, not both. Run 'ae run --help'" }, r.StderrLines);
        }

        [Theory]
        [InlineData("run")]
        [InlineData("ablate")]
        [InlineData("sweep")]
        public void Help_is_printed_and_listed(string command)
        {
            var r = Cli.Run(Repo.Root, command, "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("  ae " + command + " [<law.ae>...] [options]", r.StdoutLines);
            var top = Cli.Run(Repo.Root, "--help");
            Assert.Contains(top.StdoutLines, l => l.StartsWith("  " + command + " ", StringComparison.Ordinal));
        }
    }
}
