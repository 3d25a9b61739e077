using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Binding;
using AE.Dsl.IR;
using AE.Dsl.Syntax;

namespace AE.Dsl.Eval
{
    /// <summary>
    /// The reference semantics of the IR: a direct, unoptimised, double-precision interpreter of one
    /// unit, step by step. Emitters (C#, SIMD, OpenCL) are checked against it.
    /// Semantics fixed here: rules run in order; with a scalar condition '?:' evaluates only the
    /// branch it takes and '&&'/'||' short-circuit, as in C (so a filter in an untaken branch does
    /// not update); with an elementwise condition both sides are evaluated for every element;
    /// statements inside 'when' run only when it holds; at the end of a step every bounded state is
    /// projected onto its bounds and every next value becomes current. A draw has no state: element
    /// i of noise() site s at step t is CounterNoise.Gaussian(seed, t, s, i), a scalar noise() is
    /// element 0, whether or not any other draw was evaluated.
    /// </summary>
    public sealed class Interpreter
    {
        private readonly IrUnit _unit;
        private readonly HashSet<string> _off;
        private readonly Dictionary<string, int> _dims = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double[]> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double[]> _next = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IrNet> _nets;
        private readonly Dictionary<string, double[]> _weights = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _weightSizes = new(StringComparer.Ordinal);
        private readonly ulong _seed;
        private long _step;
        private readonly bool _lagged;
        /// <summary>Lagged: each reduction call's value from the previous step, and the values this step computes.</summary>
        private Dictionary<IrCall, double[]> _lag = new(ReferenceEqualityComparer.Instance);
        private Dictionary<IrCall, double[]> _fresh = new(ReferenceEqualityComparer.Instance);
        /// <summary>While computing a lagged reduction at a statement that does not run: a value not defined yet reads as zeros, as in the compiled pass.</summary>
        private bool _lenient;

        private sealed class ReferenceEqualityComparer : IEqualityComparer<IrCall>
        {
            public static readonly ReferenceEqualityComparer Instance = new();
            public bool Equals(IrCall? x, IrCall? y) => ReferenceEquals(x, y);
            public int GetHashCode(IrCall obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
        }

        private sealed class Slot
        {
            public double[]? M;
            public long Count;
            public bool Latched;
        }

        /// <param name="dims">values of run-time dims (fixed dims come from the unit)</param>
        /// <param name="overrides">param values replacing defaults (scalars or vectors)</param>
        /// <param name="initialState">initial values of state that has no initialiser (or to replace one)</param>
        /// <param name="ablated">rules switched off</param>
        public Interpreter(IrUnit unit, IReadOnlyDictionary<string, int>? dims = null, IReadOnlyDictionary<string, double[]>? overrides = null,
            IReadOnlyDictionary<string, double[]>? initialState = null, IEnumerable<string>? ablated = null, ulong seed = 0, bool lagged = false)
        {
            _unit = unit;
            _lagged = lagged;
            _off = new HashSet<string>(ablated ?? Array.Empty<string>(), StringComparer.Ordinal);
            foreach (var id in _off) CheckSwitchable(id);
            _nets = unit.Nets.ToDictionary(n => n.Name, StringComparer.Ordinal);
            _seed = seed;

            // A dim derived from run-time dims (dim w = n + 2) is computed from them, and checked.
            foreach (var d in DimValues.Resolve(unit, dims)) _dims[d.Key] = d.Value;
            foreach (var p in ParamsInDependencyOrder(unit))
            {
                var value = overrides != null && overrides.TryGetValue(p.Name, out var o) ? o : Broadcast(Eval(p.Default), Length(p.Type));
                _values[p.Name] = Broadcast(value, Length(p.Type));
            }
            foreach (var s in unit.States)
            {
                double[] v;
                if (initialState != null && initialState.TryGetValue(s.Name, out var given)) v = Broadcast(given, Length(s.Type));
                else if (s.Init != null) v = Broadcast(Eval(s.Init), Length(s.Type));
                else v = new double[Length(s.Type)];
                _values[s.Name] = (double[])v.Clone();
            }
            foreach (var n in unit.Nets)
                foreach (var l in n.Layers)
                {
                    _weightSizes[l.WeightName] = checked(Size(l.Out) * Size(l.In));
                    _weightSizes[l.BiasName] = Size(l.Out);
                }
            foreach (var f in unit.Filters) _slots[f.Name] = new Slot();
        }

