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
