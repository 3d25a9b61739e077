using System;
using System.IO;
using System.Linq;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// A folder, a missing file or an unreadable file where a command reads a file, and a folder where it keeps its run
    /// store: one line that says which, exit 2, nothing written.
    /// </summary>
    public class InputPathTests
    {
        private static string Cell(string file) => Path.Combine(Repo.Root, "cells", file);

        private static string[] WithPaths(string[] args) => args.Select(a => a switch
        {
            "LAW" => Repo.SgdmLaw,
            "CELL" => Cell("amed_synth.ae"),
            "REF" => Path.Combine(Repo.Golden, "cell_amelayer.json"),
            _ => a,
        }).ToArray();

        /// <summary>SQLite said only 'unable to open database file' of a folder; every command that stores runs says it is one.</summary>
        [Theory]
        [InlineData("run", "LAW", "--task", "quadratic", "--steps", "5")]
        [InlineData("sweep", "LAW", "--tasks", "quadratic", "--seeds", "1", "--points", "2", "--steps", "5")]
        [InlineData("ablate", "LAW", "--task", "quadratic", "--seeds", "1", "--steps", "5")]
        [InlineData("swarm", "LAW", "--task", "quadratic", "--k", "2", "--seeds", "1", "--steps", "10")]
        [InlineData("train", "CELL", "--task", "sine-synth", "--epochs", "1", "--time", "100")]
        public void A_db_that_is_a_folder_is_one_line_and_nothing_is_written(params string[] args)
        {
            using var dir = new TempDirectory();
            string folder = Path.Combine(dir.Path, "store");
            Directory.CreateDirectory(folder);

            var r = Cli.Run(dir.Path, WithPaths(args).Concat(new[] { "--db", "store" }).ToArray());

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal("ae: error: cannot open the database '" + folder + "': it is a folder; name the run store's file in it, such as " + Path.Combine(folder, "ae-runs.db"),
                Assert.Single(r.StderrLines));
            Assert.Equal(new[] { folder }, Directory.GetFileSystemEntries(dir.Path));
            Assert.Empty(Directory.GetFileSystemEntries(folder));
        }

        [Fact]
        public void The_default_db_a_folder_is_the_same_line()
        {
            using var dir = new TempDirectory();
            string folder = Path.Combine(dir.Path, "ae-runs.db");
            Directory.CreateDirectory(folder);

            var r = Cli.Run(dir.Path, "run", Repo.SgdmLaw, "--task", "quadratic", "--steps", "5");

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("ae: error: cannot open the database '" + folder + "': it is a folder; name the run store's file in it, such as " + Path.Combine(folder, "ae-runs.db"),
                Assert.Single(r.StderrLines));
        }
    }
}
