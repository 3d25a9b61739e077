using System;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AE.Generators
{
    /// <summary>
    /// The AE source generator. Every <c>*.ae</c> additional file of the compilation is checked
    /// together with the others (rule groups and variants cross files); each law and variant becomes
    /// one C# type (<c>{Name}.g.cs</c>) and every AE diagnostic is reported at its place in the .ae file.
    /// </summary>
    /// <remarks>
    /// Pipeline (tracking names in <see cref="AeTrackingNames"/>):
    /// <code>
    /// AdditionalTexts ─Where(*.ae)─ Select ─► AeFiles (path, text) ─ Collect ─► AeAllFiles ┐
    /// AnalyzerConfigOptions ─ Select ─► AeOptions (namespace) ─ Combine(AeIlgpu) ─────────────┴ Combine ─ Select ─► AeCheck
    /// Compilation ─ Select ─► AeIlgpu (a bool: ILGPU referenced) ─┘
    /// AeCheck ─ SelectMany ─► AeSources (hint, code), one per law ─► RegisterSourceOutput: AddSource
    /// AeCheck ─ Select ─► AeDiagnostics ─► RegisterSourceOutput: ReportDiagnostic
    /// </code>
    /// Sources and diagnostics are separate outputs, so a change that only moves a diagnostic
    /// re-emits nothing, and a change to one law re-adds only that law's source.
    /// </remarks>
    [Generator(LanguageNames.CSharp)]
    public sealed class AeGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var files = context.AdditionalTextsProvider
                .Where(static text => IsAeFile(text.Path))
                .Select(static (text, ct) => AeFileInput.Read(text, ct))
                .WithTrackingName(AeTrackingNames.Files);

            var allFiles = files.Collect().WithTrackingName(AeTrackingNames.AllFiles);

            var facts = context.CompilationProvider
                .Select(static (compilation, _) => new AeCompilationFacts(ReferencesIlgpu(compilation), PathMapOf(compilation), LanguageVersionOf(compilation)))
                .WithTrackingName(AeTrackingNames.Ilgpu);

            var options = context.AnalyzerConfigOptionsProvider
                .Select(static (provider, _) => ReadOptions(provider))
                .WithTrackingName(AeTrackingNames.Options)
                .Combine(facts)
                .Select(static (input, _) => input.Left with { Ilgpu = input.Right.Ilgpu, PathMap = input.Right.PathMap, LanguageVersion = input.Right.LanguageVersion });

            var check = allFiles
                .Combine(options)
                .Select(static (input, ct) => AeCheckRunner.Run(input.Left, input.Right, ct))
                .WithTrackingName(AeTrackingNames.Check);

            var sources = check
                .SelectMany(static (model, _) => SourcesOf(model))
                .WithTrackingName(AeTrackingNames.Sources);

            var diagnostics = check
                .Select(static (model, _) => model.Diagnostics)
                .WithTrackingName(AeTrackingNames.Diagnostics);

            context.RegisterSourceOutput(sources, static (spc, source) => AddSource(spc, source));
            context.RegisterSourceOutput(diagnostics, static (spc, list) => Report(spc, list));
        }

        /// <summary>Whether ILGPU is among the compilation's references (then each optimizer-shaped law gets its ILGPU kernels too).</summary>
        private static bool ReferencesIlgpu(Compilation compilation)
        {
            try
            {
                foreach (var name in compilation.ReferencedAssemblyNames)
                    if (string.Equals(name.Name, "ILGPU", StringComparison.Ordinal)) return true;
                return false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return false;
            }
        }

        /// <summary>
        /// The compilation's path map (<c>-pathmap</c>, set by MSBuild's <c>PathMap</c> and by deterministic CI builds) as prefix,
        /// replacement pairs in the compiler's order: the generated code names the .ae files through it, so a build does not
        /// depend on the folder it was checked out to.
        /// </summary>
        private static EquatableArray<string> PathMapOf(Compilation compilation)
        {
            try
            {
                if (compilation.Options.SourceReferenceResolver is not SourceFileResolver resolver || resolver.PathMap.IsDefaultOrEmpty) return EquatableArray<string>.Empty;
                var flat = new System.Collections.Generic.List<string>();
                foreach (var pair in resolver.PathMap) { flat.Add(pair.Key); flat.Add(pair.Value); }   // in order: the first prefix that matches wins, as for the compiler's own paths
                return new EquatableArray<string>(flat.ToArray());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return EquatableArray<string>.Empty;
            }
        }

        /// <summary>The compilation's C# version as a number (1100: C# 11); the largest int where it is not C#.</summary>
        private static int LanguageVersionOf(Compilation compilation) =>
            compilation is Microsoft.CodeAnalysis.CSharp.CSharpCompilation csharp ? (int)csharp.LanguageVersion : int.MaxValue;

        internal static bool IsAeFile(string? path) => path is not null && path.EndsWith(".ae", StringComparison.OrdinalIgnoreCase);

        private static AeOptions ReadOptions(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider provider)
        {
            try
            {
                var global = provider.GlobalOptions;
                global.TryGetValue("build_property.AeNamespace", out var aeNamespace);
                global.TryGetValue("build_property.RootNamespace", out var rootNamespace);
                string resolved = AeCheckRunner.ResolveNamespace(aeNamespace, rootNamespace);
                bool rewritten = aeNamespace is { } given && given.Trim().Length > 0 && given.Trim() != resolved;
                return new AeOptions(resolved, GivenNamespace: rewritten ? aeNamespace!.Trim() : null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new AeOptions(AeCheckRunner.DefaultNamespace);
            }
        }

        private static EquatableArray<AeGeneratedSource> SourcesOf(AeCheckModel model)
        {
            var list = new System.Collections.Generic.List<AeGeneratedSource>(model.Units.Count);
            foreach (var unit in model.Units)
                if (unit.Source is not null) list.Add(new AeGeneratedSource(unit.HintName, unit.Source));
            return new EquatableArray<AeGeneratedSource>(list.ToArray());
        }

        private static void AddSource(SourceProductionContext context, AeGeneratedSource source)
        {
            try
            {
                context.AddSource(source.HintName, SourceText.From(source.Source, Encoding.UTF8));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.ReportDiagnostic(AeDiagnostics.InternalError(source.HintName, ex));
            }
        }

        private static void Report(SourceProductionContext context, EquatableArray<AeDiagnosticInfo> diagnostics)
        {
            foreach (var info in diagnostics)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                Diagnostic diagnostic;
                try
                {
                    diagnostic = AeDiagnostics.ToDiagnostic(info);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    diagnostic = AeDiagnostics.InternalError(info.Path.Length > 0 ? info.Path : info.Id, ex);
                }
                context.ReportDiagnostic(diagnostic);
            }
        }
    }
}
