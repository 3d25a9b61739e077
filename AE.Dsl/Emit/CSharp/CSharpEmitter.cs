using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Passes;
using AE.Dsl.Schedule;
using AE.Dsl.Syntax;
using AE.Dsl.Text;

namespace AE.Dsl.Emit
{
    /// <summary>How a unit becomes C#.</summary>
    public sealed class CSharpEmitOptions
    {
        /// <summary>The namespace of the generated type.</summary>
        public string Namespace { get; set; } = "AE.Generated";

        /// <summary>The generated type's name; the unit's name when null.</summary>
        public string? TypeName { get; set; }

        /// <summary>Rules removed at compile time: the emitted type has no trace of their code.</summary>
        public IReadOnlyCollection<string> Ablate { get; set; } = Array.Empty<string>();

        /// <summary>Reductions read one step late (<c>law X = Base lagged;</c>): one pass over the vectors per step.</summary>
        public bool Lagged { get; set; }

        /// <summary>The .ae files the unit came from, for #line directives and comments; no #line when empty.</summary>
        public IReadOnlyDictionary<string, SourceFile> Sources { get; set; } = new Dictionary<string, SourceFile>();

        /// <summary>The path written in #line directives for a source path (the generator passes the full path).</summary>
        public Func<string, string> LinePath { get; set; } = p => p;

        /// <summary>Where the type is declared, as its header names it: a variant's own declaration (null: the unit's).</summary>
        public IR.IrOrigin? Origin { get; set; }

        /// <summary>The type's summary when it is not the unit's title: a variant's own title.</summary>
        public string? Title { get; set; }
    }

    /// <summary>
    /// The C# backend. For each law: a partial class with an options type (defaults from the .ae
    /// file), the params, coefficients, state and signals as members readable after every step,
    /// run-time rule switches, and Step overloads for double and float spans. The step is fused:
    /// every reduction the law needs is computed in as few passes over the vectors as its
    /// dependencies allow (one for AE-SGDm's measurement), the scalar law runs once, and one final
    /// pass writes every vector. Steps allocate nothing. Beside it, the law's population: K controllers
    /// stepped together in SIMD lanes (<see cref="PopulationEmitter"/>).
    /// </summary>
    public static partial class CSharpEmitter
    {
        public const string Version = "1.0";

        public static string Emit(IrUnit unit, CSharpEmitOptions options)
        {
            if (unit.Kind == UnitKind.Cell)
                return WithinSizes(unit, () => Cells.CellEmitter.Emit(Preparation.Variant(unit, options.TypeName, options.Ablate, RefuseLaggedCell(options.TypeName ?? unit.Name, options.Lagged)), options));
            unit = Prepare(unit, options);
            var schedule = StepSchedule.Build(unit, options.Lagged);
            return new UnitEmitter(unit, schedule, options).Emit(PopulationEmitter.EmitType(unit, schedule, options));
        }

        /// <summary>
        /// Throws <see cref="EmitNotSupportedException"/> as <see cref="Emit"/> would for a unit the backend cannot emit, without
        /// writing its code: the preparation and the schedule, where every limit of the backend is met (the check's probe).
        /// </summary>
        public static void Probe(IrUnit unit, CSharpEmitOptions options)
        {
            if (unit.Kind == UnitKind.Cell)
            {
                WithinSizes(unit, () => { Cells.CellEmitter.Probe(Preparation.Variant(unit, options.TypeName, options.Ablate, RefuseLaggedCell(options.TypeName ?? unit.Name, options.Lagged))); return 0; });
                return;
            }
            StepSchedule.Build(Prepare(unit, options), options.Lagged);
        }

