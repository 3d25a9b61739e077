using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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

        public static TheoryData<string> ShippedCells()
        {
            var data = new TheoryData<string>();
            foreach (var f in Directory.GetFiles(RepoPaths.Cells, "*.ae").OrderBy(f => f, StringComparer.Ordinal))
                data.Add(Path.GetFileName(f));
            return data;
        }

        [Theory]
        [MemberData(nameof(ShippedCells))]
        public void Shipped_cell(string fileName)
        {
            var run = Harness.Run(RepoPaths.Shipped("cells", fileName));
            run.AssertNoGeneratorFailure();
            Assert.True(run.Diagnostics.IsEmpty, Harness.Format(run.Diagnostics));
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
            var source = Assert.Single(run.Result.GeneratedSources);
            Assert.Contains("__Cells.CellBase<T>", source.SourceText.ToString());
            Snapshot.Verify(nameof(ShippedFilesTests), nameof(Shipped_cell) + "_" + Path.GetFileNameWithoutExtension(fileName),
                run.Result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
        }

        [Fact]
        public void Every_shipped_file_together_generates_every_law_and_cell_without_a_diagnostic()
        {
            var run = Harness.Run(AllShippedFiles());
            run.AssertNoGeneratorFailure();
            Assert.True(run.Diagnostics.IsEmpty, Harness.Format(run.Diagnostics));
            foreach (var hint in new[] { "AeSgdm.g.cs", "AmeLayer.g.cs", "AmedSynth.g.cs", "DynamicsModelResidual.g.cs", "EmergentResonator.g.cs" })
                Assert.Contains(hint, run.HintNames);
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }

        /// <summary>
        /// A project that writes its documentation file (GenerateDocumentationFile) checks every doc comment: a constructor with
        /// some parameters documented and others not was CS1573 for every law, an error under TreatWarningsAsErrors.
        /// </summary>
        [Fact]
        public void Every_shipped_file_compiles_without_a_warning_where_the_documentation_file_is_written()
        {
            var parse = Harness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
            var driver = Harness.Driver(AllShippedFiles().Append(Harness.File("keywords.ae",
                "law Kw {\n  dim class;\n  dim seed;\n  input loss: real;\n  input grad: real[class];\n  state theta: real[class];\n  state h: real[seed] = 0;\n  param options = 0.1;\n  update { theta' = theta - options * grad; h' = h + 1; }\n}\n")), parseOptions: parse);
            // ILGPU referenced: each optimizer-shaped law gets its kernels too, which are public
            var host = CSharpCompilation.Create("Consumer", new[] { CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Host { } }", parse) },
                Harness.References.Append(MetadataReference.CreateFromFile(typeof(ILGPU.ArrayView<>).Assembly.Location)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
            driver = driver.RunGeneratorsAndUpdateCompilation(host, out var output, out var diagnostics);
            Assert.True(diagnostics.IsEmpty, Harness.Format(diagnostics));
            Assert.Contains(driver.GetRunResult().Results.Single().GeneratedSources, s => s.HintName.Contains("Ilgpu", StringComparison.Ordinal));
            var problems = Harness.CompileProblems(output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }

        /// <summary>
        /// A project that compiles C# 10 (LangVersion 10): a cell's code needs C# 11 and failed in about 280 places, each at a
        /// line of the .ae file; it is AE0080 at the cell instead, and the laws still compile.
        /// </summary>
        [Fact]
        public void A_cell_in_a_project_below_CSharp_11_is_one_warning_and_the_laws_still_compile()
        {
            var parse = Harness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp10);
            var driver = Harness.Driver(new[] { RepoPaths.Shipped("laws", "ae_sgdm.ae"), RepoPaths.Shipped("cells", "amed_synth.ae") }, parseOptions: parse);
            var host = CSharpCompilation.Create("Consumer", new[] { CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Host { } }", parse) }, Harness.References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
            driver = driver.RunGeneratorsAndUpdateCompilation(host, out var output, out var diagnostics);

            var d = Assert.Single(diagnostics);
            Assert.Equal("AE0080", d.Id);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.EndsWith("amed_synth.ae", d.Location.GetLineSpan().Path, StringComparison.Ordinal);
            Assert.StartsWith("cell 'AmedSynth' is checked but not emitted as C#: a cell's C# needs C# 11 or later (static abstract interface members), and this project compiles C# 10; set <LangVersion> to 11 or later",
                d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var hints = driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
            Assert.Contains("AeSgdm.g.cs", hints);
            Assert.DoesNotContain("AmedSynth.g.cs", hints);
            var problems = Harness.CompileProblems(output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }

        [Fact]
        public void A_cell_the_backend_cannot_emit_is_a_warning_at_the_cell_not_a_failure()
        {
            var run = Harness.Run(new InMemoryAdditionalText("/ae/cells/f.ae",
                "cell F { input x: real[2]; state h: real[2] = 0; signal y: real[2]; update { h' = h + x; when mean(x) > 0 { h' = h' * ema(0.9, mean(x)); } y = h'; } }\n"));
            run.AssertNoGeneratorFailure();
            var d = Assert.Single(run.Diagnostics);
            Assert.Equal("AE0080", d.Id);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal("/ae/cells/f.ae", d.Location.GetLineSpan().Path);
            Assert.Equal(0, d.Location.GetLineSpan().StartLinePosition.Line);
            Assert.Equal(118, d.Location.GetLineSpan().StartLinePosition.Character);   // the filter (ema, 0-based), as ae check reports it
            Assert.Matches("^cell 'F' is checked but not emitted as C#: the filter .* is under a condition .*the cell backend emits filters that update every step so far$", d.GetMessage());
            Assert.Empty(run.Result.GeneratedSources);
        }
    
        /// <summary>
        /// The generator runs inside the compiler, in the user's culture. Cultures such as sv-SE write a minus as U+2212
        /// and a decimal comma: a number formatted with the current culture made C# that does not compile (a dim
        /// coefficient of -1) and messages that differ from ae check's. A culture made to differ in every number symbol
        /// must change nothing: every shipped law and cell (C#, populations, cells, ILGPU kernels) and a law with negative
        /// dim coefficients, and the diagnostics of negative dims.
        /// </summary>
        [Fact]
        public void The_culture_the_compiler_runs_in_changes_no_generated_byte_nor_message()
        {
            var files = AllShippedFiles().Cast<AdditionalText>().Concat(new[]
            {
                Harness.File("negdim.ae", "law NegDim {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                    + "  state z: real[10 - n] = 0;\n  param k = -0.5;\n  update {\n    theta' = theta - 0.1 * grad;\n    z' = z * k;\n  }\n}\n"),
                Harness.File("bad.ae", "law Bad {\n  dim d = 3 - 5;\n  input x: real;\n  state s: real[2 - 4] = 0;\n  update { s' = s; }\n}\n"),
            }).ToArray();
            var compilation = Harness.Compilation().AddReferences(MetadataReference.CreateFromFile(typeof(ILGPU.ArrayView<>).Assembly.Location));
            (string[] Sources, string[] Messages) Generate()
            {
                var run = Harness.Run(files, compilation: compilation);
                run.AssertNoGeneratorFailure();
                return (run.Result.GeneratedSources.OrderBy(g => g.HintName, StringComparer.Ordinal).Select(g => g.HintName + "\n" + g.SourceText).ToArray(),
                        run.Diagnostics.Select(d => d.Id + " " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).OrderBy(m => m, StringComparer.Ordinal).ToArray());
            }

            var invariant = Generate();
            Assert.Contains(invariant.Sources, s => s.StartsWith("NegDim.g.cs", StringComparison.Ordinal) && s.Contains("-1 * ", StringComparison.Ordinal));
            Assert.Contains(invariant.Sources, s => s.StartsWith("AeSgdmIlgpuF32.g.cs", StringComparison.Ordinal));
            Assert.Contains(invariant.Messages, m => m.StartsWith("AE0023 Dimension 'd' is -2", StringComparison.Ordinal));

            var odd = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            odd.NumberFormat.NegativeSign = "\u2212";
            odd.NumberFormat.PositiveSign = "\u002B\u200E";
            odd.NumberFormat.NumberDecimalSeparator = ",";
            odd.NumberFormat.NumberGroupSeparator = "\u00A0";
            odd.NumberFormat.PercentDecimalSeparator = ",";
            odd.NumberFormat.NaNSymbol = "NeuN";
            odd.NumberFormat.PositiveInfinitySymbol = "\u221E";
            odd.NumberFormat.NegativeInfinitySymbol = "\u2212\u221E";
            var (culture, ui) = (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture);
            (string[] Sources, string[] Messages) other;
            try
            {
                System.Globalization.CultureInfo.CurrentCulture = odd;
                System.Globalization.CultureInfo.CurrentUICulture = odd;
                other = Generate();
            }
            finally
            {
                System.Globalization.CultureInfo.CurrentCulture = culture;
                System.Globalization.CultureInfo.CurrentUICulture = ui;
            }
            Assert.Equal(invariant.Messages, other.Messages);
            Assert.Equal(invariant.Sources.Length, other.Sources.Length);
            for (int i = 0; i < invariant.Sources.Length; i++)
                Assert.True(invariant.Sources[i] == other.Sources[i], "differs in the odd culture: " + invariant.Sources[i].Split('\n')[0]);
        }
}
}
