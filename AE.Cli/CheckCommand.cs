using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;

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

            var inputs = Globbing.Expand(options.Inputs, context.CurrentDirectory);
            var files = inputs.Select(Read).ToList();
            var result = AeCompiler.Check(files);
            var report = CheckReport.From(inputs.Select(f => f.DisplayPath).ToList(), result.Diagnostics, options.WarningsAsErrors);

            if (options.Format == OutputFormat.Json) JsonOutput.Write(report, context.Stdout);
            else TextOutput.Write(report, context.Stdout);

            return report.Errors > 0 ? ExitCodes.Errors : ExitCodes.Success;
        }

        /// <summary>Parses check's arguments; throws <see cref="CliException"/> naming the problem.</summary>
        public static CheckOptions Parse(IReadOnlyList<string> args)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));

            var inputs = new List<string>();
            bool warningsAsErrors = false;
            var format = OutputFormat.Text;
            bool onlyInputs = false;

            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                if (onlyInputs || arg == "-" || !arg.StartsWith("-", StringComparison.Ordinal))
                {
                    if (arg.Length == 0) throw CliException.BadUsage("empty file name", Name);
                    inputs.Add(arg);
                    continue;
                }

                string option = arg;
                string? value = null;
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
                {
                    option = arg.Substring(0, equals);
                    value = arg.Substring(equals + 1);
                }

                switch (option)
                {
                    case "--":
                        onlyInputs = true;
                        break;
                    case "-h":
                    case "--help":
                    case "-?":
                        return new CheckOptions(inputs, warningsAsErrors, format, ShowHelp: true);
                    case "--warnaserror":
                        if (value is not null) throw CliException.BadUsage("option '--warnaserror' takes no value", Name);
                        warningsAsErrors = true;
                        break;
                    case "--format":
                        if (value is null)
                        {
                            if (i + 1 >= args.Count) throw CliException.BadUsage("option '--format' needs a value: text or json", Name);
                            value = args[++i];
                        }
                        format = value switch
                        {
                            "text" => OutputFormat.Text,
                            "json" => OutputFormat.Json,
                            _ => throw CliException.BadUsage("invalid value '" + value + "' for '--format'; expected text or json", Name),
                        };
                        break;
                    default:
                        throw CliException.BadUsage("unknown option '" + option + "'", Name);
                }
            }

            if (inputs.Count == 0) throw CliException.BadUsage("no input files; name .ae files or globs such as '**/*.ae'", Name);
            return new CheckOptions(inputs, warningsAsErrors, format, ShowHelp: false);
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
