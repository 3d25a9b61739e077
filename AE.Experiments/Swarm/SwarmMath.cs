using System;
using System.Collections.Generic;

namespace AE.Experiments.Swarm
{
    /// <summary>
    /// The arithmetic of AE-Swarm (seed 001, <c>aeo_swarm.py</c>), as pure functions: soft selection over the
    /// members' scores, the next round's per-member budgets, and the consensus nudge of a coefficient.
    /// </summary>
    public static class SwarmMath
    {
        /// <summary>
        /// Soft selection: w_i = exp(−(s_i − min s) / T) / Σ_j exp(−(s_j − min s) / T), lower scores better.
        /// T = 0 puts the whole weight on the lowest score (shared equally by ties); T = +∞ gives every finite
        /// score the same weight. A non-finite score (a member that diverged) gets weight 0; when no score is
        /// finite, every member gets 1/K.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">a negative or NaN temperature</exception>
        public static double[] Weights(IReadOnlyList<double> scores, double temperature)
        {
            if (scores is null) throw new ArgumentNullException(nameof(scores));
            if (!(temperature >= 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be >= 0");
            int k = scores.Count;
            var w = new double[k];
            if (k == 0) return w;
            double min = double.PositiveInfinity;
            int finite = 0;
            foreach (double s in scores)
                if (double.IsFinite(s)) { finite++; if (s < min) min = s; }
            if (finite == 0)
            {
                Array.Fill(w, 1.0 / k);
                return w;
            }
            double sum = 0;
            for (int i = 0; i < k; i++)
            {
                double s = scores[i];
                if (!double.IsFinite(s)) w[i] = 0;
                else if (double.IsPositiveInfinity(temperature)) w[i] = 1;
                else if (temperature == 0) w[i] = s == min ? 1 : 0;
                else w[i] = Math.Exp(-(s - min) / temperature);   // in (0, 1], 1 for the best
                sum += w[i];
            }
            for (int i = 0; i < k; i++) w[i] /= sum;
            return w;
        }

        /// <summary>
        /// The next round's budgets: every live member gets <paramref name="minimum"/> steps and the rest of
        /// <paramref name="total"/> is shared in proportion to the weights, by largest remainder (the floors of
        /// w_i · rest first, then one step each to the largest fractional parts, lower index first on ties), so
        /// the budgets sum to <paramref name="total"/> exactly and none is below the minimum. A member marked dead
        /// gets 0 and no minimum. (The seed rounds max(B_min, w_i · B_total) and repairs the sum afterwards, which
        /// can take a member below B_min; this allocation keeps both promises.)
        /// </summary>
        /// <exception cref="ArgumentException">the minimums of the live members exceed the total, or weights that do not fit</exception>
        public static long[] Budgets(IReadOnlyList<double> weights, long total, long minimum, IReadOnlyList<bool>? dead = null)
        {
            if (weights is null) throw new ArgumentNullException(nameof(weights));
            if (total < 0) throw new ArgumentOutOfRangeException(nameof(total), total, "the total must be >= 0");
            if (minimum < 0) throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "the minimum must be >= 0");
            int k = weights.Count;
            if (dead is not null && dead.Count != k) throw new ArgumentException("dead has " + dead.Count + " entries for " + k + " weights", nameof(dead));
            var budgets = new long[k];
            var live = new List<int>();
            for (int i = 0; i < k; i++)
                if (dead is null || !dead[i]) live.Add(i);
            if (live.Count == 0) return budgets;
            if (minimum > 0 && live.Count > total / minimum)
                throw new ArgumentException("the minimum of " + minimum + " steps for " + live.Count + " members exceeds the total of " + total, nameof(minimum));
            long rest = total - minimum * live.Count;
            double sum = 0;
            foreach (int i in live)
            {
                if (!(weights[i] >= 0) || !double.IsFinite(weights[i])) throw new ArgumentException("weight " + i + " is " + weights[i] + "; weights must be finite and >= 0", nameof(weights));
                sum += weights[i];
            }
            var fraction = new double[k];
            long given = 0;
            foreach (int i in live)
            {
                double share = sum > 0 ? weights[i] / sum * rest : (double)rest / live.Count;
                long whole = (long)Math.Floor(share);
                if (whole > rest - given) whole = rest - given;   // rounding can push the floors past the rest by one
                budgets[i] = minimum + whole;
                fraction[i] = share - whole;
                given += whole;
            }
            var order = new List<int>(live);
            order.Sort((a, b) => fraction[b] != fraction[a] ? fraction[b].CompareTo(fraction[a]) : a.CompareTo(b));
            for (int r = 0; given < rest; r = (r + 1) % order.Count, given++) budgets[order[r]]++;
            return budgets;
        }

        /// <summary>The weighted mean Σ w_i c_i, in log space (exp Σ w_i log c_i) for a log-space coefficient; members of weight 0 are left out.</summary>
        public static double WeightedMean(IReadOnlyList<double> values, IReadOnlyList<double> weights, bool logSpace)
        {
            if (values is null) throw new ArgumentNullException(nameof(values));
            if (weights is null) throw new ArgumentNullException(nameof(weights));
            if (values.Count != weights.Count) throw new ArgumentException(values.Count + " values for " + weights.Count + " weights", nameof(weights));
            double mean = 0;
            for (int i = 0; i < values.Count; i++)
                if (weights[i] != 0) mean += weights[i] * (logSpace ? Math.Log(values[i]) : values[i]);
            return logSpace ? Math.Exp(mean) : mean;
        }

        /// <summary>
        /// The consensus nudge c ← (1 − κ) c + κ c̄ (for a log-space coefficient, of log c toward log c̄), κ in [0, 1].
        /// A convex combination: a value between c and c̄, so within any bounds both respect.
        /// </summary>
        public static double Nudge(double value, double target, double kappa, bool logSpace)
        {
            if (!(kappa >= 0 && kappa <= 1)) throw new ArgumentOutOfRangeException(nameof(kappa), kappa, "kappa must be in [0, 1]");
            return logSpace
                ? Math.Exp((1 - kappa) * Math.Log(value) + kappa * Math.Log(target))
                : (1 - kappa) * value + kappa * target;
        }
    }
}
