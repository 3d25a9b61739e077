using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.IR;
using AE.Dsl.Schedule;
using AE.Dsl.Text;

namespace AE.Dsl.Emit.Kernels
{
    /// <summary>
    /// What the device backends share: one unit's step as kernels over one scalar buffer of doubles (the
    /// layout), one kernel per segment of the step schedule (scalar segments and vector passes), reductions as
    /// a fixed-order tree per work-group whose partial results the next scalar kernel adds in group order.
    /// A backend (OpenCL C, ILGPU's C#) says how each piece is spelled; expressions: KernelUnitEmitter.Render.cs.
    /// </summary>
    internal abstract partial class KernelUnitEmitter
    {
        protected readonly IrUnit _unit;
        protected readonly string _name;
        protected readonly bool _float;
        protected readonly string _vecType;
        protected readonly StepSchedule _plan;
        protected readonly CodeWriter _w = new();
        protected readonly List<IrRule> _switches;
        private readonly HashSet<string> _hostStates;
        private readonly IReadOnlyCollection<string> _ablate;
        private readonly IReadOnlyDictionary<string, SourceFile> _sources;

        protected readonly List<OpenClScalarSlot> _slots = new();
        private readonly Dictionary<(OpenClSlotKind, string), OpenClScalarSlot> _slotOf = new();
        private readonly HashSet<string> _macros = new(StringComparer.Ordinal);
        protected readonly List<OpenClVectorBuffer> _vectors = new();
        protected readonly Dictionary<string, string> _vectorArg = new(StringComparer.Ordinal);
        protected readonly List<string> _runtimeDims;
        protected readonly List<OpenClLaunch> _launches = new();
        /// <summary>Per pass: its accumulators in order, as (reduction, suffix, neutral).</summary>
        private readonly Dictionary<VectorPass, List<(Reduction Red, string Suffix, string Init)>> _accumulators = new();

        protected KernelUnitEmitter(IrUnit unit, string name, bool isFloat, IReadOnlyCollection<string> ablate, IReadOnlyDictionary<string, SourceFile> sources)
        {
            _unit = unit;
            _name = name;
            _float = isFloat;
            _vecType = _float ? "float" : "double";
            _ablate = ablate;
            _sources = sources;
            _switches = unit.Rules.Where(r => r.Ablatable).ToList();
            _hostStates = new HashSet<string>(CSharpEmitter.HostStates(unit).Select(s => s.Name), StringComparer.Ordinal);
            _runtimeDims = unit.Dims.Where(d => d.IsRuntime).Select(d => d.Name).ToList();
            _plan = StepSchedule.Build(unit, lagged: false);
        }

        /// <summary>
        /// What a device backend's entry does before its own checks: a lagged variant refused (the kernels run the current
        /// step's reductions only), the variant made and <paramref name="backend"/>'s limits checked. The entry then lowers
        /// the unit as every backend does (<see cref="Preparation.Lowered"/>).
        /// </summary>
        /// <param name="backend">"OpenCL": the backend as messages name it</param>
        internal static IrUnit Prepare(IrUnit unit, string name, IReadOnlyCollection<string> ablate, bool lagged, string backend)
        {
            if (lagged)
                throw new EmitNotSupportedException($"'{name}' is lagged; the {backend} backend runs the reductions of the current step only so far (use the C# backend)");
            unit = Preparation.Variant(unit, name, ablate, lagged: false);
            Preparation.CheckSupported(unit, "the " + backend + " backend", Preparation.Limits.RankAboveOneInputsAndParams);
            return unit;
        }

        /// <summary>The layout, then the kernels, then the text before them (header, helpers, slot names, arguments).</summary>
        protected KernelLayout EmitLayout()
        {
            Layout();
            var kernels = NewKernelWriter();
            EmitKernels(kernels);
            EmitHeader();
            EmitPreamble();
            var source = Assemble(_w + kernels.ToString());
            var readable = ReadableScalars().Select(r => r.Name).ToList();
            return new KernelLayout(_name, source, _launches, _slots, _vectors, _runtimeDims, readable, _switches.Select(r => r.Id).ToList());
        }

        // ------------------------------------------------------------ what a backend spells

        /// <summary>"the OpenCL backend": for messages.</summary>
        protected abstract string Backend { get; }

        /// <summary>The writer the kernels go to (indented as the backend's file needs).</summary>
        protected virtual CodeWriter NewKernelWriter() => new();

        /// <summary>The helpers, slot names and kernel arguments, written to <see cref="_w"/> after the header.</summary>
        protected abstract void EmitPreamble();

        /// <summary>The whole source from the preamble and the kernels.</summary>
        protected virtual string Assemble(string text) => text;

        /// <summary>A slot as code reads and writes it, from its name (<c>CUR_alpha</c>).</summary>
        protected abstract string SlotText(string macro);

        /// <summary>A slot passed to a helper that updates it (a filter's value and count).</summary>
        protected abstract string SlotReference(string slot);

