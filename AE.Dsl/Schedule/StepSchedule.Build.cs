using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.IR;

namespace AE.Dsl.Schedule
{
    internal sealed partial class StepSchedule
    {
        private StepSchedule(IrUnit unit, bool lagged, List<ScheduleItem> items, List<Reduction> reductions, Dictionary<IrCall, Reduction> reductionOf,
            Dictionary<string, int[]> writes, int condCount, Dictionary<string, ElementItem> finalVersions)
        {
            Unit = unit;
            Lagged = lagged;
            Items = items;
            Reductions = reductions;
            _reductionOf = reductionOf;
            _writes = writes;
            CondCount = condCount;
            FinalVersions = finalVersions;
            var (passes, snapshots) = Plan();
            Passes = passes;
            _snapshotSet = snapshots;
            Snapshots = snapshots.OrderBy(s => s.Pos).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        }

        /// <summary>Flattens <paramref name="unit"/>'s rules into items and plans its passes over the vectors.</summary>
        /// <param name="lagged">
        /// every reduction reads its value from the previous step, so the only pass is the final one, which
        /// computes them all (unconditionally) for the next step
        /// </param>
        /// <exception cref="EmitNotSupportedException">a construct no backend emits inside a fused step</exception>
        public static StepSchedule Build(IrUnit unit, bool lagged) => new Flattener(unit, lagged).Finish(lagged);

        /// <summary>The first phase: items in program order, their element versions, and the reductions they contain.</summary>
        private sealed class Flattener
        {
            private readonly IrUnit _unit;
            private readonly bool _lagged;
            private readonly List<ScheduleItem> _items = new();
            private readonly List<ReductionDraft> _reductions = new();
            private readonly Dictionary<IrCall, ReductionDraft> _draftOf = new(ReferenceEqualityComparer.Instance);
            private readonly Dictionary<string, List<int>> _writes = new(StringComparer.Ordinal);
            private readonly Dictionary<string, int> _vectorCounter = new(StringComparer.Ordinal);
            private readonly Dictionary<string, ElementItem> _versions = new(StringComparer.Ordinal);
            private int _condCounter;

            private sealed class ReductionDraft
            {
                public IrCall Call = null!;
                public ScheduleItem Owner = null!;
                public List<(IrExpr Condition, bool Holds)> Path = new();
            }

            private readonly Dictionary<string, IrType> _definedTypes;

            public Flattener(IrUnit unit, bool lagged)
            {
                _unit = unit;
                _lagged = lagged;
                _definedTypes = IrFacts.DefinedTypes(unit);
                foreach (var rule in unit.Rules)
                    Walk(rule, rule.Body, rule.Ablatable ? rule.Id : null, new List<CondTest>());
            }

            public StepSchedule Finish(bool lagged)
            {
                var reductions = new List<Reduction>();
                var byDraft = new Dictionary<ReductionDraft, Reduction>();
                foreach (var d in _reductions)
                {
                    var r = new Reduction(reductions.Count, d.Call, d.Owner, d.Path.ToArray());
                    reductions.Add(r);
                    byDraft[d] = r;
                }
                var reductionOf = new Dictionary<IrCall, Reduction>(ReferenceEqualityComparer.Instance);
                foreach (var kv in _draftOf) reductionOf[kv.Key] = byDraft[kv.Value];
                return new StepSchedule(_unit, lagged, _items, reductions, reductionOf,
                    _writes.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal), _condCounter,
                    new Dictionary<string, ElementItem>(_versions, StringComparer.Ordinal));
            }

            private IReadOnlyDictionary<string, ElementItem> Snapshot() => new Dictionary<string, ElementItem>(_versions, StringComparer.Ordinal);

            private void Walk(IrRule rule, IEnumerable<IrStmt> body, string? @switch, List<CondTest> conds)
            {
                foreach (var s in body)
                {
                    if (s is IrWhen w)
                    {
                        int cond = ++_condCounter;
                        Add(new CondItem(_items.Count, rule, @switch, conds.ToArray(), s, Snapshot(), cond, w.Condition));
                        Write(CondKey(cond), _items.Count - 1);
                        Walk(rule, w.Then, @switch, new List<CondTest>(conds) { new CondTest(cond, true) });
                        Walk(rule, w.Else, @switch, new List<CondTest>(conds) { new CondTest(cond, false) });
                        continue;
                    }
                    var (name, type) = Target(s);
                    if (type.IsScalar)
                    {
                        Add(new ScalarItem(_items.Count, rule, @switch, conds.ToArray(), s, Snapshot()));
                        Write(s is IrSetNext ? name + "'" : name, _items.Count - 1);
                    }
                    else
                    {
                        _vectorCounter.TryGetValue(name, out var k);
                        _vectorCounter[name] = ++k;
                        var item = new ElementItem(_items.Count, rule, @switch, conds.ToArray(), s, Snapshot(), name, s is IrSetNext, k, type,
                            _versions.TryGetValue(name, out var prev) ? prev : null);
                        Add(item);
                        _versions[name] = item;
                    }
                }
            }

