using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Passes;

namespace AE.Dsl.Emit.Cells
{
    /// <summary>
    /// The C# backend for cells: a generic type <c>Name&lt;T&gt;</c> (T is double or float) deriving from the
    /// runtime's <c>CellBase&lt;T&gt;</c>, which runs the sequence and reverse mode through time with
    /// checkpoints. The cell supplies one step for the whole batch, printed from its <see cref="CellSchedule"/>
    /// in order, and the step's adjoint, printed from the same schedule in reverse (reverse mode by source
    /// transformation: no tape, no closures). Nets are layers over the batch (matrix-matrix); every other
    /// value is a loop over its elements and the batch.
    /// </summary>
    internal sealed partial class CellEmitter
    {
        private readonly IrUnit _unit;
        private readonly CSharpEmitOptions _options;
        private readonly CellSchedule _s;
        private readonly CodeWriter _w = new();
        private readonly string _type;
        private readonly List<(string Name, int[] Shape, int Offset, int Size)> _params = new();
        private readonly Dictionary<string, string> _ranges = new(StringComparer.Ordinal);   // a ranged real param's CellRange, as C#
        private int _paramSize;
        private readonly Dictionary<string, int> _paramIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<double, string> _literals = new();
        private readonly Interpreter _defaults;

        private CellEmitter(IrUnit unit, CSharpEmitOptions options)
        {
            _unit = unit;
            _options = options;
            RefuseRunTimeDims(unit);
            _s = CellSchedule.Build(unit);
            _type = Names.CSharp(Names.CellTypeName(options.TypeName ?? unit.Name));
            _defaults = Defaults(unit);
            foreach (var (name, shape) in ParamShapes(unit)) AddParam(name, shape);
            foreach (var p in RangedRealParams(unit))
            {
                double lo = _defaults.EvaluateConstant(p.Range!.Lo)[0], hi = _defaults.EvaluateConstant(p.Range.Hi)[0];
                _ranges[p.Name] = $"new({CSharp.Literal(lo)}, {CSharp.Literal(hi)}, {Bool(p.Range.LoOpen)}, {Bool(p.Range.HiOpen)})";
            }

            static string Bool(bool b) => b ? "true" : "false";
        }

        /// <summary>
        /// The real params with a declared range, which training keeps them in (<c>ICell.ProjectParameters</c>). A range
        /// whose ends read a param is refused: training moves that param too, so the range would move under the values.
        /// </summary>
        private static List<IrParam> RangedRealParams(IrUnit unit)
        {
            var ranged = unit.Params.Where(p => p.Type.Scalar == ScalarType.Real && p.Range is not null).ToList();
            foreach (var p in ranged)
            {
                var end = IrFacts.ParamRefs(p.Range!.Lo).Any() ? p.Range.Lo : p.Range.Hi;
                var read = IrFacts.ParamRefs(end).FirstOrDefault();
                if (read is not null)
                    throw new EmitNotSupportedException($"the range of param '{p.Name}' reads the param '{read}', which training changes too; a cell's param ranges have constant ends (the range a trained param is kept in)",
                        new IrOrigin(p.Origin.Path, end.Span));
            }
            return ranged;
        }

        /// <summary>Throws <see cref="EmitNotSupportedException"/> where <see cref="Emit"/> would, without writing the code.</summary>
        internal static void Probe(IrUnit unit)
        {
            RefuseRunTimeDims(unit);
            CellSchedule.Build(unit);
            Defaults(unit);
            // The parameter vector's length, an int as in the layout the constructor makes (it overflows for too large a net).
            ParamShapes(unit).Aggregate(0, (total, p) => checked(total + Elements(p.Shape)));
            RangedRealParams(unit);
        }

        /// <summary>The trained parameters in the order of the one parameter vector: each net's layers' weights and biases, then the real params.</summary>
        private static IEnumerable<(string Name, int[] Shape)> ParamShapes(IrUnit unit)
        {
            foreach (var net in unit.Nets)
                foreach (var l in net.Layers)
                {
                    yield return (l.WeightName, new[] { Size(l.Out), Size(l.In) });
                    yield return (l.BiasName, new[] { Size(l.Out) });
                }
            foreach (var p in unit.Params.Where(p => p.Type.Scalar == ScalarType.Real))
                yield return (p.Name, p.Type.IsScalar ? Array.Empty<int>() : new[] { Size(p.Type.Shape[0]) });
        }

        /// <summary>A cell's sizes are numbers its generated code is written for: a dim given at run time is refused where it is declared.</summary>
        private static void RefuseRunTimeDims(IrUnit unit)
        {
            var d = unit.Dims.FirstOrDefault(x => x.IsRuntime);
            if (d is not null)
                throw new EmitNotSupportedException($"dim '{d.Name}' is given at run time; a cell's dims are fixed numbers ('dim {d.Name} = 8;')", d.Origin);
        }

        /// <summary>The interpreter that gives the params' defaults and the states' initial values.</summary>
        private static Interpreter Defaults(IrUnit unit)
        {
            try { return new Interpreter(unit); }
            catch (ArgumentException ex) { throw new EmitNotSupportedException("its params or initial states do not evaluate: " + ex.Message); }
        }

