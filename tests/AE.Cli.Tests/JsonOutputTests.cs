using System.Linq;
using System.Text.Json;
using Xunit;

namespace AE.Cli.Tests
{
    public class JsonOutputTests
    {
        /// <summary>
        /// An array of numbers is laid out as any other array, one element a line, exponents in lower case: written as raw
        /// values they ran together on the array's first line and put its ']' on a line of its own (ae swarm's "scores").
        /// </summary>
        [Fact]
        public void Numbers_in_an_array_are_indented_one_a_line_with_a_lower_case_exponent()
        {
            var text = new System.IO.StringWriter();
            AE.Engine.Json.WriteIndented(text, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("scores");
                foreach (double v in new[] { 1.5, 1e-09, double.NaN }) AE.Engine.Json.NumberValue(json, v);
                json.WriteEndArray();
                AE.Engine.Json.Number(json, "loss", 2.5e-07);
                json.WriteEndObject();
            });
            var lines = text.ToString().Replace("\r\n", "\n", System.StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            Assert.Equal(new[] { "{", "\"scores\": [", "1.5,", "1e-09,", "\"NaN\"", "],", "\"loss\": 2.5e-07", "}" }, lines);
        }

        [Fact]
        public void Json_lists_files_diagnostics_and_counts()
        {
            using var dir = new TempDirectory();
            dir.Write("laws/a.ae", Sources.SyntaxError("A"));
            dir.Write("laws/b.ae", Sources.BadCharacter("B"));
            dir.Write("laws/c.ae", Sources.Clean("C"));

            var r = Cli.Run(dir.Path, "check", "laws/*.ae", "--format", "json");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("", r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            var root = doc.RootElement;

            Assert.Equal(new[] { "laws/a.ae", "laws/b.ae", "laws/c.ae" }, root.GetProperty("files").EnumerateArray().Select(e => e.GetString()).ToArray());
            Assert.Equal(2, root.GetProperty("errors").GetInt32());
            Assert.Equal(0, root.GetProperty("warnings").GetInt32());

            var diagnostics = root.GetProperty("diagnostics").EnumerateArray().ToArray();
            Assert.Equal(2, diagnostics.Length);

            var first = diagnostics[0];
            Assert.Equal("AE0004", first.GetProperty("id").GetString());
            Assert.Equal("error", first.GetProperty("severity").GetString());
            Assert.Equal("laws/a.ae", first.GetProperty("path").GetString());
            Assert.Equal(1, first.GetProperty("line").GetInt32());
            Assert.Equal(15, first.GetProperty("column").GetInt32());
            Assert.Equal(1, first.GetProperty("end_line").GetInt32());
            Assert.Equal(16, first.GetProperty("end_column").GetInt32());
            Assert.Equal("Expected a param name, found '='", first.GetProperty("message").GetString());
            Assert.Equal("docs/diagnostics.md#ae0004", first.GetProperty("help_link").GetString());

            var second = diagnostics[1];
            Assert.Equal("AE0001", second.GetProperty("id").GetString());
            Assert.Equal("laws/b.ae", second.GetProperty("path").GetString());
            Assert.Equal(9, second.GetProperty("column").GetInt32());
            Assert.Equal("Unexpected character '$' (U+0024); it is not part of the language — remove it", second.GetProperty("message").GetString());
        }

        [Fact]
        public void Json_object_has_exactly_the_documented_properties()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("D"));

            var r = Cli.Run(dir.Path, "check", "--format=json", "a.ae");

            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal(new[] { "files", "diagnostics", "errors", "warnings" }, doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(
                new[] { "id", "severity", "path", "line", "column", "end_line", "end_column", "message", "help_link" },
                doc.RootElement.GetProperty("diagnostics")[0].EnumerateObject().Select(p => p.Name).ToArray());
        }

        [Fact]
        public void Json_for_a_clean_file_is_empty_and_exits_0()
        {
            using var dir = new TempDirectory();
            dir.Write("c.ae", Sources.Clean("E"));

            var r = Cli.Run(dir.Path, "check", "c.ae", "--format", "json");

            Assert.Equal(0, r.ExitCode);
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal(0, doc.RootElement.GetProperty("diagnostics").GetArrayLength());
            Assert.Equal(0, doc.RootElement.GetProperty("errors").GetInt32());
            Assert.Equal("c.ae", doc.RootElement.GetProperty("files")[0].GetString());
        }

        [Fact]
        public void Json_is_indented_and_keeps_quotes_readable()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("F"));

            var r = Cli.Run(dir.Path, "check", "a.ae", "--format", "json");

            Assert.StartsWith("{", r.Stdout);
            Assert.Contains("\n  \"files\": [", r.Stdout);
            Assert.Contains("found '='", r.Stdout);
        }

        [Fact]
        public void Json_paths_with_quotes_and_backslashes_are_escaped()
        {
            using var dir = new TempDirectory();
            dir.Write("we\"ird.ae", Sources.Clean("G"));

            var r = Cli.Run(dir.Path, "check", "we\"ird.ae", "--format", "json");

            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal("we\"ird.ae", doc.RootElement.GetProperty("files")[0].GetString());
        }
    }
}
