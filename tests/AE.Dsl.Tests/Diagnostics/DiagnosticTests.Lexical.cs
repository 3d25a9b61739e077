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
    /// <summary>Lexical and input errors (AE000x): characters, strings, numbers, syntax, nesting, binary input, the error limit.</summary>
    public partial class DiagnosticTests
    {
        // ------------------------------------------------------------------ AE0001 unexpected character

        [Fact]
        public void AE0001_stray_character_is_reported_at_the_character()
        {
            var bad = Law("a' = a * 0.5; $");
            var d = AssertOnly(bad, "AE0001", "$");
            Assert.Equal("Unexpected character '$' (U+0024); it is not part of the language — remove it", d.Message);
            TestSupport.AssertClean(Fix(bad, " $", ""));
        }

        /// <summary>A stray character where an operand or an operator belongs is the one error of its statement: the parse errors it causes stay quiet.</summary>
        [Theory]
        [InlineData("a' = a * \u216B * k;")]
        [InlineData("a' = a \u216B 0.5;")]
        [InlineData("a' = clamp(a, \u216B, 1) * k;")]
        public void AE0001_stray_character_in_an_expression_is_its_statements_only_error(string statement)
        {
            var bad = Law(statement, "  param k = 1;\n");
            AssertOnly(bad, "AE0001", "\u216B");
            // a syntax error of its own in a later statement is still reported
            var d = TestSupport.Check(Law(statement + "\n    a' = a * ;", "  param k = 1;\n")).Diagnostics;
            Assert.Equal(new[] { "AE0001", "AE0004" }, d.Select(x => x.Id));
        }

        [Fact]
        public void AE0001_control_character_is_shown_escaped()
        {
            var bad = Law("a' = a * 0.5;\u0007");
            var d = AssertOnly(bad, "AE0001", "\u0007");
            Assert.Contains("'\\u0007' (U+0007)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "\u0007", ""));
        }

        /// <summary>A zero-width or separator character is invisible where the message quotes it, so it is quoted as its escape.</summary>
        [Theory]
        [InlineData("\u200B")]
        [InlineData("\u2028")]
        [InlineData("\uFEFF")]
        [InlineData("\u3000")]
        public void AE0001_invisible_character_is_shown_escaped(string invisible)
        {
            var bad = Law("a' = a" + invisible + " * 0.5;");
            var d = AssertOnly(bad, "AE0001", invisible);
            string code = ((int)invisible[0]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("'\\u" + code + "' (U+" + code + ")", d.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(invisible, d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, invisible, ""));
        }

        /// <summary>An invisible character outside the BMP (a tag, a musical format character) is quoted as its 8-digit escape.</summary>
        [Theory]
        [InlineData("\U000E0041", "E0041")]
        [InlineData("\U0001D173", "1D173")]
        public void AE0001_invisible_character_outside_the_BMP_is_shown_escaped(string invisible, string code)
        {
            var bad = Law("a' = a" + invisible + " * 0.5;");
            var d = AssertOnly(bad, "AE0001", invisible);
            Assert.Contains("'\\U000" + code + "' (U+" + code + ")", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, invisible, ""));
        }

        /// <summary>Another script's digit is not a number: it is the one error, an unexpected character, not a number out of range.</summary>
        [Theory]
        [InlineData("\u0663")]  // ARABIC-INDIC DIGIT THREE
        [InlineData("\uFF13")]  // FULLWIDTH DIGIT THREE
        [InlineData("\u0969")]  // DEVANAGARI DIGIT THREE
        public void AE0001_non_ascii_digit_is_an_unexpected_character(string digit)
        {
            var bad = Law("a' = a * " + digit + ";");
            var d = AssertOnly(bad, "AE0001", digit);
            Assert.DoesNotContain("range", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, digit, "3"));
        }

        [Fact]
        public void AE0001_character_outside_the_BMP_is_one_diagnostic_with_its_code_point()
        {
            var bad = Law("a' = a * 0.5; \U0001F600 a' = a';");
            var d = AssertOnly(bad, "AE0001", "\U0001F600");
            Assert.Contains("U+1F600", d.Message, StringComparison.Ordinal);
            Assert.Equal(2, d.Span.Length); // both UTF-16 halves, not two diagnostics
            TestSupport.AssertClean(Fix(bad, " \U0001F600", ""));
        }

        [Fact]
        public void AE0001_invalid_utf8_byte_is_reported_as_replacement_character()
        {
            var text = Law("a' = a * 0.5; #");
            var bytes = Encoding.UTF8.GetBytes(text);
            bytes[text.IndexOf('#', StringComparison.Ordinal)] = 0xFF;
            var result = AeCompiler.Check(SourceFile.FromBytes("test.ae", bytes));
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("AE0001", d.Id);
            Assert.Contains("U+FFFD", d.Message, StringComparison.Ordinal);
            Assert.Equal(TestSupport.LineColumn(text, text.IndexOf('#', StringComparison.Ordinal)), (d.Start.Line, d.Start.Column));
        }

        // ------------------------------------------------------------------ AE0002 unterminated string or comment

        [Fact]
        public void AE0002_unterminated_block_comment_is_reported_at_its_start()
        {
            var bad = Law("a' = a * 0.5;") + "/* trailing note\n";
            var d = AssertOnly(bad, "AE0002", "/*");
            Assert.Equal("Unterminated comment: add the closing '*/'", d.Message);
            TestSupport.AssertClean(Fix(bad, "trailing note", "trailing note */"));
        }

        [Fact]
        public void AE0002_unterminated_string_is_reported_at_its_opening_quote()
        {
            const string bad = """
                law L "AE law with a title
                {
                  coeff a in [0, 1] = 0.5;
                  update {
                    a' = a * 0.5;
                  }
                }
                """;
            var d = AssertOnly(bad, "AE0002", "\"AE law");
            Assert.Contains("Unterminated string", d.Message, StringComparison.Ordinal);
            Assert.Contains("on the same line", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "a title", "a title\""));
        }

        // ------------------------------------------------------------------ AE0003 invalid number

        [Theory]
        [InlineData("1e", "the exponent has no digits", "1e3")]
        [InlineData("2e-", "the exponent has no digits", "2e-3")]
        [InlineData("3a", "a number cannot be followed directly by letters; insert '*' or a space", "3 * a")]
        [InlineData("1e5f", "a number cannot be followed directly by letters", "1e5")]
        [InlineData("1e999", "out of the range of a 64-bit float; write 'inf' for infinity", "1e300")]
        [InlineData("1e-400", "below the smallest 64-bit float (about 4.9e-324) and would read as 0", "1e-300")]
        [InlineData("0.0000001e-320", "below the smallest 64-bit float", "0")]
        public void AE0003_invalid_number_is_reported_over_the_whole_number(string number, string reason, string fixedNumber)
        {
            var bad = Law("a' = a * " + number + ";");
            var d = AssertOnly(bad, "AE0003", number + ";");
            Assert.Contains("'" + number + "'", d.Message, StringComparison.Ordinal);
            Assert.Contains(reason, d.Message, StringComparison.Ordinal);
            Assert.Equal(number.Length, d.Span.Length);
            TestSupport.AssertClean(Fix(bad, number + ";", fixedNumber + ";"));
        }

        /// <summary>A literal of 100,000 digits once made a message of 100,000 characters: the message quotes its ends, the span covers it all.</summary>
        [Fact]
        public void AE0003_a_long_literal_is_quoted_by_its_ends()
        {
            string number = "0." + new string('0', 100_000) + "1";
            var d = AssertOnly(Law("a' = a * " + number + ";"), "AE0003", number + ";");
            Assert.StartsWith("Invalid number '0.000000000000000000…000000000001': it is below the smallest 64-bit float", d.Message, StringComparison.Ordinal);
            Assert.Equal(number.Length, d.Span.Length);
        }

        // ------------------------------------------------------------------ AE0004 syntax error

        /// <summary>
        /// A rule written with a title and no id: the syntax error alone. Regression guard: once, each signal the rule
        /// defined brought an AE0042 "Switching off rule  leaves 'rho' undefined", about a rule called "".
        /// </summary>
        [Fact]
        public void AE0004_a_rule_without_an_id_is_the_only_error()
        {
            var bad = "law L {\n  input x: real;\n  signal rho: real;\n  coeff a in [0, 1] = 0.5;\n  rule \"align\" {\n    rho = tanh(x);\n  }\n  rule \"two\" {\n    a' = a * 0.5 + 0.1 * rho;\n  }\n  update { }\n}\n";
            var all = TestSupport.Check(bad).Diagnostics;
            Assert.Equal(new[] { "AE0004", "AE0004" }, all.Select(x => x.Id));
            Assert.All(all, d => Assert.StartsWith("Expected a rule id (for example AE5), found a string", d.Message, StringComparison.Ordinal));
        }

        [Fact]
        public void AE0004_missing_semicolon_is_reported_at_the_token_found_instead()
        {
            var bad = Law("a' = a * 0.5");
            var d = AssertOnly(bad, "AE0004", "}");
            Assert.Equal("Expected ';', found '}'", d.Message);
            TestSupport.AssertClean(Fix(bad, "a * 0.5\n", "a * 0.5;\n"));
        }

        /// <summary>
        /// One mistake, one error: the debris after an expression's error was a second AE0004 ("Expected ';', found name 'b'"),
        /// and the part parsed before a missing ';' or '{' was typed: 'a' = a > 0 and ...' said "must be real, but this is bool"
        /// first, 'when a = 1' "condition must be bool". 'else if' says how it is written and reads on.
        /// </summary>
        [Theory]
        [InlineData("a' = a + * 0.5;", "* 0.5", "Expected an expression, found '*'")]
        [InlineData("a' = a > 0 and a < 1 ? 1 : 0;", "and a", "Expected ';' ('and' is written '&&'), found name 'and'")]
        [InlineData("a' = a < 0 or a > 1 ? 1 : 0;", "or a", "Expected ';' ('or' is written '||'), found name 'or'")]
        [InlineData("a' = a ** 2;", "* 2", "Expected an expression ('**' is written '^'), found '*'")]
        [InlineData("when a = 1 { a' = 0.5; }", "= 1 {", "Expected '{' ('==' compares; '=' defines a value), found '='")]
        [InlineData("when a > 0.5 and a < 0.9 { a' = 0.5; }", "and a", "Expected '{' ('and' is written '&&'), found name 'and'")]
        [InlineData("when a > 0.5 { a' = 0.5; } else if a > 0.2 { a' = 0.2; }", "if a", "Expected 'when' or '{' after 'else' ('else if' is written 'else when'), found name 'if'")]
        public void AE0004_one_syntax_error_is_one_error_and_nothing_parsed_around_it_is_typed(string update, string at, string message)
        {
            var d = AssertOnly(Law(update), "AE0004", at);
            Assert.Equal(message, d.Message);
        }

        /// <summary>
        /// After a broken 'when' condition the block is still the when's: the errors in it and after it are found (the block was
        /// skipped as the condition's debris, and "a' = zz;" below it went unreported), and 'and' gives no second error.
        /// </summary>
        [Theory]
        [InlineData("when a = 0.5 { a' = zz; }\n    a' = yy;")]
        [InlineData("when a > 0.5 and a < 0.9 { a' = zz; }\n    a' = yy;")]
        [InlineData("when (a > 0.5 { a' = zz; }\n    a' = yy;")]
        public void AE0004_a_broken_when_condition_leaves_its_block_and_what_follows_checked(string update)
        {
            var all = TestSupport.Check(Law(update)).Diagnostics;
            Assert.Equal(new[] { "AE0004", "AE0010", "AE0010" }, all.Select(x => x.Id));
            Assert.Contains("'zz'", all[1].Message, StringComparison.Ordinal);
            Assert.Contains("'yy'", all[2].Message, StringComparison.Ordinal);
        }

        /// <summary>
        /// A declaration keyword assigned to inside a rule ('state = 1;') is a reserved word where a name belongs, said once; it
        /// was read as the law's next declaration, the rule's '}' closed the law, and the rules after it went unchecked.
        /// </summary>
        [Theory]
        [InlineData("state = 1;", "state")]
        [InlineData("dim' = 2;", "dim")]
        [InlineData("log += 1;", "log")]
        public void AE0004_a_keyword_assigned_to_in_a_rule_is_one_error_and_the_rest_is_checked(string statement, string keyword)
        {
            var text = "law L {\n  coeff a in [0, 1] = 0.5;\n  rule R { " + statement + " }\n  rule S { s = zz; }\n  signal s: real = 0;\n  update {\n    a' = a + 0 * s + yy;\n  }\n}\n";
            var all = TestSupport.Check(text).Diagnostics;
            Assert.Equal(new[] { "AE0004", "AE0010", "AE0010" }, all.Select(x => x.Id));
            Assert.Equal("Expected a name ('" + keyword + "' is a reserved word; choose another name), found '" + keyword + "'", all[0].Message);
            Assert.Contains("'zz'", all[1].Message, StringComparison.Ordinal);
            Assert.Contains("'yy'", all[2].Message, StringComparison.Ordinal);
        }

        /// <summary>
        /// One realistic mistake in a correct law is one diagnostic (cases a run of 1,145 single-mistake copies of the shipped
        /// files found cascading): a missing ';' before the next statement (the statement was skipped, its name then unknown
        /// at every use), a missing '{' after a rule's header (its statements were read as declarations and the law ended at
        /// its '}'), 'updte', 'fixed rul', 'whn', '**' inside brackets, a reserved word as a name (reported at every use, and
        /// in a 'when' condition it ended the law), and an error in a value (AE0061 then said that it is always 0).
        /// </summary>
        [Theory]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  update {\n    h = a * 0.5\n    k = h + 0.1;\n    a' = clamp(k * k + k, 0, 1);\n  }\n}\n", "k = h", "Expected ';', found name 'k'")]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  signal s: real = 0;\n  rule R \"drive\"\n    s = a * 0.5;\n    a' = s;\n  }\n  update {\n    a' = a' * 0.9;\n  }\n}\n", "s = a", "Expected '{', found name 's'")]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  signal s: real;\n  updte {\n    s = a * 0.5;\n    a' = clamp(s, 0, 1);\n  }\n}\n", "updte", "Expected a declaration or a rule ('updte' is not a keyword; did you mean 'update'?), found name 'updte'")]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  signal s: real;\n  fixed rul R \"m\" {\n    s = a * 0.5;\n  }\n  update {\n    a' = clamp(s, 0, 1);\n  }\n}\n", "rul R", "Expected 'rule' or 'update' ('rul' is not a keyword; did you mean 'rule'?), found name 'rul'")]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  update {\n    a' = a;\n    whn a > 0.5 {\n      a' = a * 0.5;\n    }\n  }\n}\n", "whn", "Expected a statement ('whn' is not a keyword; did you mean 'when'?), found name 'whn'")]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  update {\n    a' = clamp((a - 0.5)**2, 0, 1);\n  }\n}\n", "*2", "Expected an expression ('**' is written '^'), found '*'")]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  update {\n    log = a * 0.5;\n    a' = clamp(log + log * log, 0, 1);\n  }\n}\n", "log =", "Expected a name ('log' is a reserved word; choose another name), found 'log'")]
        [InlineData("law L {\n  param log = 0.5;\n  coeff a in [0, 1] = 0.5;\n  update {\n    a' = clamp(a * log + log(2), 0, 1);\n  }\n}\n", "log = 0.5", "Expected a param name ('log' is a reserved word; choose another name), found 'log'")]
        [InlineData("law L {\n  param in = 0.5;\n  coeff a in [0, 1] = 0.5;\n  update {\n    a' = clamp(a * in + in, 0, 1);\n  }\n}\n", "in = 0.5", "Expected a param name ('in' is a reserved word; choose another name), found 'in'")]
        [InlineData("law L {\n  coeff a in [0, 1] = 0.5;\n  signal g: real;\n  update {\n    g = a + 1 +;\n    a' = clamp(a / g, 0, 1);\n  }\n}\n", ";\n    a' = clamp(a / g", "Expected an expression, found ';'")]
        public void AE0004_one_realistic_mistake_is_one_diagnostic(string text, string at, string message)
        {
            var d = AssertOnly(text, "AE0004", at);
            Assert.Equal(message, d.Message);
        }

        /// <summary>A reserved word used as a name in a 'when' condition is the one error, and the rest of the law is checked (it ended the law).</summary>
        [Fact]
        public void AE0004_a_reserved_word_as_a_name_is_said_once_and_the_rest_is_checked()
        {
            var all = TestSupport.Check("law L {\n  coeff a in [0, 1] = 0.5;\n  rule R {\n    state = a > 0.5;\n    when state {\n      a' = a * 0.5;\n    }\n  }\n  rule Q {\n    a' = a' * 0.9 + undefined_name;\n  }\n}\n").Diagnostics;
            Assert.Equal(new[] { "AE0004", "AE0010" }, all.Select(x => x.Id));
            Assert.Contains("'undefined_name'", all[1].Message, StringComparison.Ordinal);
        }

        /// <summary>A 'when' whose braces are missing is one error, and the statement after its condition is read and checked (it was skipped, an error in it lost).</summary>
        [Fact]
        public void AE0004_a_when_without_a_block_is_one_error()
        {
            var all = TestSupport.Check(Law("when a > 0.5 a' = zz;")).Diagnostics;
            Assert.Equal(new[] { "AE0004", "AE0010" }, all.Select(x => x.Id));
            Assert.Equal("Expected '{', found name 'a'", all[0].Message);
            Assert.Contains("'zz'", all[1].Message, StringComparison.Ordinal);
        }

        /// <summary>
        /// A misspelt keyword is read as the keyword only where the rest fits its member ('let k = 2;' is no 'net k: ...'), and
        /// 'and' or 'or' that is a name being assigned gets no operator hint.
        /// </summary>
        [Fact]
        public void AE0004_guesses_only_where_the_rest_fits()
        {
            var let = TestSupport.Check(Law("a' = a * k;", "  let k = 2;\n")).Diagnostics;
            Assert.Equal("Expected a declaration ('dim', 'param', 'input', 'state', 'coeff', 'signal', 'objective', 'acc', 'net', 'require', 'use') or a rule, found name 'let'", let[0].Message);
            Assert.DoesNotContain(let, d => d.Message.Contains("net", StringComparison.Ordinal) && d.Id != "AE0004");
            var or = TestSupport.Check(Law("a' = a\n    or = a;", "  signal or: real = 0;\n")).Diagnostics;
            Assert.Equal("Expected ';', found name 'or'", or[0].Message);
        }

        /// <summary>A misspelt declaration keyword is one error that names the keyword, and the declaration is read as meant: its name is not unknown where it is used.</summary>
        [Theory]
        [InlineData("  coef b in [0, 1] = 0.5;\n", "coef b", "coeff")]
        [InlineData("  parm k = 2;\n", "parm k", "param")]
        [InlineData("  sigal s: real;\n", "sigal s", "signal")]
        public void AE0004_a_misspelt_declaration_keyword_is_named_and_its_declaration_read(string member, string at, string meant)
        {
            string name = at.Split(' ')[1];
            string use = name == "s" ? "s = a;\n    a' = s;" : "a' = a * " + name + ";";
            if (name == "b") use += " b' = b;";
            var text = Law(use, member);
            var d = AssertOnly(text, "AE0004", at);
            Assert.Equal($"Expected a declaration or a rule ('{at.Split(' ')[0]}' is not a keyword; did you mean '{meant}'?), found name '{at.Split(' ')[0]}'", d.Message);
            TestSupport.AssertClean(Fix(text, at.Split(' ')[0] + " ", meant + " "));
        }

        /// <summary>Bounds that lack their 'in', or an end, are the syntax error only: not a coefficient without bounds (AE0030), nor an initial value outside bounds read as [0, 0].</summary>
        [Theory]
        [InlineData("  coeff b [0, 1] = 0.5;\n", "a' = a; b' = b;", "[0, 1]", "Expected 'in' before the bounds ('in [lo, hi]'), found '['")]
        [InlineData("  coeff b in [0, ] = 0.5;\n", "a' = a; b' = b;", "] =", "Expected an expression, found ']'")]
        [InlineData("  param k in [0, ] = 0.5;\n", "a' = a * k;", "] =", "Expected an expression, found ']'")]
        [InlineData("  state t: real in [1, ] = 2;\n", "a' = a; t' = t;", "] =", "Expected an expression, found ']'")]
        public void AE0004_bounds_cut_short_are_the_one_error(string member, string update, string at, string message)
        {
            var d = AssertOnly(Law(update, member), "AE0004", at);
            Assert.Equal(message, d.Message);
        }

        /// <summary>After 'else if', the block is read as 'else when's: an error inside it is still found.</summary>
        [Fact]
        public void AE0004_else_if_is_read_as_else_when()
        {
            var all = TestSupport.Check(Law("when a > 0.5 { a' = 0.5; } else if a > 0.2 { a' = zz; }")).Diagnostics;
            Assert.Equal(new[] { "AE0004", "AE0010" }, all.Select(x => x.Id));
        }

        /// <summary>A syntax error inside a call's arguments is the one error: the arguments parsed before it are not the call's count (no AE0014).</summary>
        [Theory]
        [InlineData("a' = clamp(a * 5.5.5, 0, 1);")]
        [InlineData("a' = clamp(a * .e5, 0, 1);")]
        public void AE0004_inside_a_call_does_not_cascade_into_a_wrong_argument_count(string update)
        {
            var bad = Law(update);
            var all = TestSupport.Check(bad).Diagnostics;
            Assert.DoesNotContain(all, x => x.Id == "AE0014");
            Assert.Contains(all, x => x.Id is "AE0004" or "AE0003");
        }

        [Fact]
        public void AE0004_param_without_default()
        {
            var bad = Law("a' = a * k;", "  param k;\n");
            var d = AssertOnly(bad, "AE0004", ";\n  coeff");
            Assert.Contains("'=' and a default value", d.Message, StringComparison.Ordinal);
            Assert.EndsWith("found ';'", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "param k;", "param k = 0.5;"));
        }

        [Fact]
        public void AE0004_input_without_type()
        {
            var bad = Law("a' = a * 0.5 + 0 * x;", "  input x;\n");
            var d = AssertOnly(bad, "AE0004", ";\n  coeff");
            Assert.Contains("':' and a type", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "input x;", "input x: real;"));
        }

        [Fact]
        public void AE0004_declaration_inside_a_group()
        {
            const string bad = """
                group G {
                  param k = 0.5;
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
            var d = AssertOnly(bad, "AE0004", "param");
            Assert.Contains("a group holds rules only; declare names in the law that uses it", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "  param k = 0.5;\n", ""));
        }

        [Fact]
        public void AE0004_stray_closing_brace_at_top_level()
        {
            var bad = Law("a' = a * 0.5;") + "} // one too many\n";
            var d = AssertOnly(bad, "AE0004", "} // one");
            Assert.Equal("Expected 'law', 'cell' or 'group', found '}'", d.Message);
            TestSupport.AssertClean(Fix(bad, "} // one too many\n", ""));
        }

        [Fact]
        public void AE0004_parser_recovers_and_reports_each_syntax_error_once()
        {
            const string bad = """
                law L {
                  coeff a in [0, 1] = 0.5;
                  rule R {
                    a' = a * 0.5
                  }
                  update {
                    a' = a' * ;
                  }
                }
                """;
            var errors = All(bad, "AE0004");
            Assert.True(errors.Count == 2, TestSupport.Format(TestSupport.Check(bad).Diagnostics));
            AssertAt(errors[0], bad, "}");
            Assert.Equal("Expected ';', found '}'", errors[0].Message);
            Assert.Equal(TestSupport.LineColumn(bad, Offset(bad, "* ;") + 2), (errors[1].Start.Line, errors[1].Start.Column));
            Assert.Equal("Expected an expression, found ';'", errors[1].Message);
        }

        // ------------------------------------------------------------------ AE0005 nesting too deep

        [Fact]
        public void AE0005_too_many_nested_parentheses_reported_once_in_the_brackets()
        {
            var bad = Law("a' = " + Repeat("(", 300) + "a" + Repeat(")", 300) + ";");
            var d = Assert.Single(TestSupport.Check(bad).Diagnostics);
            Assert.Equal("AE0005", d.Id);
            Assert.Contains("exceeds 200 levels", d.Message, StringComparison.Ordinal);
            // At one of the opening brackets past the limit (exactly which: see the next test).
            Assert.Equal('(', bad[d.Span.Start]);
            Assert.InRange(d.Span.Start, Offset(bad, "(", 195), Offset(bad, "(", 205));
            TestSupport.AssertClean(Law("a' = " + Repeat("(", 150) + "a" + Repeat(")", 150) + ";"));
        }

        [Fact]
        public void AE0005_two_hundred_levels_of_brackets_are_allowed_as_documented()
        {
            // docs/language.md: "Expressions nest at most 200 levels of brackets". The parser also counts the
            // rule block and the statement, so 199 brackets are rejected (at the 200th '(').
            TestSupport.AssertClean(Law("a' = " + Repeat("(", 200) + "a" + Repeat(")", 200) + ";"));
            var bad = Law("a' = " + Repeat("(", 201) + "a" + Repeat(")", 201) + ";");
            AssertOnly(bad, "AE0005", "(", occurrence: 201);
        }

        /// <summary>Exactly one diagnostic in all, AE0005, starting inside the text between two markers.</summary>
        private static void AssertOneAE0005Within(string text, string from, string to)
        {
            var all = TestSupport.Check(text).Diagnostics;
            Assert.True(all.Count == 1 && all[0].Id == "AE0005", "expected only one AE0005, got:\n" + TestSupport.Format(all));
            Assert.InRange(all[0].Span.Start, Offset(text, from), text.LastIndexOf(to, StringComparison.Ordinal));
        }

        [Fact]
        public void AE0005_long_operator_chain_reported_at_the_expression()
        {
            var bad = Law("a' = " + string.Join(" + ", Enumerable.Repeat("a", 402)) + ";");
            var d = AssertOnly(bad, "AE0005", "a + a");
            Assert.Contains("exceeds 400 levels", d.Message, StringComparison.Ordinal);
            Assert.Contains("split it into named definitions", d.Message, StringComparison.Ordinal);
            // The fix the message suggests: two named halves.
            var half = string.Join(" + ", Enumerable.Repeat("a", 201));
            TestSupport.AssertClean(Law("h1 = " + half + ";\n    h2 = " + half + ";\n    a' = h1 + h2;"));
        }

        [Fact]
        public void AE0005_very_long_operator_chain_is_reported_once_not_once_per_400_terms()
        {
            var bad = Law("a' = " + string.Join(" + ", Enumerable.Repeat("a", 900)) + ";");
            AssertOnly(bad, "AE0005", "a + a");
        }

        [Fact]
        public void AE0005_deeply_nested_conditional_does_not_cascade_into_a_syntax_error()
        {
            // Regression guard: once, AE0005 at the 200th 'c', then "AE0004: Expected ':' of the conditional" and a second AE0005
            // where the skipped branches end.
            var bad = Law("a' = " + Repeat("c ? ", 450) + "a" + Repeat(" : a", 450) + ";", "  param c: bool = true;\n");
            AssertOneAE0005Within(bad, "c ?", ";");
        }

        /// <summary>A too-deep argument of a call is skipped to its comma, not past the other arguments: no AE0014 about the argument count follows.</summary>
        [Fact]
        public void AE0005_too_deep_argument_does_not_cascade_into_a_wrong_argument_count()
        {
            var bad = Law("a' = clamp(" + Repeat("-", 300) + "a, 0, 1);");
            AssertOneAE0005Within(bad, "-", ";");
        }

        [Fact]
        public void AE0005_group_use_nesting_reported_at_the_use_past_the_limit()
        {
            var bad = GroupChain(33) + Law("a' = a';", "  use G0;\n");
            // G0..G31 are 32 levels; 'use G32;' inside G31 is the 33rd.
            var d = AssertOnly(bad, "AE0005", "G32;");
            Assert.Contains("32 levels", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(GroupChain(32) + Law("a' = a';", "  use G0;\n"));
        }

        [Fact]
        public void AE0005_group_nesting_message_speaks_of_group_nesting_not_expressions()
        {
            var bad = GroupChain(33) + Law("a' = a';", "  use G0;\n");
            var d = TestSupport.AssertSingle(bad, "AE0005", "G32;");
            Assert.Contains("group", d.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Expression or block nesting", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0005_groups_beyond_the_nesting_limit_are_not_reported_as_never_used()
        {
            // G33..G35 are used (by G32..G34, reachable from L); their expansion stopped at the limit.
            var bad = GroupChain(36) + Law("a' = a';", "  use G0;\n");
            TestSupport.AssertSingle(bad, "AE0005", "G32;");
            AssertNo(bad, "AE0044");
        }

        /// <summary>Groups G0..G(n-1), each using the next, each with one rule.</summary>
        private static string GroupChain(int n)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++)
            {
                sb.Append("group G").Append(i).Append(" {\n");
                if (i + 1 < n) sb.Append("  use G").Append(i + 1).Append(";\n");
                sb.Append("  rule R").Append(i).Append(" { a' = a' * 0.5; }\n}\n");
            }
            return sb.ToString();
        }

        [Fact]
        public void AE0005_deeply_nested_when_blocks_reported_once_without_cascade()
        {
            // Regression guard: once, AE0005 twice on the 200th 'when' (at 'c' and at '{') plus a spurious AE0043 for the update
            // rule, whose statements were skipped.
            var bad = Law(Repeat("when c {\n", 250) + "a' = a * 0.5;\n" + Repeat("}\n", 250), "  param c: bool = true;\n");
            AssertOneAE0005Within(bad, "when c", "}");
        }

        [Fact]
        public void AE0005_long_else_when_chain_reported_once()
        {
            // Each 'else when' nests one level. Once reported 4 times, on lines 203 to 205.
            var bad = Law("when c { a' = a; }\n" + Repeat("else when c { a' = a; }\n", 250), "  param c: bool = true;\n");
            AssertOneAE0005Within(bad, "when c", "}");
        }

        // ------------------------------------------------------------------ AE0006 not a text file

        [Fact]
        public void AE0006_a_nul_byte_makes_one_error_for_the_file_at_the_byte()
        {
            var text = Law("a' = a * 0.5; #");
            var bytes = Encoding.UTF8.GetBytes(text);
            int at = text.IndexOf('#', StringComparison.Ordinal);
            bytes[at] = 0;
            var result = AeCompiler.Check(SourceFile.FromBytes("x.ae", bytes));
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("AE0006", d.Id);
            Assert.Equal(Severity.Error, d.Severity);
            Assert.Equal("'x.ae' is not a text file (byte 0x00 at offset " + at + "); an .ae file is UTF-8 text: check that the right file was named, or save it as UTF-8", d.Message);
            Assert.Equal(TestSupport.LineColumn(text, at), (d.Start.Line, d.Start.Column));
            Assert.Null(result.Program?.Units.FirstOrDefault());
            // the same text without the NUL is a stray character, AE0001
            Assert.Equal("AE0001", Assert.Single(TestSupport.Check(text).Diagnostics).Id);
        }

        [Fact]
        public void AE0006_random_bytes_are_one_error_whatever_they_hold()
        {
            var random = new Random(1234);
            for (int round = 0; round < 20; round++)
            {
                var bytes = new byte[4096];
                random.NextBytes(bytes);
                if (round % 2 == 1) for (int i = 0; i < bytes.Length; i++) if (bytes[i] == 0) bytes[i] = 1; // no NUL at all
                var all = AeCompiler.Check(SourceFile.FromBytes("r.ae", bytes)).Diagnostics;
                Assert.True(all.Count == 1 && all[0].Id == "AE0006", "round " + round + ":\n" + TestSupport.Format(all));
                var first = round % 2 == 1 ? "byte 0x" + bytes[0].ToString("X2", System.Globalization.CultureInfo.InvariantCulture) + " at offset 0" : "byte 0x00 at offset " + Array.IndexOf(bytes, (byte)0);
                if (round % 2 == 0 || bytes[0] >= 0x80) Assert.Contains("(" + first, all[0].Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void AE0006_mostly_invalid_utf8_is_not_text_but_a_stray_invalid_byte_is_a_character()
        {
            // Latin-1 bytes (0xE9, 0xFF) for most of the file: not UTF-8 text.
            var bytes = Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? (byte)'a' : (byte)0xE9).ToArray();
            var d = Assert.Single(AeCompiler.Check(SourceFile.FromBytes("latin.ae", bytes)).Diagnostics);
            Assert.Equal("AE0006", d.Id);
            Assert.Contains("(byte 0xE9 at offset 1; 66% of its 300 bytes are not UTF-8 text)", d.Message, StringComparison.Ordinal);
            Assert.Equal((1, 2), (d.Start.Line, d.Start.Column));
            // One stray byte in a text file: the character is reported (AE0001), and the rest of the file is checked.
            var text = Law("a' = a * 0.5; #") + "law M { dim n = 2.5; }\n";
            var stray = Encoding.UTF8.GetBytes(text);
            stray[text.IndexOf('#', StringComparison.Ordinal)] = 0xFF;
            var ids = AeCompiler.Check(SourceFile.FromBytes("stray.ae", stray)).Diagnostics.Select(x => x.Id).ToList();
            Assert.Contains("AE0001", ids);
            Assert.DoesNotContain("AE0006", ids);
            Assert.Contains("AE0023", ids);
        }

        [Fact]
        public void AE0006_text_with_a_nul_character_and_other_files_checked_with_it()
        {
            // Text already decoded (as the source generator gets it): a NUL character.
            var binary = new SourceFile("bin.ae", "\uFEFFlaw L { \0 }");
            var other = new SourceFile("law.ae", Law("a' = a * k;", "  param k = 2;\n  param unused = 1;\n"));
            var result = AeCompiler.Check(binary, other);
            var d = Assert.Single(result.Diagnostics, x => x.Path == "bin.ae");
            Assert.Equal("AE0006", d.Id);
            Assert.Contains("(character U+0000 at offset 9)", d.Message, StringComparison.Ordinal);
            Assert.Equal((1, 9), (d.Start.Line, d.Start.Column));
            // the other file is checked as usual
            Assert.Equal(new[] { "AE0050" }, result.Diagnostics.Where(x => x.Path == "law.ae").Select(x => x.Id).ToArray());
        }

        // ------------------------------------------------------------------ AE0007 too many errors

        [Fact]
        public void AE0007_errors_past_the_hundredth_are_one_line()
        {
            var bad = Law("a' = a * 0.5; " + Repeat("$", 150));
            var all = TestSupport.Check(bad).Diagnostics;
            Assert.Equal(101, all.Count);
            Assert.All(all.Take(100), d => Assert.Equal("AE0001", d.Id));
            var last = all[100];
            Assert.Equal("AE0007", last.Id);
            Assert.Equal(Severity.Error, last.Severity);
            Assert.Equal("50 more errors in this file not shown: only the first 100 errors of a file are listed; fix those and check again", last.Message);
            AssertAt(last, bad, "$", occurrence: 101);
            Assert.Equal(AeCompiler.MaxErrorsPerFile, 100);
            // exactly 100 errors: all of them, no summary
            Assert.Equal(Enumerable.Repeat("AE0001", 100), TestSupport.Check(Law("a' = a * 0.5; " + Repeat("$", 100))).Diagnostics.Select(d => d.Id));
            Assert.Equal("1 more error in this file", TestSupport.Check(Law("a' = a * 0.5; " + Repeat("$", 101))).Diagnostics[100].Message.Substring(0, 25));
        }

        [Fact]
        public void AE0007_counts_the_warnings_it_hides_and_keeps_those_before_it()
        {
            // 101 errors on line 4, then a numeric hazard (AE0060) in a second law: hidden with the 101st error.
            var hazard = Law("a' = clamp(log(x), 0, 1);", "  input x: real;\n").Replace("law L", "law M", StringComparison.Ordinal);
            var bad = Law("a' = a * 0.5; " + Repeat("$", 101)) + hazard;
            var last = TestSupport.Check(bad).Diagnostics.Last();
            Assert.Equal("AE0007", last.Id);
            Assert.StartsWith("1 more error and 1 warning in this file not shown", last.Message, StringComparison.Ordinal);
            // a warning before the 101st error is shown
            var all = TestSupport.Check(hazard + Law("a' = a * 0.5; " + Repeat("$", 101))).Diagnostics;
            Assert.Equal(new[] { "AE0060", "AE0001" }, all.Take(2).Select(d => d.Id).ToArray());
            Assert.Equal(102, all.Count);
            Assert.StartsWith("1 more error in this file not shown", all.Last().Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AE0007_counts_per_file()
        {
            var a = new SourceFile("a.ae", Law("a' = a * 0.5; " + Repeat("$", 80)));
            var b = new SourceFile("b.ae", Law("a' = a * 0.5; " + Repeat("$", 130)).Replace("law L", "law M", StringComparison.Ordinal));
            var all = AeCompiler.Check(a, b).Diagnostics;
            Assert.Equal(80, all.Count(d => d.Path == "a.ae"));
            Assert.Equal(101, all.Count(d => d.Path == "b.ae"));
            Assert.DoesNotContain(all, d => d.Path == "a.ae" && d.Id == "AE0007");
            Assert.StartsWith("30 more errors", Assert.Single(all, d => d.Id == "AE0007").Message, StringComparison.Ordinal);
        }
    }
}
