using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Schedule;

namespace AE.Dsl.Emit
{
    /// <summary>
    /// Which passes of a schedule the SIMD loops print: a pass whose element values and reduction arguments
    /// are all rank-1 real vectors built from constructs with a lane spelling. Decided on the schedule before
    /// anything is printed, so a pass the lanes do not cover keeps its scalar loop and no printing is undone.
    /// </summary>
    internal static class SimdCoverage
    {
        /// <summary>The reductions the lanes accumulate.</summary>
        private static readonly HashSet<string> Reductions = new() { "sum", "mean", "dot", "norm", "cosine", "max", "min" };

        /// <summary>Null when the SIMD loops cover <paramref name="pass"/>; otherwise the first construct they do not.</summary>
        public static string? WhyNot(IrUnit unit, VectorPass pass)
        {
            if (pass.Elements.Any(e => e.TargetType.Rank != 1 || e.TargetType.Scalar != ScalarType.Real)) return "a value that is not a real vector";
            if (pass.Reductions.Any(r => r.Call.Args.Any(a => a.Type.Rank != 1 || a.Type.Scalar != ScalarType.Real))) return "a reduction over a value that is not a real vector";
            var check = new Checker(unit);
            foreach (var e in pass.Elements)
            {
                var reason = check.Vector(IrFacts.OwnExpressions(e.Stmt)[0], e.Versions);
                if (reason == null && e.Stmt is IrAccumulate a && e.Prev == null)
                    reason = check.Vector(unit.Accs.First(x => x.Name == a.Name).Neutral, e.Versions);
                if (reason == null && (e.Switch != null || e.Conds.Count > 0) && e.Stmt is IrDefine d
                    && unit.Signals.FirstOrDefault(x => x.Name == d.Name)?.Neutral is IrExpr neutral)
                    reason = check.Vector(neutral, e.Versions);
                if (reason != null) return reason;
            }
            foreach (var r in pass.Reductions)
            {
                if (!Reductions.Contains(r.Call.Function)) return "reduction " + r.Call.Function;
                foreach (var a in r.Call.Args)
                    if (check.Vector(a, r.Versions) is string reason) return reason;
            }
            if (pass.IsFinal)
                foreach (var s in unit.States.Where(s => !s.Type.IsScalar && s.Bounds != null))
                    if ((Checker.Scalar(s.Bounds!.Lo) ?? Checker.Scalar(s.Bounds.Hi)) is string reason) return reason;
            return null;
        }

        private sealed class Checker
        {
            private readonly IrUnit _unit;
            public Checker(IrUnit unit) { _unit = unit; }

            /// <summary>A scalar inside a vector expression is computed once per chunk and broadcast: it must be pure.</summary>
            public static string? Scalar(IrExpr e) => IrFacts.IsPure(e) ? null : "a filter update inside a vector expression";

            public string? Vector(IrExpr e, IReadOnlyDictionary<string, ElementItem> versions)
            {
                if (e.Type.IsScalar) return Scalar(e);
                if (e.Type.Rank != 1 || e.Type.Scalar == ScalarType.Int) return "a vector of " + e.Type.Scalar;
                switch (e)
                {
                    case IrRef r:
                        return Ref(r, versions);
                    case IrUnary u:
                        return Vector(u.Operand, versions);
                    case IrBinary b:
                        bool logic = b.Op is BinaryOp.And or BinaryOp.Or;
                        if (!logic && (b.Left.Type.Scalar == ScalarType.Bool || b.Right.Type.Scalar == ScalarType.Bool)) return "arithmetic or comparison on bools";
                        if (b.Op is not (BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div or BinaryOp.Pow or BinaryOp.Less or BinaryOp.LessEq
                            or BinaryOp.Greater or BinaryOp.GreaterEq or BinaryOp.Eq or BinaryOp.NotEq or BinaryOp.And or BinaryOp.Or)) return "operator " + b.Op;
                        return Vector(b.Left, versions) ?? Vector(b.Right, versions);
                    case IrSelect s:
                        return Vector(s.Condition, versions) ?? Vector(s.WhenTrue, versions) ?? Vector(s.WhenFalse, versions);
                    case IrCall c:
                        // min and max of one vector are reductions, lowered by the schedule: here only the elementwise forms.
                        if (c.Function is "min" or "max" && c.Args.Count != 2) return "function " + c.Function;
                        if (!BuiltinSpellings.Elementwise.ContainsKey(c.Function)) return "function " + c.Function;
                        foreach (var a in c.Args)
                            if (Vector(a, versions) is string reason) return reason;
                        return null;
                    case IrNoise:
                        return null;
                    default:
                        return e.GetType().Name;
                }
            }

            private string? Ref(IrRef r, IReadOnlyDictionary<string, ElementItem> versions)
            {
                // A bool vector the law keeps (0 and 1) or takes (a span of bools) is not a lane mask.
                if (r.Type.Scalar == ScalarType.Bool && r.Kind is SymbolKind.Param or SymbolKind.Input or SymbolKind.State or SymbolKind.Coeff)
                    return "bool vector " + r.Name;
                switch (r.Kind)
                {
                    case SymbolKind.Param:
                    case SymbolKind.Input:
                    case SymbolKind.State:
                    case SymbolKind.Coeff:
                        return null;
                    case SymbolKind.Acc:
                        return versions.ContainsKey(r.Name) ? null : Vector(_unit.Accs.First(a => a.Name == r.Name).Neutral, versions);
                    default:
                        if (versions.ContainsKey(r.Name)) return null;
                        var neutral = _unit.Signals.FirstOrDefault(s => s.Name == r.Name)?.Neutral;
                        return neutral != null ? Vector(neutral, versions) : $"'{r.Name}' read before its definition";
                }
            }
        }
    }
}
