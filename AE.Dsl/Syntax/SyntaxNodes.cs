using System.Collections.Generic;
using AE.Dsl.Text;

using AE.Dsl.IR;

namespace AE.Dsl.Syntax
{
    // The syntax tree: what the user wrote, with exact spans, nothing resolved.
    // Error recovery produces Missing* nodes so that every later phase sees a complete tree.

    public abstract record SyntaxNode(TextSpan Span);

    public sealed record NameSyntax(string Text, TextSpan Span) : SyntaxNode(Span)
    {
        public bool IsMissing => Text.Length == 0;
        public override string ToString() => Text;
    }

    public sealed record CompilationUnitSyntax(SourceFile File, IReadOnlyList<TopLevelSyntax> Items, TextSpan Span) : SyntaxNode(Span);

    public abstract record TopLevelSyntax(NameSyntax Name, TextSpan Span) : SyntaxNode(Span);

    /// <summary><c>[smooth] law Name "title" { members }</c> or the same with <c>cell</c>.</summary>
    public sealed record UnitSyntax(UnitKind Kind, NameSyntax Name, string? Title, bool IsSmooth, IReadOnlyList<MemberSyntax> Members, TextSpan Span)
        : TopLevelSyntax(Name, Span);

    /// <summary>
    /// <c>law Name "title" = Base without R1, R2 lagged;</c>: a unit with rules removed at compile time,
    /// and (<c>lagged</c>) reductions read one step late, so that one pass over the vectors serves a step.
    /// </summary>
    public sealed record VariantSyntax(UnitKind Kind, NameSyntax Name, string? Title, NameSyntax Base, IReadOnlyList<NameSyntax> Without, bool Lagged, TextSpan Span)
        : TopLevelSyntax(Name, Span);

    /// <summary><c>group Name "title" { rules and uses }</c>: rules written once and used by several laws.</summary>
    public sealed record GroupSyntax(NameSyntax Name, string? Title, IReadOnlyList<MemberSyntax> Members, TextSpan Span)
        : TopLevelSyntax(Name, Span);

    // ---- members ----

    public abstract record MemberSyntax(TextSpan Span) : SyntaxNode(Span);

    public enum ScalarKind { Real, Int, Bool }

    /// <summary><c>real</c>, <c>int</c>, <c>bool</c>, optionally with dimensions: <c>real[n]</c>.</summary>
    public sealed record TypeSyntax(ScalarKind Scalar, IReadOnlyList<ExprSyntax> Dims, TextSpan Span) : SyntaxNode(Span);

    /// <summary><c>[lo, hi]</c>, with '(' or ')' for an open end.</summary>
    public sealed record RangeSyntax(ExprSyntax Lo, ExprSyntax Hi, bool LoOpen, bool HiOpen, TextSpan Span) : SyntaxNode(Span);

    public sealed record DimDecl(NameSyntax Name, ExprSyntax? Value, TextSpan Span) : MemberSyntax(Span);
    public sealed record ParamDecl(NameSyntax Name, TypeSyntax? Type, RangeSyntax? Range, ExprSyntax? Default, TextSpan Span) : MemberSyntax(Span);
    public sealed record InputDecl(NameSyntax Name, TypeSyntax? Type, TextSpan Span) : MemberSyntax(Span);
    public sealed record StateDecl(NameSyntax Name, TypeSyntax? Type, RangeSyntax? Range, ExprSyntax? Init, TextSpan Span) : MemberSyntax(Span);
    public sealed record CoeffDecl(NameSyntax Name, TypeSyntax? Type, RangeSyntax? Range, bool LogSpace, ExprSyntax? Init, TextSpan Span) : MemberSyntax(Span);
    /// <summary>A signal; an objective (<c>objective mse: real;</c>) is a signal the host averages into the training loss.</summary>
    public sealed record SignalDecl(NameSyntax Name, TypeSyntax? Type, ExprSyntax? Neutral, TextSpan Span, bool IsObjective = false) : MemberSyntax(Span);
    public sealed record AccDecl(NameSyntax Name, TypeSyntax? Type, ExprSyntax? Neutral, TextSpan Span) : MemberSyntax(Span);
    /// <summary><c>net f: mlp(a -> h -> b, tanh) named l1, l2;</c> or <c>net r: linear(a -> b);</c></summary>
    public sealed record NetDecl(NameSyntax Name, NameSyntax Kind, IReadOnlyList<ExprSyntax> Widths, NameSyntax? Activation, IReadOnlyList<NameSyntax> LayerNames, TextSpan Span) : MemberSyntax(Span);
    public sealed record RequireDecl(NameSyntax? Label, ExprSyntax Condition, TextSpan Span) : MemberSyntax(Span);
    public sealed record UseDecl(NameSyntax Group, TextSpan Span) : MemberSyntax(Span);
    /// <param name="HasSyntaxErrors">the rule did not parse cleanly, so its body may lack statements that were written</param>
    public sealed record RuleDecl(NameSyntax Id, string? Title, bool IsSmooth, bool IsFixed, bool IsUpdate, IReadOnlyList<StmtSyntax> Body, TextSpan Span, bool HasSyntaxErrors = false) : MemberSyntax(Span);

