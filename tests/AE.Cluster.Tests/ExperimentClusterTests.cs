using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AE.Cli.Tests;
using Xunit;

namespace AE.Cluster.Tests
{
    /// <summary>
    /// ae experiment run with --cluster on Orleans' test cluster (three silos in this process): each arm's seeds run as a
    /// batch on the silos, and the printed report, the verdict and every file written are the single-process run's, byte for byte.
    /// </summary>
    [Collection("clusters")]
    public class ExperimentClusterTests
    {
        private static string PhaseLaw => Path.Combine(Repo.Laws, "ae_sgdm_phase.ae");

        /// <summary>
        /// Every file under <paramref name="folder"/>, by name, with its bytes; an SVG's clip-path ids numbered from where the
        /// plotting library's process-wide counter started (both runs render in this process: the second's count on).
        /// </summary>
        private static string[] Files(string folder) => Directory.GetFiles(folder).OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => Path.GetFileName(f) + ":" + (f.EndsWith(".svg", StringComparison.Ordinal) ? Renumbered(File.ReadAllText(f)) : Convert.ToBase64String(File.ReadAllBytes(f))))
            .ToArray();

        private static string Renumbered(string svg)
        {
            var ids = new System.Collections.Generic.Dictionary<string, string>(StringComparer.Ordinal);
            return Regex.Replace(svg, @"cl_[0-9A-Za-z]+", m => ids.TryGetValue(m.Value, out var id) ? id : ids[m.Value] = "cl_" + ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public async Task Items_run_on_three_silos_print_and_write_what_they_do_in_one_process()
        {
            var (cluster, spec) = await TestClusterTests.Deploy();
            await using var _ = cluster;
            using var local = new TempDirectory();
            using var remote = new TempDirectory();
            // C reads each run's losses (its oscillation), G its signals (alpha), B runs SGDm and Adam beside the law, L switches rules off.
            foreach (var (item, steps) in new[] { ("C", "60"), ("G", "60"), ("B", "250"), ("L", "40") })
            {
                string[] args = { "experiment", "run", item, "--seeds", "2", "--steps", steps, "--law", PhaseLaw, "--out", item };
                var one = Support.Ae(local.Path, args);
                var many = Support.Ae(remote.Path, args.Concat(new[] { "--cluster", spec }).ToArray());
                Assert.True(one.ExitCode == 0, item + ": " + one.Stderr);
                Assert.True(many.ExitCode == 0, item + ": " + many.Stderr);
                Assert.Contains("Verdict (" + item + "): ", many.Stdout, StringComparison.Ordinal);
                Assert.Equal(one.Stdout, many.Stdout);
                var written = Files(Path.Combine(remote.Path, item));
                Assert.NotEmpty(written);
                Assert.Equal(Files(Path.Combine(local.Path, item)), written);
            }
            // J loads its laws from laws/ under the current folder, on the workers too.
            using var j = new TempDirectory();
            string[] family = { "experiment", "run", "J", "--seeds", "1", "--steps", "30", "--format", "json" };
            var jOne = Support.Ae(Repo.Root, family.Concat(new[] { "--out", Path.Combine(j.Path, "one") }).ToArray());
            var jMany = Support.Ae(Repo.Root, family.Concat(new[] { "--out", Path.Combine(j.Path, "many"), "--cluster", spec }).ToArray());
            Assert.True(jMany.ExitCode == 0, jMany.Stderr);
            Assert.Equal(jOne.Stdout.Replace(Path.Combine(j.Path, "one"), "OUT", StringComparison.Ordinal), jMany.Stdout.Replace(Path.Combine(j.Path, "many"), "OUT", StringComparison.Ordinal));
            Assert.Equal(Files(Path.Combine(j.Path, "one")), Files(Path.Combine(j.Path, "many")));
        }

        [Fact]
        public void An_item_that_cannot_run_on_a_cluster_is_one_line_and_exit_2_before_anything_runs()
        {
            using var dir = new TempDirectory();
            foreach (string item in new[] { "D", "F" })
            {
                var r = Support.Ae(dir.Path, "experiment", "run", item, "--seeds", "1", "--steps", "20", "--law", PhaseLaw, "--out", item, "--cluster", "localhost:20000");
                Assert.Equal(2, r.ExitCode);
                Assert.Equal("", r.Stdout);
                Assert.StartsWith("ae: error: item " + item + " ", r.StderrLines.Single(), StringComparison.Ordinal);
                Assert.EndsWith("; run it without --cluster", r.StderrLines.Single(), StringComparison.Ordinal);
                Assert.False(Directory.Exists(Path.Combine(dir.Path, item)));
            }
            var list = Support.Ae(dir.Path, "experiment", "list", "--cluster", "localhost");
            Assert.Equal(2, list.ExitCode);
            Assert.StartsWith("ae: error: '--cluster' is an option of 'ae experiment run'", list.StderrLines.Single(), StringComparison.Ordinal);
        }
    }
}
