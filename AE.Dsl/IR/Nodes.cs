using AE.Dsl.Text;

namespace AE.Dsl.IR
{
    // The typed IR. Every node has a type (scalar kind and shape) and the span it came from.
    // Time is explicit: a read says whether it takes a value at t (Current) or the value being built
    // for t+1 (Next); every filter call site owns a named slot of persistent state; the step counter
    // and random draws are nodes of their own. The IR holds names (strings), never syntax or
    // symbols from a host compiler, so it is plain equatable data that passes and emitters share.

    /// <summary>What a unit is: a law (an optimizer's controller) or a cell (a recurrent model).</summary>
    public enum UnitKind { Law, Cell }

    public enum SymbolKind { Dim, Param, Input, State, Coeff, Signal, Acc, Local, Net }

    public enum RefTime { Current, Next }

    public abstract record IrExpr(IrType Type, TextSpan Span);

    /// <summary>A literal; booleans are 1 and 0 with type bool.</summary>
    public sealed record IrConst(double Value, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    /// <summary>A read of a declared or rule-defined name.</summary>
    public sealed record IrRef(string Name, SymbolKind Kind, RefTime Time, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    /// <summary>The 1-based number of the step being computed.</summary>
    public sealed record IrStep(TextSpan Span) : IrExpr(IrType.Int, Span);

    public enum IrUnaryOp { Negate, Not }
    public sealed record IrUnary(IrUnaryOp Op, IrExpr Operand, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    public sealed record IrBinary(BinaryOp Op, IrExpr Left, IrExpr Right, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    /// <summary><c>c ? a : b</c>, elementwise when c is a vector.</summary>
    public sealed record IrSelect(IrExpr Condition, IrExpr WhenTrue, IrExpr WhenFalse, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    /// <summary>A pure builtin (elementwise function, reduction, softmax, concat); see <see cref="Builtins"/>.</summary>
    public sealed record IrCall(string Function, EqArray<IrExpr> Args, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    public enum FilterKind { Ema, Lp, Prev, Latch }

    /// <summary>A stateful call site: reads and updates the persistent slot <see cref="Slot"/>.</summary>
    public sealed record IrFilter(FilterKind Kind, string Slot, EqArray<IrExpr> Args, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    /// <summary>Applies net <see cref="Net"/> to a vector of its input width.</summary>
    public sealed record IrNetApply(string Net, IrExpr Input, IrType Type, TextSpan Span) : IrExpr(Type, Span);

    /// <summary>
    /// Standard normal draws, one per element: draw i is a pure function of (seed, step, <see cref="Site"/>, i)
    /// (CounterNoise), so evaluating it again, or not at all, changes no other draw. <see cref="Site"/> numbers
    /// the unit's noise() calls from 1 in the order the binder meets them (program order), and is kept by
    /// ablations and variants, so removing a rule does not change the draws of the others.
    /// </summary>
    public sealed record IrNoise(IrType Type, TextSpan Span, int Site) : IrExpr(Type, Span);

    // ---- statements ----

    public abstract record IrStmt(TextSpan Span);

    /// <summary>Defines a local or a signal once (single assignment).</summary>
    public sealed record IrDefine(string Name, SymbolKind Kind, IrExpr Value, TextSpan Span) : IrStmt(Span);

    /// <summary>Refines the value being built for t+1 of a state or coefficient; it starts as the current value.</summary>
    public sealed record IrSetNext(string Name, SymbolKind Kind, IrExpr Value, TextSpan Span) : IrStmt(Span);

    /// <summary>Adds a contribution to an accumulator, which starts each step at its neutral value.</summary>
    public sealed record IrAccumulate(string Name, IrExpr Value, TextSpan Span) : IrStmt(Span);

    public sealed record IrWhen(IrExpr Condition, EqArray<IrStmt> Then, EqArray<IrStmt> Else, TextSpan Span) : IrStmt(Span);
}
