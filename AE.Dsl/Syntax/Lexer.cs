using System.Collections.Generic;
using System.Globalization;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;

namespace AE.Dsl.Syntax
{
    /// <summary>
    /// Turns a file into tokens. Never fails: a bad character is reported and skipped, an
    /// unterminated string or comment is reported and closed at end of file.
    /// </summary>
    public sealed class Lexer
    {
        private readonly string _text;
        private readonly DiagnosticBag _diagnostics;
        private int _pos;
        private readonly HashSet<string> _reported = new(System.StringComparer.Ordinal);

        private Lexer(SourceFile file, DiagnosticBag diagnostics)
        {
            _text = file.Text;
            _diagnostics = diagnostics;
        }

        public static List<Token> Tokenize(SourceFile file, DiagnosticBag diagnostics)
        {
            var lexer = new Lexer(file, diagnostics);
            var tokens = new List<Token>();
            while (true)
            {
                var token = lexer.Next();
                tokens.Add(token);
                if (token.Kind == TokenKind.EndOfFile) return tokens;
            }
        }

        private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

        /// <summary>The next token; characters that start none are reported (AE0001) and skipped, in a loop: a file of
        /// nothing else, however long, cannot deepen the stack.</summary>
        private Token Next()
        {
            bool afterBad = false;
            while (true)
            {
                SkipTrivia();
                int start = _pos;
                if (_pos >= _text.Length) return new Token(TokenKind.EndOfFile, new TextSpan(start, start), "", afterBad);

                char c = _text[_pos];
                if (IsIdentifierStart(c)) return LexIdentifier(start) with { AfterBadCharacter = afterBad };
                if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return LexNumber(start) with { AfterBadCharacter = afterBad };
                if (c == '"') return LexString(start) with { AfterBadCharacter = afterBad };
                if (LexPunctuation(c) is TokenKind k) return Make(k, start) with { AfterBadCharacter = afterBad };

                _pos++;
                if (char.IsHighSurrogate(c) && _pos < _text.Length && char.IsLowSurrogate(_text[_pos])) _pos++;
                var bad = _text.Substring(start, _pos - start);
                _diagnostics.Report(DiagnosticCatalog.UnexpectedCharacter, new TextSpan(start, _pos), Printable(bad), CodePoint(bad));
                afterBad = true;
            }
        }

        /// <summary>A literal as a message quotes it: whole up to 40 characters, else its ends around an ellipsis (a literal of
        /// 100,000 digits made a message of 100,000 characters; the span still covers all of it).</summary>
        private static string Shown(string literal) => literal.Length <= 40 ? literal : literal.Substring(0, 20) + "…" + literal.Substring(literal.Length - 12);

        private static int CodePoint(string s) => s.Length == 2 ? char.ConvertToUtf32(s[0], s[1]) : s[0];

        /// <summary>An invisible character (a control, a zero-width or other format character, a space or line separator) is
        /// quoted as its escape, so the message shows what to look for.</summary>
        private static string Printable(string s)
        {
            if (!IsInvisible(CharUnicodeInfo.GetUnicodeCategory(s, 0))) return s;
            return s.Length == 1 ? "\\u" + ((int)s[0]).ToString("X4", CultureInfo.InvariantCulture) : "\\U" + CodePoint(s).ToString("X8", CultureInfo.InvariantCulture);
        }

