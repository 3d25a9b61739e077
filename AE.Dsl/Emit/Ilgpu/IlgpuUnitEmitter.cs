using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit.Kernels;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.IR;
using AE.Dsl.Schedule;

namespace AE.Dsl.Emit.Ilgpu
{
    /// <summary>
    /// Writes one unit's ILGPU kernels: the step as <see cref="KernelUnitEmitter"/> lays it out, spelled in C#
    /// that ILGPU compiles: one static class with a constant per slot of the scalar buffer, the filters'
    /// helpers on slots, and one explicitly grouped static method per launch. Builtins are spelled in
    /// BuiltinSpellings' ILGPU column (the C# backend's System.Math and AE.Runtime.AeMath, but for what ILGPU
    /// cannot compile: sign, whose Math.Sign throws, is the class's ae_sign), noise is AE.Runtime.CounterNoise's
    /// draw itself: the text references ILGPU and AE.Runtime, and AE.Dsl references neither.
    /// </summary>
    internal sealed class IlgpuUnitEmitter : KernelUnitEmitter
    {
        private readonly IlgpuEmitOptions _options;
        private readonly string _className;

        public IlgpuUnitEmitter(IrUnit unit, string name, IlgpuEmitOptions options)
            : base(unit, name, options.Float, options.Ablate, options.Sources)
        {
            _options = options;
            _className = Names.Stem(name) + (options.Float ? "IlgpuF32" : "IlgpuF64");
        }

        public IlgpuLawProgram Emit() => new(EmitLayout(), _options.Namespace + "." + _className, _float);

        protected override string Backend => "the ILGPU backend";
        protected override string GeneratorTag => IlgpuEmitter.Version + " (ILGPU backend)";
        protected override string ArgumentsName => "the same arguments (sc, part, the gradient, theta, states, extras, seed, wg, the run-time dim)";
        protected override string SlotText(string macro) => "sc[" + macro + "]";
        protected override string SlotReference(string slot) => "ref " + slot;
        protected override string PositiveInfinity => "double.PositiveInfinity";
        protected override string NaN => "double.NaN";
        protected override string True => "true";
        protected override string False => "false";
        protected override string BoolElementType => "bool";
        protected override string ConstLocal => "";
        protected override string Mod(string left, string right) => $"({left} % {right})";
        protected override string Builtin(BuiltinSpelling spelling) => spelling.Ilgpu;

        protected override string Function(string openClName) => openClName switch
        {
            "pow" => Aliases.Math + ".Pow",
            "sqrt" => Aliases.Math + ".Sqrt",
            "max" or "ae_max" => Aliases.Math + ".Max",
            "ae_min" => Aliases.Math + ".Min",
            "ae_clamp" => Aliases.AeMath + ".Clamp",
            _ => openClName, // the filters' helpers, in the class (IlgpuPrelude)
        };

        // The draw without CounterNoise.Gaussian's argument checks (a kernel cannot throw): sites are 1..65535 by
        // the checker, and the host refuses a dim of 2^48 or more.
        protected override string Noise(int site, string? index) =>
            $"{Aliases.Runtime}.CounterNoise.GaussianUnchecked(seed, (ulong)sc[STEP], {Num(site)}, {index ?? "0L"})";

        protected override CodeWriter NewKernelWriter() => new(2);

        protected override string KernelSignature(string name)
        {
            var grad = _vectors.First(v => v.Role == OpenClVectorRole.Input);
            var theta = _vectors.First(v => v.Role == OpenClVectorRole.HostState);
            return $"public static void {name}(__Vd sc, __Vd part, __Vt {_vectorArg[grad.Name]}, __Vt {_vectorArg[theta.Name]}, __Vt states, __Vd extras, ulong seed, int wg, long {DimArg(_runtimeDims[0])})";
        }

        protected override void EmitPassStart(CodeWriter w)
        {
            w.Line("long i = __Grid.GlobalIndex.X;");
            EmitViews(w, "states", _vectors.Where(v => v.Role == OpenClVectorRole.State));
            EmitViews(w, "extras", _vectors.Where(v => v.Role is OpenClVectorRole.Param or OpenClVectorRole.Signal));
        }

        /// <summary>Each vector of a buffer that holds several one after another, as a view of its own.</summary>
        private void EmitViews(CodeWriter w, string buffer, IEnumerable<OpenClVectorBuffer> vectors)
        {
            var offset = new List<string>();
            foreach (var v in vectors)
            {
                var length = DimText(v.Length);
                w.Line($"var {_vectorArg[v.Name]} = {buffer}.SubView({(offset.Count == 0 ? "0L" : string.Join(" + ", offset))}, {length});");
                offset.Add(length);
            }
        }

        protected override string LocalIdLine => "int lid = __Group.IdxX;";
        protected override string BarrierLine => "__Group.Barrier();";
        protected override string GroupIdLine => "long g = __Grid.IdxX;";
        protected override string? ScratchLine => "var scratch = __Shared.GetDynamic<double>();";

        protected override void EmitPreamble()
        {
            _w.Line($"namespace {_options.Namespace}");
            _w.Line("{");
            var head = new CodeWriter(1);
            Aliases.Declare(head);
            head.Line("using __Vd = global::ILGPU.ArrayView<double>;");
            head.Line($"using __Vt = global::ILGPU.ArrayView<{_vecType}>;");
            head.Line("using __Grid = global::ILGPU.Grid;");
            head.Line("using __Group = global::ILGPU.Group;");
            head.Line("using __Shared = global::ILGPU.SharedMemory;");
            head.Line();
            head.Line($"/// <summary>The ILGPU kernels of {(_unit.Kind == UnitKind.Law ? "law" : "cell")} {Comment(_name)}, vectors of {_vecType}: the header says what one step launches.</summary>");
            head.Open($"public static class {_className}");
            head.Line($"// ---- the scalar buffer: {Num(_slots.Count)} doubles (bools are 0/1); the host writes slots 0..{Num(_slots.TakeWhile(s => s.Kind is OpenClSlotKind.Input or OpenClSlotKind.RuleSwitch).Count() - 1)} before each step");
            foreach (var s in _slots) head.Line($"private const int {s.Macro} = {Num(s.Index)};  // {Comment(SlotDescription(s))}");
            head.Line();
            head.Line("/// <summary>One slot of the scalar buffer set from the host without a copy (one thread): the loss before each step.</summary>");
            head.Open("public static void ae_set(__Vd sc, int slot, double value)");
            head.Line("sc[slot] = value;");
            head.Close();
            head.Line();
            foreach (var line in IlgpuPrelude.Text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n')) head.Line(line);
            head.Line();
            _w.Raw(head.ToString());
        }

        protected override string Assemble(string text) => text.TrimEnd('\n') + "\n    }\n}\n";
    }
}
