using System;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using System.Text;

namespace AE.Dsl.Emit
{
    /// <summary>Indented text with '\n' line ends, so generated files are byte-identical on every platform.</summary>
    internal sealed class CodeWriter
    {
        private readonly StringBuilder _sb = new();
        private int _indent;
        /// <summary>Lines since a '#line N' directive belong to the .ae file until code that is not theirs comes.</summary>
        private bool _lineMappingEnds;
        /// <summary>The .ae line the code lines map to now (0: none), and whether the next code line follows its directive directly.</summary>
        private int _mappedLine;
        private bool _mappedLineFresh;

        public CodeWriter(int indent = 0) { _indent = indent; }

        /// <summary>The current indentation level (four spaces each).</summary>
        public int Indent => _indent;

        /// <summary>Text written by another writer, as it is.</summary>
        public void Raw(string text)
        {
            if (text.Length > 0) EndLineMappingNow();
            _sb.Append(text);
        }

        public void Line(string text = "")
        {
            // Blank lines and comments do not end a mapping: the next statement's '#line' usually follows them.
            if (text.Length > 0 && !text.StartsWith("//", StringComparison.Ordinal))
            {
                EndLineMappingNow();
                // '#line N' maps the line after it to N and each later line to the next .ae line; every code line of a
                // statement is that statement's, so each one after the first repeats the directive (the file stays).
                if (_mappedLine > 0 && !_mappedLineFresh) _sb.Append("#line ").Append(_mappedLine.ToString(CultureInfo.InvariantCulture)).Append('\n');
                _mappedLineFresh = false;
            }
            if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
            _sb.Append('\n');
        }

        /// <summary>A line at column 0 (a preprocessor directive), as it is.</summary>
        public void Directive(string text) => _sb.Append(text).Append('\n');

        /// <summary>
        /// A '#line N "file"' directive: the code lines that follow are line <paramref name="line"/> of the .ae file, until
        /// <see cref="EndLineMapping"/> or <see cref="DefaultLines"/>.
        /// </summary>
        public void LineDirective(int line, string file)
        {
            _lineMappingEnds = false;
            _mappedLine = line;
            _mappedLineFresh = true;
            _sb.Append("#line ").Append(line.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(file).Append('\n');
        }

        /// <summary>'#line default' now: the lines that follow are the generated file's.</summary>
        public void DefaultLines()
        {
            _lineMappingEnds = false;
            _mappedLine = 0;
            _sb.Append("#line default\n");
        }

        /// <summary>
        /// The lines since the last <see cref="LineDirective"/> were the .ae file's: the next code that is not
        /// (anything but another '#line', a comment or a blank line) is preceded by '#line default'. Consecutive
        /// statements so need one '#line' each and one '#line default' after the last.
        /// </summary>
        public void EndLineMapping() => _lineMappingEnds = true;

        private void EndLineMappingNow()
        {
            if (!_lineMappingEnds) return;
            _lineMappingEnds = false;
            _mappedLine = 0;
            _sb.Append("#line default\n");
        }

        public void Open(string text)
        {
            Line(text);
            Line("{");
            _indent++;
        }

        public void Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
        }

        public IDisposable Block(string text)
        {
            Open(text);
            return new Closer(this);
        }

        /// <summary>The text; a mapping still open is ended, since what follows it is another writer's.</summary>
        public override string ToString()
        {
            EndLineMappingNow();
            return _sb.ToString();
        }

        /// <summary>Text one level less indented (directives, at column 0, stay).</summary>
        public static string Dedent(string text)
        {
            var lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].StartsWith("    ", StringComparison.Ordinal)) lines[i] = lines[i].Substring(4);
            return string.Join("\n", lines);
        }

        private sealed class Closer : IDisposable
        {
            private readonly CodeWriter _w;
            public Closer(CodeWriter w) { _w = w; }
            public void Dispose() => _w.Close();
        }
    }

    /// <summary>C# spellings of names and numbers.</summary>
    internal static class CSharp
    {
        public static string Literal(double v)
        {
            if (double.IsPositiveInfinity(v)) return "double.PositiveInfinity";
            if (double.IsNegativeInfinity(v)) return "double.NegativeInfinity";
            if (double.IsNaN(v)) return "double.NaN";
            var s = v.ToString("R", CultureInfo.InvariantCulture);
            if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0) s += ".0";
            return s.Replace("E", "e");
        }

        public static string String(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    default:
                        if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"').ToString();
        }

        /// <summary>
        /// A file name for <c>#line</c>: quoted, but not a string literal (C# reads every character up to the next quote as
        /// it is, with no escapes), so a backslash stays single; a quote, which it cannot hold, becomes '_', a line end a space.
        /// </summary>
        public static string LineFile(string path) => "\"" + OneLine(path).Replace('"', '_') + "\"";

        /// <summary>A length as a C# int expression: its terms read each dim through <paramref name="dimRef"/>, fixed numbers as they are.</summary>
        public static string Dim(DimExpr d, Func<string, string> dimRef)
        {
            if (d.IsConstant) return d.Constant.ToString(CultureInfo.InvariantCulture);
            var parts = d.Terms.Select(t => t.Value == 1 ? dimRef(t.Key) : t.Value.ToString(CultureInfo.InvariantCulture) + " * " + dimRef(t.Key)).ToList();
            if (d.Constant != 0) parts.Add(d.Constant.ToString(CultureInfo.InvariantCulture));
            return parts.Count == 1 ? parts[0] : "(" + string.Join(" + ", parts) + ")";
        }

        /// <summary>Text safe inside a // comment and an XML doc comment.</summary>
        public static string Comment(string s) => OneLine(s);

        public static string Xml(string s) => OneLine(s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;"));

        /// <summary>Every character C# reads as a line end (CR, LF, NEL, LS, PS) as a space: a comment stays one line.</summary>
        private static string OneLine(string s) => s.Replace("\r", " ").Replace("\n", " ").Replace("\u0085", " ").Replace("\u2028", " ").Replace("\u2029", " ");
    }
}

namespace AE.Dsl.Emit
{
    /// <summary>Identity comparison (netstandard2.0 lacks System.Collections.Generic.ReferenceEqualityComparer).</summary>
    internal sealed class ReferenceEqualityComparer : System.Collections.Generic.IEqualityComparer<object>
    {
        public static readonly ReferenceEqualityComparer Instance = new();
        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);
        public int GetHashCode(object obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
