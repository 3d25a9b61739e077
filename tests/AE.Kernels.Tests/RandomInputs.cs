using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Experiments.Replay;
using AE.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace AE.Kernels.Tests
{
    /// <summary>The random steps the device laws are held to their references on (shared by the OpenCL and ILGPU hosts' tests).</summary>
    internal static class RandomInputs
    {
        /// <summary>The device hosts' bound against the interpreter in double: |a - b| &lt;= Rel |b| + AbsScale s (see OpenClLawTests).</summary>
        public const double Rel = 1e-11, AbsScale = 1e-14;

        /// <summary>The bound of a float step against the C# float step: scalars FloatRel (+ AbsScale s), vectors FloatRel + FloatAbsScale s.</summary>
        public const double FloatRel = 1e-5, FloatAbsScale = 1e-7;

        /// <summary>A law that only draws: a scalar draw (site 1), a vector draw (site 2), and a scalar draw inside a vector expression (site 3, times 0).</summary>
        public const string NoisyLaw = @"law Noisy {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  signal z: real;
  update ""draw"" {
    z = noise();
    theta' = theta + noise(n) + 0 * noise();
  }
}";

        /// <summary>A gradient with a scale that changes every step, zero-mean or not, now and then NaN or infinite elements.</summary>
        public static double[] Gradient(Random rng, int n, int step)
        {
            double scale = Math.Pow(10, rng.NextDouble() * 4 - 3);
            double offset = step % 3 == 0 ? 0 : rng.NextDouble() - 0.5;
            var g = new double[n];
            for (int i = 0; i < n; i++) g[i] = scale * (Normal(rng) + offset);
            if (step == 17) g[rng.Next(n)] = double.NaN;
            if (step == 23) g[rng.Next(n)] = double.PositiveInfinity;
            if (step == 29) g[rng.Next(n)] = 5e6; // beyond grad_emergency: the brake
            return g;
        }

        public static double Loss(Random rng, double previous, int step) => step == 31 ? double.NaN : previous * 0.97 + 0.02 * (rng.NextDouble() - 0.5);

        public static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

        /// <summary>
        /// Steps <paramref name="law"/> (built with <paramref name="ps"/> and <paramref name="seed"/>) and the reference interpreter
        /// side by side from the same random start: every readable scalar and theta at every step, and the law's own vectors
        /// at the end (<paramref name="readVector"/>), go into <paramref name="cmp"/>.
        /// </summary>
        public static void AgainstInterpreter(IrUnit unit, int n, int seed, IReadOnlyDictionary<string, double> ps, IOptimizerLaw law,
            Action<string, double[]> readVector, Comparison cmp, int steps)
        {
            var rng = new Random(seed);
            var theta0 = Enumerable.Range(0, n).Select(_ => Normal(rng)).ToArray();
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, ps.ToDictionary(kv => kv.Key, kv => new[] { kv.Value }),
                new Dictionary<string, double[]> { ["theta"] = theta0 }, seed: (ulong)seed);
            var theta = (double[])theta0.Clone();
            double loss = 1;
            for (int step = 1; step <= steps; step++)
            {
                var grad = Gradient(rng, n, step);
                loss = Loss(rng, double.IsNaN(loss) ? 1 : loss, step);
                law.Step(loss, grad, theta);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                for (int s = 0; s < law.SignalNames.Count; s++) cmp.Add(law.SignalNames[s], step, law.ReadSignal(s), interp.Scalar(law.SignalNames[s]));
                var expected = interp.Get("theta");
                for (int i = 0; i < n; i++) cmp.Add("theta", step, theta[i], expected[i]);
            }
            Assert.Equal(steps, law.StepCount);
            foreach (var state in unit.States.Where(s => !s.Type.IsScalar && s.Init != null))
            {
                var actual = new double[n];
                readVector(state.Name, actual);
                var expected = interp.Get(state.Name);
                for (int i = 0; i < n; i++) cmp.Add(state.Name, steps, actual[i], expected[i]);
            }
            if (ps.TryGetValue("sigma_min", out var sigmaMin) && sigmaMin > 0) Assert.True(interp.Scalar("sigma") >= sigmaMin, "the noise law keeps drawing");
        }

        /// <summary>
        /// Steps a float <paramref name="law"/> and the C# backend's <paramref name="reference"/> side by side for
        /// <paramref name="steps"/> random steps; the readable scalars go into <paramref name="scalars"/>, theta into <paramref name="vectors"/>.
        /// </summary>
        public static void AgainstCSharpFloat(int n, int seed, IOptimizerLaw law, IOptimizerLaw reference, Comparison scalars, Comparison vectors, int steps)
        {
            var rng = new Random(seed);
            var theta = Enumerable.Range(0, n).Select(_ => (float)Normal(rng)).ToArray();
            var expectedTheta = (float[])theta.Clone();
            double loss = 1;
            for (int step = 1; step <= steps; step++)
            {
                var grad = Gradient(rng, n, step).Select(x => (float)x).ToArray();
                loss = Loss(rng, double.IsNaN(loss) ? 1 : loss, step);
                law.Step((float)loss, grad, theta);
                reference.Step((float)loss, grad, expectedTheta);
                for (int s = 0; s < law.SignalNames.Count; s++) scalars.Add(law.SignalNames[s], step, law.ReadSignal(s), reference.ReadSignal(s));
                for (int i = 0; i < n; i++) vectors.Add("theta", step, theta[i], expectedTheta[i]);
            }
        }
    }

    /// <summary>Collects each quantity's reference values and the device's, then checks them against the bound.</summary>
    internal sealed class Comparison
    {
        private readonly Dictionary<string, List<(int Step, double Actual, double Expected)>> _values = new(StringComparer.Ordinal);

        public void Add(string quantity, int step, double actual, double expected)
        {
            if (!_values.TryGetValue(quantity, out var list)) _values[quantity] = list = new();
            list.Add((step, actual, expected));
        }

        /// <summary>The worst ratio of deviation to allowance (≤ 1 passes) and where it is.</summary>
        public (double Ratio, string Where) Worst(double rel, double absScale)
        {
            double worst = 0;
            string where = "nothing compared";
            foreach (var (quantity, list) in _values)
            {
                double scale = list.Max(v => double.IsFinite(v.Expected) ? Math.Abs(v.Expected) : 0);
                foreach (var (step, actual, expected) in list)
                {
                    double dev = Deviation.Absolute(actual, expected);
                    double allowed = rel * Math.Abs(expected) + absScale * scale;
                    double ratio = dev == 0 ? 0 : allowed == 0 || double.IsInfinity(dev) ? double.PositiveInfinity : dev / allowed;
                    if (ratio > worst || where == "nothing compared")
                    {
                        if (ratio >= worst) { worst = ratio; where = $"{quantity} at step {step}: {actual:R} against {expected:R}"; }
                    }
                }
            }
            return (worst, where);
        }

        public void AssertWithin(double rel, double absScale, ITestOutputHelper output, string what)
        {
            var (ratio, where) = Worst(rel, absScale);
            output.WriteLine($"{what}: worst deviation {ratio:E2} of the allowance, {where}");
            Assert.True(ratio <= 1, $"{what}: out of bound by {ratio:E2}x at {where}");
        }
    }
}
