using System;
using System.IO;
using System.Linq;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// The commands given files of a folder see the rule groups and variants' bases of the folder's other .ae files that
    /// they use and do not declare, as a build sees every .ae file of a project: those files are checked with them, listed,
    /// and part of the law's hash; the folder's other files are not.
    /// </summary>
    public class SiblingGroupTests
    {
        private const string Groups = "group Damp \"shared damping\" {\n  rule D \"halve\" { x' = x' * 0.5; }\n}\n";
        private const string Law = "law UsesDamp {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  state x: real = 1;\n  use Damp;\n  update { theta' = theta - loss * x' * grad; }\n}\n";

        [Fact]
        public void Emit_finds_a_group_declared_in_a_sibling_file()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/groups.ae", Groups);
            dir.Write("laws/law.ae", Law);
            var r = Cli.Run(dir.Path, "emit", "laws/law.ae");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("public sealed unsafe partial class UsesDamp", r.Stdout);
            Assert.Contains("// x' = x' * 0.5", r.Stdout);
            Assert.DoesNotContain("class Damp", r.Stdout);
        }

        [Fact]
        public void Without_the_sibling_the_group_is_unknown_and_check_finds_it_as_run_does()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/law.ae", Law);
            var alone = Cli.Run(dir.Path, "emit", "laws/law.ae");
            Assert.Equal(1, alone.ExitCode);
            Assert.Contains("error AE0016: Unknown rule group 'Damp'", alone.Stdout + alone.Stderr);
            Assert.Equal(1, Cli.Run(dir.Path, "check", "laws/law.ae").ExitCode);
            dir.Write("laws/groups.ae", Groups);
            dir.Write("laws/unrelated.ae", "law Other { dim n; input loss: real; input grad: real[n]; state theta: real[n]; update { theta' = theta - 0.1 * grad; } }\n");
            var check = Cli.Run(dir.Path, "check", "laws/law.ae", "--format", "json");
            Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
            // the file that declares the group is checked and listed with the law's; the unrelated one is not
            using (var json = System.Text.Json.JsonDocument.Parse(check.Stdout))
                Assert.Equal(new[] { "laws/law.ae", "laws/groups.ae" }, json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
            Assert.Equal(0, Cli.Run(dir.Path, "check", "laws/law.ae", "laws/groups.ae").ExitCode);
        }

        /// <summary>
        /// An edit of the group's file is another law: its runs are stored under another SHA-256 (and a checkpoint of the
        /// first is not resumed by the second, which compares that hash); an edit of a file the law does not use changes nothing.
        /// </summary>
        [Fact]
        public void The_group_file_is_part_of_the_laws_hash_and_an_unrelated_file_is_not()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/groups.ae", Groups);
            dir.Write("laws/law.ae", Law);
            string Stored()
            {
                var r = Cli.Run(dir.Path, "run", "laws/law.ae", "--task", "quadratic", "--steps", "5", "--db", "runs.db");
                Assert.True(r.ExitCode is 0 or 1, r.Stdout + r.Stderr);
                return (string)Experiments.Rows(Path.Combine(dir.Path, "runs.db"), "SELECT law_sha256 FROM runs ORDER BY id DESC LIMIT 1").Single()[0]!;
            }
            string first = Stored();
            // the files' bytes in the order of their paths (groups.ae before law.ae), however they were named or found
            string expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                File.ReadAllBytes(Path.Combine(dir.Path, "laws/groups.ae")).Concat(File.ReadAllBytes(Path.Combine(dir.Path, "laws/law.ae"))).ToArray()));
            Assert.Equal(expected, first);
            var named = Cli.Run(dir.Path, "run", "laws/law.ae", "laws/groups.ae", "--task", "quadratic", "--steps", "5", "--db", "runs.db");
            Assert.True(named.ExitCode is 0 or 1, named.Stdout + named.Stderr);
            Assert.Equal(first, (string)Experiments.Rows(Path.Combine(dir.Path, "runs.db"), "SELECT law_sha256 FROM runs ORDER BY id DESC LIMIT 1").Single()[0]!);
            dir.Write("laws/unrelated.ae", "group Unused { rule U { } }\n");
            Assert.Equal(first, Stored());
            dir.Write("laws/groups.ae", Groups.Replace("0.5", "0.25", StringComparison.Ordinal));
            Assert.NotEqual(first, Stored());
        }

        /// <summary>
        /// Of a file taken for a group, only what the law needs is this check's: its unused group is no AE0044 and its other
        /// law's errors (a group nobody declares) no error of this law's; an error inside the needed group is, at its place.
        /// </summary>
        [Fact]
        public void Only_what_the_law_needs_from_a_sibling_is_reported()
        {
            using var dir = new TempDirectory();
            const string other = "law Stranger { dim n; input loss: real; input grad: real[n]; state theta: real[n]; use Nowhere; update { theta' = theta - 0.1 * grad; } }\n";
            dir.Write("laws/groups.ae", Groups + "group Other {\n  rule O { x' = x' * 0.9; }\n}\n" + other);
            dir.Write("laws/law.ae", Law);
            var check = Cli.Run(dir.Path, "check", "laws/law.ae", "--warnaserror");
            Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
            Assert.Equal(new[] { "2 files checked: 0 errors, 0 warnings" }, check.StdoutLines);
            var run = Cli.Run(dir.Path, "run", "laws/law.ae", "--task", "quadratic", "--steps", "5", "--db", "runs.db");
            Assert.True(run.ExitCode is 0 or 1, run.Stdout + run.Stderr);

            dir.Write("laws/groups.ae", Groups.Replace("x' * 0.5", "x' * undefined_name", StringComparison.Ordinal) + other);
            var broken = Cli.Run(dir.Path, "check", "laws/law.ae");
            Assert.Equal(1, broken.ExitCode);
            Assert.Contains(broken.StdoutLines, l => l.StartsWith("laws/groups.ae(2,", StringComparison.Ordinal) && l.Contains("error AE0010", StringComparison.Ordinal));
            Assert.DoesNotContain(broken.StdoutLines, l => l.Contains("Nowhere", StringComparison.Ordinal));
        }

        /// <summary>
        /// A sibling's other laws are not checked with the law that needs its group: one that uses the group against names it
        /// lacks, its hundred errors (which took the per-file error cap and hid a real error in the group), a lagged variant's
        /// warning. A FIFO or an empty .ae file beside the law is not opened, and one folder reached through a link and through
        /// its own path is one folder.
        /// </summary>
        [Fact]
        public void A_siblings_other_laws_are_not_checked_and_odd_files_beside_are_left_alone()
        {
            using var dir = new TempDirectory();
            string noise = string.Concat(Enumerable.Range(0, 120).Select(i => "    s' = nope" + i + ";\n"));
            const string z = "law Z { dim n; input loss: real; input grad: real[n]; state theta: real[n]; coeff alpha in [0, 1] = 0.5; use Damp; update { theta' = theta - alpha * grad; } }\n";
            dir.Write("laws/groups.ae", "law Broken {\n  state s: real = 0;\n  update {\n" + noise + "  }\n}\n" + z + Groups);
            dir.Write("laws/law.ae", Law);
            dir.Write("laws/empty.ae", "");
            var check = Cli.Run(dir.Path, "check", "laws/law.ae", "--warnaserror");
            Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
            // an error inside the needed group, past the other law's hundred, is reported at its place
            dir.Write("laws/groups.ae", "law Broken {\n  state s: real = 0;\n  update {\n" + noise + "  }\n}\n" + z + Groups.Replace("x' * 0.5", "x' * kk", StringComparison.Ordinal));
            var broken = Cli.Run(dir.Path, "check", "laws/law.ae");
            Assert.Equal(1, broken.ExitCode);
            Assert.Contains(broken.StdoutLines, l => l.StartsWith("laws/groups.ae(", StringComparison.Ordinal) && l.Contains("'kk'", StringComparison.Ordinal));
            Assert.DoesNotContain(broken.StdoutLines, l => l.Contains("nope", StringComparison.Ordinal) || l.Contains("AE0007", StringComparison.Ordinal));
            // emit prints the errors as check does, the files counted alike
            var emit = Cli.Run(dir.Path, "emit", "laws/law.ae");
            Assert.Equal(1, emit.ExitCode);
            Assert.Equal(broken.StdoutLines[^1], emit.StdoutLines[^1]);
            dir.Write("laws/groups.ae", Groups);

            string fifo = Path.Combine(dir.Path, "laws", "pipe.ae");
            using (var mk = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", fifo) { UseShellExecute = false })!) mk.WaitForExit();
            Assert.True(File.Exists(fifo));
            var withFifo = Cli.Run(dir.Path, "check", "laws/law.ae");   // it waited for a writer of the FIFO, for ever
            Assert.True(withFifo.ExitCode == 0, withFifo.Stdout + withFifo.Stderr);
            File.Delete(fifo);

            Directory.CreateSymbolicLink(Path.Combine(dir.Path, "link"), Path.Combine(dir.Path, "laws"));
            dir.Write("laws/other.ae", Law.Replace("UsesDamp", "AlsoUsesDamp", StringComparison.Ordinal));
            var linked = Cli.Run(dir.Path, "check", "link/law.ae", "laws/other.ae");
            Assert.True(linked.ExitCode == 0, linked.Stdout + linked.Stderr);
        }

        /// <summary>A variant whose base is in another file of the folder runs from its own file, as one whose group is.</summary>
        [Fact]
        public void A_variants_base_in_a_sibling_file_is_found()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/groups.ae", Groups);
            dir.Write("laws/law.ae", Law.Replace("use Damp;", "rule R { x' = x' * 0.9; }\n  use Damp;", StringComparison.Ordinal));
            dir.Write("laws/variant.ae", "law NoR = UsesDamp without R;\n");
            var emit = Cli.Run(dir.Path, "emit", "laws/variant.ae");
            Assert.True(emit.ExitCode == 0, emit.Stdout + emit.Stderr);
            Assert.Contains("partial class NoR", emit.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("partial class UsesDamp", emit.Stdout, StringComparison.Ordinal);   // the base is not the user's file's
            var run = Cli.Run(dir.Path, "run", "laws/variant.ae", "--task", "quadratic", "--steps", "5", "--db", "runs.db");
            Assert.True(run.ExitCode is 0 or 1, run.Stdout + run.Stderr);
            Assert.Contains("NoR", run.Stdout, StringComparison.Ordinal);
        }
    }
}
