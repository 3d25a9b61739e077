using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Passes;

namespace AE.Dsl.Emit
{
    /// <summary>
    /// The step every backend takes before it prints: a variant becomes its base without the removed
    /// rules, under its own name and a title that says how it differs; then the backend's limits are
    /// checked, each as one <see cref="EmitNotSupportedException"/> naming the construct.
    /// </summary>
    internal static class Preparation
    {
        /// <summary>What a backend does not emit yet, beyond what every backend lacks (nets, vector filters, softmax, concat, rank > 1 state).</summary>
        [Flags]
        public enum Limits
        {
            None = 0,
            /// <summary>Inputs and params of rank above 1.</summary>
            RankAboveOneInputsAndParams = 1,
        }

        /// <summary>The unit as a backend prints it: <paramref name="unit"/>, or the variant named <paramref name="typeName"/> without <paramref name="ablate"/>, lagged or not.</summary>
        public static IrUnit Variant(IrUnit unit, string? typeName, IReadOnlyCollection<string> ablate, bool lagged)
        {
            if (ablate.Count == 0 && !lagged) return unit;
            var how = new List<string>();
            if (ablate.Count > 0)
            {
                how.Add("without " + string.Join(", ", ablate.OrderBy(x => x, StringComparer.Ordinal)));
                unit = Ablation.Apply(unit, ablate);
            }
            if (lagged) how.Add("lagged");
            return unit with
            {
                Name = typeName ?? unit.Name,
                Title = (unit.Title ?? unit.Name) + " (" + string.Join(", ", how) + ")",
            };
        }

        /// <summary>
        /// The passes every law backend runs on the unit it prints, once the variant is made and the backend's limits are
        /// checked, so that each computes what the interpreter does: logsumexp out of max and sum (not in a lagged law, where
        /// each reduction is read a step late and the sum's would be of the max of the step before), and scalar filters
        /// hoisted out of vector statements and reductions (they update once per step, not per element).
        /// </summary>
        public static IrUnit Lowered(IrUnit unit, bool lagged)
        {
            if (!lagged) unit = LogSumExpLowering.Apply(unit);
            return FilterHoisting.Apply(unit, lagged);
        }

        /// <summary>The named rules a generated law can switch at run time: one bit each of its <c>Rules</c> mask (a ulong).</summary>
        public const int MaxSwitchableRules = 64;

        /// <summary>
        /// The statements (definitions, updates, accumulations) a law's step may hold: the backends make a local of each in
        /// one method, and C# allows 65,534 locals in a method, the compiler's own included. 10,000 compile and run
        /// (about 20 s to compile); 100,000 passed the check and failed the compile (CS0204) after minutes.
        /// </summary>
        public const int MaxStatements = 10_000;

        /// <summary>The first reduction over a vector in a signal's neutral value (the backends read vectors only inside their passes), or null.</summary>
        private static string? NeutralReduction(IrExpr neutral) =>
            IrFacts.Descendants(neutral).OfType<IrCall>().FirstOrDefault(c => c.Type.IsScalar && c.Args.Any(a => !a.Type.IsScalar))?.Function;

        private static int CountStatements(IEnumerable<IrStmt> body) =>
            body.Sum(s => s is IrWhen w ? CountStatements(w.Then) + CountStatements(w.Else) : 1);

        /// <summary>Throws <see cref="EmitNotSupportedException"/> for the first construct <paramref name="backend"/> (e.g. "the C# backend") does not emit.</summary>
        public static void CheckSupported(IrUnit unit, string backend, Limits limits)
        {
            string what = unit.Kind == UnitKind.Cell ? "cell" : "law";
            if (unit.Nets.Count > 0)
                throw new EmitNotSupportedException($"{what} '{unit.Name}' applies nets; {backend} emits laws without nets so far");
            foreach (var f in unit.Filters)
                if (!f.Type.IsScalar) throw new EmitNotSupportedException($"the filter '{f.Name}' runs over a vector; {backend} emits scalar filters so far");
            foreach (var s in unit.States.Where(s => s.Type.Rank > 1)) throw new EmitNotSupportedException($"'{s.Name}' has rank {s.Type.Rank}");
            int switches = unit.Rules.Count(r => r.Ablatable);
            if (switches > MaxSwitchableRules)
                throw new EmitNotSupportedException($"{what} '{unit.Name}' has {switches} rules that can be switched off; {backend} switches at most {MaxSwitchableRules} (one bit each of a 64-bit mask): merge rules, or make the variants with 'without'");
            foreach (var s in IrFacts.SignalsWithSwitchableNeutrals(unit))
                if (NeutralReduction(s.Neutral!) is string function)
                    throw new EmitNotSupportedException($"the neutral value of signal '{s.Name}' (its value while the rule that defines it is off) reduces a vector ({function}); {backend} emits neutral values without reductions so far: define it in a rule instead, or make that rule fixed", s.Origin);
            int statements = unit.Rules.Sum(r => CountStatements(r.Body));
            if (statements > MaxStatements)
                throw new EmitNotSupportedException($"{what} '{unit.Name}' has {statements.ToString(CultureInfo.InvariantCulture)} definitions and updates; {backend} makes a local of each in one method (C# allows 65,534) and takes at most {MaxStatements.ToString(CultureInfo.InvariantCulture)}: compute more of them as vectors");
            if ((limits & Limits.RankAboveOneInputsAndParams) != 0)
            {
                foreach (var i in unit.Inputs.Where(i => i.Type.Rank > 1)) throw new EmitNotSupportedException($"'{i.Name}' has rank {i.Type.Rank}");
                foreach (var p in unit.Params.Where(p => p.Type.Rank > 1)) throw new EmitNotSupportedException($"'{p.Name}' has rank {p.Type.Rank}");
            }
            foreach (var r in unit.Rules)
                foreach (var s in r.Body)
                    foreach (var e in IrFacts.AllExpressions(s).SelectMany(IrFacts.Descendants))
                        if (e is IrCall c && c.Function is "softmax" or "concat")
                            throw new EmitNotSupportedException($"'{c.Function}' is not emitted by {backend} yet");
        }
    }
}
