using System;
using System.Collections.Generic;
using System.Linq;
using AE.Experiments.Replay;
using Xunit;
using Xunit.Abstractions;

namespace AE.Kernels.Tests
{
    /// <summary>The random steps the device laws are held to their references on (shared by the OpenCL and ILGPU hosts' tests).</summary>
    internal static class RandomInputs
    {
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
