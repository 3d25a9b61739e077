using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Emit;
using AE.Experiments.Compilation;
using Microsoft.CodeAnalysis.CSharp;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae emit &lt;law.ae&gt; [--law NAME] [--namespace NS]</c>: checks one .ae file and prints the C#
    /// the generator would produce for each of its laws and variants (or the one named). Errors in
    /// the file are printed as <c>ae check</c> prints them (exit 1); warnings go to stderr so that
    /// stdout stays C#.
    /// </summary>
    public static class EmitCommand
    {
        public const string Name = "emit";

        /// <summary>The namespace of the emitted types unless <c>--namespace</c> says otherwise.</summary>
        public const string DefaultNamespace = "AE.Generated";

        public static CliCommand Command { get; } = new(Name, Usage.EmitSummary, Usage.Emit, Run);

        private static readonly IReadOnlyDictionary<string, string> ValueOptions = new Dictionary<string, string>
        {
            ["--law"] = "the name of a law, cell or variant in the files",
            ["--namespace"] = "a C# namespace such as 'MyApp.Laws'",
        };

        public static int Run(string[] args, CliContext context)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            if (context is null) throw new ArgumentNullException(nameof(context));

            var parsed = ParsedArguments.Parse(args, Name, ValueOptions);
            if (parsed.ShowHelp)
            {
                context.Stdout.Write(Usage.Emit);
                return ExitCodes.Success;
            }
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no input file; name a .ae file (or several, checked together)", Name);
            string ns = parsed.Value("--namespace") ?? DefaultNamespace;
            if (!IsNamespace(ns)) throw CliException.BadUsage("invalid namespace '" + ns + "'; expected dotted C# identifiers such as 'MyApp.Laws'", Name);
            string? only = parsed.Value("--law");

            var file = LawInput.Call(() => LawSet.Load(parsed.Positionals, context.CurrentDirectory));
            if (file.Result.HasErrors)
            {
                TextOutput.Write(CheckReport.From(file.Inputs.Select(i => i.DisplayPath).ToList(), file.Result.Diagnostics, warningsAsErrors: false), context.Stdout);
                return ExitCodes.Errors;
            }
            foreach (var warning in file.Result.Diagnostics.Where(d => d.Severity == Severity.Warning))
                context.Stderr.WriteLine(warning.ToMsBuildString());

            var targets = only is null ? file.Targets : new[] { LawInput.Call(() => file.Find(only)) };
            if (targets.Count == 0)
            {
                context.Stderr.WriteLine("ae: error: " + file.DisplayPath + " declares no law or cell");
                return ExitCodes.Errors;
            }

            var emitted = new List<string>();
            var skipped = new List<string>();
            foreach (var target in targets)
            {
                try
                {
                    emitted.Add(file.Emit(target, ns));
                }
                catch (EmitNotSupportedException ex)
                {
                    skipped.Add((target.VariantOf is not null ? "'" + target.Name + "' (" + target.Description + ") not emitted: " : "not emitted: ") + ex.Message);
                }
            }
            // Skipping some units of a file is a warning; when nothing is left, or the one unit asked for cannot be emitted, an error.
            string severity = emitted.Count == 0 ? "error" : "warning";
            foreach (var line in skipped) context.Stderr.WriteLine("ae: " + severity + ": " + line);

            // Each emitted text is a whole file (header comments, pragmas, its own namespace block): joined, they compile as one.
            for (int i = 0; i < emitted.Count; i++)
            {
                if (i > 0) context.Stdout.WriteLine();
                context.Stdout.Write(emitted[i]);
            }
            return emitted.Count == 0 ? ExitCodes.Errors : ExitCodes.Success;
        }

        /// <summary>Dotted C# identifiers, none of them a keyword.</summary>
        private static bool IsNamespace(string ns)
            => ns.Split('.').All(part => SyntaxFacts.IsValidIdentifier(part) && SyntaxFacts.GetKeywordKind(part) == SyntaxKind.None);
    }
}
