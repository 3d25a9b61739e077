using System;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using System.Collections.Generic;
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
    
        public static TheoryData<string, int, int, int> OtherShapes() => new()
        {
            { "ame_layer.ae", 3, 7, 11 },
            { "ame_layer.ae", 1, 4, 12 },
            { "amed_synth.ae", 2, 30, 13 },
            { "residual_dynamics.ae", 4, 9, 14 },
            { "residual_dynamics.ae", 1, 1, 15 },
            { "emergent_resonator.ae", 2, 6, 16 },
            // batches over a vector wide and not a multiple of it: the fused and batch-vector loops and their remainders
            { "ame_layer.ae", 9, 3, 17 },
            { "residual_dynamics.ae", 11, 4, 18 },
        };

        /// <summary>
        /// Other weights, batches and horizons than the goldens': random weights, inputs and initial states, and the
        /// objective sum(c * outputs) with random c, so every output and every step carries gradient. The generated
        /// cell and the reference adjoint (one sample at a time) agree on the outputs, the final states and the gradient
        /// of every parameter (weights and real params), every input at every step and every initial state.
        /// </summary>
        [Theory]
        [MemberData(nameof(OtherShapes))]
        public void Generated_adjoint_agrees_with_the_reference_adjoint_on_other_weights_batches_and_horizons(string file, int batch, int time, int seed)
            => AgreesWithTheReference(Target(file), batch, time, seed);

        /// <summary>
        /// Bounds that are params, a scalar input broadcast over a vector, a select on a comparison, reductions and
        /// softmax, a reduction over a param: the constructs the seed cells do not all use, against the reference adjoint.
        /// </summary>
        [Theory]
        [InlineData(2, 9, 21)]
        [InlineData(5, 4, 22)]
        [InlineData(19, 3, 23)]
        public void Generated_adjoint_agrees_with_the_reference_adjoint_on_bounds_selects_and_reductions(int batch, int time, int seed)
        {
            const string text = """
                cell Probe {
                  param lo = -0.4;
                  param hi = 0.6;
                  param k: real[3] = 0.5;
                  input x: real[3];
                  input s: real;
                  state h: real[3] in [lo, hi] = 0;
                  state z: real = 0.1;
                  net f: mlp(4 -> 5 -> 3, sigmoid);
                  signal y: real[3], e: real;
                  update {
                    u  = f(concat(h, z)) * k + s * x;
                    h' = h + (u > 0 ? u : 0.5 * u) - 0.1 * softmax(h) * sum(h);
                    z' = 0.9 * z + 0.1 * logsumexp(u) / (1 + dot(h', h'));
                    y  = h' / sqrt(1 + norm(x) ^ 2);
                    e  = mean(y) + z' + 0.1 * dot(k, x);
                  }
                }
                """;
            AgreesWithTheReference(Checked(text, "probe.ae"), batch, time, seed);
        }

        /// <summary>
        /// 'when' (a chain with else, on a vector state and an accumulator, a condition on the step and one on a value),
        /// cosine (a zero vector included, where it is 0 with no gradient) and min / max over a vector (ties split the
        /// gradient), against the reference adjoint.
        /// </summary>
        [Theory]
        [InlineData(2, 9, 41)]
        [InlineData(5, 6, 42)]
        [InlineData(19, 4, 43)]
        public void Generated_adjoint_agrees_with_the_reference_adjoint_on_when_cosine_min_and_max(int batch, int time, int seed)
        {
            const string text = """
                cell Branches {
                  param k: real[3] = 0.5;
                  input x: real[3];
                  input s: real;
                  state h: real[3] = 0;
                  state z: real = 0.1;
                  acc push: real[3] = 0;
                  signal y: real[3], e: real;
                  rule drive {
                    push += 0.3 * x;
                  }
                  rule gate {
                    when s > 0.2 {
                      h' = 0.8 * h + push * k;
                      push += h * 0.1;
                    } else when step % 2 == 0 {
                      h' = h - 0.1 * x * max(x) + 0.05 * min(h);
                    } else {
                      z' = 0.9 * z + 0.1 * cosine(h, x);
                    }
                  }
                  update {
                    y = h' * (1 + z') + push + cosine(h, 0 * x) + max(concat(h', 0 * x));
                    e = min(y) + mean(y);
                  }
                }
                """;
            AgreesWithTheReference(Checked(text, "branches.ae"), batch, time, seed);
        }

        /// <summary>
        /// A zero local derivative passes nothing, an infinite adjoint included: sqrt of relu's 0 has an infinite derivative,
        /// and relu's is 0 there, as tanh's is where it saturates (1 - tanh(x + 40) is 0) and abs's at 0. Regression guard:
        /// once, the generated adjoint multiplied them (inf * 0 = NaN) where the reference adds nothing, and training wrote
        /// NaN into the net from its second epoch.
        /// </summary>
        [Theory]
        [InlineData(2, 3, 81)]
        [InlineData(19, 2, 82)]
        public void A_flat_point_stops_an_infinite_adjoint(int batch, int time, int seed)
        {
            const string text = """
                cell Flat {
                  input x: real[8];
                  net W: linear(8 -> 8);
                  net V: mlp(8 -> 8 -> 8, relu);
                  signal z: real[8], y: real[8], e: real;
                  update {
                    z = relu(W(x));
                    y = z + sqrt(z) + sqrt(1 - tanh(x + 40)) + sqrt(abs(z)) + sqrt(relu(V(x)));
                    e = sum(y);
                  }
                }
                """;
            var cell = AgreesWithTheReference(Checked(text, "flat.ae"), batch, time, seed);
            Assert.Contains(0.0, cell.Output("z").ToArray()); // the flat point is reached
            foreach (var p in cell.Parameters)
                Assert.All(cell.Gradient(p.Name).ToArray(), g => Assert.True(double.IsFinite(g), p.Name + ": " + g));
        }

        /// <summary>
        /// cosine is held to [-1, 1] where rounding takes its quotient past: over vectors of ones (every sum exact) of
        /// length 3 the quotient is 3 / (sqrt(3) sqrt(3)) = 1.0000000000000002, and the cell's value is exactly 1 and -1,
        /// the reference's, with clamp's gradient (none past the bound) as the reference's.
        /// </summary>
        [Fact]
        public void A_cells_cosine_is_held_to_its_range()
        {
            Assert.True(3.0 / (Math.Sqrt(3.0) * Math.Sqrt(3.0)) > 1);
            const string text = """
                cell Held {
                  param k: real[3] = 1;
                  input x: real[3];
                  signal y: real, z: real;
                  update {
                    y = cosine(x * k, x);
                    z = cosine(x * k, -x);
                  }
                }
                """;
            var cell = AgreesWithTheReference(Checked(text, "held.ae"), 2, 3, 5, (c, _) =>
            {
                c.Parameter("k").Fill(1);
                c.Input("x").Fill(1);
            });
            Assert.All(cell.Output("y").ToArray(), v => Assert.Equal(1.0, v));
            Assert.All(cell.Output("z").ToArray(), v => Assert.Equal(-1.0, v));
        }

        /// <summary>
        /// Filters as states of their own: lp and ema of a vector and of a number, prev with a given first value, latch on a
        /// condition of the inputs, a filter inside a vector ?: and one inside a reduction's argument: values, final states
        /// and every gradient against the reference adjoint (which runs the interpreter's filters, one sample at a time).
        /// </summary>
        [Theory]
        [InlineData(2, 9, 61)]
        [InlineData(5, 6, 62)]
        [InlineData(19, 4, 63)]
        public void Generated_adjoint_agrees_with_the_reference_adjoint_on_filters(int batch, int time, int seed)
        {
            const string text = """
                cell Filters {
                  param k: real[3] = 0.5;
                  param beta in [0, 1) = 0.9;   // trained: its range keeps the rate of ema stable (AE0014)
                  input x: real[3];
                  input s: real;
                  state h: real[3] = 0;
                  signal y: real[3], e: real;
                  update {
                    m  = lp(0.8, x * k);
                    a  = ema(beta, s) + 0.01 * s * step + 0.1 * beta ^ step;
                    p  = prev(h, x);
                    l  = latch(s > 0.5, s * 2, 0.1 * a);
                    v  = x > 0 ? ema(0.7, x) : lp(0.6, h);
                    h' = 0.5 * h + m + p * l + v;
                    y  = h' * a;
                    e  = sum(lp(0.5, y)) + l;
                  }
                }
                """;
            var cell = AgreesWithTheReference(Checked(text, "filters.ae"), batch, time, seed);
            Assert.Contains(cell.States, st => st.Name == "m.lp");
        }

        /// <summary>Filters of bools (a latch of true, a prev of a comparison) steering selects, and filters of filters, against the reference adjoint.</summary>
        [Theory]
        [InlineData(3, 7, 71)]
        [InlineData(6, 5, 72)]
        public void Generated_adjoint_agrees_with_the_reference_adjoint_on_bool_and_nested_filters(int batch, int time, int seed)
        {
            const string text = """
                cell Edge {
                  input x: real[3];
                  input s: real;
                  state h: real[3] = 0;
                  signal y: real[3];
                  update {
                    on = latch(s > 0.3, true, false);
                    was = prev(s > 0, false);
                    q = lp(0.9, prev(x, 0)) + ema(0.5, lp(0.7, x));
                    h' = on ? h + q : (was ? h - q : h);
                    y = h' + (on && was ? 1 : 0);
                  }
                }
                """;
            AgreesWithTheReference(Checked(text, "edge.ae"), batch, time, seed);
        }

        /// <summary>A filter the language updates only on a condition is not emitted (AE0080): the cell backend's filters update every step.</summary>
        [Theory]
        [InlineData("when s > 0 { h' = h + lp(0.9, x); }")]
        [InlineData("h' = s > 0 ? h + lp(0.9, x) : h;")]
        [InlineData("h' = (s > 0 && prev(s, 0) > 0) ? h + x : h;")]
        public void A_filter_under_a_condition_is_refused(string statement)
        {
            var target = Checked("cell C {\n  input x: real[3];\n  input s: real;\n  state h: real[3] = 0;\n  update {\n    " + statement + "\n  }\n}\n", "c.ae");
            var ex = Assert.Throws<EmitNotSupportedException>(() => CellCompiler.Compile<double>(target));
            Assert.Contains("is under a condition", ex.Message, StringComparison.Ordinal);
        }

        /// <summary>
        /// A guard: the branch not taken divides by 0 or takes the log of 0, the taken one is finite. The reference
        /// evaluates the taken branch only; the generated cell evaluates both and selects, and its gradient must still be
        /// the taken branch's alone (no NaN from 0 / 0 in the other).
        /// </summary>
        [Theory]
        [InlineData(3, 5, 51)]
        [InlineData(17, 4, 52)]
        public void A_guard_against_zero_keeps_the_gradient_finite(int batch, int time, int seed)
        {
            const string text = """
                cell Guard {
                  input x: real[3];
                  input s: real;
                  state h: real[3] = 0.5;
                  signal y: real[3];
                  update {
                    d = max(s, 0);
                    h' = d > 0 ? h / d + log(d) : h * 0.9;
                    when d > 0 { h' = h' + x / d; } else { h' = h' + x; }
                    y = h';
                  }
                }
                """;
            AgreesWithTheReference(Checked(text, "guard.ae"), batch, time, seed);
        }

        /// <summary>
        /// A cell named as the type parameter of every cell type (emitted as <c>T_&lt;T&gt;</c>), whose vector states start
        /// at a constant and at a param's default: it compiles, starts there in every sample, and agrees with the reference.
        /// </summary>
        [Fact]
        public void A_cell_named_T_with_vector_states_initialised_from_a_constant_and_a_param_compiles_and_starts_there()
        {
            const string text = """
                cell T {
                  param k: real[3] = 0.25;
                  input x: real[3];
                  state h: real[3] = 0.5;
                  state g: real[3] = k;
                  state z: real = 0.1;
                  signal y: real[3];
                  update {
                    h' = 0.5 * h + x * k;
                    g' = 0.9 * g + h';
                    z' = z + 0.01 * sum(g');
                    y  = h' + g' * z';
                  }
                }
                """;
            var result = AeCompiler.Check(SourceFile.FromBytes("t.ae", System.Text.Encoding.UTF8.GetBytes(text)));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            var target = EmitTarget.Of(result.Program!).Single();
            var fresh = CellCompiler.Compile<double>(target)(3, 4, 0);
            Assert.Equal("T_`1", fresh.GetType().GetGenericTypeDefinition().Name);
            Assert.Equal(Enumerable.Repeat(0.5, 9), fresh.InitialState("h").ToArray());
            Assert.Equal(Enumerable.Repeat(0.25, 9), fresh.InitialState("g").ToArray());
            Assert.Equal(Enumerable.Repeat(0.1, 3), fresh.InitialState("z").ToArray());
            var cell = AgreesWithTheReference(target, 3, 4, 31);
            Assert.Equal(Enumerable.Repeat(0.5, 9), cell.InitialState("h").ToArray());
        }

        /// <summary>The one cell of <paramref name="text"/>, checked without errors.</summary>
        private static EmitTarget Checked(string text, string path)
        {
            var result = AeCompiler.Check(SourceFile.FromBytes(path, System.Text.Encoding.UTF8.GetBytes(text)));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return EmitTarget.Of(result.Program!).Single();
        }

        /// <summary>
        /// The generated cell against the reference adjoint, one sample at a time, on random weights, inputs and host-given
        /// states and the objective sum(c * outputs) with random c; <paramref name="prepare"/> may then set more (a state's
        /// initial value, from the same draws). Returns the cell after its backward pass, for checks of the caller's own.
        /// </summary>
        internal static ICell<double> AgreesWithTheReference(EmitTarget target, int batch, int time, int seed, Action<ICell<double>, Func<double>>? prepare = null)
        {
            var unit = target.Unit;
            var rng = new Random(seed);
            double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            var cell = CellCompiler.Compile<double>(target)(batch, time, 0);

            foreach (var p in cell.Parameters)
            {
                var values = cell.Parameter(p.Name);
                bool isNet = p.Name.Contains('.', StringComparison.Ordinal);
                // Nets: PyTorch's scale (1/sqrt(fan-in)); real params: their defaults, moved a little.
                double scale = isNet ? 1.0 / Math.Sqrt(p.Shape.Length == 2 ? p.Shape[1] : 16) : 0.1;
                for (int i = 0; i < values.Length; i++) values[i] = isNet ? scale * Normal() : values[i] + scale * Normal();
            }
            foreach (var input in unit.Inputs)
            {
                var values = cell.Input(input.Name);
                for (int i = 0; i < values.Length; i++) values[i] = input.Type.Scalar == ScalarType.Bool ? (rng.NextDouble() < 0.7 ? 1 : 0) : Normal();
            }
            foreach (var st in unit.States.Where(s => s.Init == null))
            {
                // States the host gives: in (0, 1) and summing to 1 where bounded (a probability vector), else normal.
                var values = cell.InitialState(st.Name);
                int n = values.Length / batch;
                for (int b = 0; b < batch; b++)
                {
                    var v = values.Slice(b * n, n);
                    for (int i = 0; i < n; i++) v[i] = st.Bounds != null ? Math.Exp(Normal()) : Normal();
                    if (st.Bounds != null) { double sum = 0; foreach (var x in v) sum += x; for (int i = 0; i < n; i++) v[i] /= sum; }
                }
            }
            prepare?.Invoke(cell, Normal);
            var c = unit.Signals.ToDictionary(s => s.Name, s => Enumerable.Range(0, cell.Output(s.Name).Length).Select(_ => Normal()).ToArray());
            cell.Objective = null; // the objective here is sum(c * outputs), objectives included, given as output gradients
            cell.Forward();
            foreach (var (name, weights) in c) weights.CopyTo(cell.OutputGradient(name));
            cell.ZeroGrad();
            cell.Backward();

            var tape = new Tape();
            var realParams = unit.Params.Where(p => p.Type.Scalar == ScalarType.Real).Select(p => p.Name).ToHashSet();
            var given = cell.Parameters.ToDictionary(p => p.Name, p => cell.Parameter(p.Name).ToArray());
            var parameters = AdjointParameters.Create(tape, unit, null, given.Where(g => realParams.Contains(g.Key)).ToDictionary(g => g.Key, g => g.Value),
                given.Where(g => !realParams.Contains(g.Key)).ToDictionary(g => g.Key, g => g.Value));
            var cells = new AdjointInterpreter[batch];
            var terms = new List<(TapeValue Value, double[] Weight)>();
            for (int b = 0; b < batch; b++)
            {
                var initial = unit.States.ToDictionary(s => s.Name, s => Sample(cell.InitialState(s.Name).ToArray(), b, batch));
                cells[b] = new AdjointInterpreter(unit, parameters, null, given.Where(g => realParams.Contains(g.Key)).ToDictionary(g => g.Key, g => g.Value), initial);
                for (int t = 0; t < time; t++)
                {
                    var inputs = unit.Inputs.ToDictionary(i => i.Name, i => Step(cell.Input(i.Name).ToArray(), t, b, batch, time));
                    cells[b].Step(inputs);
                    foreach (var s in unit.Signals)
                    {
                        var v = cells[b].Get(s.Name);
                        var mine = Step(cell.Output(s.Name).ToArray(), t, b, batch, time);
                        // Forward values in float64 are the reference's bit for bit (same operations in the same order).
                        Assert.True(v.Value.SequenceEqual(mine), $"output {s.Name} at t {t}, b {b}: reference {string.Join(", ", v.Value)}, generated {string.Join(", ", mine)}");
                        terms.Add((v, Step(c[s.Name], t, b, batch, time)));
                    }
                }
                foreach (var s in unit.States) Assert.Equal(cells[b].Get(s.Name).Value, Sample(cell.FinalState(s.Name).ToArray(), b, batch));
            }
            double total = terms.Sum(x => x.Value.Value.Select((v, i) => v * x.Weight[i]).Sum());
            tape.Backward(tape.Record(new[] { total }, r => { foreach (var (v, w) in terms) v.AddGrad(w.Select(x => x * r.Grad![0]).ToArray()); }));

            foreach (var (name, leaf) in parameters.Weights) Close(leaf.GradOrZeros, cell.Gradient(name).ToArray(), "grad " + name);
            foreach (var (name, leaf) in parameters.Params) Close(leaf.GradOrZeros, cell.Gradient(name).ToArray(), "grad " + name);
            for (int b = 0; b < batch; b++)
            {
                foreach (var s in unit.States) Close(cells[b].InitialState[s.Name].GradOrZeros, Sample(cell.InitialStateGradient(s.Name).ToArray(), b, batch), $"grad initial {s.Name}, b {b}");
                for (int t = 0; t < time; t++)
                    foreach (var i in unit.Inputs.Where(i => i.Type.Scalar == ScalarType.Real))
                        Close(cells[b].Inputs[t][i.Name].GradOrZeros, Step(cell.InputGradient(i.Name).ToArray(), t, b, batch, time), $"grad input {i.Name} at t {t}, b {b}");
            }
            return cell;
        }

        /// <summary>
        /// float32 against float64 on the goldens' weights and inputs: outputs within 1e-5 and every gradient within 1e-4 of the
        /// float64 value, each relative to the tensor's largest float64 magnitude (the bound docs/csharp-backend.md states).
        /// </summary>
        [Theory]
        [MemberData(nameof(CellGradientTests.GoldenCells), MemberType = typeof(CellGradientTests))]
        public void Float32_agrees_with_float64_within_the_stated_bound(string file, string golden)
        {
            var reference = Golden(golden);
            var f64 = CellCompiler.Compile<double>(Target(file));
            var r64 = CellGradientCheck.Run(Target(file).Unit, reference, (b, t) => f64(b, t, 0));
            var make32 = CellCompiler.Compile<float>(Target(file));
            int batch = r64.Batch, time = r64.Time;
            var c64 = f64(batch, time, 0);
            var c32 = make32(batch, time, 0);
            // The float64 cell as the check left it is rebuilt here, so both run the same host data.
            Load(c64, reference, Target(file).Unit);
            Float32WithinBound(c64, c32);
        }

        /// <summary>
        /// The float64 cell's parameters, inputs and initial states copied into the float32 one, both run forward (outputs
        /// within 1e-5) and backward from the same output gradients (parameter and input gradients within 1e-4), each
        /// relative to the tensor's largest float64 magnitude.
        /// </summary>
        private static void Float32WithinBound(ICell<double> c64, ICell<float> c32)
        {
            foreach (var p in c64.Parameters) Copy(c64.Parameter(p.Name), c32.Parameter(p.Name));
            foreach (var i in c64.Inputs) Copy(c64.Input(i.Name), c32.Input(i.Name));
            foreach (var st in c64.States) Copy(c64.InitialState(st.Name), c32.InitialState(st.Name));
            c64.Forward();
            c32.Forward();
            foreach (var o in c64.Outputs)
            {
                Bounded(c64.Output(o.Name).ToArray(), c32.Output(o.Name).ToArray(), 1e-5, "output " + o.Name);
                var seed = Enumerable.Range(0, c64.Output(o.Name).Length).Select(k => Math.Sin(k + 1.0)).ToArray();
                seed.CopyTo(c64.OutputGradient(o.Name));
                Copy(seed, c32.OutputGradient(o.Name));
            }
            c64.ZeroGrad(); c64.Backward();
            c32.ZeroGrad(); c32.Backward();
            foreach (var p in c64.Parameters) Bounded(c64.Gradient(p.Name).ToArray(), c32.Gradient(p.Name).ToArray(), 1e-4, "grad " + p.Name);
            foreach (var i in c64.Inputs) Bounded(c64.InputGradient(i.Name).ToArray(), c32.InputGradient(i.Name).ToArray(), 1e-4, "input grad " + i.Name);
        }

        /// <summary>
        /// float32 against float64 with a batch of 19 (the float32 vector loops, their remainders and the 512-bit layer slices
        /// all run), random weights, inputs and output gradients: the bound of the goldens' test.
        /// </summary>
        [Theory]
        [InlineData("ame_layer.ae")]
        [InlineData("residual_dynamics.ae")]
        public void Float32_agrees_with_float64_within_the_stated_bound_on_a_wide_batch(string file)
        {
            const int batch = 19, time = 6;
            var c64 = CellCompiler.Compile<double>(Target(file))(batch, time, 0);
            var c32 = CellCompiler.Compile<float>(Target(file))(batch, time, 0);
            var rng = new Random(3);
            CellInitialization.PyTorchDefault(c64, rng);
            foreach (var i in c64.Inputs) { var v = c64.Input(i.Name); for (int k = 0; k < v.Length; k++) v[k] = rng.NextDouble() * 2 - 1; }
            foreach (var st in c64.States) { var v = c64.InitialState(st.Name); for (int k = 0; k < v.Length; k++) v[k] = 1.0 / st.Size; }
            Float32WithinBound(c64, c32);
        }

        /// <summary>
        /// In float32 a sample's forward values do not depend on its place in the batch: whether it falls in a whole vector
        /// (a 512-bit or Vector&lt;float&gt; slice, a polynomial function's lane) or past the last one, the same bits, so a
        /// batch split over threads computes what one cell computes. A batch of 19 against each sample run alone.
        /// </summary>
        [Theory]
        [InlineData("ame_layer.ae")]
        [InlineData("residual_dynamics.ae")]
        [InlineData("gru.ae")]
        public void Float32_values_do_not_depend_on_a_samples_place_in_the_batch(string file)
        {
            const int batch = 19, time = 4;
            var make = CellCompiler.Compile<float>(Target(file));
            var all = make(batch, time, 0);
            var rng = new Random(5);
            CellInitialization.PyTorchDefault(all, rng);
            foreach (var i in all.Inputs) { var v = all.Input(i.Name); for (int k = 0; k < v.Length; k++) v[k] = (float)(rng.NextDouble() * 4 - 2); }
            foreach (var st in all.States) { var v = all.InitialState(st.Name); for (int k = 0; k < v.Length; k++) v[k] = 1f / st.Size; }
            all.Forward();
            foreach (int b in new[] { 0, 7, 15, 16, 18 })
            {
                var one = make(1, time, 0);
                foreach (var p in all.Parameters) all.Parameter(p.Name).CopyTo(one.Parameter(p.Name));
                foreach (var i in all.Inputs)
                    for (int t = 0; t < time; t++) all.Input(i.Name).Slice((t * batch + b) * i.Size, i.Size).CopyTo(one.Input(i.Name).Slice(t * i.Size, i.Size));
                foreach (var st in all.States) all.InitialState(st.Name).Slice(b * st.Size, st.Size).CopyTo(one.InitialState(st.Name));
                one.Forward();
                foreach (var o in all.Outputs)
                    for (int t = 0; t < time; t++)
                        Assert.True(all.Output(o.Name).Slice((t * batch + b) * o.Size, o.Size).SequenceEqual(one.Output(o.Name).Slice(t * o.Size, o.Size)),
                            $"{file}: output {o.Name} of sample {b} at step {t} differs from the sample run alone");
            }
        }

        /// <summary>The golden file's weights, inputs and initial states into a cell, as the gradient check loads them.</summary>
        private static void Load(ICell<double> cell, CellReference reference, IrUnit unit)
        {
            var host = CellHost.For(reference);
            foreach (var (name, t) in reference.Params) t.Values.CopyTo(cell.Parameter(name));
            int batch = cell.Batch, time = cell.Time;
            foreach (var (refName, cellName) in host.Inputs)
            {
                var all = reference.Inputs[refName].Values;
                int n = all.Length / (batch * time);
                var buffer = cell.Input(cellName);
                for (int b = 0; b < batch; b++)
                    for (int t = 0; t < time; t++)
                    {
                        int from = host.Layout switch { SequenceLayout.BatchTime => (b * time + t) * n, SequenceLayout.TimeBatch => (t * batch + b) * n, _ => t * n };
                        all.AsSpan(from, n).CopyTo(buffer.Slice((t * batch + b) * n, n));
                    }
            }
            foreach (var (refName, state) in host.InitialStates) reference.Inputs[refName].Values.CopyTo(cell.InitialState(state));
        }

        private static void Copy(ReadOnlySpan<double> from, Span<float> to)
        {
            for (int i = 0; i < from.Length; i++) to[i] = (float)from[i];
        }

        private static void Bounded(double[] f64, float[] f32, double bound, string what)
        {
            double scale = f64.Max(Math.Abs);
            for (int i = 0; i < f64.Length; i++)
                Assert.True(Math.Abs(f32[i] - f64[i]) <= bound * scale, $"{what}[{i}]: float64 {f64[i]:R}, float32 {f32[i]:R}, bound {bound} x {scale:G3}");
        }

        /// <summary>
        /// A declared objective is the loss: its mean over the batch and the sequence, and Backward differentiates it with no
        /// output gradient written; the gradients equal those of writing 1/(batch time) into the objective's output gradient.
        /// </summary>
        [Fact]
        public void The_declared_objective_is_the_mean_loss_and_backward_differentiates_it()
        {
            var make = CellCompiler.Compile<double>(Target("residual_dynamics.ae"));
            var reference = Golden("cell_residual_dynamics.json");
            var viaObjective = CellGradientCheck.Run(Target("residual_dynamics.ae").Unit, reference, (b, t) => make(b, t, 0));
            Assert.True(viaObjective.Pass, Table(viaObjective));
            Assert.Equal(reference.Loss, viaObjective.Loss, 12);

            var cell = make(viaObjective.Batch, viaObjective.Time, 0);
            Assert.Equal(new[] { "loss" }, cell.Objectives);
            Assert.Equal("loss", cell.Objective);
            Load(cell, reference, Target("residual_dynamics.ae").Unit);
            cell.Forward();
            var output = cell.Output("loss").ToArray();
            Assert.Equal(output.Average(), cell.Loss, 14);
            cell.ZeroGrad(); cell.Backward();
            var seeded = cell.Parameters.ToDictionary(p => p.Name, p => cell.Gradient(p.Name).ToArray());
            cell.Objective = null;
            cell.OutputGradient("loss").Fill(1.0 / output.Length);
            cell.Forward();
            Assert.True(double.IsNaN(cell.Loss));
            cell.ZeroGrad(); cell.Backward();
            foreach (var (name, g) in seeded) Assert.Equal(g, cell.Gradient(name).ToArray());
            Assert.Throws<ArgumentException>(() => cell.Objective = "N_t");
        }

        /// <summary>
        /// Loss is the last Forward's, before and after Backward, also where Backward recomputes segments between checkpoints
        /// (time 9, a checkpoint every 2: the frames are overwritten, so a second Backward needs a new Forward, but the
        /// outputs are not, and Loss read NaN there).
        /// </summary>
        [Fact]
        public void Loss_is_the_forwards_after_a_backward_that_recomputed_segments()
        {
            var make = CellCompiler.Compile<double>(Target("residual_dynamics.ae"));
            var cell = make(3, 9, 2);
            var random = new Random(5);
            foreach (var p in cell.Parameters) foreach (ref var w in cell.Parameter(p.Name)) w = random.NextDouble() - 0.5;
            foreach (var i in cell.Inputs) foreach (ref var x in cell.Input(i.Name)) x = random.NextDouble() - 0.5;
            cell.Forward();
            double loss = cell.Loss;
            Assert.True(double.IsFinite(loss));
            Assert.Equal(cell.Output("loss").ToArray().Average(), loss, 14);
            cell.ZeroGrad(); cell.Backward();
            Assert.Equal(loss, cell.Loss);
            Assert.Throws<InvalidOperationException>(() => cell.Backward());
            Assert.Equal(loss, cell.Loss);
        }

        /// <summary>
        /// A cell's weights by PyTorch's names from a safetensors file written by PyTorch-side tooling
        /// (tools/safetensors-from-golden.py on the golden file): equal to the golden JSON's params bit for bit, and then
        /// the generated cell passes the gradient check; saved and loaded again (float64 and float32) unchanged.
        /// </summary>
        [Fact]
        public void Weights_load_from_and_save_to_safetensors_by_pytorch_names()
        {
            var target = Target("amed_synth.ae");
            var golden = Golden("cell_amed_synth.json");
            var cell = CellCompiler.Compile<double>(target)(1, golden.Inputs["eps"].Shape[0], 0);
            CellParameters.Load(cell, Path.Combine(RepoPaths.Root, "tests", "AE.Experiments.Tests", "Data", "cell_amed_synth.params.safetensors"));
            foreach (var (name, t) in golden.Params) Assert.Equal(t.Values, cell.Parameter(name).ToArray());

            using var dir = new TempDirectory();
            string path = Path.Combine(dir.Path, "w.safetensors");
            CellParameters.Save(cell, path);
            var again = CellCompiler.Compile<double>(target)(2, 3, 0);
            CellParameters.Load(again, path);
            foreach (var p in cell.Parameters) Assert.Equal(cell.Parameter(p.Name).ToArray(), again.Parameter(p.Name).ToArray());
            var single = CellCompiler.Compile<float>(target)(2, 3, 0);
            CellParameters.Load(single, path);
            foreach (var p in cell.Parameters) Assert.Equal(cell.Parameter(p.Name).ToArray().Select(x => (float)x), single.Parameter(p.Name).ToArray());
        }

        [Fact]
        public void A_set_that_does_not_fit_the_cell_says_what_differs()
        {
            var cell = CellCompiler.Compile<double>(Target("amed_synth.ae"))(1, 2, 0);
            var set = CellParameters.ToTensors(cell);
            var missing = new AE.Runtime.Tensors.SafeTensorSet();
            foreach (var n in set.Names.Where(n => n != "d_net.2.bias")) missing.Add(n, set[n]);
            Assert.Equal("parameter 'd_net.2.bias' of AmedSynth is missing", Assert.Throws<CellParameterException>(() => CellParameters.Load(cell, missing)).Message);
            CellParameters.Load(cell, missing, strict: false);

            var extra = CellParameters.ToTensors(cell);
            extra.Add("e_net.0.weight", AE.Runtime.Tensors.SafeTensor.FromDoubles(new[] { 1 }, new[] { 0.0 }));
            Assert.StartsWith("'e_net.0.weight' is not a parameter of AmedSynth", Assert.Throws<CellParameterException>(() => CellParameters.Load(cell, extra)).Message, StringComparison.Ordinal);

            var shaped = new AE.Runtime.Tensors.SafeTensorSet();
            foreach (var n in set.Names) shaped.Add(n, n == "f_net.0.weight" ? AE.Runtime.Tensors.SafeTensor.FromDoubles(new[] { 1, 32 }, new double[32]) : set[n]);
            Assert.Equal("'f_net.0.weight' has shape [1, 32], AmedSynth's is [32, 1]", Assert.Throws<CellParameterException>(() => CellParameters.Load(cell, shaped)).Message);
        }

        /// <summary>The parameters are slices of one vector (what an optimizer steps in place), in the order of Parameters; the gradients likewise.</summary>
        [Fact]
        public void Every_parameter_is_a_slice_of_one_vector_and_so_is_its_gradient()
        {
            var cell = CellCompiler.Compile<double>(Target("residual_dynamics.ae"))(2, 3, 0);
            Assert.Equal(cell.Parameters.Sum(p => p.Size), cell.ParameterVector.Length);
            Assert.Equal(cell.ParameterVector.Length, cell.GradientVector.Length);
            int at = 0;
            foreach (var p in cell.Parameters)
            {
                for (int i = 0; i < p.Size; i++) cell.ParameterVector[at + i] = at + i;
                Assert.Equal(Enumerable.Range(at, p.Size).Select(x => (double)x), cell.Parameter(p.Name).ToArray());
                at += p.Size;
            }
            foreach (var s in cell.States) cell.InitialState(s.Name).Fill(1.0 / 3);
            cell.Forward();
            cell.ZeroGrad();
            cell.Backward();
            at = 0;
            foreach (var p in cell.Parameters)
            {
                Assert.Equal(cell.GradientVector.Slice(at, p.Size).ToArray(), cell.Gradient(p.Name).ToArray());
                at += p.Size;
            }
            Assert.Contains(cell.GradientVector.ToArray(), g => g != 0);
        }

        /// <summary>
        /// The batch split over threads: outputs, loss and final states are one cell's bit for bit (samples are independent);
        /// every gradient within rounding of one cell's (the batch is summed in another order); the same for any thread count
        /// that gives the same parts; nothing allocated per forward plus backward.
        /// </summary>
        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(5)]
        public void A_batch_split_over_threads_is_one_cell(int threads)
        {
            var make = CellCompiler.Compile<double>(Target("residual_dynamics.ae"));
            var reference = Golden("cell_residual_dynamics.json");
            var one = CellGradientCheck.Run(Target("residual_dynamics.ae").Unit, reference, (b, t) => make(b, t, 0));
            var split = CellGradientCheck.Run(Target("residual_dynamics.ae").Unit, reference, (b, t) => new BatchParallelCell<double>(n => make(n, t, 0), b, threads));
            Assert.True(split.Pass, Table(split));
            Assert.Equal(one.Loss, split.Loss);
            foreach (var (name, g) in one.Gradients)
                for (int i = 0; i < g.Length; i++)
                    Assert.True(Math.Abs(g[i] - split.Gradients[name][i]) <= 1e-14 + 1e-12 * Math.Abs(g[i]), $"{name}[{i}]: {g[i]:R} vs {split.Gradients[name][i]:R}");

            var cell = new BatchParallelCell<double>(n => make(n, 7, 0), 5, threads);
            foreach (var s in cell.States) cell.InitialState(s.Name).Fill(1.0 / 3);
            cell.Forward(); cell.ZeroGrad(); cell.Backward();
            long least = long.MaxValue;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread() + AE.Runtime.Simd.AeWorkers.WorkerAllocatedBytes;
                for (int k = 0; k < 5; k++) { cell.Forward(); cell.ZeroGrad(); cell.Backward(); }
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() + AE.Runtime.Simd.AeWorkers.WorkerAllocatedBytes - before);
            }
            Assert.Equal(0, least);
        }

        /// <summary>After the first run, a forward plus backward over the sequence allocates nothing (checkpointed: recomputation included).</summary>
        [Theory]
        [InlineData("ame_layer.ae")]
        [InlineData("residual_dynamics.ae")]
        [InlineData("emergent_resonator.ae")]
        public void Forward_and_backward_allocate_nothing(string file)
        {
            foreach (var cell in new object[] { CellCompiler.Compile<double>(Target(file))(4, 20, 0), CellCompiler.Compile<float>(Target(file))(4, 20, 0) })
            {
                var run = cell is ICell<double> d ? (Action)(() => { d.Forward(); d.Backward(); }) : () => { var f = (ICell<float>)cell; f.Forward(); f.Backward(); };
                run();
                long least = long.MaxValue;
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int k = 0; k < 5; k++) run();
                    least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                Assert.Equal(0, least);
            }
        }

        private static double[] Sample(double[] all, int b, int batch) => all.Skip(b * (all.Length / batch)).Take(all.Length / batch).ToArray();

        private static double[] Step(double[] all, int t, int b, int batch, int time)
        {
            int n = all.Length / (batch * time);
            return all.Skip((t * batch + b) * n).Take(n).ToArray();
        }

        /// <summary>Within 1e-10 relative or 1e-12 absolute: the two compute the same sums in different orders (the batch's weight gradient, the adjoints' accumulation).</summary>
        private static void Close(double[] expected, double[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i], a = actual[i];
                Assert.True(Math.Abs(e - a) <= 1e-12 || Math.Abs(e - a) <= 1e-10 * Math.Abs(e), $"{what}[{i}]: reference {e:R}, generated {a:R}");
            }
        }
    }
}