        protected abstract string PositiveInfinity { get; }
        protected abstract string NaN { get; }
        protected abstract string True { get; }
        protected abstract string False { get; }
        /// <summary>The type of a boolean element variable.</summary>
        protected abstract string BoolElementType { get; }
        /// <summary>What a local that is never reassigned starts with ("const " in C, nothing in C#).</summary>
        protected abstract string ConstLocal { get; }

        /// <summary>A helper or math function by its OpenCL C name (pow, sqrt, max, ae_max, ae_min, ae_clamp, ae_ema, ae_lp, ae_prev, ae_latch).</summary>
        protected abstract string Function(string openClName);

        /// <summary>C#'s % on doubles (truncating toward zero).</summary>
        protected abstract string Mod(string left, string right);

        /// <summary>An elementwise builtin's function in this backend's column.</summary>
        protected abstract string Builtin(BuiltinSpelling spelling);

        /// <summary>CounterNoise's draw <paramref name="index"/> (null: element 0) of <paramref name="site"/> at the step in slot STEP.</summary>
        protected abstract string Noise(int site, string? index);

        /// <summary>A kernel's first line.</summary>
        protected abstract string KernelSignature(string name);

        /// <summary>The start of a pass kernel: the element index <c>i</c> (and whatever the backend declares there).</summary>
        protected abstract void EmitPassStart(CodeWriter w);

        /// <summary>The work-group's tree: its local index <c>lid</c>, the scratch, a barrier, the group's index <c>g</c>.</summary>
        protected abstract string LocalIdLine { get; }
        protected abstract string BarrierLine { get; }
        protected abstract string GroupIdLine { get; }
        protected virtual string? ScratchLine => null;

        // ------------------------------------------------------------ layout

