using System;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The interpreter (AE.Dsl, no dependencies) and generated code (AE.Runtime) each carry the random
    /// source; the two copies must draw the same sequence, or emitted laws with noise would drift from
    /// the reference semantics.
    /// </summary>
    public class GaussianSourceTests
    {
        [Theory]
        [InlineData(0UL)]
        [InlineData(7UL)]
        [InlineData(ulong.MaxValue)]
        public void Both_copies_draw_the_same_sequence(ulong seed)
        {
            var a = new AE.Dsl.Eval.GaussianSource(seed);
            var b = new AE.Runtime.GaussianSource(seed);
            for (int i = 0; i < 10_000; i++) Assert.Equal(a.NextGaussian(), b.NextGaussian());
            for (int i = 0; i < 1_000; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }

        [Fact]
        public void Draws_are_standard_normal()
        {
            var g = new AE.Runtime.GaussianSource(42);
            const int n = 200_000;
            double sum = 0, sumSq = 0;
            for (int i = 0; i < n; i++) { double x = g.NextGaussian(); sum += x; sumSq += x * x; }
            double mean = sum / n, variance = sumSq / n - mean * mean;
            // Standard errors: 1/sqrt(n) = 0.0022 for the mean, about sqrt(2/n) = 0.0032 for the variance.
            Assert.InRange(mean, -0.01, 0.01);
            Assert.InRange(variance, 0.985, 1.015);
        }
    }
}
