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
    /// <summary>Types and shapes (AE002x).</summary>
    public partial class DiagnosticTests
    {
        // ------------------------------------------------------------------ AE0020 type mismatch

        public static TheoryData<string, string, string, string, string, string> TypeMismatches() => new()
        {
            // members, bad statement, marker, key phrase, fixed members, fixed statement
            { "  param on: bool = true;\n", "a' = a * on;", "on;", "'*' needs a number, but this is bool; write 'c ? 1 : 0'", "  param on: bool = true;\n", "a' = a * (on ? 1 : 0);" },
            { "", "when a {\n      a' = a * 0.5;\n    }", "a {", "A 'when' condition must be bool, but this is real", "", "when a > 0.5 {\n      a' = a * 0.5;\n    }" },
            { "", "a' = a > 0.5;", "a > 0.5", "The next value of coefficient 'a' must be real, but this is bool", "", "a' = a > 0.5 ? 1 : 0;" },
            { "", "a' = a ? 0.5 : a;", "a ?", "The condition of '?:' must be bool, but this is real", "", "a' = a > 0.5 ? 0.5 : a;" },
            { "", "a' = a > 0.5 ? true : a;", "a;", "The branches of '?:' must have one type, but they are bool and real", "", "a' = a > 0.5 ? 1 : a;" },
            { "", "a' = a == true ? a : 0;", "==", "'==' compares real with bool", "", "a' = a == 1 ? a : 0;" },
            { "", "a' = !a;", "a;", "'!' needs a bool, but this is real", "", "a' = 1 - a;" },
            { "", "a' = a > 0 && a ? a : 0;", "a ?", "'&&' needs bools, but this is real", "", "a' = a > 0 && a < 1 ? a : 0;" },
            { "", "a' = prev(a, true);", "true", "The initial value of 'prev' must have the type of its value (real), but this is bool", "", "a' = prev(a, 0.5);" },
            { "  net f: linear(1 -> 1);\n", "a' = a * f;", "f;", "'f' is a net, not a value; apply it to a vector: f(x)", "  net f: linear(1 -> 1);\n", "a' = clamp(a * sum(f(a)), 0, 1);" },
            { "  param n: int = 2.5;\n", "a' = a * n;", "2.5", "The default of param 'n' must be int, but this is real", "  param n: int = 2;\n", "a' = a * n;" },
            { "  param n: int = 1e30;\n", "a' = a * n;", "1e30", "The default of param 'n' must be an int within ±2^53 (9007199254740992), but this is 1e+30", "  param n: int = 1e15;\n", "a' = a * n;" },
            { "  param n: int = 9007199254740993;\n", "a' = a * n;", "9007199254740993", "The default of param 'n' must be an int within ±2^53 (9007199254740992), but this is 9007199254740993, which a 64-bit float rounds to 9007199254740992", "  param n: int = 9007199254740992;\n", "a' = a * n;" },
            { "  param n: int = -9007199254740993;\n", "a' = a * n;", "-9007199254740993", "but this is -9007199254740993, which a 64-bit float rounds to -9007199254740992", "  param n: int = -9007199254740992;\n", "a' = a * n;" },
            { "  param n: int = 9.007199254740993e15;\n", "a' = a * n;", "9.007199254740993e15", "but this is 9007199254740993, which a 64-bit float rounds to 9007199254740992", "  param n: int = 9007199254740992;\n", "a' = a * n;" },
            { "  param n: int = -(9007199254740993.0);\n", "a' = a * n;", "-(9007199254740993.0)", "but this is -9007199254740993.0, which a 64-bit float rounds to -9007199254740992", "  param n: int = -9007199254740992;\n", "a' = a * n;" },
            { "", "a' = a * tanh;", "tanh;", "'tanh' is a function, not a value; call it: tanh(x)", "", "a' = a * tanh(a);" },
            { "", "a' = clamp(a, 0, 1) + 0 * clamp;", "clamp;", "'clamp' is a function, not a value; call it: clamp(x, y, z)", "", "a' = clamp(a, 0, 1);" },
            { "", "a' = a * ema;", "ema;", "'ema' is a function, not a value; call it: ema(beta, x)", "", "a' = a * ema(0.9, a);" },
            { "  param k in [0, 1) = 1.5;\n", "a' = a * k;", "1.5", "The default 1.5 of param 'k' lies outside its declared range [0, 1)", "  param k in [0, 1) = 0.5;\n", "a' = a * k;" },
            // an empty range is the range's error: the default cannot lie in it, whatever it is
            { "  param k in [2, 1] = 1.5;\n", "a' = a * k;", "[2, 1]", "The declared range [2, 1] of param 'k' is empty: no value lies in it", "  param k in [1, 2] = 1.5;\n", "a' = clamp(a * k, 0, 1);" },
            { "  param k in (1, 1] = 1;\n", "a' = a * k;", "(1, 1]", "The declared range (1, 1] of param 'k' is empty: no value lies in it", "  param k in [1, 1] = 1;\n", "a' = a * k;" },
            { "  param k: int in (2, 3) = 2;\n", "a' = a * 0.5 + 0 * k;", "(2, 3)", "The declared range (2, 3) of int param 'k' is empty: no whole number lies in it", "  param k: int in (2, 3] = 3;\n", "a' = a * 0.5 + 0 * k;" },
            { "  param k: int in [2.5, 2.9] = 2;\n", "a' = a * 0.5 + 0 * k;", "[2.5, 2.9]", "The declared range [2.5, 2.9] of int param 'k' is empty: no whole number lies in it", "  param k: int in [1.5, 2.9] = 2;\n", "a' = a * 0.5 + 0 * k;" },
            { "  param k in [0, 1] = 0 / 0;\n", "a' = a * k;", "0 / 0", "The default NaN of param 'k' lies outside its declared range [0, 1]", "  param k in [0, 1] = 0 / 1;\n", "a' = a * k;" },
            { "  param v: bool in [0, 1] = true;\n", "a' = v ? a : 0;", "[0, 1] = true", "A bool param cannot have a range; 'v' is bool", "  param v: bool = true;\n", "a' = v ? a : 0;" },
            { "  param k = 0.5;\n  require k;\n", "a' = a * k;", "k;\n  coeff", "A 'require' condition must be a scalar bool, but this is real", "  param k = 0.5;\n  require k > 0;\n", "a' = a * k;" },
            { "  acc flag: bool = false;\n", "flag += a > 0.5;\n    a' = flag ? a : 0;", "flag:", "Accumulator 'flag' sums contributions, so it must be numeric", "  acc n = 0;\n", "n += a > 0.5 ? 1 : 0;\n    a' = a * n;" },
        };

        [Theory]
        [MemberData(nameof(TypeMismatches))]
        public void AE0020_type_mismatch(string members, string bad, string marker, string phrase, string goodMembers, string good)
        {
            var text = Law(bad, members);
            var d = TestSupport.AssertSingle(text, "AE0020", marker);
            Assert.Contains(phrase, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law(good, goodMembers));
        }

        /// <summary>A whole-number literal beside an int in + - * % is an int: a counter state stays an int; a fraction or a division makes a real.</summary>
        [Fact]
        public void AE0020_a_whole_number_literal_keeps_int_arithmetic_int()
        {
            TestSupport.AssertClean(Law("cnt' = cnt + 1;\n    j = 2 * cnt - 3;\n    m = step % 3;\n    a' = a * (m == 1 ? 0.5 : 0.25) + 0 * j;", "  state cnt: int = 0;\n  signal j: int, m: int;\n"));
            TestSupport.AssertSingle(Law("cnt' = cnt + 0.5;\n    a' = a * 0.5;", "  state cnt: int = 0;\n"), "AE0020", "cnt + 0.5");
            TestSupport.AssertSingle(Law("cnt' = cnt / 2;\n    a' = a * 0.5;", "  state cnt: int = 0;\n"), "AE0020", "cnt / 2");
            TestSupport.AssertSingle(Law("cnt' = cnt + 1e300;\n    a' = a * 0.5;", "  state cnt: int = 0;\n"), "AE0020", "cnt + 1e300");
        }

        /// <summary>The same holds for the other branch of ?: (a counter reset to 0 was refused as real); a fraction there is still real.</summary>
        [Fact]
        public void AE0020_a_whole_number_literal_beside_an_int_branch_is_an_int()
        {
            TestSupport.AssertClean(Law("cnt' = a > 0.5 ? cnt + 1 : 0;\n    j = a > 0.5 ? 3 : cnt;\n    a' = a * 0.5 + 0 * j;", "  state cnt: int = 0;\n  signal j: int;\n"));
            TestSupport.AssertSingle(Law("cnt' = a > 0.5 ? cnt + 1 : 0.5;\n    a' = a * 0.5;", "  state cnt: int = 0;\n"), "AE0020", "a > 0.5 ? cnt + 1 : 0.5");
        }

        [Fact]
        public void AE0020_coefficient_declared_int()
        {
            const string bad = """
                law L {
                  coeff a: int in [0, 1] = 0;
                  update {
                    a' = a;
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0020", "int in");
            Assert.Equal("A coefficient is real, but 'a' is declared int", d.Message);
            TestSupport.AssertClean(Fix(Fix(bad, "a: int in", "a in"), "a' = a;", "a' = a * 0.5;"));
        }

        [Fact]
        public void AE0020_coefficient_initial_value_outside_its_bounds()
        {
            // A param's default outside its range is AE0020; a coefficient starting outside its bounds (A4) is
            // accepted silently today.
            var bad = Law("a' = a * 0.5;").Replace("= 0.5;\n  update", "= 1.5;\n  update", StringComparison.Ordinal);
            var d = AssertOnly(bad, "AE0020", "1.5");
            Assert.Contains("outside", d.Message, StringComparison.Ordinal);
            Assert.Contains("[0, 1]", d.Message, StringComparison.Ordinal);
        }

        // ------------------------------------------------------------------ AE0021 shape mismatch

        public static TheoryData<string, string, string, string, string> ShapeMismatches() => new()
        {
            // members, bad statement, marker, key phrase, fixed statement
            { "  dim n;\n  input g: real[n];\n  input h: real[n + 1];\n", "a' = clamp(a + dot(g, h), 0, 1);", "h)", "'dot' needs vectors of one length, but it is given real[n] and real[n + 1]", "a' = clamp(a + dot(g, g) + sum(h), 0, 1);" },
            { "  dim n;\n  input g: real[n];\n", "a' = a * g;", "a * g", "The next value of coefficient 'a' must have shape real, but this value is real[n]", "a' = clamp(a * sum(g), 0, 1);" },
            { "  dim n;\n  input g: real[n];\n  input h: real[2 * n];\n", "a' = clamp(a + sum(g + h), 0, 1);", "+ h", "'+' combines real[n] and real[2*n]; vectors must have the same length", "a' = clamp(a + sum(g) + sum(h), 0, 1);" },
            { "", "a' = clamp(a + sum(a), 0, 1);", "a), 0", "'sum' reduces a vector, but argument 1 is the scalar real", "a' = clamp(a + a, 0, 1);" },
            { "  dim n;\n  input g: real[n];\n", "when g > 0 {\n      a' = a * 0.5;\n    }", "g > 0", "A 'when' condition must be a scalar bool, but this is bool[n]", "when sum(g) > 0 {\n      a' = a * 0.5;\n    }" },
            { "  dim n;\n  input g: real[n];\n  state x: real[n + 1] = 0;\n", "x' = g;\n    a' = clamp(a + sum(x), 0, 1);", "g;", "The next value of state 'x' must have shape real[n + 1], but this value is real[n]", "x' = concat(g, 0);\n    a' = clamp(a + sum(x), 0, 1);" },
        };

        [Theory]
        [MemberData(nameof(ShapeMismatches))]
        public void AE0021_shape_mismatch(string members, string bad, string marker, string phrase, string good)
        {
            var text = Law(bad, members);
            var d = AssertOnly(text, "AE0021", marker);
            Assert.Contains(phrase, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law(good, members));
        }

        [Fact]
        public void AE0021_names_the_params_shape_as_the_one_required_and_the_defaults_as_the_one_given()
        {
            var bad = Law("a' = clamp(a + sum(w), 0, 1);", "  dim k = 5;\n  param w: real[k] = concat(0.1, 0.5, 0.9);\n");
            var d = AssertOnly(bad, "AE0021", "concat(0.1");
            Assert.Equal("The default of param 'w' must have shape real[5], but this value is real[3]", d.Message);
            TestSupport.AssertClean(Fix(bad, "concat(0.1, 0.5, 0.9)", "concat(0.1, 0.3, 0.5, 0.7, 0.9)"));
        }

        // ------------------------------------------------------------------ AE0022 net input width mismatch

        [Fact]
        public void AE0022_net_given_a_vector_of_the_wrong_width()
        {
            var bad = Law("a' = clamp(a + sum(f(g)), 0, 1);", "  dim n;\n  input g: real[n];\n  net f: linear(2 -> 1);\n");
            var d = AssertOnly(bad, "AE0022", "g)), 0");
            Assert.Equal("Net 'f' takes an input of width 2, but is given n; declare the net with this input width, or give it a vector of its width", d.Message);
            TestSupport.AssertClean(Fix(bad, "linear(2 -> 1)", "linear(n -> 1)"));
        }

        [Fact]
        public void AE0022_concatenated_input_names_the_parts()
        {
            var bad = Law("a' = clamp(a + sum(f(concat(a, a, a))), 0, 1);", "  net f: linear(2 -> 1);\n");
            var d = AssertOnly(bad, "AE0022", "concat");
            Assert.Contains("takes an input of width 2, but is given 3; the widths of the concatenated parts must add up", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "concat(a, a, a)", "concat(a, a)"));
        }

        // ------------------------------------------------------------------ AE0023 invalid dimension

        public static TheoryData<string, string, string, string> InvalidDimensions() => new()
        {
            // bad members (input g is summed by the update), marker, key phrase, fixed members
            { "  dim n = 0;\n  input g: real[n];\n", "0;", "Dimension 'n' is 0; a dimension must be at least 1", "  dim n = 1;\n  input g: real[n];\n" },
            { "  dim n = 3;\n  dim m = n - 5;\n  input g: real[m];\n", "n - 5", "Dimension 'm' is -2", "  dim n = 3;\n  dim m = n - 2;\n  input g: real[m];\n" },
            { "  input g: real[2.5];\n", "2.5", "A dimension must be a whole number, but '2.5' is not", "  input g: real[2];\n" },
            { "  dim n;\n  input g: real[n, n];\n", "real[n, n]", "Only scalars and vectors are supported", "  dim n;\n  input g: real[n * 2];\n" },
            { "  param k = 3;\n  input g: real[k];\n", "k]", "'k' is a param, not a dim", "  dim k = 3;\n  input g: real[k];\n" },
            { "  input g: real[step];\n", "step]", "'step' is the step counter, not a dim", "  input g: real[4];\n" },
            { "  input g: real[pi];\n", "pi]", "'pi' is a constant, not a dim", "  input g: real[3];\n" },
            { "  dim n;\n  input g: real[n * n];\n", "n * n", "A dimension can be multiplied by a whole number only, not by another dim", "  dim n;\n  input g: real[3 * n];\n" },
            { "  dim n;\n  input g: real[n / 2];\n", "n / 2", "A dimension is made of dims, whole numbers, '+', '-' between two sizes and '*'; '/' is not among them", "  dim n;\n  input g: real[n + 2];\n" },
            { "  dim n = 4;\n  dim m = -n;\n  input g: real[m];\n", "-n", "; a size is not negated (write 'a - b' between two sizes)", "  dim n = 4;\n  dim m = 8 - n;\n  input g: real[m];\n" },
            { "  dim n = 1073741823;\n  input g: real[n];\n", "1073741823", "A dimension is at most 1e9 (1000000000), but '1073741823' is larger", "  dim n = 1000000000;\n  input g: real[n];\n" },
            { "  input g: real[0];\n", "0]", "A vector length must be at least 1, but this one is 0", "  input g: real[1];\n" },
            // computed sizes: above 1e9, and beyond 64 bits (4096^6 wrapped to 0, so '+ 3' checked clean as 3)
            { "  dim m = 1000000000 + 1000000000 + 1000000000;\n  input g: real[m];\n", "1000000000 + 1000000000 + 1000000000", "A dimension is at most 1e9 (1000000000), but this size is 2000000000", "  dim m = 1000000000;\n  input g: real[m];\n" },
            { "  dim m = 4096 * 4096 * 4096 * 4096 * 4096 * 4096 + 3;\n  input g: real[m];\n", "4096 * 4096 * 4096", "A dimension is at most 1e9 (1000000000), but this size is 68719476736", "  dim m = 4096 * 4096 + 3;\n  input g: real[m];\n" },
            { "  dim n;\n  input g: real[2000000 * 1000 * n];\n", "2000000 * 1000", "A dimension is at most 1e9 (1000000000), but this size is 2000000000", "  dim n;\n  input g: real[1000 * n];\n" },
            { "  dim n;\n  input g: real[n - n];\n", "n - n", "A vector length must be at least 1, but this one is 0", "  dim n;\n  input g: real[n];\n" },
        };

        [Theory]
        [MemberData(nameof(InvalidDimensions))]
        public void AE0023_invalid_dimension(string members, string marker, string phrase, string goodMembers)
        {
            var text = Law("a' = clamp(a + sum(g), 0, 1);", members);
            var d = TestSupport.AssertSingle(text, "AE0023", marker);
            Assert.Contains(phrase, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("a' = clamp(a + sum(g), 0, 1);", goodMembers));
        }

        [Fact]
        public void AE0023_layer_width_zero()
        {
            var bad = Law("a' = clamp(a + sum(f(a)), 0, 1);", "  net f: linear(0 -> 1);\n");
            var d = AssertOnly(bad, "AE0023", "0 ->");
            Assert.Equal("A layer width must be at least 1, but this one is 0", d.Message);
            TestSupport.AssertClean(Fix(bad, "linear(0 -> 1)", "linear(1 -> 1)"));
        }

        [Fact]
        public void AE0023_noise_of_length_zero()
        {
            // real[0] is rejected, but noise(0) makes a real[0] vector without a diagnostic.
            var bad = Law("a' = clamp(a + sum(noise(0)), 0, 1);");
            var d = AssertOnly(bad, "AE0023", "0)), 0");
            Assert.Contains("at least 1", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0023_dim_used_in_a_rejected_dimension_is_not_reported_unused()
        {
            // Today 'real[n / 2]' also yields "warning AE0050: Dim 'n' is never used".
            var bad = Law("a' = clamp(a + sum(g), 0, 1);", "  dim n;\n  input g: real[n / 2];\n");
            AssertOnly(bad, "AE0023", "n / 2");
        }

        // ------------------------------------------------------------------ AE0025 invalid objective

        private const string ObjectiveCell = """
            cell C {
              input x: real[3];
              input target: real[3];
              state h: real[3] = 0;
              signal y: real[3];
              objective e: real;
              update {
                h' = tanh(h + x);
                y = h';
                e = mean((y - target) ^ 2);
              }
            }
            """;

        [Fact]
        public void AE0025_an_objective_is_a_real_number_per_step()
        {
            // Declared without a type, an objective takes its definition's, which must be a number.
            var bad = Fix(Fix(ObjectiveCell, "e = mean((y - target) ^ 2);", "e = (y - target) ^ 2;"), "objective e: real;", "objective e;");
            var d = AssertOnly(bad, "AE0025", "e;");
            Assert.Equal("objective 'e' is real[3]; an objective is a real number per step (write sum(...) or mean(...) over a vector)", d.Message);
            TestSupport.AssertClean(ObjectiveCell);
        }

        [Fact]
        public void AE0025_an_objective_belongs_to_a_cell()
        {
            var bad = Law("a' = a;\n    e = a;", "  objective e: real;\n");
            var d = AssertOnly(bad, "AE0025", "e: real");
            Assert.Contains("'e' is an objective of a law; objectives belong to cells", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law("a' = a;\n    e = a;", "  signal e: real;\n"));
        }

        // ------------------------------------------------------------------ AE0024 not a constant

        public static TheoryData<string, string, string, string, string, string> NotConstants() => new()
        {
            // members, statement, marker, key phrase, fixed members, fixed statement
            { "  input x: real;\n  param k = x * 2;\n", "a' = a * k + 0 * x;", "x * 2", "The default of param 'k' must depend only on dims, params and literals; 'x' is an input", "  input x: real;\n  param k = 2;\n", "a' = a * k * 0.25 + 0 * x;" },
            { "  param k = step;\n", "a' = a * k;", "step;", "'step' is the step counter", "  param k = 0.5;\n", "a' = a * k;" },
            { "  param k = noise();\n", "a' = a * k;", "noise", "'noise' is a random draw", "  param k = 0.5;\n", "a' = a * k;" },
            { "", "a' = ema(a, a);", "a, a", "The rate of 'ema' (fixed for the run, so the filter is causal and time-invariant) must depend only on dims, params and literals; 'a' is a coefficient", "  param beta in [0, 1) = 0.9;\n", "a' = ema(beta, a);" },
            { "  coeff b in [0, a] = 0.5;\n", "a' = a;\n    b' = b;", "a] = 0.5", "The bounds of 'b' must depend only on dims, params and literals; 'a' is a coefficient", "  coeff b in [0, 1] = 0.5;\n", "a' = a;\n    b' = b;" },
            { "  state x: real = a;\n", "x' = x;\n    a' = a + x;", "a;\n  coeff", "The initial value of 'x' must depend only on dims, params and literals; 'a' is a coefficient", "  state x: real = 0.5;\n", "x' = x;\n    a' = a + x;" },
            { "  signal s = a;\n", "a' = a + s;", "a;\n  coeff", "The neutral value of signal 's' (no rule defines it, so it is its value at every step) must depend only on dims, params and literals; 'a' is a coefficient", "  signal s = 0;\n", "a' = a + s;" },
            { "  acc d = a;\n", "d += 1;\n    a' = a + d;", "a;\n  coeff", "The neutral value of 'd' must depend only on dims, params and literals; 'a' is a coefficient", "  acc d = 0;\n", "d += 1;\n    a' = a + d;" },
            { "  require a > 0;\n", "a' = a;", "a > 0", "A 'require' condition must depend only on dims, params and literals; 'a' is a coefficient", "  param lo = 0.1;\n  require lo > 0;\n", "a' = a * lo;" },
        };

        [Theory]
        [MemberData(nameof(NotConstants))]
        public void AE0024_not_a_constant(string members, string bad, string marker, string phrase, string goodMembers, string good)
        {
            var text = Law(bad, members);
            var d = TestSupport.AssertSingle(text, "AE0024", marker);
            Assert.Contains(phrase, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Law(good, goodMembers));
        }

        [Fact]
        public void AE0024_filter_in_an_initial_value()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = ema(0.5, 1);
                  update {
                    a' = a * 0.5;
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0024", "ema");
            Assert.Contains("The initial value of 'a' must depend only on dims, params and literals; 'ema' is a filter with state", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "ema(0.5, 1)", "0.5"));
        }
    }
}
