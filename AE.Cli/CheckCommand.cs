using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using AE.Experiments.Compilation;
using AE.Engine;

namespace AE.Cli
{
    public enum OutputFormat { Text, Json }

    /// <summary>The parsed command line of <c>ae check</c>.</summary>
    public sealed record CheckOptions(IReadOnlyList<string> Inputs, bool WarningsAsErrors, OutputFormat Format);

    /// <summary>
    /// <c>ae check &lt;files or globs...&gt; [--warnaserror] [--format text|json]</c>: expands the inputs,
    /// checks them together in one <see cref="AeCompiler.Check(IReadOnlyList{SourceFile})"/> call and reports.
    /// </summary>
    public static class CheckCommand
    {
        public const string Name = "check";

        public static CommandSpec Command { get; } = new(Name, "Check .ae files and report errors and warnings", Run)
        {
            Arguments = new ArgumentSpec("files or globs",
                "One or more .ae files or glob patterns, relative to the current directory or absolute. In a glob, '*' matches "
                + "any characters within one path segment, '?' matches one character, and '**' as a whole segment matches any "
                + "number of directories: 'laws/*.ae', '**/*.ae'. Quote globs so the shell passes them through. The matched "
                + "files are sorted and duplicates are checked once. After '--' every argument is a file or glob.",
                "empty file name"),
            Options = new[]
            {
                new OptionSpec("--format", "text or json", "Output format (default: text).") { HelpName = "text|json" }.AsFormat(),
                OptionSpec.Flag("--warnaserror", "Report warnings as errors (they make the check fail)."),
            },
            Details = new[]
            {
                "Parses and checks .ae files and reports every error and warning. All files are",
                "checked together, so they see each other's rule groups and variants' bases; a",
                "group or base none of them declares is looked for in the other .ae files of",
                "their folders, and the files that declare it are checked (and listed) with them.",
                "",
                "Output (text):",
                "  One line per diagnostic, as MSBuild prints them, followed by a summary:",
                "    laws/a.ae(3,17): error AE0004: Expected an expression, found ';'",
                "    2 files checked: 1 error, 0 warnings",
                "",
                "Output (json):",
                "  One JSON object: {\"files\": [paths], \"diagnostics\": [{\"id\", \"severity\", \"path\",",
                "  \"line\", \"column\", \"end_line\", \"end_column\", \"message\", \"help_link\"}],",
                "  \"errors\": N, \"warnings\": N}. Lines and columns are 1-based; columns count",
                "  UTF-16 code units.",
                "",
                "Exit codes:",
                "  0  No errors (warnings allowed unless --warnaserror).",
                "  1  At least one error (or warning under --warnaserror).",
                "  2  Bad command line, a file that does not exist or cannot be read, or a glob",
                "     that matches no file.",
                "  3  Internal error in ae.",
            },
        };

        private static int Run(CommandInput input, CliContext context)
        {
            var options = ToOptions(input);
            var inputs = LawInput.Call(() => Globbing.Expand(options.Inputs, context.CurrentDirectory));
            var named = inputs.Select(Read).ToList();
            // As every command that takes a law: a group or base no named file declares comes from the named files' folders.
            var siblings = LawInput.Call(() => SiblingFiles.Needed(inputs, named));
            var files = named.Concat(siblings.Select(f => f.Source)).ToList();
            var result = AeCompiler.Check(files);
            var diagnostics = result.Diagnostics.ToList();
            // What a build adds: the units that check but that the C# backend does not emit yet (AE0080), of the named files.
            if (result.Program is { } program)
            {
                var sources = files.GroupBy(f => f.Path).ToDictionary(g => g.Key, g => g.First());
                var mine = named.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
                foreach (var target in EmitTarget.Of(program).Where(t => mine.Contains(t.Origin.Path)))
                    if (EmitProbe.NotEmitted(target, sources) is { } d) diagnostics.Add(d);
            }
            var report = CheckReport.From(files.Select(f => f.Path).ToList(), diagnostics, options.WarningsAsErrors);

            if (options.Format == OutputFormat.Json) JsonOutput.Write(report, context.Stdout);
            else TextOutput.Write(report, context.Stdout);

            return report.Errors > 0 ? ExitCodes.Errors : ExitCodes.Success;
        }

        /// <summary>Parses check's arguments; throws <see cref="CliException"/> naming the problem.</summary>
        public static CheckOptions Parse(IReadOnlyList<string> args)
            => ToOptions(CommandLine.Parse(Command, args, new CliContext(TextWriter.Null, TextWriter.Null, Directory.GetCurrentDirectory())));

        private static CheckOptions ToOptions(CommandInput parsed)
        {
            bool warningsAsErrors = parsed.Has("--warnaserror");
            var format = parsed.Format();
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no input files; name .ae files or globs such as '**/*.ae'", Name);
            return new CheckOptions(parsed.Positionals, warningsAsErrors, format);
        }

        private static SourceFile Read(InputFile file)
        {
            try
            {
                return SourceFile.FromBytes(file.DisplayPath, SourceBytes.Read(file.FullPath));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                throw new CliException("cannot read '" + file.DisplayPath + "': " + ex.Message, ex);
            }
        }
    }
}
