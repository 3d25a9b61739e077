using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Schedule;
using AE.Dsl.Syntax;

namespace AE.Dsl.Emit
{
    /// <summary>Writes one unit's C# type: declarations here, the step body in UnitEmitter.Step.cs.</summary>
    internal sealed partial class UnitEmitter
    {
        private readonly IrUnit _unit;
        private readonly CSharpEmitOptions _options;
        private CodeWriter _w = new();
        private readonly string _type;
        private readonly List<IrRule> _switches;
        private readonly HashSet<string> _hostStates;
        private readonly bool _optimizerShape;
        private readonly HashSet<string> _unitIds;

        public UnitEmitter(IrUnit unit, StepSchedule schedule, CSharpEmitOptions options)
        {
            _unit = unit;
            _plan = schedule;
            _options = options;
            var typeName = options.TypeName ?? unit.Name;
            // A law named like a generated member ('Options', 'Step') would clash with it: the type gets a suffix.
            _type = GeneratedMembers.Contains(typeName) ? typeName + "Law" : Names.CSharp(typeName);
            _switches = unit.Rules.Where(r => r.Ablatable).ToList();
            _hostStates = new HashSet<string>(CSharpEmitter.HostStates(unit).Select(s => s.Name), StringComparer.Ordinal);
            _optimizerShape = CSharpEmitter.IsOptimizerShape(unit);
            _unitIds = Names.UnitIds(unit);
        }

        /// <summary>Members every generated type has; an AE name equal to one of them (or to the type) gets a trailing '_'.</summary>
        private static readonly HashSet<string> GeneratedMembers = new(StringComparer.Ordinal)
        {
            "Options", "Rules", "Enabled", "StepCount", "Step", "MaxThreads", "Kernel", "ReadSignal", "SetRule", "SignalNames", "RuleIds",
            "ParamNames", "ParamProperties",
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
        };

        /// <summary>The generated type's name; the population class names the law through it.</summary>
        internal string TypeName => _type;

        /// <summary>The C# name of an AE name as a member of the generated type (its Options and getters).</summary>
        internal string MemberId(string name) => Id(name);

        /// <summary>A switchable rule's member of the Rules enum, which has its own None and All.</summary>
        internal string RuleMemberId(string id) => Names.Member(id, x => x is "None" or "All", _switches.Select(r => Names.CSharp(r.Id)).ToList());

        private string Id(string name) => Names.Member(name, id => GeneratedMembers.Contains(id) || id == _type, _unitIds);
        private static string Slot(string slot) => "__slot_" + Names.Stem(slot);
        private static string StateArray(string name, Precision p) => "__st_" + Names.Stem(name) + (p == Precision.Float32 ? "_f32" : "_f64");
        private static string ParamArray(string name) => "__p_" + Names.Stem(name);
        private static string SignalBuffer(string name) => "__sig_" + Names.Stem(name);
        private static string Next(string name) => Names.Stem(name) + "__next";

        private static string ScalarType(IrType t) => t.Scalar switch { IR.ScalarType.Bool => "bool", _ => "double" };
        private static string ParamType(IrType t) => !t.IsScalar ? "double[]" : t.Scalar switch { IR.ScalarType.Bool => "bool", IR.ScalarType.Int => "long", _ => "double" };

        /// <summary>The file: header, then one namespace block with the aliases, the law's type and <paramref name="population"/> (its class, when it has one).</summary>
        public string Emit(string? population = null)
        {
            EmitHeader();
            using (_w.Block("namespace " + _options.Namespace))
            {
                Aliases.Declare(_w);
                EmitTypeDoc();
                var iface = _optimizerShape ? " : __Runtime.IOptimizerLaw" : "";
                // unsafe: the SIMD passes read the host's spans through pinned pointers from any thread.
                using (_w.Block($"public sealed unsafe partial class {_type}{iface}"))
                {
                    EmitOptions();
                    EmitRulesEnum();
                    EmitFields();
                    EmitConstructor();
                    EmitStep();
                    foreach (var member in _simdMembers) _w.Raw(member);
                    EmitLaggedFields();
                    EmitSignalsAndRules();
                }
                if (population != null)
                {
                    _w.Line();
                    _w.Raw(population);
                }
            }
            return _w.ToString();
        }

