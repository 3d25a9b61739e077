using System;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Passes;

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
            if (options.Ablate.Count > 0)
            {
                var without = string.Join(", ", options.Ablate.OrderBy(x => x, StringComparer.Ordinal));
                unit = Ablation.Apply(unit, options.Ablate) with { Name = name, Title = (unit.Title ?? unit.Name) + " (without " + without + ")" };
            }
            CheckSupported(unit);
            return new OpenClUnitEmitter(unit, name, options).Emit();
        }

        private static void CheckSupported(IrUnit unit)
        {
            string what = unit.Kind == Syntax.UnitKind.Cell ? "cell" : "law";
            if (unit.Nets.Count > 0)
                throw new EmitNotSupportedException($"{what} '{unit.Name}' applies nets; the OpenCL backend emits laws without nets so far");
            foreach (var f in unit.Filters)
                if (!f.Type.IsScalar) throw new EmitNotSupportedException($"the filter '{f.Name}' runs over a vector; the OpenCL backend emits scalar filters so far");
            foreach (var s in unit.States.Where(s => s.Type.Rank > 1)) throw new EmitNotSupportedException($"'{s.Name}' has rank {s.Type.Rank}");
            foreach (var i in unit.Inputs.Where(i => i.Type.Rank > 1)) throw new EmitNotSupportedException($"'{i.Name}' has rank {i.Type.Rank}");
            foreach (var p in unit.Params.Where(p => p.Type.Rank > 1)) throw new EmitNotSupportedException($"'{p.Name}' has rank {p.Type.Rank}");
            foreach (var r in unit.Rules) foreach (var s in r.Body) CheckStmt(s);

            static void CheckStmt(IrStmt s)
            {
                switch (s)
                {
                    case IrDefine d: CheckExpr(d.Value); break;
                    case IrSetNext n: CheckExpr(n.Value); break;
                    case IrAccumulate a: CheckExpr(a.Value); break;
                    case IrWhen w: CheckExpr(w.Condition); foreach (var t in w.Then) CheckStmt(t); foreach (var t in w.Else) CheckStmt(t); break;
                }
            }
            static void CheckExpr(IrExpr e)
            {
                if (e is IrCall c && c.Function is "softmax" or "concat")
                    throw new EmitNotSupportedException($"'{c.Function}' is not emitted by the OpenCL backend yet");
                foreach (var child in IrFacts.Children(e)) CheckExpr(child);
            }
        }
    }
}
