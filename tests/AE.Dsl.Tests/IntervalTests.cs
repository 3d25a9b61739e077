using System.Linq;
using AE.Dsl.Passes;
using Xunit;

namespace AE.Dsl.Tests
{
    public class IntervalTests
    {
        [Fact]
        public void Products_keep_open_ends()
        {
            var p = new Interval(0, 1);                      // [0, 1]
            var mu = new Interval(0, 1, hiOpen: true);       // [0, 1)
            var product = p * mu;
            Assert.Equal((0.0, 1.0, false, true), (product.Lo, product.Hi, product.LoOpen, product.HiOpen));
            var oneMinus = Interval.Point(1) - product;      // (0, 1]
            Assert.True(oneMinus.IsPositive);
            Assert.True((new Interval(0, 2, loOpen: true) * new Interval(0, 3, loOpen: true)).IsPositive);
            Assert.False((new Interval(0, 2) * new Interval(0, 3, loOpen: true)).IsPositive); // a closed 0 makes 0
        }

        [Fact]
        public void Clamp_and_max_keep_an_open_lower_bound()
        {
            var lo = new Interval(0, 1, loOpen: true);       // a param in (0, 1]
            var clamped = Interval.Min(Interval.Max(Interval.All, lo), Interval.Point(1));
            Assert.True(clamped.IsPositive);
            Assert.True(Interval.Max(Interval.All, new Interval(0, 5, loOpen: true)).IsPositive);
            Assert.False(Interval.Max(new Interval(0, 1), new Interval(0, 1, loOpen: true)).IsPositive);
        }

        [Fact]
        public void The_checker_uses_them_for_log_and_division()
        {
            var clean = TestSupport.Check(@"law L {
  param lo in (0, 1] = 1e-3;
  param p in [0, 1] = 0.5;
  param mu in [0, 1) = 0.9;
  input x: real;
  state s: real = 0;
  update { s' = log(clamp(x, lo, 1)) + log(1 - p * mu) + 1 / max(x, lo); }
}");
            Assert.DoesNotContain(clean.Diagnostics, d => d.Id is "AE0060" or "AE0061");
            var hazard = TestSupport.Check(@"law L {
  param lo in [0, 1] = 1e-3;
  input x: real;
  state s: real = 0;
  update { s' = log(clamp(x, lo, 1)); }
}");
            Assert.Single(hazard.Diagnostics, d => d.Id == "AE0060");
        }
    }
}