        private void EmitLaggedFields()
        {
            if (!_options.Lagged || _plan.Reductions.Count == 0) return;
            _w.Line();
            _w.Line("// lagged: each reduction as the last step's pass left it (at the start, its empty value)");
            foreach (var r in _plan.Reductions)
                foreach (var (read, init) in ReadAccumulators(r)) _w.Line($"private double {LaggedField(read)} = {init};");
        }

        // ------------------------------------------------------------ header

        private void EmitHeader()
        {
            _w.Line("// <auto-generated/>");
            var origin = _unit.Origin.Path;
            _w.Line($"// Generated by the AE compiler {CSharpEmitter.Version} from {CSharp.Comment(origin)}: {(_unit.Kind == UnitKind.Law ? "law" : "cell")} {_unit.Name}.");
            _w.Line("// Do not edit: change the .ae file. Each block below names the rule and the equation it comes from.");
            var rules = string.Join(", ", _unit.Rules.Select(r => r.IsUpdate ? "update" : _options.Ablate.Contains(r.Id) ? r.Id + " (removed: its values are their neutral ones)" : r.Ablatable ? r.Id : r.Id + " (fixed)"));
            _w.Line("// Rules, in the order they run: " + rules);
            var passes = PassesMade.ToList();
            if (passes.Count > 0)
                _w.Line($"// The step: the scalar statements once, in order, and {passes.Count} pass{(passes.Count == 1 ? "" : "es")} over the vectors ("
                    + string.Join("; ", passes.Select((p, i) => (i + 1).ToString(CultureInfo.InvariantCulture) + ". " + CSharp.Comment(PassWork(p)))) + ").");
            if (_options.Ablate.Count > 0)
                _w.Line("// Removed at compile time: " + string.Join(", ", _options.Ablate.OrderBy(x => x, StringComparer.Ordinal)));
            if (_options.Lagged)
                _w.Line("// Lagged: every reduction reads the value the previous step's update pass computed, so one pass over the vectors serves a step.");
            _w.Line("#nullable enable");
            _w.Line("#pragma warning disable CS0162, CS0164, CS0168, CS0219, CS1591, CS1717, CS1718, CS8321, CS8981");
            _w.Line();
        }

        private void EmitTypeDoc()
        {
            _w.Line("/// <summary>");
            _w.Line("/// " + CSharp.Xml(_unit.Title ?? _unit.Name));
            _w.Line("/// </summary>");
            _w.Line($"[__System.CodeDom.Compiler.GeneratedCode(\"AE.Dsl\", \"{CSharpEmitter.Version}\")]");
        }

        // ------------------------------------------------------------ options

        private void EmitOptions()
        {
            _w.Line($"/// <summary>The params of {CSharp.Xml(_unit.Name)}; each default is the one written in the .ae file.</summary>");
            using (_w.Block("public sealed class Options"))
            {
                foreach (var p in _unit.Params)
                {
                    var range = p.Range != null ? $" Allowed: {(p.Range.LoOpen ? "(" : "[")}{IrPrinter.Expr(p.Range.Lo)}, {IrPrinter.Expr(p.Range.Hi)}{(p.Range.HiOpen ? ")" : "]")}." : "";
                    _w.Line($"/// <summary>Default: {CSharp.Xml(IrPrinter.Expr(p.Default))}.{CSharp.Xml(range)}</summary>");
                    if (IsLiteralDefault(p))
                        _w.Line($"public {ParamType(p.Type)} {Id(p.Name)} {{ get; set; }} = {ParamLiteral(p)};");
                    else
                        _w.Line($"public {ParamType(p.Type)}? {Id(p.Name)} {{ get; set; }}");
                }
                // A tool that sets params by their .ae names (ae run --set) finds the property through these.
                _w.Line("/// <summary>The params' names in the .ae file, in declaration order.</summary>");
                _w.Line($"public static __Strings ParamNames {{ get; }} = {StringArray(_unit.Params.Select(p => p.Name))};");
                _w.Line("/// <summary>The property of each of ParamNames, in the same order: the name itself, or with '_' appended where it is a generated member's.</summary>");
                _w.Line($"public static __Strings ParamProperties {{ get; }} = {StringArray(_unit.Params.Select(p => Id(p.Name)))};");
            }
            _w.Line();
        }

