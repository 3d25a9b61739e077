using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Schedule;
using AE.Dsl.Syntax;

namespace AE.Dsl.Emit
{
    internal sealed partial class UnitEmitter
    {
        /// <summary>Where an expression is rendered: scalar code, one element of a vector pass, or the constructor.</summary>
        private sealed class RenderCtx
        {
            public bool Constructor;
            public bool Element;
            public IReadOnlyDictionary<string, ElementItem> Versions = Names.NoVersions;
            public int ItemPos = -1;
            public int PassAt = -1;
            public List<string> Hoists = new();
            /// <summary>Inside a branch of an elementwise condition: side effects run for every element.</summary>
            public bool Eager;
        }

        private readonly StepSchedule _plan;
        private int _hoistCounter;

        // ------------------------------------------------------------ the step

        /// <summary>The step's parameters for host element type <paramref name="t"/> ("__T" in the generic step, whose scalar inputs are double).</summary>
        private List<string> StepParameters(string t)
        {
            var ps = new List<string>();
            foreach (var i in _unit.Inputs)
                ps.Add(i.Type.IsScalar ? $"{(t == "float" && i.Type.Scalar == IR.ScalarType.Real ? "float" : ScalarType(i.Type))} {Id(i.Name)}"
                    : $"{Aliases.System}.ReadOnlySpan<{(i.Type.Scalar == IR.ScalarType.Bool ? "bool" : t)}> {Id(i.Name)}");
            foreach (var s in _unit.States.Where(s => _hostStates.Contains(s.Name)))
                ps.Add($"{Aliases.System}.Span<{t}> {Id(s.Name)}");
            return ps;
        }

        /// <summary>
        /// The two public steps (double and float vectors) and the one generic step behind them. The scalar
        /// law always runs in double; only the vectors' element type T differs, and only their loads and
        /// stores depend on it (<c>__Simd.Widen</c>, <c>__Simd.Narrow</c>, <c>__Simd.Load</c>, <c>__Simd.Store</c>),
        /// which the JIT specialises for each T.
        /// </summary>
        private void EmitStep()
        {
            _hoistCounter = 0;
            var args = string.Join(", ", _unit.Inputs.Select(i => Id(i.Name)).Concat(_unit.States.Where(s => _hostStates.Contains(s.Name)).Select(s => Id(s.Name))));
            var doubleStep = StepParameters("double");
            var floatStep = StepParameters("float");
            _w.Line($"/// <summary>One step of {CSharp.Xml(_unit.Name)} over double vectors. Allocates nothing.</summary>");
            _w.Line(Aliases.Hot);
            _w.Line($"public void Step({string.Join(", ", doubleStep)}) => __Step<double>({args});");
            // A law without real data would get the same signature twice.
            if (!floatStep.SequenceEqual(doubleStep))
            {
                _w.Line($"/// <summary>One step of {CSharp.Xml(_unit.Name)} over float vectors (scalars and reductions in double). Allocates nothing.</summary>");
                _w.Line(Aliases.Hot);
                _w.Line($"public void Step({string.Join(", ", floatStep)}) => __Step<float>({args});");
            }
            _w.Line();
            _w.Line("/// <summary>The step of both overloads; __T, the host's element type, is double or float.</summary>");
            _w.Line(Aliases.Hot);
            using (_w.Block($"private void __Step<__T>({string.Join(", ", StepParameters("__T"))}) where __T : unmanaged"))
            {
                // The body first, into its own writer: the prologue declares only what it uses.
                var outer = _w;
                _w = new CodeWriter(outer.Indent + 1);
                _usedStateLocals.Clear();
                _usedPins.Clear();
                var lastRule = (IrRule?)null;
                foreach (var item in _plan.Items)
                {
                    foreach (var pass in _plan.Passes.Where(p => p.At == item.Pos && !p.IsFinal)) EmitPass(pass);
                    foreach (var snap in _plan.Snapshots.Where(s => s.Pos == item.Pos).OrderBy(s => s.Name, StringComparer.Ordinal))
                        _w.Line($"{SnapshotVar(snap.Name, snap.Pos)} = {MutableScalar(snap.Name)};");
                    if (item is ElementItem) continue;
                    if (!ReferenceEquals(item.Rule, lastRule))
                    {
                        lastRule = item.Rule;
                        _w.Line();
                        _w.Line($"// ---- {RuleHeading(item.Rule)}");
                    }
                    EmitScalarItem(item);
                }
                foreach (var pass in _plan.Passes.Where(p => p.IsFinal && (p.Elements.Count > 0 || p.Reductions.Count > 0))) EmitPass(pass);
                if (_options.Lagged && _plan.Reductions.Count > 0)
                {
                    _w.Line("// lagged: this step's reductions are the next step's values");
                    foreach (var r in _plan.Reductions)
                        foreach (var ((read, _), (acc, _)) in ReadAccumulators(r).Zip(ReductionAccumulators(r), (a, b) => (a, b)))
                            _w.Line($"{LaggedField(read)} = {acc};");
                }
                EmitEpilogue();
                var body = _w.ToString();
                _w = outer;

                EmitPrologue();
                // The host's spans, pinned for the SIMD passes (which may run on other threads).
                var pins = PinnedSpans().Where(p => _usedPins.Contains(p.Name)).ToList();
                for (int i = 0; i < pins.Count; i++)
                {
                    var line = $"fixed (__T* {pins[i].Name} = {pins[i].Span})";
                    if (i < pins.Count - 1) _w.Line(line); else _w.Open(line);
                }
                // The body was written one level in, for the fixed block.
                if (pins.Count == 0) _w.Raw(CodeWriter.Dedent(body));
                else
                {
                    _w.Raw(body);
                    _w.Close();
                }
            }
        }

