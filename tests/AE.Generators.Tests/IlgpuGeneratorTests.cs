using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>
    /// A compilation that references ILGPU gets each optimizer-shaped law's ILGPU kernels (float and double)
    /// beside the C# law; one that does not gets the C# law alone.
    /// </summary>
    public class IlgpuGeneratorTests
    {
        private const string Momentum = """
            law Momentum "heavy-ball momentum" {
              dim n;
              param beta in [0, 1) = 0.9;
              param lr = 0.01;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              state m: real[n] = 0;
              signal gnorm: real;
              signal L: real;
              fixed rule measure { gnorm = norm(grad); L = loss; }
              update {
                m' = beta * m + grad;
                theta' = theta - lr * m';
              }
            }
            law MomentumLagged = Momentum lagged;
            """;

        private static CSharpCompilation WithIlgpu() => Harness.Compilation().AddReferences(MetadataReference.CreateFromFile(typeof(ILGPU.ArrayView<>).Assembly.Location));

        [Fact]
        public void With_ilgpu_referenced_each_optimizer_law_gets_its_kernels_which_compile_clean()
        {
            var run = Harness.Run(new[] { (AdditionalText)Harness.File("momentum.ae", Momentum) }, compilation: WithIlgpu());
            run.AssertNoGeneratorFailure();
            Assert.True(run.Diagnostics.IsEmpty, Harness.Format(run.Diagnostics));
            // the lagged variant has its C# law but no kernels (the ILGPU backend refuses lagged laws), and no diagnostic says so
            Assert.Equal(new[] { "Momentum.g.cs", "MomentumIlgpuF32.g.cs", "MomentumIlgpuF64.g.cs", "MomentumLagged.g.cs" }, run.HintNames.OrderBy(h => h, System.StringComparer.Ordinal));
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
            // the kernels the generator adds are the ILGPU backend's for the law, in the project's namespace
            var kernels = run.Output.GetTypeByMetadataName("AE.Generated.MomentumIlgpuF32");
            Assert.NotNull(kernels);
            Assert.Equal(new[] { "ae_pass_1", "ae_pass_2_final", "ae_scalar_0", "ae_scalar_1", "ae_scalar_end", "ae_set" },
                kernels!.GetMembers().OfType<IMethodSymbol>().Where(m => m.DeclaredAccessibility == Accessibility.Public && m.IsStatic).Select(m => m.Name).OrderBy(x => x, System.StringComparer.Ordinal));
            // one precision as a snapshot (the other differs in the vectors' element type only, and compiles clean above)
            Snapshot.Verify(nameof(IlgpuGeneratorTests), nameof(With_ilgpu_referenced_each_optimizer_law_gets_its_kernels_which_compile_clean),
                run.Result.GeneratedSources.Where(s => s.HintName == "MomentumIlgpuF32.g.cs").OrderBy(s => s.HintName, System.StringComparer.Ordinal).Select(s => (s.HintName, s.SourceText.ToString())));
        }

        [Fact]
        public void Without_ilgpu_there_are_no_kernels()
        {
            var run = Harness.Run(new[] { (AdditionalText)Harness.File("momentum.ae", Momentum) });
            run.AssertNoGeneratorFailure();
            Assert.Equal(new[] { "Momentum.g.cs", "MomentumLagged.g.cs" }, run.HintNames.OrderBy(h => h, System.StringComparer.Ordinal));
        }

        [Fact]
        public void An_unrelated_edit_with_ilgpu_referenced_reuses_the_check()
        {
            var first = Harness.Run(new[] { (AdditionalText)Harness.File("momentum.ae", Momentum) }, compilation: WithIlgpu());
            var result = first.Driver.RunGenerators(first.Output.AddSyntaxTrees(
                CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Unrelated { } }", Harness.ParseOptions))).GetRunResult().Results.Single();
            Assert.All(result.TrackedSteps[AeTrackingNames.Ilgpu].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
            Assert.All(result.TrackedSteps[AeTrackingNames.Check].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
            Assert.True(result.TrackedSteps[AeTrackingNames.Ilgpu].Single().Outputs.Single().Value is AeCompilationFacts { Ilgpu: true }, "ILGPU is referenced");
        }
    }
}
