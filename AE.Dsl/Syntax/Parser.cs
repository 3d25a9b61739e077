using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using AE.Dsl.IR;

namespace AE.Dsl.Syntax
{
    /// <summary>
    /// Recursive-descent parser with precedence climbing for expressions. It never throws and never
    /// stops at the first error: each error is reported once, the parser skips to a synchronising token
    /// (';', '}', or the next declaration keyword) and goes on, so one pass reports every syntax error.
    /// Nesting is bounded: past <see cref="MaxDepth"/> levels the nested group is skipped iteratively
    /// and reported, so deep input cannot overflow the stack.
    /// </summary>
    public sealed class Parser
    {
        public const int MaxDepth = 200;

        /// <summary>Bound on expression tree depth (long operator chains build deep trees without nesting).</summary>
        public const int MaxExprDepth = 400;

        private readonly SourceFile _file;
        private readonly List<Token> _tokens;
        private readonly DiagnosticBag _diagnostics;
        private int _pos;
        private int _exprDepth;
        private int _blockDepth;
        /// <summary>
        /// Set when a statement or declaration has reported AE0005, or when its syntax error sits where the lexer dropped an
        /// unknown character (AE0001 said it): the rest of it stays quiet.
        /// </summary>
        private bool _nestingReported;
        private int _lastErrorPos = -1;

        /// <summary>The reserved words used as names, each said once: a later use of one reads as that name, quietly.</summary>
        private readonly HashSet<string> _keywordNames = new(StringComparer.Ordinal);

        private Parser(SourceFile file, DiagnosticBag diagnostics)
        {
            _file = file;
            _diagnostics = diagnostics;
            _tokens = Lexer.Tokenize(file, diagnostics);
        }

        public static CompilationUnitSyntax Parse(SourceFile file, DiagnosticBag diagnostics)
            => new Parser(file, diagnostics).ParseCompilationUnit();

        // ---- token helpers ----

        private Token Current => _tokens[_pos];

        /// <summary>'lagged' is a word only after a variant's base or rule list, so it stays free as a name elsewhere.</summary>
        private bool AtLagged() => At(TokenKind.Identifier) && Current.Text == "lagged";
        private Token PeekToken(int ahead) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];
        private bool At(TokenKind kind) => Current.Kind == kind;

        private Token Advance()
        {
            var t = Current;
            if (_pos < _tokens.Count - 1) _pos++;
            return t;
        }

        private bool Accept(TokenKind kind)
        {
            if (!At(kind)) return false;
            Advance();
            return true;
        }

        private Token Expect(TokenKind kind, string? what = null)
        {
            if (At(kind)) return Advance();
            ErrorExpected(what ?? TokenFacts.Describe(kind));
            return new Token(kind, new TextSpan(Current.Span.Start, Current.Span.Start), "");
        }

        /// <summary>Reports "expected X, found Y" once per token position, so cascades stay quiet.</summary>
        private void ErrorExpected(string what)
        {
            if (_lastErrorPos == _pos || Quiet) return;
            _lastErrorPos = _pos;
            if (Current.AfterBadCharacter)
            {
                // 'a * Ⅻ * b': the dropped character was the operand; AE0001 is the one error, not 'expected an expression'.
                _nestingReported = true;
                return;
            }
            _diagnostics.Report(DiagnosticCatalog.SyntaxError, Current.Span, what + OtherLanguagesOperator(), TokenFacts.Describe(Current));
        }

        /// <summary>
        /// Where the token in error is another language's spelling of an operator ('and', 'or', '**'), how it is written here:
        /// the error is then its own explanation.
        /// </summary>
        private string OtherLanguagesOperator()
        {
            // Not where the word is a name that a statement assigns to ('or' = or + 1;' after a missing ';').
            if (At(TokenKind.Identifier) && _pos > 0 && _tokens[_pos - 1].Kind is not (TokenKind.Identifier or TokenKind.Comma or TokenKind.OpenParen)
                && PeekToken(1).Kind is not (TokenKind.Prime or TokenKind.Equals or TokenKind.PlusEquals))
            {
                if (Current.Text == "and") return " ('and' is written '&&')";
                if (Current.Text == "or") return " ('or' is written '||')";
            }
            if (At(TokenKind.Star) && _pos > 0 && _tokens[_pos - 1].Kind == TokenKind.Star && _tokens[_pos - 1].Span.End == Current.Span.Start)
                return " ('**' is written '^')";
            return "";
        }

        private int PreviousEnd => _pos == 0 ? 0 : _tokens[_pos - 1].Span.End;
        private TextSpan From(int start) => TextSpan.FromBounds(start, Math.Max(start, PreviousEnd));

        private NameSyntax ExpectName(string what)
        {
            if (At(TokenKind.Identifier))
            {
                var t = Advance();
                return new NameSyntax(t.Text, t.Span);
            }
            if (TokenFacts.Keyword(Current.Text) != null && IsNameLike(PeekToken(1).Kind))
            {
                // A keyword where a name belongs ('dim coeff = 16;'): say so once, and read on as if it were the name, here and
                // where it is used as a value after (ParsePrimary), so one mistake gives one error.
                if (_lastErrorPos != _pos)
                {
                    _lastErrorPos = _pos;
                    if (_keywordNames.Add(Current.Text))
                        _diagnostics.Report(DiagnosticCatalog.SyntaxError, Current.Span, what + $" ('{Current.Text}' is a reserved word; choose another name)", TokenFacts.Describe(Current));
                }
                var k = Advance();
                return new NameSyntax(k.Text, k.Span);
            }
            ErrorExpected(what);
            return new NameSyntax("", new TextSpan(Current.Span.Start, Current.Span.Start));
        }

