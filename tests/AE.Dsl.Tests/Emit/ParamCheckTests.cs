using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AE.Dsl.Emit;
using AE.Dsl.Text;
using AE.Runtime;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// A generated constructor makes again, with the values it is given, every check the .ae file passed
    /// with the defaults: a param's range, a coefficient's bounds and initial value, a filter's rate, a
    /// require. Each failure is a <see cref="ParamOutOfRangeException"/> naming the param, the range and the value.
    /// </summary>
    public class ParamCheckTests
    {
        private const string Text = @"law P {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  param beta in [0, 1) = 0.9;
  param rate = 0.5;
  param lo in (0, 1] = 1e-3;
  param hi = 1;
  param start = 0.01;
  param cap in [0, inf] = 10;
  param vhi = 1;
  coeff alpha in [lo, hi] log = start;
  coeff gain: real[n] in [0, vhi] = 0.5;
  require ordered: cap > lo;
  rule R1 ""rate"" {
    alpha' = alpha * (1 + 0.01 * tanh(ema(rate, loss) - ema(beta, loss)));
  }
  update {
    gain' = gain * 0.99;
    theta' = theta - alpha' * grad * gain';
  }
}
";

        private static readonly Lazy<Type> Law = new(() =>
        {
            var file = new SourceFile("p.ae", Text);
            var check = AeCompiler.Check(file);
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            var code = CSharpEmitter.Emit(check.Program!.Units.Single(), new CSharpEmitOptions { Namespace = "AE.Checks" });
            return EmittedLaw.Compile(code, "P").GetType("AE.Checks.P")!;
        });

        private static object Options((string Name, double Value)[] settings)
        {
            var optionsType = Law.Value.GetNestedType("Options")!;
            var options = Activator.CreateInstance(optionsType)!;
            foreach (var (name, value) in settings) optionsType.GetProperty(name)!.SetValue(options, value);
            return options;
        }

        private static ParamOutOfRangeException Rejected(params (string Name, double Value)[] settings)
        {
            var ex = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(Law.Value, 3, Options(settings), 0UL));
            return Assert.IsType<ParamOutOfRangeException>(ex.InnerException);
        }

        private static void Accepted(params (string Name, double Value)[] settings)
            => Assert.NotNull(Activator.CreateInstance(Law.Value, 3, Options(settings), 0UL));

        [Fact]
        public void A_param_outside_its_declared_range()
        {
            var ex = Rejected(("beta", 1.0));
            Assert.Equal("beta", ex.Param);
            Assert.Equal("[0, 1)", ex.Range);
            Assert.Equal(1.0, ex.Value);
            Assert.StartsWith("param 'beta' must lie in [0, 1)", ex.Message, StringComparison.Ordinal);
            Accepted(("beta", 0.0));
        }

        [Fact]
        public void A_coefficient_whose_initial_value_leaves_its_bounds_given_at_run_time()
        {
            var ex = Rejected(("start", 20.0));
            Assert.Equal("start, lo, hi", ex.Param);   // the initial value's params, then the bounds': either setting can be the one that moved it out
            Assert.Equal("[0.001, 1]", ex.Range);
            Assert.Equal(20.0, ex.Value);
            Assert.Contains("the initial value of 'alpha' must lie in its bounds [0.001, 1]", ex.Message, StringComparison.Ordinal);
            // the bounds move with their params
            Accepted(("start", 20.0), ("hi", 50.0));
            var low = Rejected(("start", 0.01), ("lo", 0.5));
            Assert.Equal("[0.5, 1]", low.Range);
        }

        [Fact]
        public void Empty_bounds_given_at_run_time()
        {
            var ex = Rejected(("hi", 1e-4));
            Assert.Equal("lo, hi", ex.Param);
            Assert.Equal("[0.001, 0.0001]", ex.Range);
            Assert.Contains("the bounds of 'alpha' are empty", ex.Message, StringComparison.Ordinal);
        }

        /// <summary>Axiom A4, as <c>ae check</c> makes it (AE0030) with the defaults: an override cannot unbound a coefficient.</summary>
        [Theory]
        [InlineData("hi", double.PositiveInfinity, "[0.001, inf]")]
        [InlineData("hi", double.NaN, "[0.001, NaN]")]
        public void Infinite_coefficient_bounds_given_at_run_time(string param, double value, string range)
        {
            var ex = Rejected((param, value));
            Assert.Equal("lo, hi", ex.Param);
            Assert.Equal(range, ex.Range);
            Assert.StartsWith("the bounds of coefficient 'alpha' must be finite (axiom A4): " + range, ex.Message, StringComparison.Ordinal);
            Accepted((param, 1e300));
        }

        /// <summary>A vector coefficient's bounds are scalars, checked as a scalar coefficient's are: finite, not empty, holding its fill.</summary>
        [Theory]
        [InlineData(double.PositiveInfinity, "the bounds of coefficient 'gain' must be finite (axiom A4): [0, inf]")]
        [InlineData(-1.0, "the bounds of 'gain' are empty: [0, -1]")]
        [InlineData(0.25, "the initial value of 'gain' must lie in its bounds [0, 0.25]")]
        public void A_vector_coefficients_bounds_given_at_run_time(double vhi, string message)
        {
            var ex = Rejected(("vhi", vhi));
            Assert.Equal("vhi", ex.Param);
            Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
            Accepted(("vhi", 2.0));
        }

        [Fact]
        public void A_filter_rate_outside_0_1_given_at_run_time()
        {
            var ex = Rejected(("rate", 1.5));
            Assert.Equal("rate", ex.Param);
            Assert.Equal("[0, 1)", ex.Range);
            Assert.Equal(1.5, ex.Value);
            Accepted(("rate", 0.0));
        }

        [Fact]
        public void A_require_that_fails_with_the_given_params()
        {
            var ex = Rejected(("cap", 1e-4));
            Assert.Contains("require 'ordered'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("cap", ex.Param, StringComparison.Ordinal);
            Accepted(("cap", 2.0));
        }

        [Fact]
        public void Every_check_is_an_ArgumentOutOfRangeException_for_hosts_that_catch_that()
        {
            Assert.IsAssignableFrom<ArgumentOutOfRangeException>(Rejected(("beta", -1.0)));
        }
    }
}
