using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.IR;
using AE.Dsl.Syntax;
using AE.Dsl.Text;

namespace AE.Dsl.Passes
{
    /// <summary>Interval evaluation of IR expressions over an environment of named intervals.</summary>
    internal sealed class IntervalEvaluator
    {
        private readonly Dictionary<string, Interval> _env;
        private readonly Dictionary<string, int> _writeVersion = new(StringComparer.Ordinal);
        /// <summary>
        /// Open scopes (a branch of a 'when', a rule that can be switched off), innermost last: for each key
        /// assigned inside, its value before the scope's first assignment (null: unknown, anything).
        /// </summary>
        private readonly List<Dictionary<string, Interval?>> _scopes = new();
        private int _callKeys;

        public IntervalEvaluator(Dictionary<string, Interval> env) { _env = env; }

        /// <summary>Every reduction may also be empty, as at a lagged unit's first step (sum 0, max -inf, min inf, ...).</summary>
        public bool EmptyReductions { get; init; }

        /// <summary>The interval of a key, null when nothing is known (anything).</summary>
        public Interval? Get(string key) => _env.TryGetValue(key, out var v) ? v : null;

        /// <summary>
        /// A next value or accumulator is assigned <paramref name="value"/> (null: anything). What a
        /// condition said about it no longer holds; the innermost scope remembers its value before.
        /// </summary>
        public void Assign(string key, Interval? value)
        {
            if (_scopes.Count > 0)
            {
                var top = _scopes[_scopes.Count - 1];
                if (!top.ContainsKey(key)) top[key] = Get(key);
            }
            Put(key, value);
            _writeVersion[key] = (_writeVersion.TryGetValue(key, out var v) ? v : 0) + 1;
            ForgetCallsReading(key);
        }

        /// <summary>
        /// Like <see cref="Assign"/>, for a value merged at the end of a scope: the enclosing scope remembers
        /// <paramref name="before"/>, the value before the closed scope, not whatever the scope left.
        /// </summary>
        private void Merge(string key, Interval? before, Interval? value)
        {
            if (_scopes.Count > 0)
            {
                var top = _scopes[_scopes.Count - 1];
                if (!top.ContainsKey(key)) top[key] = before;
            }
            Put(key, value);
            _writeVersion[key] = (_writeVersion.TryGetValue(key, out var v) ? v : 0) + 1;
            ForgetCallsReading(key);
        }

        private void Put(string key, Interval? value)
        {
            if (value is Interval v && !(double.IsNegativeInfinity(v.Lo) && double.IsPositiveInfinity(v.Hi))) _env[key] = v;
            else _env.Remove(key);
        }

        private static Interval? Hull(Interval? a, Interval? b) => a is Interval x && b is Interval y ? Interval.Hull(x, y) : null;

        /// <summary>
        /// Runs <paramref name="body"/> as code that may not run at all (a switchable rule): afterwards every
        /// key it assigned holds either its value from before or the one the body left.
        /// </summary>
        public void Optional(Action body)
        {
            _scopes.Add(new Dictionary<string, Interval?>(StringComparer.Ordinal));
            body();
            var written = _scopes[_scopes.Count - 1];
            _scopes.RemoveAt(_scopes.Count - 1);
            foreach (var kv in written) Merge(kv.Key, kv.Value, Hull(kv.Value, Get(kv.Key)));
        }

        /// <summary>
        /// Runs one of two branches (a 'when' and its else): <paramref name="whenTrue"/> knowing that
        /// <paramref name="condition"/> holds, <paramref name="whenFalse"/> from the values before the
        /// 'when'; afterwards every key either assigned holds the hull of the two branches' values.
        /// </summary>
        public void Branches(IrExpr condition, Action whenTrue, Action whenFalse)
        {
            _scopes.Add(new Dictionary<string, Interval?>(StringComparer.Ordinal));
            WithRefinements(condition, () => { whenTrue(); return 0; });
            var thenScope = _scopes[_scopes.Count - 1];
            _scopes.RemoveAt(_scopes.Count - 1);
            var thenValues = new List<KeyValuePair<string, Interval?>>(thenScope.Count);
            foreach (var kv in thenScope)
            {
                thenValues.Add(new KeyValuePair<string, Interval?>(kv.Key, Get(kv.Key)));
                Put(kv.Key, kv.Value); // the other branch starts from the values before the 'when'
            }

            _scopes.Add(new Dictionary<string, Interval?>(StringComparer.Ordinal));
            WithRefinements(condition, () => { whenFalse(); return 0; }, holds: false);
            var elseScope = _scopes[_scopes.Count - 1];
            _scopes.RemoveAt(_scopes.Count - 1);

            foreach (var kv in thenValues) Merge(kv.Key, thenScope[kv.Key], Hull(kv.Value, Get(kv.Key)));
            foreach (var kv in elseScope)
                if (!thenScope.ContainsKey(kv.Key)) Merge(kv.Key, kv.Value, Hull(kv.Value, Get(kv.Key)));
        }

        /// <summary>Called for every log/sqrt/log1p argument and every divisor, with its interval.</summary>
        public Action<string, IrExpr, Interval>? OnDomain { get; set; }

