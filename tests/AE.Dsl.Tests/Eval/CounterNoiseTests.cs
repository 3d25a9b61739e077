using System;
using System.Collections.Generic;
using AE.Dsl.Eval;
using Xunit;
using Xunit.Abstractions;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The counter-based draws behind noise() (<see cref="CounterNoise"/>): Philox4x32-10 against Random123's known
    /// answers, the transform's edge cases and accuracy, the two compiled copies (AE.Dsl, AE.Runtime) against each
    /// other, and the draws' distribution. The accuracy bounds are those the class comment states.
    /// </summary>
    public class CounterNoiseTests
    {
        private readonly ITestOutputHelper _output;

        public CounterNoiseTests(ITestOutputHelper output) => _output = output;

        /// <summary>
        /// Random123's known-answer vectors for philox4x32 with 10 rounds: tests/kat_vectors of
        /// https://github.com/DEShawResearch/random123 (commit 9545ff6413f258be2f04c1d319d99aaef7521150), lines 27-29,
        /// columns counter (4 words), key (2 words), expected output (4 words):
        /// <code>
        /// philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8
        /// philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd
        /// philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1
        /// </code>
        /// </summary>
        [Theory]
        [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
        [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
        [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
        public void Philox4x32_10_gives_Random123s_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
        {
            CounterNoise.Philox4x32_10(c0, c1, c2, c3, k0, k1, out uint r0, out uint r1, out uint r2, out uint r3);
            Assert.Equal(new[] { e0, e1, e2, e3 }, new[] { r0, r1, r2, r3 });
            AE.Runtime.CounterNoise.Philox4x32_10(c0, c1, c2, c3, k0, k1, out r0, out r1, out r2, out r3);
            Assert.Equal(new[] { e0, e1, e2, e3 }, new[] { r0, r1, r2, r3 });
        }

        [Fact]
        public void A_draw_is_Box_Muller_of_the_Philox_block_the_definition_names()
        {
            var rng = new Random(3);
            for (int n = 0; n < 2000; n++)
            {
                ulong seed = NextULong(rng), step = NextULong(rng);
                int site = rng.Next(1, CounterNoise.MaxSite + 1);
                long index = rng.NextInt64(0, CounterNoise.MaxIndex);
                ulong b = (ulong)index >> 1;
                CounterNoise.Philox4x32_10((uint)b, (uint)(b >> 32) | ((uint)site << 16), (uint)step, (uint)(step >> 32), (uint)seed, (uint)(seed >> 32),
                    out uint r0, out uint r1, out uint r2, out uint r3);
                ulong a = ((ulong)r1 << 32) | r0, c = ((ulong)r3 << 32) | r2;
                double expected = (index & 1) == 0 ? CounterNoise.Radius(a) * CounterNoise.Cos2Pi(c >> 11) : CounterNoise.Radius(a) * CounterNoise.Sin2Pi(c >> 11);
                Assert.Equal(Bits(expected), Bits(CounterNoise.Gaussian(seed, step, site, index)));
                Assert.Equal(Bits(expected), Bits(CounterNoise.BoxMuller(a, c, (index & 1) != 0)));

                // the pair 2m, 2m+1 shares one block: cos^2 + sin^2 = 1 makes their squares sum to -2 ln u1
                long even = index & ~1L;
                double x = CounterNoise.Gaussian(seed, step, site, even), y = CounterNoise.Gaussian(seed, step, site, even + 1);
                double radiusSquared = -2.0 * Math.Log(CounterNoise.Uniform(a));
                Assert.InRange(x * x + y * y, radiusSquared * (1 - 1e-14) - 1e-300, radiusSquared * (1 + 1e-14) + 1e-300);
            }
        }

        [Fact]
        public void Edge_cases_of_the_transform()
        {
            // u1 = 1 (a >> 11 all ones): radius +0, the draw exactly zero
            Assert.Equal(1.0, CounterNoise.Uniform(ulong.MaxValue));
            Assert.Equal(Bits(0.0), Bits(CounterNoise.Radius(ulong.MaxValue)));
            Assert.Equal(Bits(0.0), Bits(CounterNoise.Log(1.0)));
            foreach (ulong c in new[] { 0UL, 1UL << 62, ulong.MaxValue, 0x0123456789ABCDEFUL })
            {
                Assert.Equal(0.0, CounterNoise.BoxMuller(ulong.MaxValue, c, sine: false));
                Assert.Equal(0.0, CounterNoise.BoxMuller(ulong.MaxValue, c, sine: true));
            }

            // the smallest u1, 2^-53 (a < 2^11): the largest radius, sqrt(-2 ln 2^-53) = sqrt(106 ln 2)
            Assert.Equal(Math.Pow(2, -53), CounterNoise.Uniform(0));
            Assert.Equal(CounterNoise.Uniform(0), CounterNoise.Uniform(2047));
            double largest = CounterNoise.Radius(0);
            Assert.InRange(UlpDistance(largest, Math.Sqrt(-2.0 * Math.Log(Math.Pow(2, -53)))), 0, 1);
            Assert.InRange(largest, 8.5716, 8.5718);
            Assert.Equal(largest, CounterNoise.Radius(2047));
            Assert.True(CounterNoise.Radius(2048) < largest);
            Assert.InRange(UlpDistance(CounterNoise.Log(Math.Pow(2, -53)), Math.Log(Math.Pow(2, -53))), 0, 1);

            // quarter turns are exact; the angle is 2 pi v / 2^53
            const ulong Quarter = 1UL << 51;
            Assert.Equal(1.0, CounterNoise.Cos2Pi(0));
            Assert.Equal(Bits(0.0), Bits(CounterNoise.Sin2Pi(0)));
            Assert.Equal(0.0, CounterNoise.Cos2Pi(Quarter));
            Assert.Equal(1.0, CounterNoise.Sin2Pi(Quarter));
            Assert.Equal(-1.0, CounterNoise.Cos2Pi(2 * Quarter));
            Assert.Equal(0.0, CounterNoise.Sin2Pi(2 * Quarter));
            Assert.Equal(0.0, CounterNoise.Cos2Pi(3 * Quarter));
            Assert.Equal(-1.0, CounterNoise.Sin2Pi(3 * Quarter));
            // eighth turns, where the reduction switches quadrant: both sides of the edge agree with the reference
            double half = Math.Sqrt(0.5);
            Assert.InRange(UlpDistance(CounterNoise.Cos2Pi(Quarter / 2), half), 0, 1);
            Assert.InRange(UlpDistance(CounterNoise.Sin2Pi(Quarter / 2), half), 0, 1);
            for (ulong edge = 0; edge < 8; edge++)
            {
                for (long d = -300; d <= 300; d++)
                {
                    ulong v = (ulong)((long)(edge * (Quarter / 2)) + d) & ((1UL << 53) - 1);
                    CheckAgainstReference(v, 1);
                }
            }
            // the largest angle, just below a full turn: sin is about -2 pi 2^-53
            double tiny = CounterNoise.Sin2Pi((1UL << 53) - 1);
            Assert.InRange(UlpDistance(tiny, -2 * Math.PI * Math.Pow(2, -53)), 0, 1);
            Assert.Equal(1.0, CounterNoise.Cos2Pi((1UL << 53) - 1));
        }

        [Fact]
        public void Log_is_within_one_ulp_of_Math_Log()
        {
            var rng = new Random(7);
            long worst = 0;
            int exact = 0;
            const int n = 2_000_000;
            for (int i = 0; i < n; i++)
            {
                ulong m = (i % 4) switch
                {
                    0 => (ulong)rng.NextInt64(1, (1L << 53) + 1),                             // uniform u1
                    1 => (ulong)rng.NextInt64(1L << (i % 53), (1L << (i % 53)) * 2 - 1) + 1,  // every exponent
                    2 => (1UL << 53) - (ulong)rng.Next(0, 1 << 20),                          // u1 near 1
                    _ => (ulong)rng.Next(1, 1 << 20),                                        // u1 near 2^-53
                };
                if (m > 1UL << 53) m = 1UL << 53;
                double u1 = m * Math.Pow(2, -53);
                long d = UlpDistance(CounterNoise.Log(u1), Math.Log(u1));
                if (d == 0) exact++;
                worst = Math.Max(worst, d);
            }
            _output.WriteLine($"ln: worst {worst} ulp from Math.Log over {n} arguments, {exact} identical");
            Assert.InRange(worst, 0, 1);
            // beyond u1's range: any positive normal double
            for (int i = 0; i < 200_000; i++)
            {
                double x = Math.ScaleB(1 + rng.NextDouble(), rng.Next(-1020, 1020));
                Assert.InRange(UlpDistance(CounterNoise.Log(x), Math.Log(x)), 0, 1);
            }
        }

        [Fact]
        public void Kernels_are_within_one_ulp_of_Math_Sin_and_Math_Cos()
        {
            var rng = new Random(11);
            long worstSin = 0, worstCos = 0;
            const int n = 1_000_000;
            for (int i = 0; i < n; i++)
            {
                double x = (2 * rng.NextDouble() - 1) * (Math.PI / 4);
                if (i % 3 == 0) x = Math.ScaleB(x, -rng.Next(0, 40));
                worstSin = Math.Max(worstSin, UlpDistance(CounterNoise.SinKernel(x, 0), Math.Sin(x)));
                worstCos = Math.Max(worstCos, UlpDistance(CounterNoise.CosKernel(x, 0), Math.Cos(x)));
            }
            _output.WriteLine($"kernels on [-pi/4, pi/4]: sin {worstSin} ulp, cos {worstCos} ulp from Math over {n} arguments");
            Assert.InRange(worstSin, 0, 1);
            Assert.InRange(worstCos, 0, 1);
        }

        [Fact]
        public void Cos_and_sin_of_the_angle_are_within_one_ulp_of_the_reference()
        {
            var rng = new Random(13);
            for (int i = 0; i < 1_000_000; i++)
            {
                ulong v = (i % 3) switch
                {
                    0 => (ulong)rng.NextInt64(0, 1L << 53),
                    1 => (((ulong)rng.Next(0, 4) << 51) + (ulong)rng.Next(-1_000_000, 1_000_000)) & ((1UL << 53) - 1),
                    _ => (((ulong)rng.Next(0, 8) << 50) + (ulong)rng.Next(-1000, 1000)) & ((1UL << 53) - 1),
                };
                CheckAgainstReference(v, 1);
            }
        }

        [Fact]
        public void The_reduction_is_exact_to_far_below_an_ulp()
        {
            // theta = hi + lo against (pi/2) r 2^-51 in double-double arithmetic (exact products by FusedMultiplyAdd)
            var rng = new Random(17);
            const double PiOver2Hi = 1.5707963267948966, PiOver2Lo = 6.123233995736766e-17;
            for (int i = 0; i < 200_000; i++)
            {
                ulong v = (ulong)rng.NextInt64(0, 1L << 53);
                CounterNoise.Reduce(v, out int q, out double hi, out double lo);
                ulong t = v + (1UL << 50);
                Assert.Equal((int)(t >> 51) & 3, q);
                long r = (long)(t & ((1UL << 51) - 1)) - (1L << 50);
                double x = r * Math.Pow(2, -51);
                double p = x * PiOver2Hi, pErr = Math.FusedMultiplyAdd(x, PiOver2Hi, -p);
                double tail = pErr + x * PiOver2Lo;
                double error = ((hi - p) + lo) - tail;
                Assert.True(Math.Abs(error) <= Math.Abs(p) * 1e-24, $"v = {v}: theta off by {error:E3} (theta {p:R})");
                Assert.True(Math.Abs(hi) <= Math.PI / 4 && Math.Abs(lo) <= Ulp(hi) / 2, $"v = {v}: theta {hi:R} + {lo:R} not reduced");
            }
        }

        [Fact]
        public void The_AE_Dsl_and_AE_Runtime_copies_agree_bit_for_bit()
        {
            var rng = new Random(19);
            for (int n = 0; n < 100_000; n++)
            {
                ulong seed = NextULong(rng), step = n % 10 == 0 ? ulong.MaxValue - (ulong)rng.Next(4) : NextULong(rng);
                int site = n % 7 == 0 ? CounterNoise.MaxSite : rng.Next(1, CounterNoise.MaxSite + 1);
                long index = n % 5 == 0 ? CounterNoise.MaxIndex - 1 - rng.Next(64) : rng.NextInt64(0, CounterNoise.MaxIndex);
                Assert.Equal(Bits(CounterNoise.Gaussian(seed, step, site, index)), Bits(AE.Runtime.CounterNoise.Gaussian(seed, step, site, index)));
                double x = BitConverter.Int64BitsToDouble(rng.NextInt64(0x0010000000000000L, 0x7FF0000000000000L));
                Assert.Equal(Bits(CounterNoise.Log(x)), Bits(AE.Runtime.CounterNoise.Log(x)));
            }
        }

        [Fact]
        public void One_million_draws_are_standard_normal()
        {
            const int n = 1_000_000; // 500,000 pairs
            const ulong seed = 20240607;
            double sum = 0, sumSq = 0, sum4 = 0, pairSum = 0, pairSquares = 0, nextBlock = 0;
            int beyond1 = 0, beyond2 = 0, beyond3 = 0;
            var draws = new double[n];
            for (int i = 0; i < n; i++) draws[i] = CounterNoise.Gaussian(seed, 1, 1, i);
            for (int i = 0; i < n; i++)
            {
                double x = draws[i], a = Math.Abs(x);
                sum += x; sumSq += x * x; sum4 += x * x * x * x;
                if (a > 1) beyond1++;
                if (a > 2) beyond2++;
                if (a > 3) beyond3++;
                if ((i & 1) == 0)
                {
                    double y = draws[i + 1];
                    pairSum += x * y;
                    pairSquares += x * x * y * y;
                    if (i + 2 < n) nextBlock += x * draws[i + 2];
                }
            }
            double mean = sum / n, variance = sumSq / n - mean * mean;
            const double pairs = n / 2;
            // each bound is five standard errors of the statistic under N(0, 1)
            Within("mean", mean, 0, 1 / Math.Sqrt(n));
            Within("variance", variance, 1, Math.Sqrt(2.0 / n));
            Within("E x^4", sum4 / n, 3, Math.Sqrt(96.0 / n));
            Within("P(|x| > 1)", (double)beyond1 / n, 0.31731050786291415, Math.Sqrt(0.3173 * 0.6827 / n));
            Within("P(|x| > 2)", (double)beyond2 / n, 0.04550026389635842, Math.Sqrt(0.0455 * 0.9545 / n));
            Within("P(|x| > 3)", (double)beyond3 / n, 0.0026997960632601866, Math.Sqrt(0.0027 * 0.9973 / n));
            // the cosine and sine branches of a block are independent: E[xy] = 0, E[x^2 y^2] = 1
            Within("E[x_2m x_2m+1]", pairSum / pairs, 0, 1 / Math.Sqrt(pairs));
            Within("E[x_2m^2 x_2m+1^2]", pairSquares / pairs, 1, Math.Sqrt(8 / pairs));
            Within("E[x_2m x_2m+2]", nextBlock / (pairs - 1), 0, 1 / Math.Sqrt(pairs - 1));
        }

        private void Within(string what, double value, double expected, double standardError)
        {
            _output.WriteLine($"{what}: {value:F6} (expected {expected:F6}, {(value - expected) / standardError:F2} standard errors)");
            Assert.True(Math.Abs(value - expected) <= 5 * standardError, $"{what} = {value:R}, expected {expected} within 5 x {standardError:E2}");
        }

        [Fact]
        public void Distinct_seeds_steps_sites_and_indices_draw_distinct_values()
        {
            // variants that differ in one counter or key word, high halves included; no two share a value among 64 draws
            var variants = new (ulong Seed, ulong Step, int Site, long First)[]
            {
                (1, 1, 1, 0), (2, 1, 1, 0), (1 + (1UL << 32), 1, 1, 0), (1, 2, 1, 0), (1, 1 + (1UL << 32), 1, 0),
                (1, 1, 2, 0), (1, 1, CounterNoise.MaxSite, 0), (1, 1, 1, 1L << 33), (1, 1, 1, CounterNoise.MaxIndex - 64),
                (0, 0, 1, 0), (ulong.MaxValue, ulong.MaxValue, 1, 0),
            };
            var seen = new Dictionary<long, int>();
            for (int v = 0; v < variants.Length; v++)
            {
                var (seed, step, site, first) = variants[v];
                for (long i = first; i < first + 64; i++)
                {
                    long bits = Bits(CounterNoise.Gaussian(seed, step, site, i));
                    Assert.False(seen.TryGetValue(bits, out int other), $"variant {v} draws a value of variant {other}");
                    seen[bits] = v;
                }
            }
            // the same arguments, the same draw
            Assert.Equal(Bits(CounterNoise.Gaussian(5, 6, 7, 8)), Bits(CounterNoise.Gaussian(5, 6, 7, 8)));
        }

        [Fact]
        public void Arguments_outside_the_counter_are_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => CounterNoise.Gaussian(1, 1, 0, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => CounterNoise.Gaussian(1, 1, CounterNoise.MaxSite + 1, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => CounterNoise.Gaussian(1, 1, -1, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => CounterNoise.Gaussian(1, 1, 1, -1));
            Assert.Throws<ArgumentOutOfRangeException>(() => CounterNoise.Gaussian(1, 1, 1, CounterNoise.MaxIndex));
            Assert.True(double.IsFinite(CounterNoise.Gaussian(1, 1, CounterNoise.MaxSite, CounterNoise.MaxIndex - 1)));
        }

        // ---- helpers

        /// <summary>
        /// cos and sin of 2 pi v 2^-53 against the reference Math.Cos/Math.Sin(hi) corrected by lo (the reduced angle
        /// hi + lo is exact far below an ulp, see the reduction test), rounded: within <paramref name="ulps"/>.
        /// </summary>
        private static void CheckAgainstReference(ulong v, long ulps)
        {
            CounterNoise.Reduce(v, out int q, out double hi, out double lo);
            double s = Math.Sin(hi), c = Math.Cos(hi);
            double sinT = s + c * lo, cosT = c - s * lo;
            double cosA = q switch { 0 => cosT, 1 => -sinT, 2 => -cosT, _ => sinT };
            double sinA = q switch { 0 => sinT, 1 => cosT, 2 => -sinT, _ => -cosT };
            Assert.True(UlpDistance(CounterNoise.Cos2Pi(v), cosA) <= ulps, $"cos at v = {v}: {CounterNoise.Cos2Pi(v):R}, reference {cosA:R}");
            Assert.True(UlpDistance(CounterNoise.Sin2Pi(v), sinA) <= ulps, $"sin at v = {v}: {CounterNoise.Sin2Pi(v):R}, reference {sinA:R}");
        }

        private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

        private static double Ulp(double x) => Math.BitIncrement(Math.Abs(x)) - Math.Abs(x);

        /// <summary>How many doubles apart (0 for +0 and -0).</summary>
        private static long UlpDistance(double a, double b)
        {
            long x = Bits(a), y = Bits(b);
            if (x < 0) x = long.MinValue - x;
            if (y < 0) y = long.MinValue - y;
            return Math.Abs(x - y);
        }

        private static ulong NextULong(Random rng) => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(4) << 62);
    }
}
