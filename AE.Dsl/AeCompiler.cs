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
    /// groups, in phases: parse each file (Syntax/), bind the units and variants (Binding/: names,
    /// types, shapes, causality, coefficients, ablation holes), then the passes over the IR of each
    /// unit that bound cleanly (Passes/: numeric hazards, the IR verifier). Never throws on any
    /// input; an unexpected failure becomes diagnostic AE0099.
    /// </summary>
    public static class AeCompiler
    {
        /// <summary>"Type: message." with exactly one full stop, for AE0099.</summary>
        internal static string Describe(Exception ex) => ex.GetType().Name + ": " + ex.Message.TrimEnd('.', ' ') + ".";

        public static CheckResult Check(params SourceFile[] files) => Check((IReadOnlyList<SourceFile>)files);

        public static CheckResult Check(IReadOnlyList<SourceFile> files) => Check(files, MaxErrorsPerFile);

        /// <param name="files">the files, checked together</param>
        /// <param name="maxErrorsPerFile">
        /// how many errors of a file are listed before one AE0007 stands for the rest
        /// (<see cref="MaxErrorsPerFile"/> by default; <see cref="int.MaxValue"/> lists every one)
        /// </param>
        public static CheckResult Check(IReadOnlyList<SourceFile> files, int maxErrorsPerFile)
        {
            if (files is null) throw new ArgumentNullException(nameof(files));
            if (maxErrorsPerFile < 1) throw new ArgumentOutOfRangeException(nameof(maxErrorsPerFile), maxErrorsPerFile, "at least 1");
            var all = new List<Diagnostic>();
            var trees = new List<(CompilationUnitSyntax Tree, DiagnosticBag Bag)>();
            foreach (var file in files)
            {
                var bag = new DiagnosticBag(file);
                if (file.NotText is NotText binary)
                {
                    // Binary content: one error for the file, and nothing else (it is not parsed).
                    int at = Math.Min(binary.Offset, file.Text.Length);
                    bag.Report(DiagnosticCatalog.NotText, new TextSpan(at, Math.Min(at + 1, file.Text.Length)), file.Path, binary.Detail);
                    all.AddRange(bag.Items);
                    continue;
                }
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
                program = Binding.ProgramBinder.Bind(trees, out var bound);
                RunPasses(program, bound, trees);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var file = files.Count > 0 ? files[0] : new SourceFile("<none>", "");
                all.Add(Diagnostic.Create(DiagnosticCatalog.InternalError, file, new TextSpan(0, 0), file.Path, Describe(ex)));
                program = null;
            }

            foreach (var (_, bag) in trees) all.AddRange(bag.Items);
            var sorted = all
                .OrderBy(d => d.Path, StringComparer.Ordinal)
                .ThenBy(d => d.Span.Start)
                .ThenBy(d => d.Id, StringComparer.Ordinal)
                .ToList();
            return new CheckResult(LimitErrors(sorted, maxErrorsPerFile), program);
        }

        private static bool HasErrorStandIn(IR.IrUnit unit) =>
            unit.Rules.SelectMany(r => r.Body).SelectMany(IR.IrFacts.AllExpressions).SelectMany(IR.IrFacts.Descendants).Any(e => e is IR.IrConst { Type.IsError: true });

        /// <summary>
        /// The passes over the IR: the numeric hazards (warnings AE0060, AE0061) of every unit that bound
        /// without errors of its own, then the IR's invariants (<see cref="Passes.IrVerifier"/>) of every
        /// unit of the program: a violation is a compiler bug, reported as AE0099 at the unit.
        /// </summary>
        private static void RunPasses(IR.IrProgram program, IReadOnlyList<IR.IrUnit> bound, IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees)
        {
            var bags = new Dictionary<string, DiagnosticBag>(StringComparer.Ordinal);
            foreach (var (_, bag) in trees) if (!bags.ContainsKey(bag.File.Path)) bags.Add(bag.File.Path, bag);
            DiagnosticBag? BagFor(string path) => bags.TryGetValue(path, out var b) ? b : null;
            var lagged = LaggedVariantsByBase(program);
            // A unit whose rules hold an error's stand-in (a value that did not parse or bind, reported there) has no intervals
            // to warn from: 'g = a + 1 +;' then 'a / g' said that g is always 0.
            foreach (var unit in bound.Where(u => !HasErrorStandIn(u)))
                Passes.NumericHazards.Check(unit, BagFor, lagged.TryGetValue(unit.Name, out var variants) ? variants : null);
            foreach (var unit in program.Units)
            {
                var problems = Passes.IrVerifier.Verify(unit);
                if (problems.Count > 0 && BagFor(unit.Origin.Path) is DiagnosticBag bag)
                    bag.Report(DiagnosticCatalog.InternalError, unit.Origin.Span, unit.Name, "the IR breaks its invariants: " + problems[0].TrimEnd('.') + ".");
            }
        }

        /// <summary>
        /// Each unit's lagged variants, those whose chain of bases (a variant of a variant ...) leads to it, with the rules each
        /// removes along that chain.
        /// </summary>
        private static Dictionary<string, List<(string Name, IReadOnlyCollection<string> Removed)>> LaggedVariantsByBase(IR.IrProgram program)
        {
            var byName = new Dictionary<string, IR.IrVariant>(StringComparer.Ordinal);
            foreach (var v in program.Variants) byName[v.Name] = v;
            (string Root, IReadOnlyCollection<string> Removed) Resolve(IR.IrVariant v)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var removed = new HashSet<string>(v.Without, StringComparer.Ordinal);
                var at = v.Base;
                while (byName.TryGetValue(at, out var next) && seen.Add(at))
                {
                    removed.UnionWith(next.Without);
                    at = next.Base;
                }
                return (at, removed);
            }
            return program.Variants.Where(v => v.Lagged).Select(v => (v.Name, Resolved: Resolve(v))).GroupBy(x => x.Resolved.Root, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(x => (x.Name, x.Resolved.Removed)).ToList(), StringComparer.Ordinal);
        }

        /// <summary>How many errors of one file are listed; the rest are summarised in one AE0007.</summary>
        public const int MaxErrorsPerFile = 100;

        /// <summary>
        /// Keeps each file's diagnostics up to its (<paramref name="max"/> + 1)th error; that error and everything
        /// after it in the file become one AE0007 at its place, counting them. A file with at most
        /// <paramref name="max"/> errors keeps everything. <paramref name="sorted"/> is grouped by file.
        /// </summary>
        internal static IReadOnlyList<Diagnostic> LimitErrors(List<Diagnostic> sorted, int max)
        {
            List<Diagnostic>? result = null;
            for (int start = 0; start < sorted.Count;)
            {
                string path = sorted[start].Path;
                int end = start, errors = 0, cut = -1;
                for (; end < sorted.Count && string.Equals(sorted[end].Path, path, StringComparison.Ordinal); end++)
                    if (sorted[end].Severity == Severity.Error && ++errors == (long)max + 1) cut = end;
                if (cut >= 0)
                {
                    result ??= sorted.GetRange(0, start);
                    for (int i = start; i < cut; i++) result.Add(sorted[i]);
                    int moreErrors = errors - max, moreWarnings = end - cut - moreErrors;
                    var what = Count(moreErrors, "more error") + (moreWarnings > 0 ? " and " + Count(moreWarnings, "warning") : "");
                    var first = sorted[cut];
                    var descriptor = DiagnosticCatalog.TooManyErrors;
                    var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.MessageFormat, what, max);
                    result.Add(new Diagnostic(descriptor, path, first.Span, first.Start, first.End, message));
                }
                else if (result != null)
                {
                    for (int i = start; i < end; i++) result.Add(sorted[i]);
                }
                start = end;
            }
            return result ?? sorted;

            static string Count(int n, string what) => n.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + what + (n == 1 ? "" : "s");
        }
    }
}
