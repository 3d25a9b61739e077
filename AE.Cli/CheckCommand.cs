using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using AE.Experiments.Compilation;
using AE.Engine;

namespace AE.Cli
{
    public enum OutputFormat { Text, Json }

    /// <summary>The parsed command line of <c>ae check</c>.</summary>
    public sealed record CheckOptions(IReadOnlyList<string> Inputs, bool WarningsAsErrors, OutputFormat Format, bool ShowHelp);

    /// <summary>
    /// <c>ae check &lt;files or globs...&gt; [--warnaserror] [--format text|json]</c>: expands the inputs,
    /// checks them together in one <see cref="AeCompiler.Check(IReadOnlyList{SourceFile})"/> call and reports.
    /// </summary>
    public static class CheckCommand
    {
        public const string Name = "check";

        public static CliCommand Command { get; } = new(Name, Usage.CheckSummary, Usage.Check, Run);

        public static int Run(string[] args, CliContext context)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            if (context is null) throw new ArgumentNullException(nameof(context));

            var options = Parse(args);
            if (options.ShowHelp)
            {
                context.Stdout.Write(Usage.Check);
                return ExitCodes.Success;
            }

            var inputs = LawInput.Call(() => Globbing.Expand(options.Inputs, context.CurrentDirectory));
            var files = inputs.Select(Read).ToList();
            var result = AeCompiler.Check(files);
            var report = CheckReport.From(inputs.Select(f => f.DisplayPath).ToList(), result.Diagnostics, options.WarningsAsErrors);

            if (options.Format == OutputFormat.Json) JsonOutput.Write(report, context.Stdout);
            else TextOutput.Write(report, context.Stdout);

            return report.Errors > 0 ? ExitCodes.Errors : ExitCodes.Success;
        }

        private static readonly Dictionary<string, string> ValueOptions = new(StringComparer.Ordinal) { ["--format"] = "text or json" };
        private static readonly string[] Flags = { "--warnaserror" };

        /// <summary>Parses check's arguments; throws <see cref="CliException"/> naming the problem.</summary>
        public static CheckOptions Parse(IReadOnlyList<string> args)
        {
            var parsed = ParsedArguments.Parse(args, Name, ValueOptions, Flags, "empty file name");
            bool warningsAsErrors = parsed.Has("--warnaserror");
            if (parsed.ShowHelp) return new CheckOptions(parsed.Positionals, warningsAsErrors, OutputFormat.Text, ShowHelp: true);
            var format = parsed.Value("--format") switch
            {
                null or "text" => OutputFormat.Text,
                "json" => OutputFormat.Json,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--format'; expected text or json", Name),
            };
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no input files; name .ae files or globs such as '**/*.ae'", Name);
            return new CheckOptions(parsed.Positionals, warningsAsErrors, format, ShowHelp: false);
        }

        private static SourceFile Read(InputFile file)
        {
            try
            {
                return SourceFile.FromBytes(file.DisplayPath, File.ReadAllBytes(file.FullPath));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                throw new CliException("cannot read '" + file.DisplayPath + "': " + ex.Message, ex);
            }
        }
    }
}