        /// <summary>Tokens that can follow an operand: a keyword before one of these was meant as a value.</summary>
        private static bool FollowsOperand(TokenKind next) => next is TokenKind.CloseBracket or TokenKind.CloseParen or TokenKind.Comma
            or TokenKind.Semicolon or TokenKind.Plus or TokenKind.Minus or TokenKind.Star or TokenKind.Slash or TokenKind.Caret
            or TokenKind.Prime or TokenKind.Arrow or TokenKind.Less or TokenKind.Greater or TokenKind.LessEquals or TokenKind.GreaterEquals
            or TokenKind.EqualsEquals or TokenKind.BangEquals or TokenKind.AmpAmp or TokenKind.BarBar or TokenKind.Question;

        /// <summary>Tokens that can follow a declared name: a keyword before one of these was meant as a name.</summary>
        private static bool IsNameLike(TokenKind next) => next is TokenKind.Equals or TokenKind.Colon or TokenKind.Semicolon
            or TokenKind.Comma or TokenKind.In or TokenKind.OpenBrace or TokenKind.String or TokenKind.Prime or TokenKind.PlusEquals;

        private static bool IsMemberStart(TokenKind k) => k is TokenKind.Dim or TokenKind.Param or TokenKind.Input or TokenKind.State
            or TokenKind.Coeff or TokenKind.Signal or TokenKind.Objective or TokenKind.Acc or TokenKind.Net or TokenKind.Require or TokenKind.Use
            or TokenKind.Rule or TokenKind.Update or TokenKind.Smooth or TokenKind.Fixed;

        private static bool IsTopLevelStart(TokenKind k) => k is TokenKind.Law or TokenKind.Cell or TokenKind.Group;

        /// <summary>Skips to just after the next ';' at this nesting level, or to a '}' / declaration keyword.</summary>
        private void SyncStatement()
        {
            int braces = 0;
            while (!At(TokenKind.EndOfFile))
            {
                var k = Current.Kind;
                // A unit keyword always starts afresh; brackets left open by the error do not hold it back.
                if (IsTopLevelStart(k)) return;
                if (braces == 0 && (k == TokenKind.CloseBrace || IsMemberStart(k) || k == TokenKind.When)) return;
                if (k == TokenKind.OpenBrace) braces++;
                else if (k == TokenKind.CloseBrace) braces--;
                Advance();
                if (braces == 0 && k == TokenKind.Semicolon) return;
            }
        }

        /// <summary>Skips one balanced group starting at an opening bracket, without recursion.</summary>
        private void SkipBalanced()
        {
            int nest = 0;
            do
            {
                var k = Current.Kind;
                if (k is TokenKind.OpenBrace or TokenKind.OpenParen or TokenKind.OpenBracket) nest++;
                else if (k is TokenKind.CloseParen or TokenKind.CloseBracket or TokenKind.CloseBrace) nest--;
                Advance();
            } while (nest > 0 && !At(TokenKind.EndOfFile));
        }

        /// <summary>Replaces a too-deep expression by a missing one, reporting it once.</summary>
        private ExprSyntax Limit(ExprSyntax e)
        {
            if (e.Depth <= MaxExprDepth) return e;
            ReportNesting(e.Span, "Expression", MaxExprDepth, "split it into named definitions");
            return new MissingExpr(e.Span);
        }

        /// <summary>One AE0005 per statement or declaration; what follows inside it is skipped quietly.</summary>
        private void ReportNesting(TextSpan span, string what, int limit, string fix)
        {
            if (_nestingReported) return;
            _nestingReported = true;
            _lastErrorPos = _pos;
            _diagnostics.Report(DiagnosticCatalog.NestingTooDeep, span, what, limit, fix);
        }

        /// <summary>Starts a statement or declaration at the top of its block: nesting reports start afresh.</summary>
        private void BeginTopLevelPiece()
        {
            if (_blockDepth <= 1) _nestingReported = false;
        }

        /// <summary>One more level of expression nesting: brackets, operands, unary operators.</summary>
        private bool EnterExpr()
        {
            if (_exprDepth > MaxDepth)
            {
                ReportNesting(Current.Span, "Expression", MaxDepth, "split it into named definitions");
                return false;
            }
            _exprDepth++;
            return true;
        }

        /// <summary>One more level of block nesting: 'when' blocks and 'else when' chains.</summary>
        private bool EnterBlock()
        {
            if (_blockDepth > MaxDepth)
            {
                ReportNesting(Current.Span, "Block", MaxDepth, "split the conditions into named values or separate rules");
                return false;
            }
            _blockDepth++;
            return true;
        }

        /// <summary>Syntax errors inside a statement already reported as too deep are consequences, not news.</summary>
        private bool Quiet => _nestingReported;

        // ---- top level ----

        private CompilationUnitSyntax ParseCompilationUnit()
        {
            var items = new List<TopLevelSyntax>();
            while (!At(TokenKind.EndOfFile))
            {
                int before = _pos;
                var item = ParseTopLevel();
                if (item != null) items.Add(item);
                if (_pos == before) Advance(); // guarantee progress
            }
            return new CompilationUnitSyntax(_file, items, new TextSpan(0, _file.Text.Length));
        }

