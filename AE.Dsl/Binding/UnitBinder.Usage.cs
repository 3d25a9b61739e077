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
            foreach (var sym in _declOrder)
            {
                if (sym.Used) continue;
                switch (sym.Kind)
                {
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
                if (!sym.Used && !_readEarly.Contains(local.Name))
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

        private bool HasEffect(EqArray<IrStmt> body) => body.Any(s => s switch
        {
            IrSetNext => true,
            IrAccumulate => true,
            IrDefine d => d.Kind == SymbolKind.Signal || (_symbols.TryGetValue(d.Name, out var sym) && sym.UsedOutsideRule),
            IrWhen w => HasEffect(w.Then) || HasEffect(w.Else),
            _ => false,
        });
    }
}
