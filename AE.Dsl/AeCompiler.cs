using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Syntax;
using AE.Dsl.Text;

namespace AE.Dsl
{
    /// <summary>The result of checking a set of .ae files: every diagnostic, sorted by file and position.</summary>
    public sealed class CheckResult
    {
        public CheckResult(IReadOnlyList<Diagnostic> diagnostics, IR.IrProgram? program)
        {
            Diagnostics = diagnostics;
            Program = program;
        }

        public IReadOnlyList<Diagnostic> Diagnostics { get; }

        /// <summary>The typed IR of every law and cell that checked without errors.</summary>
        public IR.IrProgram? Program { get; }

        public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
        public int ErrorCount => Diagnostics.Count(d => d.Severity == Severity.Error);
        public int WarningCount => Diagnostics.Count(d => d.Severity == Severity.Warning);
    }

    /// <summary>
    /// Entry point of the language: parse, bind and check a set of files that see each other's rule
    /// groups. Never throws on any input; an unexpected failure becomes diagnostic AE0099.
    /// </summary>
    public static class AeCompiler
    {
        /// <summary>"Type: message." with exactly one full stop, for AE0099.</summary>
        internal static string Describe(Exception ex) => ex.GetType().Name + ": " + ex.Message.TrimEnd('.', ' ') + ".";

        public static CheckResult Check(params SourceFile[] files) => Check((IReadOnlyList<SourceFile>)files);

        public static CheckResult Check(IReadOnlyList<SourceFile> files)
        {
            var all = new List<Diagnostic>();
            var trees = new List<(CompilationUnitSyntax Tree, DiagnosticBag Bag)>();
            foreach (var file in files)
            {
                var bag = new DiagnosticBag(file);
                try
                {
                    trees.Add((Parser.Parse(file, bag), bag));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    bag.Report(DiagnosticCatalog.InternalError, new TextSpan(0, 0), file.Path, Describe(ex));
                    all.AddRange(bag.Items);
                }
            }

            IR.IrProgram? program = null;
            try
            {
                program = Binding.ProgramBinder.Bind(trees);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var file = files.Count > 0 ? files[0] : new SourceFile("<none>", "");
                all.Add(Diagnostic.Create(DiagnosticCatalog.InternalError, file, new TextSpan(0, 0), file.Path, Describe(ex)));
            }

            foreach (var (_, bag) in trees) all.AddRange(bag.Items);
            var sorted = all
                .OrderBy(d => d.Path, StringComparer.Ordinal)
                .ThenBy(d => d.Span.Start)
                .ThenBy(d => d.Id, StringComparer.Ordinal)
                .ToList();
            return new CheckResult(sorted, program);
        }
    }
}