        /// <summary>A string[] of <paramref name="items"/> as C#: <c>new string[] { "a", "b" }</c>, or the empty array.</summary>
        private static string StringArray(IEnumerable<string> items)
        {
            var list = items.Select(CSharp.String).ToList();
            return list.Count == 0 ? "__System.Array.Empty<string>()" : "new string[] { " + string.Join(", ", list) + " }";
        }

        private static bool IsLiteralDefault(IrParam p) => p.Type.IsScalar && p.Default is IrConst;

        private static string ParamLiteral(IrParam p)
        {
            var c = (IrConst)p.Default;
            return p.Type.Scalar switch
            {
                IR.ScalarType.Bool => c.Value != 0 ? "true" : "false",
                IR.ScalarType.Int => ((long)c.Value).ToString(CultureInfo.InvariantCulture),
                _ => CSharp.Literal(c.Value),
            };
        }

        private void EmitRulesEnum()
        {
            if (_switches.Count == 0) return;
            _w.Line("/// <summary>Rules that can be switched off between steps (see <see cref=\"Enabled\"/>).</summary>");
            _w.Line("[__System.Flags]");
            using (_w.Block("public enum Rules : ulong"))
            {
                _w.Line("None = 0,");
                for (int i = 0; i < _switches.Count; i++)
                {
                    if (_switches[i].Title != null) _w.Line($"/// <summary>{CSharp.Xml(_switches[i].Title!)}</summary>");
                    _w.Line($"{RuleMemberId(_switches[i].Id)} = 1UL << {i},");
                }
                _w.Line($"All = {string.Join(" | ", _switches.Select(r => RuleMemberId(r.Id)))},");
            }
            _w.Line();
        }

        // ------------------------------------------------------------ fields

        private string DimText(DimExpr d)
        {
            if (d.IsConstant) return d.Constant.ToString(CultureInfo.InvariantCulture);
            var parts = d.Terms.Select(t => t.Value == 1 ? DimRef(t.Key) : $"{t.Value} * {DimRef(t.Key)}").ToList();
            if (d.Constant != 0) parts.Add(d.Constant.ToString(CultureInfo.InvariantCulture));
            return parts.Count == 1 ? parts[0] : "(" + string.Join(" + ", parts) + ")";
        }

        /// <summary>Runtime dims whose constructor parameter is not their name (a dim named options or seed), while the constructor is written.</summary>
        private Dictionary<string, string>? _dimParameters;

        /// <summary>A dim as C# reads it: its property (in the constructor, through 'this.' when a parameter has its name).</summary>
        private string DimRef(string dim) => _dimParameters != null && _dimParameters.ContainsKey(dim) ? "this." + Id(dim) : Id(dim);

        private string Length(IrType t) => t.IsScalar ? "1" : DimText(t.Shape[0]);

        /// <summary>
        /// A dim derived from run-time dims (<c>dim w = n - 3</c>) is at least 1 and within an int for the dims given, or
        /// the constructor throws (as the interpreter does, <c>DimValues</c>): computed in 64 bits, before any vector is sized.
        /// </summary>
        private void EmitDerivedDimChecks(List<IrDim> runtimeDims)
        {
            foreach (var d in _unit.Dims.Where(d => !d.IsRuntime && !CSharpEmitter.IsCompileTimeDim(_unit, d)))
            {
                var parts = d.Value.Terms.Select(t => $"{t.Value.ToString(CultureInfo.InvariantCulture)}L * {DimRef(t.Key)}").ToList();
                if (d.Value.Constant != 0) parts.Add(d.Value.Constant.ToString(CultureInfo.InvariantCulture) + "L");
                string name = "__dim_" + Names.Stem(d.Name);
                const string Invariant = ".ToString(__System.Globalization.CultureInfo.InvariantCulture)";
                var message = new List<string> { CSharp.String($"dimension '{d.Name}' = {d.Value} is "), name + Invariant };
                for (int i = 0; i < runtimeDims.Count; i++)
                {
                    message.Add(CSharp.String((i == 0 ? " for " : ", ") + runtimeDims[i].Name + " = "));
                    message.Add(DimRef(runtimeDims[i].Name) + Invariant);
                }
                message.Add(CSharp.String("; " + DimValues.Bounds));
                _w.Line($"long {name} = {string.Join(" + ", parts)};");
                _w.Line($"if ({name} < 1 || {name} > int.MaxValue) throw new __Runtime.DimOutOfRangeException({CSharp.String(d.Name)}, {name}, {string.Join(" + ", message)});");
            }
        }

