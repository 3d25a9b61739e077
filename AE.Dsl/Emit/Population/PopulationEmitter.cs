using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Schedule;

namespace AE.Dsl.Emit
{
    /// <summary>
    /// The population backend: K independent controllers of one law stepped together, for sweeps and
    /// population training. Storage is structure-of-arrays with one SIMD lane per controller (every
    /// scalar a Vector256 per block of four controllers; every vector element-major, so element i of
    /// all controllers is contiguous), scalar conditions are lane masks, and side effects (filters,
    /// draws) run only on the lanes whose condition holds, so each controller is bit for bit the law
    /// built with its options and seed. The class reads the law's own type (its Options, its
    /// constructor's validation and initial values), so it is emitted beside it.
    /// </summary>
    public static class PopulationEmitter
    {
        /// <summary>The population class for the law's namespace block (null for a lagged variant, which has none yet: its
        /// schedule reads reductions from the previous step, which the population's passes do not carry).</summary>
        internal static string? EmitType(IrUnit unit, StepSchedule schedule, CSharpEmitOptions options) =>
            options.Lagged ? null : new PopulationWriter(unit, schedule, options).EmitType();
    }

    /// <summary>Writes one population class: declarations and readers here, the step in PopulationEmitter.Step.cs.</summary>
    internal sealed partial class PopulationWriter
    {
        private readonly IrUnit _unit;
        private readonly CSharpEmitOptions _options;
        private readonly UnitEmitter _law;
        private readonly string _lawType;

        /// <summary>
        /// The law's type as the population's code names it: qualified, since inside the population a law named like one of
        /// its members (Count, SetEnabled) or a parameter of its methods (controller, rules) would be that member.
        /// </summary>
        private readonly string _lawRef;
        private readonly string _type;
        private readonly CodeWriter _w = new(1);
        private readonly List<IrRule> _switches;
        private readonly HashSet<string> _hostStates;
        private readonly string _kParam;
        private readonly HashSet<string> _unitIds;

        // Aliases declared inside the generated namespace block, so the step reads as arithmetic.
        private const string V = Aliases.V;
        private const string Vx = Aliases.Vx;
        private const string S = Aliases.Lanes;
        private const string AllLanes = V + ".AllBitsSet";

        public PopulationWriter(IrUnit unit, StepSchedule schedule, CSharpEmitOptions options)
        {
            _unit = unit;
            _plan = schedule;
            _options = options;
            _law = new UnitEmitter(unit, schedule, options);
            _lawType = _law.TypeName;
            _lawRef = "global::" + options.Namespace + "." + _lawType;
            _type = Names.PopulationTypeName(options.TypeName ?? unit.Name);
            _switches = unit.Rules.Where(r => r.Ablatable).ToList();
            _hostStates = new HashSet<string>(CSharpEmitter.HostStates(unit).Select(s => s.Name), StringComparer.Ordinal);
            _unitIds = Names.UnitIds(unit);
            _kParam = unit.Dims.Any(d => d.IsRuntime && Id(d.Name) == "k") ? "controllers" : "k";
        }

        /// <summary>Members of every population class; an AE name equal to one (or to a type it names) gets a trailing '_'.</summary>
        private static readonly HashSet<string> GeneratedMembers = new(StringComparer.Ordinal)
        {
            "Count", "StepCount", "Step", "ReadSignal", "SetRule", "Enabled", "SetEnabled", "SignalNames", "RuleIds",
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
        };

        private string Id(string name) => Names.Member(name, id => GeneratedMembers.Contains(id) || id == _type || id == _lawType, _unitIds);

        private static string San(string name) => Names.Stem(name);
        private static string ParamArray(string name) => "__p_" + San(name);
        private static string StateArray(string name) => "__st_" + San(name);
        private static string NextArray(string name) => "__nx_" + San(name);
        /// <summary>Signals, accumulators and locals: one namespace in the language, one prefix here.</summary>
        private static string ValueArray(string name) => "__x_" + San(name);
        private static string SignalBuffer(string name) => "__sig_" + San(name);
        private static string Slot(string slot) => "__slot_" + San(slot);

        private static string ParamType(IrType t) => t.Scalar switch { ScalarType.Bool => "bool", ScalarType.Int => "long", _ => "double" };
        private static string ValueType(IrType t) => t.Scalar == ScalarType.Bool ? "bool" : "double";

