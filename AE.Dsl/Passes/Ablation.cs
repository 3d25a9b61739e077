using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Passes
{
    /// <summary>
    /// Compile-time ablation: the unit with the named rules switched off. Their statements vanish;
    /// each signal they defined is defined by its neutral value instead, at the place the rule
    /// stood, so everything downstream reads what the checker promised (AE0042 guarantees that
    /// every value read across rules has one).
    /// </summary>
    public static class Ablation
    {
        public static IrUnit Apply(IrUnit unit, IEnumerable<string> ruleIds)
        {
            var off = new HashSet<string>(ruleIds, StringComparer.Ordinal);
            foreach (var id in off)
            {
                var rule = unit.Rules.FirstOrDefault(r => r.Id == id);
                if (rule == null)
                    throw new ArgumentException($"Unit '{unit.Name}' has no rule '{id}'; its rules are {string.Join(", ", unit.Rules.Select(r => r.Id))}");
                if (!rule.Ablatable)
                    throw new ArgumentException($"Rule '{id}' of '{unit.Name}' cannot be switched off (it is {(rule.IsUpdate ? "the update" : "fixed")})");
            }
            var signals = unit.Signals.ToDictionary(s => s.Name, StringComparer.Ordinal);
            var rules = new List<IrRule>();
            foreach (var rule in unit.Rules)
            {
                if (!off.Contains(rule.Id)) { rules.Add(rule); continue; }
                var neutrals = new List<IrStmt>();
                foreach (var def in Definitions(rule.Body))
                    if (def.Kind == SymbolKind.Signal && signals.TryGetValue(def.Name, out var sig) && sig.Neutral != null)
                        neutrals.Add(new IrDefine(def.Name, SymbolKind.Signal, sig.Neutral, def.Span));
                if (neutrals.Count > 0) rules.Add(rule with { Body = EqArray.From(neutrals), Ablatable = false, Title = "neutral values of switched-off rule " + rule.Id });
            }
            var kept = new HashSet<string>(rules.SelectMany(r => Definitions(r.Body)).Select(d => d.Name), StringComparer.Ordinal);
            var slots = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in rules) foreach (var st in r.Body) CollectSlots(st, slots);
            return unit with
            {
                Rules = EqArray.From(rules),
                Locals = EqArray.From(unit.Locals.Where(l => kept.Contains(l.Name))),
                Filters = EqArray.From(unit.Filters.Where(f => slots.Contains(f.Name))),
            };
        }

        private static void CollectSlots(IrStmt s, HashSet<string> slots)
        {
            switch (s)
            {
                case IrDefine d: CollectSlots(d.Value, slots); break;
                case IrSetNext n: CollectSlots(n.Value, slots); break;
                case IrAccumulate a: CollectSlots(a.Value, slots); break;
                case IrWhen w:
                    CollectSlots(w.Condition, slots);
                    foreach (var t in w.Then) CollectSlots(t, slots);
                    foreach (var e in w.Else) CollectSlots(e, slots);
                    break;
            }
        }

        private static void CollectSlots(IrExpr e, HashSet<string> slots)
        {
            if (e is IrFilter f) slots.Add(f.Slot);
            foreach (var c in IrFacts.Children(e)) CollectSlots(c, slots);
        }

        private static IEnumerable<IrDefine> Definitions(IEnumerable<IrStmt> body)
        {
            foreach (var s in body)
            {
                if (s is IrDefine d) yield return d;
                else if (s is IrWhen w)
                {
                    foreach (var x in Definitions(w.Then)) yield return x;
                    foreach (var x in Definitions(w.Else)) yield return x;
                }
            }
        }
    }
}
