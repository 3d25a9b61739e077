using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Schedule;
using AE.Dsl.Syntax;

namespace AE.Dsl.Emit
{
    /// <summary>
    /// SIMD passes. A vector pass becomes a method over one chunk of the vectors (Vector256 lanes of
    /// double, a scalar tail), called for every chunk on the stepping thread or on the workers; each
    /// chunk writes its partial reductions to its own slot and the step adds the slots in chunk order,
    /// so the result does not depend on the number of threads. Everything the pass reads from the
    /// step (scalars computed so far, the host's spans as pointers) travels in a job object made once.
    /// </summary>
    internal sealed partial class UnitEmitter
    {
        private const string V256 = Aliases.Vx;
        private const string Simd = Aliases.Simd;
        /// <summary>The exact lane operations, shared with populations.</summary>
        private const string Lanes = Aliases.Lanes;

        private readonly List<string> _simdMembers = new();
        private bool _drawsKnownFalse;
        /// <summary>The draw sites the vector loop being rendered reads: each gets a buffer, filled a block at a time.</summary>
        private readonly List<int> _drawSites = new();

        /// <summary>A construct <see cref="SimdCoverage"/> should have kept out of the lanes.</summary>
        private static InvalidOperationException NotCovered(string what) =>
            new("internal: SimdCoverage admitted a pass with " + what);

        private static string DrawBuffer(int site) => "__nz" + site.ToString(CultureInfo.InvariantCulture);
        /// <summary>Scalar conditions (step-scope C#) enclosing the vector expression being rendered, and the statement's own.</summary>
        private readonly List<string> _scalarPath = new();
        private string _statementCondition = "";
        /// <summary>When each draw of the pass happens: the pass runs its loop without draws when none of these holds.</summary>
        private readonly List<string> _drawConditions = new();
        private List<string> _vHoists = new();
        private Dictionary<string, string> _vHoistByText = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _passGuardLocals = new(StringComparer.Ordinal);