        private void EmitFields()
        {
            foreach (var d in _unit.Dims)
            {
                _w.Line($"/// <summary>Dimension {CSharp.Xml(d.Name)}{(d.IsRuntime ? ", given at construction" : CSharpEmitter.IsCompileTimeDim(_unit, d) ? "" : ", from the run-time dims")}.</summary>");
                _w.Line(d.IsRuntime ? $"public int {Id(d.Name)} {{ get; }}"
                    : CSharpEmitter.IsCompileTimeDim(_unit, d) ? $"public const int {Id(d.Name)} = {DimText(d.Value)};"
                    : $"public int {Id(d.Name)} => {DimText(d.Value)};");
            }
            foreach (var p in _unit.Params)
            {
                if (p.Type.IsScalar) _w.Line($"public {ParamType(p.Type)} {Id(p.Name)} {{ get; }}");
                else
                {
                    _w.Line($"private readonly double[] {ParamArray(p.Name)};");
                    _w.Line($"public __System.ReadOnlySpan<double> {Id(p.Name)} => {ParamArray(p.Name)};");
                }
            }
            foreach (var s in _unit.States)
            {
                var what = s.Kind == SymbolKind.Coeff ? "Coefficient" : "State";
                if (s.Type.IsScalar)
                {
                    _w.Line($"/// <summary>{what} {CSharp.Xml(s.Name)} after the last step.</summary>");
                    _w.Line($"public {ScalarType(s.Type)} {Id(s.Name)} {{ get; private set; }}");
                }
                else if (!_hostStates.Contains(s.Name))
                {
                    _w.Line($"private double[] {StateArray(s.Name, Precision.Float64)};");
                    _w.Line($"private float[]? {StateArray(s.Name, Precision.Float32)};");
                    _w.Line($"/// <summary>{what} {CSharp.Xml(s.Name)} after the last double-precision step.</summary>");
                    _w.Line($"public __System.ReadOnlySpan<double> {Id(s.Name)} => {StateArray(s.Name, Precision.Float64)};");
                }
            }
            foreach (var s in _unit.Signals)
            {
                if (s.Type.IsScalar) _w.Line($"public {ScalarType(s.Type)} {Id(s.Name)} {{ get; private set; }}");
                else
                {
                    _w.Line($"private readonly double[] {SignalBuffer(s.Name)};");
                    _w.Line($"public __System.ReadOnlySpan<double> {Id(s.Name)} => {SignalBuffer(s.Name)};");
                }
            }
            foreach (var a in _unit.Accs)
            {
                if (a.Type.IsScalar) _w.Line($"public double {Id(a.Name)} {{ get; private set; }}");
            }
            var slots = FilterSlotsUsed();
            foreach (var f in _unit.Filters.Where(f => slots.Contains(f.Name)))
            {
                _w.Line($"private double {Slot(f.Name)};");
                _w.Line($"private long {Slot(f.Name)}_n;");
            }
            if (IrFacts.Draws(_unit)) _w.Line("private readonly ulong __seed;");
            _w.Line("private int __precision;");
            _w.Line("/// <summary>Steps taken so far.</summary>");
            _w.Line("public long StepCount { get; private set; }");
            _w.Line("/// <summary>The loops over the vectors: SIMD from AeSimd.AutoThreshold elements on (the default), always, or never (the reference order of the sums).</summary>");
            _w.Line("public __Runtime.StepKernel Kernel { get; set; }");
            _w.Line("/// <summary>Threads a SIMD pass over long vectors may use, at least 1 (1: the stepping thread only). The result does not depend on it.</summary>");
            _w.Line("public int MaxThreads { get => __maxThreads; set => __maxThreads = __Runtime.Simd.AeWorkers.ValidThreads(value); }");
            _w.Line("private int __maxThreads = __Runtime.Simd.AeWorkers.MaxUsefulThreads;");
            if (_switches.Count > 0)
            {
                _w.Line("/// <summary>The rules that run; switch one off with <c>Enabled &amp;= ~Rules.X</c> between steps.</summary>");
                _w.Line("public Rules Enabled { get; set; } = Rules.All;");
            }
            _w.Line();
        }

