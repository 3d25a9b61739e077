using System;
using System.Collections.Generic;
using System.Linq;
using AE.Runtime.Cells;
using AE.TorchSharp.Tests.Laws;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AE.TorchSharp.Tests
{
    /// <summary>
    /// The seed cells (generated in this build from cells/*.ae) as TorchSharp modules: forward values and every gradient
    /// against TorchSharp's own autograd of the same cell written with torch ops (<see cref="SeedCellsInTorch"/>), and
    /// against the golden files (PyTorch's autograd of the seeds' modules), in float64.
    /// </summary>
    public class CellModuleTests
    {
        static Tensor Leaf(Tensor t) => t.detach().clone().requires_grad_(true);

        /// <summary>The module's parameters, as a dictionary by their full names.</summary>
        static Dictionary<string, Parameter> Named(nn.Module m) => m.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);

        static void Load(nn.Module m, Dictionary<string, Tensor> values)
        {
            var (missing, unexpected) = m.load_state_dict(values, strict: true);
            Assert.Empty(missing);
            Assert.Empty(unexpected);
        }

        /// <summary>Every parameter gradient of the module equals the reference leaf's.</summary>
        static void AssertGradients(nn.Module module, IReadOnlyDictionary<string, Tensor> reference)
        {
            var mine = Named(module);
            Assert.Equal(reference.Keys.OrderBy(k => k, StringComparer.Ordinal), mine.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (name, r) in reference)
            {
                Assert.NotNull(r.grad);
                Assert.NotNull(mine[name].grad);
                Close.Assert(r.grad!, mine[name].grad!, "grad " + name);
            }
        }

        /// <summary>[batch, time, ...] (the goldens' layout for AMELayer) to [time, batch, ...].</summary>
        static Tensor TimeMajor(Tensor t) => t.transpose(0, 1).contiguous();

        [Fact]
        public void Parameters_are_registered_under_pytorchs_names_with_the_cells_values()
        {
            using var cell = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t));
            var golden = Goldens.Load("cell_residual_dynamics.json");
            var names = cell.named_parameters().Select(p => p.name).ToArray();
            Assert.Equal(golden.Params.Keys.Append("alpha").OrderBy(k => k, StringComparer.Ordinal), names.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(new long[] { 16, 12 }, cell.get_parameter("F.fc1.weight")!.shape);
            Assert.Equal(names, cell.state_dict().Keys.ToArray());
            // The declared default of alpha, concat(0.1, 0.5, 0.9), is the parameter's value.
            Assert.Equal(new[] { 0.1, 0.5, 0.9 }, Close.Values(cell.get_parameter("alpha")!));
            // Nested as nn.Sequential / a PyTorch module's attributes would be: F, then fc1, then weight.
            Assert.Equal(new[] { "F" }, cell.named_children().Select(c => c.name).ToArray());
        }

        /// <summary>
        /// project_parameters moves each ranged param back into its declared range, to the nearest value inside (an open end's
        /// neighbour), as ae train does after each step; a value inside is left as it is.
        /// </summary>
        [Fact]
        public void Project_parameters_keeps_ranged_params_in_their_declared_ranges()
        {
            using var module = new CellModule<double>((b, t) => new RangedProbe<double>(b, t));
            Assert.Equal(new CellRange(0, 1, true, false), module.CellParameters.Single(p => p.Name == "k").Range);
            using (no_grad())
            {
                module.get_parameter("k")!.fill_(-0.5);
                module.get_parameter("gain")!.fill_(4.0);
            }
            module.project_parameters();
            Assert.Equal(new[] { double.Epsilon }, Close.Values(module.get_parameter("k")!));
            Assert.Equal(new[] { 3.0 }, Close.Values(module.get_parameter("gain")!));
            using (no_grad()) module.get_parameter("gain")!.fill_(2.0);
            module.project_parameters();
            Assert.Equal(new[] { 2.0 }, Close.Values(module.get_parameter("gain")!));
        }

        [Fact]
        public void Reset_parameters_initialises_the_nets_as_nn_Linear_and_keeps_real_params()
        {
            using var module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t));
            Assert.All(Close.Values(module.get_parameter("F.fc1.weight")!), v => Assert.Equal(0.0, v));   // a new cell's nets
            module.reset_parameters(new Generator(3));
            foreach (var (name, bound) in new[] { ("F.fc1", 1 / Math.Sqrt(12)), ("F.fc2", 0.25), ("F.out", 0.25) })
                foreach (var part in new[] { ".weight", ".bias" })
                {
                    var v = Close.Values(module.get_parameter(name + part)!);
                    Assert.All(v, x => Assert.True(Math.Abs(x) <= bound, $"{name}{part}: {x} outside ±{bound}"));
                    Assert.True(v.Max() - v.Min() > bound, $"{name}{part} is not spread over ±{bound}");
                }
            Assert.Equal(new[] { 0.1, 0.5, 0.9 }, Close.Values(module.get_parameter("alpha")!));
        }

        [Fact]
        public void A_second_backward_with_retain_graph_runs_the_forward_again_and_doubles_the_gradient()
        {
            var (ps, n0, g0, ys, rs) = Dynamics(batch: 2, time: 5, seed: 8);
            using var module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t, checkpointEvery: 2));
            Load(module, ps);
            var loss = module.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0))["loss"].mean();
            loss.backward(retain_graph: true);
            var once = Close.Values(module.get_parameter("F.fc1.weight")!.grad!);
            loss.backward(retain_graph: true);
            Close.Assert(once.Select(v => 2 * v).ToArray(), Close.Values(module.get_parameter("F.fc1.weight")!.grad!), "twice");
            Assert.Contains(once, v => v != 0);
        }

        [Fact]
        public void An_ae_law_steps_the_cell_modules_parameters_as_one_vector()
        {
            // AeLawOptimizer re-points the parameters at its flat buffer; the module still finds them by name. Its
            // gradient vector holds the cell's own gradients, in the module's parameter order (as PyTorch's: the
            // module's own parameters, here alpha, before those of its children, here the net F).
            var (ps, n0, g0, ys, rs) = Dynamics(batch: 3, time: 4, seed: 12);
            using var module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t));
            Load(module, ps);
            var order = module.named_parameters().Select(p => p.name).ToArray();
            Assert.Equal("alpha", order[0]);
            using var opt = new AeLawOptimizer(module.parameters(), n => new AeSgdm(n, new AeSgdm.Options { init_alpha = 0.01 }, seed: 1));
            var loss = opt.step(() =>
            {
                opt.zero_grad();
                var l = module.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0))["loss"].mean();
                l.backward();
                return l;
            });
            var cell = module.Cell(3, 4);
            TestModels.AssertBitEqual(order.SelectMany(n => cell.Gradient(n).ToArray()).ToArray(), Close.Values(opt.GradientVector(0)), "the optimizer's gradient vector");
            // The step moved the parameters the module runs with: the next forward runs the stepped vector.
            var theta = Close.Values(opt.Vector(0));
            Assert.NotEqual(order.SelectMany(n => cell.Parameter(n).ToArray()).ToArray(), theta);
            var next = module.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0))["loss"].mean().ToDouble();
            TestModels.AssertBitEqual(theta, order.SelectMany(n => cell.Parameter(n).ToArray()).ToArray(), "the cell's parameters after the next forward");
            Assert.NotEqual(loss.ToDouble(), next);
        }

        [Fact]
        public void Safetensors_written_from_pytorch_load_by_name_and_round_trip()
        {
            // Data/cell_amed_synth.params.safetensors (in AE.Experiments.Tests): the golden's params as PyTorch's float64 bytes.
            var golden = Goldens.Load("cell_amed_synth.json");
            using var module = new CellModule<double>((b, t) => new AmedSynth<double>(b, t));
            module.load_safetensors(System.IO.Path.Combine(Goldens.Root, "tests", "AE.Experiments.Tests", "Data", "cell_amed_synth.params.safetensors"));
            foreach (var (name, p) in golden.Params)
                TestModels.AssertBitEqual(p.Values, Close.Values(module.get_parameter(name)!), name);

            var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ae-cellmodule-" + Guid.NewGuid().ToString("N") + ".safetensors");
            try
            {
                module.save_safetensors(path);
                using var other = new CellModule<double>((b, t) => new AmedSynth<double>(b, t));
                other.load_safetensors(path);
                foreach (var (name, p) in module.named_parameters())
                    TestModels.AssertBitEqual(Close.Values(p), Close.Values(other.get_parameter(name)!), name);
            }
            finally { System.IO.File.Delete(path); }

            // A shape that differs is refused, naming both shapes, and changes nothing.
            var set = module.to_safetensors();
            var bad = new AE.Runtime.Tensors.SafeTensorSet();
            foreach (var (name, t) in set) bad.Add(name, name == "d_net.0.bias" ? AE.Runtime.Tensors.SafeTensor.FromDoubles(new[] { 31 }, new double[31]) : t);
            var e = Assert.Throws<CellParameterException>(() => module.load_safetensors(bad));
            Assert.Contains("'d_net.0.bias' has shape [31]", e.Message);
            foreach (var (name, p) in golden.Params)
                TestModels.AssertBitEqual(p.Values, Close.Values(module.get_parameter(name)!), name);
        }

        [Fact]
        public void AmeLayer_matches_torch_autograd_of_the_same_cell()
        {
            var golden = Goldens.Load("cell_amelayer.json");
            var p = Goldens.Params(golden).ToDictionary(kv => kv.Key, kv => Leaf(kv.Value), StringComparer.Ordinal);
            var x = TimeMajor(Goldens.ToTorch(golden.Inputs["x"]));
            var eps = TimeMajor(Goldens.ToTorch(golden.Inputs["eps"]));
            var target = TimeMajor(Goldens.ToTorch(golden.Inputs["target"]));
            Tensor xr = Leaf(x), er = Leaf(eps), xm = Leaf(x), em = Leaf(eps);

            var reference = SeedCellsInTorch.AmeLayer(p, xr, er, target);
            using var module = new CellModule<double>((b, t) => new AmeLayer<double>(b, t));
            Load(module, Goldens.Params(golden));
            var outputs = module.call(("x", xm), ("eps", em), ("target", target));
            Assert.Equal(new[] { "y", "mse", "theta", "C" }, outputs.Keys.ToArray());
            foreach (var name in reference.Keys) Close.Assert(reference[name], outputs[name], "output " + name);

            // A loss that reaches every result: the output y, the objective output mse, and both final states.
            static Tensor Loss(IReadOnlyDictionary<string, Tensor> o, Tensor target) =>
                nn.functional.mse_loss(o["y"], target) + 0.5 * o["mse"].mean() + 0.1 * o["theta"].pow(2).sum() - 0.2 * o["C"].sin().sum();
            Loss(reference, target).backward();
            Loss(outputs, target).backward();
            AssertGradients(module, p);
            Close.Assert(xr.grad!, xm.grad!, "grad x");
            Close.Assert(er.grad!, em.grad!, "grad eps");
        }

        [Fact]
        public void AmedSynth_matches_torch_autograd_of_the_same_cell_over_a_batch()
        {
            var golden = Goldens.Load("cell_amed_synth.json");
            var p = Goldens.Params(golden).ToDictionary(kv => kv.Key, kv => Leaf(kv.Value), StringComparer.Ordinal);
            // Three samples (the seed runs one): the golden draws and two others, 20 steps.
            var g = new Generator(17);
            var eps = cat(new[] { Goldens.ToTorch(golden.Inputs["eps"]).narrow(0, 0, 20).reshape(20, 1, 1), randn(new long[] { 20, 2, 1 }, ScalarType.Float64, generator: g) }, 1);
            var target = randn(new long[] { 20, 3, 1 }, ScalarType.Float64, generator: g);
            Tensor er = Leaf(eps), em = Leaf(eps);

            var reference = SeedCellsInTorch.AmedSynth(p, er, target);
            using var module = new CellModule<double>((b, t) => new AmedSynth<double>(b, t));
            Load(module, Goldens.Params(golden));
            var outputs = module.call(("eps", em), ("target", target));
            foreach (var name in reference.Keys) Close.Assert(reference[name], outputs[name], "output " + name);

            static Tensor Loss(IReadOnlyDictionary<string, Tensor> o, Tensor target) =>
                nn.functional.mse_loss(o["y"], target) + o["mse"].narrow(0, 5, 15).mean() + o["theta"].sum() * o["C"].sum();
            Loss(reference, target).backward();
            Loss(outputs, target).backward();
            AssertGradients(module, p);
            Close.Assert(er.grad!, em.grad!, "grad eps");
        }

        [Fact]
        public void DynamicsModelResidual_matches_torch_autograd_of_the_same_cell_with_initial_states()
        {
            var golden = Goldens.Load("cell_residual_dynamics.json");
            var p = Goldens.Params(golden, "alpha").ToDictionary(kv => kv.Key, kv => Leaf(kv.Value), StringComparer.Ordinal);
            var n0 = Goldens.ToTorch(golden.Inputs["N0"]);
            var g0 = Goldens.ToTorch(golden.Inputs["g0"]);
            var ys = Goldens.ToTorch(golden.Inputs["ys"]);
            var rs = Goldens.ToTorch(golden.Inputs["rs"]);
            Tensor n0r = Leaf(n0), g0r = Leaf(g0), ysr = Leaf(ys), rsr = Leaf(rs);
            Tensor n0m = Leaf(n0), g0m = Leaf(g0), ysm = Leaf(ys), rsm = Leaf(rs);

            var reference = SeedCellsInTorch.DynamicsModelResidual(p, n0r, g0r, ysr, rsr);
            using var module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t));
            Load(module, Goldens.Params(golden, "alpha"));
            var outputs = module.call(("y_t", ysm), ("r_t", rsm), ("N", n0m), ("g", g0m));
            Assert.Equal(new[] { "N_t", "g_t", "logits", "loss", "N", "g" }, outputs.Keys.ToArray());
            foreach (var name in reference.Keys) Close.Assert(reference[name], outputs[name], "output " + name);

            static Tensor Loss(IReadOnlyDictionary<string, Tensor> o) =>
                o["loss"].mean() + 0.3 * o["logits"].pow(2).mean() + (o["N"] * o["g"]).sum() - o["g_t"][3].sum();
            Loss(reference).backward();
            Loss(outputs).backward();
            AssertGradients(module, p);     // alpha included (a parameter of the cell; a buffer of the seed)
            Close.Assert(ysr.grad!, ysm.grad!, "grad y_t");
            Close.Assert(rsr.grad!, rsm.grad!, "grad r_t");
            Close.Assert(n0r.grad!, n0m.grad!, "grad N0");
            Close.Assert(g0r.grad!, g0m.grad!, "grad g0");
        }

        /// <summary>The golden file's loss, computed with torch ops from the module's outputs, and autograd through the module.</summary>
        [Theory]
        [InlineData("cell_amelayer.json")]
        [InlineData("cell_amed_synth.json")]
        [InlineData("cell_residual_dynamics.json")]
        public void Each_seed_cell_module_matches_the_golden_outputs_loss_and_gradients(string file)
        {
            var golden = Goldens.Load(file);
            Tensor loss;
            CellModule<double> module;
            switch (file)
            {
                case "cell_amelayer.json":
                {
                    module = new CellModule<double>((b, t) => new AmeLayer<double>(b, t));
                    Load(module, Goldens.Params(golden));
                    var target = TimeMajor(Goldens.ToTorch(golden.Inputs["target"]));
                    var o = module.call(("x", TimeMajor(Goldens.ToTorch(golden.Inputs["x"]))), ("eps", TimeMajor(Goldens.ToTorch(golden.Inputs["eps"]))), ("target", target));
                    Close.Assert(Goldens.ToTorch(golden.Outputs["y"]), o["y"].transpose(0, 1), "output y");
                    loss = nn.functional.mse_loss(o["y"], target);
                    break;
                }
                case "cell_amed_synth.json":
                {
                    module = new CellModule<double>((b, t) => new AmedSynth<double>(b, t));
                    Load(module, Goldens.Params(golden));
                    var eps = Goldens.ToTorch(golden.Inputs["eps"]);
                    var target = Goldens.ToTorch(golden.Inputs["target"]);
                    long time = eps.shape[0];
                    var o = module.call(("eps", eps.reshape(time, 1, 1)), ("target", target.reshape(time, 1, 1)));
                    var y = o["y"].reshape(time);
                    Close.Assert(Goldens.ToTorch(golden.Outputs["y"]), y, "output y");
                    loss = nn.functional.mse_loss(y, target);
                    break;
                }
                default:
                {
                    module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t));
                    Load(module, Goldens.Params(golden, "alpha"));
                    var o = module.call(("y_t", Goldens.ToTorch(golden.Inputs["ys"])), ("r_t", Goldens.ToTorch(golden.Inputs["rs"])),
                        ("N", Goldens.ToTorch(golden.Inputs["N0"])), ("g", Goldens.ToTorch(golden.Inputs["g0"])));
                    Close.Assert(Goldens.ToTorch(golden.Outputs["N"]), o["N_t"], "output N");
                    Close.Assert(Goldens.ToTorch(golden.Outputs["g"]), o["g_t"], "output g");
                    var entropy = -(o["N_t"] * (o["N_t"] + 1e-9).log()).sum(new long[] { -1 });
                    loss = o["g_t"].pow(2).sum(new long[] { -1 }).mean() - 0.1 * entropy.mean();
                    // The seed's alpha is a buffer: the golden has no gradient for it.
                    module.get_parameter("alpha")!.requires_grad_(false);
                    break;
                }
            }
            using (module)
            {
                Close.Assert(new[] { golden.Loss }, new[] { loss.ToDouble() }, "loss");
                loss.backward();
                var mine = Named(module);
                foreach (var (name, g) in golden.Grads)
                    Close.Assert(Goldens.ToTorch(g), mine[name].grad!, "grad " + name);
                Assert.True(mine.Keys.Except(golden.Grads.Keys).All(k => mine[k].grad is null), "a parameter outside the golden got a gradient");
            }
        }

        /// <summary>DynamicsModelResidual on the golden's weights and a small random sequence of the given batch and time.</summary>
        static (Dictionary<string, Tensor> Params, Tensor N0, Tensor G0, Tensor Ys, Tensor Rs) Dynamics(int batch, int time, ulong seed)
        {
            var golden = Goldens.Load("cell_residual_dynamics.json");
            var g = new Generator(seed);
            var n0 = nn.functional.softmax(rand(new long[] { batch, 3 }, ScalarType.Float64, generator: g), -1);
            var g0 = 0.1 * randn(new long[] { batch, 3 }, ScalarType.Float64, generator: g);
            var ys = rand(new long[] { time, batch, 3 }, ScalarType.Float64, generator: g);
            var rs = rand(new long[] { time, batch, 3 }, ScalarType.Float64, generator: g);
            return (Goldens.Params(golden, "alpha"), n0, g0, ys, rs);
        }

        [Fact]
        public void Two_forwards_then_one_backward_rerun_the_first_and_accumulate_both()
        {
            // The second forward overwrites the cell's buffers (and the third runs other sizes on a second cell):
            // the first's backward runs its forward again from its saved arguments. Checkpoints every 2 steps of 7.
            var (ps, n0, g0, ys, rs) = Dynamics(batch: 3, time: 7, seed: 5);
            var (_, n1, g1, ys1, rs1) = Dynamics(batch: 3, time: 7, seed: 6);
            var (_, n2, g2, ys2, rs2) = Dynamics(batch: 2, time: 4, seed: 7);
            var p = ps.ToDictionary(kv => kv.Key, kv => Leaf(kv.Value), StringComparer.Ordinal);
            using var module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t, checkpointEvery: 2));
            Load(module, ps);

            var r0 = SeedCellsInTorch.DynamicsModelResidual(p, n0, g0, ys, rs);
            var r1 = SeedCellsInTorch.DynamicsModelResidual(p, n1, g1, ys1, rs1);
            var r2 = SeedCellsInTorch.DynamicsModelResidual(p, n2, g2, ys2, rs2);
            var m0 = module.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0));
            var m1 = module.call(("y_t", ys1), ("r_t", rs1), ("N", n1), ("g", g1));
            var m2 = module.call(("y_t", ys2), ("r_t", rs2), ("N", n2), ("g", g2));
            static Tensor Loss(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b, IReadOnlyDictionary<string, Tensor> c) =>
                a["loss"].mean() + 2 * b["g_t"].pow(2).sum() - c["N"].log().sum();
            Loss(r0, r1, r2).backward();
            Loss(m0, m1, m2).backward();
            AssertGradients(module, p);

            // A second backward accumulates into the parameters' grad, as autograd does.
            var before = Close.Values(module.get_parameter("F.fc1.weight")!.grad!);
            module.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0))["loss"].mean().backward();
            var single = module.get_parameter("F.fc1.weight")!.grad!;
            p["F.fc1.weight"].grad!.zero_();
            SeedCellsInTorch.DynamicsModelResidual(p, n0, g0, ys, rs)["loss"].mean().backward();
            Close.Assert(before.Zip(Close.Values(p["F.fc1.weight"].grad!), (a, b) => a + b).ToArray(), Close.Values(single), "accumulated grad F.fc1.weight");
        }

        [Fact]
        public void A_state_not_given_starts_from_the_cells_initial_value_and_needs_no_gradient()
        {
            var golden = Goldens.Load("cell_amelayer.json");
            using var module = new CellModule<double>(new AmeLayer<double>(batch: 2, time: 3));
            Load(module, Goldens.Params(golden));
            var g = new Generator(3);
            var x = randn(new long[] { 3, 2, 8 }, ScalarType.Float64, generator: g);
            var eps = randn(new long[] { 3, 2, 32 }, ScalarType.Float64, generator: g);
            var target = randn(new long[] { 3, 2, 8 }, ScalarType.Float64, generator: g);
            var given = module.call(("x", x), ("eps", eps), ("target", target), ("theta", zeros(2, 32, ScalarType.Float64)), ("C", zeros(2, 16, ScalarType.Float64)));
            var implicitZero = module.call(("x", x), ("eps", eps), ("target", target));
            Close.Assert(Close.Values(given["y"]), Close.Values(implicitZero["y"]), "y from zero states");
            var other = module.call(("x", x), ("eps", eps), ("target", target), ("theta", ones(2, 32, ScalarType.Float64)));
            Assert.NotEqual(Close.Values(given["y"]), Close.Values(other["y"]));
            // And the next call without states starts from zeros again, not from the last states given.
            Close.Assert(Close.Values(given["y"]), Close.Values(module.call(("x", x), ("eps", eps), ("target", target))["y"]), "y after a call with states");
        }

        [Fact]
        public void Float32_module_runs_the_float_cell_close_to_float64()
        {
            var (ps, n0, g0, ys, rs) = Dynamics(batch: 4, time: 6, seed: 9);
            using var m64 = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t));
            using var m32 = new CellModule<float>((b, t) => new DynamicsModelResidual<float>(b, t));
            Load(m64, ps);
            Load(m32, ps.ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32), StringComparer.Ordinal));
            Assert.Equal(ScalarType.Float32, m32.get_parameter("F.fc1.weight")!.dtype);
            var o64 = m64.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0));
            var o32 = m32.call(("y_t", ys.to_type(ScalarType.Float32)), ("r_t", rs.to_type(ScalarType.Float32)), ("N", n0.to_type(ScalarType.Float32)), ("g", g0.to_type(ScalarType.Float32)));
            Assert.Equal(ScalarType.Float32, o32["loss"].dtype);
            o64["loss"].mean().backward();
            o32["loss"].mean().backward();
            foreach (var (name, p64) in m64.named_parameters())
            {
                var a = Close.Values(p64.grad!);
                var b = Close.Values(m32.get_parameter(name)!.grad!);
                double scale = a.Max(Math.Abs);
                for (int i = 0; i < a.Length; i++)
                    Assert.True(Math.Abs(a[i] - b[i]) <= 1e-4 * scale, $"grad {name}[{i}]: float32 {b[i]}, float64 {a[i]}");
            }
        }

        [Fact]
        public void A_parameter_changed_in_place_after_forward_leaves_that_forwards_gradient_as_it_ran()
        {
            // Each forward's backward differentiates the values it ran with: the first one's are kept when the second
            // overwrites the cell, the second's are still in the cell; changing the parameter after either changes neither.
            var (ps, n0, g0, ys, rs) = Dynamics(batch: 2, time: 5, seed: 4);
            using var module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t, checkpointEvery: 2));
            Load(module, ps);
            var bias = module.get_parameter("F.out.bias")!;
            var first = module.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0))["loss"].mean();
            using (no_grad()) bias.add_(0.5);
            var second = module.call(("y_t", ys), ("r_t", rs), ("N", n0), ("g", g0))["loss"].mean();
            using (no_grad()) bias.add_(0.25);
            (first + 2 * second).backward();

            var before = ps.ToDictionary(kv => kv.Key, kv => Leaf(kv.Value), StringComparer.Ordinal);
            var after = ps.ToDictionary(kv => kv.Key, kv => Leaf(kv.Key == "F.out.bias" ? kv.Value + 0.5 : kv.Value), StringComparer.Ordinal);
            var r1 = SeedCellsInTorch.DynamicsModelResidual(before, n0, g0, ys, rs)["loss"].mean();
            var r2 = SeedCellsInTorch.DynamicsModelResidual(after, n0, g0, ys, rs)["loss"].mean();
            Assert.NotEqual(r1.ToDouble(), r2.ToDouble());
            Close.Assert(new[] { r1.ToDouble(), r2.ToDouble() }, new[] { first.ToDouble(), second.ToDouble() }, "losses");
            (r1 + 2 * r2).backward();
            foreach (var (name, p) in module.named_parameters())
                Close.Assert(Close.Values(before[name].grad!).Zip(Close.Values(after[name].grad!), (a, b) => a + b).ToArray(), Close.Values(p.grad!), "grad " + name);
        }

        [Fact]
        public void Bad_arguments_are_clear_errors()
        {
            using var module = new CellModule<double>((b, t) => new DynamicsModelResidual<double>(b, t));
            var ys = zeros(4, 2, 3, ScalarType.Float64);
            string Error(params (string, Tensor)[] args) => Assert.Throws<ArgumentException>(() => module.call(args)).Message;
            Assert.Contains("the input 'r_t' is missing", Error(("y_t", ys)));
            Assert.Contains("'h' is neither an input nor a state", Error(("y_t", ys), ("r_t", ys), ("h", ys)));
            Assert.Contains("'r_t' has shape [4, 2, 4], the cell needs [4, 2, 3]", Error(("y_t", ys), ("r_t", zeros(4, 2, 4, ScalarType.Float64))));
            Assert.Contains("'r_t' is Float32; the cell runs Float64", Error(("y_t", ys), ("r_t", zeros(4, 2, 3, ScalarType.Float32))));
            Assert.Contains("the initial state 'N' has shape [3, 3], the cell needs [2, 3]", Error(("y_t", ys), ("r_t", ys), ("N", zeros(3, 3, ScalarType.Float64))));
            Assert.Contains("'y_t' has shape [4, 3]", Error(("y_t", zeros(4, 3, ScalarType.Float64)), ("r_t", ys)));

            using var fixedSize = new CellModule<double>(new DynamicsModelResidual<double>(batch: 2, time: 4));
            var e = Assert.Throws<ArgumentException>(() => fixedSize.call(("y_t", zeros(5, 2, 3, ScalarType.Float64)), ("r_t", zeros(5, 2, 3, ScalarType.Float64))));
            Assert.Contains("one cell of batch 2 and time 4; the sequence has batch 2 and time 5", e.Message);

            module.to(ScalarType.Float32);
            Assert.Contains("the parameter 'F.fc1.weight' is Float32; the cell runs Float64", Error(("y_t", ys), ("r_t", ys)));
        }
    }
}
