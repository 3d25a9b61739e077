using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Syntax;
using AE.Dsl.Text;
using Xunit;
using AE.Dsl.IR;

namespace AE.Dsl.Tests
{
    public class LexerParserTests
    {
        private static (CompilationUnitSyntax Tree, DiagnosticBag Bag) Parse(string text)
        {
            var bag = new DiagnosticBag(new SourceFile("p.ae", text));
            return (Parser.Parse(bag.File, bag), bag);
        }

        [Fact]
        public void Greek_identifiers_are_names()
        {
            var bag = new DiagnosticBag(new SourceFile("g.ae", "θ α_1 ρ'"));
            var tokens = Lexer.Tokenize(bag.File, bag);
            Assert.Empty(bag.Items);
            Assert.Equal(new[] { TokenKind.Identifier, TokenKind.Identifier, TokenKind.Identifier, TokenKind.Prime, TokenKind.EndOfFile }, tokens.Select(t => t.Kind));
            Assert.Equal("α_1", tokens[1].Text);
        }

        [Theory]
        [InlineData("3e-4", "3e-4")]
        [InlineData(".5", ".5")]
        [InlineData("1.", "1.")]
        [InlineData("1E+6", "1E+6")]
        public void Numbers_lex_whole(string text, string expected)
        {
            var bag = new DiagnosticBag(new SourceFile("n.ae", text));
            var tokens = Lexer.Tokenize(bag.File, bag);
            Assert.Empty(bag.Items);
            Assert.Equal(TokenKind.Number, tokens[0].Kind);
            Assert.Equal(expected, tokens[0].Text);
        }

        [Fact]
        public void Arrow_and_minus_are_told_apart()
        {
            var bag = new DiagnosticBag(new SourceFile("a.ae", "a->b a - >b a-b"));
            var kinds = Lexer.Tokenize(bag.File, bag).Select(t => t.Kind).ToArray();
            Assert.Equal(new[]
            {
                TokenKind.Identifier, TokenKind.Arrow, TokenKind.Identifier,
                TokenKind.Identifier, TokenKind.Minus, TokenKind.Greater, TokenKind.Identifier,
                TokenKind.Identifier, TokenKind.Minus, TokenKind.Identifier, TokenKind.EndOfFile,
            }, kinds);
        }

        [Fact]
        public void Bom_crlf_and_lf_give_the_same_positions()
        {
            const string body = "law A {\n  param = 1;\n}\n";
            var lf = TestSupport.Check(body);
            var crlf = TestSupport.Check("\uFEFF" + body.Replace("\n", "\r\n"));
            var cr = TestSupport.Check(body.Replace("\n", "\r"));
            var expected = lf.Diagnostics.Select(d => (d.Id, d.Start)).ToList();
            Assert.Equal(new[] { ("AE0004", new LinePosition(2, 9)) }, expected);
            Assert.Equal(expected, crlf.Diagnostics.Select(d => (d.Id, d.Start)));
            Assert.Equal(expected, cr.Diagnostics.Select(d => (d.Id, d.Start)));
        }

        [Fact]
        public void Utf8_bytes_with_bom_decode_to_the_same_text()
        {
            var text = "law Λ { }";
            var withBom = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(System.Text.Encoding.UTF8.GetBytes(text)).ToArray();
            Assert.Equal(text, SourceFile.FromBytes("x.ae", withBom).Text);
        }

        [Fact]
        public void One_pass_reports_every_syntax_error_and_keeps_the_rest()
        {
            const string text = "law A {\n  param a = ;\n  input x: real\n  rule R { y = x + ; }\n  rule S { z = 1; }\n}\n";
            var (tree, bag) = Parse(text);
            var errors = bag.Items.Where(d => d.Id == "AE0004").Select(d => d.Start).ToList();
            Assert.Equal(new[] { new LinePosition(2, 13), new LinePosition(4, 3), new LinePosition(4, 20) }, errors);
            var unit = Assert.IsType<UnitSyntax>(Assert.Single(tree.Items));
            Assert.Contains(unit.Members, m => m is RuleDecl { Id.Text: "S" });
            Assert.Contains(unit.Members, m => m is InputDecl { Name.Text: "x" });
        }

        [Fact]
        public void A_missing_close_brace_does_not_swallow_the_next_law()
        {
            var (tree, bag) = Parse("law A {\n  param a = 1;\nlaw B { param b = 2; }\n");
            Assert.Equal(new[] { "A", "B" }, tree.Items.Select(i => i.Name.Text));
            Assert.Contains(bag.Items, d => d.Id == "AE0004" && d.Start == new LinePosition(3, 1));
        }

        [Fact]
        public void Power_binds_tighter_than_unary_minus_and_is_right_associative()
        {
            var (tree, bag) = Parse("law A { rule R { y = -x^2^3; } }");
            Assert.Empty(bag.Items);
            var rule = (RuleDecl)((UnitSyntax)tree.Items[0]).Members[0];
            var value = ((AssignStmt)rule.Body[0]).Value;
            var neg = Assert.IsType<UnaryExpr>(value);
            var pow = Assert.IsType<BinaryExpr>(neg.Operand);
            Assert.Equal(BinaryOp.Pow, pow.Op);
            Assert.IsType<NameExpr>(pow.Left);
            Assert.Equal(BinaryOp.Pow, Assert.IsType<BinaryExpr>(pow.Right).Op);
        }

        [Fact]
        public void Conditional_is_lowest_and_comparisons_bind_looser_than_arithmetic()
        {
            var (tree, bag) = Parse("law A { rule R { y = a + 1 > b * 2 && c ? 1 : 2; } }");
            Assert.Empty(bag.Items);
            var value = ((AssignStmt)((RuleDecl)((UnitSyntax)tree.Items[0]).Members[0]).Body[0]).Value;
            var cond = Assert.IsType<ConditionalExpr>(value);
            var and = Assert.IsType<BinaryExpr>(cond.Condition);
            Assert.Equal(BinaryOp.And, and.Op);
            var gt = Assert.IsType<BinaryExpr>(and.Left);
            Assert.Equal(BinaryOp.Greater, gt.Op);
            Assert.Equal(BinaryOp.Add, Assert.IsType<BinaryExpr>(gt.Left).Op);
            Assert.Equal(BinaryOp.Mul, Assert.IsType<BinaryExpr>(gt.Right).Op);
        }

        [Fact]
        public void Spans_cover_exactly_the_source_text()
        {
            const string text = "law A { rule R { y = tanh(a) + b'; } }";
            var (tree, _) = Parse(text);
            var value = ((AssignStmt)((RuleDecl)((UnitSyntax)tree.Items[0]).Members[0]).Body[0]).Value;
            Assert.Equal("tanh(a) + b'", text.Substring(value.Span.Start, value.Span.Length));
            var add = (BinaryExpr)value;
            Assert.Equal("b'", text.Substring(add.Right.Span.Start, add.Right.Span.Length));
            Assert.True(((NameExpr)add.Right).IsNext);
        }

        [Fact]
        public void Declaration_lists_split_into_one_member_each()
        {
            var (tree, bag) = Parse("law A { param a = 1, b: int in [0, 9] = 2; signal s, t: real = 0; }");
            Assert.Empty(bag.Items);
            var members = ((UnitSyntax)tree.Items[0]).Members;
            var b = Assert.IsType<ParamDecl>(members[1]);
            Assert.Equal("b", b.Name.Text);
            Assert.Equal(ScalarKind.Int, b.Type!.Scalar);
            Assert.NotNull(b.Range);
            Assert.IsType<SignalDecl>(members[3]);
        }
    }
}
