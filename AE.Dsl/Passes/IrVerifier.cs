using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Passes
{
    /// <summary>
    /// Checks the invariants every pass must keep: each read names something declared or defined
    /// above it, each value is defined once, next values only of state, filter slots declared.
    /// Returns the problems found (empty when the IR is well formed).
    /// </summary>
    public static class IrVerifier
    {
        public static IReadOnlyList<string> Verify(IrUnit unit)
        {
            var problems = new List<string>();
            var declared = new Dictionary<string, SymbolKind>(StringComparer.Ordinal);
            foreach (var d in unit.Dims) declared[d.Name] = SymbolKind.Dim;
            foreach (var p in unit.Params) declared[p.Name] = SymbolKind.Param;
            foreach (var i in unit.Inputs) declared[i.Name] = SymbolKind.Input;
            foreach (var s in unit.States) declared[s.Name] = s.Kind;
            foreach (var a in unit.Accs) declared[a.Name] = SymbolKind.Acc;
            var slots = new HashSet<string>(unit.Filters.Select(f => f.Name), StringComparer.Ordinal);
            var nets = new HashSet<string>(unit.Nets.Select(n => n.Name), StringComparer.Ordinal);
            // A signal with a constant neutral (or never defined) is readable from the start.
            var defined = new HashSet<string>(unit.Signals.Where(s => s.Neutral != null && IrFacts.IsConstant(s.Neutral)).Select(s => s.Name), StringComparer.Ordinal);
            var definedOnce = new HashSet<string>(StringComparer.Ordinal);

            foreach (var rule in unit.Rules)
                Walk(rule.Body, rule.Id);
            return problems;

            void Walk(IEnumerable<IrStmt> body, string rule)
            {
                foreach (var s in body)
                {
                    switch (s)
                    {
                        case IrDefine d:
                            Check(d.Value, rule);
                            if (!definedOnce.Add(d.Name)) problems.Add($"{rule}: '{d.Name}' defined twice");
                            defined.Add(d.Name);
                            break;
                        case IrSetNext n:
                            Check(n.Value, rule);
                            if (!declared.TryGetValue(n.Name, out var k) || (k != SymbolKind.State && k != SymbolKind.Coeff))
                                problems.Add($"{rule}: next value of '{n.Name}', which is not state");
                            break;
                        case IrAccumulate a:
                            Check(a.Value, rule);
                            if (!declared.TryGetValue(a.Name, out var ka) || ka != SymbolKind.Acc) problems.Add($"{rule}: '+=' to '{a.Name}', which is not an accumulator");
                            break;
                        case IrWhen w:
                            Check(w.Condition, rule);
                            Walk(w.Then, rule);
                            Walk(w.Else, rule);
                            break;
                    }
                }
            }

            void Check(IrExpr e, string rule)
            {
                switch (e)
                {
                    case IrRef r:
                        if (r.Kind is SymbolKind.Local or SymbolKind.Signal)
                        {
                            if (!defined.Contains(r.Name)) problems.Add($"{rule}: reads '{r.Name}' before any definition");
                        }
                        else if (!declared.ContainsKey(r.Name)) problems.Add($"{rule}: reads undeclared '{r.Name}'");
                        if (r.Time == RefTime.Next && r.Kind is not (SymbolKind.State or SymbolKind.Coeff)) problems.Add($"{rule}: next value of non-state '{r.Name}'");
                        break;
                    case IrUnary u: Check(u.Operand, rule); break;
                    case IrBinary b: Check(b.Left, rule); Check(b.Right, rule); break;
                    case IrSelect s: Check(s.Condition, rule); Check(s.WhenTrue, rule); Check(s.WhenFalse, rule); break;
                    case IrCall c: foreach (var a in c.Args) Check(a, rule); break;
                    case IrFilter f:
                        if (!slots.Contains(f.Slot)) problems.Add($"{rule}: filter slot '{f.Slot}' not declared");
                        foreach (var a in f.Args) Check(a, rule);
                        break;
                    case IrNetApply n:
                        if (!nets.Contains(n.Net)) problems.Add($"{rule}: unknown net '{n.Net}'");
                        Check(n.Input, rule);
                        break;
                }
            }
        }

    }
}
