using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Text;

namespace AE.Dsl.Emit.Cells
{
    /// <summary>What a scheduled value computes.</summary>
    internal enum CellOp
    {
        /// <summary>An input at this step (a leaf, written by the host loop).</summary>
        Input,
        /// <summary>A state's value at the start of the step (a leaf, written by the host loop).</summary>
        State,
        /// <summary>Its one argument, broadcast to the value's length.</summary>
        Broadcast,
        Negate,
        Not,
        Binary,
        Select,
        /// <summary>An elementwise builtin (<see cref="CellValue.Function"/>).</summary>
        Call,
        /// <summary>A reduction of vectors to one number per sample.</summary>
        Reduce,
        Softmax,
        Concat,
        /// <summary>One affine layer of a net, y = W x + b (<see cref="CellValue.Layer"/>).</summary>
        Linear,
        /// <summary>A net's activation between layers (<see cref="CellValue.Function"/>).</summary>
        Activation,
        /// <summary>The projection of a bounded state onto its bounds at the end of the step: clamp(x, lo, hi).</summary>
        Project,
    }

    /// <summary>An operand: a scheduled value, a literal, a param, or the step number.</summary>
    internal abstract record CellArg;

    internal sealed record ValueArg(int Id) : CellArg;

    internal sealed record LiteralArg(double Value) : CellArg;

    /// <summary>A param; <see cref="Real"/> params are differentiable, int and bool params are not.</summary>
    internal sealed record ParamArg(string Name, int Length, bool Real) : CellArg;

    internal sealed record StepArg : CellArg
    {
        public static readonly StepArg Instance = new();
    }

    /// <summary>
    /// One value of a step, for one sample: a vector of <see cref="Length"/> elements (1 for a number) at
    /// <see cref="Offset"/> in the step's frame. <see cref="Statement"/> is the statement it belongs to (its
    /// index in <see cref="CellSchedule.Statements"/>), -1 for the host's own (leaves, projections).
    /// </summary>
    internal sealed record CellValue(int Id, CellOp Op, int Length, bool IsBool, EqArray<CellArg> Args, int Offset, int Statement,
        string? Function = null, BinaryOp Binary = BinaryOp.Add, IrLayer? Layer = null, string? Name = null);

    /// <summary>A statement of a rule, for the comment and the #line over its values.</summary>
    internal sealed record CellStatement(IrRule Rule, IrStmt Stmt);

    /// <summary>
    /// A cell's step as a flat list of values in evaluation order (single assignment, value ids), the
    /// schedule the cell backend prints twice: forward in order, the adjoint in reverse. Every value has a
    /// fixed place in the step's frame, which the host keeps per step of a checkpoint segment, so the
    /// adjoint reads the forward values it needs. Built once per cell from its prepared IR.
    /// </summary>
    internal sealed class CellSchedule
    {
        public IrUnit Unit { get; }
        public IReadOnlyList<CellValue> Values => _values;
        public IReadOnlyList<CellStatement> Statements => _statements;

        /// <summary>The elements of a frame, per sample.</summary>
        public int FrameLength { get; private set; }

        /// <summary>Each input's leaf value, in declaration order.</summary>
        public IReadOnlyList<(IrInput Input, CellValue Value)> InputValues { get; private set; } = Array.Empty<(IrInput, CellValue)>();

        /// <summary>Each state's leaf (its value at the start of the step) and its value for the next step, in declaration order.</summary>
        public IReadOnlyList<(IrState State, CellValue Leaf, CellValue Next)> StateValues { get; private set; } = Array.Empty<(IrState, CellValue, CellValue)>();

        /// <summary>
        /// The filters' memories (<c>m.lp</c>, <c>d.prev</c>, ...): states of the cell that no .ae name can clash with (a slot
        /// name holds a '.'), carried between steps like the declared ones, after them in <see cref="StateValues"/>; they
        /// start at 0, which no filter reads (each takes its first step's value).
        /// </summary>
        public IReadOnlyList<string> FilterStates => _hidden.Select(h => h.State.Name).ToList();

        /// <summary>Each signal's value, in declaration order.</summary>
        public IReadOnlyList<(IrSignal Signal, CellValue Value)> SignalValues { get; private set; } = Array.Empty<(IrSignal, CellValue)>();

