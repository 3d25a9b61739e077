using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Emit
{
    /// <summary>A construct a backend cannot emit yet; the generator turns it into a diagnostic.</summary>
    public sealed class EmitNotSupportedException : Exception
    {
        public EmitNotSupportedException(string message) : base(message) { }
    }

    internal enum ItemKind { Scalar, Cond, Element }

    /// <summary>
    /// One statement of the flattened step, in program order. Scalar items run once per step in
    /// order; element items describe one element of a vector value and run inside whichever
    /// vector pass needs them (they are pure, so recomputing them in several passes is exact).
    /// </summary>
    internal sealed class Item
    {
        public int Pos;
        public ItemKind Kind;
        public IrRule Rule = null!;
        /// <summary>The run-time switch guarding this item, or null when its rule cannot be switched off.</summary>
        public string? Guard;
        /// <summary>Enclosing 'when' conditions, as bool locals ("__c2", "!__c2").</summary>
        public List<string> Conds = new();
        public IrStmt Stmt = null!;
        // Cond items
        public string? CondVar;
        public IrExpr? CondExpr;
        // Element items
        public string? Var;
        public string? PrevVar;
        public string? Target;
        public IrType? TargetType;
        public Dictionary<string, string> Versions = new(StringComparer.Ordinal);
    }

    /// <summary>A reduction (sum, mean, dot, norm, cosine, max, min) at its place in the step.</summary>
    internal sealed class Reduction
    {
        public int Id;
        public IrCall Call = null!;
        public int Pos;
        public Item Owner = null!;
        public Dictionary<string, string> Versions = new(StringComparer.Ordinal);
        /// <summary>
        /// Conditions under which the statement needs the value: enclosing scalar '?:' branches and
        /// right operands of '&&'/'||' (pure conditions only). A pass may skip the reduction when they
        /// do not hold; only a prefix that is computable where the pass runs is used.
        /// </summary>
        public List<(IrExpr Condition, bool Holds)> Path = new();
        public string Var => "__r" + Id;
    }

    /// <summary>A loop over the vectors: the reductions it completes and, for the last, the state it writes.</summary>
    internal sealed class VectorPass
    {
        public int At;
        public HashSet<Reduction> ComputedBefore = new();
        public List<Reduction> Reductions = new();
        public bool IsFinal;
        public List<Item> Elements = new();
    }

    /// <summary>
    /// Flattens a unit's rules into items and plans the vector passes: a pass is placed just before
    /// the first statement that needs a reduction not yet computed, and takes every other pending
    /// reduction whose inputs are already final there, so a law needs as few passes over its
    /// vectors as its data dependencies allow; one final pass writes every vector next value.
    /// </summary>
    internal sealed class StepPlan
    {
        public readonly List<Item> Items = new();
        public readonly List<Reduction> Reductions = new();
        public readonly List<VectorPass> Passes = new();
        public readonly Dictionary<IrCall, Reduction> ReductionOf = new(ReferenceEqualityComparer.Instance);
        public readonly Dictionary<string, Item> ElementByVar = new(StringComparer.Ordinal);
        /// <summary>Final element version of each vector state, signal and accumulator.</summary>
        public readonly Dictionary<string, string> FinalVersions = new(StringComparer.Ordinal);
        /// <summary>(item position, scalar) pairs whose value must be copied when the item is reached.</summary>
        public readonly HashSet<(int Pos, string Name)> Snapshots = new();
        public readonly List<string> CondVars = new();

        private readonly IrUnit _unit;
        private readonly Func<string, bool> _isRuntimeSwitch;
        private readonly bool _lagged;
        private readonly Dictionary<string, List<int>> _writes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _vectorCounter = new(StringComparer.Ordinal);
        private int _condCounter;

        /// <param name="lagged">
        /// every reduction reads its value from the previous step, so the only pass is the final one,
        /// which computes them all (unconditionally) for the next step
        /// </param>
        public StepPlan(IrUnit unit, Func<string, bool> isRuntimeSwitch, bool lagged = false)
        {
            _unit = unit;
            _isRuntimeSwitch = isRuntimeSwitch;
            _lagged = lagged;
            Flatten();
            Plan();
        }

        public static string ScalarKey(IrRef r) => r.Time == RefTime.Next ? r.Name + "'" : r.Name;

        // ------------------------------------------------------------ flattening

        private void Flatten()
        {
            var versions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var rule in _unit.Rules)
            {
                string? guard = rule.Ablatable && _isRuntimeSwitch(rule.Id) ? "__on_" + rule.Id : null;
                Walk(rule, rule.Body, guard, new List<string>(), versions);
            }
            foreach (var kv in versions) FinalVersions[kv.Key] = kv.Value;
        }

        private void Walk(IrRule rule, IEnumerable<IrStmt> body, string? guard, List<string> conds, Dictionary<string, string> versions)
        {
            foreach (var s in body)
            {
                if (s is IrWhen w)
                {
                    var cv = "__c" + (++_condCounter);
                    CondVars.Add(cv);
                    Add(new Item { Kind = ItemKind.Cond, Rule = rule, Guard = guard, Conds = new List<string>(conds), Stmt = s, CondVar = cv, CondExpr = w.Condition, Versions = new Dictionary<string, string>(versions, StringComparer.Ordinal) });
                    Walk(rule, w.Then, guard, new List<string>(conds) { cv }, versions);
                    Walk(rule, w.Else, guard, new List<string>(conds) { "!" + cv }, versions);
                    continue;
                }
                var (name, type) = Target(s);
                if (type.IsScalar)
                {
                    var item = new Item { Kind = ItemKind.Scalar, Rule = rule, Guard = guard, Conds = new List<string>(conds), Stmt = s, Versions = new Dictionary<string, string>(versions, StringComparer.Ordinal) };
                    Add(item);
                    var key = s is IrSetNext ? name + "'" : name;
                    if (!_writes.TryGetValue(key, out var list)) _writes[key] = list = new List<int>();
                    list.Add(item.Pos);
                }
                else
                {
                    _vectorCounter.TryGetValue(name, out var k);
                    _vectorCounter[name] = ++k;
                    var v = "__e_" + Names.Stem(name) + (s is IrSetNext ? "__next" : "") + "__" + k;
                    var item = new Item
                    {
                        Kind = ItemKind.Element, Rule = rule, Guard = guard, Conds = new List<string>(conds), Stmt = s, Var = v,
                        PrevVar = versions.TryGetValue(name, out var prev) ? prev : null, Target = name, TargetType = type,
                        Versions = new Dictionary<string, string>(versions, StringComparer.Ordinal),
                    };
                    Add(item);
                    ElementByVar[v] = item;
                    versions[name] = v;
                }
            }
        }

        private (string Name, IrType Type) Target(IrStmt s) => s switch
        {
            IrDefine d => (d.Name, d.Value.Type.IsScalar && TypeOf(d.Name) is { IsScalar: false } t ? t : TypeOf(d.Name) ?? d.Value.Type),
            IrSetNext n => (n.Name, _unit.States.First(x => x.Name == n.Name).Type),
            IrAccumulate a => (a.Name, _unit.Accs.First(x => x.Name == a.Name).Type),
            _ => throw new InvalidOperationException(),
        };

        private IrType? TypeOf(string name) =>
            _unit.Signals.FirstOrDefault(x => x.Name == name)?.Type ?? _unit.Locals.FirstOrDefault(x => x.Name == name)?.Type;

        private void Add(Item item)
        {
            item.Pos = Items.Count;
            Items.Add(item);
            foreach (var e in ExpressionsOf(item)) CollectReductions(e, item);
        }

        private static IEnumerable<IrExpr> ExpressionsOf(Item item)
        {
            if (item.Kind == ItemKind.Cond) { yield return item.CondExpr!; yield break; }
            switch (item.Stmt)
            {
                case IrDefine d: yield return d.Value; break;
                case IrSetNext n: yield return n.Value; break;
                case IrAccumulate a: yield return a.Value; break;
            }
        }

        private void CollectReductions(IrExpr e, Item owner) => CollectReductions(e, owner, new List<(IrExpr, bool)>());

        private void CollectReductions(IrExpr e, Item owner, List<(IrExpr Condition, bool Holds)> path)
        {
            switch (e)
            {
                case IrSelect s when s.Condition.Type.IsScalar:
                    CollectReductions(s.Condition, owner, path);
                    CollectReductions(s.WhenTrue, owner, Extend(path, s.Condition, true));
                    CollectReductions(s.WhenFalse, owner, Extend(path, s.Condition, false));
                    return;
                case IrBinary b when b.Type.IsScalar && b.Op is BinaryOp.And or BinaryOp.Or:
                    CollectReductions(b.Left, owner, path);
                    CollectReductions(b.Right, owner, Extend(path, b.Left, b.Op == BinaryOp.And));
                    return;
            }
            foreach (var child in Children(e)) CollectReductions(child, owner, path);
            if (e is IrCall c && IsReduction(c))
            {
                if (c.Function == "logsumexp")
                    throw new EmitNotSupportedException("logsumexp inside a fused law is not emitted yet; write max(v) + log(sum(exp(v - m))) with m = max(v)");
                // The same reduction twice in one statement is computed once.
                var twin = Reductions.FirstOrDefault(r => r.Owner == owner && r.Call.Function == c.Function
                    && r.Call.Args.Count == c.Args.Count && r.Call.Args.Zip(c.Args, AE.Dsl.Passes.IntervalEvaluator.SameValue).All(x => x));
                if (twin != null)
                {
                    twin.Path = CommonPrefix(twin.Path, path);
                    ReductionOf[c] = twin;
                    return;
                }
                var red = new Reduction { Id = Reductions.Count, Call = c, Pos = owner.Pos, Owner = owner, Versions = owner.Versions, Path = new List<(IrExpr, bool)>(path) };
                Reductions.Add(red);
                ReductionOf[c] = red;
            }
        }

        private static List<(IrExpr, bool)> Extend(List<(IrExpr Condition, bool Holds)> path, IrExpr condition, bool holds)
        {
            // An impure condition (a filter update) cannot be evaluated ahead of its statement.
            if (!IsPure(condition)) return path;
            var result = new List<(IrExpr, bool)>(path);
            // 'a && b' holding means each conjunct holds: listing them lets two paths share a prefix.
            void Add(IrExpr c)
            {
                if (holds && c is IrBinary { Op: BinaryOp.And } and) { Add(and.Left); Add(and.Right); }
                else result.Add((c, holds));
            }
            Add(condition);
            return result;
        }

        private static List<(IrExpr, bool)> CommonPrefix(List<(IrExpr Condition, bool Holds)> a, List<(IrExpr Condition, bool Holds)> b)
        {
            var result = new List<(IrExpr, bool)>();
            for (int i = 0; i < Math.Min(a.Count, b.Count) && ReferenceEquals(a[i].Condition, b[i].Condition) && a[i].Holds == b[i].Holds; i++)
                result.Add(a[i]);
            return result;
        }

        public static bool IsPure(IrExpr e) => IrFacts.IsPure(e);

        /// <summary>The prefix of a reduction's path whose conditions can be computed in a pass placed before item <paramref name="at"/>.</summary>
        public List<(IrExpr Condition, bool Holds)> UsablePath(Reduction r, int at, HashSet<Reduction> computedBefore)
        {
            var result = new List<(IrExpr, bool)>();
            foreach (var (cond, holds) in r.Path)
            {
                var scalars = new HashSet<string>(StringComparer.Ordinal);
                var reds = new HashSet<Reduction>();
                var elems = new HashSet<Item>();
                Reads(cond, r.Versions, scalars, reds, elems);
                if (elems.Count > 0 || reds.Any(x => !computedBefore.Contains(x))) break;
                if (scalars.Any(s => LastWriteBefore(s, r.Pos) >= at)) break;
                result.Add((cond, holds));
            }
            return result;
        }

        public static bool IsReduction(IrCall c) => IrFacts.IsReduction(c);

        public static IEnumerable<IrExpr> Children(IrExpr e) => IrFacts.Children(e);

        // ------------------------------------------------------------ dependencies

        /// <summary>Scalars read by an expression, reductions it uses, and element items it reads (through versions).</summary>
        private void Reads(IrExpr e, Dictionary<string, string> versions, HashSet<string> scalars, HashSet<Reduction> reductions, HashSet<Item> elements)
        {
            if (e is IrCall call && ReductionOf.TryGetValue(call, out var red))
            {
                reductions.Add(red);
                return;
            }
            if (e is IrRef r)
            {
                if (r.Type.IsScalar)
                {
                    if (r.Kind is SymbolKind.Local or SymbolKind.Signal or SymbolKind.Acc || r.Time == RefTime.Next) scalars.Add(ScalarKey(r));
                }
                else if (r.Kind is SymbolKind.Local or SymbolKind.Signal or SymbolKind.Acc || r.Time == RefTime.Next)
                {
                    if (versions.TryGetValue(r.Name, out var v)) elements.Add(ElementByVar[v]);
                }
                return;
            }
            foreach (var c in Children(e)) Reads(c, versions, scalars, reductions, elements);
        }

        private void ItemReads(Item item, HashSet<string> scalars, HashSet<Reduction> reductions, HashSet<Item> elements)
        {
            foreach (var e in ExpressionsOf(item)) Reads(e, item.Versions, scalars, reductions, elements);
            if (item.PrevVar != null) elements.Add(ElementByVar[item.PrevVar]);
            foreach (var c in item.Conds) scalars.Add(c.TrimStart('!'));
            // A signal with a neutral, defined under a switch, reads its neutral when the switch is off.
            if (item.Guard != null && item.Stmt is IrDefine d && _unit.Signals.FirstOrDefault(x => x.Name == d.Name)?.Neutral is IrExpr neutral)
                Reads(neutral, item.Versions, scalars, reductions, elements);
        }

        /// <summary>The element items an element needs, itself included, in program order.</summary>
        public List<Item> Closure(IEnumerable<Item> roots)
        {
            var seen = new HashSet<Item>();
            var stack = new Stack<Item>(roots);
            while (stack.Count > 0)
            {
                var it = stack.Pop();
                if (!seen.Add(it)) continue;
                var scalars = new HashSet<string>(StringComparer.Ordinal);
                var reds = new HashSet<Reduction>();
                var elems = new HashSet<Item>();
                ItemReads(it, scalars, reds, elems);
                foreach (var e in elems) stack.Push(e);
            }
            return seen.OrderBy(i => i.Pos).ToList();
        }

        /// <summary>Position of the last write of a scalar before <paramref name="pos"/> (-1 when it is never written before).</summary>
        public int LastWriteBefore(string key, int pos)
        {
            if (key.StartsWith("__c", StringComparison.Ordinal))
                return Items.First(i => i.CondVar == key).Pos;
            if (!_writes.TryGetValue(key, out var list)) return -1;
            int last = -1;
            foreach (var w in list) if (w < pos && w > last) last = w;
            return last;
        }

        public bool WrittenBetween(string key, int afterExclusive, int beforeExclusive)
        {
            if (!_writes.TryGetValue(key, out var list)) return false;
            foreach (var w in list) if (w > afterExclusive && w < beforeExclusive) return true;
            return false;
        }

        /// <summary>Can reduction <paramref name="r"/> be computed in a pass placed before item <paramref name="at"/>?</summary>
        private bool Ready(Reduction r, int at, HashSet<Reduction> computed)
        {
            var scalars = new HashSet<string>(StringComparer.Ordinal);
            var reds = new HashSet<Reduction>();
            var elems = new HashSet<Item>();
            foreach (var a in r.Call.Args) Reads(a, r.Versions, scalars, reds, elems);
            foreach (var s in scalars) if (LastWriteBefore(s, r.Pos) >= at) return false;
            if (reds.Any(x => !computed.Contains(x))) return false;
            foreach (var e in Closure(elems))
            {
                var es = new HashSet<string>(StringComparer.Ordinal);
                var er = new HashSet<Reduction>();
                ItemReads(e, es, er, new HashSet<Item>());
                foreach (var s in es) if (LastWriteBefore(s, e.Pos) >= at) return false;
                if (er.Any(x => !computed.Contains(x))) return false;
            }
            return true;
        }

        // ------------------------------------------------------------ planning

        private void Plan()
        {
            var computed = new HashSet<Reduction>();
            foreach (var item in _lagged ? Enumerable.Empty<Item>() : Items)
            {
                while (true)
                {
                    var needed = Reductions.Where(r => r.Owner == item && !computed.Contains(r)).ToList();
                    // An element item's own reductions must be ready before any pass computes the item.
                    if (needed.Count == 0) break;
                    var pass = new VectorPass { At = item.Pos, ComputedBefore = new HashSet<Reduction>(computed) };
                    foreach (var r in Reductions)
                        if (!computed.Contains(r) && r.Pos >= item.Pos && Ready(r, item.Pos, computed)) pass.Reductions.Add(r);
                    if (pass.Reductions.Count == 0)
                        throw new InvalidOperationException("internal: no reduction ready at statement " + item.Pos);
                    foreach (var r in pass.Reductions) computed.Add(r);
                    Passes.Add(pass);
                }
            }

            var final = new VectorPass { At = Items.Count, IsFinal = true };
            if (_lagged) final.Reductions.AddRange(Reductions);
            Passes.Add(final);

            foreach (var pass in Passes)
            {
                var roots = new HashSet<Item>();
                if (pass.IsFinal)
                {
                    foreach (var kv in FinalVersions)
                        if (IsVectorOutput(kv.Key)) roots.Add(ElementByVar[kv.Value]);
                }
                foreach (var r in pass.Reductions)
                {
                    var s = new HashSet<string>(StringComparer.Ordinal);
                    var red = new HashSet<Reduction>();
                    foreach (var a in r.Call.Args) Reads(a, r.Versions, s, red, roots);
                }
                pass.Elements = Closure(roots);
                foreach (var e in pass.Elements)
                {
                    var es = new HashSet<string>(StringComparer.Ordinal);
                    ItemReads(e, es, new HashSet<Reduction>(), new HashSet<Item>());
                    foreach (var s in es)
                        if (!s.StartsWith("__c", StringComparison.Ordinal) && WrittenBetween(s, e.Pos, pass.At))
                            Snapshots.Add((e.Pos, s));
                }
                // A lagged law's only pass comes after every statement: a reduction reads a next value or an
                // accumulator that later statements change as it was at its own statement.
                foreach (var r in pass.Reductions)
                {
                    var rs = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var a in r.Call.Args) Reads(a, r.Versions, rs, new HashSet<Reduction>(), new HashSet<Item>());
                    foreach (var s in rs)
                        if (!s.StartsWith("__c", StringComparison.Ordinal) && WrittenBetween(s, r.Pos, pass.At))
                            Snapshots.Add((r.Pos, s));
                }
                foreach (var e in pass.Elements)
                    if (ContainsSideEffect(e) && Passes.Count(p => p.Elements.Contains(e)) > 1)
                        throw new EmitNotSupportedException($"a filter update in '{e.Target}' is needed by two passes over the vectors; compute it in the final update only");
            }
        }

        /// <summary>Vector values the final pass writes: state next values and host-readable signals.</summary>
        public bool IsVectorOutput(string name) =>
            _unit.States.Any(s => s.Name == name) || _unit.Signals.Any(s => s.Name == name);

        private static bool ContainsSideEffect(Item e)
        {
            // A draw may be computed by two passes: it is a function of its element, so both get its value.
            bool Has(IrExpr x) => x is IrFilter || StepPlan.Children(x).Any(Has);
            return ExpressionsOf(e).Any(Has);
        }
    }
}