            private void Write(string key, int pos)
            {
                if (!_writes.TryGetValue(key, out var list)) _writes[key] = list = new List<int>();
                list.Add(pos);
            }

            private (string Name, IrType Type) Target(IrStmt s) => s switch
            {
                IrDefine d => (d.Name, d.Value.Type.IsScalar && TypeOf(d.Name) is { IsScalar: false } t ? t : TypeOf(d.Name) ?? d.Value.Type),
                IrSetNext n => (n.Name, _unit.States.First(x => x.Name == n.Name).Type),
                IrAccumulate a => (a.Name, _unit.Accs.First(x => x.Name == a.Name).Type),
                _ => throw new InvalidOperationException("internal: statement " + s.GetType().Name + " has no target"),
            };

            private IrType? TypeOf(string name) => _definedTypes.TryGetValue(name, out var type) ? type : null;

            private void Add(ScheduleItem item)
            {
                _items.Add(item);
                foreach (var e in item.Expressions) CollectReductions(e, item, new List<(IrExpr, bool)>());
            }

            private void CollectReductions(IrExpr e, ScheduleItem owner, List<(IrExpr Condition, bool Holds)> path)
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
                foreach (var child in IrFacts.Children(e)) CollectReductions(child, owner, path);
                if (e is IrCall c && IrFacts.IsReduction(c))
                {
                    if (c.Function == "logsumexp")
                        // The backends write it out of max and sum (LogSumExpLowering), except in a lagged law or over a vector that updates a filter.
                        throw new EmitNotSupportedException("logsumexp in a lagged law, or of a vector that updates a filter, is not emitted yet; " + (_unit.Smooth || _lagged
                            // max is not smooth (AE0040), so a smooth law gets the plain form, with its limit said. A lagged law
                            // gets it too: each of its reductions is the previous step's, so a sum over v - max(v) would shift by
                            // the max of two steps back (+inf at step 2, where the max is -inf). Each form keeps the log's
                            // argument provably positive (exp can underflow to 0), so it checks clean.
                            ? "write log(sum(exp(v)) + 1e-300), which " + (_unit.Smooth ? "is smooth but " : "") + "overflows once an element of v passes about 709"
                              + (_lagged ? " (shifting by m = max(v) does not carry over: in a lagged law m is itself the previous step's)" : "")
                            : "write m + log(max(sum(exp(v - m)), 1)) with m = max(v) (the sum is at least 1; the max says so to the checker)"));
                    // The same reduction twice is computed once: twice in one statement, or in a later statement under the same
                    // guards where it still has the same value.
                    var twin = _reductions.FirstOrDefault(r => SameCall(r.Call, c) && (ReferenceEquals(r.Owner, owner) || SameValueLater(r, c, owner)));
                    if (twin != null)
                    {
                        twin.Path = CommonPrefix(twin.Path, path);
                        _draftOf[c] = twin;
                        return;
                    }
                    var red = new ReductionDraft { Call = c, Owner = owner, Path = new List<(IrExpr, bool)>(path) };
                    _reductions.Add(red);
                    _draftOf[c] = red;
                }
            }

            private static bool SameCall(IrCall a, IrCall b) =>
                a.Function == b.Function && a.Args.Count == b.Args.Count && a.Args.Zip(b.Args, AE.Dsl.Passes.IntervalEvaluator.SameValue).All(x => x);

            /// <summary>
            /// Whether <paramref name="call"/> in <paramref name="owner"/>, a later statement than the reduction's, has the
            /// reduction's value wherever it is read: the same switch and 'when' conditions (so the reduction is computed
            /// whenever the later statement runs), arguments without draws or filter updates, every vector they read at the
            /// same version and every scalar they read not written in between.
            /// </summary>
            private bool SameValueLater(ReductionDraft earlier, IrCall call, ScheduleItem owner)
            {
                var first = earlier.Owner;
                if (first.Switch != owner.Switch || !first.Conds.SequenceEqual(owner.Conds)) return false;
                if (!call.Args.All(a => IrFacts.IsPure(a) && IrFacts.DrawsNothing(a))) return false;
                foreach (var r in call.Args.SelectMany(IrFacts.Descendants).OfType<IrRef>())
                {
                    if (!(r.Kind is SymbolKind.Local or SymbolKind.Signal or SymbolKind.Acc || r.Time == RefTime.Next)) continue;
                    if (r.Type.IsScalar)
                    {
                        if (_writes.TryGetValue(ScalarKey(r), out var at) && at.Any(w => w >= first.Pos && w < owner.Pos)) return false;
                    }
                    else
                    {
                        first.Versions.TryGetValue(r.Name, out var was);
                        owner.Versions.TryGetValue(r.Name, out var now);
                        if (!ReferenceEquals(was, now)) return false;
                    }
                }
                return true;
            }

