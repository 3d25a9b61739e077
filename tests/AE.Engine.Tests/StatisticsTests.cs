using System;
using AE.Engine;
using Xunit;

namespace AE.Engine.Tests
{
    public class StatisticsTests
    {
        /// <summary>Equal values are their own mean with no spread: 0.1 five times was 0.1 ± 2.4e-17 (the sum of five 0.1s, divided, is not 0.1).</summary>
        [Fact]
        public void Equal_values_have_that_mean_and_a_ci_of_zero()
        {
            var m = MeanCi.Of(new[] { 0.1, 0.1, 0.1, 0.1, 0.1 });
            Assert.Equal(0.1, m.Mean);
            Assert.Equal(0.0, m.Ci);
            Assert.Equal(5, m.Count);
            var one = MeanCi.Of(new[] { 0.3 });
            Assert.Equal(0.3, one.Mean);
            Assert.Null(one.Ci);
        }

        /// <summary>Finite values whose sum or squared deviations overflow a double still have a finite mean and CI.</summary>
        [Fact]
        public void Values_near_the_top_of_the_double_range_have_a_finite_ci()
        {
            var m = MeanCi.Of(new[] { 4.03e300, 4.15e300 });
            Assert.Equal(4.09e300, m.Mean, 1e288);
            // t(1) = 12.7062..., sd = 0.12e300 / sqrt(2), se = sd / sqrt(2) = 0.06e300
            Assert.NotNull(m.Ci);
            Assert.Equal(12.706204736174704646 * 0.06e300, m.Ci!.Value, 1e288);
            var big = MeanCi.Of(new[] { 1.7e308, 1.7e308, 1.6e308 });   // the plain sum overflows
            Assert.Equal(1.6666666666666667e308, big.Mean, 1e294);
            Assert.True(big.Ci is double ci && double.IsFinite(ci) && ci > 0);
        }

        /// <summary>
        /// t_{0.975, df} against values worked independently: the closed forms for 1 and 2 degrees of freedom
        /// (tan(π(p − ½)) and (2p − 1) / √(2p(1 − p))), and mpmath 1.3.0 at 40 digits (findroot over the regularized
        /// incomplete beta) for the others.
        /// </summary>
        [Theory]
        [InlineData(3, 3.1824463052837095927)]
        [InlineData(4, 2.7764451051977943578)]
        [InlineData(5, 2.5705818356363155147)]
        [InlineData(7, 2.3646242515927853417)]
        [InlineData(10, 2.2281388519862747484)]
        [InlineData(15, 2.1314495455597756821)]
        [InlineData(20, 2.0859634472658648427)]
        [InlineData(29, 2.0452296421327042982)]
        [InlineData(30, 2.04227245630123831)]
        [InlineData(31, 2.0395134463964084879)]
        [InlineData(40, 2.0210753903062734213)]
        [InlineData(50, 2.0085591121007611055)]
        [InlineData(99, 1.9842169515864174951)]
        [InlineData(100, 1.9839715185235522866)]
        [InlineData(1000, 1.962339080826408485)]
        [InlineData(100000, 1.9599877075346096386)]
        [InlineData(6, 2.446911851144969971071)]
        [InlineData(8, 2.306004135204166683295)]
        [InlineData(12, 2.178812829667228866326)]
        [InlineData(200, 1.971896223633909382225)]
        [InlineData(999, 1.962341461133449978663)]
        [InlineData(1000000, 1.959966356814107035259)]
        [InlineData(1000000000, 1.959963986912325468646)]
        public void The_t_quantile_is_students_to_thirteen_digits(int df, double expected)
            => Assert.Equal(expected, Statistics.TQuantile975(df), expected * 1e-13);

        [Fact]
        public void The_t_quantile_has_the_closed_forms_of_one_and_two_degrees_of_freedom()
        {
            Assert.Equal(Math.Tan(Math.PI * 0.475), Statistics.TQuantile975(1), 12.7062 * 1e-13);
            Assert.Equal(0.95 / Math.Sqrt(2 * 0.975 * 0.025), Statistics.TQuantile975(2), 4.3027 * 1e-13);
            for (int call = 0; call < 2; call++)   // the second from the cache
                Assert.Equal(0.95 / Math.Sqrt(2 * 0.975 * 0.025), Statistics.TQuantile975(2), 4.3027 * 1e-13);
            Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.TQuantile975(0));
        }

        [Fact]
        public void The_ci_is_t_times_the_standard_error()
        {
            var m = MeanCi.Of(new[] { 1.0, 2.0, 3.0 });
            Assert.Equal(2, m.Mean);
            Assert.Equal(4.3026527297494638523 * 1 / Math.Sqrt(3), m.Ci!.Value, 12);
            Assert.Null(MeanCi.Of(new[] { 5.0 }).Ci);
        }
    }
}