        private readonly List<CellValue> _values = new();
        private readonly List<CellStatement> _statements = new();
        private readonly Dictionary<string, CellArg> _names = new(StringComparer.Ordinal);
        private readonly Dictionary<string, CellArg> _next = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IrNet> _nets;
        private readonly Dictionary<string, IrParam> _params;
        private int _statement = -1;
        private readonly List<(IrState State, CellValue Leaf, CellArg Next)> _hidden = new();
        /// <summary>Inside a 'when' or a branch or operand that the language evaluates only on a condition: a filter there would update when it must not.</summary>
        private int _conditional;
        /// <summary>step == 1, computed once for every filter of the step.</summary>
        private ValueArg? _firstStep;

        private CellSchedule(IrUnit unit)
        {
            Unit = unit;
            _nets = unit.Nets.ToDictionary(n => n.Name, StringComparer.Ordinal);
            _params = unit.Params.ToDictionary(p => p.Name, StringComparer.Ordinal);
        }

        /// <summary>The schedule of a prepared cell.</summary>
        /// <exception cref="EmitNotSupportedException">the cell uses a construct the cell backend does not emit</exception>
        public static CellSchedule Build(IrUnit unit)
        {
            var s = new CellSchedule(unit);
            s.Lower();
            return s;
        }

        private void Lower()
        {
            var inputs = new List<(IrInput, CellValue)>();
            foreach (var i in Unit.Inputs)
            {
                var v = Add(CellOp.Input, Length(i.Type), i.Type.Scalar == ScalarType.Bool, EqArray<CellArg>.Empty, name: i.Name);
                inputs.Add((i, v));
                _names[i.Name] = new ValueArg(v.Id);
            }
            var leaves = new List<(IrState, CellValue)>();
            foreach (var st in Unit.States)
            {
                if (st.Type.Scalar != ScalarType.Real) throw new EmitNotSupportedException($"the state '{st.Name}' is {st.Type}; the cell backend emits real states so far", st.Origin);
                var v = Add(CellOp.State, Length(st.Type), false, EqArray<CellArg>.Empty, name: st.Name);
                leaves.Add((st, v));
                _names[st.Name] = new ValueArg(v.Id);
                _next[st.Name] = new ValueArg(v.Id);
            }
            foreach (var a in Unit.Accs)
            {
                _statement = -1;
                _names[a.Name] = Materialize(LowerExpr(a.Neutral), Length(a.Type), false);
            }
            foreach (var rule in Unit.Rules)
                foreach (var stmt in rule.Body)
                {
                    _statements.Add(new CellStatement(rule, stmt));
                    _statement = _statements.Count - 1;
                    LowerStatement(stmt);
                }
            _statement = -1;

            var states = new List<(IrState, CellValue, CellValue)>();
            foreach (var (st, leaf) in leaves)
            {
                int n = Length(st.Type);
                var next = Materialize(_next[st.Name], n, false);
                if (st.Bounds != null)
                    next = new ValueArg(Add(CellOp.Project, n, false, EqArray.Of(next, LowerExpr(st.Bounds.Lo), LowerExpr(st.Bounds.Hi)), name: st.Name).Id);
                states.Add((st, leaf, _values[((ValueArg)next).Id]));
            }
            foreach (var (st, leaf, nextArg) in _hidden)
                states.Add((st, leaf, _values[((ValueArg)Materialize(nextArg, leaf.Length, false)).Id]));
            var signals = new List<(IrSignal, CellValue)>();
            foreach (var sig in Unit.Signals)
            {
                var arg = _names.TryGetValue(sig.Name, out var a) ? a : LowerExpr(sig.Neutral ?? new IrConst(0, IrType.Real, default));
                var v = Materialize(arg, Length(sig.Type), sig.Type.Scalar == ScalarType.Bool);
                signals.Add((sig, _values[((ValueArg)v).Id]));
            }
            InputValues = inputs;
            StateValues = states;
            SignalValues = signals;
        }

        /// <summary>Where <paramref name="span"/> is: in the file of the rule being lowered (a group's rule may be in another file).</summary>
        private IrOrigin? Here(AE.Dsl.Text.TextSpan span) => _statement >= 0 ? new IrOrigin(_statements[_statement].Rule.Origin.Path, span) : null;

