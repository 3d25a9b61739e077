using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    internal static class TestSupport
    {
        public static CheckResult Check(string text, string path = "test.ae") => AeCompiler.Check(new SourceFile(path, text));

        public static string Format(IEnumerable<Diagnostic> diagnostics) => string.Join("\n", diagnostics.Select(d => d.ToMsBuildString()));

        /// <summary>Asserts the check reports nothing (no errors, no warnings), showing every diagnostic when it fails.</summary>
        public static CheckResult AssertClean(string text, string path = "test.ae")
        {
            var result = Check(text, path);
            Assert.True(result.Diagnostics.Count == 0, "expected no diagnostics, got:\n" + Format(result.Diagnostics));
            return result;
        }

        /// <summary>
        /// Asserts that exactly one diagnostic with <paramref name="id"/> is reported, and that it starts at
        /// the first occurrence of <paramref name="marker"/> in the text (its line and column are derived
        /// from the text, independently of the checker's own position mapping).
        /// </summary>
        public static Diagnostic AssertSingle(string text, string id, string marker, int occurrence = 1)
        {
            var result = Check(text);
            var matching = result.Diagnostics.Where(d => d.Id == id).ToList();
            Assert.True(matching.Count == 1, $"expected one {id}, got:\n" + Format(result.Diagnostics));
            var d = matching[0];
            int offset = -1;
            for (int i = 0; i < occurrence; i++) offset = text.IndexOf(marker, offset + 1, System.StringComparison.Ordinal);
            Assert.True(offset >= 0, "marker not found: " + marker);
            var (line, column) = LineColumn(text, offset);
            Assert.Equal((line, column), (d.Start.Line, d.Start.Column));
            return d;
        }

        /// <summary>1-based line and column of an offset, counting '\n' only (tests use LF text).</summary>
        public static (int Line, int Column) LineColumn(string text, int offset)
        {
            int line = 1, lineStart = 0;
            for (int i = 0; i < offset; i++)
                if (text[i] == '\n') { line++; lineStart = i + 1; }
            return (line, offset - lineStart + 1);
        }
    }
}
