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
    /// <summary>
    /// At least one test for every id of <see cref="DiagnosticCatalog"/>: the failing input, the exact position
    /// of the diagnostic (through a marker substring, see <see cref="TestSupport.AssertSingle"/>), the part of
    /// the message that carries information, and the fixed input checking without that diagnostic (clean
    /// wherever possible). Every distinct situation reported under one id has its own test.
    /// <para>
    /// <see cref="Every_catalogue_id_has_a_test_and_a_docs_entry"/> keeps this file and docs/diagnostics.md in
    /// step with the catalogue; <see cref="Docs_examples_print_the_documented_messages_and_their_fixes_check_clean"/>
    /// checks every example of the docs against the checker.
    /// </para>
    /// </summary>
    public class DiagnosticTests
    {
        /// <summary>Ids no input can produce, by design; each is still documented.</summary>
        private static readonly HashSet<string> Untriggerable = new(StringComparer.Ordinal)
        {
            "AE0099", // internal compiler error: only an exception inside the checker produces it
        };

        /// <summary>
        /// Ids that <c>ae check</c> never reports, because another stage does: they are documented, but
        /// have no failing input here.
        /// </summary>
        private static readonly HashSet<string> NotFromTheChecker = new(StringComparer.Ordinal)
        {
            "AE0080", // Not emitted: reported by the source generator (AE.Generators) when the C# backend rejects a unit
        };

        private static bool Exempt(string id) => Untriggerable.Contains(id) || NotFromTheChecker.Contains(id);

        /// <summary>Ids of the catalogue whose descriptor no source file outside the catalogue reports.</summary>
        private static List<string> UnreportedIds()
        {
            var sources = new[] { "AE.Dsl", "AE.Cli", "AE.Generators" }
                .Select(d => Path.Combine(RepoPaths.Root, d))
                .Where(Directory.Exists)
                .SelectMany(d => Directory.GetFiles(d, "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && Path.GetFileName(f) != "DiagnosticCatalog.cs")
                .Select(File.ReadAllText)
                .ToList();
            return typeof(DiagnosticCatalog).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
                .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
                // DiagnosticCatalog.X, or an alias of the catalogue (DslCatalog.X)
                .Where(f => !sources.Any(text => Regex.IsMatch(text, "\\b\\w*Catalog\\." + f.Name + "\\b")))
                .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
                .OrderBy(id => id, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>A catalogue id that nothing reports is dead (or its reporting code was lost).</summary>
        [Fact]
        public void Every_catalogue_id_is_reported_by_some_code()
        {
            Assert.Empty(UnreportedIds());
        }

        // ------------------------------------------------------------------ helpers

        /// <summary>The text with the single occurrence of <paramref name="from"/> replaced: a fix written as an edit of the failing input.</summary>
        private static string Fix(string text, string from, string to)
        {
            int first = text.IndexOf(from, StringComparison.Ordinal);
            Assert.True(first >= 0, "fix: not found: " + from);
            Assert.True(text.IndexOf(from, first + 1, StringComparison.Ordinal) < 0, "fix: occurs more than once: " + from);
            return text.Substring(0, first) + to + text.Substring(first + from.Length);
        }

        /// <summary>Asserts that the check reports exactly one diagnostic in all, with <paramref name="id"/>, at the marker.</summary>
        private static Diagnostic AssertOnly(string text, string id, string marker, int occurrence = 1)
        {
            var d = TestSupport.AssertSingle(text, id, marker, occurrence);
            var all = TestSupport.Check(text).Diagnostics;
            Assert.True(all.Count == 1, "expected only " + id + ", got:\n" + TestSupport.Format(all));
            return d;
        }

        /// <summary>Asserts that no diagnostic with <paramref name="id"/> is reported.</summary>
        private static void AssertNo(string text, string id)
        {
            var result = TestSupport.Check(text);
            Assert.False(result.Diagnostics.Any(d => d.Id == id), "expected no " + id + ", got:\n" + TestSupport.Format(result.Diagnostics));
        }

        private static List<Diagnostic> All(string text, string id) => TestSupport.Check(text).Diagnostics.Where(d => d.Id == id).ToList();

        /// <summary>The offset of the nth occurrence of a marker.</summary>
        private static int Offset(string text, string marker, int occurrence = 1)
        {
            int offset = -1;
            for (int i = 0; i < occurrence; i++) offset = text.IndexOf(marker, offset + 1, StringComparison.Ordinal);
            Assert.True(offset >= 0, "marker not found: " + marker);
            return offset;
        }

        /// <summary>"(line,col)" of the nth occurrence of a marker, as messages print a position.</summary>
        private static string Pos(string text, string marker, int occurrence = 1)
        {
            var (line, column) = TestSupport.LineColumn(text, Offset(text, marker, occurrence));
            return "(" + line + "," + column + ")";
        }

        private static void AssertAt(Diagnostic d, string text, string marker, int occurrence = 1)
            => Assert.Equal(TestSupport.LineColumn(text, Offset(text, marker, occurrence)), (d.Start.Line, d.Start.Column));

        private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

        /// <summary>A law whose update is the given statement(s); with <c>a' = a * 0.5;</c> it checks clean.</summary>
        private static string Law(string update, string members = "")
            => "law L {\n" + members + "  coeff a in [0, 1] = 0.5;\n  update {\n    " + update + "\n  }\n}\n";

        // ------------------------------------------------------------------ catalogue, docs

        private static string DocsPath => Path.Combine(RepoPaths.Root, "docs", "diagnostics.md");

        private static string ThisFilePath => Path.Combine(RepoPaths.Root, "tests", "AE.Dsl.Tests", "DiagnosticTests.cs");

        [Fact]
        public void Every_catalogue_id_has_a_test_and_a_docs_entry()
        {
            Assert.True(File.Exists(DocsPath), "missing " + DocsPath);
            Assert.True(File.Exists(ThisFilePath), "missing " + ThisFilePath);
            var docs = File.ReadAllText(DocsPath).Replace("\r\n", "\n");
            var tests = File.ReadAllText(ThisFilePath);
            var problems = new List<string>();
            int previous = -1;
            foreach (var d in DiagnosticCatalog.All)
            {
                var anchor = "<a id=\"" + d.Id.ToLowerInvariant() + "\"></a>";
                var heading = "## " + d.Id + ": " + d.Title + "\n";
                int at = docs.IndexOf(anchor + "\n" + heading, StringComparison.Ordinal);
                if (at < 0) problems.Add(d.Id + ": docs/diagnostics.md has no '" + anchor + "' line followed by '" + heading.TrimEnd() + "'");
                else
                {
                    if (at < previous) problems.Add(d.Id + ": docs entry is out of id order");
                    previous = at;
                    var section = Section(docs, d.Id);
                    var severity = "**Severity:** " + (d.DefaultSeverity == Severity.Error ? "error" : "warning");
                    if (!section.Contains(severity, StringComparison.Ordinal)) problems.Add(d.Id + ": docs entry does not say '" + severity + "'");
                    if (!Exempt(d.Id) && Regex.Matches(section, "^```ae$", RegexOptions.Multiline).Count < 2)
                        problems.Add(d.Id + ": docs entry needs a failing example and a fixed example in ```ae blocks");
                }
                var row = "| [" + d.Id + "](#" + d.Id.ToLowerInvariant() + ") | " + d.Title + " | " + (d.DefaultSeverity == Severity.Error ? "error" : "warning") + " |";
                if (!docs.Contains(row, StringComparison.Ordinal)) problems.Add(d.Id + ": the table of docs/diagnostics.md has no row '" + row + "'");

                // Named in an assertion of this file (as a string literal), unless exempt.
                if (!Exempt(d.Id) && !tests.Contains("\"" + d.Id + "\"", StringComparison.Ordinal))
                    problems.Add(d.Id + ": no test in DiagnosticTests.cs names \"" + d.Id + "\"");
            }
            foreach (Match m in Regex.Matches(docs, "^## (AE\\d{4}):", RegexOptions.Multiline))
                if (!DiagnosticCatalog.All.Any(d => d.Id == m.Groups[1].Value)) problems.Add(m.Groups[1].Value + ": documented but not in the catalogue");
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void Catalogue_ids_are_unique_and_well_formed()
        {
            var ids = DiagnosticCatalog.All.Select(d => d.Id).ToList();
            Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
            Assert.All(ids, id => Assert.Matches("^AE\\d{4}$", id));
            Assert.All(DiagnosticCatalog.All, d => Assert.Equal("docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLink));
        }

        /// <summary>The text of one id's entry: from its anchor to the next anchor.</summary>
        private static string Section(string docs, string id)
        {
            int start = docs.IndexOf("<a id=\"" + id.ToLowerInvariant() + "\"></a>", StringComparison.Ordinal);
            if (start < 0) return "";
            int end = docs.IndexOf("<a id=\"ae", start + 1, StringComparison.Ordinal);
            return end < 0 ? docs.Substring(start) : docs.Substring(start, end - start);
        }

        /// <summary>
        /// Every ```ae block of the docs followed by a ```text block is a failing example: checked as
        /// <c>example.ae</c>, it prints exactly the lines of the text block (the entry's id among them). Every
        /// other ```ae block is a fix and checks clean. A block after <c>&lt;!-- abbreviated --&gt;</c> is not checked.
        /// </summary>
        [Fact]
        public void Docs_examples_print_the_documented_messages_and_their_fixes_check_clean()
        {
            var docs = File.ReadAllText(DocsPath).Replace("\r\n", "\n");
            var problems = new List<string>();
            int checkedExamples = 0;
            foreach (var d in DiagnosticCatalog.All)
            {
                var section = Section(docs, d.Id);
                var blocks = Regex.Matches(section, "(<!-- abbreviated -->\\n+)?```(ae|text)\\n(.*?)```", RegexOptions.Singleline);
                for (int i = 0; i < blocks.Count; i++)
                {
                    var b = blocks[i];
                    if (b.Groups[2].Value != "ae" || b.Groups[1].Success) continue;
                    var code = b.Groups[3].Value;
                    var output = TestSupport.Check(code, "example.ae").Diagnostics.Select(x => x.ToMsBuildString()).ToList();
                    bool failing = i + 1 < blocks.Count && blocks[i + 1].Groups[2].Value == "text";
                    checkedExamples++;
                    if (failing)
                    {
                        var expected = blocks[i + 1].Groups[3].Value.TrimEnd('\n').Split('\n').ToList();
                        if (!expected.SequenceEqual(output))
                            problems.Add(d.Id + ": example prints\n  " + string.Join("\n  ", output) + "\nbut the docs show\n  " + string.Join("\n  ", expected));
                        if (!expected.Any(l => l.Contains(" " + d.Id + ": ", StringComparison.Ordinal)))
                            problems.Add(d.Id + ": a failing example of this entry does not show " + d.Id);
                    }
                    else if (output.Count != 0)
                    {
                        problems.Add(d.Id + ": fixed example is not clean:\n  " + string.Join("\n  ", output));
                    }
                }
            }
            Assert.True(checkedExamples >= 2 * DiagnosticCatalog.All.Count(d => !Exempt(d.Id)) - 1, "too few examples found: " + checkedExamples);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        // ------------------------------------------------------------------ AE0001 unexpected character

        [Fact]
        public void AE0001_stray_character_is_reported_at_the_character()
        {
            var bad = Law("a' = a * 0.5; $");
            var d = AssertOnly(bad, "AE0001", "$");
            Assert.Equal("Unexpected character '$' (U+0024); it is not part of the language — remove it", d.Message);
            TestSupport.AssertClean(Fix(bad, " $", ""));
        }

        [Fact]
        public void AE0001_control_character_is_shown_escaped()
        {
            var bad = Law("a' = a * 0.5;\u0007");
            var d = AssertOnly(bad, "AE0001", "\u0007");
            Assert.Contains("'\\u0007' (U+0007)", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "\u0007", ""));
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
        public void AE0003_invalid_number_is_reported_over_the_whole_number(string number, string reason, string fixedNumber)
        {
            var bad = Law("a' = a * " + number + ";");
            var d = AssertOnly(bad, "AE0003", number + ";");
            Assert.Contains("'" + number + "'", d.Message, StringComparison.Ordinal);
            Assert.Contains(reason, d.Message, StringComparison.Ordinal);
            Assert.Equal(number.Length, d.Span.Length);
            TestSupport.AssertClean(Fix(bad, number + ";", fixedNumber + ";"));
        }

        // ------------------------------------------------------------------ AE0004 syntax error

        [Fact]
        public void AE0004_missing_semicolon_is_reported_at_the_token_found_instead()
        {
            var bad = Law("a' = a * 0.5");
            var d = AssertOnly(bad, "AE0004", "}");
            Assert.Equal("Expected ';', found '}'", d.Message);
            TestSupport.AssertClean(Fix(bad, "a * 0.5\n", "a * 0.5;\n"));
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

        // ------------------------------------------------------------------ AE0010 unknown name

        [Fact]
        public void AE0010_misspelt_param_suggests_the_declared_name()
        {
            var bad = Law("a' = a * gian;", "  param gain = 0.5;\n");
            var d = TestSupport.AssertSingle(bad, "AE0010", "gian");
            Assert.Equal("Unknown name 'gian'; did you mean 'gain'?", d.Message);
            TestSupport.AssertClean(Fix(bad, "gian", "gain"));
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
            var d = TestSupport.AssertSingle(bad, "AE0010", "du +=");
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
            var d = TestSupport.AssertSingle(bad, "AE0010", "hafl");
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
            Assert.StartsWith("Cyclic definition: group 'G' -> group 'H' -> group 'G'", d.Message, StringComparison.Ordinal);
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

        // ------------------------------------------------------------------ AE0014 invalid call

        [Fact]
        public void AE0014_too_many_arguments()
        {
            var bad = Law("a' = tanh(a, 2);");
            var d = AssertOnly(bad, "AE0014", "tanh");
            Assert.StartsWith("'tanh' takes 1 argument, but 2 are given", d.Message, StringComparison.Ordinal);
            TestSupport.AssertClean(Fix(bad, "tanh(a, 2)", "tanh(2 * a)"));
        }

        [Fact]
        public void AE0014_too_few_arguments_shows_the_signature()
        {
            var bad = Law("a' = clamp(a, 0);");
            var d = AssertOnly(bad, "AE0014", "clamp");
            Assert.Equal("'clamp' takes 3 arguments, but 2 are given: clamp: min(max(x, lo), hi)", d.Message);
            TestSupport.AssertClean(Fix(bad, "clamp(a, 0)", "clamp(a, 0, 1)"));
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

        [Fact]
        public void AE0017_signal_without_type_or_value()
        {
            var bad = Law("a' = a * 0.5;", "  signal s;\n");
            AssertOnly(bad, "AE0017", "s;");
            TestSupport.AssertClean(Law("s = a;\n    a' = a * 0.5;", "  signal s;\n"));
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
            { "  param k in [0, 1) = 1.5;\n", "a' = a * k;", "1.5", "The default 1.5 of param 'k' lies outside its declared range [0, 1)", "  param k in [0, 1) = 0.5;\n", "a' = a * k;" },
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
            { "  dim n;\n  input g: real[n];\n", "a' = a * g;", "a * g", "The next value of coefficient 'a' has shape real, but this value is real[n]", "a' = clamp(a * sum(g), 0, 1);" },
            { "  dim n;\n  input g: real[n];\n  input h: real[2 * n];\n", "a' = clamp(a + sum(g + h), 0, 1);", "+ h", "'+' combines real[n] and real[2*n]; vectors must have the same length", "a' = clamp(a + sum(g) + sum(h), 0, 1);" },
            { "", "a' = clamp(a + sum(a), 0, 1);", "a), 0", "'sum' reduces a vector, but argument 1 is the scalar real", "a' = clamp(a + a, 0, 1);" },
            { "  dim n;\n  input g: real[n];\n", "when g > 0 {\n      a' = a * 0.5;\n    }", "g > 0", "A 'when' condition must be a scalar bool, but this is bool[n]", "when sum(g) > 0 {\n      a' = a * 0.5;\n    }" },
            { "  dim n;\n  input g: real[n];\n  state x: real[n + 1] = 0;\n", "x' = g;\n    a' = clamp(a + sum(x), 0, 1);", "g;", "The next value of state 'x' has shape real[n + 1], but this value is real[n]", "x' = concat(g, 0);\n    a' = clamp(a + sum(x), 0, 1);" },
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
            { "  dim n;\n  input g: real[n * n];\n", "n * n", "A dimension can be multiplied by a whole number only, not by another dim", "  dim n;\n  input g: real[3 * n];\n" },
            { "  dim n;\n  input g: real[n / 2];\n", "n / 2", "A dimension is made of dims, whole numbers, '+', '-' and '*'", "  dim n;\n  input g: real[n + 2];\n" },
            { "  input g: real[0];\n", "0]", "A vector length must be at least 1, but this one is 0", "  input g: real[1];\n" },
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
            { "  param k = 0.5;\n", "a' = a * k';", "k'", "a param" },
        };

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
        [InlineData("law M = L without R, R;", "R;", "Rule 'R' is named twice")]
        [InlineData("cell M = L without R;", "L without", "'L' is a law; a cell variant must be based on a cell")]
        public void AE0046_invalid_variant(string variant, string marker, string message)
        {
            var bad = WithVariant(variant);
            var d = AssertOnly(bad, "AE0046", marker);
            Assert.Equal(message, d.Message);
            TestSupport.AssertClean(WithVariant("law M = L without R, S;"));
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

        [Fact]
        public void AE0050_accumulator_only_added_to_is_unused()
        {
            var bad = Law("d += a;\n    a' = a * 0.5;", "  acc d = 0;\n");
            AssertOnly(bad, "AE0050", "d = 0");
            TestSupport.AssertClean(Law("d += a;\n    a' = a * 0.5 + 0.1 * d;", "  acc d = 0;\n"));
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
            Assert.Equal("Division by a value that can be 0 (it lies in (-inf, inf)); add a positive epsilon to the denominator ('+ 1e-12')", d.Message);
            Assert.Equal(Severity.Warning, d.Severity);
            TestSupport.AssertClean(Fix(bad, "a / x", "a / (x * x + 1e-12)"));
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
            TestSupport.AssertClean(Law("a' = clamp(a / (x ^ 2 + 1) + a / exp(x) + a / sigmoid(x) + a / n + 1 / (norm(g) + 1e-12), 0, 1);", members));
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