        /// <summary>
        /// The filter slots the step updates: every filter but one in the value of a vector element that no pass
        /// computes (an accumulator nothing reads, say), whose field would be declared and never used.
        /// </summary>
        private HashSet<string> FilterSlotsUsed()
        {
            var computed = new HashSet<ScheduleItem>(_plan.Passes.SelectMany(p => p.Elements));
            var expressions = _plan.Items.Where(i => i is not ElementItem || computed.Contains(i)).SelectMany(i => IrFacts.OwnExpressions(i.Stmt))
                .Concat(_plan.Reductions.SelectMany(r => r.Call.Args));
            return new HashSet<string>(expressions.SelectMany(IrFacts.Descendants).OfType<IrFilter>().Select(f => f.Slot), StringComparer.Ordinal);
        }

        // ------------------------------------------------------------ constructor

        private void EmitConstructor()
        {
            var runtimeDims = _unit.Dims.Where(d => d.IsRuntime).ToList();
            // A dim named like the parameters options and seed has a parameter with '_' appended; the body reads it as this.options.
            var parameters = CSharpEmitter.DimParameters(runtimeDims.Select(d => Id(d.Name)).ToList(), "options", "seed");
            _dimParameters = runtimeDims.Where(d => parameters[Id(d.Name)] != Id(d.Name)).ToDictionary(d => d.Name, d => parameters[Id(d.Name)], StringComparer.Ordinal);
            var args = runtimeDims.Select(d => "int " + parameters[Id(d.Name)]).Concat(new[] { "Options? options = null", "ulong seed = 0" });
            _w.Line("/// <param name=\"seed\">the run's seed: element i of noise() call site s at step t is CounterNoise.Gaussian(seed, t, s, i)</param>");
            using (_w.Block($"public {_type}({string.Join(", ", args)})"))
            {
                foreach (var d in runtimeDims)
                {
                    var p = parameters[Id(d.Name)];
                    _w.Line($"if ({p} < 1) throw new __System.ArgumentOutOfRangeException(nameof({p}), {p}, \"dimension '{d.Name}' must be at least 1\");");
                    _w.Line($"this.{Id(d.Name)} = {p};");
                }
                EmitDerivedDimChecks(runtimeDims);
                _w.Line("options ??= new Options();");
                foreach (var p in ParamsInDependencyOrder())
                {
                    var name = Id(p.Name);
                    if (p.Type.IsScalar)
                    {
                        var value = IsLiteralDefault(p) ? $"options.{name}" : $"options.{name} ?? ({ConstText(p.Default, p.Type)})";
                        // Set before it is checked: a value out of range throws, and the instance is never seen.
                        _w.Line($"{ParamType(p.Type)} {Local(p)} = this.{name} = {value};");
                        if (p.Range != null && p.Type.Scalar != IR.ScalarType.Bool)
                            EmitRangeCheck(Local(p), p.Range.LoOpen, p.Range.HiOpen, End(p.Range.Lo), End(p.Range.Hi), p.Name, $"param '{p.Name}' must lie in ");
                    }
                    else
                    {
                        var len = Length(p.Type);
                        _w.Line($"var {Local(p)} = new double[{len}];");
                        var given = "__given_" + Names.Stem(p.Name);
                        using (_w.Block($"if (options.{name} is double[] {given})"))
                        {
                            _w.Line($"if ({given}.Length != {len}) throw new __System.ArgumentException($\"param '{p.Name}' needs {{{len}}} values, not {{{given}.Length}}\", \"{p.Name}\");");
                            _w.Line($"__System.Array.Copy({given}, {Local(p)}, {len});");
                        }
                        using (_w.Block("else")) EmitVectorConstant(Local(p), p.Default, len);
                        _w.Line($"{ParamArray(p.Name)} = {Local(p)};");
                    }
                }
                foreach (var s in _unit.States)
                {
                    if (s.Type.IsScalar)
                    {
                        var init = s.Init != null ? ConstText(s.Init, s.Type) : (s.Type.Scalar == IR.ScalarType.Bool ? "false" : "0.0");
                        _w.Line($"this.{Id(s.Name)} = {init};"); // this.: a state may be named like a constructor parameter
                    }
                    else if (!_hostStates.Contains(s.Name))
                    {
                        _w.Line($"{StateArray(s.Name, Precision.Float64)} = new double[{Length(s.Type)}];");
                        if (s.Init != null) EmitVectorConstant(StateArray(s.Name, Precision.Float64), s.Init, Length(s.Type));
                    }
                }
                foreach (var s in _unit.Signals)
                {
                    if (!s.Type.IsScalar) _w.Line($"{SignalBuffer(s.Name)} = new double[{Length(s.Type)}];");
                    else if (s.Neutral != null && IrFacts.IsConstant(s.Neutral)) _w.Line($"this.{Id(s.Name)} = {ConstText(s.Neutral, s.Type)};");
                }
                EmitValueChecks();
                if (IrFacts.Draws(_unit)) _w.Line("__seed = seed;");
            }
            _dimParameters = null;
            _w.Line();
        }

