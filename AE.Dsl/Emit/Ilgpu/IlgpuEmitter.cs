using System;
using AE.Dsl.Emit.Kernels;
using AE.Dsl.IR;
using AE.Dsl.Schedule;

namespace AE.Dsl.Emit.Ilgpu
{
    /// <summary>
    /// The ILGPU backend: the step schedule as static C# kernel methods that ILGPU compiles at run time for
    /// a CUDA, OpenCL or CPU accelerator. The layout and schedule are the OpenCL backend's
    /// (<see cref="Kernels.KernelUnitEmitter"/>): every vector pass a kernel whose work-groups reduce in a fixed
    /// tree over shared memory and write partial results, every stretch of scalar statements a one-thread
    /// kernel that adds the previous pass's partials in group order, so the state stays on the device and a
    /// step's result depends only on its inputs and the group size. No atomics: ILGPU's own reductions end
    /// in atomics, whose float sums depend on scheduling.
    /// </summary>
    public static class IlgpuEmitter
    {
        public const string Version = "1.0";

        /// <exception cref="EmitNotSupportedException">a construct this backend does not emit (nets, softmax, concat, vector filters, a law not of the optimizer's shape, a lagged variant)</exception>
        public static IlgpuLawProgram Emit(IrUnit unit, IlgpuEmitOptions? options = null)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            options ??= new IlgpuEmitOptions();
            var name = options.Name ?? unit.Name;
            unit = KernelUnitEmitter.Prepare(unit, name, options.Ablate, options.Lagged, "ILGPU");
            // Every kernel takes the same fixed arguments (gradient, theta, the law's own vectors in one buffer), so the host needs the optimizer's shape.
            if (!CSharpEmitter.IsOptimizerShape(unit))
                throw new EmitNotSupportedException($"'{name}' is not an optimizer-shaped law (one run-time dim n, inputs loss and grad[n], one host-owned vector theta[n]); the ILGPU backend emits those only so far");
            return new IlgpuUnitEmitter(Preparation.Lowered(unit, lagged: false), name, options).Emit();
        }
    }
}