        private void LowerStatement(IrStmt stmt)
        {
            switch (stmt)
            {
                case IrDefine d:
                    _names[d.Name] = LowerExpr(d.Value);
                    break;
                case IrSetNext n:
                    _next[n.Name] = LowerExpr(n.Value);
                    break;
                case IrAccumulate a:
                {
                    var acc = _names[a.Name];
                    var type = Unit.Accs.First(x => x.Name == a.Name).Type;
                    _names[a.Name] = new ValueArg(Add(CellOp.Binary, Length(type), false, EqArray.Of(acc, LowerExpr(a.Value)), binary: BinaryOp.Add).Id);
                    break;
                }
                case IrWhen w:
                    LowerWhen(w);
                    break;
            }
        }

        /// <summary>
        /// A 'when' as selects: both blocks are lowered from the same values, and each next state or accumulator that
        /// they leave different becomes <c>c ? then : else</c>. Its derivative is the select's, to the branch taken, which
        /// is the language's rule for 'when'; inside 'when' only <c>x' =</c> and <c>+=</c> stand (AE0015), so nothing else
        /// can differ.
        /// </summary>
        private void LowerWhen(IrWhen w)
        {
            var condition = LowerExpr(w.Condition);
            if (condition is LiteralArg taken)
            {
                foreach (var stmt in taken.Value != 0 ? w.Then : w.Else) LowerStatement(stmt);
                return;
            }
            var before = (Names: new Dictionary<string, CellArg>(_names, StringComparer.Ordinal), Next: new Dictionary<string, CellArg>(_next, StringComparer.Ordinal));
            _conditional++;
            foreach (var stmt in w.Then) LowerStatement(stmt);
            var then = (Names: new Dictionary<string, CellArg>(_names, StringComparer.Ordinal), Next: new Dictionary<string, CellArg>(_next, StringComparer.Ordinal));
            Restore(_names, before.Names);
            Restore(_next, before.Next);
            foreach (var stmt in w.Else) LowerStatement(stmt);
            _conditional--;
            foreach (var st in Unit.States)
                if (!then.Next[st.Name].Equals(_next[st.Name]))
                    _next[st.Name] = Value(CellOp.Select, st.Type, EqArray.Of(condition, then.Next[st.Name], _next[st.Name]));
            foreach (var acc in Unit.Accs)
                if (!then.Names[acc.Name].Equals(_names[acc.Name]))
                    _names[acc.Name] = Value(CellOp.Select, acc.Type, EqArray.Of(condition, then.Names[acc.Name], _names[acc.Name]));

            static void Restore(Dictionary<string, CellArg> map, Dictionary<string, CellArg> saved)
            {
                map.Clear();
                foreach (var entry in saved) map[entry.Key] = entry.Value;
            }
        }

