using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// The one-file commands see rule groups in the other .ae files of the law's folder, as a build sees
    /// every .ae file of a project; 'ae check' checks exactly the files it is given.
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
        public void Without_the_sibling_the_group_is_unknown_and_check_names_only_the_files_given()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/law.ae", Law);
            var alone = Cli.Run(dir.Path, "emit", "laws/law.ae");
            Assert.Equal(1, alone.ExitCode);
            Assert.Contains("error AE0016: Unknown rule group 'Damp'", alone.Stdout + alone.Stderr);
            dir.Write("laws/groups.ae", Groups);
            var check = Cli.Run(dir.Path, "check", "laws/law.ae");
            Assert.Equal(1, check.ExitCode);
            Assert.Equal(0, Cli.Run(dir.Path, "check", "laws/law.ae", "laws/groups.ae").ExitCode);
        }
    }
}
