using System.Linq;
using System.Text;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>CRLF, CR and a UTF-8 BOM must not move line or column numbers.</summary>
    public class LineEndingTests
    {
        // Line 3 is "  param = 1;": the '=' is column 9. Each file gets its own law name.
        private static string Lf(string law) => "// header\nlaw " + law + " {\n  param = 1;\n}\n";

        private const string Expected = "(3,9): " + Sources.SyntaxErrorMessage;

        [Fact]
        public void Lf_crlf_cr_and_bom_files_report_the_same_position()
        {
            using var dir = new TempDirectory();
            var utf8 = new UTF8Encoding(false);
            byte[] bom = { 0xEF, 0xBB, 0xBF };
            dir.Write("lf.ae", Lf("A"));
            dir.Write("crlf.ae", Lf("B").Replace("\n", "\r\n"));
            dir.Write("cr.ae", Lf("C").Replace("\n", "\r"));
            dir.WriteBytes("bom.ae", bom.Concat(utf8.GetBytes(Lf("D"))).ToArray());
            dir.WriteBytes("bomcrlf.ae", bom.Concat(utf8.GetBytes(Lf("E").Replace("\n", "\r\n"))).ToArray());

            var r = Cli.Run(dir.Path, "check", "*.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal(new[]
            {
                "bom.ae" + Expected,
                "bomcrlf.ae" + Expected,
                "cr.ae" + Expected,
                "crlf.ae" + Expected,
                "lf.ae" + Expected,
                "5 files checked: 5 errors, 0 warnings",
            }, r.StdoutLines);
        }

        [Fact]
        public void Bom_does_not_shift_the_first_line()
        {
            using var dir = new TempDirectory();
            dir.WriteBytes("a.ae", new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Sources.BadCharacter("A"))).ToArray());

            var r = Cli.Run(dir.Path, "check", "a.ae");

            Assert.Equal("a.ae(1,9): " + Sources.BadCharacterMessage, r.StdoutLines[0]);
        }
    }
}
