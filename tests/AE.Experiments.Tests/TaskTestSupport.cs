using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using AE.Experiments.Tasks;
using AE.Runtime;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>Central finite differences against a task's gradient.</summary>
    internal static class FiniteDifferences
    {
        /// <summary>
        /// Checks the gradient <paramref name="evaluate"/> writes at <paramref name="theta"/> against
        /// (f(θ + h e_i) − f(θ − h e_i)) / 2h for every coordinate in <paramref name="coordinates"/> (all when null).
        /// </summary>
        public delegate double Evaluate(ReadOnlySpan<double> theta, Span<double> grad);

        public static void Check(Evaluate evaluate, double[] theta, double tolerance = 1e-6, IEnumerable<int>? coordinates = null, string what = "")
        {
            int n = theta.Length;
            var grad = new double[n];
            var scratch = new double[n];
            evaluate(theta, grad);
            double scale = 1;
            foreach (double g in grad) scale = Math.Max(scale, Math.Abs(g));
            var point = (double[])theta.Clone();
            foreach (int i in coordinates ?? Range(n))
            {
                double h = 1e-6 * Math.Max(1, Math.Abs(theta[i]));
                point[i] = theta[i] + h;
                double up = evaluate(point, scratch);
                point[i] = theta[i] - h;
                double down = evaluate(point, scratch);
                point[i] = theta[i];
                double fd = (up - down) / (2 * h);
                Assert.True(Math.Abs(fd - grad[i]) <= tolerance * scale,
                    $"{what} d/dθ[{i}]: analytic {grad[i]:R}, finite difference {fd:R} (tolerance {tolerance * scale:G3})");
            }
        }

        private static IEnumerable<int> Range(int n)
        {
            for (int i = 0; i < n; i++) yield return i;
        }

        /// <summary>The task's start point for a seed.</summary>
        public static double[] Start(ITask task, ulong seed = 0)
        {
            var theta = new double[task.Dimension];
            task.InitialTheta(seed, theta);
            return theta;
        }
    }

    /// <summary>
    /// A fact that needs Fashion-MNIST (Debian package dataset-fashion-mnist). Skipped when the files
    /// are missing on a developer's machine; under CI (CI=true) it always runs, so a missing data set
    /// fails the build instead of silently skipping (.ci/run installs the package).
    /// </summary>
    public sealed class FashionMnistFactAttribute : FactAttribute
    {
        public FashionMnistFactAttribute()
        {
            if (!FashionMnist.IsAvailable() && !IsCi)
                Skip = "Fashion-MNIST not installed (apt-get install " + FashionMnist.DebianPackage + "); runs, and fails, under CI=true";
        }

        public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Allocation measurement: the measured loop is compiled fully optimised from its first call.</summary>
    internal static class Allocation
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        public static long StepsDouble(IOptimizerLaw law, double[] grad, double[] theta, int steps)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++)
            {
                grad[i % grad.Length] += 1e-3;
                law.Step(0.5, grad, theta);
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        public static long StepsFloat(IOptimizerLaw law, float[] grad, float[] theta, int steps)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++)
            {
                grad[i % grad.Length] += 1e-3f;
                law.Step(0.5f, grad, theta);
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        public static long Evaluations(ITask task, double[] theta, double[] grad, int calls)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) task.Evaluate(theta, grad, i);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
