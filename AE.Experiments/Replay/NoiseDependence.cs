using System;

namespace AE.Experiments.Replay
{
    /// <summary>Where a law's trajectory leaves a case's tolerance when only its noise seed changes.</summary>
    /// <param name="Step">the first (1-based) step at which some compared column differs beyond the tolerance</param>
    /// <param name="Column">the first such column at that step</param>
    public sealed record NoiseDependence(int Step, string Column)
    {
        /// <summary>
        /// The first step and column at which <paramref name="other"/> (the same law, another noise seed) leaves the
        /// case's tolerance of <paramref name="trajectory"/>, over the columns the case compares; null when the two
        /// agree everywhere (the law draws no noise, or draws it too small to show).
        /// </summary>
        public static NoiseDependence? Find(GoldenCase golden, Trajectory trajectory, Trajectory other)
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
                        return new NoiseDependence(row + 1, golden.Columns[c]);
                }
            }
            return null;
        }

        /// <summary>
        /// Why a failed replay says nothing about the law: its trajectory depends on its noise draws no later than the first
        /// step out of tolerance, and no replay draws the reference's noise.
        /// </summary>
        public string Explain(int firstFailureStep) =>
            "the law's run depends on its noise draws: with another noise seed it leaves the case's tolerance at step " + Step +
            " (column " + Column + "), no later than its first value out of tolerance (step " + firstFailureStep +
            "); a replay follows a reference step by step only with the noise off in both (the seed's noise comes from torch's generator): "
            + "for the seed's AEAgent, init_sigma 0 and sigma_max 0; for another law, the params that scale its noise()";
    }
}
