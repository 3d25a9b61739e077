using System;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>The runtime's sequential source, which the tasks use for their problems, minibatches and gradient noise.</summary>
    public class GaussianSourceTests
    {
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
