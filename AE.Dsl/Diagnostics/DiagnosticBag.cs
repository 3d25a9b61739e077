using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Text;

namespace AE.Dsl.Diagnostics
{
    /// <summary>Collects diagnostics for one file, dropping exact repeats (same id, same span).</summary>
    public sealed class DiagnosticBag
    {
        private readonly List<Diagnostic> _items = new();
        private readonly HashSet<(string, int, int)> _seen = new();

        public DiagnosticBag(SourceFile file) { File = file; }

        public SourceFile File { get; }
        public IReadOnlyList<Diagnostic> Items => _items;
        public bool HasErrors => ErrorCount > 0;
        public int ErrorCount { get; private set; }
        /// <summary>Whether the lexer or parser reported anything (parts of the file may be missing).</summary>
        public bool HasSyntaxErrors { get; private set; }

        public void Report(DiagnosticDescriptor descriptor, TextSpan span, params object[] args)
        {
            span = Clamp(span);
            if (!_seen.Add((descriptor.Id, span.Start, span.End))) return;
            _items.Add(Diagnostic.Create(descriptor, File, span, args));
            if (descriptor.DefaultSeverity == Severity.Error) ErrorCount++;
            if (string.CompareOrdinal(descriptor.Id, "AE0010") < 0) HasSyntaxErrors = true;
        }

        private TextSpan Clamp(TextSpan span)
        {
            int len = File.Text.Length;
            int start = span.Start < 0 ? 0 : span.Start > len ? len : span.Start;
            int end = span.End < start ? start : span.End > len ? len : span.End;
            return new TextSpan(start, end);
        }
    }
}
