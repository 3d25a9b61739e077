using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Dsl.IR
{
    /// <summary>Structural questions every pass and backend asks of IR expressions.</summary>
    public static class IrFacts
    {
        /// <summary>
        /// The declared type of every signal and local of <paramref name="unit"/> by name (a signal's where a local has its
        /// name too): what the passes look up per statement, so a unit of many statements is not searched per statement.
        /// </summary>
        public static Dictionary<string, IrType> DefinedTypes(IrUnit unit)
        {
            var types = new Dictionary<string, IrType>(StringComparer.Ordinal);
            foreach (var x in unit.Signals) if (!types.ContainsKey(x.Name)) types[x.Name] = x.Type;
            foreach (var x in unit.Locals) if (!types.ContainsKey(x.Name)) types[x.Name] = x.Type;
            return types;
        }

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

        /// <summary>Whether the expression reads a real param: the only reads a meta-gradient flows through in a constant (dims, int and bool params and literals carry none).</summary>
        public static bool ReadsRealParam(IrExpr e) =>
            Descendants(e).Any(x => x is IrRef { Kind: SymbolKind.Param } r && r.Type.Scalar == ScalarType.Real);

        /// <summary>The expression and everything inside it, without recursion (trees may be deep).</summary>
        public static IEnumerable<IrExpr> Descendants(IrExpr e)
        {
            var stack = new Stack<IrExpr>();
            stack.Push(e);
            while (stack.Count > 0)
            {
                var x = stack.Pop();
                yield return x;
                foreach (var c in Children(x)) stack.Push(c);
            }
        }

        /// <summary>
        /// The params an expression reads, in the order the text names them (left to right, repeats included), without
        /// recursion: the names a run-time check of those params reports, alike in every backend.
        /// </summary>
        public static IEnumerable<string> ParamRefs(IrExpr e) =>
            RefsInTextOrder(e).Where(r => r.Kind == SymbolKind.Param).Select(r => r.Name);

        /// <summary>
        /// A dim whose size the .ae file fixes: a fixed dim over fixed dims only, never one given at construction (the C#
        /// backend makes it a <c>const</c>; a dim derived from a run-time dim, <c>dim w = n + 2</c>, is computed from it).
        /// </summary>
        public static bool IsCompileTimeDim(IrUnit unit, IrDim d) =>
            !d.IsRuntime && d.Value.Terms.All(t => unit.Dims.FirstOrDefault(x => x.Name == t.Key) is IrDim x && x != d && IsCompileTimeDim(unit, x));

        /// <summary>
        /// What a constant expression reads that is known only at construction, in the order the text names it: its params
        /// and the dims given then or derived from those. A check over these is one the checker could not make (it keeps
        /// such dims symbolic and takes the params' defaults) and each instance must.
        /// </summary>
        public static IEnumerable<string> ConstructionRefs(IrUnit unit, IrExpr e) =>
            RefsInTextOrder(e).Where(r => r.Kind == SymbolKind.Param
                                          || (r.Kind == SymbolKind.Dim && unit.Dims.FirstOrDefault(d => d.Name == r.Name) is IrDim dim && !IsCompileTimeDim(unit, dim)))
                              .Select(r => r.Name);

        /// <summary>The references of an expression, left to right, repeats included, without recursion.</summary>
        private static IEnumerable<IrRef> RefsInTextOrder(IrExpr e)
        {
            var stack = new Stack<IrExpr>();
            stack.Push(e);
            while (stack.Count > 0)
            {
                var x = stack.Pop();
                if (x is IrRef r) yield return r;
                var children = Children(x).ToList();
                for (int i = children.Count - 1; i >= 0; i--) stack.Push(children[i]);
            }
        }

        /// <summary>Every expression a statement evaluates, a 'when''s branches included.</summary>
        public static IEnumerable<IrExpr> AllExpressions(IrStmt s)
        {
            foreach (var e in OwnExpressions(s)) yield return e;
            if (s is IrWhen w) foreach (var t in w.Then.Concat(w.Else)) foreach (var e in AllExpressions(t)) yield return e;
        }

        /// <summary>The expressions a statement evaluates itself (a 'when': its condition, not its branches).</summary>
        public static IReadOnlyList<IrExpr> OwnExpressions(IrStmt s) => s switch
        {
            IrDefine d => new[] { d.Value },
            IrSetNext n => new[] { n.Value },
            IrAccumulate a => new[] { a.Value },
            IrWhen w => new[] { w.Condition },
            _ => Array.Empty<IrExpr>(),
        };

        /// <summary>A call that folds a vector into a scalar (sum, mean, dot, norm, cosine, max, min, logsumexp).</summary>
        public static bool IsReduction(IrCall c) => c.Type.IsScalar && c.Args.Count > 0 && !c.Args[0].Type.IsScalar;

        /// <summary>
        /// Has no side effect: no filter update anywhere inside. A draw is pure: its value is a function of
        /// (seed, step, site, element), the same however often it is evaluated.
        /// </summary>
        public static bool IsPure(IrExpr e) => e is not IrFilter && Children(e).All(IsPure);

        /// <summary>Whether any statement of the unit's rules calls noise().</summary>
        public static bool Draws(IrUnit unit) =>
            unit.Rules.SelectMany(r => r.Body).SelectMany(AllExpressions).Concat(SwitchableNeutrals(unit)).Any(e => !DrawsNothing(e));

        /// <summary>
        /// The neutral values a step may evaluate: those of signals that a rule that can be switched off defines (while it
        /// is off, the signal is its neutral). A fixed rule's signal never reads its neutral.
        /// </summary>
        public static IEnumerable<IrExpr> SwitchableNeutrals(IrUnit unit) => SignalsWithSwitchableNeutrals(unit).Select(s => s.Neutral!);

        /// <summary>The signals of <see cref="SwitchableNeutrals"/>.</summary>
        public static IEnumerable<IrSignal> SignalsWithSwitchableNeutrals(IrUnit unit) =>
            unit.Signals.Where(s => s.Neutral is not null && unit.Rules.Any(r => r.Ablatable && Defines(r.Body, s.Name)));

        private static bool Defines(IEnumerable<IrStmt> body, string name) =>
            body.Any(s => s is IrDefine d && d.Name == name || s is IrWhen w && (Defines(w.Then, name) || Defines(w.Else, name)));

        /// <summary>Draws no noise anywhere inside.</summary>
        public static bool DrawsNothing(IrExpr e) => e is not IrNoise && Children(e).All(DrawsNothing);
    }
}
