using System;
using System.IO;
using System.Linq;
using AE.Experiments.Cells;
using AE.Experiments.Compilation;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// A cell's size (train's and bench's --batch, --time, --checkpoint) whose buffers cannot be allocated is refused
    /// before the cell is built: it was an internal error (an array length past an int, or out of memory).
    /// </summary>
    public class CellMemoryTests
    {
        private static string Cell(string file) => Path.Combine(Repo.Root, "cells", file);

        private static CompiledCell<float> Compiled(string file)
        {
            var set = LawSet.Load(new[] { Cell(file) }, Repo.Root);
            return CellCompiler.CompileCell<float>(set.Targets.Single(t => t.Unit.Kind == AE.Dsl.IR.UnitKind.Cell), set.Sources);
        }

        private static CliResult Run(string directory, long availableMemory, params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var context = new CliContext(stdout, stderr, directory) { AvailableMemoryBytes = availableMemory };
            int exit = CliApp.Run(args, context);
            return new CliResult(exit, stdout.ToString(), stderr.ToString());
        }

        /// <summary>The estimate is what building the cell allocates, measured: its buffers, and little else.</summary>
        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void The_footprint_is_what_building_the_cell_allocates(int threads)
        {
            var compiled = Compiled("ame_layer.ae");
            const int Batch = 12, Time = 400;
            var footprint = threads > 1
                ? BatchParallelCell<float>.Footprint(compiled.Layout, Batch, threads, Time, Time)
                : CellBase<float>.Footprint(compiled.Layout, Batch, Time, Time);
            compiled.Make(1, 1, 1);   // the type's statics and the runtime's first-call allocations, out of the count

            long before = GC.GetAllocatedBytesForCurrentThread();
            var cell = threads > 1 ? new BatchParallelCell<float>(b => compiled.Make(b, Time, Time), Batch, threads) : compiled.Make(Batch, Time, Time);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(Batch, cell.Batch);
            Assert.True(footprint.Bytes > 1e6, footprint.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(allocated, footprint.Bytes, footprint.Bytes * 1.01 + 64 * 1024);
            Assert.True(footprint.FitsInArrays);
        }

        [Fact]
        public void The_longest_array_is_the_frames_of_every_step_when_every_step_is_kept()
        {
            var layout = Compiled("ame_layer.ae").Layout;

            var footprint = CellBase<float>.Footprint(layout, 1_000_000, 10_000_000, 10_000_000);

            Assert.Equal((double)layout.FrameLength * 1_000_000 * 10_000_000 + 16, footprint.LongestArray);
            Assert.False(footprint.FitsInArrays);
        }

        /// <summary>An array length past what an array holds does not depend on the machine: the same line everywhere.</summary>
        [Theory]
        [InlineData("--batch 1000000: one of the cell's arrays for 1000000 sequences of 8000 steps would hold ", "lower --batch or --time", "train", "amed_synth.ae", "--task", "sine-synth", "--epochs", "1", "--batch", "1000000")]
        [InlineData("--time 10000000: one of the cell's arrays for 1 sequence of 10000000 steps would hold ", "lower --batch or --time", "train", "amed_synth.ae", "--task", "sine-synth", "--epochs", "1", "--time", "10000000")]
        [InlineData("--batch 100000: one of the cell's arrays for 100000 sequences of 50 steps would hold ", "lower --batch or --time", "train", "ame_layer.ae", "--task", "ame-sequence", "--epochs", "1", "--batch", "100000", "--threads", "2")]
        [InlineData("--batch 1000000 --time 1000000: one of the cell's arrays for 1000000 sequences of 1000000 steps would hold ", "lower --batch or --time or --checkpoint", "bench", "amed_synth.ae", "--batch", "1000000", "--time", "1000000")]
        public void A_size_past_an_array_is_one_line_naming_the_options(string start, string end, params string[] args)
        {
            using var dir = new TempDirectory();
            args = args.Select(a => a.EndsWith(".ae", StringComparison.Ordinal) ? Cell(a) : a).ToArray();

            var r = Cli.Run(dir.Path, args);

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("", r.Stdout);
            string line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: " + start, line, StringComparison.Ordinal);
            Assert.EndsWith(" values, more than an array holds (" + Array.MaxLength + "); " + end, line, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        /// <summary>
        /// More than the process can allocate is refused with the estimate and the bound; the bound is the context's (the
        /// machine's memory by default), lowered here so that the size refused is a small one.
        /// </summary>
        [Fact]
        public void A_size_past_the_memory_is_one_line_with_what_it_needs_and_what_can_be()
        {
            using var dir = new TempDirectory();
            var layout = Compiled("ame_layer.ae").Layout;
            double needs = CellBase<float>.Footprint(layout, 64, 50, 50).Bytes;
            string[] args = { "train", Cell("ame_layer.ae"), "--task", "ame-sequence", "--epochs", "1", "--batch", "64", "--db", "runs.db" };

            var refused = Run(dir.Path, (long)(needs / 2), args);

            Assert.Equal(ExitCodes.Usage, refused.ExitCode);
            Assert.Equal("ae: error: --batch 64: the cell's values for 64 sequences of 50 steps need about " + CellMemory.Bytes(needs) + ", more than the "
                + CellMemory.Bytes((long)(needs / 2)) + " this process can allocate; lower --batch or --time", Assert.Single(refused.StderrLines));
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

            var runs = Run(dir.Path, (long)(needs * 2), args);
            Assert.True(runs.ExitCode == 0, runs.Stderr);
        }

        /// <summary>A cell whose weights alone are past the memory: no --batch or --time helps, so none is advised (it said "lower --batch or --time").</summary>
        [Theory]
        [InlineData("bench", "--batch", "1", "--time", "1")]
        [InlineData("train", "--task", "ame-sequence", "--epochs", "1", "--batch", "1")]
        public void A_cell_too_large_at_any_size_says_no_size_makes_it_fit(params string[] args)
        {
            using var dir = new TempDirectory();
            dir.Write("wide.ae", "cell Wide {\n  dim d = 3000;\n  input x: real[d];\n  net W: linear(d -> d);\n  signal y: real[d];\n  update {\n    y = W(x);\n  }\n}\n");
            var set = LawSet.Load(new[] { Path.Combine(dir.Path, "wide.ae") }, dir.Path);
            var layout = CellCompiler.CompileCell<float>(set.Targets.Single(), set.Sources).Layout;
            double least = CellBase<float>.Footprint(layout, 1, 1, 1).Bytes;
            Assert.True(least > 3000 * 3000 * 4 * 2, "the weights and their gradients are most of it");

            var r = Run(dir.Path, (long)(least / 2), new[] { args[0], "wide.ae" }.Concat(args.Skip(1)).ToArray());

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            var line = Assert.Single(r.StderrLines);
            Assert.EndsWith(": the cell's values even for 1 sequence of 1 step need about " + CellMemory.Bytes(least) + ", more than the " + CellMemory.Bytes((long)(least / 2))
                + " this process can allocate; no size option makes it fit (its parameters and their gradients are most of it)", line, StringComparison.Ordinal);
            Assert.DoesNotContain("lower", line, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(512, "512 bytes")]
        [InlineData(1234, "1.2 kB")]
        [InlineData(93e9, "93 GB")]
        [InlineData(1.7e15, "1.7 PB")]
        public void Bytes_are_written_in_decimal_units(double bytes, string expected) => Assert.Equal(expected, CellMemory.Bytes(bytes));
    }
}
