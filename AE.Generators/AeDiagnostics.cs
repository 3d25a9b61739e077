using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using DslCatalog = AE.Dsl.Diagnostics.DiagnosticCatalog;
using DslSeverity = AE.Dsl.Diagnostics.Severity;

namespace AE.Generators
{
    /// <summary>Roslyn descriptors for AE.Dsl's diagnostic catalogue, and the conversion of located AE diagnostics.</summary>
    internal static class AeDiagnostics
    {
        public const string Category = "AE";

        /// <summary>Where each id is described, relative to the repository (as AE.Dsl gives it).</summary>
        public static string HelpLink(string id) => "docs/diagnostics.md#" + id.ToLowerInvariant();

        private static readonly Dictionary<string, DiagnosticDescriptor> s_descriptors = Build();

        private static Dictionary<string, DiagnosticDescriptor> Build()
        {
            var map = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
            foreach (var d in DslCatalog.All) map[d.Id] = Create(d.Id, d.Title, d.DefaultSeverity == DslSeverity.Error, d.MessageFormat);
            return map;
        }

        // The message arrives formatted by AE.Dsl, so every descriptor's format is "{0}"; the
        // catalogue's template is the description. Errors are not configurable: a law with an error
        // has no generated code, so downgrading one would only trade it for C# errors. Warnings are
        // (dotnet_diagnostic.AE0050.severity in .editorconfig / .globalconfig, NoWarn, WarningsAsErrors).
        private static DiagnosticDescriptor Create(string id, string title, bool error, string template) => new(
            id,
            title,
            "{0}",
            Category,
            error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: template,
            helpLinkUri: HelpLink(id),
            customTags: error ? new[] { WellKnownDiagnosticTags.NotConfigurable } : Array.Empty<string>());

        /// <summary>Every descriptor the generator can report, by id.</summary>
        public static IReadOnlyDictionary<string, DiagnosticDescriptor> Descriptors => s_descriptors;

        public static DiagnosticDescriptor For(AeDiagnosticInfo info)
        {
            if (s_descriptors.TryGetValue(info.Id, out var d)) return d;
            // An id this build of the generator does not know (cannot happen with the linked catalogue).
            return Create(info.Id, info.Id, info.Severity != 0, "{0}");
        }

        public static Diagnostic ToDiagnostic(AeDiagnosticInfo info)
        {
            return Diagnostic.Create(For(info), ToLocation(info), info.Message);
        }

        public static Location ToLocation(AeDiagnosticInfo info)
        {
            if (info.Path.Length == 0) return Location.None;
            int start = Math.Max(0, info.SpanStart);
            int end = Math.Max(start, info.SpanEnd);
            var startPos = new LinePosition(Math.Max(0, info.StartLine), Math.Max(0, info.StartColumn));
            var endPos = new LinePosition(Math.Max(0, info.EndLine), Math.Max(0, info.EndColumn));
            if (endPos < startPos) endPos = startPos;
            return Location.Create(info.Path, TextSpan.FromBounds(start, end), new LinePositionSpan(startPos, endPos));
        }

        /// <summary>
        /// AE0099 for a failure outside the check (reporting, adding a source). Built from literals,
        /// not from the catalogue, so that it cannot fail itself.
        /// </summary>
        public static Diagnostic InternalError(string what, Exception ex) => Diagnostic.Create(
            s_internalError,
            Location.None,
            "Internal compiler error while checking '" + what + "': " + ex.GetType().Name + ": " + ex.Message + ". Please report it with this file");

        // The catalogue in AE.Dsl is the record of every id and its release; this is its AE0099.
#pragma warning disable RS2008 // Enable analyzer release tracking
        private static readonly DiagnosticDescriptor s_internalError = new(
            "AE0099",
            "Internal compiler error",
            "{0}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: "docs/diagnostics.md#ae0099",
            customTags: new[] { WellKnownDiagnosticTags.NotConfigurable });
#pragma warning restore RS2008
    }
}