        /// <summary>Params may refer to each other in any order: a default is evaluated after the params it reads.</summary>
        private static List<IrParam> ParamsInDependencyOrder(IrUnit unit)
        {
            var byName = unit.Params.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var done = new HashSet<string>(StringComparer.Ordinal);
            var visiting = new HashSet<string>(StringComparer.Ordinal);
            var order = new List<IrParam>();
            void Visit(IrParam p)
            {
                if (done.Contains(p.Name) || !visiting.Add(p.Name)) return;   // a cycle is AE0013: never bound
                foreach (var r in IrFacts.Descendants(p.Default).OfType<IrRef>())
                    if (r.Kind == SymbolKind.Param && byName.TryGetValue(r.Name, out var q)) Visit(q);
                done.Add(p.Name);
                order.Add(p);
            }
            foreach (var p in unit.Params) Visit(p);
            return order;
        }

        public long StepCount => _step;

        /// <summary>A param, state, coefficient, signal or accumulator after the last step.</summary>
        /// <summary>The value of a constant expression (literals, dims, params: a param's range, say) with this interpreter's dims and params.</summary>
        public double[] EvaluateConstant(IrExpr constant) => Eval(constant ?? throw new ArgumentNullException(nameof(constant)));

        public double[] Get(string name) => _values.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException(name);
        public double Scalar(string name) => Get(name)[0];

        /// <summary>The weights of a net layer by PyTorch name (row-major [out, in] for weights).</summary>
        public double[] Weights(string name)
        {
            if (_weights.TryGetValue(name, out var w)) return w;
            // Made when first read: an interpreter that only evaluates defaults (the cell backend's) never holds a large net's weights.
            w = new double[_weightSizes.TryGetValue(name, out int size) ? size : throw new KeyNotFoundException(name)];
            _weights[name] = w;
            return w;
        }

        /// <summary>Switches a rule on or off for the following steps, as a generated law's <c>SetRule</c> does.</summary>
        public void SetRule(string id, bool enabled)
        {
            CheckSwitchable(id);
            if (enabled) _off.Remove(id);
            else _off.Add(id);
        }

        private void CheckSwitchable(string id)
        {
            var rule = _unit.Rules.FirstOrDefault(r => r.Id == id) ?? throw new ArgumentException($"no rule '{id}' in {_unit.Name}");
            if (!rule.Ablatable) throw new ArgumentException($"rule '{id}' cannot be switched off");
        }

        public void Step(IReadOnlyDictionary<string, double[]> inputs)
        {
            _step++;
            foreach (var i in _unit.Inputs)
            {
                if (!inputs.TryGetValue(i.Name, out var v)) throw new ArgumentException($"input '{i.Name}' missing");
                _values[i.Name] = Broadcast(v, Length(i.Type));
            }
            foreach (var s in _unit.States) _next[s.Name] = (double[])_values[s.Name].Clone();
            foreach (var a in _unit.Accs) _values[a.Name] = Broadcast(Eval(a.Neutral), Length(a.Type));
            foreach (var l in _unit.Locals) _values.Remove(l.Name);
            foreach (var s in _unit.Signals) if (s.Neutral != null && IrFacts.IsConstant(s.Neutral)) _values[s.Name] = Broadcast(Eval(s.Neutral), Length(s.Type));

            foreach (var rule in _unit.Rules)
            {
                if (_off.Contains(rule.Id))
                {
                    // The values the rule defines take their neutral values before its lagged reductions are computed: those read
                    // them as the statements would (a neutral that reads an accumulator is this step's, not a value left from before).
                    foreach (var sig in _unit.Signals)
                        if (sig.Neutral != null && Defines(rule.Body, sig.Name)) _values[sig.Name] = Broadcast(Eval(sig.Neutral), Length(sig.Type));
                    if (_lagged) Run(rule.Body, execute: false);
                    continue;
                }
                Run(rule.Body, execute: true);
            }
            if (_lagged)
            {
                _lag = _fresh;
                _fresh = new Dictionary<IrCall, double[]>(ReferenceEqualityComparer.Instance);
            }

            foreach (var s in _unit.States)
            {
                var v = _next[s.Name];
                if (s.Bounds != null)
                {
                    var lo = Eval(s.Bounds.Lo)[0];
                    var hi = Eval(s.Bounds.Hi)[0];
                    // Into a new array: the next value may be another value's own (x' = p; x' = y'), which must not change.
                    var projected = new double[v.Length];
                    for (int i = 0; i < v.Length; i++) projected[i] = Math.Min(Math.Max(v[i], lo), hi);
                    v = projected;
                }
                _values[s.Name] = v;
            }
        }

