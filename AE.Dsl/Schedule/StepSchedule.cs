using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Schedule
{
    /// <summary>A 'when' condition (numbered from 1 in program order) that must hold, or must not, for guarded code to run.</summary>
    internal sealed record CondTest(int Cond, bool Holds);

    /// <summary>
    /// One statement of the flattened step, in program order. Its guard is data: the rule's run-time
    /// switch (<see cref="Switch"/>, the rule's id; null when the rule cannot be switched off) and the
    /// enclosing 'when' conditions (<see cref="Conds"/>, outermost first). <see cref="Versions"/> is the
    /// element value each vector name has when the statement runs.
    /// </summary>
    internal abstract record ScheduleItem(int Pos, IrRule Rule, string? Switch, IReadOnlyList<CondTest> Conds, IrStmt Stmt, IReadOnlyDictionary<string, ElementItem> Versions)
    {
        /// <summary>The expressions the item evaluates.</summary>
        public abstract IEnumerable<IrExpr> Expressions { get; }
    }

    /// <summary>A scalar statement: runs once per step, in order.</summary>
    internal sealed record ScalarItem(int Pos, IrRule Rule, string? Switch, IReadOnlyList<CondTest> Conds, IrStmt Stmt, IReadOnlyDictionary<string, ElementItem> Versions)
        : ScheduleItem(Pos, Rule, Switch, Conds, Stmt, Versions)
    {
        public override IEnumerable<IrExpr> Expressions => IrFacts.OwnExpressions(Stmt);
    }

    /// <summary>The condition of a 'when' block, evaluated once per step into condition number <see cref="Cond"/>.</summary>
    internal sealed record CondItem(int Pos, IrRule Rule, string? Switch, IReadOnlyList<CondTest> Conds, IrStmt Stmt, IReadOnlyDictionary<string, ElementItem> Versions, int Cond, IrExpr Condition)
        : ScheduleItem(Pos, Rule, Switch, Conds, Stmt, Versions)
    {
        public override IEnumerable<IrExpr> Expressions { get { yield return Condition; } }
    }

    /// <summary>
    /// One element of a vector value: the <see cref="Version"/>-th value of <see cref="Target"/> (its next value
    /// when <see cref="IsNext"/>) in the step. It is pure, so it runs inside whichever vector pass needs it, and
    /// recomputing it in several passes is exact. <see cref="Prev"/> is the value it replaces where its guard is false.
    /// </summary>
    internal sealed record ElementItem(int Pos, IrRule Rule, string? Switch, IReadOnlyList<CondTest> Conds, IrStmt Stmt, IReadOnlyDictionary<string, ElementItem> Versions,
        string Target, bool IsNext, int Version, IrType TargetType, ElementItem? Prev)
        : ScheduleItem(Pos, Rule, Switch, Conds, Stmt, Versions)
    {
        public override IEnumerable<IrExpr> Expressions => IrFacts.OwnExpressions(Stmt);

        // Items are identities in the schedule (the same statement is one element): compare by reference.
        public bool Equals(ElementItem? other) => ReferenceEquals(this, other);
        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
    }

    /// <summary>
    /// A reduction (sum, mean, dot, norm, cosine, max, min) at its place in the step. <see cref="Path"/> lists the
    /// conditions under which its statement needs the value (enclosing scalar '?:' branches and right operands of
    /// '&amp;&amp;'/'||', pure conditions only): a pass may skip the reduction when they do not hold.
    /// </summary>
    internal sealed class Reduction
    {
        public Reduction(int id, IrCall call, ScheduleItem owner, IReadOnlyList<(IrExpr Condition, bool Holds)> path)
        {
            Id = id;
            Call = call;
            Owner = owner;
            Path = path;
        }

        public int Id { get; }
        public IrCall Call { get; }
        public ScheduleItem Owner { get; }
        public int Pos => Owner.Pos;
        public IReadOnlyDictionary<string, ElementItem> Versions => Owner.Versions;
        public IReadOnlyList<(IrExpr Condition, bool Holds)> Path { get; }
    }

    /// <summary>A loop over the vectors: the reductions it completes and, for the last, the vectors it writes.</summary>
    internal sealed class VectorPass
    {
        public VectorPass(int at, bool isFinal, IReadOnlyCollection<Reduction> computedBefore, IReadOnlyList<Reduction> reductions, IReadOnlyList<ElementItem> elements)
        {
            At = at;
            IsFinal = isFinal;
            ComputedBefore = computedBefore;
            Reductions = reductions;
            Elements = elements;
        }

        /// <summary>The pass runs just before the item at this position (the final pass: after the last).</summary>
        public int At { get; }
        public bool IsFinal { get; }
        public IReadOnlyCollection<Reduction> ComputedBefore { get; }
        public IReadOnlyList<Reduction> Reductions { get; }
        /// <summary>The element items the pass computes, in program order.</summary>
        public IReadOnlyList<ElementItem> Elements { get; }
    }

    /// <summary>A scalar (an AE name, with a trailing ' for a next value) whose value an element or reduction at <see cref="Pos"/> reads, copied there because later statements change it before the pass runs.</summary>
    internal readonly record struct Snapshot(int Pos, string Name);

    /// <summary>
    /// A law's step as a typed, immutable schedule: the loop IR that every backend prints. Items in program
    /// order (scalar statements, 'when' conditions, vector elements), the reductions, and the passes over the
    /// vectors: a pass is placed just before the first statement that needs a reduction not yet computed and
    /// takes every other pending reduction whose inputs are final there, so a law needs as few passes as its
    /// data dependencies allow; one final pass writes every vector next value. Built once per unit
    /// (<see cref="Build"/>); backends name the values and print the guards, and never take them apart again.
    /// </summary>
    internal sealed partial class StepSchedule
    {
        public IrUnit Unit { get; }
        public bool Lagged { get; }
        public IReadOnlyList<ScheduleItem> Items { get; }
        public IReadOnlyList<Reduction> Reductions { get; }
        public IReadOnlyList<VectorPass> Passes { get; }
        /// <summary>'when' conditions, numbered 1 to CondCount.</summary>
        public int CondCount { get; }
        /// <summary>Final element value of each vector state, signal, local and accumulator.</summary>
        public IReadOnlyDictionary<string, ElementItem> FinalVersions { get; }
        /// <summary>Scalars copied where an element or reduction reads them (see <see cref="Snapshot"/>), by position then name.</summary>
        public IReadOnlyList<Snapshot> Snapshots { get; }

        private readonly IReadOnlyDictionary<IrCall, Reduction> _reductionOf;
        private readonly IReadOnlyDictionary<string, int[]> _writes;
        private readonly HashSet<Snapshot> _snapshotSet;

        /// <summary>The pass's place in <see cref="Passes"/>.</summary>
        public int IndexOf(VectorPass pass)
        {
            for (int i = 0; i < Passes.Count; i++) if (ReferenceEquals(Passes[i], pass)) return i;
            return -1;
        }

        /// <summary>The reduction that computes a reduction call of the unit.</summary>
        public Reduction ReductionOf(IrCall call) => _reductionOf[call];

        public bool TryGetReduction(IrCall call, out Reduction reduction) => _reductionOf.TryGetValue(call, out reduction!);

        public bool IsSnapshot(int pos, string key) => _snapshotSet.Contains(new Snapshot(pos, key));

        /// <summary>The item that computes 'when' condition <paramref name="cond"/>.</summary>
        private CondItem CondItemOf(int cond) => Items.OfType<CondItem>().First(c => c.Cond == cond);

        /// <summary>The scalar key of a reference: its name, with ' for a next value.</summary>
        public static string ScalarKey(IrRef r) => r.Time == RefTime.Next ? r.Name + "'" : r.Name;

        /// <summary>Vector values the final pass writes: state next values and host-readable signals.</summary>
        private bool IsVectorOutput(string name) => Unit.States.Any(s => s.Name == name) || Unit.Signals.Any(s => s.Name == name);

        /// <summary>Whether scalar <paramref name="key"/> is written strictly between two positions.</summary>
        public bool WrittenBetween(string key, int afterExclusive, int beforeExclusive) =>
            _writes.TryGetValue(key, out var list) && list.Any(w => w > afterExclusive && w < beforeExclusive);

        /// <summary>The run-time conditions under which the step reads reduction <paramref name="r"/>, as a pass placed at
        /// <paramref name="pass"/> can evaluate them: the owner's switch, the prefix of its 'when' conditions computed
        /// before the pass, then the usable prefix of its path.</summary>
        public ReductionNeed NeedOf(Reduction r, VectorPass pass)
        {
            var conds = new List<CondTest>();
            bool complete = true;
            foreach (var c in r.Owner.Conds)
            {
                if (CondItemOf(c.Cond).Pos >= pass.At) { complete = false; break; }
                conds.Add(c);
            }
            return new ReductionNeed(r.Owner.Switch, conds, complete ? UsablePath(r, pass.At, pass.ComputedBefore) : Array.Empty<(IrExpr, bool)>());
        }

        /// <summary>The prefix of a reduction's path whose conditions can be computed in a pass placed before item <paramref name="at"/>.</summary>
        private List<(IrExpr Condition, bool Holds)> UsablePath(Reduction r, int at, IReadOnlyCollection<Reduction> computedBefore)
        {
            var result = new List<(IrExpr, bool)>();
            foreach (var (cond, holds) in r.Path)
            {
                var reads = new Reads();
                CollectReads(cond, r.Versions, reads);
                if (reads.Elements.Count > 0 || reads.Reductions.Any(x => !computedBefore.Contains(x))) break;
                if (reads.Scalars.Any(s => LastWriteBefore(s, r.Pos) >= at)) break;
                result.Add((cond, holds));
            }
            return result;
        }

        /// <summary>Position of the last write of a scalar key before <paramref name="pos"/> (-1 when it is never written before).</summary>
        private int LastWriteBefore(string key, int pos)
        {
            if (!_writes.TryGetValue(key, out var list)) return -1;
            int last = -1;
            foreach (var w in list) if (w < pos && w > last) last = w;
            return last;
        }

        /// <summary>What an expression or item reads: scalar keys (and the keys of 'when' conditions), reductions, element items.</summary>
        private sealed class Reads
        {
            public readonly HashSet<string> Scalars = new(StringComparer.Ordinal);
            public readonly HashSet<Reduction> Reductions = new();
            public readonly HashSet<ElementItem> Elements = new();
        }

        /// <summary>The scalar key under which 'when' condition <paramref name="cond"/> is written and read ('#' is no name's letter).</summary>
        private static string CondKey(int cond) => "#" + cond.ToString(System.Globalization.CultureInfo.InvariantCulture);

        private static bool IsCondKey(string key) => key.StartsWith("#", StringComparison.Ordinal);

        private void CollectReads(IrExpr e, IReadOnlyDictionary<string, ElementItem> versions, Reads reads)
        {
            if (e is IrCall call && _reductionOf.TryGetValue(call, out var red))
            {
                reads.Reductions.Add(red);
                return;
            }
            if (e is IrRef r)
            {
                if (r.Kind is SymbolKind.Local or SymbolKind.Signal or SymbolKind.Acc || r.Time == RefTime.Next)
                {
                    if (r.Type.IsScalar) reads.Scalars.Add(ScalarKey(r));
                    else if (versions.TryGetValue(r.Name, out var v)) reads.Elements.Add(v);
                }
                return;
            }
            foreach (var c in IrFacts.Children(e)) CollectReads(c, versions, reads);
        }

        private void CollectItemReads(ScheduleItem item, Reads reads)
        {
            foreach (var e in item.Expressions) CollectReads(e, item.Versions, reads);
            if (item is ElementItem { Prev: { } prev }) reads.Elements.Add(prev);
            foreach (var c in item.Conds) reads.Scalars.Add(CondKey(c.Cond));
            // A signal with a neutral, defined under a switch, reads its neutral when the switch is off.
            if (item.Switch != null && item.Stmt is IrDefine d && Unit.Signals.FirstOrDefault(x => x.Name == d.Name)?.Neutral is IrExpr neutral)
                CollectReads(neutral, item.Versions, reads);
        }

        /// <summary>The element items the roots need, the roots included, in program order.</summary>
        private List<ElementItem> Closure(IEnumerable<ElementItem> roots)
        {
            var seen = new HashSet<ElementItem>();
            var stack = new Stack<ElementItem>(roots);
            while (stack.Count > 0)
            {
                var it = stack.Pop();
                if (!seen.Add(it)) continue;
                var reads = new Reads();
                CollectItemReads(it, reads);
                foreach (var e in reads.Elements) stack.Push(e);
            }
            return seen.OrderBy(i => i.Pos).ToList();
        }
    }

    /// <summary>
    /// When the step reads a reduction, as a pass can test it: the rule's switch, the 'when' conditions known
    /// before the pass, and the usable '?:'/'&amp;&amp;'/'||' conditions (each with the value it must have).
    /// </summary>
    internal sealed record ReductionNeed(string? Switch, IReadOnlyList<CondTest> Conds, IReadOnlyList<(IrExpr Condition, bool Holds)> Path);
}