        private TopLevelSyntax? ParseTopLevel()
        {
            int start = Current.Span.Start;
            bool smooth = Accept(TokenKind.Smooth);
            if (At(TokenKind.Law) || At(TokenKind.Cell))
            {
                var kind = Advance().Kind == TokenKind.Law ? UnitKind.Law : UnitKind.Cell;
                var name = ExpectName(kind == UnitKind.Law ? "a law name" : "a cell name");
                var title = At(TokenKind.String) ? Advance().Text : null;
                if (Accept(TokenKind.Equals))
                {
                    if (smooth) _diagnostics.Report(DiagnosticCatalog.SyntaxError, new TextSpan(start, start + 6), "a variant without 'smooth' (it inherits its base's smoothness)", "'smooth'");
                    var baseName = ExpectName("the name of the law or cell this variant is based on");
                    var without = new List<NameSyntax>();
                    bool lagged = AtLagged();
                    if (!lagged || At(TokenKind.Without))
                    {
                        Expect(TokenKind.Without, "'without' and the rules to remove, or 'lagged'");
                        // 'update' names the update rule, as a rule's own header does: the variant's check then says that it cannot be
                        // removed, where reading it as a name would say only that the word is reserved.
                        do { without.Add(At(TokenKind.Update) ? new NameSyntax("update", Advance().Span) : ExpectName("a rule id")); } while (Accept(TokenKind.Comma));
                    }
                    if (AtLagged()) { Advance(); lagged = true; }
                    ExpectEnd();
                    return new VariantSyntax(kind, name, title, baseName, without, lagged, From(start));
                }
                var members = ParseMemberBlock(allowDeclarations: true);
                return new UnitSyntax(kind, name, title, smooth, members, From(start));
            }
            if (At(TokenKind.Group) && !smooth)
            {
                Advance();
                var name = ExpectName("a group name");
                var title = At(TokenKind.String) ? Advance().Text : null;
                var members = ParseMemberBlock(allowDeclarations: false);
                return new GroupSyntax(name, title, members, From(start));
            }
            ErrorExpected(smooth ? "'law' or 'cell' after 'smooth'" : "'law', 'cell' or 'group'");
            // skip to the next top-level keyword
            while (!At(TokenKind.EndOfFile) && !IsTopLevelStart(Current.Kind) && !(At(TokenKind.Smooth) && IsTopLevelStart(PeekToken(1).Kind)))
            {
                if (At(TokenKind.OpenBrace)) SkipBalanced(); else Advance();
            }
            return null;
        }

        private List<MemberSyntax> ParseMemberBlock(bool allowDeclarations)
        {
            var members = new List<MemberSyntax>();
            if (!At(TokenKind.OpenBrace))
            {
                ErrorExpected("'{'");
                return members;
            }
            Advance();
            while (!At(TokenKind.CloseBrace) && !At(TokenKind.EndOfFile))
            {
                if (IsTopLevelStart(Current.Kind)) break; // a missing '}' — let the next unit parse
                int before = _pos;
                ParseMember(members, allowDeclarations);
                if (_pos == before) { ErrorExpected("a declaration or a rule"); Advance(); SyncStatement(); }
            }
            Expect(TokenKind.CloseBrace);
            return members;
        }

        /// <summary>The words that start a member, as written.</summary>
        private static readonly string[] MemberKeywords = { "dim", "param", "input", "state", "coeff", "signal", "objective", "acc", "net", "require", "use", "rule", "update" };

        private void ParseMember(List<MemberSyntax> members, bool allowDeclarations)
        {
            _nestingReported = false;
            int start = Current.Span.Start;
            // 'coef a in [0, 1] = 0.5;': one error that names the keyword, then read as that declaration, so its name is
            // declared and its uses are not unknown names.
            ReadMisspeltKeyword(allowDeclarations ? MemberKeywords : new[] { "use", "rule", "update" }, "a declaration or a rule");
            var k = Current.Kind;
            if (k is TokenKind.Rule or TokenKind.Update or TokenKind.Smooth or TokenKind.Fixed)
            {
                var rule = ParseRule(start);
                if (rule != null) members.Add(rule);
                return;
            }
            if (k == TokenKind.Use)
            {
                Advance();
                var g = ExpectName("a group name");
                ExpectEnd();
                members.Add(new UseDecl(g, From(start)));
                return;
            }
            if (!IsMemberStart(k))
            {
                ErrorExpected(allowDeclarations ? "a declaration ('dim', 'param', 'input', 'state', 'coeff', 'signal', 'objective', 'acc', 'net', 'require', 'use') or a rule" : "a rule or 'use'");
                SyncStatement();
                return;
            }
            if (!allowDeclarations)
            {
                _diagnostics.Report(DiagnosticCatalog.SyntaxError, Current.Span, "a rule or 'use' (a group holds rules only; declare names in the law that uses it)", TokenFacts.Describe(Current));
            }
            Advance();
            switch (k)
            {
                case TokenKind.Dim: ParseList(members, start, s => ParseDim(s)); break;
                case TokenKind.Param: ParseList(members, start, s => ParseParam(s)); break;
                case TokenKind.Input: ParseList(members, start, s => ParseInput(s)); break;
                case TokenKind.State: ParseList(members, start, s => ParseState(s)); break;
                case TokenKind.Coeff: ParseList(members, start, s => ParseCoeff(s)); break;
                case TokenKind.Signal: ParseList(members, start, s => ParseSignal(s, acc: false)); break;
                case TokenKind.Objective: ParseList(members, start, s => ParseSignal(s, acc: false, objective: true)); break;
                case TokenKind.Acc: ParseList(members, start, s => ParseSignal(s, acc: true)); break;
                case TokenKind.Net: members.Add(ParseNet(start)); ExpectEnd(); break;
                case TokenKind.Require: members.Add(ParseRequire(start)); ExpectEnd(); break;
            }
        }

