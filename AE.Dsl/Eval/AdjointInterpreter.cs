using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Eval
{
    /// <summary>
    /// The independent values of a unit on a tape: every real param and every net weight and bias (by
    /// PyTorch name), shared by all the samples (<see cref="AdjointInterpreter"/>s) run on that tape, so
    /// their gradients add up over the batch as autograd's do.
    /// </summary>
    public sealed class AdjointParameters
    {
        private AdjointParameters(Tape tape, Dictionary<string, TapeValue> parameters, Dictionary<string, TapeValue> weights, Dictionary<string, double[]> constants)
        {
            Tape = tape;
            Params = parameters;
            Weights = weights;
            Constants = constants;
        }

        public Tape Tape { get; }

        /// <summary>The real params (a param's default is evaluated once, then the param is independent).</summary>
        public IReadOnlyDictionary<string, TapeValue> Params { get; }

        /// <summary>Net weights and biases by PyTorch name (weights row-major [out, in]).</summary>
        public IReadOnlyDictionary<string, TapeValue> Weights { get; }

        /// <summary>Int and bool params: constants.</summary>
        internal IReadOnlyDictionary<string, double[]> Constants { get; }

        /// <param name="weights">values of net weights and biases by PyTorch name; a missing one is zeros</param>
        public static AdjointParameters Create(Tape tape, IrUnit unit, IReadOnlyDictionary<string, int>? dims = null,
            IReadOnlyDictionary<string, double[]>? overrides = null, IReadOnlyDictionary<string, double[]>? weights = null)
        {
            // The interpreter evaluates the defaults (in dependency order) and sizes everything.
            var reference = new Interpreter(unit, dims, overrides);
            var ps = new Dictionary<string, TapeValue>(StringComparer.Ordinal);
            var constants = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var p in unit.Params)
            {
                var v = (double[])reference.Get(p.Name).Clone();
                if (p.Type.Scalar == ScalarType.Real) ps[p.Name] = tape.Leaf(v);
                else constants[p.Name] = v;
            }
            var ws = new Dictionary<string, TapeValue>(StringComparer.Ordinal);
            foreach (var n in unit.Nets)
                foreach (var l in n.Layers)
                    foreach (var name in new[] { l.WeightName, l.BiasName })
                    {
                        var shape = reference.Weights(name);
                        double[] v;
                        if (weights != null && weights.TryGetValue(name, out var given))
                        {
                            if (given.Length != shape.Length) throw new ArgumentException($"'{name}' has {given.Length} values, the net needs {shape.Length}");
                            v = (double[])given.Clone();
                        }
                        else v = new double[shape.Length];
                        ws[name] = tape.Leaf(v);
                    }
            return new AdjointParameters(tape, ps, ws, constants);
        }
    }

    /// <summary>
    /// Reverse mode, the reference: runs one unit (one sample) forward with exactly the interpreter's
    /// semantics and values, recording every operation on a <see cref="Tape"/>, so that
    /// <see cref="Tape.Backward"/> gives the gradient of a scalar objective of its values over all
    /// steps (backpropagation through time) with respect to the params and weights
    /// (<see cref="AdjointParameters"/>), the initial state (<see cref="InitialState"/>) and every step's
    /// inputs (<see cref="Inputs"/>). The derivative of each operation is <see cref="Derivatives"/>.
    /// Float64, no checkpointing. A lagged unit is not supported. A state's initialiser is evaluated on
    /// the tape (the gradient reaches the params it reads); the projection onto a state's bounds at the
    /// end of a step is clamp (to the value within the bounds, bounds included, as torch.clamp; else to
    /// the bound taken). A draw is a constant. Inputs may be leaves or values the host computed on the
    /// tape from earlier values (an optimizer's loss and gradient: meta-gradients through the unrolled run).
    /// </summary>
    public sealed class AdjointInterpreter
    {
        private readonly IrUnit _unit;
        private readonly Tape _tape;
        private readonly AdjointParameters _parameters;
        private readonly HashSet<string> _off;
        private readonly Dictionary<string, int> _dims = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TapeValue> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TapeValue> _next = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IrNet> _nets;
        private readonly Dictionary<string, TapeValue> _initial = new(StringComparer.Ordinal);
        private readonly List<IReadOnlyDictionary<string, TapeValue>> _inputs = new();
        private readonly ulong _seed;
        private long _step;

        private sealed class Slot
        {
            public TapeValue? M;
            public long Count;
            public bool Latched;
        }

        /// <param name="initialState">initial values of state that has no initialiser (or to replace one)</param>
        public AdjointInterpreter(IrUnit unit, AdjointParameters parameters, IReadOnlyDictionary<string, int>? dims = null,
            IReadOnlyDictionary<string, double[]>? overrides = null, IReadOnlyDictionary<string, double[]>? initialState = null,
            IEnumerable<string>? ablated = null, ulong seed = 0)
        {
            _unit = unit;
            _parameters = parameters;
            _tape = parameters.Tape;
            _seed = seed;
            _off = new HashSet<string>(ablated ?? Array.Empty<string>(), StringComparer.Ordinal);
            _nets = unit.Nets.ToDictionary(n => n.Name, StringComparer.Ordinal);
            // The interpreter checks the ablations and dims and computes the initial state.
            var reference = new Interpreter(unit, dims, overrides, initialState, ablated, seed);
            foreach (var d in DimValues.Resolve(unit, dims)) _dims[d.Key] = d.Value;
            foreach (var p in parameters.Params) _values[p.Key] = p.Value;
            foreach (var c in parameters.Constants) _values[c.Key] = Tape.Constant(c.Value);
            foreach (var s in unit.States)
            {
                TapeValue v;
                if (s.Init != null && (initialState == null || !initialState.ContainsKey(s.Name)))
                {
                    // An initialiser is an expression of the params (`coeff alpha ... = init_alpha`): evaluated on the
                    // tape, so the gradient reaches them; recorded once more so that the initial value has its own gradient.
                    var init = Broadcast(Eval(s.Init), Length(s.Type));
                    v = _tape.Record((double[])init.Value.Clone(), o => init.AddGrad(o.Grad!));
                }
                else v = _tape.Leaf((double[])reference.Get(s.Name).Clone());
                _initial[s.Name] = v;
                _values[s.Name] = v;
            }
            foreach (var f in unit.Filters) _slots[f.Name] = new Slot();
        }

        public long StepCount => _step;

        /// <summary>Each state's initial value, a leaf of the tape.</summary>
        public IReadOnlyDictionary<string, TapeValue> InitialState => _initial;

        /// <summary>The inputs of each step (index 0 is step 1), leaves of the tape.</summary>
        public IReadOnlyList<IReadOnlyDictionary<string, TapeValue>> Inputs => _inputs;

        /// <summary>A param, state, signal, accumulator or local after the last step.</summary>
        public TapeValue Get(string name) => _values.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException(name);

        /// <summary>One step with the inputs' values: each becomes a leaf of the tape (<see cref="Inputs"/>).</summary>
        public void Step(IReadOnlyDictionary<string, double[]> inputs)
        {
            if (inputs is null) throw new ArgumentNullException(nameof(inputs));
            var given = new Dictionary<string, TapeValue>(StringComparer.Ordinal);
            foreach (var i in _unit.Inputs)
            {
                if (!inputs.TryGetValue(i.Name, out var v)) throw new ArgumentException($"input '{i.Name}' missing");
                given[i.Name] = _tape.Leaf((double[])v.Clone());
            }
            Step(given);
        }

        /// <summary>
        /// One step with inputs that are values of the tape already: computed by the host from this unit's
        /// earlier values (an optimizer's loss and gradient from its theta), so the gradient flows through them.
        /// </summary>
        public void Step(IReadOnlyDictionary<string, TapeValue> inputs)
        {
            if (inputs is null) throw new ArgumentNullException(nameof(inputs));
            _step++;
            var given = new Dictionary<string, TapeValue>(StringComparer.Ordinal);
            foreach (var i in _unit.Inputs)
            {
                if (!inputs.TryGetValue(i.Name, out var v)) throw new ArgumentException($"input '{i.Name}' missing");
                given[i.Name] = v;
                _values[i.Name] = Broadcast(v, Length(i.Type));
            }
            _inputs.Add(given);
            foreach (var s in _unit.States) _next[s.Name] = _values[s.Name];
            foreach (var a in _unit.Accs) _values[a.Name] = Broadcast(Eval(a.Neutral), Length(a.Type));
            foreach (var l in _unit.Locals) _values.Remove(l.Name);
            foreach (var s in _unit.Signals) if (s.Neutral != null && IrFacts.IsConstant(s.Neutral)) _values[s.Name] = Broadcast(Eval(s.Neutral), Length(s.Type));

            foreach (var rule in _unit.Rules)
            {
                if (_off.Contains(rule.Id))
                {
                    foreach (var sig in _unit.Signals)
                        if (sig.Neutral != null && Defines(rule.Body, sig.Name)) _values[sig.Name] = Broadcast(Eval(sig.Neutral), Length(sig.Type));
                    continue;
                }
                Run(rule.Body);
            }

            foreach (var s in _unit.States)
            {
                var v = _next[s.Name];
                if (s.Bounds != null)
                {
                    var loValue = Eval(s.Bounds.Lo);
                    var hiValue = Eval(s.Bounds.Hi);
                    double lo = loValue.Value[0], hi = hiValue.Value[0];
                    var x = v;
                    var projected = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) projected[i] = Math.Min(Math.Max(x.Value[i], lo), hi);
                    // clamp's rule (Derivatives): to the value within the bounds (bounds included), else to the bound taken.
                    v = _tape.Record(projected, r =>
                    {
                        var a = new double[3];
                        var d = new double[3];
                        for (int i = 0; i < x.Length; i++)
                        {
                            double g = r.Grad![i];
                            if (g == 0) continue;
                            a[0] = x.Value[i]; a[1] = lo; a[2] = hi;
                            Derivatives.Elementwise("clamp", a, projected[i], d);
                            x.AddGrad(i, g * d[0]);
                            loValue.AddGrad(0, g * d[1]);
                            hiValue.AddGrad(0, g * d[2]);
                        }
                    });
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

        private void Run(IEnumerable<IrStmt> body)
        {
            foreach (var s in body)
            {
                switch (s)
                {
                    case IrDefine d: _values[d.Name] = Eval(d.Value); break;
                    case IrSetNext n: _next[n.Name] = Broadcast(Eval(n.Value), _next[n.Name].Length); break;
                    case IrAccumulate a:
                    {
                        var acc = _values[a.Name];
                        var v = Broadcast(Eval(a.Value), acc.Length);
                        var sum = new double[acc.Length];
                        for (int i = 0; i < sum.Length; i++) sum[i] = acc.Value[i] + v.Value[i];
                        _values[a.Name] = _tape.Record(sum, r =>
                        {
                            for (int i = 0; i < sum.Length; i++) { acc.AddGrad(i, r.Grad![i]); v.AddGrad(i, r.Grad![i]); }
                        });
                        break;
                    }
                    case IrWhen w:
                        if (Eval(w.Condition).Value[0] != 0) Run(w.Then); else Run(w.Else);
                        break;
                }
            }
        }

        // ------------------------------------------------------------ expressions

        private int Size(DimExpr d) => d.Evaluate(name => _dims[name]);

        private int Length(IrType t) => t.IsScalar ? 1 : Size(t.Shape[0]);

        private TapeValue Broadcast(TapeValue v, int length)
        {
            if (v.Length == length) return v;
            if (v.Length != 1) throw new InvalidOperationException($"cannot broadcast {v.Length} values to {length}");
            var r = new double[length];
            for (int i = 0; i < length; i++) r[i] = v.Value[0];
            return v.IsConstant ? Tape.Constant(r) : _tape.Record(r, o =>
            {
                for (int i = 0; i < length; i++) v.AddGrad(0, o.Grad![i]);
            });
        }

        private static double At(double[] v, int i) => v.Length == 1 ? v[0] : v[i];

        private TapeValue Eval(IrExpr e)
        {
            switch (e)
            {
                case IrConst c: return Tape.Constant(new[] { c.Value });
                case IrStep: return Tape.Constant(new[] { (double)_step });
                case IrRef r:
                    if (r.Kind == SymbolKind.Dim) return Tape.Constant(new double[] { _dims[r.Name] });
                    if (r.Time == RefTime.Next) return _next[r.Name];
                    if (_values.TryGetValue(r.Name, out var v)) return v;
                    throw new InvalidOperationException($"'{r.Name}' read before it has a value");
                case IrUnary u:
                {
                    var x = Eval(u.Operand);
                    var y = new double[x.Length];
                    if (u.Op == IrUnaryOp.Not)
                    {
                        for (int i = 0; i < y.Length; i++) y[i] = x.Value[i] == 0 ? 1 : 0;
                        return Tape.Constant(y);
                    }
                    for (int i = 0; i < y.Length; i++) y[i] = -x.Value[i];
                    return _tape.Record(y, o => { for (int i = 0; i < y.Length; i++) x.AddGrad(i, -o.Grad![i]); });
                }
                case IrBinary b:
                {
                    var l = Eval(b.Left);
                    if (b.Type.IsScalar && b.Op == BinaryOp.And && l.Value[0] == 0) return Tape.Constant(new[] { 0.0 });
                    if (b.Type.IsScalar && b.Op == BinaryOp.Or && l.Value[0] != 0) return Tape.Constant(new[] { 1.0 });
                    var r = Eval(b.Right);
                    int n = Math.Max(l.Length, r.Length);
                    var z = new double[n];
                    for (int i = 0; i < n; i++) z[i] = IR.Scalar.Binary(b.Op, At(l.Value, i), At(r.Value, i));
                    if (!Derivatives.IsDifferentiable(b.Op)) return Tape.Constant(z);
                    var op = b.Op;
                    return _tape.Record(z, o =>
                    {
                        for (int i = 0; i < n; i++)
                        {
                            var (dx, dy) = Derivatives.Binary(op, At(l.Value, i), At(r.Value, i), z[i]);
                            double g = o.Grad![i];
                            // A zero gradient adds nothing: skip it so that 0 * inf (pow's log at x < 0) does not poison the sum.
                            if (g == 0) continue;
                            l.AddGrad(i, g * dx);
                            r.AddGrad(i, g * dy);
                        }
                    });
                }
                case IrSelect s when s.Condition.Type.IsScalar:
                {
                    var taken = Eval(s.Condition).Value[0] != 0 ? s.WhenTrue : s.WhenFalse;
                    return Broadcast(Eval(taken), Length(s.Type));
                }
                case IrSelect s:
                {
                    var c = Eval(s.Condition);
                    var a = Eval(s.WhenTrue);
                    var f = Eval(s.WhenFalse);
                    int n = Math.Max(c.Length, Math.Max(a.Length, f.Length));
                    var r = new double[n];
                    for (int i = 0; i < n; i++) r[i] = At(c.Value, i) != 0 ? At(a.Value, i) : At(f.Value, i);
                    return _tape.Record(r, o =>
                    {
                        for (int i = 0; i < n; i++)
                            if (At(c.Value, i) != 0) a.AddGrad(i, o.Grad![i]); else f.AddGrad(i, o.Grad![i]);
                    });
                }
                case IrCall c: return Call(c);
                case IrFilter f: return Filter(f);
                case IrNetApply n: return ApplyNet(_nets[n.Net], Eval(n.Input));
                case IrNoise n:
                {
                    var r = new double[Length(n.Type)];
                    for (int i = 0; i < r.Length; i++) r[i] = CounterNoise.Gaussian(_seed, (ulong)_step, n.Site, i);
                    return Tape.Constant(r);
                }
                default: throw new InvalidOperationException("unknown IR node " + e.GetType().Name);
            }
        }

        private TapeValue Call(IrCall c)
        {
            var args = c.Args.Select(Eval).ToArray();
            var values = args.Select(a => a.Value).ToArray();
            if (Derivatives.IsVectorFunction(c.Function, args.Length))
            {
                var y = Interpreter.Reduce(c.Function, values) ?? throw new InvalidOperationException("no reduction " + c.Function);
                return _tape.Record(y, o =>
                {
                    var grads = Derivatives.VectorJacobian(c.Function, values, y, o.Grad!);
                    for (int k = 0; k < args.Length; k++)
                        for (int i = 0; i < grads[k].Length; i++) args[k].AddGrad(i, grads[k][i]);
                });
            }
            int n = args.Max(a => a.Length);
            var r = new double[n];
            var scratch = new double[args.Length];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < args.Length; k++) scratch[k] = At(values[k], i);
                r[i] = IR.Scalar.Call(c.Function, scratch) ?? throw new InvalidOperationException("no scalar meaning for " + c.Function);
            }
            if (c.Function == "isfinite") return Tape.Constant(r);
            return _tape.Record(r, o =>
            {
                var a = new double[args.Length];
                var d = new double[args.Length];
                for (int i = 0; i < n; i++)
                {
                    double g = o.Grad![i];
                    if (g == 0) continue;
                    for (int k = 0; k < args.Length; k++) a[k] = At(values[k], i);
                    Derivatives.Elementwise(c.Function, a, r[i], d);
                    for (int k = 0; k < args.Length; k++) if (d[k] != 0) args[k].AddGrad(i, g * d[k]);
                }
            });
        }

        private TapeValue Filter(IrFilter f)
        {
            var slot = _slots[f.Slot];
            switch (f.Kind)
            {
                case FilterKind.Ema:
                {
                    var beta = Eval(f.Args[0]);
                    var x = Eval(f.Args[1]);
                    if (slot.M == null) { slot.M = x; slot.Count = 1; return x; }
                    slot.Count++;
                    var m0 = slot.M;
                    double bv = beta.Value[0];
                    double power = Math.Pow(bv, slot.Count);
                    double correction = Math.Max(1.0 - power, 1e-12);
                    // dcorrection/dbeta: -count beta^(count-1) while 1 - beta^count is above its floor.
                    double dcorr = 1.0 - power > 1e-12 ? -slot.Count * Math.Pow(bv, slot.Count - 1) : 0;
                    var m = new double[x.Length];
                    var r = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        m[i] = bv * m0.Value[i] + (1.0 - bv) * x.Value[i];
                        r[i] = m[i] / correction;
                    }
                    var mv = _tape.Record(m, o =>
                    {
                        for (int i = 0; i < m.Length; i++)
                        {
                            double g = o.Grad![i];
                            m0.AddGrad(i, g * bv);
                            x.AddGrad(i, g * (1.0 - bv));
                            beta.AddGrad(0, g * (m0.Value[i] - x.Value[i]));
                        }
                    });
                    slot.M = mv;
                    return _tape.Record(r, o =>
                    {
                        for (int i = 0; i < r.Length; i++)
                        {
                            double g = o.Grad![i];
                            mv.AddGrad(i, g / correction);
                            beta.AddGrad(0, -g * m[i] / (correction * correction) * dcorr);
                        }
                    });
                }
                case FilterKind.Lp:
                {
                    var beta = Eval(f.Args[0]);
                    var x = Eval(f.Args[1]);
                    if (slot.M == null) { slot.M = x; return x; }
                    var m0 = slot.M;
                    double bv = beta.Value[0];
                    var m = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) m[i] = bv * m0.Value[i] + (1.0 - bv) * x.Value[i];
                    slot.M = _tape.Record(m, o =>
                    {
                        for (int i = 0; i < m.Length; i++)
                        {
                            double g = o.Grad![i];
                            m0.AddGrad(i, g * bv);
                            x.AddGrad(i, g * (1.0 - bv));
                            beta.AddGrad(0, g * (m0.Value[i] - x.Value[i]));
                        }
                    });
                    return slot.M;
                }
                case FilterKind.Prev:
                {
                    var x = Eval(f.Args[0]);
                    var init = Eval(f.Args[1]);
                    var result = slot.M ?? Broadcast(init, x.Length);
                    slot.M = x;
                    return result;
                }
                default:
                {
                    var cond = Eval(f.Args[0]).Value[0];
                    var value = Eval(f.Args[1]);
                    var before = Eval(f.Args[2]);
                    if (slot.Latched) return slot.M!;
                    if (cond != 0) { slot.Latched = true; slot.M = value; return value; }
                    return before;
                }
            }
        }

        private TapeValue ApplyNet(IrNet net, TapeValue x)
        {
            var h = x;
            for (int li = 0; li < net.Layers.Count; li++)
            {
                var layer = net.Layers[li];
                int rows = Size(layer.Out), cols = Size(layer.In);
                var w = _parameters.Weights[layer.WeightName];
                var b = _parameters.Weights[layer.BiasName];
                var input = h;
                var y = new double[rows];
                for (int r = 0; r < rows; r++)
                {
                    double s = b.Value[r];
                    for (int c = 0; c < cols; c++) s += w.Value[r * cols + c] * input.Value[c];
                    y[r] = s;
                }
                // y = W x + b: dW[r, c] += g[r] x[c], db[r] += g[r], dx[c] += sum_r W[r, c] g[r].
                h = _tape.Record(y, o =>
                {
                    for (int r = 0; r < rows; r++)
                    {
                        double g = o.Grad![r];
                        if (g == 0) continue;
                        b.AddGrad(r, g);
                        for (int c = 0; c < cols; c++)
                        {
                            w.AddGrad(r * cols + c, g * input.Value[c]);
                            input.AddGrad(c, g * w.Value[r * cols + c]);
                        }
                    }
                });
                if (li < net.Layers.Count - 1 && net.Activation != null)
                {
                    var pre = h;
                    var act = net.Activation;
                    var a = new double[rows];
                    for (int r = 0; r < rows; r++) a[r] = IR.Scalar.Call(act, new[] { pre.Value[r] })!.Value;
                    h = _tape.Record(a, o =>
                    {
                        var arg = new double[1];
                        var d = new double[1];
                        for (int r = 0; r < rows; r++)
                        {
                            arg[0] = pre.Value[r];
                            Derivatives.Elementwise(act, arg, a[r], d);
                            // As for a builtin: a zero local derivative passes nothing, an infinite gradient included.
                            if (o.Grad![r] != 0 && d[0] != 0) pre.AddGrad(r, o.Grad![r] * d[0]);
                        }
                    });
                }
            }
            return h;
        }
    }
}
