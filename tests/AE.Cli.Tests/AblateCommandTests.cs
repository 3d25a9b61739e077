using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae ablate</c> in-process: quadratic task, two seeds, short budgets.</summary>
    public class AblateCommandTests
    {
        private static readonly string[] Baselines = { "sgdm", "adam", "sgd-hd", "adam-hd" };

        /// <summary>
        /// The text and the JSON leave out the same intervals: a cell shows "mean ± ci" exactly where the JSON's ci is a
        /// number, the mean alone where it is null (one seed, or one seed reaching the target), and "—" where the mean is null.
        /// </summary>
        [Theory]
        [InlineData("--case", "GOLDEN", "--seeds", "1")]
        [InlineData("--case", "GOLDEN", "--seeds", "2")]
        [InlineData("--task", "quadratic", "--seeds", "2", "--steps", "60")]
        public void Text_and_json_show_an_interval_in_the_same_cells(params string[] task)
        {
            using var dir = new TempDirectory();
            task = task.Select(a => a == "GOLDEN" ? Repo.Case("quadratic_2d") : a).ToArray();
            string[] args = new[] { "ablate", Repo.SgdmLaw, "--db", "a.db" }.Concat(task).ToArray();
            var text = Cli.Run(dir.Path, args);
            var json = Cli.Run(dir.Path, args.Concat(new[] { "--format", "json" }).ToArray());
            Assert.True(text.ExitCode == 0 && json.ExitCode == 0, text.Stderr + json.Stderr);

            var table = text.StdoutLines.SkipWhile(l => !l.StartsWith("|", StringComparison.Ordinal)).Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();
            var columns = new[] { ("steps to target", "steps_to_target"), ("final loss", "final_loss"), ("final gap", "final_gap"), ("AUC of log loss", "auc"), ("incidents", "incidents") };
            using var doc = JsonDocument.Parse(json.Stdout);
            var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(rows.Count, table.Count - 2);
            int intervals = 0, without = 0;
            for (int i = 0; i < rows.Count; i++)
                foreach (var (header, key) in columns)
                {
                    string cell = table[i + 2][Array.IndexOf(table[0], header)];
                    var stat = rows[i].GetProperty(key);
                    bool noMean = stat.ValueKind == JsonValueKind.Null || stat.GetProperty("mean").ValueKind == JsonValueKind.Null;
                    Assert.Equal(noMean, cell == "—");
                    if (noMean) continue;
                    bool hasCi = stat.GetProperty("ci").ValueKind != JsonValueKind.Null;
                    Assert.True(hasCi == cell.Contains(" ± ", StringComparison.Ordinal), rows[i].GetProperty("ablated").GetString() + " " + key + ": '" + cell + "' against " + stat);
                    if (hasCi) intervals++; else without++;
                }
            Assert.True(task.Contains("1") ? intervals == 0 : intervals > 0, intervals + " intervals, " + without + " without");
        }

        [Fact]
        public void Json_rows_are_the_full_law_every_switchable_rule_and_the_baselines_and_repeat_exactly()
        {
            using var dir = new TempDirectory();
            string[] args = { "ablate", Repo.SgdmLaw, "--task", "quadratic", "--seeds", "2", "--steps", "150", "--format", "json", "--db", "a.db" };
            var first = Cli.Run(dir.Path, args);
            Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
            var second = Cli.Run(dir.Path, args);
            Assert.Equal(first.Stdout, second.Stdout); // same seeds, same table

            using var json = JsonDocument.Parse(first.Stdout);
            var root = json.RootElement;
            Assert.Equal("AeSgdm", root.GetProperty("law").GetString());
            Assert.Equal("quadratic", root.GetProperty("task").GetString());
            Assert.Equal(new[] { 0, 1 }, root.GetProperty("seeds").EnumerateArray().Select(e => e.GetInt32()));
            var rows = root.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(new[] { "none" }.Concat(Experiments.SgdmRules).Concat(Baselines), rows.Select(r => r.GetProperty("ablated").GetString()));
            Assert.Equal(new[] { "law" }.Concat(Experiments.SgdmRules.Select(_ => "rule")).Concat(Baselines.Select(_ => "baseline")),
                rows.Select(r => r.GetProperty("kind").GetString()));
            foreach (var row in rows)
            {
                var final = row.GetProperty("final_loss");
                Assert.Equal(JsonValueKind.Number, final.GetProperty("mean").ValueKind);
                Assert.Equal(JsonValueKind.Number, final.GetProperty("ci").ValueKind); // two seeds: a CI
                Assert.Equal(2, row.GetProperty("seeds").GetInt32());
                Assert.Equal(2, row.GetProperty("per_seed").GetArrayLength());
                var perSeed = row.GetProperty("per_seed").EnumerateArray().Select(p => p.GetProperty("final_loss").GetDouble()).ToArray();
                Assert.Equal((perSeed[0] + perSeed[1]) / 2, final.GetProperty("mean").GetDouble(), 12);
                Assert.True(row.TryGetProperty("auc", out _));
                Assert.True(row.TryGetProperty("incidents", out _));
                // a mean over the seeds that reached the target, as every mean over seeds: none reached is a null mean over n = 0
                var steps = row.GetProperty("steps_to_target");
                Assert.Equal(row.GetProperty("reached").GetInt32(), steps.GetProperty("n").GetInt32());
                Assert.Equal(steps.GetProperty("n").GetInt32() == 0, steps.GetProperty("mean").ValueKind == JsonValueKind.Null);
            }
            Assert.Contains(rows, r => r.GetProperty("reached").GetInt32() == 0);

            // The runs are in the database: 12 rows x 2 seeds per invocation, without steps unless asked.
            string db = Path.Combine(dir.Path, "a.db");
            Assert.Equal(48, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE command = 'ablate'"));
            Assert.Equal(0, Experiments.Scalar(db, "SELECT count(*) FROM steps"));
            Assert.Equal(2, Experiments.Scalar(db, "SELECT count(DISTINCT batch) FROM runs"));
            Assert.Equal(4, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE ablated = 'AE5'"));
            Assert.Contains("stored 24 runs in a.db (batch ablate-", first.Stderr, StringComparison.Ordinal);
        }

        [Fact]
        public void The_table_is_markdown_with_a_row_per_rule_and_baseline()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "ablate", Repo.SgdmLaw, "--task", "quadratic", "--seeds", "2", "--steps", "100", "--baselines", "sgdm,adam",
                "--baseline-set", "sgdm.lr=0.3", "--db", "a.db", "--store-steps");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            var lines = r.StdoutLines;
            Assert.StartsWith("AeSgdm (", lines[0], StringComparison.Ordinal);
            Assert.Contains("on quadratic: seeds 0..1, budget 100 steps", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("mean ± 95% CI over seeds (Student t, 1 df)", lines[1], StringComparison.Ordinal);
            Assert.Contains("baselines: sgdm lr=0.3 momentum=0.9; adam lr=0.001 beta1=0.9 beta2=0.999 eps=1e-08", lines[1], StringComparison.Ordinal);
            var table = lines.SkipWhile(l => !l.StartsWith("|", StringComparison.Ordinal)).ToList();
            Assert.Equal(2 + 1 + 7 + 2, table.Count);
            Assert.Equal(new[] { "ablated", "reached", "steps to target", "final loss", "final gap", "AUC of log loss", "incidents", "kinds" },
                table[0].Trim('|').Split('|').Select(c => c.Trim()));
            var names = table.Skip(2).Select(l => l.Trim('|').Split('|')[0].Trim()).ToList();
            Assert.Equal(new[] { "none" }.Concat(Experiments.SgdmRules).Concat(new[] { "sgdm (baseline)", "adam (baseline)" }), names);
            Assert.All(table, l => Assert.Equal(9, l.Count(c => c == '|')));
            // --store-steps: every step of every run is in the steps table.
            string db = Path.Combine(dir.Path, "a.db");
            Assert.Equal(20, Experiments.Scalar(db, "SELECT count(*) FROM runs"));
            Assert.Equal(Experiments.Scalar(db, "SELECT sum(steps_taken) FROM runs"), Experiments.Scalar(db, "SELECT count(*) FROM steps"));
            Assert.Equal(20, Experiments.Scalar(db, "SELECT count(*) FROM runs WHERE steps_stored = 1"));
        }

        [Fact]
        public void One_seed_has_no_ci()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "ablate", Repo.SgdmLaw, "--task", "quadratic", "--seeds", "1", "--steps", "20", "--baselines", "none", "--format", "json", "--db", "a.db");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(8, rows.Count);
            Assert.All(rows, row => Assert.Equal(JsonValueKind.Null, row.GetProperty("final_loss").GetProperty("ci").ValueKind));
            Assert.Empty(json.RootElement.GetProperty("baselines").EnumerateArray());
        }

        [Theory]
        [InlineData("--baselines", "sgd,adam", "ae: error: unknown baseline 'sgd' in --baselines; valid baselines: sgdm, adam, sgd-hd, adam-hd (or none alone)")]
        [InlineData("--baseline-set", "adam.momentum=0.9", "ae: error: unknown setting 'momentum' of the baseline adam; its settings: lr, beta1, beta2, eps")]
        [InlineData("--baseline-set", "adam.lr=-1", "ae: error: invalid settings for the baseline adam: ")]
        [InlineData("--baseline-set", "adam.lr=1,adam.lr=2", "ae: error: --baseline-set sets adam.lr twice. Run 'ae ablate --help'")]
        [InlineData("--seeds", "0", "ae: error: invalid value '0' for '--seeds'; expected a whole number from 1 to 1000")]
        [InlineData("--format", "csv", "ae: error: invalid value 'csv' for '--format'; expected table or json")]
        [InlineData("--set", "k_q=1", "ae: error: unknown param 'k_q' in --set; the params of AeSgdm: ")]
        public void Bad_input_is_one_line_and_exit_2(string option, string value, string expected)
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "ablate", Repo.SgdmLaw, "--task", "quadratic", "--steps", "5", option, value);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.StartsWith(expected, r.StderrLines.Single(), StringComparison.Ordinal);
        }

        [Fact]
        public void An_interrupted_ablation_prints_no_table_and_exits_130()
        {
            using var dir = new TempDirectory();
            using var cts = new System.Threading.CancellationTokenSource();
            cts.Cancel();
            var r = Experiments.Run(dir.Path, cts.Token, null, "ablate", Repo.SgdmLaw, "--task", "quadratic", "--seeds", "2", "--steps", "50", "--db", "a.db");
            Assert.Equal(130, r.ExitCode);
            Assert.Equal("", r.Stdout);
            // Nothing had started, so nothing was cut short.
            Assert.Matches(@"^ae: interrupted; 0 of 24 runs are stored in a\.db \(batch ablate-[^)]+\): none had started; no table was printed$", r.StderrLines.Single());
            Assert.Equal(0, Experiments.Scalar(Path.Combine(dir.Path, "a.db"), "SELECT count(*) FROM runs"));
        }
    }
}
