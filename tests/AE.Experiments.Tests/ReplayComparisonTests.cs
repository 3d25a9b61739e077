using System;
using System.Linq;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Experiments.Tests
{
    public class ReplayComparisonTests
    {
        // tiny.csv: step, loss, gnorm, theta0, theta1 over 3 steps; tolerance rel 1e-9, abs 1e-12.
        private static readonly double[][] Reference =
        {
            new[] { 0.0, 2.0, 0.1, -0.2 },
            new[] { -0.5, 1.5, 0.2, -0.4 },
            new[] { -0.75, 1.25, 0.25, -0.5 },
        };

        /// <summary>A trajectory equal to the reference, with an extra signal the case does not name.</summary>
        private static Trajectory Exact(Action<double[][]>? edit = null)
        {
            var rows = Reference.Select(r => (double[])r.Clone()).ToArray();
            edit?.Invoke(rows);
            var t = new Trajectory(3, 2, new[] { "extra", "gnorm", "L" });
            foreach (var r in rows) t.Append(123.0, new[] { 7.0, r[1], r[0] }, new[] { r[2], r[3] });
            return t;
        }

        [Fact]
        public void An_exact_trajectory_is_within_tolerance_everywhere()
        {
            var report = ReplayComparison.Compare(Cases.Quadratic(), Exact());
            Assert.True(report.Within);
            Assert.Equal(new[] { "loss", "gnorm", "theta0", "theta1" }, report.Columns.Select(c => c.Column)); // 'step' is not compared
            Assert.Equal(new[] { "signal L", "signal gnorm", "theta[0]", "theta[1]" }, report.Columns.Select(c => c.Source));
            Assert.All(report.Columns, c => Assert.Equal((0.0, 0.0, 0, 0), (c.MaxAbs, c.MaxRel, c.Failures, c.FirstFailureStep)));
            Assert.Null(report.FirstFailure);
            Assert.Empty(report.Failed);
        }

        [Fact]
        public void A_deliberate_deviation_is_found_at_its_step_and_column()
        {
            // gnorm at step 2 is off by 1e-6 (relative 6.7e-7, far above 1e-9); theta1 at step 3 by 1e-13 (within abs 1e-12).
            var report = ReplayComparison.Compare(Cases.Quadratic(), Exact(rows => { rows[1][1] += 1e-6; rows[2][3] += 1e-13; }));
            Assert.False(report.Within);
            var gnorm = report.Column("gnorm");
            Assert.False(gnorm.Within);
            Assert.Equal(1, gnorm.Failures);
            Assert.Equal(2, gnorm.FirstFailureStep);
            Assert.Equal(1.5, gnorm.FirstFailureExpected);
            Assert.Equal(1.5 + 1e-6, gnorm.FirstFailureActual);
            Assert.Equal(2, gnorm.MaxAbsStep);
            Assert.Equal(1e-6, gnorm.MaxAbs, 12);
            Assert.Equal(2, gnorm.MaxRelStep);
            Assert.Equal(1e-6 / 1.5, gnorm.MaxRel, 12);

            var theta1 = report.Column("theta1");
            Assert.True(theta1.Within);
            Assert.Equal(3, theta1.MaxAbsStep);
            Assert.True(theta1.MaxAbs > 0 && theta1.MaxAbs < 1e-12);

            Assert.Equal(new[] { "gnorm" }, report.Failed.Select(c => c.Column));
            Assert.Equal("gnorm", report.FirstFailure!.Column);
            Assert.True(report.Column("loss").Within);
        }

        [Fact]
        public void Loss_is_compared_with_the_signal_L_not_the_raw_loss()
        {
            var report = ReplayComparison.Compare(Cases.Quadratic(), Exact(rows => rows[0][0] = 1.0));
            var loss = report.Column("loss");
            Assert.False(loss.Within);
            Assert.Equal(1, loss.FirstFailureStep);
            Assert.Equal(double.PositiveInfinity, loss.MaxRel); // the reference is 0 there
            Assert.Equal(1.0, loss.MaxAbs);
        }

        [Fact]
        public void Tolerance_is_abs_or_rel_inclusive_and_nan_matches_only_nan()
        {
            var tol = new Tolerance(1e-9, 1e-12);
            Assert.True(tol.Accepts(1e-12, 0));          // |a - b| = abs
            Assert.False(tol.Accepts(2e-12, 0));
            Assert.True(tol.Accepts(1000 + 5e-7, 1000)); // 5e-10 relative
            Assert.False(tol.Accepts(1000 + 2e-6, 1000));
            Assert.True(tol.Accepts(double.NaN, double.NaN));
            Assert.False(tol.Accepts(double.NaN, 1));
            Assert.False(tol.Accepts(1, double.NaN));
            Assert.True(tol.Accepts(double.PositiveInfinity, double.PositiveInfinity));
            Assert.False(tol.Accepts(double.PositiveInfinity, double.NegativeInfinity));
            Assert.False(tol.Accepts(1e300, double.PositiveInfinity));
            Assert.Equal(double.PositiveInfinity, Deviation.Relative(1e300, double.PositiveInfinity));
            Assert.Equal(0, Deviation.Relative(0, 0));
            Assert.Equal("rel 1e-09 or abs 1e-12", tol.ToString());

            var report = ReplayComparison.Compare(Cases.Quadratic(), Exact(rows => rows[2][2] = double.NaN));
            var theta0 = report.Column("theta0");
            Assert.Equal((1, 3, double.PositiveInfinity), (theta0.Failures, theta0.FirstFailureStep, theta0.MaxAbs));
        }

        [Fact]
        public void Columns_the_trajectory_cannot_supply_are_errors()
        {
            var noGnorm = new Trajectory(3, 2, new[] { "L" });
            var ex = Assert.Throws<ReplayException>(() => ReplayComparison.Compare(Cases.Quadratic(), noGnorm));
            Assert.Equal("the column 'gnorm' needs the signal 'gnorm', which the law does not have; its signals: L", ex.Message);

            var noSignals = new Trajectory(3, 2, Array.Empty<string>());
            ex = Assert.Throws<ReplayException>(() => ReplayComparison.Compare(Cases.Quadratic(), noSignals));
            Assert.Equal("the column 'loss' needs the signal 'L', which the law does not have; it has no signals", ex.Message);

            var oneTheta = new Trajectory(3, 1, new[] { "L", "gnorm" });
            ex = Assert.Throws<ReplayException>(() => ReplayComparison.Compare(Cases.Quadratic(), oneTheta));
            Assert.Equal("the column 'theta1' needs theta[1], but theta has 1 values", ex.Message);

            var shortRun = new Trajectory(3, 2, new[] { "L", "gnorm" });
            shortRun.Append(0, new[] { 0.0, 2.0 }, new[] { 0.1, -0.2 });
            ex = Assert.Throws<ReplayException>(() => ReplayComparison.Compare(Cases.Quadratic(), shortRun));
            Assert.Equal("the trajectory has 1 steps, the case tiny has 3", ex.Message);
        }

        [Theory]
        [InlineData("theta0", 0)]
        [InlineData("theta12", 12)]
        [InlineData("theta", -1)]
        [InlineData("theta01", -1)]
        [InlineData("thetax", -1)]
        [InlineData("loss", -1)]
        public void Theta_columns_are_theta_then_an_index(string column, int index)
        {
            Assert.Equal(index >= 0, ReplayComparison.TryThetaIndex(column, out int i));
            if (index >= 0) Assert.Equal(index, i);
        }
    }
}
