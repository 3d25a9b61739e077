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
    /// <summary>Rules: smoothness, causality, ablation, groups, variants (AE004x).</summary>
    public partial class DiagnosticTests
    {
        // ------------------------------------------------------------------ AE0040 non-smooth operator in smooth code (AE-9)

        public static TheoryData<string, string, string, string> NonSmooth() => new()
        {
            // smooth law statement, marker, operator, replacement named by the message
            { "a' = abs(a) * 0.5;", "abs", "'abs'", "softabs(x, eps)" },
            { "a' = clamp(a * 0.5, 0, 1);", "clamp", "'clamp'", "softclamp(x, lo, hi)" },
            { "a' = max(a, 0.5) * 0.5;", "max", "'max'", "smoothmax(a, b, k)" },
            { "a' = sign(a) * 0.5;", "sign", "'sign'", "tanh(k*x) with a large k" },
            { "a' = relu(a) * 0.5;", "relu", "'relu'", "softplus(x)" },
            { "a' = a > 0.5 ? a * 0.5 : a;", "?", "'?:'", "lerp(b, a, sigmoid(k*margin))" },
            { "a' = a % 0.5;", "%", "'%'", "a smooth periodic function such as sin" },
            { "a' = latch(a > 0.5, a, 0.5);", "latch", "'latch'", "a latch outside the smooth rule" },
            { "when a > 0.5 {\n      a' = a * 0.5;\n    }", "when", "'when'", "an unconditional update blended by a weight" },
        };

        [Theory]
        [MemberData(nameof(NonSmooth))]
        public void AE0040_non_smooth_operator_in_a_smooth_law(string bad, string marker, string op, string replacement)
        {
            var text = "smooth " + Law(bad);
            var d = AssertOnly(text, "AE0040", marker);
            Assert.StartsWith(op + " is not smooth, but law L is declared smooth (law AE-9); use " + replacement, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean("smooth " + Law("a' = a * 0.5;"));
        }

        /// <summary>
        /// A smooth law's declarations that enter the step, and its filter rates, are differentiated as its rules are: a
        /// 'min' in a coefficient's bounds, an 'abs' in an accumulator's neutral value and a 'min' in a filter's rate were
        /// accepted, and ae grad differentiated through their kinks without a word.
        /// </summary>
        [Fact]
        public void AE0040_in_a_smooth_laws_bounds_neutral_values_and_filter_rates()
        {
            const string bad = """
                smooth law K {
                  param a = 0.3, b = 0.5, beta in [0, 1) = 0.9;
                  input loss: real;
                  coeff alpha in [min(a, b), 1] = 0.6;
                  acc du = abs(a - b);
                  update {
                    s = ema(min(beta, 0.95), loss);
                    du += 0.01 * s;
                    alpha' = alpha * (1 - du);
                  }
                }
                """;
            var ds = TestSupport.Check(bad).Diagnostics.Where(d => d.Id == "AE0040").ToList();
            Assert.Equal(3, ds.Count);
            Assert.Equal(new[] { "'min'", "'abs'", "'min'" }, ds.Select(d => d.Message.Split(' ')[0]));
            Assert.All(ds, d => Assert.Contains("but law K is declared smooth", d.Message, StringComparison.Ordinal));
            Assert.Equal(new[] { 4, 5, 7 }, ds.Select(d => d.Start.Line));
            TestSupport.AssertClean(bad.Replace("min(a, b)", "a", StringComparison.Ordinal).Replace("abs(a - b)", "softabs(a - b, 1e-3)", StringComparison.Ordinal)
                .Replace("min(beta, 0.95)", "beta", StringComparison.Ordinal));
            // A constant that reads no real param is a fixed value (a dim, an int param), and a choice on an int is smooth in
            // the real params of its branches.
            TestSupport.AssertClean("""
                smooth law Q {
                  dim n;
                  param k: int = 3, beta in [0, 1) = 0.9;
                  input loss: real;
                  input grad: real[n];
                  coeff alpha in [0.01 * max(k, 2), 1] = 0.6;
                  update {
                    s = ema(k > 2 ? beta : 0.5, loss);
                    alpha' = alpha * (1 - 0.01 * s + 0 * sum(grad));
                  }
                }
                """);
            // A param's default and range are not differentiated (the runs set every param): no AE0040 there.
            TestSupport.AssertClean("""
                smooth law P {
                  param a = 0.3, b = max(a, 0.5);
                  param c in [min(0.1, 0.2), 1] = 0.5;
                  coeff alpha in [0.1, 1] = 0.6;
                  update { alpha' = alpha * (1 - 0.01 * (b + c)); }
                }
                """);
        }

        [Fact]
        public void AE0040_smooth_rule_in_a_plain_law()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  smooth rule R {
                    a' = clamp(a' * 0.5, 0, 1);
                  }
                  update {
                    a' = clamp(a', 0, 1);
                  }
                }
                """;
            // Only rule R is smooth: the clamp of the update is fine.
            var d = AssertOnly(bad, "AE0040", "clamp");
            Assert.StartsWith("'clamp' is not smooth, but rule R is declared smooth", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "clamp(a' * 0.5, 0, 1)", "softclamp(a' * 0.5, 0, 1)"));
        }

        [Fact]
        public void AE0040_relu_net_applied_in_a_smooth_update()
        {
            const string bad = """
                cell C {
                  input x: real[2];
                  state h: real[2] = 0;
                  net f: mlp(2 -> 4 -> 2, relu);
                  smooth update {
                    h' = f(x);
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0040", "f(x)");
            Assert.Equal("'f (relu)' is not smooth, but the update rule is declared smooth (law AE-9); use softplus as the net's activation", d.Message);
            TestSupport.AssertClean(Fix(bad, "relu", "softplus"));
        }

        [Fact]
        public void AE0040_constants_of_a_smooth_law_may_use_non_smooth_functions()
        {
            // AE-9 is about the step map; a param default is evaluated once.
            TestSupport.AssertClean("smooth " + Law("a' = a * k;", "  param k = max(0.5, 0.2);\n"));
        }

        [Fact]
        public void AE0040_relu_net_in_a_smooth_cell_reported_once()
        {
            // Regression guard: once, once at the activation ("cell 'C'") and again at every application ("cell C") - one cause,
            // two errors, and two spellings of the cell.
            const string bad = """
                smooth cell C {
                  input x: real[2];
                  state h: real[2] = 0;
                  net f: mlp(2 -> 4 -> 2, relu);
                  update {
                    h' = f(x);
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0040", "relu");
            Assert.StartsWith("'relu' is not smooth, but cell C is declared smooth", d.Message, StringComparison.Ordinal);
        }

        // ------------------------------------------------------------------ AE0041 non-causal read (A2)

        public static TheoryData<string, string, string, string> NonCausal() => new()
        {
            // members, bad statement(s), marker, what is read
            { "  input x: real;\n", "a' = clamp(a + x', 0, 1);", "x'", "an input" },
            { "", "a' = a * 0.5 + 0 * step';", "step'", "the step counter" },
            { "", "h = a * 0.5;\n    a' = h';", "h';", "a local value" },
            { "  signal s: real;\n", "s = a * 0.5;\n    a' = s';", "s';", "a signal" },
        };

        /// <summary>The next value of what never changes (a param, a dim, pi) is AE0041 too, and the message says to write the name itself.</summary>
        [Theory]
        [InlineData("  param k = 0.5;\n", "a' = a * k';", "k'", "a param")]
        [InlineData("", "a' = a * (pi' / pi) * 0.5;", "pi'", "the constant pi")]
        public void AE0041_next_value_of_a_constant(string members, string bad, string marker, string what)
        {
            var d = AssertOnly(Law(bad, members), "AE0041", marker);
            var name = marker.Substring(0, marker.IndexOf('\'', StringComparison.Ordinal));
            Assert.Equal("'" + name + "'' is the next value of " + what + ", which does not change from step to step; write '" + name + "'", d.Message);
            TestSupport.AssertClean(Law(Fix(bad, marker, name), members));
        }

        [Theory]
        [MemberData(nameof(NonCausal))]
        public void AE0041_next_value_of_something_without_one(string members, string bad, string marker, string what)
        {
            var text = Law(bad, members);
            var d = AssertOnly(text, "AE0041", marker);
            var name = marker.Substring(0, marker.IndexOf('\'', StringComparison.Ordinal));
            Assert.StartsWith("'" + name + "'' reads the value of " + what + " at the next step, which is not known yet (axiom A2", d.Message, StringComparison.Ordinal);
            Assert.Contains("read '" + name + "' (this step) or prev(" + name + ", init) (last step)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law(Fix(bad, marker, marker.Replace("'", "", StringComparison.Ordinal)), members));
        }

        [Fact]
        public void AE0041_next_value_of_a_coefficient_is_causal_inside_the_step()
        {
            // x' of a state or coefficient is the value being computed this step: reading it is allowed.
            TestSupport.AssertClean(Law("a' = a * 0.5;\n    b' = a';", "  coeff b in [0, 1] = 0.5;\n"));
        }

        [Fact]
        public void AE0041_or_AE0024_next_value_in_a_constant_names_what_it_reads()
        {
            // Regression guard: once, "'a'' reads the value of a constant at the next step" - 'a' is a coefficient, not a constant.
            var bad = Law("a' = a * k;", "  param k = a';\n");
            var diagnostics = TestSupport.Check(bad).Diagnostics;
            var d = Assert.Single(diagnostics);
            Assert.Contains(d.Id, new[] { "AE0041", "AE0024" });
            AssertAt(d, bad, "a';");
            Assert.Contains("coefficient", d.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("a constant", d.Message, StringComparison.Ordinal);
        }

        // ------------------------------------------------------------------ AE0042 ablation hole

        [Fact]
        public void AE0042_value_of_a_switchable_rule_used_by_another_rule()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  rule R {
                    h = a * 0.5;
                  }
                  update {
                    a' = h;
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0042", "h;");
            Assert.Equal("Switching off rule R leaves 'h' undefined where rule update uses it; declare it with a neutral value ('signal h = 0;'), or mark rule R 'fixed'", d.Message);
            // Both fixes the message offers:
            TestSupport.AssertClean(Fix(bad, "rule R", "fixed rule R"));
            TestSupport.AssertClean(Fix(bad, "  rule R", "  signal h = 0;\n  rule R"));
        }

        [Fact]
        public void AE0042_signal_of_a_switchable_rule_read_by_the_host()
        {
            var members = "  signal s: real;\n";
            var bad = Law("a' = a;", members).Replace("  update {", "  rule R {\n    s = a * 0.5;\n  }\n  update {", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0042", "s = a");
            Assert.Contains("Switching off rule R leaves 's' undefined for the host, which reads every signal after each step", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "signal s: real;", "signal s = 0;"));
            TestSupport.AssertClean(Fix(bad, "rule R", "fixed rule R"));
        }

        /// <summary>An objective's advice keeps it an objective: 'signal o = 0;' checked clean and left the cell with no objective.</summary>
        [Fact]
        public void AE0042_an_objective_is_told_to_stay_one()
        {
            const string bad = "cell C {\n  dim d = 3;\n  input x: real[d];\n  state h: real[d] = 0;\n  objective o: real;\n  rule R { o = sum(x); }\n  update { h' = h; }\n}\n";
            var d = AssertOnly(bad, "AE0042", "o = sum");
            Assert.EndsWith("declare it with a neutral value ('objective o: real = 0;'), or mark rule R 'fixed'", d.Message, StringComparison.Ordinal);
            var fixedText = Fix(bad, "objective o: real;", "objective o: real = 0;");
            TestSupport.AssertClean(fixedText);
            Assert.Contains("o", TestSupport.Check(fixedText).Program!.Units[0].Signals.Where(s => s.IsObjective).Select(s => s.Name));
        }

        [Fact]
        public void AE0042_each_link_of_a_chain_names_its_rules()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  rule R {
                    h = a * 0.5;
                  }
                  rule S {
                    g = h * 2;
                  }
                  update {
                    a' = g;
                  }
                }
                """;
            var holes = All(bad, "AE0042");
            Assert.Equal(2, holes.Count);
            AssertAt(holes[0], bad, "h * 2");
            Assert.StartsWith("Switching off rule R leaves 'h' undefined where rule S uses it", holes[0].Message, StringComparison.Ordinal);
            AssertAt(holes[1], bad, "g;");
            Assert.StartsWith("Switching off rule S leaves 'g' undefined where rule update uses it", holes[1].Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(Fix(bad, "rule R", "fixed rule R"), "rule S", "fixed rule S"));
        }

        [Fact]
        public void AE0042_signal_from_a_group_rule()
        {
            const string bad = """
                group G {
                  rule R { s = a * 0.5; }
                }
                law L {
                  use G;
                  coeff a in [0, 1] = 0.5;
                  signal s: real;
                  update {
                    a' = a;
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0042", "s = a");
            Assert.Contains("rule R leaves 's' undefined for the host", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "signal s: real;", "signal s = 0;"));
        }

        // ------------------------------------------------------------------ AE0043 rule without effect

        [Fact]
        public void AE0043_rule_whose_values_nobody_uses()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  rule R {
                    h = a * 0.5;
                    a2 = h * h;
                  }
                  update {
                    a' = a * 0.5;
                  }
                }
                """;
            var d = TestSupport.AssertSingle(bad, "AE0043", "R {");
            Assert.Equal("Rule R has no effect: nothing it defines is used, and it updates no state, coefficient, accumulator or signal", d.Message);
            Assert.Equal(DiagnosticCatalog.RuleWithoutEffect.DefaultSeverity, d.Severity);
            Assert.Equal(Severity.Warning, d.Severity);
            TestSupport.AssertClean(Fix(bad, "a2 = h * h;", "a' = h * h;"));
        }

        [Fact]
        public void AE0043_empty_rule_and_empty_when()
        {
            var empty = Law("a' = a * 0.5;").Replace("  update {", "  rule R { }\n  update {", StringComparison.Ordinal);
            AssertOnly(empty, "AE0043", "R {");
            var emptyWhen = Law("a' = a * 0.5;").Replace("  update {", "  rule R {\n    when a > 0.5 { }\n  }\n  update {", StringComparison.Ordinal);
            AssertOnly(emptyWhen, "AE0043", "R {");
            TestSupport.AssertClean(Law("a' = a * 0.5;").Replace("  update {", "  rule R {\n    when a > 0.5 { a' = a * 0.25; }\n  }\n  update {", StringComparison.Ordinal)
                .Replace("a' = a * 0.5;", "a' = a' * 0.5;", StringComparison.Ordinal));
        }

        // ------------------------------------------------------------------ AE0044 rule group never used

        [Fact]
        public void AE0044_group_no_law_uses()
        {
            var bad = "group G {\n  rule R { a' = a' * 0.5; }\n}\n" + Law("a' = a;");
            var d = AssertOnly(bad, "AE0044", "G {");
            Assert.Equal("Rule group 'G' is not used by any law or cell, so its rules never run; add 'use G;' or remove it", d.Message);
            Assert.Equal(Severity.Warning, d.Severity);
            TestSupport.AssertClean("group G {\n  rule R { a' = a' * 0.5; }\n}\n" + Law("a' = a';", "  use G;\n"));
        }

        [Fact]
        public void AE0044_group_used_only_through_another_group_is_used()
        {
            const string text = """
                group Outer {
                  use Inner;
                }
                group Inner {
                  rule R { a' = a' * 0.5; }
                }
                law L {
                  use Outer;
                  coeff a in [0, 1] = 0.5;
                  update {
                    a' = a';
                  }
                }
                """;
            TestSupport.AssertClean(text);
        }

        // ------------------------------------------------------------------ AE0045 duplicate rule id

        [Fact]
        public void AE0045_two_rules_with_one_id()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  rule R {
                    a' = a * 0.5;
                  }
                  rule R {
                    a' = a' * 0.5;
                  }
                  update {
                    a' = a';
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0045", "R {", occurrence: 2);
            Assert.Equal("Rule id 'R' is already used at " + Pos(bad, "R {") + "; rule ids name ablation switches and must be unique in a law", d.Message);
            TestSupport.AssertClean(Fix(bad, "rule R {\n    a' = a' * 0.5;", "rule S {\n    a' = a' * 0.5;"));
        }

        [Fact]
        public void AE0045_law_rule_with_the_id_of_a_group_rule()
        {
            const string bad = """
                group G {
                  rule R { a' = a' * 0.5; }
                }
                law L {
                  use G;
                  coeff a in [0, 1] = 0.5;
                  rule R {
                    a' = a' * 0.5;
                  }
                  update {
                    a' = a';
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0045", "R {", occurrence: 2);
            Assert.Contains("already used at " + Pos(bad, "R {"), d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "rule R {\n", "rule S {\n"));
        }

        [Fact]
        public void AE0045_two_update_blocks()
        {
            var bad = Law("a' = a * 0.5;").Replace("  }\n}\n", "  }\n  update {\n    a' = a';\n  }\n}\n", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0045", "update", occurrence: 2);
            Assert.StartsWith("Rule id 'update' is already used at " + Pos(bad, "update"), d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0045_rule_id_of_a_group_in_another_file_names_that_file()
        {
            var groups = new SourceFile("groups.ae", "group G {\n  rule R { a' = a' * 0.5; }\n}\n");
            var lawText = Law("a' = a';", "  use G;\n").Replace("  update {", "  rule R {\n    a' = a' * 0.5;\n  }\n  update {", StringComparison.Ordinal);
            var result = AeCompiler.Check(groups, new SourceFile("law.ae", lawText));
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("AE0045", d.Id);
            Assert.Equal(("law.ae", TestSupport.LineColumn(lawText, Offset(lawText, "R {"))), (d.Path, (d.Start.Line, d.Start.Column)));
            Assert.StartsWith("Rule id 'R' is already used at groups.ae(2,8);", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0045_group_rule_with_the_id_of_a_law_rule_is_reported_at_the_use()
        {
            // Regression guard: once reported at the group's rule (another unit's code, maybe another file), and only once
            // for all the laws that use the group.
            const string bad = """
                group G {
                  rule R { a' = a' * 0.5; }
                }
                law L {
                  coeff a in [0, 1] = 0.5;
                  rule R {
                    a' = a * 0.5;
                  }
                  use G;
                  update {
                    a' = a';
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0045", "G;");
            Assert.Equal("Rule id 'R' is already used at " + Pos(bad, "R {", 2) + "; 'use G' brings in another rule R at " + Pos(bad, "R {")
                + "; rule ids name ablation switches and must be unique in a law", d.Message);
            TestSupport.AssertClean(Fix(bad, "rule R {\n    a' = a * 0.5;", "rule S {\n    a' = a * 0.5;"));

            // a group in another file, through a group that uses it; two laws, one error each
            var groups = new SourceFile("groups.ae", "group G {\n  rule R { a' = a' * 0.5; }\n}\ngroup H {\n  use G;\n}\n");
            var lawText = Law("a' = a';", "  rule R { a' = a' * 0.9; }\n  use H;\n");
            var laws = new SourceFile("laws.ae", lawText + lawText.Replace("law L", "law M", StringComparison.Ordinal));
            var all = AeCompiler.Check(groups, laws).Diagnostics;
            Assert.Equal(2, all.Count);
            Assert.All(all, x => Assert.Equal(("AE0045", "laws.ae"), (x.Id, x.Path)));
            Assert.Equal(TestSupport.LineColumn(lawText, Offset(lawText, "H;")), (all[0].Start.Line, all[0].Start.Column));
            Assert.Contains("'use H' brings in another rule R (from group 'G') at groups.ae(2,8)", all[0].Message, StringComparison.Ordinal);
        }

        // ------------------------------------------------------------------ AE0046 invalid variant

        /// <summary>A law with a fixed rule F, switchable rules R and S, and the update; then the given variant line.</summary>
        private static string WithVariant(string variant) => """
            law L {
              coeff a in [0, 1] = 0.5;
              fixed rule F { a' = a' * 0.9; }
              rule R { a' = a' * 0.5; }
              rule S { a' = a' * 0.25; }
              update {
                a' = a';
              }
            }

            """ + variant + "\n";

        [Theory]
        [InlineData("law M = L without Q;", "Q;", "'L' has no rule 'Q'; rules that can be removed: R, S")]
        [InlineData("law M = L without F;", "F;", "Rule 'F' of 'L' is fixed and cannot be removed; rules that can be removed: R, S")]
        // 'update' is a reserved word, and the update rule's id: what is wrong is removing it, not the word
        [InlineData("law M = L without update;", "update;", "Rule 'update' of 'L' is the update and cannot be removed; rules that can be removed: R, S")]
        [InlineData("law M = L without R, update;", "update;", "Rule 'update' of 'L' is the update and cannot be removed; rules that can be removed: R, S")]
        [InlineData("law M = L without R, R;", "R;", "Rule 'R' is named twice")]
        [InlineData("cell M = L without R;", "L without", "'L' is a law; a cell variant must be based on a cell")]
        public void AE0046_invalid_variant(string variant, string marker, string message)
        {
            var bad = WithVariant(variant);
            var d = AssertOnly(bad, "AE0046", marker);
            Assert.Equal(message, d.Message);
            TestSupport.AssertClean(WithVariant("law M = L without R, S;"));
        }

        /// <summary>An error in another unit of the same file does not hide a variant's own: one check reports both.</summary>
        [Fact]
        public void AE0046_is_reported_beside_an_error_elsewhere_in_the_file()
        {
            var text = "law Broken {\n  update { q' = 1; }\n}\n" + WithVariant("law M = L without Q;");
            var ids = TestSupport.Check(text).Diagnostics.Select(d => d.Id).ToList();
            Assert.Contains("AE0010", ids);
            Assert.Contains("AE0046", ids);
        }

        [Fact]
        public void An_error_in_a_group_names_the_unit_whose_use_brings_it_in()
        {
            // The group reads 'loss': fine in the law that declares it, unknown in the other. The group's text is the same for
            // both, so the message says which unit (and its 'use', in another file) the error is for.
            var group = new SourceFile("ga.ae", "group Meas {\n  fixed rule M1 {\n    L = loss;\n  }\n}\n");
            var laws = new SourceFile("gb.ae", "law UsesMeas {\n  input loss: real;\n  coeff x in [1e-3, 1] = 0.01;\n  signal L: real;\n  use Meas;\n  update { x' = x * (1 + 0 * L); }\n}\n"
                + "law UsesMeas2 {\n  coeff x in [1e-3, 1] = 0.01;\n  use Meas;\n}\n");
            var result = AeCompiler.Check(new[] { group, laws });
            var d = Assert.Single(result.Diagnostics, x => x.Id == "AE0010");
            Assert.Equal("ga.ae", d.Path);
            Assert.Equal("Unknown name 'loss' (in law 'UsesMeas2', through its 'use Meas' at gb.ae(10,7))", d.Message);
            // So does a warning that only that unit makes: L is a signal of the first law, a value the second never reads.
            var unused = Assert.Single(result.Diagnostics, x => x.Id == "AE0050");
            Assert.Equal("Value 'L' is never used; remove it or use it (in law 'UsesMeas2', through its 'use Meas' at gb.ae(10,7))", unused.Message);
        }

        [Fact]
        public void AE0046_a_lagged_variant_names_the_reduction_as_the_file_writes_it()
        {
            const string bad = """
                law L {
                  dim n;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  coeff a in [1e-4, 1] = 0.1;
                  rule R { a' = a * (1 + 0.01 * loss) / (1 + 0.01 * sum(ema(0.9, grad) * 0)); }
                  update { theta' = theta - a' * grad; }
                }
                law LL = L lagged;
                """;
            var d = TestSupport.AssertSingle(bad, "AE0046", "LL = L");
            // The filter as written: not the slot the compiler gives it (ema@a.ema).
            Assert.Equal("'LL' is lagged, but 'sum(ema(0.9, grad) * 0)' in rule R draws noise or updates a filter in its arguments; a lagged law computes every reduction once per step in the update pass", d.Message);
        }

        /// <summary>A lagged variant without the rule whose reduction updates a filter has no such reduction: it checks clean, directly and through a variant.</summary>
        [Fact]
        public void AE0046_a_lagged_variant_that_removes_the_rule_is_not_refused_for_it()
        {
            const string law = """
                law B {
                  dim n;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  signal z: real = 0;
                  signal w: real = 0;
                  rule R { z = sum(grad * ema(0.9, loss)); }
                  rule Q { w = loss + 1; }
                  update { theta' = theta - 0.01 * grad; }
                }
                """;
            TestSupport.AssertClean(law + "law BL = B without R lagged;\nlaw BNoR = B without R;\nlaw BNoRLagged = BNoR lagged;\n");
            // Removing another rule leaves R's reduction in, and the variant refused.
            var d = TestSupport.AssertSingle(law + "law BQ = B without Q lagged;\n", "AE0046", "BQ = B");
            Assert.Contains("in rule R draws noise or updates a filter", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0046_unknown_base_is_an_unknown_name()
        {
            var bad = WithVariant("law M = K without R;");
            var d = AssertOnly(bad, "AE0010", "K without");
            Assert.Contains("did you mean 'L'?", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0046_variant_of_a_variant_is_not_an_unknown_name()
        {
            // Regression guard: once, "error AE0010: Unknown name 'M'; did you mean 'L'?" although M is declared just above. Either
            // accept it (N = L without R, S) or say that a variant cannot be the base of another (AE0046).
            var bad = WithVariant("law M = L without R;\nlaw N = M without S;");
            var all = TestSupport.Check(bad).Diagnostics;
            Assert.DoesNotContain(all, d => d.Id == "AE0010");
            Assert.All(all, d =>
            {
                Assert.Equal("AE0046", d.Id);
                AssertAt(d, bad, "M without");
            });
        }

        [Fact]
        public void AE0045_group_used_twice_is_reported_at_the_second_use()
        {
            // Regression guard: once, "(2,8): error AE0045: Rule id 'R' is already used at (2,8)" - at the group's rule, pointing
            // at itself. The duplicate is made by the second 'use G;'.
            const string bad = """
                group G {
                  rule R { a' = a' * 0.5; }
                }
                law L {
                  use G;
                  use G;
                  coeff a in [0, 1] = 0.5;
                  update {
                    a' = a';
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0045", "G;", occurrence: 2);
            Assert.Contains("at (5,7) by the first 'use G'", d.Message, StringComparison.Ordinal);
        }
    }
}
