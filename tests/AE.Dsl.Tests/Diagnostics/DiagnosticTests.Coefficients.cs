using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>Coefficients and their bounds (AE003x, A4).</summary>
    public partial class DiagnosticTests
    {
        // ------------------------------------------------------------------ AE0030 unbounded coefficient (A4)

        [Fact]
        public void AE0030_coefficient_without_bounds()
        {
            const string bad = """
                law L {
                  coeff a = 0.5;
                  update {
                    a' = a * 0.5;
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0030", "a = 0.5");
            Assert.Contains("Coefficient 'a' has no bounds; axiom A4", d.Message, StringComparison.Ordinal);
            Assert.Contains("'coeff a in [lo, hi]'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "coeff a = 0.5", "coeff a in [0, 1] = 0.5"));
        }

        /// <summary>An infinite end bounds nothing: A4 wants finite bounds, whether the end is written 'inf' or is a param's default.</summary>
        [Theory]
        [InlineData("coeff a in [0, inf] = 0.5;", "", "inf]", "has an infinite upper bound: [0, inf]", "[0, inf]", "[0, 1]")]
        [InlineData("coeff a in (-inf, 1] = 0.5;", "", "-inf", "has an infinite lower bound: (-inf, 1]", "(-inf", "(-1")]
        [InlineData("coeff a in [0, top] = 0.5;", "param top = inf;", "top]", "has an infinite upper bound: [0, inf]", "top = inf", "top = 1")]
        public void AE0030_coefficient_with_an_infinite_bound(string declaration, string param, string marker, string phrase, string fixFrom, string fixTo)
        {
            string bad = "law L {\n  " + param + "\n  " + declaration + "\n  update {\n    a' = a * 0.5;\n  }\n}\n";
            var d = AssertOnly(bad, "AE0030", marker);
            Assert.Contains("Coefficient 'a' " + phrase + "; axiom A4", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, fixFrom, fixTo));
        }

        // ------------------------------------------------------------------ AE0031 log-space bounds allow 0

        [Theory]
        [InlineData("[0, 1]", "0, 1", "lower bound 0,")]
        [InlineData("[-1, 1]", "-1, 1", "lower bound -1,")]
        public void AE0031_log_space_coefficient_with_a_literal_lower_bound_at_or_below_0(string bounds, string marker, string phrase)
        {
            var bad = Law("a' = a * 0.5;").Replace("coeff a in [0, 1] = 0.5", "coeff a in " + bounds + " log = 0.5", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0031", marker);
            Assert.Contains("Log-space coefficient 'a' has " + phrase, d.Message, StringComparison.Ordinal);
            Assert.Contains("raise the lower bound above 0", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, bounds, "[1e-6, 1]"));
            TestSupport.AssertClean(Fix(bad, bounds, "(0, 1]")); // an open lower end at 0 excludes 0
        }

        [Fact]
        public void AE0031_lower_bound_from_a_param_without_a_positive_range()
        {
            var bad = Law("a' = a * 0.5;", "  param lo = 1e-6;\n").Replace("coeff a in [0, 1] = 0.5", "coeff a in [lo, 1] log = 0.5", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0031", "lo, 1]");
            Assert.Contains("lower bound lo = 1e-06 (not provably > 0: an override could make it 0; declare its range, e.g. 'param lo in (0, 1] = 1e-06')", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "param lo = 1e-6", "param lo in (0, 1] = 1e-6"));
        }

        // ------------------------------------------------------------------ AE0032 empty bounds

        [Fact]
        public void AE0032_lower_bound_above_upper_bound()
        {
            var bad = Law("a' = a * 0.5;").Replace("[0, 1]", "[1, 0]", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0032", "1, 0]");
            Assert.Equal("Bounds [1, 0] of 'a' are empty: no value lies between 1 and 0", d.Message);
            TestSupport.AssertClean(Fix(bad, "[1, 0]", "[0, 1]"));
        }

        [Fact]
        public void AE0032_a_bound_that_is_not_a_number_bounds_nothing()
        {
            var bad = Law("a' = a * 0.5;").Replace("[0, 1]", "[0 / 0, 1]", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0032", "0 / 0, 1]");
            Assert.Equal("Bounds [0 / 0, 1] of 'a' are empty: no value lies between NaN and 1", d.Message);
            TestSupport.AssertClean(Fix(bad, "[0 / 0, 1]", "[0 / 1, 1]"));
        }

        [Fact]
        public void AE0032_bounds_from_params_use_their_defaults()
        {
            var bad = Law("a' = a * 0.5;", "  param lo = 2, hi = 1;\n").Replace("[0, 1] = 0.5", "[lo, hi] = 1.5", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0032", "lo, hi]");
            Assert.Contains("Bounds [lo, hi] of 'a' are empty: no value lies between 2 and 1", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "lo = 2, hi = 1", "lo = 1, hi = 2"));
        }

        [Theory]
        [InlineData("[1, 1)")]
        [InlineData("(1, 1]")]
        [InlineData("(1, 1)")]
        public void AE0032_half_open_bounds_with_equal_ends_are_empty(string bounds)
        {
            // Only lo > hi is checked; [1, 1) holds no value at all.
            var bad = Law("a' = a;").Replace("[0, 1] = 0.5", bounds + " = 1", StringComparison.Ordinal);
            AssertOnly(bad, "AE0032", "1, 1");
        }
    }
}