        /// <summary>A parameter's place in the one parameter vector (and the one gradient vector): its offset and size.</summary>
        private void AddParam(string name, int[] shape)
        {
            int size = Elements(shape);
            _paramIndex[name] = _params.Count;
            _params.Add((name, shape, _paramSize, size));
            _paramSize = checked(_paramSize + size);
        }

        /// <summary>The elements of a parameter of <paramref name="shape"/>, an int (it overflows for too large a net).</summary>
        private static int Elements(int[] shape) => shape.Aggregate(1, (a, b) => checked(a * b));

        private (string Name, int[] Shape, int Offset, int Size) Param(string name) => _params[_paramIndex[name]];

        /// <summary>A parameter's values (<paramref name="vector"/> "__theta") or gradient ("__grad") as a span.</summary>
        private string ParamSpan(string vector, string name) => $"Part({vector}, {Param(name).Offset}, {Param(name).Size})";

        /// <summary>The C# of a prepared cell (a variant already without its rules).</summary>
        public static string Emit(IrUnit unit, CSharpEmitOptions options)
        {
            if (unit.Kind != UnitKind.Cell) throw new ArgumentException("not a cell", nameof(unit));
            return new CellEmitter(unit, options).Emit();
        }

        private static int Size(DimExpr d) => CellSchedule.Size(d);