        private string DimText(DimExpr d) => CSharp.Dim(d, DimRef);

        /// <summary>Runtime dims whose constructor parameter is not their name (a dim named options or seed), while the constructor is written.</summary>
        private HashSet<string>? _renamedDims;

        /// <summary>A dim as C# reads it: its property (in the constructor, through 'this.' when a parameter has its name).</summary>
        private string DimRef(string dim) => _renamedDims != null && _renamedDims.Contains(dim) ? "this." + Id(dim) : Id(dim);

        private string Length(IrType t) => t.IsScalar ? "1" : DimText(t.Shape[0]);

        /// <summary>The population class alone, in its own namespace block (with the aliases it uses).</summary>
        public string Emit()
        {
            var w = new CodeWriter();
            w.Line();
            using (w.Block("namespace " + _options.Namespace))
            {
                Aliases.Declare(w);
                w.Raw(EmitType());
            }
            return w.ToString();
        }

        /// <summary>The population class, indented for a namespace block whose aliases it uses.</summary>
        public string EmitType()
        {
            // The steps first: they name the scratch arrays (guards, snapshots) the fields declare.
            PlanStep();
            var steps = EmitStep();
            _w.Line("/// <summary>");
            _w.Line($"/// K independent {CSharp.Xml(_unit.Name)} controllers stepped together, one SIMD lane each: controller j is");
            _w.Line($"/// bit for bit <c>new {CSharp.Xml(_lawType)}(..., options[j], seed + j)</c> fed controller j's inputs.");
            _w.Line("/// </summary>");
            _w.Line($"[__System.CodeDom.Compiler.GeneratedCode(\"AE.Dsl\", \"{CSharpEmitter.Version}\")]");
            var iface = CSharpEmitter.IsOptimizerShape(_unit) ? " : __Runtime.IOptimizerPopulation" : "";
            using (_w.Block($"public sealed partial class {_type}{iface}"))
            {
                EmitFields();
                EmitConstructor();
                foreach (var line in steps.TrimEnd('\n').Split('\n'))
                {
                    if (line.Length > 0) _w.Line(line);
                    else _w.Line();
                }
                EmitReaders();
            }
            return _w.ToString();
        }

        // ------------------------------------------------------------ fields

        /// <summary>Every per-controller array the constructor allocates: name, element count in blocks ("1" for a scalar).</summary>
        private IEnumerable<(string Name, string Blocks)> VectorArrays()
        {
            foreach (var p in _unit.Params) yield return (ParamArray(p.Name), Length(p.Type));
            foreach (var s in _unit.States)
            {
                if (s.Type.IsScalar) { yield return (StateArray(s.Name), "1"); yield return (NextArray(s.Name), "1"); }
                else if (!_hostStates.Contains(s.Name)) yield return (StateArray(s.Name), Length(s.Type));
            }
            foreach (var s in _unit.Signals) yield return s.Type.IsScalar ? (ValueArray(s.Name), "1") : (SignalBuffer(s.Name), Length(s.Type));
            foreach (var a in _unit.Accs) if (a.Type.IsScalar) yield return (ValueArray(a.Name), "1");
            foreach (var l in _unit.Locals) if (l.Type.IsScalar) yield return (ValueArray(l.Name), "1");
            foreach (var c in Enumerable.Range(1, _plan.CondCount).Select(Names.Cond)) yield return (c, "1");
            foreach (var r in _switches) yield return (RuleArray(r), "1");
            foreach (var name in _scratch) yield return (name, "1");
        }

        /// <summary>Items joined by <paramref name="separator"/>, as many to a line as fit in about 120 columns.</summary>
        private static IEnumerable<string> Grouped(IEnumerable<string> items, string separator)
        {
            var line = new List<string>();
            int width = 0;
            foreach (var item in items)
            {
                if (line.Count > 0 && width + separator.Length + item.Length > 120)
                {
                    yield return string.Join(separator, line);
                    line.Clear();
                    width = 0;
                }
                width += (line.Count > 0 ? separator.Length : 0) + item.Length;
                line.Add(item);
            }
            if (line.Count > 0) yield return string.Join(separator, line);
        }

        private static string RuleArray(IrRule r) => "__on_" + San(r.Id);

