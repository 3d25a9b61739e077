using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.IR;
using AE.Dsl.Syntax;
using AE.Dsl.Text;

namespace AE.Dsl.Binding
{
    internal sealed partial class UnitBinder
    {
        /// <param name="differentiated">
        /// the value enters the step (an initial value, a bound the step projects onto, a neutral value), so a meta-gradient
        /// flows through it and, in a smooth unit, it is held to AE-9 as the rules are (a param's default and range, a
        /// require condition, are not: the runs set every param, and a condition only refuses)
        /// </param>
        private IrExpr BindConst(ExprSyntax e, string what, bool differentiated = false)
            => BindExpr(e, new Ctx
            {
                Bag = _bag, ConstWhat = what, SlotPrefix = "const",
                Smooth = differentiated && UnitSmooth,
                SmoothWhat = (_unit.Kind == UnitKind.Law ? "law " : "cell ") + _unit.Name.Text,
            });

        private static IrExpr Error(TextSpan span) => new IrConst(0, IrType.Error, span);

        /// <summary>A real scalar literal with a whole value an int holds exactly (within ±2^53), as an int literal; else null.</summary>
        private static IrConst? WholeLiteral(IrExpr e) =>
            e is IrConst c && c.Type.Scalar == ScalarType.Real && c.Type.IsScalar && !c.Type.IsError && Math.Floor(c.Value) == c.Value && Math.Abs(c.Value) <= Scalar.MaxExactInt
                ? new IrConst(c.Value, IrType.Int, c.Span) : null;

        private IrExpr BindExpr(ExprSyntax e, Ctx ctx)
        {
            switch (e)
            {
                case MissingExpr m: return Error(m.Span);
                case NumberExpr n: return new IrConst(n.Value, IrType.Real, n.Span);
                case BoolExpr b: return new IrConst(b.Value ? 1 : 0, IrType.Bool, b.Span);
                case ParenExpr p: return BindExpr(p.Inner, ctx);
                case NameExpr n: return BindName(n, ctx);
                case UnaryExpr u: return BindUnary(u, ctx);
                case BinaryExpr b: return BindBinary(b, ctx);
                case ConditionalExpr c: return BindConditional(c, ctx);
                case CallExpr c: return BindCall(c, ctx);
                default: return Error(e.Span);
            }
        }

        // ---------------------------------------------------------------- names

        private int _suggestions;

        /// <summary>
        /// The names an unknown name was said to be a misspelling of: with the typo, such a name is unread, and 'never used'
        /// beside 'did you mean' says the same thing twice (AE0050 is not reported for them).
        /// </summary>
        private readonly HashSet<string> _suggestedForTypos = new(StringComparer.Ordinal);

        private string? Suggested(string? suggestion)
        {
            if (suggestion != null) _suggestedForTypos.Add(suggestion);
            return suggestion;
        }

        private void ReportUnknown(NameSyntax name, DiagnosticBag? bag = null)
        {
            // Suggestions cost a pass over the names; past a few hundred unknown names they stop helping.
            var candidates = _symbols.Keys.Concat(Reserved).Concat(_definitions.Keys);
            var suggestion = Suggested(++_suggestions <= 200 ? NameSuggestions.Closest(name.Text, candidates) : null);
            (bag ?? _bag).Report(DiagnosticCatalog.UnknownName, name.Span, name.Text, suggestion != null ? $"; did you mean '{suggestion}'?" : "");
        }

        /// <summary>How a builtin function is called (<c>tanh(x)</c>, <c>clamp(x, lo, hi)</c>), or null for any other name.</summary>
        private static string? CallForm(string name)
        {
            if (Builtins.Special.TryGetValue(name, out var special)) return special.Substring(0, special.IndexOf(':'));
            if (!Builtins.Pure.TryGetValue(name, out var b)) return null;
            var args = b.Shape is BuiltinShape.Reduction or BuiltinShape.VectorMap or BuiltinShape.Concat ? new[] { "v", "w", "..." } : new[] { "x", "y", "z" };
            var shown = Enumerable.Range(0, Math.Min(b.MinArgs, 3)).Select(i => args[i]).ToList();
            if (b.MaxArgs > b.MinArgs) shown.Add("...");
            return name + "(" + string.Join(", ", shown.Distinct()) + ")";
        }

