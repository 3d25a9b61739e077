using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Dsl.IR
{
    /// <summary>
    /// The checks a law's constructor makes again with the param values it was given: <c>ae check</c> made them with the
    /// defaults, and an override can break what the defaults kept. Only checks that read a param are listed (the rest
    /// passed <c>ae check</c> and cannot change). Every backend walks this one list: the C# emitter writes each check
    /// into the constructor, the device hosts evaluate it, and the messages come from here so they read alike.
    /// </summary>
    public static class ValueChecks
    {
        public abstract record Check(EqArray<string> Params);

        /// <summary>A bounded state (a vector's bounds are scalars too): its bounds are not empty (and, for a coefficient, finite: A4), and hold its initial value when that is one number.</summary>
        /// <param name="BoundParams">the params the bounds read; empty when only the initial value reads params</param>
        /// <param name="InitParams">the params the initial value reads</param>
        public sealed record Bounds(IrState State, EqArray<string> BoundParams, EqArray<string> InitParams) : Check(BoundParams)
        {
            public IrRange Range => State.Bounds!;

            /// <summary>A coefficient's ends must be finite (A4); another bounded state's may be infinite.</summary>
            public bool NeedsFiniteEnds => State.Kind == SymbolKind.Coeff && BoundParams.Count > 0;

            /// <summary>Whether the initial value is one number to check (a vector state filled from a scalar, or a scalar state).</summary>
            public bool ChecksInit => State.Init is { } init && init.Type.IsScalar;

            /// <summary>The params named when the initial value lies outside: its own, else the bounds'.</summary>
            public EqArray<string> InitOrBoundParams => InitParams.Count > 0 ? InitParams : BoundParams;
        }

        /// <summary>The rate of an <c>ema</c> or <c>lp</c> filter read from params lies in [0, 1).</summary>
        /// <param name="Text">the rate as the .ae file writes it</param>
        public sealed record FilterRate(IrExpr Rate, string Text, EqArray<string> Params) : Check(Params);

        /// <summary>A <c>require</c> that reads a param holds.</summary>
        public sealed record Require(IrRequire Condition, EqArray<string> Params) : Check(Params);

        /// <summary>The checks of <paramref name="unit"/> in the order a constructor makes them: bounds, filter rates, requires.</summary>
        public static IReadOnlyList<Check> Of(IrUnit unit)
        {
            var checks = new List<Check>();
            foreach (var s in unit.States.Where(s => s.Bounds is { } b && b.Lo.Type.IsScalar && b.Hi.Type.IsScalar))
            {
                var boundParams = Distinct(IrFacts.ParamRefs(s.Bounds!.Lo).Concat(IrFacts.ParamRefs(s.Bounds.Hi)));
                var initParams = s.Init is { } init && init.Type.IsScalar ? Distinct(IrFacts.ParamRefs(init)) : EqArray<string>.Empty;
                if (boundParams.Count > 0 || initParams.Count > 0) checks.Add(new Bounds(s, boundParams, initParams));
            }
            var rates = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in unit.Rules.SelectMany(r => r.Body).SelectMany(IrFacts.AllExpressions).SelectMany(IrFacts.Descendants).OfType<IrFilter>())
            {
                if (f.Kind is not (FilterKind.Ema or FilterKind.Lp)) continue;
                var rateParams = Distinct(IrFacts.ParamRefs(f.Args[0]));
                var text = IrPrinter.Expr(f.Args[0]);
                if (rateParams.Count == 0 || WithinUnitInterval(unit, f.Args[0]) || !rates.Add(text)) continue;
                checks.Add(new FilterRate(f.Args[0], text, rateParams));
            }
            foreach (var r in unit.Requires)
            {
                var reads = Distinct(IrFacts.ParamRefs(r.Condition));
                if (reads.Count > 0) checks.Add(new Require(r, reads));
            }
            return checks;
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

        public static string RequireMessage(IrRequire r) => "require '" + r.Label + "' (" + IrPrinter.Expr(r.Condition) + ") does not hold with the given params";

        /// <summary>A param whose declared range already keeps it in [0, 1): its own check covers the filter's.</summary>
        private static bool WithinUnitInterval(IrUnit unit, IrExpr rate) =>
            rate is IrRef { Kind: SymbolKind.Param } r
            && unit.Params.FirstOrDefault(p => p.Name == r.Name)?.Range is { Lo: IrConst lo, Hi: IrConst hi } range
            && lo.Value >= 0 && (hi.Value < 1 || (hi.Value == 1 && range.HiOpen));

        private static EqArray<string> Distinct(IEnumerable<string> names) => new(names.Distinct(StringComparer.Ordinal).ToArray());
    }
}
