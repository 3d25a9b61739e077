using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.IR;
using AE.Dsl.Syntax;

namespace AE.Dsl.Binding
{
    /// <summary>Rule groups visible to every unit of a check, and the diagnostic bag of each file.</summary>
    internal sealed class GroupTable
    {
        private readonly Dictionary<string, DiagnosticBag> _bags = new(StringComparer.Ordinal);

        public Dictionary<string, (GroupSyntax Syntax, DiagnosticBag Bag)> Groups { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Used { get; } = new(StringComparer.Ordinal);

        public void AddBag(DiagnosticBag bag) { if (!_bags.ContainsKey(bag.File.Path)) _bags[bag.File.Path] = bag; }
        public DiagnosticBag? BagFor(string path) => _bags.TryGetValue(path, out var b) ? b : null;
    }

    public static class ProgramBinder
    {
        /// <summary>Binds every unit of every file; diagnostics go into each file's bag.</summary>
        public static IrProgram Bind(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees)
        {
            var table = new GroupTable();
            var unitNames = new Dictionary<string, (string Path, Text.TextSpan Span)>(StringComparer.Ordinal);
            foreach (var (tree, bag) in trees)
            {
                table.AddBag(bag);
                foreach (var item in tree.Items)
                {
                    if (item.Name.IsMissing) continue;
                    if (item is GroupSyntax g)
                    {
                        if (table.Groups.TryGetValue(g.Name.Text, out var first)) ReportDuplicate(bag, g.Name, first.Bag, first.Syntax.Name.Span);
                        else table.Groups[g.Name.Text] = (g, bag);
                    }
                }
            }

            var units = new List<IrUnit>();
            foreach (var (tree, bag) in trees)
            {
                foreach (var item in tree.Items)
                {
                    if (item is not UnitSyntax u) continue;
                    if (!u.Name.IsMissing)
                    {
                        if (unitNames.TryGetValue(u.Name.Text, out var first))
                        {
                            ReportDuplicate(bag, u.Name, table.BagFor(first.Path) ?? bag, first.Span);
                            continue;
                        }
                        unitNames[u.Name.Text] = (bag.File.Path, u.Name.Span);
                    }
                    int errorsBefore = CountErrors(trees);
                    var unit = new UnitBinder(u, bag, table).Bind();
                    if (CountErrors(trees) == errorsBefore && !bag.HasErrors) units.Add(unit);
                }
            }

            foreach (var kv in table.Groups)
                if (!table.Used.Contains(kv.Key))
                    kv.Value.Bag.Report(DiagnosticCatalog.GroupNeverUsed, kv.Value.Syntax.Name.Span, kv.Key);

            var variants = BindVariants(trees, unitNames, units, table);
            return new IrProgram(EqArray.From(units), EqArray.From(variants));
        }

        private static List<IrVariant> BindVariants(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees,
            Dictionary<string, (string Path, Text.TextSpan Span)> unitNames, List<IrUnit> units, GroupTable table)
        {
            var unitSyntax = new Dictionary<string, UnitSyntax>(StringComparer.Ordinal);
            foreach (var (tree, _) in trees)
                foreach (var u in tree.Items.OfType<UnitSyntax>())
                    if (!u.Name.IsMissing && !unitSyntax.ContainsKey(u.Name.Text)) unitSyntax[u.Name.Text] = u;
            var bound = units.ToDictionary(u => u.Name, StringComparer.Ordinal);
            var result = new List<IrVariant>();
            foreach (var (tree, bag) in trees)
            {
                foreach (var v in tree.Items.OfType<VariantSyntax>())
                {
                    if (v.Name.IsMissing || v.Base.IsMissing) continue;
                    if (unitNames.TryGetValue(v.Name.Text, out var first))
                    {
                        ReportDuplicate(bag, v.Name, table.BagFor(first.Path) ?? bag, first.Span);
                        continue;
                    }
                    unitNames[v.Name.Text] = (bag.File.Path, v.Name.Span);
                    if (!unitSyntax.TryGetValue(v.Base.Text, out var baseSyntax))
                    {
                        var suggestion = NameSuggestions.Closest(v.Base.Text, unitSyntax.Keys);
                        bag.Report(DiagnosticCatalog.UnknownName, v.Base.Span, v.Base.Text, suggestion != null ? $"; did you mean '{suggestion}'?" : " (no law or cell has this name)");
                        continue;
                    }
                    if (baseSyntax.Kind != v.Kind)
                    {
                        bag.Report(DiagnosticCatalog.BadVariant, v.Base.Span, $"'{v.Base.Text}' is a {(baseSyntax.Kind == UnitKind.Law ? "law" : "cell")}; a {(v.Kind == UnitKind.Law ? "law" : "cell")} variant must be based on a {(v.Kind == UnitKind.Law ? "law" : "cell")}");
                        continue;
                    }
                    if (!bound.TryGetValue(v.Base.Text, out var baseUnit)) continue; // the base has errors of its own
                    var ok = true;
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var id in v.Without)
                    {
                        if (id.IsMissing) { ok = false; continue; }
                        var rule = baseUnit.Rules.FirstOrDefault(r => r.Id == id.Text);
                        var switchable = baseUnit.Rules.Where(r => r.Ablatable).Select(r => r.Id).ToList();
                        if (rule == null)
                        {
                            bag.Report(DiagnosticCatalog.BadVariant, id.Span, $"'{v.Base.Text}' has no rule '{id.Text}'; rules that can be removed: {string.Join(", ", switchable)}");
                            ok = false;
                        }
                        else if (!rule.Ablatable)
                        {
                            bag.Report(DiagnosticCatalog.BadVariant, id.Span, $"Rule '{id.Text}' of '{v.Base.Text}' is {(rule.IsUpdate ? "the update" : "fixed")} and cannot be removed; rules that can be removed: {string.Join(", ", switchable)}");
                            ok = false;
                        }
                        else if (!seen.Add(id.Text))
                        {
                            bag.Report(DiagnosticCatalog.BadVariant, id.Span, $"Rule '{id.Text}' is named twice");
                            ok = false;
                        }
                    }
                    if (ok) result.Add(new IrVariant(v.Name.Text, v.Title, v.Base.Text, EqArray.From(v.Without.Select(w => w.Text)), new IrOrigin(bag.File.Path, v.Name.Span)));
                }
            }
            return result;
        }

        private static int CountErrors(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees)
            => trees.Sum(t => t.Bag.Items.Count(d => d.Severity == Severity.Error));

        private static void ReportDuplicate(DiagnosticBag bag, NameSyntax name, DiagnosticBag firstBag, Text.TextSpan firstSpan)
        {
            bag.Report(DiagnosticCatalog.DuplicateName, name.Span, name.Text, "declared at " + Where.At(firstBag.File, firstSpan.Start, bag.File.Path));
        }
    }
}