        private static bool IsInvisible(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark;

        /// <summary>Numbers are written in ASCII digits: other scripts' digits (Arabic-Indic, full-width, ...) are not numbers here.</summary>
        private static bool IsDigit(char c) => c is >= '0' and <= '9';

        private TokenKind? LexPunctuation(char c)
        {
            char n = Peek(1);
            switch (c)
            {
                case '{': _pos++; return TokenKind.OpenBrace;
                case '}': _pos++; return TokenKind.CloseBrace;
                case '(': _pos++; return TokenKind.OpenParen;
                case ')': _pos++; return TokenKind.CloseParen;
                case '[': _pos++; return TokenKind.OpenBracket;
                case ']': _pos++; return TokenKind.CloseBracket;
                case ',': _pos++; return TokenKind.Comma;
                case ';': _pos++; return TokenKind.Semicolon;
                case ':': _pos++; return TokenKind.Colon;
                case '.': _pos++; return TokenKind.Dot;
                case '\'': _pos++; return TokenKind.Prime;
                case '?': _pos++; return TokenKind.Question;
                case '*': _pos++; return TokenKind.Star;
                case '/': _pos++; return TokenKind.Slash;
                case '%': _pos++; return TokenKind.Percent;
                case '^': _pos++; return TokenKind.Caret;
                case '+': _pos += n == '=' ? 2 : 1; return n == '=' ? TokenKind.PlusEquals : TokenKind.Plus;
                case '-': _pos += n == '>' ? 2 : 1; return n == '>' ? TokenKind.Arrow : TokenKind.Minus;
                case '<': _pos += n == '=' ? 2 : 1; return n == '=' ? TokenKind.LessEquals : TokenKind.Less;
                case '>': _pos += n == '=' ? 2 : 1; return n == '=' ? TokenKind.GreaterEquals : TokenKind.Greater;
                case '=': _pos += n == '=' ? 2 : 1; return n == '=' ? TokenKind.EqualsEquals : TokenKind.Equals;
                case '!': _pos += n == '=' ? 2 : 1; return n == '=' ? TokenKind.BangEquals : TokenKind.Bang;
                case '&' when n == '&': _pos += 2; return TokenKind.AmpAmp;
                case '|' when n == '|': _pos += 2; return TokenKind.BarBar;
                default: return null;
            }
        }

        private Token Make(TokenKind kind, int start) => new(kind, new TextSpan(start, _pos), _text.Substring(start, _pos - start));

        private void SkipTrivia()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == '\u00A0')
                {
                    _pos++;
                }
                else if (c == '/' && Peek(1) == '/')
                {
                    while (_pos < _text.Length && _text[_pos] != '\n' && _text[_pos] != '\r') _pos++;
                }
                else if (c == '/' && Peek(1) == '*')
                {
                    int start = _pos;
                    _pos += 2;
                    while (_pos < _text.Length && !(_text[_pos] == '*' && Peek(1) == '/')) _pos++;
                    if (_pos >= _text.Length)
                    {
                        _diagnostics.Report(DiagnosticCatalog.UnterminatedToken, new TextSpan(start, start + 2), "comment", "'*/'");
                        return;
                    }
                    _pos += 2;
                }
                else
                {
                    return;
                }
            }
        }

        /// <summary>'e' or 'E' at <paramref name="ahead"/>, then a digit (optionally signed).</summary>
        private bool IsExponentStart(int ahead)
        {
            char e = Peek(ahead - 1);
            if (e != 'e' && e != 'E') return false;
            char d = Peek(ahead);
            return IsDigit(d) || ((d == '+' || d == '-') && IsDigit(Peek(ahead + 1)));
        }

        public static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);
        public static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

        /// <summary>
        /// The longest name: a generated member carries it with a prefix and a suffix (<c>__st_NAME_f32</c>, a property's
        /// backing field), and .NET metadata names are at most 1023 UTF-8 bytes, three per character of the BMP.
        /// </summary>
        public const int MaxNameLength = 255;

        private Token LexIdentifier(int start)
        {
            while (_pos < _text.Length && IsIdentifierPart(_text[_pos])) _pos++;
            var text = _text.Substring(start, _pos - start);
            var kind = TokenFacts.Keyword(text) ?? TokenKind.Identifier;
            // Reported where the name first appears in the file, once: every later use is the same mistake.
            if (kind == TokenKind.Identifier && Emit.Names.IsReserved(text) && _reported.Add(text))
                _diagnostics.Report(DiagnosticCatalog.ReservedName, new TextSpan(start, _pos), text);
            if (text.Length > MaxNameLength && _reported.Add(text))
                _diagnostics.Report(DiagnosticCatalog.NameTooLong, new TextSpan(start, _pos), text.Substring(0, 24), text.Length, MaxNameLength);
            return new Token(kind, new TextSpan(start, _pos), text);
        }

        private Token LexNumber(int start)
        {
            while (IsDigit(Peek())) _pos++;
            if (Peek() == '.' && IsDigit(Peek(1))) { _pos++; while (IsDigit(Peek())) _pos++; }
            else if (Peek() == '.' && (!IsIdentifierStart(Peek(1)) || IsExponentStart(2))) _pos++; // "1." is 1.0, "1.e5" is 1e5
            if (Peek() == 'e' || Peek() == 'E')
            {
                int save = _pos;
                _pos++;
                if (Peek() == '+' || Peek() == '-') _pos++;
                if (!IsDigit(Peek()))
                {
                    _pos = save + 1;
                    if (Peek() == '+' || Peek() == '-') _pos++;
                    _diagnostics.Report(DiagnosticCatalog.InvalidNumber, new TextSpan(start, _pos), Shown(_text.Substring(start, _pos - start)), "the exponent has no digits");
                    return new Token(TokenKind.Number, new TextSpan(start, _pos), "0");
                }
                while (IsDigit(Peek())) _pos++;
            }
            // A letter glued to a number ("3x", "1e5f") is a typo, not an implicit product.
            if (IsIdentifierStart(Peek()))
            {
                while (_pos < _text.Length && IsIdentifierPart(_text[_pos])) _pos++;
                _diagnostics.Report(DiagnosticCatalog.InvalidNumber, new TextSpan(start, _pos), Shown(_text.Substring(start, _pos - start)), "a number cannot be followed directly by letters; insert '*' or a space");
                return new Token(TokenKind.Number, new TextSpan(start, _pos), "0");
            }
            var text = _text.Substring(start, _pos - start);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsInfinity(value))
            {
                _diagnostics.Report(DiagnosticCatalog.InvalidNumber, new TextSpan(start, _pos), Shown(text), "it is out of the range of a 64-bit float; write 'inf' for infinity");
                return new Token(TokenKind.Number, new TextSpan(start, _pos), "0");
            }
            if (value == 0 && IR.Scalar.WritesNonZero(text))
            {
                _diagnostics.Report(DiagnosticCatalog.InvalidNumber, new TextSpan(start, _pos), Shown(text), "it is below the smallest 64-bit float (about 4.9e-324) and would read as 0; write 0 if 0 is meant");
                return new Token(TokenKind.Number, new TextSpan(start, _pos), "0");
            }
            return new Token(TokenKind.Number, new TextSpan(start, _pos), text);
        }

        private Token LexString(int start)
        {
            _pos++;
            var sb = new System.Text.StringBuilder();
            while (_pos < _text.Length && _text[_pos] != '"' && _text[_pos] != '\n' && _text[_pos] != '\r')
            {
                if (_text[_pos] == '\\' && _pos + 1 < _text.Length && (_text[_pos + 1] == '"' || _text[_pos + 1] == '\\'))
                {
                    sb.Append(_text[_pos + 1]);
                    _pos += 2;
                    continue;
                }
                sb.Append(_text[_pos]);
                _pos++;
            }
            if (_pos >= _text.Length || _text[_pos] != '"')
            {
                _diagnostics.Report(DiagnosticCatalog.UnterminatedToken, new TextSpan(start, _pos), "string", "'\"' on the same line");
                return new Token(TokenKind.String, new TextSpan(start, _pos), sb.ToString());
            }
            _pos++;
            return new Token(TokenKind.String, new TextSpan(start, _pos), sb.ToString());
        }
    }

}
