using System;
using AE.Engine;
using Xunit;

namespace AE.Engine.Tests
{
    public class StatisticsTests
    {
        /// <summary>Finite values whose sum or squared deviations overflow a double still have a finite mean and CI.</summary>
        [Fact]
        public void Values_near_the_top_of_the_double_range_have_a_finite_ci()
        {
            var m = MeanCi.Of(new[] { 4.03e300, 4.15e300 });
            Assert.Equal(4.09e300, m.Mean, 1e288);
            // t(1) = 12.7062, sd = 0.12e300 / sqrt(2), se = sd / sqrt(2) = 0.06e300
            Assert.NotNull(m.Ci);
            Assert.Equal(12.7062 * 0.06e300, m.Ci!.Value, 1e288);
            var big = MeanCi.Of(new[] { 1.7e308, 1.7e308, 1.6e308 });   // the plain sum overflows
            Assert.Equal(1.6666666666666667e308, big.Mean, 1e294);
            Assert.True(big.Ci is double ci && double.IsFinite(ci) && ci > 0);
        }

        [Fact]
        public void Statistics_use_student_t()
        {
            Assert.Equal(12.7062, Statistics.TQuantile975(1));
            Assert.Equal(2.0423, Statistics.TQuantile975(30));
            Assert.Equal(2.0211, Statistics.TQuantile975(40), 3);
            Assert.Equal(1.9840, Statistics.TQuantile975(100), 3);
            var m = MeanCi.Of(new[] { 1.0, 2.0, 3.0 });
            Assert.Equal(2, m.Mean);
            Assert.Equal(4.3027 * 1 / Math.Sqrt(3), m.Ci!.Value, 12);
            Assert.Null(MeanCi.Of(new[] { 5.0 }).Ci);
        }
    }
}