        /// <summary>
        /// The member keyword a name that starts a member was likely meant to be ('coef a', 'parm k', 'rul R {'): a name close to
        /// one in spelling, followed by a name. Null for anything else.
        /// </summary>
        private string? MisspeltKeyword(IReadOnlyList<string> candidates)
        {
            if (!At(TokenKind.Identifier)) return null;
            var next = PeekToken(1).Kind;
            // Only a keyword whose member the rest fits: 'let k = 2;' is no 'net k: ...' (read as one, k became a net).
            var fitting = next == TokenKind.Identifier ? candidates.Where(k => FitsAfterName(k, PeekToken(2).Kind))
                : next is TokenKind.OpenBrace or TokenKind.String ? candidates.Where(k => k == "update")
                : Enumerable.Empty<string>();
            return AE.Dsl.Binding.NameSuggestions.Closest(Current.Text, fitting);
        }

        /// <summary>
        /// Where a name stands for a keyword of <paramref name="candidates"/> that the rest fits, one error that names the keyword
        /// (reported as expecting <paramref name="expected"/>), and the token read as that keyword.
        /// </summary>
        private void ReadMisspeltKeyword(IReadOnlyList<string> candidates, string expected)
        {
            if (MisspeltKeyword(candidates) is string meant) ReadAsKeyword(meant, expected);
        }

        /// <summary>The current name is the keyword <paramref name="meant"/> misspelt: said once (as expecting <paramref name="expected"/>), then read as it.</summary>
        private void ReadAsKeyword(string meant, string expected)
        {
            if (_lastErrorPos != _pos && !Quiet)
            {
                _lastErrorPos = _pos;
                _diagnostics.Report(DiagnosticCatalog.SyntaxError, Current.Span, $"{expected} ('{Current.Text}' is not a keyword; did you mean '{meant}'?)", TokenFacts.Describe(Current));
            }
            _tokens[_pos] = Current with { Kind = TokenFacts.Keyword(meant)!.Value };
        }

        /// <summary>Whether <paramref name="next"/> can follow the name of a member that <paramref name="keyword"/> starts.</summary>
        private static bool FitsAfterName(string keyword, TokenKind next) => keyword switch
        {
            "dim" => next is TokenKind.Equals or TokenKind.Semicolon or TokenKind.Comma,
            "param" or "coeff" or "state" => next is TokenKind.Equals or TokenKind.Colon or TokenKind.In or TokenKind.Semicolon or TokenKind.Comma,
            "input" or "net" => next is TokenKind.Colon,
            "signal" or "objective" or "acc" => next is TokenKind.Colon or TokenKind.Equals or TokenKind.Semicolon or TokenKind.Comma,
            "rule" or "update" => next is TokenKind.OpenBrace or TokenKind.String,
            "use" => next is TokenKind.Semicolon,
            _ => false,
        };

        private void ExpectEnd()
        {
            if (Accept(TokenKind.Semicolon)) return;
            ErrorExpected("';'");
            SyncStatement();
        }

        /// <summary>Parses <c>kw a ..., b ...;</c>: every item gets the keyword's span start when it is the first.</summary>
        private void ParseList(List<MemberSyntax> members, int keywordStart, Func<int, MemberSyntax> item)
        {
            int start = keywordStart;
            while (true)
            {
                members.Add(item(start));
                if (!Accept(TokenKind.Comma)) break;
                start = Current.Span.Start;
            }
            ExpectEnd();
        }

        private MemberSyntax ParseDim(int start)
        {
            var name = ExpectName("a dimension name");
            ExprSyntax? value = Accept(TokenKind.Equals) ? ParseExpr() : null;
            return new DimDecl(name, value, From(start));
        }

        private TypeSyntax? ParseOptionalType()
        {
            if (!Accept(TokenKind.Colon)) return null;
            int start = Current.Span.Start;
            ScalarKind scalar;
            if (Accept(TokenKind.Real)) scalar = ScalarKind.Real;
            else if (Accept(TokenKind.Int)) scalar = ScalarKind.Int;
            else if (Accept(TokenKind.Bool)) scalar = ScalarKind.Bool;
            else { ErrorExpected("a type ('real', 'int' or 'bool')"); scalar = ScalarKind.Real; }
            var dims = new List<ExprSyntax>();
            if (Accept(TokenKind.OpenBracket))
            {
                do { dims.Add(ParseExpr()); } while (Accept(TokenKind.Comma));
                Expect(TokenKind.CloseBracket);
            }
            return new TypeSyntax(scalar, dims, From(start));
        }

