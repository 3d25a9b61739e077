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
    /// <summary>Usage, numeric hazards, declared bounds, internal errors (AE005x to AE009x).</summary>
    public partial class DiagnosticTests
    {
        // ------------------------------------------------------------------ AE0050 unused declaration

        public static TheoryData<string, string, string> Unused() => new()
        {
            // member, marker, message
            { "  param k = 0.5;\n", "k = 0.5", "Param 'k' is never used; remove it or use it" },
            { "  dim n;\n", "n;", "Dim 'n' is never used; remove it or use it" },
            { "  input x: real;\n", "x: real", "Input 'x' is never used; remove it or use it" },
            { "  acc d = 0;\n", "d = 0", "Accumulator 'd' is never used; remove it or use it" },
            { "  signal s = 0;\n", "s = 0", "Signal 's' is never used; remove it or use it" },
            { "  net f: linear(1 -> 1);\n", "f:", "Net 'f' is never used; remove it or use it" },
        };

        [Theory]
        [MemberData(nameof(Unused))]
        public void AE0050_unused_declaration(string member, string marker, string message)
        {
            var bad = Law("a' = a * 0.5;", member);
            var d = AssertOnly(bad, "AE0050", marker);
            Assert.Equal(message, d.Message);
            Assert.Equal(Severity.Warning, d.Severity);
            TestSupport.AssertClean(Law("a' = a * 0.5;"));
        }

        [Fact]
        public void AE0050_unused_rule_value()
        {
            var bad = Law("h = a * 0.5;\n    a' = a * 0.5;");
            var d = AssertOnly(bad, "AE0050", "h =");
            Assert.Equal("Value 'h' is never used; remove it or use it", d.Message);
            TestSupport.AssertClean(Law("h = a * 0.5;\n    a' = h;"));
        }

        /// <summary>
        /// An accumulator rules add to is an output the host reads after each step (a law's ReadSignal lists it, as it
        /// lists signals), so it is used even when no rule reads it; one that nothing adds to and nothing reads is unused.
        /// </summary>
        [Fact]
        public void AE0050_an_accumulator_only_added_to_is_read_by_the_host()
        {
            TestSupport.AssertClean(Law("d += a;\n    a' = a * 0.5;", "  acc d = 0;\n"));
            TestSupport.AssertClean(Law("when a > 0.1 { d += a; }\n    a' = a * 0.5;", "  acc d = 0;\n"));
            TestSupport.AssertClean(Law("d += a;\n    a' = a * 0.5 + 0.1 * d;", "  acc d = 0;\n"));
            AssertOnly(Law("a' = a * 0.5;", "  acc d = 0;\n"), "AE0050", "d = 0");
        }

        /// <summary>
        /// The host gives an optimizer-shaped law (a real number, then a real vector in) the loss whether it reads it or not:
        /// a law that does not (plain SGD) is not told to remove it, which would lose the shape. An unused input of another
        /// law still is.
        /// </summary>
        [Fact]
        public void AE0050_an_optimizer_shaped_law_need_not_read_its_loss()
        {
            const string sgd = "law Sgd {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  update { theta' = theta - 0.1 * grad; }\n}\n";
            TestSupport.AssertClean(sgd);
            var twoNumbers = sgd.Replace("input grad: real[n];", "input g: real;").Replace("- 0.1 * grad", "- 0.1 * g");
            Assert.Equal("Input 'loss' is never used; remove it or use it", AssertOnly(twoNumbers, "AE0050", "loss: real").Message);
            AssertOnly(sgd.Replace("- 0.1 * grad", "- 0.1 * loss"), "AE0050", "grad: real[n]");
        }

        [Fact]
        public void AE0050_state_and_coefficients_are_read_by_the_host_and_never_unused()
        {
            TestSupport.AssertClean(Law("a' = a * 0.5;", "  state x: real = 0;\n  coeff b in [0, 1] = 0.5;\n"));
        }

        // ------------------------------------------------------------------ AE0060 argument outside the function's domain

        [Theory]
        [InlineData("log", "positive", "add a positive epsilon ('+ 1e-12'), bound it with max(x, 1e-12)", "log(x * x + 1e-12)")]
        [InlineData("log1p", "greater than -1", "bound it with max(x, -1 + 1e-12)", "log1p(max(x, -1 + 1e-12))")]
        [InlineData("sqrt", "non-negative", "bound it with max(x, 0)", "sqrt(max(x, 0))")]
        public void AE0060_function_of_an_unbounded_input(string function, string domain, string advice, string guarded)
        {
            var bad = Law("a' = clamp(" + function + "(x), 0, 1);", "  input x: real;\n");
            var d = AssertOnly(bad, "AE0060", "x), 0");
            Assert.StartsWith("'" + function + "' of an argument that is not provably " + domain + " (the checker can only bound it to (-inf, inf)); " + advice, d.Message, StringComparison.Ordinal);
            Assert.Equal(Severity.Warning, d.Severity);
            TestSupport.AssertClean(Fix(bad, function + "(x)", guarded));
        }

        [Fact]
        public void AE0060_message_shows_the_interval_from_coefficient_bounds()
        {
            var bad = Law("a' = clamp(log(a), 0, 1);");
            var d = AssertOnly(bad, "AE0060", "a), 0");
            Assert.Contains("(the checker can only bound it to [0, 1])", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "log(a)", "log(a + 1e-12)"));
        }

        [Fact]
        public void AE0060_a_softclamp_whose_width_can_be_0_divides_by_it()
        {
            // softclamp(x, lo, hi) = lo + (hi - lo) sigmoid(4 (x - mid) / (hi - lo)): NaN when hi = lo.
            var bad = Law("a' = softclamp(a, 1, 1);");
            var d = AssertOnly(bad, "AE0060", "softclamp");
            Assert.Equal("'softclamp' of an argument that is not provably of positive width (hi - lo divides) (the checker can only bound it to [0, 0]); give hi a value above lo", d.Message);
            TestSupport.AssertClean(Fix(bad, "softclamp(a, 1, 1)", "softclamp(a, 0, 1)"));
            AssertOnly(Law("a' = softclamp(a, 0, k);", "  param k = 1;\n"), "AE0060", "softclamp");                 // k could be set to 0
            TestSupport.AssertClean(Law("a' = softclamp(a, 0, k);", "  param k in (0, 1] = 1;\n"));                   // a range that keeps it apart
        }

        [Fact]
        public void AE0060_guards_the_analysis_understands()
        {
            var x = "  input x: real;\n";
            TestSupport.AssertClean(Law("a' = x > 0 ? clamp(log(x), 0, 1) : a;", x));                  // refined by the condition
            TestSupport.AssertClean(Law("when x > 0 {\n      a' = clamp(log(x), 0, 1);\n    }", x));      // refined inside 'when'
            TestSupport.AssertClean(Law("h = x > 0 ? x : 1;\n    a' = clamp(log(h), 0, 1);", x));      // through a value
            TestSupport.AssertClean(Law("a' = clamp(log(k) + sqrt(x * x) + log1p(abs(x)), 0, 1);", x + "  param k in (0, 1] = 0.5;\n")); // declared range, squares, abs
        }

        [Fact]
        public void AE0060_each_unguarded_use_is_reported()
        {
            var bad = Law("a' = clamp(log(x) + log(x), 0, 1);", "  input x: real;\n");
            var all = All(bad, "AE0060");
            Assert.Equal(2, all.Count);
            AssertAt(all[0], bad, "x) +");
            AssertAt(all[1], bad, "x), 0");
        }

        [Fact]
        public void AE0060_else_branch_of_a_guard_is_not_refined()
        {
            var bad = Law("when x > 0 {\n      a' = clamp(log(x), 0, 1);\n    } else {\n      a' = clamp(log(x), 0, 1);\n    }", "  input x: real;\n");
            AssertOnly(bad, "AE0060", "x), 0", occurrence: 2);
        }

        [Fact]
        public void AE0060_clamp_whose_upper_bound_can_fall_below_its_lower_bound()
        {
            // clamp(x, lo, hi) = min(max(x, lo), hi) is hi when hi < lo. With hi overridable down to 0 the argument
            // of log can be 0, but the analysis bounds the clamp to [0.1, 1] and stays silent (unsound).
            var bad = Law("a' = clamp(log(clamp(x, lo, hi)), 0, 1);", "  input x: real;\n  param lo in [0.1, 1] = 0.1;\n  param hi in [0, 1] = 1;\n");
            AssertOnly(bad, "AE0060", "clamp(x");
        }

        // ------------------------------------------------------------------ AE0061 division by a value that can be 0

        [Fact]
        public void AE0061_division_by_an_unbounded_input()
        {
            var bad = Law("a' = clamp(a / x, 0, 1);", "  input x: real;\n");
            var d = AssertOnly(bad, "AE0061", "x, 0");
            Assert.Equal("Division by a value that can be 0 (it lies in (-inf, inf)); guard it ('x != 0 ? ... : ...'); an epsilon does not keep a denominator of either sign off 0", d.Message);
            Assert.Equal(Severity.Warning, d.Severity);
            TestSupport.AssertClean(Fix(bad, "a / x", "a / (x * x + 1e-12)"));
            TestSupport.AssertClean(Fix(bad, "a / x", "(x != 0 ? a / x : 0)"));
        }

        /// <summary>The epsilon advice is for a denominator that cannot be negative: it left one that can be where it was.</summary>
        [Fact]
        public void AE0061_advises_an_epsilon_only_for_a_non_negative_denominator()
        {
            var nonNegative = AssertOnly(Law("a' = clamp(0.1 / a, 0, 1);"), "AE0061", "a, 0");
            Assert.EndsWith("add a positive epsilon to the denominator ('+ 1e-12')", nonNegative.Message, StringComparison.Ordinal);
            var signed = Law("a' = clamp(a / (1 + k + 1e-12), 0, 1);", "  param k = 0.2;\n");
            Assert.EndsWith("declare ranges that keep it off 0 for the params it reads (k), or guard it ('(1 + k) + 1e-12 != 0 ? ... : ...'); an epsilon does not keep a denominator of either sign off 0",
                AssertOnly(signed, "AE0061", "1 + k").Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(signed, "param k = 0.2", "param k in [0, 1] = 0.2"));
            // a denominator that is never positive is kept off 0 by an epsilon taken away
            var nonPositive = Law("a' = clamp(0.1 / (a - 1), 0, 1);");
            Assert.EndsWith("subtract a positive epsilon from the denominator ('- 1e-12')", AssertOnly(nonPositive, "AE0061", "a - 1").Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(nonPositive, "(a - 1)", "(a - 1 - 1e-12)"));
        }

        /// <summary>An int divisor stays whole: the advice is a range without 0, not an epsilon that would make it real.</summary>
        [Fact]
        public void AE0061_an_int_divisor_is_told_to_leave_0_out_of_its_range()
        {
            var bad = Law("a' = step % every == 0 ? a * 0.5 : a;", "  param every: int = 3;\n");
            var d = AssertOnly(bad, "AE0061", "every == 0");
            Assert.Equal("Division by a value that can be 0 (it lies in (-inf, inf)); declare a range that leaves 0 out ('param every: int in [1, 1000]') or divide by max(every, 1)", d.Message);
            TestSupport.AssertClean(Fix(bad, "every: int = 3", "every: int in [1, 1000] = 3"));
            TestSupport.AssertClean(Fix(bad, "step % every", "step % max(every, 1)"));
            // the advice names the user's divisor (it named 'every' whatever the param was called)
            var other = Law("a' = step % cnt == 0 ? a * 0.5 : a;", "  param cnt: int = 3;\n");
            Assert.EndsWith("('param cnt: int in [1, 1000]') or divide by max(cnt, 1)", AssertOnly(other, "AE0061", "cnt == 0").Message, StringComparison.Ordinal);
            var sum = Law("a' = step % (k - 1) == 0 ? a * 0.5 : a;", "  param k: int = 3;\n");
            Assert.EndsWith("divide by max(k - 1, 1), or guard it with a condition that leaves 0 out ('k - 1 > 0 ? ... : ...')", AssertOnly(sum, "AE0061", "k - 1)").Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0061_division_by_a_coefficient_whose_bounds_include_0()
        {
            var bad = Law("a' = clamp(0.1 / a, 0, 1);");
            var d = AssertOnly(bad, "AE0061", "a, 0");
            Assert.Contains("(it lies in [0, 1])", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "0.1 / a", "0.1 / (a + 1e-12)"));
        }

        [Fact]
        public void AE0061_a_division_of_two_literals_by_0_is_not_folded_away_unwarned()
        {
            var bad = Law("z = 0 / 0;\n    a' = clamp(a + 0 * z, 0, 1);", "  signal z: real;\n");
            var d = AssertOnly(bad, "AE0061", "0;\n");
            Assert.Contains("(it lies in [0, 0])", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "0 / 0", "0 / 2"));
        }

        /// <summary>A divisor that is always 0 is told so: the guard advice ('0 > 0 ? ... : ...') and max(0, 1) made no sense for it.</summary>
        [Theory]
        [InlineData("  state c: int = 0;\n  signal z: real;\n", "z = c % 0;\n    a' = clamp(a + 0 * z, 0, 1);", "0;\n    a'")]
        [InlineData("  signal z: real;\n", "z = a / 0;\n    a' = clamp(a + 0 * z, 0, 1);", "0;\n    a'")]
        public void AE0061_a_divisor_that_is_always_0_is_named_so(string members, string statement, string marker)
        {
            var d = AssertOnly(Law(statement, members), "AE0061", marker);
            Assert.Equal("Division by a value that can be 0 (it lies in [0, 0]); it is always 0, so every value divided by it is NaN or infinite: divide by the value meant", d.Message);
        }

        [Fact]
        public void AE0061_division_by_a_param_without_a_range()
        {
            var bad = Law("a' = clamp(a / k, 0, 1);", "  param k = 2;\n");
            AssertOnly(bad, "AE0061", "k, 0");
            TestSupport.AssertClean(Fix(bad, "param k = 2", "param k in [1, 10] = 2"));
        }

        [Fact]
        public void AE0061_denominators_the_analysis_proves_nonzero()
        {
            var members = "  input x: real;\n  dim n;\n  input g: real[n];\n";
            TestSupport.AssertClean(Law("a' = clamp(a / (x ^ 2 + 1) + a / exp(clamp(x, -80, 80)) + a / sigmoid(clamp(x, -80, 80)) + a / (1 + exp(x)) + a / n + 1 / (norm(g) + 1e-12), 0, 1);", members));
            // exp and sigmoid of an unbounded x underflow to 0 (exp(-800) is 0)
            AssertOnly(Law("a' = clamp(a / exp(x), 0, 1);", "  input x: real;\n"), "AE0061", "exp(x)");
            AssertOnly(Law("a' = clamp(a / sigmoid(x), 0, 1);", "  input x: real;\n"), "AE0061", "sigmoid(x)");
        }

        /// <summary>
        /// Adam's bias correction, as written from the docs: beta ^ step with beta in [0, 1) is below 1 at every step
        /// (a power >= 1 of a base <= 1 rounds to at most the base), so 1 - beta ^ step divides, and v / (1 - beta2 ^ step)
        /// is non-negative. Regression guard: once, the power of a non-constant exponent was [0, inf), and the
        /// square beta * beta closed its open end at 1, so three false warnings.
        /// </summary>
        [Fact]
        public void AE0061_bias_correction_of_a_rate_below_1_is_clean()
        {
            var members = "  param b1 in [0, 1) = 0.9;\n  param b2 in [0, 1) = 0.999;\n  input x: real;\n";
            TestSupport.AssertClean(Law("a' = clamp(0.1 * x / (1 - b1 ^ step) / (sqrt(x * x / (1 - b2 ^ step)) + 1e-8) + 1 / (1 - b1 * b1), 0, 1);", members));
            // a rate that can be 1, or above it, does not divide
            AssertOnly(Law("a' = clamp(1 / (1 - b ^ step), 0, 1);", "  param b in [0, 1] = 0.9;\n"), "AE0061", "1 - b ^ step");
            AssertOnly(Law("a' = clamp(1 / (1 - b ^ step), 0, 1);", "  param b in [0, 2) = 0.9;\n"), "AE0061", "1 - b ^ step");
            AssertOnly(Law("a' = clamp(1 / (1 - b * b), 0, 1);", "  param b in (-1, 1] = 0.9;\n"), "AE0061", "1 - b * b");
        }

        /// <summary>An int exponent is a whole power, defined for a negative base (AE0060 is for fractional powers only).</summary>
        [Fact]
        public void AE0060_a_power_with_an_int_exponent_takes_any_base()
        {
            TestSupport.AssertClean(Law("a' = clamp(0.5 + 0.1 * tanh((-0.5) ^ step + x ^ step), 0, 1);", "  input x: real;\n"));
            AssertOnly(Law("a' = clamp(0.5 + 0.1 * tanh(x ^ (1 / step)), 0, 1);", "  input x: real;\n"), "AE0060", "x ^");
        }

        [Fact]
        public void AE0061_guard_on_a_next_value_does_not_survive_its_reassignment()
        {
            // 'when a' > 0.5' refines a' to (0.5, inf) for the whole block, even after a' = a' - 0.75, which can
            // be 0; the division is not reported (unsound).
            var bad = Law("when a' > 0.5 {\n      a' = a' - 0.75;\n      b' = clamp(0.1 / a', 0, 1);\n    }", "  coeff b in [0, 1] = 0.5;\n");
            AssertOnly(bad, "AE0061", "a', 0, 1");
        }

        // ------------------------------------------------------------------ AE0070 declared bound does not hold (AE-10)

        [Fact]
        public void AE0070_labelled_requirement_names_the_label_and_the_defaults()
        {
            var bad = Law("a' = a * beta * gamma;", "  param beta in [0, 1) = 0.9;\n  param gamma in [0, 1) = 0.5;\n  require stable: beta + gamma < 1;\n");
            var d = AssertOnly(bad, "AE0070", "beta + gamma < 1");
            Assert.Equal("Requirement 'stable' does not hold with the declared defaults (beta = 0.9, gamma = 0.5); adjust the params or the bound", d.Message);
            TestSupport.AssertClean(Fix(bad, "gamma in [0, 1) = 0.5", "gamma in [0, 1) = 0.05"));
        }

        [Fact]
        public void AE0070_unlabelled_requirement_is_named_by_its_text()
        {
            var bad = Law("a' = a * beta;", "  param beta in [0, 1) = 0.9;\n  require beta < 0.5 && beta > 0;\n");
            var d = AssertOnly(bad, "AE0070", "beta < 0.5");
            Assert.StartsWith("Requirement 'beta < 0.5 && beta > 0' does not hold with the declared defaults (beta = 0.9)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "= 0.9", "= 0.4"));
        }

        [Fact]
        public void AE0070_requirement_through_a_function()
        {
            var bad = Law("a' = a * 0.5 * k;", "  param k = 2;\n  require sqrt(k) < 1;\n");
            var d = AssertOnly(bad, "AE0070", "sqrt(k)");
            Assert.Contains("(k = 2)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "param k = 2", "param k = 0.5"));
        }

        [Fact]
        public void AE0070_requirement_on_a_dim_shows_the_dims_value()
        {
            // Regression guard: once, "... does not hold with the declared defaults (n > 4)" - the condition again, not n = 3.
            var bad = Law("a' = a * 0.5;", "  dim n = 3;\n  require n > 4;\n");
            var d = AssertOnly(bad, "AE0070", "n > 4");
            Assert.Contains("(n = 3)", d.Message, StringComparison.Ordinal);
        }

        // ------------------------------------------------------------------ AE0099 internal compiler error (untriggerable by design)

        [Fact]
        public void AE0099_param_with_a_range_and_no_default_does_not_crash_the_checker()
        {
            // Regression guard: once, NullReferenceException in UnitBinder.BindParam (the missing default is read to report it
            // outside the range), reported as AE0099; every binder diagnostic of the check is lost with it.
            var bad = Law("a' = a * k;", "  param k in (0, 1];\n");
            var result = TestSupport.Check(bad);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "AE0099");
            AssertOnly(bad, "AE0004", ";\n  coeff");
        }
    }
}