        public Interval Eval(IrExpr e)
        {
            switch (e)
            {
                // An error's stand-in (a value that did not parse or bind, said where it is) may be anything: not the 0 it holds.
                case IrConst c: return c.Type.IsError ? Interval.All : c.Type.Scalar == ScalarType.Bool ? new Interval(0, 1) : Interval.Point(c.Value);
                // A step count is a long: 1 / step is never 0. A condition on it narrows it (step > 1 ? 1 / (step - 1) : 1).
                case IrStep: return _env.TryGetValue(Key(e), out var narrowed) ? narrowed : new Interval(1, long.MaxValue);
                case IrRef r: return _env.TryGetValue(Key(r), out var v) ? v : Interval.All;
                case IrUnary u: return u.Op == IrUnaryOp.Negate ? -Eval(u.Operand) : new Interval(0, 1);
                case IrSelect s:
                {
                    Eval(s.Condition);
                    var whenTrue = WithRefinements(s.Condition, () => Eval(s.WhenTrue));
                    return Interval.Hull(whenTrue, WithRefinements(s.Condition, () => Eval(s.WhenFalse), holds: false));
                }
                case IrBinary b: return Binary(b);
                case IrCall c when ReadsOtherElements(c): return BeyondTheElement(() => KnownCall(c));
                case IrCall c: return KnownCall(c);
                case IrFilter f: return BeyondTheElement(() => Filter(f));
                case IrNetApply n: BeyondTheElement(() => Eval(n.Input)); return Interval.All;
                default: return Interval.All;
            }
        }

        /// <summary>
        /// Evaluates <paramref name="body"/> knowing that <paramref name="condition"/> holds (or, with
        /// <paramref name="holds"/> false, that it does not: an else branch): each comparison of a named value
        /// with a bound that the condition implies (<see cref="Refinements"/>) narrows the value meanwhile.
        /// </summary>
        public T WithRefinements<T>(IrExpr condition, Func<T> body, bool holds = true)
        {
            var saved = new List<KeyValuePair<string, Interval?>>();
            var versions = new Dictionary<string, int>(StringComparer.Ordinal);
            var scope = _scopes.Count > 0 ? _scopes[_scopes.Count - 1] : null;
            var recordedBefore = new HashSet<string>(StringComparer.Ordinal);
            int calls = 0;
            foreach (var (key, refined, operand) in RefinementsQuietly(condition, holds))
            {
                if (key.StartsWith("(", StringComparison.Ordinal)) calls++;
                versions[key] = _writeVersion.TryGetValue(key, out var wv) ? wv : 0;
                if (scope != null && scope.ContainsKey(key)) recordedBefore.Add(key);
                var had = _env.TryGetValue(key, out var old);
                saved.Add(new KeyValuePair<string, Interval?>(key, had ? old : null));
                _active.Add((key, had ? old : null, ReadKeys(operand), !operand.Type.IsScalar));
                if (!operand.Type.IsScalar) _elementwise++;
                var current = had ? old : Interval.All;
                _env[key] = Intersect(current, refined);
            }
            _callKeys += calls;
            try { return body(); }
            finally
            {
                for (int i = _active.Count - saved.Count; i < _active.Count; i++) if (_active[i].Elementwise) _elementwise--;
                _active.RemoveRange(_active.Count - saved.Count, saved.Count);
                _callKeys -= calls;
                for (int i = saved.Count - 1; i >= 0; i--)
                {
                    var key = saved[i].Key;
                    bool rewritten = (_writeVersion.TryGetValue(key, out var now) ? now : 0) != versions[key];
                    if (!rewritten) Put(key, saved[i].Value);
                    // Assigned meanwhile: the new value stands, and the scope that remembers the value from
                    // before the assignment must remember it as it was before the refinement.
                    else if (scope != null && !recordedBefore.Contains(key) && scope.ContainsKey(key)) scope[key] = saved[i].Value;
                }
            }
        }

        /// <summary>
        /// The refinements in force, innermost last: the key, its value before, the names its operand reads, and whether
        /// it is of a vector (an elementwise condition's, which holds of the element at hand only).
        /// </summary>
        private readonly List<(string Key, Interval? Before, HashSet<string> Reads, bool Elementwise)> _active = new();

        /// <summary>How many of <see cref="_active"/> are elementwise.</summary>
        private int _elementwise;

        /// <summary>The keys of the values an expression reads (x, x'), which an assignment can change under it.</summary>
        private static HashSet<string> ReadKeys(IrExpr e)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<IrExpr>();
            stack.Push(e);
            while (stack.Count > 0)
            {
                var at = stack.Pop();
                if (at is IrRef r) keys.Add(Key(r));
                foreach (var child in IrFacts.Children(at)) stack.Push(child);
            }
            return keys;
        }

        /// <summary>
        /// An assignment to <paramref name="key"/> ends what a condition said of a call that reads it: after
        /// 'when norm(m') > 0 { m' = 0 * m; ... }' norm(m') is 0 again, whatever the condition said.
        /// </summary>
        private void ForgetCallsReading(string key)
        {
            foreach (var a in _active)
                if (a.Reads.Contains(key) && a.Key.StartsWith("(", StringComparison.Ordinal)) _env.Remove(a.Key);
        }

        /// <summary>
        /// Evaluates <paramref name="body"/> as if no condition held: a lagged unit computes every reduction whatever the
        /// conditions around it (its value is read a step later), so a guard does not protect a reduction's argument.
        /// </summary>
        private T Unguarded<T>(Func<T> body) => Without(body, elementwiseOnly: false);

