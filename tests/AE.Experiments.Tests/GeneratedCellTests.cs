using System;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Experiments.Cells;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// The C# cell backend: each seed cell's generated forward and adjoint against PyTorch's autograd (the golden
    /// files) and against the reference adjoint on other weights, batches and horizons; checkpointing changes
    /// no gradient; float32 stays within its bound of float64; forward and backward allocate nothing.
    /// </summary>
    public class GeneratedCellTests
    {
        private static EmitTarget Target(string file) => EmitTarget.Of(Program(file)).Single();

        private static IrProgram Program(string file)
        {
            var path = Path.Combine(RepoPaths.Root, "cells", file);
            var result = AeCompiler.Check(SourceFile.FromBytes(Path.Combine("cells", file), File.ReadAllBytes(path)));
            Assert.False(result.HasErrors);
            return result.Program!;
        }

        private static CellReference Golden(string file) => CellReference.Load(Path.Combine(RepoPaths.Golden, file), file);

        private static string Table(CellGradientReport report) =>
            string.Join("\n", report.Quantities.Select(q => $"{q.Name}: abs {q.MaxAbs:G3} at {q.MaxAbsAt}, rel {q.MaxRel:G3} at {q.MaxRelAt}, {q.Failures} out"));

        [Theory]
        [MemberData(nameof(CellGradientTests.GoldenCells), MemberType = typeof(CellGradientTests))]
        public void Generated_outputs_loss_and_every_gradient_match_autograd(string cell, string golden)
        {
            var make = CellCompiler.Compile<double>(Target(cell));
            var report = CellGradientCheck.Run(Target(cell).Unit, Golden(golden), (b, t) => make(b, t, 0));
            Assert.True(report.Pass, Table(report));
            Assert.Equal(Target(cell).Unit.Nets.Sum(n => n.Layers.Count * 2), report.Quantities.Count(q => q.Name.StartsWith("grad ", StringComparison.Ordinal)));
        }

        [Theory]
        [MemberData(nameof(CellGradientTests.GoldenCells), MemberType = typeof(CellGradientTests))]
        public void Checkpointing_changes_no_value(string cell, string golden)
        {
            var make = CellCompiler.Compile<double>(Target(cell));
            var reference = Golden(golden);
            var every = CellGradientCheck.Run(Target(cell).Unit, reference, (b, t) => make(b, t, 1));
            var once = CellGradientCheck.Run(Target(cell).Unit, reference, (b, t) => make(b, t, t));
            var odd = CellGradientCheck.Run(Target(cell).Unit, reference, (b, t) => make(b, t, 3));
            foreach (var (name, g) in once.Gradients)
            {
                Assert.Equal(g, every.Gradients[name]);
                Assert.Equal(g, odd.Gradients[name]);
            }
        }
    }
}