        private CellArg LowerExpr(IrExpr e)
        {
            switch (e)
            {
                case IrConst c: return new LiteralArg(c.Value);
                case IrStep: return StepArg.Instance;
                case IrRef r:
                    switch (r.Kind)
                    {
                        case SymbolKind.Dim: return new LiteralArg(Unit.Dims.First(d => d.Name == r.Name).Value.Constant);
                        case SymbolKind.Param:
                        {
                            var p = _params[r.Name];
                            return new ParamArg(p.Name, Length(p.Type), p.Type.Scalar == ScalarType.Real);
                        }
                        default:
                            if (r.Time == RefTime.Next) return _next[r.Name];
                            if (_names.TryGetValue(r.Name, out var a)) return a;
                            throw new EmitNotSupportedException($"'{r.Name}' is read before it has a value");
                    }
                case IrUnary u:
                {
                    var x = LowerExpr(u.Operand);
                    if (x is LiteralArg lit) return new LiteralArg(u.Op == IrUnaryOp.Negate ? -lit.Value : lit.Value == 0 ? 1 : 0);
                    return Value(u.Op == IrUnaryOp.Negate ? CellOp.Negate : CellOp.Not, u.Type, EqArray.Of(x));
                }
                case IrBinary b:
                {
                    var l = LowerExpr(b.Left);
                    // A scalar && or || reads its right operand only on a condition (the language short-circuits).
                    bool shortCircuit = b.Op is BinaryOp.And or BinaryOp.Or && b.Type.IsScalar;
                    if (shortCircuit) _conditional++;
                    var r = LowerExpr(b.Right);
                    if (shortCircuit) _conditional--;
                    if (l is LiteralArg x && r is LiteralArg y) return new LiteralArg(Scalar.Binary(b.Op, x.Value, y.Value));
                    return Value(CellOp.Binary, b.Type, EqArray.Of(l, r), binary: b.Op);
                }
                case IrSelect s:
                {
                    var c = LowerExpr(s.Condition);
                    if (c is LiteralArg lit) return LowerExpr(lit.Value != 0 ? s.WhenTrue : s.WhenFalse);
                    // A scalar condition evaluates only the branch it takes; a vector one evaluates both everywhere.
                    bool branches = s.Condition.Type.IsScalar;
                    if (branches) _conditional++;
                    var whenTrue = LowerExpr(s.WhenTrue);
                    var whenFalse = LowerExpr(s.WhenFalse);
                    if (branches) _conditional--;
                    return Value(CellOp.Select, s.Type, EqArray.Of(c, whenTrue, whenFalse));
                }
                case IrCall c:
                {
                    var args = c.Args.Select(LowerExpr).ToArray();
                    if (c.Function == "concat")
                        return Value(CellOp.Concat, c.Type, EqArray.Of(args.Select((a, k) => (CellArg)Materialize(a, Length(c.Args[k].Type), false)).ToArray()));
                    if (c.Function == "softmax") return Value(CellOp.Softmax, c.Type, EqArray.Of(args), function: c.Function);
                    if (Derivatives.IsVectorFunction(c.Function, args.Length))
                    {
                        if (c.Function == "cosine") return Cosine(c, args);
                        // A reduction reads whole vectors per sample: a param or a literal argument becomes a value first.
                        return Value(CellOp.Reduce, c.Type, EqArray.Of(args.Select((a, k) => (CellArg)Materialize(a, Length(c.Args[k].Type), false)).ToArray()), function: c.Function);
                    }
                    if (args.All(a => a is LiteralArg))
                        return new LiteralArg(Scalar.Call(c.Function, args.Select(a => ((LiteralArg)a).Value).ToArray()) ?? throw new EmitNotSupportedException($"no meaning for '{c.Function}'"));
                    if (!BuiltinSpellings.Elementwise.ContainsKey(c.Function)) throw new EmitNotSupportedException($"'{c.Function}' is not emitted by the cell backend yet");
                    return Value(CellOp.Call, c.Type, EqArray.Of(args), function: c.Function);
                }
                case IrNetApply n:
                {
                    var net = _nets[n.Net];
                    var h = Materialize(LowerExpr(n.Input), Size(net.InputWidth), false);
                    for (int li = 0; li < net.Layers.Count; li++)
                    {
                        var layer = net.Layers[li];
                        h = new ValueArg(Add(CellOp.Linear, Size(layer.Out), false, EqArray.Of<CellArg>(h), layer: layer, name: n.Net).Id);
                        if (li < net.Layers.Count - 1 && net.Activation != null)
                        {
                            if (!BuiltinSpellings.Elementwise.ContainsKey(net.Activation)) throw new EmitNotSupportedException($"the activation '{net.Activation}' is not emitted by the cell backend yet");
                            h = new ValueArg(Add(CellOp.Activation, Size(layer.Out), false, EqArray.Of<CellArg>(h), function: net.Activation, name: n.Net).Id);
                        }
                    }
                    return h;
                }
                case IrFilter f:
                    return LowerFilter(f);
                case IrNoise noise:
                    throw new EmitNotSupportedException("noise(); the cell backend takes draws as inputs (as the shipped cells' eps) so far", Here(noise.Span));
                default:
                    throw new EmitNotSupportedException("the IR node " + e.GetType().Name);
            }
        }

