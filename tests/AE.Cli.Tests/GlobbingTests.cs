using System.IO;
using System.Linq;
using AE.Experiments.Compilation;
using Xunit;

namespace AE.Cli.Tests
{
    public class GlobbingTests
    {
        private static TempDirectory Tree()
        {
            var dir = new TempDirectory();
            dir.Write("top.ae", Sources.SyntaxError("A"));
            dir.Write("notes.txt", "not an ae file");
            dir.Write("laws/a.ae", Sources.Clean("B"));
            dir.Write("laws/b.ae", Sources.BadCharacter("C"));
            dir.Write("laws/deep/er/c.ae", Sources.SyntaxError("D"));
            dir.Write("cells/x1.ae", Sources.Clean("E"));
            dir.Write("cells/x22.ae", Sources.Clean("F"));
            return dir;
        }

        private static string[] Displays(TempDirectory dir, params string[] args)
            => Globbing.Expand(args, dir.Path).Select(f => f.DisplayPath).ToArray();

        [Fact]
        public void Double_star_finds_nested_files_sorted_ordinally()
        {
            using var dir = Tree();

            Assert.Equal(
                new[] { "cells/x1.ae", "cells/x22.ae", "laws/a.ae", "laws/b.ae", "laws/deep/er/c.ae", "top.ae" },
                Displays(dir, "**/*.ae"));
        }

        [Fact]
        public void Single_star_does_not_recurse()
        {
            using var dir = Tree();

            Assert.Equal(new[] { "top.ae" }, Displays(dir, "*.ae"));
            Assert.Equal(new[] { "laws/a.ae", "laws/b.ae" }, Displays(dir, "laws/*.ae"));
        }

        [Fact]
        public void Double_star_below_a_prefix_matches_zero_or_more_directories()
        {
            using var dir = Tree();

            Assert.Equal(new[] { "laws/a.ae", "laws/b.ae", "laws/deep/er/c.ae" }, Displays(dir, "laws/**/*.ae"));
            Assert.Equal(new[] { "laws/deep/er/c.ae" }, Displays(dir, "laws/**/c.ae"));
        }

        [Fact]
        public void Question_mark_matches_one_character()
        {
            using var dir = Tree();

            Assert.Equal(new[] { "cells/x1.ae" }, Displays(dir, "cells/x?.ae"));
        }

        [Fact]
        public void Question_mark_in_a_directory_segment_matches_one_character()
        {
            using var dir = Tree();

            Assert.Equal(new[] { "laws/deep/er/c.ae" }, Displays(dir, "laws/**/e?/*.ae"));
            Assert.Equal(new[] { "laws/a.ae", "laws/b.ae", "laws/deep/er/c.ae" }, Displays(dir, "la?s/**/?.ae"));
        }

        [Fact]
        public void Double_star_does_not_follow_a_link_back_to_a_parent()
        {
            using var dir = Tree();
            Directory.CreateSymbolicLink(Path.Combine(dir.Path, "laws", "deep", "loop"), Path.Combine(dir.Path, "laws"));

            Assert.Equal(new[] { "laws/a.ae", "laws/b.ae", "laws/deep/er/c.ae" }, Displays(dir, "laws/**/*.ae"));
        }

        [Fact]
        public void Wildcards_in_directory_segments_match_directories()
        {
            using var dir = Tree();

            Assert.Equal(new[] { "cells/x1.ae", "cells/x22.ae", "laws/a.ae", "laws/b.ae" }, Displays(dir, "*/*.ae"));
        }

        [Fact]
        public void Absolute_globs_give_absolute_paths()
        {
            using var dir = Tree();
            string pattern = dir.Path + "/laws/*.ae";

            Assert.Equal(new[] { dir.Path + "/laws/a.ae", dir.Path + "/laws/b.ae" }, Displays(dir, pattern));
        }

        [Fact]
        public void Overlapping_globs_and_paths_are_deduplicated()
        {
            using var dir = Tree();

            Assert.Equal(new[] { "laws/a.ae", "laws/b.ae" }, Displays(dir, "laws/*.ae", "laws/a.ae", "laws/?.ae"));
        }

        [Fact]
        public void Check_with_double_star_reports_every_nested_file()
        {
            using var dir = Tree();

            var r = Cli.Run(dir.Path, "check", "**/*.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal(new[]
            {
                "laws/b.ae(1,9): " + Sources.BadCharacterMessage,
                "laws/deep/er/c.ae(1,15): " + Sources.SyntaxErrorMessage,
                "top.ae(1,15): " + Sources.SyntaxErrorMessage,
                "6 files checked: 3 errors, 0 warnings",
            }, r.StdoutLines);
        }

        [Fact]
        public void Glob_that_matches_nothing_exits_2_with_one_line()
        {
            using var dir = Tree();

            var r = Cli.Run(dir.Path, "check", "x/*.ae");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal(new[] { "ae: error: no file matches 'x/*.ae' (there is no folder 'x')" }, r.StderrLines);
            var file = Cli.Run(dir.Path, "check", "top.ae/*.ae");
            Assert.Equal(new[] { "ae: error: no file matches 'top.ae/*.ae' ('top.ae' is a file, not a folder)" }, file.StderrLines);
        }

        [Fact]
        public void Glob_that_matches_only_other_extensions_exits_2()
        {
            using var dir = Tree();

            var r = Cli.Run(dir.Path, "check", "*.ae", "cells/*.txt");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: no file matches 'cells/*.txt'" }, r.StderrLines);
        }

        [Fact]
        public void Missing_file_exits_2_with_one_line()
        {
            using var dir = Tree();

            var r = Cli.Run(dir.Path, "check", "top.ae", "x.ae");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal(new[] { "ae: error: file not found: 'x.ae'" }, r.StderrLines);
        }

        [Fact]
        public void Directory_given_as_a_file_exits_2_with_a_hint()
        {
            using var dir = Tree();

            var r = Cli.Run(dir.Path, "check", "laws");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: 'laws' is a folder; name files or a glob such as 'laws/**/*.ae'" }, r.StderrLines);
        }
    }
}