        private const string ParamError = "__Runtime.ParamOutOfRangeException";

        /// <summary>
        /// Throws a <see cref="ParamError"/> naming <paramref name="param"/> unless <paramref name="value"/>
        /// lies between <paramref name="lo"/> and <paramref name="hi"/> (C# text); the range is written into
        /// the message as text when both ends are literals, else evaluated when thrown.
        /// </summary>
        private void EmitRangeCheck(string value, bool loOpen, bool hiOpen, (string Text, double? Value) lo, (string Text, double? Value) hi, string param, string message)
        {
            var cond = $"{value} {(loOpen ? ">" : ">=")} {lo.Text} && {value} {(hiOpen ? "<" : "<=")} {hi.Text}";
            var interval = lo.Value is double l && hi.Value is double h
                ? CSharp.String((loOpen ? "(" : "[") + Number(l) + ", " + Number(h) + (hiOpen ? ")" : "]"))
                : $"{ParamError}.Interval({lo.Text}, {hi.Text}, {Bool(loOpen)}, {Bool(hiOpen)})";
            var text = lo.Value is not null && hi.Value is not null ? CSharp.String(message + interval.Trim('"')) : $"{CSharp.String(message)} + {interval}";
            _w.Line($"if (!({cond})) throw new {ParamError}({CSharp.String(param)}, {interval}, {value}, {text});");

            static string Bool(bool b) => b ? "true" : "false";
            static string Number(double v) => double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        }

        /// <summary>An end of a range as C# text, and its value when it is a literal.</summary>
        private (string Text, double? Value) End(IrExpr e) => e is IrConst c && c.Type.Scalar == IR.ScalarType.Real
            ? (CSharp.Literal(c.Value), c.Value)
            : (ConstText(e, IrType.Real), null);

        /// <summary>
        /// The checks the .ae file passed with its params' defaults, made again with the values this
        /// instance was given (only those that read a param: the rest cannot change): each coefficient's
        /// bounds are not empty and hold its initial value, each filter's rate lies in [0, 1), each
        /// <c>require</c> holds.
        /// </summary>
        private void EmitValueChecks()
        {
            foreach (var s in _unit.States.Where(s => s.Bounds != null && s.Type.IsScalar))
            {
                var b = s.Bounds!;
                var boundParams = ParamRefs(b.Lo).Concat(ParamRefs(b.Hi)).Distinct(StringComparer.Ordinal).ToList();
                var initParams = s.Init == null ? new List<string>() : ParamRefs(s.Init).Distinct(StringComparer.Ordinal).ToList();
                if (boundParams.Count == 0 && initParams.Count == 0) continue;
                var lo = "__lo_" + Names.Stem(s.Name);
                var hi = "__hi_" + Names.Stem(s.Name);
                _w.Line($"// {CSharp.Comment(s.Name)}: bounds and initial value with the given params");
                _w.Line($"double {lo} = {ConstText(b.Lo, IrType.Real)}, {hi} = {ConstText(b.Hi, IrType.Real)};");
                if (boundParams.Count > 0)
                {
                    var empty = $"{lo} > {hi}" + (b.LoOpen || b.HiOpen ? $" || {lo} == {hi}" : "");
                    var interval = $"{ParamError}.Interval({lo}, {hi}, {(b.LoOpen ? "true" : "false")}, {(b.HiOpen ? "true" : "false")})";
                    _w.Line($"if ({empty}) throw new {ParamError}({CSharp.String(string.Join(", ", boundParams))}, {interval}, {lo}, {CSharp.String($"the bounds of '{s.Name}' are empty: ")} + {interval});");
                }
                if (s.Init != null)
                    EmitRangeCheck("this." + Id(s.Name), b.LoOpen, b.HiOpen, (lo, null), (hi, null), string.Join(", ", initParams.Count > 0 ? initParams : boundParams), $"the initial value of '{s.Name}' must lie in its bounds ");
            }
            var rates = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in _unit.Rules.SelectMany(r => r.Body).SelectMany(IrFacts.AllExpressions).SelectMany(IrFacts.Descendants).OfType<IrFilter>())
            {
                if (f.Kind is not (FilterKind.Ema or FilterKind.Lp)) continue;
                var rateParams = ParamRefs(f.Args[0]).Distinct(StringComparer.Ordinal).ToList();
                var rate = ConstText(f.Args[0], IrType.Real);
                if (rateParams.Count == 0 || WithinUnitInterval(f.Args[0]) || !rates.Add(rate)) continue;
                EmitRangeCheck(rate, false, true, ("0.0", 0.0), ("1.0", 1.0), string.Join(", ", rateParams), $"the rate {IrPrinter.Expr(f.Args[0])} of a filter must lie in ");
            }
            foreach (var r in _unit.Requires)
            {
                var reads = ParamRefs(r.Condition).Distinct(StringComparer.Ordinal).ToList();
                if (reads.Count == 0) continue;
                _w.Line($"if (!({ConstText(r.Condition, IrType.Bool)})) throw new {ParamError}({CSharp.String(string.Join(", ", reads))}, \"true\", double.NaN, {CSharp.String($"require '{r.Label}' ({IrPrinter.Expr(r.Condition)}) does not hold with the given params")});");
            }
        }

