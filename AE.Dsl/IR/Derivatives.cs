using System;
using System.Collections.Generic;

namespace AE.Dsl.IR
{
    /// <summary>
    /// The derivative of every operator and pure builtin: the reference that reverse mode is checked
    /// against, beside <see cref="Scalar"/> (the reference values). Each rule is the exact derivative of
    /// the function as <see cref="Scalar"/> and the interpreter compute it. Where a function is not
    /// differentiable (relu at 0, abs at 0, clamp at its bounds, min/max at a tie, ...) the rule is the
    /// subgradient PyTorch's autograd uses (1.13, derivatives.yaml), so gradients agree with the seeds'
    /// training code; each such choice is listed in <see cref="Notes"/> and in docs/language.md.
    /// Comparisons, '&&', '||', '!', isfinite and sign carry no gradient (their derivative is 0).
    /// </summary>
    public static class Derivatives
    {
        /// <summary>Where a rule is a choice (a subgradient or a value at a singular point), what it is.</summary>
        public static readonly IReadOnlyDictionary<string, string> Notes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["relu"] = "d/dx = 1 for x > 0, 0 for x <= 0 (PyTorch: threshold_backward on the result, 0 at x = 0)",
            ["abs"] = "d/dx = sign(x): 0 at x = 0 (PyTorch: sgn)",
            ["sign"] = "d/dx = 0 everywhere (PyTorch: zeros_like)",
            ["clamp"] = "d/dx = 1 where lo <= x <= hi (bounds included), else 0; d/dlo = 1 where x < lo; d/dhi = 1 where x > hi (PyTorch: clamp_backward_min_max)",
            ["min"] = "min(a, b): the gradient goes to the smaller; at a tie each gets half (PyTorch: minimum). min(v): split evenly among the elements equal to the minimum (PyTorch: evenly_distribute_backward)",
            ["max"] = "max(a, b): the gradient goes to the larger; at a tie each gets half (PyTorch: maximum). max(v): split evenly among the elements equal to the maximum (PyTorch: evenly_distribute_backward)",
            ["sanitize"] = "d/dx = 1 where x is finite, else 0; d/dlimit = 0 (PyTorch: nan_to_num takes its limits as numbers)",
            ["finite_or"] = "d/dx = 1 where x is finite, else 0; d/dfallback = 1 where x is not finite (torch.where(isfinite(x), x, fallback))",
            ["isfinite"] = "a predicate: no gradient",
            ["softplus"] = "d/dx = 1 for x > 20, exp(x) for x < -20, else e/(1+e) with e = exp(x) (PyTorch: softplus_backward with threshold 20)",
            ["softabs"] = "d/dx = x/softabs(x, eps), d/deps = eps/softabs(x, eps); 0 at x = eps = 0 (where sqrt's derivative is infinite)",
            ["norm"] = "d/dv = v/norm(v); 0 when norm(v) = 0 (PyTorch: norm_backward masks the zero norm)",
            ["cosine"] = "d/da = b/(|a||b|) - cosine * a/|a|^2, and symmetrically for b; 0 when either norm is 0, where cosine is defined to be 0, and where rounding took the quotient past +-1, where it is held (clamp's rule)",
            ["pow"] = "x ^ y: d/dx = y x^(y-1), 0 where y = 0; d/dy = x^y log(x), 0 where x = 0 and y >= 0 (PyTorch: pow_backward, pow_backward_exponent)",
            ["mod"] = "x % y (C's fmod): d/dx = 1, d/dy = -trunc(x/y) (PyTorch: fmod)",
            ["?:"] = "c ? a : b: the gradient flows to the branch taken (elementwise for a vector condition), none to c",
        };

