using System;
using System.IO;
using AE.Experiments.Compilation;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Runtime;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// laws/ae_hd.ae at the ends of the learning-rate sweep's grid (1e-5 and 10) and on the tasks that defeat a
    /// fixed-rate Adam (stale gradients, a moving optimum): each run reaches the task's own target within the
    /// task's own budget, without a divergence. These are the claims of docs/results.md's sweep, cell by cell.
    /// </summary>
    public class AeHdLawTests
    {
        private static readonly Lazy<CompiledLaw> Law = new(() => CompiledLaw.Load(new[] { Path.Combine(RepoPaths.Root, "laws", "ae_hd.ae") }, "AeHd", RepoPaths.Root));

        private static MachineRun Run(string task, double initAlpha, ulong seed, params (string Name, double Value)[] settings)
        {
            var t = TaskCatalog.Create(task);
            var options = Activator.CreateInstance(Law.Value.Type.GetNestedType("Options")!)!;
            options.GetType().GetProperty("init_alpha")!.SetValue(options, initAlpha);
            foreach (var (name, value) in settings) options.GetType().GetProperty(name)!.SetValue(options, value);
            IOptimizerLaw law = Law.Value.Create(t.Dimension, options);
            return new AeMachine(t).Run(law, seed);
        }

        [Theory]
        [InlineData("quadratic", 1e-5)]
        [InlineData("quadratic", 10)]
        [InlineData("rosenbrock", 1e-5)]
        [InlineData("rosenbrock", 10)]
        [InlineData("delayed", 1)]
        [InlineData("moving-optimum", 1e-4)]
        [InlineData("plateau", 1e-5)]
        public void Reaches_the_tasks_target_from_either_end_of_the_grid(string task, double initAlpha)
        {
            for (ulong seed = 0; seed < 2; seed++)
            {
                var run = Run(task, initAlpha, seed);
                Assert.True(run.StepsToTarget.HasValue, run.ToString());
                Assert.Equal(StopReason.Accepted, run.Stop);
            }
        }

        /// <summary>
        /// The horizon is what tames stale gradients: with beta_u = 0 (the one-step, greedy hypergradient) the delayed
        /// task's iterates oscillate and the target is not reached from the same start, where the default reaches it.
        /// </summary>
        [Fact]
        public void The_greedy_hypergradient_does_not_reach_the_delayed_target()
        {
            var greedy = Run("delayed", 0.01, 0, ("beta_u", 0.0));
            Assert.False(greedy.StepsToTarget.HasValue, greedy.ToString());
            Assert.True(Run("delayed", 0.01, 0).StepsToTarget.HasValue);
        }
    }
}
