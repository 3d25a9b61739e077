using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.IR;
using AE.Dsl.Schedule;
using AE.Dsl.Syntax;

namespace AE.Dsl.Emit.Kernels
{
    internal abstract partial class KernelUnitEmitter
    {
        /// <summary>Where an expression is rendered: a scalar kernel, or one element of a pass kernel.</summary>
        private sealed class Ctx
        {
            public bool Element;
            public IReadOnlyDictionary<string, ElementItem> Versions = Names.NoVersions;
            public int ItemPos = -1;
            public int PassAt = -1;
            /// <summary>The vector an element statement defines, for messages.</summary>
            public string? Target;
        }

        private string Render(IrExpr e, Ctx ctx)
        {
            switch (e)
            {
                case IrConst c:
                    return c.Type.Scalar == ScalarType.Bool ? (c.Value != 0 ? True : False) : Literal(c.Value);
                case IrStep:
                    return Macro(OpenClSlotKind.Step, "step");
                case IrRef r:
                    return RenderRef(r, ctx);
                case IrUnary u:
                    return u.Op == IrUnaryOp.Negate ? $"(-{Render(u.Operand, ctx)})" : $"(!{Render(u.Operand, ctx)})";
                case IrBinary b:
                {
                    bool elementwiseLogic = !b.Type.IsScalar && b.Op is BinaryOp.And or BinaryOp.Or;
                    var l = Render(b.Left, ctx);
                    var r = Render(b.Right, ctx);
                    return b.Op switch
                    {
                        BinaryOp.Pow => $"{Function("pow")}({l}, {r})",
                        // C#'s % on doubles and on longs both truncate toward zero, as fmod does.
                        BinaryOp.Mod => Mod(l, r),
                        // An elementwise && or || evaluates both sides, as the C# backend's & and | do.
                        BinaryOp.And when elementwiseLogic => $"({l} & {r})",
                        BinaryOp.Or when elementwiseLogic => $"({l} | {r})",
                        _ => $"({l} {Operators.Text(b.Op)} {r})",
                    };
                }
                case IrSelect s:
                    return $"({Render(s.Condition, ctx)} ? {Render(s.WhenTrue, ctx)} : {Render(s.WhenFalse, ctx)})";
                case IrCall c:
                    if (_plan.TryGetReduction(c, out var red)) return ReductionValue(red);
                    return RenderCall(c, ctx);
                case IrFilter f:
                    if (ctx.Element)
                        throw new EmitNotSupportedException($"the filter {f.Kind.ToString().ToLowerInvariant()}(...) inside the vector expression of '{ctx.Target}' would run once per element; {Backend} emits filters in scalar statements only");
                    return RenderFilter(f, ctx);
                case IrNoise n:
                    // CounterNoise's draw: a scalar noise() is element 0 of its site, the same in every work item.
                    return Noise(n.Site, ctx.Element && !n.Type.IsScalar ? "i" : null);
                default:
                    throw new EmitNotSupportedException($"'{e.GetType().Name}' is not emitted by {Backend} yet");
            }
        }

        /// <summary>A double literal OpenCL C and C# read back to the same value.</summary>
        private string Literal(double v)
        {
            if (double.IsPositiveInfinity(v)) return PositiveInfinity;
            if (double.IsNegativeInfinity(v)) return "(-" + PositiveInfinity + ")";
            if (double.IsNaN(v)) return NaN;
            var s = v.ToString("R", CultureInfo.InvariantCulture);
            if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0) s += ".0";
            s = s.Replace("E", "e");
            return s.StartsWith("-", StringComparison.Ordinal) ? "(" + s + ")" : s;
        }

        private string ReductionValue(Reduction r)
        {
            string Slot(string suffix) => Macro(OpenClSlotKind.Reduction, ReductionKey(r, suffix));
            return r.Call.Function switch
            {
                "norm" => $"{Function("sqrt")}({Slot("")})",
                "mean" => $"({Slot("")} / (double)({DimText(r.Call.Args[0].Type.Shape[0])}))",
                // The quotient held to [-1, 1], which rounding can pass (the language's definition).
                "cosine" => $"({Slot("_aa")} == 0.0 || {Slot("_bb")} == 0.0 ? 0.0 : {Builtin(BuiltinSpellings.Elementwise["clamp"])}({Slot("_ab")} / ({Function("sqrt")}({Slot("_aa")}) * {Function("sqrt")}({Slot("_bb")})), -1.0, 1.0))",
                _ => Slot(""),
            };
        }

        private string RenderFilter(IrFilter f, Ctx ctx)
        {
            var value = SlotReference(Macro(OpenClSlotKind.FilterValue, f.Slot));
            var count = SlotReference(Macro(OpenClSlotKind.FilterCount, f.Slot));
            var args = f.Args.Select(a => Render(a, ctx)).ToList();
            string Num01(int i) => f.Args[i].Type.Scalar == ScalarType.Bool ? $"(({args[i]}) ? 1.0 : 0.0)" : args[i];
            string call = f.Kind switch
            {
                FilterKind.Ema => $"{Function("ae_ema")}({value}, {count}, {args[0]}, {args[1]})",
                FilterKind.Lp => $"{Function("ae_lp")}({value}, {count}, {args[0]}, {args[1]})",
                FilterKind.Prev => $"{Function("ae_prev")}({value}, {count}, {Num01(0)}, {Num01(1)})",
                _ => $"{Function("ae_latch")}({value}, {count}, {args[0]}, {Num01(1)}, {Num01(2)})",
            };
            return f.Type.Scalar == ScalarType.Bool ? $"({call} != 0.0)" : call;
        }

