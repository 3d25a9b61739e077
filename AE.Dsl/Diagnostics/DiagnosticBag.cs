using System;
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

        private string? _context;
        private TextSpan _contextSpan;

        /// <summary>
        /// Runs <paramref name="report"/> with <paramref name="context"/> appended to the message of each diagnostic it
        /// reports within <paramref name="span"/>: where a group's rule is bound for a unit that uses it, which unit that is
        /// (the group's text is the same for every unit, its errors are not). A diagnostic elsewhere in the file (at the
        /// unit's own 'use') gets nothing.
        /// </summary>
        public void WithContext(string context, TextSpan span, Action report)
        {
            if (report is null) throw new ArgumentNullException(nameof(report));
            _context = context;
            _contextSpan = span;
            try
            {
                report();
            }
            finally
            {
                _context = null;
            }
        }

        public void Report(DiagnosticDescriptor descriptor, TextSpan span, params object[] args)
        {
            span = Clamp(span);
            if (!_seen.Add((descriptor.Id, span.Start, span.End))) return;
            var d = Diagnostic.Create(descriptor, File, span, args);
            bool inContext = _context is not null && span.Start >= _contextSpan.Start && span.End <= _contextSpan.End;
            _items.Add(inContext ? d with { Message = d.Message + _context } : d);
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
