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
    /// <summary>Names (AE001x): unknown, duplicate, used before definition, cyclic, calls, assignments, groups, signals, reserved names.</summary>
    public partial class DiagnosticTests
    {
        // ------------------------------------------------------------------ AE0010 unknown name

        /// <summary>Only the typo: the name it suggests is unread because of it, and is not also said to be never used (AE0050).</summary>
        [Fact]
        public void AE0010_misspelt_param_suggests_the_declared_name()
        {
            var bad = Law("a' = a * gian;", "  param gain = 0.5;\n");
            var d = AssertOnly(bad, "AE0010", "gian");
            Assert.Equal("Unknown name 'gian'; did you mean 'gain'?", d.Message);
            TestSupport.AssertClean(Fix(bad, "gian", "gain"));
        }

        /// <summary>A variant's unknown base is not suggested to be the variant itself (it once said "did you mean 'G3W'?").</summary>
        [Fact]
        public void AE0010_a_variants_unknown_base_does_not_suggest_the_variant()
        {
            const string bad = "law G3W = G3 without R;\n";
            var d = AssertOnly(bad, "AE0010", "G3 without");
            Assert.Equal("Unknown name 'G3' (no law or cell has this name)", d.Message);
        }

        [Fact]
        public void AE0010_misspelt_function_suggests_the_builtin()
        {
            var bad = Law("a' = tanhh(a);");
            var d = AssertOnly(bad, "AE0010", "tanhh");
            Assert.Contains("did you mean 'tanh'?", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "tanhh", "tanh"));
        }

        [Fact]
        public void AE0010_unknown_function_without_a_close_name()
        {
            var bad = Law("a' = frobnicate(a);");
            var d = AssertOnly(bad, "AE0010", "frobnicate");
            Assert.Equal("Unknown name 'frobnicate' (not a function, and no net has this name)", d.Message);
            TestSupport.AssertClean(Fix(bad, "frobnicate(a)", "sigmoid(a)"));
        }

        [Fact]
        public void AE0010_unknown_name_without_a_close_name_has_no_suggestion()
        {
            var bad = Law("a' = a * zzz;");
            var d = AssertOnly(bad, "AE0010", "zzz");
            Assert.Equal("Unknown name 'zzz'", d.Message);
            TestSupport.AssertClean(Fix(bad, "zzz", "0.5"));
        }

        [Fact]
        public void AE0010_unknown_assignment_target()
        {
            var bad = Law("a' = a * 0.5;\n    du += a;", "  acc dv = 0;\n");
            var d = AssertOnly(bad, "AE0010", "du +=");
            Assert.Contains("did you mean 'dv'?", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(Fix(bad, "du +=", "dv +="), "a * 0.5;", "a * 0.5 + 0 * dv;"));
        }

        [Fact]
        public void AE0010_unknown_name_in_a_dimension()
        {
            var bad = Law("a' = a + 0 * sum(g);", "  input g: real[k];\n");
            AssertOnly(bad, "AE0010", "k]");
            TestSupport.AssertClean(Fix(bad, "  input g: real[k];\n", "  dim k;\n  input g: real[k];\n"));
        }

        [Fact]
        public void AE0010_a_misspelt_dim_net_or_value_is_the_only_diagnostic()
        {
            var dim = Law("a' = a + 0 * sum(g);", "  dim n;\n  input g: real[m];\n");
            Assert.Contains("did you mean the dim 'n'?", AssertOnly(dim, "AE0010", "m]").Message, StringComparison.Ordinal);
            var net = Law("a' = a + 0 * sum(fnet(g));", "  dim n;\n  input g: real[n];\n  net f_net: mlp(n -> 4 -> n, tanh);\n");
            Assert.Contains("did you mean 'f_net'?", AssertOnly(net, "AE0010", "fnet").Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(net, "fnet(", "f_net("));
            // a name that is not the one suggested is still said to be never used
            var other = Law("a' = a * gian;", "  param gain = 0.5;\n  param spare = 1;\n");
            Assert.Contains(TestSupport.Check(other).Diagnostics, x => x.Id == "AE0050" && x.Message.Contains("'spare'", StringComparison.Ordinal));
        }

        [Fact]
        public void AE0010_suggests_a_rule_defined_value()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  fixed rule R {
                    half = a * 0.5;
                  }
                  update {
                    a' = hafl;
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0010", "hafl");
            Assert.Contains("did you mean 'half'?", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "hafl", "half"));
        }

        // ------------------------------------------------------------------ AE0011 duplicate name

        [Fact]
        public void AE0011_duplicate_declaration_points_at_the_first()
        {
            var bad = Law("a' = a * k;", "  param k = 0.5;\n  param k = 0.7;\n");
            var d = AssertOnly(bad, "AE0011", "k = 0.7");
            Assert.Equal("'k' is already declared at " + Pos(bad, "k = 0.5") + "; rename one of them", d.Message);
            TestSupport.AssertClean(Fix(bad, "  param k = 0.7;\n", ""));
        }

        /// <summary>A built-in cannot be renamed: the advice is the other name, not "rename one of them".</summary>
        [Fact]
        public void AE0011_a_declaration_named_like_a_built_in_is_told_to_choose_another_name()
        {
            var bad = Law("a' = a * 0.5;", "  param pi = 3;\n");
            var d = AssertOnly(bad, "AE0011", "pi = 3");
            Assert.Equal("'pi' is already a built-in value; choose another name (a built-in cannot be renamed)", d.Message);
            var defined = Law("step = a;\n    a' = a * 0.5;");
            Assert.Equal("'step' is already a built-in value (the step counter); choose another name (a built-in cannot be renamed)",
                TestSupport.AssertSingle(defined, "AE0011", "step = a").Message);
        }

        [Fact]
        public void AE0011_declaration_reusing_a_name_of_another_kind()
        {
            var bad = Law("a' = a * 0.5;", "  signal a = 1;\n");
            // The signal comes first in the text, so the coefficient is the duplicate ('a' stays the signal,
            // so "a' = ..." below is AE0015 as well).
            var d = TestSupport.AssertSingle(bad, "AE0011", "a in [0, 1]");
            Assert.Contains("already declared at " + Pos(bad, "a = 1"), d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(Fix(bad, "signal a = 1;", "signal b = 1;"), "a' = a * 0.5;", "a' = a * 0.5 * b;"));
        }

        [Fact]
        public void AE0011_value_defined_twice_in_rules()
        {
            var bad = Law("h = a * 0.5;\n    h = a * 0.25;\n    a' = h;");
            var d = AssertOnly(bad, "AE0011", "h = a * 0.25");
            Assert.Contains("'h' is already defined at " + Pos(bad, "h = a * 0.5"), d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "h = a * 0.25;\n    a' = h;", "h2 = a * 0.25;\n    a' = h + h2;"));
        }

        [Fact]
        public void AE0011_duplicate_law_names()
        {
            var bad = Law("a' = a * 0.5;") + Law("a' = a * 0.25;");
            var d = AssertOnly(bad, "AE0011", "L {", occurrence: 2);
            Assert.Contains("'L' is already declared at (1,5)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("a' = a * 0.5;") + Fix(Law("a' = a * 0.25;"), "law L", "law M"));
        }

        /// <summary>Names that differ but whose C# types would not: a law's population, a law named like a member, the cell T.</summary>
        [Theory]
        [InlineData("law L", "law LPopulation", "'LPopulation' is already the C# type of the population of law 'L'; rename one of them")]
        [InlineData("law X", "law XIlgpuF32", "'XIlgpuF32' is already the C# class of the ILGPU kernels of law 'X'; rename one of them")]
        [InlineData("law XIlgpuF32", "law X", "'X' is already the C# type of law 'XIlgpuF32' ('XIlgpuF32', the C# class of the ILGPU kernels of 'X'); rename one of them")]
        [InlineData("cell T", "cell T_", "'T_' is already the C# type of cell 'T'; rename one of them")]
        [InlineData("law var", "law varLaw", "'varLaw' is already the C# type of law 'var'; rename one of them")]
        [InlineData("law Step", "law StepLaw", "'StepLaw' is already the C# type of law 'Step'; rename one of them")]
        [InlineData("law StepLaw", "law Step", "'Step' is already the C# type of law 'StepLaw' ('StepLaw', the C# type 'Step' would compile to); rename one of them")]
        public void AE0011_names_whose_generated_types_collide(string first, string second, string message)
        {
            string Unit(string head) => head.StartsWith("cell", StringComparison.Ordinal)
                ? head + " {\n  state s: real[1] = 0;\n  update { s' = s; }\n}\n"
                : head + " {\n  coeff a in [0, 1] = 0.5;\n  update { a' = a * 0.5; }\n}\n";
            string bad = Unit(first) + Unit(second);
            var d = AssertOnly(bad, "AE0011", second.Split(' ')[1] + " {");
            Assert.Equal(message, d.Message);
            TestSupport.AssertClean(Unit(first) + Unit(second + "X"));
            // the later unit has an error, so it has no code: the C# compiler does not add its own errors to AE0011
            Assert.DoesNotContain(TestSupport.Check(bad).Program!.Units, u => u.Name == second.Split(' ')[1]);
        }

        /// <summary>A cell's type is generic (<c>LPopulation&lt;T&gt;</c>): it does not clash with a law's population or kernels.</summary>
        [Theory]
        [InlineData("law L", "cell LPopulation")]
        [InlineData("law X", "cell XIlgpuF32")]
        public void A_cell_named_like_a_laws_generated_type_does_not_clash(string first, string second)
        {
            string Unit(string head) => head.StartsWith("cell", StringComparison.Ordinal)
                ? head + " {\n  state s: real[1] = 0;\n  update { s' = s; }\n}\n"
                : head + " {\n  coeff a in [0, 1] = 0.5;\n  update { a' = a * 0.5; }\n}\n";
            TestSupport.AssertClean(Unit(first) + Unit(second));
        }

        [Fact]
        public void AE0011_duplicate_group_names()
        {
            const string bad = """
                group G {
                  rule R { a' = a' * 0.5; }
                }
                group G {
                  rule S { a' = a' * 0.25; }
                }
                law L {
                  use G;
                  coeff a in [0, 1] = 0.5;
                  update {
                    a' = a';
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0011", "G {", occurrence: 2);
            Assert.Contains("'G' is already declared at (1,7)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(Fix(bad, "group G {\n  rule S", "group H {\n  rule S"), "use G;", "use G;\n  use H;"));
        }

        [Fact]
        public void AE0011_reserved_name_message_says_it_is_built_in()
        {
            var bad = Law("a' = a * step;", "  param step = 0.5;\n");
            var d = AssertOnly(bad, "AE0011", "step = 0.5");
            Assert.Contains("built-in", d.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("(built-in,value)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(Fix(bad, "param step", "param k"), "a * step", "a * k"));
        }

        [Fact]
        public void AE0011_reserved_name_pi_is_reported_at_the_declaration()
        {
            var bad = Law("a' = a * 0.5 / pi;", "  param pi = 3;\n");
            var d = AssertOnly(bad, "AE0011", "pi = 3");
            Assert.StartsWith("'pi'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "  param pi = 3;\n", ""));
        }

        [Fact]
        public void AE0011_or_AE0015_rule_value_named_like_a_builtin_is_rejected()
        {
            // 'param step' is rejected (AE0011), but a rule value 'step = ...' silently shadows the step counter.
            var bad = Law("step = a * 0.5;\n    a' = step;");
            var diagnostics = TestSupport.Check(bad).Diagnostics.Where(d => d.Id is "AE0011" or "AE0015").ToList();
            Assert.True(diagnostics.Count == 1, "expected one AE0011 or AE0015, got:\n" + TestSupport.Format(TestSupport.Check(bad).Diagnostics));
            AssertAt(diagnostics[0], bad, "step =");
            Assert.Contains("step", diagnostics[0].Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(Fix(bad, "step =", "half ="), "a' = step", "a' = half"));
        }

        [Fact]
        public void AE0011_duplicate_layer_names_of_a_net()
        {
            // Both layers would be named f.l1.weight / f.l1.bias: the parameter names collide.
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: mlp(1 -> 2 -> 1, tanh) named l1, l1;\n");
            AssertOnly(bad, "AE0011", "l1;");
            TestSupport.AssertClean(Fix(bad, "l1, l1", "l1, l2"));
        }

        [Fact]
        public void AE0011_duplicate_group_in_another_file_names_that_file()
        {
            var groups = new SourceFile("groups.ae", "group G {\n  rule R { a' = a' * 0.5; }\n}\n");
            var law = new SourceFile("law.ae", "group G {\n  rule S { a' = a' * 0.25; }\n}\n" + Law("a' = a';", "  use G;\n"));
            var result = AeCompiler.Check(groups, law);
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("AE0011", d.Id);
            Assert.Equal(("law.ae", 1, 7), (d.Path, d.Start.Line, d.Start.Column));
            Assert.Equal("'G' is already declared at groups.ae(1,7); rename one of them", d.Message);
        }

        [Fact]
        public void AE0011_variant_with_the_name_of_a_law()
        {
            var bad = Law("a' = a * 0.5;") + "law L = L without R;\n";
            var d = TestSupport.AssertSingle(bad, "AE0011", "L = L");
            Assert.StartsWith("'L' is already declared at (1,5)", d.Message, StringComparison.Ordinal);
        }

        // ------------------------------------------------------------------ AE0012 use before definition

        [Fact]
        public void AE0012_use_before_definition_in_one_rule()
        {
            var bad = Law("a' = h;\n    h = a * 0.5;");
            var d = TestSupport.AssertSingle(bad, "AE0012", "h;");
            Assert.StartsWith("'h' is used before its definition at " + Pos(bad, "h = a"), d.Message, StringComparison.Ordinal);
            Assert.Contains("move the definition above this use", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("h = a * 0.5;\n    a' = h;"));
        }

        [Fact]
        public void AE0012_use_in_a_rule_before_the_rule_that_defines_it()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  fixed rule R {
                    u = h * 2;
                  }
                  fixed rule S {
                    h = a * 0.5;
                  }
                  update {
                    a' = u;
                  }
                }
                """;
            var d = TestSupport.AssertSingle(bad, "AE0012", "h * 2");
            Assert.Contains("at " + Pos(bad, "h = a"), d.Message, StringComparison.Ordinal);
            const string good = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  fixed rule S {
                    h = a * 0.5;
                  }
                  fixed rule R {
                    u = h * 2;
                  }
                  update {
                    a' = u;
                  }
                }
                """;
            TestSupport.AssertClean(good);
        }

        [Fact]
        public void AE0012_signal_read_before_its_defining_statement()
        {
            var bad = Law("a' = a * s;\n    s = a * 0.5;", "  signal s = 0;\n");
            var d = AssertOnly(bad, "AE0012", "s;");
            Assert.Contains("'s' is used before its definition at " + Pos(bad, "s = a"), d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("s = a * 0.5;\n    a' = a * s;", "  signal s = 0;\n"));
        }

        [Fact]
        public void AE0012_value_used_too_early_is_not_also_reported_unused()
        {
            // Regression guard: once, the use-before-definition also yields "warning AE0050: Value 'h' is never used" - it is used.
            var bad = Law("a' = h;\n    h = a * 0.5;");
            AssertOnly(bad, "AE0012", "h;");
        }

        // ------------------------------------------------------------------ AE0013 cyclic definition

        [Fact]
        public void AE0013_param_cycle_reported_at_each_member_with_the_path()
        {
            var bad = Law("a' = a * p;", "  param p = q * 2;\n  param q = p / 2;\n");
            var cycles = All(bad, "AE0013");
            Assert.True(cycles.Count == 2, TestSupport.Format(TestSupport.Check(bad).Diagnostics));
            AssertAt(cycles[0], bad, "p = q");
            AssertAt(cycles[1], bad, "q = p");
            Assert.All(cycles, d => Assert.StartsWith("Cyclic definition: 'p' -> 'q' -> 'p'; a value cannot depend on itself", d.Message, StringComparison.Ordinal));
            TestSupport.AssertClean(Fix(bad, "q = p / 2", "q = 0.25"));
        }

        [Fact]
        public void AE0013_three_param_cycle_names_every_member()
        {
            var bad = Law("a' = a * p;", "  param p = q;\n  param q = r;\n  param r = p;\n");
            var cycles = All(bad, "AE0013");
            Assert.Equal(3, cycles.Count);
            Assert.All(cycles, d => Assert.Contains("'p' -> 'q' -> 'r' -> 'p'", d.Message, StringComparison.Ordinal));
            TestSupport.AssertClean(Fix(bad, "r = p", "r = 0.5"));
        }

        [Fact]
        public void AE0013_param_range_referring_to_itself()
        {
            var bad = Law("a' = a * p;", "  param p in [0, p] = 0.5;\n");
            var d = AssertOnly(bad, "AE0013", "p in");
            Assert.Contains("'p' -> 'p'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "[0, p]", "[0, 1]"));
        }

        [Fact]
        public void AE0013_dim_defined_in_terms_of_itself()
        {
            var bad = Law("a' = a + 0 * sum(x);", "  dim n = n + 1;\n  input x: real[n];\n");
            var d = AssertOnly(bad, "AE0013", "n = n");
            Assert.Contains("'n' -> 'n'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "dim n = n + 1;", "dim n = 3;"));
        }

        [Fact]
        public void AE0013_params_of_a_cycle_are_not_also_reported_unused()
        {
            // Regression guard: once, "warning AE0050: Param 'q' is never used" although p's default reads q.
            var bad = Law("a' = a * p;", "  param p = q * 2;\n  param q = p / 2;\n");
            AssertNo(bad, "AE0050");
        }

        [Fact]
        public void AE0013_value_defined_in_terms_of_itself_is_reported_at_the_self_reference()
        {
            var bad = Law("h = h + a;\n    a' = h;");
            var d = AssertOnly(bad, "AE0013", "h + a");
            Assert.StartsWith("Cyclic definition: 'h' is defined in terms of itself", d.Message, StringComparison.Ordinal);
            Assert.Contains("for a recurrence declare it as state", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("h = a + a;\n    a' = h;"));
        }

        [Fact]
        public void AE0013_signal_defined_in_terms_of_itself()
        {
            var bad = Law("s = s + a;\n    a' = s;", "  signal s: real;\n");
            var d = AssertOnly(bad, "AE0013", "s + a");
            Assert.Contains("'s' is defined in terms of itself", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("s = a * 0.5;\n    a' = s;", "  signal s: real;\n"));
        }

        [Fact]
        public void AE0013_recurrence_through_prev_of_itself_points_to_state()
        {
            // prev(h, 0) stores h as evaluated at the call, which is inside h's own definition: a cycle.
            // The message points to the construct for a recurrence, and that form checks clean.
            var bad = Law("h = 0.5 * prev(h, 0) + 0.5 * a;\n    a' = h;");
            var d = AssertOnly(bad, "AE0013", "h, 0)");
            Assert.Contains("declare it as state", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("h' = 0.5 * h + 0.5 * a;\n    a' = h';", "  state h: real = 0;\n"));
        }

        [Fact]
        public void AE0013_group_use_cycle_reported_at_the_use_that_closes_it()
        {
            const string bad = """
                group G {
                  use H;
                  rule R { a' = a' * 0.5; }
                }
                group H {
                  use G;
                  rule S { a' = a' * 0.5; }
                }
                law L {
                  use G;
                  coeff a in [0, 1] = 0.5;
                  update {
                    a' = a';
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0013", "G;\n  rule S");
            Assert.Equal("Cyclic definition: group 'G' -> group 'H' -> group 'G'; a group cannot use itself, directly or through others: move what they share into a group that both use, and remove one 'use'", d.Message);
            TestSupport.AssertClean(Fix(bad, "  use G;\n  rule S", "  rule S"));
        }

        [Fact]
        public void AE0013_group_using_itself()
        {
            const string bad = """
                group G {
                  use G;
                  rule R { a' = a' * 0.5; }
                }
                law L {
                  use G;
                  coeff a in [0, 1] = 0.5;
                  update {
                    a' = a';
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0013", "G;");
            Assert.Contains("group 'G' -> group 'G'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "  use G;\n  rule R", "  rule R"));
        }

        /// <summary>
        /// A cycle longer than the nesting limit (32) was reported as nesting too deep (AE0005, "flatten the chain"): it is
        /// the cycle, named in full; a chain as long without a cycle is still AE0005.
        /// </summary>
        [Theory]
        [InlineData(33, true)]
        [InlineData(40, true)]
        [InlineData(40, false)]
        public void AE0013_a_use_cycle_longer_than_the_nesting_limit_is_a_cycle(int length, bool cycle)
        {
            var sb = new System.Text.StringBuilder();
            for (int i = 0; i < length; i++)
                sb.Append("group G").Append(i).Append(" {\n  ").Append(i + 1 < length ? "use G" + (i + 1) + ";\n  " : cycle ? "use G0;\n  " : "")
                  .Append("rule R").Append(i).Append(" { a' = a' * 0.5; }\n}\n");
            sb.Append("law L {\n  use G0;\n  coeff a in [0, 1] = 0.5;\n  update {\n    a' = a';\n  }\n}\n");
            var all = TestSupport.Check(sb.ToString()).Diagnostics;
            var d = Assert.Single(all);
            if (cycle)
            {
                Assert.Equal("AE0013", d.Id);
                Assert.StartsWith("Cyclic definition: " + string.Join(" -> ", Enumerable.Range(0, length).Select(i => "group 'G" + i + "'")) + " -> group 'G0'; ", d.Message, StringComparison.Ordinal);
            }
            else Assert.Equal("AE0005", d.Id);
        }

        // ------------------------------------------------------------------ AE0014 invalid call

        [Fact]
        public void AE0014_too_many_arguments()
        {
            var bad = Law("a' = tanh(a, 2);");
            var d = AssertOnly(bad, "AE0014", "tanh");
            Assert.StartsWith("'tanh' takes 1 argument, but 2 are given", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "tanh(a, 2)", "tanh(2 * a)"));
        }

        [Theory]
        [InlineData("pi", "a constant")]
        [InlineData("step", "the step counter")]
        public void AE0014_calling_a_built_in_value(string name, string what)
        {
            var bad = Law("a' = clamp(a * " + name + "(1), 0, 1);");
            var d = AssertOnly(bad, "AE0014", name + "(1)");
            Assert.Equal("'" + name + "' is " + what + ", not a function or a net; it cannot be called (write '" + name + "')", d.Message);
            TestSupport.AssertClean(Fix(bad, name + "(1)", name));
        }

        [Fact]
        public void AE0014_too_few_arguments_shows_the_signature()
        {
            var bad = Law("a' = clamp(a, 0);");
            var d = AssertOnly(bad, "AE0014", "clamp");
            Assert.Equal("'clamp' takes 3 arguments, but 2 are given: clamp: min(max(x, lo), hi)", d.Message);
            TestSupport.AssertClean(Fix(bad, "clamp(a, 0)", "clamp(a, 0, 1)"));
        }

        [Theory]
        [InlineData(17, "'concat' takes at most 16 arguments, but 17 are given")]
        [InlineData(1, "'concat' takes at least 2 arguments, but 1 is given")]
        public void AE0014_concat_names_the_bound_it_breaks(int parts, string message)
        {
            var bad = Law("a' = a * sum(concat(" + string.Join(", ", Enumerable.Repeat("a", parts)) + "));");
            var d = AssertOnly(bad, "AE0014", "concat");
            Assert.StartsWith(message, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("a' = a * 0.01 * sum(concat(" + string.Join(", ", Enumerable.Repeat("a", 16)) + "));"));
        }

        [Fact]
        public void AE0014_prev_without_initial_value()
        {
            var bad = Law("a' = prev(a);");
            var d = AssertOnly(bad, "AE0014", "prev");
            Assert.Contains("'prev' takes 2 arguments, but 1 is given: prev(x, init)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "prev(a)", "prev(a, 0.5)"));
        }

        [Fact]
        public void AE0014_more_noise_calls_than_a_unit_may_number()
        {
            // Each noise() call is a numbered site of the counter-based draws: 65,535 are allowed, the next is refused.
            static string Many(int calls)
            {
                var b = new System.Text.StringBuilder("law Many {\n  state a = 0;\n  signal s = 0;\n  rule r {\n");
                for (int i = 1; i <= calls; i++) b.Append("    l").Append(i).Append(" = noise();\n");
                b.Append("    s = l").Append(calls).Append(";\n  }\n  update { a' = a + s; }\n}\n");
                return b.ToString();
            }
            Assert.DoesNotContain(TestSupport.Check(Many(65535)).Diagnostics, d => d.Id == "AE0014");
            var text = Many(65536);
            var d = Assert.Single(TestSupport.Check(text).Diagnostics, d => d.Id == "AE0014");
            Assert.Contains("more than 65535 noise() calls", d.Message, StringComparison.Ordinal);
            Assert.Equal(text.LastIndexOf("noise()", StringComparison.Ordinal), d.Span.Start);
        }

        [Fact]
        public void AE0014_calling_a_param()
        {
            var bad = Law("a' = a * k(2);", "  param k = 0.5;\n");
            var d = AssertOnly(bad, "AE0014", "k(2)");
            Assert.Equal("'k' is a param, not a function or a net; it cannot be called", d.Message);
            TestSupport.AssertClean(Fix(bad, "k(2)", "k * 2"));
        }

        [Theory]
        [InlineData("1.5", "is 1.5;")]
        [InlineData("-0.1", "is -0.1;")]
        public void AE0014_filter_rate_outside_0_1(string rate, string phrase)
        {
            var bad = Law("a' = ema(" + rate + ", a);");
            var d = AssertOnly(bad, "AE0014", rate + ",");
            Assert.Contains("The rate of 'ema' " + phrase + " it must lie in [0, 1)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, rate + ",", "0.9,"));
        }

        private static string RateCell(string param, string rate) =>
            "cell C {\n  input x: real[2];\n" + param + "  signal y: real[2];\n  update {\n    y = ema(" + rate + ", x);\n  }\n}\n";

        /// <summary>
        /// A cell trains its real params within their declared ranges only: a rate that reads one must stay in [0, 1) over
        /// those ranges (training took an unranged rate to -352, and one ranged [0, 1] to 1, where the filter blows up).
        /// </summary>
        [Theory]
        [InlineData("  param beta = 0.9;\n", "beta", "(-inf, inf)")]
        [InlineData("  param beta in [0, 1] = 0.9;\n", "beta", "[0, 1]")]
        [InlineData("  param beta in [-0.5, 0.5] = 0.2;\n", "beta", "[-0.5, 0.5]")]
        [InlineData("  param k in [0, 1] = 0.5;\n", "1 - k", "[0, 1]")]
        public void AE0014_a_cell_s_filter_rate_that_training_can_move_out_of_0_1(string param, string rate, string range)
        {
            var bad = RateCell(param, rate);
            var d = AssertOnly(bad, "AE0014", rate + ", x");
            string name = param.Contains("beta", StringComparison.Ordinal) ? "beta" : "k";
            Assert.StartsWith("The rate of 'ema' reads the trained param '" + name + "', and training keeps a param in its declared range only: over those ranges the rate lies in " + range + ", not within [0, 1)", d.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("  param beta in [0, 1) = 0.9;\n", "beta")]
        [InlineData("  param beta in [0.5, 0.99] = 0.9;\n", "beta")]
        [InlineData("  param k in (0, 1] = 0.5;\n", "1 - k")]
        [InlineData("  param k: int in [1, 4] = 2;\n", "1 / (k + 1)")] // an int param is compiled in, not trained: its default was checked
        [InlineData("  param k: int = 2;\n  param g in [0, 0.4] = 0.1;\n", "g * k")] // g k over g's range with k at its value 2: [0, 0.8]
        [InlineData("  param k: int in [1, 100] = 2;\n  param g in [0, 0.4] = 0.1;\n", "g * k")]
        public void A_cell_s_filter_rate_kept_in_0_1_by_its_params_ranges_is_clean(string param, string rate) => TestSupport.AssertClean(RateCell(param, rate));

        /// <summary>A range that reads another param is the C# backend's AE0080 (nothing trains such a cell); the rate check took it as unbounded.</summary>
        [Fact]
        public void A_cell_s_filter_rate_from_a_param_whose_range_reads_another_is_left_to_AE0080() =>
            Assert.DoesNotContain(TestSupport.Check(RateCell("  param b in [0.5, 0.9] = 0.8;\n  param g in [0, b) = 0.5;\n", "g + 0 * b")).Diagnostics, d => d.Id == "AE0014");

        [Fact]
        public void A_law_s_filter_rate_from_an_unranged_param_is_clean_its_value_is_checked_when_the_law_is_made() =>
            TestSupport.AssertClean(Law("a' = ema(beta, a);", "  param beta = 0.9;\n"));

        [Fact]
        public void AE0014_filter_rate_from_a_param_default()
        {
            var bad = Law("a' = ema(beta, a);", "  param beta = 1.5;\n");
            var d = AssertOnly(bad, "AE0014", "beta, a");
            Assert.Contains("is 1.5", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "beta = 1.5", "beta in [0, 1) = 0.9"));
        }

        [Fact]
        public void AE0014_unknown_net_kind()
        {
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: conv(1 -> 1);\n");
            var d = AssertOnly(bad, "AE0014", "conv");
            Assert.Contains("Unknown net kind 'conv'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "conv(", "linear("));
        }

        [Fact]
        public void AE0014_mlp_with_hidden_layers_needs_an_activation()
        {
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: mlp(1 -> 4 -> 1);\n");
            var d = AssertOnly(bad, "AE0014", "net f");
            Assert.Contains("mlp 'f' has hidden layers, so it needs an activation", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "-> 1)", "-> 1, tanh)"));
        }

        [Fact]
        public void AE0014_unknown_activation_lists_the_allowed_ones()
        {
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: mlp(1 -> 4 -> 1, gelu);\n");
            var d = AssertOnly(bad, "AE0014", "gelu");
            Assert.Equal("Unknown activation 'gelu'; use one of tanh, relu, sigmoid, softplus, sin, cos", d.Message);
            TestSupport.AssertClean(Fix(bad, "gelu", "softplus"));
        }

        [Fact]
        public void AE0014_linear_net_with_an_activation()
        {
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: linear(1 -> 1, tanh);\n");
            var d = AssertOnly(bad, "AE0014", "tanh");
            Assert.Contains("A linear net has no activation", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, ", tanh)", ")"));
        }

        [Fact]
        public void AE0014_linear_net_with_a_hidden_layer()
        {
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: linear(1 -> 2 -> 1);\n");
            var d = AssertOnly(bad, "AE0014", "net f");
            Assert.Contains("A linear net has exactly one layer", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "linear(1 -> 2 -> 1)", "mlp(1 -> 2 -> 1, tanh)"));
        }

        [Fact]
        public void AE0014_net_with_a_single_width()
        {
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: mlp(1);\n");
            var d = AssertOnly(bad, "AE0014", "net f");
            Assert.Contains("needs at least an input and an output width", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "mlp(1)", "mlp(1 -> 1)"));
        }

        [Fact]
        public void AE0014_layer_names_do_not_match_the_layer_count()
        {
            var bad = Law("a' = clamp(sum(f(a)), 0, 1);", "  net f: linear(1 -> 1) named f1, f2;\n");
            var d = AssertOnly(bad, "AE0014", "f1, f2");
            Assert.Equal("Net 'f' has 1 layer(s) but 2 layer name(s) are given", d.Message);
            TestSupport.AssertClean(Fix(bad, "f1, f2", "f1"));
        }

        // ------------------------------------------------------------------ AE0015 invalid assignment

        public static TheoryData<string, string, string, string, string> InvalidAssignments() => new()
        {
            // members, bad statement(s), marker, key phrase, fixed statement(s)
            { "  param k = 0.5;\n", "k = a;\n    a' = a * k;", "k = a", "'k' is a param: constant during a run", "h = a;\n    a' = a * k * h;" },
            { "", "a = a * 0.5;", "a = a", "'a' is a coefficient: its value at this step is fixed; write a' = ...;", "a' = a * 0.5;" },
            { "", "a' += 0.1;", "a' +=", "'+=' adds to an accumulator; to change the next value of 'a' write a' = a' + ...;", "a' = a' + 0.1;" },
            { "  state x: real = 0;\n", "x += a;\n    a' = a + x;", "x +=", "'x' is a state: write x' = x' + ...;", "x' = x' + a;\n    a' = a + x;" },
            { "  signal s = 0;\n", "s' = a;\n    a' = a + s;", "s' =", "'s' is a signal and has no next value; define it with s = ...;", "s = a;\n    a' = a + s;" },
            { "  signal s = 0;\n", "s += a;\n    a' = a + s;", "s +=", "'s' is a signal, not an accumulator; declare it with 'acc s = 0;'", "s = a;\n    a' = a + s;" },
            { "  acc d = 0;\n", "d = a;\n    a' = a + d;", "d = a", "'d' is an accumulator: add to it with d += ...;", "d += a;\n    a' = a + d;" },
            { "  input x: real;\n", "x = a;\n    a' = a + 0 * x;", "x = a", "'x' is an input: the host gives it each step; it cannot be assigned", "y = a;\n    a' = a + 0 * x * y;" },
            { "  dim n = 2;\n  input g: real[n];\n", "n = 3;\n    a' = a + 0 * sum(g);", "n = 3", "'n' is a dim: fixed at construction", "a' = a + 0 * sum(g);" },
            { "  net f: linear(1 -> 1);\n", "f = a;\n    a' = clamp(sum(f(a)), 0, 1);", "f = a", "'f' is a net; it cannot be assigned", "a' = clamp(sum(f(a)), 0, 1);" },
            { "", "h = a * 0.5;\n    h' = a;\n    a' = h;", "h' =", "'h' is a value defined in a rule and has no next value", "h = a * 0.5;\n    a' = h;" },
            { "", "h = a * 0.5;\n    h += a;\n    a' = h;", "h +=", "'h' is a value defined in a rule, not an accumulator; declare 'acc h = 0;'", "h = a * 1.5;\n    a' = h;" },
        };

        [Theory]
        [MemberData(nameof(InvalidAssignments))]
        public void AE0015_invalid_assignment(string members, string bad, string marker, string phrase, string good)
        {
            var text = Law(bad, members);
            var d = TestSupport.AssertSingle(text, "AE0015", marker);
            Assert.Contains(phrase, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law(good, members));
        }

        [Fact]
        public void AE0015_definition_inside_when()
        {
            var bad = Law("when a > 0.5 {\n      h = a * 0.5;\n      a' = h;\n    }");
            var d = TestSupport.AssertSingle(bad, "AE0015", "h = a");
            Assert.StartsWith("'h' would be undefined when the 'when' condition is false; define it before the 'when'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("h = a > 0.5 ? a * 0.5 : a;\n    a' = h;"));
        }

        [Fact]
        public void AE0015_value_whose_definition_in_when_was_rejected_is_not_also_unknown()
        {
            // Regression guard: once, the read below the rejected definition adds "AE0010: Unknown name 'h'; did you mean 'a'?".
            var bad = Law("when a > 0.5 {\n      h = a * 0.5;\n      a' = h;\n    }");
            AssertOnly(bad, "AE0015", "h = a");
        }

        [Fact]
        public void AE0015_rejected_statement_does_not_also_make_the_rule_without_effect()
        {
            // Regression guard: once, the only statement is rejected (AE0015) and the rule then gets "warning AE0043: Rule update has
            // no effect" - a follow-on of the error, gone once it is fixed. The same happens after AE0010 and AE0004.
            var bad = Law("a = a * 0.5;");
            AssertOnly(bad, "AE0015", "a = a");
        }

        // ------------------------------------------------------------------ AE0016 unknown rule group

        [Fact]
        public void AE0016_misspelt_group_suggests_the_declared_one()
        {
            const string bad = """
                group Damping {
                  rule D { a' = a' * 0.5; }
                }
                law L {
                  use Dampng;
                  coeff a in [0, 1] = 0.5;
                  update {
                    a' = a';
                  }
                }
                """;
            var d = TestSupport.AssertSingle(bad, "AE0016", "Dampng");
            Assert.Equal("Unknown rule group 'Dampng'; did you mean 'Damping'?", d.Message);
            TestSupport.AssertClean(Fix(bad, "Dampng", "Damping"));
        }

        /// <summary>
        /// A misspelt group's rules are what read the law's param and define its signal: "never used; remove it" and "never
        /// defined" beside AE0016 sent the reader to delete what the law needs once the name is mended.
        /// </summary>
        [Fact]
        public void AE0016_is_the_only_diagnostic_where_a_missing_group_would_read_and_define_the_laws_names()
        {
            const string bad = """
                group Trend {
                  fixed rule TREND { t = alpha * k_up; alpha' = t; }
                }
                law L {
                  dim n;
                  param k_up in [0, 2] = 1.01;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  coeff alpha in [1e-6, 1] = 0.01;
                  signal t: real;
                  use Trnd;
                  update { theta' = theta - alpha' * grad + 0 * loss; }
                }
                """;
            var d = TestSupport.AssertSingle(bad, "AE0016", "Trnd");
            Assert.Equal("Unknown rule group 'Trnd'; did you mean 'Trend'?", d.Message);
            Assert.True(TestSupport.Check(bad).Diagnostics.Count == 1, TestSupport.Format(TestSupport.Check(bad).Diagnostics));
            TestSupport.AssertClean(Fix(bad, "use Trnd", "use Trend"));
        }

        /// <summary>What the suggested group does not touch is reported as ever: a signal nothing defines, a param nothing reads.</summary>
        [Fact]
        public void AE0016_keeps_the_diagnostics_of_names_the_suggested_group_does_not_hold()
        {
            const string bad = """
                group Trend {
                  fixed rule TREND { t = alpha * k_up; alpha' = t; }
                }
                law L {
                  dim n;
                  param k_up in [0, 2] = 1.01;
                  param junk = 3;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  coeff alpha in [1e-6, 1] = 0.01;
                  signal t: real;
                  signal z: real;
                  use Trnd;
                  update { theta' = theta - alpha' * grad + 0 * loss; }
                }
                """;
            var ids = TestSupport.Check(bad).Diagnostics.Select(d => (d.Id, d.Message)).ToList();
            Assert.Contains(ids, d => d.Id == "AE0016");
            Assert.Contains(ids, d => d.Id == "AE0017" && d.Message.Contains("'z'", StringComparison.Ordinal));
            Assert.Contains(ids, d => d.Id == "AE0050" && d.Message.Contains("'junk'", StringComparison.Ordinal));
            Assert.Equal(3, ids.Count);
        }

        [Fact]
        public void AE0016_unknown_group_without_suggestion()
        {
            var bad = Law("a' = a * 0.5;", "  use Nothing;\n");
            var d = AssertOnly(bad, "AE0016", "Nothing");
            Assert.Equal("Unknown rule group 'Nothing'", d.Message);
            TestSupport.AssertClean(Fix(bad, "  use Nothing;\n", ""));
        }

        // ------------------------------------------------------------------ AE0017 signal never defined

        [Fact]
        public void AE0017_signal_without_definition_or_neutral_value()
        {
            var bad = Law("a' = a * s;", "  signal s: real;\n");
            var d = AssertOnly(bad, "AE0017", "s: real");
            Assert.Contains("Signal 's' is declared but no rule defines it and it has no neutral value", d.Message, StringComparison.Ordinal);
            Assert.Contains("'signal s = 0;'", d.Message, StringComparison.Ordinal);
            // Either fix the message offers:
            TestSupport.AssertClean(Law("a' = a * s;", "  signal s = 0.5;\n"));
            TestSupport.AssertClean(Law("s = a * 0.5;\n    a' = a * s;", "  signal s: real;\n"));
        }

        /// <summary>An objective is defined by a rule, never given a neutral value: the advice says so.</summary>
        [Fact]
        public void AE0017_objective_never_defined_is_told_to_define_it()
        {
            const string bad = "cell K {\n  input x: real;\n  signal y: real;\n  objective o2: real;\n  update { y = x * 2; }\n}\n";
            var d = AssertOnly(bad, "AE0017", "o2: real");
            Assert.Equal("Objective 'o2' is declared but no rule defines it; define it in a rule of the cell ('o2 = mean((y - target) ^ 2);'): it is the loss training minimises", d.Message);
            TestSupport.AssertClean(bad.Replace("y = x * 2;", "y = x * 2;\n    o2 = (y - x) ^ 2;"));
        }

        /// <summary>A signal whose one definition stands inside a 'when' has that error (AE0015), not also "no rule defines it".</summary>
        [Fact]
        public void AE0017_is_not_reported_beside_a_definition_refused_inside_when()
        {
            var bad = Law("when a > 0.5 {\n      s = a;\n    }\n    a' = a * 0.5;", "  signal s: real;\n");
            AssertOnly(bad, "AE0015", "s = a");
        }

        [Fact]
        public void AE0017_signal_without_type_or_value()
        {
            var bad = Law("a' = a * 0.5;", "  signal s;\n");
            AssertOnly(bad, "AE0017", "s;");
            TestSupport.AssertClean(Law("s = a;\n    a' = a * 0.5;", "  signal s;\n"));
        }

        [Fact]
        public void AE0017_is_not_reported_beside_a_rule_that_did_not_parse()
        {
            // 'rule Y: y = s;' lacks its braces: the parse error is the fault, and the definition it held was written.
            const string text = "cell K {\n  input x: real;\n  state s: real = 0;\n  signal y: real;\n  objective o: real;\n"
                + "  rule S { s' = s + x; }\n  fixed rule Y: y = s';\n  fixed rule O { o = y ^ 2; }\n}\n";
            var result = TestSupport.Check(text);
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("AE0004", d.Id);
            Assert.Equal(7, d.Start.Line);
            // With the braces, nothing is left to report; without the rule, AE0017 names the signal.
            TestSupport.AssertClean(text.Replace("fixed rule Y: y = s';", "fixed rule Y { y = s'; }", StringComparison.Ordinal));
            var gone = TestSupport.Check(text.Replace("  fixed rule Y: y = s';\n", "", StringComparison.Ordinal));
            Assert.Equal("AE0017", Assert.Single(gone.Diagnostics).Id);
        }

        // ------------------------------------------------------------------ AE0018 reserved name

        [Fact]
        public void AE0018_a_name_with_two_underscores_is_reserved_and_reported_once_where_it_first_appears()
        {
            var bad = Law("a' = a * k__max + k__max;", "  param k__max = 0.5;\n");
            var d = AssertOnly(bad, "AE0018", "k__max");
            Assert.Equal(2, d.Start.Line); // the declaration, not the two uses
            Assert.Contains("'k__max' contains '__'", d.Message, StringComparison.Ordinal);
            foreach (var name in new[] { "__x", "x__", "a__b", "___" })
                AssertOnly(Law("a' = a * " + name + ";", "  param " + name + " = 0.5;\n"), "AE0018", name);
            TestSupport.AssertClean(Law("a' = a * k_max;", "  param k_max = 0.5;\n"));
            TestSupport.AssertClean(Law("a' = a * _k_;", "  param _k_ = 0.5;\n"));
        }

        // ------------------------------------------------------------------ AE0019 name too long

        [Fact]
        public void AE0019_a_name_of_more_than_255_characters_is_reported_once_where_it_first_appears()
        {
            string longName = new string('k', 256);
            var bad = Law("a' = a * " + longName + ";", "  param " + longName + " = 0.5;\n");
            var d = AssertOnly(bad, "AE0019", longName);
            Assert.Equal(2, d.Start.Line);
            Assert.Equal(256, d.End.Column - d.Start.Column);
            Assert.Contains("'" + new string('k', 24) + "...' is 256 characters long; a name has at most 255", d.Message, StringComparison.Ordinal);
            // 255 letters are allowed (CSharpEmitterTests compiles them).
            string longest = new string('\u0905', 255);
            TestSupport.AssertClean(Law("a' = a * " + longest + ";", "  param " + longest + " = 0.5;\n"));
        }
    }
}
