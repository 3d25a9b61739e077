using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae experiment list</c>: every section of seed 001's menu, A to L.</summary>
    public class ExperimentCommandTests
    {
        private static readonly string[] Letters = { "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L" };

        [Fact]
        public void Every_section_A_to_L_appears_once_with_a_question_and_a_status()
        {
            var r = Cli.Run(Repo.Root, "experiment", "list");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var rows = r.StdoutLines.Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(2)
                .Select(l => l.Trim('|').Split(" | ").Select(c => c.Trim()).ToArray()).ToList();
            Assert.Equal(Letters, rows.Select(c => c[0]));
            Assert.All(rows, c =>
            {
                Assert.Equal(6, c.Length);
                Assert.EndsWith("?", c[2], StringComparison.Ordinal);
                Assert.Contains(c[3], new[] { "yes", "partly", "no" });
                Assert.NotEmpty(c[4]);
                Assert.Equal(c[0] is "A" or "B" or "C" or "D" or "E" or "F" or "G" or "J" or "L", c[5].StartsWith("yes: ", StringComparison.Ordinal));
                if (c[0] is "D" or "F") Assert.StartsWith("yes: prediction ", c[5], StringComparison.Ordinal);
                if (!c[5].StartsWith("yes: ", StringComparison.Ordinal)) Assert.Equal("no", c[5]);
            });
        }

        [Fact]
        public void The_titles_are_the_seeds_section_headings()
        {
            var seed = Directory.GetFiles(Path.Combine(Repo.Root, "..", "shared", "seeds"), "001_*.txt").Single();
            var headings = Regex.Matches(File.ReadAllText(seed), @"^## ([A-L])\) (.+?)\s*$", RegexOptions.Multiline)
                .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
            Assert.Equal(Letters, headings.Select(h => h.Item1));
            var r = Cli.Run(Repo.Root, "experiment", "list", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var items = json.RootElement.EnumerateArray().Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("title").GetString()!)).ToList();
            Assert.Equal(headings, items);
            // what 'run' does for an item, as the table's last column says it (the JSON said only "yes")
            var table = Cli.Run(Repo.Root, "experiment", "list").StdoutLines;
            foreach (var e in json.RootElement.EnumerateArray())
            {
                string row = Assert.Single(table, l => l.StartsWith("| " + e.GetProperty("id").GetString() + " |", StringComparison.Ordinal));
                if (e.GetProperty("run").GetString() == "yes")
                    Assert.EndsWith("| yes: " + e.GetProperty("run_does").GetString() + " |", row, StringComparison.Ordinal);
                else
                    Assert.Equal(JsonValueKind.Null, e.GetProperty("run_does").ValueKind);
            }
        }

        [Theory]
        [InlineData(new string[0], "ae: error: no subcommand; valid subcommands: list, run. Run 'ae experiment --help'")]
        [InlineData(new[] { "show" }, "ae: error: unknown subcommand 'show'; valid subcommands: list, run. Run 'ae experiment --help'")]
        [InlineData(new[] { "list", "--format", "csv" }, "ae: error: invalid value 'csv' for '--format'; expected table or json. Run 'ae experiment --help'")]
        [InlineData(new[] { "run" }, "ae: error: no item; name one of A-L (ae experiment list). Run 'ae experiment --help'")]
        [InlineData(new[] { "run", "Z" }, "ae: error: unknown item 'Z'; items: A, B, C, D, E, F, G, H, I, J, K, L. Run 'ae experiment --help'")]
        [InlineData(new[] { "run", "F", "G" }, "ae: error: unexpected argument 'G'. Run 'ae experiment --help'")]
        [InlineData(new[] { "run", "F", "--seeds", "0" }, "ae: error: invalid value '0' for '--seeds'; expected a whole number from 1 to 100. Run 'ae experiment --help'")]
        [InlineData(new[] { "run", "F", "--seeds", "three" }, "ae: error: invalid value 'three' for '--seeds'; expected a whole number from 1 to 100. Run 'ae experiment --help'")]
        [InlineData(new[] { "run", "F", "--steps", "-5" }, "ae: error: invalid value '-5' for '--steps'; expected a whole number from 1 to 10000000. Run 'ae experiment --help'")]
        [InlineData(new[] { "run", "F", "--format", "csv" }, "ae: error: invalid value 'csv' for '--format'; expected table or json. Run 'ae experiment --help'")]
        [InlineData(new[] { "list", "--seeds", "3" }, "ae: error: '--seeds' is an option of 'ae experiment run'. Run 'ae experiment --help'")]
        [InlineData(new[] { "run", "H" }, "ae: error: item H (Architecture/genotype adaptation (AEONet)) is not run by 'ae experiment run': no AEONet with gated blocks is here")]
        [InlineData(new[] { "run", "i" }, "ae: error: item I (Equations / symbolic regression (AEO-Eq)) is not run by 'ae experiment run': no AEOBasisEquation is here")]
        [InlineData(new[] { "run", "K" }, "ae: error: item K (VRAM neutrality & performance overhead) is not run by 'ae experiment run': its arms run with other commands here: ae bench: time per step and bytes allocated (0) on the CPU; device memory needs a GPU (the OpenCL and ILGPU backends)")]
        public void Bad_input_is_one_line_and_exit_2(string[] args, string expected)
        {
            var r = Cli.Run(Repo.Root, new[] { "experiment" }.Concat(args).ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { expected }, r.StderrLines);
        }
    }
}
