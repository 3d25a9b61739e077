using System;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Emit.OpenCl
{
    /// <summary>
    /// The OpenCL backend. The whole step runs on the device: every vector pass of the C# backend's
    /// step plan becomes one kernel over the elements (each work-group reduces its share in local
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
            if (options.Lagged)
                throw new EmitNotSupportedException($"'{name}' is lagged; the OpenCL backend runs the reductions of the current step only so far (use the C# backend)");
            unit = Preparation.Variant(unit, name, options.Ablate, lagged: false);
            Preparation.CheckSupported(unit, "the OpenCL backend", Preparation.Limits.RankAboveOneInputsAndParams);
            // A scalar filter in a vector statement or a reduction's argument updates once per step, in a scalar kernel.
            unit = AE.Dsl.Passes.FilterHoisting.Apply(unit);
            return new OpenClUnitEmitter(unit, name, options).Emit();
        }
    }
}
