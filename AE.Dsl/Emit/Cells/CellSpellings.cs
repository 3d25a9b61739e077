using System.Collections.Generic;

namespace AE.Dsl.Emit.Cells
{
    /// <summary>
    /// How the cell backend spells each elementwise builtin's derivative: a method of CellMath&lt;T&gt; (which
    /// a generated cell inherits). A builtin of one argument: <c>DName(x, y)</c> returns d/dx; of several:
    /// <c>DName(a0, ..., y, out d0, ...)</c>. Each computes the rule of <see cref="IR.Derivatives.Elementwise"/>;
    /// the forward spelling is <see cref="BuiltinSpellings"/>' Generic column. A predicate (isfinite) has no
    /// derivative. A test checks that every elementwise builtin has both.
    /// </summary>
    internal static class CellSpellings
    {
        public static IReadOnlyDictionary<string, BuiltinSpelling> Elementwise => BuiltinSpellings.Elementwise;

        /// <summary>
        /// Builtins with a vector spelling for the fused loops: the value's function and its derivative (given x and
        /// y = f(x)), CellMath methods of one Vector&lt;T&gt; (float64: the reference's functions lane by lane, bit for bit).
        /// </summary>
        public static readonly IReadOnlyDictionary<string, (string Value, string Derivative)> Vector = new Dictionary<string, (string, string)>
        {
            ["tanh"] = ("VTanh", "VDTanh"),
            ["sigmoid"] = ("VSigmoid", "VDSigmoid"),
            ["softplus"] = ("VSoftplus", "VDSoftplus"),
            ["exp"] = ("VExp", "VDExp"),
            ["log"] = ("VLog", "VDLog"),
            ["sin"] = ("VSin", "VDSin"),
            ["cos"] = ("VCos", "VDCos"),
            ["relu"] = ("VRelu", "VDRelu"),
            ["abs"] = ("VAbs", "VDAbs"),
            ["sqrt"] = ("VSqrt", "VDSqrt"),
        };

        public static readonly IReadOnlyDictionary<string, string?> Derivative = new Dictionary<string, string?>
        {
            ["tanh"] = "DTanh",
            ["sigmoid"] = "DSigmoid",
            ["softplus"] = "DSoftplus",
            ["exp"] = "DExp",
            ["log"] = "DLog",
            ["log1p"] = "DLog1p",
            ["sqrt"] = "DSqrt",
            ["sin"] = "DSin",
            ["cos"] = "DCos",
            ["relu"] = "DRelu",
            ["abs"] = "DAbs",
            ["sign"] = "DSign",
            ["softabs"] = "DSoftAbs",
            ["clamp"] = "DClamp",
            ["softclamp"] = "DSoftClamp",
            ["min"] = "DMin",
            ["max"] = "DMax",
            ["smoothmax"] = "DSmoothMax",
            ["smoothmin"] = "DSmoothMin",
            ["lerp"] = "DLerp",
            ["isfinite"] = null,
            ["finite_or"] = "DFiniteOr",
            ["sanitize"] = "DSanitize",
        };
    }
}
