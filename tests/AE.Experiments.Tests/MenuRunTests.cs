using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using AE.Experiments.Baselines;
using AE.Experiments.Machine;
using AE.Experiments.Menu;
using AE.Experiments.Tasks;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>The runs behind <c>ae experiment run</c>: the coupling grid (prediction 1), gauge robustness (prediction 2), their verdicts.</summary>
    public class MenuRunTests
    {
        /// <summary>Does nothing for <c>k − 1</c> steps, then puts θ on the quadratic's minimiser: the run is at target after exactly k steps.</summary>
        private sealed class Teleport : BaselineLaw
        {
            private readonly double[] _target;
            private readonly long _at;

            public Teleport(int n, double[] target, long at) : base("teleport", n, Array.Empty<string>())
            {
                _target = target;
                _at = at;
            }

            protected override void StepCore<T>(double loss, ReadOnlySpan<T> grad, Span<T> theta)
            {
                if (StepCount == _at)
                    for (int i = 0; i < theta.Length; i++) theta[i] = T.CreateChecked(_target[i]);
            }
        }

        /// <summary>θ ← θ − r g/‖g‖: the same path for the gradient times any c &gt; 0.</summary>
        private sealed class NormalizedDescent : BaselineLaw
        {
            private readonly double _rate;

            public NormalizedDescent(int n, double rate) : base("normalized", n, Array.Empty<string>()) => _rate = rate;

            protected override void StepCore<T>(double loss, ReadOnlySpan<T> grad, Span<T> theta)
            {
                double norm = 0;
                for (int i = 0; i < grad.Length; i++) norm += double.CreateChecked(grad[i]) * double.CreateChecked(grad[i]);
                norm = Math.Sqrt(norm);
                if (norm == 0) return;
                for (int i = 0; i < theta.Length; i++) theta[i] -= T.CreateChecked(_rate * double.CreateChecked(grad[i]) / norm);
            }
        }

        private static QuadraticTask Quadratic() => new("quadratic", dimension: 4, condition: 10, targetGap: 1e-6, defaultSteps: 400);

        private static readonly double[] Alphas = { 0.01, 0.1, 1, 10 };
        private static readonly double[] Mus = { 0, 0.5, 0.9, 0.99 };

        /// <summary>A grid whose cell (α, μ) reaches the target after a number of steps of our choosing (never when null).</summary>
        private static CouplingResult Constructed(Func<double, double, long?> steps, int seeds = 2) =>
            CouplingGrid.Run("constructed", Quadratic, Alphas, Mus, (a, m) =>
            {
                long? k = steps(a, m);
                var target = Quadratic().Minimizer.ToArray();
                return ((n, _) => new Teleport(n, target, k ?? long.MaxValue), null);
            }, seeds, new MachineOptions { MaxSteps = 400 });

        [Fact]
        public void The_grid_runs_every_cell_for_every_seed_and_records_the_steps_to_target()
        {
            var r = Constructed((a, m) => (long)Math.Round(10 * a + 100 * m) + 1);
            Assert.Equal(Alphas.Length * Mus.Length, r.Cells.Count);
            Assert.All(r.Cells, c => Assert.Equal(new ulong[] { 0, 1 }, c.Runs.Select(x => x.Seed)));
            Assert.Equal(1 + 1 + 90, r.Cell(2, 1).MeanSteps); // α = 0.1, μ = 0.9: round(1 + 90) + 1
            Assert.Equal(0.9, r.Cell(2, 1).Mu);
            Assert.Equal(0.1, r.Cell(2, 1).Alpha);
            Assert.Equal(0, r.BestAlpha(0));
        }

        /// <summary>
        /// A row with a cell cut short by Ctrl-C has no best α: the stopped cell might have been it (an interrupted F named
        /// α = 31.6 best in a row whose α = 100 had been stopped, where the whole run's best was 100).
        /// </summary>
        [Fact]
        public void A_row_with_a_cell_cut_short_names_no_best_rate()
        {
            using var stop = new System.Threading.CancellationTokenSource();
            var target = Quadratic().Minimizer.ToArray();
            var r = CouplingGrid.Run("constructed", Quadratic, Alphas, Mus, (a, m) =>
            {
                if (a == Alphas[^1] && m == Mus[0]) stop.Cancel();   // the last cell of the first row, and every row after it
                return ((n, _) => new Teleport(n, target, a == Alphas[^1] ? 5 : 50), null);
            }, 2, new MachineOptions { MaxSteps = 400 }, stop.Token);
            Assert.Equal(new[] { false, false, false, true }, Enumerable.Range(0, Alphas.Length).Select(a => r.Cell(0, a).CutShort));
            Assert.True(r.Cell(0, 0).Converged);
            Assert.True(r.RowCutShort(0));
            Assert.Equal(-1, r.BestAlpha(0));
            Assert.Empty(CouplingGrid.BestPoints(r));
        }

        [Fact]
        public void A_best_rate_falling_as_the_momentum_rises_holds()
        {
            // The fewest steps where α (1 − μ)^-1 is 1: the best α falls from 1 (μ = 0) to 0.01 (μ = 0.99), the coupling of plain momentum.
            var r = Constructed((a, m) => 10 + (long)Math.Round(50 * Math.Abs(Math.Log10(a / (1 - m)))));
            var best = Enumerable.Range(0, Mus.Length).Select(r.BestAlpha).Select(i => Alphas[i]).ToArray();
            Assert.Equal(new[] { 1, 1, 0.1, 0.01 }, best);
            var j = CouplingGrid.Judge(r);
            // μ = 0.99's best α is the grid's smallest (left out); over the other three rows the slope is about −1.
            Assert.Equal(Verdict.Held, j.Verdict);
            Assert.Contains("over 3 rows", j.Numbers, StringComparison.Ordinal);
            Assert.Equal("held", j.Word);
        }

        [Fact]
        public void A_best_rate_that_rises_with_the_momentum_or_stays_does_not_hold()
        {
            var rising = Constructed((a, m) => 10 + (long)Math.Round(50 * Math.Abs(Math.Log10(a * (1 - m)))));   // best α = 1/(1 − μ), inside for μ < 0.9
            var flat = Constructed((a, m) => 10 + (long)Math.Round(50 * Math.Abs(Math.Log10(a / 0.1))));          // best α = 0.1 in every row
            Assert.Equal(Verdict.NotTestable, CouplingGrid.Judge(rising).Verdict); // rows 0.9, 0.99 at the top end: two rows left
            Assert.Equal(Verdict.DidNotHold, CouplingGrid.Judge(flat).Verdict);
            Assert.Contains("slope 0.000", CouplingGrid.Judge(flat).Numbers, StringComparison.Ordinal);
            var mixed = CouplingGrid.Run("rising", Quadratic, Alphas, new[] { 0.0, 0.5, 0.8 }, (a, m) =>
            {
                long k = 10 + (long)Math.Round(50 * Math.Abs(Math.Log10(a * (1 - m) / 0.1)));   // best α = 0.1/(1 − μ): 0.1, 0.2 → 0.1, 0.5 → 1
                var target = Quadratic().Minimizer.ToArray();
                return ((n, _) => new Teleport(n, target, k), null);
            }, 1, new MachineOptions { MaxSteps = 400 });
            var j = CouplingGrid.Judge(mixed);
            Assert.Equal(Verdict.DidNotHold, j.Verdict);
            Assert.StartsWith("slope 1.", j.Numbers, StringComparison.Ordinal);
        }

        [Fact]
        public void No_converged_cell_is_not_testable_and_a_refused_cell_does_not_run()
        {
            var r = CouplingGrid.Run("never", Quadratic, Alphas, Mus, (a, m) => a > 1 ? (null, "above alpha_max") : ((n, _) => new SgdMomentum(n, 1e-9, m), null), 1,
                new MachineOptions { MaxSteps = 20 });
            Assert.All(r.Cells.Where(c => c.Alpha > 1), c => { Assert.Empty(c.Runs); Assert.Equal('-', c.Mark); });
            Assert.All(r.Cells.Where(c => c.Alpha <= 1), c => Assert.Equal('.', c.Mark));
            Assert.Equal(Verdict.NotTestable, CouplingGrid.Judge(r).Verdict);
        }

        [Fact]
        public void Fit_gives_the_least_squares_slope_and_pearsons_r()
        {
            var (slope, r) = CouplingGrid.Fit(new[] { 0.0, 1, 2, 3 }, new[] { 1.0, -1, -3, -5 });
            Assert.Equal(-2, slope, 12);
            Assert.Equal(-1, r, 12);
            var (s2, r2) = CouplingGrid.Fit(new[] { 0.0, 1, 2 }, new[] { 0.0, 1, 0 });
            Assert.Equal(0, s2, 12);
            Assert.Equal(0, r2, 12);
        }

        [Fact]
        public void The_same_seeds_give_the_same_grid()
        {
            CouplingResult Once() => CouplingGrid.Run("sgdm", () => TaskCatalog.Create("quadratic"), new[] { 0.3, 1 }, new[] { 0.0, 0.9 },
                (a, m) => ((n, _) => new SgdMomentum(n, a, m), null), 2, new MachineOptions { MaxSteps = 300 });
            var a = Once();
            var b = Once();
            Assert.Equal(a.Cells.Select(c => c.Runs.Select(r => r.Metrics)), b.Cells.Select(c => c.Runs.Select(r => r.Metrics)));
            Assert.Contains(a.Cells, c => c.Converged); // SGDm at 1 with momentum 0.9 reaches the quadratic in about 130 steps
        }

        [Fact]
        public void A_scaled_task_multiplies_loss_gradient_optimum_and_target()
        {
            var inner = Quadratic();
            var scaled = new ScaledTask(Quadratic(), 10);
            var theta = new double[] { 0.3, -1, 2, 0.5 };
            var g1 = new double[4];
            var g2 = new double[4];
            double l1 = inner.Evaluate(theta, g1, 0), l2 = scaled.Evaluate(theta, g2, 0);
            Assert.Equal(10 * l1, l2, 12);
            for (int i = 0; i < 4; i++) Assert.Equal(10 * g1[i], g2[i], 12);
            Assert.Equal(10 * inner.OptimumLoss!.Value, scaled.OptimumLoss!.Value, 12);
            Assert.Equal(10 * inner.TargetLoss, scaled.TargetLoss, 12);
            Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledTask(inner, 0));
        }

        // Powers of two: the scaled loss and gradient are exact, so a scale-free method takes the same path bit for bit.
        private static IReadOnlyList<GaugeCondition> Scales() => new[] { 0.125, 1, 8 }
            .Select(c => new GaugeCondition("x" + c, c, () => new ScaledTask(Quadratic(), c))).ToList();

        [Fact]
        public void A_scale_free_method_is_invariant_and_fixed_rate_descent_is_not()
        {
            var cells = GaugeRobustness.Run(Scales(), new[]
            {
                new GaugeArm("normalized", (n, _) => new NormalizedDescent(n, 0.05)),
                new GaugeArm("sgd", (n, _) => new SgdMomentum(n, 0.05, 0)),
            }, seeds: 2, maxSteps: 200);
            Assert.Equal(6, cells.Count);
            Assert.All(cells, c => Assert.Equal(200, c.Curve.Length));
            var normalized = cells.Where(c => c.Method == "normalized").ToList();
            Assert.All(normalized, c => Assert.Equal(normalized[0].MeanScore, c.MeanScore)); // the same path at every c
            Judgement Judge(string m, double progress) => GaugeRobustness.Judge("scales",
                cells.Where(c => c.Method == m).Select(c => (c.Condition.Label, c.MeanScore, c.MeanStart)).ToList(), minProgress: progress);
            Assert.Equal(Verdict.Held, Judge("normalized", GaugeRobustness.MinProgress).Verdict);
            Assert.Contains("spread 0.00 decades", Judge("normalized", GaugeRobustness.MinProgress).Numbers, StringComparison.Ordinal);
            Assert.Equal(Verdict.DidNotHold, Judge("sgd", 0).Verdict); // at c = 0.125 an eighth of the step, at 8 eight times it
        }

        [Fact]
        public void The_gauge_verdict_on_constructed_scores()
        {
            Assert.Equal(Verdict.Held, GaugeRobustness.Judge("f", new[] { ("a", -3.0, 1.0), ("b", -3.5, 1.0), ("c", -3.2, 1.0) }).Verdict);
            var no = GaugeRobustness.Judge("f", new[] { ("a", -3.0, 1.0), ("b", -3.6, 1.0) });
            Assert.Equal(Verdict.DidNotHold, no.Verdict);
            Assert.Contains("spread 0.60", no.Numbers, StringComparison.Ordinal);
            Assert.Equal(Verdict.NotTestable, GaugeRobustness.Judge("f", new[] { ("a", 0.5, 1.0), ("b", 0.4, 1.0) }).Verdict); // less than a decade of progress
            Assert.Equal(Verdict.NotTestable, GaugeRobustness.Judge("f", new[] { ("a", -3.0, 1.0) }).Verdict);
            Assert.Equal(Verdict.Held, GaugeRobustness.Combine(new[] { Verdict.Held, Verdict.Held }));
            Assert.Equal(Verdict.DidNotHold, GaugeRobustness.Combine(new[] { Verdict.Held, Verdict.DidNotHold, Verdict.NotTestable }));
            Assert.Equal(Verdict.NotTestable, GaugeRobustness.Combine(new[] { Verdict.Held, Verdict.NotTestable }));
        }

        [Fact]
        public void A_diverged_run_keeps_its_worse_end_to_the_budget()
        {
            var machine = new AeMachine(Quadratic(), new MachineOptions { MaxSteps = 100, AcceptOnTarget = false });
            var run = machine.Run(new SgdMomentum(4, 50, 0), 0);   // lr 50 on eigenvalues up to 1: diverges in a few steps
            Assert.Equal(StopReason.Diverged, run.Stop);
            var gaps = GaugeRobustness.LogGaps(run, 1);
            Assert.Equal(100, gaps.Length);
            int taken = run.Log.Count;
            Assert.True(taken < 100);
            double worse = Math.Max(gaps[0], gaps[taken - 1]);
            Assert.All(gaps.Skip(taken), g => Assert.Equal(worse, g));
            Assert.Equal(Math.Log10(run.Log.Loss(0) - run.OptimumLoss!.Value), gaps[0], 12);
        }
    }
}
