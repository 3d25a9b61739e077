using System;
using System.Linq;
using AE.Experiments.Problems;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Experiments.Tests
{
    public class LawRunnerTests
    {
        private static QuadraticProblem Quadratic() => new(new[] { new[] { 3.0, 0.0 }, new[] { 0.0, 1.0 } }, new[] { 1.0, -2.0 });

        [Fact]
        public void Records_the_loss_every_signal_and_theta_after_each_step()
        {
            var law = new TestSgd(2, new TestSgd.Options { lr = 0.1, warmup = 100 });
            var runner = new LawRunner(law, Quadratic());
            var theta0 = new[] { 0.0, 0.0 };
            var t = runner.Run(theta0, 3);

            Assert.Equal(3, t.Count);
            Assert.Equal(new[] { "L", "gnorm", "lr", "steps" }, t.SignalNames);
            Assert.Equal(new[] { 0.0, 0.0 }, theta0); // the caller's theta0 is never written
            // Step 1 at theta0 = 0: loss 0, grad (-1, 2), theta1 = 0.1 * (1, -2).
            Assert.Equal(0.0, t.Loss(0));
            Assert.Equal(0.0, t.Signal(0, "L"));
            Assert.Equal(Math.Sqrt(5), t.Signal(0, 1));
            Assert.Equal(1.0, t.Signal(0, "steps"));
            Assert.Equal(new[] { 0.1, -0.2 }, t.ThetaRow(0).ToArray());
            // Step 2: grad at (0.1, -0.2) = (3*0.1 - 1, -0.2 + 2) = (-0.7, 1.8).
            Assert.Equal(0.5 * (3 * 0.01 + 0.04) - (0.1 + 0.4), t.Loss(1), 15);
            Assert.Equal(0.1 + 0.1 * 0.7, t.Theta(1, 0), 15);
            Assert.Equal(-0.2 - 0.1 * 1.8, t.Theta(1, 1), 15);
            Assert.Equal(3.0, t.SignalRow(2)[3]);
            Assert.Equal(t.ThetaRow(2).ToArray(), runner.Theta.ToArray());
            Assert.Throws<ArgumentOutOfRangeException>(() => t.Loss(3));
            Assert.Throws<ArgumentException>(() => t.Signal(0, "nope"));
        }

        [Fact]
        public void Continues_the_law_state_and_restarts_theta_from_theta0()
        {
            var law = new TestSgd(2, new TestSgd.Options { lr = 0.1, warmup = 2 });
            var runner = new LawRunner(law, Quadratic());
            var first = runner.Run(new[] { 0.0, 0.0 }, 2);
            var second = runner.Run(new[] { 0.0, 0.0 }, 2);
            Assert.Equal(0.1, first.Signal(1, "lr"));
            Assert.Equal(0.05, second.Signal(0, "lr")); // the law's own step counter went on
            Assert.Equal(new[] { 0.05, -0.1 }, second.ThetaRow(0).ToArray());
        }

        [Fact]
        public void A_run_into_a_preallocated_trajectory_allocates_nothing()
        {
            var problem = new LinearRegressionProblem(
                Enumerable.Range(0, 32).Select(r => Enumerable.Range(0, 8).Select(j => Math.Sin(r + j)).ToArray()).ToArray(),
                Enumerable.Range(0, 32).Select(r => Math.Cos(r)).ToArray());
            var runner = new LawRunner(new TestSgd(8, new TestSgd.Options { lr = 0.05, use_cap = true, step_norm_max = 0.01 }), problem);
            var trajectory = runner.CreateTrajectory(2000);
            var theta0 = new double[8];
            runner.Run(theta0, trajectory); // warm-up (JIT)
            Assert.Equal(0, AE.Tests.Shared.Allocated.LeastOfThree(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                runner.Run(theta0, trajectory);
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }));
            Assert.Equal(2000, trajectory.Count);
        }

        [Fact]
        public void Mismatches_are_clear_errors()
        {
            var e = Assert.Throws<ArgumentException>(() => new LawRunner(new TestSgd(3), Quadratic()));
            Assert.Contains("the law TestSgd was built for dimension 3, but the problem has dimension 2", e.Message, StringComparison.Ordinal);
            var runner = new LawRunner(new TestSgd(2), Quadratic());
            e = Assert.Throws<ArgumentException>(() => runner.Run(new double[3], 5));
            Assert.Contains("theta0 has 3 values", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => runner.Run(new double[2], new Trajectory(5, 2, new[] { "L", "gnorm", "lr" })));
            Assert.Contains("records 3 signals", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => runner.Run(new double[2], new Trajectory(5, 2, new[] { "L", "gnorm", "rate", "steps" })));
            Assert.Contains("signal 2 of the trajectory is 'rate', the law's is 'lr'", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => runner.Run(new double[2], -1));

            var t = new Trajectory(1, 2, new[] { "a" });
            t.Append(0, new[] { 1.0 }, new[] { 1.0, 2.0 });
            Assert.Throws<InvalidOperationException>(() => t.Append(0, new[] { 1.0 }, new[] { 1.0, 2.0 }));
            t.Clear();
            Assert.Equal(0, t.Count);
            Assert.Throws<ArgumentException>(() => t.Append(0, new[] { 1.0, 2.0 }, new[] { 1.0, 2.0 }));
        }
    }
}