        /// <summary>
        /// Evaluates <paramref name="body"/> without what elementwise conditions said: 'g > 0 ? 1 / sum(g) : 0' knows
        /// that the element at hand is positive, not that the others are, so a reduction, a vector map (softmax,
        /// concat), a net or a filter, which read other elements (or other steps), sees the vector unrefined.
        /// </summary>
        private T BeyondTheElement<T>(Func<T> body) => _elementwise == 0 ? body() : Without(body, elementwiseOnly: true);

        /// <summary><paramref name="body"/> with the refinements in force (or their elementwise ones) undone meanwhile.</summary>
        private T Without<T>(Func<T> body, bool elementwiseOnly)
        {
            var now = new Dictionary<string, Interval?>(StringComparer.Ordinal);
            for (int i = _active.Count - 1; i >= 0; i--)
            {
                var (key, before, _, elementwise) = _active[i];
                if (elementwiseOnly && !elementwise) continue;
                if (!now.ContainsKey(key)) now[key] = _env.TryGetValue(key, out var v) ? v : null;
                Put(key, before);
            }
            int hidden = _elementwise;
            _elementwise = 0;
            try { return body(); }
            finally
            {
                _elementwise = hidden;
                foreach (var kv in now) Put(kv.Key, kv.Value);
            }
        }

        /// <summary>A call whose result at an element reads other elements of its arguments.</summary>
        private static bool ReadsOtherElements(IrCall c) =>
            Builtins.Pure.TryGetValue(c.Function, out var b) && (b.Shape is BuiltinShape.Reduction or BuiltinShape.VectorMap or BuiltinShape.Concat || IrFacts.IsReduction(c));

        private static Interval Intersect(Interval a, Interval b)
        {
            bool loFromB = b.Lo > a.Lo || (b.Lo == a.Lo && b.LoOpen);
            bool hiFromB = b.Hi < a.Hi || (b.Hi == a.Hi && b.HiOpen);
            return new Interval(loFromB ? b.Lo : a.Lo, hiFromB ? b.Hi : a.Hi, loFromB ? b.LoOpen : a.LoOpen, hiFromB ? b.HiOpen : a.HiOpen, a.ZeroLeftOut || b.ZeroLeftOut);
        }

        /// <summary>
        /// The refinements of a condition, its bounds evaluated without reporting their hazards again (the
        /// condition itself has been evaluated, and reported, where it stands).
        /// </summary>
        private List<(string Key, Interval Refined, IrExpr Operand)> RefinementsQuietly(IrExpr condition, bool holds)
        {
            var report = OnDomain;
            OnDomain = null;
            try { return Refinements(condition, holds).ToList(); }
            finally { OnDomain = report; }
        }

        /// <summary>
        /// What a condition that holds (or, with <paramref name="holds"/> false, fails) says of the named values it
        /// compares with a bound: 'x > c' narrows x to (lo(c), inf), 'c < x' the same, '!(x <= c)' too; 'x == c' to c's
        /// interval; 'x != c' opens an end of x that is c. Through '&&' when it holds, '||' when it fails, and '!'.
        /// A NaN compares false with everything, but the intervals describe numbers, so a failed 'x <= c' means x > c.
        /// </summary>
        private IEnumerable<(string Key, Interval Refined, IrExpr Operand)> Refinements(IrExpr condition, bool holds = true)
        {
            if (condition is IrUnary { Op: IrUnaryOp.Not } not)
            {
                foreach (var r in Refinements(not.Operand, !holds)) yield return r;
                yield break;
            }
            if (condition is not IrBinary b) yield break;
            if ((b.Op == BinaryOp.And && holds) || (b.Op == BinaryOp.Or && !holds))
            {
                foreach (var r in Refinements(b.Left, holds)) yield return r;
                foreach (var r in Refinements(b.Right, holds)) yield return r;
                yield break;
            }
            if (b.Op is BinaryOp.And or BinaryOp.Or) yield break;
            IrExpr x, c;
            BinaryOp op;
            if (IsRefinable(b.Left) && b.Right.Type.Scalar != ScalarType.Bool) { x = b.Left; c = b.Right; op = b.Op; }
            else if (IsRefinable(b.Right) && b.Left.Type.Scalar != ScalarType.Bool) { x = b.Right; c = b.Left; op = Mirrored(b.Op); }
            else yield break;
            if (!holds) op = Negated(op);
            var bound = Eval(c);
            var key = Key(x);
            // Narrowed from what the operand is known to be (a step count from [1, 2^63 - 1], a norm from [0, inf)).
            var current = Eval(x);
            switch (op)
            {
                case BinaryOp.Greater: yield return (key, Intersect(current, new Interval(bound.Lo, double.PositiveInfinity, loOpen: true)), x); break;
                case BinaryOp.GreaterEq: yield return (key, Intersect(current, new Interval(bound.Lo, double.PositiveInfinity, loOpen: bound.LoOpen)), x); break;
                case BinaryOp.Less: yield return (key, Intersect(current, new Interval(double.NegativeInfinity, bound.Hi, hiOpen: true)), x); break;
                case BinaryOp.LessEq: yield return (key, Intersect(current, new Interval(double.NegativeInfinity, bound.Hi, hiOpen: bound.HiOpen)), x); break;
                case BinaryOp.Eq: yield return (key, Intersect(current, bound), x); break;
                case BinaryOp.NotEq when bound.Lo == bound.Hi:
                    // An interval leaves out an end (norm(g) != 0 makes [0, inf) into (0, inf)), or 0 inside it (g != 0),
                    // not any other inner point.
                    if (current.Lo == bound.Lo && !current.LoOpen) yield return (key, Intersect(current, new Interval(bound.Lo, double.PositiveInfinity, loOpen: true)), x);
                    if (current.Hi == bound.Hi && !current.HiOpen) yield return (key, Intersect(current, new Interval(double.NegativeInfinity, bound.Hi, hiOpen: true)), x);
                    if (bound.Lo == 0 && current.Lo < 0 && current.Hi > 0) yield return (key, current.WithoutZero(), x);
                    break;
            }
        }

