using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Passes
{
    /// <summary>
    /// A closed or open interval of reals, the abstract value of the numeric-hazard analysis.
    /// Sound for the operations it models; anything else widens to (-inf, inf).
    /// </summary>
    public readonly struct Interval
    {
        public Interval(double lo, double hi, bool loOpen = false, bool hiOpen = false)
        {
            if (double.IsNaN(lo)) { lo = double.NegativeInfinity; loOpen = true; }
            if (double.IsNaN(hi)) { hi = double.PositiveInfinity; hiOpen = true; }
            Lo = lo; Hi = hi; LoOpen = loOpen || double.IsInfinity(lo); HiOpen = hiOpen || double.IsInfinity(hi);
        }

        public double Lo { get; }
        public double Hi { get; }
        public bool LoOpen { get; }
        public bool HiOpen { get; }

        public static Interval All => new(double.NegativeInfinity, double.PositiveInfinity);
        public static Interval Point(double v) => new(v, v);
        public static Interval Positive => new(0, double.PositiveInfinity, loOpen: true);
        public static Interval NonNegative => new(0, double.PositiveInfinity);

        public bool IsPositive => Lo > 0 || (Lo == 0 && LoOpen);
        public bool IsNegative => Hi < 0 || (Hi == 0 && HiOpen);
        public bool IsNonNegative => Lo >= 0;
        public bool ExcludesZero => IsPositive || IsNegative;

        public static Interval Hull(Interval a, Interval b)
        {
            double lo = Math.Min(a.Lo, b.Lo), hi = Math.Max(a.Hi, b.Hi);
            bool loOpen = (a.Lo == lo ? a.LoOpen : true) && (b.Lo == lo ? b.LoOpen : true);
            bool hiOpen = (a.Hi == hi ? a.HiOpen : true) && (b.Hi == hi ? b.HiOpen : true);
            return new Interval(lo, hi, loOpen, hiOpen);
        }

        public static Interval operator -(Interval a) => new(-a.Hi, -a.Lo, a.HiOpen, a.LoOpen);
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
            return (v, !closedZero && (xOpen || yOpen));
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

        public Interval Reciprocal()
        {
            if (!ExcludesZero) return All;
            var r = new Interval(1 / Hi, 1 / Lo);
            return IsPositive ? new Interval(r.Lo, r.Hi, loOpen: r.Lo == 0) : new Interval(r.Lo, r.Hi, hiOpen: r.Hi == 0);
        }

        public Interval Square()
        {
            double a = Math.Abs(Lo), b = Math.Abs(Hi);
            double hi = Math.Max(a * a, b * b);
            double lo = Lo <= 0 && Hi >= 0 ? 0 : Math.Min(a * a, b * b);
            return new Interval(lo, hi, loOpen: lo == 0 && ExcludesZero);
        }

        public static Interval Monotone(Interval a, Func<double, double> f, bool strictlyPositiveResult = false)
        {
            double lo = f(a.Lo), hi = f(a.Hi);
            return new Interval(lo, hi, a.LoOpen || (strictlyPositiveResult && lo == 0), a.HiOpen);
        }

        public override string ToString()
        {
            static string F(double v) => double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("G6", CultureInfo.InvariantCulture);
            return (LoOpen ? "(" : "[") + F(Lo) + ", " + F(Hi) + (HiOpen ? ")" : "]");
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