        private static bool Defines(IEnumerable<IrStmt> body, string name) => body.Any(s => s switch
        {
            IrDefine d => d.Name == name,
            IrWhen w => Defines(w.Then, name) || Defines(w.Else, name),
            _ => false,
        });

        /// <param name="execute">false: a lagged law only computes the reductions of statements that do not run</param>
        private void Run(IEnumerable<IrStmt> body, bool execute)
        {
            foreach (var s in body)
            {
                if (_lagged) ComputeLagged(s, lenient: !execute);
                if (!execute)
                {
                    if (s is IrWhen skipped) { Run(skipped.Then, false); Run(skipped.Else, false); }
                    continue;
                }
                switch (s)
                {
                    case IrDefine d: _values[d.Name] = Eval(d.Value); break;
                    case IrSetNext n:
                        _next[n.Name] = Broadcast(Eval(n.Value), _next[n.Name].Length);
                        break;
                    case IrAccumulate a:
                    {
                        var acc = _values[a.Name];
                        var v = Broadcast(Eval(a.Value), acc.Length);
                        var sum = new double[acc.Length];
                        for (int i = 0; i < sum.Length; i++) sum[i] = acc[i] + v[i];
                        _values[a.Name] = sum;
                        break;
                    }
                    case IrWhen w:
                        // Lagged reductions of both branches are computed in program order, taken or not.
                        bool holds = Eval(w.Condition)[0] != 0;
                        Run(w.Then, holds);
                        Run(w.Else, !holds);
                        break;
                }
            }
        }

        // ------------------------------------------------------------ expressions

        private int Size(DimExpr d) => d.Evaluate(name => _dims[name]);

        private int Length(IrType t) => t.IsScalar ? 1 : Size(t.Shape[0]);

        private static double[] Broadcast(double[] v, int length)
        {
            if (v.Length == length) return v;
            if (v.Length != 1) throw new InvalidOperationException($"cannot broadcast {v.Length} values to {length}");
            var r = new double[length];
            for (int i = 0; i < length; i++) r[i] = v[0];
            return r;
        }


        private double[] Eval(IrExpr e)
        {
            switch (e)
            {
                case IrConst c: return new[] { c.Value };
                case IrStep: return new[] { (double)_step };
                case IrRef r:
                    if (r.Kind == SymbolKind.Dim) return new double[] { _dims[r.Name] };
                    if (r.Time == RefTime.Next) return _next[r.Name];
                    if (_values.TryGetValue(r.Name, out var v)) return v;
                    if (_lenient) return new double[Length(r.Type)];
                    throw new InvalidOperationException($"'{r.Name}' read before it has a value");
                case IrUnary u:
                {
                    var x = Eval(u.Operand);
                    return Map(x, u.Op == IrUnaryOp.Negate ? (Func<double, double>)(a => -a) : a => a == 0 ? 1 : 0);
                }
                case IrBinary b:
                {
                    var l = Eval(b.Left);
                    // Scalar '&&' and '||' short-circuit: a filter or draw on the right runs only when needed.
                    if (b.Type.IsScalar && b.Op == BinaryOp.And && l[0] == 0) return new[] { 0.0 };
                    if (b.Type.IsScalar && b.Op == BinaryOp.Or && l[0] != 0) return new[] { 1.0 };
                    var r = Eval(b.Right);
                    return Zip(l, r, (x, y) => IR.Scalar.Binary(b.Op, x, y));
                }
                case IrSelect s when s.Condition.Type.IsScalar:
                {
                    // A scalar condition evaluates only the branch it takes.
                    var taken = Eval(s.Condition)[0] != 0 ? s.WhenTrue : s.WhenFalse;
                    return Broadcast(Eval(taken), Length(s.Type));
                }
                case IrSelect s:
                {
                    // An elementwise condition needs both branches for every element.
                    var c = Eval(s.Condition);
                    var a = Eval(s.WhenTrue);
                    var f = Eval(s.WhenFalse);
                    int n = Math.Max(c.Length, Math.Max(a.Length, f.Length));
                    var r = new double[n];
                    for (int i = 0; i < n; i++) r[i] = At(c, i) != 0 ? At(a, i) : At(f, i);
                    return r;
                }
                case IrCall c: return Call(c);
                case IrFilter f: return Filter(f);
                case IrNetApply n: return ApplyNet(_nets[n.Net], Eval(n.Input));
                case IrNoise n:
                {
                    // Draw i of the site at this step: a pure function, so a draw skipped or repeated changes no other.
                    var r = new double[Length(n.Type)];
                    for (int i = 0; i < r.Length; i++) r[i] = CounterNoise.Gaussian(_seed, (ulong)_step, n.Site, i);
                    return r;
                }
                default: throw new InvalidOperationException("unknown IR node " + e.GetType().Name);
            }
        }