        private void EmitFields()
        {
            _w.Line("private readonly int __count, __blocks;");
            // One lane block per controller group for each value; declared a few to a line.
            foreach (var line in Grouped(VectorArrays().Select(a => a.Name), ", ")) _w.Line($"private readonly {V}[] {line};");
            foreach (var f in _unit.Filters) _w.Line($"private readonly double[] {Slot(f.Name)}; private readonly long[] {Slot(f.Name)}_n;");
            foreach (var s in _unit.States.Where(s => !s.Type.IsScalar && !_hostStates.Contains(s.Name)))
                _w.Line($"private float[]? {FloatArray(s.Name)};");
            if (IrFacts.Draws(_unit)) _w.Line("private readonly ulong __seed;");
            _w.Line("private int __precision;");
            _w.Line();
            _w.Line("/// <summary>Controllers in the population.</summary>");
            _w.Line("public int Count => __count;");
            foreach (var d in _unit.Dims)
            {
                _w.Line($"/// <summary>Dimension {CSharp.Xml(d.Name)}{(d.IsRuntime ? ", given at construction" : IrFacts.IsCompileTimeDim(_unit, d) ? "" : ", from the run-time dims")}.</summary>");
                _w.Line(d.IsRuntime ? $"public int {Id(d.Name)} {{ get; }}"
                    : IrFacts.IsCompileTimeDim(_unit, d) ? $"public const int {Id(d.Name)} = {DimText(d.Value)};"
                    : $"public int {Id(d.Name)} => {DimText(d.Value)};");
            }
            _w.Line("/// <summary>Steps taken so far (by every controller).</summary>");
            _w.Line("public long StepCount { get; private set; }");
            _w.Line();
        }

        // ------------------------------------------------------------ constructor

        private void EmitConstructor()
        {
            var runtimeDims = _unit.Dims.Where(d => d.IsRuntime).ToList();
            // As the law's: a dim named like a parameter of the constructor has a parameter with '_' appended.
            var parameters = CSharpEmitter.DimParameters(runtimeDims.Select(d => Id(d.Name)).ToList(), _kParam, "options", "seed");
            _renamedDims = new HashSet<string>(runtimeDims.Where(d => parameters[Id(d.Name)] != Id(d.Name)).Select(d => d.Name), StringComparer.Ordinal);
            var args = new[] { "int " + _kParam }
                .Concat(runtimeDims.Select(d => "int " + parameters[Id(d.Name)]))
                .Concat(new[] { $"{_lawRef}.Options?[]? options = null", "ulong seed = 0" });
            _w.Line($"/// <param name=\"{_kParam}\">how many controllers</param>");
            foreach (var d in runtimeDims)
                _w.Line($"/// <param name=\"{parameters[Id(d.Name)].TrimStart('@')}\">the size of dim '{d.Name}' (at least 1)</param>");
            _w.Line("/// <param name=\"options\">one per controller (a null entry, or null for all: the defaults)</param>");
            _w.Line("/// <param name=\"seed\">controller j draws what the law draws with seed + j</param>");
            using (_w.Block($"public {_type}({string.Join(", ", args)})"))
            {
                _w.Line($"if ({_kParam} < 1) throw new __System.ArgumentOutOfRangeException(nameof({_kParam}), {_kParam}, \"a population needs at least one controller\");");
                _w.Line($"if (options != null && options.Length != {_kParam}) throw new __System.ArgumentException(\"options has \" + options.Length + \" entries for \" + {_kParam} + \" controllers\", nameof(options));");
                foreach (var d in runtimeDims)
                {
                    var p = parameters[Id(d.Name)];
                    _w.Line($"if ({p} < 1) throw new __System.ArgumentOutOfRangeException(nameof({p}), {p}, \"dimension '{d.Name}' must be at least 1\");");
                    _w.Line($"this.{Id(d.Name)} = {p};");
                }
                if (CSharpEmitter.ChecksDims(_unit))
                    _w.Line($"{_lawRef}.__CheckDims({string.Join(", ", runtimeDims.Select(d => parameters[Id(d.Name)]))}); // before the blocks are sized from them");
                _w.Line($"__count = {_kParam};");
                _w.Line($"__blocks = {S}.Blocks({_kParam}, nameof({_kParam}), {LongestVector()}, {DimsText(runtimeDims)});");
                _w.Line($"int __lanes = __blocks * {S}.Lanes;");
                foreach (var line in Grouped(VectorArrays().Select(a => $"{a.Name} = new {V}[{(a.Blocks == "1" ? "__blocks" : a.Blocks + " * __blocks")}];"), " "))
                    _w.Line(line);
                foreach (var f in _unit.Filters) _w.Line($"{Slot(f.Name)} = new double[__lanes]; {Slot(f.Name)}_n = new long[__lanes];");
                foreach (var r in _switches) _w.Line($"__System.Array.Fill({RuleArray(r)}, {AllLanes});");
                if (IrFacts.Draws(_unit)) _w.Line("__seed = seed;");
                var dimArgs = string.Concat(runtimeDims.Select(d => DimRef(d.Name) + ", "));
                using (_w.Block("for (int __j = 0; __j < __lanes; __j++)"))
                {
                    _w.Line("// The law's own constructor validates the options and computes every initial value; the last");
                    _w.Line("// controller's copies fill the padding lanes, which run alongside, draw nothing and are never read.");
                    _w.Line($"var __law = new {_lawRef}({dimArgs}options?[__Math.Min(__j, {_kParam} - 1)], unchecked(seed + (ulong)__j));");
                    _w.Line($"int __q = __j / {S}.Lanes, __l = __j % {S}.Lanes;");
                    foreach (var p in _unit.Params) CopyLane(ParamArray(p.Name), "__law." + _law.MemberId(p.Name), p.Type);
                    foreach (var s in _unit.States)
                        if (s.Type.IsScalar || !_hostStates.Contains(s.Name)) CopyLane(StateArray(s.Name), "__law." + _law.MemberId(s.Name), s.Type);
                    foreach (var s in _unit.Signals)
                        CopyLane(s.Type.IsScalar ? ValueArray(s.Name) : SignalBuffer(s.Name), "__law." + _law.MemberId(s.Name), s.Type);
                    foreach (var a in _unit.Accs)
                        if (a.Type.IsScalar) CopyLane(ValueArray(a.Name), "__law." + _law.MemberId(a.Name), a.Type);
                }
            }
            _renamedDims = null;
            _w.Line();
        }