        private RangeSyntax? ParseOptionalRange()
        {
            if (!Accept(TokenKind.In))
            {
                // 'coeff a [0, 1] = 0.5;': nothing else opens with a bracket here, so these are the bounds without their
                // 'in': one error, and the bounds read as written (not a second error that the coefficient has none).
                if (!At(TokenKind.OpenBracket) && !At(TokenKind.OpenParen)) return null;
                ErrorExpected("'in' before the bounds ('in [lo, hi]')");
            }
            int start = Current.Span.Start;
            bool loOpen;
            if (Accept(TokenKind.OpenBracket)) loOpen = false;
            else if (Accept(TokenKind.OpenParen)) loOpen = true;
            else { ErrorExpected("'[' or '(' to open the bounds"); loOpen = false; }
            var lo = ParseExpr();
            Expect(TokenKind.Comma);
            var hi = ParseExpr();
            bool hiOpen;
            if (Accept(TokenKind.CloseBracket)) hiOpen = false;
            else if (Accept(TokenKind.CloseParen)) hiOpen = true;
            else { ErrorExpected("']' or ')' to close the bounds"); hiOpen = false; }
            return new RangeSyntax(lo, hi, loOpen, hiOpen, From(start));
        }

        private MemberSyntax ParseParam(int start)
        {
            var name = ExpectName("a param name");
            var type = ParseOptionalType();
            var range = ParseOptionalRange();
            ExprSyntax? value = null;
            if (Accept(TokenKind.Equals)) value = ParseExpr();
            else ErrorExpected("'=' and a default value (params are overridable, but need a default)");
            return new ParamDecl(name, type, range, value, From(start));
        }

        private MemberSyntax ParseInput(int start)
        {
            var name = ExpectName("an input name");
            var type = ParseOptionalType();
            if (type == null) ErrorExpected("':' and a type (inputs are given each step, so their type must be written)");
            return new InputDecl(name, type, From(start));
        }

        private MemberSyntax ParseState(int start)
        {
            var name = ExpectName("a state name");
            var type = ParseOptionalType();
            var range = ParseOptionalRange();
            ExprSyntax? init = Accept(TokenKind.Equals) ? ParseExpr() : null;
            return new StateDecl(name, type, range, init, From(start));
        }

        private MemberSyntax ParseCoeff(int start)
        {
            var name = ExpectName("a coefficient name");
            var type = ParseOptionalType();
            var range = ParseOptionalRange();
            bool log = Accept(TokenKind.Log);
            ExprSyntax? init = Accept(TokenKind.Equals) ? ParseExpr() : null;
            return new CoeffDecl(name, type, range, log, init, From(start));
        }

        private MemberSyntax ParseSignal(int start, bool acc, bool objective = false)
        {
            var name = ExpectName(acc ? "an accumulator name" : objective ? "an objective name" : "a signal name");
            var type = ParseOptionalType();
            ExprSyntax? neutral = Accept(TokenKind.Equals) ? ParseExpr() : null;
            return acc ? new AccDecl(name, type, neutral, From(start)) : new SignalDecl(name, type, neutral, From(start), objective);
        }

        private MemberSyntax ParseNet(int start)
        {
            var name = ExpectName("a net name");
            Expect(TokenKind.Colon);
            var kind = ExpectName("a net kind ('mlp' or 'linear')");
            var widths = new List<ExprSyntax>();
            NameSyntax? activation = null;
            if (Expect(TokenKind.OpenParen).Span.Length > 0)
            {
                widths.Add(ParseExpr());
                while (Accept(TokenKind.Arrow)) widths.Add(ParseExpr());
                if (Accept(TokenKind.Comma)) activation = ExpectName("an activation name (tanh, relu, sigmoid, softplus, sin, cos)");
                Expect(TokenKind.CloseParen);
            }
            var layers = new List<NameSyntax>();
            if (Accept(TokenKind.Named))
            {
                do { layers.Add(ExpectName("a layer name")); } while (Accept(TokenKind.Comma));
            }
            return new NetDecl(name, kind, widths, activation, layers, From(start));
        }

        private MemberSyntax ParseRequire(int start)
        {
            NameSyntax? label = null;
            if (At(TokenKind.Identifier) && PeekToken(1).Kind == TokenKind.Colon)
            {
                label = ExpectName("a label");
                Advance();
            }
            var cond = ParseExpr();
            return new RequireDecl(label, cond, From(start));
        }

        private RuleDecl? ParseRule(int start)
        {
            int errorsBefore = _diagnostics.ErrorCount;
            bool smooth = false, isFixed = false;
            while (At(TokenKind.Smooth) || At(TokenKind.Fixed))
            {
                if (Advance().Kind == TokenKind.Smooth) smooth = true; else isFixed = true;
            }
            ReadMisspeltKeyword(new[] { "rule", "update" }, "'rule' or 'update'");   // 'fixed rul R {'
            NameSyntax id;
            bool isUpdate = false;
            if (At(TokenKind.Update))
            {
                var t = Advance();
                id = new NameSyntax("update", t.Span);
                isUpdate = true;
            }
            else if (Accept(TokenKind.Rule))
            {
                id = ExpectName("a rule id (for example AE5)");
            }
            else
            {
                ErrorExpected("'rule' or 'update'");
                SyncStatement();
                return null;
            }
            var title = At(TokenKind.String) ? Advance().Text : null;
            var body = ParseBlock();
            return new RuleDecl(id, title, smooth, isFixed, isUpdate, body, From(start), _diagnostics.ErrorCount > errorsBefore);
        }

        // ---- statements ----