    // ---- statements ----

    public abstract record StmtSyntax(TextSpan Span) : SyntaxNode(Span);

    public enum AssignOp { Define, Accumulate }

    /// <summary><c>x = e;</c>, <c>x' = e;</c> (next value) or <c>acc += e;</c></summary>
    public sealed record AssignStmt(NameSyntax Target, bool IsNext, AssignOp Op, ExprSyntax Value, TextSpan Span) : StmtSyntax(Span);

    /// <summary><c>when c { ... } else { ... }</c>; <c>else when</c> nests another WhenStmt in Else.</summary>
    public sealed record WhenStmt(ExprSyntax Condition, IReadOnlyList<StmtSyntax> Then, IReadOnlyList<StmtSyntax>? Else, TextSpan Span) : StmtSyntax(Span);

    // ---- expressions ----

    /// <summary>
    /// An expression. <see cref="Depth"/> is computed once, bottom-up, so the parser can bound tree
    /// depth (and with it the recursion of every later phase) without walking the tree.
    /// </summary>
    public abstract record ExprSyntax(TextSpan Span) : SyntaxNode(Span)
    {
        public virtual int Depth => 1;
    }

    public sealed record MissingExpr(TextSpan Span) : ExprSyntax(Span);
    public sealed record NumberExpr(double Value, string Text, TextSpan Span) : ExprSyntax(Span);
    public sealed record BoolExpr(bool Value, TextSpan Span) : ExprSyntax(Span);
    public sealed record NameExpr(NameSyntax Name, bool IsNext, TextSpan Span) : ExprSyntax(Span);
    /// <param name="Unclosed">the argument list did not reach its ')' (a syntax error was reported there), so its count says nothing</param>
    public sealed record CallExpr(NameSyntax Callee, IReadOnlyList<ExprSyntax> Args, TextSpan Span, bool Unclosed = false) : ExprSyntax(Span)
    {
        public override int Depth { get; } = 1 + MaxDepth(Args);
        private static int MaxDepth(IReadOnlyList<ExprSyntax> args) { int d = 0; foreach (var a in args) if (a.Depth > d) d = a.Depth; return d; }
    }
    public sealed record ParenExpr(ExprSyntax Inner, TextSpan Span) : ExprSyntax(Span)
    {
        public override int Depth { get; } = 1 + Inner.Depth;
    }

    public enum UnaryOp { Negate, Plus, Not }
    public sealed record UnaryExpr(UnaryOp Op, ExprSyntax Operand, TextSpan Span) : ExprSyntax(Span)
    {
        public override int Depth { get; } = 1 + Operand.Depth;
    }
    public sealed record BinaryExpr(BinaryOp Op, ExprSyntax Left, ExprSyntax Right, TextSpan OpSpan, TextSpan Span) : ExprSyntax(Span)
    {
        public override int Depth { get; } = 1 + System.Math.Max(Left.Depth, Right.Depth);
    }

    public sealed record ConditionalExpr(ExprSyntax Condition, ExprSyntax WhenTrue, ExprSyntax WhenFalse, TextSpan QuestionSpan, TextSpan Span) : ExprSyntax(Span)
    {
        public override int Depth { get; } = 1 + System.Math.Max(Condition.Depth, System.Math.Max(WhenTrue.Depth, WhenFalse.Depth));
    }
}
