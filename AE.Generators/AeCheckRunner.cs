using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using Microsoft.CodeAnalysis.CSharp;
using DslDiagnostic = AE.Dsl.Diagnostics.Diagnostic;
using DslCatalog = AE.Dsl.Diagnostics.DiagnosticCatalog;
using DslDescriptor = AE.Dsl.Diagnostics.DiagnosticDescriptor;
using DslSeverity = AE.Dsl.Diagnostics.Severity;
using DslTextSpan = AE.Dsl.Text.TextSpan;
using SourceFile = AE.Dsl.Text.SourceFile;

namespace AE.Generators
{
    /// <summary>
    /// The generator's one expensive step, as a pure function: check every .ae file together (rule
    /// groups and variants cross files), emit each law and variant as C#, and turn every outcome
    /// into plain data. Never throws (except on cancellation): a failure becomes AE0099.
    /// </summary>
    internal static class AeCheckRunner
    {
        public const string DefaultNamespace = "AE.Generated";

        public static AeCheckModel Run(ImmutableArray<AeFileInput> files, AeOptions options, CancellationToken cancellationToken)
        {
            var diagnostics = new List<AeDiagnosticInfo>();
            var units = new List<AeUnitOutput>();
            try
            {
                RunCore(files, options, diagnostics, units, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var first = files.IsDefaultOrEmpty ? "" : files[0].Path;
                diagnostics.Add(InternalError(first, first.Length == 0 ? "the .ae files" : first, ex));
            }

            var sorted = diagnostics
                .Distinct()
                .OrderBy(d => d.Path, StringComparer.Ordinal)
                .ThenBy(d => d.SpanStart)
                .ThenBy(d => d.Id, StringComparer.Ordinal)
                .ThenBy(d => d.Message, StringComparer.Ordinal)
                .ToArray();
            return new AeCheckModel(new EquatableArray<AeUnitOutput>(units.ToArray()), new EquatableArray<AeDiagnosticInfo>(sorted));
        }

        private static void RunCore(ImmutableArray<AeFileInput> files, AeOptions options, List<AeDiagnosticInfo> diagnostics, List<AeUnitOutput> units, CancellationToken cancellationToken)
        {
            if (files.IsDefaultOrEmpty) return;
            if (options.GivenNamespace is string given)
            {
                // The user's code names the namespace they set; told nothing, they would meet CS0246 there instead.
                var d = DslCatalog.NamespaceRewritten;
                diagnostics.Add(new AeDiagnosticInfo(d.Id, 0, string.Format(CultureInfo.InvariantCulture, d.MessageFormat, given, options.Namespace), "", 0, 0, 0, 0, 0, 0));
            }

            // One file per path (an item listed twice must not read as a duplicate law), in path order
            // so that the output does not depend on the order of the items.
            var inputs = files
                .Where(f => f is not null)
                .GroupBy(f => f.Path, StringComparer.Ordinal)
                .Select(g => g.First())
                .OrderBy(f => f.Path, StringComparer.Ordinal)
                .ToList();

            var sources = new List<SourceFile>();
            var byPath = new Dictionary<string, SourceFile>(StringComparer.Ordinal);
            var bomShift = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var input in inputs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (input.Missing) continue;
                if (input.ReadError is not null)
                {
                    diagnostics.Add(InternalError(input.Path, input.Path, input.ReadError));
                    continue;
                }
                try
                {
                    var file = input.NotText is string detail ? SourceFile.NotTextFile(input.Path, input.Text, new AE.Dsl.Text.NotText(input.NotTextAt, detail)) : new SourceFile(input.Path, input.Text);
                    sources.Add(file);
                    byPath[file.Path] = file;
                    // SourceFile drops a leading BOM; Roslyn's spans count it.
                    bomShift[file.Path] = input.Text.Length > 0 && input.Text[0] == '\uFEFF' ? 1 : 0;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    diagnostics.Add(InternalError(input.Path, input.Path, ex));
                }
            }
            if (sources.Count == 0) return;

            CheckResult result;
            try
            {
                result = AeCompiler.Check(sources);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                diagnostics.Add(InternalError(sources[0].Path, sources[0].Path, ex));
                return;
            }

            foreach (var d in result.Diagnostics) diagnostics.Add(Convert(d, bomShift));

            var program = result.Program;
            if (program is null) return;

            var hintNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var target in EmitTarget.Of(program))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Emit(target);
            }

