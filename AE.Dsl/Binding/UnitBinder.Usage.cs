using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.IR;

namespace AE.Dsl.Binding
{
    internal sealed partial class UnitBinder
    {
        /// <summary>Unused declarations and rule-defined values (AE0050), rules without effect (AE0043).</summary>
        private void ReportUnused()
        {
            // On a file with syntax errors, parts of rules are missing: 'unused' and 'no effect' would be noise.
            if (_bag.HasSyntaxErrors) return;
            var accumulated = new HashSet<string>(_rules.SelectMany(r => Accumulated(r.Body)), StringComparer.Ordinal);
            var loss = OptimizerLossInput();
            foreach (var sym in _declOrder)
            {
                // A missing group's rules may be what reads it (AE0016 is reported; see _namesOfSuggestedGroups).
                if (sym.Used || MayBeAMissingGroups(sym.Name) || _suggestedForTypos.Contains(sym.Name)) continue;
                switch (sym.Kind)
                {
                    // The host gives an optimizer-shaped law the loss whether it reads it or not (plain SGD does not).
                    case SymbolKind.Input when sym == loss:
                    // An accumulator rules add to is read by the host after each step, as a signal is.
                    case SymbolKind.Acc when accumulated.Contains(sym.Name):
                        break;
                    case SymbolKind.Dim:
                    case SymbolKind.Param:
                    case SymbolKind.Input:
                    case SymbolKind.Net:
                    case SymbolKind.Acc:
                        _bag.Report(DiagnosticCatalog.Unused, sym.DeclSpan, Cap(sym.KindText), sym.Name);
                        break;
                    case SymbolKind.Signal when sym.Definition == null && sym.HasNeutral:
                        _bag.Report(DiagnosticCatalog.Unused, sym.DeclSpan, "Signal", sym.Name);
                        break;
                }
            }
            foreach (var local in _locals)
            {
                var sym = _symbols[local.Name];
                if (!sym.Used && !_readEarly.Contains(local.Name) && !MayBeAMissingGroups(local.Name) && !_suggestedForTypos.Contains(local.Name))
                {
                    var bag = _groups.BagFor(local.Origin.Path) ?? _bag;
                    void Report() => bag.Report(DiagnosticCatalog.Unused, local.Origin.Span, "Value", local.Name);
                    if (_definitions.TryGetValue(local.Name, out var definition)) InGroupRule(bag, definition.RuleId, Report);
                    else Report();
                }
            }
            foreach (var rule in _rules)
            {
                if (!HasEffect(rule.Body) && !_rulesWithErrors.Contains(rule.Id))
                {
                    var bag = _groups.BagFor(rule.Origin.Path) ?? _bag;
                    InGroupRule(bag, rule.Id, () => bag.Report(DiagnosticCatalog.RuleWithoutEffect, rule.Origin.Span, rule.Id));
                }
            }
        }

        private static IEnumerable<string> Accumulated(EqArray<IrStmt> body) => body.SelectMany(s => s switch
        {
            IrAccumulate a => new[] { a.Name },
            IrWhen w => Accumulated(w.Then).Concat(Accumulated(w.Else)),
            _ => Enumerable.Empty<string>(),
        });

        /// <summary>A law's first input when the law has the optimizer shape's inputs (a real number, then a real vector): the loss slot.</summary>
        private Symbol? OptimizerLossInput()
        {
            if (_unit.Kind != UnitKind.Law) return null;
            var inputs = _declOrder.Where(x => x.Kind == SymbolKind.Input).ToList();
            return inputs.Count == 2 && inputs[0].Type.Equals(IrType.Real)
                   && inputs[1].Type is { IsScalar: false, Scalar: ScalarType.Real, Rank: 1 } ? inputs[0] : null;
        }

        private bool HasEffect(EqArray<IrStmt> body) => body.Any(s => s switch
        {
            IrSetNext => true,
            IrAccumulate => true,
            IrDefine d => d.Kind == SymbolKind.Signal || (_symbols.TryGetValue(d.Name, out var sym) && sym.UsedOutsideRule) || MayBeAMissingGroups(d.Name)
                         || _suggestedForTypos.Contains(d.Name),   // read but for a typo (AE0010 said so)
            IrWhen w => HasEffect(w.Then) || HasEffect(w.Else),
            _ => false,
        });
    }
}
