using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Runtime;
using AE.Runtime.Simd;
using AE.Tests.Shared;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The SIMD loops against the scalar ones (the interpreter's bits): exact wherever the order of a
    /// sum does not matter, within the bound of a reordered sum where it does, and independent of the
    /// number of threads.
    /// </summary>
    public class SimdStepTests
    {
        /// <summary>Three chunks and a tail that is not a whole vector.</summary>
        private const int Long = 3 * AeSimd.ChunkSize + 7;

        private const string Sink = @"law Sink ""every elementwise construct the SIMD loops cover"" {
  dim n;
  param lr in (0, 1) = 0.01;
  param k in [1, 10] = 3.0;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state m: real[n] = 0;
  state v: real[n] in [0, 100] = 1;
  signal spread = 0;

  rule shape ""elementwise functions, selects and masks"" {
    g = sanitize(grad, 1000);
    s = tanh(g) + sigmoid(g) * softplus(g) - log1p(abs(g)) + exp(-abs(g));
    t = sqrt(abs(g) + 1) + sin(g) * cos(g) + softabs(g, 0.1) + lerp(g, s, 0.25) + (abs(g) + 1) ^ 0.5;
    u = clamp(t, -2, 2) + softclamp(s, -1, 1) + smoothmax(g, s, k) - smoothmin(g, t, k) + log(abs(g) + 1);
    w = g > 0 && s < 1 ? relu(u) : sign(g) * max(u, s) + min(t, 0.5);
    q = g != 0 || !(t >= 1) ? w / 2 : -w;
    m' = 0.9 * m + 0.1 * (isfinite(q) ? q : 0);
    v' = finite_or(0.99 * v + 0.01 * g * g, 1);
    when loss > 1 { m' = m' * 0.5; }
    spread = loss;
  }
  update {
    theta' = theta - lr * m' / sqrt(max(v', 0) + 1e-8) + (loss < 0.5 ? 0.001 * noise(n) : 0);
  }
}";

        private const string VectorMembers = @"law Vp ""a vector param, a vector signal and an accumulator over vectors"" {
  dim n;
  param w: real[n] = 0.5;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  signal step_size: real[n] = 0;
  signal l = 0;
  acc push: real[n] = 0;
  rule measure { l = loss; push += w * grad; }
  rule scale { push += 0.1 * grad; }
  update {
    step_size = 0.01 * w;
    theta' = theta - step_size * push;
  }
}";

        [Fact]
        public void Vector_params_signals_and_accumulators_under_switches_give_the_scalar_bits()
        {
            var unit = Unit(VectorMembers);
            var scalar = Make(unit, Long, StepKernel.Scalar);
            var simd = Make(unit, Long, StepKernel.Simd, 2);
            var rng = new Random(21);
            var a = Gradient(rng, Long, false);
            var b = (double[])a.Clone();
            for (int step = 0; step < 12; step++)
            {
                // the rules switched off and on again: the switched-off accumulation reads its neutral
                scalar.SetRule("scale", step % 3 != 1);
                simd.SetRule("scale", step % 3 != 1);
                scalar.SetRule("measure", step % 4 != 2);
                simd.SetRule("measure", step % 4 != 2);
                var g = Gradient(rng, Long, step == 5);
                scalar.Step(step, g, a);
                simd.Step(step, g, b);
                AssertBits(a, b, "theta at step " + (step + 1));
            }
        }

        private const string Sums = @"law Sums ""every reduction, readable as a signal"" {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  signal s = 0, mn = 0, d = 0, nr = 0, c = 0, hi = 0, lo = 0, l = 0;
  fixed rule measure {
    l = loss;
    s = sum(grad);
    mn = mean(grad * grad);
    d = dot(grad, theta);
    nr = norm(theta);
    c = cosine(grad, theta);
    hi = max(grad);
    lo = min(theta);
  }
  update { theta' = theta - 0.001 * grad; }
}";

        private static readonly CSharpEmitOptions Emit = new() { Namespace = "AE.Laws" };

        private static IrUnit Unit(string source) => TestSupport.AssertClean(source).Program!.Units[0];

        private static IrUnit Shipped(string file, string law)
        {
            var f = new Text.SourceFile("laws/" + file, File.ReadAllText(Path.Combine(RepoPaths.Laws, file)));
            var check = AeCompiler.Check(f);
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            return check.Program!.Units.First(u => u.Name == law);
        }

        private static readonly Dictionary<IrUnit, Type> Compiled = new();

        private static IOptimizerLaw Make(IrUnit unit, int n, StepKernel kernel, int threads = 1, ulong seed = 5, Action<object>? configure = null)
        {
            Type type;
            lock (Compiled)
            {
                if (!Compiled.TryGetValue(unit, out type!))
                    Compiled[unit] = type = EmittedLaw.Compile(CSharpEmitter.Emit(unit, Emit), unit.Name).GetType("AE.Laws." + unit.Name)!;
            }
            var options = Activator.CreateInstance(type.GetNestedType("Options")!)!;
            configure?.Invoke(options);
            var law = Activator.CreateInstance(type, n, options, seed)!;
            type.GetProperty("Kernel")!.SetValue(law, kernel);
            type.GetProperty("MaxThreads")!.SetValue(law, threads);
            return (IOptimizerLaw)law;
        }

        private static void Set(object options, string name, object value) => options.GetType().GetProperty(name)!.SetValue(options, value);

        private static double[] Signals(IOptimizerLaw law) => Enumerable.Range(0, law.SignalNames.Count).Select(law.ReadSignal).ToArray();

        private static void AssertBits(double[] expected, double[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                    Assert.Fail($"{what}[{i}]: {expected[i]:R} (scalar) vs {actual[i]:R} (SIMD)");
        }

        private static double[] Gradient(Random rng, int n, bool specials)
        {
            var g = new double[n];
            for (int i = 0; i < n; i++) g[i] = rng.NextDouble() * 4 - 2;
            if (specials)
                for (int i = 0; i < n; i += 997) g[i] = (i / 997 % 4) switch { 0 => double.NaN, 1 => double.PositiveInfinity, 2 => double.NegativeInfinity, _ => 0.0 };
            return g;
        }

        /// <summary>
        /// logsumexp, written out of max and sum as the interpreter computes it: the scalar kernel gives the interpreter's value
        /// bit for bit, the SIMD kernel (its sums in another order) within a few ulps, on 1 and 2 threads; elements far past
        /// exp's overflow (1000) do not overflow it. A NaN element makes it NaN, an all -inf vector too (as the interpreter).
        /// </summary>
        [Theory]
        [InlineData(StepKernel.Scalar, 1)]
        [InlineData(StepKernel.Simd, 1)]
        [InlineData(StepKernel.Simd, 2)]
        public void Logsumexp_is_the_interpreters_in_every_kernel(StepKernel kernel, int threads)
        {
            var unit = Unit("law Lse {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal s: real;\n  signal t: real;\n"
                + "  update {\n    s = logsumexp(1000 * grad);\n    t = logsumexp(grad - loss);\n    theta' = theta - 0.01 * grad;\n  }\n}\n");
            const int n = Long;
            var grad = Enumerable.Range(0, n).Select(i => Math.Sin(0.37 * i)).ToArray();
            var cases = new (double Loss, double[] Grad)[]
            {
                (0.5, grad),
                (0.5, grad.Select((g, i) => i == n / 2 ? double.NaN : g).ToArray()),
                (double.PositiveInfinity, grad),                     // grad - loss is -inf everywhere: -inf - -inf is NaN
            };
            foreach (var (loss, g) in cases)
            {
                var law = Make(unit, n, kernel, threads);
                law.Step(loss, g, new double[n]);
                var interp = new AE.Dsl.Eval.Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, initialState: new Dictionary<string, double[]> { ["theta"] = new double[n] });
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = g });
                var names = law.SignalNames.ToList();
                foreach (var name in new[] { "s", "t" })
                {
                    double want = interp.Scalar(name), got = law.ReadSignal(names.IndexOf(name));
                    if (kernel == StepKernel.Scalar || !double.IsFinite(want)) Assert.Equal(BitConverter.DoubleToInt64Bits(want), BitConverter.DoubleToInt64Bits(double.IsNaN(got) && double.IsNaN(want) ? want : got));
                    else Assert.True(Math.Abs(got - want) <= 1e-13 * Math.Abs(want), $"{name}: {got:R} against {want:R}");
                }
            }
            // max(v) <= logsumexp(v) <= max(v) + log(n): finite where exp(1000 * grad) alone overflows
            var plain = Make(unit, n, kernel, threads);
            plain.Step(0.5, grad, new double[n]);
            Assert.InRange(plain.ReadSignal(plain.SignalNames.ToList().IndexOf("s")), 1000 * grad.Max(), 1000 * grad.Max() + Math.Log(n));
            Assert.Equal(double.PositiveInfinity, grad.Sum(x => Math.Exp(1000 * x)));
        }

        /// <summary>
        /// cosine is held to [-1, 1] where rounding takes its quotient past (TestLaws.HeldCosine): exactly 1 and -1 in
        /// every kernel and thread count, the interpreter's values.
        /// </summary>
        [Theory]
        [InlineData(StepKernel.Scalar, 1)]
        [InlineData(StepKernel.Simd, 1)]
        [InlineData(StepKernel.Simd, 2)]
        public void Cosine_is_held_to_its_range_in_every_kernel(StepKernel kernel, int threads)
        {
            var unit = Unit(AE.Tests.Shared.TestLaws.HeldCosine);
            foreach (int n in AE.Tests.Shared.TestLaws.CosinePastOne(Long))
            {
                var law = Make(unit, n, kernel, threads);
                var ones = Enumerable.Repeat(1.0, n).ToArray();
                law.Step(1.0, ones, new double[n]);
                var names = law.SignalNames.ToList();
                Assert.Equal((1.0, -1.0), (law.ReadSignal(names.IndexOf("same")), law.ReadSignal(names.IndexOf("opposite"))));
                var interp = new AE.Dsl.Eval.Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, initialState: new Dictionary<string, double[]> { ["theta"] = new double[n] });
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { 1.0 }, ["grad"] = ones });
                Assert.Equal((1.0, -1.0), (interp.Scalar("same"), interp.Scalar("opposite")));
            }
        }

        // ------------------------------------------------------------ exact: no sums

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Elementwise_constructs_give_the_scalar_bits_in_double(int threads)
        {
            var unit = Unit(Sink);
            var scalar = Make(unit, Long, StepKernel.Scalar);
            var simd = Make(unit, Long, StepKernel.Simd, threads);
            var rng = new Random(11);
            var a = Gradient(rng, Long, specials: false);
            var b = (double[])a.Clone();
            for (int step = 0; step < 40; step++)
            {
                // losses on both sides of 1 and 0.5: the when block and the noise draw switch on and off
                double loss = 1.5 - step * 0.04;
                var g = Gradient(rng, Long, specials: step % 5 == 0);
                scalar.Step(loss, g, a);
                simd.Step(loss, g, b);
                AssertBits(a, b, "theta at step " + (step + 1));
            }
            AssertBits(Signals(scalar), Signals(simd), "signals");
        }

        [Fact]
        public void Elementwise_constructs_give_the_scalar_bits_in_float()
        {
            var unit = Unit(Sink);
            var scalar = Make(unit, Long, StepKernel.Scalar);
            var simd = Make(unit, Long, StepKernel.Simd, 2);
            var rng = new Random(12);
            var a = Gradient(rng, Long, false).Select(x => (float)x).ToArray();
            var b = (float[])a.Clone();
            for (int step = 0; step < 30; step++)
            {
                var g = Gradient(rng, Long, step % 4 == 0).Select(x => (float)x).ToArray();
                scalar.Step(1.5f - step * 0.05f, g, a);
                simd.Step(1.5f - step * 0.05f, g, b);
                AssertBits(a.Select(x => (double)x).ToArray(), b.Select(x => (double)x).ToArray(), "theta at step " + (step + 1));
            }
        }

        [Fact]
        public void Ae_sgdm_first_step_is_exact_when_every_sum_is_exact()
        {
            // Gradients in multiples of 1/8 below 8: every partial sum of g and g*g is an exact double, so the
            // order of the sums cannot matter; m starts at 0, so norm(m) and dot(g, m) are exactly 0.
            // Everything else, the noise draw included (sigma leaves 0 after step 1), must be bit for bit.
            var unit = Shipped("ae_sgdm.ae", "AeSgdm");
            foreach (var n in new[] { AeSimd.AutoThreshold, Long })
            {
                var rng = new Random(n);
                var g = Enumerable.Range(0, n).Select(_ => rng.Next(-63, 64) / 8.0).ToArray();
                var theta0 = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
                var scalar = Make(unit, n, StepKernel.Scalar);
                var simd = Make(unit, n, StepKernel.Auto, 2);
                var a = (double[])theta0.Clone();
                var b = (double[])theta0.Clone();
                scalar.Step(3.0, g, a);
                simd.Step(3.0, g, b);
                AssertBits(a, b, "theta");
                AssertBits(Signals(scalar), Signals(simd), "signals");
                scalar.Step(2.5, g, a);
                simd.Step(2.5, g, b);
                Assert.True(scalar.ReadSignal(scalar.SignalNames.ToList().IndexOf("sigma")) > 0, "the step drew noise");
            }
        }

        // ------------------------------------------------------------ sums: a fixed order, a bounded difference

        /// <summary>The SIMD loops' order, written out independently: per chunk, lane l adds the elements i = l (mod 4) in order, the lanes add as (l0 + l1) + (l2 + l3), then the tail in order; chunks add in order.</summary>
        private static double BlockedSum(Func<int, double> term, int n)
        {
            double total = 0;
            for (int start = 0; start < n; start += AeSimd.ChunkSize)
            {
                int end = Math.Min(n, start + AeSimd.ChunkSize);
                int whole = start + (end - start) / 4 * 4;
                var lane = new double[4];
                for (int i = start; i < whole; i++) lane[(i - start) % 4] += term(i);
                double tail = 0;
                for (int i = whole; i < end; i++) tail += term(i);
                total += (lane[0] + lane[1]) + (lane[2] + lane[3]) + tail;
            }
            return total;
        }

        [Fact]
        public void Reductions_add_in_the_documented_fixed_order_and_stay_within_the_reordering_bound()
        {
            var unit = Unit(Sums);
            var names = new[] { "s", "mn", "d", "nr", "c", "hi", "lo" };
            foreach (var n in new[] { AeSimd.AutoThreshold + 3, Long })
            {
                var rng = new Random(n);
                var g = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 0.9).ToArray();
                var theta = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1.1).ToArray();
                var scalar = Make(unit, n, StepKernel.Scalar);
                var simd = Make(unit, n, StepKernel.Simd, 2);
                var a = (double[])theta.Clone();
                var b = (double[])theta.Clone();
                scalar.Step(0, g, a);
                simd.Step(0, g, b);
                double Sig(IOptimizerLaw law, string name) => law.ReadSignal(law.SignalNames.ToList().IndexOf(name));

                double dot = BlockedSum(i => g[i] * theta[i], n), gg = BlockedSum(i => g[i] * g[i], n), tt = BlockedSum(i => theta[i] * theta[i], n);
                var blocked = new Dictionary<string, double>
                {
                    ["s"] = BlockedSum(i => g[i], n),
                    ["mn"] = BlockedSum(i => g[i] * g[i], n) / n,
                    ["d"] = dot,
                    ["nr"] = Math.Sqrt(tt),
                    ["c"] = dot / (Math.Sqrt(gg) * Math.Sqrt(tt)),
                    ["hi"] = g.Max(),
                    ["lo"] = theta.Min(),
                };
                foreach (var name in names)
                    Assert.True(BitConverter.DoubleToInt64Bits(blocked[name]) == BitConverter.DoubleToInt64Bits(Sig(simd, name)), $"{name} at n = {n}: SIMD {Sig(simd, name):R}, the documented order {blocked[name]:R}");

                // Against the element-order sum: |difference| <= 2 * gamma_n * sum|terms|, gamma_n = n u / (1 - n u) (Higham, 4.2), u = 2^-53.
                double u = Math.Pow(2, -53), gamma = n * u / (1 - n * u);
                void Within(string name, double absSum)
                {
                    double diff = Math.Abs(Sig(simd, name) - Sig(scalar, name));
                    Assert.True(diff <= 2 * gamma * absSum, $"{name}: |SIMD - scalar| = {diff:E3} > {2 * gamma * absSum:E3}");
                }
                Within("s", g.Sum(Math.Abs));
                Within("mn", g.Sum(x => x * x) / n);
                Within("d", g.Zip(theta, (x, y) => Math.Abs(x * y)).Sum());
                Assert.Equal(Sig(scalar, "hi"), Sig(simd, "hi"));
                Assert.Equal(Sig(scalar, "lo"), Sig(simd, "lo"));
                // The update itself is elementwise: the same bits.
                AssertBits(a, b, "theta");
            }
        }

        // ------------------------------------------------------------ threads

        [Theory]
        [InlineData("ae_sgdm.ae", "AeSgdm")]
        [InlineData("ae_adam.ae", "AeAdam")]
        [InlineData("ae_sgdm_phase.ae", "AeSgdmPhase")]
        public void The_bits_do_not_depend_on_the_number_of_threads(string file, string law)
        {
            var unit = Shipped(file, law);
            const int n = 8 * AeSimd.ChunkSize + 1;
            var runs = new[] { 1, 2, 7 }.Select(t => Make(unit, n, StepKernel.Simd, t)).ToList();
            var rng = new Random(3);
            var theta0 = Gradient(rng, n, false);
            var thetas = runs.Select(_ => (double[])theta0.Clone()).ToList();
            for (int step = 0; step < 25; step++)
            {
                var g = Gradient(rng, n, step == 3);
                for (int r = 0; r < runs.Count; r++) runs[r].Step(2.0 / (step + 1), g, thetas[r]);
            }
            for (int r = 1; r < runs.Count; r++)
            {
                AssertBits(thetas[0], thetas[r], "theta, threads run " + r);
                AssertBits(Signals(runs[0]), Signals(runs[r]), "signals, threads run " + r);
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-3)]
        public void A_thread_cap_below_one_is_refused_where_it_is_set(int threads)
        {
            var law = Make(Shipped("ae_sgdm.ae", "AeSgdm"), 16, StepKernel.Auto, 2);
            var property = law.GetType().GetProperty("MaxThreads")!;
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            {
                try { property.SetValue(law, threads); }
                catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
            });
            Assert.Equal("MaxThreads", error.ParamName);
            Assert.Equal(threads, error.ActualValue);
            Assert.Equal(2, property.GetValue(law));                                          // kept
        }

        // ------------------------------------------------------------ draws

        private const string Draws = @"law Draws ""draws of every shape, visible in theta"" {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state m: real[n] = 0;
  signal z = 0, s = 0;
  rule draw {
    z = noise();
    s = loss > 0.5 ? sum(noise(n) * grad) : 0;
  }
  update {
    m' = 0.5 * m + noise(n) + noise();
    theta' = theta - 0.01 * grad + (loss < 1 ? 0.1 * noise(n) : 0) + 0.01 * z + m';
  }
}";

        [Fact]
        public void Draws_are_the_interpreters_with_every_kernel_and_thread_count()
        {
            // Two chunks per thread and a tail: the draws of every chunk are functions of their elements, so
            // the thread that runs a chunk and the order of the chunks change nothing.
            const int n = 4 * AeSimd.ChunkSize + 5;
            var unit = Unit(Draws);
            var laws = new[] { Make(unit, n, StepKernel.Scalar), Make(unit, n, StepKernel.Simd, 1), Make(unit, n, StepKernel.Simd, 2), Make(unit, n, StepKernel.Simd, 7) };
            var rng = new Random(8);
            var theta0 = Gradient(rng, n, false);
            var interp = new Eval.Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, initialState: new Dictionary<string, double[]> { ["theta"] = theta0 }, seed: 5);
            var thetas = laws.Select(_ => (double[])theta0.Clone()).ToList();
            for (int step = 1; step <= 6; step++)
            {
                double loss = step % 3 == 0 ? 0.2 : 1.5 - step * 0.2;   // both sides of 0.5 and 1: draws on and off
                var g = Gradient(rng, n, false);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = g });
                for (int l = 0; l < laws.Length; l++)
                {
                    laws[l].Step(loss, g, thetas[l]);
                    // Elementwise values: bit for bit the interpreter's. The sum s is exact only in the scalar kernel.
                    AssertBits(interp.Get("theta"), thetas[l], $"theta at step {step}, law {l}");
                }
                Assert.Equal(AE.Runtime.CounterNoise.Gaussian(5, (ulong)step, 1, 0), interp.Scalar("z"));
                Assert.Equal(loss > 0.5, interp.Scalar("s") != 0);
            }
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_reduction_repeated_across_statements_gives_the_interpreters_values(bool again)
        {
            const int n = 2 * AeSimd.ChunkSize + 3;
            var unit = Unit(TestLaws.RepeatedReduction);
            var laws = new[] { Make(unit, n, StepKernel.Scalar), Make(unit, n, StepKernel.Simd, 1), Make(unit, n, StepKernel.Simd, 2) };
            var rng = new Random(12);
            var theta0 = Gradient(rng, n, false);
            var interp = new Eval.Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, initialState: new Dictionary<string, double[]> { ["theta"] = theta0 },
                ablated: again ? null : new[] { "again" }, seed: 5);
            var thetas = laws.Select(_ => (double[])theta0.Clone()).ToList();
            foreach (var law in laws) law.SetRule("again", again);
            for (int step = 1; step <= 5; step++)
            {
                var g = Gradient(rng, n, false);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { 1.0 }, ["grad"] = g });
                for (int l = 0; l < laws.Length; l++)
                {
                    laws[l].Step(1.0, g, thetas[l]);
                    for (int i = 0; i < n; i++) Assert.True(Math.Abs(interp.Get("theta")[i] - thetas[l][i]) <= 1e-12 * (1 + Math.Abs(thetas[l][i])), $"theta[{i}] at step {step}, law {l}");
                    foreach (var name in new[] { "a", "b", "c", "d", "e" })
                    {
                        double want = interp.Scalar(name), got = laws[l].ReadSignal(laws[l].SignalNames.ToList().IndexOf(name));
                        Assert.True(Math.Abs(want - got) <= 1e-12 * (1 + Math.Abs(want)), $"{name} at step {step}, law {l}: {got} against the interpreter's {want}");
                    }
                }
            }
        }

        // ------------------------------------------------------------ a whole run

        [Theory]
        [InlineData("ae_sgdm.ae", "AeSgdm")]
        [InlineData("ae_adam.ae", "AeAdam")]
        [InlineData("ae_sgdm_phase.ae", "AeSgdmPhase")]
        public void A_run_stays_within_a_relative_1e_9_of_the_scalar_one(string file, string law)
        {
            // Reordered sums differ by ulps per step; the controllers damp such differences rather than
            // amplify them, so 150 steps later coefficients and parameters agree to 1e-9 (observed: ~1e-14).
            var unit = Shipped(file, law);
            const int n = 2 * AeSimd.ChunkSize + 3;
            var scalar = Make(unit, n, StepKernel.Scalar);
            var simd = Make(unit, n, StepKernel.Simd, 2);
            var rng = new Random(9);
            var center = Gradient(rng, n, false);
            var a = new double[n];
            var b = new double[n];
            for (int step = 0; step < 150; step++)
            {
                // a quadratic bowl around 'center': loss and gradient from the current parameters
                var g = new double[n];
                double loss = 0;
                for (int i = 0; i < n; i++) { g[i] = a[i] - center[i]; loss += 0.5 * g[i] * g[i]; }
                scalar.Step(loss, g, a);
                simd.Step(loss, g, b);
            }
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-9 * Math.Max(1, Math.Abs(a[i])), $"theta[{i}]: {a[i]:R} vs {b[i]:R}");
            var sa = Signals(scalar);
            var sb = Signals(simd);
            for (int i = 0; i < sa.Length; i++)
                Assert.True(Math.Abs(sa[i] - sb[i]) <= 1e-9 * Math.Max(1e-3, Math.Abs(sa[i])) || sa[i].Equals(sb[i]), $"{scalar.SignalNames[i]}: {sa[i]:R} vs {sb[i]:R}");
        }
    }

    [CollectionDefinition(nameof(SimdAllocationTests), DisableParallelization = true)]
    public class SimdAllocationCollection { }

    /// <summary>Alone in its collection: the workers are shared, so no other test's step may run on them meanwhile.</summary>
    [Collection(nameof(SimdAllocationTests))]
    public class SimdAllocationTests
    {
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_threaded_SIMD_step_allocates_nothing(bool useFloat)
        {
            var f = new Text.SourceFile("laws/ae_sgdm.ae", File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae")));
            var unit = AeCompiler.Check(f).Program!.Units[0];
            var type = EmittedLaw.Compile(CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" }), "Alloc").GetType("AE.Laws.AeSgdm")!;
            const int n = 6 * AeSimd.ChunkSize + 5;
            var law = (IOptimizerLaw)Activator.CreateInstance(type, n, null, 1UL)!;
            type.GetProperty("MaxThreads")!.SetValue(law, 2);
            var g = Enumerable.Range(0, n).Select(i => Math.Sin(i) * 0.1).ToArray();
            var theta = new double[n];
            var gf = g.Select(x => (float)x).ToArray();
            var thetaf = new float[n];
            void Steps(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    if (useFloat) law.Step(1.0f / (i + 1), gf, thetaf);
                    else law.Step(1.0 / (i + 1), g, theta);
                }
            }
            Steps(3);   // first steps make the jobs and start the workers
            // The runtime may allocate on a thread now and then (tiered compilation's timer, under load); an
            // allocation of the step would show in every run, so the least of three runs must be 0, as elsewhere.
            var stepping = new long[3];
            var workers = new long[3];
            for (int run = 0; run < 3; run++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread(), workersBefore = AeWorkers.WorkerAllocatedBytes;
                Steps(50);
                stepping[run] = GC.GetAllocatedBytesForCurrentThread() - before;
                workers[run] = AeWorkers.WorkerAllocatedBytes - workersBefore;
            }
            Assert.Equal(0, stepping.Min());
            Assert.Equal(0, workers.Min());
        }
    }
}
