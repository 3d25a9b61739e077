using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Syntax;
using AE.Runtime;

namespace AE.Kernels
{
    /// <summary>
    /// Evaluates the constant expressions of a unit on the host (param defaults, ranges, initial
    /// values, bounds), with the reference interpreter's meaning of every operation. Params resolve
    /// in dependency order: a default may read a param declared after it, as in the C# law's constructor.
    /// </summary>
    internal sealed class ConstantEvaluator
    {
        private readonly IrUnit _unit;
        private readonly IReadOnlyDictionary<string, int> _dims;
        private readonly IReadOnlyDictionary<string, double[]> _given;
        private readonly Dictionary<string, double[]> _params = new(StringComparer.Ordinal);
        private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);

        public ConstantEvaluator(IrUnit unit, IReadOnlyDictionary<string, int> dims, IReadOnlyDictionary<string, double[]> given)
        {
            _unit = unit;
            _dims = dims;
            _given = given;
        }

        /// <summary>A param's value: the one given, else its default; checked against its declared range.</summary>
        public double[] Param(string name)
        {
            if (_params.TryGetValue(name, out var known)) return known;
            var p = _unit.Params.First(x => x.Name == name);
            if (!_resolving.Add(name)) throw new InvalidOperationException($"param '{name}' is defined through itself");
            double[] value;
            if (_given.TryGetValue(name, out var g))
            {
                int length = Length(p.Type);
                if (g.Length != length) throw new ArgumentException($"param '{name}' needs {length} values, not {g.Length}", name);
                value = (double[])g.Clone();
            }
            else value = Broadcast(Eval(p.Default), Length(p.Type));
            _resolving.Remove(name);
            if (p.Type.IsScalar && p.Type.Scalar == ScalarType.Int) value[0] = Math.Truncate(value[0]);
            if (!ValueChecks.ParamHolds(p, value[0], Eval))
            {
                // The C# constructor's exception and words: the range with its ends evaluated, as it writes them.
                string interval = ParamOutOfRangeException.Interval(Eval(p.Range!.Lo)[0], Eval(p.Range.Hi)[0], p.Range.LoOpen, p.Range.HiOpen);
                throw new ParamOutOfRangeException(p.Name, interval, value[0], $"param '{p.Name}' must lie in {interval}");
            }
            _params[name] = value;
            return value;
        }

        public int Size(DimExpr d) => d.Evaluate(DimValue);

        private long DimValue(string name)
        {
            if (_dims.TryGetValue(name, out var v)) return v;
            var d = _unit.Dims.FirstOrDefault(x => x.Name == name) ?? throw new ArgumentException($"no dim '{name}'");
            if (d.IsRuntime) throw new ArgumentException($"dim '{name}' needs a value");
            return Size(d.Value);
        }

        public int Length(IrType t) => t.IsScalar ? 1 : Size(t.Shape[0]);

        public static double[] Broadcast(double[] v, int length)
        {
            if (v.Length == length) return v;
            if (v.Length != 1) throw new InvalidOperationException($"cannot broadcast {v.Length} values to {length}");
            var r = new double[length];
            Array.Fill(r, v[0]);
            return r;
        }

        private static double At(double[] v, int i) => v.Length == 1 ? v[0] : v[i];

        public double[] Eval(IrExpr e)
        {
            switch (e)
            {
                case IrConst c: return new[] { c.Value };
                case IrRef { Kind: SymbolKind.Param } r: return Param(r.Name);
                case IrRef { Kind: SymbolKind.Dim } r: return new double[] { DimValue(r.Name) };
                case IrUnary u:
                {
                    var x = Eval(u.Operand);
                    return x.Select(a => u.Op == IrUnaryOp.Negate ? -a : a == 0 ? 1.0 : 0.0).ToArray();
                }
                case IrBinary b:
                {
                    var l = Eval(b.Left);
                    if (b.Type.IsScalar && b.Op == BinaryOp.And && l[0] == 0) return new[] { 0.0 };
                    if (b.Type.IsScalar && b.Op == BinaryOp.Or && l[0] != 0) return new[] { 1.0 };
                    var r = Eval(b.Right);
                    int n = Math.Max(l.Length, r.Length);
                    var result = new double[n];
                    for (int i = 0; i < n; i++) result[i] = AE.Dsl.IR.Scalar.Binary(b.Op, At(l, i), At(r, i));
                    return result;
                }
                case IrSelect s when s.Condition.Type.IsScalar:
                    return Broadcast(Eval(Eval(s.Condition)[0] != 0 ? s.WhenTrue : s.WhenFalse), Length(s.Type));
                case IrSelect s:
                {
                    var c = Eval(s.Condition);
                    var a = Eval(s.WhenTrue);
                    var f = Eval(s.WhenFalse);
                    int n = Math.Max(c.Length, Math.Max(a.Length, f.Length));
                    var r = new double[n];
                    for (int i = 0; i < n; i++) r[i] = At(c, i) != 0 ? At(a, i) : At(f, i);
                    return r;
                }
                case IrCall c: return Call(c);
                default: throw new InvalidOperationException($"'{AE.Dsl.IR.IrPrinter.Expr(e)}' is not a constant");
            }
        }

        private double[] Call(IrCall c)
        {
            var args = c.Args.Select(Eval).ToArray();
            switch (c.Function)
            {
                case "concat": return args.SelectMany(a => a).ToArray();
                case "sum": return new[] { Sum(args[0], args[0], false) };
                case "mean": return new[] { Sum(args[0], args[0], false) / args[0].Length };
                case "dot": return new[] { Sum(args[0], args[1], true) };
                case "norm": return new[] { Math.Sqrt(Sum(args[0], args[0], true)) };
                case "max" when args.Length == 1: return new[] { args[0].Aggregate(double.NegativeInfinity, Math.Max) };
                case "min" when args.Length == 1: return new[] { args[0].Aggregate(double.PositiveInfinity, Math.Min) };
            }
            int n = args.Max(a => a.Length);
            var r = new double[n];
            var scratch = new double[args.Length];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < args.Length; k++) scratch[k] = At(args[k], i);
                r[i] = AE.Dsl.IR.Scalar.Call(c.Function, scratch) ?? throw new InvalidOperationException($"'{c.Function}' is not a constant function");
            }
            return r;
        }

        private static double Sum(double[] a, double[] b, bool product)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += product ? a[i] * b[i] : a[i];
            return s;
        }
    }
}
