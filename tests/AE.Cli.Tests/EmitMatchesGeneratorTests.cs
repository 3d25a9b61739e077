extern alias generator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>'ae emit' prints, for every shipped law and variant, exactly the file the generator adds to a build.</summary>
    public sealed class EmitMatchesGeneratorTests
    {
        public static IEnumerable<object[]> ShippedLawFiles() =>
            Directory.GetFiles(Repo.Laws, "*.ae").OrderBy(p => p, StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

        [Theory]
        [MemberData(nameof(ShippedLawFiles))]
        public void Emit_prints_what_the_generator_adds_for_every_law_and_variant(string fileName)
        {
            // Absolute paths: the CLI writes the path it was given into #line, the generator the item's full path.
            var all = Directory.GetFiles(Repo.Laws, "*.ae").OrderBy(p => p, StringComparer.Ordinal).ToList();
            var generated = Generate(all);
            string path = Path.Combine(Repo.Laws, fileName);
            var names = LawNames(path);
            Assert.NotEmpty(names);
            foreach (var name in names)
            {
                var r = Cli.Run(Repo.Root, "emit", path, "--law", name);
                Assert.True(r.ExitCode == 0, r.Stderr);
                Assert.True(generated.TryGetValue(name + ".g.cs", out var expected), "the generator adds no " + name + ".g.cs");
                Assert.True(expected == r.Stdout, name + ": 'ae emit --law " + name + "' differs from the generator's " + name + ".g.cs"
                    + " (first difference at character " + FirstDifference(expected!, r.Stdout) + ")");
            }
        }

        [Fact]
        public void The_lagged_variant_is_emitted_lagged()
        {
            var r = Cli.Run(Repo.Root, "emit", Repo.SgdmLaw, "--law", "AeSgdmLagged");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("// Lagged: every reduction reads the value the previous step's update pass computed", r.Stdout, StringComparison.Ordinal);
            var plain = Cli.Run(Repo.Root, "emit", Repo.SgdmLaw, "--law", "AeSgdm");
            Assert.DoesNotContain("// Lagged:", plain.Stdout, StringComparison.Ordinal);
        }

        /// <summary>The laws and variants a file declares, from 'ae emit' of the whole file (one namespace block each).</summary>
        private static List<string> LawNames(string path)
        {
            var r = Cli.Run(Repo.Root, "emit", path);
            Assert.True(r.ExitCode == 0, r.Stderr);
            return r.Stdout.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.StartsWith("public sealed unsafe partial class ", StringComparison.Ordinal))
                .Select(l => l.Substring("public sealed unsafe partial class ".Length).Split(' ', ':')[0])
                .ToList();
        }

        private static int FirstDifference(string a, string b)
        {
            int n = Math.Min(a.Length, b.Length);
            for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
            return n;
        }

        private static Dictionary<string, string> Generate(IReadOnlyList<string> paths)
        {
            var texts = paths.Select(p => (AdditionalText)new FileText(p)).ToImmutableArray();
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new generator::AE.Generators.AeGenerator().AsSourceGenerator() }, texts, parse, new NoOptions());
            var compilation = CSharpCompilation.Create("Consumer", Array.Empty<SyntaxTree>(), Array.Empty<MetadataReference>(),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            driver = driver.RunGenerators(compilation);
            return driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
        }

        private sealed class FileText : AdditionalText
        {
            public FileText(string path) { Path = path; }
            public override string Path { get; }
            public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(Path));
        }

        private sealed class NoOptions : AnalyzerConfigOptionsProvider
        {
            public override AnalyzerConfigOptions GlobalOptions { get; } = new Empty();
            public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;
            public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

            private sealed class Empty : AnalyzerConfigOptions
            {
                public override bool TryGetValue(string key, out string value) { value = ""; return false; }
            }
        }
    }
}