        /// <summary>Step locals the chunk method being printed reads (null outside one): its job carries them to it.</summary>
        private HashSet<string>? _chunkReads;

        /// <summary>A step local as the code reads it, noted for the chunk method being printed.</summary>
        private string StepLocal(string name)
        {
            _chunkReads?.Add(name);
            return name;
        }

        /// <summary>Owned vectors the step's own loops read or write (their locals are declared only then), and the pinned spans the passes take.</summary>
        private readonly HashSet<string> _usedStateLocals = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedPins = new(StringComparer.Ordinal);

        private void EmitPrologue()
        {
            _w.Line($"{Aliases.Simd}.CheckPrecision<__T>(__precision, {CSharp.String(_unit.Name)}, \"instance\");");
            foreach (var i in _unit.Inputs.Where(i => !i.Type.IsScalar))
                _w.Line($"if ({Id(i.Name)}.Length != {Length(i.Type)}) throw new {Aliases.System}.ArgumentException(\"'{i.Name}' has \" + {Id(i.Name)}.Length + \" elements; this law was built for \" + {Length(i.Type)}, \"{i.Name}\");");
            foreach (var s in _unit.States.Where(s => _hostStates.Contains(s.Name)))
                _w.Line($"if ({Id(s.Name)}.Length != {Length(s.Type)}) throw new {Aliases.System}.ArgumentException(\"'{s.Name}' has \" + {Id(s.Name)}.Length + \" elements; this law was built for \" + {Length(s.Type)}, \"{s.Name}\");");
            // The first float step takes float copies of the vectors the law owns.
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && !_hostStates.Contains(s.Name)))
                _w.Line($"if (typeof(__T) == typeof(float)) {StateArray(s.Name, Precision.Float32)} ??= {Aliases.Simd}.ToFloat({StateArray(s.Name, Precision.Float64)});");
            _w.Line($"__precision = {Aliases.Simd}.Precision<__T>();");
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && !_hostStates.Contains(s.Name) && _usedStateLocals.Contains(StateLocal(s.Name))))
                _w.Line($"var {StateLocal(s.Name)} = {OwnedStorage(s.Name)};");
            _w.Line("long __step = StepCount + 1;");
            _w.Line("StepCount = __step;");
            foreach (var r in _switches) _w.Line($"bool __on_{r.Id} = (Enabled & Rules.{RuleMemberId(r.Id)}) != 0;");
            _w.Line("// next values start as the current values; accumulators at their neutral values");
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar)) _w.Line($"{ScalarType(s.Type)} {Next(s.Name)} = {Id(s.Name)};");
            foreach (var a in _unit.Accs.Where(a => a.Type.IsScalar)) _w.Line($"double {Id(a.Name)} = {Render(a.Neutral, new RenderCtx())};");
            foreach (var s in _unit.Signals.Where(s => s.Type.IsScalar))
                _w.Line($"{ScalarType(s.Type)} {Id(s.Name)} = {(s.Neutral != null && IrFacts.IsConstant(s.Neutral) ? Render(s.Neutral, new RenderCtx()) : Default(s.Type))};");
            foreach (var l in _unit.Locals.Where(l => l.Type.IsScalar)) _w.Line($"{ScalarType(l.Type)} {Id(l.Name)} = {Default(l.Type)};");
            foreach (var c in Enumerable.Range(1, _plan.CondCount).Select(Names.Cond)) _w.Line($"bool {c} = false;");
            foreach (var snap in _plan.Snapshots.OrderBy(s => s.Pos).ThenBy(s => s.Name, StringComparer.Ordinal))
            {
                var type = SnapshotType(snap.Name);
                _w.Line($"{type} {SnapshotVar(snap.Name, snap.Pos)} = {(type == "bool" ? "false" : "0.0")};");
            }
            if (_options.Lagged && _plan.Reductions.Count > 0)
            {
                _w.Line("// lagged: every reduction reads the value the previous step's pass computed");
                foreach (var r in _plan.Reductions)
                    foreach (var (read, _) in ReadAccumulators(r)) _w.Line($"double {read} = {LaggedField(read)};");
            }
        }

        /// <summary>A vector the law owns, as an array of T: its double array or its float copy.</summary>
        private string OwnedStorage(string state) => $"{Aliases.Simd}.Storage<__T>({StateArray(state, Precision.Float64)}, {StateArray(state, Precision.Float32)})";

        private static string Default(IrType t) => t.Scalar == IR.ScalarType.Bool ? "false" : "0.0";
        private static string StateLocal(string name) => "__s_" + Names.Stem(name);

        /// <summary>The C# type of a snapshot: a next value's (a bool state's is a bool), or an accumulator's double.</summary>
        private string SnapshotType(string key) =>
            key.EndsWith("'", StringComparison.Ordinal) ? ScalarType(_unit.States.First(s => s.Name == key.TrimEnd('\'')).Type) : "double";

        private static string SnapshotVar(string key, int pos) => "__snap_" + Names.Stem(key) + "__" + pos.ToString(CultureInfo.InvariantCulture);
        private string MutableScalar(string key) => key.EndsWith("'", StringComparison.Ordinal) ? Next(key.TrimEnd('\'')) : Id(key);

        private void EmitEpilogue()
        {
            _w.Line();
            _w.Line("// end of step: project onto the declared bounds, then the next values become current");
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar))
            {
                var next = Next(s.Name);
                if (s.Bounds != null && s.Type.Scalar != IR.ScalarType.Bool)
                    _w.Line($"{Id(s.Name)} = __AeMath.Clamp({next}, {Render(s.Bounds.Lo, new RenderCtx())}, {Render(s.Bounds.Hi, new RenderCtx())});");
                else _w.Line($"{Id(s.Name)} = {next};");
            }
            foreach (var s in _unit.Signals.Where(s => s.Type.IsScalar)) _w.Line($"this.{Id(s.Name)} = {Id(s.Name)};");
            foreach (var a in _unit.Accs.Where(a => a.Type.IsScalar)) _w.Line($"this.{Id(a.Name)} = {Id(a.Name)};");
        }

        // ------------------------------------------------------------ scalar statements

        private static string RuleHeading(IrRule r) => CSharp.Comment(IrPrinter.RuleLabel(r));

        private void LineDirective(ScheduleItem item, IrStmt s)
        {
            var path = item.Rule.Origin.Path;
            if (!_options.Sources.TryGetValue(path, out var file)) return;
            var pos = file.GetPosition(s.Span.Start);
            _w.LineDirective(pos.Line, CSharp.LineFile(_options.LinePath(path)));
        }

        private void EndLineDirective(ScheduleItem item)
        {
            if (_options.Sources.ContainsKey(item.Rule.Origin.Path)) _w.EndLineMapping();
        }

        private static string CondTest(CondTest c) => (c.Holds ? "" : "!") + Names.Cond(c.Cond);

        private string Condition(ScheduleItem item)
        {
            var parts = new List<string>();
            if (item.Switch != null) parts.Add(StepLocal(Names.Switch(item.Switch)));
            foreach (var c in item.Conds)
            {
                StepLocal(Names.Cond(c.Cond));
                parts.Add(CondTest(c));
            }
            return string.Join(" && ", parts);
        }

        private void EmitScalarItem(ScheduleItem item)
        {
            var stmt = item.Stmt;
            var ctx = new RenderCtx { Versions = item.Versions, ItemPos = item.Pos };
            string target;
            string value;
            if (item is CondItem condition)
            {
                target = Names.Cond(condition.Cond);
                value = Render(condition.Condition, ctx);
            }
            else
            {
                switch (stmt)
                {
                    case IrDefine d: target = Id(d.Name); value = Render(d.Value, ctx); break;
                    case IrSetNext n: target = Next(n.Name); value = Coerce(Render(n.Value, ctx), n.Value.Type, _unit.States.First(x => x.Name == n.Name).Type); break;
                    case IrAccumulate a: target = Id(a.Name); value = Render(a.Value, ctx); break;
                    default: return;
                }
            }
            var op = stmt is IrAccumulate ? "+=" : "=";
            _w.Line("// " + CSharp.Comment(IrPrinter.Statement(stmt)));
            var cond = Condition(item);
            string? neutral = null;
            var neutralCtx = new RenderCtx { Versions = item.Versions, ItemPos = item.Pos };
            if (item.Switch != null && item.Conds.Count == 0 && stmt is IrDefine def && _unit.Signals.FirstOrDefault(x => x.Name == def.Name)?.Neutral is IrExpr ne)
                neutral = Render(ne, neutralCtx);
            LineDirective(item, stmt);
            if (cond.Length == 0)
            {
                foreach (var h in ctx.Hoists) _w.Line(h);
                _w.Line($"{target} {op} {value};");
            }
            else if (ctx.Hoists.Count == 0 && neutral == null) _w.Line($"if ({cond}) {target} {op} {value};");
            else
            {
                using (_w.Block($"if ({cond})"))
                {
                    foreach (var h in ctx.Hoists) _w.Line(h);
                    _w.Line($"{target} {op} {value};");
                }
                if (neutral != null)
                {
                    using (_w.Block("else"))
                    {
                        foreach (var h in neutralCtx.Hoists) _w.Line(h);
                        _w.Line($"{target} = {neutral};");
                    }
                }
            }
            EndLineDirective(item);
        }

        private static string Coerce(string text, IrType from, IrType to) =>
            to.Scalar == IR.ScalarType.Bool || from.Scalar == to.Scalar ? text : $"(double)({text})";

        // ------------------------------------------------------------ vector passes

        /// <summary>What a pass over the vectors does, as its comment and the file's header say it.</summary>
        private static string PassWork(VectorPass pass)
        {
            var reductions = string.Join(", ", pass.Reductions.Select(r => IrPrinter.Expr(r.Call)));
            if (!pass.IsFinal) return "reductions " + reductions;
            // A lagged law's one pass also computes every reduction, for the next step to read.
            return pass.Reductions.Count == 0 ? "write the vectors" : "write the vectors, and reductions " + reductions + " for the next step";
        }

        /// <summary>The passes the step makes over the vectors (a final pass with nothing to write is not made).</summary>
        private IEnumerable<VectorPass> PassesMade => _plan.Passes.Where(p => !p.IsFinal || p.Elements.Count > 0 || p.Reductions.Count > 0);

        private void EmitPass(VectorPass pass)
        {
            int index = _plan.IndexOf(pass) + 1;
            int count = PassesMade.Count();
            _w.Line();
            var what = PassWork(pass);
            _w.Line($"// ---- pass {index} of {count} over the vectors: {CSharp.Comment(what)}");
            // A reduction the step needs only under some condition is skipped when it does not hold:
            // one condition shared by the whole pass guards the loop, others guard their accumulation.
            var guards = pass.Reductions.ToDictionary(r => r, r => Guard(r, pass));
            var shared = guards.Count > 0 && guards.Values.Distinct().Count() == 1 ? guards.Values.First() : "";
            var perReduction = new Dictionary<Reduction, string>();
            var guardLines = new List<string>();
            if (shared.Length == 0)
            {
                foreach (var kv in guards.Where(g => g.Value.Length > 0))
                {
                    var g = "__g" + (++_hoistCounter);
                    guardLines.Add($"bool {g} = {kv.Value};");
                    perReduction[kv.Key] = g;
                }
            }
            // One loop per vector length; vectors of different lengths never mix elementwise.
            var lengths = new List<DimExpr>();
            foreach (var e in pass.Elements) AddLength(lengths, e.TargetType.Shape[0]);
            foreach (var r in pass.Reductions) AddLength(lengths, r.Call.Args[0].Type.Shape[0]);
            var simd = lengths.Count == 1 ? TryEmitSimdPass(pass, lengths[0], perReduction, index, what) : null;
            var accumulators = pass.Reductions.SelectMany(r => ReductionAccumulators(r).Select(a => (Reduction: r, a.Var, a.Init))).ToList();
            if (simd != null && shared.Length == 0)
            {
                // The pass's method runs it, SIMD over chunks or one element at a time; its chunks' partial results, in chunk order.
                foreach (var line in guardLines) _w.Line(line);
                foreach (var line in simd.Value.Dispatch) _w.Line(line);
                for (int slot = 0; slot < accumulators.Count; slot++)
                    _w.Line($"double {accumulators[slot].Var} = {Combine(simd.Value.Job, accumulators[slot].Reduction, slot)};");
                return;
            }
            foreach (var (_, v, init) in accumulators) _w.Line($"double {v} = {init};");
            foreach (var line in guardLines) _w.Line(line);
            if (shared.Length > 0) _w.Open($"if ({shared})");
            if (simd != null)
            {
                foreach (var line in simd.Value.Dispatch) _w.Line(line);
                for (int slot = 0; slot < accumulators.Count; slot++)
                    _w.Line($"{accumulators[slot].Var} = {Combine(simd.Value.Job, accumulators[slot].Reduction, slot)};");
            }
            else
            {
                foreach (var len in lengths)
                {
                    using (_w.Block($"for (int __i = 0; __i < {DimText(len)}; __i++)"))
                    {
                        foreach (var e in pass.Elements.Where(e => e.TargetType.Shape[0].Equals(len))) EmitElement(e, pass);
                        foreach (var r in pass.Reductions.Where(r => r.Call.Args[0].Type.Shape[0].Equals(len)))
                        {
                            if (perReduction.TryGetValue(r, out var g)) _w.Open($"if ({g})");
                            EmitReductionStep(r, pass);
                            if (perReduction.ContainsKey(r)) _w.Close();
                        }
                        if (pass.IsFinal) EmitWrites(len);
                    }
                }
            }
            if (shared.Length > 0) _w.Close();
        }

        /// <summary>A reduction's value from its chunks' partial results, combined in chunk order as the accumulator's own loop would.</summary>
        private static string Combine(string job, Reduction r, int slot) => r.Call.Function switch
        {
            "max" => $"{job}.Max({slot})",
            "min" => $"{job}.Min({slot})",
            _ => $"{job}.Sum({slot})",
        };

        /// <summary>The condition under which the step reads a reduction, as far as it is known where the pass runs.</summary>
        private string Guard(Reduction r, VectorPass pass)
        {
            // A lagged law computes every reduction every step: the next step may read it whatever holds now.
            if (_options.Lagged) return "";
            var need = _plan.NeedOf(r, pass);
            var parts = new List<string>();
            if (need.Switch != null) parts.Add(Names.Switch(need.Switch));
            parts.AddRange(need.Conds.Select(CondTest));
            foreach (var (cond, holds) in need.Path)
            {
                var ctx = new RenderCtx { Versions = r.Versions, ItemPos = r.Pos };
                var text = Render(cond, ctx);
                if (ctx.Hoists.Count > 0) break;
                parts.Add(holds ? text : $"!{text}");
            }
            return string.Join(" && ", parts);
        }

        private static void AddLength(List<DimExpr> lengths, DimExpr d)
        {
            if (!lengths.Contains(d)) lengths.Add(d);
        }

        /// <summary>The accumulators a pass adds a reduction into: the value's own variables, or in a lagged law the next step's.</summary>
        private IEnumerable<(string Var, string Init)> ReductionAccumulators(Reduction r) => Accumulators(r, AccBase(r));

        /// <summary>The variables scalar code reads a reduction's value from.</summary>
        private static IEnumerable<(string Var, string Init)> ReadAccumulators(Reduction r) => Accumulators(r, Names.Reduction(r));

        private string AccBase(Reduction r) => _options.Lagged ? "__n" + r.Id.ToString(CultureInfo.InvariantCulture) : Names.Reduction(r);

        /// <summary>The field that carries a lagged law's reduction accumulator to the next step.</summary>
        private static string LaggedField(string readVar) => "__lagged" + readVar.Substring(3);

        private static IEnumerable<(string Var, string Init)> Accumulators(Reduction r, string b)
        {
            switch (r.Call.Function)
            {
                case "cosine":
                    yield return (b + "_ab", "0.0");
                    yield return (b + "_aa", "0.0");
                    yield return (b + "_bb", "0.0");
                    break;
                case "max": yield return (b, "double.NegativeInfinity"); break;
                case "min": yield return (b, "double.PositiveInfinity"); break;
                default: yield return (b, "0.0"); break;
            }
        }

        /// <summary>The value of a completed reduction, as scalar code reads it.</summary>
        private string ReductionValue(Reduction r)
        {
            foreach (var (read, _) in ReadAccumulators(r)) StepLocal(read);
            return ReductionText(r);
        }

        private string ReductionText(Reduction r) => r.Call.Function switch
        {
            "norm" => $"__Math.Sqrt({Names.Reduction(r)})",
            "mean" => $"({Names.Reduction(r)} / {DimText(r.Call.Args[0].Type.Shape[0])})",
            // The quotient held to [-1, 1], which rounding can pass (the language's definition).
            "cosine" => $"({Names.Reduction(r)}_aa == 0.0 || {Names.Reduction(r)}_bb == 0.0 ? 0.0 : {Aliases.AeMath}.Clamp({Names.Reduction(r)}_ab / (__Math.Sqrt({Names.Reduction(r)}_aa) * __Math.Sqrt({Names.Reduction(r)}_bb)), -1.0, 1.0))",
            _ => Names.Reduction(r),
        };

        private void EmitReductionStep(Reduction r, VectorPass pass)
        {
            var ctx = new RenderCtx { Element = true, Versions = r.Versions, ItemPos = r.Pos, PassAt = pass.At };
            var a = Render(r.Call.Args[0], ctx);
            var b = r.Call.Args.Count > 1 ? Render(r.Call.Args[1], ctx) : null;
            foreach (var h in ctx.Hoists) _w.Line(h);
            var acc = AccBase(r);
            switch (r.Call.Function)
            {
                case "sum":
                case "mean": _w.Line($"{acc} += {a};"); break;
                case "dot": _w.Line($"{acc} += {a} * {b};"); break;
                case "norm":
                {
                    var v = "__q" + (++_hoistCounter);
                    _w.Line($"double {v} = {a};");
                    _w.Line($"{acc} += {v} * {v};");
                    break;
                }
                case "cosine":
                {
                    var x = "__q" + (++_hoistCounter);
                    var y = "__q" + (++_hoistCounter);
                    _w.Line($"double {x} = {a}, {y} = {b};");
                    _w.Line($"{acc}_ab += {x} * {y}; {acc}_aa += {x} * {x}; {acc}_bb += {y} * {y};");
                    break;
                }
                case "max": _w.Line($"{acc} = __Math.Max({acc}, {a});"); break;
                case "min": _w.Line($"{acc} = __Math.Min({acc}, {a});"); break;
                default: throw new EmitNotSupportedException($"reduction '{r.Call.Function}' is not emitted yet");
            }
        }

        private void EmitElement(ElementItem e, VectorPass pass)
        {
            var ctx = new RenderCtx { Element = true, Versions = e.Versions, ItemPos = e.Pos, PassAt = pass.At };
            var expr = e.Stmt switch { IrDefine d => d.Value, IrSetNext n => n.Value, IrAccumulate a => a.Value, _ => throw new InvalidOperationException() };
            var value = Render(expr, ctx);
            bool isBool = e.TargetType.Scalar == IR.ScalarType.Bool;
            string prior = Names.PrevElement(e) ?? e.Stmt switch
            {
                IrSetNext n => CurrentValue(n.Name),
                IrAccumulate a => Render(_unit.Accs.First(x => x.Name == a.Name).Neutral, ctx),
                _ => isBool ? "false" : "0.0",
            };
            if (e.Stmt is IrAccumulate) value = $"{prior} + {value}";
            var cond = Condition(e);
            // An element of a bool vector is a bool (its stored form, 0 or 1, only where it is stored).
            var type = isBool ? "bool" : "double";
            // A pass interleaves the elements of several rules: each statement names its own.
            _w.Line("// " + CSharp.Comment((e.Rule.IsUpdate ? "update" : e.Rule.Id) + ": " + IrPrinter.Statement(e.Stmt)));
            LineDirective(e, e.Stmt);
            if (cond.Length == 0)
            {
                foreach (var h in ctx.Hoists) _w.Line(h);
                _w.Line($"{type} {Names.Element(e)} = {value};");
            }
            else
            {
                string fallback = prior;
                if (e.Stmt is IrDefine d && _unit.Signals.FirstOrDefault(x => x.Name == d.Name)?.Neutral is IrExpr ne)
                    fallback = Render(ne, ctx);
                _w.Line($"{type} {Names.Element(e)} = {fallback};");
                if (ctx.Hoists.Count == 0) _w.Line($"if ({cond}) {Names.Element(e)} = {value};");
                else using (_w.Block($"if ({cond})"))
                {
                    foreach (var h in ctx.Hoists) _w.Line(h);
                    _w.Line($"{Names.Element(e)} = {value};");
                }
            }
            EndLineDirective(e);
        }

        /// <summary>A vector state's element in scalar code, as a double (a float widened).</summary>
        private string CurrentElement(string state)
        {
            return $"{Simd}.Widen({StateElement(state)})";
        }

        /// <summary>A vector state's element as a value: a double, or for a bool vector (stored as 0 and 1) a bool.</summary>
        private string CurrentValue(string state) =>
            IsBoolVector(_unit.States.First(s => s.Name == state).Type) ? $"({CurrentElement(state)} != 0.0)" : CurrentElement(state);

        private static bool IsBoolVector(IrType t) => !t.IsScalar && t.Scalar == IR.ScalarType.Bool;

        /// <summary>A value as a bool vector stores it: 1 or 0.</summary>
        private static string Stored(IrType t, string text) => t.Scalar == IR.ScalarType.Bool ? $"({text} ? 1.0 : 0.0)" : text;

        /// <summary>The element a loop reads and writes: the host's span (or pointer), or the owned vector's local.</summary>
        private string StateElement(string state)
        {
            if (_hostStates.Contains(state)) return $"{StepLocal(Id(state))}[__i]";
            if (!_inChunk) _usedStateLocals.Add(StateLocal(state));
            return $"{StateLocal(state)}[__i]";
        }

        private void EmitWrites(DimExpr len)
        {
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
            {
                if (!_plan.FinalVersions.TryGetValue(s.Name, out var final)) continue;
                var v = Names.Element(final);
                var value = s.Bounds != null ? $"{Aliases.AeMath}.Clamp({v}, {Render(s.Bounds.Lo, new RenderCtx())}, {Render(s.Bounds.Hi, new RenderCtx())})" : Stored(s.Type, v);
                _w.Line($"{StateElement(s.Name)} = {Simd}.Narrow<__T>({value});");
            }
            foreach (var s in _unit.Signals.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
                if (_plan.FinalVersions.TryGetValue(s.Name, out var v)) _w.Line($"{SignalBuffer(s.Name)}[__i] = {Stored(s.Type, Names.Element(v))};");
        }

        // ------------------------------------------------------------ expressions

        private string Render(IrExpr e, RenderCtx ctx)
        {
            switch (e)
            {
                case IrConst c:
                    return c.Type.Scalar == IR.ScalarType.Bool ? (c.Value != 0 ? "true" : "false") : CSharp.Literal(c.Value);
                case IrStep:
                    return AsDouble(StepLocal("__step"));
                case IrRef r:
                    return RenderRef(r, ctx);
                case IrUnary u:
                    return u.Op == IrUnaryOp.Negate ? $"(-{Render(u.Operand, ctx)})" : $"(!{Render(u.Operand, ctx)})";
                case IrBinary b:
                {
                    bool elementwiseLogic = !b.Type.IsScalar && b.Op is BinaryOp.And or BinaryOp.Or;
                    var l = Render(b.Left, ctx);
                    var r = WithEager(ctx, elementwiseLogic || ctx.Eager, () => Render(b.Right, ctx));
                    bool integral = b.Left.Type.Scalar == IR.ScalarType.Int && b.Right.Type.Scalar == IR.ScalarType.Int;
                    return b.Op switch
                    {
                        BinaryOp.Pow => $"__Math.Pow({l}, {r})",
                        BinaryOp.Div when integral => $"((double){l} / {r})",
                        BinaryOp.And when elementwiseLogic => $"({l} & {r})",
                        BinaryOp.Or when elementwiseLogic => $"({l} | {r})",
                        _ => $"({l} {Operators.Text(b.Op)} {r})",
                    };
                }
                case IrSelect s:
                {
                    // A scalar condition takes one branch (C#'s ?: does too); an elementwise one computes both.
                    bool eager = ctx.Eager || !s.Condition.Type.IsScalar;
                    var c = Render(s.Condition, ctx);
                    var a = WithEager(ctx, eager, () => Render(s.WhenTrue, ctx));
                    var f = WithEager(ctx, eager, () => Render(s.WhenFalse, ctx));
                    if (s.WhenTrue.Type.Scalar == IR.ScalarType.Int && s.WhenFalse.Type.Scalar == IR.ScalarType.Int && s.Type.Scalar == IR.ScalarType.Real) a = $"(double){a}";
                    return $"({c} ? {a} : {f})";
                }
                case IrCall c:
                    if (!ctx.Constructor && _plan.TryGetReduction(c, out var red)) return ReductionValue(red);
                    return RenderCall(c, ctx);
                case IrFilter f:
                    return ctx.Eager ? Hoist(ctx, RenderFilter(f, ctx), f.Type) : RenderFilter(f, ctx);
                case IrNoise n:
                    return ScalarDraw(n, ctx.Element);
                default:
                    throw new EmitNotSupportedException($"'{e.GetType().Name}' is not emitted by the C# backend yet");
            }
        }

        /// <summary>
        /// A draw as CounterNoise computes it: element __i of a vector noise(n) in an element loop, element 0 of a
        /// scalar noise() (the same value for every element, once per step, as the interpreter draws it).
        /// A pure function, so it needs no hoisting: evaluated or not, it changes no other draw.
        /// </summary>
        private string ScalarDraw(IrNoise n, bool element) =>
            $"{Aliases.Runtime}.CounterNoise.Gaussian(__seed, (ulong){StepLocal("__step")}, {n.Site.ToString(CultureInfo.InvariantCulture)}, {(element && !n.Type.IsScalar ? "__i" : "0")})";

        /// <summary>
        /// An int the law keeps as an integer (the step, a dim, an int param) as a double: every int is computed
        /// in double, as the interpreter, the population and the OpenCL backend compute it, so that int arithmetic
        /// gives the same result whatever stores its operands (-(step % n) is -0 in double, 0 in long).
        /// </summary>
        private static string AsDouble(string integer) => $"((double){integer})";

        private static string WithEager(RenderCtx ctx, bool eager, Func<string> render)
        {
            bool saved = ctx.Eager;
            ctx.Eager = eager;
            try { return render(); }
            finally { ctx.Eager = saved; }
        }

        /// <summary>
        /// A side effect (filter update, random draw) under an elementwise condition becomes a
        /// temporary before the statement, so it runs for every element as the language says; anywhere
        /// else it stays inline, where C#'s evaluation order is the language's.
        /// </summary>
        private string Hoist(RenderCtx ctx, string call, IrType type)
        {
            var v = "__h" + (++_hoistCounter);
            ctx.Hoists.Add($"{(type.Scalar == IR.ScalarType.Bool ? "bool" : "double")} {v} = {call};");
            return v;
        }

        private string RenderFilter(IrFilter f, RenderCtx ctx)
        {
            var slot = Slot(f.Slot);
            var args = f.Args.Select(a => Render(a, ctx)).ToList();
            bool isBool = f.Type.Scalar == IR.ScalarType.Bool;
            string Num(int i) => f.Args[i].Type.Scalar == IR.ScalarType.Bool ? $"({args[i]} ? 1.0 : 0.0)" : args[i];
            string call = f.Kind switch
            {
                FilterKind.Ema => $"__AeMath.Ema(ref {slot}, ref {slot}_n, {args[0]}, {args[1]})",
                FilterKind.Lp => $"__AeMath.Lp(ref {slot}, ref {slot}_n, {args[0]}, {args[1]})",
                FilterKind.Prev => $"__AeMath.Prev(ref {slot}, ref {slot}_n, {Num(0)}, {Num(1)})",
                _ => $"__AeMath.Latch(ref {slot}, ref {slot}_n, {args[0]}, {Num(1)}, {Num(2)})",
            };
            return isBool ? $"({call} != 0.0)" : call;
        }

        private string RenderRef(IrRef r, RenderCtx ctx)
        {
            if (ctx.Constructor)
            {
                if (r.Kind == SymbolKind.Param)
                {
                    var local = Local(_unit.Params.First(p => p.Name == r.Name));
                    return r.Type.IsScalar ? (r.Type.Scalar == IR.ScalarType.Int ? AsDouble(local) : local) : IsBoolVector(r.Type) ? $"({local}[__i] != 0.0)" : local + "[__i]";
                }
                if (r.Kind == SymbolKind.Dim) return AsDouble(DimRef(r.Name));
                throw new InvalidOperationException("non-constant read in a constant");
            }
            switch (r.Kind)
            {
                case SymbolKind.Dim: return AsDouble(Id(r.Name));
                case SymbolKind.Param:
                    if (r.Type.IsScalar) return r.Type.Scalar == IR.ScalarType.Int ? AsDouble(Id(r.Name)) : Id(r.Name);
                    RequireElement(ctx, r);
                    return IsBoolVector(r.Type) ? $"({ParamArray(r.Name)}[__i] != 0.0)" : $"{ParamArray(r.Name)}[__i]";
                case SymbolKind.Input:
                    if (r.Type.IsScalar) return StepLocal(Id(r.Name));
                    RequireElement(ctx, r);
                    // A bool vector comes as a span of bools.
                    return IsBoolVector(r.Type) ? $"{StepLocal(Id(r.Name))}[__i]" : $"{Simd}.Widen({StepLocal(Id(r.Name))}[__i])";
                case SymbolKind.State:
                case SymbolKind.Coeff:
                    if (r.Type.IsScalar) return r.Time == RefTime.Next ? MutableRead(r.Name + "'", ctx) : Id(r.Name);
                    RequireElement(ctx, r);
                    if (r.Time == RefTime.Next && ctx.Versions.TryGetValue(r.Name, out var nv)) return Names.Element(nv);
                    return CurrentValue(r.Name);
                case SymbolKind.Acc:
                    if (r.Type.IsScalar) return MutableRead(r.Name, ctx);
                    RequireElement(ctx, r);
                    return ctx.Versions.TryGetValue(r.Name, out var av) ? Names.Element(av) : Render(_unit.Accs.First(a => a.Name == r.Name).Neutral, ctx);
                default: // locals and signals
                    if (r.Type.IsScalar) return StepLocal(Id(r.Name));
                    RequireElement(ctx, r);
                    if (ctx.Versions.TryGetValue(r.Name, out var lv)) return Names.Element(lv);
                    var neutral = _unit.Signals.FirstOrDefault(s => s.Name == r.Name)?.Neutral;
                    return neutral != null ? Render(neutral, ctx) : throw new InvalidOperationException($"'{r.Name}' read before its definition");
            }
        }

        /// <summary>A next value or accumulator read by a vector element computed after the scalar moved on reads the copy taken at its place.</summary>
        private string MutableRead(string key, RenderCtx ctx)
        {
            if (ctx.Element && ctx.PassAt >= 0 && _plan.IsSnapshot(ctx.ItemPos, key) && _plan.WrittenBetween(key, ctx.ItemPos, ctx.PassAt))
                return StepLocal(SnapshotVar(key, ctx.ItemPos));
            return StepLocal(MutableScalar(key));
        }

        private static void RequireElement(RenderCtx ctx, IrRef r)
        {
            if (!ctx.Element) throw new InvalidOperationException($"vector '{r.Name}' read outside a vector pass");
        }

        private string RenderCall(IrCall c, RenderCtx ctx)
        {
            var a = c.Args.Select(x => Render(x, ctx)).ToList();
            return BuiltinSpellings.Call(c.Function, a, s => s.Scalar)
                ?? throw new EmitNotSupportedException($"'{c.Function}' is not emitted by the C# backend yet");
        }
    }
}
