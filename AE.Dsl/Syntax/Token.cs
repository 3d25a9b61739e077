using AE.Dsl.Text;

namespace AE.Dsl.Syntax
{
    public enum TokenKind
    {
        EndOfFile,
        Identifier,
        Number,
        String,
        // punctuation
        OpenBrace, CloseBrace, OpenParen, CloseParen, OpenBracket, CloseBracket,
        Comma, Semicolon, Colon, Dot, Prime, Question, Arrow,
        Equals, PlusEquals,
        Plus, Minus, Star, Slash, Percent, Caret,
        Less, LessEquals, Greater, GreaterEquals, EqualsEquals, BangEquals,
        AmpAmp, BarBar, Bang,
        // keywords
        Law, Cell, Group, Use, Rule, Update, Smooth, Fixed,
        Dim, Param, Input, State, Coeff, Signal, Objective, Acc, Net, Require,
        In, Log, When, Else, True, False, Inf,
        Real, Int, Bool,
        Named, Without,
    }

    /// <param name="AfterBadCharacter">the lexer dropped a character it does not know (AE0001) just before this token</param>
    public readonly record struct Token(TokenKind Kind, TextSpan Span, string Text, bool AfterBadCharacter = false)
    {
        public override string ToString() => $"{Kind} '{Text}' {Span}";
    }

    public static class TokenFacts
    {
        public static TokenKind? Keyword(string text) => text switch
        {
            "law" => TokenKind.Law,
            "cell" => TokenKind.Cell,
            "group" => TokenKind.Group,
            "use" => TokenKind.Use,
            "rule" => TokenKind.Rule,
            "update" => TokenKind.Update,
            "smooth" => TokenKind.Smooth,
            "fixed" => TokenKind.Fixed,
            "dim" => TokenKind.Dim,
            "param" => TokenKind.Param,
            "input" => TokenKind.Input,
            "state" => TokenKind.State,
            "coeff" => TokenKind.Coeff,
            "signal" => TokenKind.Signal,
            "objective" => TokenKind.Objective,
            "acc" => TokenKind.Acc,
            "net" => TokenKind.Net,
            "require" => TokenKind.Require,
            "in" => TokenKind.In,
            "log" => TokenKind.Log,
            "when" => TokenKind.When,
            "else" => TokenKind.Else,
            "true" => TokenKind.True,
            "false" => TokenKind.False,
            "inf" => TokenKind.Inf,
            "real" => TokenKind.Real,
            "int" => TokenKind.Int,
            "bool" => TokenKind.Bool,
            "named" => TokenKind.Named,
            "without" => TokenKind.Without,
            _ => null,
        };

        /// <summary>How a token is named in "expected X, found Y" messages.</summary>
        public static string Describe(TokenKind kind) => kind switch
        {
            TokenKind.EndOfFile => "end of file",
            TokenKind.Identifier => "a name",
            TokenKind.Number => "a number",
            TokenKind.String => "a string",
            TokenKind.OpenBrace => "'{'",
            TokenKind.CloseBrace => "'}'",
            TokenKind.OpenParen => "'('",
            TokenKind.CloseParen => "')'",
            TokenKind.OpenBracket => "'['",
            TokenKind.CloseBracket => "']'",
            TokenKind.Comma => "','",
            TokenKind.Semicolon => "';'",
            TokenKind.Colon => "':'",
            TokenKind.Dot => "'.'",
            TokenKind.Prime => "'''",
            TokenKind.Question => "'?'",
            TokenKind.Arrow => "'->'",
            TokenKind.Equals => "'='",
            TokenKind.PlusEquals => "'+='",
            TokenKind.Plus => "'+'",
            TokenKind.Minus => "'-'",
            TokenKind.Star => "'*'",
            TokenKind.Slash => "'/'",
            TokenKind.Percent => "'%'",
            TokenKind.Caret => "'^'",
            TokenKind.Less => "'<'",
            TokenKind.LessEquals => "'<='",
            TokenKind.Greater => "'>'",
            TokenKind.GreaterEquals => "'>='",
            TokenKind.EqualsEquals => "'=='",
            TokenKind.BangEquals => "'!='",
            TokenKind.AmpAmp => "'&&'",
            TokenKind.BarBar => "'||'",
            TokenKind.Bang => "'!'",
            _ => "'" + kind.ToString().ToLowerInvariant() + "'",
        };

        public static string Describe(Token token) => token.Kind switch
        {
            TokenKind.EndOfFile => "end of file",
            TokenKind.Identifier => "name '" + token.Text + "'",
            TokenKind.Number => "number '" + token.Text + "'",
            TokenKind.String => "a string",
            _ => "'" + token.Text + "'",
        };
    }
}