        /// <summary>
        /// A filter as a state of its own, its memory m: every step of a sequence updates it (a filter under a condition is
        /// refused), so the number of updates is the step, and its first step takes the first value, as the interpreter's:
        /// lp: m = x at step 1, then beta m + (1 - beta) x, its value m; ema: the same m, its value m / max(1 - beta^step,
        /// 1e-12) (x itself at step 1); prev(x, init): init at step 1, then the x of the step before, m' = x; latch(c, v, b):
        /// a second state holds whether it has latched (1) or not (0): latched' = latched || c, m' = latched ? m : (c ? v : m),
        /// its value latched' ? m' : b. Every piece is a select or arithmetic, so its gradient is theirs.
        /// </summary>
        private CellArg LowerFilter(IrFilter f)
        {
            string kind = f.Kind.ToString().ToLowerInvariant();
            if (_conditional > 0)
                throw new EmitNotSupportedException($"the filter '{f.Slot}' ({kind}) is under a condition ('when', a scalar ?: branch, the right side of && or ||), where it updates only when reached; the cell backend emits filters that update every step so far", Here(f.Span));
            int n = Length(f.Type);
            var first = _firstStep ??= Value(CellOp.Binary, IrType.Bool, EqArray.Of<CellArg>(StepArg.Instance, new LiteralArg(1)), binary: BinaryOp.Eq);
            CellValue Memory(string name) => Add(CellOp.State, n, false, EqArray<CellArg>.Empty, name: name);
            void Carry(string name, CellValue leaf, CellArg next) =>
                _hidden.Add((new IrState(name, SymbolKind.State, f.Type, null, null, false, Unit.Origin), leaf, next));
            CellArg Select(CellArg c, CellArg a, CellArg b, IrType type) => Value(CellOp.Select, type, EqArray.Of(c, a, b));
            CellArg Arith(BinaryOp op, CellArg a, CellArg b) =>
                a is LiteralArg x && b is LiteralArg y ? new LiteralArg(Scalar.Binary(op, x.Value, y.Value)) : Value(CellOp.Binary, f.Type, EqArray.Of(a, b), binary: op);
            switch (f.Kind)
            {
                case FilterKind.Lp:
                case FilterKind.Ema:
                {
                    var beta = LowerExpr(f.Args[0]);
                    var x = Materialize(LowerExpr(f.Args[1]), n, false);
                    var m = Memory(f.Slot);
                    var blended = Arith(BinaryOp.Add, Arith(BinaryOp.Mul, beta, new ValueArg(m.Id)), Arith(BinaryOp.Mul, Arith(BinaryOp.Sub, new LiteralArg(1), beta), x));
                    var next = Select(first, x, blended, f.Type);
                    Carry(f.Slot, m, next);
                    if (f.Kind == FilterKind.Lp) return next;
                    var power = Value(CellOp.Binary, IrType.Real, EqArray.Of(beta, (CellArg)StepArg.Instance), binary: BinaryOp.Pow);
                    var correction = Value(CellOp.Call, IrType.Real, EqArray.Of<CellArg>(Value(CellOp.Binary, IrType.Real, EqArray.Of<CellArg>(new LiteralArg(1), power), binary: BinaryOp.Sub), new LiteralArg(1e-12)), function: "max");
                    return Select(first, x, Arith(BinaryOp.Div, next, correction), f.Type);
                }
                case FilterKind.Prev:
                {
                    var x = Materialize(LowerExpr(f.Args[0]), n, false);
                    var init = LowerExpr(f.Args[1]);
                    var m = Memory(f.Slot);
                    Carry(f.Slot, m, x);
                    return Select(first, init, new ValueArg(m.Id), f.Type);
                }
                default:
                {
                    var condition = LowerExpr(f.Args[0]);
                    var value = LowerExpr(f.Args[1]);
                    var before = LowerExpr(f.Args[2]);
                    var m = Memory(f.Slot);
                    var latched = Add(CellOp.State, 1, false, EqArray<CellArg>.Empty, name: f.Slot + ".on");
                    // At step 1 nothing has latched, whatever the memory holds.
                    var was = Select(first, new LiteralArg(0), new ValueArg(latched.Id), IrType.Bool);
                    var on = Value(CellOp.Binary, IrType.Bool, EqArray.Of(was, condition), binary: BinaryOp.Or);
                    var kept = Select(was, new ValueArg(m.Id), Select(condition, value, new ValueArg(m.Id), f.Type), f.Type);
                    Carry(f.Slot, m, kept);
                    _hidden.Add((new IrState(f.Slot + ".on", SymbolKind.State, IrType.Real, null, null, false, Unit.Origin), latched, on));
                    return Select(on, kept, before, f.Type);
                }
            }
        }

