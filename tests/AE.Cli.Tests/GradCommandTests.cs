using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae grad</c>: the golden cells pass (exit 0), a changed value fails (1), a file that does not fit is one line (2).</summary>
    public class GradCommandTests
    {
        public static TheoryData<string, string> GoldenCells() => new()
        {
            { "cells/ame_layer.ae", "cell_amelayer.json" },
            { "cells/amed_synth.ae", "cell_amed_synth.json" },
            { "cells/residual_dynamics.ae", "cell_residual_dynamics.json" },
        };

        [Theory]
        [MemberData(nameof(GoldenCells))]
        public void Golden_cells_pass(string cell, string golden)
        {
            var r = Cli.Run(Repo.Root, "grad", cell, Path.Combine(Repo.Golden, golden));
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal("", r.Stderr);
            Assert.StartsWith("PASS: ", r.StdoutLines[^1], StringComparison.Ordinal);
            Assert.Contains(r.StdoutLines, l => l.StartsWith("loss ", StringComparison.Ordinal));
            Assert.Contains(r.StdoutLines, l => l.StartsWith("grad ", StringComparison.Ordinal));
        }

        [Fact]
        public void Json_lists_every_quantity_with_its_deviations()
        {
            var r = Cli.Run(Repo.Root, "grad", "cells/residual_dynamics.ae", Path.Combine(Repo.Golden, "cell_residual_dynamics.json"), "--format", "json", "--name", "DynamicsModelResidual");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            var root = doc.RootElement;
            Assert.True(root.GetProperty("pass").GetBoolean());
            Assert.Equal(5, root.GetProperty("batch").GetInt32());
            Assert.Equal(12, root.GetProperty("time").GetInt32());
            var names = root.GetProperty("quantities").EnumerateArray().Select(q => q.GetProperty("name").GetString()).ToList();
            Assert.Equal(new[] { "output N", "output g", "loss", "grad F.fc1.weight", "grad F.fc1.bias", "grad F.fc2.weight", "grad F.fc2.bias", "grad F.out.weight", "grad F.out.bias" }, names);
            Assert.All(root.GetProperty("quantities").EnumerateArray(), q => Assert.True(q.GetProperty("max_rel").GetDouble() < 1e-9));
            // a position is an array of indices, one per dimension of the quantity; the loss, a number, has none (null: it
            // was the empty string)
            var quantities = root.GetProperty("quantities").EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!);
            Assert.Equal(JsonValueKind.Null, quantities["loss"].GetProperty("max_abs_at").ValueKind);
            Assert.Equal(2, quantities["grad F.fc1.weight"].GetProperty("max_abs_at").GetArrayLength());
            Assert.All(quantities["grad F.fc1.weight"].GetProperty("max_rel_at").EnumerateArray(), i => Assert.True(i.GetInt32() >= 0));
            Assert.Equal(1, quantities["grad F.fc1.bias"].GetProperty("max_abs_at").GetArrayLength());
            Assert.Equal(0, quantities["grad F.fc1.bias"].GetProperty("failures_by_a_hair").GetInt32());
        }

        private static string Changed(TempDirectory dir, string golden, Action<JsonNode> change)
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Golden, golden)))!;
            change(json);
            return dir.Write("ref.json", json.ToJsonString());
        }

        /// <summary>
        /// A value off by more than the tolerance fails, and the verdict says whether only by a hair of its quantity's largest
        /// value: sigma_net.2.weight's smallest element (0.0048 of a largest 9.08) moved by 8e-12 is 1.7e-9 relative and
        /// 8.8e-13 of the largest (a hair); moved by 1e-9, 1.1e-10 of it (not).
        /// </summary>
        [Theory]
        [InlineData(8e-12, true)]
        [InlineData(1e-9, false)]
        public void A_failure_by_a_hair_of_the_quantitys_largest_value_says_so_and_still_fails(double off, bool byAHair)
        {
            using var dir = new TempDirectory();
            Changed(dir, "cell_amed_synth.json", j =>
            {
                var w = j["grads"]!["sigma_net.2.weight"]![0]!;
                w[9] = w[9]!.GetValue<double>() + off;
            });
            var r = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "amed_synth.ae"), "ref.json");
            Assert.Equal(1, r.ExitCode);
            var row = Assert.Single(r.StdoutLines, l => l.StartsWith("grad sigma_net.2.weight ", StringComparison.Ordinal));
            Assert.EndsWith(byAHair ? "1 out of tolerance by a hair" : "1 out of tolerance", row, StringComparison.Ordinal);
            Assert.Equal(byAHair, r.StdoutLines[^1].StartsWith("every value out of tolerance is off by at most 1e-12", StringComparison.Ordinal));
        }

        /// <summary>The residual cell with alpha ranged in (0, 1) and a bool param the update does not read.</summary>
        private static string RangedCell(TempDirectory dir)
        {
            string text = File.ReadAllText(Path.Combine(Repo.Root, "cells", "residual_dynamics.ae"))
                .Replace("param alpha: real[m] = concat(0.1, 0.5, 0.9);", "param alpha: real[m] in (0, 1) = concat(0.1, 0.5, 0.9);\n  param on: bool = true;\n  param mode: int in [0, 3] = 1;", StringComparison.Ordinal);
            Assert.Contains("in (0, 1) = concat", text, StringComparison.Ordinal);
            return dir.Write("ranged.ae", text);
        }

        /// <summary>A param's value outside its declared range is refused, as ae train --init refuses it (the checker proved the cell's safety from the range).</summary>
        [Theory]
        [InlineData("csharp")]
        [InlineData("reference")]
        public void A_param_outside_its_declared_range_is_one_line(string backend)
        {
            using var dir = new TempDirectory();
            string cell = RangedCell(dir);
            Changed(dir, "cell_residual_dynamics.json", j => j["alpha"] = new JsonArray(0.1, 1.5, 0.9));
            var r = Cli.Run(dir.Path, "grad", cell, "ref.json", "--backend", backend);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: ref.json: 'alpha' holds 1.5 at index 1, outside its declared range (0, 1)" }, r.StderrLines);
            Changed(dir, "cell_residual_dynamics.json", j => j["alpha"] = new JsonArray(0.1, 0.5, 0.9));
            var inside = Cli.Run(dir.Path, "grad", cell, "ref.json", "--backend", backend);
            Assert.True(inside.ExitCode == 0, inside.Stdout + inside.Stderr);
            if (backend != "reference") return;   // the generated cell compiles an int param in; the reference interpreter takes it
            Changed(dir, "cell_residual_dynamics.json", j => j["mode"] = 7);
            var mode = Cli.Run(dir.Path, "grad", cell, "ref.json", "--backend", backend);
            Assert.Equal(2, mode.ExitCode);
            Assert.Equal(new[] { "ae: error: ref.json: 'mode' holds 7, outside its declared range [0, 3]" }, mode.StderrLines);
        }

        /// <summary>A bool param takes true or false at the top level (the help says it goes there); a string is refused in the bool's words.</summary>
        [Fact]
        public void A_bool_param_takes_true_or_false()
        {
            using var dir = new TempDirectory();
            string cell = RangedCell(dir);
            foreach (var value in new[] { "true", "false", "1", "0" })
            {
                Changed(dir, "cell_residual_dynamics.json", j => j["on"] = JsonNode.Parse(value));
                var r = Cli.Run(dir.Path, "grad", cell, "ref.json", "--backend", "reference");
                Assert.True(r.ExitCode == 0, value + ": " + r.Stdout + r.Stderr);
            }
            Changed(dir, "cell_residual_dynamics.json", j => j["on"] = "yes");
            var bad = Cli.Run(dir.Path, "grad", cell, "ref.json", "--backend", "reference");
            Assert.Equal(2, bad.ExitCode);
            Assert.Equal(new[] { "ae: error: ref.json: 'on' holds a string; the cell's param on is a bool: true or false (1 or 0)" }, bad.StderrLines);
        }

        /// <summary>A top-level value of a cell's param that is no number was passed over, and the check ran with the param's default.</summary>
        [Theory]
        [InlineData("\"0.1, 0.5, 0.9\"", "a string")]
        [InlineData("true", "a boolean")]
        [InlineData("{\"values\": [0.1, 0.5, 0.9]}", "an object")]
        [InlineData("null", "null")]
        public void A_param_given_at_the_top_level_as_no_number_is_one_line(string value, string holds)
        {
            using var dir = new TempDirectory();
            Changed(dir, "cell_residual_dynamics.json", j => j["alpha"] = JsonNode.Parse(value));
            var r = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "residual_dynamics.ae"), "ref.json");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: ref.json: 'alpha' holds " + holds + "; the cell's param alpha takes a number or an array of numbers" }, r.StderrLines);
        }

        [Fact]
        public void A_gradient_off_by_1e_6_relative_fails_with_exit_1_and_says_where()
        {
            using var dir = new TempDirectory();
            var path = Changed(dir, "cell_residual_dynamics.json", j =>
            {
                var row = j["grads"]!["F.fc2.weight"]![4]!.AsArray();
                row[7] = row[7]!.GetValue<double>() * (1 + 1e-6) + 1e-11;
            });
            var r = Cli.Run(Repo.Root, "grad", "cells/residual_dynamics.ae", path);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal("", r.Stderr);
            var line = Assert.Single(r.StdoutLines, l => l.StartsWith("grad F.fc2.weight", StringComparison.Ordinal));
            Assert.Contains("[4, 7]", line, StringComparison.Ordinal);
            Assert.EndsWith("1 out of tolerance", line, StringComparison.Ordinal);
            Assert.StartsWith("FAIL: 1 of 9 quantities", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        [Fact]
        public void A_changed_output_fails_too()
        {
            using var dir = new TempDirectory();
            var path = Changed(dir, "cell_amed_synth.json", j => j["outputs"]!["y"]![5] = j["outputs"]!["y"]![5]!.GetValue<double>() + 1e-6);
            var r = Cli.Run(Repo.Root, "grad", "cells/amed_synth.ae", path);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(r.StdoutLines, l => l.StartsWith("output y", StringComparison.Ordinal) && l.Contains("[5]", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("missing", "ref.json: parameter 'F.out.bias' of DynamicsModelResidual is missing from 'params'")]
        [InlineData("extra", "ref.json: 'params.F.extra.weight' is not a parameter of DynamicsModelResidual")]
        [InlineData("shape", "ref.json: 'params.F.fc1.weight' has shape [16, 13], the cell's is [16, 12]")]
        [InlineData("input", "ref.json: 'inputs.ys' has shape [12, 5, 4], the cell's input y_t needs [12, 5, 3]")]
        [InlineData("cell", "ref.json: no host for seed cell 'Mystery'")]
        public void A_reference_that_does_not_fit_the_cell_is_exit_2_with_one_line(string defect, string expected)
        {
            using var dir = new TempDirectory();
            var path = Changed(dir, "cell_residual_dynamics.json", j =>
            {
                switch (defect)
                {
                    case "missing": j["params"]!.AsObject().Remove("F.out.bias"); break;
                    case "extra": j["params"]!["F.extra.weight"] = new JsonArray(new JsonArray(1.0)); break;
                    case "shape": foreach (var row in j["params"]!["F.fc1.weight"]!.AsArray()) row!.AsArray().Add(0.0); break;
                    case "input": foreach (var t in j["inputs"]!["ys"]!.AsArray()) foreach (var b in t!.AsArray()) b!.AsArray().Add(0.0); break;
                    default: j["cell"] = "Mystery (seed 999)"; break;
                }
            });
            var r = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "residual_dynamics.ae"), "ref.json");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            var line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: " + expected, line, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(GoldenCells))]
        public void The_reference_adjoint_passes_too(string cell, string golden)
        {
            var r = Cli.Run(Repo.Root, "grad", cell, Path.Combine(Repo.Golden, golden), "--backend", "reference");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.StartsWith("PASS: ", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        [Fact]
        public void Bad_command_lines_and_missing_files_are_exit_2()
        {
            var backend = Cli.Run(Repo.Root, "grad", "cells/ame_layer.ae", Path.Combine(Repo.Golden, "cell_amelayer.json"), "--backend", "gpu");
            Assert.Equal(2, backend.ExitCode);
            Assert.StartsWith("ae: error: invalid value 'gpu' for '--backend'; expected csharp or reference", Assert.Single(backend.StderrLines), StringComparison.Ordinal);
            Assert.Equal(2, Cli.Run(Repo.Root, "grad", "cells/ame_layer.ae").ExitCode);
            Assert.Equal(2, Cli.Run(Repo.Root, "grad", "cells/ame_layer.ae", Path.Combine(Repo.Golden, "cell_amelayer.json"), "--format", "xml").ExitCode);
            var missing = Cli.Run(Repo.Root, "grad", "cells/ame_layer.ae", "no/such.json");
            Assert.Equal(2, missing.ExitCode);
            Assert.Equal("ae: error: no/such.json: file not found", Assert.Single(missing.StderrLines));
            Assert.Equal(2, Cli.Run(Repo.Root, "grad", "cells/none.ae", Path.Combine(Repo.Golden, "cell_amelayer.json")).ExitCode);
            var wrongName = Cli.Run(Repo.Root, "grad", "cells/ame_layer.ae", Path.Combine(Repo.Golden, "cell_amelayer.json"), "--name", "Nope");
            Assert.Equal(2, wrongName.ExitCode);
        }

        /// <summary>A reference whose sequences are empty is bad input on both backends (it was an internal error); a sequence shorter than the first input's says where the time came from.</summary>
        [Fact]
        public void An_empty_or_uneven_sequence_is_exit_2_with_one_line()
        {
            using var dir = new TempDirectory();
            var empty = Changed(dir, "cell_amed_synth.json", j =>
            {
                j["inputs"]!["eps"] = new JsonArray();
                j["inputs"]!["target"] = new JsonArray();
                j["outputs"]!["y"] = new JsonArray();
            });
            foreach (var backend in new[] { "csharp", "reference" })
            {
                var r = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "amed_synth.ae"), "ref.json", "--backend", backend);
                Assert.Equal(2, r.ExitCode);
                Assert.Equal(new[] { "ae: error: ref.json: 'inputs.eps' has shape [0]: an empty sequence (batch 1, time 0); a reference needs at least one sample and one step" }, r.StderrLines);
            }
            Changed(dir, "cell_amed_synth.json", j =>
            {
                var eps = j["inputs"]!["eps"]!.AsArray();
                while (eps.Count > 10) eps.RemoveAt(eps.Count - 1);
            });
            var uneven = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "amed_synth.ae"), "ref.json");
            Assert.Equal(2, uneven.ExitCode);
            Assert.Matches(@"^ae: error: ref\.json: 'inputs\.target' has shape \[\d+\], the cell's input target needs \[10\] \(or \[10, 1\]\) \(the batch and time of 'inputs\.eps'\)$", Assert.Single(uneven.StderrLines));
        }

        /// <summary>
        /// A cell that takes none of the host's inputs runs over the reference's sequence (its batch and time from the host's first
        /// input) and is compared, on both backends; one that takes an input the host does not feed is one line that says so.
        /// </summary>
        [Fact]
        public void A_cell_fed_none_of_the_host_s_inputs_runs_or_is_one_line()
        {
            using var dir = new TempDirectory();
            string synth = File.ReadAllText(Path.Combine(Repo.Root, "cells", "amed_synth.ae"));
            string Without(string text, params (string From, string To)[] edits) => edits.Aggregate(text, (t, e) =>
            {
                Assert.Contains(e.From, t, StringComparison.Ordinal);
                return t.Replace(e.From, e.To, StringComparison.Ordinal);
            });
            string own = Without(synth, ("input eps: real[1];", "input z: real[1];"), ("sigma * eps", "sigma * z"), ("input target: real[1];", ""), ("mean((y - target) ^ 2)", "mean(y ^ 2)"));
            dir.Write("own.ae", own);
            dir.Write("none.ae", Without(own, ("input z: real[1];", ""), ("sigma * z", "sigma")));
            string golden = Path.Combine(Repo.Golden, "cell_amed_synth.json");
            var unfed = Cli.Run(dir.Path, "grad", "own.ae", golden);
            Assert.Equal(2, unfed.ExitCode);
            Assert.Equal(new[] { "ae: error: " + golden + ": the cell's input 'z' is fed by no reference input (the host feeds this cell none)" }, unfed.StderrLines);
            foreach (var backend in new[] { "csharp", "reference" })
            {
                var none = Cli.Run(dir.Path, "grad", "none.ae", golden, "--backend", backend);
                Assert.True(none.ExitCode == 1, none.Stdout + none.Stderr);   // another cell than the reference's: it runs and differs
                Assert.Equal("", none.Stderr);
                Assert.StartsWith("FAIL: ", none.StdoutLines[^1], StringComparison.Ordinal);
            }

            // The cell declares its objective, so the host's loss, and the file's target it reads, are not used: not required either.
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(golden))!;
            Assert.True(json["inputs"]!.AsObject().Remove("target"));
            dir.Write("no_target.json", json.ToJsonString());
            var untargeted = Cli.Run(dir.Path, "grad", "none.ae", "no_target.json");
            Assert.True(untargeted.ExitCode == 1, untargeted.Stdout + untargeted.Stderr);
            Assert.Equal("", untargeted.Stderr);
            var missing = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "amed_synth.ae"), "no_target.json");
            Assert.Equal(new[] { "ae: error: no_target.json: 'inputs.target' is missing" }, missing.StderrLines);
        }

        /// <summary>A reference file that begins with a UTF-8 byte-order mark is read as every other input file is.</summary>
        [Fact]
        public void A_reference_with_a_byte_order_mark_is_read()
        {
            using var dir = new TempDirectory();
            File.WriteAllBytes(Path.Combine(dir.Path, "bom.json"), new byte[] { 0xEF, 0xBB, 0xBF }.Concat(File.ReadAllBytes(Path.Combine(Repo.Golden, "cell_amelayer.json"))).ToArray());
            var r = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "ame_layer.ae"), "bom.json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.StartsWith("PASS: ", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        /// <summary>
        /// A vector output that a scalar fills: both backends give every element the scalar and add the elements' adjoints into
        /// it. The reference values are worked by hand: f(x) = (1.2, 0.5), y = (1.7, 1.7), the host's MSE against (1, 0) is
        /// (0.7² + 1.7²) / 2 = 1.69, d loss / d sum = 0.7 + 1.7 = 2.4, so the weight's rows are 2.4 x and the bias 2.4.
        /// </summary>
        [Fact]
        public void A_vector_output_a_scalar_fills_is_differentiated_on_both_backends()
        {
            using var dir = new TempDirectory();
            dir.Write("fill.ae", "cell Fill {\n  input x: real[2];\n  input target: real[2];\n  net f: linear(2 -> 2);\n  signal y: real[2];\n  update { y = sum(f(x)); }\n}\n");
            dir.Write("fill.json", @"{""cell"": ""AMELayer fill"", ""params"": {""f.weight"": [[0.7, 0.2], [-0.3, 0.5]], ""f.bias"": [0.1, -0.2]},
 ""inputs"": {""x"": [[[1.0, 2.0]]], ""target"": [[[1.0, 0.0]]]},
 ""outputs"": {""y"": [[[1.7, 1.7]]], ""loss"": 1.69},
 ""grads"": {""f.weight"": [[2.4, 4.8], [2.4, 4.8]], ""f.bias"": [2.4, 2.4]}}");
            foreach (var backend in new[] { "csharp", "reference" })
            {
                var r = Cli.Run(dir.Path, "grad", "fill.ae", "fill.json", "--backend", backend);
                Assert.True(r.ExitCode == 0, backend + ": " + r.Stdout + r.Stderr);
                Assert.Equal("PASS: all 4 quantities within 1e-9 relative or 1e-12 absolute", r.StdoutLines[^1]);
            }
        }

        /// <summary>
        /// A real param of the cell, which ae train trains and writes beside the nets' weights, may be listed in 'params' and
        /// 'grads' by its .ae name: its value is used and its gradient compared. Worked by hand: f(x) = (1.2, 0.5), with
        /// a = 0.5 (not the declared 2) y = (0.6, 0.25), the MSE against (1, 0) is (0.4² + 0.25²) / 2 = 0.11125, d loss / d y =
        /// (-0.4, 0.25), so d loss / d a = -0.4 * 1.2 + 0.25 * 0.5 = -0.355, the weight's rows are a (d loss / d y_i) x.
        /// </summary>
        [Fact]
        public void A_real_param_listed_in_params_and_grads_has_its_value_used_and_its_gradient_compared()
        {
            using var dir = new TempDirectory();
            dir.Write("scaled.ae", "cell Scaled {\n  input x: real[2];\n  input target: real[2];\n  param a = 2;\n  param s: int = 3;\n  param on: bool = true;\n  net f: linear(2 -> 2);\n  signal y: real[2];\n  update { y = on ? a * f(x) : f(x); }\n}\n");
            string Reference(string name, string paramsExtra, string gradsExtra, string topExtra = "") => dir.Write(name, @"{""cell"": ""AMELayer scaled""" + topExtra + @",
 ""params"": {""f.weight"": [[0.7, 0.2], [-0.3, 0.5]], ""f.bias"": [0.1, -0.2]" + paramsExtra + @"},
 ""inputs"": {""x"": [[[1.0, 2.0]]], ""target"": [[[1.0, 0.0]]]},
 ""outputs"": {""y"": [[[0.6, 0.25]]], ""loss"": 0.11125},
 ""grads"": {""f.weight"": [[-0.2, -0.4], [0.125, 0.25]], ""f.bias"": [-0.2, 0.125]" + gradsExtra + "}}");
            Reference("listed.json", @", ""a"": 0.5", @", ""a"": -0.355");
            foreach (var backend in new[] { "csharp", "reference" })
            {
                var r = Cli.Run(dir.Path, "grad", "scaled.ae", "listed.json", "--backend", backend);
                Assert.True(r.ExitCode == 0, backend + ": " + r.Stdout + r.Stderr);
                Assert.Matches(@"^grad a +1 +0e\+00 .* ok$", Assert.Single(r.StdoutLines, l => l.StartsWith("grad a ", StringComparison.Ordinal)));
                Assert.Equal("PASS: all 5 quantities within 1e-9 relative or 1e-12 absolute", r.StdoutLines[^1]);
            }
            Reference("off.json", @", ""a"": 0.5", @", ""a"": -0.3551");
            var off = Cli.Run(dir.Path, "grad", "scaled.ae", "off.json");
            Assert.Equal(1, off.ExitCode);
            Assert.EndsWith("1 out of tolerance", Assert.Single(off.StdoutLines, l => l.StartsWith("grad a ", StringComparison.Ordinal)), StringComparison.Ordinal);
            // a value alone, at the top level (a number too), is used and not compared
            Reference("top.json", "", "", @", ""a"": 0.5");
            var top = Cli.Run(dir.Path, "grad", "scaled.ae", "top.json");
            Assert.True(top.ExitCode == 0, top.Stdout + top.Stderr);
            Assert.Equal("PASS: all 4 quantities within 1e-9 relative or 1e-12 absolute", top.StdoutLines[^1]);

            foreach (var (name, paramsExtra, gradsExtra, topExtra, message) in new[]
            {
                ("int.json", @", ""a"": 0.5, ""s"": 3", @", ""a"": -0.355", "", "'params.s' is the int param s of Scaled, which has no gradient; give its value at the top level of the file (\"s\": a number)"),
                ("nograd.json", @", ""a"": 0.5", "", "", "the real param 'a' of Scaled is in 'params' but not in 'grads'; list it in both (its value and its gradient) or in neither"),
                ("twice.json", @", ""a"": 0.5", @", ""a"": -0.355", @", ""a"": 0.5", "the param a of Scaled is given twice, as 'params.a' and at the top level; give it once"),
                ("shape.json", @", ""a"": [0.5]", @", ""a"": [-0.355]", "", "'params.a' has shape [1], the cell's is [] (a number)"),
                ("other.json", @", ""b"": 0.5", "", "", "'params.b' is not a parameter of Scaled (its parameters: the nets' f.weight, f.bias; the real param a, which may be listed or left out)"),
            })
            {
                Reference(name, paramsExtra, gradsExtra, topExtra);
                var r = Cli.Run(dir.Path, "grad", "scaled.ae", name);
                Assert.Equal(2, r.ExitCode);
                Assert.StartsWith("ae: error: " + name + ": " + message, Assert.Single(r.StderrLines), StringComparison.Ordinal);
            }

            // An int param at the top level: its declared value passes on both backends; another is refused by the generated
            // cell, which compiles the declared one in (it was an internal error, 'Scaled has no parameter 's''); a fraction is refused.
            Reference("s3.json", "", "", @", ""a"": 0.5, ""s"": 3");
            foreach (var backend in new[] { "csharp", "reference" })
                Assert.Equal(0, Cli.Run(dir.Path, "grad", "scaled.ae", "s3.json", "--backend", backend).ExitCode);
            Reference("s4.json", "", "", @", ""a"": 0.5, ""s"": 4");
            var s4 = Cli.Run(dir.Path, "grad", "scaled.ae", "s4.json");
            Assert.Equal(2, s4.ExitCode);
            Assert.Equal("ae: error: the int param 's' of Scaled is compiled into the generated cell as its declared value 3; the reference file gives another: change the .ae file's value, or check it with --backend reference", Assert.Single(s4.StderrLines));
            Assert.Equal(0, Cli.Run(dir.Path, "grad", "scaled.ae", "s4.json", "--backend", "reference").ExitCode);
            // a bool's declared value is written as the .ae file writes it (it said 'its declared value 1')
            Reference("on-false.json", "", "", @", ""a"": 0.5, ""on"": false");
            Assert.Equal("ae: error: the bool param 'on' of Scaled is compiled into the generated cell as its declared value true; the reference file gives another: change the .ae file's value, or check it with --backend reference",
                Assert.Single(Cli.Run(dir.Path, "grad", "scaled.ae", "on-false.json").StderrLines));
            Reference("s25.json", "", "", @", ""a"": 0.5, ""s"": 2.5");
            var s25 = Cli.Run(dir.Path, "grad", "scaled.ae", "s25.json");
            Assert.Equal(2, s25.ExitCode);
            Assert.Equal("ae: error: s25.json: 's' is an int param of Scaled; its value must be a whole number", Assert.Single(s25.StderrLines));
        }

        [Fact]
        public void A_file_with_a_cell_and_its_variant_needs_name_as_train_and_bench_do()
        {
            using var dir = new TempDirectory();
            dir.Write("two.ae", File.ReadAllText(Path.Combine(Repo.Root, "cells", "amed_synth.ae")) + "\ncell AmedQuiet = AmedSynth without noise;\n");
            var r = Cli.Run(dir.Path, "grad", "two.ae", Path.Combine(Repo.Golden, "cell_amed_synth.json"));
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: two.ae declares several cells; name one with --name: AmedSynth, AmedQuiet" }, r.StderrLines);
            var named = Cli.Run(dir.Path, "grad", "two.ae", Path.Combine(Repo.Golden, "cell_amed_synth.json"), "--name", "AmedSynth");
            Assert.True(named.ExitCode == 0, named.Stdout + named.Stderr);
            Assert.StartsWith("AmedSynth on ", named.Stdout, StringComparison.Ordinal);
            // the variant is reported by its own name (it carried its base's); it runs without its noise, so it differs (exit 1)
            var variant = Cli.Run(dir.Path, "grad", "two.ae", Path.Combine(Repo.Golden, "cell_amed_synth.json"), "--name", "AmedQuiet", "--format", "json");
            Assert.True(variant.ExitCode is 0 or 1, variant.Stderr);
            using var json = System.Text.Json.JsonDocument.Parse(variant.Stdout);
            Assert.Equal("AmedQuiet", json.RootElement.GetProperty("cell").GetString());
        }

        [Fact]
        public void A_truncated_reference_names_the_line_and_column_where_it_breaks()
        {
            using var dir = new TempDirectory();
            // Cut before the object closes: the parser stops at the end of what is left, line 1, one column past its last byte.
            string text = "{\"cell\": \"AMELayer (seed 000)\", \"tol\": 1.25";
            dir.Write("cut.json", text);
            var r = Cli.Run(dir.Path, "grad", Path.Combine(Repo.Root, "cells", "ame_layer.ae"), "cut.json");
            Assert.Equal(2, r.ExitCode);
            var line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: cut.json: not valid JSON at line 1, column " + (text.Length + 1) + ": ", line, StringComparison.Ordinal);
            Assert.DoesNotContain("LineNumber", line, StringComparison.Ordinal);
        }

        [Fact]
        public void Help_names_the_exit_codes()
        {
            var r = Cli.Run(Repo.Root, "grad", "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("  ae grad <cell.ae> <reference.json> | <law.ae>... [options]", r.StdoutLines);
            Assert.Contains("Exit codes: 0 every value agrees; 1 some value does not; 2 bad input", r.Stdout, StringComparison.Ordinal);
        }
    }
}
