using System;

namespace AE.Dsl.Passes
{
    /// <summary>
    /// The ranges builtins reach as floating point computes them, in float64 and float32 alike. Where the
    /// real function only approaches a limit, the computed one reaches it for arguments far enough out:
    /// exp(-800) and sigmoid(-800) are 0, tanh(29.7) is 1, softplus(-800) is 0, exp(800) is inf. So a range
    /// is closed at such a limit unless the argument's interval keeps the function away from it.
    /// </summary>
    internal static class FunctionRanges
    {
        /// <summary>
        /// How far from ±1 a saturating function's value must stay to be known not to round onto it: 2^-20,
        /// 16 float32 ulps below 1, beyond the few ulps float32's vector tanh and sigmoid are off by. tanh
        /// rounds to 1 from x = 9.01 in float32 (19.1 in float64); the margin makes it 7.27. Sigmoid: 13.86.
        /// </summary>
        private const double SaturationMargin = 1.0 / (1 << 20);

        /// <summary>
        /// How far a + (b - a) w (w in [0, 1]) can fall outside [min(a, b), max(a, b)], relative to the larger
        /// end: a few float32 roundings. lerp(1, 1e-20, 1) is 0, not 1e-20.
        /// </summary>
        private const double BlendSlack = 1.0 / (1 << 20);

        /// <summary>e^x: 0 where x can be below about -87.3 (float32 underflows there, float64 below -745), unbounded where x is.</summary>
        public static Interval Exp(Interval x) => new Interval(Math.Exp(x.Lo), Math.Exp(x.Hi), x.LoOpen, x.HiOpen).Underflowed();

        /// <summary>1 / (1 + e^-x): 0 as exp, 1 where x can be above about 13.86.</summary>
        public static Interval Sigmoid(Interval x)
            => Saturated(new Interval(IR.Scalar.Sigmoid(x.Lo), IR.Scalar.Sigmoid(x.Hi), x.LoOpen, x.HiOpen).Underflowed());

        /// <summary>tanh x: ±1 where |x| can be above about 7.27. A small x is never rounded to 0 (tanh x is x there).</summary>
        public static Interval Tanh(Interval x)
            => Saturated(new Interval(Math.Tanh(x.Lo), Math.Tanh(x.Hi), x.LoOpen, x.HiOpen));

        /// <summary>log(1 + e^x), which is e^x below -20: 0 as exp.</summary>
        public static Interval Softplus(Interval x)
            => new Interval(IR.Scalar.Softplus(x.Lo), IR.Scalar.Softplus(x.Hi), x.LoOpen, x.HiOpen).Underflowed();

        /// <summary>Each element's share of a sum of exponentials: 0 where it underflows, 1 for a single element.</summary>
        public static Interval Softmax() => new(0, 1);

        /// <summary>cosine(a, b): [-1, 1] exactly, since every backend holds the quotient there (rounding can pass it).</summary>
        public static Interval Cosine() => new(-1, 1);

        /// <summary>
        /// sqrt(x^2 + eps^2): positive where eps^2 cannot underflow, that is where |eps| is kept away from 0 by
        /// at least about 1e-19 (float32).
        /// </summary>
        public static Interval Softabs(Interval eps) => eps.Square().IsPositive ? Interval.Positive : Interval.NonNegative;

        /// <summary>
        /// max(a, b) + log(e^(k (a - m)) + e^(k (b - m))) / k with m = max(a, b): at least m when k > 0 (the
        /// logarithm is of 1 plus something in [0, 1]). With k that can be 0 or negative it is anything
        /// (log 2 / 0 is inf; a negative k makes it a smooth min).
        /// </summary>
        public static Interval SmoothMax(Interval a, Interval b, Interval k)
        {
            if (!k.IsPositive) return Interval.All;
            double lo = Math.Max(a.Lo, b.Lo);
            return new Interval(lo, double.PositiveInfinity, loOpen: lo == 0 && (a.IsPositive || b.IsPositive));
        }

        /// <summary>
        /// a + (b - a) w with w in [0, 1] (lerp; softclamp is one with w a sigmoid): between a and b up to
        /// rounding. The start a is kept exactly: where b >= a, b - a and the product are >= 0 and adding them to a
        /// rounds to at least a (and where b <= a, to at most a). The far end is not: rounding keeps a sign both ends
        /// have but not a margin from 0 smaller than the rounding error, so a positive lower end reached from above
        /// moves down by it, to 0 if it is that small (lerp(1, 1e-20, 1) is 0).
        /// </summary>
        public static Interval Blend(Interval a, Interval b)
        {
            var hull = Interval.Hull(a, b);
            double slack = BlendSlack * Math.Max(Math.Abs(hull.Lo), Math.Abs(hull.Hi));
            bool upward = a.Hi <= b.Lo, downward = a.Lo >= b.Hi;
            var (lo, loOpen) = upward ? (a.Lo, a.LoOpen) : hull.Lo > 0 ? TowardZero(hull.Lo, slack) : (hull.Lo, hull.LoOpen);
            var (negHi, hiOpen) = downward ? (-a.Hi, a.HiOpen) : hull.Hi < 0 ? TowardZero(-hull.Hi, slack) : (-hull.Hi, hull.HiOpen);
            return new Interval(lo, -negHi, loOpen, hiOpen);
        }

        /// <summary>A positive end <paramref name="v"/> less <paramref name="slack"/>, a closed 0 where that leaves too little.</summary>
        private static (double, bool) TowardZero(double v, double slack)
        {
            double moved = v - slack;
            return moved >= Interval.SmallestNonZero ? (moved, false) : (0, false);
        }

        /// <summary>A value within <see cref="SaturationMargin"/> of ±1 can round onto it: that end is closed at ±1.</summary>
        private static Interval Saturated(Interval r)
        {
            bool lo = r.Lo <= -1 + SaturationMargin, hi = r.Hi >= 1 - SaturationMargin;
            return new Interval(lo ? -1 : r.Lo, hi ? 1 : r.Hi, !lo && r.LoOpen, !hi && r.HiOpen);
        }
    }
}