        /// <summary>The longest per-controller vector of the arrays the constructor allocates, as a long (1 when all are scalars).</summary>
        private string LongestVector()
        {
            var lengths = VectorArrays().Select(a => a.Blocks).Where(b => b != "1").Distinct(StringComparer.Ordinal).ToList();
            return lengths.Aggregate("1L", (longest, length) => $"__Math.Max({longest}, (long){length})");
        }

        /// <summary>The run-time dims as C# text for a message: "n = " + n, ...</summary>
        private string DimsText(List<IrDim> runtimeDims) => runtimeDims.Count == 0 ? "\"\"" : string.Join(" + \", \" + ",
            runtimeDims.Select(d => $"{CSharp.String(d.Name + " = ")} + {DimRef(d.Name)}.ToString(__System.Globalization.CultureInfo.InvariantCulture)"));

        private void CopyLane(string array, string source, IrType type)
        {
            if (type.IsScalar)
            {
                _w.Line(type.Scalar == ScalarType.Bool
                    ? $"{S}.SetMask(ref {array}[__q], __l, {source});"
                    : $"{S}.SetLane(ref {array}[__q], __l, {source});");
                return;
            }
            _w.Line($"for (int __i = 0; __i < {Length(type)}; __i++) {S}.SetLane(ref {array}[__i * __blocks + __q], __l, {source}[__i]);");
        }

        // ------------------------------------------------------------ readers and rule switches

        private IEnumerable<(string Name, IrType Type, string Array)> ReadableScalars()
        {
            foreach (var s in _unit.Signals) if (s.Type.IsScalar) yield return (s.Name, s.Type, ValueArray(s.Name));
            foreach (var s in _unit.States) if (s.Type.IsScalar) yield return (s.Name, s.Type, StateArray(s.Name));
            foreach (var a in _unit.Accs) if (a.Type.IsScalar) yield return (a.Name, a.Type, ValueArray(a.Name));
        }

