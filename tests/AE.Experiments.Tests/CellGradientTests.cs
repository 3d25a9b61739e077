using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using AE.Dsl;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Experiments.Cells;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// The reference adjoint against PyTorch: each shipped seed cell run on its golden file, forward
    /// outputs, the host's loss and autograd's gradient of every parameter within 1e-9 relative or
    /// 1e-12 absolute; and the one-line complaints about a file that does not fit the cell.
    /// </summary>
    public class CellGradientTests
    {
        public static TheoryData<string, string> GoldenCells() => new()
        {
            { "ame_layer.ae", "cell_amelayer.json" },
            { "amed_synth.ae", "cell_amed_synth.json" },
            { "residual_dynamics.ae", "cell_residual_dynamics.json" },
        };

        internal static IrUnit Cell(string file)
        {
            var path = Path.Combine(RepoPaths.Root, "cells", file);
            var result = AeCompiler.Check(SourceFile.FromBytes(Path.Combine("cells", file), File.ReadAllBytes(path)));
            Assert.False(result.HasErrors);
            return Assert.Single(result.Program!.Units);
        }

        private static CellReference Golden(string file) => CellReference.Load(Path.Combine(RepoPaths.Golden, file), file);

        [Theory]
        [MemberData(nameof(GoldenCells))]
        public void Outputs_loss_and_every_gradient_match_autograd(string cell, string golden)
        {
            var report = CellGradientCheck.Run(Cell(cell), Golden(golden));
            var table = string.Join("\n", report.Quantities.Select(q => $"{q.Name}: abs {q.MaxAbs:G3} at {q.MaxAbsAt}, rel {q.MaxRel:G3} at {q.MaxRelAt}, {q.Failures} out"));
            Assert.True(report.Pass, table);
            Assert.Contains(report.Quantities, q => q.Name == "loss");
            Assert.Equal(Cell(cell).Nets.Sum(n => n.Layers.Count * 2), report.Quantities.Count(q => q.Name.StartsWith("grad ", StringComparison.Ordinal)));
            Assert.Contains(report.Quantities, q => q.Name.StartsWith("output ", StringComparison.Ordinal));
        }

        [Fact]
        public void A_changed_gradient_value_fails_and_says_where()
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Golden, "cell_amed_synth.json")))!;
            var w = json["grads"]!["f_net.0.weight"]!.AsArray();
            double v = w[3]![0]!.GetValue<double>();
            w[3]![0] = v * (1 + 1e-6) + 1e-9;
            var report = CellGradientCheck.Run(Cell("amed_synth.ae"), CellReference.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), "changed.json"));
            Assert.False(report.Pass);
            var bad = Assert.Single(report.Quantities, q => !q.Pass);
            Assert.Equal("grad f_net.0.weight", bad.Name);
            Assert.Equal("[3, 0]", bad.MaxAbsAt);
        }

        /// <summary>
        /// A small element off by more than 1e-9 relative and 1e-12 absolute fails whatever its neighbours: 5e-9 off an element
        /// of 1e-6 beside one of 1e7 is 5e-16 of the quantity's largest value (the rounding of large terms could do it, and so
        /// could a wrong gradient), so it fails "by a hair"; 5e-7 off it is 5e-14 of 1e7, still a hair; beside 0.5 neither is.
        /// </summary>
        [Theory]
        [InlineData(1e7, 5e-9, true)]
        [InlineData(-1e7, 5e-9, true)]
        [InlineData(1e7, 5e-7, true)]
        [InlineData(1e7, 5e-3, false)]
        [InlineData(0.5, 5e-9, false)]
        public void A_small_element_fails_beside_a_large_one_and_says_whether_by_a_hair(double large, double off, bool byAHair)
        {
            var reference = new Tensor(new[] { large, 1e-6 }, new[] { 2 });
            var q = CellGradientCheck.Compare("grad w", new[] { large, 1e-6 + off }, reference);
            Assert.Equal(1, q.Failures);
            Assert.Equal(byAHair, q.FailsOnlyByAHair);
            Assert.Equal("[1]", q.MaxRelAt);
        }

        [Fact]
        public void Only_finite_references_set_the_scale()
        {
            Assert.Equal(3.0, CellGradientCheck.ScaleOf(new[] { double.PositiveInfinity, -3.0, double.NaN, double.NegativeInfinity }));
            Assert.Equal(0.5, CellGradientCheck.ScaleOf(new[] { 0.25, -0.5 }));
            Assert.Equal(0.0, CellGradientCheck.ScaleOf(Array.Empty<double>()));
        }

        [Theory]
        [InlineData("int", "holds 1.1479829028591584", "the cell's input eps is int, so its values must be whole numbers within ±2^53")]
        [InlineData("bool", "holds 1.1479829028591584", "the cell's input eps is bool, so its values must be 0 or 1")]
        public void Values_an_int_or_bool_input_cannot_hold_are_one_line_naming_the_element(string kind, string holds, string why)
        {
            // The golden file feeds eps standard-normal draws; a cell that declares eps int would compute with 1.148 as it
            // is, one that declares it bool would read every draw as true.
            var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "cells", "ame_layer.ae"))
                .Replace("input eps: real[hidden_dim];", "input eps: " + kind + "[hidden_dim];", StringComparison.Ordinal);
            if (kind == "bool")
                text = text.Replace("* eps", "* (eps ? 1 : 0)", StringComparison.Ordinal).Replace("smooth cell", "cell", StringComparison.Ordinal);
            var result = AeCompiler.Check(SourceFile.FromBytes("ame_" + kind + ".ae", System.Text.Encoding.UTF8.GetBytes(text)));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            var ex = Assert.Throws<CellReferenceException>(() => CellGradientCheck.Run(Assert.Single(result.Program!.Units), Golden("cell_amelayer.json")));
            Assert.Equal("cell_amelayer.json: 'inputs.eps' " + holds + " at element 0; " + why, ex.Message);
        }

        [Theory]
        [InlineData("missing")]
        [InlineData("extra")]
        [InlineData("shape")]
        [InlineData("input")]
        public void A_file_that_does_not_fit_the_cell_is_one_line_naming_it(string defect)
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Golden, "cell_amelayer.json")))!;
            switch (defect)
            {
                case "missing": json["params"]!.AsObject().Remove("readout.bias"); break;
                case "extra": json["params"]!["readout.scale"] = new JsonArray(1.0); break;
                case "shape": json["params"]!["readout.bias"]!.AsArray().Add(0.0); break;
                default: json["inputs"]!.AsObject().Remove("eps"); break;
            }
            var reference = CellReference.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), "bad.json");
            var ex = Assert.Throws<CellReferenceException>(() => CellGradientCheck.Run(Cell("ame_layer.ae"), reference));
            Assert.StartsWith("bad.json: ", ex.Message);
            Assert.DoesNotContain("\n", ex.Message);
            switch (defect)
            {
                case "missing": Assert.Contains("'readout.bias'", ex.Message); Assert.Contains("missing", ex.Message); break;
                case "extra": Assert.Contains("'params.readout.scale' is not a parameter of AmeLayer", ex.Message); break;
                case "shape": Assert.Contains("'params.readout.bias' has shape [9], the cell's is [8]", ex.Message); break;
                default: Assert.Contains("'inputs.eps' is missing", ex.Message); break;
            }
        }
    }
}
