using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Passes
{
    /// <summary>
    /// A closed or open interval of reals, the abstract value of the numeric-hazard analysis.
    /// Sound for the operations it models as floating point computes them, in float64 and in float32;
    /// anything else widens to (-inf, inf). An unbounded end can be reached (a value can overflow to
    /// infinity), and an end within <see cref="SmallestNonZero"/> of 0 can be 0 (a value can underflow).
    /// </summary>
    public readonly struct Interval
    {
        /// <param name="zeroLeftOut">0 is not a value of it ('x != 0' holds): an end at 0 becomes open, and an interval across
        /// 0 keeps a hole there (an interval cannot leave out any other inner point).</param>
        public Interval(double lo, double hi, bool loOpen = false, bool hiOpen = false, bool zeroLeftOut = false)
        {
            if (double.IsNaN(lo)) { lo = double.NegativeInfinity; loOpen = true; }
            if (double.IsNaN(hi)) { hi = double.PositiveInfinity; hiOpen = true; }
            if (zeroLeftOut && lo == 0 && hi > 0) loOpen = true;
            if (zeroLeftOut && hi == 0 && lo < 0) hiOpen = true;
            Lo = lo; Hi = hi; LoOpen = loOpen || double.IsInfinity(lo); HiOpen = hiOpen || double.IsInfinity(hi);
            ZeroLeftOut = zeroLeftOut && lo < 0 && hi > 0;
        }

        /// <summary>
        /// The smallest magnitude a product, a quotient or a function value is trusted not to round to 0:
        /// float32's smallest normal number, 2^-126. One rule for both precisions, float32's the narrower: a
        /// cell computes in float32 or float64, and a law's float step stores its vectors in float32.
        /// </summary>
        public const double SmallestNonZero = 1.1754943508222875e-38;

        public double Lo { get; }
        public double Hi { get; }
        public bool LoOpen { get; }
        public bool HiOpen { get; }

        /// <summary>0 lies between the ends but is not a value ('x != 0 ? 1 / x : 0'). Operations that do not model the hole drop it, which is sound.</summary>
        public bool ZeroLeftOut { get; }

        public static Interval All => new(double.NegativeInfinity, double.PositiveInfinity);
        public static Interval Point(double v) => new(v, v);
        public static Interval Positive => new(0, double.PositiveInfinity, loOpen: true);
        public static Interval NonNegative => new(0, double.PositiveInfinity);

        public bool IsPositive => Lo > 0 || (Lo == 0 && LoOpen);
        public bool IsNegative => Hi < 0 || (Hi == 0 && HiOpen);
        public bool IsNonNegative => Lo >= 0;
        public bool ExcludesZero => IsPositive || IsNegative || ZeroLeftOut;

        /// <summary>This interval without 0: 'x != 0' narrows x so.</summary>
        public Interval WithoutZero() => new(Lo, Hi, LoOpen, HiOpen, zeroLeftOut: true);

        public static Interval Hull(Interval a, Interval b)
        {
            double lo = Math.Min(a.Lo, b.Lo), hi = Math.Max(a.Hi, b.Hi);
            bool loOpen = (a.Lo == lo ? a.LoOpen : true) && (b.Lo == lo ? b.LoOpen : true);
            bool hiOpen = (a.Hi == hi ? a.HiOpen : true) && (b.Hi == hi ? b.HiOpen : true);
            return new Interval(lo, hi, loOpen, hiOpen, zeroLeftOut: a.ExcludesZero && b.ExcludesZero);
        }

        public static Interval operator -(Interval a) => new(-a.Hi, -a.Lo, a.HiOpen, a.LoOpen, a.ZeroLeftOut);
        public static Interval operator +(Interval a, Interval b) => new(a.Lo + b.Lo, a.Hi + b.Hi, a.LoOpen || b.LoOpen, a.HiOpen || b.HiOpen);
        public static Interval operator -(Interval a, Interval b) => a + -b;

        public static Interval operator *(Interval a, Interval b)
        {
            // Each corner product is open when either endpoint is open, except a closed 0 (0 times anything is 0).
            var corners = new[]
            {
                Corner(a.Lo, a.LoOpen, b.Lo, b.LoOpen), Corner(a.Lo, a.LoOpen, b.Hi, b.HiOpen),
                Corner(a.Hi, a.HiOpen, b.Lo, b.LoOpen), Corner(a.Hi, a.HiOpen, b.Hi, b.HiOpen),
            };
            double lo = corners.Min(c => c.Value), hi = corners.Max(c => c.Value);
            bool loOpen = corners.Where(c => c.Value == lo).All(c => c.Open);
            bool hiOpen = corners.Where(c => c.Value == hi).All(c => c.Open);
            return new Interval(lo, hi, loOpen, hiOpen);
        }

        private static (double Value, bool Open) Corner(double x, bool xOpen, double y, bool yOpen)
        {
            double v = Mul(x, y);
            bool closedZero = (x == 0 && !xOpen) || (y == 0 && !yOpen);
            if (closedZero) return (0, false);
            if (Math.Abs(v) >= SmallestNonZero) return (v, xOpen || yOpen);
            // Near 0 the product underflows to 0, unless an open 0 (a value that is not 0, however small)
            // meets a factor of magnitude >= 1: |x y| >= |x| > 0, and rounding keeps it so.
            bool staysNonZero = (x == 0 && Math.Abs(y) >= 1) || (y == 0 && Math.Abs(x) >= 1);
            return (0, staysNonZero);
        }

        /// <summary>
        /// max(a, b) over intervals, open ends kept. Where the lower ends tie, one open end keeps the
        /// result off the tie (max(a, b) >= a > lo); where the upper ends tie, either can reach it.
        /// </summary>
        public static Interval Max(Interval a, Interval b)
        {
            var (lo, loOpen) = Larger((a.Lo, a.LoOpen), (b.Lo, b.LoOpen), tieOpen: a.LoOpen || b.LoOpen);
            var (hi, hiOpen) = Larger((a.Hi, a.HiOpen), (b.Hi, b.HiOpen), tieOpen: a.HiOpen && b.HiOpen);
            return new Interval(lo, hi, loOpen, hiOpen);
        }

        /// <summary>min(a, b) over intervals, open ends kept: the mirror of <see cref="Max"/>.</summary>
        public static Interval Min(Interval a, Interval b)
        {
            var (lo, loOpen) = Smaller((a.Lo, a.LoOpen), (b.Lo, b.LoOpen), tieOpen: a.LoOpen && b.LoOpen);
            var (hi, hiOpen) = Smaller((a.Hi, a.HiOpen), (b.Hi, b.HiOpen), tieOpen: a.HiOpen || b.HiOpen);
            return new Interval(lo, hi, loOpen, hiOpen);
        }

        private static (double, bool) Larger((double V, bool Open) x, (double V, bool Open) y, bool tieOpen)
            => x.V > y.V ? x : y.V > x.V ? y : (x.V, tieOpen);

        private static (double, bool) Smaller((double V, bool Open) x, (double V, bool Open) y, bool tieOpen)
            => x.V < y.V ? x : y.V < x.V ? y : (x.V, tieOpen);

        private static double Mul(double x, double y) => x == 0 || y == 0 ? 0 : x * y;

        /// <summary>
        /// 1/x over an interval that excludes 0. The end nearer 0 is closed at 0 when x is unbounded (x can
        /// overflow to infinity, and 1/inf is 0) or so large that 1/x underflows.
        /// </summary>
        public Interval Reciprocal()
        {
            if (!ExcludesZero) return All;
            // 1/x over a range across 0 is anything, but not 0 where x cannot be so large that 1/x underflows (nor infinite).
            if (ZeroLeftOut) return new Interval(double.NegativeInfinity, double.PositiveInfinity, zeroLeftOut: -Lo < 1 / SmallestNonZero && Hi < 1 / SmallestNonZero);
            if (IsNegative) return -(-this).Reciprocal();
            double hi = Lo == 0 ? double.PositiveInfinity : 1 / Lo;
            return new Interval(1 / Hi, hi).Underflowed();
        }

        /// <summary>
        /// x*x: never below 0, and 0 itself where x can be 0 or so near 0 that its square underflows. An open
        /// end stays open, as a product's corners do: x in [0, 1) squares into [0, 1), since x*x rounds to at
        /// most x.
        /// </summary>
        public Interval Square()
        {
            double a = Math.Abs(Lo), b = Math.Abs(Hi);
            double hi = Math.Max(a * a, b * b);
            bool hiOpen = (a * a == hi ? LoOpen : true) && (b * b == hi ? HiOpen : true);
            bool reachesZero = (Lo < 0 && Hi > 0) || (Lo == 0 && !LoOpen) || (Hi == 0 && !HiOpen);
            if (reachesZero) return new Interval(0, hi, false, hiOpen).Underflowed();
            bool nearerIsLo = a < b;
            double lo = nearerIsLo ? a * a : b * b;
            return new Interval(lo, hi, nearerIsLo ? LoOpen : HiOpen, hiOpen).Underflowed();
        }

        /// <summary>x^k for a whole k >= 1, as repeated products: an even power is a power of the square, so >= 0.</summary>
        public Interval Power(int k)
        {
            if (k == 1) return this;
            var square = Square();
            var result = square;
            for (int i = 2; i + 1 < k; i += 2) result *= square;
            return k % 2 == 1 ? result * this : result;
        }

        /// <summary>
        /// This interval as a rounded result may leave it: an end nearer 0 than <see cref="SmallestNonZero"/>
        /// (an open 0 included: a positive value however small) is a closed 0.
        /// </summary>
        public Interval Underflowed()
        {
            bool loToZero = Lo >= 0 && Lo < SmallestNonZero;
            bool hiToZero = Hi <= 0 && Hi > -SmallestNonZero;
            return new Interval(loToZero ? 0 : Lo, hiToZero ? 0 : Hi, !loToZero && LoOpen, !hiToZero && HiOpen);
        }

        /// <summary>An increasing function over an interval, its ends kept open where the argument's are.</summary>
        public static Interval Monotone(Interval a, Func<double, double> f, bool strictlyPositiveResult = false)
        {
            double lo = f(a.Lo), hi = f(a.Hi);
            return new Interval(lo, hi, a.LoOpen || (strictlyPositiveResult && lo == 0), a.HiOpen);
        }

        public override string ToString()
        {
            static string F(double v) => double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e');
            return (LoOpen ? "(" : "[") + F(Lo) + ", " + F(Hi) + (HiOpen ? ")" : "]") + (ZeroLeftOut ? " without 0" : "");
        }

        /// <summary>The interval of a constant expression (a bound or a default), given each param's interval.</summary>
        public static Interval Of(IrExpr e, Dictionary<string, Interval> paramIntervals) => new IntervalEvaluator(paramIntervals).Eval(e);

        /// <summary>Every param's interval: its declared range, or anything when it has none (an override could be anything).</summary>
        public static Dictionary<string, Interval> ParamIntervals(IReadOnlyList<IrParam> parameters)
        {
            var result = new Dictionary<string, Interval>(StringComparer.Ordinal);
            foreach (var p in parameters) result[p.Name] = ParamInterval(p);
            return result;
        }

        /// <summary>
        /// A param lies in its declared range. A bound that reads another param is taken as unbounded on
        /// that side (names outside the evaluator's environment are anything), which is sound.
        /// </summary>
        public static Interval ParamInterval(IrParam p)
        {
            if (p.Type.Scalar == ScalarType.Bool) return new Interval(0, 1);
            if (p.Range == null) return All;
            var ev = new IntervalEvaluator(new Dictionary<string, Interval>(StringComparer.Ordinal));
            var lo = ev.Eval(p.Range.Lo);
            var hi = ev.Eval(p.Range.Hi);
            return new Interval(lo.Lo, hi.Hi, p.Range.LoOpen || lo.LoOpen, p.Range.HiOpen || hi.HiOpen);
        }
    }
}