        private IrExpr BindName(NameExpr n, Ctx ctx)
        {
            var name = n.Name.Text;
            if (n.Name.IsMissing) return Error(n.Span);

            if (!_symbols.TryGetValue(name, out var sym))
            {
                if (name == "pi")
                {
                    if (n.IsNext) { ReportNonCausal(n, "the constant pi", ctx, constant: true); return Error(n.Span); }
                    return new IrConst(Math.PI, IrType.Real, n.Span);
                }
                if (name == "step")
                {
                    if (ctx.ConstWhat != null) { ctx.Bag.Report(DiagnosticCatalog.NotConstant, n.Span, ctx.ConstWhat, name, "the step counter"); return Error(n.Span); }
                    if (n.IsNext) { ReportNonCausal(n, "the step counter", ctx); return Error(n.Span); }
                    return new IrStep(n.Span);
                }
                if (ctx.ConstWhat == null && name == ctx.Defining)
                {
                    ctx.Bag.Report(DiagnosticCatalog.CyclicDefinition, n.Span, $"'{name}' is defined in terms of itself", DiagnosticCatalog.ValueCycleAdvice);
                    return Error(n.Span);
                }
                if (_rejectedDefinitions.Contains(name)) return Error(n.Span);
                if (ctx.ConstWhat == null && _definitions.TryGetValue(name, out var later))
                {
                    _readEarly.Add(name);
                    var file = _groups.BagFor(later.Path)?.File ?? ctx.Bag.File;
                    ctx.Bag.Report(DiagnosticCatalog.UseBeforeDefinition, n.Span, name, Where.At(file, later.Span.Start, ctx.Bag.File.Path));
                    return Error(n.Span);
                }
                if (CallForm(name) is string call)
                {
                    ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, n.Span, $"'{name}' is a function, not a value; call it: {call}");
                    return Error(n.Span);
                }
                ReportUnknown(n.Name, ctx.Bag);
                return Error(n.Span);
            }

            sym.Used = true;
            if (ctx.ConstWhat != null)
            {
                if (n.IsNext) { ReportNonCausal(n, Article(sym.KindText) + " " + sym.KindText, ctx, constant: sym.Kind is SymbolKind.Dim or SymbolKind.Param); return Error(n.Span); }
                switch (sym.Kind)
                {
                    case SymbolKind.Dim: return new IrRef(name, SymbolKind.Dim, RefTime.Current, IrType.Int, n.Span);
                    case SymbolKind.Param: return new IrRef(name, SymbolKind.Param, RefTime.Current, sym.Type, n.Span);
                    default:
                        ctx.Bag.Report(DiagnosticCatalog.NotConstant, n.Span, ctx.ConstWhat, name, Article(sym.KindText) + " " + sym.KindText);
                        return Error(n.Span);
                }
            }