        private List<StmtSyntax> ParseBlock()
        {
            var stmts = new List<StmtSyntax>();
            bool opened = At(TokenKind.OpenBrace);
            if (!opened)
            {
                ErrorExpected("'{'");
                // A block whose '{' is missing ('rule R' then 'x = ...;'): its statements are read as the block's, up to its
                // '}' (read as declarations, each was an error and the law ended at the '}').
                if (At(TokenKind.CloseBrace) || !AtStatementStart()) return stmts;
            }
            if (!EnterBlock())
            {
                if (opened) SkipBalanced();
                return stmts;
            }
            if (opened) Advance();
            while (!At(TokenKind.CloseBrace) && !At(TokenKind.EndOfFile))
            {
                // A declaration keyword starts the next member where a '}' is missing, unless it is assigned to ('state = 1;': a
                // reserved word as a name, said so by the statement; reading it as a declaration closed the unit there).
                if ((IsMemberStart(Current.Kind) || IsTopLevelStart(Current.Kind)) && !KeywordAsTarget()) break;
                int before = _pos;
                BeginTopLevelPiece();
                var s = ParseStatement();
                if (s != null) stmts.Add(s);
                if (_pos == before) { Advance(); }
            }
            Expect(TokenKind.CloseBrace);
            _blockDepth--;
            return stmts;
        }

        private StmtSyntax? ParseStatement()
        {
            int start = Current.Span.Start;
            // 'whn a > 0.5 {': a name that is not assigned and is 'when' misspelt is read as 'when'.
            if (At(TokenKind.Identifier) && !AtStatementStart() && AE.Dsl.Binding.NameSuggestions.Closest(Current.Text, new[] { "when" }) is not null)
                ReadAsKeyword("when", "a statement");
            if (Accept(TokenKind.When))
            {
                int errorMark = _lastErrorPos;
                var cond = ParseExpr();
                // A condition cut short ('when step = 3 {') is no condition to type: its error is the syntax error.
                if (_lastErrorPos != errorMark || !At(TokenKind.OpenBrace))
                {
                    cond = new MissingExpr(cond.Span);
                    if (!At(TokenKind.OpenBrace))
                    {
                        ErrorExpected(At(TokenKind.Equals) ? "'{' ('==' compares; '=' defines a value)" : "'{'");
                        // A statement right after a whole condition ('when a > 0 a' = 1;') is the block's, braces missing: it is
                        // read and checked as the next statement. Otherwise the rest of the condition is its debris, and the
                        // block after it is still the when's, its statements checked (they were skipped as more debris).
                        bool statementNext = _lastErrorPos == _pos && At(TokenKind.Identifier)
                                             && PeekToken(1).Kind is TokenKind.Prime or TokenKind.Equals or TokenKind.PlusEquals;
                        if (!statementNext) SkipToBlock();
                        if (!At(TokenKind.OpenBrace))
                        {
                            if (!statementNext) Accept(TokenKind.Semicolon);
                            return new WhenStmt(cond, new List<StmtSyntax>(), null, From(start));
                        }
                    }
                }
                var then = ParseBlock();
                List<StmtSyntax>? otherwise = null;
                if (Accept(TokenKind.Else))
                {
                    if (At(TokenKind.Identifier) && Current.Text == "if" && !IsNameLike(PeekToken(1).Kind))
                    {
                        // Other languages' 'else if': one error that says how it is written, then read as 'else when'
                        // (its condition and block parsed, not a second error at the condition).
                        ErrorExpected("'when' or '{' after 'else' ('else if' is written 'else when')");
                        _tokens[_pos] = Current with { Kind = TokenKind.When };
                    }
                    if (At(TokenKind.When))
                    {
                        if (!EnterBlock()) { SkipElseWhenChain(); return new WhenStmt(cond, then, null, From(start)); }
                        var nested = ParseStatement();
                        _blockDepth--;
                        otherwise = nested == null ? new List<StmtSyntax>() : new List<StmtSyntax> { nested };
                    }
                    else otherwise = ParseBlock();
                }
                return new WhenStmt(cond, then, otherwise, From(start));
            }
            if (!At(TokenKind.Identifier) && !KeywordAsTarget())
            {
                ErrorExpected("a statement ('name = expr;', 'name\\' = expr;', 'name += expr;' or 'when')");
                SyncStatement();
                return null;
            }
            var target = ExpectName("a name");
            bool next = Accept(TokenKind.Prime);
            AssignOp op;
            if (Accept(TokenKind.Equals)) op = AssignOp.Define;
            else if (Accept(TokenKind.PlusEquals)) op = AssignOp.Accumulate;
            else
            {
                ErrorExpected("'=' or '+='");
                SyncStatement();
                return null;
            }
            // A reserved word given a next value or added to names nothing declared: no target (not also an unknown name). One
            // defined here ('state = 1;') is a value, which its later uses read.
            if (TokenFacts.Keyword(target.Text) != null && (next || op == AssignOp.Accumulate))
                target = new NameSyntax("", new TextSpan(target.Span.Start, target.Span.Start));
            int mark = _lastErrorPos;
            var value = ParseExpr();
            if (_lastErrorPos != mark)
            {
                // The expression had an error: what follows up to the statement's end is its debris, not a second error,
                // and the part parsed is no value to type ('s = loss > 0 and ...' read as 's = loss > 0', a bool).
                if (!Accept(TokenKind.Semicolon)) SyncStatement();
                value = new MissingExpr(value.Span);
            }
            else if (!Accept(TokenKind.Semicolon))
            {
                ErrorExpected("';'");
                // Only the ';' is missing where the next statement begins ('h = a * 0.5' then 'k = h;'): the value is whole and
                // the next statement is read (skipping to its ';' lost it, and every later use of its name was unknown).
                if (!AtStatementStart())
                {
                    SyncStatement();
                    value = new MissingExpr(value.Span);
                }
            }
            return new AssignStmt(target, next, op, value, From(start));
        }

