using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AE.Dsl.Diagnostics;
using AE.Dsl.Emit;
using AE.Dsl.Emit.OpenCl;
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

        public static CommandSpec Command { get; } = new(Name, "Print the C# generated for the laws of a .ae file", Run)
        {
            Arguments = LawCommandOptions.LawFiles,
            Options = new[]
            {
                new OptionSpec("--law", "the name of a law, cell or variant in the files", "Print only the law, cell or variant NAME.") { HelpName = "NAME" },
                new OptionSpec("--namespace", "a C# namespace such as 'MyApp.Laws'", "The namespace of the generated types (default: AE.Generated).") { HelpName = "NS" },
                new OptionSpec("--target", "csharp or opencl", "What to print: csharp (default), the generator's C#; opencl, each law's OpenCL C program (the one OpenClLaw builds), with the .ae line of each statement in its comment.") { HelpName = "csharp|opencl", Choices = new[] { "csharp", "opencl" } },
                new OptionSpec("--dtype", "f64 or f32", "With --target opencl: the element type of the program's vectors (default f64). The C# law is generic over both.") { HelpName = "f64|f32", Choices = new[] { "f64", "f32" } },
            },
            Details = new[]
            {
                "Checks .ae files together (as a build does) and prints the C# that the AE source",
                "generator produces for them: one partial class per law, cell and variant",
                "('law X = Base without R;', 'law X = Base lagged;'), in the order the files",
                "declare them. The output is the generator's exact code, so it can be read,",
                "diffed or compiled as it is. With --target opencl it prints each law's OpenCL",
                "C program instead (docs/opencl-backend.md): the kernels of its step, each",
                "statement under a comment naming its rule, equation and .ae line.",
                "",
                "Errors in the file are printed as 'ae check' prints them, and nothing else;",
                "warnings go to stderr so that stdout stays C#. A unit the C# backend cannot emit",
                "yet is left out, with the AE0080 warning a build gives (docs/diagnostics.md#ae0080)",
                "on stderr: for example a law with softmax, concat or a filter of a vector",
                "(ema(0.9, grad)), or a cell with noise() or a filter under a condition (in a",
                "'when', a branch of a scalar ?:). A cell's other filters, of vectors too, are",
                "emitted.",
                "",
                "Exit codes:",
                "  0  The C# was printed.",
                "  1  The file has errors, or nothing in it could be emitted.",
                "  2  Bad command line, a missing or unreadable file, or an unknown NAME (the",
                "     message lists the valid names).",
                "  3  Internal error in ae.",
            },
        };

        private static int Run(CommandInput parsed, CliContext context)
        {
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no input file; name a .ae file (or several, checked together)", Name);
            string ns = parsed.Value("--namespace") ?? DefaultNamespace;
            if (NamespaceProblem(ns) is string problem) throw CliException.BadUsage("invalid namespace '" + Shortened(ns) + "'; " + problem, Name);
            string? only = parsed.Value("--law");
            string targetName = parsed.Value("--target") ?? "csharp";
            if (targetName is not ("csharp" or "opencl")) throw CliException.BadUsage("invalid value '" + targetName + "' for '--target'; expected csharp or opencl", Name);
            if (parsed.Value("--dtype") is string dtype && dtype is not ("f64" or "f32")) throw CliException.BadUsage("invalid value '" + dtype + "' for '--dtype'; expected f64 or f32", Name);
            bool openCl = targetName == "opencl";
            if (openCl && parsed.Value("--namespace") is not null) throw CliException.BadUsage("--namespace is for the C# (--target csharp); an OpenCL program has none", Name);
            if (!openCl && parsed.Value("--dtype") is not null) throw CliException.BadUsage("--dtype is for --target opencl; the C# law is generic over float and double", Name);
            var vectorType = parsed.Value("--dtype") == "f32" ? OpenClVectorType.Float : OpenClVectorType.Double;

            var file = LawInput.Call(() => LawSet.Load(parsed.Positionals, context.CurrentDirectory));
            if (file.Result.HasErrors)
            {
                TextOutput.Write(CheckReport.From(file.Inputs.Select(i => i.DisplayPath).Concat(file.Siblings).ToList(), file.Result.Diagnostics, warningsAsErrors: false), context.Stdout);
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

            // .NET keeps a type's namespace and name in at most 1023 bytes of metadata (longer is error CS7013).
            string longest = targets.Select(t => t.Name + "Population").OrderByDescending(n => Encoding.UTF8.GetByteCount(n)).First();
            if (Encoding.UTF8.GetByteCount(ns) + 1 + Encoding.UTF8.GetByteCount(longest) > MaxFullName)
                throw CliException.BadUsage("invalid namespace '" + Shortened(ns) + "'; with the type " + longest + " in it, a full name would pass the "
                    + MaxFullName.ToString(CultureInfo.InvariantCulture) + " bytes .NET allows: choose a shorter one", Name);

            var emitted = new List<string>();
            var skipped = new List<string>();
            foreach (var target in targets)
            {
                try
                {
                    emitted.Add(openCl ? OpenClProgram(target, file.Sources, vectorType) : file.Emit(target, ns));
                }
                catch (EmitNotSupportedException ex) when (openCl)
                {
                    skipped.Add("ae: warning: '" + target.Name + "' not emitted for OpenCL: " + ex.Message);
                }
                catch (EmitNotSupportedException ex)
                {
                    // As a build reports it (AE0080 at the construct or the unit's name), or, for a unit of no file read here, as a line.
                    skipped.Add(EmitProbe.Of(target, file.Sources, ex)?.ToMsBuildString()
                        ?? "ae: warning: " + (target.VariantOf is not null ? "'" + target.Name + "' (" + target.Description + ") not emitted: " : "not emitted: ") + ex.Message);
                }
            }
            foreach (var line in skipped) context.Stderr.WriteLine(line);
            // Skipping some units of a file is a warning; when nothing is left, or the one unit asked for cannot be emitted, an error.
            if (emitted.Count == 0)
                context.Stderr.WriteLine("ae: error: nothing to emit: the " + (openCl ? "OpenCL" : "C#") + " backend does not emit " + (skipped.Count == 1 ? "this unit" : "any of these units") + " yet");

            // Each emitted text is a whole file (header comments, pragmas, its own namespace block): joined, they compile as one.
            for (int i = 0; i < emitted.Count; i++)
            {
                if (i > 0) context.Stdout.WriteLine();
                context.Stdout.Write(emitted[i]);
            }
            return emitted.Count == 0 ? ExitCodes.Errors : ExitCodes.Success;
        }

        /// <summary>A law's OpenCL program, its statements carrying their .ae lines; a cell is not one (the OpenCL backend runs laws).</summary>
        private static string OpenClProgram(EmitTarget target, IReadOnlyDictionary<string, AE.Dsl.Text.SourceFile> sources, OpenClVectorType vectorType)
        {
            if (target.Unit.Kind == AE.Dsl.IR.UnitKind.Cell) throw new EmitNotSupportedException("it is a cell; the OpenCL backend runs laws");
            return OpenClEmitter.Emit(target.Unit, new OpenClEmitOptions { Name = target.Name, Ablate = target.Ablate, Lagged = target.Lagged, VectorType = vectorType, Sources = sources }).Source;
        }

        /// <summary>The longest name C# accepts (longer is error CS0645).</summary>
        private const int MaxName = 512;

        /// <summary>The most bytes of a type's namespace and name together in .NET metadata (more is error CS7013).</summary>
        private const int MaxFullName = 1023;

        /// <summary>Why the emitted code would not compile in the namespace <paramref name="ns"/>, or null when it would.</summary>
        private static string? NamespaceProblem(string ns)
        {
            var parts = ns.Split('.');
            if (!parts.All(part => SyntaxFacts.IsValidIdentifier(part) && SyntaxFacts.GetKeywordKind(part) == SyntaxKind.None))
                return "expected dotted C# identifiers such as 'MyApp.Laws'";
            if (parts.FirstOrDefault(part => part.Length > MaxName) is string longName)
                return "'" + Shortened(longName) + "' has " + longName.Length.ToString(CultureInfo.InvariantCulture) + " characters; C# allows at most " + MaxName.ToString(CultureInfo.InvariantCulture) + " in a name";
            if (ns != DefaultNamespace && LawCompiler.TypeNamedBy(ns) is string type)
                return type + " is a type the emitted code is compiled with; choose a namespace of your own, such as 'MyApp.Laws'";
            return null;
        }

        private static string Shortened(string text) => text.Length <= 60 ? text : text[..40] + "...(" + text.Length.ToString(CultureInfo.InvariantCulture) + " characters)";
    }
}