            if (sym.Kind == SymbolKind.Net)
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, n.Span, $"'{name}' is a net, not a value; apply it to a vector: {name}(x)");
                return Error(n.Span);
            }

            if (n.IsNext)
            {
                if (sym.Kind is SymbolKind.State or SymbolKind.Coeff)
                    return new IrRef(name, sym.Kind, RefTime.Next, sym.Type, n.Span);
                ReportNonCausal(n, Article(sym.KindText) + " " + sym.KindText, ctx, constant: sym.Kind is SymbolKind.Dim or SymbolKind.Param);
                return Error(n.Span);
            }

            if (sym.Kind is SymbolKind.Local or SymbolKind.Signal)
            {
                if (name == ctx.Defining)
                {
                    ctx.Bag.Report(DiagnosticCatalog.CyclicDefinition, n.Span, $"'{name}' is defined in terms of itself", DiagnosticCatalog.ValueCycleAdvice);
                    return Error(n.Span);
                }
                if (!_definedSoFar.Contains(name))
                {
                    if (_definitions.TryGetValue(name, out var later))
                    {
                        _readEarly.Add(name);
                        var file = _groups.BagFor(later.Path)?.File ?? ctx.Bag.File;
                        ctx.Bag.Report(DiagnosticCatalog.UseBeforeDefinition, n.Span, name, Where.At(file, later.Span.Start, ctx.Bag.File.Path));
                        return Error(n.Span);
                    }
                    // A declared signal that no rule defines reads as its neutral value (AE0017 if it has none).
                    return new IrRef(name, sym.Kind, RefTime.Current, sym.Type, n.Span);
                }
                var def = sym.Definition;
                if (def != null && def.RuleId != ctx.RuleId)
                {
                    sym.UsedOutsideRule = true;
                    if (def.RuleAblatable && !sym.HasNeutral)
                        ctx.Bag.Report(DiagnosticCatalog.AblationHole, n.Span, def.RuleId, name, $"where rule {ctx.RuleId} uses it", NeutralDeclaration(name));
                }
            }
            return new IrRef(name, sym.Kind, RefTime.Current, sym.Type, n.Span);
        }

        private static string Article(string noun) => "aeiou".IndexOf(noun[0]) >= 0 ? "an" : "a";

        private static void ReportNonCausal(NameExpr n, string what, Ctx ctx, bool constant = false)
        {
            var name = n.Name.Text;
            ctx.Bag.Report(DiagnosticCatalog.NonCausalRead, n.Span, constant
                // A param, a dim or pi never changes: its "next value" is a slip for the value itself, not a wish to see the future.
                ? $"'{name}'' is the next value of {what}, which does not change from step to step; write '{name}'"
                : $"'{name}'' reads the value of {what} at the next step, which is not known yet (axiom A2: decisions use causal signals only); read '{name}' (this step) or prev({name}, init) (last step)");
        }

        // ---------------------------------------------------------------- operators

        private IrExpr BindUnary(UnaryExpr u, Ctx ctx)
        {
            var operand = BindExpr(u.Operand, ctx);
            if (operand.Type.IsError) return Error(u.Span);
            switch (u.Op)
            {
                case UnaryOp.Plus:
                    RequireNumeric(operand, u.Operand.Span, "unary '+'", ctx);
                    return operand;
                case UnaryOp.Negate:
                    if (!RequireNumeric(operand, u.Operand.Span, "unary '-'", ctx)) return Error(u.Span);
                    if (operand is IrConst c && c.Type.Scalar != ScalarType.Bool) return new IrConst(-c.Value, c.Type, u.Span);
                    return new IrUnary(IrUnaryOp.Negate, operand, operand.Type, u.Span);
                default:
                    if (operand.Type.Scalar != ScalarType.Bool)
                    {
                        ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, u.Operand.Span, $"'!' needs a bool, but this is {operand.Type}");
                        return Error(u.Span);
                    }
                    return new IrUnary(IrUnaryOp.Not, operand, operand.Type, u.Span);
            }
        }

        private bool RequireNumeric(IrExpr e, TextSpan span, string what, Ctx ctx)
        {
            if (e.Type.IsError) return false;
            if (e.Type.Scalar == ScalarType.Bool)
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, span, $"{what} needs a number, but this is {e.Type}; write 'c ? 1 : 0' to turn a condition into a number");
                return false;
            }
            return true;
        }

        /// <summary>Scalars broadcast against vectors; two vectors must have the same shape.</summary>
        private IrType? Broadcast(IrType a, IrType b, TextSpan span, string what, Ctx ctx)
        {
            if (a.IsError || b.IsError) return null;
            if (a.IsScalar) return b;
            if (b.IsScalar) return a;
            if (a.Shape.Equals(b.Shape)) return a;
            ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, span, $"{what} combines {a} and {b}; vectors must have the same length (a scalar combines with any vector)");
            return null;
        }

        private IrExpr BindBinary(BinaryExpr b, Ctx ctx)
        {
            var l = BindExpr(b.Left, ctx);
            var r = BindExpr(b.Right, ctx);
            if (l.Type.IsError || r.Type.IsError) return Error(b.Span);
            var opText = "'" + Operators.Text(b.Op) + "'";
            if (ctx.Smooth && b.Op == BinaryOp.Mod && DifferentiatedHere(ctx, l, r))
                ctx.Bag.Report(DiagnosticCatalog.NonSmoothInSmooth, b.OpSpan, "%", ctx.SmoothWhat, "a smooth periodic function such as sin");

            switch (b.Op)
            {
                case BinaryOp.And:
                case BinaryOp.Or:
                {
                    foreach (var (x, span) in new[] { (l, b.Left.Span), (r, b.Right.Span) })
                        if (x.Type.Scalar != ScalarType.Bool)
                        {
                            ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, span, $"{opText} needs bools, but this is {x.Type}");
                            return Error(b.Span);
                        }
                    var shape = Broadcast(l.Type, r.Type, b.OpSpan, opText, ctx);
                    return shape == null ? Error(b.Span) : Fold(new IrBinary(b.Op, l, r, shape.WithScalar(ScalarType.Bool), b.Span));
                }
                case BinaryOp.Eq:
                case BinaryOp.NotEq:
                {
                    if ((l.Type.Scalar == ScalarType.Bool) != (r.Type.Scalar == ScalarType.Bool))
                    {
                        ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, b.OpSpan, $"{opText} compares {l.Type} with {r.Type}; compare numbers with numbers, bools with bools");
                        return Error(b.Span);
                    }
                    var shape = Broadcast(l.Type, r.Type, b.OpSpan, opText, ctx);
                    return shape == null ? Error(b.Span) : Fold(new IrBinary(b.Op, l, r, shape.WithScalar(ScalarType.Bool), b.Span));
                }
                case BinaryOp.Less:
                case BinaryOp.LessEq:
                case BinaryOp.Greater:
                case BinaryOp.GreaterEq:
                {
                    if (!RequireNumeric(l, b.Left.Span, opText, ctx) || !RequireNumeric(r, b.Right.Span, opText, ctx)) return Error(b.Span);
                    var shape = Broadcast(l.Type, r.Type, b.OpSpan, opText, ctx);
                    return shape == null ? Error(b.Span) : Fold(new IrBinary(b.Op, l, r, shape.WithScalar(ScalarType.Bool), b.Span));
                }
                default:
                {
                    if (!RequireNumeric(l, b.Left.Span, opText, ctx) || !RequireNumeric(r, b.Right.Span, opText, ctx)) return Error(b.Span);
                    var shape = Broadcast(l.Type, r.Type, b.OpSpan, opText, ctx);
                    if (shape == null) return Error(b.Span);
                    if (b.Op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Mod)
                    {
                        // A whole-number literal beside an int is an int (cnt + 1, step % 3): the sum stays an int.
                        if (l.Type.Scalar == ScalarType.Int && WholeLiteral(r) is IrConst ri) r = ri;
                        else if (r.Type.Scalar == ScalarType.Int && WholeLiteral(l) is IrConst li) l = li;
                    }
                    bool integral = l.Type.Scalar == ScalarType.Int && r.Type.Scalar == ScalarType.Int && b.Op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Mod;
                    return Fold(new IrBinary(b.Op, l, r, shape.WithScalar(integral ? ScalarType.Int : ScalarType.Real), b.Span));
                }
            }
        }

        /// <summary>Folds operations on two literals, so '-1e6' and '2*3' are constants in the IR.</summary>
        private static bool Finite(double v) => !double.IsNaN(v) && !double.IsInfinity(v);

        private static IrExpr Fold(IrBinary b)
        {
            if (b.Left is IrConst x && b.Right is IrConst y && x.Type.IsScalar && y.Type.IsScalar)
            {
                double v = Scalar.Binary(b.Op, x.Value, y.Value);
                // 0 / 0 or 1 / 0 stays an operation, so that the numeric hazard pass warns of it (AE0061) as of any other.
                if (Finite(v) || !Finite(x.Value) || !Finite(y.Value)) return new IrConst(v, b.Type, b.Span);
            }
            return b;
        }

        private IrExpr BindConditional(ConditionalExpr c, Ctx ctx)
        {
            var cond = BindExpr(c.Condition, ctx);
            var a = BindExpr(c.WhenTrue, ctx);
            var b = BindExpr(c.WhenFalse, ctx);
            // in a constant, a choice on ints or dims is fixed, and smooth in the params its branches read
            if (ctx.Smooth && DifferentiatedHere(ctx, cond))
                ctx.Bag.Report(DiagnosticCatalog.NonSmoothInSmooth, c.QuestionSpan, "?:", ctx.SmoothWhat, "lerp(b, a, sigmoid(k*margin)) to blend the two branches");
            if (cond.Type.IsError || a.Type.IsError || b.Type.IsError) return Error(c.Span);
            if (cond.Type.Scalar != ScalarType.Bool)
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, c.Condition.Span, $"The condition of '?:' must be bool, but this is {cond.Type}; compare it, e.g. x > 0");
                return Error(c.Span);
            }
            if ((a.Type.Scalar == ScalarType.Bool) != (b.Type.Scalar == ScalarType.Bool))
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, c.WhenFalse.Span, $"The branches of '?:' must have one type, but they are {a.Type} and {b.Type}");
                return Error(c.Span);
            }
            // A whole-number literal beside an int is an int here too (up ? k + 1 : 0), as in + - * %: the counter stays an int.
            if (a.Type.Scalar == ScalarType.Int && WholeLiteral(b) is IrConst bi) b = bi;
            else if (b.Type.Scalar == ScalarType.Int && WholeLiteral(a) is IrConst ai) a = ai;
            var shape = Broadcast(a.Type, b.Type, c.QuestionSpan, "'?:'", ctx);
            if (shape == null) return Error(c.Span);
            shape = Broadcast(cond.Type, shape, c.QuestionSpan, "'?:' (condition and branches)", ctx);
            if (shape == null) return Error(c.Span);
            var scalar = a.Type.Scalar == ScalarType.Bool ? ScalarType.Bool
                : a.Type.Scalar == ScalarType.Int && b.Type.Scalar == ScalarType.Int ? ScalarType.Int : ScalarType.Real;
            return new IrSelect(cond, a, b, shape.WithScalar(scalar), c.Span);
        }

        // ---------------------------------------------------------------- calls

        private IrExpr BindCall(CallExpr c, Ctx ctx)
        {
            var name = c.Callee.Text;
            // A reserved word is a name only after the error that says so ('param log = 1;'): 'log(x)' is still the function.
            if (Syntax.TokenFacts.Keyword(name) is null && _symbols.TryGetValue(name, out var sym))
            {
                sym.Used = true;
                if (sym.Kind == SymbolKind.Net) return BindNetApply(c, sym, ctx);
                ctx.Bag.Report(DiagnosticCatalog.BadCall, c.Callee.Span, $"'{name}' is {Article(sym.KindText)} {sym.KindText}, not a function or a net; it cannot be called");
                foreach (var a in c.Args) BindExpr(a, ctx);
                return Error(c.Span);
            }
            if (name is "pi" or "step")
            {
                // Built-in values, not symbols: 'unknown name' would send the reader looking for a typo.
                ctx.Bag.Report(DiagnosticCatalog.BadCall, c.Callee.Span, $"'{name}' is {(name == "pi" ? "a constant" : "the step counter")}, not a function or a net; it cannot be called (write '{name}')");
                foreach (var a in c.Args) BindExpr(a, ctx);
                return Error(c.Span);
            }
            switch (name)
            {
                case "ema":
                case "lp":
                    return BindLowPass(c, name == "ema" ? FilterKind.Ema : FilterKind.Lp, ctx);
                case "prev":
                    return BindPrev(c, ctx);
                case "latch":
                    return BindLatch(c, ctx);
                case "noise":
                    return BindNoise(c, ctx);
            }
            if (!Builtins.Pure.TryGetValue(name, out var builtin))
            {
                var suggestion = Suggested(NameSuggestions.Closest(name, Builtins.AllNames.Concat(_symbols.Values.Where(s => s.Kind == SymbolKind.Net).Select(s => s.Name))));
                ctx.Bag.Report(DiagnosticCatalog.UnknownName, c.Callee.Span, name,
                    suggestion != null ? $"; did you mean '{suggestion}'?" : " (not a function, and no net has this name)");
                foreach (var a in c.Args) BindExpr(a, ctx);
                return Error(c.Span);
            }
            return BindPure(c, builtin, ctx);
        }

        private bool CheckArity(CallExpr c, int min, int max, string signature, Ctx ctx)
        {
            if (c.Args.Count >= min && c.Args.Count <= max) return true;
            if (c.Unclosed) return false;   // the syntax error in the list is the one error: the count of what was parsed is not the call's
            var expected = min == max ? $"{min} argument{(min == 1 ? "" : "s")}"
                : max > 8 ? (c.Args.Count > max ? $"at most {max} arguments" : $"at least {min} arguments")
                : $"{min} to {max} arguments";
            ctx.Bag.Report(DiagnosticCatalog.BadCall, c.Span, $"'{c.Callee.Text}' takes {expected}, but {c.Args.Count} {(c.Args.Count == 1 ? "is" : "are")} given: {signature}");
            return false;
        }

        private IrExpr BindPure(CallExpr c, Builtin builtin, Ctx ctx)
        {
            var args = c.Args.Select(a => BindExpr(a, ctx)).ToList();
            var signature = builtin.Name + ": " + builtin.Summary;
            if (ctx.Smooth && !builtin.Smooth && DifferentiatedHere(ctx, args.ToArray()))
                ctx.Bag.Report(DiagnosticCatalog.NonSmoothInSmooth, c.Callee.Span, builtin.Name, ctx.SmoothWhat, builtin.SmoothReplacement ?? "a smooth function");
            if (!CheckArity(c, builtin.MinArgs, builtin.MaxArgs, signature, ctx)) return Error(c.Span);
            if (args.Any(a => a.Type.IsError)) return Error(c.Span);

            bool reduction = builtin.Shape == BuiltinShape.Reduction || (builtin.Name is "max" or "min" && args.Count == 1);

            for (int i = 0; i < args.Count; i++)
                if (!RequireNumeric(args[i], c.Args[i].Span, $"Argument {i + 1} of '{builtin.Name}'", ctx)) return Error(c.Span);

            if (reduction)
            {
                for (int i = 0; i < args.Count; i++)
                {
                    if (args[i].Type.IsScalar)
                    {
                        ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, c.Args[i].Span, $"'{builtin.Name}' reduces a vector, but argument {i + 1} is the scalar {args[i].Type}");
                        return Error(c.Span);
                    }
                }
                for (int i = 1; i < args.Count; i++)
                    if (!args[i].Type.Shape.Equals(args[0].Type.Shape))
                    {
                        ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, c.Args[i].Span, $"'{builtin.Name}' needs vectors of one length, but it is given {args[0].Type} and {args[i].Type}");
                        return Error(c.Span);
                    }
                return new IrCall(builtin.Name, EqArray.From(args), IrType.Real, c.Span);
            }
            switch (builtin.Shape)
            {
                case BuiltinShape.VectorMap:
                    if (args[0].Type.IsScalar)
                    {
                        ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, c.Args[0].Span, $"'{builtin.Name}' maps a vector, but its argument is the scalar {args[0].Type}");
                        return Error(c.Span);
                    }
                    return new IrCall(builtin.Name, EqArray.From(args), args[0].Type.WithScalar(ScalarType.Real), c.Span);
                case BuiltinShape.Concat:
                {
                    var length = DimExpr.Const(0);
                    foreach (var a in args) length += a.Type.IsScalar ? DimExpr.Const(1) : a.Type.Shape[0];
                    return new IrCall(builtin.Name, EqArray.From(args), IrType.Vector(ScalarType.Real, length), c.Span);
                }
                default:
                {
                    IrType shape = args[0].Type;
                    for (int i = 1; i < args.Count; i++)
                    {
                        var s = Broadcast(shape, args[i].Type, c.Args[i].Span, $"'{builtin.Name}'", ctx);
                        if (s == null) return Error(c.Span);
                        shape = s;
                    }
                    var scalar = builtin.Shape == BuiltinShape.ElementwisePredicate ? ScalarType.Bool : ScalarType.Real;
                    var call = new IrCall(builtin.Name, EqArray.From(args), shape.WithScalar(scalar), c.Span);
                    if (args.All(a => a is IrConst && a.Type.IsScalar) && Scalar.Call(builtin.Name, args.Select(a => ((IrConst)a).Value).ToArray()) is double v)
                        return new IrConst(v, call.Type, c.Span);
                    return call;
                }
            }
        }

        /// <summary>
        /// Whether a construct's operands carry a meta-gradient: always in a rule's step values; in a constant (a filter
        /// rate, a bound, an initial or neutral value) only where it reads a real param, since dims, int params and
        /// literals have none.
        /// </summary>
        private static bool DifferentiatedHere(Ctx ctx, params IrExpr[] operands) =>
            ctx.ConstWhat == null || operands.Any(IrFacts.ReadsRealParam);

        private bool RejectInConst(CallExpr c, Ctx ctx, string what)
        {
            if (ctx.ConstWhat == null) return false;
            ctx.Bag.Report(DiagnosticCatalog.NotConstant, c.Span, ctx.ConstWhat, c.Callee.Text, what);
            return true;
        }

        private IrExpr BindLowPass(CallExpr c, FilterKind kind, Ctx ctx)
        {
            if (RejectInConst(c, ctx, "a filter with state")) return Error(c.Span);
            var signature = Builtins.Special[c.Callee.Text];
            if (!CheckArity(c, 2, 2, signature, ctx)) { foreach (var a in c.Args) BindExpr(a, ctx); return Error(c.Span); }
            // the rate is constant, but a meta-gradient flows through it to the params it reads: as smooth as its rule
            var beta = BindExpr(c.Args[0], new Ctx
            {
                Bag = ctx.Bag, ConstWhat = "The rate of '" + c.Callee.Text + "' (fixed for the run, so the filter is causal and time-invariant)",
                Smooth = ctx.Smooth, SmoothWhat = ctx.SmoothWhat,
            });
            var x = BindExpr(c.Args[1], ctx);
            if (beta.Type.IsError || x.Type.IsError) return Error(c.Span);
            if (!RequireNumeric(beta, c.Args[0].Span, "The rate of '" + c.Callee.Text + "'", ctx) || !RequireNumeric(x, c.Args[1].Span, "The input of '" + c.Callee.Text + "'", ctx)) return Error(c.Span);
            if (!beta.Type.IsScalar) { ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, c.Args[0].Span, $"The rate of '{c.Callee.Text}' must be a scalar, but this is {beta.Type}"); return Error(c.Span); }
            if (ConstEvaluator.Evaluate(beta, _symbols) is double b && (b < 0 || b >= 1))
                ctx.Bag.Report(DiagnosticCatalog.BadCall, c.Args[0].Span, $"The rate of '{c.Callee.Text}' is {Fmt(b)}; it must lie in [0, 1) for the filter to be stable");
            else CheckTrainedRate(c, beta, ctx);
            var type = x.Type.WithScalar(ScalarType.Real);
            var slot = NextSlot(ctx, c.Callee.Text);
            _filters.Add(new IrFilterSlot(slot, kind, type, new IrOrigin(ctx.Bag.File.Path, c.Span)));
            return new IrFilter(kind, slot, EqArray.Of(beta, x), type, c.Span);
        }

        /// <summary>
        /// A cell trains its real params, and training keeps each in its declared range only: a filter rate that reads one
        /// must stay in [0, 1) over those ranges, or a step can take the filter out of its stable range (the default alone
        /// was checked above).
        /// </summary>
        private void CheckTrainedRate(CallExpr c, IrExpr rate, Ctx ctx)
        {
            if (_unit.Kind != UnitKind.Cell) return;
            var trained = IrFacts.ParamRefs(rate).Distinct(StringComparer.Ordinal)
                .Where(n => _params.Any(p => p.Name == n && p.Type.Scalar == ScalarType.Real)).ToList();
            if (trained.Count == 0) return;
            // A range that reads another param is AE0080's (the cell backend does not emit it, so nothing trains it).
            if (trained.Select(n => _params.First(p => p.Name == n).Range).Any(r => r is not null && IrFacts.ParamRefs(r.Lo).Concat(IrFacts.ParamRefs(r.Hi)).Any())) return;
            // The trained params over their ranges; an int or bool param is compiled in at its declared value.
            var env = new Dictionary<string, Passes.Interval>(StringComparer.Ordinal);
            foreach (var p in _params)
                env[p.Name] = p.Type.Scalar != ScalarType.Real && p.Type.IsScalar && p.DefaultValue is double v0 ? Passes.Interval.Point(v0) : Passes.Interval.ParamInterval(p);
            var interval = Passes.Interval.Of(rate, env);
            if (interval.Lo >= 0 && (interval.Hi < 1 || (interval.Hi == 1 && interval.HiOpen))) return;
            string names = string.Join(", ", trained.Select(n => "'" + n + "'"));
            string example = trained.Count == 1 && rate is IrRef && _params.First(p => p.Name == trained[0]).DefaultValue is double v && v >= 0 && v < 1
                ? $" (e.g. 'param {trained[0]} in [0, 1) = {Fmt(v)}')" : "";
            ctx.Bag.Report(DiagnosticCatalog.BadCall, c.Args[0].Span,
                $"The rate of '{c.Callee.Text}' reads the trained param{(trained.Count == 1 ? "" : "s")} {names}, and training keeps a param in its declared range only: over those ranges the rate lies in {interval}, not within [0, 1); declare {(trained.Count == 1 ? "a range that keeps" : "ranges that keep")} it there{example} for the filter to stay stable");
        }

        private IrExpr BindPrev(CallExpr c, Ctx ctx)
        {
            if (RejectInConst(c, ctx, "a read of the previous step")) return Error(c.Span);
            if (!CheckArity(c, 2, 2, Builtins.Special["prev"], ctx)) { foreach (var a in c.Args) BindExpr(a, ctx); return Error(c.Span); }
            var x = BindExpr(c.Args[0], ctx);
            var init = BindExpr(c.Args[1], ctx);
            if (x.Type.IsError || init.Type.IsError) return Error(c.Span);
            if ((x.Type.Scalar == ScalarType.Bool) != (init.Type.Scalar == ScalarType.Bool))
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, c.Args[1].Span, $"The initial value of 'prev' must have the type of its value ({x.Type}), but this is {init.Type}");
                return Error(c.Span);
            }
            var shape = Broadcast(x.Type, init.Type, c.Args[1].Span, "'prev' (value and initial value)", ctx);
            if (shape == null) return Error(c.Span);
            if (!x.Type.IsScalar && init.Type.IsScalar) shape = x.Type;
            else if (x.Type.IsScalar && !init.Type.IsScalar)
            {
                ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, c.Args[1].Span, $"The initial value of 'prev' is {init.Type}, but its value is the scalar {x.Type}");
                return Error(c.Span);
            }
            var type = x.Type.Scalar == ScalarType.Int && init.Type.Scalar == ScalarType.Int ? shape.WithScalar(ScalarType.Int)
                : shape.WithScalar(x.Type.Scalar == ScalarType.Bool ? ScalarType.Bool : ScalarType.Real);
            var slot = NextSlot(ctx, "prev");
            _filters.Add(new IrFilterSlot(slot, FilterKind.Prev, type, new IrOrigin(ctx.Bag.File.Path, c.Span)));
            return new IrFilter(FilterKind.Prev, slot, EqArray.Of(x, init), type, c.Span);
        }

        private IrExpr BindLatch(CallExpr c, Ctx ctx)
        {
            if (RejectInConst(c, ctx, "a latch with state")) return Error(c.Span);
            if (ctx.Smooth) ctx.Bag.Report(DiagnosticCatalog.NonSmoothInSmooth, c.Callee.Span, "latch", ctx.SmoothWhat, "a latch outside the smooth rule (it switches once)");
            if (!CheckArity(c, 3, 3, Builtins.Special["latch"], ctx)) { foreach (var a in c.Args) BindExpr(a, ctx); return Error(c.Span); }
            var cond = BindExpr(c.Args[0], ctx);
            var value = BindExpr(c.Args[1], ctx);
            var before = BindExpr(c.Args[2], ctx);
            if (cond.Type.IsError || value.Type.IsError || before.Type.IsError) return Error(c.Span);
            RequireScalarBool(cond, c.Args[0].Span, "The condition of 'latch'", ctx);
            if ((value.Type.Scalar == ScalarType.Bool) != (before.Type.Scalar == ScalarType.Bool))
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, c.Args[2].Span, $"The two values of 'latch' must have one type, but they are {value.Type} and {before.Type}");
                return Error(c.Span);
            }
            var shape = Broadcast(value.Type, before.Type, c.Args[2].Span, "'latch'", ctx);
            if (shape == null) return Error(c.Span);
            var type = shape.WithScalar(value.Type.Scalar == ScalarType.Bool ? ScalarType.Bool : ScalarType.Real);
            var slot = NextSlot(ctx, "latch");
            _filters.Add(new IrFilterSlot(slot, FilterKind.Latch, type, new IrOrigin(ctx.Bag.File.Path, c.Span)));
            return new IrFilter(FilterKind.Latch, slot, EqArray.Of(cond, value, before), type, c.Span);
        }

        /// <summary>noise() call sites bound so far: the next one gets the next number (CounterNoise's site, 1 to 65535).</summary>
        private int _noiseSites;
        private const int NoiseSiteLimit = 65535;

        private IrExpr BindNoise(CallExpr c, Ctx ctx)
        {
            if (RejectInConst(c, ctx, "a random draw")) return Error(c.Span);
            if (!CheckArity(c, 0, 1, Builtins.Special["noise"], ctx)) return Error(c.Span);
            if (++_noiseSites > NoiseSiteLimit)
            {
                ctx.Bag.Report(DiagnosticCatalog.BadCall, c.Span, $"'{_unit.Name.Text}' has more than {NoiseSiteLimit} noise() calls, the most a unit may have (each call site gets its own numbered stream); draw a vector with noise(n) instead of many scalar draws");
                return Error(c.Span);
            }
            if (c.Args.Count == 0) return new IrNoise(IrType.Real, c.Span, _noiseSites);
            var n = BindDimExpr(c.Args[0], ctx.Bag);
            if (n == null) return Error(c.Span);
            if (n.IsConstant && n.Constant <= 0)
            {
                ctx.Bag.Report(DiagnosticCatalog.InvalidDimension, c.Args[0].Span, $"noise needs a length of at least 1, but this one is {Int(n.Constant)}");
                return Error(c.Span);
            }
            return new IrNoise(IrType.Vector(ScalarType.Real, n), c.Span, _noiseSites);
        }

        private IrExpr BindNetApply(CallExpr c, Symbol sym, Ctx ctx)
        {
            if (RejectInConst(c, ctx, "a net")) return Error(c.Span);
            var net = sym.Net;
            if (!CheckArity(c, 1, 1, $"{sym.Name}(x) with x a vector", ctx)) { foreach (var a in c.Args) BindExpr(a, ctx); return Error(c.Span); }
            var x = BindExpr(c.Args[0], ctx);
            if (net == null || x.Type.IsError) return Error(c.Span);
            if (!RequireNumeric(x, c.Args[0].Span, $"The input of net '{sym.Name}'", ctx)) return Error(c.Span);
            var width = x.Type.IsScalar ? DimExpr.Const(1) : x.Type.Shape[0];
            if (!width.Equals(net.InputWidth))
            {
                string hint = c.Args[0] is CallExpr { Callee.Text: "concat" } ? "the widths of the concatenated parts must add up to the net's input width" : "declare the net with this input width, or give it a vector of its width";
                ctx.Bag.Report(DiagnosticCatalog.NetWidthMismatch, c.Args[0].Span, sym.Name, net.InputWidth, width, hint);
                return Error(c.Span);
            }
            if (ctx.Smooth && !UnitSmooth && net.Activation == "relu")
                ctx.Bag.Report(DiagnosticCatalog.NonSmoothInSmooth, c.Callee.Span, sym.Name + " (relu)", ctx.SmoothWhat, "softplus as the net's activation");
            return new IrNetApply(sym.Name, x, IrType.Vector(ScalarType.Real, net.OutputWidth), c.Span);
        }
    }
}
