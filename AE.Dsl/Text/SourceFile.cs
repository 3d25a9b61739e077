using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

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

    /// <summary>Why a file is not text: where the first offending byte or character is (an offset in the text) and what it is.</summary>
    public sealed record NotText(int Offset, string Detail);

    /// <summary>
    /// One .ae file: its path as the user named it and its text with any BOM removed.
    /// Columns count UTF-16 code units from 1, the convention of MSBuild and Roslyn.
    /// </summary>
    public sealed class SourceFile
    {
        private readonly int[] _lineStarts;

        /// <summary>
        /// A file from its text. Text with a NUL character (U+0000) is not a text file (<see cref="NotText"/>):
        /// that is what decoding binary content gives.
        /// </summary>
        public SourceFile(string path, string text) : this(path, text, null) { }

        private SourceFile(string path, string text, NotText? notText)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            if (text is null) throw new ArgumentNullException(nameof(text));
            bool bom = text.Length > 0 && text[0] == '\uFEFF';
            Text = bom ? text.Substring(1) : text;
            _lineStarts = ComputeLineStarts(Text);
            if (notText == null)
            {
                int nul = Text.IndexOf('\0');
                if (nul >= 0) notText = new NotText(nul, "character U+0000 at offset " + (nul + (bom ? 1 : 0)).ToString(CultureInfo.InvariantCulture));
            }
            NotText = notText;
        }

        public string Path { get; }
        public string Text { get; }
        public int LineCount => _lineStarts.Length;

        /// <summary>Why this is not a text file (binary content), or null for a text file.</summary>
        public NotText? NotText { get; }

        /// <summary>A file another reader found is not text (<paramref name="why"/>, as <see cref="FromBytes"/> found it).</summary>
        public static SourceFile NotTextFile(string path, string text, NotText why) => new(path, text, why);

        /// <summary>
        /// Reads a file as UTF-8 (with or without BOM); bytes that are not UTF-8 become U+FFFD and are reported by the lexer.
        /// Content that is not text sets <see cref="NotText"/>: a NUL byte anywhere, or a first block that is mostly
        /// not UTF-8 text (see <see cref="BinaryDetection"/>).
        /// </summary>

        public static SourceFile FromBytes(string path, byte[] bytes)
        {
            if (bytes is null) throw new ArgumentNullException(nameof(bytes));
            var text = new UTF8Encoding(false, false).GetString(bytes);
            NotText? notText = null;
            var binary = BinaryDetection.Find(bytes);
            if (binary is (int at, string reason))
            {
                // The bytes before the first offending one decode to these characters (a leading BOM is dropped).
                int offset = new UTF8Encoding(false, false).GetCharCount(bytes, 0, at);
                if (text.Length > 0 && text[0] == '\uFEFF') offset--;
                notText = new NotText(Math.Max(0, offset), reason);
            }
            return new SourceFile(path, text, notText);
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

    /// <summary>
    /// Tells binary content from text, as tools such as git and Perl's <c>-B</c> do: a NUL byte anywhere, or a
    /// first block (<see cref="BlockSize"/> bytes) of which more than 30% is neither UTF-8 text nor the usual
    /// white space: bytes of invalid UTF-8 sequences and control characters other than tab, line feed,
    /// vertical tab, form feed, carriage return and escape. A text file with a stray invalid byte or control
    /// character stays text (the lexer reports the character, AE0001).
    /// </summary>
    public static class BinaryDetection
    {
        public const int BlockSize = 4096;

        /// <summary>The offset of the first offending byte and a description of it, or null for text.</summary>
        public static (int Offset, string Detail)? Find(byte[] bytes)
        {
            if (bytes is null) throw new ArgumentNullException(nameof(bytes));
            int nul = Array.IndexOf(bytes, (byte)0);
            if (nul >= 0) return (nul, "byte 0x00 at offset " + nul.ToString(CultureInfo.InvariantCulture));

            int block = Math.Min(bytes.Length, BlockSize), odd = 0, first = -1;
            for (int i = 0; i < block;)
            {
                int n = Utf8SequenceLength(bytes, i);
                if (n > 0)
                {
                    byte b = bytes[i];
                    if (b == 0x7F || (b < 0x20 && b != '\t' && b != '\n' && b != 0x0B && b != 0x0C && b != '\r' && b != 0x1B))
                    {
                        odd++;
                        if (first < 0) first = i;
                    }
                    i += n;
                }
                else
                {
                    odd++;
                    if (first < 0) first = i;
                    i++;
                }
            }
            if (first < 0 || odd * 10 <= block * 3) return null;
            return (first, "byte 0x" + bytes[first].ToString("X2", CultureInfo.InvariantCulture) + " at offset " + first.ToString(CultureInfo.InvariantCulture)
                + "; " + (odd * 100 / block).ToString(CultureInfo.InvariantCulture) + "% of its " + (block < bytes.Length ? "first " : "")
                + block.ToString(CultureInfo.InvariantCulture) + " bytes are not UTF-8 text");
        }

        /// <summary>The length of the well-formed UTF-8 sequence at <paramref name="i"/> (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or 0.</summary>
        private static int Utf8SequenceLength(byte[] s, int i)
        {
            byte b = s[i];
            if (b < 0x80) return 1;
            int n; byte lo = 0x80, hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) n = 2;
            else if (b >= 0xE0 && b <= 0xEF) { n = 3; if (b == 0xE0) lo = 0xA0; else if (b == 0xED) hi = 0x9F; }
            else if (b >= 0xF0 && b <= 0xF4) { n = 4; if (b == 0xF0) lo = 0x90; else if (b == 0xF4) hi = 0x8F; }
            else return 0;
            if (i + n > s.Length) return 0;
            if (s[i + 1] < lo || s[i + 1] > hi) return 0;
            for (int k = 2; k < n; k++) if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
            return n;
        }
    }
}