        /// <summary>The partial derivatives (d/dx, d/dy) of a binary operator at (x, y) whose value is z; (0, 0) for comparisons and logic.</summary>
        public static (double Dx, double Dy) Binary(BinaryOp op, double x, double y, double z) => op switch
        {
            BinaryOp.Add => (1, 1),
            BinaryOp.Sub => (1, -1),
            BinaryOp.Mul => (y, x),
            BinaryOp.Div => (1 / y, -x / (y * y)),
            BinaryOp.Mod => (1, -Math.Truncate(x / y)),
            BinaryOp.Pow => (y == 0 ? 0 : y * Math.Pow(x, y - 1), x == 0 && y >= 0 ? 0 : z * Math.Log(x)),
            _ => (0, 0),
        };

        /// <summary>Whether a binary operator passes a gradient (arithmetic) or not (comparisons, logic).</summary>
        public static bool IsDifferentiable(BinaryOp op) => op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod or BinaryOp.Pow;

        /// <summary>
        /// The partial derivatives of an elementwise builtin with respect to each argument at <paramref name="a"/>,
        /// where its value is <paramref name="y"/> = <see cref="Scalar.Call"/>(f, a). Written into <paramref name="d"/> (one per argument).
        /// </summary>
        public static void Elementwise(string f, double[] a, double y, double[] d)
        {
            Array.Clear(d, 0, d.Length);
            switch (f)
            {
                case "tanh": d[0] = 1 - y * y; break;
                case "sigmoid": d[0] = (1 - y) * y; break;
                case "softplus":
                {
                    double x = a[0];
                    if (x > 20) d[0] = 1;
                    else if (x < -20) d[0] = Math.Exp(x);
                    else { double e = Math.Exp(x); d[0] = e / (e + 1); }
                    break;
                }
                case "exp": d[0] = y; break;
                case "log": d[0] = 1 / a[0]; break;
                case "log1p": d[0] = 1 / (1 + a[0]); break;
                case "sqrt": d[0] = 1 / (2 * y); break;
                case "sin": d[0] = Math.Cos(a[0]); break;
                case "cos": d[0] = -Math.Sin(a[0]); break;
                case "relu": d[0] = y > 0 ? 1 : 0; break;
                case "abs": d[0] = a[0] > 0 ? 1 : a[0] < 0 ? -1 : 0; break;
                case "sign": break;
                case "softabs":
                    if (y != 0) { d[0] = a[0] / y; d[1] = a[1] / y; }
                    break;
                case "clamp":
                {
                    double x = a[0], lo = a[1], hi = a[2];
                    if (x >= lo && x <= hi) d[0] = 1;
                    else if (x < lo) { if (lo <= hi) d[1] = 1; else d[2] = 1; }
                    else d[2] = 1;
                    break;
                }
                case "softclamp":
                {
                    double x = a[0], lo = a[1], hi = a[2], w = hi - lo;
                    double z = 4 * (x - 0.5 * (lo + hi)) / w;
                    double s = Scalar.Sigmoid(z), ds = s * (1 - s);
                    d[0] = 4 * ds;
                    d[1] = 1 - s + ds * (z - 2);
                    d[2] = s - ds * (z + 2);
                    break;
                }
                case "min" when a.Length == 2:
                    if (a[0] == a[1]) { d[0] = 0.5; d[1] = 0.5; }
                    else if (a[0] < a[1]) d[0] = 1; else d[1] = 1;
                    break;
                case "max" when a.Length == 2:
                    if (a[0] == a[1]) { d[0] = 0.5; d[1] = 0.5; }
                    else if (a[0] > a[1]) d[0] = 1; else d[1] = 1;
                    break;
                case "smoothmax":
                case "smoothmin":
                {
                    // f = ±log(exp(±k a) + exp(±k b))/k: the weights are the softmax of (±k a, ±k b); df/dk = (a wa + b wb - f)/k.
                    double k = f == "smoothmax" ? a[2] : -a[2];
                    double m = Math.Max(k * a[0], k * a[1]);
                    double ea = Math.Exp(k * a[0] - m), eb = Math.Exp(k * a[1] - m);
                    double wa = ea / (ea + eb), wb = eb / (ea + eb);
                    d[0] = wa;
                    d[1] = wb;
                    d[2] = (a[0] * wa + a[1] * wb - y) / a[2];
                    break;
                }
                case "lerp": d[0] = 1 - a[2]; d[1] = a[2]; d[2] = a[1] - a[0]; break;
                case "isfinite": break;
                case "finite_or":
                    if ((!double.IsNaN(a[0]) && !double.IsInfinity(a[0]))) d[0] = 1; else d[1] = 1;
                    break;
                case "sanitize":
                    if ((!double.IsNaN(a[0]) && !double.IsInfinity(a[0]))) d[0] = 1;
                    break;
                default: throw new ArgumentException("no derivative for builtin '" + f + "'", nameof(f));
            }
        }

