using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
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
            Assert.True((new Interval(0, 2, loOpen: true) * new Interval(1, 3)).IsPositive);    // |x y| >= |x| > 0
            Assert.False((new Interval(0, 2) * new Interval(0, 3, loOpen: true)).IsPositive); // a closed 0 makes 0
        }

        [Fact]
        public void Products_and_quotients_near_0_can_underflow_to_0()
        {
            // 1e-200 * 1e-200 is 0 in float64: two positive factors that can be that small make a product that can be 0.
            Assert.Equal(0.0, 1e-200 * 1e-200);
            var tiny = new Interval(0, 2, loOpen: true);
            var product = tiny * new Interval(0, 3, loOpen: true);
            Assert.Equal((0.0, false), (product.Lo, product.LoOpen));
            Assert.False((tiny * new Interval(0.5, 3)).IsPositive);                          // 5e-324 * 0.5 is 0
            Assert.False(tiny.Square().IsPositive);
            // bounds away from 0 keep the product positive, unless it falls below float32's smallest normal number
            Assert.True((new Interval(1e-3, 2) * new Interval(1e-3, 3)).IsPositive);
            Assert.False((new Interval(1e-20, 2) * new Interval(1e-20, 3)).IsPositive);     // 1e-40: 0 in float32 (flushed) or a subnormal
            Assert.True(new Interval(-2, -1e-3).Square().IsPositive);
        }

        [Fact]
        public void A_square_keeps_its_open_ends()
        {
            // x in [0, 1) squares into [0, 1): x * x rounds to at most x, which is below 1. The largest double
            // below 1 squares to the next one down, not to 1.
            double below1 = Math.BitDecrement(1.0);
            Assert.True(below1 * below1 < 1);
            Assert.True(MathF.BitDecrement(1f) * MathF.BitDecrement(1f) < 1f);
            var unit = new Interval(0, 1, hiOpen: true).Square();
            Assert.Equal((0.0, false, 1.0, true), (unit.Lo, unit.LoOpen, unit.Hi, unit.HiOpen));
            Assert.True((Interval.Point(1) - unit).IsPositive);
            // (-1, 1): the square reaches 0 and stays below 1; [-1, 0.5): it reaches 1 at the closed end.
            var symmetric = new Interval(-1, 1, loOpen: true, hiOpen: true).Square();
            Assert.Equal((0.0, false, 1.0, true), (symmetric.Lo, symmetric.LoOpen, symmetric.Hi, symmetric.HiOpen));
            var closedAtMinus1 = new Interval(-1, 0.5, hiOpen: true).Square();
            Assert.Equal((1.0, false), (closedAtMinus1.Hi, closedAtMinus1.HiOpen));
            // away from 0 the nearer end's openness is the lower end's
            var away = new Interval(0.5, 2, loOpen: true).Square();
            Assert.Equal((0.25, true, 4.0, false), (away.Lo, away.LoOpen, away.Hi, away.HiOpen));
        }

        [Fact]
        public void The_reciprocal_of_an_unbounded_value_can_be_0()
        {
            // x can overflow to inf (1 + exp(800)), and 1/inf is 0.
            Assert.Equal(0.0, 1 / (1 + Math.Exp(800)));
            var r = new Interval(1, double.PositiveInfinity).Reciprocal();
            Assert.Equal((0.0, false, 1.0, false), (r.Lo, r.LoOpen, r.Hi, r.HiOpen));
            var bounded = new Interval(1, 4).Reciprocal();
            Assert.Equal((0.25, 1.0), (bounded.Lo, bounded.Hi));
            var negative = new Interval(double.NegativeInfinity, 0, hiOpen: true).Reciprocal();
            Assert.Equal((double.NegativeInfinity, 0.0, false), (negative.Lo, negative.Hi, negative.HiOpen));
        }

        /// <summary>
        /// 0 left out of a range across it: kept by negation and by the hull of two ranges that both leave 0 out, an end at
        /// 0 made open, dropped where 0 is outside; the reciprocal of a bounded one is not 0 (1 / 1e3 is not), of an
        /// unbounded one can be (1 / inf).
        /// </summary>
        [Fact]
        public void Zero_can_be_left_out_of_a_range_across_it()
        {
            var x = Interval.All.WithoutZero();
            Assert.True(x.ExcludesZero && (-x).ExcludesZero);
            Assert.Equal("(-inf, inf) without 0", x.ToString());
            Assert.False(new Interval(-1, 1).ExcludesZero);
            Assert.True(Interval.Hull(new Interval(-2, -1), new Interval(0, 3, loOpen: true)).ExcludesZero);
            Assert.False(Interval.Hull(new Interval(-2, -1), new Interval(0, 3)).ExcludesZero);
            var atEnd = new Interval(0, 3).WithoutZero();
            Assert.True(atEnd.IsPositive && atEnd.LoOpen && !atEnd.ZeroLeftOut);
            Assert.False(new Interval(1, 3).WithoutZero().ZeroLeftOut);
            Assert.True(new Interval(-1e3, 1e3).WithoutZero().Reciprocal().ExcludesZero);
            Assert.False(x.Reciprocal().ExcludesZero);
            Assert.False((x * x).ExcludesZero); // a product can underflow to 0
        }

        [Fact]
        public void Clamp_and_max_keep_an_open_lower_bound()
        {
            var lo = new Interval(0, 1, loOpen: true);       // a param in (0, 1]
            var clamped = Interval.Min(Interval.Max(Interval.All, lo), Interval.Point(1));
            Assert.True(clamped.IsPositive);
            Assert.True(Interval.Max(Interval.All, new Interval(0, 5, loOpen: true)).IsPositive);
            // max(a, b) >= b > 0 whatever a is; min(a, b) can be 0 where a can
            Assert.True(Interval.Max(new Interval(0, 1), new Interval(0, 1, loOpen: true)).IsPositive);
            Assert.False(Interval.Min(new Interval(0, 1), new Interval(0, 1, loOpen: true)).IsPositive);
            Assert.True(Interval.Min(new Interval(0, 1, loOpen: true), new Interval(0, 1, loOpen: true)).IsPositive);
            // the mirror at the upper end: min(a, b) <= b < 1; max(a, b) can be 1 where a can
            Assert.True(Interval.Min(new Interval(0, 1), new Interval(0, 1, hiOpen: true)).HiOpen);
            Assert.False(Interval.Max(new Interval(0, 1), new Interval(0, 1, hiOpen: true)).HiOpen);
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

        // ------------------------------------------------------------------ next values, scopes, products

        /// <summary>The AE0060/AE0061 warnings of a check, as "id at line:col".</summary>
        private static List<string> Hazards(string text)
            => TestSupport.Check(text).Diagnostics
                .Where(d => d.Id is "AE0060" or "AE0061" || d.Severity == Severity.Error)
                .Select(d => d.Id + " at " + d.Start.Line + ":" + d.Start.Column + " " + d.Message)
                .ToList();

        private static void AssertNoHazard(string text)
        {
            var hazards = Hazards(text);
            Assert.True(hazards.Count == 0, "expected no hazard, got:\n" + string.Join("\n", hazards));
        }

        /// <summary>Exactly one hazard, of <paramref name="id"/>, at the first occurrence of <paramref name="marker"/>.</summary>
        private static void AssertHazardAt(string text, string marker, string id = "AE0060")
        {
            var hazards = Hazards(text);
            var (line, column) = TestSupport.LineColumn(text, text.IndexOf(marker, System.StringComparison.Ordinal));
            Assert.True(text.Contains(marker, System.StringComparison.Ordinal), "marker not found: " + marker);
            Assert.True(hazards.Count == 1 && hazards[0].StartsWith(id + " at " + line + ":" + column + " ", System.StringComparison.Ordinal),
                "expected one " + id + " at " + line + ":" + column + ", got:\n" + string.Join("\n", hazards));
        }

        /// <summary>An Adam-like law: a second-moment state <c>v</c> and the task state <c>theta</c>; the update is given.</summary>
        private static string Adam(string update, string members = "", string vRange = " in [0, inf)")
            => "law L {\n  dim n;\n  param beta_v in [0, 1) = 0.999;\n  param c: bool = true;\n  input loss: real;\n  input grad: real[n];\n"
             + "  state theta: real[n];\n  state v: real[n]" + vRange + " = 0;\n" + members
             + "  update {\n    " + update + "\n    theta' = theta - 0.001 * grad / (sqrt(v') + 1e-8) + 0 * loss;\n  }\n}\n";

        [Fact]
        public void A_next_value_read_after_its_statement_has_that_statements_interval()
        {
            // v' = beta v + (1 - beta) g^2 with v >= 0 is >= 0: sqrt(v') is fine (once: "can only bound it to (-inf, inf)").
            AssertNoHazard(Adam("v' = beta_v * v + (1 - beta_v) * (grad * grad);"));
            AssertNoHazard(Adam("v' = beta_v * v + (1 - beta_v) * grad * grad;"));
            AssertNoHazard(Adam("v' = beta_v * v' + (1 - beta_v) * grad * grad;\n    v' = v' * 0.5;"));
        }

        [Fact]
        public void A_next_value_that_can_be_negative_still_warns()
        {
            AssertHazardAt(Adam("v' = v - grad * grad;"), "v') +");
            AssertHazardAt(Adam("v' = beta_v * v + (1 - beta_v) * grad;"), "v') +");
            // the state's range says nothing about v' once a statement has set it
            AssertHazardAt(Adam("v' = v - 1;\n    v' = v' * 2;"), "v') +");
            // without a range, the state itself is unknown
            AssertHazardAt(Adam("v' = beta_v * v + (1 - beta_v) * grad * grad;", vRange: ""), "v') +");
        }

        [Fact]
        public void When_branches_are_joined()
        {
            AssertNoHazard(Adam("when c {\n      v' = grad * grad;\n    } else {\n      v' = 2 * v;\n    }"));
            // a branch that makes the value negative, taken or not
            AssertHazardAt(Adam("when c {\n      v' = v - 1;\n    }"), "v') +");
            AssertHazardAt(Adam("when c {\n      v' = grad * grad;\n    } else when loss > 0 {\n      v' = -v;\n    }"), "v') +");
            AssertHazardAt(Adam("when c {\n      v' = grad * grad;\n    } else {\n      when loss > 0 {\n        v' = v;\n      } else {\n        v' = -1;\n      }\n    }"), "v') +");
            // the else branch starts from the value before the 'when', not from what the other branch left
            AssertNoHazard(Adam("when c {\n      v' = -1;\n    } else {\n      theta' = theta + 0 * sqrt(v');\n    }\n    v' = v;"));
        }

        [Fact]
        public void A_condition_on_a_next_value_does_not_outlive_an_assignment_to_it()
        {
            const string members = "  coeff a in [0, 1] = 0.5;\n  coeff b in [-1, 1] = 0.5;\n";
            // refined to (0.5, 1], then moved down by 0.75: it can be 0
            AssertHazardAt(Adam("when a' > 0.5 {\n      a' = a' - 0.75;\n    }\n    b' = clamp(log(a'), -1, 1);\n    v' = v;", members), "a'), -1");
            // the else branch sees a' as it was before the refinement, [0, 1], though the then branch assigned it
            AssertHazardAt(Adam("when a' > 0.5 {\n      a' = 1;\n    } else {\n      b' = clamp(log(a'), -1, 1);\n    }\n    v' = v;", members), "a'), -1");
            // ... and after the 'when', a' is [0, 1] again: the refinement came from outside the inner 'when'
            AssertHazardAt(Adam("when a' > 0.5 {\n      when c {\n        a' = 1;\n      }\n    }\n    b' = clamp(log(a'), -1, 1);\n    v' = v;", members), "a'), -1");
            AssertNoHazard(Adam("when a' > 0.5 {\n      when c {\n        a' = 1;\n      }\n      b' = clamp(log(a'), -1, 1);\n    }\n    v' = v;", members));
        }

        [Fact]
        public void A_rule_that_can_be_switched_off_may_leave_the_old_value()
        {
            // Switched off, rule R leaves w' = w, which has no range: log(w') can be anything.
            const string law = "law L {\n  input x: real;\n  state w: real = 1;\n  state s: real = 0;\n  RULE R { w' = x * x + 1; }\n  update { s' = log(w'); }\n}\n";
            AssertHazardAt(law.Replace("RULE", "rule", System.StringComparison.Ordinal), "w'); }");
            AssertNoHazard(law.Replace("RULE", "fixed rule", System.StringComparison.Ordinal));
            // with a range, switched on or off the value is positive
            AssertNoHazard(law.Replace("RULE", "rule", System.StringComparison.Ordinal).Replace("state w: real = 1", "state w: real in [1, inf) = 1", System.StringComparison.Ordinal));
            // a rule of a group, too
            const string grouped = "group G {\n  rule R { w' = x * x + 1; }\n}\nlaw L {\n  use G;\n  input x: real;\n  state w: real = 1;\n  state s: real = 0;\n  update { s' = log(w'); }\n}\n";
            AssertHazardAt(grouped, "w'); }");
        }

        [Fact]
        public void Accumulators_start_at_their_neutral_value_and_add_up()
        {
            const string law = "law L {\n  input x: real;\n  acc d = NEUTRAL;\n  state s: real = 0;\n  fixed rule R { d += x * x; }\n  rule Q { d += ADD; }\n  update { s' = log(d); }\n}\n";
            AssertNoHazard(law.Replace("NEUTRAL", "1e-12", System.StringComparison.Ordinal).Replace("ADD", "2 * x * x", System.StringComparison.Ordinal));
            AssertHazardAt(law.Replace("NEUTRAL", "0", System.StringComparison.Ordinal).Replace("ADD", "2 * x * x", System.StringComparison.Ordinal), "d); }");
            AssertHazardAt(law.Replace("NEUTRAL", "1e-12", System.StringComparison.Ordinal).Replace("ADD", "x", System.StringComparison.Ordinal), "d); }");
        }

        [Fact]
        public void A_coefficients_next_value_no_rule_has_set_lies_in_its_bounds()
        {
            AssertNoHazard("law L {\n  input loss: real;\n  coeff α in [1e-4, 1] log = 0.01;\n  update { α' = exp(log(α') + 0 * loss); }\n}\n");
            // bounds given by params: through their declared ranges
            AssertNoHazard("law L {\n  param lo in (0, 0.1] = 1e-3;\n  param hi = 1;\n  input loss: real;\n  coeff α in [lo, hi] log = 0.01;\n  update { α' = exp(log(α') + 0 * loss); }\n}\n");
            // bounds that allow 0, or a next value a rule has moved
            AssertHazardAt("law L {\n  input loss: real;\n  coeff a in [0, 1] = 0.5;\n  update { a' = clamp(log(a') + 0 * loss, 0, 1); }\n}\n", "a') +");
            AssertHazardAt("law L {\n  input loss: real;\n  coeff a in [1e-4, 1] log = 0.5;\n  update { a' = a' - 0.5;\n    a' = clamp(log(a') + 0 * loss, 1e-4, 1); }\n}\n", "a') +");
        }

        [Theory]
        [InlineData("(1 - beta_v) * grad * grad")]
        [InlineData("2 * grad * grad")]
        [InlineData("grad * grad * 2")]
        [InlineData("grad * 2 * grad")]
        [InlineData("grad / n * grad")]
        [InlineData("(grad * beta_v) * (grad * beta_v)")]
        [InlineData("grad * grad * grad * grad")]
        [InlineData("-grad * -grad")]
        [InlineData("-(grad * 3) * grad * -1")]
        public void Squares_in_any_association_order_are_not_negative(string product)
            => AssertNoHazard(Adam("v' = v + 0 * grad;\n    theta' = theta + sqrt(" + product + ");"));

        [Theory]
        [InlineData("grad * loss")]                   // unequal factors
        [InlineData("grad * grad * grad")]            // an odd power
        [InlineData("grad * loss * grad * loss * grad")]
        [InlineData("-grad * grad")]                  // a negated square
        [InlineData("(1 - beta_v) * grad * theta")]
        [InlineData("grad * grad - 1")]
        public void Products_that_can_be_negative_still_warn(string product)
        {
            var text = Adam("v' = v + 0 * grad;\n    theta' = theta + sqrt(" + product + ");");
            AssertHazardAt(text, product + ")");
        }

        // ------------------------------------------------------------------ the ranges floating point reaches

        /// <summary>A law that computes <paramref name="expr"/> once per step, with x an unbounded input and g a vector input.</summary>
        /// <summary>
        /// A bounded state is clamped onto its bounds at the end of every step, so it can equal an end its range leaves
        /// open (state s in (0, inf) reached 0 and log(s) was -Infinity with no warning); a vector state, stored in float32
        /// by a law's float step, can round a lower end below float32's smallest normal to 0. A scalar state is a double.
        /// </summary>
        [Theory]
        [InlineData("  state b: real in (0, inf) = 1;\n", "log(b)", "b) + 0", "AE0060")]            // the hazard is reported at the argument
        [InlineData("  state v: real[n] in [1e-50, inf) = 1;\n", "sum(log(v))", "v)) + 0", "AE0060")]
        [InlineData("  state v: real[n] in (0, 1] = 1;\n", "sum(g / sqrt(v))", "sqrt(v)", "AE0061")]
        [InlineData("  state v: real[n] in [1e-3, inf) = 1;\n", "sum(log(v))", null, null)]
        [InlineData("  state b: real in [1e-50, inf) = 1;\n", "log(b)", null, null)]
        public void A_bounded_state_can_reach_the_ends_its_projection_clamps_to(string member, string expr, string? marker, string? id)
        {
            var text = Computes(expr, member);
            if (marker is null) AssertNoHazard(text);
            else AssertHazardAt(text, marker, id!);
        }

        /// <summary>
        /// What a condition says narrows its operands in both branches: a comparison either way round, its negation in
        /// the else branch (of ?: and of 'when'), == and != against an end, '!', and the right side of '&&' and '||',
        /// which runs only where the left side has not decided. gn = norm(g) lies in [0, inf).
        /// </summary>
        [Theory]
        [InlineData("0 < gn ? 1 / gn : 0")]
        [InlineData("gn == 0 ? 0 : 1 / gn")]
        [InlineData("gn != 0 ? 1 / gn : 0")]
        [InlineData("!(gn <= 0) ? 1 / gn : 0")]
        [InlineData("gn < 1e-12 ? 0 : 1 / gn")]
        [InlineData("gn > 0 && 1 / gn > 3 ? 1 : 0")]
        [InlineData("gn <= 0 || 1 / gn > 3 ? 1 : 0")]
        public void A_condition_narrows_both_branches(string expr)
            => AssertNoHazard(Computes("(" + expr + ")", "  signal gn: real;\n").Replace("update { s' =", "update { gn = norm(g);\n    s' ="));

        [Theory]
        [InlineData("gn == 0 ? 1 / gn : 0", "gn : 0")]
        [InlineData("gn < 1e-12 ? 1 / gn : 0", "gn : 0")]
        [InlineData("gn > 0 || 1 / gn > 3 ? 1 : 0", "gn > 3")]
        [InlineData("gn >= 0 ? 1 / gn : 0", "gn : 0")]
        public void A_condition_that_does_not_exclude_0_still_warns(string expr, string marker)
            => AssertHazardAt(Computes("(" + expr + ")", "  signal gn: real;\n").Replace("update { s' =", "update { gn = norm(g);\n    s' ="), marker, "AE0061");

        /// <summary>
        /// '!= 0' leaves 0 out of a value whose range holds it inside (x != 0 ? 1 / x : 0), and an elementwise condition narrows
        /// a vector for the element at hand: 'g != 0 ? 1 / abs(g) : 0' warned, though no element divides by 0.
        /// </summary>
        [Theory]
        [InlineData("x != 0 ? 1 / x : 0")]
        [InlineData("x == 0 ? 0 : 1 / x")]
        [InlineData("!(x == 0) ? log(abs(x)) : 0")]
        [InlineData("sum(g != 0 ? 1 / g : 0)")]
        [InlineData("sum(g != 0 ? 1 / abs(g) : 0)")]
        [InlineData("sum(g > 1 ? 1 / g : 0)")]
        [InlineData("sum(0 < g ? log(g) : 0)")]
        [InlineData("sum(g != 0 && abs(g) < 5 ? 1 / g : 0)")]
        [InlineData("sum(g == 0 || 1 / g > 3 ? 1 : 0)")]
        [InlineData("sum(x != 0 ? g / x : g)")]
        public void A_condition_leaves_0_out_and_narrows_a_vector_element_by_element(string expr)
            => AssertNoHazard(Computes("(" + expr + ")"));

        /// <summary>
        /// What an elementwise condition says of the element at hand is not said of the others: a reduction, a filter or a
        /// vector map inside the branch reads every element (g > 0 at this element, yet sum(g) can be 0), and a square of a
        /// value that is not 0 can still underflow to 0.
        /// </summary>
        [Theory]
        [InlineData("sum(g > 0 ? 1 / sum(g) : 0)", "sum(g) :", "AE0061")]
        [InlineData("sum(g > 1 ? 1 / mean(g) : 0)", "mean(g) :", "AE0061")]
        [InlineData("sum(g > 1 ? 1 / max(g) : 0)", "max(g) :", "AE0061")]
        [InlineData("sum(g > 0 ? 1 / norm(g) : 0)", "norm(g) :", "AE0061")]
        [InlineData("sum(g > 0 ? log(sum(g)) : 0)", "sum(g)) :", "AE0060")]
        [InlineData("sum(g > 1 ? 1 / lp(0.5, g) : 0)", "lp(0.5, g) :", "AE0061")]        // a filter's earlier steps
        [InlineData("sum(g > 0 ? log(softmax(g) - 0.5) : 0)", "softmax(g) - 0.5) :", "AE0060")]
        [InlineData("x != 0 ? 1 / (x * x) : 0", "x * x) :", "AE0061")]
        [InlineData("sum(g != 0 ? 1 / (g + 1) : 0)", "g + 1) :", "AE0061")]
        public void An_elementwise_condition_says_nothing_of_the_other_elements(string expr, string marker, string id)
            => AssertHazardAt(Computes("(" + expr + ")"), marker, id);

        /// <summary>
        /// What a condition said of a value stops holding where the value can change under it. Regression guards, each a law
        /// that checked clean and wrote NaN or -inf at step 1: two draws print alike but are two values (noise() is not
        /// narrowed), and a call narrowed by a 'when' is not narrowed once a value it reads is assigned.
        /// </summary>
        [Fact]
        public void A_condition_does_not_hold_for_another_draw_or_after_an_assignment()
        {
            AssertHazardAt(Computes("(max(noise(), -9) > 0 ? sqrt(max(noise(), -9)) : 0)"), "max(noise(), -9)) :", "AE0060");
            const string law = "law L {\n  dim n;\n  input g: real[n];\n  state m: real[n] = 1;\n  state s: real = 0;\n  update {\n"
                + "    when norm(m') > 0 {\n      m' = 0 * m;\n      s' = 1 / norm(m');\n    }\n  }\n}\n";
            AssertHazardAt(law, "norm(m');\n    }", "AE0061");
            AssertNoHazard(law.Replace("      m' = 0 * m;\n", ""));
        }

        /// <summary>A step count is narrowed by a condition on it, from [1, 2^63 - 1]: step > 1 ? 1 / (step - 1) : 1.</summary>
        [Fact]
        public void A_condition_on_the_step_narrows_it()
        {
            AssertNoHazard(Computes("(step > 1 ? 0.1 / (step - 1) : 0.1) + (step < 10 ? 1 / step : 0)"));
            AssertHazardAt(Computes("(step < 10 ? 1 / (step - 1) : 0)"), "step - 1)", "AE0061");
        }

        /// <summary>
        /// A lagged variant computes every reduction whatever the conditions around it (its value is read a step later), so a
        /// guard does not keep a reduction's argument from dividing by 0 there: t = step - 1 is 0 at step 1.
        /// </summary>
        [Fact]
        public void A_guard_does_not_protect_a_lagged_variants_reduction()
        {
            const string law = "law P {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal s: real;\n"
                + "  update {\n    t = step - 1;\n    s = t > 0 ? sum(grad / t) : 0;\n    theta' = theta - 0.01 * grad * s;\n  }\n}\n";
            AssertNoHazard(law);
            AssertHazardAt(law + "law PL = P lagged;\n", "t) :", "AE0061");
        }

        [Fact]
        public void A_when_narrows_its_else_block()
        {
            const string law = "law L {\n  dim n;\n  input g: real[n];\n  state s: real = 0;\n  update {\n    gn = norm(g);\n"
                + "    when gn < 1e-12 { s' = 0; } else { s' = 1 / gn; }\n    when 1 < gn { s' = s' + 1 / gn; }\n  }\n}\n";
            AssertNoHazard(law);
            AssertHazardAt(law.Replace("{ s' = 0; } else { s' = 1 / gn; }", "{ s' = 1 / gn; } else { s' = 0; }"), "gn; }", "AE0061");
        }

        /// <summary>
        /// Powers whose exponent is known by its range: a schedule step ^ d is >= 1, a rate below 1 to the step's power
        /// stays below 1, and a base that can be 0 to an exponent that can be negative divides by 0 (0 ^ -0.5 is inf).
        /// dot(g, g) is a sum of squares.
        /// </summary>
        [Fact]
        public void Powers_with_a_ranged_exponent_and_sums_of_squares()
        {
            AssertNoHazard(Computes("1 / step ^ d + 1 / (1 - 0.9 ^ step) + log(1 + 0.5 ^ step)", "  param d in (0, 1] = 0.5;\n"));
            AssertNoHazard(Computes("1 / (dot(g, g) + 1e-12) + sqrt(dot(g, g))"));
            AssertHazardAt(Computes("sqrt(dot(g, -g))"), "dot(g, -g)", "AE0060");
            AssertHazardAt(Computes("abs(x) ^ (-p)", "  param p in [0.5, 1] = 0.5;\n"), "abs(x)", "AE0061");
            AssertHazardAt(Computes("norm(g) ^ x"), "norm(g)", "AE0061");
            AssertNoHazard(Computes("(1 + norm(g)) ^ (-p)", "  param p in [0.5, 1] = 0.5;\n"));
        }

        /// <summary>
        /// A lagged variant reads every reduction one step late, so at its first step each is empty: max(v) is -inf there,
        /// and sqrt of it is NaN. The base law is clean; its lagged variant's hazard is reported once, naming it.
        /// </summary>
        [Fact]
        public void A_lagged_variants_empty_first_reductions_are_hazards()
        {
            const string law = "law Base {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal gm: real;\n"
                + "  update {\n    gm = max(abs(grad));\n    theta' = theta - 0.1 * grad / (1 + sqrt(gm) + sum(grad * grad) + norm(grad));\n  }\n}\n";
            AssertNoHazard(law);
            var lagged = law + "law BaseLagged = Base lagged;\n";
            AssertHazardAt(lagged, "gm) +", "AE0060");
            Assert.Contains("; this is of the lagged variant 'BaseLagged' only, which computes every reduction whatever the conditions around it", Hazards(lagged)[0], System.StringComparison.Ordinal);
            AssertNoHazard(lagged.Replace("sqrt(gm)", "sqrt(max(gm, 0))"));
        }

        /// <summary>
        /// A lagged variant has no trace of the rules it removes: a hazard only such a rule brings is not its, and another lagged
        /// variant that keeps the rule still has it.
        /// </summary>
        [Fact]
        public void A_lagged_variant_has_no_hazard_of_a_rule_it_removes()
        {
            const string law = "law Base {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal gm: real = 0;\n"
                + "  rule R { gm = sqrt(max(abs(grad))); }\n  update {\n    theta' = theta - 0.1 * grad / (1 + gm + sum(grad * grad));\n  }\n}\n";
            AssertNoHazard(law);
            AssertNoHazard(law + "law Bare = Base without R lagged;\n");
            AssertNoHazard(law + "law NoR = Base without R;\nlaw NoRLagged = NoR lagged;\n");
            var kept = law + "law Bare = Base without R lagged;\nlaw Full = Base lagged;\n";
            AssertHazardAt(kept, "max(abs(grad))", "AE0060");
            Assert.Contains("; this is of the lagged variant 'Full' only", Hazards(kept)[0], System.StringComparison.Ordinal);
        }

        private static string Computes(string expr, string members = "")
            => "law L {\n  dim n;\n" + members + "  input x: real;\n  input g: real[n];\n  state s: real = 0;\n"
             + "  update { s' = " + expr + " + 0 * x + 0 * sum(g); }\n}\n";

        [Fact]
        public void Floating_point_reaches_the_limits_the_real_functions_only_approach()
        {
            // The reasons for the warnings below, as the runtime's own functions compute them.
            Assert.Equal(1.0, Math.Tanh(29.7));
            Assert.Equal(0.0, AE.Runtime.AeMath.Sigmoid(-800));
            Assert.Equal(1.0, AE.Runtime.AeMath.Sigmoid(40));
            Assert.Equal(0.0, Math.Exp(-800));
            Assert.Equal(double.PositiveInfinity, Math.Exp(800));
            Assert.Equal(0.0, AE.Runtime.AeMath.Softplus(-800));
            Assert.Equal(0.0, Math.Pow(1e-200, 3));
            Assert.Equal(0.0, AE.Runtime.AeMath.Lerp(1, 1e-20, 1));
            Assert.True(AE.Runtime.AeMath.SmoothMax(0.5, 0.5, -1) < 0);
            Assert.Equal(0.0, AE.Dsl.Eval.Interpreter.Reduce("softmax", new[] { new[] { 0.0, -800 } })![1]);
            // cosine's quotient passes 1 by rounding; the language holds it to [-1, 1].
            Assert.True(3.0 / (Math.Sqrt(3.0) * Math.Sqrt(3.0)) > 1);
            Assert.Equal(1.0, AE.Dsl.Eval.Interpreter.Reduce("cosine", new[] { new[] { 1.0, 1, 1 }, new[] { 1.0, 1, 1 } })![0]);
            // float32 saturates and underflows sooner: the analysis holds for both precisions.
            Assert.Equal(1f, MathF.Tanh(9.1f));
            Assert.Equal(0f, MathF.Exp(-105f));
            Assert.True(MathF.Exp(-87f) >= 1.17549435e-38f);                          // float32's smallest normal number
        }

        [Theory]
        [InlineData("1 / (1 - tanh(x))", "1 - tanh", "AE0061", "")]
        [InlineData("log(1 - sigmoid(x))", "1 - sigmoid", "AE0060", "")]
        [InlineData("log(exp(x))", "exp(x))", "AE0060", "")]
        [InlineData("1 / exp(x)", "exp(x)", "AE0061", "")]
        [InlineData("log(softplus(x))", "softplus", "AE0060", "")]
        [InlineData("1 / sigmoid(x)", "sigmoid", "AE0061", "")]
        [InlineData("log(max(x, 0) + exp(-x*x))", "max(x, 0)", "AE0060", "")]
        [InlineData("log(1 / (1 + exp(x)))", "1 / (1", "AE0060", "")]                        // 1 + exp(800) is inf, 1/inf is 0
        [InlineData("log(exp(b))", "exp(b)", "AE0060", "  param b in [-100, 0] = 0;\n")]      // 0 in float32 below -103.9
        [InlineData("1 / (1 - tanh(b))", "1 - tanh", "AE0061", "  param b in [0, 10] = 0;\n")] // 1 in float32 from 9.01
        [InlineData("1 / (k * k)", "k * k", "AE0061", "  param k in (0, 1] = 0.5;\n")]        // 1e-200 * 1e-200 is 0
        [InlineData("log(k ^ 3)", "k ^ 3", "AE0060", "  param k in (0, 1] = 0.5;\n")]
        [InlineData("log(lerp(1, k, 1))", "lerp", "AE0060", "  param k in [1e-20, 1] = 0.5;\n")]
        [InlineData("log(smoothmax(x, 0.5, k))", "smoothmax", "AE0060", "  param k = 1;\n")]   // k can be set negative
        [InlineData("sum(log(softmax(g)))", "softmax", "AE0060", "")]
        [InlineData("log(lp(0.5, k))", "lp(", "AE0060", "  param k in (0, 1] = 0.5;\n")]    // 0.5 * 5e-324 is 0
        public void A_limit_floating_point_reaches_is_a_hazard(string expr, string marker, string id, string members)
            => AssertHazardAt(Computes(expr, members), marker, id);

        [Theory]
        [InlineData("log(1 + exp(x))", "")]                                   // >= 1
        [InlineData("1 / exp(b)", "  param b in [-50, 50] = 0;\n")]           // kept away from underflow
        [InlineData("log(exp(b))", "  param b in [-87, 88] = 0;\n")]
        [InlineData("sqrt(1 - k)", "  param k in (0, 1] = 0.5;\n")]
        [InlineData("log(sigmoid(b)) + log(1 - sigmoid(b))", "  param b in [-80, 13] = 0;\n")]
        [InlineData("1 / (1 - tanh(b)) + 1 / (1 + tanh(b))", "  param b in [-7, 7] = 0;\n")]
        [InlineData("log(softplus(b))", "  param b in [-80, inf) = 0;\n")]
        [InlineData("log(tanh(k)) + log(k * 2) + log(k ^ 0.5)", "  param k in (0, 1] = 0.5;\n")] // tanh and a factor >= 1 keep a small k off 0
        [InlineData("1 / (b * b) + log(b ^ 3) + log(lerp(b, 2, k))", "  param b in [0.5, 2] = 1;\n  param k in [0, 1] = 0.5;\n")]
        [InlineData("log(smoothmax(x, 0.5, k))", "  param k in (0, 10] = 1;\n")]
        [InlineData("log(max(k, x)) + 1 / n + log(1 / n)", "  param k in (0, 1] = 0.5;\n")]
        [InlineData("log(lp(0.5, b))", "  param b in [1e-3, 1] = 0.5;\n")]
        // from the smaller end up, a blend never falls below its start: lo + (hi - lo) w >= lo, however far apart the ends
        [InlineData("log(softclamp(x, 1e-9, 1)) + log(lerp(1e-9, 1, sigmoid(x))) + log(softclamp(x, lo, 1))", "  param lo in [1e-9, 1e-9] = 1e-9;\n")]
        // cosine is held to [-1, 1]: the sine of the angle, and a reciprocal with a small epsilon
        [InlineData("sqrt(1 - cosine(g, g)) + sqrt(1 - cosine(g, g) ^ 2) + 1 / (1 - cosine(g, g) + 1e-6)", "")]
        public void What_floating_point_keeps_off_a_limit_is_still_proved(string expr, string members)
            => AssertNoHazard(Computes(expr, members));

        [Fact]
        public void Hazards_inside_the_factors_of_a_product_are_still_reported()
        {
            var text = Adam("v' = v + 0 * grad;\n    theta' = theta + 2 * log(loss) * log(loss) / loss * grad;");
            var hazards = Hazards(text);
            Assert.Equal(new[] { "AE0060", "AE0060", "AE0061" }, hazards.Select(h => h.Substring(0, 6)).ToArray());
        }
    }
}
