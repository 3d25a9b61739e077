using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AE.Dsl.Diagnostics;

namespace AE.Cli
{
    /// <summary>
    /// JSON output: <c>{"files": [...], "diagnostics": [{"id", "severity", "path", "line", "column",
    /// "end_line", "end_column", "message", "help_link"}], "errors": N, "warnings": N}</c>, indented.
    /// </summary>
    internal static class JsonOutput
    {
        private static readonly JsonWriterOptions Options = new()
        {
            Indented = true,
            // Output goes to a terminal or a tool, never into HTML: keep quotes and non-ASCII readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        public static void Write(CheckReport report, TextWriter stdout)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, Options))
            {
                json.WriteStartObject();

                json.WriteStartArray("files");
                foreach (var file in report.Files) json.WriteStringValue(file);
                json.WriteEndArray();

                json.WriteStartArray("diagnostics");
                foreach (var reported in report.Diagnostics)
                {
                    var d = reported.Diagnostic;
                    json.WriteStartObject();
                    json.WriteString("id", d.Id);
                    json.WriteString("severity", reported.Severity == Severity.Error ? "error" : "warning");
                    json.WriteString("path", d.Path);
                    json.WriteNumber("line", d.Start.Line);
                    json.WriteNumber("column", d.Start.Column);
                    json.WriteNumber("end_line", d.End.Line);
                    json.WriteNumber("end_column", d.End.Column);
                    json.WriteString("message", d.Message);
                    json.WriteString("help_link", d.Descriptor.HelpLink);
                    json.WriteEndObject();
                }
                json.WriteEndArray();

                json.WriteNumber("errors", report.Errors);
                json.WriteNumber("warnings", report.Warnings);
                json.WriteEndObject();
            }
            stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }
}
