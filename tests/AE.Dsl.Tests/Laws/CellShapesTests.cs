using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Dsl.IR;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The nets a cell declares must give exactly the parameters of the seed's PyTorch module: the
    /// same names (PyTorch's state_dict keys) with the same shapes ([out, in] for a weight, [out]
    /// for a bias). The reference is the golden data produced by running the seeds' code, so this
    /// checks the cells against PyTorch independently of the checker's own naming rules.
    /// </summary>
    public class CellShapesTests
    {
        private static string GoldenDir => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "golden"));

        public static TheoryData<string, string> GoldenCells() => new()
        {
            { "ame_layer.ae", "cell_amelayer.json" },
            { "amed_synth.ae", "cell_amed_synth.json" },
            { "residual_dynamics.ae", "cell_residual_dynamics.json" },
        };

        [Theory]
        [MemberData(nameof(GoldenCells))]
        public void Declared_nets_have_exactly_the_golden_parameter_names_and_shapes(string cellFile, string goldenFile)
        {
            var unit = CheckCell(cellFile);
            var declared = DeclaredParameters(unit);
            var golden = GoldenParameters(goldenFile);

            Assert.True(declared.Count == declared.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count(),
                "a parameter name is declared twice:\n" + Describe(declared));
            Assert.Equal(Describe(golden), Describe(declared));
        }

        [Fact]
        public void Residual_dynamics_alpha_defaults_to_the_golden_alpha()
        {
            var unit = CheckCell("residual_dynamics.ae");
            var alpha = Assert.Single(unit.Params, p => p.Name == "alpha");
            var call = Assert.IsType<IrCall>(alpha.Default);
            Assert.Equal("concat", call.Function);
            var values = call.Args.Select(a => Assert.IsType<IrConst>(a).Value).ToArray();

            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GoldenDir, "cell_residual_dynamics.json")));
            var golden = doc.RootElement.GetProperty("alpha").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(golden, values);
        }

        // ---- helpers ----

        private static IrUnit CheckCell(string cellFile)
        {
            var relativePath = Path.Combine("cells", cellFile);
            var bytes = File.ReadAllBytes(Path.Combine(RepoPaths.Root, relativePath));
            var result = AeCompiler.Check(SourceFile.FromBytes(relativePath, bytes));
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            Assert.NotNull(result.Program);
            var unit = Assert.Single(result.Program!.Units);
            Assert.Equal(UnitKind.Cell, unit.Kind);
            return unit;
        }

        private sealed record Parameter(string Name, long[] Shape);

        private static List<Parameter> DeclaredParameters(IrUnit unit)
        {
            var result = new List<Parameter>();
            foreach (var net in unit.Nets)
            {
                foreach (var layer in net.Layers)
                {
                    Assert.True(layer.In.IsConstant && layer.Out.IsConstant,
                        $"net '{net.Name}' has a layer of symbolic shape [{layer.Out}, {layer.In}]; a cell fixes every dim");
                    result.Add(new Parameter(layer.WeightName, new[] { layer.Out.Constant, layer.In.Constant }));
                    result.Add(new Parameter(layer.BiasName, new[] { layer.Out.Constant }));
                }
            }
            return result;
        }

        private static List<Parameter> GoldenParameters(string goldenFile)
        {
            var path = Path.Combine(GoldenDir, goldenFile);
            Assert.True(File.Exists(path), "golden reference data not found: " + path);
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var result = new List<Parameter>();
            foreach (var p in doc.RootElement.GetProperty("params").EnumerateObject())
                result.Add(new Parameter(p.Name, ShapeOf(p.Value)));
            return result;
        }

        /// <summary>The shape of a nested JSON array (PyTorch's tensor.tolist()): the length at each level.</summary>
        private static long[] ShapeOf(JsonElement e)
        {
            var shape = new List<long>();
            while (e.ValueKind == JsonValueKind.Array)
            {
                shape.Add(e.GetArrayLength());
                if (e.GetArrayLength() == 0) break;
                e = e[0];
            }
            return shape.ToArray();
        }

        /// <summary>One line per parameter, sorted by name, so a failure shows the difference at a glance.</summary>
        private static string Describe(IEnumerable<Parameter> parameters)
            => string.Join("\n", parameters
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => p.Name + " [" + string.Join(", ", p.Shape) + "]"));
    }
}