            void Emit(EmitTarget target)
            {
                string hintName = HintName(target.Name, hintNames);
                try
                {
                    // A cell's runtime types use static abstract interface members: below C# 11 its code fails in hundreds of places.
                    if (target.Kind == "cell" && options.LanguageVersion < CellLanguageVersion)
                        throw new EmitNotSupportedException("a cell's C# needs C# 11 or later (static abstract interface members), and this project compiles C# "
                            + LanguageVersionText(options.LanguageVersion) + "; set <LangVersion> to 11 or later, or leave it out (a net7.0 or later project defaults to 11 or later)");
                    string code = target.EmitCSharp(options.Namespace, byPath, options.MapPath);
                    units.Add(new AeUnitOutput(target.Name, target.Kind, hintName, code, null));
                    if (options.Ilgpu && target.IsOptimizerShape) EmitIlgpu(target, options, byPath, hintNames, units);
                }
                catch (EmitNotSupportedException ex)
                {
                    units.Add(new AeUnitOutput(target.Name, target.Kind, hintName, null, ex.Message));
                    // At the construct the backend stops at when it says where that is, as ae check reports it (EmitProbe).
                    var at = ex.At is { } where && byPath.ContainsKey(where.Path) ? where : target.Origin;
                    diagnostics.Add(At(DslCatalog.NotEmitted, at, byPath, bomShift, target.Kind, target.Name, ex.Message));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    units.Add(new AeUnitOutput(target.Name, target.Kind, hintName, null, ex.GetType().Name + ": " + ex.Message));
                    diagnostics.Add(At(DslCatalog.InternalError, target.Origin, byPath, bomShift, target.Name, Describe(ex)));
                }
            }
        }

        /// <summary>C# 11, as Roslyn's <c>LanguageVersion</c> numbers it.</summary>
        internal const int CellLanguageVersion = 1100;

        /// <summary>1000 → "10", 703 → "7.3", 7 → "7" (Roslyn numbers C# 1 to 7 as 1 to 7).</summary>
        private static string LanguageVersionText(int version) =>
            version < 100 ? version.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : version % 100 == 0 ? (version / 100).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : (version / 100).ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + (version % 100).ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>
        /// The ILGPU kernels of an optimizer-shaped law, float and double, beside its C# law. What the ILGPU backend does
        /// not emit (a lagged variant) is left out without a diagnostic: the C# law is there, and the kernels are an extra.
        /// </summary>
        private static void EmitIlgpu(EmitTarget target, AeOptions options, IReadOnlyDictionary<string, SourceFile> byPath, HashSet<string> hintNames, List<AeUnitOutput> units)
        {
            foreach (var isFloat in new[] { true, false })
            {
                try
                {
                    var program = target.EmitIlgpu(options.Namespace, byPath, isFloat, options.MapPath);
                    string typeName = program.TypeName.Substring(program.TypeName.LastIndexOf('.') + 1);
                    units.Add(new AeUnitOutput(typeName, "ILGPU kernels", HintName(typeName, hintNames), program.Source, null));
                }
                catch (EmitNotSupportedException ex)
                {
                    units.Add(new AeUnitOutput(target.Name, "ILGPU kernels", "", null, ex.Message));
                }
            }
        }

        /// <summary>
        /// The most UTF-8 bytes of a hint name's stem: with <c>EmitCompilerGeneratedFiles</c> the hint is a file name, which
        /// file systems cap at 255 bytes, and a legal name may be 255 characters of three bytes each.
        /// </summary>
        private const int MaxStemBytes = 120;

        /// <summary><c>{TypeName}.g.cs</c>, made unique: Roslyn compares hint names ignoring case, the language does not.</summary>
        private static string HintName(string typeName, HashSet<string> used)
        {
            var sb = new StringBuilder(typeName.Length);
            foreach (char c in typeName) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            string stem = sb.Length == 0 ? "_" : sb.ToString();
            if (Encoding.UTF8.GetByteCount(stem) > MaxStemBytes) stem = Shortened(stem, typeName);
            string hint = stem + ".g.cs";
            for (int i = 2; !used.Add(hint); i++) hint = stem + "_" + i.ToString(CultureInfo.InvariantCulture) + ".g.cs";
            return hint;
        }

        /// <summary>The longest prefix of <paramref name="stem"/> that fits, then '_' and a hash of the whole name (FNV-1a), so two long names stay two files.</summary>
        private static string Shortened(string stem, string name)
        {
            uint hash = 2166136261;
            foreach (char c in name) { hash ^= c; hash *= 16777619; }
            string tail = "_" + hash.ToString("x8", CultureInfo.InvariantCulture);
            int budget = MaxStemBytes - tail.Length, bytes = 0, end = 0;
            while (end < stem.Length)
            {
                int width = char.IsHighSurrogate(stem[end]) && end + 1 < stem.Length ? 2 : 1;
                int size = Encoding.UTF8.GetByteCount(stem.ToCharArray(end, width));
                if (bytes + size > budget) break;
                bytes += size;
                end += width;
            }
            return stem.Substring(0, end) + tail;
        }

        private static AeDiagnosticInfo Convert(DslDiagnostic d, IReadOnlyDictionary<string, int> bomShift)
        {
            int shift = bomShift.TryGetValue(d.Path, out var s) ? s : 0;
            return new AeDiagnosticInfo(
                d.Id,
                d.Severity == DslSeverity.Error ? 1 : 0,
                d.Message,
                bomShift.ContainsKey(d.Path) ? d.Path : "",
                d.Span.Start + shift,
                Math.Max(d.Span.Start, d.Span.End) + shift,
                Math.Max(0, d.Start.Line - 1),
                Math.Max(0, d.Start.Column - 1),
                Math.Max(0, d.End.Line - 1),
                Math.Max(0, d.End.Column - 1));
        }

        private static AeDiagnosticInfo At(DslDescriptor descriptor, IrOrigin origin, IReadOnlyDictionary<string, SourceFile> byPath, IReadOnlyDictionary<string, int> bomShift, params object[] args)
        {
            if (byPath.TryGetValue(origin.Path, out var file))
            {
                var span = new DslTextSpan(Math.Min(origin.Span.Start, file.Text.Length), Math.Min(Math.Max(origin.Span.Start, origin.Span.End), file.Text.Length));
                return Convert(DslDiagnostic.Create(descriptor, file, span, args), bomShift);
            }
            return new AeDiagnosticInfo(descriptor.Id, descriptor.DefaultSeverity == DslSeverity.Error ? 1 : 0,
                string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args), "", 0, 0, 0, 0, 0, 0);
        }

        /// <summary>AE0099 at the start of <paramref name="path"/>, naming <paramref name="what"/> (a file or a law).</summary>
        public static AeDiagnosticInfo InternalError(string path, string what, Exception ex) => InternalError(path, what, Describe(ex));

        public static AeDiagnosticInfo InternalError(string path, string what, string reason)
        {
            var d = DslCatalog.InternalError;
            string message = string.Format(CultureInfo.InvariantCulture, d.MessageFormat, what, reason);
            return new AeDiagnosticInfo(d.Id, 1, message, path ?? "", 0, 0, 0, 0, 0, 0);
        }

        private static string Describe(Exception ex) => ex.GetType().Name + ": " + ex.Message;

        /// <summary>
        /// The namespace of the generated types: <c>AeNamespace</c>, else <c>RootNamespace</c>, else
        /// AE.Generated; each dotted part made a valid C# identifier.
        /// </summary>
        public static string ResolveNamespace(string? aeNamespace, string? rootNamespace)
        {
            return Sanitize(aeNamespace) ?? Sanitize(rootNamespace) ?? DefaultNamespace;

            static string? Sanitize(string? value)
            {
                if (value is null || value.Trim().Length == 0) return null;
                var parts = new List<string>();
                foreach (var raw in value.Trim().Split('.'))
                {
                    var sb = new StringBuilder();
                    foreach (char c in raw.Trim()) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
                    if (sb.Length == 0) continue;
                    if (char.IsDigit(sb[0])) sb.Insert(0, '_');
                    string part = sb.ToString();
                    if (SyntaxFacts.GetKeywordKind(part) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(part) == SyntaxKind.GlobalKeyword) part = "@" + part;
                    parts.Add(part);
                }
                return parts.Count == 0 ? null : string.Join(".", parts);
            }
        }
    }
}