        /// <summary>
        /// cosine(a, b) as dot(a, b) / (norm(a) norm(b)) held to [-1, 1] (clamp's gradient: none where rounding took it
        /// past), and 0 where either norm is 0 with no gradient there (the
        /// language's definition, in the interpreter's order of operations): a select on the norms being 0, over a
        /// division whose denominator is 1 in that case, so that neither pass meets 0 / 0.
        /// </summary>
        private CellArg Cosine(IrCall c, CellArg[] args)
        {
            var a = Materialize(args[0], Length(c.Args[0].Type), false);
            var b = Materialize(args[1], Length(c.Args[1].Type), false);
            var dot = Value(CellOp.Reduce, IrType.Real, EqArray.Of<CellArg>(a, b), function: "dot");
            var na = Value(CellOp.Reduce, IrType.Real, EqArray.Of<CellArg>(a), function: "norm");
            var nb = Value(CellOp.Reduce, IrType.Real, EqArray.Of<CellArg>(b), function: "norm");
            var product = Value(CellOp.Binary, IrType.Real, EqArray.Of<CellArg>(na, nb), binary: BinaryOp.Mul);
            var zero = Value(CellOp.Binary, IrType.Bool, EqArray.Of<CellArg>(
                Value(CellOp.Binary, IrType.Bool, EqArray.Of<CellArg>(na, new LiteralArg(0)), binary: BinaryOp.Eq),
                Value(CellOp.Binary, IrType.Bool, EqArray.Of<CellArg>(nb, new LiteralArg(0)), binary: BinaryOp.Eq)), binary: BinaryOp.Or);
            var denominator = Value(CellOp.Select, IrType.Real, EqArray.Of<CellArg>(zero, new LiteralArg(1), product));
            var quotient = Value(CellOp.Binary, IrType.Real, EqArray.Of<CellArg>(dot, denominator), binary: BinaryOp.Div);
            var held = Value(CellOp.Call, IrType.Real, EqArray.Of<CellArg>(quotient, new LiteralArg(-1), new LiteralArg(1)), function: "clamp");
            return Value(CellOp.Select, IrType.Real, EqArray.Of<CellArg>(zero, new LiteralArg(0), held));
        }

        private ValueArg Value(CellOp op, IrType type, EqArray<CellArg> args, string? function = null, BinaryOp binary = BinaryOp.Add) =>
            new(Add(op, Length(type), type.Scalar == ScalarType.Bool, args, function: function, binary: binary).Id);

        /// <summary>The operand as a value of <paramref name="length"/> elements in the frame: itself, or a broadcast of it.</summary>
        private ValueArg Materialize(CellArg arg, int length, bool isBool)
        {
            if (arg is ValueArg v && _values[v.Id].Length == length) return v;
            return new ValueArg(Add(CellOp.Broadcast, length, isBool, EqArray.Of(arg)).Id);
        }

        private CellValue Add(CellOp op, int length, bool isBool, EqArray<CellArg> args, string? function = null, BinaryOp binary = BinaryOp.Add, IrLayer? layer = null, string? name = null)
        {
            var v = new CellValue(_values.Count, op, length, isBool, args, FrameLength, _statement, function, binary, layer, name);
            _values.Add(v);
            FrameLength += length;
            return v;
        }

        /// <summary>A fixed dim as a number (a cell's dims are numbers by the time it is emitted).</summary>
        internal static int Size(DimExpr d) =>
            d.IsConstant ? checked((int)d.Constant) : throw new EmitNotSupportedException($"the size '{d}' is not a number; a cell's dims are fixed");

        private static int Length(IrType t)
        {
            if (t.Rank > 1) throw new EmitNotSupportedException($"a value of type {t}; the cell backend emits numbers and vectors so far");
            return t.IsScalar ? 1 : Size(t.Shape[0]);
        }
    }
}
