using System;
using System.Runtime.CompilerServices;

namespace AE.Runtime
{
    /// <summary>
    /// The scalar functions and filter updates generated laws call. Each matches the language's
    /// reference semantics (AE.Dsl's interpreter) operation for operation, so a generated law and
    /// the interpreter agree to the last bit.
    /// </summary>
    public static class AeMath
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Softplus(double x) => x > 20 ? x : x < -20 ? Math.Exp(x) : Log1p(Math.Exp(x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Log1p(double x)
        {
            // Goldberg's log1p: exact to a few ulps, as the seed's math.log1p.
            double u = 1.0 + x;
            return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Clamp(double x, double lo, double hi) => Math.Min(Math.Max(x, lo), hi);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double SoftClamp(double x, double lo, double hi) => lo + (hi - lo) * Sigmoid(4 * (x - 0.5 * (lo + hi)) / (hi - lo));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double SoftAbs(double x, double eps) => Math.Sqrt(x * x + eps * eps);

        public static double SmoothMax(double a, double b, double k)
        {
            double m = Math.Max(a, b);
            return m + Math.Log(Math.Exp(k * (a - m)) + Math.Exp(k * (b - m))) / k;
        }

        public static double SmoothMin(double a, double b, double k)
        {
            double m = Math.Min(a, b);
            return m - Math.Log(Math.Exp(-k * (a - m)) + Math.Exp(-k * (b - m))) / k;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Lerp(double a, double b, double w) => a + (b - a) * w;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Relu(double x) => Math.Max(x, 0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsFinite(double x) => !double.IsNaN(x) && !double.IsInfinity(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double FiniteOr(double x, double alt) => IsFinite(x) ? x : alt;

        /// <summary>torch.nan_to_num(x, 0, lim, -lim).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sanitize(double x, double lim) => double.IsNaN(x) ? 0 : double.IsPositiveInfinity(x) ? lim : double.IsNegativeInfinity(x) ? -lim : x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sign(double x) => double.IsNaN(x) ? double.NaN : Math.Sign(x);   // Math.Sign throws on NaN

        /// <summary>The seed's bias-corrected EMA (_EMA.update): the first value passes through.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Ema(ref double m, ref long count, double beta, double x)
        {
            if (count == 0) { m = x; count = 1; return x; }
            count++;
            double correction = Math.Max(1.0 - Math.Pow(beta, count), 1e-12);
            m = beta * m + (1.0 - beta) * x;
            return m / correction;
        }

        /// <summary>Plain low-pass, starting at the first value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Lp(ref double m, ref long count, double beta, double x)
        {
            if (count == 0) { m = x; count = 1; return x; }
            count++;
            m = beta * m + (1.0 - beta) * x;
            return m;
        }

        /// <summary>The previous value at this call site, <paramref name="init"/> at the first step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Prev(ref double last, ref long count, double x, double init)
        {
            double result = count == 0 ? init : last;
            last = x;
            count = 1;
            return result;
        }

        /// <summary><paramref name="before"/> until <paramref name="condition"/> first holds; the value at that step from then on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Latch(ref double held, ref long latched, bool condition, double value, double before)
        {
            if (latched != 0) return held;
            if (condition) { latched = 1; held = value; return value; }
            return before;
        }
    }

    /// <summary>
    /// Standard normal draws: xoshiro256** seeded by splitmix64, Box–Muller with one draw per call
    /// (the cosine branch), so the sequence depends only on the seed and the number of draws. A
    /// sequential stream for the tasks' problems and minibatches; the language's noise() is
    /// <see cref="CounterNoise"/>.
    /// </summary>
    public struct GaussianSource
    {
        private ulong _s0, _s1, _s2, _s3;

        public GaussianSource(ulong seed)
        {
            ulong x = seed;
            _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        }

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        private static ulong Rotl(ulong x, int k) => (x << k) | (x >> (64 - k));

        /// <summary>The generator's four words: with <see cref="FromState"/>, a stream saved and continued where it stood.</summary>
        public readonly void GetState(Span<ulong> state)
        {
            if (state.Length != 4) throw new ArgumentException("the state of a GaussianSource is 4 words", nameof(state));
            state[0] = _s0; state[1] = _s1; state[2] = _s2; state[3] = _s3;
        }

        /// <summary>The stream whose state <see cref="GetState"/> wrote.</summary>
        public static GaussianSource FromState(ReadOnlySpan<ulong> state)
        {
            if (state.Length != 4) throw new ArgumentException("the state of a GaussianSource is 4 words", nameof(state));
            var source = default(GaussianSource);
            source._s0 = state[0]; source._s1 = state[1]; source._s2 = state[2]; source._s3 = state[3];
            return source;
        }

        public ulong NextUInt64()
        {
            ulong result = Rotl(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t; _s3 = Rotl(_s3, 45);
            return result;
        }

        /// <summary>Uniform in (0, 1]: never 0, so log is finite.</summary>
        public double NextUniform() => ((NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0);

        public double NextGaussian()
        {
            double u1 = NextUniform(), u2 = NextUniform();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