        /// <summary>A param whose declared range already keeps it in [0, 1): its own check covers the filter's.</summary>
        private bool WithinUnitInterval(IrExpr rate) =>
            rate is IrRef { Kind: SymbolKind.Param } r
            && _unit.Params.FirstOrDefault(p => p.Name == r.Name)?.Range is { Lo: IrConst lo, Hi: IrConst hi } range
            && lo.Value >= 0 && (hi.Value < 1 || (hi.Value == 1 && range.HiOpen));


        /// <summary>Fills a vector from a constant expression: a scalar fills it, a vector param is copied, concat of scalars lists them.</summary>
        private void EmitVectorConstant(string target, IrExpr e, string len)
        {
            // A bool vector is stored as 1 and 0.
            if (e.Type.IsScalar) { _w.Line($"__System.Array.Fill({target}, {Stored(e.Type, ConstText(e, IrType.Real))});"); return; }
            if (e is IrRef { Kind: SymbolKind.Param } r) { _w.Line($"__System.Array.Copy({Local(_unit.Params.First(p => p.Name == r.Name))}, {target}, {len});"); return; }
            if (e is IrCall { Function: "concat" } c && c.Args.All(a => a.Type.IsScalar))
            {
                for (int i = 0; i < c.Args.Count; i++) _w.Line($"{target}[{i}] = {Stored(c.Args[i].Type, ConstText(c.Args[i], IrType.Real))};");
                return;
            }
            // Elementwise over params and literals: one loop.
            var ctx = new RenderCtx { Constructor = true, Element = true };
            var text = Render(e, ctx);
            _w.Line($"for (int __i = 0; __i < {len}; __i++) {target}[__i] = {Stored(e.Type, text)};");
        }

        private static string Local(IrParam p) => "__v_" + Names.Stem(p.Name);

        /// <summary>Params whose defaults read other params come after them.</summary>
        private IEnumerable<IrParam> ParamsInDependencyOrder()
        {
            var byName = _unit.Params.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var done = new HashSet<string>(StringComparer.Ordinal);
            var order = new List<IrParam>();
            void Visit(IrParam p, int depth)
            {
                if (done.Contains(p.Name) || depth > byName.Count) return;
                foreach (var dep in ParamRefs(p.Default).Concat(p.Range != null ? ParamRefs(p.Range.Lo).Concat(ParamRefs(p.Range.Hi)) : Enumerable.Empty<string>()))
                    if (byName.TryGetValue(dep, out var q) && q != p) Visit(q, depth + 1);
                if (done.Add(p.Name)) order.Add(p);
            }
            foreach (var p in _unit.Params) Visit(p, 0);
            return order;
        }