        /// <summary>Signals, then scalar state and coefficients, then accumulators: the C# law's SignalNames.</summary>
        private IEnumerable<(string Name, OpenClSlotKind Kind, ScalarType Type)> ReadableScalars()
        {
            foreach (var s in _unit.Signals.Where(s => s.Type.IsScalar)) yield return (s.Name, OpenClSlotKind.Signal, s.Type.Scalar);
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar))
                yield return (s.Name, s.Kind == SymbolKind.Coeff ? OpenClSlotKind.Coefficient : OpenClSlotKind.State, s.Type.Scalar);
            foreach (var a in _unit.Accs.Where(a => a.Type.IsScalar)) yield return (a.Name, OpenClSlotKind.Accumulator, ScalarType.Real);
        }

        private void Layout()
        {
            // The host's region first and the readable scalars next, so each is one transfer per step.
            foreach (var i in _unit.Inputs.Where(i => i.Type.IsScalar)) AddSlot(OpenClSlotKind.Input, i.Name, i.Type.Scalar, "IN_" + C(i.Name));
            foreach (var r in _switches) AddSlot(OpenClSlotKind.RuleSwitch, r.Id, ScalarType.Bool, "ON_" + C(r.Id));
            foreach (var (name, kind, type) in ReadableScalars())
            {
                var prefix = kind switch { OpenClSlotKind.Signal => "SIG_", OpenClSlotKind.Accumulator => "ACC_", _ => "CUR_" };
                AddSlot(kind, name, type, prefix + C(name));
            }
            AddSlot(OpenClSlotKind.Step, "step", ScalarType.Int, "STEP");
            foreach (var p in _unit.Params.Where(p => p.Type.IsScalar)) AddSlot(OpenClSlotKind.Param, p.Name, p.Type.Scalar, "PAR_" + C(p.Name));
            foreach (var f in _unit.Filters)
            {
                AddSlot(OpenClSlotKind.FilterValue, f.Name, ScalarType.Real, "FLT_" + C(f.Name));
                AddSlot(OpenClSlotKind.FilterCount, f.Name, ScalarType.Real, "FLT_" + C(f.Name) + "__N");
            }
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar)) AddSlot(OpenClSlotKind.Next, s.Name, s.Type.Scalar, "NEXT_" + C(s.Name));
            foreach (var l in _unit.Locals.Where(l => l.Type.IsScalar)) AddSlot(OpenClSlotKind.Local, l.Name, l.Type.Scalar, "LOC_" + C(l.Name));
            for (int c = 1; c <= _plan.CondCount; c++) AddSlot(OpenClSlotKind.Condition, Names.Cond(c), ScalarType.Bool, "COND_" + Num(c));
            foreach (var snap in _plan.Snapshots.OrderBy(s => s.Pos).ThenBy(s => s.Name, StringComparer.Ordinal))
                AddSlot(OpenClSlotKind.Snapshot, SnapshotKey(snap.Name, snap.Pos), ScalarType.Real, "SNAP_" + C(snap.Name) + "__" + Num(snap.Pos));
            foreach (var pass in _plan.Passes)
            {
                var list = new List<(Reduction, string, string)>();
                foreach (var r in pass.Reductions)
                {
                    foreach (var (suffix, init) in Accumulators(r))
                    {
                        AddSlot(OpenClSlotKind.Reduction, ReductionKey(r, suffix), ScalarType.Real, "RED_" + Num(r.Id) + suffix.ToUpperInvariant());
                        list.Add((r, suffix, init));
                    }
                }
                _accumulators[pass] = list;
            }
            foreach (var pass in _plan.Passes.Where(p => !p.IsFinal))
            {
                AddSlot(OpenClSlotKind.Guard, PassGuardKey(pass), ScalarType.Bool, "GUARD_PASS_" + Num(PassNumber(pass)));
                foreach (var r in pass.Reductions) AddSlot(OpenClSlotKind.Guard, ReductionGuardKey(r), ScalarType.Bool, "GUARD_RED_" + Num(r.Id));
            }

            foreach (var i in _unit.Inputs.Where(i => !i.Type.IsScalar)) AddVector(i.Name, OpenClVectorRole.Input, i.Type, _float);
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar))
                AddVector(s.Name, _hostStates.Contains(s.Name) ? OpenClVectorRole.HostState : OpenClVectorRole.State, s.Type, _float);
            foreach (var p in _unit.Params.Where(p => !p.Type.IsScalar)) AddVector(p.Name, OpenClVectorRole.Param, p.Type, false);
            foreach (var s in _unit.Signals.Where(s => !s.Type.IsScalar)) AddVector(s.Name, OpenClVectorRole.Signal, s.Type, false);
        }

        private void AddSlot(OpenClSlotKind kind, string name, ScalarType type, string macro)
        {
            var unique = macro;
            for (int k = 2; !_macros.Add(unique); k++) unique = macro + "_" + Num(k);
            var slot = new OpenClScalarSlot(_slots.Count, name, kind, type, unique);
            _slots.Add(slot);
            _slotOf[(kind, name)] = slot;
        }

        private void AddVector(string name, OpenClVectorRole role, IrType type, bool isFloat)
        {
            var arg = (role == OpenClVectorRole.Param ? "VPAR_" : "VEC_") + C(name);
            for (int k = 2; !_macros.Add(arg); k++) arg = (role == OpenClVectorRole.Param ? "VPAR_" : "VEC_") + C(name) + "_" + Num(k);
            _vectorArg[name] = arg;
            _vectors.Add(new OpenClVectorBuffer(OpenClLawProgram.FirstDimArgument + _runtimeDims.Count + _vectors.Count, name, role, type.Shape[0], isFloat));
        }

        /// <summary>A slot as code reads and writes it.</summary>
        private string Macro(OpenClSlotKind kind, string name) =>
            _slotOf.TryGetValue((kind, name), out var s) ? SlotText(s.Macro) : throw new InvalidOperationException($"internal: no {kind} slot '{name}'");

        private static string SnapshotKey(string key, int pos) => key + "@" + Num(pos);
        private static string ReductionKey(Reduction r, string suffix) => "r" + Num(r.Id) + suffix;
        private string PassGuardKey(VectorPass p) => "pass" + Num(PassNumber(p));
        private static string ReductionGuardKey(Reduction r) => "r" + Num(r.Id);
        private int PassNumber(VectorPass p) => _plan.IndexOf(p) + 1;

        private IEnumerable<(string Suffix, string Init)> Accumulators(Reduction r) => r.Call.Function switch
        {
            "cosine" => new[] { ("_ab", "0.0"), ("_aa", "0.0"), ("_bb", "0.0") },
            "max" => new[] { ("", "(-" + PositiveInfinity + ")") },
            "min" => new[] { ("", PositiveInfinity) },
            _ => new[] { ("", "0.0") },
        };

        // ------------------------------------------------------------ header, macros, arguments

        /// <summary>"1.0 (OpenCL backend)": the header's first line.</summary>
        protected abstract string GeneratorTag { get; }

        /// <summary>What the header calls the arguments every kernel takes.</summary>
        protected abstract string ArgumentsName { get; }

        /// <summary>The .ae file's path as the header names it.</summary>
        protected virtual string ShownPath(string path) => path;

        /// <summary>The line a C# file of generated code starts with, so that analyzers and editors treat it as such; null for other languages.</summary>
        protected virtual string? GeneratedMark => null;

        /// <summary>A line after the mark that switches warnings off for the generated file (C#'s #pragma); null for none.</summary>
        protected virtual string? WarningsOff => null;

        private void EmitHeader()
        {
            if (GeneratedMark is string mark) _w.Line(mark);
            if (WarningsOff is string pragma) _w.Line(pragma);
            _w.Line($"// Generated by the AE compiler {GeneratorTag} from {Comment(ShownPath(_unit.Origin.Path))}: {(_unit.Kind == UnitKind.Law ? "law" : "cell")} {_name}.");
            _w.Line("// Do not edit: change the .ae file. Each statement below names the rule and the equation it comes from.");
            _w.Line("// Rules, in the order they run: " + string.Join(", ", _unit.Rules.Select(r => r.IsUpdate ? "update" : r.Ablatable ? r.Id : r.Id + " (fixed)")));
            if (_ablate.Count > 0)
                _w.Line("// Removed at compile time: " + string.Join(", ", _ablate.OrderBy(x => x, StringComparer.Ordinal)));
            _w.Line($"// Vectors are stored as {_vecType}; scalars, element arithmetic and reductions are double.");
            _w.Line($"// Every kernel takes {ArgumentsName}. One step launches, in order:");
            foreach (var l in _launches)
            {
                var size = l.Kind == OpenClLaunchKind.Scalar ? "1 work item" : "one work item per element of " + string.Join(", ", l.Lengths.Select(d => d.ToString()));
                _w.Line($"//   {l.Kernel} ({size}): {Comment(l.Description)}");
            }
            _w.Line("// Reductions: each work-group sums its elements in local memory in a fixed tree order and writes");
            _w.Line("// one partial result per accumulator; the next scalar kernel adds the partials in group order.");
            _w.Line();
        }

        protected static string SlotDescription(OpenClScalarSlot s) => s.Kind switch
        {
            OpenClSlotKind.Input => "input " + s.Name,
            OpenClSlotKind.RuleSwitch => "rule " + s.Name + " on",
            OpenClSlotKind.Signal => "signal " + s.Name,
            OpenClSlotKind.State => "state " + s.Name,
            OpenClSlotKind.Coefficient => "coefficient " + s.Name,
            OpenClSlotKind.Accumulator => "accumulator " + s.Name,
            OpenClSlotKind.Step => "the step being computed, from 1",
            OpenClSlotKind.Param => "param " + s.Name,
            OpenClSlotKind.FilterValue => "filter " + s.Name + ": value",
            OpenClSlotKind.FilterCount => "filter " + s.Name + ": count",
            OpenClSlotKind.Next => s.Name + "' (the value for the next step)",
            OpenClSlotKind.Local => "local " + s.Name,
            OpenClSlotKind.Condition => "condition " + s.Name,
            OpenClSlotKind.Snapshot => "copy of " + s.Name,
            OpenClSlotKind.Reduction => "reduction " + s.Name,
            _ => "guard of " + s.Name,
        };

        protected static string DimArg(string dim) => "DIM_" + C(dim);

        // ------------------------------------------------------------ kernels

        private void EmitKernels(CodeWriter w)
        {
            var passes = _plan.Passes.Where(p => !p.IsFinal).ToList();
            var final = _plan.Passes.Single(p => p.IsFinal);
            int itemCount = _plan.Items.Count;

            // scalar segment 0: the prologue and the statements before the first pass
            int firstEnd = passes.Count > 0 ? passes[0].At : itemCount;
            EmitScalarKernel(w, "ae_scalar_0", "start of step; " + SegmentDescription(0, firstEnd), prologue: true, combine: null, 0, firstEnd, passes.Count > 0 ? passes[0] : null);
            for (int j = 0; j < passes.Count; j++)
            {
                EmitPassKernel(w, passes[j]);
                int start = passes[j].At;
                int end = j + 1 < passes.Count ? passes[j + 1].At : itemCount;
                var desc = "combine pass " + Num(PassNumber(passes[j])) + "'s partials; " + SegmentDescription(start, end);
                EmitScalarKernel(w, "ae_scalar_" + Num(j + 1), desc, prologue: false, combine: passes[j], start, end, j + 1 < passes.Count ? passes[j + 1] : null);
            }
            if (final.Elements.Count > 0) EmitPassKernel(w, final);
            EmitEpilogueKernel(w);
        }

        private string SegmentDescription(int start, int end)
        {
            var rules = _plan.Items.Where(i => i.Pos >= start && i.Pos < end && i is not ElementItem).Select(i => i.Rule).Distinct().ToList();
            return rules.Count == 0 ? "no scalar statements" : "scalar statements of " + string.Join(", ", rules.Select(r => r.IsUpdate ? "update" : r.Id));
        }

        private void EmitScalarKernel(CodeWriter w, string name, string description, bool prologue, VectorPass? combine, int start, int end, VectorPass? next)
        {
            _launches.Add(new OpenClLaunch(name, OpenClLaunchKind.Scalar, Array.Empty<DimExpr>(), 0, description));
            w.Line($"// {description}");
            w.Open(KernelSignature(name));
            if (prologue) EmitPrologue(w);
            if (combine != null) EmitCombine(w, combine);
            var lastRule = (IrRule?)null;
            foreach (var item in _plan.Items.Where(i => i.Pos >= start && i.Pos < end))
            {
                foreach (var snap in _plan.Snapshots.Where(s => s.Pos == item.Pos).OrderBy(s => s.Name, StringComparer.Ordinal))
                    w.Line($"{Macro(OpenClSlotKind.Snapshot, SnapshotKey(snap.Name, snap.Pos))} = {MutableScalar(snap.Name)};");
                if (item is ElementItem) continue;
                if (!ReferenceEquals(item.Rule, lastRule))
                {
                    lastRule = item.Rule;
                    w.Line();
                    w.Line($"// ---- {RuleHeading(item.Rule)}");
                }
                EmitScalarItem(w, item);
            }
            if (next != null) EmitGuards(w, next);
            w.Close();
            w.Line();
        }

        private void EmitPrologue(CodeWriter w)
        {
            w.Line($"{Macro(OpenClSlotKind.Step, "step")} += 1.0;");
            w.Line("// next values start as the current values; accumulators at their neutral values");
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar)) w.Line($"{Macro(OpenClSlotKind.Next, s.Name)} = {Macro(CurrentKind(s), s.Name)};");
            foreach (var a in _unit.Accs.Where(a => a.Type.IsScalar)) w.Line($"{Macro(OpenClSlotKind.Accumulator, a.Name)} = {Store(Render(a.Neutral, new Ctx()), a.Neutral.Type)};");
            foreach (var s in _unit.Signals.Where(s => s.Type.IsScalar))
                w.Line($"{Macro(OpenClSlotKind.Signal, s.Name)} = {(s.Neutral != null && IrFacts.IsConstant(s.Neutral) ? Store(Render(s.Neutral, new Ctx()), s.Type) : "0.0")};");
            foreach (var l in _unit.Locals.Where(l => l.Type.IsScalar)) w.Line($"{Macro(OpenClSlotKind.Local, l.Name)} = 0.0;");
            foreach (var c in Enumerable.Range(1, _plan.CondCount).Select(Names.Cond)) w.Line($"{Macro(OpenClSlotKind.Condition, c)} = 0.0;");
            foreach (var snap in _plan.Snapshots.OrderBy(s => s.Pos).ThenBy(s => s.Name, StringComparer.Ordinal))
                w.Line($"{Macro(OpenClSlotKind.Snapshot, SnapshotKey(snap.Name, snap.Pos))} = 0.0;");
        }

        private static OpenClSlotKind CurrentKind(IrState s) => s.Kind == SymbolKind.Coeff ? OpenClSlotKind.Coefficient : OpenClSlotKind.State;

        /// <summary>A value as the scalar buffer holds it: booleans become 1.0 and 0.0.</summary>
        private static string Store(string text, IrType type) => type.Scalar == ScalarType.Bool ? $"(({text}) ? 1.0 : 0.0)" : text;

        /// <summary>The longest of a pass's vector lengths, as the number of work items it needs.</summary>
        private string PassLengthText(VectorPass pass)
        {
            var lengths = PassLengths(pass);
            var text = DimText(lengths[0]);
            // Both as long: OpenCL C's max has no (long, int) overload, and a fixed dim prints as an int literal.
            for (int i = 1; i < lengths.Count; i++) text = $"{Function("max")}((long)({text}), (long)({DimText(lengths[i])}))";
            return text;
        }

        private static List<DimExpr> PassLengths(VectorPass pass)
        {
            var lengths = new List<DimExpr>();
            foreach (var e in pass.Elements) if (!lengths.Contains(e.TargetType.Shape[0])) lengths.Add(e.TargetType.Shape[0]);
            foreach (var r in pass.Reductions) if (!lengths.Contains(r.Call.Args[0].Type.Shape[0])) lengths.Add(r.Call.Args[0].Type.Shape[0]);
            return lengths;
        }

        private void EmitCombine(CodeWriter w, VectorPass pass)
        {
            var accs = _accumulators[pass];
            int count = accs.Count;
            w.Line($"// pass {Num(PassNumber(pass))}'s reductions: the work-groups' partial results, added in group order");
            w.Open($"if ({Macro(OpenClSlotKind.Guard, PassGuardKey(pass))} != 0.0)");
            w.Line($"{ConstLocal}long groups = ({PassLengthText(pass)} + wg - 1) / wg;");
            for (int a = 0; a < count; a++) w.Line($"double acc{Num(a)} = {accs[a].Init};");
            using (w.Block("for (long g = 0; g < groups; g++)"))
            {
                for (int a = 0; a < count; a++)
                    w.Line($"acc{Num(a)} = {Combine(accs[a].Red, $"acc{Num(a)}", $"part[g * {Num(count)} + {Num(a)}]")};");
            }
            for (int a = 0; a < count; a++) w.Line($"{Macro(OpenClSlotKind.Reduction, ReductionKey(accs[a].Red, accs[a].Suffix))} = acc{Num(a)};");
            w.Close();
            using (w.Block("else"))
            {
                for (int a = 0; a < count; a++) w.Line($"{Macro(OpenClSlotKind.Reduction, ReductionKey(accs[a].Red, accs[a].Suffix))} = {accs[a].Init};");
            }
        }

        private string Combine(Reduction r, string left, string right) => r.Call.Function switch
        {
            "max" => $"{Function("ae_max")}({left}, {right})",
            "min" => $"{Function("ae_min")}({left}, {right})",
            _ => $"{left} + {right}",
        };

        /// <summary>
        /// The conditions under which the next pass runs, evaluated where the C# backend evaluates them
        /// (after the statements before the pass); the pass kernel reads them from the scalar buffer.
        /// </summary>
        private void EmitGuards(CodeWriter w, VectorPass pass)
        {
            var guards = pass.Reductions.ToDictionary(r => r, r => Guard(r, pass));
            var shared = guards.Count > 0 && guards.Values.Distinct().Count() == 1 ? guards.Values.First() : "";
            w.Line();
            w.Line($"// does pass {Num(PassNumber(pass))} run, and which of its reductions does the step need?");
            w.Line($"{Macro(OpenClSlotKind.Guard, PassGuardKey(pass))} = {(shared.Length > 0 ? $"({shared}) ? 1.0 : 0.0" : "1.0")};");
            foreach (var r in pass.Reductions)
            {
                var g = shared.Length == 0 ? guards[r] : "";
                w.Line($"{Macro(OpenClSlotKind.Guard, ReductionGuardKey(r))} = {(g.Length > 0 ? $"({g}) ? 1.0 : 0.0" : "1.0")};");
            }
        }

        /// <summary>The condition under which the step reads a reduction, as far as it is known where the pass runs.</summary>
        private string Guard(Reduction r, VectorPass pass)
        {
            var need = _plan.NeedOf(r, pass);
            var parts = new List<string>();
            if (need.Switch != null) parts.Add(SwitchText(need.Switch));
            parts.AddRange(need.Conds.Select(CondText));
            foreach (var (cond, holds) in need.Path)
            {
                var ctx = new Ctx { Versions = r.Versions, ItemPos = r.Pos };
                var text = Render(cond, ctx);
                parts.Add(holds ? text : $"!{text}");
            }
            return string.Join(" && ", parts);
        }

        private void EmitPassKernel(CodeWriter w, VectorPass pass)
        {
            int number = PassNumber(pass);
            var name = "ae_pass_" + Num(number) + (pass.IsFinal ? "_final" : "");
            var accs = _accumulators[pass];
            var lengths = PassLengths(pass);
            var what = pass.IsFinal ? "write the vectors" : "reductions " + string.Join(", ", pass.Reductions.Select(r => IrPrinter.Expr(r.Call)));
            _launches.Add(new OpenClLaunch(name, OpenClLaunchKind.Pass, lengths, accs.Count, what));
            w.Line($"// pass {Num(number)} over the vectors: {Comment(what)}");
            w.Open(KernelSignature(name));
            if (!pass.IsFinal)
            {
                // A guard is one value for the whole launch, so every work item returns or none does (no barrier is split).
                w.Line($"if ({Macro(OpenClSlotKind.Guard, PassGuardKey(pass))} == 0.0) return;");
            }
            EmitPassStart(w);
            for (int a = 0; a < accs.Count; a++) w.Line($"double acc{Num(a)} = {accs[a].Init};");
            foreach (var len in lengths)
            {
                using (w.Block($"if (i < {DimText(len)})"))
                {
                    foreach (var e in pass.Elements.Where(e => e.TargetType.Shape[0].Equals(len))) EmitElement(w, e, pass);
                    foreach (var r in pass.Reductions.Where(r => r.Call.Args[0].Type.Shape[0].Equals(len)))
                    {
                        var first = accs.FindIndex(x => x.Red == r);
                        w.Line("// " + Comment(IrPrinter.Expr(r.Call)));
                        using (w.Block($"if ({Macro(OpenClSlotKind.Guard, ReductionGuardKey(r))} != 0.0)")) EmitReductionStep(w, r, pass, first);
                    }
                    if (pass.IsFinal) EmitWrites(w, len);
                }
            }
            if (accs.Count > 0) EmitTree(w, accs);
            w.Close();
            w.Line();
        }

        private void EmitTree(CodeWriter w, List<(Reduction Red, string Suffix, string Init)> accs)
        {
            int count = accs.Count;
            w.Line("// the work-group's partial results: a tree over local memory, the same order at every launch");
            if (ScratchLine is { } scratch) w.Line(scratch);
            w.Line(LocalIdLine);
            for (int a = 0; a < count; a++) w.Line($"scratch[{Num(a)} * wg + lid] = acc{Num(a)};");
            w.Line(BarrierLine);
            using (w.Block("for (int s = wg >> 1; s > 0; s >>= 1)"))
            {
                using (w.Block("if (lid < s)"))
                {
                    for (int a = 0; a < count; a++)
                    {
                        var at = $"scratch[{Num(a)} * wg + lid]";
                        w.Line($"{at} = {Combine(accs[a].Red, at, $"scratch[{Num(a)} * wg + lid + s]")};");
                    }
                }
                w.Line(BarrierLine);
            }
            using (w.Block("if (lid == 0)"))
            {
                w.Line(GroupIdLine);
                for (int a = 0; a < count; a++) w.Line($"part[g * {Num(count)} + {Num(a)}] = scratch[{Num(a)} * wg];");
            }
        }

        private void EmitEpilogueKernel(CodeWriter w)
        {
            const string name = "ae_scalar_end";
            _launches.Add(new OpenClLaunch(name, OpenClLaunchKind.Scalar, Array.Empty<DimExpr>(), 0, "end of step: project onto the declared bounds; the next values become current"));
            w.Line("// end of step: project onto the declared bounds, then the next values become current");
            w.Open(KernelSignature(name));
            foreach (var s in _unit.States.Where(s => s.Type.IsScalar))
            {
                var next = Macro(OpenClSlotKind.Next, s.Name);
                var target = Macro(CurrentKind(s), s.Name);
                if (s.Bounds != null && s.Type.Scalar != ScalarType.Bool)
                    w.Line($"{target} = {Function("ae_clamp")}({next}, {Render(s.Bounds.Lo, new Ctx())}, {Render(s.Bounds.Hi, new Ctx())});");
                else w.Line($"{target} = {next};");
            }
            w.Close();
        }

        // ------------------------------------------------------------ scalar statements

        private static string RuleHeading(IrRule r) => Comment(IrPrinter.RuleLabel(r));


        /// <summary>'// AE1 (laws/ae_sgdm.ae:72): clip = ...': the rule, where the equation is, and the equation.</summary>
        private string StatementComment(ScheduleItem item)
        {
            var where = "";
            if (_sources.TryGetValue(item.Rule.Origin.Path, out var file))
                where = " (" + ShownPath(item.Rule.Origin.Path) + ":" + Num(file.GetPosition(item.Stmt.Span.Start).Line) + ")";
            return "// " + Comment((item.Rule.IsUpdate ? "update" : item.Rule.Id) + where + ": " + IrPrinter.Statement(item.Stmt));
        }

        private string ItemCondition(ScheduleItem item)
        {
            var parts = new List<string>();
            if (item.Switch != null) parts.Add(SwitchText(item.Switch));
            parts.AddRange(item.Conds.Select(CondText));
            return string.Join(" && ", parts);
        }

        /// <summary>Whether a rule's run-time switch is on, read from its slot.</summary>
        private string SwitchText(string ruleId) => $"({Macro(OpenClSlotKind.RuleSwitch, ruleId)} != 0.0)";

        /// <summary>Whether a 'when' condition holds (or does not), read from its slot.</summary>
        private string CondText(CondTest c) => $"({Macro(OpenClSlotKind.Condition, Names.Cond(c.Cond))} {(c.Holds ? "!=" : "==")} 0.0)";

        private void EmitScalarItem(CodeWriter w, ScheduleItem item)
        {
            var stmt = item.Stmt;
            var ctx = new Ctx { Versions = item.Versions, ItemPos = item.Pos };
            string target;
            string value;
            IrType type;
            if (item is CondItem condition)
            {
                target = Macro(OpenClSlotKind.Condition, Names.Cond(condition.Cond));
                value = Render(condition.Condition, ctx);
                type = IrType.Bool;
            }
            else
            {
                switch (stmt)
                {
                    case IrDefine d:
                        target = ScalarTarget(d.Name);
                        value = Render(d.Value, ctx);
                        type = d.Value.Type;
                        break;
                    case IrSetNext n:
                        target = Macro(OpenClSlotKind.Next, n.Name);
                        value = Render(n.Value, ctx);
                        type = _unit.States.First(x => x.Name == n.Name).Type;
                        break;
                    case IrAccumulate a:
                        target = Macro(OpenClSlotKind.Accumulator, a.Name);
                        value = Render(a.Value, ctx);
                        type = IrType.Real;
                        break;
                    default: return;
                }
            }
            var op = stmt is IrAccumulate ? "+=" : "=";
            var stored = Store(value, type);
            w.Line(StatementComment(item));
            var cond = ItemCondition(item);
            string? neutral = null;
            if (item.Switch != null && item.Conds.Count == 0 && stmt is IrDefine def && _unit.Signals.FirstOrDefault(x => x.Name == def.Name)?.Neutral is IrExpr ne)
                neutral = Store(Render(ne, new Ctx { Versions = item.Versions, ItemPos = item.Pos }), ne.Type);
            if (cond.Length == 0)
            {
                w.Line($"{target} {op} {stored};");
                return;
            }
            using (w.Block($"if ({cond})")) w.Line($"{target} {op} {stored};");
            if (neutral != null)
            {
                using (w.Block("else")) w.Line($"{target} = {neutral};");
            }
        }

        private string ScalarTarget(string name) =>
            _slotOf.TryGetValue((OpenClSlotKind.Signal, name), out var s) ? SlotText(s.Macro) : Macro(OpenClSlotKind.Local, name);

        // ------------------------------------------------------------ vector passes

        private void EmitReductionStep(CodeWriter w, Reduction r, VectorPass pass, int first)
        {
            var ctx = new Ctx { Element = true, Versions = r.Versions, ItemPos = r.Pos, PassAt = pass.At };
            var a = Render(r.Call.Args[0], ctx);
            var b = r.Call.Args.Count > 1 ? Render(r.Call.Args[1], ctx) : null;
            var acc = "acc" + Num(first);
            switch (r.Call.Function)
            {
                case "sum":
                case "mean": w.Line($"{acc} = {acc} + {a};"); break;
                case "dot": w.Line($"{acc} = {acc} + {a} * {b};"); break;
                case "norm":
                    w.Line($"{ConstLocal}double q = {a};");
                    w.Line($"{acc} = {acc} + q * q;");
                    break;
                case "cosine":
                    w.Line($"{ConstLocal}double x = {a}, y = {b};");
                    w.Line($"acc{Num(first)} = acc{Num(first)} + x * y; acc{Num(first + 1)} = acc{Num(first + 1)} + x * x; acc{Num(first + 2)} = acc{Num(first + 2)} + y * y;");
                    break;
                case "max": w.Line($"{acc} = {Function("ae_max")}({acc}, {a});"); break;
                case "min": w.Line($"{acc} = {Function("ae_min")}({acc}, {a});"); break;
                default: throw new EmitNotSupportedException($"reduction '{r.Call.Function}' is not emitted by {Backend} yet");
            }
        }

        private void EmitElement(CodeWriter w, ElementItem e, VectorPass pass)
        {
            var ctx = new Ctx { Element = true, Versions = e.Versions, ItemPos = e.Pos, PassAt = pass.At, Target = e.Target };
            var expr = e.Stmt switch { IrDefine d => d.Value, IrSetNext n => n.Value, IrAccumulate a => a.Value, _ => throw new InvalidOperationException() };
            var value = Render(expr, ctx);
            string prior = e.Prev != null ? ElementVar(Names.Element(e.Prev)) : e.Stmt switch
            {
                IrSetNext n => Read(CurrentElement(n.Name), e.TargetType),
                IrAccumulate a => Render(_unit.Accs.First(x => x.Name == a.Name).Neutral, ctx),
                _ => e.TargetType.Scalar == ScalarType.Bool ? False : "0.0",
            };
            if (e.Stmt is IrAccumulate) value = $"{prior} + {value}";
            var type = e.TargetType.Scalar == ScalarType.Bool ? BoolElementType : "double";
            var cond = ItemCondition(e);
            w.Line(StatementComment(e));
            if (cond.Length == 0)
            {
                w.Line($"{type} {ElementVar(Names.Element(e))} = {value};");
                return;
            }
            string fallback = prior;
            if (e.Stmt is IrDefine d2 && _unit.Signals.FirstOrDefault(x => x.Name == d2.Name)?.Neutral is IrExpr ne)
                fallback = Render(ne, ctx);
            w.Line($"{type} {ElementVar(Names.Element(e))} = {fallback};");
            using (w.Block($"if ({cond})")) w.Line($"{ElementVar(Names.Element(e))} = {value};");
        }

        /// <summary>An element variable of the step schedule ('__e_g0_1') as an OpenCL identifier.</summary>
        private static string ElementVar(string planVar) => C(planVar.TrimStart('_'));

        private string CurrentElement(string state)
        {
            var text = $"{_vectorArg[state]}[i]";
            return _float ? $"(double){text}" : text;
        }

        private void EmitWrites(CodeWriter w, DimExpr len)
        {
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
            {
                if (!_plan.FinalVersions.TryGetValue(s.Name, out var final)) continue;
                var v = Names.Element(final);
                // a bool element is stored as 1 and 0, as a scalar bool is
                var value = Store(ElementVar(v), s.Type);
                if (s.Bounds != null) value = $"{Function("ae_clamp")}({value}, {Render(s.Bounds.Lo, new Ctx())}, {Render(s.Bounds.Hi, new Ctx())})";
                if (_float) value = $"(float)({value})";
                w.Line($"{_vectorArg[s.Name]}[i] = {value};");
            }
            foreach (var s in _unit.Signals.Where(s => !s.Type.IsScalar && s.Type.Shape[0].Equals(len)))
                if (_plan.FinalVersions.TryGetValue(s.Name, out var v)) w.Line($"{_vectorArg[s.Name]}[i] = {Store(ElementVar(Names.Element(v)), s.Type)};");
        }

        // ------------------------------------------------------------ names

        /// <summary>An AE name as the ASCII identifier part OpenCL C accepts (anything else becomes _xHEX_).</summary>
        internal static string C(string name) => Names.C(name);

        protected static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

        /// <summary>Text safe in a // comment: one line (C# also ends a line at U+2028, U+2029 and U+0085), and no backslash that would continue it.</summary>
        protected static string Comment(string s) =>
            s.Replace("\r", " ").Replace("\n", " ").Replace("\u2028", " ").Replace("\u2029", " ").Replace("\u0085", " ").Replace("\\", "/");
    }
}
