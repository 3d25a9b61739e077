using System;
using System.Linq;
using AE.Experiments.Baselines;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using Xunit;

namespace AE.Experiments.Tests
{
    public class BaselineTests
    {
        public static TheoryData<string> Names() => new() { "sgdm", "adam", "sgd-hd", "adam-hd" };

        [Theory]
        [MemberData(nameof(Names))]
        public void A_step_allocates_nothing_in_double_or_float(string name)
        {
            const int n = 64;
            var law = BaselineCatalog.Create(name, n, 1e-3);
            var grad = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
            var theta = new double[n];
            Allocation.StepsDouble(law, grad, theta, 50); // warm-up
            Assert.Equal(0, Allocation.StepsDouble(law, grad, theta, 1000));

            var lawF = BaselineCatalog.Create(name, n, 1e-3);
            var gradF = grad.Select(g => (float)g).ToArray();
            var thetaF = new float[n];
            Allocation.StepsFloat(lawF, gradF, thetaF, 50);
            Assert.Equal(0, AE.Tests.Shared.Allocated.LeastOfThree(() => Allocation.StepsFloat(lawF, gradF, thetaF, 1000)));
        }

        [Theory]
        [InlineData("sgdm", 0.3)]
        [InlineData("adam", 0.3)]
        [InlineData("sgd-hd", 1.0)]
        [InlineData("adam-hd", 0.3)]
        public void Converges_on_the_condition_1e2_quadratic(string name, double lr)
        {
            var task = TaskCatalog.Create("quadratic");
            var run = new AeMachine(task).Run(BaselineCatalog.Create(name, task.Dimension, lr), 0);
            Assert.True(run.Accepted, run.ToString());
            Assert.Equal(StopReason.Accepted, run.Stop);
            Assert.True(run.StepsToTarget < 1000, run.ToString());
            Assert.True(run.FinalLoss - task.OptimumLoss!.Value <= 1e-6);
            Assert.Equal(0, run.IncidentCount);
        }

        [Fact]
        public void Float_and_double_steps_agree_to_float_precision()
        {
            foreach (var name in BaselineCatalog.Names)
            {
                var d = BaselineCatalog.Create(name, 3, 0.01);
                var f = BaselineCatalog.Create(name, 3, 0.01);
                var thetaD = new[] { 1.0, -2.0, 0.5 };
                var thetaF = new[] { 1f, -2f, 0.5f };
                for (int s = 0; s < 20; s++)
                {
                    var g = thetaD.Select(t => 2 * t).ToArray();
                    d.Step(0, g, thetaD);
                    f.Step(0f, g.Select(x => (float)x).ToArray(), thetaF);
                }
                for (int i = 0; i < 3; i++) Assert.Equal(thetaD[i], thetaF[i], 4);
            }
        }

        [Fact]
        public void Adam_matches_a_hand_computed_first_two_steps()
        {
            var adam = new Adam(2, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8);
            var theta = new[] { 1.0, -1.0 };
            double[] g1 = { 0.5, -2.0 }, g2 = { -1.0, 4.0 };

            adam.Step(3.0, g1, theta);
            // m = 0.1 g1, v = 0.001 g1²; m̂ = g1, v̂ = g1²: the step is lr · g/(|g| + eps)
            double[] expected1 = { 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -1.0 - 0.1 * -2.0 / (2.0 + 1e-8) };
            Assert.Equal(expected1[0], theta[0], 15);
            Assert.Equal(expected1[1], theta[1], 15);
            Assert.Equal(3.0, adam.ReadSignal("L"));
            Assert.Equal(Math.Sqrt(0.25 + 4.0), adam.ReadSignal("gnorm"), 15);

            adam.Step(2.0, g2, theta);
            for (int i = 0; i < 2; i++)
            {
                double m = 0.9 * (0.1 * g1[i]) + 0.1 * g2[i];
                double v = 0.999 * (0.001 * g1[i] * g1[i]) + 0.001 * g2[i] * g2[i];
                double mHat = m / (1 - 0.9 * 0.9), vHat = v / (1 - 0.999 * 0.999);
                double expected = expected1[i] - 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
                Assert.Equal(expected, theta[i], 14);
                Assert.Equal(m, adam.FirstMoment[i], 15);
                Assert.Equal(v, adam.SecondMoment[i], 15);
            }
            // worked numbers: coordinate 0 after two steps
            Assert.Equal(expected1[0] - 0.1 * ((0.9 * 0.05 - 0.1) / 0.19) / (Math.Sqrt((0.999 * 0.00025 + 0.001) / 0.001999) + 1e-8), theta[0], 14);
            Assert.Equal(2, adam.StepCount);
        }