        /// <summary>The comparison with its sides swapped: c &lt; x is x &gt; c.</summary>
        private static BinaryOp Mirrored(BinaryOp op) => op switch
        {
            BinaryOp.Less => BinaryOp.Greater,
            BinaryOp.LessEq => BinaryOp.GreaterEq,
            BinaryOp.Greater => BinaryOp.Less,
            BinaryOp.GreaterEq => BinaryOp.LessEq,
            _ => op,
        };

        /// <summary>The comparison that holds where this one fails (for numbers).</summary>
        private static BinaryOp Negated(BinaryOp op) => op switch
        {
            BinaryOp.Less => BinaryOp.GreaterEq,
            BinaryOp.LessEq => BinaryOp.Greater,
            BinaryOp.Greater => BinaryOp.LessEq,
            BinaryOp.GreaterEq => BinaryOp.Less,
            BinaryOp.Eq => BinaryOp.NotEq,
            BinaryOp.NotEq => BinaryOp.Eq,
            _ => op,
        };

        /// <summary>
        /// Named values and pure calls (a reduction such as norm(v), abs(g)) can be narrowed by a condition. A vector's
        /// (in an elementwise condition: 'grad != 0 ? 1 / abs(grad) : 0') is narrowed for the element at hand only.
        /// </summary>
        private static bool IsRefinable(IrExpr e) =>
            e is IrRef or IrStep || (e is IrCall c && IrFacts.IsPure(c) && IrFacts.DrawsNothing(c));


        /// <summary>The environment key of a value: its name (primed for next values), or the printed form of a pure call.</summary>
        public static string Key(IrExpr e) => e is IrRef r ? Key(r) : "(" + IrPrinter.Expr(e) + ")";

        public static string Key(IrRef r) => r.Time == RefTime.Next ? r.Name + "'" : r.Name;

        private Interval Binary(IrBinary b)
        {
            if (b.Type.Scalar == ScalarType.Bool)
            {
                Eval(b.Left);
                // '&&' and '||' evaluate their right side only where the left one has not decided (the language's rule).
                if (b.Op == BinaryOp.And) WithRefinements(b.Left, () => Eval(b.Right));
                else if (b.Op == BinaryOp.Or) WithRefinements(b.Left, () => Eval(b.Right), holds: false);
                else Eval(b.Right);
                return new Interval(0, 1);
            }
            if (b.Op == BinaryOp.Mul) return Product(b);
            var l = Eval(b.Left);
            var r = Eval(b.Right);
            switch (b.Op)
            {
                case BinaryOp.Add: return l + r;
                case BinaryOp.Sub: return SameValue(b.Left, b.Right) ? Interval.Point(0) : l - r;
                case BinaryOp.Div:
                    OnDomain?.Invoke("/", b.Right, r);
                    return l * r.Reciprocal();
                case BinaryOp.Mod:
                    OnDomain?.Invoke("/", b.Right, r);
                    return Interval.All;
                case BinaryOp.Pow:
                    // x ^ -e is 1 / x ^ e: a base that can be 0 with an exponent that can be negative divides by 0.
                    if ((b.Right is IrConst neg && neg.Value < 0) || (b.Right is not IrConst && r.Lo < 0)) OnDomain?.Invoke("/", b.Left, l);
                    // An int exponent (step, a counter) is a whole power, defined for a negative base too.
                    bool wholeExponent = b.Right.Type.Scalar == ScalarType.Int || (b.Right is IrConst whole && whole.Value == Math.Floor(whole.Value));
                    if (!wholeExponent) OnDomain?.Invoke("^", b.Left, l);
                    return Pow(l, b.Right as IrConst, r);
                default: return Interval.All;
            }
        }

        /// <summary>
        /// x ^ y. A whole constant exponent is repeated products (an even one >= 0; 1e-200 ^ 2 underflows to
        /// 0), a negative one their reciprocal; a fractional one is monotone on x >= 0. A non-negative base with
        /// any other exponent is >= 0, and can be 0 (0.5 ^ 2000 underflows) or unbounded.
        /// </summary>
        private static Interval Pow(Interval x, IrConst? exponent, Interval exponentRange)
        {
            if (exponent is { Value: var k } && k == Math.Floor(k) && Math.Abs(k) < 64)
            {
                if (k == 0) return Interval.Point(1);
                var power = x.Power((int)Math.Abs(k));
                return k > 0 ? power : power.Reciprocal();
            }
            if (exponent != null && x.IsNonNegative)
            {
                double e = exponent.Value;
                double atLo = Math.Pow(x.Lo, e), atHi = Math.Pow(x.Hi, e);
                var range = e > 0 ? new Interval(atLo, atHi, x.LoOpen, x.HiOpen) : new Interval(atHi, atLo, x.HiOpen, x.LoOpen);
                // An exponent in (0, 1) takes a small x away from 0 (x^e >= x), so it underflows no more than x does.
                return e > 0 && e < 1 ? range : range.Underflowed();
            }
            if (exponent == null && x.IsNonNegative) return PowOfRanges(x, exponentRange);
            return x.IsNonNegative ? Interval.NonNegative : Interval.All;
        }

