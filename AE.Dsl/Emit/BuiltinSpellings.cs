using System.Collections.Generic;

namespace AE.Dsl.Emit
{
    /// <summary>How each backend spells an elementwise builtin: a function it calls with the arguments in order.</summary>
    /// <param name="Scalar">C# on doubles (the law's scalar loops and scalar statements): AeMath or System.Math</param>
    /// <param name="Lanes">C# on Vector256&lt;double&gt; lanes (the SIMD loops and populations): AeLanes, or Vector256 where it is exact</param>
    /// <param name="OpenCl">OpenCL C on doubles: a built-in function or the prelude's ae_ function</param>
    /// <param name="Generic">C# generic over the precision T (the cell backend): T's own function, or CellMath&lt;T&gt;'s, which a generated cell inherits</param>
    /// <param name="IlgpuOverride">ILGPU's C# on doubles where it differs from <paramref name="Scalar"/> (a method ILGPU cannot compile)</param>
    internal sealed record BuiltinSpelling(string Scalar, string Lanes, string OpenCl, string Generic, string? IlgpuOverride = null)
    {
        /// <summary>ILGPU's C# on doubles: the kernels class's ae_ helper where <see cref="Scalar"/> calls what ILGPU cannot compile, else <see cref="Scalar"/>.</summary>
        public string Ilgpu => IlgpuOverride ?? Scalar;
    }

    /// <summary>
    /// The one table of the elementwise builtins' spellings, for every backend; the meaning of each is
    /// <see cref="IR.Scalar.Call"/>'s (the interpreter's), which the spellings compute bit for bit in C#. Reductions,
    /// softmax and concat are lowered by the step schedule, not spelled here. A builtin missing from the table is
    /// not emitted (EmitNotSupportedException, AE0080 in a build); a test checks that every elementwise builtin of
    /// <see cref="IR.Builtins.Pure"/> is here.
    /// </summary>
    internal static class BuiltinSpellings
    {
        private const string M = Aliases.Math, R = Aliases.AeMath, L = Aliases.Lanes, Vx = Aliases.Vx;

        public static readonly IReadOnlyDictionary<string, BuiltinSpelling> Elementwise = new Dictionary<string, BuiltinSpelling>
        {
            ["tanh"] = new(M + ".Tanh", L + ".Tanh", "tanh", "T.Tanh"),
            ["exp"] = new(M + ".Exp", L + ".Exp", "exp", "T.Exp"),
            ["log"] = new(M + ".Log", L + ".Log", "log", "T.Log"),
            ["sqrt"] = new(M + ".Sqrt", Vx + ".Sqrt", "sqrt", "T.Sqrt"),
            ["sin"] = new(M + ".Sin", L + ".Sin", "sin", "T.Sin"),
            ["cos"] = new(M + ".Cos", L + ".Cos", "cos", "T.Cos"),
            ["abs"] = new(M + ".Abs", L + ".Abs", "fabs", "T.Abs"),
            ["min"] = new(M + ".Min", L + ".Min", "ae_min", "T.Min"),
            ["max"] = new(M + ".Max", L + ".Max", "ae_max", "T.Max"),
            ["sigmoid"] = new(R + ".Sigmoid", L + ".Sigmoid", "ae_sigmoid", "Sigmoid"),
            ["softplus"] = new(R + ".Softplus", L + ".Softplus", "ae_softplus", "Softplus"),
            ["log1p"] = new(R + ".Log1p", L + ".Log1p", "ae_log1p", "Log1p"),
            ["relu"] = new(R + ".Relu", L + ".Relu", "ae_relu", "Relu"),
            // Math.Sign throws on NaN, and ILGPU compiles no throw: the kernels class has its own, with AeMath.Sign's meaning.
            ["sign"] = new(R + ".Sign", L + ".Sign", "ae_sign", "Sign", "ae_sign"),
            ["softabs"] = new(R + ".SoftAbs", L + ".SoftAbs", "ae_softabs", "SoftAbs"),
            ["clamp"] = new(R + ".Clamp", L + ".Clamp", "ae_clamp", "Clamp"),
            ["softclamp"] = new(R + ".SoftClamp", L + ".SoftClamp", "ae_softclamp", "SoftClamp"),
            ["smoothmax"] = new(R + ".SmoothMax", L + ".SmoothMax", "ae_smoothmax", "SmoothMax"),
            ["smoothmin"] = new(R + ".SmoothMin", L + ".SmoothMin", "ae_smoothmin", "SmoothMin"),
            ["lerp"] = new(R + ".Lerp", L + ".Lerp", "ae_lerp", "Lerp"),
            ["isfinite"] = new(R + ".IsFinite", L + ".IsFinite", "ae_isfinite", "IsFinite"),
            ["finite_or"] = new(R + ".FiniteOr", L + ".FiniteOr", "ae_finite_or", "FiniteOr"),
            ["sanitize"] = new(R + ".Sanitize", L + ".Sanitize", "ae_sanitize", "Sanitize"),
        };

        /// <summary>The call of <paramref name="function"/> as one backend spells it, or null when the table has no spelling.</summary>
        public static string? Call(string function, IReadOnlyList<string> args, System.Func<BuiltinSpelling, string> backend) =>
            Elementwise.TryGetValue(function, out var s) ? backend(s) + "(" + string.Join(", ", args) + ")" : null;
    }
}