        private void EmitReaders()
        {
            _w.Line();
            _w.Line("// ---- per controller: params, state, coefficients, signals and accumulators after the last step");
            foreach (var p in _unit.Params) Reader(p.Name, p.Type, ParamArray(p.Name), "Param");
            foreach (var s in _unit.States)
                if (s.Type.IsScalar || !_hostStates.Contains(s.Name))
                    Reader(s.Name, s.Type, StateArray(s.Name), s.Kind == SymbolKind.Coeff ? "Coefficient" : "State");
            foreach (var s in _unit.Signals) Reader(s.Name, s.Type, s.Type.IsScalar ? ValueArray(s.Name) : SignalBuffer(s.Name), "Signal");
            foreach (var a in _unit.Accs) if (a.Type.IsScalar) Reader(a.Name, a.Type, ValueArray(a.Name), "Accumulator");

            var readable = ReadableScalars().ToList();
            _w.Line();
            _w.Line($"private static readonly string[] __signalNames = {{ {string.Join(", ", readable.Select(r => CSharp.String(r.Name)))} }};");
            _w.Line($"private static readonly string[] __ruleIds = {{ {string.Join(", ", _switches.Select(r => CSharp.String(r.Id)))} }};");
            _w.Line();
            _w.Line($"/// <summary>Every scalar readable after a step, in the order of {CSharp.Xml(_lawType)}.SignalNames.</summary>");
            _w.Line("public static __Strings SignalNames => __signalNames;");
            _w.Line("/// <summary>Rules that can be switched off, in the order they run.</summary>");
            _w.Line("public static __Strings RuleIds => __ruleIds;");
            _w.Line();
            _w.Line("/// <summary>Signal <paramref name=\"index\"/> (see <see cref=\"SignalNames\"/>) of one controller.</summary>");
            using (_w.Block("public double ReadSignal(int controller, int index)"))
            {
                _w.Line("__Controller(controller);");
                using (_w.Block("switch (index)"))
                {
                    for (int i = 0; i < readable.Count; i++)
                    {
                        var lane = $"{readable[i].Array}[controller / {S}.Lanes], controller % {S}.Lanes";
                        _w.Line(readable[i].Type.Scalar == ScalarType.Bool
                            ? $"case {i}: return {S}.IsSet({lane}) ? 1.0 : 0.0;"
                            : $"case {i}: return {S}.Lane({lane});");
                    }
                    _w.Line("default: throw new __System.ArgumentOutOfRangeException(nameof(index), index, \"no signal with this index; see SignalNames\");");
                }
            }
            _w.Line();
            _w.Line("/// <summary>Signal <paramref name=\"index\"/> of every controller, into values[0..Count).</summary>");
            using (_w.Block("public void ReadSignal(int index, __System.Span<double> values)"))
            {
                _w.Line("if (values.Length < __count) throw new __System.ArgumentException(\"values has room for \" + values.Length + \" of \" + __count + \" controllers\", nameof(values));");
                _w.Line("for (int __j = 0; __j < __count; __j++) values[__j] = ReadSignal(__j, index);");
            }
            _w.Line();
            EmitRuleSwitches();
            if (CSharpEmitter.IsOptimizerShape(_unit))
            {
                _w.Line();
                _w.Line($"string __Runtime.IOptimizerPopulation.LawName => {CSharp.String(_unit.Name)};");
                _w.Line($"int __Runtime.IOptimizerPopulation.Dimension => {Id(_unit.Dims.First(d => d.IsRuntime).Name)};");
                _w.Line("__Strings __Runtime.IOptimizerPopulation.SignalNames => __signalNames;");
                _w.Line("__Strings __Runtime.IOptimizerPopulation.RuleIds => __ruleIds;");
            }
            _w.Line();
            using (_w.Block("private void __Controller(int controller)"))
                _w.Line("if ((uint)controller >= (uint)__count) throw new __System.ArgumentOutOfRangeException(nameof(controller), controller, \"controllers are numbered from 0 to Count - 1\");");
            _w.Line();
            using (_w.Block($"private double __Lane({V}[] values, int controller)"))
            {
                _w.Line("__Controller(controller);");
                _w.Line($"return {S}.Lane(values[controller / {S}.Lanes], controller % {S}.Lanes);");
            }
            _w.Line();
            using (_w.Block($"private bool __Flag({V}[] values, int controller)"))
            {
                _w.Line("__Controller(controller);");
                _w.Line($"return {S}.IsSet(values[controller / {S}.Lanes], controller % {S}.Lanes);");
            }
            _w.Line();
            // A population stepped in float holds its own vectors in their float copies (block by block, a float per lane).
            using (_w.Block($"private double __Element({V}[] values, float[]? floats, int controller, int index, int length)"))
            {
                _w.Line("__Controller(controller);");
                _w.Line("if ((uint)index >= (uint)length) throw new __System.ArgumentOutOfRangeException(nameof(index), index, \"the vector has \" + length + \" elements\");");
                _w.Line($"int __b = index * __blocks + controller / {S}.Lanes;");
                _w.Line($"return floats is null ? {S}.Lane(values[__b], controller % {S}.Lanes) : floats[__b * {S}.Lanes + controller % {S}.Lanes];");
            }
        }

