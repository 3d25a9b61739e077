using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Passes;
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
            unit = Prepare(unit, options);
            return new UnitEmitter(unit, options).Emit(PopulationEmitter.EmitTypePrepared(unit, options));
        }

        /// <summary>The unit as its type is emitted (a variant without its rules); throws when the backend cannot emit it.</summary>
        internal static IrUnit Prepare(IrUnit unit, CSharpEmitOptions options)
        {
            if (options.Ablate.Count > 0 || options.Lagged)
            {
                // A variant: its own name and a title that says how it differs from its base.
                var how = new List<string>();
                if (options.Ablate.Count > 0)
                {
                    how.Add("without " + string.Join(", ", options.Ablate.OrderBy(x => x, StringComparer.Ordinal)));
                    unit = Ablation.Apply(unit, options.Ablate);
                }
                if (options.Lagged) how.Add("lagged");
                unit = unit with
                {
                    Name = options.TypeName ?? unit.Name,
                    Title = (unit.Title ?? unit.Name) + " (" + string.Join(", ", how) + ")",
                };
            }
            CheckSupported(unit);
            return unit;
        }

        private static void CheckSupported(IrUnit unit)
        {
            if (unit.Nets.Count > 0)
                throw new EmitNotSupportedException($"{(unit.Kind == UnitKind.Cell ? "cell" : "law")} '{unit.Name}' applies nets; the C# backend emits laws without nets so far");
            foreach (var f in unit.Filters)
                if (!f.Type.IsScalar) throw new EmitNotSupportedException($"the filter '{f.Name}' runs over a vector; the C# backend emits scalar filters so far");
            foreach (var r in unit.Rules) foreach (var s in r.Body) CheckStmt(s);
            foreach (var s in unit.States)
                if (s.Type.Rank > 1) throw new EmitNotSupportedException($"'{s.Name}' has rank {s.Type.Rank}");

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
                    throw new EmitNotSupportedException($"'{c.Function}' is not emitted by the C# backend yet");
                foreach (var child in IrFacts.Children(e)) CheckExpr(child);
            }
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

        /// <summary>Vector state without an initial value: the host owns it and passes it to Step.</summary>
        public static IEnumerable<IrState> HostStates(IrUnit unit) => unit.States.Where(s => s.Init == null && !s.Type.IsScalar);
    }
}
