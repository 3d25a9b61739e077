using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Experiments.MetaGradients;
using AE.Experiments.Problems;
using AE.Experiments.Tasks;
using AE.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// Meta-gradients of laws (AE-9): the Hessian-vector products against differences of the exact gradients,
    /// the gradient through an unrolled run against a closed form and against central differences of the
    /// interpreter's run, and the refusals (a law that is not smooth, a task without a Hessian, a stochastic task).
    /// </summary>
    public class MetaGradientTests
    {
        private readonly ITestOutputHelper _output;

        public MetaGradientTests(ITestOutputHelper output) => _output = output;

        private static (IrUnit Unit, SourceFile Source) Law(string text, string path = "test.ae")
        {
            var source = new SourceFile(path, text);
            var result = AeCompiler.Check(source);
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return (result.Program!.Units[0], source);
        }

        /// <summary>A law of laws/ (the seed's) or of examples/meta-gradients/ (its smooth variant).</summary>
        private static (IrUnit Unit, SourceFile Source) Shipped(string file)
        {
            string path = file == "ae_sgdm_smooth.ae" ? "examples/meta-gradients/" + file : "laws/" + file;
            var (unit, source) = Law(File.ReadAllText(Path.Combine(RepoPaths.Root, path)), path);
            return (unit, source);
        }

        // ------------------------------------------------------------ Hessian-vector products

        public static TheoryData<string> CurvedTasks() => new() { "quadratic", "quadratic-1e4", "rosenbrock", "rosenbrock-nd", "linreg" };

        [Theory]
        [MemberData(nameof(CurvedTasks))]
        public void A_tasks_Hessian_vector_product_is_the_derivative_of_its_gradient_along_v(string name)
        {
            var task = TaskCatalog.Create(name);
            var hvp = Assert.IsAssignableFrom<IHessianVectorProduct>(task);
            var source = new GaussianSource(5);
            var theta = FiniteDifferences.Start(task, 3);
            var v = new double[task.Dimension];
            for (int i = 0; i < v.Length; i++) v[i] = source.NextGaussian();
            var hv = new double[v.Length];
            hvp.HessianVector(theta, v, hv);
            // (g(θ + εv) − g(θ − εv)) / 2ε: exact for the quadratics, O(ε²) off for Rosenbrock's cubic gradient.
            const double eps = 1e-5;
            var plus = new double[v.Length];
            var minus = new double[v.Length];
            var tp = theta.Select((t, i) => t + eps * v[i]).ToArray();
            var tm = theta.Select((t, i) => t - eps * v[i]).ToArray();
            task.EvaluateExact(tp, plus, 0);
            task.EvaluateExact(tm, minus, 0);
            double scale = hv.Max(Math.Abs);
            for (int i = 0; i < v.Length; i++)
                Assert.True(Math.Abs((plus[i] - minus[i]) / (2 * eps) - hv[i]) <= 1e-6 * scale, name + " element " + i);
        }

        [Fact]
        public void The_golden_problems_Hessians_are_exact()
        {
            // Rosenbrock at (x, y): [[2 - 4b(y - 3x²), -4bx], [-4bx, 2b]]; quadratic: the symmetric part of A.
            var r = new RosenbrockProblem(1, 100);
            var hv = new double[2];
            r.HessianVector(new[] { 0.5, 2.0 }, new[] { 1.0, 0.0 }, hv);
            Assert.Equal(new[] { 2 - 400 * (2.0 - 0.75), -200.0 }, hv);
            r.HessianVector(new[] { 0.5, 2.0 }, new[] { 0.0, 1.0 }, hv);
            Assert.Equal(new[] { -200.0, 200.0 }, hv);
            var q = new QuadraticProblem(new[] { new[] { 2.0, 1.0 }, new[] { 3.0, 4.0 } }, new[] { 1.0, 1.0 });
            q.HessianVector(new[] { 9.0, 9.0 }, new[] { 1.0, 10.0 }, hv);
            Assert.Equal(new[] { 2 + 2 * 10.0, 2 + 4 * 10.0 }, hv);
        }

        // ------------------------------------------------------------ closed forms

        /// <summary>f = 0.5 a θ² in one dimension, start θ0.</summary>
        private sealed class Parabola : TaskBase, IHessianVectorProduct
        {
            private readonly double _a, _theta0;

            public Parabola(double a, double theta0) : base("parabola", 1) { _a = a; _theta0 = theta0; }

            public override string Description => "0.5 a θ²";
            public override string GradientKind => "exact";
            public override double TargetLoss => 0;
            public override double? OptimumLoss => 0;
            public override long DefaultSteps => 10;
            public override void InitialTheta(ulong seed, Span<double> theta) => theta[0] = _theta0;
            protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
            {
                grad[0] = _a * theta[0];
                return 0.5 * _a * theta[0] * theta[0];
            }
            public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv) => hv[0] = _a * v[0];
        }

        [Fact]
        public void Gradient_descent_on_a_parabola_has_the_closed_form_meta_gradient()
        {
            // θ_K = (1 − lr a)^K θ0, F = 0.5 a θ_K², dF/dlr = −K a² θ0² (1 − lr a)^(2K − 1). The rate is a coefficient
            // whose initial value is the param lr0, so the gradient also passes through a state's initialiser.
            var (unit, _) = Law(@"smooth law Gd {
  dim n;
  param lr0 = 0.1;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff lr in [0, 1] = lr0;
  update { theta' = theta - lr * grad; }
}");
            const double a = 2.0, theta0 = 1.5, lr = 0.1;
            const int k = 7;
            var meta = new LawMetaGradient(unit, new Parabola(a, theta0), k);
            var (initial, loss, gradient) = meta.Gradient();
            double q = 1 - lr * a;
            Assert.Equal(0.5 * a * theta0 * theta0, initial);
            Assert.Equal(0.5 * a * Math.Pow(q, 2 * k) * theta0 * theta0, loss, 1e-15);
            double expected = -k * a * a * theta0 * theta0 * Math.Pow(q, 2 * k - 1);
            Assert.Equal(new[] { "lr0" }, meta.ParamNames);
            Assert.True(Math.Abs(gradient[0] - expected) <= 1e-13 * Math.Abs(expected), gradient[0] + " vs " + expected);
        }

        [Fact]
        public void The_gradient_reaches_a_coefficients_bound_once_the_projection_takes_it()
        {
            // lr doubles each step from lr0 = 0.01 and is projected onto [0, lr_max] at the end of the step: from
            // step 4 on the step uses 2 lr_max, so the final loss depends on lr_max, through the projection only.
            var (unit, _) = Law(@"smooth law Capped {
  dim n;
  param lr0 = 0.01, lr_max = 0.1;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff lr in [0, lr_max] = lr0;
  update {
    lr' = 2 * lr;
    theta' = theta - lr' * grad;
  }
}");
            var report = new LawMetaGradient(unit, new Parabola(1.0, 2.0), 6).Check();
            Assert.Equal(new[] { "lr0", "lr_max" }, report.Params.Select(p => p.Name));
            Assert.All(report.Params, p => Assert.True(p.Agrees, p.ToString()));
            // Steps 1 to 4 use lr' = 2, 4, 8, 16 × lr0; the fourth (0.16) is projected to lr_max, so steps 5 and 6 use
            // 2 lr_max: θ_6 = θ0 Π_j (1 − c_j lr0) (1 − 2 lr_max)², F = θ_6² / 2, dF/dp = 2F d log θ_6 / dp.
            double theta6 = 2.0 * 0.98 * 0.96 * 0.92 * 0.84 * 0.8 * 0.8;
            double f = 0.5 * theta6 * theta6;
            Assert.Equal(f, report.Loss, 1e-15);
            double dLr0 = 2 * f * new[] { 2.0, 4, 8, 16 }.Sum(c => -c / (1 - c * 0.01));
            double dLrMax = 2 * f * 2 * (-2 / 0.8);
            Assert.True(Math.Abs(report.Params[0].Gradient - dLr0) <= 1e-12 * Math.Abs(dLr0), report.Params[0].ToString());
            Assert.True(Math.Abs(report.Params[1].Gradient - dLrMax) <= 1e-12 * Math.Abs(dLrMax), report.Params[1].ToString());
        }

        // ------------------------------------------------------------ the finite difference stays where the law runs

        [Fact]
        public void A_param_near_the_end_of_its_range_is_checked_by_a_one_sided_difference_inside_it()
        {
            // p − h with h = 1e-5 · max(|e|, 1e-3) = 1e-8 is below 0, where the law refuses e (and sqrt has no value):
            // a central difference there read NaN and failed a right gradient.
            var (unit, _) = Law(@"smooth law Root {
  dim n;
  param e in (0, inf) = 5e-9;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update { theta' = theta - sqrt(e) * grad; }
}");
            var row = new LawMetaGradient(unit, new Parabola(1.0, 2.0), 1).Check().Params.Single();
            // θ1 = 2 (1 − √e), F = θ1² / 2, dF/de = −2 (1 − √e) / √e.
            double exact = -2 * (1 - Math.Sqrt(5e-9)) / Math.Sqrt(5e-9);
            Assert.True(row.Agrees, row.ToString());
            // Forward from e, or central at a step refined until e − 2h stays above 0: either way, inside the range.
            Assert.True(row.Difference == "forward" || (row.Difference == "central" && 2 * row.Step < 5e-9), row.ToString());
            Assert.True(Math.Abs(row.FiniteDifference - exact) <= 1e-6 * Math.Abs(exact), row.ToString());
        }

        [Fact]
        public void A_param_the_law_takes_at_no_other_value_or_an_infinite_one_is_not_checked_and_does_not_fail_the_rest()
        {
            // lo > 0 leaves c's initial value 0 outside [lo, 1], and lo < 0 is outside lo's range: only 0 is taken.
            const string law = @"smooth law Pinned {
  dim n;
  param lo in [0, 1] = 0;
  param big = inf;
  param lr = 0.1;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff c in [lo, 1] = 0;
  update {
    c' = c;
    theta' = theta - (lr / (1 + 1 / big) + c') * grad;
  }
}";
            var (unit, _) = Law(law);
            var report = new LawMetaGradient(unit, new Parabola(1.0, 2.0), 3).Check();
            Assert.Equal(new[] { false, false, true }, report.Params.Select(p => p.Checked));
            Assert.Equal("none", report.Params.Single(p => p.Name == "lo").Difference);
            Assert.True(report.Params.Single(p => p.Name == "lr").Agrees);
            Assert.True(report.Pass);
            // With lr fixed there is nothing left to check: no PASS over nothing.
            var (fixedRate, _) = Law(law.Replace("param lr = 0.1;", "").Replace("lr /", "0.1 /", StringComparison.Ordinal));
            var none = new LawMetaGradient(fixedRate, new Parabola(1.0, 2.0), 3).Check();
            Assert.All(none.Params, p => Assert.False(p.Checked));
            Assert.False(none.Pass);
        }

        [Fact]
        public void A_step_larger_than_the_scale_of_the_loss_is_refined_and_a_kink_is_still_not_excused()
        {
            // F = (1e-10 / p)² / 2 at p = 1e-9: the first step (1e-8, the floor's) jumps over the pole at 0.
            var (pole, _) = Law(@"smooth law Pole {
  dim n;
  param p = 1e-9;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update { theta' = 0 * theta + 1e-10 / p; }
}");
            var row = new LawMetaGradient(pole, new Parabola(1.0, 2.0), 1).Check().Params.Single();
            double exact = -1e-20 / Math.Pow(1e-9, 3);
            Assert.True(row.Agrees, row.ToString());
            Assert.True(row.Step < 1e-8, row.ToString());
            Assert.True(Math.Abs(row.Gradient - exact) <= 1e-12 * Math.Abs(exact), row.ToString());

            // relu at its kink: the subgradient (0) is not the derivative, and no smaller step makes the difference agree.
            var (kink, _) = Law(@"law Kink {
  dim n;
  param p = 0;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update { theta' = theta - relu(p) * grad; }
}");
            var bent = new LawMetaGradient(kink, new Parabola(1.0, 2.0), 1, new MetaGradientOptions { Subgradients = true }).Check();
            var k = bent.Params.Single();
            Assert.Equal(0, k.Gradient);
            Assert.False(k.Agrees, k.ToString());
            // The central difference over the kink: (F(h) − F(−h)) / 2h = ((2 (1 − h))² / 2 − 2) / 2h ≈ −2, the mean of the
            // one-sided derivatives: 0 below (relu is 0 there) and −4 above; the row says it is a kink, with both.
            Assert.Equal("kink", k.Difference);
            Assert.True(Math.Abs(k.FiniteDifference + 2) < 1e-3, k.ToString());
            Assert.True(Math.Abs(k.Left) < 1e-9 && Math.Abs(k.Right + 4) < 1e-3, k.ToString());
            Assert.False(bent.Pass);
        }

        // ------------------------------------------------------------ the smooth law against central differences

        public static TheoryData<string, int> SmoothRuns() => new()
        {
            { "quadratic", 40 },
            { "rosenbrock", 40 },
        };

        [Theory]
        [MemberData(nameof(SmoothRuns))]
        public void The_smooth_laws_meta_gradient_agrees_with_central_differences(string task, int steps)
        {
            var (unit, source) = Shipped("ae_sgdm_smooth.ae");
            // A rate large enough that the run moves: the gradients of the drive's gains are then far from 0.
            var options = new MetaGradientOptions { Overrides = new Dictionary<string, double[]> { ["init_alpha"] = new[] { task == "quadratic" ? 0.3 : 1e-3 } } };
            var meta = new LawMetaGradient(unit, TaskCatalog.Create(task), steps, options, sources: new Dictionary<string, SourceFile> { [source.Path] = source });
            Assert.Empty(meta.NonSmooth);
            var report = meta.Check();
            foreach (var p in report.Params)
                _output.WriteLine($"{p.Name,-16} {p.Gradient,24:R} {p.FiniteDifference,24:R} rel {p.RelativeDifference:0.0e+00} tol {p.Tolerance:0.0e+00}");
            Assert.True(report.Loss < report.InitialLoss, "the run descends: " + report.InitialLoss + " -> " + report.Loss);
            Assert.All(report.Params, p => Assert.True(p.Agrees, p.ToString()));
            // The derivative is there to be checked: the rate and the drive's gains move the final loss.
            Assert.True(Math.Abs(report.Params.Single(p => p.Name == "init_alpha").Gradient) > 1e-3);
            Assert.True(report.Params.Count(p => Math.Abs(p.Gradient) > 1e-9 * Math.Abs(report.Loss)) >= 10);
            // The tape's forward run is the interpreter's, bit for bit.
            var values = meta.ParamNames.Zip(meta.ParamValues).ToDictionary(x => x.First, x => new[] { x.Second });
            var all = unit.Params.ToDictionary(p => p.Name, p => values.TryGetValue(p.Name, out var v) ? v : new[] { p.DefaultValue ?? 0 });
            Assert.Equal(report.Loss, meta.Loss(all));
        }

        [Fact]
        public void Gradient_steps_on_the_gains_lower_the_loss_after_K_steps()
        {
            // What meta-gradients are for: tune init_alpha and eta_a by gradient descent in log space.
            var (unit, _) = Shipped("ae_sgdm_smooth.ae");
            var task = TaskCatalog.Create("quadratic");
            double alpha = 0.02, eta = 5e-4;
            var losses = new List<double>();
            for (int round = 0; round < 6; round++)
            {
                var options = new MetaGradientOptions { Overrides = new Dictionary<string, double[]> { ["init_alpha"] = new[] { alpha }, ["eta_a"] = new[] { eta } } };
                var meta = new LawMetaGradient(unit, task, 40, options);
                var (_, loss, gradient) = meta.Gradient();
                losses.Add(loss);
                var names = meta.ParamNames.ToList();
                double gAlpha = gradient[names.IndexOf("init_alpha")] * alpha, gEta = gradient[names.IndexOf("eta_a")] * eta;   // d loss / d log p
                double norm = Math.Sqrt(gAlpha * gAlpha + gEta * gEta);
                alpha *= Math.Exp(-0.5 * gAlpha / norm);
                eta *= Math.Exp(-0.5 * gEta / norm);
            }
            _output.WriteLine(string.Join(" ", losses));
            for (int i = 1; i < losses.Count; i++) Assert.True(losses[i] < losses[i - 1], string.Join(" ", losses));
        }

        // ------------------------------------------------------------ refusals

        [Fact]
        public void The_seed_law_is_refused_naming_its_first_construct_that_is_not_smooth()
        {
            var (unit, source) = Shipped("ae_sgdm.ae");
            var ex = Assert.Throws<MetaGradientException>(() => new LawMetaGradient(unit, TaskCatalog.Create("quadratic"), 10,
                sources: new Dictionary<string, SourceFile> { [source.Path] = source }));
            // The first in source order: 'sanitize(grad, grad_emergency)' in the fixed rule AE1.
            int offset = source.Text.IndexOf("sanitize(grad", StringComparison.Ordinal);
            var pos = source.GetPosition(offset);
            Assert.StartsWith("law AeSgdm is not smooth (AE-9): 'sanitize' in rule AE1 at laws/ae_sgdm.ae(" + pos.Line + "," + pos.Column + ") and ", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
        }

        [Fact]
        public void With_subgradients_the_seed_law_is_differentiated_and_its_sites_listed()
        {
            var (unit, _) = Shipped("ae_sgdm.ae");
            var options = new MetaGradientOptions { Subgradients = true, Ablated = new[] { "AE5" }, Overrides = new Dictionary<string, double[]> { ["init_alpha"] = new[] { 0.1 } } };
            var meta = new LawMetaGradient(unit, TaskCatalog.Create("quadratic"), 20, options);
            Assert.Contains(meta.NonSmooth, s => s.Rule == "AE3" && s.Construct == "?:");   // the seed's clip, spelled with comparisons
            Assert.DoesNotContain(meta.NonSmooth, s => s.Rule == "AE5");   // switched off: not in the run
            var (_, loss, gradient) = meta.Gradient();
            Assert.True(double.IsFinite(loss));
            Assert.All(gradient, g => Assert.True(double.IsFinite(g)));
            Assert.NotEqual(0, gradient[meta.ParamNames.ToList().IndexOf("init_alpha")]);
        }

        [Fact]
        public void A_task_without_a_Hessian_or_with_noise_and_a_law_of_another_shape_are_refused()
        {
            var (unit, _) = Shipped("ae_sgdm_smooth.ae");
            var plateau = Assert.Throws<MetaGradientException>(() => new LawMetaGradient(unit, TaskCatalog.Create("plateau"), 5));
            Assert.StartsWith("task plateau has no Hessian-vector product", plateau.Message, StringComparison.Ordinal);
            var (cellLike, _) = Law(@"law Two { dim n; input x: real[n]; state s: real[n]; update { s' = s + x; } }");
            var shape = Assert.Throws<MetaGradientException>(() => new LawMetaGradient(cellLike, TaskCatalog.Create("quadratic"), 5));
            Assert.Equal("law Two is not of the optimizer shape (input loss: real; input grad: real[n]; state theta: real[n])", shape.Message);
            Assert.Throws<MetaGradientException>(() => new LawMetaGradient(unit, TaskCatalog.Create("quadratic"), 0));
        }
    }
}