        private string Emit()
        {
            var forward = new List<(string Label, CodeWriter Body)>();
            EmitForward(forward);
            var backward = new List<(string Label, CodeWriter Body)>();
            EmitBackward(backward);

            _w.Line("// <auto-generated/>");
            _w.Line($"// Generated by the AE compiler {CSharpEmitter.Version} from {CSharp.Comment(_options.LinePath((_options.Origin ?? _unit.Origin).Path))}: cell {_unit.Name}.");
            _w.Line("// Do not edit: change the .ae file. Each block below names the rule and the equation it comes from;");
            _w.Line("// the adjoint (reverse mode) runs the same blocks backwards.");
            _w.Line("// Rules, in the order they run: " + string.Join(", ", _unit.Rules.Select(r => r.IsUpdate ? "update" : _options.Ablate.Contains(r.Id) ? r.Id + " (removed: its values are their neutral ones)" : r.Ablatable ? r.Id : r.Id + " (fixed)")));
            if (_options.Ablate.Count > 0)
                _w.Line("// Removed at compile time: " + string.Join(", ", _options.Ablate.OrderBy(x => x, StringComparer.Ordinal)));
            _w.Line("#nullable enable");
            _w.Line("#pragma warning disable CS1591, CS8981");
            _w.Line();
            using (_w.Block("namespace " + _options.Namespace))
            {
                _w.Line("using __System = global::System;");
                _w.Line("using __Cells = global::AE.Runtime.Cells;");
                _w.Line();
                _w.Line("/// <summary>");
                _w.Line("/// " + CSharp.Xml(_unit.Title ?? _unit.Name));
                _w.Line("/// </summary>");
                _w.Line("/// <remarks>");
                _w.Line("/// A batch of samples over a sequence, forward and backward (reverse mode through time, with checkpoints), in");
                _w.Line("/// float64 (<c>T = double</c>) or float32 (<c>T = float</c>). Sequences are <c>[time, batch, ...]</c>; weights are");
                _w.Line("/// PyTorch's (<c>[out, in]</c>, by PyTorch's names). Inputs: " + CSharp.Xml(string.Join(", ", _s.InputValues.Select(x => x.Input.Name + " " + x.Input.Type))) + ".");
                _w.Line("/// Outputs: " + CSharp.Xml(string.Join(", ", _s.SignalValues.Select(x => x.Signal.Name + " " + x.Signal.Type + (x.Signal.IsObjective ? " (objective)" : "")))) + ". States: "
                    + CSharp.Xml(string.Join(", ", _s.StateValues.Select(x => x.State.Name + " " + x.State.Type))) + ".");
                _w.Line("/// </remarks>");
                _w.Line($"[__System.CodeDom.Compiler.GeneratedCode(\"AE.Dsl\", \"{CSharpEmitter.Version}\")]");
                using (_w.Block($"public sealed partial class {_type}<T> : __Cells.CellBase<T> where T : unmanaged, __System.Numerics.IFloatingPointIeee754<T>"))
                {
                    EmitLayout();
                    foreach (var kv in _literals.OrderBy(k => k.Value.Length).ThenBy(k => k.Value, StringComparer.Ordinal))
                        _w.Line($"private static readonly T {kv.Value} = T.CreateTruncating({CSharp.Literal(kv.Key)});");
                    if (_literals.Count > 0) _w.Line();
                    _w.Line("// Every parameter in one vector (what an optimizer steps), and its gradient:");
                    foreach (var p in _params)
                        _w.Line($"//   [{p.Offset}, {p.Offset + p.Size}) {CSharp.Comment(p.Name)} [{string.Join(", ", p.Shape)}]");
                    _w.Line("private readonly T[] __theta, __grad;");
                    _w.Line();
                    EmitConstructor();
                    _w.Line();
                    _w.Line("/// <summary>One step of every sample: the frame's leaves (inputs, states) are written; every other value is computed here.</summary>");
                    // Compiled optimised once: no tier-up (and no profile-dependent code) mid-training.
                    _w.Line("[__System.Runtime.CompilerServices.MethodImpl(__System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
                    using (_w.Block("protected override void Step(__System.Span<T> f, long step)"))
                        for (int k = 0; k < forward.Count; k++) _w.Line($"Forward{k}(f, step);   // {CSharp.Comment(forward[k].Label)}");
                    _w.Line();
                    _w.Line("/// <summary>The adjoint of Step: from the seeded adjoints <c>a</c> (outputs, next states) back to the leaves and the parameter gradients.</summary>");
                    // Compiled optimised once: no tier-up (and no profile-dependent code) mid-training.
                    _w.Line("[__System.Runtime.CompilerServices.MethodImpl(__System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
                    using (_w.Block("protected override void StepBackward(__System.ReadOnlySpan<T> f, __System.Span<T> a, long step)"))
                        for (int k = 0; k < backward.Count; k++) _w.Line($"Backward{k}(f, a, step);   // {CSharp.Comment(backward[k].Label)}");
                    // One method per statement: the JIT inlines the vector helpers of a small method, not of one method as long as
                    // the whole step (past a few hundred locals it stops inlining, and loads, stores and builtins become calls).
                    EmitParts(forward, "Step", "Forward", "__System.Span<T> f, long step", "T t = T.CreateTruncating(step);");
                    // The adjoint reads the step too: the derivative of beta^step, of u * step (an ema's rate, a param times the step).
                    EmitParts(backward, "StepBackward", "Backward", "__System.ReadOnlySpan<T> f, __System.Span<T> a, long step", "T t = T.CreateTruncating(step);");
                }
            }
            return _w.ToString();
        }

        /// <summary>The methods <paramref name="name"/>0, 1, ... of <paramref name="parts"/>, each compiled optimized at once.</summary>
        private void EmitParts(List<(string Label, CodeWriter Body)> parts, string of, string name, string parameters, string? prologue)
        {
            for (int k = 0; k < parts.Count; k++)
            {
                _w.Line();
                _w.Line($"/// <summary>{of}, {CSharp.Xml(parts[k].Label)}.</summary>");
                _w.Line("[__System.Runtime.CompilerServices.MethodImpl(__System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
                using (_w.Block($"private void {name}{k}({parameters})"))
                {
                    _w.Line("int B = Batch, W = __System.Numerics.Vector<T>.Count;");
                    if (prologue != null) _w.Line(prologue);
                    _w.Raw(parts[k].Body.ToString());
                }
            }
        }

        private void EmitLayout()
        {
            static string Shape(int[] s) => s.Length == 0 ? "__System.Array.Empty<int>()" : "new[] { " + string.Join(", ", s) + " }";
            static int[] ShapeOf(IrType t) => t.IsScalar ? Array.Empty<int>() : new[] { Size(t.Shape[0]) };
            // Real is the records' default, so only an int or bool value names its kind.
            static string Kind(IrType t) => t.Scalar switch { ScalarType.Int => ", __Cells.CellScalar.Int", ScalarType.Bool => ", __Cells.CellScalar.Bool", _ => "" };
            _w.Line("/// <summary>The cell's tensors and where its step keeps each value (offsets per sample in a frame of " + _s.FrameLength + ").</summary>");
            _w.Line("public static readonly __Cells.CellLayout Layout = new(");
            _w.Line($"    {CSharp.String(_options.TypeName ?? _unit.Name)}, {_s.FrameLength},");
            _w.Line("    new __Cells.CellTensor[] { " + string.Join(", ", _params.Select(p => $"new({CSharp.String(p.Name)}, {Shape(p.Shape)}{(_ranges.TryGetValue(p.Name, out var range) ? ", Range: " + range : "")})")) + " },");
            _w.Line("    new __Cells.CellSlot[] { " + string.Join(", ", _s.InputValues.Select(x => $"new({CSharp.String(x.Input.Name)}, {Shape(ShapeOf(x.Input.Type))}, {x.Value.Offset}{Kind(x.Input.Type)})")) + " },");
            _w.Line("    new __Cells.CellStateSlot[] { " + string.Join(", ", _s.StateValues.Select(x => $"new({CSharp.String(x.State.Name)}, {Shape(ShapeOf(x.State.Type))}, {x.Leaf.Offset}, {x.Next.Offset}{Kind(x.State.Type)})")) + " },");
            _w.Line("    new __Cells.CellSlot[] { " + string.Join(", ", _s.SignalValues.Select(x => $"new({CSharp.String(x.Signal.Name)}, {Shape(ShapeOf(x.Signal.Type))}, {x.Value.Offset}{Kind(x.Signal.Type)})")) + " },");
            var objectives = _s.SignalValues.Where(x => x.Signal.IsObjective).Select(x => CSharp.String(x.Signal.Name)).ToList();
            _w.Line("    " + (objectives.Count == 0 ? "__System.Array.Empty<string>()" : "new[] { " + string.Join(", ", objectives) + " }") + ");");
            _w.Line();
        }

        private void EmitConstructor()
        {
            _w.Line("/// <param name=\"batch\">samples run together</param>");
            _w.Line("/// <param name=\"time\">steps of a sequence</param>");
            _w.Line("/// <param name=\"checkpointEvery\">steps between stored states in Backward; 0: about the square root of <paramref name=\"time\"/></param>");
            using (_w.Block($"public {_type}(int batch, int time, int checkpointEvery = 0) : base(Layout, batch, time, checkpointEvery)"))
            {
                _w.Line("__theta = ParameterStore;");
                _w.Line("__grad = GradientStore;");
                foreach (var p in _unit.Params.Where(p => p.Type.Scalar == ScalarType.Real))
                    _w.Line($"{Fill(Param(p.Name).Offset, _defaults.Get(p.Name))}   // {CSharp.Comment(p.Name)} = {CSharp.Comment(IrPrinter.Expr(p.Default))}");
                var filterStates = new HashSet<string>(_s.FilterStates, StringComparer.Ordinal);
                foreach (var (st, _, _) in _s.StateValues)
                {
                    if (filterStates.Contains(st.Name)) continue;   // a filter's memory starts at 0, which its first step does not read
                    var v = _defaults.Get(st.Name);
                    if (v.All(x => x == 0)) continue;
                    if (v.Length == 1) _w.Line($"InitialState({CSharp.String(st.Name)}).Fill(T.CreateTruncating({CSharp.Literal(v[0])}));   // {CSharp.Comment(st.Name)} = {CSharp.Comment(st.Init == null ? "0" : IrPrinter.Expr(st.Init))}");
                    else
                        using (_w.Block($"for (int b = 0; b < batch; b++)   // {CSharp.Comment(st.Name)} = {CSharp.Comment(st.Init == null ? "0" : IrPrinter.Expr(st.Init))}"))
                            _w.Line($"__System.MemoryExtensions.CopyTo(new T[] {{ {string.Join(", ", v.Select(x => "T.CreateTruncating(" + CSharp.Literal(x) + ")"))} }}, InitialState({CSharp.String(st.Name)}).Slice(b * {v.Length}));");
                }
            }
        }

        private static string Fill(int offset, double[] v) =>
            v.Distinct().Count() == 1 ? $"__System.Array.Fill(__theta, T.CreateTruncating({CSharp.Literal(v[0])}), {offset}, {v.Length});"
            : $"new T[] {{ {string.Join(", ", v.Select(x => "T.CreateTruncating(" + CSharp.Literal(x) + ")"))} }}.CopyTo(__theta, {offset});";

        // ------------------------------------------------------------ operands

        private string Literal(double v)
        {
            if (!_literals.TryGetValue(v, out var name))
            {
                name = "__c" + _literals.Count.ToString(CultureInfo.InvariantCulture);
                _literals[v] = name;
            }
            return name;
        }

        /// <summary>Element (i, b) of a frame value: a number per sample is at offset * B + b.</summary>
        private static string At(string frame, CellValue v, string i = "i") =>
            v.Length == 1 ? $"{frame}[{v.Offset} * B + b]"
            : i == Flat ? $"{frame}[{v.Offset} * B + k]"
            : $"{frame}[({v.Offset} + {i}) * B + b]";

        /// <summary>The index of a flat loop over a value's elements and the batch together (k = i * B + b).</summary>
        private const string Flat = "k";

        /// <summary>
        /// Whether a value's loop can run over its elements and the batch as one index: every operand is a value of its length,
        /// a number or the step (a param vector is indexed by element, a number per sample by sample).
        /// </summary>
        private bool IsFlat(CellValue v) => v.Length > 1 && v.Args.All(x => x switch
        {
            ValueArg va => _s.Values[va.Id].Length == v.Length,
            ParamArg p => p.Length == 1,
            _ => true,
        });

        private string Loops(CellValue v) => v.Length == 1 ? "for (int b = 0; b < B; b++)"
            : IsFlat(v) ? $"for (int k = 0; k < {v.Length} * B; k++)"
            : $"for (int i = 0; i < {v.Length}; i++) for (int b = 0; b < B; b++)";

        private string Index(CellValue v) => IsFlat(v) ? Flat : "i";

        /// <summary>An operand's element i of sample b, read by a value of <paramref name="length"/> elements.</summary>
        private string Read(CellArg arg, string i = "i") => arg switch
        {
            ValueArg v => At("f", _s.Values[v.Id], i),
            LiteralArg l => Literal(l.Value),
            ParamArg p when p.Real => p.Length == 1 ? $"__theta[{Param(p.Name).Offset}]" : $"__theta[{Param(p.Name).Offset} + {i}]",
            ParamArg p => Literal(_defaults.Get(p.Name)[0]),
            StepArg => "t",
            _ => throw new InvalidOperationException(),
        };

        /// <summary>Where an operand's gradient goes (its adjoint or a parameter's gradient); null when it carries none.</summary>
        private string? Target(CellArg arg, string i = "i") => arg switch
        {
            ValueArg v when !_s.Values[v.Id].IsBool => At("a", _s.Values[v.Id], i),
            ParamArg p when p.Real => p.Length == 1 ? $"__grad[{Param(p.Name).Offset}]" : $"__grad[{Param(p.Name).Offset} + {i}]",
            _ => null,
        };

        private static bool IsElementwise(CellOp op) => op is CellOp.Broadcast or CellOp.Negate or CellOp.Not or CellOp.Binary or CellOp.Select or CellOp.Call or CellOp.Activation or CellOp.Project;


        // ------------------------------------------------------------ forward

        private void EmitForward(List<(string Label, CodeWriter Body)> parts)
        {
            var writer = new PartWriter(this, parts, "");
            foreach (var run in Runs())
            {
                var v = run[0];
                var w = writer.For(v);
                if (run.Count == 1 && !IsFusable(v)) EmitValue(w, v);
                else EmitFused(w, run);
            }
            writer.Close();
        }

        /// <summary>
        /// The generated methods of a step or its adjoint, one per statement (and one for the step's end), each named after its
        /// rule and equation: <see cref="For"/> gives the writer of a value's statement, starting the next method (and closing
        /// the last one's '#line') when the statement changes.
        /// </summary>
        private sealed class PartWriter
        {
            private readonly CellEmitter _e;
            private readonly List<(string Label, CodeWriter Body)> _parts;
            private readonly string _prefix;
            private CodeWriter? _w;
            private int _statement;        // the statement of the method being written (_w)

            public PartWriter(CellEmitter emitter, List<(string Label, CodeWriter Body)> parts, string prefix)
            {
                _e = emitter;
                _parts = parts;
                _prefix = prefix;
            }

            public CodeWriter For(CellValue v)
            {
                if (_w != null && v.Statement == _statement) return _w;
                Close();
                _w = new CodeWriter(3);
                string label = v.Statement < 0 ? "the step's end"
                    : IrPrinter.RuleLabel(_e._s.Statements[v.Statement].Rule) + ": " + IrPrinter.Statement(_e._s.Statements[v.Statement].Stmt);
                _parts.Add((_prefix + label, _w));
                _statement = v.Statement;
                _e.Heading(_w, v, _prefix);
                return _w;
            }

            public void Close()
            {
                if (_w != null) _e.CloseLine(_w, _statement);
            }
        }

        /// <summary>A method's opening comments: its rule and equation (or the step's end), and the '#line' of the equation.</summary>
        private void Heading(CodeWriter w, CellValue v, string prefix)
        {
            if (v.Statement < 0)
            {
                w.Line($"// ---- {prefix}the step's end: {(v.Op == CellOp.Project ? "the bounded state '" + v.Name + "' projected onto its bounds" : "values the host reads")}");
                return;
            }
            var st = _s.Statements[v.Statement];
            w.Line($"// ---- {prefix}{CSharp.Comment(IrPrinter.RuleLabel(st.Rule))}");
            w.Line("// " + CSharp.Comment(IrPrinter.Statement(st.Stmt)));
            if (_options.Sources.TryGetValue(st.Rule.Origin.Path, out var file))
                w.LineDirective(file.GetPosition(st.Stmt.Span.Start).Line, CSharp.LineFile(_options.LinePath(st.Rule.Origin.Path)));
        }

        private void CloseLine(CodeWriter w, int statement)
        {
            if (statement >= 0 && _options.Sources.ContainsKey(_s.Statements[statement].Rule.Origin.Path)) w.DefaultLines();
        }

        private void EmitValue(CodeWriter w, CellValue v)
        {
            var args = v.Args;
            if (IsElementwise(v.Op))
            {
                w.Line($"{Loops(v)} {At("f", v, Index(v))} = {Elementwise(v, Index(v))};");
                return;
            }
            switch (v.Op)
            {
                case CellOp.Reduce:
                    if (IsBatchVector(v)) VectorAndRemainder(w, "b", "B", () => EmitReduceVector(w, v));
                    else
                        using (w.Block("for (int b = 0; b < B; b++)"))
                            EmitReduce(w, v);
                    break;
                case CellOp.Softmax:
                {
                    int n = v.Length;
                    string x = Read(args[0]);
                    if (IsBatchVector(v))
                    {
                        VectorAndRemainder(w, "b", "B", () =>
                        {
                            string xv = VElement(args[0]);
                            w.Line("var m = Vec(T.NegativeInfinity); var s = Vec(T.Zero);");
                            w.Line($"for (int i = 0; i < {n}; i++) m = __System.Numerics.Vector.Max(m, {xv});");
                            w.Line($"for (int i = 0; i < {n}; i++) s += VExp({xv} - m);");
                            w.Line($"for (int i = 0; i < {n}; i++) {Store("f", $"({v.Offset} + i) * B + b", $"(VExp({xv} - m) / s)")}");
                        });
                        break;
                    }
                    using (w.Block("for (int b = 0; b < B; b++)"))
                    {
                        w.Line("T m = T.NegativeInfinity, s = T.Zero;");
                        w.Line($"for (int i = 0; i < {n}; i++) m = T.Max(m, {x});");
                        w.Line($"for (int i = 0; i < {n}; i++) s += T.Exp({x} - m);");
                        w.Line($"for (int i = 0; i < {n}; i++) {At("f", v)} = T.Exp({x} - m) / s;");
                    }
                    break;
                }
                case CellOp.Concat:
                {
                    int at = 0;
                    foreach (var arg in args)
                    {
                        var part = _s.Values[((ValueArg)arg).Id];
                        w.Line($"Copy(f, {part.Offset} * B, {v.Offset + at} * B, {part.Length} * B);");
                        at += part.Length;
                    }
                    break;
                }
                case CellOp.Linear:
                {
                    var l = v.Layer!;
                    var x = _s.Values[((ValueArg)args[0]).Id];
                    w.Line($"Linear({ParamSpan("__theta", l.WeightName)}, {ParamSpan("__theta", l.BiasName)}, f.Slice({x.Offset} * B, {x.Length} * B), f.Slice({v.Offset} * B, {v.Length} * B), {v.Length}, {x.Length}, B);   // {CSharp.Comment(l.WeightName)} x + {CSharp.Comment(l.BiasName)}");
                    break;
                }
                default:
                    throw new InvalidOperationException("no forward for " + v.Op);
            }
        }

        private string Elementwise(CellValue v, string i)
        {
            var a = v.Args;
            switch (v.Op)
            {
                case CellOp.Broadcast: return Read(a[0], i);
                case CellOp.Negate: return "-" + Read(a[0], i);
                case CellOp.Not: return $"Bool({Read(a[0], i)} == T.Zero)";
                case CellOp.Select: return $"{Read(a[0], i)} != T.Zero ? {Read(a[1], i)} : {Read(a[2], i)}";
                case CellOp.Project: return $"Clamp({Read(a[0], i)}, {Read(a[1], i)}, {Read(a[2], i)})";
                case CellOp.Call:
                case CellOp.Activation:
                {
                    var call = BuiltinSpellings.Elementwise[v.Function!].Generic + "(" + string.Join(", ", a.Select(x => Read(x, i))) + ")";
                    return v.IsBool ? "Bool(" + call + ")" : call;
                }
                case CellOp.Binary:
                {
                    string x = Read(a[0], i), y = Read(a[1], i);
                    return v.Binary switch
                    {
                        BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div => Arithmetic(v.Binary, x, y),
                        BinaryOp.Mod => $"{x} % {y}",
                        BinaryOp.Pow => $"T.Pow({x}, {y})",
                        BinaryOp.And => $"Bool({x} != T.Zero && {y} != T.Zero)",
                        BinaryOp.Or => $"Bool({x} != T.Zero || {y} != T.Zero)",
                        _ => $"Bool({x} {Operators.Text(v.Binary)} {y})",
                    };
                }
                default: throw new InvalidOperationException("not elementwise: " + v.Op);
            }
        }

        /// <summary>x + y, x - y, x * y or x / y: C#'s operator, on numbers and on vectors alike.</summary>
        private static string Arithmetic(BinaryOp op, string x, string y) => op switch
        {
            BinaryOp.Add => $"{x} + {y}",
            BinaryOp.Sub => $"{x} - {y}",
            BinaryOp.Mul => $"{x} * {y}",
            BinaryOp.Div => $"{x} / {y}",
            _ => throw new InvalidOperationException("not arithmetic: " + op),
        };

        private void EmitReduce(CodeWriter w, CellValue v)
        {
            var a = v.Args;
            int n = _s.Values[((ValueArg)a[0]).Id].Length;
            string x = Read(a[0]);
            string result = At("f", v);
            switch (v.Function)
            {
                case "sum": w.Line($"T s = T.Zero; for (int i = 0; i < {n}; i++) s += {x}; {result} = s;"); break;
                case "mean": w.Line($"T s = T.Zero; for (int i = 0; i < {n}; i++) s += {x}; {result} = s / T.CreateTruncating({n});"); break;
                case "dot": w.Line($"T s = T.Zero; for (int i = 0; i < {n}; i++) s += {x} * {Read(a[1])}; {result} = s;"); break;
                case "norm": w.Line($"T s = T.Zero; for (int i = 0; i < {n}; i++) s += {x} * {x}; {result} = T.Sqrt(s);"); break;
                case "logsumexp":
                    w.Line($"T m = T.NegativeInfinity, s = T.Zero; for (int i = 0; i < {n}; i++) m = T.Max(m, {x});");
                    w.Line($"for (int i = 0; i < {n}; i++) s += T.Exp({x} - m); {result} = m + T.Log(s);");
                    break;
                // NaN anywhere gives NaN, as the interpreter's Math.Max and Math.Min.
                case "max": w.Line($"T m = T.NegativeInfinity; for (int i = 0; i < {n}; i++) m = T.Max(m, {x}); {result} = m;"); break;
                case "min": w.Line($"T m = T.PositiveInfinity; for (int i = 0; i < {n}; i++) m = T.Min(m, {x}); {result} = m;"); break;
                default: throw new EmitNotSupportedException($"'{v.Function}' is not emitted by the cell backend yet");
            }
        }

        // ------------------------------------------------------------ adjoint

        private void EmitBackward(List<(string Label, CodeWriter Body)> parts)
        {
            var writer = new PartWriter(this, parts, "adjoint of ");
            var runs = Runs();
            for (int k = runs.Count - 1; k >= 0; k--)
            {
                var run = runs[k];
                var v = run[run.Count - 1];
                if (v.IsBool) continue;
                if (run.All(x => x.Args.All(arg => Target(arg) == null))) continue;
                var w = writer.For(v);
                if (run.Count == 1 && !IsFusable(v)) EmitAdjoint(w, v);
                else EmitFusedAdjoint(w, run);
            }
            writer.Close();
        }

        private void EmitAdjoint(CodeWriter w, CellValue v)
        {
            var a = v.Args;
            if (IsElementwise(v.Op))
            {
                using (w.Block(Loops(v)))
                {
                    w.Line($"T g = {At("a", v, Index(v))};");
                    w.Line("if (g == T.Zero) continue;");
                    ElementwiseAdjoint(w, v, Index(v));
                }
                return;
            }
            switch (v.Op)
            {
                case CellOp.Reduce:
                    if (IsBatchVector(v))
                        using (w.Block(BatchVectorLoop))
                        {
                            w.Line($"var g = Ld(a, {v.Offset} * B + b);");
                            ReduceAdjointVector(w, v);
                        }
                    using (w.Block(IsBatchVector(v) ? BatchRemainderLoop : "for (int b = 0; b < B; b++)"))
                    {
                        w.Line($"T g = {At("a", v)};");
                        w.Line("if (g == T.Zero) continue;");
                        ReduceAdjoint(w, v);
                    }
                    break;
                case CellOp.Softmax:
                {
                    var tx = Target(a[0]);
                    if (tx == null) break;
                    if (IsBatchVector(v))
                        using (w.Block(BatchVectorLoop))
                        {
                            string yv = $"Ld(f, ({v.Offset} + i) * B + b)", gv = $"Ld(a, ({v.Offset} + i) * B + b)";
                            w.Line($"var gy = Vec(T.Zero); for (int i = 0; i < {v.Length}; i++) gy += {gv} * {yv};");
                            w.Line($"for (int i = 0; i < {v.Length}; i++) AddSt(a, ({_s.Values[((ValueArg)a[0]).Id].Offset} + i) * B + b, {yv} * ({gv} - gy));");
                        }
                    using (w.Block(IsBatchVector(v) ? BatchRemainderLoop : "for (int b = 0; b < B; b++)"))
                    {
                        w.Line($"T gy = T.Zero; for (int i = 0; i < {v.Length}; i++) gy += {At("a", v)} * {At("f", v)};");
                        w.Line($"for (int i = 0; i < {v.Length}; i++) {tx} += {At("f", v)} * ({At("a", v)} - gy);");
                    }
                    break;
                }
                case CellOp.Concat:
                {
                    int at = 0;
                    foreach (var arg in a)
                    {
                        var part = _s.Values[((ValueArg)arg).Id];
                        var t = Target(arg);
                        if (t != null) w.Line($"AddInto(a, {v.Offset + at} * B, {part.Offset} * B, {part.Length} * B);");
                        at += part.Length;
                    }
                    break;
                }
                case CellOp.Linear:
                {
                    var l = v.Layer!;
                    var x = _s.Values[((ValueArg)a[0]).Id];
                    w.Line($"LinearBackward({ParamSpan("__theta", l.WeightName)}, f.Slice({x.Offset} * B, {x.Length} * B), a.Slice({v.Offset} * B, {v.Length} * B), a.Slice({x.Offset} * B, {x.Length} * B), {ParamSpan("__grad", l.WeightName)}, {ParamSpan("__grad", l.BiasName)}, {v.Length}, {x.Length}, B);   // {CSharp.Comment(l.WeightName)}, {CSharp.Comment(l.BiasName)}");
                    break;
                }
                default:
                    throw new InvalidOperationException("no adjoint for " + v.Op);
            }
        }

        private void ElementwiseAdjoint(CodeWriter w, CellValue v, string i)
        {
            var a = v.Args;
            void Add(int k, string amount)
            {
                var t = Target(a[k], i);
                if (t != null) w.Line($"{t} += {amount};");
            }
            switch (v.Op)
            {
                case CellOp.Broadcast: Add(0, "g"); break;
                case CellOp.Negate: Add(0, "-g"); break;
                case CellOp.Select:
                {
                    string? t1 = Target(a[1], i), t2 = Target(a[2], i);
                    if (t1 != null && t2 != null) w.Line($"if ({Read(a[0], i)} != T.Zero) {t1} += g; else {t2} += g;");
                    else if (t1 != null) w.Line($"if ({Read(a[0], i)} != T.Zero) {t1} += g;");
                    else if (t2 != null) w.Line($"if ({Read(a[0], i)} == T.Zero) {t2} += g;");
                    break;
                }
                case CellOp.Project:
                {
                    // clamp's rule: to the value where it was inside its bounds (bounds included), else to the bound taken.
                    string x = Read(a[0], i), lo = Read(a[1], i), hi = Read(a[2], i);
                    string? tx = Target(a[0], i), tlo = Target(a[1], i), thi = Target(a[2], i);
                    if (tlo == null && thi == null)
                    {
                        if (tx != null) w.Line($"if ({x} >= {lo} && {x} <= {hi}) {tx} += g;");
                        break;
                    }
                    w.Line($"DClamp({x}, {lo}, {hi}, {At("f", v, i)}, out T d0, out T d1, out T d2);");
                    if (tx != null) w.Line($"{tx} += g * d0;");
                    if (tlo != null) w.Line($"{tlo} += g * d1;");
                    if (thi != null) w.Line($"{thi} += g * d2;");
                    break;
                }
                case CellOp.Binary:
                {
                    string x = Read(a[0], i), y = Read(a[1], i);
                    switch (v.Binary)
                    {
                        case BinaryOp.Add: Add(0, "g"); Add(1, "g"); break;
                        case BinaryOp.Sub: Add(0, "g"); Add(1, "-g"); break;
                        case BinaryOp.Mul: Add(0, $"g * {y}"); Add(1, $"g * {x}"); break;
                        case BinaryOp.Div: Add(0, $"g * (T.One / {y})"); Add(1, $"g * (-{x} / ({y} * {y}))"); break;
                        case BinaryOp.Mod: Add(0, "g"); Add(1, $"g * -T.Truncate({x} / {y})"); break;
                        case BinaryOp.Pow when a[1] is LiteralArg { Value: 2 }:
                            // d/dx x^2 = 2 x^1 = 2 x, exactly as the reference's y x^(y-1) computes it (pow(x, 1) is x); the value
                            // itself stays pow(x, 2), which differs from x * x by an ulp now and then.
                            Add(0, $"g * ({Literal(2)} * {x})");
                            break;
                        case BinaryOp.Pow:
                            w.Line($"DPow({x}, {y}, {At("f", v, i)}, out T d0, out T d1);");
                            Add(0, "g * d0");
                            Add(1, "g * d1");
                            break;
                    }
                    break;
                }
                case CellOp.Call:
                case CellOp.Activation:
                {
                    var d = CellSpellings.Derivative(v.Function!) ?? throw new EmitNotSupportedException($"'{v.Function}' has no derivative");
                    var xs = string.Join(", ", a.Select(x => Read(x, i)));
                    if (a.Count == 1)
                    {
                        // A zero local derivative passes nothing, an infinite g included (the reference's rule).
                        var t0 = Target(a[0], i);
                        if (t0 != null) w.Line($"{{ T d0 = {d}({xs}, {At("f", v, i)}); if (d0 != T.Zero) {t0} += g * d0; }}");
                        break;
                    }
                    w.Line($"{d}({xs}, {At("f", v, i)}, {string.Join(", ", a.Select((_, k) => "out T d" + k.ToString(CultureInfo.InvariantCulture)))});");
                    for (int k = 0; k < a.Count; k++)
                        if (Target(a[k], i) != null) w.Line($"if (d{k} != T.Zero) {Target(a[k], i)} += g * d{k};");
                    break;
                }
            }
        }

        private void ReduceAdjoint(CodeWriter w, CellValue v)
        {
            var a = v.Args;
            int n = _s.Values[((ValueArg)a[0]).Id].Length;
            string x = Read(a[0]), y = At("f", v);
            string? tx = Target(a[0]);
            switch (v.Function)
            {
                case "sum": if (tx != null) w.Line($"for (int i = 0; i < {n}; i++) {tx} += g;"); break;
                case "mean": if (tx != null) w.Line($"for (int i = 0; i < {n}; i++) {tx} += g / T.CreateTruncating({n});"); break;
                case "dot":
                {
                    string? ty = Target(a[1]);
                    if (tx != null) w.Line($"for (int i = 0; i < {n}; i++) {tx} += g * {Read(a[1])};");
                    if (ty != null) w.Line($"for (int i = 0; i < {n}; i++) {ty} += g * {x};");
                    break;
                }
                case "norm": if (tx != null) w.Line($"if ({y} != T.Zero) for (int i = 0; i < {n}; i++) {tx} += g * {x} / {y};"); break;
                case "logsumexp": if (tx != null) w.Line($"for (int i = 0; i < {n}; i++) {tx} += g * T.Exp({x} - {y});"); break;
                case "max":
                case "min":
                    // Split evenly among the elements equal to the extreme (PyTorch's evenly_distribute_backward, as Derivatives).
                    if (tx != null) w.Line($"int ties = 0; for (int i = 0; i < {n}; i++) if ({x} == {y}) ties++; for (int i = 0; i < {n}; i++) if ({x} == {y}) {tx} += g / T.CreateTruncating(ties);");
                    break;
            }
        }
    }
}