        /// <summary>Step locals a pass may read, by their C# name: their C# type and, for the host's vectors, the pinned pointer the job gets.</summary>
        private Dictionary<string, (string Type, string? Pin)> StepLocals(VectorPass pass)
        {
            var d = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar)) d[Next(s.Name)] = (ScalarType(s.Type), null);
            foreach (var a in _unit.Accs.Where(a => a.Type.IsScalar)) d[Id(a.Name)] = ("double", null);
            foreach (var s in _unit.Signals.Where(s => s.Type.IsScalar)) d[Id(s.Name)] = (ScalarType(s.Type), null);
            foreach (var l in _unit.Locals.Where(l => l.Type.IsScalar)) d[Id(l.Name)] = (ScalarType(l.Type), null);
            for (int c = 1; c <= _plan.CondCount; c++) d[Names.Cond(c)] = ("bool", null);
            foreach (var snap in _plan.Snapshots) d[SnapshotVar(snap.Name, snap.Pos)] = (SnapshotType(snap.Name), null);
            d["__step"] = ("long", null);
            foreach (var r in _switches) d[Names.Switch(r.Id)] = ("bool", null);
            foreach (var kv in _passGuardLocals) d[kv.Key] = (kv.Value, null);
            foreach (var r in _plan.Reductions.Where(r => _options.Lagged || !pass.Reductions.Contains(r)))
                foreach (var (v, _) in ReadAccumulators(r)) d[v] = ("double", null);
            foreach (var i in _unit.Inputs.Where(i => !IsBoolVector(i.Type))) d[Id(i.Name)] = i.Type.IsScalar ? (ScalarType(i.Type), null) : ("__T*", Pin(i.Name));
            foreach (var s in _unit.States.Where(s => _hostStates.Contains(s.Name))) d[Id(s.Name)] = ("__T*", Pin(s.Name));
            return d;
        }

        /// <summary>The pointer a Step pins its span parameter to.</summary>
        private static string Pin(string name) => "__pin_" + Names.Stem(name);

        private IEnumerable<(string Name, string Span)> PinnedSpans()
        {
            foreach (var i in _unit.Inputs.Where(i => !i.Type.IsScalar && !IsBoolVector(i.Type))) yield return (Pin(i.Name), Id(i.Name));
            foreach (var s in _unit.States.Where(s => _hostStates.Contains(s.Name))) yield return (Pin(s.Name), Id(s.Name));
        }

        /// <summary>Members of a pass's job class (and of AeChunkJob, its base); a capture of the same name gets a field with '__' appended.</summary>
        private static readonly HashSet<string> JobMembers = new(StringComparer.Ordinal)
        {
            "Partials", "Simd", "Draws", "Run", "Start", "End", "Sum", "Max", "Min", "RunChunk",
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
        };

        private static string JobField(string capture) => JobMembers.Contains(capture) ? capture + "__" : capture;

        /// <summary>Whether a chunk method is being written (its owned vectors are pinned locals of its own).</summary>
        private bool _inChunk;

        /// <summary>
        /// Emits a pass as a method over one chunk of the vectors, generic over the host's element type, and
        /// a job class that carries what it reads from the step (both kept for after the step), and returns
        /// the dispatch the step runs and the job's local; null when the pass has something the SIMD loops
        /// do not cover (the step then keeps the pass's scalar loop). Under the scalar kernel the same
        /// method runs the whole vector one element at a time: the reference interpreter's order.
        /// </summary>
        private (List<string> Dispatch, string Job)? TryEmitSimdPass(VectorPass pass, DimExpr len, Dictionary<Reduction, string> perReduction, int index, string what)
        {
            if (SimdCoverage.WhyNot(_unit, pass) != null) return null;
            var k = index.ToString(CultureInfo.InvariantCulture);
            var job = "__Pass" + k;
            var method = "__RunPass" + k;
            var saved = _w;
            _vHoists = new List<string>();
            _vHoistByText = new Dictionary<string, string>(StringComparer.Ordinal);
            _drawConditions.Clear();
            // The chunk's body first: printing it notes the step locals it reads, which its job then carries.
            _inChunk = true;
            _chunkReads = new HashSet<string>(StringComparer.Ordinal);
            _w = new CodeWriter(3);
            EmitChunkBody(pass, len, perReduction);
            var chunkBody = _w.ToString();
            var reads = _chunkReads;
            _chunkReads = null;
            _w = saved;
            _inChunk = false;

            var captures = StepLocals(pass).Where(l => reads.Contains(l.Key))
                .Select(l => (Name: l.Key, l.Value.Type, l.Value.Pin)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            var chunk = new CodeWriter(2);
            chunk.Line();
            chunk.Line($"/// <summary>Pass {index} over one chunk of the vectors (over all of them, one element at a time, in the scalar kernel): {CSharp.Xml(what)}.</summary>");
            chunk.Line(Aliases.Hot);
            chunk.Open($"private void {method}<__T>({job}<__T> __f, int __chunk) where __T : unmanaged");
            // The chunk method's copies of the captures, one declaration per type.
            foreach (var g in captures.GroupBy(c => c.Type))
                chunk.Line($"{g.Key} {string.Join(", ", g.Select(c => $"{c.Name} = __f.{JobField(c.Name)}"))};");
            chunk.Raw(chunkBody);
            chunk.Close();
            var body = chunk.ToString();

            int partials = pass.Reductions.Sum(r => ReductionAccumulators(r).Count());
            // Whether this step's pass draws: when none of its draws' conditions holds, its chunks run the loop without them.
            string noise = _drawConditions.Count == 0 ? "false" : _drawConditions.Contains("") ? "true" : string.Join(" || ", _drawConditions.Distinct().Select(c => "(" + c + ")"));
            var members = new CodeWriter(2);
            members.Line();
            members.Line($"/// <summary>Pass {index}: what it reads from the step (the host's vectors as pointers); its partial results per chunk.</summary>");
            using (members.Block($"private sealed class {job}<__T> : {Aliases.Runtime}.Simd.AeChunkJob where __T : unmanaged"))
            {
                members.Line($"private readonly {_type} __law;");
                foreach (var g in captures.GroupBy(c => c.Type))
                    members.Line($"public {g.Key} {string.Join(", ", g.Select(c => JobField(c.Name)))};");
                members.Line($"public {job}({_type} law, int length) : base(length, {partials}) {{ __law = law; }}");
                members.Line($"public override void RunChunk(int chunk) => __law.{method}(this, chunk);");
            }
            members.Line($"private object? __job{k};");
            _simdMembers.Add(members.ToString());
            _simdMembers.Add(body);

            // The dispatch, as the step runs it.
            var j = "__j" + k;
            var d = new List<string>();
            // The job of the other precision stays cached after a state of that precision is restored (LawState): make one anew.
            d.Add($"var {j} = __job{k} as {job}<__T> ?? ({job}<__T>)(__job{k} = new {job}<__T>(this, {DimText(len)}));");
            var sets = new List<string>();
            foreach (var c in captures)
            {
                if (c.Pin != null) _usedPins.Add(c.Pin);
                sets.Add($"{j}.{JobField(c.Name)} = {c.Pin ?? c.Name};");
            }
            if (sets.Count > 0) d.Add(string.Join(" ", sets));
            if (noise != "false") d.Add($"{j}.Draws = {noise};");
            d.Add($"{j}.Run(Kernel, MaxThreads);");
            return (d, j);
        }

        /// <summary>The statements of a pass's chunk method, inside its braces.</summary>
        private void EmitChunkBody(VectorPass pass, DimExpr len, Dictionary<Reduction, string> perReduction)
        {
            // The law's own arrays, pinned under the names the loops use.
            var pinned = new List<string>();
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && !_hostStates.Contains(s.Name)))
                pinned.Add($"fixed (__T* {StateLocal(s.Name)} = {OwnedStorage(s.Name)})");
            foreach (var p in _unit.Params.Where(p => !p.Type.IsScalar))
                pinned.Add($"fixed (double* {ParamArray(p.Name)} = this.{ParamArray(p.Name)})");
            foreach (var s in _unit.Signals.Where(s => !s.Type.IsScalar))
                pinned.Add($"fixed (double* {SignalBuffer(s.Name)} = this.{SignalBuffer(s.Name)})");
            for (int i = 0; i < pinned.Count - 1; i++) _w.Line(pinned[i]);
            if (pinned.Count > 0) _w.Open(pinned[pinned.Count - 1]);
            _w.Line("int __i = __f.Start(__chunk), __end = __f.End(__chunk);");
            foreach (var kv in perReduction) _passGuardLocals[kv.Value] = "bool";

            // The vector loop first, into its own writer: the scalars it hoists are declared above it.
            var outer = _w;
            string VectorLoop(int indent, bool drawsKnownFalse)
            {
                // A loop that draws fills a buffer per draw site a block at a time (AeNoise's bulk draws, the
                // same bits as one by one) and reads the draws from it, so the loop itself stays short.
                bool blocked = !drawsKnownFalse && DrawsPerElement(pass);
                _drawsKnownFalse = drawsKnownFalse;
                _drawSites.Clear();
                _w = new CodeWriter(indent + (blocked ? 2 : 1));
                foreach (var e in pass.Elements) EmitElementV(e, pass);
                foreach (var r in pass.Reductions)
                {
                    if (perReduction.TryGetValue(r, out var g)) _w.Open($"if ({StepLocal(g)})");
                    EmitReductionStepV(r, pass, g ?? "");
                    if (perReduction.ContainsKey(r)) _w.Close();
                }
                if (pass.IsFinal) EmitWritesV(len);
                var body = _w.ToString();
                _drawsKnownFalse = false;
                _w = new CodeWriter(indent);
                if (!blocked)
                {
                    _w.Open($"for (; __i <= __end - {Simd}.Width; __i += {Simd}.Width)");
                    _w.Raw(body);
                    _w.Close();
                }
                else
                {
                    foreach (var site in _drawSites) _w.Line($"double* {DrawBuffer(site)} = stackalloc double[{Simd}.DrawBlock];");
                    _w.Open($"while (__i <= __end - {Simd}.Width)");
                    _w.Line($"int __d0 = __i, __dEnd = {Aliases.Math}.Min(__end, __i + {Simd}.DrawBlock);");
                    foreach (var site in _drawSites)
                        _w.Line($"{Simd}.Fill(__seed, (ulong){StepLocal("__step")}, {site.ToString(CultureInfo.InvariantCulture)}, __d0, {DrawBuffer(site)}, __dEnd - __d0);");
                    _w.Open($"for (; __i <= __dEnd - {Simd}.Width; __i += {Simd}.Width)");
                    _w.Raw(body);
                    _w.Close();
                    _w.Close();
                }
                var text = _w.ToString();
                _w = outer;
                return text;
            }
            // A step that draws nothing gets a loop without the draw's call, whose vectors stay in registers.
            bool draws = DrawsPerElement(pass);
            var loop = VectorLoop(IndentOf(outer) + (draws ? 2 : 1), false);
            var withoutDraws = draws ? VectorLoop(IndentOf(outer) + 2, true) : null;
            foreach (var r in pass.Reductions)
                foreach (var (v, init) in ReductionAccumulators(r))
                    _w.Line($"var {VAcc(v)} = {V256}.Create({init});");
            // SIMD: four elements at a time; the scalars the lanes read are computed once per chunk and broadcast.
            _w.Open($"if (__f.Simd)");
            foreach (var h in _vHoists) _w.Line(h);
            if (withoutDraws == null) _w.Raw(loop);
            else
            {
                _w.Open("if (__f.Draws)");
                _w.Raw(loop);
                _w.Close();
                _w.Open("else");
                _w.Line("// no draw happens in this step: the same loop without the draw");
                _w.Raw(withoutDraws);
                _w.Close();
            }
            _w.Close();
            _w.Line("// the tail (every element, in the scalar kernel), one element at a time");
            foreach (var r in pass.Reductions)
                foreach (var (v, init) in ReductionAccumulators(r)) _w.Line($"double {v} = {init};");
            using (_w.Block("for (; __i < __end; __i++)"))
            {
                foreach (var e in pass.Elements) EmitElement(e, pass);
                foreach (var r in pass.Reductions)
                {
                    if (perReduction.TryGetValue(r, out var g)) _w.Open($"if ({StepLocal(g)})");
                    EmitReductionStep(r, pass);
                    if (perReduction.ContainsKey(r)) _w.Close();
                }
                if (pass.IsFinal) EmitWrites(len);
            }
            int slot = 0;
            int partials = pass.Reductions.Sum(r => ReductionAccumulators(r).Count());
            foreach (var r in pass.Reductions)
                foreach (var (v, _) in ReductionAccumulators(r))
                {
                    var lanes = r.Call.Function switch
                    {
                        "max" => $"{Aliases.Math}.Max({Simd}.MaxLane({VAcc(v)}), {v})",
                        "min" => $"{Aliases.Math}.Min({Simd}.MinLane({VAcc(v)}), {v})",
                        _ => $"{Simd}.Sum({VAcc(v)}) + {v}",
                    };
                    _w.Line($"__f.Partials[__chunk * {partials} + {slot++}] = {lanes};");
                }
            if (pinned.Count > 0) _w.Close();
        }

        private static int IndentOf(CodeWriter w) => w.Indent;

        /// <summary>Whether the pass's element values or reduction arguments draw per element (a vector <c>noise(n)</c>).</summary>
        private static bool DrawsPerElement(VectorPass pass) =>
            pass.Elements.SelectMany(e => IrFacts.OwnExpressions(e.Stmt)).Concat(pass.Reductions.SelectMany(r => r.Call.Args))
                .SelectMany(IrFacts.Descendants).Any(x => x is IrNoise && !x.Type.IsScalar);

        private static string VAcc(string v) => "__v" + v.Substring(2);

        private void EmitElementV(ElementItem e, VectorPass pass)
        {
            var ctx = new RenderCtx { Element = true, Versions = e.Versions, ItemPos = e.Pos, PassAt = pass.At };
            _statementCondition = Condition(e);
            var expr = e.Stmt switch { IrDefine d => d.Value, IrSetNext n => n.Value, IrAccumulate a => a.Value, _ => throw new InvalidOperationException() };
            var value = RenderV(expr, ctx);
            string prior = Names.PrevElement(e) ?? e.Stmt switch
            {
                IrSetNext n => CurrentElementV(n.Name),
                IrAccumulate a => RenderV(_unit.Accs.First(x => x.Name == a.Name).Neutral, ctx),
                _ => $"__V.Zero",
            };
            if (e.Stmt is IrAccumulate) value = $"({prior} + {value})";
            var cond = Condition(e);
            // A pass interleaves the elements of several rules: each statement names its own, as the scalar loop's do.
            _w.Line("// " + CSharp.Comment((e.Rule.IsUpdate ? "update" : e.Rule.Id) + ": " + IrPrinter.Statement(e.Stmt)));
            LineDirective(e, e.Stmt);
            if (cond.Length == 0)
            {
                foreach (var h in ctx.Hoists) _w.Line(h);
                _w.Line($"var {Names.Element(e)} = {value};");
            }
            else
            {
                string fallback = prior;
                if (e.Stmt is IrDefine d && _unit.Signals.FirstOrDefault(x => x.Name == d.Name)?.Neutral is IrExpr ne)
                    fallback = RenderV(ne, ctx);
                _w.Line($"var {Names.Element(e)} = {fallback};");
                if (ctx.Hoists.Count == 0) _w.Line($"if ({cond}) {Names.Element(e)} = {value};");
                else using (_w.Block($"if ({cond})"))
                {
                    foreach (var h in ctx.Hoists) _w.Line(h);
                    _w.Line($"{Names.Element(e)} = {value};");
                }
            }
            EndLineDirective(e);
        }

        private void EmitReductionStepV(Reduction r, VectorPass pass, string guard)
        {
            var ctx = new RenderCtx { Element = true, Versions = r.Versions, ItemPos = r.Pos, PassAt = pass.At };
            _statementCondition = guard;
            var a = RenderV(r.Call.Args[0], ctx);
            var b = r.Call.Args.Count > 1 ? RenderV(r.Call.Args[1], ctx) : null;
            foreach (var h in ctx.Hoists) _w.Line(h);
            var acc = VAcc(AccBase(r));
            switch (r.Call.Function)
            {
                case "sum":
                case "mean": _w.Line($"{acc} += {a};"); break;
                case "dot": _w.Line($"{acc} += {a} * {b};"); break;
                case "norm":
                {
                    var v = "__vq" + (++_hoistCounter);
                    _w.Line($"var {v} = {a};");
                    _w.Line($"{acc} += {v} * {v};");
                    break;
                }
                case "cosine":
                {
                    var x = "__vq" + (++_hoistCounter);
                    var y = "__vq" + (++_hoistCounter);
                    _w.Line($"var {x} = {a};");
                    _w.Line($"var {y} = {b};");
                    _w.Line($"{acc}_ab += {x} * {y}; {acc}_aa += {x} * {x}; {acc}_bb += {y} * {y};");
                    break;
                }
                case "max": _w.Line($"{acc} = {Lanes}.Max({acc}, {a});"); break;
                case "min": _w.Line($"{acc} = {Lanes}.Min({acc}, {a});"); break;
                default: throw NotCovered("reduction " + r.Call.Function);
            }
        }

        private string CurrentElementV(string state) =>
            _hostStates.Contains(state) ? $"{Simd}.Load({StepLocal(Id(state))} + __i)" : $"{Simd}.Load({StateLocal(state)} + __i)";

        private void EmitWritesV(DimExpr len)
        {
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
            {
                if (!_plan.FinalVersions.TryGetValue(s.Name, out var final)) continue;
                var v = Names.Element(final);
                var value = s.Bounds != null ? $"{Lanes}.Clamp({v}, {Broadcast(s.Bounds.Lo, new RenderCtx())}, {Broadcast(s.Bounds.Hi, new RenderCtx())})" : v;
                var target = _hostStates.Contains(s.Name) ? StepLocal(Id(s.Name)) : StateLocal(s.Name);
                _w.Line($"{Simd}.Store({value}, {target} + __i);");
            }
            foreach (var s in _unit.Signals.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
                if (_plan.FinalVersions.TryGetValue(s.Name, out var v)) _w.Line($"{Simd}.Store({Names.Element(v)}, {SignalBuffer(s.Name)} + __i);");
        }

        // ------------------------------------------------------------ vector expressions

        /// <summary>A vector expression as Vector256 lanes of double (a bool vector as a lane mask).</summary>
        private string RenderV(IrExpr e, RenderCtx ctx)
        {
            if (e.Type.IsScalar) return Broadcast(e, ctx);
            if (e.Type.Rank != 1 || e.Type.Scalar == IR.ScalarType.Int) throw NotCovered("vector of " + e.Type.Scalar);
            switch (e)
            {
                case IrRef r:
                    return RenderRefV(r, ctx);
                case IrUnary u:
                    // Lanes.Neg flips the sign bit as scalar negation does (Vector256's '-' gives another NaN).
                    return u.Op == IrUnaryOp.Negate ? $"{Lanes}.Neg({RenderV(u.Operand, ctx)})" : $"(~{RenderV(u.Operand, ctx)})";
                case IrBinary b:
                    return RenderBinaryV(b, ctx);
                case IrSelect s:
                {
                    if (s.Condition.Type.IsScalar)
                    {
                        var c = HoistScalar(s.Condition, ctx);
                        var text = ScalarText(s.Condition, ctx);
                        _scalarPath.Add(text);
                        var whenTrue = RenderV(s.WhenTrue, ctx);
                        _scalarPath[_scalarPath.Count - 1] = "!(" + text + ")";
                        var whenFalse = RenderV(s.WhenFalse, ctx);
                        _scalarPath.RemoveAt(_scalarPath.Count - 1);
                        return $"({c} ? {whenTrue} : {whenFalse})";
                    }
                    var cv = RenderV(s.Condition, ctx);
                    var a = WithEager(ctx, true, () => RenderV(s.WhenTrue, ctx));
                    var f = WithEager(ctx, true, () => RenderV(s.WhenFalse, ctx));
                    return $"{V256}.ConditionalSelect({cv}, {a}, {f})";
                }
                case IrCall c:
                    return RenderCallV(c, ctx);
                case IrNoise:
                {
                    // The branch holding the draw is not taken in a step without draws.
                    if (_drawsKnownFalse) return $"__V.Zero";
                    var when = _scalarPath.ToList();
                    if (_statementCondition.Length > 0) when.Insert(0, _statementCondition);
                    _drawConditions.Add(string.Join(" && ", when.Select(w => "(" + w + ")")));
                    // Elements __i..__i+3 of the site's draws at this step, from the block's buffer: the scalar loop's values, bit for bit.
                    int site = ((IrNoise)e).Site;
                    if (!_drawSites.Contains(site)) _drawSites.Add(site);
                    return $"{Simd}.Load({DrawBuffer(site)} + (__i - __d0))";
                }
                default:
                    throw NotCovered(e.GetType().Name);
            }
        }

        private string RenderBinaryV(IrBinary b, RenderCtx ctx)
        {
            bool logic = b.Op is BinaryOp.And or BinaryOp.Or;
            if (!logic && (b.Left.Type.Scalar == IR.ScalarType.Bool || b.Right.Type.Scalar == IR.ScalarType.Bool))
                throw NotCovered("arithmetic or comparison on bools");
            var l = RenderV(b.Left, ctx);
            // As in the scalar code: only an elementwise '&&'/'||' evaluates its right side everywhere.
            var r = WithEager(ctx, logic || ctx.Eager, () => RenderV(b.Right, ctx));
            return b.Op switch
            {
                BinaryOp.Add => $"({l} + {r})",
                BinaryOp.Sub => $"({l} - {r})",
                BinaryOp.Mul => $"({l} * {r})",
                BinaryOp.Div => $"({l} / {r})",
                BinaryOp.Pow => $"{Lanes}.Pow({l}, {r})",
                BinaryOp.Less => $"{V256}.LessThan({l}, {r})",
                BinaryOp.LessEq => $"{V256}.LessThanOrEqual({l}, {r})",
                BinaryOp.Greater => $"{V256}.GreaterThan({l}, {r})",
                BinaryOp.GreaterEq => $"{V256}.GreaterThanOrEqual({l}, {r})",
                BinaryOp.Eq => $"{V256}.Equals({l}, {r})",
                BinaryOp.NotEq => $"(~{V256}.Equals({l}, {r}))",
                BinaryOp.And => $"({l} & {r})",
                BinaryOp.Or => $"({l} | {r})",
                _ => throw NotCovered("operator " + b.Op),
            };
        }

        private string RenderCallV(IrCall c, RenderCtx ctx)
        {
            var a = c.Args.Select(x => RenderV(x, ctx)).ToList();
            // min and max of one vector are reductions, lowered by the step schedule: here only the elementwise forms.
            if (c.Function is "min" or "max" && a.Count != 2) throw NotCovered("function " + c.Function);
            return BuiltinSpellings.Call(c.Function, a, s => s.Lanes) ?? throw NotCovered("function " + c.Function);
        }

        private string RenderRefV(IrRef r, RenderCtx ctx)
        {
            // A bool vector the law keeps (0 and 1) or takes (a span of bools) is not a lane mask: the pass keeps its scalar loop.
            if (IsBoolVector(r.Type) && r.Kind is SymbolKind.Param or SymbolKind.Input or SymbolKind.State or SymbolKind.Coeff)
                throw NotCovered("bool vector " + r.Name);
            switch (r.Kind)
            {
                case SymbolKind.Param:
                    return $"{Simd}.Load({ParamArray(r.Name)} + __i)";
                case SymbolKind.Input:
                    return $"{Simd}.Load({StepLocal(Id(r.Name))} + __i)";
                case SymbolKind.State:
                case SymbolKind.Coeff:
                    if (r.Time == RefTime.Next && ctx.Versions.TryGetValue(r.Name, out var nv)) return Names.Element(nv);
                    return CurrentElementV(r.Name);
                case SymbolKind.Acc:
                    return ctx.Versions.TryGetValue(r.Name, out var av) ? Names.Element(av) : RenderV(_unit.Accs.First(a => a.Name == r.Name).Neutral, ctx);
                default:
                    if (ctx.Versions.TryGetValue(r.Name, out var lv)) return Names.Element(lv);
                    var neutral = _unit.Signals.FirstOrDefault(s => s.Name == r.Name)?.Neutral;
                    return neutral != null ? RenderV(neutral, ctx) : throw NotCovered($"'{r.Name}' read before its definition");
            }
        }

        /// <summary>A scalar inside a vector expression: computed once per chunk, before the loop, and broadcast.</summary>
        private string Broadcast(IrExpr e, RenderCtx ctx)
        {
            var s = HoistScalar(e, ctx);
            var key = "V:" + s;
            if (_vHoistByText.TryGetValue(key, out var v)) return v;
            // A broadcast of a name the .ae file wrote is named after it; others are numbered.
            v = IsPlainName(s) ? "__v_" + s : "__vk" + (_vHoists.Count + 1).ToString(CultureInfo.InvariantCulture);
            _vHoists.Add(e.Type.Scalar == IR.ScalarType.Bool ? $"var {v} = {Lanes}.Mask({s});" : $"var {v} = {V256}.Create((double){s});");
            _vHoistByText[key] = v;
            return v;
        }

        /// <summary>Whether rendered text is one of the file's names as C# spells it (no made-up name: those contain '__' first).</summary>
        private static bool IsPlainName(string text) =>
            text.Length > 0 && !text.StartsWith("__", StringComparison.Ordinal) && !text.StartsWith("@", StringComparison.Ordinal)
            && text.All(c => char.IsLetterOrDigit(c) || c == '_');

        /// <summary>A pure scalar as C# that reads the step's locals (valid in the chunk method and in the step alike).</summary>
        private string ScalarText(IrExpr e, RenderCtx ctx)
        {
            var scalarCtx = new RenderCtx { Element = ctx.Element, Versions = ctx.Versions, ItemPos = ctx.ItemPos, PassAt = ctx.PassAt };
            return Render(e, scalarCtx);
        }

        private string HoistScalar(IrExpr e, RenderCtx ctx)
        {
            // A filter cannot move out of the loop: the pass keeps its scalar form. (A draw can: it is pure.)
            if (!IrFacts.IsPure(e)) throw NotCovered("impure scalar in a vector expression");
            var scalarCtx = new RenderCtx { Element = ctx.Element, Versions = ctx.Versions, ItemPos = ctx.ItemPos, PassAt = ctx.PassAt };
            var text = Render(e, scalarCtx);
            if (scalarCtx.Hoists.Count > 0) throw NotCovered("hoisted side effect");
            if (e is IrConst || e is IrRef) return text;
            var key = "S:" + text;
            if (_vHoistByText.TryGetValue(key, out var v)) return v;
            v = "__k" + (_vHoists.Count + 1).ToString(CultureInfo.InvariantCulture);
            // An int is a double here as in the step (an int state, an int local) or converts to one exactly.
            var type = e.Type.Scalar == IR.ScalarType.Bool ? "bool" : "double";
            _vHoists.Add($"{type} {v} = {text};");
            _vHoistByText[key] = v;
            return v;
        }
    }
}
