using System;

namespace AE.Experiments.Replay
{
    /// <summary>Where two runs of one law over a case part: the first step at which they differ beyond the case's tolerance.</summary>
    /// <param name="Step">the first (1-based) step at which some compared column differs beyond the tolerance</param>
    /// <param name="Column">the first such column at that step</param>
    public sealed record RunDeparture(int Step, string Column)
    {
        /// <summary>The noise seed of a replay's first run.</summary>
        public const ulong Seed = 0;

        /// <summary>The noise seed of the second run that tells a failure of the law from a run that depends on its draws.</summary>
        public const ulong OtherSeed = 0x9E3779B97F4A7C15;

        /// <summary>
        /// The first step and column at which <paramref name="other"/> leaves the case's tolerance of
        /// <paramref name="trajectory"/>, over the columns the case compares; null when the two agree everywhere.
        /// </summary>
        public static RunDeparture? Find(GoldenCase golden, Trajectory trajectory, Trajectory other)
        {
            if (golden is null) throw new ArgumentNullException(nameof(golden));
            if (trajectory is null) throw new ArgumentNullException(nameof(trajectory));
            if (other is null) throw new ArgumentNullException(nameof(other));
            var sources = ReplayComparison.Resolve(golden.Columns, trajectory);
            int steps = Math.Min(golden.Steps, Math.Min(trajectory.Count, other.Count));
            for (int row = 0; row < steps; row++)
            {
                for (int c = 0; c < sources.Count; c++)
                {
                    if (sources[c] is not ColumnSource source) continue;
                    if (!golden.Tolerance.Accepts(source.Read(other, row), source.Read(trajectory, row)))
                        return new RunDeparture(row + 1, golden.Columns[c]);
                }
            }
            return null;
        }

        /// <summary>
        /// Why a replay whose first run (<paramref name="first"/>, made with <see cref="Seed"/>) left the tolerance at
        /// <paramref name="firstFailureStep"/> says nothing about the law, or null when the failure is the law's.
        /// <paramref name="run"/> runs the law again with a noise seed. A run with <see cref="OtherSeed"/> that parts from the
        /// first no later than the failure means the law's run depends on its draws, which no replay can match; but only when
        /// a second run with the first's seed does not part from it as early: a run that does not repeat itself says nothing.
        /// </summary>
        public static string? WhyNotTheLaw(GoldenCase golden, Trajectory first, int firstFailureStep, Func<ulong, Trajectory> run)
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            if (Find(golden, first, run(OtherSeed)) is not RunDeparture byDraws || byDraws.Step > firstFailureStep) return null;
            if (Find(golden, first, run(Seed)) is RunDeparture unrepeated && unrepeated.Step <= byDraws.Step)
                return unrepeated.ExplainNotRepeated(firstFailureStep);
            return byDraws.ExplainDraws(firstFailureStep);
        }

        /// <summary>
        /// Why a failed replay says nothing about the law: its trajectory depends on its noise draws no later than the first
        /// step out of tolerance, and no replay draws the reference's noise.
        /// </summary>
        public string ExplainDraws(int firstFailureStep) =>
            "the law's run depends on its noise draws: with another noise seed it leaves the case's tolerance at step " + Step +
            " (column " + Column + "), no later than its first value out of tolerance (step " + firstFailureStep +
            "); a replay follows a reference step by step only with the noise off in both (the seed's noise comes from torch's generator): "
            + "for the seed's AEAgent, init_sigma 0 and sigma_max 0; for another law, the params that scale its noise()";

        /// <summary>Why a failed replay says nothing about the law: run again unchanged, it did not repeat its first run.</summary>
        public string ExplainNotRepeated(int firstFailureStep) =>
            "its run does not repeat: run again with the same noise seed it leaves the tolerance of its first run at step " + Step +
            " (column " + Column + "; the first run left the case's at step " + firstFailureStep +
            "), so neither run says whether the law follows the case; a backend's steps are to repeat bit for bit: this is a fault of the backend";
    }
}