        /// <summary>
        /// x ^ y for x >= 0 and an exponent known by its range (<c>beta ^ step</c>, <c>step ^ d</c>): a negative
        /// exponent is the reciprocal of the positive power, and a range across 0 the hull of both.
        /// </summary>
        private static Interval PowOfRanges(Interval x, Interval y)
        {
            if (y.Lo >= 0) return PowNonNegativeExponent(x, y);
            var negative = PowNonNegativeExponent(x, new Interval(Math.Max(0, -y.Hi), -y.Lo)).Reciprocal();
            return y.Hi <= 0 ? negative : Interval.Hull(negative, PowNonNegativeExponent(x, new Interval(0, y.Hi)));
        }

        /// <summary>
        /// x ^ y for x >= 0 and y >= 0: monotone in x, and in y for each x (rising above 1, falling below), so it
        /// lies between its values at the corners of the two ranges. Where x <= 1 and y >= 1, x^y <= x (a
        /// correctly rounded power cannot pass the representable x), so x's open upper end stays open:
        /// <c>1 - beta ^ step</c> with beta in [0, 1) is positive. The lower end can underflow to 0.
        /// </summary>
        private static Interval PowNonNegativeExponent(Interval x, Interval y)
        {
            if (x.Hi <= 1 && y.Lo >= 1)
            {
                double least = x.Lo == 0 ? 0 : Math.Pow(x.Lo, y.Hi);
                return new Interval(least, x.Hi, x.LoOpen && least == x.Lo, x.HiOpen).Underflowed();
            }
            var corners = new[] { Math.Pow(x.Lo, y.Lo), Math.Pow(x.Lo, y.Hi), Math.Pow(x.Hi, y.Lo), Math.Pow(x.Hi, y.Hi) };
            return new Interval(corners.Min(), corners.Max()).Underflowed();
        }

        /// <summary>
        /// A product chain in any association order (<c>(1 - b) * g * g</c>, <c>2 * g * g</c>, <c>g / n * g</c>,
        /// <c>-g * g</c>): its factors are gathered through <c>*</c>, the left side of <c>/</c> and negation,
        /// structurally equal factors are counted, and an even power of a factor is its square (>= 0)
        /// raised further. Each factor is evaluated once, in order, so its own hazards are still reported.
        /// </summary>
        private Interval Product(IrBinary top)
        {
            var leaves = new List<(IrExpr Expr, bool Divisor)>();
            bool negative = false;
            var stack = new Stack<(IrExpr Expr, bool Divisor)>();
            stack.Push((top, false));
            while (stack.Count > 0)
            {
                var (e, divisor) = stack.Pop();
                if (divisor) leaves.Add((e, true));
                else if (e is IrBinary { Op: BinaryOp.Mul or BinaryOp.Div } b && b.Type.Scalar != ScalarType.Bool)
                {
                    // a / d: a's factors, then d as a divisor (not flattened further: 1/(x*y) is evaluated whole).
                    stack.Push((b.Right, b.Op == BinaryOp.Div));
                    stack.Push((b.Left, false));
                }
                else if (e is IrUnary { Op: IrUnaryOp.Negate } u)
                {
                    negative = !negative;
                    stack.Push((u.Operand, false));
                }
                else leaves.Add((e, false));
            }

            // Evaluate in order; group equal factors (divisors stand alone).
            var groups = new List<(IrExpr Expr, Interval Value, int Count)>(leaves.Count);
            Interval? divisors = null;
            foreach (var (expr, divisor) in leaves)
            {
                var v = Eval(expr);
                if (divisor)
                {
                    OnDomain?.Invoke("/", expr, v);
                    var r = v.Reciprocal();
                    divisors = divisors is Interval acc ? acc * r : r;
                    continue;
                }
                int at = -1;
                for (int i = 0; i < groups.Count && at < 0; i++)
                    if (QuickEqual(groups[i].Expr, expr) && SameValue(groups[i].Expr, expr)) at = i;
                if (at >= 0) groups[at] = (groups[at].Expr, groups[at].Value, groups[at].Count + 1);
                else groups.Add((expr, v, 1));
            }

            Interval? result = null;
            foreach (var (_, value, count) in groups)
            {
                var power = value.Power(count);
                result = result is Interval acc ? acc * power : power;
            }
            if (divisors is Interval dv) result = result is Interval acc2 ? acc2 * dv : dv;
            var product = result ?? Interval.Point(1);
            return negative ? -product : product;
        }

        /// <summary>A cheap necessary condition for <see cref="SameValue"/>: same node kind and, for reads, calls and literals, same name or value.</summary>
        private static bool QuickEqual(IrExpr a, IrExpr b) => (a, b) switch
        {
            (IrRef x, IrRef y) => x.Name == y.Name && x.Time == y.Time,
            (IrConst x, IrConst y) => x.Value == y.Value,
            (IrCall x, IrCall y) => x.Function == y.Function,
            _ => a.GetType() == b.GetType(),
        };

