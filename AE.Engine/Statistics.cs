using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Engine
{
    /// <summary>A sample's mean and the half-width of its 95% confidence interval (null with fewer than two values).</summary>
    /// <param name="Count">how many values the mean is over</param>
    public readonly record struct MeanCi(double Mean, double? Ci, int Count)
    {
        /// <summary>
        /// The mean of <paramref name="values"/> and the half-width t_{0.975, n−1} · s / √n of the 95% confidence
        /// interval (Student t with n − 1 degrees of freedom, s the sample standard deviation). A non-finite value
        /// makes the mean non-finite and the interval unknown (null).
        /// </summary>
        public static MeanCi Of(IReadOnlyList<double> values)
        {
            if (values is null) throw new ArgumentNullException(nameof(values));
            int n = values.Count;
            if (n == 0) return new MeanCi(double.NaN, null, 0);
            if (!values.All(double.IsFinite)) return new MeanCi(values.Sum() / n, null, n);
            double plain = values.Sum() / n;
            if (n < 2 && double.IsFinite(plain)) return new MeanCi(plain, null, n);
            if (double.IsFinite(plain))
            {
                double squares = 0;
                foreach (double v in values) squares += (v - plain) * (v - plain);
                if (double.IsFinite(squares))
                    return new MeanCi(plain, Statistics.TQuantile975(n - 1) * Math.Sqrt(squares / (n - 1)) / Math.Sqrt(n), n);
            }
            // Finite values near 1e300 overflow the sum or the squares: summed and squared as fractions of the largest magnitude.
            double scale = values.Max(v => Math.Abs(v));
            if (scale == 0) return new MeanCi(0, n < 2 ? null : 0, n);
            double mean = 0;
            foreach (double v in values) mean += v / scale;
            mean /= n;
            if (n < 2) return new MeanCi(mean * scale, null, n);
            double ss = 0;
            foreach (double v in values) ss += (v / scale - mean) * (v / scale - mean);
            double sd = Math.Sqrt(ss / (n - 1));
            return new MeanCi(mean * scale, Statistics.TQuantile975(n - 1) * sd / Math.Sqrt(n) * scale, n);
        }
    }

    public static class Statistics
    {
        // t_{0.975, df} for df = 1..30.
        private static readonly double[] T975 =
        {
            12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
            2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
            2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
        };

        /// <summary>The 97.5% quantile of Student's t with <paramref name="df"/> degrees of freedom (table up to 30, then the Cornish–Fisher expansion).</summary>
        public static double TQuantile975(int df)
        {
            if (df < 1) throw new ArgumentOutOfRangeException(nameof(df), df, "at least one degree of freedom");
            if (df <= T975.Length) return T975[df - 1];
            const double z = 1.959963984540054;
            double v = df, z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2;
            return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
        }
    }
}
