using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AE.Runtime.Simd
{
    /// <summary>
    /// Lane-wise helpers for the generated SIMD passes. Every helper gives, in each lane, the bits
    /// the scalar code (<see cref="AeMath"/>, <see cref="Math"/>) gives for that lane: arithmetic,
    /// square roots, comparisons, min and max are IEEE operations in both; functions without an exact
    /// vector form (exp, log, tanh, ...) are applied lane by lane with the scalar function.
    /// </summary>
    public static unsafe class AeSimd
    {
        /// <summary>Lanes per vector: the generated loops step by this.</summary>
        public const int Width = 4;

        /// <summary>Elements per chunk: the fixed partition behind the deterministic reductions (a multiple of <see cref="Width"/>).</summary>
        public const int ChunkSize = 16384;

        /// <summary>
        /// Vectors at least this long take the SIMD loops under <see cref="StepKernel.Auto"/>. Measured on AE-SGDm
        /// (docs/results.md): at 32 elements both loops cost the same, at 100 the SIMD loop is 2x faster, at 1,000 6x;
        /// below the threshold the scalar loops keep the reference interpreter's bits at about the same speed.
        /// </summary>
        public const int AutoThreshold = 128;

        /// <summary>Chunks from which a pass is spread over threads: fewer do not pay for the hand-off.</summary>
        public const int ParallelChunks = 4;

        public static bool UseSimd(StepKernel kernel, int length) => kernel == StepKernel.Simd || (kernel == StepKernel.Auto && length >= AutoThreshold);

        /// <summary>Threads for a pass of <paramref name="chunks"/> chunks; a pass that draws noise runs on one, in element order.</summary>
        public static int Threads(int maxThreads, int chunks, bool drawsNoise) => drawsNoise || chunks < ParallelChunks ? 1 : maxThreads;

        /// <summary>Chunks of <see cref="ChunkSize"/> covering <paramref name="length"/> elements.</summary>
        public static int Chunks(int length) => (int)(((long)length + ChunkSize - 1) / ChunkSize);

        // ------------------------------------------------------------ loads and stores

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(double* p) => Vector256.Load(p);

        /// <summary>Four floats widened to doubles, exactly as (double)x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(float* p)
        {
            if (Avx.IsSupported) return Avx.ConvertToVector256Double(Vector128.Load(p));
            return Vector256.Create((double)p[0], p[1], p[2], p[3]);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> v, double* p) => v.Store(p);

        /// <summary>Four doubles rounded to floats (to nearest, ties to even), exactly as (float)x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> v, float* p)
        {
            if (Avx.IsSupported) { Avx.ConvertToVector128Single(v).Store(p); return; }
            p[0] = (float)v.GetElement(0); p[1] = (float)v.GetElement(1); p[2] = (float)v.GetElement(2); p[3] = (float)v.GetElement(3);
        }

        // ------------------------------------------------------------ masks and reductions

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Mask(bool b) => b ? Vector256<double>.AllBitsSet : Vector256<double>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Not(Vector256<double> mask) => ~mask;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Select(Vector256<double> mask, Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(mask, a, b);

        /// <summary>The lanes' sum in a fixed order: (l0 + l1) + (l2 + l3).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sum(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double MaxLane(Vector256<double> v) => Math.Max(Math.Max(v.GetElement(0), v.GetElement(1)), Math.Max(v.GetElement(2), v.GetElement(3)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double MinLane(Vector256<double> v) => Math.Min(Math.Min(v.GetElement(0), v.GetElement(1)), Math.Min(v.GetElement(2), v.GetElement(3)));

        // ------------------------------------------------------------ exact lane-wise math

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.Max(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Min(Vector256<double> a, Vector256<double> b) => Vector256.Min(a, b);

        /// <summary><see cref="AeMath.Clamp"/>: min(max(x, lo), hi).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Clamp(Vector256<double> x, Vector256<double> lo, Vector256<double> hi) => Vector256.Min(Vector256.Max(x, lo), hi);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Abs(Vector256<double> x) => Vector256.Abs(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Sqrt(Vector256<double> x) => Vector256.Sqrt(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Relu(Vector256<double> x) => Vector256.Max(x, Vector256<double>.Zero);

        /// <summary>A lane mask: not NaN and not infinite (|x| &lt; inf).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> IsFinite(Vector256<double> x) => Vector256.LessThan(Vector256.Abs(x), Vector256.Create(double.PositiveInfinity));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> FiniteOr(Vector256<double> x, Vector256<double> alt) => Vector256.ConditionalSelect(IsFinite(x), x, alt);

        /// <summary><see cref="AeMath.Sanitize"/>: NaN to 0, +inf to lim, -inf to -lim.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Sanitize(Vector256<double> x, Vector256<double> lim)
        {
            var inf = Vector256.Create(double.PositiveInfinity);
            var r = Vector256.ConditionalSelect(Vector256.Equals(x, inf), lim, x);
            r = Vector256.ConditionalSelect(Vector256.Equals(x, -inf), -lim, r);
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), r, Vector256<double>.Zero);
        }

        /// <summary><see cref="AeMath.Sign"/>: -1, 0 or 1, NaN for NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Sign(Vector256<double> x) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), Vector256.Create(1.0),
                Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), Vector256.Create(-1.0),
                    Vector256.ConditionalSelect(Vector256.Equals(x, x), Vector256<double>.Zero, x)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Lerp(Vector256<double> a, Vector256<double> b, Vector256<double> w) => a + (b - a) * w;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> SoftAbs(Vector256<double> x, Vector256<double> eps) => Vector256.Sqrt(x * x + eps * eps);

        // ------------------------------------------------------------ lane by lane, with the scalar function

        public static Vector256<double> Tanh(Vector256<double> x) => Vector256.Create(Math.Tanh(x.GetElement(0)), Math.Tanh(x.GetElement(1)), Math.Tanh(x.GetElement(2)), Math.Tanh(x.GetElement(3)));
        public static Vector256<double> Exp(Vector256<double> x) => Vector256.Create(Math.Exp(x.GetElement(0)), Math.Exp(x.GetElement(1)), Math.Exp(x.GetElement(2)), Math.Exp(x.GetElement(3)));
        public static Vector256<double> Log(Vector256<double> x) => Vector256.Create(Math.Log(x.GetElement(0)), Math.Log(x.GetElement(1)), Math.Log(x.GetElement(2)), Math.Log(x.GetElement(3)));
        public static Vector256<double> Sin(Vector256<double> x) => Vector256.Create(Math.Sin(x.GetElement(0)), Math.Sin(x.GetElement(1)), Math.Sin(x.GetElement(2)), Math.Sin(x.GetElement(3)));
        public static Vector256<double> Cos(Vector256<double> x) => Vector256.Create(Math.Cos(x.GetElement(0)), Math.Cos(x.GetElement(1)), Math.Cos(x.GetElement(2)), Math.Cos(x.GetElement(3)));
        public static Vector256<double> Pow(Vector256<double> x, Vector256<double> y) => Vector256.Create(Math.Pow(x.GetElement(0), y.GetElement(0)), Math.Pow(x.GetElement(1), y.GetElement(1)), Math.Pow(x.GetElement(2), y.GetElement(2)), Math.Pow(x.GetElement(3), y.GetElement(3)));
        public static Vector256<double> Sigmoid(Vector256<double> x) => Vector256.Create(AeMath.Sigmoid(x.GetElement(0)), AeMath.Sigmoid(x.GetElement(1)), AeMath.Sigmoid(x.GetElement(2)), AeMath.Sigmoid(x.GetElement(3)));
        public static Vector256<double> Softplus(Vector256<double> x) => Vector256.Create(AeMath.Softplus(x.GetElement(0)), AeMath.Softplus(x.GetElement(1)), AeMath.Softplus(x.GetElement(2)), AeMath.Softplus(x.GetElement(3)));
        public static Vector256<double> Log1p(Vector256<double> x) => Vector256.Create(AeMath.Log1p(x.GetElement(0)), AeMath.Log1p(x.GetElement(1)), AeMath.Log1p(x.GetElement(2)), AeMath.Log1p(x.GetElement(3)));

        public static Vector256<double> SoftClamp(Vector256<double> x, Vector256<double> lo, Vector256<double> hi) => Vector256.Create(
            AeMath.SoftClamp(x.GetElement(0), lo.GetElement(0), hi.GetElement(0)), AeMath.SoftClamp(x.GetElement(1), lo.GetElement(1), hi.GetElement(1)),
            AeMath.SoftClamp(x.GetElement(2), lo.GetElement(2), hi.GetElement(2)), AeMath.SoftClamp(x.GetElement(3), lo.GetElement(3), hi.GetElement(3)));

        public static Vector256<double> SmoothMax(Vector256<double> a, Vector256<double> b, Vector256<double> k) => Vector256.Create(
            AeMath.SmoothMax(a.GetElement(0), b.GetElement(0), k.GetElement(0)), AeMath.SmoothMax(a.GetElement(1), b.GetElement(1), k.GetElement(1)),
            AeMath.SmoothMax(a.GetElement(2), b.GetElement(2), k.GetElement(2)), AeMath.SmoothMax(a.GetElement(3), b.GetElement(3), k.GetElement(3)));

        public static Vector256<double> SmoothMin(Vector256<double> a, Vector256<double> b, Vector256<double> k) => Vector256.Create(
            AeMath.SmoothMin(a.GetElement(0), b.GetElement(0), k.GetElement(0)), AeMath.SmoothMin(a.GetElement(1), b.GetElement(1), k.GetElement(1)),
            AeMath.SmoothMin(a.GetElement(2), b.GetElement(2), k.GetElement(2)), AeMath.SmoothMin(a.GetElement(3), b.GetElement(3), k.GetElement(3)));

        /// <summary>Four draws in lane order: the same draws, in the same order, as four scalar calls.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Gaussian(ref GaussianSource rng)
        {
            double a = rng.NextGaussian(), b = rng.NextGaussian(), c = rng.NextGaussian(), d = rng.NextGaussian();
            return Vector256.Create(a, b, c, d);
        }
    }
}