        // ---- expressions ----

        public ExprSyntax ParseExpr()
        {
            if (!EnterExpr())
            {
                int start = Current.Span.Start;
                SkipExpression();
                return new MissingExpr(From(start));
            }
            var e = ParseConditional();
            _exprDepth--;
            return e;
        }

        /// <summary>Whether a statement begins here: 'when', a '}', or a name that is assigned ('x =', 'x\' =', 'x +=').</summary>
        private bool AtStatementStart() => At(TokenKind.When) || At(TokenKind.CloseBrace) || (At(TokenKind.Identifier) && AssignedNext());

        /// <summary>Whether the current token is assigned: '=', '+=' or '\' =' follows it.</summary>
        private bool AssignedNext()
            => PeekToken(1).Kind is TokenKind.Equals or TokenKind.PlusEquals
               || (PeekToken(1).Kind == TokenKind.Prime && PeekToken(2).Kind == TokenKind.Equals);

        /// <summary>A keyword that a statement assigns to ('state = 1;', 'log += x;'): a reserved word where a name belongs.</summary>
        private bool KeywordAsTarget()
            => Current.Kind != TokenKind.Identifier && TokenFacts.Keyword(Current.Text) != null && AssignedNext();

        /// <summary>Skips to the '{' of the block a broken 'when' condition is followed by, stopping at a statement's end or a declaration.</summary>
        private void SkipToBlock()
        {
            while (!At(TokenKind.EndOfFile) && !IsMemberStart(Current.Kind) && !IsTopLevelStart(Current.Kind)
                   && !At(TokenKind.OpenBrace) && !At(TokenKind.CloseBrace) && !At(TokenKind.Semicolon))
                Advance();
        }

        /// <summary>Skips 'when c { ... } else when ...' to its end without recursion.</summary>
        private void SkipElseWhenChain()
        {
            while (At(TokenKind.When))
            {
                Advance();
                while (!At(TokenKind.OpenBrace) && !At(TokenKind.EndOfFile) && !At(TokenKind.CloseBrace)) Advance();
                if (At(TokenKind.OpenBrace)) SkipBalanced();
                if (!(At(TokenKind.Else))) return;
                Advance();
                if (At(TokenKind.OpenBrace)) { SkipBalanced(); return; }
            }
        }

        /// <summary>Skips the rest of an over-deep expression, balancing brackets iteratively.</summary>
        private void SkipExpression()
        {
            int nest = 0;
            while (!At(TokenKind.EndOfFile))
            {
                var k = Current.Kind;
                // Brackets never span statements: ';', braces and declaration keywords end the skip at any depth.
                if (k is TokenKind.Semicolon or TokenKind.CloseBrace or TokenKind.OpenBrace || IsMemberStart(k) || IsTopLevelStart(k)) return;
                // An expression holds no comma of its own: one at the skip's own level ends an argument or a declaration.
                if (k == TokenKind.Comma && nest == 0) return;
                if (k is TokenKind.OpenParen or TokenKind.OpenBracket) nest++;
                else if (k is TokenKind.CloseParen or TokenKind.CloseBracket)
                {
                    if (nest == 0) return;
                    nest--;
                }
                Advance();
            }
        }

        private ExprSyntax ParseConditional()
        {
            var cond = ParseBinary(0);
            if (!At(TokenKind.Question)) return cond;
            var q = Advance().Span;
            var a = ParseExpr();
            Expect(TokenKind.Colon, "':' of the conditional 'c ? a : b'");
            var b = ParseExpr();
            return Limit(new ConditionalExpr(cond, a, b, q, cond.Span.Cover(b.Span)));
        }

        private static int Precedence(TokenKind k, out BinaryOp op)
        {
            switch (k)
            {
                case TokenKind.BarBar: op = BinaryOp.Or; return 1;
                case TokenKind.AmpAmp: op = BinaryOp.And; return 2;
                case TokenKind.EqualsEquals: op = BinaryOp.Eq; return 3;
                case TokenKind.BangEquals: op = BinaryOp.NotEq; return 3;
                case TokenKind.Less: op = BinaryOp.Less; return 4;
                case TokenKind.LessEquals: op = BinaryOp.LessEq; return 4;
                case TokenKind.Greater: op = BinaryOp.Greater; return 4;
                case TokenKind.GreaterEquals: op = BinaryOp.GreaterEq; return 4;
                case TokenKind.Plus: op = BinaryOp.Add; return 5;
                case TokenKind.Minus: op = BinaryOp.Sub; return 5;
                case TokenKind.Star: op = BinaryOp.Mul; return 6;
                case TokenKind.Slash: op = BinaryOp.Div; return 6;
                case TokenKind.Percent: op = BinaryOp.Mod; return 6;
                default: op = default; return -1;
            }
        }

