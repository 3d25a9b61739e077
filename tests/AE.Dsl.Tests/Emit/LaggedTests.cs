using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Runtime;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>Lagged laws (<c>law X = Base lagged;</c>): reductions read one step late, one pass per step.</summary>
    public class LaggedTests
    {
        private const string Lag = @"law Lag ""sum of the gradient, fed back"" {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  signal s = 0, hi = 0, l = 0;
  fixed rule measure { s = sum(grad); hi = max(grad); l = loss; }
  update { theta' = theta - 0.5 * s * grad; }
}
law LagLagged ""the same, lagged"" = Lag lagged;";

        private static IOptimizerLaw Build(IrUnit unit, string typeName, bool lagged, int n, StepKernel kernel, IReadOnlyList<string>? ablate = null, Action<object>? configure = null)
        {
            var options = new CSharpEmitOptions { Namespace = "AE.Laws", TypeName = typeName, Lagged = lagged, Ablate = ablate?.ToArray() ?? Array.Empty<string>() };
            var type = EmittedLaw.Compile(CSharpEmitter.Emit(unit, options), typeName).GetType("AE.Laws." + typeName)!;
            var opts = Activator.CreateInstance(type.GetNestedType("Options")!)!;
            configure?.Invoke(opts);
            var law = Activator.CreateInstance(type, n, opts, 3UL)!;
            type.GetProperty("Kernel")!.SetValue(law, kernel);
            return (IOptimizerLaw)law;
        }

        private static double Signal(IOptimizerLaw law, string name) => law.ReadSignal(law.SignalNames.ToList().IndexOf(name));

        [Fact]
        public void The_variant_syntax_gives_a_lagged_variant()
        {
            var program = TestSupport.AssertClean(Lag).Program!;
            var v = Assert.Single(program.Variants);
            Assert.True(v.Lagged);
            Assert.Empty(v.Without);
            const string a = "law A { dim n; input grad: real[n]; state theta: real[n]; rule r { theta' = theta - 0.1 * grad; } update { theta' = theta' - 0.1 * mean(grad); } }\n";
            var chain = TestSupport.AssertClean(a + "law B = A without r lagged;\nlaw C = A lagged;\nlaw D = C without r;", "v.ae").Program!;
            Assert.True(chain.Variants.Single(x => x.Name == "B").Lagged);
            Assert.Equal(new[] { "r" }, chain.Variants.Single(x => x.Name == "B").Without);
            Assert.True(chain.Variants.Single(x => x.Name == "D").Lagged);   // a variant of a lagged variant is lagged
            var neither = TestSupport.Check(a + "law E = A;", "v.ae");
            Assert.Contains(neither.Diagnostics, d => d.Message.Contains("'lagged'"));
        }

        [Fact]
        public void A_lagged_reduction_is_the_previous_steps_value_and_empty_at_the_first_step()
        {
            // Worked by hand: s at step t is sum(grad of step t-1), 0 at step 1; max starts at -inf.
            var unit = TestSupport.AssertClean(Lag).Program!.Units[0];
            var law = Build(unit, "LagLagged", lagged: true, 3, StepKernel.Scalar);
            var theta = new[] { 1.0, 2.0, 3.0 };
            var g1 = new[] { 0.25, -1.0, 2.0 };
            var g2 = new[] { 1.0, 0.5, -0.5 };
            law.Step(1, g1, theta);
            Assert.Equal(0.0, Signal(law, "s"));
            Assert.Equal(double.NegativeInfinity, Signal(law, "hi"));
            Assert.Equal(new[] { 1.0, 2.0, 3.0 }, theta);
            law.Step(1, g2, theta);
            Assert.Equal(1.25, Signal(law, "s"));
            Assert.Equal(2.0, Signal(law, "hi"));
            Assert.Equal(new[] { 1.0 - 0.5 * 1.25 * 1.0, 2.0 - 0.5 * 1.25 * 0.5, 3.0 - 0.5 * 1.25 * -0.5 }, theta);
            law.Step(1, g1, theta);
            Assert.Equal(1.0, Signal(law, "s"));
        }

        [Fact]
        public void A_lagged_law_makes_one_pass_over_its_vectors_and_the_default_does_not()
        {
            var file = new Text.SourceFile("laws/ae_sgdm.ae", File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae")));
            var unit = AeCompiler.Check(file).Program!.Units[0];
            var lagged = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws", Lagged = true });
            var plain = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" });
            Assert.Contains("pass 1 of 1 over the vectors: write the vectors", lagged);
            Assert.DoesNotContain("pass 2 of", lagged);
            Assert.Contains("pass 3 of 3 over the vectors", plain);
            Assert.Contains("// Lagged:", lagged);
            Assert.DoesNotContain("// Lagged:", plain);
        }

        [Theory]
        [InlineData("")]
        [InlineData("AE5,brake")]
        public void Lagged_ae_sgdm_equals_the_lagged_interpreter_bit_for_bit(string removed)
        {
            var ablate = removed.Split(',', StringSplitOptions.RemoveEmptyEntries);
            var file = new Text.SourceFile("laws/ae_sgdm.ae", File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae")));
            var unit = AeCompiler.Check(file).Program!.Units[0];
            const int n = 29;
            // the step-norm cap on, so that the reduction under a condition (norm(upd)) takes part
            var law = Build(unit, "AeSgdmLagged", true, n, StepKernel.Scalar, ablate, o =>
            {
                o.GetType().GetProperty("step_norm_max")!.SetValue(o, 0.05);
                o.GetType().GetProperty("init_alpha")!.SetValue(o, 0.05);
            });
            var rng = new Random(5);
            var theta0 = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n },
                new Dictionary<string, double[]> { ["step_norm_max"] = new[] { 0.05 }, ["init_alpha"] = new[] { 0.05 } },
                new Dictionary<string, double[]> { ["theta"] = theta0 }, ablate, seed: 3, lagged: true);
            var a = (double[])theta0.Clone();
            for (int step = 0; step < 200; step++)
            {
                var grad = a.Select((x, i) => x * (1 + i % 4) + (rng.NextDouble() - 0.5)).ToArray();
                if (step == 9) grad[2] = double.NaN;
                double loss = a.Sum(x => x * x);
                law.Step(loss, grad, a);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                Assert.Equal(interp.Get("theta"), a);
                foreach (var s in new[] { "alpha", "mu", "sigma", "rho", "gnorm", "S" })
                    Assert.Equal(interp.Scalar(s), Signal(law, s));
            }
            // It is not the plain law: the first step already differs (it sees empty reductions).
            var plain = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n },
                new Dictionary<string, double[]> { ["step_norm_max"] = new[] { 0.05 }, ["init_alpha"] = new[] { 0.05 } },
                new Dictionary<string, double[]> { ["theta"] = theta0 }, ablate, seed: 3);
            var first = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n },
                new Dictionary<string, double[]> { ["step_norm_max"] = new[] { 0.05 }, ["init_alpha"] = new[] { 0.05 } },
                new Dictionary<string, double[]> { ["theta"] = theta0 }, ablate, seed: 3, lagged: true);
            var g = theta0.Select(x => 2 * x).ToArray();
            plain.Step(new Dictionary<string, double[]> { ["loss"] = new[] { 1.0 }, ["grad"] = g });
            first.Step(new Dictionary<string, double[]> { ["loss"] = new[] { 1.0 }, ["grad"] = g });
            Assert.NotEqual(plain.Scalar("gnorm"), first.Scalar("gnorm"));
        }

        [Fact]
        public void Lagged_simd_stays_within_the_reordering_bound_of_lagged_scalar()
        {
            var file = new Text.SourceFile("laws/ae_sgdm.ae", File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae")));
            var unit = AeCompiler.Check(file).Program!.Units[0];
            const int n = 2 * Runtime.Simd.AeSimd.ChunkSize + 9;
            var scalar = Build(unit, "AeSgdmLagged", true, n, StepKernel.Scalar);
            var simd = Build(unit, "AeSgdmLagged", true, n, StepKernel.Simd);
            var rng = new Random(8);
            var center = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var a = new double[n];
            var b = new double[n];
            for (int step = 0; step < 100; step++)
            {
                var g = a.Select((x, i) => x - center[i]).ToArray();
                double loss = g.Sum(x => 0.5 * x * x);
                scalar.Step(loss, g, a);
                simd.Step(loss, g, b);
            }
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-9 * Math.Max(1, Math.Abs(a[i])), $"theta[{i}]: {a[i]:R} vs {b[i]:R}");
            Assert.True(Math.Abs(Signal(scalar, "alpha") - Signal(simd, "alpha")) <= 1e-9 * Signal(scalar, "alpha"));
        }

        [Fact]
        public void A_lagged_variant_of_a_law_that_draws_inside_a_reduction_is_an_error()
        {
            var result = TestSupport.Check(@"law D { dim n; input grad: real[n]; state theta: real[n];
  signal s = 0;
  rule r { s = sum(grad + noise(n)); }
  update { theta' = theta - 0.1 * s * grad; } }
law DL = D lagged;");
            var d = Assert.Single(result.Diagnostics, x => x.Severity == Diagnostics.Severity.Error);
            Assert.Contains("lagged", d.Message);
        }
    }
}
