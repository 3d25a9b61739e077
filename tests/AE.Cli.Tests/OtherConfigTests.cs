using System;
using System.Collections.Generic;
using System.Linq;
using AE.Experiments.Compilation;
using AE.Experiments.Problems;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>laws/ae_sgdm.ae compiled once (as <c>ae replay</c> compiles it) for every test of <see cref="OtherConfigTests"/>.</summary>
    public sealed class SgdmLaws
    {
        public SgdmLaws()
        {
            Sgdm = CompiledLaw.Load(new[] { Repo.SgdmLaw }, "AeSgdm", Repo.Root);
            NoResonance = CompiledLaw.Load(new[] { Repo.SgdmLaw }, "AeSgdmNoResonance", Repo.Root);
        }

        internal CompiledLaw Sgdm { get; }

        internal CompiledLaw NoResonance { get; }
    }

    /// <summary>
    /// Configurations beyond the four golden cases, with no reference trajectory to compare with (no
    /// PyTorch here, and the interpreter is not independent of the law). Each test asserts a property
    /// the seed's AEAgent.step guarantees for that setting, on the compiled law as ae replay runs it.
    /// </summary>
    public class OtherConfigTests : IClassFixture<SgdmLaws>
    {
        private readonly SgdmLaws _laws;

        public OtherConfigTests(SgdmLaws laws) { _laws = laws; }

        private static GoldenCase Case(string name) => GoldenCase.Load(Repo.Case(name));

        /// <summary>The case's settings with some replaced (or added): null is None, bools and numbers as they are.</summary>
        private static List<CaseSetting> Settings(GoldenCase c, params (string Name, object? Value)[] overrides)
        {
            var settings = c.Settings.ToList();
            foreach (var (name, value) in overrides)
            {
                int i = settings.FindIndex(s => s.Name == name);
                string section = i >= 0 ? settings[i].Section : "config";
                var setting = value switch
                {
                    null => CaseSetting.None(section, name),
                    bool b => CaseSetting.FromBool(section, name, b),
                    _ => CaseSetting.FromNumber(section, name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
                };
                if (i >= 0) settings[i] = setting;
                else settings.Add(setting);
            }
            return settings;
        }

        private static Trajectory Run(CompiledLaw law, GoldenCase c, IEnumerable<CaseSetting> settings, IProblem? problem = null, double[]? theta0 = null, int? steps = null)
        {
            problem ??= c.Problem;
            var start = theta0 ?? c.Theta0.ToArray();
            var instance = law.Create(start.Length, settings);
            return new LawRunner(instance, problem).Run(start, steps ?? c.Steps);
        }

        private static double Norm(ReadOnlySpan<double> v)
        {
            double s = 0;
            foreach (var x in v) s += x * x;
            return Math.Sqrt(s);
        }

        private static double[] Gradient(IProblem problem, ReadOnlySpan<double> theta, out double loss)
        {
            var grad = new double[problem.Dimension];
            loss = problem.Evaluate(theta, grad);
            return grad;
        }

        [Fact]
        public void Clip_grad_norm_bounds_the_gradient_norm_the_law_sees()
        {
            var c = Case("rosenbrock_2d");
            var t = Run(_laws.Sgdm, c, Settings(c, ("clip_grad_norm", 0.5)));
            int clipped = 0;
            var theta = c.Theta0.ToArray();
            for (int row = 0; row < t.Count; row++)
            {
                double gnorm = t.Signal(row, "gnorm");
                Assert.True(gnorm <= 0.5 + 1e-9, $"step {row + 1}: gnorm {gnorm:R} > 0.5");
                // Independently: the gradient norm at the theta the step started from, clipped at 0.5, plus the seed's 1e-12.
                double raw = Norm(Gradient(c.Problem, theta, out _));
                if (raw > 0.5) clipped++;
                Assert.True(Math.Abs(gnorm - (Math.Min(raw, 0.5) + 1e-12)) <= 1e-12 * Math.Max(1, raw), $"step {row + 1}: gnorm {gnorm:R}, raw {raw:R}");
                theta = t.ThetaRow(row).ToArray();
            }
            Assert.True(clipped > 100, "clipping was active at " + clipped + " steps only");
        }

        /// <summary>A 1-D quadratic whose gradient at 1e300 is 1e300: its square, and so the gradient's squared norm, overflows.</summary>
        private static readonly QuadraticProblem Overflowing = new(new[] { new[] { 1.0 } }, new[] { 1e10 });

        [Fact]
        public void A_gradient_norm_that_overflows_leaves_the_coefficients_where_the_seeds_clips_put_them()
        {
            // The seed's _clip(x, lo, hi) = max(lo, min(hi, x)) with Python's min and max: a NaN comes out as hi. At the
            // second step the momentum is finite and non-zero and the gradient norm infinite, so the cosine is inf / inf:
            // the seed's rho is 1, and its alpha, mu and sigma stay in their bounds (the language's clamp would keep NaN).
            var c = Case("quadratic_2d");
            var settings = Settings(c);
            var t = Run(_laws.Sgdm, c, settings, Overflowing, new[] { 1e300 }, steps: 3);
            Assert.True(double.IsPositiveInfinity(t.Signal(0, "gnorm")), "the gradient norm overflows: " + t.Signal(0, "gnorm"));
            Assert.Equal(1.0, t.Signal(1, "rho"));
            foreach (var (name, lo, hi) in new[] { ("alpha", "alpha_min", "alpha_max"), ("mu", "mu_min", "mu_max"), ("sigma", "sigma_min", "sigma_max") })
            {
                double min = settings.Single(s => s.Name == lo).Number, max = settings.Single(s => s.Name == hi).Number;
                for (int row = 0; row < t.Count; row++)
                {
                    double v = t.Signal(row, name);
                    Assert.True(v >= min && v <= max, $"step {row + 1}: {name} = {v:R}, outside [{min:R}, {max:R}]");
                }
            }
            for (int row = 0; row < t.Count; row++) Assert.True(double.IsFinite(t.ThetaRow(row)[0]), $"step {row + 1}: theta {t.ThetaRow(row)[0]:R}");
        }

        [Fact]
        public void Clipping_a_gradient_whose_norm_overflows_gives_the_zero_gradient_the_seed_clips_it_to()
        {
            // The seed scales the gradient by clip_grad_norm / inf = 0 and measures the zero vector: sum of squares 0,
            // so S and gnorm are the seed's 1e-12 alone. The law's reductions are clip^2 * sum(g0^2), which is 0 * inf.
            var c = Case("quadratic_2d");
            var settings = Settings(c, ("clip_grad_norm", 1.0));
            var t = Run(_laws.Sgdm, c, settings, Overflowing, new[] { 1e300 }, steps: 2);
            Assert.Equal(1e-12, t.Signal(0, "gnorm"));
            Assert.Equal(1e-12, t.Signal(0, "S"));
            // the zero gradient moves nothing: theta is only put back in the box, where the second step's gradient is finite
            double box = settings.Single(s => s.Name == "param_abs_max").Number;
            Assert.Equal(box, t.ThetaRow(0)[0]);
            Assert.Equal(1 + 1e-12, t.Signal(1, "gnorm"), 12);
            for (int row = 0; row < t.Count; row++)
                Assert.True(double.IsFinite(t.Signal(row, "alpha")), $"step {row + 1}: alpha {t.Signal(row, "alpha"):R}");
        }

        [Fact]
        public void An_alpha_min_above_1_is_taken_as_the_seed_takes_it()
        {
            // AEConfig takes any positive alpha_min; the law declared (0, 1] and refused 1.5 with alpha_max 3.
            var c = Case("quadratic_2d");
            var t = Run(_laws.Sgdm, c, Settings(c, ("alpha_min", 1.5), ("alpha_max", 3.0), ("init_alpha", 2.0)), steps: 20);
            for (int row = 0; row < t.Count; row++)
            {
                double alpha = t.Signal(row, "alpha");
                Assert.True(alpha >= 1.5 && alpha <= 3, $"step {row + 1}: alpha {alpha:R}");
            }
        }

        [Fact]
        public void Step_norm_max_bounds_every_move_of_theta()
        {
            var c = Case("quadratic_2d");
            var capped = Run(_laws.Sgdm, c, Settings(c, ("step_norm_max", 0.01)));
            var free = Run(_laws.Sgdm, c, Settings(c));
            double largest = 0;
            var previous = c.Theta0.ToArray();
            for (int row = 0; row < capped.Count; row++)
            {
                var theta = capped.ThetaRow(row).ToArray();
                double move = Math.Sqrt(Enumerable.Range(0, theta.Length).Sum(i => (theta[i] - previous[i]) * (theta[i] - previous[i])));
                Assert.True(move <= 0.01 + 1e-12, $"step {row + 1} moved theta by {move:R}");
                largest = Math.Max(largest, move);
                previous = theta;
            }
            Assert.True(largest > 0.0099, "the cap never bit: largest move " + largest);
            Assert.True(Norm(free.ThetaRow(0)) > 0.01, "without the cap the first step is larger than 0.01");
        }

        [Fact]
        public void Param_abs_max_keeps_every_theta_inside_the_box()
        {
            var c = Case("quadratic_2d"); // optimum (1/3, -2): both coordinates want to leave [-0.2, 0.2]
            var t = Run(_laws.NoResonance, c, Settings(c, ("param_abs_max", 0.2)));
            double largest = 0;
            for (int row = 0; row < t.Count; row++)
            {
                foreach (var x in t.ThetaRow(row))
                {
                    Assert.True(Math.Abs(x) <= 0.2, $"step {row + 1}: theta {x:R} outside [-0.2, 0.2]");
                    largest = Math.Max(largest, Math.Abs(x));
                }
            }
            Assert.Equal(0.2, largest);
            Assert.Equal(new[] { 0.2, -0.2 }, t.ThetaRow(t.Count - 1).ToArray());
        }

        [Fact]
        public void Param_abs_max_none_means_no_clamp()
        {
            var c = Case("quadratic_no_resonance");
            var t = Run(_laws.NoResonance, c, Settings(c, ("param_abs_max", null), ("init_alpha", 0.05)));
            Assert.True(Math.Abs(t.Theta(t.Count - 1, 1) - -2.0) < 1e-6);
        }

        [Fact]
        public void Without_auto_gamma_the_gauge_target_never_latches()
        {
            var c = Case("quadratic_2d");
            long warmup = (long)c.Config.Single(s => s.Name == "auto_gamma_warmup").Number;
            Assert.Equal(20, warmup);
            var latched = Run(_laws.Sgdm, c, Settings(c, ("auto_gamma", true)));
            var off = Run(_laws.Sgdm, c, Settings(c, ("auto_gamma", false)));
            var never = Run(_laws.Sgdm, c, Settings(c, ("auto_gamma", true), ("auto_gamma_warmup", 1_000_000_000)));

            // Through the warm-up both runs use gamma_star: identical to the bit.
            for (int row = 0; row < warmup; row++)
            {
                Assert.Equal(latched.SignalRow(row).ToArray(), off.SignalRow(row).ToArray());
                Assert.Equal(latched.ThetaRow(row).ToArray(), off.ThetaRow(row).ToArray());
            }
            // The latch fires at step warmup + 1 and changes the gauge's drive of alpha from then on.
            Assert.NotEqual(latched.Signal((int)warmup, "alpha"), off.Signal((int)warmup, "alpha"));
            // Off is the same as a warm-up that never ends.
            for (int row = 0; row < off.Count; row++)
            {
                Assert.Equal(never.SignalRow(row).ToArray(), off.SignalRow(row).ToArray());
                Assert.Equal(never.ThetaRow(row).ToArray(), off.ThetaRow(row).ToArray());
            }
        }

        [Fact]
        public void Emergency_brake_cuts_alpha_and_mu_and_the_loss_is_clamped()
        {
            var c = Case("rosenbrock_2d");
            const double gradEmergency = 50, lossEmergency = 100;
            var theta0 = new[] { -2.5, 4.0 }; // loss 12.25 + 100 * 2.25² ≈ 518, gradient norm ≈ 1000
            var settings = Settings(c, ("grad_emergency", gradEmergency), ("loss_emergency", lossEmergency), ("init_mu", 0.9), ("init_alpha", 1e-3));
            var t = Run(_laws.Sgdm, c, settings, theta0: theta0, steps: 400);
            double alphaMin = c.Config.Single(s => s.Name == "alpha_min").Number;
            double maxDlog = c.Config.Single(s => s.Name == "max_dlog_alpha").Number;
            double maxDmu = c.Config.Single(s => s.Name == "max_d_mu").Number;

            double alphaBefore = 1e-3, muBefore = 0.9;
            int brakes = 0;
            for (int row = 0; row < t.Count; row++)
            {
                double rawLoss = t.Loss(row);
                double L = t.Signal(row, "L");
                Assert.Equal(Math.Min(rawLoss, lossEmergency), L); // rosenbrock >= 0: clamped from above only
                double alpha = t.Signal(row, "alpha"), mu = t.Signal(row, "mu");
                if (t.Signal(row, "gnorm") > gradEmergency)
                {
                    brakes++;
                    // alpha' = max(alpha_min, alpha / 10), then one budgeted evolution step (|dlog alpha| <= max_dlog_alpha), then maybe the resonance clamp.
                    Assert.True(alpha <= Math.Max(alphaMin, alphaBefore / 10) * Math.Exp(maxDlog) * (1 + 1e-12), $"step {row + 1}: alpha {alpha:R} after {alphaBefore:R}");
                    Assert.True(mu <= 0.5 + maxDmu + 1e-12, $"step {row + 1}: mu {mu:R}");
                }
                alphaBefore = alpha;
                muBefore = mu;
            }
            Assert.True(brakes >= 1, "the brake never fired");
            Assert.True(t.Loss(0) > lossEmergency);
            Assert.Equal(lossEmergency, t.Signal(0, "L"));
        }

        [Fact]
        public void Rosenbrock_with_other_a_and_b_converges_toward_its_own_minimum_without_the_resonance_clamp()
        {
            var c = Case("rosenbrock_2d"); // the seed's settings: init_alpha 1e-3, init_mu 0.9, alpha_max 0.01, from (-1.5, 2)
            var problem = new RosenbrockProblem(a: 2, b: 10);  // minimum 0 at (2, 4)
            var t = Run(_laws.NoResonance, c, Settings(c), problem: problem, steps: 10_000);
            double Distance(ReadOnlySpan<double> p) => Math.Sqrt((p[0] - 2) * (p[0] - 2) + (p[1] - 4) * (p[1] - 4));

            double start = Distance(c.Theta0), at3000 = Distance(t.ThetaRow(2999)), end = Distance(t.ThetaRow(t.Count - 1));
            Assert.True(start > 4 && at3000 < start && end < at3000, $"distance to (2, 4): {start:R} at the start, {at3000:R} after 3000 steps, {end:R} after 10000");
            Assert.True(end < 0.05, $"ended {end:R} from (2, 4)");
            Assert.True(t.Signal(t.Count - 1, "L") < 1e-4 * t.Loss(0), $"loss {t.Signal(t.Count - 1, "L"):R}, started at {t.Loss(0):R}");

            // With the clamp (the seed's default) alpha collapses to alpha_min and the run stalls where it started.
            var clamped = Run(_laws.Sgdm, c, Settings(c), problem: problem, steps: 10_000);
            Assert.Equal(c.Config.Single(s => s.Name == "alpha_min").Number, clamped.Signal(clamped.Count - 1, "alpha"));
            Assert.True(Distance(clamped.ThetaRow(clamped.Count - 1)) > 3);
        }

        [Fact]
        public void Running_the_compiled_law_into_a_preallocated_trajectory_allocates_nothing()
        {
            var c = Case("linreg_10d");
            var runner = new LawRunner(_laws.Sgdm.Create(c), c.Problem);
            var trajectory = runner.CreateTrajectory(c.Steps);
            runner.Run(c.Theta0, trajectory); // warm-up: JIT
            // The runtime itself may allocate on this thread now and then (tiered compilation's timer, seen
            // as ~7 KB under load); an allocation of the law or the runner would show in every run. So the
            // least of three runs must be 0.
            var allocated = new long[3];
            for (int i = 0; i < allocated.Length; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                runner.Run(c.Theta0, trajectory);
                allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.True(allocated.Min() == 0, "bytes allocated per run: " + string.Join(", ", allocated));
            Assert.Equal(c.Steps, trajectory.Count);
        }
    }
}
