using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Cli
{
    /// <summary>The help texts. Each ends with a newline and uses the platform's line ending.</summary>
    internal static class Usage
    {
        /// <summary>What <c>ae</c>, <c>ae --help</c> and <c>ae help</c> print: every command with its summary.</summary>
        public static string TopLevel(IReadOnlyList<CliCommand> commands)
        {
            int width = Math.Max(commands.Max(c => c.Name.Length), "help".Length) + 2;
            var lines = new List<string>
            {
                "ae - compiler for the AE equation language (*.ae files)",
                "",
                "Usage: ae <command> [arguments] [options]",
                "",
                "Commands:",
            };
            lines.AddRange(commands.Select(c => "  " + c.Name.PadRight(width) + c.Summary));
            lines.Add("  " + "help".PadRight(width) + "Show this help, or 'ae help <command>' for one command");
            lines.AddRange(new[]
            {
                "",
                "Options:",
                "  -h, --help    Show this help",
                "  --version     Show the version of ae",
                "",
                "Run 'ae <command> --help' for the arguments and options of a command.",
            });
            return Lines(lines);
        }

        public const string CheckSummary = "Check .ae files and report errors and warnings";

        /// <summary>What <c>ae check --help</c> prints.</summary>
        public static string Check { get; } = Lines(new[]
        {
            "Usage: ae check <files or globs...> [--warnaserror] [--format text|json]",
            "",
            "Parses and checks .ae files and reports every error and warning. All files are",
            "checked together, so they see each other's rule groups.",
            "",
            "Arguments:",
            "  <files or globs...>  One or more .ae files or glob patterns, relative to the",
            "                       current directory or absolute. In a glob, '*' matches any",
            "                       characters within one path segment, '?' matches one",
            "                       character, and '**' as a whole segment matches any number",
            "                       of directories: 'laws/*.ae', '**/*.ae'. Quote globs so the",
            "                       shell passes them through. The matched files are sorted and",
            "                       duplicates are checked once.",
            "",
            "Options:",
            "  --warnaserror        Report warnings as errors (they make the check fail).",
            "  --format text|json   Output format (default: text).",
            "  -h, --help           Show this help.",
            "  --                   Treat every later argument as a file or glob.",
            "",
            "Output (text):",
            "  One line per diagnostic, as MSBuild prints them, followed by a summary:",
            "    laws/a.ae(3,17): error AE0004: Expected an expression, found ';'",
            "    2 files checked: 1 error, 0 warnings",
            "",
            "Output (json):",
            "  One JSON object: {\"files\": [paths], \"diagnostics\": [{\"id\", \"severity\", \"path\",",
            "  \"line\", \"column\", \"endLine\", \"endColumn\", \"message\", \"helpLink\"}],",
            "  \"errors\": N, \"warnings\": N}. Lines and columns are 1-based; columns count",
            "  UTF-16 code units.",
            "",
            "Exit codes:",
            "  0  No errors (warnings allowed unless --warnaserror).",
            "  1  At least one error (or warning under --warnaserror).",
            "  2  Bad command line, a file that does not exist or cannot be read, or a glob",
            "     that matches no file.",
            "  3  Internal error in ae.",
        });

        private static string Lines(IEnumerable<string> lines) => string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
