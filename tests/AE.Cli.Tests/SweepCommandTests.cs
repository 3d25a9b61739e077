using System.Collections.Generic;
using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae sweep</c> in-process: a three-point grid on the quadratic task with a short budget.</summary>
    public class SweepCommandTests
    {
        [Fact]
        public void The_grid_is_log_spaced_over_the_decades_up_to_the_largest_rate()
        {
            var grid = SweepCommand.Grid(6, 13, 10);
            Assert.Equal(13, grid.Length);
            Assert.Equal(1e-5, grid[0], 15);
            Assert.Equal(10, grid[^1], 12);
            Assert.Equal(Math.Sqrt(10) * 1e-5, grid[1], 15);
            Assert.Equal(new[] { 1e-3, 1e-2, 1e-1 }, SweepCommand.Grid(2, 3, 0.1).Select(v => Math.Round(v, 12)));
            // Whole decades below --lr-max are its digits shifted, exactly (as a literal of them reads); the top is --lr-max.
            Assert.Equal(new[] { 0.003, 0.03, 0.3 }, SweepCommand.Grid(2, 3, 0.3));
            Assert.Equal(4.5, SweepCommand.Grid(0.2, 6, 4.5)[^1]);
        }

        /// <summary>
        /// The top of the grid was 10^log10(4.5) = 4.500000000000001, so a law whose alpha_max is 4.5 refused the rate the
        /// sweep was asked to end at, and the cell read "not run".
        /// </summary>
        [Fact]
        public void The_top_rate_is_the_largest_rate_asked_and_a_law_bounded_there_runs_it()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "sweep", Repo.Root + "/laws/ae_sgdm_phase.ae", "--tasks", "quadratic", "--set", "alpha_max=4.5", "--lr-max", "4.5",
                "--lr-decades", "0.2", "--points", "6", "--seeds", "1", "--steps", "20", "--baselines", "none", "--db", "s.db", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.DoesNotContain("not run", r.Stdout + r.Stderr, StringComparison.Ordinal);
            Assert.Contains(r.StdoutLines, l => l.StartsWith("| quadratic | AeSgdmPhase | init_alpha |", StringComparison.Ordinal) && l.Contains("/6 ", StringComparison.Ordinal) && !l.Contains('-', StringComparison.Ordinal));
        }

        [Fact]
        public void The_table_has_a_row_per_task_and_method_and_counts_cells()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "sweep", Repo.SgdmLaw, "--tasks", "quadratic,linreg", "--lr-decades", "2", "--points", "3", "--lr-max", "1", "--steps", "200",
                "--set", "auto_gamma=false", "--db", "s.db");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            var lines = r.StdoutLines;
            Assert.StartsWith("initial-LR sweep of AeSgdm (", lines[0], StringComparison.Ordinal);
            Assert.Contains("3 rates log-spaced over 2 decades, 0.01 .. 1; seed 0; budget 200 steps; settings auto_gamma=false", lines[0], StringComparison.Ordinal);
            var table = lines.SkipWhile(l => !l.StartsWith("|", StringComparison.Ordinal)).ToList();
            Assert.Equal(2 + 2 * 4, table.Count);
            Assert.Equal(new[] { "task", "method", "initial LR", "cells reaching target", "diverged cells", "reached from .. to", "grid 0.01 → 1" },
                table[0].Trim('|').Split('|').Select(c => c.Trim()));
            var cells = table.Skip(2).Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();
            Assert.Equal(new[] { "quadratic", "quadratic", "quadratic", "quadratic", "linreg", "linreg", "linreg", "linreg" }, cells.Select(c => c[0]));
            Assert.Equal(new[] { "AeSgdm", "adam", "sgd-hd", "adam-hd", "AeSgdm", "adam", "sgd-hd", "adam-hd" }, cells.Select(c => c[1]));
            Assert.Equal(new[] { "init_alpha", "lr", "lr", "lr" }, cells.Take(4).Select(c => c[2]));
            foreach (var c in cells)
            {
                Assert.Matches("^[0-3]/3$", c[3]);
                Assert.Matches("^`[+x.]{3}`$", c[6]);
                Assert.Equal(c[6].Count(ch => ch == '+').ToString(System.Globalization.CultureInfo.InvariantCulture) + "/3", c[3]);
            }
            Assert.Equal(2 * 4 * 3, Experiments.Scalar(Path.Combine(dir.Path, "s.db"), "SELECT count(*) FROM runs WHERE command = 'sweep'"));
            Assert.Equal(6, Experiments.Scalar(Path.Combine(dir.Path, "s.db"), "SELECT count(*) FROM runs WHERE law = 'AeSgdm' AND json_extract(settings, '$.init_alpha') > 0"));
        }

        [Fact]
        public void One_point_is_the_rate_lr_max_alone_and_is_said_so()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--points", "1", "--lr-max", "0.1", "--steps", "50", "--baselines", "adam", "--db", "s.db");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Contains("): 1 rate, 0.1; seed 0; budget 50 steps", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.DoesNotContain("decades", r.StdoutLines[0], StringComparison.Ordinal);
            var header = r.StdoutLines.First(l => l.StartsWith("|", StringComparison.Ordinal));
            Assert.Equal("grid 0.1", header.Trim('|').Split('|')[^1].Trim());
            Assert.Equal(2, Experiments.Scalar(Path.Combine(dir.Path, "s.db"), "SELECT count(*) FROM runs WHERE command = 'sweep'"));
        }

        [Fact]
        public void Json_has_the_grid_and_a_row_per_method_and_repeats_exactly()
        {
            using var dir = new TempDirectory();
            string[] args = { "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--lr-decades", "1", "--points", "2", "--steps", "50", "--seeds", "2",
                "--baselines", "adam", "--format", "json", "--db", "s.db" };
            var r = Cli.Run(dir.Path, args);
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal(r.Stdout, Cli.Run(dir.Path, args).Stdout);
            using var json = JsonDocument.Parse(r.Stdout);
            Assert.Equal(new[] { 1.0, 10.0 }, json.RootElement.GetProperty("grid").EnumerateArray().Select(e => Math.Round(e.GetDouble(), 12)));
            var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(new[] { "AeSgdm", "adam" }, rows.Select(x => x.GetProperty("method").GetString()));
            Assert.All(rows, row => Assert.Equal(2, row.GetProperty("per_rate").GetArrayLength()));
            // adam runs at both rates; AeSgdm does not start from init_alpha = 10, above its alpha_max = 1
            Assert.All(rows[1].GetProperty("per_rate").EnumerateArray(), c => Assert.Equal(2, c.GetProperty("seeds").GetInt32()));
            var law = rows[0].GetProperty("per_rate").EnumerateArray().ToList();
            Assert.Equal(2, law[0].GetProperty("seeds").GetInt32());
            Assert.Equal(JsonValueKind.Null, law[0].GetProperty("refused").ValueKind);             // not refused: null, as cli.md says of what does not apply
            Assert.Equal(0, law[1].GetProperty("seeds").GetInt32());
            Assert.Equal("AeSgdm rejects its settings of init_alpha, alpha_min, alpha_max: the initial value of 'alpha' must lie in its bounds [1e-06, 1]", law[1].GetProperty("refused").GetString());
            Assert.EndsWith("-", rows[0].GetProperty("marks").GetString(), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("--tasks", "quadratic,nope", "ae: error: unknown task 'nope'; valid tasks: quadratic, ")]
        [InlineData("--lr-param", "alpha0", "ae: error: unknown param 'alpha0' in --lr-param; the params of AeSgdm: ")]
        [InlineData("--baselines", "adamw", "ae: error: unknown baseline 'adamw' in --baselines; valid baselines: sgdm, adam, sgd-hd, adam-hd (or none alone)")]
        [InlineData("--baselines", "none,adam", "ae: error: unknown baseline 'none' in --baselines; valid baselines: sgdm, adam, sgd-hd, adam-hd ('none' alone runs no baseline)")]
        [InlineData("--points", "x", "ae: error: invalid value 'x' for '--points'")]
        [InlineData("--lr-decades", "-1", "ae: error: invalid value '-1' for '--lr-decades'; expected a positive number")]
        public void Bad_input_is_one_line_and_exit_2(string option, string value, string expected)
        {
            using var dir = new TempDirectory();

            var args = option == "--tasks"
                ? new[] { "sweep", Repo.SgdmLaw, option, value }
                : new[] { "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--steps", "5", option, value };
            var r = Cli.Run(dir.Path, args);
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith(expected, r.StderrLines.Single(), StringComparison.Ordinal);
        }

        /// <summary>With one point the grid is the rate --lr-max alone: decades given with it were ignored without a word.</summary>
        [Fact]
        public void Decades_with_one_point_are_refused_as_meaning_nothing()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--steps", "5", "--points", "1", "--lr-decades", "3");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: --lr-decades has no meaning with --points 1, which runs the one rate --lr-max;", r.StderrLines.Single(), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(null, "ae: error: the sweep varies the param init_alpha unless --lr-param names another, and Plain has none of that name; Plain has no params")]
        [InlineData("eta", "ae: error: unknown param 'eta' in --lr-param; Plain has no params")]
        public void A_law_without_the_swept_param_says_which_param_and_that_it_has_none(string? lrParam, string expected)
        {
            using var dir = new TempDirectory();
            dir.Write("plain.ae", """
                law Plain {
                  dim n;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  update { theta' = theta - 0.01 * grad + 0 * loss; }
                }
                """);
            var args = new List<string> { "sweep", "plain.ae", "--tasks", "quadratic", "--steps", "5" };
            if (lrParam is not null) args.AddRange(new[] { "--lr-param", lrParam });
            var r = Cli.Run(dir.Path, args.ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, r.StderrLines.Single());
        }

        /// <summary>
        /// A refusal that depends on the task's dimension (alpha's bound 1 / n) is said with the tasks it holds for; one that
        /// holds for every task, once without them. Only the first task's refusals were said.
        /// </summary>
        [Fact]
        public void Each_refusal_is_said_once_with_the_tasks_it_holds_for()
        {
            using var dir = new TempDirectory();
            dir.Write("dimref.ae", "law DimRef {\n  dim n;\n  param init_alpha in (0, 1] = 0.01;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                + "  coeff alpha in [1e-6, 1 / n] log = init_alpha;\n  update { alpha' = alpha; theta' = theta - alpha * grad + 0 * loss; }\n}\n");
            // quadratic has n = 20, rosenbrock n = 2: 0.316 lies within 1 / 2 only
            var r = Cli.Run(dir.Path, "sweep", "dimref.ae", "--tasks", "rosenbrock,quadratic", "--steps", "20", "--points", "5", "--baselines", "none", "--no-progress");
            var notes = r.StdoutLines.Where(l => l.StartsWith("init_alpha = ", StringComparison.Ordinal)).ToList();
            Assert.Equal(new[]
            {
                "init_alpha = 0.316 not run (-) on quadratic: DimRef rejects its settings of init_alpha, n: the initial value of 'alpha' must lie in its bounds [1e-06, 0.05]",
                "init_alpha = 10 not run (-): DimRef rejects its settings: param 'init_alpha' must lie in (0, 1] (given 10)",
            }, notes);
        }

        /// <summary>The swept param must be a real scalar: a vector one was said to be "not a real".</summary>
        [Theory]
        [InlineData("w", "ae: error: the param w of Vp is not a real scalar (it is a vector)")]
        [InlineData("k", "ae: error: the param k of Vp is not a real scalar")]
        public void The_swept_param_is_a_real_scalar(string lrParam, string expected)
        {
            using var dir = new TempDirectory();
            dir.Write("vp.ae", "law Vp {\n  dim n;\n  param w: real[n] = 0.1;\n  param k: int = 2;\n  input loss: real;\n  input grad: real[n];\n"
                + "  state theta: real[n];\n  update { theta' = theta - 0.01 * w * k * grad + 0 * loss; }\n}\n");
            var r = Cli.Run(dir.Path, "sweep", "vp.ae", "--tasks", "quadratic", "--steps", "5", "--lr-param", lrParam);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, r.StderrLines.Single());
        }

        /// <summary>
        /// A law with a dim derived from n (w = n - 3) is checked at each task's size, not at n = 1 (which refused the
        /// whole sweep): it runs on quadratic (n = 20), and its cells on rosenbrock (n = 2, where w = -1) are refused,
        /// saying why; a rate outside the param's range is refused on both.
        /// </summary>
        [Fact]
        public void A_law_is_checked_at_each_tasks_size()
        {
            using var dir = new TempDirectory();
            dir.Write("sized.ae", """
                law Sized {
                  dim n;
                  dim w = n - 3;
                  param init_alpha in (0, 1] = 0.1;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  state u: real[w] = 1;
                  update { u' = u * 0.5; theta' = theta - init_alpha * grad * (1 + 0 * sum(u')) + 0 * loss; }
                }
                """);
            var r = Cli.Run(dir.Path, "sweep", "sized.ae", "--tasks", "quadratic,rosenbrock", "--points", "2", "--seeds", "1", "--steps", "5", "--baselines", "none", "--format", "json", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
            var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
            string?[] Refused(int row) => rows[row].GetProperty("per_rate").EnumerateArray().Select(c => c.GetProperty("refused").GetString()).ToArray();
            Assert.Equal(("quadratic", "rosenbrock"), (rows[0].GetProperty("task").GetString(), rows[1].GetProperty("task").GetString()));
            const string TooSmall = "Sized does not run at n = 2: dimension 'w' = n - 3 is -1 for n = 2; a dimension must be at least 1 and at most 2147483647";
            const string TooLarge = "Sized rejects its settings: param 'init_alpha' must lie in (0, 1] (given 10)";
            Assert.Equal(new[] { null, TooLarge }, Refused(0));
            Assert.Equal(new[] { TooSmall, TooSmall }, Refused(1));
            Assert.Equal(1, rows[0].GetProperty("per_rate")[0].GetProperty("seeds").GetInt32());
        }

        [Fact]
        public void A_grid_the_law_refuses_entirely_without_baselines_is_a_table_of_refused_cells()
        {
            using var dir = new TempDirectory();
            // 10 is above AeSgdm's alpha_max = 1: the one cell is refused, and nothing else runs.
            var r = Cli.Run(dir.Path, "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--points", "1", "--seeds", "1", "--steps", "5", "--baselines", "none", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Contains("budget 5 steps", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.EndsWith("| quadratic | AeSgdm | init_alpha | 0/1                   | 0              | —                  | `-`     |", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        [Fact]
        public void A_grid_whose_smallest_rate_underflows_to_0_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--points", "2", "--steps", "5", "--lr-max", "0.5", "--lr-decades", "400", "--no-progress");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: the grid's smallest rate, 0.5 over 10^400, is 0 in float64; give fewer --lr-decades or a larger --lr-max. Run 'ae sweep --help'", r.StderrLines.Single());
            Assert.False(File.Exists(Path.Combine(dir.Path, "ae-runs.db")));
        }

        [Theory]
        [InlineData("2", "1e-17", "1 and 2 are both 1 to 3 digits: 2 points over 1e-17 decades")]           // the same float64: one run key for two jobs
        [InlineData("13", "0.001", "1 and 2 are both 0.998 to 3 digits: 13 points over 0.001 decades")]       // distinct numbers, one label in the table
        public void A_grid_whose_rates_the_table_shows_alike_is_one_line_and_exit_2(string points, string decades, string said)
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "sweep", Repo.SgdmLaw, "--tasks", "quadratic", "--points", points, "--steps", "5", "--lr-max", "1", "--lr-decades", decades, "--no-progress");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: the grid's rates " + said + " are too close; give more --lr-decades or fewer --points. Run 'ae sweep --help'", r.StderrLines.Single());
            Assert.False(File.Exists(Path.Combine(dir.Path, "ae-runs.db")));
        }

        [Fact]
        public void Tasks_are_required()
        {
            var r = Cli.Run(Repo.Root, "sweep", "laws/ae_sgdm.ae");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: no tasks; give --tasks T1,T2 (quadratic, ", r.StderrLines.Single(), StringComparison.Ordinal);
        }
    }
}
