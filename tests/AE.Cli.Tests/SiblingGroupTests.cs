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
            string expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                File.ReadAllBytes(Path.Combine(dir.Path, "laws/law.ae")).Concat(File.ReadAllBytes(Path.Combine(dir.Path, "laws/groups.ae"))).ToArray()));
            Assert.Equal(expected, first);
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
