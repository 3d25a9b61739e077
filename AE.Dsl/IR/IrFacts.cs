using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Dsl.IR
{
    /// <summary>Structural questions every pass and backend asks of IR expressions.</summary>
    public static class IrFacts
    {
        /// <summary>The direct operands of an expression, in evaluation order.</summary>
        public static IEnumerable<IrExpr> Children(IrExpr e) => e switch
        {
            IrUnary u => new[] { u.Operand },
            IrBinary b => new[] { b.Left, b.Right },
            IrSelect s => new[] { s.Condition, s.WhenTrue, s.WhenFalse },
            IrCall c => c.Args,
            IrFilter f => f.Args,
            IrNetApply n => new[] { n.Input },
            _ => Array.Empty<IrExpr>(),
        };

        /// <summary>Reads only literals, params and dims: the same value at every step of a run.</summary>
        public static bool IsConstant(IrExpr e) => e switch
        {
            IrConst => true,
            IrRef r => r.Kind is SymbolKind.Param or SymbolKind.Dim,
            IrUnary or IrBinary or IrSelect or IrCall => Children(e).All(IsConstant),
            _ => false,
        };

        /// <summary>Has no side effect: no filter update and no random draw anywhere inside.</summary>
        public static bool IsPure(IrExpr e) => e is not (IrFilter or IrNoise) && Children(e).All(IsPure);
    }
}
