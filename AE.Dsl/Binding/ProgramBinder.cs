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
        public static IrProgram Bind(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees) => Bind(trees, out _);

        /// <summary>
        /// Binds every unit of every file; diagnostics go into each file's bag. The program holds the
        /// units whose files have no errors; <paramref name="bound"/> every unit that was bound (a unit
        /// in a file with errors elsewhere is still worth the passes' warnings).
        /// </summary>
        public static IrProgram Bind(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees, out IReadOnlyList<IrUnit> bound)
        {
            var all = new List<IrUnit>();
            bound = all;
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
                    if (CountErrors(trees) == errorsBefore) all.Add(unit);
                    if (CountErrors(trees) == errorsBefore && !bag.HasErrors) units.Add(unit);
                }
            }

            foreach (var kv in table.Groups)
                if (!table.Used.Contains(kv.Key))
                    kv.Value.Bag.Report(DiagnosticCatalog.GroupNeverUsed, kv.Value.Syntax.Name.Span, kv.Key);

            // Variants are checked against every unit that bound without errors of its own (an error elsewhere in its file must
            // not hide a variant's), and kept only where their base is emitted.
            var variants = BindVariants(trees, unitNames, all, table);
            // A unit whose type clashes with another's has an error: like any unit with one, it has no code.
            var clashing = CheckGeneratedTypes(trees, unitNames);
            units.RemoveAll(u => clashing.Contains(u.Name));
            variants.RemoveAll(v => clashing.Contains(v.Name) || !units.Exists(u => u.Name == v.Base));
            return new IrProgram(EqArray.From(units), EqArray.From(variants));
        }

        private static List<IrVariant> BindVariants(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees,
            Dictionary<string, (string Path, Text.TextSpan Span)> unitNames, List<IrUnit> units, GroupTable table)
        {
            var unitSyntax = new Dictionary<string, UnitSyntax>(StringComparer.Ordinal);
            foreach (var (tree, _) in trees)
                foreach (var u in tree.Items.OfType<UnitSyntax>())
                    if (!u.Name.IsMissing && !unitSyntax.ContainsKey(u.Name.Text)) unitSyntax[u.Name.Text] = u;
            // A unit whose name is missing binds too (its body is still checked): it is no variant's base.
            var bound = new Dictionary<string, IrUnit>(StringComparer.Ordinal);
            foreach (var u in units) if (u.Name.Length > 0 && !bound.ContainsKey(u.Name)) bound[u.Name] = u;
            var variantSyntax = new List<(VariantSyntax Syntax, DiagnosticBag Bag)>();
            foreach (var (tree, bag) in trees)
                foreach (var v in tree.Items.OfType<VariantSyntax>())
                    if (!v.Name.IsMissing && !v.Base.IsMissing) variantSyntax.Add((v, bag));

            // Declared names first, so a variant may be based on a variant declared anywhere.
            var declared = new Dictionary<string, (VariantSyntax Syntax, DiagnosticBag Bag)>(StringComparer.Ordinal);
            foreach (var (v, bag) in variantSyntax)
            {
                if (unitNames.TryGetValue(v.Name.Text, out var first))
                {
                    ReportDuplicate(bag, v.Name, table.BagFor(first.Path) ?? bag, first.Span);
                    continue;
                }
                unitNames[v.Name.Text] = (bag.File.Path, v.Name.Span);
                declared[v.Name.Text] = (v, bag);
            }

            // A variant of a variant removes the union of the rules; chains resolve in dependency order.
            var resolved = new Dictionary<string, (IrUnit Base, List<string> Without, bool Lagged)?>(StringComparer.Ordinal);
            var result = new List<IrVariant>();
            foreach (var kv in declared)
            {
                var chain = new List<string>();
                var r = Resolve(kv.Key, chain);
                if (r is { } ok) result.Add(new IrVariant(kv.Key, kv.Value.Syntax.Title, ok.Base.Name, EqArray.From(ok.Without), new IrOrigin(kv.Value.Bag.File.Path, kv.Value.Syntax.Name.Span), ok.Lagged));
            }

            (IrUnit Base, List<string> Without, bool Lagged)? Resolve(string name, List<string> chain)
            {
                if (resolved.TryGetValue(name, out var done)) return done;
                var (v, bag) = declared[name];
                if (chain.Contains(name))
                {
                    bag.Report(DiagnosticCatalog.CyclicDefinition, v.Base.Span, string.Join(" -> ", chain.Concat(new[] { name }).Select(n => "'" + n + "'")), DiagnosticCatalog.VariantCycleAdvice);
                    resolved[name] = null;
                    return null;
                }
                if (chain.Count >= 32)
                {
                    bag.Report(DiagnosticCatalog.NestingTooDeep, v.Base.Span, "Variant", 32, "base the variant on the law itself and list every rule to remove");
                    resolved[name] = null;
                    return null;
                }
                chain.Add(name);
                (IrUnit Base, List<string> Without, bool Lagged)? result = null;
                IrUnit? baseUnit = null;
                var without = new List<string>();
                bool lagged = v.Lagged;
                UnitKind? baseKind = null;
                if (declared.ContainsKey(v.Base.Text))
                {
                    var inner = Resolve(v.Base.Text, chain);
                    if (inner is { } i) { baseUnit = i.Base; without.AddRange(i.Without); lagged |= i.Lagged; baseKind = i.Base.Kind; }
                    else baseKind = declared[v.Base.Text].Syntax.Kind;
                }
                else if (unitSyntax.TryGetValue(v.Base.Text, out var baseSyntax))
                {
                    baseKind = baseSyntax.Kind;
                    bound.TryGetValue(v.Base.Text, out baseUnit);
                }
                else
                {
                    // Not the variant itself: 'law G3W = G3 without R;' is not based on G3W.
                    var suggestion = NameSuggestions.Closest(v.Base.Text, unitSyntax.Keys.Concat(declared.Keys).Where(n => n != v.Name.Text));
                    bag.Report(DiagnosticCatalog.UnknownName, v.Base.Span, v.Base.Text, suggestion != null ? $"; did you mean '{suggestion}'?" : " (no law or cell has this name)");
                }
                if (baseKind is UnitKind k && k != v.Kind)
                {
                    bag.Report(DiagnosticCatalog.BadVariant, v.Base.Span, $"'{v.Base.Text}' is a {(k == UnitKind.Law ? "law" : "cell")}; a {(v.Kind == UnitKind.Law ? "law" : "cell")} variant must be based on a {(v.Kind == UnitKind.Law ? "law" : "cell")}");
                    baseUnit = null;
                }
                if (baseUnit != null)
                {
                    var ok = true;
                    var switchable = baseUnit.Rules.Where(x => x.Ablatable).Select(x => x.Id).DefaultIfEmpty("none (every rule is fixed or the update)").ToList();
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var id in v.Without)
                    {
                        if (id.IsMissing) { ok = false; continue; }
                        var rule = baseUnit.Rules.FirstOrDefault(x => x.Id == id.Text);
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
                        else if (!seen.Add(id.Text) || without.Contains(id.Text))
                        {
                            bag.Report(DiagnosticCatalog.BadVariant, id.Span, without.Contains(id.Text) ? $"Rule '{id.Text}' is already removed by '{v.Base.Text}'" : $"Rule '{id.Text}' is named twice");
                            ok = false;
                        }
                    }
                    if (ok && v.Lagged) ok = CheckLaggable(baseUnit, v, new HashSet<string>(without.Concat(v.Without.Select(w => w.Text)), StringComparer.Ordinal), bag);
                    if (ok) result = (baseUnit, without.Concat(v.Without.Select(w => w.Text)).ToList(), lagged);
                }
                chain.RemoveAt(chain.Count - 1);
                resolved[name] = result;
                return result;
            }
            return result;
        }

        /// <summary>
        /// A lagged law computes every reduction in the update pass, whatever the conditions around it: its
        /// arguments must be free of draws and filter updates, which would otherwise run a second time. The rules the
        /// variant removes (<paramref name="removed"/>, its bases' too) are not in it, and their reductions do not count.
        /// </summary>
        private static bool CheckLaggable(IrUnit unit, VariantSyntax v, HashSet<string> removed, DiagnosticBag bag)
        {
            foreach (var rule in unit.Rules.Where(r => !removed.Contains(r.Id)))
                foreach (var call in Calls(rule.Body))
                    if (IrFacts.IsReduction(call) && !call.Args.All(a => IrFacts.IsPure(a) && IrFacts.DrawsNothing(a)))
                    {
                        bag.Report(DiagnosticCatalog.BadVariant, v.Name.Span, $"'{v.Name.Text}' is lagged, but '{IrPrinter.Source(call)}' in rule {rule.Id} draws noise or updates a filter in its arguments; a lagged law computes every reduction once per step in the update pass");
                        return false;
                    }
            return true;
        }

        private static IEnumerable<IrCall> Calls(IEnumerable<IrStmt> body)
        {
            foreach (var s in body)
            {
                foreach (var e in IrFacts.OwnExpressions(s))
                    foreach (var c in IrFacts.Descendants(e).OfType<IrCall>()) yield return c;
                if (s is IrWhen when)
                    foreach (var c in Calls(when.Then.Concat(when.Else))) yield return c;
            }
        }

        /// <summary>
        /// Two units whose C# types would share a name: a law's population type is the law's name with <c>Population</c>
        /// appended (<c>L</c> and <c>LPopulation</c>), a law named like a generated member gets <c>Law</c> appended (<c>Step</c>
        /// and <c>StepLaw</c>), a cell <c>T</c> is <c>T_</c>, a law's ILGPU kernels are <c>{Name}IlgpuF32</c> and <c>F64</c> (emitted
        /// where the project references ILGPU). Each name passed AE0011 alone; together they would not compile.
        /// </summary>
        /// <returns>the units (and variants) reported, the later of each clashing pair</returns>
        private static HashSet<string> CheckGeneratedTypes(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees,
            Dictionary<string, (string Path, Text.TextSpan Span)> unitNames)
        {
            var owners = new Dictionary<string, string>(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (tree, bag) in trees)
                foreach (var item in tree.Items)
                {
                    var (name, kind) = item switch { UnitSyntax u => (u.Name, u.Kind), VariantSyntax v => (v.Name, v.Kind), _ => (null, default(UnitKind)) };
                    // the declaration AE0011 kept (a duplicate name was reported there)
                    if (name is null || name.IsMissing || !unitNames.TryGetValue(name.Text, out var declared) || declared.Span != name.Span || declared.Path != bag.File.Path) continue;
                    // A cell's type is generic (Name<T>): it shares a name only with another cell's, never with a law's.
                    var types = kind == UnitKind.Cell
                        ? new[] { (Emit.Names.CellTypeName(name.Text) + "`1", "the C# type of cell '" + name.Text + "'", "the C# type '" + name.Text + "' would compile to") }
                        : new[] { (Emit.Names.LawTypeName(name.Text).TrimStart('@'), "the C# type of law '" + name.Text + "'", "the C# type '" + name.Text + "' would compile to"),
                                  (Emit.Names.PopulationTypeName(name.Text), "the C# type of the population of law '" + name.Text + "'", "the C# type of the population of '" + name.Text + "'"),
                                  (Emit.Names.IlgpuKernelTypeName(name.Text, true), "the C# class of the ILGPU kernels of law '" + name.Text + "'", "the C# class of the ILGPU kernels of '" + name.Text + "'"),
                                  (Emit.Names.IlgpuKernelTypeName(name.Text, false), "the C# class of the ILGPU kernels of law '" + name.Text + "'", "the C# class of the ILGPU kernels of '" + name.Text + "'") };
                    foreach (var (type, what, role) in types)
                    {
                        if (owners.TryGetValue(type, out var first))
                        {
                            string shown = type.Replace("`1", "");
                            bag.Report(DiagnosticCatalog.DuplicateName, name.Span, name.Text, first + (shown == name.Text ? "" : " ('" + shown + "', " + role + ")"), "rename one of them");
                            reported.Add(name.Text);
                            break;
                        }
                        owners[type] = what;
                    }
                }
            return reported;
        }

        private static int CountErrors(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees)
            => trees.Sum(t => t.Bag.ErrorCount);

        private static void ReportDuplicate(DiagnosticBag bag, NameSyntax name, DiagnosticBag firstBag, Text.TextSpan firstSpan)
        {
            bag.Report(DiagnosticCatalog.DuplicateName, name.Span, name.Text, "declared at " + Where.At(firstBag.File, firstSpan.Start, bag.File.Path), "rename one of them");
        }
    }
}
