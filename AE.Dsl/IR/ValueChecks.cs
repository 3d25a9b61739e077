using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Dsl.IR
{
    /// <summary>
    /// The checks a law's constructor makes with the values it was given: <c>ae check</c> made them with the params'
    /// defaults and could not make those that read a run-time dim, and an override can break what the defaults kept.
    /// Only checks that read a param or a run-time dim are listed (the rest passed <c>ae check</c> and cannot change). Every backend walks this one list: the C# emitter writes each check
    /// into the constructor, the device hosts evaluate it, and the messages come from here so they read alike.
    /// </summary>
    public static class ValueChecks
    {
        /// <param name="Reads">the params and run-time dims the check reads: the names its error gives</param>
        public abstract record Check(EqArray<string> Reads);

        /// <summary>A bounded state (a vector's bounds are scalars too): its bounds are not empty (and, for a coefficient, finite: A4), and hold its initial value when that is one number.</summary>
        /// <param name="BoundReads">the params and run-time dims the bounds read; empty when only the initial value reads them</param>
        /// <param name="InitReads">the params and run-time dims the initial value reads</param>
        public sealed record Bounds(IrState State, EqArray<string> BoundReads, EqArray<string> InitReads) : Check(BoundReads)
        {
            public IrRange Range => State.Bounds!;

            /// <summary>A coefficient's ends must be finite (A4); another bounded state's may be infinite.</summary>
            public bool NeedsFiniteEnds => State.Kind == SymbolKind.Coeff && BoundReads.Count > 0;

            /// <summary>Whether the initial value is one number to check (a vector state filled from a scalar, or a scalar state).</summary>
            public bool ChecksInit => State.Init is { } init && init.Type.IsScalar;

            /// <summary>The names given when the initial value lies outside: its own reads, then the bounds' (either may be the setting that moved it out).</summary>
            public EqArray<string> InitAndBoundReads => Distinct(InitReads.Concat(BoundReads));
        }

        /// <summary>The rate of an <c>ema</c> or <c>lp</c> filter read from params or run-time dims lies in [0, 1).</summary>
        /// <param name="Text">the rate as the .ae file writes it</param>
        public sealed record FilterRate(IrExpr Rate, string Text, EqArray<string> Reads) : Check(Reads);

        /// <summary>A <c>require</c> that reads a param or a run-time dim holds.</summary>
        /// <param name="Given">what it reads, in words: "params", "dims" or "params and dims"</param>
        public sealed record Require(IrRequire Condition, EqArray<string> Reads, string Given) : Check(Reads);

        /// <summary>The checks of <paramref name="unit"/> in the order a constructor makes them: bounds, filter rates, requires.</summary>
        public static IReadOnlyList<Check> Of(IrUnit unit)
        {
            var checks = new List<Check>();
            foreach (var s in unit.States.Where(s => s.Bounds is { } b && b.Lo.Type.IsScalar && b.Hi.Type.IsScalar))
            {
                var boundReads = Distinct(IrFacts.ConstructionRefs(unit, s.Bounds!.Lo).Concat(IrFacts.ConstructionRefs(unit, s.Bounds.Hi)));
                var initReads = s.Init is { } init && init.Type.IsScalar ? Distinct(IrFacts.ConstructionRefs(unit, init)) : EqArray<string>.Empty;
                if (boundReads.Count > 0 || initReads.Count > 0) checks.Add(new Bounds(s, boundReads, initReads));
            }
            var rates = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in unit.Rules.SelectMany(r => r.Body).SelectMany(IrFacts.AllExpressions).SelectMany(IrFacts.Descendants).OfType<IrFilter>())
            {
                if (f.Kind is not (FilterKind.Ema or FilterKind.Lp)) continue;
                var rateReads = Distinct(IrFacts.ConstructionRefs(unit, f.Args[0]));
                var text = IrPrinter.Expr(f.Args[0]);
                if (rateReads.Count == 0 || WithinUnitInterval(unit, f.Args[0]) || !rates.Add(text)) continue;
                checks.Add(new FilterRate(f.Args[0], text, rateReads));
            }
            foreach (var r in unit.Requires)
            {
                var reads = Distinct(IrFacts.ConstructionRefs(unit, r.Condition));
                if (reads.Count == 0) continue;
                bool readsParams = reads.Any(n => unit.Params.Any(p => p.Name == n)), readsDims = reads.Any(n => unit.Dims.Any(d => d.Name == n));
                checks.Add(new Require(r, reads, readsParams && readsDims ? "params and dims" : readsDims ? "dims" : "params"));
            }
            return checks;
        }

        /// <summary>
        /// Whether a law's constructor takes the values that <paramref name="eval"/> gives constant expressions and
        /// <paramref name="param"/> gives params (an interpreter's): every scalar param within its declared range, then
        /// no <see cref="FirstFailure"/>.
        /// What a host that must not step outside the law's settings asks (a finite difference's neighbouring points, say).
        /// </summary>
        public static bool Accepts(IrUnit unit, Func<IrExpr, double[]> eval, Func<string, double[]> param)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            if (eval is null) throw new ArgumentNullException(nameof(eval));
            if (param is null) throw new ArgumentNullException(nameof(param));
            foreach (var p in unit.Params)
            {
                if (p.Range is null || !p.Type.IsScalar) continue;
                double v = param(p.Name)[0];
                if (p.Type.IsScalar && p.Type.Scalar == ScalarType.Int) v = Math.Truncate(v);   // as the constructor reads an int param before its range
                if (!ParamHolds(p, v, eval)) return false;
            }
            return FirstFailure(unit, eval) is null;
        }

        /// <summary>Whether a scalar param's value lies in its declared range (a param without one, or not a number, always does).</summary>
        public static bool ParamHolds(IrParam p, double value, Func<IrExpr, double[]> eval)
        {
            if (p.Range is not { } r || !p.Type.IsScalar || p.Type.Scalar == ScalarType.Bool) return true;
            return Holds(r, eval(r.Lo)[0], eval(r.Hi)[0], value);
        }

        /// <summary>What a check of <see cref="Of"/> found wrong.</summary>
        public enum FailureKind
        {
            /// <summary>A coefficient's bound is not finite (A4).</summary>
            InfiniteBounds,
            /// <summary>A state's bounds hold no value.</summary>
            EmptyBounds,
            /// <summary>A state's initial value lies outside its bounds.</summary>
            InitialValue,
            /// <summary>A filter's rate lies outside [0, 1).</summary>
            FilterRate,
            /// <summary>A require does not hold.</summary>
            Require,
        }

        /// <summary>
        /// A check that the values given break: the names the refusal gives, the interval the value had to lie in (none for a
        /// require), the value that broke it and the message's words before the interval.
        /// </summary>
        public sealed record Failure(Check Check, FailureKind Kind, EqArray<string> Reads, double Lo, double Hi, bool LoOpen, bool HiOpen, double Value, string Message)
        {
            /// <summary>Whether the message ends with the interval (every failure but a require's).</summary>
            public bool HasInterval => Kind != FailureKind.Require;
        }

        /// <summary>
        /// The first check of <see cref="Of"/> (in the constructor's order) that the values <paramref name="eval"/> gives
        /// break, or null: the one walk the device hosts (which throw it as the constructor's exception) and
        /// <see cref="Accepts"/> make, so the two cannot disagree.
        /// </summary>
        public static Failure? FirstFailure(IrUnit unit, Func<IrExpr, double[]> eval)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            if (eval is null) throw new ArgumentNullException(nameof(eval));
            foreach (var check in Of(unit))
            {
                switch (check)
                {
                    case Bounds b:
                        var range = b.Range;
                        double lo = eval(range.Lo)[0], hi = eval(range.Hi)[0];
                        Failure Bad(FailureKind kind, EqArray<string> reads, double value, string message) =>
                            new(b, kind, reads, lo, hi, range.LoOpen, range.HiOpen, value, message);
                        if (b.NeedsFiniteEnds && (NotFinite(lo) || NotFinite(hi)))
                            return Bad(FailureKind.InfiniteBounds, b.BoundReads, NotFinite(lo) ? lo : hi, InfiniteBoundsMessage(b.State.Name));
                        if (b.BoundReads.Count > 0 && IsEmpty(range, lo, hi))
                            return Bad(FailureKind.EmptyBounds, b.BoundReads, lo, EmptyBoundsMessage(b.State.Name));
                        if (b.ChecksInit && eval(b.State.Init!)[0] is var init && !Holds(range, lo, hi, init))
                            return Bad(FailureKind.InitialValue, b.InitAndBoundReads, init, InitialValueMessage(b.State.Name));
                        break;
                    case FilterRate f:
                        double rate = eval(f.Rate)[0];
                        if (!(rate >= 0 && rate < 1)) return new Failure(f, FailureKind.FilterRate, f.Reads, 0, 1, false, true, rate, FilterRateMessage(f.Text));
                        break;
                    case Require q:
                        if (eval(q.Condition.Condition)[0] == 0)
                            return new Failure(q, FailureKind.Require, q.Reads, double.NaN, double.NaN, false, false, double.NaN, RequireMessage(q));
                        break;
                }
            }
            return null;
        }

        private static bool NotFinite(double v) => double.IsNaN(v) || double.IsInfinity(v);

        /// <summary>
        /// When a check reads only dims, the first run-time dim they are (or are derived from): the size the law cannot run at.
        /// Null when it reads a param, whose setting is then what is refused.
        /// </summary>
        public static string? RunTimeDimOf(IrUnit unit, IReadOnlyList<string> reads)
        {
            if (reads.Count == 0 || !reads.All(n => unit.Dims.Any(d => d.Name == n))) return null;
            return reads.SelectMany(n => DimValues.RunTimeDimsUnder(unit, n)).FirstOrDefault();
        }

        /// <summary>The bounds [<paramref name="lo"/>, <paramref name="hi"/>] hold no value. (A NaN end of a coefficient's bounds is
        /// not finite, and a NaN end of another state's holds no initial value: both are refused before this is asked.)</summary>
        public static bool IsEmpty(IrRange range, double lo, double hi) => lo > hi || ((range.LoOpen || range.HiOpen) && lo == hi);

        /// <summary><paramref name="value"/> lies within the bounds (a NaN does not).</summary>
        public static bool Holds(IrRange range, double lo, double hi, double value) =>
            (range.LoOpen ? value > lo : value >= lo) && (range.HiOpen ? value < hi : value <= hi);

        public static string EmptyBoundsMessage(string state) => "the bounds of '" + state + "' are empty: ";

        public static string InfiniteBoundsMessage(string coefficient) => "the bounds of coefficient '" + coefficient + "' must be finite (axiom A4): ";

        public static string InitialValueMessage(string state) => "the initial value of '" + state + "' must lie in its bounds ";

        public static string FilterRateMessage(string rateText) => "the rate " + rateText + " of a filter must lie in ";

        public static string RequireMessage(Require r) => "require '" + r.Condition.Label + "' (" + IrPrinter.Expr(r.Condition.Condition) + ") does not hold with the given " + r.Given;

        /// <summary>A param whose declared range already keeps it in [0, 1): its own check covers the filter's.</summary>
        private static bool WithinUnitInterval(IrUnit unit, IrExpr rate) =>
            rate is IrRef { Kind: SymbolKind.Param } r
            && unit.Params.FirstOrDefault(p => p.Name == r.Name)?.Range is { Lo: IrConst lo, Hi: IrConst hi } range
            && lo.Value >= 0 && (hi.Value < 1 || (hi.Value == 1 && range.HiOpen));

        private static EqArray<string> Distinct(IEnumerable<string> names) => new(names.Distinct(StringComparer.Ordinal).ToArray());
    }
}