        /// <summary>A call's range, within what a condition in force says of it ('norm(g) > 0').</summary>
        private Interval KnownCall(IrCall c) => _callKeys > 0 && _env.TryGetValue(Key(c), out var known) ? Intersect(known, Call(c)) : Call(c);

        private Interval Call(IrCall c)
        {
            if (!EmptyReductions) return CallRange(c);
            double? empty = c.Function switch
            {
                "sum" or "mean" or "dot" or "norm" or "cosine" => 0,
                "max" when c.Args.Count == 1 => double.NegativeInfinity,
                "min" when c.Args.Count == 1 => double.PositiveInfinity,
                _ => null,
            };
            if (empty is not double e) return CallRange(c);
            return Interval.Hull(Unguarded(() => CallRange(c)), new Interval(e, e));
        }

        private Interval CallRange(IrCall c)
        {
            var a = c.Args.Select(Eval).ToArray();
            switch (c.Function)
            {
                case "exp": return FunctionRanges.Exp(a[0]);
                case "softplus": return FunctionRanges.Softplus(a[0]);
                case "sigmoid": return FunctionRanges.Sigmoid(a[0]);
                case "tanh": return FunctionRanges.Tanh(a[0]);
                case "log":
                    OnDomain?.Invoke("log", c.Args[0], a[0]);
                    return a[0].IsPositive ? Interval.Monotone(a[0], Math.Log) : Interval.All;
                case "log1p":
                    OnDomain?.Invoke("log1p", c.Args[0], a[0]);
                    return a[0].Lo > -1 || (a[0].Lo == -1 && a[0].LoOpen) ? Interval.Monotone(a[0], IR.Scalar.Log1p) : Interval.All;
                case "sqrt":
                    OnDomain?.Invoke("sqrt", c.Args[0], a[0]);
                    return a[0].IsNonNegative ? Interval.Monotone(a[0], Math.Sqrt, strictlyPositiveResult: a[0].IsPositive) : Interval.NonNegative;
                case "sin": case "cos": case "sign": return new Interval(-1, 1);
                case "cosine": return FunctionRanges.Cosine();
                case "abs": return a[0].ExcludesZero ? new Interval(0, double.PositiveInfinity, loOpen: true) : Interval.NonNegative;
                case "softabs": return FunctionRanges.Softabs(a[1]);
                case "relu": return new Interval(Math.Max(0, a[0].Lo), Math.Max(0, a[0].Hi));
                case "norm": return Interval.NonNegative;
                case "dot" when SameValue(c.Args[0], c.Args[1]): return Interval.NonNegative; // a sum of squares
                case "sum": return a[0].IsPositive ? Interval.Positive : a[0].IsNonNegative ? Interval.NonNegative : Interval.All;
                case "mean": return a[0]; // a sum of positives is at least n times the least, so sum / n does not underflow
                case "softmax": return FunctionRanges.Softmax();
                case "max" when a.Length == 1: return a[0];
                case "min" when a.Length == 1: return a[0];
                case "max": return Interval.Max(a[0], a[1]);
                case "min": return Interval.Min(a[0], a[1]);
                case "smoothmax": return FunctionRanges.SmoothMax(a[0], a[1], a[2]);
                case "clamp": return Interval.Min(Interval.Max(a[0], a[1]), a[2]); // min(max(x, lo), hi)
                case "softclamp":
                    // lo + (hi - lo) sigmoid(4 (x - mid) / (hi - lo)): the width divides.
                    OnDomain?.Invoke("softclamp", c, a[2] - a[1]);
                    return FunctionRanges.Blend(a[1], a[2]);
                case "finite_or": return Interval.Hull(a[0], a[1]);
                case "sanitize": return Interval.Hull(Interval.Hull(a[0], Interval.Point(0)), new Interval(-a[1].Hi, a[1].Hi));
                case "lerp": return a[2].Lo >= 0 && a[2].Hi <= 1 ? FunctionRanges.Blend(a[0], a[1]) : Interval.All;
                case "concat": return a.Aggregate(Interval.Hull);
                case "isfinite": return new Interval(0, 1);
                default: return Interval.All;
            }
        }

        private Interval Filter(IrFilter f)
        {
            var a = f.Args.Select(Eval).ToArray();
            switch (f.Kind)
            {
                case FilterKind.Ema:
                {
                    // The seed's EMA is a convex combination divided by (1 - beta^t) <= 1: the sign and a
                    // positive lower bound survive (unless the products underflow), the upper bound does not.
                    var x = a[1];
                    if (x.IsNonNegative) return new Interval(x.Lo, double.PositiveInfinity, x.LoOpen).Underflowed();
                    if (x.Hi <= 0) return new Interval(double.NegativeInfinity, x.Hi, false, x.HiOpen).Underflowed();
                    return Interval.All;
                }
                case FilterKind.Lp: return a[1].Underflowed();
                case FilterKind.Prev: return Interval.Hull(a[0], a[1]);
                default: return Interval.Hull(a[1], a[2]);
            }
        }

