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
        /// <summary>
        /// A file that exists and cannot be read, even by root (whom a mode of 000 does not stop): reading the process's
        /// own memory from offset 0, which is never mapped, fails with an I/O error.
        /// </summary>
        private const string Unreadable = "/proc/self/mem";

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

        /// <summary>A folder where a file is read: 'ae grad' said 'Access to the path ... is denied', --resume and --init 'no ... file'.</summary>
        [Theory]
        [InlineData("ae: error: fdir: is a folder, not a file", "grad", "CELL", "fdir")]
        [InlineData("ae: error: fdir: is a folder, not a file", "grad", "CELL", "fdir", "--backend", "reference")]
        [InlineData("ae: error: fdir: is a folder, not a file", "replay", "fdir", "--law", "LAW")]
        [InlineData("ae: error: fdir: is a folder, not a file", "run", "LAW", "--case", "fdir", "--steps", "5")]
        [InlineData("ae: error: --resume 'fdir' is a folder, not a checkpoint file; name the file in it, such as fdir/checkpoint.aerun", "run", "LAW", "--task", "quadratic", "--resume", "fdir")]
        [InlineData("ae: error: --resume 'fdir' is a folder, not a checkpoint file; name the file in it, such as fdir/checkpoint.aetrain", "train", "CELL", "--task", "sine-synth", "--resume", "fdir")]
        [InlineData("ae: error: --init 'fdir' is a folder, not a weights file; name the file in it, such as fdir/weights.safetensors", "train", "CELL", "--task", "sine-synth", "--init", "fdir")]
        [InlineData("ae: error: 'fdir' is a folder; name files or a glob such as 'fdir/**/*.ae'", "check", "fdir")]
        [InlineData("ae: error: 'fdir' is a folder; name files or a glob such as 'fdir/**/*.ae'", "emit", "fdir")]
        [InlineData("ae: error: 'fdir' is a folder; name files or a glob such as 'fdir/**/*.ae'", "bench", "fdir")]
        [InlineData("ae: error: 'fdir' is a folder, not a cell file; name the .ae file in it", "train", "fdir", "--task", "sine-synth")]
        [InlineData("ae: error: 'fdir' is a folder; name files or a glob such as 'fdir/**/*.ae'", "run", "fdir", "--task", "quadratic")]
        public void A_folder_where_a_file_is_read_is_one_line(string expected, params string[] args)
        {
            using var dir = new TempDirectory();
            Directory.CreateDirectory(Path.Combine(dir.Path, "fdir"));

            var r = Cli.Run(dir.Path, WithPaths(args));

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal(expected, Assert.Single(r.StderrLines));
            Assert.Equal(new[] { Path.Combine(dir.Path, "fdir") }, Directory.GetFileSystemEntries(dir.Path));
        }

        [Theory]
        [InlineData("ae: error: none.json: file not found", "grad", "CELL", "none.json")]
        [InlineData("ae: error: none.json: file not found", "replay", "none.json", "--law", "LAW")]
        [InlineData("ae: error: no checkpoint file 'none'", "run", "LAW", "--task", "quadratic", "--resume", "none")]
        [InlineData("ae: error: no checkpoint file 'none'", "train", "CELL", "--task", "sine-synth", "--resume", "none")]
        [InlineData("ae: error: no weights file 'none'", "train", "CELL", "--task", "sine-synth", "--init", "none")]
        [InlineData("ae: error: file not found: 'none.ae'", "check", "none.ae")]
        [InlineData("ae: error: file not found: 'none.ae'", "bench", "none.ae")]
        public void A_missing_file_is_one_line(string expected, params string[] args)
        {
            using var dir = new TempDirectory();

            var r = Cli.Run(dir.Path, WithPaths(args));

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StderrLines));
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [Theory]
        [InlineData("grad", "CELL", Unreadable)]
        [InlineData("replay", Unreadable, "--law", "LAW")]
        [InlineData("run", "LAW", "--case", Unreadable)]
        [InlineData("run", "LAW", "--task", "quadratic", "--resume", Unreadable)]
        [InlineData("train", "CELL", "--task", "sine-synth", "--resume", Unreadable)]
        [InlineData("train", "CELL", "--task", "sine-synth", "--init", Unreadable)]
        [InlineData("check", Unreadable)]
        [InlineData("emit", Unreadable)]
        [InlineData("bench", Unreadable)]
        public void An_unreadable_file_is_one_line_that_says_so(params string[] args)
        {
            using var dir = new TempDirectory();

            var r = Cli.Run(dir.Path, WithPaths(args));

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            string line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: ", line, StringComparison.Ordinal);
            Assert.Contains("cannot read", line, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        /// <summary>
        /// A FIFO or a device named as a checkpoint or weights file is one line at once: reading one waited for a writer in an
        /// open() that the first interrupt did not end (only a second one did). /dev/null read as "the checkpoint null is truncated".
        /// </summary>
        [Theory]
        [InlineData("FIFO", "run", "LAW", "--task", "quadratic", "--resume")]
        [InlineData("FIFO", "train", "CELL", "--task", "sine-synth", "--resume")]
        [InlineData("FIFO", "train", "CELL", "--task", "sine-synth", "--init")]
        [InlineData("/dev/null", "train", "CELL", "--task", "sine-synth", "--resume")]
        [InlineData("EMPTY", "run", "LAW", "--task", "quadratic", "--resume")]
        [InlineData("LINK", "run", "LAW", "--task", "quadratic", "--resume")]
        public async System.Threading.Tasks.Task A_fifo_a_device_or_an_empty_file_as_a_checkpoint_is_one_line(string file, params string[] args)
        {
            using var dir = new TempDirectory();
            string path = file switch
            {
                "FIFO" => Path.Combine(dir.Path, "ff.aetrain"),
                "EMPTY" => Path.Combine(dir.Path, "empty.aerun"),
                "LINK" => Path.Combine(dir.Path, "link.aerun"),
                _ => file,
            };
            // a link's own length is its target's name: the link to a FIFO is the FIFO
            if (file == "LINK")
            {
                using (var mk = System.Diagnostics.Process.Start("/usr/bin/mkfifo", new[] { Path.Combine(dir.Path, "ff") })!) mk.WaitForExit();
                File.CreateSymbolicLink(path, Path.Combine(dir.Path, "ff"));
            }
            if (file == "FIFO")
                using (var mk = System.Diagnostics.Process.Start("/usr/bin/mkfifo", new[] { path })!) mk.WaitForExit();
            if (file == "EMPTY") File.WriteAllBytes(path, Array.Empty<byte>());
            var r = await System.Threading.Tasks.Task.Run(() => Cli.Run(dir.Path, WithPaths(args).Append(path).Append("--db").Append("r.db").ToArray()))
                .WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            string what = args[^1] == "--init" ? "weights file" : "checkpoint file";
            Assert.Equal("ae: error: cannot read the " + what + " '" + path + "' (" + args[^1] + "): it is empty, or not a regular file (a FIFO or a device is not read)", Assert.Single(r.StderrLines));
            Assert.False(File.Exists(Path.Combine(dir.Path, "r.db")));
        }

        /// <summary>A .ae path that names something far larger than a law (a sparse file here; /dev/zero ran the check out of memory) is one line.</summary>
        [Theory]
        [InlineData("check")]
        [InlineData("emit")]
        [InlineData("run", "--task", "quadratic")]
        public void A_file_larger_than_any_law_is_one_line(string command, params string[] more)
        {
            using var dir = new TempDirectory();
            using (var huge = File.Create(Path.Combine(dir.Path, "huge.ae"))) huge.SetLength(AE.Experiments.Compilation.SourceBytes.Limit + 1L);
            var r = Cli.Run(dir.Path, new[] { command, "huge.ae" }.Concat(more).ToArray());
            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal(new[] { "ae: error: cannot read 'huge.ae': it holds more than 64 MiB, more than a .ae file does (is it the file you meant?)" }, r.StderrLines);
        }
    }
}
