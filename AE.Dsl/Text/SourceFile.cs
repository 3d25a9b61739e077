using System;
using System.Collections.Generic;

namespace AE.Dsl.Text
{
    /// <summary>A half-open range [Start, End) of character offsets in one source file.</summary>
    public readonly record struct TextSpan(int Start, int End)
    {
        public int Length => End - Start;
        public static TextSpan FromBounds(int start, int end) => new(start, end < start ? start : end);
        public TextSpan Cover(TextSpan other) => new(Math.Min(Start, other.Start), Math.Max(End, other.End));
        public override string ToString() => $"[{Start}..{End})";
    }

    /// <summary>1-based line and column, as MSBuild and editors print them.</summary>
    public readonly record struct LinePosition(int Line, int Column)
    {
        public override string ToString() => $"({Line},{Column})";
    }

    /// <summary>
    /// One .ae file: its path as the user named it and its text with any BOM removed.
    /// Columns count UTF-16 code units from 1, the convention of MSBuild and Roslyn.
    /// </summary>
    public sealed class SourceFile
    {
        private readonly int[] _lineStarts;

        public SourceFile(string path, string text)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            if (text is null) throw new ArgumentNullException(nameof(text));
            Text = text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;
            _lineStarts = ComputeLineStarts(Text);
        }

        public string Path { get; }
        public string Text { get; }
        public int LineCount => _lineStarts.Length;

        /// <summary>Reads a file as UTF-8 (with or without BOM); bytes that are not UTF-8 become U+FFFD and are reported by the lexer.</summary>
        public static SourceFile FromBytes(string path, byte[] bytes)
        {
            var text = new System.Text.UTF8Encoding(false, false).GetString(bytes);
            return new SourceFile(path, text);
        }

        public LinePosition GetPosition(int offset)
        {
            if (offset < 0) offset = 0;
            if (offset > Text.Length) offset = Text.Length;
            int line = Array.BinarySearch(_lineStarts, offset);
            if (line < 0) line = ~line - 1;
            return new LinePosition(line + 1, offset - _lineStarts[line] + 1);
        }

        public string GetLineText(int line)
        {
            int start = _lineStarts[line - 1];
            int end = line < _lineStarts.Length ? _lineStarts[line] : Text.Length;
            return Text.Substring(start, end - start).TrimEnd('\r', '\n');
        }

        private static int[] ComputeLineStarts(string text)
        {
            var starts = new List<int> { 0 };
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\r')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                    starts.Add(i + 1);
                }
                else if (c == '\n')
                {
                    starts.Add(i + 1);
                }
            }
            return starts.ToArray();
        }
    }
}