        /// <summary>Two expressions that compute the same value (same reads, same operations), spans aside.</summary>
        public static bool SameValue(IrExpr a, IrExpr b) => (a, b) switch
        {
            (IrConst x, IrConst y) => x.Value == y.Value,
            (IrRef x, IrRef y) => x.Name == y.Name && x.Time == y.Time,
            (IrUnary x, IrUnary y) => x.Op == y.Op && SameValue(x.Operand, y.Operand),
            (IrBinary x, IrBinary y) => x.Op == y.Op && SameValue(x.Left, y.Left) && SameValue(x.Right, y.Right),
            (IrCall x, IrCall y) => x.Function == y.Function && x.Args.Count == y.Args.Count && x.Args.Zip(y.Args, SameValue).All(t => t),
            _ => false,
        };
    }

    /// <summary>
    /// Warns about numeric hazards the checker can see: log/log1p/sqrt of an argument that is not
    /// provably in their domain, and division by something that can be 0 (AE0060, AE0061).
    /// Values flow through the rules in order; intervals come from params' declared ranges,
    /// coefficients' bounds and the operations' ranges. A next value <c>x'</c> starts as <c>x</c> (in
    /// its bounds, if declared) and an accumulator at its neutral value; each assignment replaces the
    /// interval, the two branches of a 'when' are joined, and after a rule that can be switched off
    /// every value it assigned may also be the one from before the rule.
    /// </summary>
    internal static class NumericHazards
    {
        /// <summary>
        /// Reports the unit's hazards; then, where a lagged variant of it is declared, those its first step adds: a
        /// lagged unit reads each reduction one step late, so at its first step every reduction is empty (the
        /// language's rule: sum, mean, dot, norm and cosine 0, max -inf, min inf). Those are reported once more only
        /// where they are new, with the variant named.
        /// </summary>
        /// <param name="laggedVariants">the unit's lagged variants, each with the rules it removes: a removed rule is not in the
        /// variant, so its hazards are not the variant's (variants that remove the same rules are analysed once, under the first's name)</param>
        public static void Check(IrUnit unit, Func<string, DiagnosticBag?> bagFor, IReadOnlyList<(string Name, IReadOnlyCollection<string> Removed)>? laggedVariants = null)
        {
            Analyze(unit, bagFor, null, null);
            if (laggedVariants is not { Count: > 0 }) return;
            var seen = new List<HashSet<string>>();
            foreach (var (name, removed) in laggedVariants)
            {
                var set = new HashSet<string>(removed, StringComparer.Ordinal);
                if (seen.Any(s => s.SetEquals(set))) continue;
                seen.Add(set);
                Analyze(unit, bagFor, $"; this is of the lagged variant '{name}' only, which computes every reduction whatever the conditions around it and reads it a step late, empty at its first step (sum, mean, dot, norm and cosine 0, max -inf, min inf)", set);
            }
        }

        private static void Analyze(IrUnit unit, Func<string, DiagnosticBag?> bagFor, string? laggedNote, HashSet<string>? removed)
        {
            var env = new Dictionary<string, Interval>(StringComparer.Ordinal);
            foreach (var kv in Interval.ParamIntervals(unit.Params)) env[kv.Key] = kv.Value;
            foreach (var d in unit.Dims) env[d.Name] = new Interval(1, int.MaxValue); // a length: 1 / n is never 0
            var constEval = new IntervalEvaluator(new Dictionary<string, Interval>(env, StringComparer.Ordinal));
            foreach (var s in unit.States)
            {
                if (s.Bounds != null)
                {
                    var lo = constEval.Eval(s.Bounds.Lo);
                    var hi = constEval.Eval(s.Bounds.Hi);
                    // The end of every step projects the state onto its bounds by clamping, so it can equal an end that the
                    // range leaves open (state s: real in (0, inf) becomes 0 when a step takes it there). A vector state is
                    // stored in float32 by a law's float step: a lower end below float32's smallest normal can round to 0.
                    var bounded = new Interval(lo.Lo, hi.Hi, lo.LoOpen, hi.HiOpen);
                    if (!s.Type.IsScalar) bounded = bounded.Underflowed();
                    env[s.Name] = bounded;
                    // The next value starts as the current one: until a rule sets it, it lies in the bounds too.
                    env[s.Name + "'"] = bounded;
                }
            }
            foreach (var a in unit.Signals) if (a.Neutral != null) env[a.Name] = constEval.Eval(a.Neutral);
            // An accumulator starts each step at its neutral value (a constant).
            foreach (var a in unit.Accs) env[a.Name] = constEval.Eval(a.Neutral);

            // One evaluator for the unit: next values and accumulators flow from rule to rule.
            var evaluator = new IntervalEvaluator(env) { EmptyReductions = laggedNote != null };
            var neutralSignals = new HashSet<string>(unit.Signals.Where(x => x.Neutral != null).Select(x => x.Name), StringComparer.Ordinal);
            foreach (var rule in unit.Rules)
            {
                if (removed is not null && removed.Contains(rule.Id)) continue;
                var bag = bagFor(rule.Origin.Path);
                // The bag drops a repeat of a diagnostic (same id, same span), so the lagged pass adds only new ones.
                evaluator.OnDomain = bag == null ? null
                    : laggedNote == null ? (op, arg, iv) => Report(bag, op, arg, iv)
                    : (op, arg, iv) => bag.WithContext(laggedNote, new TextSpan(0, bag.File.Text.Length), () => Report(bag, op, arg, iv));
                // A rule that can be switched off may leave every next value and accumulator as it was.
                if (rule.Ablatable) evaluator.Optional(() => Walk(rule.Body, evaluator, env, neutralSignals));
                else Walk(rule.Body, evaluator, env, neutralSignals);
            }
        }

        private static void Walk(IReadOnlyList<IrStmt> stmts, IntervalEvaluator ev, Dictionary<string, Interval> env, HashSet<string> neutralSignals)
        {
            foreach (var s in stmts)
            {
                switch (s)
                {
                    case IrDefine d:
                    {
                        var v = ev.Eval(d.Value);
                        env[d.Name] = neutralSignals.Contains(d.Name) && env.TryGetValue(d.Name, out var n) ? Interval.Hull(v, n) : v;
                        break;
                    }
                    case IrSetNext n: ev.Assign(n.Name + "'", ev.Eval(n.Value)); break;
                    case IrAccumulate a:
                    {
                        var add = ev.Eval(a.Value);
                        ev.Assign(a.Name, ev.Get(a.Name) is Interval sum ? sum + add : null);
                        break;
                    }
                    case IrWhen w:
                        ev.Eval(w.Condition);
                        ev.Branches(w.Condition, () => Walk(w.Then, ev, env, neutralSignals), () => Walk(w.Else, ev, env, neutralSignals));
                        break;
                }
            }
        }

        /// <summary>The divisor as the advice names it: as written where it is short, else x.</summary>
        private static string Shown(IrExpr arg)
        {
            string text = IrPrinter.Expr(arg);
            return text.Length <= 24 ? text : "x";
        }

        /// <summary>
        /// An epsilon keeps a denominator of one sign off 0 (added to one that is never negative, subtracted from one that is
        /// never positive); one that can take either sign needs ranges on the params it reads, or a guard.
        /// </summary>
        private static string RealDivisorAdvice(IrExpr arg, Interval iv)
        {
            if (iv.IsNonNegative) return "add a positive epsilon to the denominator ('+ 1e-12')";
            if (iv.Hi <= 0) return "subtract a positive epsilon from the denominator ('- 1e-12')";
            var parameters = IrFacts.Descendants(arg).OfType<IrRef>().Where(r => r.Kind == SymbolKind.Param).Select(r => r.Name).Distinct().ToList();
            string guard = $"guard it ('{Shown(arg)} != 0 ? ... : ...'); an epsilon does not keep a denominator of either sign off 0";
            return parameters.Count == 0 ? guard
                : $"declare ranges that keep it off 0 for the params it reads ({string.Join(", ", parameters)}), or " + guard;
        }

        private static void Report(DiagnosticBag bag, string op, IrExpr arg, Interval iv)
        {
            switch (op)
            {
                case "/":
                    // An int divisor (a counter, an int param in 'step % every') stays whole: an epsilon would make it real.
                    // A divisor that can only be 0 gets no epsilon or guard advice: no guard could leave 0 out of it.
                    if (!iv.ExcludesZero && iv.Lo == 0 && iv.Hi == 0)
                        bag.Report(DiagnosticCatalog.DivisionMayBeZero, arg.Span, iv.ToString(),
                            "it is always 0, so every value divided by it is NaN or infinite: divide by the value meant");
                    else if (!iv.ExcludesZero)
                        bag.Report(DiagnosticCatalog.DivisionMayBeZero, arg.Span, iv.ToString(), arg.Type.Scalar != ScalarType.Int
                            ? RealDivisorAdvice(arg, iv)
                            : arg is IrRef { Kind: SymbolKind.Param } param
                                ? $"declare a range that leaves 0 out ('param {param.Name}: int in [1, 1000]') or divide by max({param.Name}, 1)"
                                : $"divide by max({Shown(arg)}, 1), or guard it with a condition that leaves 0 out ('{Shown(arg)} > 0 ? ... : ...')");
                    break;
                case "log":
                    if (!iv.IsPositive) bag.Report(DiagnosticCatalog.NotProvablyPositive, arg.Span, "log", "positive", iv.ToString(), "add a positive epsilon ('+ 1e-12'), bound it with max(x, 1e-12), or declare the range of the params it uses");
                    break;
                case "log1p":
                    if (!(iv.Lo > -1 || (iv.Lo == -1 && iv.LoOpen))) bag.Report(DiagnosticCatalog.NotProvablyPositive, arg.Span, "log1p", "greater than -1", iv.ToString(), "bound it with max(x, -1 + 1e-12)");
                    break;
                case "softclamp":
                    if (!iv.IsPositive) bag.Report(DiagnosticCatalog.NotProvablyPositive, arg.Span, "softclamp", "of positive width (hi - lo divides)", iv.ToString(), "give hi a value above lo");
                    break;
                case "sqrt":
                    if (!iv.IsNonNegative) bag.Report(DiagnosticCatalog.NotProvablyPositive, arg.Span, "sqrt", "non-negative", iv.ToString(), "bound it with max(x, 0)");
                    break;
                case "^":
                    if (!iv.IsNonNegative) bag.Report(DiagnosticCatalog.NotProvablyPositive, arg.Span, "^ (a power that is not a whole number)", "non-negative", iv.ToString(), "bound the base with max(x, 0)");
                    break;
            }
        }
    }
}