        private static IEnumerable<string> ParamRefs(IrExpr e)
        {
            if (e is IrRef r && r.Kind == SymbolKind.Param) yield return r.Name;
            foreach (var c in IrFacts.Children(e)) foreach (var n in ParamRefs(c)) yield return n;
        }


        /// <summary>A constant expression in the constructor, where params are the locals being resolved.</summary>
        private string ConstText(IrExpr e, IrType target)
        {
            var ctx = new RenderCtx { Constructor = true };
            var text = Render(e, ctx);
            if (ctx.Hoists.Count > 0) throw new InvalidOperationException("a constant with side effects");
            return target.Scalar == IR.ScalarType.Bool || e.Type.Scalar == IR.ScalarType.Bool ? text : target.Scalar == IR.ScalarType.Int ? $"(long)({text})" : $"(double)({text})";
        }

        // ------------------------------------------------------------ signals and rule switches

        private IEnumerable<(string Name, string Text)> ReadableScalars()
        {
            foreach (var s in _unit.Signals) if (s.Type.IsScalar) yield return (s.Name, Bool(s.Type, Id(s.Name)));
            foreach (var s in _unit.States) if (s.Type.IsScalar) yield return (s.Name, Bool(s.Type, Id(s.Name)));
            foreach (var a in _unit.Accs) if (a.Type.IsScalar) yield return (a.Name, Id(a.Name));
        }

        private static string Bool(IrType t, string text) => t.Scalar == IR.ScalarType.Bool ? $"({text} ? 1.0 : 0.0)" : text;

        private void EmitSignalsAndRules()
        {
            _w.Line();
            var readable = ReadableScalars().ToList();
            _w.Line($"private static readonly string[] __signalNames = {{ {string.Join(", ", readable.Select(r => CSharp.String(r.Name)))} }};");
            _w.Line($"private static readonly string[] __ruleIds = {{ {string.Join(", ", _switches.Select(r => CSharp.String(r.Id)))} }};");
            _w.Line();
            _w.Line("/// <summary>Every scalar readable after a step: signals, state and coefficients, accumulators.</summary>");
            _w.Line("public static __Strings SignalNames => __signalNames;");
            _w.Line("/// <summary>Rules that can be switched off, in the order they run.</summary>");
            _w.Line("public static __Strings RuleIds => __ruleIds;");
            _w.Line();
            using (_w.Block("public double ReadSignal(int index)"))
            {
                using (_w.Block("switch (index)"))
                {
                    for (int i = 0; i < readable.Count; i++) _w.Line($"case {i}: return {readable[i].Text};");
                    _w.Line("default: throw new __System.ArgumentOutOfRangeException(nameof(index), index, \"no signal with this index; see SignalNames\");");
                }
            }
            _w.Line();
            _w.Line("/// <summary>Switches a rule on or off for the following steps.</summary>");
            using (_w.Block("public void SetRule(string id, bool enabled)"))
            {
                if (_switches.Count > 0)
                {
                    _w.Line("Rules flag;");
                    using (_w.Block("switch (id)"))
                    {
                        foreach (var r in _switches) _w.Line($"case {CSharp.String(r.Id)}: flag = Rules.{RuleMemberId(r.Id)}; break;");
                        _w.Line($"default: throw new __System.ArgumentException($\"law {_unit.Name} has no rule '{{id}}' that can be switched off; valid: {string.Join(", ", _switches.Select(r => r.Id))}\", nameof(id));");
                    }
                    _w.Line("Enabled = enabled ? Enabled | flag : Enabled & ~flag;");
                }
                else
                {
                    _w.Line($"throw new __System.ArgumentException($\"law {_unit.Name} has no rule '{{id}}' that can be switched off\", nameof(id));");
                }
            }
            if (_optimizerShape)
            {
                var n = Id(_unit.Dims.First(d => d.IsRuntime).Name);
                _w.Line();
                _w.Line($"string __Runtime.IOptimizerLaw.LawName => {CSharp.String(_unit.Name)};");
                _w.Line($"int __Runtime.IOptimizerLaw.Dimension => {n};");
                _w.Line("__Strings __Runtime.IOptimizerLaw.SignalNames => __signalNames;");
                _w.Line("__Strings __Runtime.IOptimizerLaw.RuleIds => __ruleIds;");
            }
        }
    }
}
