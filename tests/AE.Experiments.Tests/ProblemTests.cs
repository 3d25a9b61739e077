using System;
using System.Collections.Generic;
using System.Linq;
using AE.Experiments.Problems;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Experiments.Tests
{
    public class ProblemTests
    {
        public static TheoryData<string> Problems() => new() { "quadratic", "quadratic-nonsymmetric", "rosenbrock", "rosenbrock-2-10", "linreg" };

        private static IProblem Make(string name)
        {
            var rng = new Random(42);
            switch (name)
            {
                case "quadratic":
                    return new QuadraticProblem(new[] { new[] { 3.0, 0.0 }, new[] { 0.0, 1.0 } }, new[] { 1.0, -2.0 });
                case "quadratic-nonsymmetric":
                {
                    const int n = 5;
                    var a = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray()).ToArray();
                    var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
                    return new QuadraticProblem(a, b);
                }
                case "rosenbrock": return new RosenbrockProblem();
                case "rosenbrock-2-10": return new RosenbrockProblem(2, 10);
                case "linreg":
                {
                    var x = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 4).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
                    var y = Enumerable.Range(0, 20).Select(_ => rng.NextDouble() * 3).ToArray();
                    return new LinearRegressionProblem(x, y);
                }
                default: throw new ArgumentException(name);
            }
        }

        [Theory]
        [MemberData(nameof(Problems))]
        public void Gradient_matches_central_finite_differences_at_random_points(string name)
        {
            var problem = Make(name);
            int n = problem.Dimension;
            var rng = new Random(7);
            var grad = new double[n];
            var scratch = new double[n];
            for (int trial = 0; trial < 25; trial++)
            {
                var theta = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 6 - 3).ToArray();
                double loss = problem.Evaluate(theta, grad);
                Assert.True(double.IsFinite(loss));
                for (int i = 0; i < n; i++)
                {
                    double h = 1e-5 * Math.Max(1, Math.Abs(theta[i]));
                    var plus = (double[])theta.Clone();
                    var minus = (double[])theta.Clone();
                    plus[i] += h;
                    minus[i] -= h;
                    double fd = (problem.Evaluate(plus, scratch) - problem.Evaluate(minus, scratch)) / (2 * h);
                    double scale = Math.Max(1, Math.Abs(fd));
                    Assert.True(Math.Abs(grad[i] - fd) <= 1e-6 * scale, $"{name} trial {trial} d/dθ{i}: analytic {grad[i]:R}, finite difference {fd:R}");
                }
            }
        }

        [Fact]
        public void Values_at_known_points()
        {
            var grad = new double[2];
            // Quadratic: optimum at A⁻¹b = (1/3, -2), value -0.5 bᵀA⁻¹b = -(1/3 + 4)/2.
            var q = Make("quadratic");
            Assert.Equal(0.0, q.Evaluate(new[] { 0.0, 0.0 }, grad));
            Assert.Equal(new[] { -1.0, 2.0 }, grad);
            Assert.Equal(-(1.0 / 3 + 4) / 2, q.Evaluate(new[] { 1.0 / 3, -2.0 }, grad), 14);
            Assert.All(grad, g => Assert.True(Math.Abs(g) < 1e-15));

            // Rosenbrock: 0 at (a, a²), with zero gradient.
            Assert.Equal(0.0, new RosenbrockProblem().Evaluate(new[] { 1.0, 1.0 }, grad));
            Assert.Equal(new[] { 0.0, 0.0 }, grad);
            Assert.Equal(0.0, new RosenbrockProblem(2, 10).Evaluate(new[] { 2.0, 4.0 }, grad));
            Assert.Equal(new[] { 0.0, 0.0 }, grad);
            Assert.Equal(1.0 + 100.0, new RosenbrockProblem().Evaluate(new[] { 0.0, 1.0 }, grad));

            // Linreg: exact fit has loss 0; mean, not sum.
            var lr = new LinearRegressionProblem(new[] { new[] { 1.0, 0.0 }, new[] { 0.0, 2.0 } }, new[] { 1.0, 4.0 });
            Assert.Equal(0.0, lr.Evaluate(new[] { 1.0, 2.0 }, grad));
            Assert.Equal((1.0 + 16.0) / 2, lr.Evaluate(new[] { 0.0, 0.0 }, grad));
            Assert.Equal(new[] { -1.0, -8.0 }, grad);
        }

        [Fact]
        public void Quadratic_gradient_uses_the_symmetric_part_of_A()
        {
            var q = new QuadraticProblem(new[] { new[] { 1.0, 4.0 }, new[] { 0.0, 1.0 } }, new[] { 0.0, 0.0 });
            var grad = new double[2];
            Assert.Equal(0.5 * (1 + 4 + 1), q.Evaluate(new[] { 1.0, 1.0 }, grad));
            Assert.Equal(new[] { 1.0 + 2.0, 2.0 + 1.0 }, grad);
        }

        [Theory]
        [MemberData(nameof(Problems))]
        public void Evaluate_allocates_nothing(string name)
        {
            var problem = Make(name);
            var theta = Enumerable.Range(0, problem.Dimension).Select(i => 0.1 * i).ToArray();
            var grad = new double[problem.Dimension];
            problem.Evaluate(theta, grad);
            double sum = 0;
            Assert.Equal(0, AE.Tests.Shared.Allocated.LeastOfThree(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 1000; i++) sum += problem.Evaluate(theta, grad);
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }));
            Assert.True(double.IsFinite(sum));
        }

        [Fact]
        public void Wrong_lengths_and_shapes_are_clear_errors()
        {
            var q = Make("quadratic");
            var e = Assert.Throws<ArgumentException>(() => q.Evaluate(new double[3], new double[2]));
            Assert.Contains("theta has 3 values; the problem has dimension 2", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => q.Evaluate(new double[2], new double[1]));
            Assert.Contains("grad has 1 values", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => new RosenbrockProblem().Evaluate(new double[3], new double[3]));
            e = Assert.Throws<ArgumentException>(() => new QuadraticProblem(new[] { new[] { 1.0, 2.0 } }, new[] { 1.0, 2.0 }));
            Assert.Contains("A has 1 rows; b has 2 values", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => new LinearRegressionProblem(new[] { new[] { 1.0 }, new[] { 1.0, 2.0 } }, new[] { 1.0, 2.0 }));
            Assert.Contains("row 1 of X has 2 values; row 0 has 1", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => new LinearRegressionProblem(new[] { new[] { 1.0 } }, new[] { 1.0, 2.0 }));
            Assert.Contains("X has 1 rows but Y has 2 values", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => new RosenbrockProblem(double.NaN));
        }

        public static TheoryData<string> GoldenCases()
        {
            var data = new TheoryData<string>();
            foreach (var c in RepoPaths.ControllerCases()) data.Add(c);
            return data;
        }

        /// <summary>
        /// Independent of any law: the reference trajectory (PyTorch autograd) records theta after each
        /// step and, at the next step, the loss and gradient norm at that theta. The problems reproduce both.
        /// </summary>
        [Theory]
        [MemberData(nameof(GoldenCases))]
        public void Problems_reproduce_the_reference_loss_and_gradient_norm_along_the_golden_trajectory(string name)
        {
            var golden = GoldenCase.Load(System.IO.Path.Combine(RepoPaths.Golden, name + ".json"));
            int loss = golden.ColumnIndex("loss"), gnorm = golden.ColumnIndex("gnorm");
            var thetaColumns = Enumerable.Range(0, golden.Problem.Dimension).Select(i => golden.ColumnIndex("theta" + i)).ToArray();
            Assert.True(loss >= 0 && gnorm >= 0 && thetaColumns.All(c => c >= 0));
            var theta = golden.Theta0.ToArray();
            var grad = new double[theta.Length];
            for (int row = 0; row < golden.RowCount; row++)
            {
                double f = golden.Problem.Evaluate(theta, grad);
                double g = Math.Sqrt(grad.Sum(x => x * x)) + 1e-12; // the seed's gnorm: no clipping in these cases
                Close(golden.Value(row, loss), f, $"{name} step {row + 1} loss");
                Close(golden.Value(row, gnorm), g, $"{name} step {row + 1} gnorm");
                for (int i = 0; i < theta.Length; i++) theta[i] = golden.Value(row, thetaColumns[i]);
            }

            static void Close(double expected, double actual, string what)
                => Assert.True(Math.Abs(actual - expected) <= 1e-13 + 1e-11 * Math.Abs(expected), $"{what}: reference {expected:R}, problem {actual:R}");
        }
    }
}
