using System;
using System.Collections.Generic;
using AE.Dsl.IR;
using AE.Dsl.Syntax;

namespace AE.Dsl.Binding
{
    /// <summary>Evaluates constant IR (literals, params at their defaults, fixed dims) to a double, or null.</summary>
    internal static class ConstEvaluator
    {
        public static double? Evaluate(IrExpr e, IReadOnlyDictionary<string, Symbol> symbols)
        {
            switch (e)
            {
                // An error's stand-in (a missing or unknown operand, said where it is) has no value to check against.
                case IrConst c: return c.Type.IsError ? null : c.Value;
                case IrRef r when r.Kind == SymbolKind.Param:
                    return symbols.TryGetValue(r.Name, out var p) ? p.ConstValue : null;
                case IrRef r when r.Kind == SymbolKind.Dim:
                    return symbols.TryGetValue(r.Name, out var d) && d.DimValue is { IsConstant: true } v ? v.Constant : null;
                case IrUnary u:
                {
                    var x = Evaluate(u.Operand, symbols);
                    if (x == null) return null;
                    return u.Op == IrUnaryOp.Negate ? -x : (x == 0 ? 1 : 0);
                }
                case IrBinary b:
                {
                    var l = Evaluate(b.Left, symbols);
                    var r = Evaluate(b.Right, symbols);
                    if (l is not double x || r is not double y) return null;
                    return Scalar.Binary(b.Op, x, y);
                }
                case IrSelect s:
                {
                    var c = Evaluate(s.Condition, symbols);
                    if (c == null) return null;
                    return c != 0 ? Evaluate(s.WhenTrue, symbols) : Evaluate(s.WhenFalse, symbols);
                }
                case IrCall call when call.Type.IsScalar:
                {
                    var args = new double[call.Args.Count];
                    for (int i = 0; i < args.Length; i++)
                    {
                        if (!call.Args[i].Type.IsScalar) return null;
                        var arg = Evaluate(call.Args[i], symbols);
                        if (arg == null) return null;
                        args[i] = arg.Value;
                    }
                    return Scalar.Call(call.Function, args);
                }
                default: return null;
            }
        }
    }
}
