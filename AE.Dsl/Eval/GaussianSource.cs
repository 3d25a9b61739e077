using System;

namespace AE.Dsl.Eval
{
    /// <summary>
    /// Standard normal draws: xoshiro256** seeded by splitmix64, Box–Muller with one draw per call
    /// (the cosine branch), so the sequence depends only on the seed and the number of draws.
    /// The same algorithm as AE.Runtime.GaussianSource, which generated code uses; a test keeps them equal.
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
