using System;
using System.Linq;
using AE.Dsl.Emit.Kernels;
using AE.Dsl.IR;
using AE.Dsl.Schedule;

namespace AE.Dsl.Emit.OpenCl
{
    /// <summary>
    /// The OpenCL backend. The whole step runs on the device: every vector pass of the C# backend's
    /// step schedule becomes one kernel over the elements (each work-group reduces its share in local
    /// memory in a fixed tree order and writes partial results), and the scalar statements between
    /// passes become single-work-item kernels that first combine the previous pass's partials in
    /// group order, so a step's result depends only on its inputs and the work-group size.
    /// All scalar values of the step live in one buffer of doubles (<see cref="OpenClLawProgram.Slots"/>).
    /// </summary>
    public static class OpenClEmitter
    {
        public const string Version = "1.0";

        /// <exception cref="EmitNotSupportedException">a construct this backend does not emit (nets, softmax, concat, vector filters, ...)</exception>
        public static OpenClLawProgram Emit(IrUnit unit, OpenClEmitOptions? options = null)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            options ??= new OpenClEmitOptions();
            var name = options.Name ?? unit.Name;
            unit = Preparation.Lowered(KernelUnitEmitter.Prepare(unit, name, options.Ablate, options.Lagged, "OpenCL"), lagged: false);
            return new OpenClUnitEmitter(unit, name, options).Emit();
        }
    }
}