            private static List<(IrExpr, bool)> Extend(List<(IrExpr Condition, bool Holds)> path, IrExpr condition, bool holds)
            {
                // An impure condition (a filter update) cannot be evaluated ahead of its statement.
                if (!IrFacts.IsPure(condition)) return path;
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
        }

        // ------------------------------------------------------------ planning

        /// <summary>Can reduction <paramref name="r"/> be computed in a pass placed before item <paramref name="at"/>?</summary>
        private bool Ready(Reduction r, int at, HashSet<Reduction> computed)
        {
            var reads = new Reads();
            foreach (var a in r.Call.Args) CollectReads(a, r.Versions, reads);
            if (reads.Scalars.Any(s => LastWriteBefore(s, r.Pos) >= at)) return false;
            if (reads.Reductions.Any(x => !computed.Contains(x))) return false;
            foreach (var e in Closure(reads.Elements))
            {
                var er = new Reads();
                CollectItemReads(e, er);
                if (er.Scalars.Any(s => LastWriteBefore(s, e.Pos) >= at)) return false;
                if (er.Reductions.Any(x => !computed.Contains(x))) return false;
            }
            return true;
        }

        private (List<VectorPass> Passes, HashSet<Snapshot> Snapshots) Plan()
        {
            var placed = new List<(int At, HashSet<Reduction> Before, List<Reduction> Reductions, bool IsFinal)>();
            var computed = new HashSet<Reduction>();
            foreach (var item in Lagged ? Enumerable.Empty<ScheduleItem>() : Items)
            {
                // An item's own reductions must be ready before any pass computes the item.
                while (Reductions.Any(r => ReferenceEquals(r.Owner, item) && !computed.Contains(r)))
                {
                    var before = new HashSet<Reduction>(computed);
                    var taken = Reductions.Where(r => !computed.Contains(r) && r.Pos >= item.Pos && Ready(r, item.Pos, computed)).ToList();
                    if (taken.Count == 0)
                        throw new InvalidOperationException("internal: no reduction ready at statement " + item.Pos);
                    foreach (var r in taken) computed.Add(r);
                    placed.Add((item.Pos, before, taken, false));
                }
            }
            placed.Add((Items.Count, new HashSet<Reduction>(computed), Lagged ? Reductions.ToList() : new List<Reduction>(), true));

            var passes = new List<VectorPass>();
            var snapshots = new HashSet<Snapshot>();
            foreach (var (at, before, reductions, isFinal) in placed)
            {
                var roots = new Reads();
                if (isFinal)
                    foreach (var kv in FinalVersions)
                        if (IsVectorOutput(kv.Key)) roots.Elements.Add(kv.Value);
                foreach (var r in reductions)
                    foreach (var a in r.Call.Args) CollectReads(a, r.Versions, roots);
                var elements = Closure(roots.Elements);
                foreach (var e in elements)
                {
                    var reads = new Reads();
                    CollectItemReads(e, reads);
                    foreach (var s in reads.Scalars)
                        if (!IsCondKey(s) && WrittenBetween(s, e.Pos, at)) snapshots.Add(new Snapshot(e.Pos, s));
                }
                // A lagged law's only pass comes after every statement: a reduction reads a next value or an
                // accumulator that later statements change as it was at its own statement.
                foreach (var r in reductions)
                {
                    var reads = new Reads();
                    foreach (var a in r.Call.Args) CollectReads(a, r.Versions, reads);
                    foreach (var s in reads.Scalars)
                        if (!IsCondKey(s) && WrittenBetween(s, r.Pos, at)) snapshots.Add(new Snapshot(r.Pos, s));
                }
                passes.Add(new VectorPass(at, isFinal, before, reductions, elements));
            }
            foreach (var pass in passes)
                foreach (var e in pass.Elements)
                    if (e.Expressions.Any(HasFilter) && passes.Count(p => p.Elements.Contains(e)) > 1)
                        throw new EmitNotSupportedException($"a filter update in '{e.Target}' is needed by two passes over the vectors; compute it in the final update only");
            return (passes, snapshots);
        }

        // A draw may be computed by two passes: it is a function of its element, so both get its value.
        private static bool HasFilter(IrExpr x) => x is IrFilter || IrFacts.Children(x).Any(HasFilter);
    }
}
