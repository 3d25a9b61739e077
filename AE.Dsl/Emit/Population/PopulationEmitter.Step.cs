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
    /// The population step. It follows the law's own step (UnitEmitter.Step.cs) statement for
    /// statement and pass for pass, over the same <see cref="StepSchedule"/>, so every controller sees
    /// the same operations in the same order: scalar statements run per block of four controllers,
    /// vector passes loop over elements and, inside, over the blocks, and reductions accumulate per
    /// controller in element order.
    /// </summary>
    internal sealed partial class PopulationWriter
    {
        /// <summary>Where an expression is rendered and which lanes its side effects may touch.</summary>
        private sealed class Ctx
        {
            public bool Element;
            public IReadOnlyDictionary<string, ElementItem> Versions = Names.NoVersions;
            public int ItemPos = -1;
            public int PassAt = -1;
            /// <summary>Inside a branch of an elementwise condition: side effects run wherever the statement runs.</summary>
            public bool Eager;
            /// <summary>Lanes where the statement runs (null: all); eager side effects use it.</summary>
            public string? Base;
            /// <summary>Lanes where the expression being rendered is evaluated by the law (null: all).</summary>
            public string? Mask;
            /// <summary>Eager side effects: the law hoists them before the statement.</summary>
            public readonly List<string> Pre = new();
            /// <summary>Side effects and the conditions that mask them, in the law's order of evaluation.</summary>
            public readonly List<string> Lines = new();
        }

        private readonly StepSchedule _plan;
        private readonly List<string> _scratch = new();
        private int _temp;
        private CodeWriter _s = null!;
        private bool _inBlocks;

        private string Temp(string prefix) => prefix + (++_temp).ToString(CultureInfo.InvariantCulture);

        // ------------------------------------------------------------ the step

        /// <summary>The scratch arrays both steps share: snapshots and reduction accumulators.</summary>
        private void PlanStep()
        {
            foreach (var snap in _plan.Snapshots.OrderBy(s => s.Pos).ThenBy(s => s.Name, StringComparer.Ordinal))
                _scratch.Add(SnapshotArray(snap.Name, snap.Pos));
            foreach (var r in _plan.Reductions)
                foreach (var (v, _) in ReductionAccumulators(r)) _scratch.Add(v);
        }

        private List<string> StepParameters(string t)
        {
            var ps = new List<string>();
            foreach (var i in _unit.Inputs)
            {
                var e = i.Type.Scalar == ScalarType.Bool ? "bool" : i.Type.Scalar == ScalarType.Int && i.Type.IsScalar ? "double" : t;
                ps.Add($"__System.ReadOnlySpan<{e}> {Id(i.Name)}");
            }
            foreach (var s in _unit.States.Where(s => _hostStates.Contains(s.Name)))
                ps.Add($"__System.Span<{t}> {Id(s.Name)}");
            return ps;
        }

        /// <summary>A float step only where it has its own signature: a law with no real data would get a second Step().</summary>
        private bool HasFloatStep => !StepParameters("float").SequenceEqual(StepParameters("double"));

        /// <summary>
        /// The public steps (double and float data) and the one generic step behind them: the element type
        /// __T of the host's data changes only its loads and stores (<c>__Lanes.Load/Store&lt;__T&gt;</c>,
        /// which the JIT specialises per __T); every value is computed in double either way.
        /// </summary>
        private string EmitStep()
        {
            _s = new CodeWriter();
            var args = string.Join(", ", _unit.Inputs.Select(i => Id(i.Name)).Concat(_unit.States.Where(s => _hostStates.Contains(s.Name)).Select(s => Id(s.Name))));
            _s.Line("/// <summary>One step of every controller. Scalar inputs hold one value per controller; vectors hold element i of controller j at [i * Count + j]. Allocates nothing.</summary>");
            _s.Line(Aliases.Hot);
            _s.Line($"public void Step({string.Join(", ", StepParameters("double"))}) => __Step<double>({args});");
            if (HasFloatStep)
            {
                _s.Line("/// <summary>One step of every controller over float data; scalars, elements and reductions are computed in double, as the law's float step. Allocates nothing.</summary>");
                _s.Line(Aliases.Hot);
                _s.Line($"public void Step({string.Join(", ", StepParameters("float"))}) => __Step<float>({args});");
            }
            _s.Line();
            _s.Line("/// <summary>The step of both overloads; __T, the host's element type, is double or float.</summary>");
            _s.Line(Aliases.Hot);
            using (_s.Block($"private void __Step<__T>({string.Join(", ", StepParameters("__T"))}) where __T : unmanaged"))
            {
                EmitPrologue();
                var lastRule = (IrRule?)null;
                foreach (var item in _plan.Items)
                {
                    foreach (var pass in _plan.Passes.Where(p => p.At == item.Pos && !p.IsFinal)) EmitPass(pass);
                    foreach (var snap in _plan.Snapshots.Where(s => s.Pos == item.Pos).OrderBy(s => s.Name, StringComparer.Ordinal))
                    {
                        OpenBlocks();
                        _s.Line($"{SnapshotArray(snap.Name, snap.Pos)}[__q] = {MutableScalar(snap.Name)};");
                    }
                    if (item is ElementItem) continue;
                    OpenBlocks();
                    if (!ReferenceEquals(item.Rule, lastRule))
                    {
                        lastRule = item.Rule;
                        _s.Line();
                        _s.Line($"// ---- {RuleHeading(item.Rule)}");
                    }
                    EmitScalarItem(item);
                }
                foreach (var pass in _plan.Passes.Where(p => p.IsFinal && (p.Elements.Count > 0 || p.Reductions.Count > 0))) EmitPass(pass);
                EmitEpilogue();
            }
            return _s.ToString();
        }

        /// <summary>Scalar statements run inside one loop over the blocks of controllers, opened on demand and closed before a pass.</summary>
        private void OpenBlocks()
        {
            if (_inBlocks) return;
            _s.Open("for (int __q = 0; __q < __nb; __q++)");
            _s.Line($"int __j = __q * {S}.Lanes;");
            _inBlocks = true;
        }

        private void CloseBlocks()
        {
            if (!_inBlocks) return;
            _s.Close();
            _inBlocks = false;
        }

        private void EmitPrologue()
        {
            foreach (var i in _unit.Inputs)
            {
                var n = Id(i.Name);
                if (i.Type.IsScalar)
                    _s.Line($"if ({n}.Length != __count) throw new __System.ArgumentException(\"'{i.Name}' has \" + {n}.Length + \" values; this population has \" + __count + \" controllers\", \"{i.Name}\");");
                else
                    _s.Line($"if ({n}.Length != (long){Length(i.Type)} * __count) throw new __System.ArgumentException(\"'{i.Name}' has \" + {n}.Length + \" elements; this population needs \" + {Length(i.Type)} + \" x \" + __count, \"{i.Name}\");");
            }
            foreach (var s in _unit.States.Where(s => _hostStates.Contains(s.Name)))
                _s.Line($"if ({Id(s.Name)}.Length != (long){Length(s.Type)} * __count) throw new __System.ArgumentException(\"'{s.Name}' has \" + {Id(s.Name)}.Length + \" elements; this population needs \" + {Length(s.Type)} + \" x \" + __count, \"{s.Name}\");");
            _s.Line($"{Aliases.Simd}.CheckPrecision<__T>(__precision, {CSharp.String(_type)}, \"population\");");
            // As the law: the first float step takes float copies of the vectors the population owns.
            var owned = _unit.States.Where(s => !s.Type.IsScalar && !_hostStates.Contains(s.Name)).ToList();
            foreach (var s in owned)
                _s.Line($"if (typeof(__T) == typeof(float)) {FloatArray(s.Name)} ??= {S}.ToFloat({StateArray(s.Name)});");
            _s.Line($"__precision = {Aliases.Simd}.Precision<__T>();");
            foreach (var s in owned) _s.Line($"var {FloatLocal(s.Name)} = {FloatArray(s.Name)};");
            _s.Line("int __k = __count, __nb = __blocks;");
            _s.Line("long __step = StepCount + 1;");
            _s.Line("StepCount = __step;");
            _s.Line($"var __stepv = {Vx}.Create((double)__step);");
            _s.Line("// next values start as the current values; accumulators at their neutral values");
            OpenBlocks();
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar)) _s.Line($"{NextArray(s.Name)}[__q] = {StateArray(s.Name)}[__q];");
            foreach (var a in _unit.Accs.Where(a => a.Type.IsScalar)) _s.Line($"{ValueArray(a.Name)}[__q] = {Pure(a.Neutral, new Ctx())};");
            foreach (var s in _unit.Signals.Where(s => s.Type.IsScalar))
                _s.Line($"{ValueArray(s.Name)}[__q] = {(s.Neutral != null && IrFacts.IsConstant(s.Neutral) ? Pure(s.Neutral, new Ctx()) : V + ".Zero")};");
            foreach (var l in _unit.Locals.Where(l => l.Type.IsScalar)) _s.Line($"{ValueArray(l.Name)}[__q] = {V}.Zero;");
            foreach (var c in Enumerable.Range(1, _plan.CondCount).Select(Names.Cond)) _s.Line($"{c}[__q] = {V}.Zero;");
            foreach (var snap in _plan.Snapshots.OrderBy(s => s.Pos).ThenBy(s => s.Name, StringComparer.Ordinal))
                _s.Line($"{SnapshotArray(snap.Name, snap.Pos)}[__q] = {V}.Zero;");
        }

        private static string SnapshotArray(string key, int pos) => "__snap_" + San(key) + "__" + pos.ToString(CultureInfo.InvariantCulture);

        /// <summary>The array slot of a scalar that statements change (a next value or an accumulator), in the current block.</summary>
        private static string MutableScalar(string key) =>
            key.EndsWith("'", StringComparison.Ordinal) ? NextArray(key.TrimEnd('\'')) + "[__q]" : ValueArray(key) + "[__q]";

        private void EmitEpilogue()
        {
            OpenBlocks();
            _s.Line();
            _s.Line("// end of step: project onto the declared bounds, then the next values become current");
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar))
            {
                var next = NextArray(s.Name) + "[__q]";
                _s.Line(s.Bounds != null && s.Type.Scalar != ScalarType.Bool
                    ? $"{StateArray(s.Name)}[__q] = {S}.Clamp({next}, {Pure(s.Bounds.Lo, new Ctx())}, {Pure(s.Bounds.Hi, new Ctx())});"
                    : $"{StateArray(s.Name)}[__q] = {next};");
            }
            CloseBlocks();
        }

        // ------------------------------------------------------------ scalar statements

        private static string RuleHeading(IrRule r) => CSharp.Comment(IrPrinter.RuleLabel(r));


        /// <summary>The lanes where a 'when' condition holds (or does not).</summary>
        private static string CondMask(CondTest c) => c.Holds ? Names.Cond(c.Cond) + "[__q]" : $"(~{Names.Cond(c.Cond)}[__q])";

        /// <summary>The lanes where an item runs: its rule's switch and enclosing 'when' conditions; null when it always runs.</summary>
        private static string? ItemMask(ScheduleItem item)
        {
            var parts = new List<string>();
            if (item.Switch != null) parts.Add(Names.Switch(item.Switch) + "[__q]");
            parts.AddRange(item.Conds.Select(CondMask));
            return parts.Count == 0 ? null : parts.Count == 1 ? parts[0] : "(" + string.Join(" & ", parts) + ")";
        }

        private void EmitScalarItem(ScheduleItem item)
        {
            var stmt = item.Stmt;
            string target;
            IrExpr expr;
            if (item is CondItem condition)
            {
                target = Names.Cond(condition.Cond) + "[__q]";
                expr = condition.Condition;
            }
            else
            {
                switch (stmt)
                {
                    case IrDefine d: target = ValueArray(d.Name) + "[__q]"; expr = d.Value; break;
                    case IrSetNext n: target = NextArray(n.Name) + "[__q]"; expr = n.Value; break;
                    case IrAccumulate a: target = ValueArray(a.Name) + "[__q]"; expr = a.Value; break;
                    default: return;
                }
            }
            _s.Line("// " + CSharp.Comment(IrPrinter.Statement(stmt)));
            var mask = ItemMask(item);
            IrExpr? neutral = null;
            if (item.Switch != null && item.Conds.Count == 0 && stmt is IrDefine def && _unit.Signals.FirstOrDefault(x => x.Name == def.Name)?.Neutral is IrExpr ne)
                neutral = ne;
            if (mask == null)
            {
                var ctx = new Ctx { Versions = item.Versions, ItemPos = item.Pos };
                var value = Render(expr, ctx);
                Flush(ctx);
                _s.Line(stmt is IrAccumulate ? $"{target} = {target} + {value};" : $"{target} = {value};");
                return;
            }
            var m = Temp("__m");
            _s.Line($"var {m} = {mask};");
            if (neutral != null)
            {
                // A switched-off rule's signal takes its neutral value on those lanes.
                var on = new Ctx { Versions = item.Versions, ItemPos = item.Pos, Base = m, Mask = m };
                var value = Render(expr, on);
                Flush(on);
                var neutralValue = NeutralOff(neutral, on, "~" + m, off => new Ctx { Versions = item.Versions, ItemPos = item.Pos, Base = off, Mask = off });
                _s.Line($"{target} = {Vx}.ConditionalSelect({m}, {value}, {neutralValue});");
                return;
            }
            // Lanes where the statement does not run keep their value; no lane runs it: skip its work.
            var masked = new Ctx { Versions = item.Versions, ItemPos = item.Pos, Base = m, Mask = m };
            var maskedValue = Render(expr, masked);
            if (stmt is IrAccumulate) maskedValue = $"{target} + {maskedValue}";
            var assignment = $"{target} = {Vx}.ConditionalSelect({m}, {maskedValue}, {target});";
            if (masked.Pre.Count == 0 && masked.Lines.Count == 0) _s.Line($"if ({S}.Any({m})) {assignment}");
            else using (_s.Block($"if ({S}.Any({m}))"))
            {
                Flush(masked);
                _s.Line(assignment);
            }
        }

        /// <summary>Writes a context's side effects: the law's hoisted ones first, then the rest in its order.</summary>
        private void Flush(Ctx ctx)
        {
            foreach (var l in ctx.Pre) _s.Line(l);
            foreach (var l in ctx.Lines) _s.Line(l);
            ctx.Pre.Clear();
            ctx.Lines.Clear();
        }

        // ------------------------------------------------------------ vector passes

        private void EmitPass(VectorPass pass)
        {
            CloseBlocks();
            int index = _plan.IndexOf(pass) + 1;
            int count = _plan.Passes.Count(p => !p.IsFinal || p.Elements.Count > 0 || p.Reductions.Count > 0);
            _s.Line();
            var what = pass.IsFinal ? "write the vectors" : "reductions " + string.Join(", ", pass.Reductions.Select(r => IrPrinter.Expr(r.Call)));
            _s.Line($"// ---- pass {index} of {count} over the vectors: {CSharp.Comment(what)}");
            foreach (var r in pass.Reductions)
                foreach (var (v, init) in ReductionAccumulators(r)) _s.Line($"__System.Array.Fill({v}, {init});");

            // As in the law, a reduction needed only under some condition is skipped where it does not
            // hold; here the condition is a mask per block, kept in a scratch array for the loop.
            var guards = pass.Reductions.ToDictionary(r => r, r => Guard(r, pass));
            var shared = guards.Count > 0 && guards.Values.Distinct().Count() == 1 ? guards.Values.First() : "";
            var perReduction = new Dictionary<Reduction, string>();
            string? passMask = null;
            string? any = null;
            if (shared.Length > 0)
            {
                passMask = Temp("__g");
                _scratch.Add(passMask);
                any = Temp("__any");
                _s.Line($"bool {any} = false;");
                using (_s.Block("for (int __q = 0; __q < __nb; __q++)"))
                {
                    _s.Line($"int __j = __q * {S}.Lanes;");
                    _s.Line($"{passMask}[__q] = {shared};");
                    _s.Line($"if ({S}.Any({passMask}[__q])) {any} = true;");
                }
            }
            else if (guards.Values.Any(g => g.Length > 0))
            {
                foreach (var kv in guards.Where(g => g.Value.Length > 0)) { var g = Temp("__g"); _scratch.Add(g); perReduction[kv.Key] = g; }
                using (_s.Block("for (int __q = 0; __q < __nb; __q++)"))
                {
                    _s.Line($"int __j = __q * {S}.Lanes;");
                    foreach (var kv in perReduction) _s.Line($"{kv.Value}[__q] = {guards[kv.Key]};");
                }
            }
            if (any != null) _s.Open($"if ({any})");
            var lengths = new List<DimExpr>();
            foreach (var e in pass.Elements) AddLength(lengths, e.TargetType.Shape[0]);
            foreach (var r in pass.Reductions) AddLength(lengths, r.Call.Args[0].Type.Shape[0]);
            foreach (var len in lengths)
            {
                using (_s.Block($"for (int __i = 0; __i < {DimText(len)}; __i++)"))
                {
                    _s.Line("int __h = __i * __k, __o = __i * __nb;");
                    using (_s.Block("for (int __q = 0; __q < __nb; __q++)"))
                    {
                        _s.Line($"int __j = __q * {S}.Lanes;");
                        var lanes = passMask != null ? passMask + "[__q]" : null;
                        foreach (var e in pass.Elements.Where(e => e.TargetType.Shape[0].Equals(len))) EmitElement(e, pass, lanes);
                        foreach (var r in pass.Reductions.Where(r => r.Call.Args[0].Type.Shape[0].Equals(len)))
                            EmitReductionStep(r, pass, lanes, perReduction.TryGetValue(r, out var g) ? g + "[__q]" : null);
                        if (pass.IsFinal) EmitWrites(len);
                    }
                }
            }
            if (any != null) _s.Close();
        }

        /// <summary>The law's pass guard (UnitEmitter.Guard) as a lane mask: the condition under which the step reads the reduction.</summary>
        private string Guard(Reduction r, VectorPass pass)
        {
            var need = _plan.NeedOf(r, pass);
            var parts = new List<string>();
            if (need.Switch != null) parts.Add(Names.Switch(need.Switch) + "[__q]");
            parts.AddRange(need.Conds.Select(CondMask));
            foreach (var (cond, holds) in need.Path)
            {
                var ctx = new Ctx { Versions = r.Versions, ItemPos = r.Pos };
                var text = Render(cond, ctx);
                if (ctx.Pre.Count > 0 || ctx.Lines.Count > 0) break;
                parts.Add(holds ? text : $"(~{text})");
            }
            return Join(parts);

            static string Join(List<string> parts) => parts.Count <= 1 ? string.Concat(parts) : "(" + string.Join(" & ", parts) + ")";
        }

        private static void AddLength(List<DimExpr> lengths, DimExpr d)
        {
            if (!lengths.Contains(d)) lengths.Add(d);
        }

        private static IEnumerable<(string Var, string Init)> ReductionAccumulators(Reduction r)
        {
            var v = "__r" + r.Id.ToString(CultureInfo.InvariantCulture);
            switch (r.Call.Function)
            {
                case "cosine":
                    yield return (v + "_ab", V + ".Zero");
                    yield return (v + "_aa", V + ".Zero");
                    yield return (v + "_bb", V + ".Zero");
                    break;
                case "max": yield return (v, Vx + ".Create(double.NegativeInfinity)"); break;
                case "min": yield return (v, Vx + ".Create(double.PositiveInfinity)"); break;
                default: yield return (v, V + ".Zero"); break;
            }
        }

        /// <summary>The value of a completed reduction for the current block, as UnitEmitter.ReductionValue computes it.</summary>
        private string ReductionValue(Reduction r)
        {
            var v = "__r" + r.Id.ToString(CultureInfo.InvariantCulture);
            return r.Call.Function switch
            {
                "norm" => $"{Vx}.Sqrt({v}[__q])",
                "mean" => $"({v}[__q] / {Vx}.Create((double){DimText(r.Call.Args[0].Type.Shape[0])}))",
                // The quotient held to [-1, 1], which rounding can pass (the language's definition).
                "cosine" => $"{Vx}.ConditionalSelect(({Vx}.Equals({v}_aa[__q], {V}.Zero) | {Vx}.Equals({v}_bb[__q], {V}.Zero)), {V}.Zero, {BuiltinSpellings.Elementwise["clamp"].Lanes}({v}_ab[__q] / ({Vx}.Sqrt({v}_aa[__q]) * {Vx}.Sqrt({v}_bb[__q])), {Vx}.Create(-1.0), {V}.One))",
                _ => v + "[__q]",
            };
        }

        private void EmitReductionStep(Reduction r, VectorPass pass, string? passMask, string? guard)
        {
            var lanes = passMask ?? guard;
            var ctx = new Ctx { Element = true, Versions = r.Versions, ItemPos = r.Pos, PassAt = pass.At, Base = lanes, Mask = lanes };
            var a = Render(r.Call.Args[0], ctx);
            var b = r.Call.Args.Count > 1 ? Render(r.Call.Args[1], ctx) : null;
            Flush(ctx);
            var v = "__r" + r.Id.ToString(CultureInfo.InvariantCulture);
            string Acc(string acc, string value) => guard == null ? $"{acc}[__q] = {value};" : $"{acc}[__q] = {Vx}.ConditionalSelect({guard}, {value}, {acc}[__q]);";
            switch (r.Call.Function)
            {
                case "sum":
                case "mean": _s.Line(Acc(v, $"{v}[__q] + {a}")); break;
                case "dot": _s.Line(Acc(v, $"{v}[__q] + {a} * {b}")); break;
                case "norm":
                {
                    var q = Temp("__t");
                    _s.Line($"var {q} = {a};");
                    _s.Line(Acc(v, $"{v}[__q] + {q} * {q}"));
                    break;
                }
                case "cosine":
                {
                    var x = Temp("__t");
                    var y = Temp("__t");
                    _s.Line($"var {x} = {a};");
                    _s.Line($"var {y} = {b};");
                    _s.Line(Acc(v + "_ab", $"{v}_ab[__q] + {x} * {y}"));
                    _s.Line(Acc(v + "_aa", $"{v}_aa[__q] + {x} * {x}"));
                    _s.Line(Acc(v + "_bb", $"{v}_bb[__q] + {y} * {y}"));
                    break;
                }
                case "max": _s.Line(Acc(v, $"{S}.Max({v}[__q], {a})")); break;
                case "min": _s.Line(Acc(v, $"{S}.Min({v}[__q], {a})")); break;
                default: throw new EmitNotSupportedException($"reduction '{r.Call.Function}' is not emitted yet");
            }
        }

        private void EmitElement(ElementItem e, VectorPass pass, string? passMask)
        {
            var cond = ItemMask(e);
            var m = cond == null ? null : Temp("__m");
            if (m != null) _s.Line($"var {m} = {cond};");
            var lanes = passMask == null ? m : m == null ? passMask : $"({passMask} & {m})";
            var ctx = new Ctx { Element = true, Versions = e.Versions, ItemPos = e.Pos, PassAt = pass.At, Base = lanes, Mask = lanes };
            var expr = e.Stmt switch { IrDefine dv => dv.Value, IrSetNext nv => nv.Value, IrAccumulate av => av.Value, _ => throw new InvalidOperationException() };
            var value = Render(expr, ctx);
            string prior = Names.PrevElement(e) ?? e.Stmt switch
            {
                IrSetNext n => CurrentValue(n.Name),
                IrAccumulate a => Pure(_unit.Accs.First(x => x.Name == a.Name).Neutral, ctx),
                _ => V + ".Zero",
            };
            if (e.Stmt is IrAccumulate) value = $"{prior} + {value}";
            // A pass interleaves the elements of several rules: each statement names its own.
            _s.Line("// " + CSharp.Comment((e.Rule.IsUpdate ? "update" : e.Rule.Id) + ": " + IrPrinter.Statement(e.Stmt)));
            Flush(ctx);
            if (m == null)
            {
                _s.Line($"var {Names.Element(e)} = {value};");
                return;
            }
            string fallback = prior;
            if (e.Stmt is IrDefine d && _unit.Signals.FirstOrDefault(x => x.Name == d.Name)?.Neutral is IrExpr ne)
                fallback = NeutralOff(ne, ctx, AndNot(passMask, m), off => new Ctx { Element = true, Versions = e.Versions, ItemPos = e.Pos, PassAt = pass.At, Base = off, Mask = off });
            _s.Line($"var {Names.Element(e)} = {Vx}.ConditionalSelect({m}, {value}, {fallback});");
        }

        /// <summary>
        /// A signal's neutral value on the lanes where its rule does not run: as it is when it has no side effects; else
        /// rendered under those lanes' mask (<paramref name="offLanes"/>), so that its draws and filters run there as the
        /// law runs them.
        /// </summary>
        private string NeutralOff(IrExpr neutral, Ctx on, string offLanes, Func<string, Ctx> offContext)
        {
            if (Maskless(neutral)) return Pure(neutral, on);
            var mask = Temp("__m");
            _s.Line($"var {mask} = {offLanes};");
            var off = offContext(mask);
            var text = Render(neutral, off);
            Flush(off);
            return text;
        }

        private string CurrentElement(string state) =>
            _hostStates.Contains(state) ? $"{S}.Load({Id(state)}, __h + __j, __k - __j)"
            : $"{S}.Load<__T>({StateArray(state)}, {FloatLocal(state)}, __o + __q)";

        /// <summary>A vector state's element as a value: for a bool vector (stored as 0 and 1, as the law's) a lane mask.</summary>
        private string CurrentValue(string state) =>
            IsBoolVector(_unit.States.First(s => s.Name == state).Type) ? $"{S}.Bool({CurrentElement(state)})" : CurrentElement(state);

        private static bool IsBoolVector(IrType t) => !t.IsScalar && t.Scalar == ScalarType.Bool;

        /// <summary>A value as a vector stores it: a bool vector's lane mask as 1 and 0.</summary>
        private static string Stored(IrType t, string value) => IsBoolVector(t) ? $"{S}.Num({value})" : value;

        /// <summary>The float copy of a vector the population owns, for float steps (a lane per float, element-major as the double one).</summary>
        private static string FloatArray(string name) => "__st_" + San(name) + "_f32";
        private static string FloatLocal(string name) => "__sf_" + San(name);

        private void EmitWrites(DimExpr len)
        {
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
            {
                if (!_plan.FinalVersions.TryGetValue(s.Name, out var final)) continue;
                var v = Names.Element(final);
                var value = s.Bounds != null ? $"{S}.Clamp({v}, {Pure(s.Bounds.Lo, new Ctx())}, {Pure(s.Bounds.Hi, new Ctx())})" : Stored(s.Type, v);
                _s.Line(_hostStates.Contains(s.Name) ? $"{S}.Store({Id(s.Name)}, __h + __j, __k - __j, {value});"
                    : $"{S}.Store<__T>({StateArray(s.Name)}, {FloatLocal(s.Name)}, __o + __q, {value});");
            }
            foreach (var s in _unit.Signals.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
                if (_plan.FinalVersions.TryGetValue(s.Name, out var v)) _s.Line($"{SignalBuffer(s.Name)}[__o + __q] = {Stored(s.Type, Names.Element(v))};");
        }

        // ------------------------------------------------------------ expressions

        /// <summary>An expression without side effects (a constant, a neutral value, a bound).</summary>
        private string Pure(IrExpr e, Ctx ctx)
        {
            var c = new Ctx { Element = ctx.Element, Versions = ctx.Versions, ItemPos = ctx.ItemPos, PassAt = ctx.PassAt };
            var text = Render(e, c);
            if (c.Pre.Count > 0 || c.Lines.Count > 0)
                throw new EmitNotSupportedException($"'{IrPrinter.Expr(e)}' updates a filter or draws noise where the population backend needs a value without side effects");
            return text;
        }

        private static string And(string? mask, string cond) => mask == null ? cond : $"({mask} & {cond})";
        private static string AndNot(string? mask, string cond) => mask == null ? $"(~{cond})" : $"{Vx}.AndNot({mask}, {cond})";

        /// <summary>Gives a rendered value a name in the side-effect lines, so masks and later lines can refer to it.</summary>
        private string Name(Ctx ctx, string text, string prefix = "__t")
        {
            var t = Temp(prefix);
            ctx.Lines.Add($"var {t} = {text};");
            return t;
        }

        private string Render(IrExpr e, Ctx ctx)
        {
            switch (e)
            {
                case IrConst c:
                    return c.Type.Scalar == ScalarType.Bool ? (c.Value != 0 ? AllLanes : V + ".Zero") : $"{Vx}.Create({CSharp.Literal(c.Value)})";
                case IrStep:
                    return "__stepv";
                case IrRef r:
                    return RenderRef(r, ctx);
                case IrUnary u:
                    return u.Op == IrUnaryOp.Negate ? $"{S}.Neg({Render(u.Operand, ctx)})" : $"(~{Render(u.Operand, ctx)})";
                case IrBinary b:
                    return RenderBinary(b, ctx);
                case IrSelect s:
                {
                    // The law takes one branch of a scalar condition: a branch with side effects runs
                    // under the lanes that take it; pure branches are computed on every lane and selected.
                    bool eager = ctx.Eager || !s.Condition.Type.IsScalar;
                    var c = Render(s.Condition, ctx);
                    if (!eager && !(Maskless(s.WhenTrue) && Maskless(s.WhenFalse)))
                    {
                        var tc = Name(ctx, c);
                        var a = Maskless(s.WhenTrue) ? Render(s.WhenTrue, ctx) : Masked(ctx, Name(ctx, And(ctx.Mask, tc), "__m"), () => Render(s.WhenTrue, ctx));
                        var f = Maskless(s.WhenFalse) ? Render(s.WhenFalse, ctx) : Masked(ctx, Name(ctx, AndNot(ctx.Mask, tc), "__m"), () => Render(s.WhenFalse, ctx));
                        return $"{Vx}.ConditionalSelect({tc}, {a}, {f})";
                    }
                    var at = WithEager(ctx, eager, () => Render(s.WhenTrue, ctx));
                    var ft = WithEager(ctx, eager, () => Render(s.WhenFalse, ctx));
                    return $"{Vx}.ConditionalSelect({c}, {at}, {ft})";
                }
                case IrCall c:
                    if (_plan.TryGetReduction(c, out var red)) return ReductionValue(red);
                    return RenderCall(c, ctx);
                case IrFilter f:
                    return RenderFilter(f, ctx);
                case IrNoise n:
                {
                    // Lane k draws what controller __j + k's law draws (seed + __j + k). Drawn only on the lanes
                    // that evaluate it, so a draw under a condition no lane meets (sigma' > 0 with sigma 0) costs no call.
                    // A draw is a pure function of its counter, so it stands in its expression, not in a local of its
                    // own: a method holds at most 65,534 locals, fewer than the draw sites a unit may have.
                    var lanes = Lanes(ctx);
                    var draw = $"{S}.Noise(__seed, (ulong)__step, {n.Site.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {(ctx.Element && !n.Type.IsScalar ? "__i" : "0")}, __j, __count, {lanes})";
                    return lanes == AllLanes ? draw : $"({S}.Any({lanes}) ? {draw} : {V}.Zero)";
                }
                default:
                    throw new EmitNotSupportedException($"'{e.GetType().Name}' is not emitted by the population backend yet");
            }
        }

        private string RenderBinary(IrBinary b, Ctx ctx)
        {
            bool logic = b.Op is BinaryOp.And or BinaryOp.Or;
            bool elementwiseLogic = !b.Type.IsScalar && logic;
            var l = Render(b.Left, ctx);
            string r;
            if (logic && !elementwiseLogic && !ctx.Eager && !Maskless(b.Right))
            {
                // '&&' and '||' short-circuit in the law: the right side's side effects run only on the lanes that need it.
                l = Name(ctx, l);
                var m = Name(ctx, b.Op == BinaryOp.And ? And(ctx.Mask, l) : AndNot(ctx.Mask, l), "__m");
                r = Masked(ctx, m, () => Render(b.Right, ctx));
            }
            else r = WithEager(ctx, elementwiseLogic || ctx.Eager, () => Render(b.Right, ctx));
            bool bools = b.Left.Type.Scalar == ScalarType.Bool;
            return b.Op switch
            {
                BinaryOp.Add => $"({l} + {r})",
                BinaryOp.Sub => $"({l} - {r})",
                BinaryOp.Mul => $"({l} * {r})",
                BinaryOp.Div => $"({l} / {r})",
                BinaryOp.Mod => $"{S}.Mod({l}, {r})",
                BinaryOp.Pow => $"{S}.Pow({l}, {r})",
                BinaryOp.Less => $"{Vx}.LessThan({l}, {r})",
                BinaryOp.LessEq => $"{Vx}.LessThanOrEqual({l}, {r})",
                BinaryOp.Greater => $"{Vx}.GreaterThan({l}, {r})",
                BinaryOp.GreaterEq => $"{Vx}.GreaterThanOrEqual({l}, {r})",
                // Two bools compare as integers, not with ^: the JIT miscompiles the xor form where AVX-512 is used (AeLanes.MaskEquals).
                BinaryOp.Eq => bools ? $"{S}.MaskEquals({l}, {r})" : $"{Vx}.Equals({l}, {r})",
                BinaryOp.NotEq => bools ? $"{S}.MaskNotEquals({l}, {r})" : $"(~{Vx}.Equals({l}, {r}))",
                BinaryOp.And => $"({l} & {r})",
                _ => $"({l} | {r})",
            };
        }

        /// <summary>
        /// Computed on every lane and selected: no filter update, and no draw (a draw is pure, but runs only on
        /// the lanes that take its branch, so a branch no lane takes costs nothing).
        /// </summary>
        private static bool Maskless(IrExpr e) => IrFacts.IsPure(e) && IrFacts.DrawsNothing(e);

        private static string WithEager(Ctx ctx, bool eager, Func<string> render)
        {
            bool saved = ctx.Eager;
            ctx.Eager = eager;
            try { return render(); }
            finally { ctx.Eager = saved; }
        }

        private static string Masked(Ctx ctx, string mask, Func<string> render)
        {
            var saved = ctx.Mask;
            ctx.Mask = mask;
            try { return render(); }
            finally { ctx.Mask = saved; }
        }

        /// <summary>The lanes a side effect may touch here: where the statement runs when the law hoists it, else where the law evaluates it.</summary>
        private static string Lanes(Ctx ctx) => (ctx.Eager ? ctx.Base : ctx.Mask) ?? AllLanes;

        /// <summary>
        /// A filter update or draw, as a line of its own: under an elementwise condition the law hoists
        /// it before the statement (so it runs wherever the statement runs), else it runs in place.
        /// </summary>
        private string SideEffect(Ctx ctx, string call)
        {
            var v = Temp("__h");
            (ctx.Eager ? ctx.Pre : ctx.Lines).Add($"var {v} = {call};");
            return v;
        }

        private string RenderFilter(IrFilter f, Ctx ctx)
        {
            var slot = Slot(f.Slot);
            var args = f.Args.Select(a => Render(a, ctx)).ToList();
            string Num(int i) => f.Args[i].Type.Scalar == ScalarType.Bool ? $"{S}.Num({args[i]})" : args[i];
            var lanes = Lanes(ctx);
            string call = f.Kind switch
            {
                FilterKind.Ema => $"{S}.Ema({slot}, {slot}_n, __j, {lanes}, {args[0]}, {args[1]})",
                FilterKind.Lp => $"{S}.Lp({slot}, {slot}_n, __j, {lanes}, {args[0]}, {args[1]})",
                FilterKind.Prev => $"{S}.Prev({slot}, {slot}_n, __j, {lanes}, {Num(0)}, {Num(1)})",
                _ => $"{S}.Latch({slot}, {slot}_n, __j, {lanes}, {args[0]}, {Num(1)}, {Num(2)})",
            };
            var v = SideEffect(ctx, call);
            return f.Type.Scalar == ScalarType.Bool ? $"{S}.Bool({v})" : v;
        }

        private string RenderRef(IrRef r, Ctx ctx)
        {
            switch (r.Kind)
            {
                case SymbolKind.Dim: return $"{Vx}.Create((double){Id(r.Name)})";
                case SymbolKind.Param:
                    if (r.Type.IsScalar) return ParamArray(r.Name) + "[__q]";
                    RequireElement(ctx, r);
                    return IsBoolVector(r.Type) ? $"{S}.Bool({ParamArray(r.Name)}[__o + __q])" : ParamArray(r.Name) + "[__o + __q]";
                case SymbolKind.Input:
                {
                    var load = r.Type.Scalar == ScalarType.Bool ? "LoadMask" : "Load";
                    if (r.Type.IsScalar) return $"{S}.{load}({Id(r.Name)}, __j, __k - __j)";
                    RequireElement(ctx, r);
                    return $"{S}.{load}({Id(r.Name)}, __h + __j, __k - __j)";
                }
                case SymbolKind.State:
                case SymbolKind.Coeff:
                    if (r.Type.IsScalar) return r.Time == RefTime.Next ? MutableRead(r.Name + "'", ctx) : StateArray(r.Name) + "[__q]";
                    RequireElement(ctx, r);
                    if (r.Time == RefTime.Next && ctx.Versions.TryGetValue(r.Name, out var nv)) return Names.Element(nv);
                    return CurrentValue(r.Name);
                case SymbolKind.Acc:
                    if (r.Type.IsScalar) return MutableRead(r.Name, ctx);
                    RequireElement(ctx, r);
                    return ctx.Versions.TryGetValue(r.Name, out var av) ? Names.Element(av) : Pure(_unit.Accs.First(a => a.Name == r.Name).Neutral, ctx);
                default: // locals and signals
                    if (r.Type.IsScalar) return ValueArray(r.Name) + "[__q]";
                    RequireElement(ctx, r);
                    if (ctx.Versions.TryGetValue(r.Name, out var lv)) return Names.Element(lv);
                    var neutral = _unit.Signals.FirstOrDefault(s => s.Name == r.Name)?.Neutral;
                    return neutral != null ? Pure(neutral, ctx) : throw new InvalidOperationException($"'{r.Name}' read before its definition");
            }
        }

        /// <summary>A next value or accumulator read by a vector element computed after the scalar moved on reads the copy taken at its place.</summary>
        private string MutableRead(string key, Ctx ctx)
        {
            if (ctx.Element && ctx.PassAt >= 0 && _plan.IsSnapshot(ctx.ItemPos, key) && _plan.WrittenBetween(key, ctx.ItemPos, ctx.PassAt))
                return SnapshotArray(key, ctx.ItemPos) + "[__q]";
            return MutableScalar(key);
        }

        private static void RequireElement(Ctx ctx, IrRef r)
        {
            if (!ctx.Element) throw new InvalidOperationException($"vector '{r.Name}' read outside a vector pass");
        }

        private string RenderCall(IrCall c, Ctx ctx)
        {
            var a = c.Args.Select(x => Render(x, ctx)).ToList();
            return BuiltinSpellings.Call(c.Function, a, s => s.Lanes)
                ?? throw new EmitNotSupportedException($"'{c.Function}' is not emitted by the population backend yet");
        }
    }
}
