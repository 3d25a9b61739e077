using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Text;

namespace AE.Dsl.Passes
{
    /// <summary>
    /// Moves every scalar filter (ema, lp, prev, latch of scalar arguments) that a backend would evaluate once
    /// per element out of its vector context, into a local defined just before its statement, so that it
    /// updates once per step, as the interpreter runs it. A vector context is the value of a vector statement
    /// (a vector state's next value, a vector signal, local or accumulator) and the argument of a reduction in
    /// any statement. The new statement stands where the old one did (same rule, same 'when'), and when the
    /// filter sat in a branch of a scalar '?:' or on the right of a scalar '&amp;&amp;' or '||', it runs only where the
    /// interpreter would run it: <c>__filter1 = c ? ema(0.9, x) : 0</c>. Such a condition is itself moved into
    /// a local first (<c>__path1</c>) when it updates a filter, so that it is evaluated once.
    /// </summary>
    /// <remarks>
    /// Filters update independent slots, so moving one before the rest of its statement changes nothing
    /// else; a draw is a function of (seed, step, site, element), so moving one (in a filter's argument or a
    /// guarding condition) changes no value either. In a lagged law the interpreter computes every reduction
    /// at its statement whether the statement runs or not, so a filter in a reduction's argument stays.
    /// </remarks>
    public static class FilterHoisting
    {
        /// <summary>The unit with its scalar filters out of vector contexts (the unit itself when it has none).</summary>
        public static IrUnit Apply(IrUnit unit, bool lagged = false)
        {
            var rewriter = new Rewriter(unit, lagged);
            var rules = unit.Rules.Select(r => r with { Body = rewriter.Body(r, r.Body) }).ToList();
            if (rewriter.Locals.Count == 0) return unit;
            return unit with
            {
                Rules = EqArray.From(rules),
                Locals = EqArray.From(unit.Locals.Concat(rewriter.Locals)),
            };
        }

        private sealed class Rewriter
        {
            private readonly IrUnit _unit;
            private readonly bool _lagged;
            public readonly List<IrLocal> Locals = new();
            private int _filters, _paths;

            private readonly Dictionary<string, IrType> _definedTypes, _stateTypes, _accTypes;

            public Rewriter(IrUnit unit, bool lagged)
            {
                _unit = unit;
                _lagged = lagged;
                _definedTypes = IrFacts.DefinedTypes(unit);
                _stateTypes = unit.States.GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Type, StringComparer.Ordinal);
                _accTypes = unit.Accs.GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Type, StringComparer.Ordinal);
            }

            public EqArray<IrStmt> Body(IrRule rule, EqArray<IrStmt> body)
            {
                var result = new List<IrStmt>();
                bool changed = false;
                foreach (var s in body)
                {
                    var pre = new List<IrStmt>();
                    var rewritten = Statement(rule, s, pre);
                    result.AddRange(pre);
                    result.Add(rewritten);
                    changed |= pre.Count > 0 || !ReferenceEquals(rewritten, s);
                }
                return changed ? EqArray.From(result) : body;
            }

            private IrStmt Statement(IrRule rule, IrStmt s, List<IrStmt> pre)
            {
                switch (s)
                {
                    case IrDefine d:
                    {
                        var v = Expr(rule, d.Value, IsVector(TargetOfDefine(d)), new List<(IrExpr, bool)>(), pre);
                        return ReferenceEquals(v, d.Value) ? s : d with { Value = v };
                    }
                    case IrSetNext n:
                    {
                        var v = Expr(rule, n.Value, IsVector(_stateTypes[n.Name]), new List<(IrExpr, bool)>(), pre);
                        return ReferenceEquals(v, n.Value) ? s : n with { Value = v };
                    }
                    case IrAccumulate a:
                    {
                        var v = Expr(rule, a.Value, IsVector(_accTypes[a.Name]), new List<(IrExpr, bool)>(), pre);
                        return ReferenceEquals(v, a.Value) ? s : a with { Value = v };
                    }
                    case IrWhen w:
                    {
                        var c = Expr(rule, w.Condition, false, new List<(IrExpr, bool)>(), pre);
                        var then = Body(rule, w.Then);
                        var otherwise = Body(rule, w.Else);
                        return ReferenceEquals(c, w.Condition) && then.Equals(w.Then) && otherwise.Equals(w.Else) ? s : w with { Condition = c, Then = then, Else = otherwise };
                    }
                    default:
                        return s;
                }
            }

            private static bool IsVector(IrType t) => !t.IsScalar;

            /// <summary>What a definition defines: a declared signal or local's type (a vector filled by a scalar is a vector), else its value's.</summary>
            private IrType TargetOfDefine(IrDefine d) => _definedTypes.TryGetValue(d.Name, out var type) ? type : d.Value.Type;

            /// <summary>Whether <paramref name="e"/> has a filter this pass moves (a scalar one evaluated per element).</summary>
            private bool HasMovable(IrExpr e, bool inVector)
            {
                if (e is IrFilter f && inVector && f.Type.IsScalar) return true;
                if (e is IrCall c && IrFacts.IsReduction(c)) return !_lagged && c.Args.Any(a => HasMovable(a, true));
                return IrFacts.Children(e).Any(x => HasMovable(x, inVector));
            }

