using System.Collections.Generic;
using AE.Dsl.IR;

namespace AE.Dsl.Emit.Cells
{
    /// <summary>
    /// How the cell backend spells each elementwise builtin's derivative: a method of CellMath&lt;T&gt; (which
    /// a generated cell inherits) named after the forward spelling (<see cref="BuiltinSpellings"/>' Generic
    /// column without its <c>T.</c>): <c>DTanh</c> for <c>T.Tanh</c>, <c>DSoftAbs</c> for <c>SoftAbs</c>. A builtin of
    /// one argument: <c>DName(x, y)</c> returns d/dx; of several: <c>DName(a0, ..., y, out d0, ...)</c>. Each computes
    /// the rule of <see cref="IR.Derivatives.Elementwise"/>. A predicate (isfinite) has no derivative. A test checks
    /// that every elementwise builtin has both.
    /// </summary>
    internal static class CellSpellings
    {
        /// <summary>
        /// Builtins with a vector spelling for the fused loops: <c>VName(x)</c> for the value and <c>VDName(x, y)</c> for its
        /// derivative given y = f(x), CellMath methods of one Vector&lt;T&gt; (float64: the reference's functions lane by
        /// lane, bit for bit).
        /// </summary>
        public static readonly IReadOnlyCollection<string> Vectorised = new HashSet<string>
        {
            "tanh", "sigmoid", "softplus", "exp", "log", "sin", "cos", "relu", "abs", "sqrt",
        };

        /// <summary>The CellMath method that computes <paramref name="builtin"/>'s partial derivatives, or null for a predicate.</summary>
        public static string? Derivative(string builtin) =>
            Builtins.Pure[builtin].Shape == BuiltinShape.ElementwisePredicate ? null : "D" + Method(builtin);

        /// <summary>The vector spelling of the value of a builtin in <see cref="Vectorised"/>.</summary>
        public static string VectorValue(string builtin) => "V" + Method(builtin);

        /// <summary>The vector spelling of the derivative (given x and y = f(x)) of a builtin in <see cref="Vectorised"/>.</summary>
        public static string VectorDerivative(string builtin) => "VD" + Method(builtin);

        /// <summary>The forward spelling's method name: the Generic column without the <c>T.</c> of T's own functions.</summary>
        private static string Method(string builtin)
        {
            string generic = BuiltinSpellings.Elementwise[builtin].Generic;
            return generic.StartsWith("T.", System.StringComparison.Ordinal) ? generic.Substring(2) : generic;
        }
    }
}
