using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The reference adjoint (<see cref="AdjointInterpreter"/>): its forward values are the interpreter's,
    /// bit for bit, and its gradients of an objective over several steps, with respect to every real param,
    /// net weight and bias, initial state and input, agree with central finite differences of the
    /// interpreter's own run.
    /// </summary>
    public class AdjointInterpreterTests
    {
        internal const string Tiny = @"cell Tiny ""a small cell that uses every differentiable construct"" {
  dim n = 3;
  param a: real = 0.7;
  param beta in (0, 1) = 0.8;
  param w: real[n] = 0.5;
  input x: real[n];
  input k: real;
  state h: real[n] = 0.1;
  state s: real = 0.2;
  state c: real in [-2, 2] = 0.3;
  net f: mlp(2 * n -> 4 -> n, tanh);
  net g: linear(n -> n);
  signal y: real[n];
  signal z: real;
  acc push = 0;

  fixed rule filters ""ema, lp and prev"" {
    m = ema(beta, x * a);
    q = lp(0.8, h);
    p = prev(h, 0);
    u = softmax(f(concat(h, x)) + m);
    h' = tanh(g(u) * w + q - p) + sigmoid(k) * softplus(x) ^ 2 / (1 + exp(-s));
  }

  fixed rule select ""elementwise and scalar selects"" {
    y = x > 0 ? u * s : -u;
    z = (k > 0 ? logsumexp(h') : dot(w, h)) + norm(x) + cosine(x, h) + mean(sin(x) * cos(h)) + log1p(s * s) + sqrt(1 + c * c);
  }

  rule drive ""an accumulator and a when"" {
    push += 0.5 * z;
    when s > 0 { push += tanh(s); } else { push += relu(c) * 2; }
  }

  update ""state"" {
    s' = 0.9 * s + 0.1 * sum(y) + smoothmax(s, c, 3) - smoothmin(s, c, 2) + lerp(s, c, 0.3);
    c' = c + 0.1 * push + softclamp(z, -1, 1) + softabs(s, 0.5) + log(2 + s * s) % 5;
  }
}
";

        /// <summary>A run to differentiate: weights, params, initial state, inputs per step, and J = sum over steps of coef . signal + coef . final state.</summary>
        private sealed class Case
        {
            public required IrUnit Unit;
            public Dictionary<string, int>? Dims;
            public string[]? Ablated;
            public Dictionary<string, double[]> Weights = new(StringComparer.Ordinal);
            public Dictionary<string, double[]> Params = new(StringComparer.Ordinal);
            public Dictionary<string, double[]> Initial = new(StringComparer.Ordinal);
            public List<Dictionary<string, double[]>> Inputs = new();
            public List<Dictionary<string, double[]>> SignalCoefs = new();
            public Dictionary<string, double[]> FinalCoefs = new(StringComparer.Ordinal);

            public Case Clone() => new()
            {
                Unit = Unit, Dims = Dims, Ablated = Ablated,
                Weights = Copy(Weights), Params = Copy(Params), Initial = Copy(Initial),
                Inputs = Inputs.Select(Copy).ToList(), SignalCoefs = SignalCoefs, FinalCoefs = FinalCoefs,
            };

            private static Dictionary<string, double[]> Copy(Dictionary<string, double[]> d) => d.ToDictionary(p => p.Key, p => (double[])p.Value.Clone(), StringComparer.Ordinal);
        }

        private static IrUnit Unit(string text)
        {
            var result = TestSupport.Check(text);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            return Assert.Single(result.Program!.Units);
        }

        private static IrUnit ShippedCell(string file)
        {
            var path = Path.Combine(RepoPaths.Cells, file);
            var result = AeCompiler.Check(SourceFile.FromBytes(Path.Combine("cells", file), File.ReadAllBytes(path)));
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            return Assert.Single(result.Program!.Units);
        }

        private static Case RandomCase(IrUnit unit, int steps, int seed, double weightScale, Func<string, int, Random, double>? input = null, Func<string, int, Random, double>? initial = null, Dictionary<string, int>? dims = null)
        {
            var r = new Random(seed);
            var sized = new Interpreter(unit, dims);
            var c = new Case { Unit = unit, Dims = dims };
            foreach (var n in unit.Nets)
                foreach (var l in n.Layers)
                {
                    c.Weights[l.WeightName] = sized.Weights(l.WeightName).Select(_ => weightScale * (2 * r.NextDouble() - 1)).ToArray();
                    c.Weights[l.BiasName] = sized.Weights(l.BiasName).Select(_ => weightScale * (2 * r.NextDouble() - 1)).ToArray();
                }
            foreach (var p in unit.Params.Where(p => p.Type.Scalar == ScalarType.Real)) c.Params[p.Name] = (double[])sized.Get(p.Name).Clone();
            foreach (var s in unit.States)
                c.Initial[s.Name] = initial == null ? (double[])sized.Get(s.Name).Clone() : sized.Get(s.Name).Select((_, i) => initial(s.Name, i, r)).ToArray();
            for (int t = 0; t < steps; t++)
            {
                c.Inputs.Add(unit.Inputs.ToDictionary(i => i.Name, i => Enumerable.Range(0, Length(dims, i.Type)).Select(k => input == null ? 2 * r.NextDouble() - 1 : input(i.Name, k, r)).ToArray(), StringComparer.Ordinal));
                c.SignalCoefs.Add(unit.Signals.ToDictionary(s => s.Name, s => Enumerable.Range(0, Length(dims, s.Type)).Select(_ => 2 * r.NextDouble() - 1).ToArray(), StringComparer.Ordinal));
            }
            foreach (var s in unit.States) c.FinalCoefs[s.Name] = sized.Get(s.Name).Select(_ => 2 * r.NextDouble() - 1).ToArray();
            return c;
        }

        private static int Length(Dictionary<string, int>? dims, IrType type)
        {
            if (type.IsScalar) return 1;
            long v = type.Shape[0].Constant;
            foreach (var t in type.Shape[0].Terms) v += t.Value * dims![t.Key];
            return (int)v;
        }

        /// <summary>J by the interpreter (the reference forward).</summary>
        private static double Objective(Case c)
        {
            var interp = new Interpreter(c.Unit, c.Dims, overrides: c.Params, initialState: c.Initial, ablated: c.Ablated);
            foreach (var (name, w) in c.Weights) Array.Copy(w, interp.Weights(name), w.Length);
            double j = 0;
            for (int t = 0; t < c.Inputs.Count; t++)
            {
                interp.Step(c.Inputs[t]);
                foreach (var (name, coef) in c.SignalCoefs[t]) j += Dot(coef, interp.Get(name));
            }
            foreach (var (name, coef) in c.FinalCoefs) j += Dot(coef, interp.Get(name));
            return j;
        }

        private static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }

        private sealed record Run(Tape Tape, AdjointParameters Parameters, AdjointInterpreter Cell, TapeValue Objective);

        /// <summary>J on the tape, with the forward values checked against the interpreter's at every step.</summary>
        private static Run Adjoint(Case c)
        {
            var tape = new Tape();
            var parameters = AdjointParameters.Create(tape, c.Unit, c.Dims, overrides: c.Params, weights: c.Weights);
            var cell = new AdjointInterpreter(c.Unit, parameters, c.Dims, overrides: c.Params, initialState: c.Initial, ablated: c.Ablated);
            var interp = new Interpreter(c.Unit, c.Dims, overrides: c.Params, initialState: c.Initial, ablated: c.Ablated);
            foreach (var (name, w) in c.Weights) Array.Copy(w, interp.Weights(name), w.Length);
            var terms = new List<(TapeValue Value, double[] Coef)>();
            for (int t = 0; t < c.Inputs.Count; t++)
            {
                cell.Step(c.Inputs[t]);
                interp.Step(c.Inputs[t]);
                foreach (var name in c.Unit.Signals.Select(s => s.Name).Concat(c.Unit.States.Select(s => s.Name)))
                    Assert.Equal(interp.Get(name), cell.Get(name).Value);   // bit for bit
                foreach (var (name, coef) in c.SignalCoefs[t]) terms.Add((cell.Get(name), coef));
            }
            foreach (var (name, coef) in c.FinalCoefs) terms.Add((cell.Get(name), coef));
            double j = terms.Sum(x => Dot(x.Coef, x.Value.Value));
            var objective = tape.Record(new[] { j }, o => { foreach (var (v, coef) in terms) v.AddGrad(coef.Select(x => x * o.Grad![0]).ToArray()); });
            tape.Backward(objective);
            return new Run(tape, parameters, cell, objective);
        }

        /// <summary>Every derivative the adjoint gives against a central difference of the interpreter's J (h = 1e-6 scaled to the value; error ~h^2 + 1e-16 |J| / h).</summary>
        private static int CompareWithFiniteDifferences(Case c, int maxPerArray = int.MaxValue)
        {
            var run = Adjoint(c);
            double j0 = run.Objective.Value[0];
            int compared = 0;
            void Check(string what, double[] array, int i, double derivative, Action<Case, double> set)
            {
                double x = array[i], h = 1e-6 * Math.Max(1, Math.Abs(x));
                var plus = c.Clone(); set(plus, x + h);
                var minus = c.Clone(); set(minus, x - h);
                double fd = (Objective(plus) - Objective(minus)) / (2 * h);
                double tol = 1e-6 * (1 + Math.Abs(fd)) + 1e-13 * Math.Abs(j0) / h;
                Assert.True(Math.Abs(fd - derivative) <= tol, $"dJ/d{what}[{i}]: adjoint {derivative:R}, central difference {fd:R}");
                compared++;
            }
            IEnumerable<int> Some(int n) => Enumerable.Range(0, n).Where(i => n <= maxPerArray || i % (n / maxPerArray + 1) == 0);
            foreach (var (name, leaf) in run.Parameters.Weights)
                foreach (var i in Some(leaf.Length)) Check(name, c.Weights[name], i, leaf.GradOrZeros[i], (k, v) => k.Weights[name][i] = v);
            foreach (var (name, leaf) in run.Parameters.Params)
                foreach (var i in Some(leaf.Length)) Check(name, c.Params[name], i, leaf.GradOrZeros[i], (k, v) => k.Params[name][i] = v);
            foreach (var (name, leaf) in run.Cell.InitialState)
                foreach (var i in Some(leaf.Length)) Check(name + "0", c.Initial[name], i, leaf.GradOrZeros[i], (k, v) => k.Initial[name][i] = v);
            for (int t = 0; t < c.Inputs.Count; t++)
                foreach (var (name, leaf) in run.Cell.Inputs[t])
                {
                    int step = t;
                    foreach (var i in Some(leaf.Length)) Check($"{name}@{t + 1}", c.Inputs[t][name], i, leaf.GradOrZeros[i], (k, v) => k.Inputs[step][name][i] = v);
                }
            return compared;
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void Every_construct_of_a_small_cell_matches_finite_differences_over_steps(int seed)
        {
            var c = RandomCase(Unit(Tiny), steps: 5, seed, weightScale: 0.8);
            int compared = CompareWithFiniteDifferences(c);
            Assert.Equal(55 + 5 + 5 + 5 * 4, compared);   // weights, params, initial state, inputs of 5 steps
        }

        [Fact]
        public void Residual_dynamics_matches_finite_differences_through_relu_softmax_and_the_bounds()
        {
            var unit = ShippedCell("residual_dynamics.ae");
            var c = RandomCase(unit, steps: 4, seed: 7, weightScale: 0.5, initial: (s, i, r) => s == "N" ? new[] { 0.2, 0.5, 0.3 }[i] : r.NextDouble() - 0.5);
            CompareWithFiniteDifferences(c);
        }

        [Fact]
        public void Ame_layer_matches_finite_differences_on_a_sample_of_its_weights()
        {
            var unit = ShippedCell("ame_layer.ae");
            var c = RandomCase(unit, steps: 3, seed: 11, weightScale: 0.15);
            CompareWithFiniteDifferences(c, maxPerArray: 6);
        }

        [Fact]
        public void A_law_with_a_run_time_dim_and_filters_runs_forward_as_the_interpreter_and_its_gradient_matches()
        {
            // A smooth law of the optimizer shape with ema and lp filters over several steps.
            const string law = @"
law Smoothed ""ema and lp over the gradient"" {
  dim n;
  param lr in (0, 1) = 0.1;
  param beta in (0, 1) = 0.9;
  input loss: real;
  input grad: real[n];
  state theta: real[n] = 0.5;
  rule step ""a smoothed gradient step"" {
    m = ema(beta, grad);
    v = lp(0.5, grad * grad);
    theta' = theta - lr * m / sqrt(v + 1e-3) + 0.01 * tanh(loss);
  }
}";
            var c = RandomCase(Unit(law), steps: 6, seed: 3, weightScale: 0, dims: new Dictionary<string, int> { ["n"] = 4 });
            Assert.Equal(2 + 4 + 6 * 5, CompareWithFiniteDifferences(c));   // lr, beta, theta0, loss and grad of 6 steps
        }

        [Fact]
        public void A_cell_with_a_rule_switched_off_matches_finite_differences()
        {
            var unit = ShippedCell("ame_layer.ae");
            var c = RandomCase(unit, steps: 2, seed: 13, weightScale: 0.15);
            c.Ablated = new[] { "dither" };
            var run = Adjoint(c);
            Assert.Null(run.Parameters.Weights["d_net.0.weight"].Grad);   // the switched-off rule's net is never used
            CompareWithFiniteDifferences(c, maxPerArray: 4);
        }

        [Fact]
        public void The_objective_gradient_reaches_every_leaf_of_a_small_cell()
        {
            var c = RandomCase(Unit(Tiny), steps: 3, seed: 5, weightScale: 0.8);
            var run = Adjoint(c);
            Assert.All(run.Parameters.Weights.Values, w => Assert.NotNull(w.Grad));
            Assert.All(run.Parameters.Params.Values, p => Assert.NotNull(p.Grad));
            Assert.All(run.Cell.InitialState.Values, s => Assert.NotNull(s.Grad));
        }
    }
}