        /// <summary>Left-associative binary levels, iterative within a level so long chains do not recurse.</summary>
        private ExprSyntax ParseBinary(int minPrec)
        {
            var left = ParseUnary();
            while (true)
            {
                int prec = Precedence(Current.Kind, out var op);
                if (prec < 0 || prec <= minPrec) return left;
                var opSpan = Advance().Span;
                ExprSyntax right;
                if (!EnterExpr()) { SkipExpression(); right = new MissingExpr(From(opSpan.End)); }
                else { right = ParseBinary(prec); _exprDepth--; }
                left = Limit(new BinaryExpr(op, left, right, opSpan, left.Span.Cover(right.Span)));
            }
        }

        private ExprSyntax ParseUnary()
        {
            int start = Current.Span.Start;
            UnaryOp? op = Current.Kind switch
            {
                TokenKind.Minus => UnaryOp.Negate,
                TokenKind.Plus => UnaryOp.Plus,
                TokenKind.Bang => UnaryOp.Not,
                _ => null,
            };
            if (op is UnaryOp u)
            {
                Advance();
                if (!EnterExpr()) { SkipExpression(); return new MissingExpr(From(start)); }
                var operand = ParseUnary();
                _exprDepth--;
                return Limit(new UnaryExpr(u, operand, From(start)));
            }
            return ParsePower();
        }

        /// <summary><c>a ^ b</c> binds tighter than unary minus and is right-associative: -x^2 is -(x^2), 2^3^2 is 2^9.</summary>
        private ExprSyntax ParsePower()
        {
            var b = ParsePrimary();
            // Another language's power, '**': said at its second '*' ("'**' is written '^'") and read as '^', so the rest parses.
            bool otherPower = At(TokenKind.Star) && PeekToken(1).Kind == TokenKind.Star && PeekToken(1).Span.Start == Current.Span.End;
            if (otherPower)
            {
                Advance();
                ErrorExpected("an expression");
            }
            else if (!At(TokenKind.Caret)) return b;
            var opSpan = Advance().Span;
            if (!EnterExpr()) { SkipExpression(); return new MissingExpr(From(b.Span.Start)); }
            var e = ParseUnary();
            _exprDepth--;
            return Limit(new BinaryExpr(BinaryOp.Pow, b, e, opSpan, b.Span.Cover(e.Span)));
        }

        private ExprSyntax ParsePrimary()
        {
            var t = Current;
            switch (t.Kind)
            {
                case TokenKind.Number:
                    Advance();
                    return new NumberExpr(double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture), t.Text, t.Span);
                case TokenKind.Inf:
                    Advance();
                    return new NumberExpr(double.PositiveInfinity, "inf", t.Span);
                case TokenKind.True:
                case TokenKind.False:
                    Advance();
                    return new BoolExpr(t.Kind == TokenKind.True, t.Span);
                case TokenKind.Log:
                    // 'log' is a keyword in coefficient declarations and the natural-log function elsewhere.
                    return ParseNameOrCall(new NameSyntax("log", Advance().Span));
                case TokenKind.Identifier:
                    return ParseNameOrCall(new NameSyntax(t.Text, Advance().Span));
                case TokenKind.OpenParen:
                {
                    int start = t.Span.Start;
                    if (_exprDepth > MaxDepth)
                    {
                        ReportNesting(t.Span, "Expression", MaxDepth, "split it into named definitions");
                        SkipExpression();
                        return new MissingExpr(From(start));
                    }
                    Advance();
                    var inner = ParseExpr();
                    Expect(TokenKind.CloseParen);
                    return Limit(new ParenExpr(inner, From(start)));
                }
                default:
                    if (_keywordNames.Contains(t.Text))
                        return ParseNameOrCall(new NameSyntax(t.Text, Advance().Span));   // reported where it was first used as a name
                    if (TokenFacts.Keyword(t.Text) != null && FollowsOperand(PeekToken(1).Kind))
                    {
                        // A reserved word used as a value ('real[coeff]'): name the cause and skip it.
                        if (_lastErrorPos != _pos)
                        {
                            _lastErrorPos = _pos;
                            _diagnostics.Report(DiagnosticCatalog.SyntaxError, t.Span, $"an expression ('{t.Text}' is a reserved word and cannot name a value)", TokenFacts.Describe(t));
                        }
                        Advance();
                        return new MissingExpr(t.Span);
                    }
                    ErrorExpected("an expression");
                    // Consume the offending token unless it can end or resume a statement.
                    if (!(t.Kind is TokenKind.Semicolon or TokenKind.CloseBrace or TokenKind.CloseParen or TokenKind.CloseBracket
                          or TokenKind.Comma or TokenKind.EndOfFile or TokenKind.OpenBrace || IsMemberStart(t.Kind) || IsTopLevelStart(t.Kind)))
                        Advance();
                    return new MissingExpr(new TextSpan(t.Span.Start, t.Span.Start));
            }
        }

        private ExprSyntax ParseNameOrCall(NameSyntax name)
        {
            if (At(TokenKind.OpenParen))
            {
                Advance();
                var args = new List<ExprSyntax>();
                if (!At(TokenKind.CloseParen))
                {
                    do
                    {
                        if (At(TokenKind.CloseParen)) { ErrorExpected("an argument"); break; }
                        args.Add(ParseExpr());
                    } while (Accept(TokenKind.Comma));
                }
                bool closed = At(TokenKind.CloseParen);
                Expect(TokenKind.CloseParen);
                return Limit(new CallExpr(name, args, From(name.Span.Start), Unclosed: !closed));
            }
            bool next = Accept(TokenKind.Prime);
            return new NameExpr(name, next, From(name.Span.Start));
        }
    }
}
