using System.Collections.Generic;
using System.Linq;

namespace AE.Dsl.IR
{
    /// <summary>How a builtin maps argument types to its result type.</summary>
    public enum BuiltinShape
    {
        /// <summary>Real arguments broadcast together; the result has their common shape.</summary>
        Elementwise,
        /// <summary>Like Elementwise, but the result is bool.</summary>
        ElementwisePredicate,
        /// <summary>Vector arguments of one shape; the result is a scalar.</summary>
        Reduction,
        /// <summary>One vector in, a vector of the same shape out (softmax).</summary>
        VectorMap,
        /// <summary>Vectors joined end to end (concat).</summary>
        Concat,
    }

    /// <summary>A pure builtin function: its arity, shape rule, and whether it is smooth (AE-9).</summary>
    public sealed record Builtin(string Name, int MinArgs, int MaxArgs, BuiltinShape Shape, bool Smooth, string? SmoothReplacement, string Summary);

    /// <summary>
    /// The function table. Stateful builtins (ema, lp, prev, latch), noise and net application are
    /// bound separately; their entries here carry only documentation and arity for messages.
    /// </summary>
    public static class Builtins
    {
        public static readonly IReadOnlyDictionary<string, Builtin> Pure = new[]
        {
            new Builtin("tanh", 1, 1, BuiltinShape.Elementwise, true, null, "hyperbolic tangent"),
            new Builtin("sigmoid", 1, 1, BuiltinShape.Elementwise, true, null, "logistic function 1/(1+exp(-x))"),
            new Builtin("softplus", 1, 1, BuiltinShape.Elementwise, true, null, "log(1+exp(x)), computed as the seed does (x for x>20, exp(x) for x<-20)"),
            new Builtin("exp", 1, 1, BuiltinShape.Elementwise, true, null, "e^x"),
            new Builtin("log", 1, 1, BuiltinShape.Elementwise, true, null, "natural logarithm"),
            new Builtin("log1p", 1, 1, BuiltinShape.Elementwise, true, null, "log(1+x)"),
            new Builtin("sqrt", 1, 1, BuiltinShape.Elementwise, true, null, "square root"),
            new Builtin("sin", 1, 1, BuiltinShape.Elementwise, true, null, "sine"),
            new Builtin("cos", 1, 1, BuiltinShape.Elementwise, true, null, "cosine"),
            new Builtin("relu", 1, 1, BuiltinShape.Elementwise, false, "softplus(x)", "max(x, 0)"),
            new Builtin("abs", 1, 1, BuiltinShape.Elementwise, false, "softabs(x, eps)", "absolute value"),
            new Builtin("sign", 1, 1, BuiltinShape.Elementwise, false, "tanh(k*x) with a large k", "-1, 0 or 1"),
            new Builtin("softabs", 2, 2, BuiltinShape.Elementwise, true, null, "sqrt(x^2 + eps^2): a smooth |x|"),
            new Builtin("clamp", 3, 3, BuiltinShape.Elementwise, false, "softclamp(x, lo, hi)", "min(max(x, lo), hi)"),
            new Builtin("softclamp", 3, 3, BuiltinShape.Elementwise, true, null, "lo + (hi-lo)*sigmoid(4*(x-mid)/(hi-lo)): a smooth clamp with slope 1 at the midpoint"),
            new Builtin("min", 1, 2, BuiltinShape.Elementwise, false, "smoothmin(a, b, k) (or -logsumexp(-v) for a vector)", "smaller of two values; with one vector argument, its smallest element"),
            new Builtin("max", 1, 2, BuiltinShape.Elementwise, false, "smoothmax(a, b, k) (or logsumexp(v) for a vector)", "larger of two values; with one vector argument, its largest element"),
            new Builtin("smoothmax", 3, 3, BuiltinShape.Elementwise, true, null, "log(exp(k*a)+exp(k*b))/k"),
            new Builtin("smoothmin", 3, 3, BuiltinShape.Elementwise, true, null, "-log(exp(-k*a)+exp(-k*b))/k"),
            new Builtin("lerp", 3, 3, BuiltinShape.Elementwise, true, null, "a + (b-a)*w"),
            new Builtin("isfinite", 1, 1, BuiltinShape.ElementwisePredicate, false, "a guard outside the smooth rule", "true unless NaN or infinite"),
            new Builtin("finite_or", 2, 2, BuiltinShape.Elementwise, false, "a guard outside the smooth rule", "x if finite, else the fallback"),
            new Builtin("sanitize", 2, 2, BuiltinShape.Elementwise, false, "a guard outside the smooth rule", "NaN -> 0, +inf -> +limit, -inf -> -limit (torch.nan_to_num)"),
            new Builtin("sum", 1, 1, BuiltinShape.Reduction, true, null, "sum of the elements"),
            new Builtin("mean", 1, 1, BuiltinShape.Reduction, true, null, "mean of the elements"),
            new Builtin("dot", 2, 2, BuiltinShape.Reduction, true, null, "inner product of two vectors of one shape"),
            new Builtin("norm", 1, 1, BuiltinShape.Reduction, true, null, "Euclidean norm"),
            new Builtin("cosine", 2, 2, BuiltinShape.Reduction, true, null, "dot(a,b)/(norm(a)*norm(b)), 0 when either norm is 0"),
            new Builtin("logsumexp", 1, 1, BuiltinShape.Reduction, true, null, "log(sum(exp(v))), computed stably"),
            new Builtin("softmax", 1, 1, BuiltinShape.VectorMap, true, null, "exp(v)/sum(exp(v)), computed stably"),
            new Builtin("concat", 2, 16, BuiltinShape.Concat, true, null, "vectors joined end to end"),
        }.ToDictionary(b => b.Name);

        /// <summary>Stateful and special forms, with their argument lists for messages and docs.</summary>
        public static readonly IReadOnlyDictionary<string, string> Special = new Dictionary<string, string>
        {
            ["ema"] = "ema(beta, x): the seed's bias-corrected EMA; its first value is x itself",
            ["lp"] = "lp(beta, x): plain low-pass m = beta*m + (1-beta)*x, starting at the first x",
            ["prev"] = "prev(x, init): x at the previous step, init at the first step",
            ["latch"] = "latch(cond, value, before): before, until the first step where cond holds; value at that step from then on",
            ["noise"] = "noise() or noise(n): standard normal draws from the unit's seedable generator",
        };

        /// <summary>Activations a net may use between its layers.</summary>
        public static readonly IReadOnlyList<string> Activations = new[] { "tanh", "relu", "sigmoid", "softplus", "sin", "cos" };

        public static IEnumerable<string> AllNames => Pure.Keys.Concat(Special.Keys);
    }
}
