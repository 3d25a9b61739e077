using System.Linq;
using Xunit;

namespace AE.Cli.Tests
{
    public class CheckTextOutputTests
    {
        [Fact]
        public void Clean_file_prints_only_the_summary_and_exits_0()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.Clean("A"));

            var r = Cli.Run(dir.Path, "check", "a.ae");

            Assert.Equal(0, r.ExitCode);
            Assert.Equal(new[] { "1 file checked: 0 errors, 0 warnings" }, r.StdoutLines);
            Assert.Equal("", r.Stderr);
        }

        [Fact]
        public void Syntax_error_prints_the_msbuild_line_and_exits_1()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("B"));

            var r = Cli.Run(dir.Path, "check", "a.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal(new[]
            {
                "a.ae(1,15): " + Sources.SyntaxErrorMessage,
                "1 file checked: 1 error, 0 warnings",
            }, r.StdoutLines);
            Assert.Equal("", r.Stderr);
        }

        [Fact]
        public void Unexpected_character_is_AE0001_at_its_column()
        {
            using var dir = new TempDirectory();
            dir.Write("m.ae", Sources.BadCharacter("C"));

            var r = Cli.Run(dir.Path, "check", "m.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("m.ae(1,9): " + Sources.BadCharacterMessage, r.StdoutLines[0]);
        }

        [Fact]
        public void Several_files_are_checked_together_sorted_with_plural_summary()
        {
            using var dir = new TempDirectory();
            dir.Write("b.ae", Sources.BadCharacter("D"));
            dir.Write("a.ae", Sources.SyntaxError("E"));
            dir.Write("c.ae", Sources.Clean("F"));

            // Given out of order: files are sorted, diagnostics come in the checker's order.
            var r = Cli.Run(dir.Path, "check", "c.ae", "b.ae", "a.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal(new[]
            {
                "a.ae(1,15): " + Sources.SyntaxErrorMessage,
                "b.ae(1,9): " + Sources.BadCharacterMessage,
                "3 files checked: 2 errors, 0 warnings",
            }, r.StdoutLines);
        }

        [Fact]
        public void Second_line_error_has_the_right_line_and_column()
        {
            using var dir = new TempDirectory();
            // Line 2 is "  param = 1;": the '=' is column 9.
            dir.Write("laws/multi.ae", "law L {\n  param = 1;\n}\n");

            var r = Cli.Run(dir.Path, "check", "laws/multi.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("laws/multi.ae(2,9): " + Sources.SyntaxErrorMessage, r.StdoutLines[0]);
        }

        [Fact]
        public void Columns_count_utf16_units_after_non_ascii_text()
        {
            using var dir = new TempDirectory();
            // "/* é😀 */ " is 10 UTF-16 units (😀 is a surrogate pair), so the '=' moves from 15 to 25.
            dir.Write("u.ae", "/* é😀 */ " + Sources.SyntaxError("L"));

            var r = Cli.Run(dir.Path, "check", "u.ae");

            Assert.Equal("u.ae(1,25): " + Sources.SyntaxErrorMessage, r.StdoutLines[0]);
        }

        [Fact]
        public void Relative_paths_keep_the_spelling_the_user_gave()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/a.ae", Sources.SyntaxError("G"));

            var r = Cli.Run(dir.Path, "check", "./laws/a.ae");

            Assert.Equal("./laws/a.ae(1,15): " + Sources.SyntaxErrorMessage, r.StdoutLines[0]);
        }

        [Fact]
        public void Absolute_paths_stay_absolute()
        {
            using var dir = new TempDirectory();
            string full = dir.Write("a.ae", Sources.SyntaxError("H"));

            var r = Cli.Run(dir.Path, "check", full);

            Assert.Equal(full + "(1,15): " + Sources.SyntaxErrorMessage, r.StdoutLines[0]);
        }

        [Fact]
        public void The_same_file_named_twice_is_checked_once()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("I"));

            var r = Cli.Run(dir.Path, "check", "a.ae", "a.ae", "./a.ae", "*.ae");

            Assert.Equal(new[]
            {
                "a.ae(1,15): " + Sources.SyntaxErrorMessage,
                "1 file checked: 1 error, 0 warnings",
            }, r.StdoutLines);
        }

        [Fact]
        public void Warnaserror_is_accepted_and_errors_still_exit_1()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("J"));
            dir.Write("c.ae", Sources.Clean("K"));

            var bad = Cli.Run(dir.Path, "check", "a.ae", "--warnaserror");
            var clean = Cli.Run(dir.Path, "check", "--warnaserror", "c.ae");

            Assert.Equal(1, bad.ExitCode);
            Assert.Equal(new[]
            {
                "a.ae(1,15): " + Sources.SyntaxErrorMessage,
                "1 file checked: 1 error, 0 warnings",
            }, bad.StdoutLines);
            Assert.Equal(0, clean.ExitCode);
            Assert.Equal(new[] { "1 file checked: 0 errors, 0 warnings" }, clean.StdoutLines);
        }

        [Fact]
        public void Files_checked_together_see_each_others_rule_groups()
        {
            using var dir = new TempDirectory();
            dir.Write("groups/g.ae", "group G { }\n");
            dir.Write("laws/u.ae", "law U { use G; }\n");

            var alone = Cli.Run(dir.Path, "check", "laws/u.ae");
            var together = Cli.Run(dir.Path, "check", "laws/u.ae", "groups/g.ae");

            // Alone, 'G' in "law U { use G; }" (column 13) is unknown (its file is in another folder); together it resolves.
            Assert.Equal(1, alone.ExitCode);
            Assert.StartsWith("laws/u.ae(1,13): error AE0016: ", alone.StdoutLines[0]);
            Assert.Equal(0, together.ExitCode);
            Assert.Equal(new[] { "2 files checked: 0 errors, 0 warnings" }, together.StdoutLines);

            // In one folder, the file that declares the group is found and checked with the one named.
            dir.Write("laws/g.ae", "group G { }\n");
            var beside = Cli.Run(dir.Path, "check", "laws/u.ae");
            Assert.Equal(0, beside.ExitCode);
            Assert.Equal(new[] { "2 files checked: 0 errors, 0 warnings" }, beside.StdoutLines);
        }

        [Fact]
        public void Random_bytes_are_one_error_naming_the_file_and_the_first_nul_byte()
        {
            using var dir = new TempDirectory();
            var bytes = new byte[4096];
            new System.Random(7).NextBytes(bytes);
            int nul = System.Array.IndexOf(bytes, (byte)0);
            Assert.True(nul >= 0);
            dir.WriteBytes("noise.ae", bytes);
            dir.Write("good.ae", Sources.SyntaxError("M"));

            var r = Cli.Run(dir.Path, "check", "noise.ae", "good.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal(3, r.StdoutLines.Count);
            Assert.Equal("good.ae(1,15): " + Sources.SyntaxErrorMessage, r.StdoutLines[0]);
            Assert.Matches(@"^noise\.ae\(\d+,\d+\): error AE0006: 'noise\.ae' is not a text file \(byte 0x00 at offset " + nul + @"\); ", r.StdoutLines[1]);
            Assert.Equal("2 files checked: 2 errors, 0 warnings", r.StdoutLines[2]);
            Assert.Equal("", r.Stderr);
        }

        [Fact]
        public void A_file_with_hundreds_of_errors_lists_the_first_hundred_and_a_summary()
        {
            using var dir = new TempDirectory();
            dir.Write("many.ae", "law N { }\n" + new string('$', 250) + "\n");

            var r = Cli.Run(dir.Path, "check", "many.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal(102, r.StdoutLines.Count);
            Assert.All(r.StdoutLines.Take(100), l => Assert.Contains(" error AE0001: ", l, System.StringComparison.Ordinal));
            Assert.Equal("many.ae(2,101): error AE0007: 150 more errors in this file not shown: only the first 100 errors of a file are listed; fix those and check again", r.StdoutLines[100]);
            Assert.Equal("1 file checked: 101 errors, 0 warnings", r.StdoutLines[101]);
        }
    }
}