        private void Reader(string name, IrType type, string array, string what)
        {
            var id = Id(name);
            if (!type.IsScalar)
            {
                bool owned = what is "State" or "Coefficient";
                if (owned) _w.Line($"/// <summary>{what} {CSharp.Xml(name)}[index] of one controller after the last step (of a population stepped in float: its float value).</summary>");
                _w.Line($"public double {id}(int controller, int index) => __Element({array}, {(owned ? FloatArray(name) : "null")}, controller, index, {Length(type)});");
                return;
            }
            var t = what == "Param" ? ParamType(type) : ValueType(type);
            _w.Line(t switch
            {
                "bool" => $"public bool {id}(int controller) => __Flag({array}, controller);",
                "long" => $"public long {id}(int controller) => (long)__Lane({array}, controller);",
                _ => $"public double {id}(int controller) => __Lane({array}, controller);",
            });
        }

        private void EmitRuleSwitches()
        {
            _w.Line("/// <summary>Switches a rule on or off for every controller, for the following steps.</summary>");
            using (_w.Block("public void SetRule(string id, bool enabled)"))
                _w.Line("for (int __j = 0; __j < __count; __j++) SetRule(__j, id, enabled);");
            _w.Line();
            _w.Line("/// <summary>Switches a rule on or off for one controller, for the following steps.</summary>");
            using (_w.Block("public void SetRule(int controller, string id, bool enabled)"))
            {
                _w.Line("__System.ArgumentNullException.ThrowIfNull(id);");
                _w.Line("__Controller(controller);");
                if (_switches.Count == 0)
                {
                    _w.Line($"throw new __System.ArgumentException($\"law {_unit.Name} has no rule '{{id}}' that can be switched off\", nameof(id));");
                    return;
                }
                using (_w.Block("switch (id)"))
                {
                    foreach (var r in _switches)
                        _w.Line($"case {CSharp.String(r.Id)}: {S}.SetMask(ref {RuleArray(r)}[controller / {S}.Lanes], controller % {S}.Lanes, enabled); break;");
                    _w.Line($"default: throw new __System.ArgumentException($\"law {_unit.Name} has no rule '{{id}}' that can be switched off; valid: {string.Join(", ", _switches.Select(r => r.Id))}\", nameof(id));");
                }
            }
            if (_switches.Count == 0) return;
            var rules = $"{_lawRef}.Rules";
            _w.Line();
            _w.Line("/// <summary>The rules that run for one controller.</summary>");
            using (_w.Block($"public {rules} Enabled(int controller)"))
            {
                _w.Line("__Controller(controller);");
                _w.Line($"var __rules = {rules}.None;");
                foreach (var r in _switches)
                    _w.Line($"if ({S}.IsSet({RuleArray(r)}[controller / {S}.Lanes], controller % {S}.Lanes)) __rules |= {rules}.{_law.RuleMemberId(r.Id)};");
                _w.Line("return __rules;");
            }
            _w.Line();
            _w.Line("/// <summary>Sets the rules that run for one controller, for the following steps.</summary>");
            using (_w.Block($"public void SetEnabled(int controller, {rules} rules)"))
            {
                _w.Line("__Controller(controller);");
                foreach (var r in _switches)
                    _w.Line($"{S}.SetMask(ref {RuleArray(r)}[controller / {S}.Lanes], controller % {S}.Lanes, (rules & {rules}.{_law.RuleMemberId(r.Id)}) != 0);");
            }
        }
    }
}
