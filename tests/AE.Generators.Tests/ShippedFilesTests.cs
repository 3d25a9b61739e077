using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>The shipped laws and cells through the generator, as a consuming project's build would see them.</summary>
    public class ShippedFilesTests
    {
        public static TheoryData<string> ShippedLaws()
        {
            var data = new TheoryData<string>();
            foreach (var f in Directory.GetFiles(RepoPaths.Laws, "*.ae").OrderBy(f => f, StringComparer.Ordinal))
                data.Add(Path.GetFileName(f));
            return data;
        }

        private static InMemoryAdditionalText[] AllShippedFiles() =>
            Directory.GetFiles(RepoPaths.Laws, "*.ae").Select(f => RepoPaths.Shipped("laws", Path.GetFileName(f)))
                .Concat(Directory.GetFiles(RepoPaths.Cells, "*.ae").Select(f => RepoPaths.Shipped("cells", Path.GetFileName(f))))
                .OrderBy(t => t.Path, StringComparer.Ordinal)
                .ToArray();

        [Fact]
        public void There_are_shipped_laws() => Assert.Contains(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae"), Directory.GetFiles(RepoPaths.Laws, "*.ae"));

        [Theory]
        [MemberData(nameof(ShippedLaws))]
        public void Shipped_law_generates_code_that_compiles_without_errors_or_warnings(string fileName)
        {
            var run = Harness.Run(RepoPaths.Shipped("laws", fileName));
            run.AssertNoGeneratorFailure();
            Assert.True(run.Diagnostics.IsEmpty, Harness.Format(run.Diagnostics));
            Assert.NotEmpty(run.Result.GeneratedSources);
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }

        [Theory]
        [MemberData(nameof(ShippedLaws))]
        public void Shipped_law(string fileName)
        {
            var run = Harness.Run(RepoPaths.Shipped("laws", fileName));
            run.AssertNoGeneratorFailure();
            Assert.NotEmpty(run.Result.GeneratedSources);
            Snapshot.Verify(nameof(ShippedFilesTests), nameof(Shipped_law) + "_" + Path.GetFileNameWithoutExtension(fileName),
                run.Result.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => (s.HintName, s.SourceText.ToString())));
        }

        [Fact]
        public void Ae_sgdm_gives_the_law_and_its_variant()
        {
            var run = Harness.Run(RepoPaths.Shipped("laws", "ae_sgdm.ae"));
            Assert.Equal(new[] { "AeSgdm.g.cs", "AeSgdmLagged.g.cs", "AeSgdmNoResonance.g.cs" }, run.HintNames.OrderBy(h => h, StringComparer.Ordinal));
            var variant = run.Source("AeSgdmNoResonance.g.cs");
            Assert.Contains("public sealed unsafe partial class AeSgdmNoResonance", variant);
            Assert.Contains("#line ", variant);
            Assert.Contains("\"/ae/laws/ae_sgdm.ae\"", variant);
            // Compile-time ablation: the resonance clamp is absent from the variant, present in the law.
            Assert.Contains("AE5", run.Source("AeSgdm.g.cs"));
            Assert.DoesNotContain("__on_AE5", variant);
        }

        [Fact]
        public void Every_shipped_file_together_cells_are_warned_about_not_failed()
        {
            var run = Harness.Run(AllShippedFiles());
            run.AssertNoGeneratorFailure();
            Assert.DoesNotContain(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            var cells = Directory.GetFiles(RepoPaths.Cells, "*.ae");
            var notEmitted = run.Diagnostics.Where(d => d.Id == "AE0080").ToList();
            Assert.True(notEmitted.Count == cells.Length, Harness.Format(run.Diagnostics));
            Assert.All(notEmitted, d =>
            {
                Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
                Assert.StartsWith("/ae/cells/", d.Location.GetLineSpan().Path, StringComparison.Ordinal);
                Assert.Matches("^cell '[A-Za-z]+' is checked but not emitted as C#: ", d.GetMessage());
            });
            Assert.True(run.Diagnostics.Length == notEmitted.Count, Harness.Format(run.Diagnostics));
            Assert.Contains("AeSgdm.g.cs", run.HintNames);
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }
    }
}
