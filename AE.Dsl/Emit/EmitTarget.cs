using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Syntax;
using AE.Dsl.Text;

namespace AE.Dsl.Emit
{
    /// <summary>
    /// One type a checked program becomes: a law or cell as declared, or a variant (its base unit with
    /// rules removed at compile time, or lagged). The generator, the CLI and every backend emit from
    /// this list, so <c>ae emit</c> prints what a build adds.
    /// </summary>
    /// <param name="Name">the type's name: the unit's or the variant's</param>
    /// <param name="Unit">the unit whose code is emitted (a variant's base)</param>
    /// <param name="Ablate">rules removed at compile time (a variant's <c>without</c> list)</param>
    /// <param name="Lagged">reductions read one step late (<c>= Base lagged;</c>)</param>
    /// <param name="Origin">where the law, cell or variant is declared</param>
    /// <param name="VariantOf">the base's name for a variant; null for a unit</param>
    /// <param name="Title">a variant's own title, when it gives one</param>
    public sealed record EmitTarget(string Name, IrUnit Unit, EqArray<string> Ablate, bool Lagged, IrOrigin Origin, string? VariantOf, string? Title = null)
    {
        /// <summary><c>law</c> or <c>cell</c>: what the unit (a variant's base) is.</summary>
        public string Kind => Unit.Kind == UnitKind.Cell ? "cell" : "law";

        /// <summary><c>law</c>, <c>cell</c>, or <c>law variant of AeSgdm without AE5</c>, <c>law variant of AeSgdm, lagged</c>.</summary>
        public string Description => VariantOf is null
            ? Kind
            : Kind + " variant of " + VariantOf + (Ablate.Count > 0 ? " without " + string.Join(", ", Ablate) : "") + (Lagged ? ", lagged" : "");

        /// <summary>Whether the type has the shape of an optimizer law (<see cref="CSharpEmitter.IsOptimizerShape"/>).</summary>
        public bool IsOptimizerShape => CSharpEmitter.IsOptimizerShape(Unit);

        /// <summary>The options that emit this target's C# type.</summary>
        public CSharpEmitOptions CSharpOptions(string @namespace, IReadOnlyDictionary<string, SourceFile> sources, Func<string, string>? linePath = null) => new()
        {
            Namespace = @namespace,
            TypeName = Name,
            Ablate = Ablate,
            Lagged = Lagged,
            Sources = sources,
            LinePath = linePath ?? (p => p),
            Origin = Origin,
            Title = Title,
        };

        /// <summary>Throws <see cref="EmitNotSupportedException"/> when the C# backend cannot emit this target, as <see cref="EmitCSharp"/> would, without writing the code.</summary>
        public void ProbeCSharp(IReadOnlyDictionary<string, SourceFile> sources) => CSharpEmitter.Probe(Unit, CSharpOptions("AeProbe", sources));

        /// <summary>The vectors the C# step of this law reads and writes per element (what a step must move at the least).</summary>
        public Schedule.VectorTraffic CSharpTraffic() => CSharpEmitter.Traffic(Unit, CSharpOptions("AeProbe", new Dictionary<string, SourceFile>()));

        /// <summary>The C# of this target: what the generator adds for it.</summary>
        /// <exception cref="EmitNotSupportedException">the C# backend cannot emit the unit</exception>
        public string EmitCSharp(string @namespace, IReadOnlyDictionary<string, SourceFile> sources, Func<string, string>? linePath = null)
            => CSharpEmitter.Emit(Unit, CSharpOptions(@namespace, sources, linePath));

        /// <summary>The ILGPU backend's kernels of this type (<c>{Name}IlgpuF32</c> or <c>F64</c> in <paramref name="namespace"/>).</summary>
        /// <exception cref="EmitNotSupportedException">what the ILGPU backend does not emit (a law not of the optimizer's shape, a lagged variant, ...)</exception>
        public Ilgpu.IlgpuLawProgram EmitIlgpu(string @namespace, IReadOnlyDictionary<string, SourceFile> sources, bool isFloat, Func<string, string>? shownPath = null)
            => Ilgpu.IlgpuEmitter.Emit(Unit, new Ilgpu.IlgpuEmitOptions { Float = isFloat, Name = Name, Namespace = @namespace, Ablate = Ablate, Lagged = Lagged, Sources = sources, ShownPath = shownPath ?? (p => p) });

        /// <summary>
        /// Every law, cell and variant of a checked program: the units in program order, then the
        /// variants. A variant whose base did not check is left out (the binder reported why).
        /// </summary>
        public static IReadOnlyList<EmitTarget> Of(IrProgram program)
        {
            if (program is null) throw new ArgumentNullException(nameof(program));
            var targets = new List<EmitTarget>();
            foreach (var unit in program.Units)
                targets.Add(new EmitTarget(unit.Name, unit, EqArray<string>.Empty, false, unit.Origin, null));
            foreach (var variant in program.Variants)
            {
                var baseUnit = program.Units.FirstOrDefault(u => string.Equals(u.Name, variant.Base, StringComparison.Ordinal));
                if (baseUnit is null) continue;
                targets.Add(new EmitTarget(variant.Name, baseUnit, variant.Without, variant.Lagged, variant.Origin, variant.Base, variant.Title));
            }
            return targets;
        }
    }
}
