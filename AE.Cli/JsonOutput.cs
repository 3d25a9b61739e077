using System.IO;
using System.Text.Json;
using AE.Dsl.Diagnostics;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// JSON output: <c>{"files": [...], "diagnostics": [{"id", "severity", "path", "line", "column",
    /// "end_line", "end_column", "message", "help_link"}], "errors": N, "warnings": N}</c>, indented.
    /// </summary>
    internal static class JsonOutput
    {
        public static void Write(CheckReport report, TextWriter stdout)
        {
            Json.WriteIndented(stdout, json =>
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
            });
        }
    }
}
