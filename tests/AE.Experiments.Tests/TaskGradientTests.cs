using System;
using System.IO;
using System.Linq;
using AE.Experiments.Replay;
using AE.Experiments.Tasks;
using AE.Runtime;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>Every exact gradient against central finite differences.</summary>
    public class TaskGradientTests
    {
        public static TheoryData<string> DeterministicTasks() => new()
        {
            "quadratic", "quadratic-1e4", "rosenbrock", "rosenbrock-nd", "linreg", "plateau", "scale-change", "moving-optimum",
        };

        [Theory]
        [MemberData(nameof(DeterministicTasks))]
        public void Exact_gradients_match_finite_differences_at_the_start_and_nearby(string name)
        {
            var task = TaskCatalog.Create(name);
            Assert.False(task.IsStochastic);
            foreach (ulong seed in new ulong[] { 0, 7 })
            {
                var theta = FiniteDifferences.Start(task, seed);
                FiniteDifferences.Check((t, g) => task.Evaluate(t, g, 0), theta, what: name + " seed " + seed);
                // a second point, away from the start (and out of the plateau task's flat region)
                var source = new GaussianSource(seed + 100);
                for (int i = 0; i < theta.Length; i++) theta[i] = 0.3 * source.NextGaussian();
                FiniteDifferences.Check((t, g) => task.Evaluate(t, g, 0), theta, what: name + " random point");
                // deterministic tasks: Evaluate and EvaluateExact agree
                var g1 = new double[task.Dimension];
                var g2 = new double[task.Dimension];
                Assert.Equal(task.Evaluate(theta, g1, 3), task.EvaluateExact(theta, g2, 3));
                Assert.Equal(g1, g2);
            }
        }

        [Fact]
        public void Time_varying_tasks_have_exact_gradients_after_their_switch_too()
        {
            var scale = (ScaleChangeTask)TaskCatalog.Create("scale-change");
            var moving = (MovingOptimumTask)TaskCatalog.Create("moving-optimum");
            var theta = FiniteDifferences.Start(scale, 1);
            FiniteDifferences.Check((t, g) => scale.Evaluate(t, g, scale.SwitchStep + 5), theta, what: "scale-change after the switch");
            FiniteDifferences.Check((t, g) => moving.Evaluate(t, g, moving.SwitchStep + 300), theta, what: "moving-optimum after the switch");
        }

        [Fact]
        public void Noise_free_and_delayed_tasks_have_exact_EvaluateExact_gradients()
        {
            var noisy = TaskCatalog.Create("noisy-quadratic");
            var delayed = TaskCatalog.Create("delayed");
            FiniteDifferences.Check((t, g) => noisy.EvaluateExact(t, g, 0), FiniteDifferences.Start(noisy), what: "noisy-quadratic (exact)");
            FiniteDifferences.Check((t, g) => delayed.EvaluateExact(t, g, 0), FiniteDifferences.Start(delayed), what: "delayed (exact)");
        }

        [Fact]
        public void Golden_case_tasks_have_exact_gradients()
        {
            foreach (string name in RepoPaths.ControllerCases())
            {
                var task = GoldenCaseTask.Load(Path.Combine(RepoPaths.Golden, name + ".json"));
                var theta = FiniteDifferences.Start(task);
                for (int i = 0; i < theta.Length; i++) theta[i] += 0.1 * (i + 1);
                FiniteDifferences.Check((t, g) => task.Evaluate(t, g, 0), theta, what: task.Name);
            }
        }

        [FashionMnistFact]
        public void Logistic_regression_gradient_matches_finite_differences_on_sampled_coordinates()
        {
            var task = new FashionMnistLogisticTask(subsetSize: 96, batchSize: 8);
            var theta = FiniteDifferences.Start(task, 3);
            var source = new GaussianSource(11);
            for (int i = 0; i < theta.Length; i++) theta[i] = 0.02 * source.NextGaussian();
            // weights of several classes at pixels in the middle of the image, and every bias
            var coordinates = Enumerable.Range(0, 10).Select(k => k * 784 + 300 + 37 * k).Concat(Enumerable.Range(7840, 10)).ToArray();
            FiniteDifferences.Check((t, g) => task.EvaluateExact(t, g, 0), theta, tolerance: 1e-7, coordinates: coordinates, what: "logreg (exact)");
            // the minibatch loss's own gradient is exact for that minibatch: replay the same draw for every evaluation
            FiniteDifferences.Check((t, g) => { task.Reset(5); return task.Evaluate(t, g, 0); }, theta, tolerance: 1e-7, coordinates: coordinates, what: "logreg (minibatch)");
        }
    }
}
