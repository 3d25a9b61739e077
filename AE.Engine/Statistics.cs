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
        /// The table spelling of every report: <c>mean ± ci</c>, or the mean alone where there is no interval, each
        /// number written by the caller's format (<paramref name="ci"/> defaults to <paramref name="mean"/>'s).
        /// </summary>
        public string Text(Func<double, string> mean, Func<double, string>? ci = null)
            => mean(Mean) + (Ci is double h ? " ± " + (ci ?? mean)(h) : "");

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
            // Equal values have that mean and no spread: summed and divided, 0.1 five times is 0.1 ± 2e-17.
            // (+ 0.0: -0 and 0 are equal, and their sum is 0.)
            if (values.All(v => v == values[0])) return new MeanCi(values[0] + 0.0, n < 2 ? null : 0, n);
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
        // Quantiles solved so far, by degrees of freedom (0: not yet); the sample sizes of seeds stay far below its length.
        private static readonly double[] Solved = new double[1024];

        /// <summary>
        /// The 97.5% quantile of Student's t with <paramref name="df"/> degrees of freedom, to about 1e-13 relative: the t whose
        /// upper tail ½·I_{df/(df+t²)}(df/2, ½) is 0.025 (I the regularized incomplete beta function), found by bisection.
        /// </summary>
        public static double TQuantile975(int df)
        {
            if (df < 1) throw new ArgumentOutOfRangeException(nameof(df), df, "at least one degree of freedom");
            if (df < Solved.Length)
            {
                double known = System.Threading.Volatile.Read(ref Solved[df]);
                if (known != 0) return known;
                double t = SolveTQuantile(df, 0.025);
                System.Threading.Volatile.Write(ref Solved[df], t);   // a race solves the same number twice
                return t;
            }
            return SolveTQuantile(df, 0.025);
        }

        /// <summary>The t > 0 whose upper tail under Student's t with <paramref name="df"/> degrees of freedom is <paramref name="tail"/> (below ½).</summary>
        private static double SolveTQuantile(int df, double tail)
        {
            double lo = 0, hi = 1;
            while (UpperTail(df, hi) > tail) hi *= 2;
            // Halve until the bracket stops shrinking: the tail falls strictly with t.
            while (true)
            {
                double mid = lo + (hi - lo) / 2;
                if (mid <= lo || mid >= hi) return mid;
                if (UpperTail(df, mid) > tail) lo = mid;
                else hi = mid;
            }
        }

        /// <summary>P(T &gt; t) for t ≥ 0 under Student's t with <paramref name="df"/> degrees of freedom.</summary>
        private static double UpperTail(int df, double t)
        {
            double t2 = t * t;
            // x = df / (df + t²) and 1 − x, each formed directly so that neither loses digits near 0 or 1.
            return 0.5 * RegularizedBeta(df / (df + t2), t2 / (df + t2), -Log1P(t2 / df), 0.5 * df, 0.5);
        }

        /// <summary>ln(1 + x), accurate where x is small (Goldberg's form: the rounding of 1 + x cancels in the quotient).</summary>
        private static double Log1P(double x)
        {
            double u = 1 + x;
            return u == 1 ? x : Math.Log(u) * x / (u - 1);
        }

        /// <summary>
        /// I_x(a, ½), given x and 1 − x: the continued fraction of the incomplete beta function (evaluated by the modified
        /// Lentz method) in x where x is at most ½ (and below (a + 1) / (a + b + 2), where it converges), and the symmetry
        /// I_x(a, b) = 1 − I_{1−x}(b, a) elsewhere: near x = 1 (many degrees of freedom) the fraction in x converges but its
        /// terms cancel, and the one in 1 − x keeps the digits (1e-13 at 10^9 degrees of freedom, against 4e-9).
        /// </summary>
        /// <param name="logX">ln x, formed by the caller where x is near 1 and ln x would lose digits to x's rounding</param>
        private static double RegularizedBeta(double x, double oneMinusX, double logX, double a, double b)
        {
            System.Diagnostics.Debug.Assert(b == 0.5, "LogBetaHalf is B(a, ½)'s");
            if (x <= 0) return 0;
            if (oneMinusX <= 0) return 1;
            double front = Math.Exp(a * logX + b * Math.Log(oneMinusX) - LogBetaHalf(a));
            return x <= 0.5 && x < (a + 1) / (a + b + 2)
                ? front * BetaFraction(x, a, b) / a
                : 1 - front * BetaFraction(oneMinusX, b, a) / b;
        }

        private static double BetaFraction(double x, double a, double b)
        {
            const double Tiny = 1e-300;
            double c = 1, d = 1 - (a + b) * x / (a + 1);
            if (Math.Abs(d) < Tiny) d = Tiny;
            d = 1 / d;
            double f = d;
            for (int m = 1; m <= 10000; m++)
            {
                // The even step, then the odd step of the fraction's m-th pair of terms.
                double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
                d = 1 + even * d; if (Math.Abs(d) < Tiny) d = Tiny;
                c = 1 + even / c; if (Math.Abs(c) < Tiny) c = Tiny;
                d = 1 / d;
                f *= d * c;
                double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
                d = 1 + odd * d; if (Math.Abs(d) < Tiny) d = Tiny;
                c = 1 + odd / c; if (Math.Abs(c) < Tiny) c = Tiny;
                d = 1 / d;
                double delta = d * c;
                f *= delta;
                if (Math.Abs(delta - 1) < 1e-16) break;
            }
            return f;
        }

        /// <summary>
        /// ln B(a, ½) = ln Γ(½) + ln Γ(a) − ln Γ(a + ½) for a ≥ ½, from Lanczos' form of ln Γ (g = 7, nine terms, about 1e-15
        /// relative) with its large terms combined: a · ln((a + 7) / (a + 6.5)) taken as log1p, so that the difference of two
        /// nearly equal logarithms of Γ keeps its digits for large a (100,000 degrees of freedom and more).
        /// </summary>
        private static double LogBetaHalf(double a)
        {
            const double LogSqrtPi = 0.57236494292470008707;
            return LogSqrtPi - a * Log1P(0.5 / (a + 6.5)) - 0.5 * Math.Log(a + 6.5) + 0.5 + Math.Log(LanczosSum(a - 1) / LanczosSum(a - 0.5));
        }

        private static readonly double[] Lanczos =
        {
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        };

        private static double LanczosSum(double x)
        {
            double sum = Lanczos[0];
            for (int i = 1; i < Lanczos.Length; i++) sum += Lanczos[i] / (x + i);
            return sum;
        }
    }
}
