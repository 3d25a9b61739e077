using System;
using System.Numerics;
using System.Reflection;
using AE.Benchmarks.Laws;

namespace AE.Benchmarks
{
    /// <summary>Which settings a benchmark steps the law with.</summary>
    public enum LawConfig
    {
        /// <summary>
        /// The defaults of laws/ae_sgdm.ae. The law draws a Gaussian per element whenever sigma > 0, and
        /// from step 1 on sigma is about 1e-16 (AE3 lifts it off 0), so every step draws n normals.
        /// </summary>
        Defaults,

        /// <summary>sigma_max = 0: sigma stays 0 and no noise is drawn, leaving the memory traffic.</summary>
        SigmaMax0,
    }

    /// <summary>The inputs every benchmark and the agreement test share.</summary>
    public static class BenchInputs
    {
        /// <summary>Losses cycle through this many values (a power of two, so the index is a mask).</summary>
        public const int LossPeriod = 1024;

        public static AeSgdm.Options Options(LawConfig config) => config == LawConfig.SigmaMax0
            ? new AeSgdm.Options { sigma_max = 0.0 }
            : new AeSgdm.Options();

        /// <summary>A fixed vector of standard normals scaled by <paramref name="scale"/>.</summary>
        public static T[] Random<T>(int n, int seed, double scale) where T : IBinaryFloatingPointIeee754<T>
        {
            var random = new Random(seed);
            var values = new T[n];
            for (int i = 0; i < n; i++)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                values[i] = T.CreateTruncating(scale * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
            }
            return values;
        }

        /// <summary>
        /// A slowly varying loss (one period of a sine around 1 over <see cref="LossPeriod"/> steps), so the
        /// trend and variance filters see realistic, non-constant input and no emergency path triggers.
        /// </summary>
        public static T[] Losses<T>() where T : IBinaryFloatingPointIeee754<T>
        {
            var losses = new T[LossPeriod];
            for (int i = 0; i < LossPeriod; i++) losses[i] = T.CreateTruncating(1.0 + 0.1 * Math.Sin(2.0 * Math.PI * i / LossPeriod));
            return losses;
        }
    }

    /// <summary>
    /// The generated law's <c>MaxThreads</c> (1: the step runs on the calling thread), looked up by reflection
    /// so this project builds against an emitter that has it and one that has not.
    /// </summary>
    public static class LawThreads
    {
        private static readonly PropertyInfo? Property = typeof(AeSgdm).GetProperty("MaxThreads", BindingFlags.Public | BindingFlags.Instance);

        /// <summary>Whether the generated law can step on more than one thread.</summary>
        public static bool Supported => Property is { CanWrite: true } && Property.PropertyType == typeof(int);

        /// <summary>Sets <c>MaxThreads</c> when the law has it; the threads the law will use (1 without it).</summary>
        public static int Set(object law, int threads)
        {
            if (!Supported) return 1;
            Property!.SetValue(law, threads);
            return (int)Property.GetValue(law)!;
        }

        /// <summary>1, 2, 4, ... up to the processor count (and the processor count itself); just 1 without <c>MaxThreads</c>.</summary>
        public static int[] Counts()
        {
            if (!Supported) return new[] { 1 };
            var counts = new System.Collections.Generic.List<int>();
            for (int t = 1; t < Environment.ProcessorCount; t *= 2) counts.Add(t);
            counts.Add(Environment.ProcessorCount);
            return counts.ToArray();
        }
    }
}
