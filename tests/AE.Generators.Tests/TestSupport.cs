using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using AE.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>Locates the repository root (the folder holding AE.Compiler.sln).</summary>
    internal static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string Laws => Path.Combine(Root, "laws");
        public static string Cells => Path.Combine(Root, "cells");
        public static string Snapshots => Path.Combine(Root, "tests", "AE.Generators.Tests", "_snapshots");

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AE.Compiler.sln not found above " + AppContext.BaseDirectory);
        }

        /// <summary>
        /// A shipped file as the generator sees it, under a fixed virtual root so that the paths
        /// in #line directives and snapshots do not depend on where the repository is checked out.
        /// </summary>
        public static InMemoryAdditionalText Shipped(string folder, string fileName) =>
            new(VirtualRoot + folder + "/" + fileName, File.ReadAllText(Path.Combine(Root, folder, fileName)));

        public const string VirtualRoot = "/ae/";
    }

    /// <summary>An additional file held in memory.</summary>
    internal sealed class InMemoryAdditionalText : AdditionalText
    {
        private readonly SourceText _text;

        /// <param name="encoding">the encoding the compiler read the file in (default UTF-8)</param>
        public InMemoryAdditionalText(string path, string text, Encoding? encoding = null)
        {
            Path = path;
            _text = SourceText.From(text, encoding ?? Encoding.UTF8);
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;

        public InMemoryAdditionalText WithText(string text) => new(Path, text);

        public override string ToString() => Path;
    }

    /// <summary>An additional file that cannot be read.</summary>
    internal sealed class ThrowingAdditionalText : AdditionalText
    {
        public ThrowingAdditionalText(string path) { Path = path; }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => throw new IOException("disk on fire");
    }

    /// <summary>An additional file that is not there: the compiler has no text for it (and reports CS2001 itself).</summary>
    internal sealed class MissingAdditionalText : AdditionalText
    {
        public MissingAdditionalText(string path) { Path = path; }

        public override string Path { get; }

        public override SourceText? GetText(CancellationToken cancellationToken = default) => null;
    }

    /// <summary>build_property.* values, as MSBuild's generated editorconfig passes them.</summary>
    internal sealed class TestOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private readonly TestOptions _global;

        public TestOptionsProvider(IReadOnlyDictionary<string, string>? global = null)
        {
            _global = new TestOptions(global ?? new Dictionary<string, string>());
        }

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => TestOptions.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => TestOptions.Empty;

        private sealed class TestOptions : AnalyzerConfigOptions
        {
            public static readonly TestOptions Empty = new(new Dictionary<string, string>());
            private readonly IReadOnlyDictionary<string, string> _values;

            public TestOptions(IReadOnlyDictionary<string, string> values) { _values = values; }

            public override bool TryGetValue(string key, out string value)
            {
                if (_values.TryGetValue(key, out var v)) { value = v; return true; }
                value = null!;
                return false;
            }
        }
    }

    /// <summary>Runs the generator over a compilation, as the compiler does.</summary>
    internal static class Harness
    {
        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

        /// <summary>The framework and AE.Runtime: what a consuming net10.0 project compiles against.</summary>
        public static readonly MetadataReference[] References = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(AE.Runtime.AeMath).Assembly.Location))
            .ToArray();

        public static CSharpCompilation Compilation(params string[] csharp) => CSharpCompilation.Create(
            "Consumer",
            (csharp.Length == 0 ? new[] { "namespace Consumer { internal static class Host { } }" } : csharp)
                .Select((c, i) => CSharpSyntaxTree.ParseText(c, ParseOptions, path: "Host" + i + ".cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        public static GeneratorDriver Driver(IEnumerable<AdditionalText> files, IReadOnlyDictionary<string, string>? globalOptions = null, CSharpParseOptions? parseOptions = null) =>
            CSharpGeneratorDriver.Create(
                new[] { new AeGenerator().AsSourceGenerator() },
                files,
                parseOptions ?? ParseOptions,
                new TestOptionsProvider(globalOptions),
                new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>One run: the generator's result, its diagnostics (as the compiler filters them) and the updated compilation.</summary>
        public static Run Run(IEnumerable<AdditionalText> files, IReadOnlyDictionary<string, string>? globalOptions = null, CSharpCompilation? compilation = null)
        {
            var driver = Driver(files, globalOptions);
            compilation ??= Compilation();
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
            return new Run(driver, driver.GetRunResult().Results.Single(), (CSharpCompilation)output, diagnostics);
        }

        public static Run Run(params AdditionalText[] files) => Run((IEnumerable<AdditionalText>)files);

        public static InMemoryAdditionalText File(string name, string text) => new(RepoPaths.VirtualRoot + name, text);

        /// <summary>Every warning and error of the compilation with the generated code, formatted with the offending lines.</summary>
        public static IReadOnlyList<Diagnostic> CompileProblems(Compilation compilation)
        {
            using var ms = new MemoryStream();
            var result = compilation.Emit(ms);
            return result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        }

        public static string Format(IEnumerable<Diagnostic> diagnostics) => string.Join("\n", diagnostics.Select(d => d.ToString()));
    }

    internal sealed record Run(GeneratorDriver Driver, GeneratorRunResult Result, CSharpCompilation Output, ImmutableArray<Diagnostic> Diagnostics)
    {
        public string Source(string hintName) => Result.GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

        public IReadOnlyList<string> HintNames => Result.GeneratedSources.Select(s => s.HintName).ToList();

        public void AssertNoGeneratorFailure()
        {
            Assert.Null(Result.Exception);
            Assert.DoesNotContain(Diagnostics, d => d.Id is "CS8784" or "CS8785" or "AD0001");
            Assert.DoesNotContain(Diagnostics, d => d.Id == "AE0099");
        }
    }
}
