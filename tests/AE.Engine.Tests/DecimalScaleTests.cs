using System;
using Xunit;

namespace AE.Engine.Tests
{
    /// <summary>Rates scaled by whole decades are the digits shifted, rounded once; anything else is the product.</summary>
    public class DecimalScaleTests
    {
        [Theory]
        // x · 10^e as the decimal literal of x's digits shifted reads, where the product of doubles is one ulp off
        [InlineData(0.07, 1, 0.7)]
        [InlineData(0.1, -2, 0.001)]
        [InlineData(4.5, 0, 4.5)]
        [InlineData(0.3, -2, 0.003)]
        [InlineData(1e-5, 3, 0.01)]
        [InlineData(-0.07, 1, -0.7)]
        public void A_whole_number_of_decades_shifts_the_digits(double x, double e, double expected)
        {
            Assert.Equal(expected, DecimalScale.Times10(x, e));
        }

        [Fact]
        public void The_product_of_doubles_differs_where_the_shift_is_exact()
        {
            Assert.NotEqual(0.7, 0.07 * Math.Pow(10, 1));   // why the shift exists
            Assert.Equal(0.7, DecimalScale.Times10(0.07, 1));
        }

        [Theory]
        [InlineData(0.07, 0.5)]          // not whole: the product
        [InlineData(5e-324, 20)]         // subnormal: its few digits would be far from the product
        [InlineData(2.5e-320, 10)]
        [InlineData(0.0, 3)]
        [InlineData(1.5, 700)]           // past the range: the product's infinity
        public void Other_cases_are_the_product(double x, double e)
        {
            Assert.Equal(x * Math.Pow(10, e), DecimalScale.Times10(x, e));
        }

        [Fact]
        public void Not_a_number_and_infinities_pass_through()
        {
            Assert.True(double.IsNaN(DecimalScale.Times10(double.NaN, 1)));
            Assert.Equal(double.PositiveInfinity, DecimalScale.Times10(double.PositiveInfinity, -3));
        }
    }
}