        private static double At(double[] v, int i) => v.Length == 1 ? v[0] : v[i];

        private static double[] Map(double[] x, Func<double, double> f)
        {
            var r = new double[x.Length];
            for (int i = 0; i < x.Length; i++) r[i] = f(x[i]);
            return r;
        }

        private static double[] Zip(double[] a, double[] b, Func<double, double, double> f)
        {
            int n = Math.Max(a.Length, b.Length);
            var r = new double[n];
            for (int i = 0; i < n; i++) r[i] = f(At(a, i), At(b, i));
            return r;
        }

        /// <summary>
        /// Lagged: the value each reduction of <paramref name="s"/> has in the next step, from the values as
        /// they are just before <paramref name="s"/> (run or not), as the compiled update pass computes them.
        /// </summary>
        private void ComputeLagged(IrStmt s, bool lenient)
        {
            bool saved = _lenient;
            _lenient = lenient;
            try
            {
                foreach (var e in IrFacts.OwnExpressions(s))
                    foreach (var call in IrFacts.Descendants(e).OfType<IrCall>().Where(IrFacts.IsReduction))
                        _fresh[call] = Reduce(call.Function, call.Args.Select(Eval).ToArray()) ?? throw new InvalidOperationException("no reduction " + call.Function);
            }
            finally { _lenient = saved; }
        }

        /// <summary>A lagged reduction before its first computation: its empty value.</summary>
        private static double[] EmptyReduction(string function) => new[] { function == "max" ? double.NegativeInfinity : function == "min" ? double.PositiveInfinity : 0.0 };

        private double[] Call(IrCall c)
        {
            if (_lagged && IrFacts.IsReduction(c)) return _lag.TryGetValue(c, out var last) ? last : EmptyReduction(c.Function);
            var args = c.Args.Select(Eval).ToArray();
            return Reduce(c.Function, args) ?? Elementwise(c, args);
        }

        /// <summary>The value of a vector builtin (reduction, softmax, concat); null for an elementwise one. Shared with <see cref="AdjointInterpreter"/>.</summary>
        public static double[]? Reduce(string function, double[][] args)
        {
            switch (function)
            {
                case "sum": return new[] { Sum(args[0]) };
                case "mean": return new[] { Sum(args[0]) / args[0].Length };
                case "dot": return new[] { Dot(args[0], args[1]) };
                case "norm": return new[] { Math.Sqrt(Dot(args[0], args[0])) };
                case "cosine":
                {
                    double na = Math.Sqrt(Dot(args[0], args[0])), nb = Math.Sqrt(Dot(args[1], args[1]));
                    return new[] { na == 0 || nb == 0 ? 0 : ClampCosine(Dot(args[0], args[1]) / (na * nb)) };
                }
                case "logsumexp":
                {
                    double m = double.NegativeInfinity;
                    foreach (var x in args[0]) m = Math.Max(m, x);
                    double s = 0;
                    foreach (var x in args[0]) s += Math.Exp(x - m);
                    return new[] { m + Math.Log(s) };
                }
                case "max" when args.Length == 1: { double m = double.NegativeInfinity; foreach (var x in args[0]) m = Math.Max(m, x); return new[] { m }; }
                case "min" when args.Length == 1: { double m = double.PositiveInfinity; foreach (var x in args[0]) m = Math.Min(m, x); return new[] { m }; }
                case "softmax":
                {
                    double m = double.NegativeInfinity;
                    foreach (var x in args[0]) m = Math.Max(m, x);
                    double s = 0;
                    foreach (var x in args[0]) s += Math.Exp(x - m);
                    var y = new double[args[0].Length];
                    for (int i = 0; i < y.Length; i++) y[i] = Math.Exp(args[0][i] - m) / s;
                    return y;
                }
                case "concat": return args.SelectMany(a => a).ToArray();
            }
            return null;
        }

