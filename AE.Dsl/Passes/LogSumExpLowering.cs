using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Passes
{
    /// <summary>
    /// Writes each <c>logsumexp(v)</c> of a law's rules as the interpreter computes it, out of reductions the law backends
    /// emit: <c>max(v) + log(sum(exp(v - max(v))))</c>. The schedule computes <c>max(v)</c> once, in a pass before the sum's,
    /// and the scalar code adds them as the interpreter does, so the C# scalar step agrees with it bit for bit.
    /// </summary>
    /// <remarks>
    /// <c>v</c> is evaluated three times, so a <c>v</c> that updates a filter keeps its <c>logsumexp</c> (each evaluation would
    /// update the filter's slot again); the schedule then refuses it in one line. A draw is a pure function of its site and
    /// element, so a <c>v</c> that draws is evaluated again to the same values.
    /// </remarks>
    public static class LogSumExpLowering
    {
        /// <summary>The unit with its rules' <c>logsumexp</c> calls written out (the unit itself when it has none).</summary>
        public static IrUnit Apply(IrUnit unit)
        {
            bool changed = false;
            var rules = new List<IrRule>(unit.Rules.Count);
            foreach (var rule in unit.Rules)
            {
                var body = Body(rule.Body);
                bool same = body.Equals(rule.Body);
                changed |= !same;
                rules.Add(same ? rule : rule with { Body = body });
            }
            return changed ? unit with { Rules = EqArray.From(rules) } : unit;
        }

        private static EqArray<IrStmt> Body(EqArray<IrStmt> body)
        {
            var result = body.Select(Statement).ToList();
            return result.Zip(body, ReferenceEquals).All(same => same) ? body : EqArray.From(result);
        }

        private static IrStmt Statement(IrStmt s) => s switch
        {
            IrDefine d => Keep(d, d.Value, v => d with { Value = v }),
            IrSetNext n => Keep(n, n.Value, v => n with { Value = v }),
            IrAccumulate a => Keep(a, a.Value, v => a with { Value = v }),
            IrWhen w => When(w),
            _ => s,
        };

        private static IrStmt When(IrWhen w)
        {
            var condition = Expr(w.Condition);
            var then = Body(w.Then);
            var otherwise = Body(w.Else);
            return ReferenceEquals(condition, w.Condition) && then.Equals(w.Then) && otherwise.Equals(w.Else)
                ? w : w with { Condition = condition, Then = then, Else = otherwise };
        }

        private static IrStmt Keep<T>(T s, IrExpr value, System.Func<IrExpr, T> with) where T : IrStmt
        {
            var lowered = Expr(value);
            return ReferenceEquals(lowered, value) ? s : with(lowered);
        }

        private static IrExpr Expr(IrExpr e)
        {
            switch (e)
            {
                case IrUnary u:
                {
                    var operand = Expr(u.Operand);
                    return ReferenceEquals(operand, u.Operand) ? u : u with { Operand = operand };
                }
                case IrBinary b:
                {
                    var (l, r) = (Expr(b.Left), Expr(b.Right));
                    return ReferenceEquals(l, b.Left) && ReferenceEquals(r, b.Right) ? b : b with { Left = l, Right = r };
                }
                case IrSelect s:
                {
                    var (c, t, f) = (Expr(s.Condition), Expr(s.WhenTrue), Expr(s.WhenFalse));
                    return ReferenceEquals(c, s.Condition) && ReferenceEquals(t, s.WhenTrue) && ReferenceEquals(f, s.WhenFalse)
                        ? s : s with { Condition = c, WhenTrue = t, WhenFalse = f };
                }
                case IrCall c:
                {
                    var args = Args(c.Args);
                    var call = args.Equals(c.Args) ? c : c with { Args = args };
                    return call.Function == "logsumexp" && IrFacts.IsPure(call.Args[0]) ? WrittenOut(call) : call;
                }
                case IrFilter f:
                {
                    var args = Args(f.Args);
                    return args.Equals(f.Args) ? f : f with { Args = args };
                }
                case IrNetApply n:
                {
                    var input = Expr(n.Input);
                    return ReferenceEquals(input, n.Input) ? n : n with { Input = input };
                }
                default:
                    return e;
            }
        }

        private static EqArray<IrExpr> Args(EqArray<IrExpr> args)
        {
            var lowered = args.Select(Expr).ToList();
            return lowered.Zip(args, ReferenceEquals).All(same => same) ? args : EqArray.From(lowered);
        }

        /// <summary>logsumexp(v) = m + log(sum(exp(v - m))) with m = max(v), the interpreter's order of operations.</summary>
        private static IrExpr WrittenOut(IrCall logsumexp)
        {
            var v = logsumexp.Args[0];
            var span = logsumexp.Span;
            var scalar = logsumexp.Type;
            IrExpr Max() => new IrCall("max", EqArray.From(new[] { v }), scalar, span);
            var shifted = new IrBinary(BinaryOp.Sub, v, Max(), v.Type, span);
            var exp = new IrCall("exp", EqArray.From(new IrExpr[] { shifted }), v.Type, span);
            var sum = new IrCall("sum", EqArray.From(new IrExpr[] { exp }), scalar, span);
            var log = new IrCall("log", EqArray.From(new IrExpr[] { sum }), scalar, span);
            return new IrBinary(BinaryOp.Add, Max(), log, scalar, span);
        }
    }
}