        /// <summary>
        /// A cell's sizes are ints: a vector, a concatenation or a net's weights of more than 2^31 - 1 elements (a net
        /// linear(46341 -> 46341)), or trained parameters of more in all, overflowed one, and the check that probes the backend
        /// ended in an internal error (or, for the parameters in all, passed a cell that emit then refused).
        /// </summary>
        private static T WithinSizes<T>(IrUnit unit, Func<T> emit)
        {
            try { return emit(); }
            catch (OverflowException)
            {
                throw new EmitNotSupportedException($"cell '{unit.Name}' has a vector, a concatenation, a net's weights or trained parameters in all of more than 2147483647 elements; the cell backend sizes them with ints");
            }
        }

        /// <summary>
        /// A lagged cell would read each reduction's value of the step before; the cell backend computes them in the step,
        /// so it refuses the variant (AE0080) rather than emit the cell unlagged under the variant's name.
        /// </summary>
        private static bool RefuseLaggedCell(string name, bool lagged) =>
            lagged ? throw new EmitNotSupportedException($"cell '{name}' is lagged; the cell backend emits cells that are not lagged so far (a lagged cell is not differentiated either)") : false;

        /// <summary>The traffic over the vectors of the step the backend emits for a law (<see cref="VectorTraffic"/>).</summary>
        public static VectorTraffic Traffic(IrUnit unit, CSharpEmitOptions options)
        {
            if (unit.Kind == UnitKind.Cell) throw new ArgumentException("a cell's step has no passes over a law's vectors", nameof(unit));
            return StepSchedule.Build(Prepare(unit, options), options.Lagged).Traffic();
        }

        /// <summary>The unit as its type is emitted (a variant without its rules); throws when the backend cannot emit it.</summary>
        internal static IrUnit Prepare(IrUnit unit, CSharpEmitOptions options)
        {
            unit = Preparation.Variant(unit, options.TypeName, options.Ablate, options.Lagged);
            Preparation.CheckSupported(unit, "the C# backend", Preparation.Limits.None);
            return Preparation.Lowered(unit, options.Lagged);
        }

        /// <summary>Whether the unit has the shape of an optimizer law: (scalar loss, vector grad) in, one host-owned vector out.</summary>
        public static bool IsOptimizerShape(IrUnit unit)
        {
            var runtimeDims = unit.Dims.Where(d => d.IsRuntime).ToList();
            if (runtimeDims.Count != 1) return false;
            var n = DimExpr.Symbol(runtimeDims[0].Name);
            var hostStates = HostStates(unit).ToList();
            return unit.Inputs.Count == 2
                && unit.Inputs[0].Type.Equals(IrType.Real)
                && unit.Inputs[1].Type.Equals(IrType.Vector(ScalarType.Real, n))
                && hostStates.Count == 1 && hostStates[0].Type.Equals(IrType.Vector(ScalarType.Real, n));
        }

        /// <summary>Whether the law has dims or vector lengths that only the run-time dims fix (its type then has <c>__CheckDims</c>).</summary>
        internal static bool ChecksDims(IrUnit unit) =>
            unit.Dims.Any(d => !d.IsRuntime && !IrFacts.IsCompileTimeDim(unit, d)) || DimValues.FreeLengths(unit).Count > 0;

        /// <summary>
        /// The constructor parameter of each run-time dim (by its C# name): the name itself, or, when it equals one of the
        /// constructor's own parameters (<paramref name="reserved"/>), the name with '_' appended until it equals none of
        /// those and no other dim.
        /// </summary>
        internal static Dictionary<string, string> DimParameters(IReadOnlyList<string> dims, params string[] reserved)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var d in dims)
            {
                var p = d;
                if (Array.IndexOf(reserved, p) >= 0)
                    do p += "_"; while (Array.IndexOf(reserved, p) >= 0 || dims.Contains(p));
                result[d] = p;
            }
            return result;
        }

        /// <summary>Vector state without an initial value: the host owns it and passes it to Step.</summary>
        public static IEnumerable<IrState> HostStates(IrUnit unit) => unit.States.Where(s => s.Init == null && !s.Type.IsScalar);
    }
}
