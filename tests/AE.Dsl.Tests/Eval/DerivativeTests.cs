using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// Every rule of <see cref="Derivatives"/> against central finite differences of <see cref="Scalar"/> (the
    /// reference values) in float64, over random arguments away from the points where a function is not
    /// differentiable; and the subgradients chosen there, which follow PyTorch's autograd.
    /// </summary>
    public class DerivativeTests
    {
        private const int Draws = 300;

        /// <summary>
        /// The step and the tolerance it implies: central differences err by h^2 |f'''|/6 (truncation) plus about
        /// 2^-52 |f| / h (rounding); with h = 1e-5 scaled to the argument that is ~1e-10 |f'''| + 1e-11 |f|, and the
        /// tolerance allows a hundred times that with f''' bounded by the function's own scale.
        /// </summary>
        private static double Step(double x) => 1e-5 * Math.Max(1, Math.Abs(x));

        private static double Tolerance(double h, double f, double d) => 100 * (h * h * (1 + Math.Abs(d) + Math.Abs(f)) + 2.3e-16 * (1 + Math.Abs(f)) / h);

        /// <summary>Random arguments for each elementwise builtin, from a domain where it is smooth.</summary>
        private static double[] Arguments(string f, Random r)
        {
            double U(double lo, double hi) => lo + (hi - lo) * r.NextDouble();
            double AwayFromZero() { double x = U(0.05, 4); return r.Next(2) == 0 ? x : -x; }
            switch (f)
            {
                case "log": return new[] { U(0.1, 10) };
                case "sqrt": return new[] { U(0.1, 10) };
                case "log1p": return new[] { U(-0.9, 10) };
                case "softplus": return new[] { r.Next(4) == 0 ? (r.Next(2) == 0 ? U(21, 40) : U(-40, -21)) : U(-19.9, 19.9) };
                case "exp": return new[] { U(-5, 5) };
                case "relu": case "abs": case "sign": return new[] { AwayFromZero() };
                case "softabs": return new[] { U(-4, 4), AwayFromZero() };
                case "clamp":
                {
                    double lo = U(-3, 0), hi = lo + U(0.5, 3), x;
                    do x = U(-5, 5); while (Math.Abs(x - lo) < 0.01 || Math.Abs(x - hi) < 0.01);
                    return new[] { x, lo, hi };
                }
                case "softclamp": { double lo = U(-3, 0); return new[] { U(-5, 5), lo, lo + U(0.5, 3) }; }
                case "min": case "max": { double a = U(-3, 3), b; do b = U(-3, 3); while (Math.Abs(a - b) < 0.01); return new[] { a, b }; }
                case "smoothmax": case "smoothmin": return new[] { U(-3, 3), U(-3, 3), U(0.3, 5) };
                case "lerp": return new[] { U(-3, 3), U(-3, 3), U(-1, 2) };
                case "finite_or": case "sanitize": return new[] { U(-5, 5), U(-5, 5) };
                default: return new[] { U(-3, 3) };
            }
        }

        public static TheoryData<string> ElementwiseBuiltins()
        {
            var data = new TheoryData<string>();
            foreach (var b in Builtins.Pure.Values.Where(b => b.Shape == BuiltinShape.Elementwise)) data.Add(b.Name);
            return data;
        }

        [Theory]
        [MemberData(nameof(ElementwiseBuiltins))]
        public void Elementwise_rule_matches_central_differences(string f)
        {
            var r = new Random(f.GetHashCode(StringComparison.Ordinal) & 0x7fff);
            for (int draw = 0; draw < Draws; draw++)
            {
                var a = Arguments(f, r);
                double y = Scalar.Call(f, a)!.Value;
                var d = new double[a.Length];
                Derivatives.Elementwise(f, a, y, d);
                for (int k = 0; k < a.Length; k++)
                {
                    double h = Step(a[k]);
                    var plus = (double[])a.Clone(); plus[k] += h;
                    var minus = (double[])a.Clone(); minus[k] -= h;
                    double fd = (Scalar.Call(f, plus)!.Value - Scalar.Call(f, minus)!.Value) / (2 * h);
                    Assert.True(Math.Abs(fd - d[k]) <= Tolerance(h, y, d[k]),
                        $"d{f}/darg{k} at ({string.Join(", ", a)}): rule {d[k]:R}, central difference {fd:R}");
                }
            }
        }

        public static TheoryData<BinaryOp> ArithmeticOperators() => new() { BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div, BinaryOp.Mod, BinaryOp.Pow };

        [Theory]
        [MemberData(nameof(ArithmeticOperators))]
        public void Operator_rule_matches_central_differences(BinaryOp op)
        {
            var r = new Random((int)op + 17);
            for (int draw = 0; draw < Draws; draw++)
            {
                double x = op == BinaryOp.Pow ? 0.1 + 3 * r.NextDouble() : -3 + 6 * r.NextDouble();
                double y = op == BinaryOp.Div || op == BinaryOp.Mod ? (0.3 + 2 * r.NextDouble()) * (r.Next(2) == 0 ? 1 : -1) : -3 + 6 * r.NextDouble();
                if (op == BinaryOp.Mod && Math.Abs(x / y - Math.Round(x / y)) < 0.01) continue;   // fmod jumps where x/y is an integer
                double z = Scalar.Binary(op, x, y);
                var (dx, dy) = Derivatives.Binary(op, x, y, z);
                double hx = Step(x), hy = Step(y);
                double fx = (Scalar.Binary(op, x + hx, y) - Scalar.Binary(op, x - hx, y)) / (2 * hx);
                double fy = (Scalar.Binary(op, x, y + hy) - Scalar.Binary(op, x, y - hy)) / (2 * hy);
                Assert.True(Math.Abs(fx - dx) <= Tolerance(hx, z, dx), $"{op} d/dx at ({x:R}, {y:R}): rule {dx:R}, central difference {fx:R}");
                Assert.True(Math.Abs(fy - dy) <= Tolerance(hy, z, dy), $"{op} d/dy at ({x:R}, {y:R}): rule {dy:R}, central difference {fy:R}");
            }
        }

        public static TheoryData<string, int> VectorBuiltins() => new()
        {
            { "sum", 1 }, { "mean", 1 }, { "dot", 2 }, { "norm", 1 }, { "cosine", 2 }, { "logsumexp", 1 }, { "softmax", 1 }, { "concat", 3 }, { "max", 1 }, { "min", 1 },
        };

        /// <summary>The vector-Jacobian product against central differences of g . f(x), for a random g.</summary>
        [Theory]
        [MemberData(nameof(VectorBuiltins))]
        public void Vector_rule_matches_central_differences(string f, int arity)
        {
            var r = new Random(f.Length * 31 + arity);
            for (int draw = 0; draw < Draws / 3; draw++)
            {
                int n = 1 + r.Next(6);
                var args = Enumerable.Range(0, arity).Select(_ => Enumerable.Range(0, f == "concat" ? 1 + r.Next(4) : n).Select(_ => -3 + 6 * r.NextDouble()).ToArray()).ToArray();
                var y = Interpreter.Reduce(f, args)!;
                var g = y.Select(_ => -1 + 2 * r.NextDouble()).ToArray();
                double Objective(double[][] a) { var v = Interpreter.Reduce(f, a)!; double s = 0; for (int i = 0; i < v.Length; i++) s += g[i] * v[i]; return s; }
                var vjp = Derivatives.VectorJacobian(f, args, y, g);
                for (int k = 0; k < arity; k++)
                    for (int i = 0; i < args[k].Length; i++)
                    {
                        double h = Step(args[k][i]);
                        var plus = args.Select(a => (double[])a.Clone()).ToArray(); plus[k][i] += h;
                        var minus = args.Select(a => (double[])a.Clone()).ToArray(); minus[k][i] -= h;
                        double fd = (Objective(plus) - Objective(minus)) / (2 * h);
                        Assert.True(Math.Abs(fd - vjp[k][i]) <= Tolerance(h, Objective(args), vjp[k][i]),
                            $"{f}: d/d arg{k}[{i}] rule {vjp[k][i]:R}, central difference {fd:R}");
                    }
            }
        }

        private static double[] D(string f, params double[] a)
        {
            var d = new double[a.Length];
            Derivatives.Elementwise(f, a, Scalar.Call(f, a)!.Value, d);
            return d;
        }

        [Fact]
        public void Non_smooth_points_take_PyTorchs_subgradients()
        {
            Assert.Equal(new[] { 0.0 }, D("relu", 0));
            Assert.Equal(new[] { 0.0 }, D("abs", 0));
            Assert.Equal(new[] { 0.0 }, D("sign", 2));
            Assert.Equal(new[] { 1.0, 0, 0 }, D("clamp", -1, -1, 1));           // bounds included
            Assert.Equal(new[] { 1.0, 0, 0 }, D("clamp", 1, -1, 1));
            Assert.Equal(new[] { 0.0, 1, 0 }, D("clamp", -2, -1, 1));
            Assert.Equal(new[] { 0.0, 0, 1 }, D("clamp", 2, -1, 1));
            Assert.Equal(new[] { 0.5, 0.5 }, D("max", 1, 1));                  // a tie splits
            Assert.Equal(new[] { 0.5, 0.5 }, D("min", 1, 1));
            Assert.Equal(new[] { 0.0, 0 }, D("sanitize", double.PositiveInfinity, 5));
            Assert.Equal(new[] { 0.0, 1 }, D("finite_or", double.NaN, 5));
            Assert.Equal(new[] { 0.0, 0 }, D("softabs", 0, 0));
            Assert.Equal(new[] { 1.0, 0 }, D("sanitize", 1, 5));
            // max(v) splits evenly among the elements equal to the maximum; norm and cosine are 0 at a zero vector.
            Assert.Equal(new[] { 0.5, 0, 0.5 }, Derivatives.VectorJacobian("max", new[] { new[] { 2.0, 1, 2 } }, new[] { 2.0 }, new[] { 1.0 })[0]);
            Assert.Equal(new[] { 0.0, 0 }, Derivatives.VectorJacobian("norm", new[] { new[] { 0.0, 0 } }, new[] { 0.0 }, new[] { 1.0 })[0]);
            var cos = Derivatives.VectorJacobian("cosine", new[] { new[] { 0.0, 0 }, new[] { 1.0, 2 } }, new[] { 0.0 }, new[] { 1.0 });
            Assert.Equal(new[] { 0.0, 0 }, cos[0]);
            Assert.Equal(new[] { 0.0, 0 }, cos[1]);
            // x ^ y: no gradient to x where y = 0, none to y where x = 0 and y >= 0.
            Assert.Equal((0.0, 0.0), Derivatives.Binary(BinaryOp.Pow, 0, 0, 1));
            Assert.Equal((0.0, 0.0), Derivatives.Binary(BinaryOp.Pow, 0, 2, 0));
            Assert.Equal((0.0, Math.Log(2)), Derivatives.Binary(BinaryOp.Pow, 2, 0, 1));
        }

        [Fact]
        public void Every_smooth_or_documented_builtin_has_a_rule()
        {
            foreach (var b in Builtins.Pure.Values)
            {
                if (Derivatives.IsVectorFunction(b.Name, b.MinArgs) || b.Shape == BuiltinShape.ElementwisePredicate) continue;
                var a = Enumerable.Repeat(0.5, b.MinArgs).ToArray();
                if (b.Name is "softclamp") a = new[] { 0.5, 0.0, 1.0 };
                var d = new double[a.Length];
                Derivatives.Elementwise(b.Name, a, Scalar.Call(b.Name, a)!.Value, d);   // throws for a builtin without a rule
                if (!b.Smooth) Assert.True(Derivatives.Notes.ContainsKey(b.Name), b.Name + " is not smooth: its subgradient must be documented");
            }
        }
    }
}
