using System;
using System.Collections.Generic;
using System.Linq;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// What a failed replay blames, from the runs it makes again: the law's noise draws when another seed parts from the
    /// first run no later than the failure and the same seed does not; the backend when the same seed parts as early.
    /// </summary>
    public class RunDepartureTests
    {
        // tiny.csv's rows (loss, gnorm, theta0, theta1); its tolerance is rel 1e-9, abs 1e-12.
        private static readonly double[][] Rows =
        {
            new[] { 0.0, 2.0, 0.1, -0.2 },
            new[] { -0.5, 1.5, 0.2, -0.4 },
            new[] { -0.75, 1.25, 0.25, -0.5 },
        };

        /// <summary>A run over tiny's steps, its gnorm moved by 1e-6 (far beyond the tolerance) from <paramref name="from"/> on.</summary>
        private static Trajectory Run(int from = int.MaxValue)
        {
            var t = new Trajectory(3, 2, new[] { "gnorm", "L" });
            for (int step = 1; step <= Rows.Length; step++)
            {
                var r = Rows[step - 1];
                t.Append(r[0], new[] { r[1] + (step >= from ? 1e-6 : 0), r[0] }, new[] { r[2], r[3] });
            }
            return t;
        }

        private static (string? Why, List<ulong> Seeds) Blame(int failureStep, Trajectory other, Trajectory again)
        {
            var seeds = new List<ulong>();
            var why = RunDeparture.WhyNotTheLaw(Cases.Quadratic(), Run(), failureStep, seed =>
            {
                seeds.Add(seed);
                return seed == RunDeparture.OtherSeed ? other : again;
            });
            return (why, seeds);
        }

        [Fact]
        public void Runs_that_agree_find_no_departure_and_one_that_does_not_is_found_at_its_step_and_column()
        {
            Assert.Null(RunDeparture.Find(Cases.Quadratic(), Run(), Run()));
            Assert.Equal(new RunDeparture(2, "gnorm"), RunDeparture.Find(Cases.Quadratic(), Run(), Run(from: 2)));
        }

        [Fact]
        public void A_failure_another_seed_does_not_move_is_the_law_s_and_the_law_is_not_run_a_third_time()
        {
            var (why, seeds) = Blame(failureStep: 2, other: Run(), again: Run(from: 1));
            Assert.Null(why);
            Assert.Equal(new[] { RunDeparture.OtherSeed }, seeds);
        }

        [Fact]
        public void Another_seed_that_parts_only_after_the_failure_leaves_the_failure_the_law_s()
        {
            var (why, seeds) = Blame(failureStep: 2, other: Run(from: 3), again: Run());
            Assert.Null(why);
            Assert.Equal(new[] { RunDeparture.OtherSeed }, seeds);
        }

        [Fact]
        public void Another_seed_that_parts_by_the_failure_while_the_same_seed_repeats_blames_the_draws()
        {
            var (why, seeds) = Blame(failureStep: 3, other: Run(from: 2), again: Run());
            Assert.Equal(new[] { RunDeparture.OtherSeed, RunDeparture.Seed }, seeds);
            Assert.StartsWith("the law's run depends on its noise draws: with another noise seed it leaves the case's tolerance at step 2 (column gnorm), "
                + "no later than its first value out of tolerance (step 3);", why, StringComparison.Ordinal);
        }

        [Fact]
        public void The_same_seed_parting_only_after_the_other_seed_still_blames_the_draws()
        {
            var (why, _) = Blame(failureStep: 3, other: Run(from: 2), again: Run(from: 3));
            Assert.StartsWith("the law's run depends on its noise draws: with another noise seed it leaves the case's tolerance at step 2", why, StringComparison.Ordinal);
        }

        /// <summary>A law drawing no noise whose backend did not repeat a step was said to depend on its draws.</summary>
        [Theory]
        [InlineData(2)]
        [InlineData(1)]
        public void The_same_seed_parting_as_early_as_the_other_blames_the_backend_not_the_draws(int sameSeedStep)
        {
            var (why, _) = Blame(failureStep: 2, other: Run(from: 2), again: Run(from: sameSeedStep));
            Assert.Equal("its run does not repeat: run again with the same noise seed it leaves the tolerance of its first run at step " + sameSeedStep
                + " (column gnorm; the first run left the case's at step 2), so neither run says whether the law follows the case; "
                + "a backend's steps are to repeat bit for bit: this is a fault of the backend", why);
        }
    }
}
