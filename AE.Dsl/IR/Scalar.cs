using System;
using System.Collections.Generic;

namespace AE.Dsl.IR
{
    /// <summary>The scalar meaning of each pure builtin: the reference the emitters must agree with.</summary>
    public static class Scalar
    {
        /// <summary>
        /// 2^53, the bound of an int: a 64-bit integer in every backend and a float64 in the interpreter, which holds every
        /// integer exactly up to it. A default beyond it is AE0020; a value set beyond it on the command line is refused.
        /// </summary>
        public const long MaxExactInt = 9007199254740992;

        /// <summary>
        /// Whether <paramref name="value"/>, read from the number written <paramref name="written"/>, is an int every backend holds
        /// exactly: whole, within ±2^53, and not a longer number a double rounded onto 2^53 (<c>9007199254740993</c>).
        /// </summary>
        public static bool IsExactInt(double value, string written)
        {
            if (double.IsNaN(value) || Math.Floor(value) != value || Math.Abs(value) > MaxExactInt) return false;
            return Math.Abs(value) < MaxExactInt
                || !decimal.TryParse(written, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var exact)
                || exact == (long)value;
        }

        /// <summary>A digit other than 0 before the exponent: the number written is not zero, however a double rounds it (<c>1e-400</c>).</summary>
        public static bool WritesNonZero(string number)
        {
            foreach (char c in number)
            {
                if (c is 'e' or 'E') return false;
                if (c is >= '1' and <= '9') return true;
            }
            return false;
        }

        /// <summary>The meaning of a binary operator on two values (a bool as 1 or 0), for folding, the interpreter and the OpenCL host.</summary>
        public static double Binary(BinaryOp op, double x, double y) => op switch
        {
            BinaryOp.Add => x + y,
            BinaryOp.Sub => x - y,
            BinaryOp.Mul => x * y,
            BinaryOp.Div => x / y,
            BinaryOp.Mod => x % y,
            BinaryOp.Pow => Math.Pow(x, y),
            BinaryOp.Less => x < y ? 1 : 0,
            BinaryOp.LessEq => x <= y ? 1 : 0,
            BinaryOp.Greater => x > y ? 1 : 0,
            BinaryOp.GreaterEq => x >= y ? 1 : 0,
            BinaryOp.Eq => x == y ? 1 : 0,
            BinaryOp.NotEq => x != y ? 1 : 0,
            BinaryOp.And => x != 0 && y != 0 ? 1 : 0,
            _ => x != 0 || y != 0 ? 1 : 0,
        };

        public static double Softplus(double x) => x > 20 ? x : x < -20 ? Math.Exp(x) : Log1p(Math.Exp(x));
        public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));
        public static double Log1p(double x)
        {
            // Goldberg's log1p: exact to a few ulps, as the seed's math.log1p.
            double u = 1.0 + x;
            return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
        }

        public static double? Call(string f, double[] a) => f switch
        {
            "tanh" => Math.Tanh(a[0]),
            "sigmoid" => Sigmoid(a[0]),
            "softplus" => Softplus(a[0]),
            "exp" => Math.Exp(a[0]),
            "log" => Math.Log(a[0]),
            "log1p" => Log1p(a[0]),
            "sqrt" => Math.Sqrt(a[0]),
            "sin" => Math.Sin(a[0]),
            "cos" => Math.Cos(a[0]),
            "relu" => Math.Max(a[0], 0),
            "abs" => Math.Abs(a[0]),
            "sign" => double.IsNaN(a[0]) ? double.NaN : Math.Sign(a[0]),   // Math.Sign throws on NaN; torch.sign gives NaN
            "softabs" => Math.Sqrt(a[0] * a[0] + a[1] * a[1]),
            "clamp" => Math.Min(Math.Max(a[0], a[1]), a[2]),
            "softclamp" => a[1] + (a[2] - a[1]) * Sigmoid(4 * (a[0] - 0.5 * (a[1] + a[2])) / (a[2] - a[1])),
            "min" when a.Length == 2 => Math.Min(a[0], a[1]),
            "max" when a.Length == 2 => Math.Max(a[0], a[1]),
            "smoothmax" => Math.Max(a[0], a[1]) + Math.Log(Math.Exp(a[2] * (a[0] - Math.Max(a[0], a[1]))) + Math.Exp(a[2] * (a[1] - Math.Max(a[0], a[1])))) / a[2],
            "smoothmin" => Math.Min(a[0], a[1]) - Math.Log(Math.Exp(-a[2] * (a[0] - Math.Min(a[0], a[1]))) + Math.Exp(-a[2] * (a[1] - Math.Min(a[0], a[1])))) / a[2],
            "lerp" => a[0] + (a[1] - a[0]) * a[2],
            "isfinite" => !double.IsNaN(a[0]) && !double.IsInfinity(a[0]) ? 1 : 0,
            "finite_or" => !double.IsNaN(a[0]) && !double.IsInfinity(a[0]) ? a[0] : a[1],
            "sanitize" => double.IsNaN(a[0]) ? 0 : double.IsPositiveInfinity(a[0]) ? a[1] : double.IsNegativeInfinity(a[0]) ? -a[1] : a[0],
            _ => null,
        };
    }
}