            /// <summary>
            /// The expression with its movable filters replaced by locals, whose definitions go to <paramref name="pre"/> in
            /// evaluation order. <paramref name="path"/>: the scalar conditions under which the interpreter evaluates it.
            /// </summary>
            private IrExpr Expr(IrRule rule, IrExpr e, bool inVector, List<(IrExpr Condition, bool Holds)> path, List<IrStmt> pre)
            {
                if (!HasMovable(e, inVector)) return e;
                switch (e)
                {
                    case IrFilter f when inVector && f.Type.IsScalar:
                    {
                        // Its arguments are scalar code now, once per step; a reduction among them is still a vector context.
                        var args = f.Args.Select(a => Expr(rule, a, false, path, pre)).ToList();
                        IrExpr value = f with { Args = EqArray.From(args) };
                        if (path.Count > 0) value = new IrSelect(Conjunction(path, f.Span), value, new IrConst(0, f.Type, f.Span), f.Type, f.Span);
                        return Define(rule, "__filter", ++_filters, value, f.Type, f.Span, pre);
                    }
                    case IrCall c when IrFacts.IsReduction(c):
                        return c with { Args = EqArray.From(c.Args.Select(a => Expr(rule, a, true, path, pre))) };
                    case IrSelect s when s.Condition.Type.IsScalar:
                    {
                        // A scalar condition evaluates one branch.
                        var c = Expr(rule, s.Condition, inVector, path, pre);
                        if (!HasMovable(s.WhenTrue, inVector) && !HasMovable(s.WhenFalse, inVector)) return s with { Condition = c };
                        Guard(rule, ref c, path, pre);
                        var t = Expr(rule, s.WhenTrue, inVector, With(path, c, true), pre);
                        var f = Expr(rule, s.WhenFalse, inVector, With(path, c, false), pre);
                        return s with { Condition = c, WhenTrue = t, WhenFalse = f };
                    }
                    case IrBinary b when b.Type.IsScalar && b.Op is BinaryOp.And or BinaryOp.Or:
                    {
                        // Scalar '&&' and '||' evaluate their right side only when the left does not decide.
                        var l = Expr(rule, b.Left, inVector, path, pre);
                        if (!HasMovable(b.Right, inVector)) return b with { Left = l };
                        Guard(rule, ref l, path, pre);
                        var r = Expr(rule, b.Right, inVector, With(path, l, b.Op == BinaryOp.And), pre);
                        return b with { Left = l, Right = r };
                    }
                    case IrUnary u:
                        return u with { Operand = Expr(rule, u.Operand, inVector, path, pre) };
                    case IrBinary b:
                    {
                        var l = Expr(rule, b.Left, inVector, path, pre);
                        return b with { Left = l, Right = Expr(rule, b.Right, inVector, path, pre) };
                    }
                    case IrSelect s:
                    {
                        // An elementwise condition: both branches are evaluated, for every element.
                        var c = Expr(rule, s.Condition, inVector, path, pre);
                        var t = Expr(rule, s.WhenTrue, inVector, path, pre);
                        return s with { Condition = c, WhenTrue = t, WhenFalse = Expr(rule, s.WhenFalse, inVector, path, pre) };
                    }
                    case IrCall c:
                        return c with { Args = EqArray.From(c.Args.Select(a => Expr(rule, a, inVector, path, pre))) };
                    case IrFilter f:
                        return f with { Args = EqArray.From(f.Args.Select(a => Expr(rule, a, inVector, path, pre))) };
                    default:
                        return e;
                }
            }

            /// <summary>
            /// Makes a condition that guards a moved filter a local of its own (unless it is a literal or a name), read by the
            /// filter's definition and by the statement alike: evaluated once, and a reduction in it computed once; itself
            /// under <paramref name="path"/> (<c>__path2 = __path1 &amp;&amp; ema(0.9, x) &gt; 0</c>), as the interpreter
            /// evaluates it only there.
            /// </summary>
            private void Guard(IrRule rule, ref IrExpr condition, List<(IrExpr Condition, bool Holds)> path, List<IrStmt> pre)
            {
                if (condition is IrConst or IrRef) return;
                var value = path.Count == 0 ? condition : new IrBinary(BinaryOp.And, Conjunction(path, condition.Span), condition, IrType.Bool, condition.Span);
                condition = Define(rule, "__path", ++_paths, value, condition.Type, condition.Span, pre);
            }

            private static List<(IrExpr, bool)> With(List<(IrExpr Condition, bool Holds)> path, IrExpr condition, bool holds) =>
                new(path) { (condition, holds) };

            private static IrExpr Conjunction(List<(IrExpr Condition, bool Holds)> path, TextSpan span)
            {
                IrExpr? result = null;
                foreach (var (c, holds) in path)
                {
                    var term = holds ? c : new IrUnary(IrUnaryOp.Not, c, IrType.Bool, span);
                    result = result == null ? term : new IrBinary(BinaryOp.And, result, term, IrType.Bool, span);
                }
                return result!;
            }

            /// <summary>A new local defined as <paramref name="value"/> before the statement; a read of it.</summary>
            private IrRef Define(IrRule rule, string prefix, int number, IrExpr value, IrType type, TextSpan span, List<IrStmt> pre)
            {
                // Names with "__" are the compiler's own (AE0018): no .ae name is one of these.
                var name = prefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Locals.Add(new IrLocal(name, type, rule.Id, rule.Origin));
                pre.Add(new IrDefine(name, SymbolKind.Local, value, span));
                return new IrRef(name, SymbolKind.Local, RefTime.Current, type, span);
            }
        }
    }
}
