using System.Collections.Generic;
using AE.Dsl.Diagnostics;
using AE.Dsl.IR;
using AE.Dsl.Text;

namespace AE.Dsl.Emit
{
    /// <summary>
    /// What a build would report of a checked program beyond the checker's own diagnostics: AE0080 for each law, cell or
    /// variant the C# backend cannot emit, at its name, with the construct it stops at. <c>ae check</c> and <c>ae emit</c>
    /// report it, so that a file that checks with no warning is a file whose every unit compiles.
    /// </summary>
    public static class EmitProbe
    {
        /// <summary>The AE0080 diagnostic of <paramref name="target"/>, or null when the C# backend emits it.</summary>
        public static Diagnostic? NotEmitted(EmitTarget target, IReadOnlyDictionary<string, SourceFile> sources)
        {
            try
            {
                target.ProbeCSharp(sources);
                return null;
            }
            catch (EmitNotSupportedException ex)
            {
                return Of(target, sources, ex);
            }
        }

        /// <summary>AE0080 for what the backend said of <paramref name="target"/>: at the construct it stops at when it says where, else at the unit's name.</summary>
        public static Diagnostic? Of(EmitTarget target, IReadOnlyDictionary<string, SourceFile> sources, EmitNotSupportedException ex)
        {
            if (ex is null) throw new System.ArgumentNullException(nameof(ex));
            if (ex.At is { } at && sources.TryGetValue(at.Path, out var file))
                return Diagnostic.Create(DiagnosticCatalog.NotEmitted, file, at.Span, target.Kind, target.Name, ex.Message);
            return At(target, sources, ex.Message);
        }

        /// <summary>AE0080 for <paramref name="target"/> with <paramref name="reason"/> (what the backend said).</summary>
        public static Diagnostic? At(EmitTarget target, IReadOnlyDictionary<string, SourceFile> sources, string reason)
            => sources.TryGetValue(target.Origin.Path, out var file)
                ? Diagnostic.Create(DiagnosticCatalog.NotEmitted, file, target.Origin.Span, target.Kind, target.Name, reason)
                : null;

        /// <summary>The AE0080 diagnostics of every unit and variant of <paramref name="program"/>, in declaration order.</summary>
        public static IReadOnlyList<Diagnostic> NotEmitted(IrProgram program, IReadOnlyDictionary<string, SourceFile> sources)
        {
            var found = new List<Diagnostic>();
            foreach (var target in EmitTarget.Of(program))
                if (NotEmitted(target, sources) is { } d) found.Add(d);
            return found;
        }
    }
}
