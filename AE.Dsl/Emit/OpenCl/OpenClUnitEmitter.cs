using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit.Kernels;
using AE.Dsl.IR;
using AE.Dsl.Schedule;

namespace AE.Dsl.Emit.OpenCl
{
    /// <summary>
    /// Writes one unit's OpenCL program: the step as <see cref="KernelUnitEmitter"/> lays it out, spelled in
    /// OpenCL C: the prelude (AE.Runtime's meanings in C), one <c>#define</c> per slot of the scalar buffer,
    /// <c>AE_ARGS</c>, and <c>__kernel</c> functions over local memory.
    /// </summary>
    internal sealed class OpenClUnitEmitter : KernelUnitEmitter
    {
        private readonly OpenClEmitOptions _options;

        public OpenClUnitEmitter(IrUnit unit, string name, OpenClEmitOptions options)
            : base(unit, name, options.VectorType == OpenClVectorType.Float, options.Ablate, options.Sources)
        {
            _options = options;
        }

        public OpenClLawProgram Emit() => new(EmitLayout(), _options.VectorType);

        protected override string Backend => "the OpenCL backend";
        protected override string GeneratorTag => OpenClEmitter.Version + " (OpenCL backend)";
        protected override string ArgumentsName => "AE_ARGS";
        protected override string SlotText(string macro) => macro;
        protected override string SlotReference(string slot) => "&" + slot;
        // OpenCL C's INFINITY and NAN are floats: cast, as every other literal here is a double (fmod(float, double) is ambiguous).
        protected override string PositiveInfinity => "((double)INFINITY)";
        protected override string NaN => "((double)NAN)";
        protected override string True => "1";
        protected override string False => "0";
        protected override string BoolElementType => "int";
        protected override string ConstLocal => "const ";
        protected override string Function(string openClName) => openClName;
        protected override string Mod(string left, string right) => $"fmod({left}, {right})";
        protected override string Builtin(BuiltinSpelling spelling) => spelling.OpenCl;

        protected override string Noise(int site, string? index) =>
            $"ae_gauss(seed, (ulong)STEP, {Num(site)}u, {(index is null ? "0ul" : "(ulong)" + index)})";

        protected override string KernelSignature(string name) => $"__kernel void {name}(AE_ARGS)";
        protected override void EmitPassStart(CodeWriter w) => w.Line("const long i = (long)get_global_id(0);");
        protected override string LocalIdLine => "const int lid = (int)get_local_id(0);";
        protected override string BarrierLine => "barrier(CLK_LOCAL_MEM_FENCE);";
        protected override string GroupIdLine => "const long g = (long)get_group_id(0);";

        protected override void EmitPreamble()
        {
            _w.Line(OpenClPrelude.Text.Replace("\r\n", "\n").TrimEnd('\n'));
            _w.Line();
            EmitSlotMacros();
            EmitArguments();
        }

        private void EmitSlotMacros()
        {
            _w.Line($"// ---- the scalar buffer: {Num(_slots.Count)} doubles (bools are 0/1); the host writes slots 0..{Num(_slots.TakeWhile(s => s.Kind is OpenClSlotKind.Input or OpenClSlotKind.RuleSwitch).Count() - 1)} before each step");
            foreach (var s in _slots)
                _w.Line($"#define {s.Macro} sc[{Num(s.Index)}]  // {Comment(SlotDescription(s))}");
            _w.Line();
        }

        private void EmitArguments()
        {
            var args = new List<string>
            {
                "__global double* restrict sc",
                "__global double* restrict part",
                "const ulong seed",
                "const int wg",
            };
            foreach (var d in _runtimeDims) args.Add("const long " + DimArg(d));
            foreach (var v in _vectors)
            {
                var t = v.IsFloat ? "float" : "double";
                var isConst = v.Role is OpenClVectorRole.Input or OpenClVectorRole.Param;
                args.Add($"__global {(isConst ? "const " : "")}{t}* restrict {_vectorArg[v.Name]}");
            }
            args.Add("__local double* restrict scratch");
            _w.Line("// ---- the arguments of every kernel: buffers, seed, work-group size, run-time dims, vectors, local scratch");
            _w.Line("#define AE_ARGS \\");
            for (int i = 0; i < args.Count; i++) _w.Line("    " + args[i] + (i < args.Count - 1 ? ", \\" : ""));
            _w.Line();
        }
    }
}
