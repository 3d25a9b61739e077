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

        public const string EmitSummary = "Print the C# generated for the laws of a .ae file";

        /// <summary>What <c>ae emit --help</c> prints.</summary>
        public static string Emit { get; } = Lines(new[]
        {
            "Usage: ae emit <law.ae> [--law NAME] [--namespace NS]",
            "",
            "Checks one .ae file and prints the C# that the AE source generator produces for",
            "it: one partial class per law, cell and variant ('law X = Base without R;'), in",
            "the order the file declares them. The output is the generator's exact code, so",
            "it can be read, diffed or compiled as it is.",
            "",
            "Arguments:",
            "  <law.ae>             The .ae file, relative to the current directory or absolute.",
            "",
            "Options:",
            "  --law NAME           Print only the law, cell or variant NAME.",
            "  --namespace NS       The namespace of the generated types (default: AE.Generated).",
            "  -h, --help           Show this help.",
            "",
            "Errors in the file are printed as 'ae check' prints them, and nothing else;",
            "warnings go to stderr so that stdout stays C#. A unit the C# backend cannot emit",
            "yet (a cell with nets) is named on stderr and left out.",
            "",
            "Exit codes:",
            "  0  The C# was printed.",
            "  1  The file has errors, or nothing in it could be emitted.",
            "  2  Bad command line, a missing or unreadable file, or an unknown NAME (the",
            "     message lists the valid names).",
            "  3  Internal error in ae.",
        });

        public const string ReplaySummary = "Replay a golden case with a law and compare every step";

        /// <summary>What <c>ae replay --help</c> prints.</summary>
        public static string Replay { get; } = Lines(new[]
        {
            "Usage: ae replay <case.json> [--law FILE] [--name LAW] [--format text|json]",
            "",
            "Compiles a law in memory (the same C# the generator produces, built with Roslyn),",
            "runs it on a golden case and compares every step with the case's reference",
            "trajectory. A case is <name>.json (problem, theta0, steps, config, agent, columns,",
            "tolerance) with <name>.csv beside it (one row per step), as in ../shared/golden.",
            "The law is built with the case's config and agent settings: each must be a",
            "param of the law (null, Python's None, disables the guard: 0 for the budgets",
            "max_dlog_alpha, max_d_mu, max_dlog_sigma and for param_abs_max, inf for",
            "step_norm_max and clip_grad_norm). It runs from theta0 on the problem's exact",
            "gradient; column 'loss' is compared with the law's signal L, 'theta0'...",
            "'thetaK' with theta after each step, every other column with the signal of",
            "that name.",
            "",
            "Arguments:",
            "  <case.json>          The case file; its .csv sits beside it.",
            "",
            "Options:",
            "  --law FILE           The .ae file (default: laws/ae_sgdm.ae in the current",
            "                       directory or in the repository above it).",
            "  --name LAW           The law or variant to replay (default: the first law of",
            "                       the optimizer shape: input loss, input grad[n], state",
            "                       theta[n]).",
            "  --format text|json   Output format (default: text).",
            "  -h, --help           Show this help.",
            "",
            "Output (text):",
            "  One line per column with the largest absolute and relative deviation and the",
            "  step of each, and the steps out of tolerance (a value is within tolerance",
            "  when |actual - expected| <= abs or <= rel * |expected|), then a verdict:",
            "    ok: all 12 columns within tolerance at every one of 300 steps",
            "",
            "Exit codes:",
            "  0  Every value of every column at every step is within the tolerance.",
            "  1  At least one is not.",
            "  2  Bad input: a bad command line; a case file that is missing, unreadable or",
            "     malformed (one line names the file and the field); a law file that is",
            "     missing or has errors; a setting that is not a param of the law.",
            "  3  The emitted C# does not compile (a bug in ae), or another internal error.",
        });

        private static string Lines(IEnumerable<string> lines) => string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