        private double[] Elementwise(IrCall c, double[][] args)
        {
            int n = args.Max(a => a.Length);
            var r = new double[n];
            var scratch = new double[args.Length];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < args.Length; k++) scratch[k] = At(args[k], i);
                r[i] = IR.Scalar.Call(c.Function, scratch) ?? throw new InvalidOperationException("no scalar meaning for " + c.Function);
            }
            return r;
        }

        /// <summary>Sequential, in index order: the order every backend's reference comparison assumes.</summary>
        private static double Sum(double[] a)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i];
            return s;
        }

        /// <summary>

        /// cosine's quotient held to [-1, 1], where rounding can take it a little past (cosine(v, v) is 1.0000000000000002

        /// for v = (1, 1, 1)); NaN stays NaN. Every backend clamps the same way: AeMath.Clamp's Math.Min(Math.Max(q, -1), 1).

        /// </summary>

        internal static double ClampCosine(double q) => Math.Min(Math.Max(q, -1.0), 1.0);


        private static double Dot(double[] a, double[] b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
            return s;
        }

        private double[] Filter(IrFilter f)
        {
            var slot = _slots[f.Slot];
            switch (f.Kind)
            {
                case FilterKind.Ema:
                {
                    double beta = Eval(f.Args[0])[0];
                    var x = Eval(f.Args[1]);
                    if (slot.M == null) { slot.M = (double[])x.Clone(); slot.Count = 1; return x; }
                    slot.Count++;
                    double correction = Math.Max(1.0 - Math.Pow(beta, slot.Count), 1e-12);
                    var r = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        slot.M[i] = beta * slot.M[i] + (1.0 - beta) * x[i];
                        r[i] = slot.M[i] / correction;
                    }
                    return r;
                }
                case FilterKind.Lp:
                {
                    double beta = Eval(f.Args[0])[0];
                    var x = Eval(f.Args[1]);
                    if (slot.M == null) { slot.M = (double[])x.Clone(); return x; }
                    for (int i = 0; i < x.Length; i++) slot.M[i] = beta * slot.M[i] + (1.0 - beta) * x[i];
                    return (double[])slot.M.Clone();
                }
                case FilterKind.Prev:
                {
                    var x = Eval(f.Args[0]);
                    var init = Eval(f.Args[1]);
                    var result = slot.M ?? Broadcast(init, x.Length);
                    slot.M = (double[])x.Clone();
                    return result;
                }
                default:
                {
                    var cond = Eval(f.Args[0])[0];
                    var value = Eval(f.Args[1]);
                    var before = Eval(f.Args[2]);
                    if (slot.Latched) return slot.M!;
                    if (cond != 0) { slot.Latched = true; slot.M = (double[])value.Clone(); return value; }
                    return before;
                }
            }
        }

        private double[] ApplyNet(IrNet net, double[] x)
        {
            var h = x;
            for (int li = 0; li < net.Layers.Count; li++)
            {
                var layer = net.Layers[li];
                int rows = Size(layer.Out), cols = Size(layer.In);
                var w = Weights(layer.WeightName);
                var b = Weights(layer.BiasName);
                var y = new double[rows];
                for (int r = 0; r < rows; r++)
                {
                    double s = b[r];
                    for (int c = 0; c < cols; c++) s += w[r * cols + c] * h[c];
                    y[r] = s;
                }
                if (li < net.Layers.Count - 1 && net.Activation != null)
                    for (int r = 0; r < rows; r++) y[r] = IR.Scalar.Call(net.Activation, new[] { y[r] })!.Value;
                h = y;
            }
            return h;
        }
    }
}