        /// <summary>Whether <paramref name="f"/> is a builtin that takes whole vectors (a reduction, softmax or concat) rather than elements.</summary>
        public static bool IsVectorFunction(string f, int arity) => f switch
        {
            "sum" or "mean" or "dot" or "norm" or "cosine" or "logsumexp" or "softmax" or "concat" => true,
            "max" or "min" => arity == 1,
            _ => false,
        };

        /// <summary>
        /// The vector-Jacobian product of a vector builtin: given its arguments, its value <paramref name="y"/> and
        /// the gradient <paramref name="g"/> of the objective with respect to that value, the gradient with respect to each argument.
        /// </summary>
        public static double[][] VectorJacobian(string f, double[][] args, double[] y, double[] g)
        {
            var r = new double[args.Length][];
            for (int k = 0; k < args.Length; k++) r[k] = new double[args[k].Length];
            var x = args[0];
            switch (f)
            {
                case "sum":
                    for (int i = 0; i < x.Length; i++) r[0][i] = g[0];
                    break;
                case "mean":
                    for (int i = 0; i < x.Length; i++) r[0][i] = g[0] / x.Length;
                    break;
                case "dot":
                    for (int i = 0; i < x.Length; i++) { r[0][i] = g[0] * args[1][i]; r[1][i] = g[0] * x[i]; }
                    break;
                case "norm":
                    if (y[0] != 0) for (int i = 0; i < x.Length; i++) r[0][i] = g[0] * x[i] / y[0];
                    break;
                case "cosine":
                {
                    var b = args[1];
                    double aa = 0, bb = 0, ab = 0;
                    for (int i = 0; i < x.Length; i++) { aa += x[i] * x[i]; bb += b[i] * b[i]; ab += x[i] * b[i]; }
                    double na = Math.Sqrt(aa), nb = Math.Sqrt(bb);
                    if (na == 0 || nb == 0) break;
                    if (Math.Abs(ab / (na * nb)) > 1) break; // held to +-1: clamp's rule, no gradient past its bound
                    double c = y[0];
                    for (int i = 0; i < x.Length; i++)
                    {
                        r[0][i] = g[0] * (b[i] / (na * nb) - c * x[i] / aa);
                        r[1][i] = g[0] * (x[i] / (na * nb) - c * b[i] / bb);
                    }
                    break;
                }
                case "logsumexp":
                    for (int i = 0; i < x.Length; i++) r[0][i] = g[0] * Math.Exp(x[i] - y[0]);
                    break;
                case "softmax":
                {
                    double gy = 0;
                    for (int i = 0; i < y.Length; i++) gy += g[i] * y[i];
                    for (int i = 0; i < y.Length; i++) r[0][i] = y[i] * (g[i] - gy);
                    break;
                }
                case "concat":
                {
                    int o = 0;
                    for (int k = 0; k < args.Length; k++)
                        for (int i = 0; i < args[k].Length; i++) r[k][i] = g[o++];
                    break;
                }
                case "max":
                case "min":
                {
                    int ties = 0;
                    for (int i = 0; i < x.Length; i++) if (x[i] == y[0]) ties++;
                    for (int i = 0; i < x.Length; i++) if (x[i] == y[0]) r[0][i] = g[0] / ties;
                    break;
                }
                default: throw new ArgumentException("no vector derivative for builtin '" + f + "'", nameof(f));
            }
            return r;
        }
    }
}
