using System;
using System.Globalization;
using AE.Dsl.Text;

namespace AE.Dsl.Diagnostics
{
    public enum Severity { Warning, Error }

    /// <summary>One entry of the catalogue: a stable id, its default severity and a message template.</summary>
    public sealed record DiagnosticDescriptor(string Id, Severity DefaultSeverity, string Title, string MessageFormat)
    {
        public string HelpLink => "docs/diagnostics.md#" + Id.ToLowerInvariant();
    }

    public static class Where
    {
        /// <summary>"(line,col)" for a place in the same file, "path(line,col)" for one in another file.</summary>
        public static string At(Text.SourceFile file, int offset, string fromPath)
        {
            var p = file.GetPosition(offset);
            var here = "(" + p.Line.ToString(CultureInfo.InvariantCulture) + "," + p.Column.ToString(CultureInfo.InvariantCulture) + ")";
            return file.Path == fromPath ? here : file.Path + here;
        }
    }

    /// <summary>A located diagnostic. Equatable by value so incremental pipelines can compare them.</summary>
    public sealed record Diagnostic(DiagnosticDescriptor Descriptor, string Path, TextSpan Span, LinePosition Start, LinePosition End, string Message)
    {
        public string Id => Descriptor.Id;
        public Severity Severity => Descriptor.DefaultSeverity;

        public static Diagnostic Create(DiagnosticDescriptor descriptor, SourceFile file, TextSpan span, params object[] args)
        {
            var message = args.Length == 0 ? descriptor.MessageFormat : string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args);
            return new Diagnostic(descriptor, file.Path, span, file.GetPosition(span.Start), file.GetPosition(span.End), message);
        }

        /// <summary>The MSBuild canonical form: <c>path(line,col): error AE0001: message</c>.</summary>
        public string ToMsBuildString()
        {
            var kind = Severity == Severity.Error ? "error" : "warning";
            return string.Format(CultureInfo.InvariantCulture, "{0}({1},{2}): {3} {4}: {5}", Path, Start.Line, Start.Column, kind, Id, Message);
        }

        public override string ToString() => ToMsBuildString();
    }
}
