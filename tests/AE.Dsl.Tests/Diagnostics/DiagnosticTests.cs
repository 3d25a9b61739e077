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
    public partial class DiagnosticTests
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
            "AE0008", // Namespace rewritten: the source generator's, of an MSBuild property (tests/AE.Generators.Tests names it)
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

        private static string ThisFolder => Path.Combine(RepoPaths.Root, "tests", "AE.Dsl.Tests", "Diagnostics");

        [Fact]
        public void Every_catalogue_id_has_a_test_and_a_docs_entry()
        {
            Assert.True(File.Exists(DocsPath), "missing " + DocsPath);
            Assert.True(Directory.Exists(ThisFolder), "missing " + ThisFolder);
            var docs = File.ReadAllText(DocsPath).Replace("\r\n", "\n");
            var tests = string.Concat(Directory.GetFiles(ThisFolder, "DiagnosticTests*.cs").OrderBy(p => p, StringComparer.Ordinal).Select(File.ReadAllText));
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
                    problems.Add(d.Id + ": no test in Diagnostics/DiagnosticTests*.cs names \"" + d.Id + "\"");
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
    }
}