        /// <summary>A scalar slot as an expression of its type: booleans are read back as 0/1 ints.</summary>
        private static string Read(string macro, IrType type) => type.Scalar == ScalarType.Bool ? $"({macro} != 0.0)" : macro;

        private string RenderRef(IrRef r, Ctx ctx)
        {
            switch (r.Kind)
            {
                case SymbolKind.Dim:
                    return $"((double)({DimText(DimOf(r.Name))}))";
                case SymbolKind.Param:
                    if (r.Type.IsScalar) return Read(Macro(OpenClSlotKind.Param, r.Name), r.Type);
                    RequireElement(ctx, r);
                    return Read($"{_vectorArg[r.Name]}[i]", r.Type);
                case SymbolKind.Input:
                    if (r.Type.IsScalar) return Read(Macro(OpenClSlotKind.Input, r.Name), r.Type);
                    RequireElement(ctx, r);
                    // A bool vector is stored as 1 and 0, as a scalar bool is.
                    if (r.Type.Scalar == ScalarType.Bool) return Read($"{_vectorArg[r.Name]}[i]", r.Type);
                    return _float ? $"(double){_vectorArg[r.Name]}[i]" : $"{_vectorArg[r.Name]}[i]";
                case SymbolKind.State:
                case SymbolKind.Coeff:
                    if (r.Type.IsScalar)
                    {
                        var state = _unit.States.First(s => s.Name == r.Name);
                        return r.Time == RefTime.Next ? Read(MutableRead(r.Name + "'", ctx), r.Type) : Read(Macro(CurrentKind(state), r.Name), r.Type);
                    }
                    RequireElement(ctx, r);
                    if (r.Time == RefTime.Next && ctx.Versions.TryGetValue(r.Name, out var nv)) return ElementVar(Names.Element(nv));
                    return Read(CurrentElement(r.Name), r.Type);
                case SymbolKind.Acc:
                    if (r.Type.IsScalar) return MutableRead(r.Name, ctx);
                    RequireElement(ctx, r);
                    return ctx.Versions.TryGetValue(r.Name, out var av) ? ElementVar(Names.Element(av)) : Render(_unit.Accs.First(a => a.Name == r.Name).Neutral, ctx);
                default: // locals and signals
                    if (r.Type.IsScalar) return Read(ScalarTarget(r.Name), r.Type);
                    RequireElement(ctx, r);
                    if (ctx.Versions.TryGetValue(r.Name, out var lv)) return ElementVar(Names.Element(lv));
                    var neutral = _unit.Signals.FirstOrDefault(s => s.Name == r.Name)?.Neutral;
                    return neutral != null ? Render(neutral, ctx) : throw new InvalidOperationException($"'{r.Name}' read before its definition");
            }
        }

        /// <summary>The slot of a mutable scalar key of the step schedule: "x'" is a next value, anything else an accumulator.</summary>
        private string MutableScalar(string key) =>
            key.EndsWith("'", StringComparison.Ordinal) ? Macro(OpenClSlotKind.Next, key.TrimEnd('\'')) : Macro(OpenClSlotKind.Accumulator, key);

        /// <summary>A next value or accumulator read by a vector element computed after the scalar moved on reads the copy taken at its place.</summary>
        private string MutableRead(string key, Ctx ctx)
        {
            if (ctx.Element && ctx.PassAt >= 0 && _plan.IsSnapshot(ctx.ItemPos, key) && _plan.WrittenBetween(key, ctx.ItemPos, ctx.PassAt))
                return Macro(OpenClSlotKind.Snapshot, SnapshotKey(key, ctx.ItemPos));
            return MutableScalar(key);
        }

        private static void RequireElement(Ctx ctx, IrRef r)
        {
            if (!ctx.Element) throw new InvalidOperationException($"vector '{r.Name}' read outside a vector pass");
        }

        private DimExpr DimOf(string name)
        {
            var d = _unit.Dims.First(x => x.Name == name);
            return d.IsRuntime ? DimExpr.Symbol(name) : d.Value;
        }

        /// <summary>A length as a long expression of the run-time dims (fixed dims are numbers).</summary>
        protected string DimText(DimExpr d, int depth = 0)
        {
            if (d.IsConstant) return Num(d.Constant);
            if (depth > _unit.Dims.Count) throw new InvalidOperationException("internal: dims defined in a cycle");
            var parts = new List<string>();
            foreach (var t in d.Terms)
            {
                var dim = _unit.Dims.FirstOrDefault(x => x.Name == t.Key);
                var text = dim == null || dim.IsRuntime ? DimArg(t.Key) : "(" + DimText(dim.Value, depth + 1) + ")";
                parts.Add(t.Value == 1 ? text : $"{Num(t.Value)} * {text}");
            }
            if (d.Constant != 0) parts.Add(Num(d.Constant));
            return parts.Count == 1 ? parts[0] : "(" + string.Join(" + ", parts) + ")";
        }

        private string RenderCall(IrCall c, Ctx ctx)
        {
            var a = c.Args.Select(x => Render(x, ctx)).ToList();
            return BuiltinSpellings.Call(c.Function, a, Builtin)
                ?? throw new EmitNotSupportedException($"'{c.Function}' is not emitted by {Backend} yet");
        }
    }
}