        [Fact]
        public void Sgd_with_momentum_is_pytorchs_heavy_ball()
        {
            var law = new SgdMomentum(1, lr: 0.1, momentum: 0.5);
            var theta = new[] { 1.0 };
            law.Step(0, new[] { 2.0 }, theta);        // v = 2, θ = 1 − 0.2
            Assert.Equal(0.8, theta[0], 15);
            law.Step(0, new[] { 1.0 }, theta);        // v = 0.5·2 + 1 = 2, θ = 0.8 − 0.2
            Assert.Equal(0.6, theta[0], 15);
            Assert.Equal(2.0, law.Velocity[0]);
            Assert.Equal(0.1, law.ReadSignal("alpha"));
            Assert.Equal(0.5, law.ReadSignal("mu"));
            Assert.Equal(0.2, law.ReadSignal("step_norm"), 15);
        }

        [Fact]
        public void Sgd_hd_learning_rate_follows_the_hypergradient()
        {
            // aligned successive gradients (lr too small on a 1-d quadratic): alpha grows by beta g_t·g_{t−1}
            var law = new HypergradientSgd(1, lr: 0.01, beta: 0.001);
            var theta = new[] { 10.0 };
            double previous = 0, alpha = 0.01;
            for (int s = 0; s < 5; s++)
            {
                double g = theta[0];              // f = θ²/2
                law.Step(0.5 * g * g, new[] { g }, theta);
                double h = -g * previous;
                Assert.Equal(h, law.ReadSignal("hypergrad"), 12);
                alpha -= 0.001 * h;
                Assert.Equal(alpha, law.Alpha, 12);
                Assert.True(s == 0 ? law.Alpha == 0.01 : law.Alpha > 0.01);
                previous = g;
            }

            // opposed successive gradients (lr too large: oscillation): alpha shrinks
            var big = new HypergradientSgd(1, lr: 1.9, beta: 0.01);
            theta[0] = 1.0;
            for (int s = 0; s < 3; s++) big.Step(0.5 * theta[0] * theta[0], new[] { theta[0] }, theta);
            Assert.True(big.Alpha < 1.9, "alpha " + big.Alpha);
            Assert.True(big.ReadSignal("hypergrad") > 0);
        }

        [Fact]
        public void Adam_hd_learning_rate_follows_the_hypergradient()
        {
            // aligned: the direction u_{t−1} points along g_t, so h = −g·u < 0 and alpha grows
            var law = new HypergradientAdam(2, lr: 0.01, beta: 0.01);
            var theta = new[] { 10.0, -10.0 };
            law.Step(0, new[] { theta[0], theta[1] }, theta);
            Assert.Equal(0.01, law.Alpha);                 // u_0 = 0: no change at the first step
            double before = law.Alpha;
            var g = new[] { theta[0], theta[1] };
            law.Step(0, g, theta);
            // u_1 = m̂/(√v̂ + ε) = g1/(|g1| + ε) = ±1 per coordinate: h = −(|g_2,0| + |g_2,1|)·(1 − tiny)
            Assert.Equal(-(Math.Abs(g[0]) / (1 + 1e-8 / 10) + Math.Abs(g[1]) / (1 + 1e-8 / 10)), law.ReadSignal("hypergrad"), 9);
            Assert.True(law.Alpha > before);

            // opposed: a gradient that flips sign against the last direction shrinks alpha
            var flip = new HypergradientAdam(1, lr: 0.5, beta: 0.01);
            var t = new[] { 1.0 };
            flip.Step(0, new[] { 1.0 }, t);
            flip.Step(0, new[] { -1.0 }, t);
            Assert.True(flip.Alpha < 0.5);
        }

        [Fact]
        public void Settings_are_checked_and_unknown_names_listed()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new SgdMomentum(3, lr: 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new SgdMomentum(3, momentum: 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(3, beta2: -0.1));
            Assert.Throws<ArgumentOutOfRangeException>(() => new HypergradientSgd(3, beta: double.NaN));
            Assert.Throws<ArgumentOutOfRangeException>(() => new HypergradientAdam(0));
            var e = Assert.Throws<ArgumentException>(() => BaselineCatalog.Create("rmsprop", 3));
            Assert.StartsWith("unknown baseline 'rmsprop'; valid baselines: sgdm, adam, sgd-hd, adam-hd", e.Message, StringComparison.Ordinal);
            var law = new Adam(3);
            Assert.Empty(law.RuleIds);
            Assert.Throws<ArgumentException>(() => law.SetRule("AE5", false));
            Assert.Throws<ArgumentException>(() => law.Step(0, new double[2], new double[3]));
            Assert.Contains("alpha", law.SignalNames);
            Assert.Equal(1e-3, law.ReadSignal(law.SignalNames.ToList().IndexOf("alpha")));
        }
    }
}
