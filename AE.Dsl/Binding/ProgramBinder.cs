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

            return new IrProgram(EqArray.From(units));
        }

        private static int CountErrors(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees)
            => trees.Sum(t => t.Bag.Items.Count(d => d.Severity == Severity.Error));

        private static void ReportDuplicate(DiagnosticBag bag, NameSyntax name, DiagnosticBag firstBag, Text.TextSpan firstSpan)
        {
            var pos = firstBag.File.GetPosition(firstSpan.Start);
            bag.Report(DiagnosticCatalog.DuplicateName, name.Span, name.Text, pos.Line, pos.Column);
        }
    }
}
