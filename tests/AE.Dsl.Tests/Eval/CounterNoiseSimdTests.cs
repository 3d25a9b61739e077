using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using AE.Runtime;
using AE.Runtime.Simd;
using Xunit;
using Xunit.Abstractions;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// <see cref="AeNoise"/>'s four- and eight-wide draws against the scalar definition, bit for bit, on every code path
    /// (x86 intrinsics or generic vector operations; Vector512 or two Vector256 halves; each runs on any processor,
    /// emulated where the hardware lacks it), at odd indices, across the 2^32 block boundary and at the ends of every
    /// counter word.
    /// </summary>
    public class CounterNoiseSimdTests
    {
        private readonly ITestOutputHelper _output;

        public CounterNoiseSimdTests(ITestOutputHelper output) => _output = output;

        public static IEnumerable<object[]> Paths4() => new[]
        {
            new object[] { AeNoise.Path.Vector256Intrinsics }, new object[] { AeNoise.Path.Vector256Portable }, new object[] { AeNoise.Path.Scalar },
        };

        public static IEnumerable<object[]> Paths8() => new[]
        {
            new object[] { AeNoise.Path.Vector512Intrinsics }, new object[] { AeNoise.Path.Vector512Portable },
            new object[] { AeNoise.Path.Vector256Intrinsics }, new object[] { AeNoise.Path.Vector256Portable }, new object[] { AeNoise.Path.Scalar },
        };

        [Fact]
        public void The_public_forms_match_the_scalar_definition()
        {
            _output.WriteLine($"Vector256 accelerated: {Vector256.IsHardwareAccelerated}, Vector512 accelerated: {Vector512.IsHardwareAccelerated}");
            foreach (var (seed, step, site, index) in Cases(20_000, 23))
            {
                var four = AeNoise.Gaussian4(seed, step, site, index);
                for (int k = 0; k < 4; k++) Same(seed, step, site, index + k, four.GetElement(k));
                if (index > CounterNoise.MaxIndex - 8) continue;
                AeNoise.Gaussian8(seed, step, site, index, out var lo, out var hi);
                for (int k = 0; k < 4; k++)
                {
                    Same(seed, step, site, index + k, lo.GetElement(k));
                    Same(seed, step, site, index + 4 + k, hi.GetElement(k));
                }
            }
        }

        [Theory]
        [MemberData(nameof(Paths4))]
        internal void Gaussian4_matches_the_scalar_definition_on_every_path(AeNoise.Path path)
        {
            foreach (var (seed, step, site, index) in Cases(20_000, 29))
            {
                var four = AeNoise.Gaussian4(seed, step, site, index, path);
                for (int k = 0; k < 4; k++) Same(seed, step, site, index + k, four.GetElement(k));
            }
        }

        [Theory]
        [MemberData(nameof(Paths8))]
        internal void Gaussian8_matches_the_scalar_definition_on_every_path(AeNoise.Path path)
        {
            foreach (var (seed, step, site, index) in Cases(20_000, 31))
            {
                if (index > CounterNoise.MaxIndex - 8) continue;
                AeNoise.Gaussian8(seed, step, site, index, path, out var lo, out var hi);
                for (int k = 0; k < 4; k++)
                {
                    Same(seed, step, site, index + k, lo.GetElement(k));
                    Same(seed, step, site, index + 4 + k, hi.GetElement(k));
                }
            }
        }

        public static IEnumerable<object[]> BlockPaths() => new[]
        {
            new object[] { AeNoise.Path.Vector512Intrinsics }, new object[] { AeNoise.Path.Vector512Portable },
            new object[] { AeNoise.Path.Vector256Intrinsics }, new object[] { AeNoise.Path.Vector256Portable },
        };

        [Theory]
        [MemberData(nameof(BlockPaths))]
        internal void The_block_forms_of_Fill_match_the_scalar_definition_on_every_path(AeNoise.Path path)
        {
            foreach (var (seed, step, site, index) in Cases(5_000, 37))
            {
                long even = index & ~1L;
                if (even > CounterNoise.MaxIndex - 32) even = CounterNoise.MaxIndex - 32;
                var draws = AeNoise.Blocks(seed, step, site, even, path);
                for (int k = 0; k < draws.Length; k++) Same(seed, step, site, even + k, draws[k]);
            }
        }

        [Fact]
        public void Fill_matches_the_scalar_definition_in_double_and_float()
        {
            var rng = new Random(41);
            var doubles = new double[5000];
            var floats = new float[5000];
            for (int n = 0; n < 400; n++)
            {
                int length = n < 100 ? n : rng.Next(0, doubles.Length + 1);
                long index = (n % 4) switch
                {
                    0 => rng.Next(0, 64),
                    1 => CounterNoise.MaxIndex - length - rng.Next(0, 3),
                    2 => (1L << 33) - rng.Next(0, 100),
                    _ => rng.NextInt64(0, CounterNoise.MaxIndex - length),
                };
                ulong seed = (ulong)rng.NextInt64(), step = (ulong)rng.Next(1, 1000);
                int site = rng.Next(1, CounterNoise.MaxSite + 1);
                AeNoise.Fill(seed, step, site, index, doubles.AsSpan(0, length));
                AeNoise.Fill(seed, step, site, index, floats.AsSpan(0, length));
                for (int k = 0; k < length; k++)
                {
                    Same(seed, step, site, index + k, doubles[k]);
                    float expected = (float)CounterNoise.Gaussian(seed, step, site, index + k);
                    if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(floats[k]))
                        Assert.Fail($"Fill(float) at {index + k}: {floats[k]:R}, expected {expected:R}");
                }
            }
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Fill(1, 1, 1, CounterNoise.MaxIndex - 9, new double[10]));
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Fill(1, 1, 1, -1, new float[10]));
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Fill(1, 1, 0, 0, new float[10]));
            AeNoise.Fill(1, 1, 1, CounterNoise.MaxIndex, Span<double>.Empty);
        }

        [Fact]
        public void A_run_of_vectors_covers_the_elements_in_order()
        {
            // consecutive calls from index 0 (as a SIMD loop makes them) and from an odd start
            foreach (long start in new[] { 0L, 1L, 3L, (1L << 33) - 9 })
            {
                for (long i = start; i < start + 4096; i += 8)
                {
                    var four = AeNoise.Gaussian4(42, 7, 3, i);
                    AeNoise.Gaussian8(42, 7, 3, i, out var lo, out var hi);
                    for (int k = 0; k < 4; k++)
                    {
                        Same(42, 7, 3, i + k, four.GetElement(k));
                        Same(42, 7, 3, i + k, lo.GetElement(k));
                        Same(42, 7, 3, i + 4 + k, hi.GetElement(k));
                    }
                }
            }
        }

        [Fact]
        public void Arguments_outside_the_counter_are_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Gaussian4(1, 1, 0, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Gaussian4(1, 1, 65536, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Gaussian4(1, 1, 1, -1));
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Gaussian4(1, 1, 1, CounterNoise.MaxIndex - 3));
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Gaussian8(1, 1, 1, CounterNoise.MaxIndex - 7, out _, out _));
            Assert.Throws<ArgumentOutOfRangeException>(() => AeNoise.Gaussian8(1, 1, 0, 0, out _, out _));
            var last = AeNoise.Gaussian4(1, 1, 1, CounterNoise.MaxIndex - 4);
            Same(1, 1, 1, CounterNoise.MaxIndex - 1, last.GetElement(3));
            AeNoise.Gaussian8(1, 1, 1, CounterNoise.MaxIndex - 8, out _, out var hi);
            Same(1, 1, 1, CounterNoise.MaxIndex - 1, hi.GetElement(3));
        }

        private static void Same(ulong seed, ulong step, int site, long index, double actual)
        {
            double expected = CounterNoise.Gaussian(seed, step, site, index);
            if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
                Assert.Fail($"Gaussian({seed}, {step}, {site}, {index}) is {expected:R}, the vector form gave {actual:R}");
        }

        /// <summary>Random arguments, a share of them at the edges: odd indices, blocks at 2^32 - 1, indices near 2^48, steps near 2^64, site 65535.</summary>
        private static IEnumerable<(ulong Seed, ulong Step, int Site, long Index)> Cases(int count, int seed)
        {
            var rng = new Random(seed);
            for (int n = 0; n < count; n++)
            {
                ulong s = (ulong)rng.NextInt64() ^ ((ulong)rng.Next(4) << 62);
                ulong t = (n % 4) switch { 0 => ulong.MaxValue - (ulong)rng.Next(8), 1 => (ulong)rng.Next(1, 100), 2 => (1UL << 32) - 1 + (ulong)rng.Next(3), _ => (ulong)rng.NextInt64() };
                int site = (n % 5) switch { 0 => CounterNoise.MaxSite, 1 => 1, _ => rng.Next(1, CounterNoise.MaxSite + 1) };
                long index = (n % 6) switch
                {
                    0 => CounterNoise.MaxIndex - 4 - rng.Next(0, 16),       // the last elements (Gaussian8 skips those past 2^48 - 8)
                    1 => (1L << 33) - 8 + rng.Next(0, 16),                  // blocks 2^32 - 4 .. 2^32 + 4: the carry into c1
                    2 => rng.Next(0, 64),
                    _ => rng.NextInt64(0, CounterNoise.MaxIndex - 8),
                };
                yield return (s, t, site, index);
            }
        }
    }
}
