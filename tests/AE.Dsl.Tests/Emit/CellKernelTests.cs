using System;
using System.Linq;
using System.Reflection;
using AE.Dsl.Emit;
using AE.Dsl.Emit.Cells;
using AE.Dsl.IR;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// What generated cells call: the layer kernels against plain loops, and each builtin's generic value and
    /// derivative (CellMath) against the reference's (Scalar, Derivatives), bit for bit in float64.
    /// </summary>
    public class CellKernelTests
    {
        private static readonly (int Rows, int Cols, int Batch)[] ShapeList =
        {
            (1, 1, 1), (5, 3, 1), (7, 9, 3), (8, 24, 16), (9, 5, 17), (64, 24, 16), (3, 64, 5),
            // whole 512-bit slices, a partial last vector of columns, more columns and samples than one transposed block
            (64, 12, 16), (3, 64, 32), (17, 130, 40), (9, 72, 8),
            // sixteen rows' bias sums at once and four rows past them; three rows together; an odd number of column vectors
            (20, 8, 32), (3, 16, 48), (11, 48, 16),
        };

        /// <summary>Every shape on every code path of the kernels (the widest the CPU has, Vector&lt;T&gt;, one sample at a time).</summary>
        public static TheoryData<int, int, int, KernelPath> Shapes()
        {
            var data = new TheoryData<int, int, int, KernelPath>();
            foreach (var (rows, cols, batch) in ShapeList)
                foreach (var path in Enum.GetValues<KernelPath>()) data.Add(rows, cols, batch, path);
            return data;
        }

        /// <summary>The kernels' paths (CellKernels&lt;T&gt;.Path, which is per element type).</summary>
        public enum KernelPath { Widest, Vector, Scalar }

        private static CellKernels<T>.Path On<T>(KernelPath path) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => (CellKernels<T>.Path)(int)path;

        private static double[] Random(Random rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

        [Theory]
        [MemberData(nameof(Shapes))]
        public void A_layer_is_the_in_order_sum_bit_for_bit(int rows, int cols, int batch, KernelPath path)
        {
            var rng = new Random(rows * 1000 + cols * 10 + batch);
            double[] w = Random(rng, rows * cols), bias = Random(rng, rows), x = Random(rng, cols * batch);
            var y = new double[rows * batch];
            CellKernels<double>.Linear(w, bias, x, y, rows, cols, batch, On<double>(path));
            for (int o = 0; o < rows; o++)
                for (int b = 0; b < batch; b++)
                {
                    double s = bias[o];
                    for (int i = 0; i < cols; i++) s += w[o * cols + i] * x[i * batch + b];
                    Assert.Equal(s, y[o * batch + b]);
                }
        }

        [Theory]
        [MemberData(nameof(Shapes))]
        public void A_layers_adjoint_adds_the_three_products(int rows, int cols, int batch, KernelPath path)
        {
            var rng = new Random(rows * 999 + cols * 7 + batch);
            double[] w = Random(rng, rows * cols), x = Random(rng, cols * batch), gy = Random(rng, rows * batch);
            double[] gx0 = Random(rng, cols * batch), gw0 = Random(rng, rows * cols), gb0 = Random(rng, rows);
            double[] gx = (double[])gx0.Clone(), gw = (double[])gw0.Clone(), gb = (double[])gb0.Clone();
            CellKernels<double>.LinearBackward(w, x, gy, gx, gw, gb, rows, cols, batch, On<double>(path));
            for (int o = 0; o < rows; o++)
            {
                double sb = 0;
                for (int b = 0; b < batch; b++) sb += gy[o * batch + b];
                Near(gb0[o] + sb, gb[o]);
                for (int i = 0; i < cols; i++)
                {
                    double s = 0;
                    for (int b = 0; b < batch; b++) s += gy[o * batch + b] * x[i * batch + b];
                    Near(gw0[o * cols + i] + s, gw[o * cols + i]);
                }
            }
            for (int i = 0; i < cols; i++)
                for (int b = 0; b < batch; b++)
                {
                    double s = 0;
                    for (int o = 0; o < rows; o++) s += w[o * cols + i] * gy[o * batch + b];
                    Near(gx0[i * batch + b] + s, gx[i * batch + b]);
                }
        }

        /// <summary>The in-order sum's error bound for n terms in float32: γ_n = n u / (1 - n u), u = 2^-24.</summary>
        private static double Gamma(int n) => n * Math.Pow(2, -24) / (1 - n * Math.Pow(2, -24));

        /// <summary>
        /// float32 layers (fused multiply-add where the CPU has it) against the exact sums of the same float inputs (products of
        /// floats are exact in double): each output within γ_(n+1) (|first term| + sum |products|), the bound of an in-order
        /// float32 sum of n products, and likewise each gradient of the adjoint.
        /// </summary>
        [Theory]
        [MemberData(nameof(Shapes))]
        public void A_float32_layer_is_within_the_in_order_sums_bound(int rows, int cols, int batch, KernelPath path)
        {
            var rng = new Random(rows * 31 + cols * 17 + batch);
            float[] F(int n) => Random(rng, n).Select(v => (float)v).ToArray();
            float[] w = F(rows * cols), bias = F(rows), x = F(cols * batch), y = new float[rows * batch];
            CellKernels<float>.Linear(w, bias, x, y, rows, cols, batch, On<float>(path));
            for (int o = 0; o < rows; o++)
                for (int b = 0; b < batch; b++)
                {
                    double exact = bias[o], size = Math.Abs(bias[o]);
                    for (int i = 0; i < cols; i++) { double p = (double)w[o * cols + i] * x[i * batch + b]; exact += p; size += Math.Abs(p); }
                    Assert.True(Math.Abs(y[o * batch + b] - exact) <= Gamma(cols + 1) * size, $"y[{o}, {b}] = {y[o * batch + b]:R}, exact {exact:R}");
                }

            float[] gy = F(rows * batch), gx0 = F(cols * batch), gw0 = F(rows * cols), gb0 = F(rows);
            float[] gx = (float[])gx0.Clone(), gw = (float[])gw0.Clone(), gb = (float[])gb0.Clone();
            CellKernels<float>.LinearBackward(w, x, gy, gx, gw, gb, rows, cols, batch, On<float>(path));
            int chunks = (batch + 31) / 32 + 1;   // the weight gradient adds a partial sum per block of samples
            for (int o = 0; o < rows; o++)
            {
                double eb = gb0[o], sb = Math.Abs(gb0[o]);
                for (int b = 0; b < batch; b++) { eb += gy[o * batch + b]; sb += Math.Abs(gy[o * batch + b]); }
                Assert.True(Math.Abs(gb[o] - eb) <= Gamma(batch + 1) * sb, $"gbias[{o}]");
                for (int i = 0; i < cols; i++)
                {
                    double e = gw0[o * cols + i], size = Math.Abs(gw0[o * cols + i]);
                    for (int b = 0; b < batch; b++) { double p = (double)gy[o * batch + b] * x[i * batch + b]; e += p; size += Math.Abs(p); }
                    Assert.True(Math.Abs(gw[o * cols + i] - e) <= Gamma(batch + chunks) * size, $"gw[{o}, {i}] = {gw[o * cols + i]:R}, exact {e:R}");
                }
            }
            for (int i = 0; i < cols; i++)
                for (int b = 0; b < batch; b++)
                {
                    double e = gx0[i * batch + b], size = Math.Abs(gx0[i * batch + b]);
                    for (int o = 0; o < rows; o++) { double p = (double)w[o * cols + i] * gy[o * batch + b]; e += p; size += Math.Abs(p); }
                    Assert.True(Math.Abs(gx[i * batch + b] - e) <= Gamma(rows + 1) * size, $"gx[{i}, {b}] = {gx[i * batch + b]:R}, exact {e:R}");
                }
        }

        /// <summary>
        /// float32 layers give every sample the same value wherever it sits in the batch: in a whole vector slice or in the
        /// samples past the last one (the tail rounds as the slices do, fused where they are), forward and adjoint alike.
        /// </summary>
        [Theory]
        [InlineData(9, 13, 17)]
        [InlineData(5, 40, 35)]
        [InlineData(24, 7, 3)]
        public void A_float32_sample_has_the_same_value_anywhere_in_the_batch(int rows, int cols, int batch)
        {
            var rng = new Random(rows + cols + batch);
            float[] F(int n) => Random(rng, n).Select(v => (float)v).ToArray();
            float[] w = F(rows * cols), bias = F(rows), xs = F(cols), gys = F(rows);
            float[] x = Enumerable.Range(0, cols * batch).Select(k => xs[k / batch]).ToArray();
            float[] gy = Enumerable.Range(0, rows * batch).Select(k => gys[k / batch]).ToArray();
            float[] y = new float[rows * batch], gx = new float[cols * batch], gw = new float[rows * cols], gb = new float[rows];
            CellKernels<float>.Linear(w, bias, x, y, rows, cols, batch);
            CellKernels<float>.LinearBackward(w, x, gy, gx, gw, gb, rows, cols, batch);
            for (int b = 1; b < batch; b++)
            {
                for (int o = 0; o < rows; o++) Assert.True(y[o * batch].Equals(y[o * batch + b]), $"y[{o}]: sample 0 {y[o * batch]:R}, sample {b} {y[o * batch + b]:R}");
                for (int i = 0; i < cols; i++) Assert.True(gx[i * batch].Equals(gx[i * batch + b]), $"gx[{i}]: sample 0 {gx[i * batch]:R}, sample {b} {gx[i * batch + b]:R}");
            }
        }

        /// <summary>The tanh span kernel: Math.Tanh's values in float64; in float32 within 4e-7 relative of tanh computed in double, NaN and infinities as tanh.</summary>
        [Fact]
        public void The_tanh_kernel_is_the_references_in_float64_and_close_in_float32()
        {
            var rng = new Random(5);
            var xs = Enumerable.Range(0, 4000).Select(k => (rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-9, 3)))
                .Concat(new[] { 0.0, -0.0, 0.25, -0.25, 0.2499999, 19.9, 20.1, 1e30, -1e30, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
                .ToArray();
            var y = new double[xs.Length];
            CellMath<double>.Tanh(xs, y);
            for (int i = 0; i < xs.Length; i++) Assert.Equal(Math.Tanh(xs[i]), y[i]);

            var xf = xs.Select(x => (float)x).ToArray();
            var yf = new float[xf.Length];
            CellMath<float>.Tanh(xf, yf);
            for (int i = 0; i < xf.Length; i++)
            {
                double exact = Math.Tanh(xf[i]);
                if (double.IsNaN(exact)) { Assert.True(float.IsNaN(yf[i])); continue; }
                Assert.True(Math.Abs(yf[i] - exact) <= Math.Max(4e-7 * Math.Abs(exact), float.Epsilon), $"tanh({xf[i]:R}): {yf[i]:R}, exact {exact:R}");
                Assert.True(Math.Abs(yf[i] - exact) <= 2 * Ulp(exact), $"tanh({xf[i]:R}): {yf[i]:R}, exact {exact:R}: over 2 ulp");
            }
        }

        /// <summary>Float spacing at a value (of its float rounding): the unit of the ulp bounds below.</summary>
        private static double Ulp(double exact)
        {
            float f = (float)Math.Abs(exact);
            return f == 0 ? float.Epsilon : MathF.BitIncrement(f) - f;
        }

        public static TheoryData<string, double, double, double, double> VectorFunctions() => new()
        {
            // name, arguments from, to, bound in ulps, absolute bound (0: none)
            { "exp", -87, 87, 2, 0 },
            { "log", 1e-37, 1e37, 2, 0 },
            { "log", 0.5, 2, 2, 0 },
            { "sin", -4, 4, 2, 0 },
            { "cos", -4, 4, 2, 0 },
            { "sin", -8192, 8192, double.PositiveInfinity, 1e-7 },
            { "cos", -8192, 8192, double.PositiveInfinity, 1e-7 },
            { "tanh", -12, 12, 2, 0 },
            { "tanh", -1e-3, 1e-3, 2, 0 },
            { "sigmoid", -30, 30, 3, 0 },
            { "softplus", -30, 30, 4, 0 },
            { "dsoftplus", -30, 30, 3, 0 },
        };

        private static double Exact(string name, double x)
        {
            switch (name)
            {
                case "exp": return Math.Exp(x);
                case "log": return Math.Log(x);
                case "sin": return Math.Sin(x);
                case "cos": return Math.Cos(x);
                case "tanh": return Math.Tanh(x);
                case "sigmoid": return 1 / (1 + Math.Exp(-x));
                case "softplus":
                {
                    if (x > 20) return x;
                    double e = Math.Exp(x);
                    if (x < -20) return e;
                    double u = 1 + e;
                    return Math.Log(u) * e / (u - 1);
                }
                case "dsoftplus": return x > 20 ? 1 : x < -20 ? Math.Exp(x) : Math.Exp(x) / (Math.Exp(x) + 1);
                default: throw new ArgumentException(name);
            }
        }

        private static System.Numerics.Vector<float> Apply(string name, System.Numerics.Vector<float> x) => name switch
        {
            "exp" => VectorMath.Exp(x),
            "log" => VectorMath.Log(x),
            "sin" => VectorMath.Sin(x),
            "cos" => VectorMath.Cos(x),
            "tanh" => VectorMath.Tanh(x),
            "sigmoid" => VectorMath.Sigmoid(x),
            "softplus" => VectorMath.Softplus(x),
            "dsoftplus" => VectorMath.DSoftplus(x),
            _ => throw new ArgumentException(name),
        };

        /// <summary>
        /// The float32 vector functions (VectorMath) against the function computed in double, over 200,000 arguments
        /// spread evenly (or evenly in the logarithm for log's wide range): within the ulp bound VectorMath states (of the
        /// exact value's float spacing), or the absolute one for sin and cos far from zero.
        /// </summary>
        [Theory]
        [MemberData(nameof(VectorFunctions))]
        public void The_float32_vector_functions_are_within_their_ulp_bounds(string name, double from, double to, double ulps, double absolute)
        {
            var rng = new Random(name.Length * 7919 + (int)from);
            int width = System.Numerics.Vector<float>.Count;
            var xs = new float[width];
            var ys = new float[width];
            bool logScale = from > 0 && to / from > 1e3;
            double worst = 0;
            for (int n = 0; n < 200_000 / width; n++)
            {
                for (int l = 0; l < width; l++)
                {
                    double u = rng.NextDouble();
                    xs[l] = (float)(logScale ? Math.Exp(Math.Log(from) + (Math.Log(to) - Math.Log(from)) * u) : from + (to - from) * u);
                }
                Apply(name, new System.Numerics.Vector<float>(xs)).CopyTo(ys);
                for (int l = 0; l < width; l++)
                {
                    double exact = Exact(name, xs[l]), err = Math.Abs(ys[l] - exact);
                    Assert.True(err <= ulps * Ulp(exact) || err <= absolute, $"{name}({xs[l]:R}) = {ys[l]:R}, exact {exact:R}: {err / Ulp(exact):0.00} ulp");
                    worst = Math.Max(worst, err / Ulp(exact));
                }
            }
            Assert.True(worst > 0, "the vector function agreed exactly everywhere: the test measures nothing");
        }

        /// <summary>Special values and the far ranges are the scalar float32 functions' (MathF's), also in a vector that mixes them with ordinary lanes.</summary>
        [Fact]
        public void The_float32_vector_functions_take_special_values_from_MathF()
        {
            int width = System.Numerics.Vector<float>.Count;
            var specials = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-40f, -1f, 100f, -100f, 1e5f, 88.5f, -88f };
            foreach (var name in new[] { "exp", "log", "sin", "cos", "tanh", "sigmoid", "softplus" })
                foreach (var s in specials)
                {
                    var xs = Enumerable.Range(0, width).Select(l => l == width / 2 ? s : 0.5f + l).ToArray();
                    var ys = new float[width];
                    Apply(name, new System.Numerics.Vector<float>(xs)).CopyTo(ys);
                    // the scalar float32 function a generated cell's last elements use (MathF, CellMath<float>)
                    double exact = name switch
                    {
                        "exp" => MathF.Exp(s),
                        "log" => MathF.Log(s),
                        "sin" => MathF.Sin(s),
                        "cos" => MathF.Cos(s),
                        "tanh" => MathF.Tanh(s),
                        "sigmoid" => CellMath<float>.Sigmoid(s),
                        _ => CellMath<float>.Softplus(s),
                    };
                    float y = ys[width / 2];
                    if (double.IsNaN(exact)) Assert.True(float.IsNaN(y), $"{name}({s:R}) = {y:R}, expected NaN");
                    else Assert.True(y == (float)exact || Math.Abs(y - exact) <= 4 * Ulp(exact), $"{name}({s:R}) = {y:R}, exact {exact:R}");
                    for (int l = 0; l < width; l++)
                        if (l != width / 2) Assert.True(Math.Abs(ys[l] - Exact(name, xs[l])) <= 4 * Ulp(Exact(name, xs[l])), $"{name}: lane {l} beside {s:R}");
                }
        }

        private static void Near(double expected, double actual) => Assert.True(Math.Abs(expected - actual) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"{expected:R} vs {actual:R}");

        [Fact]
        public void Every_elementwise_builtin_has_a_generic_spelling_and_a_derivative_that_exist()
        {
            var math = typeof(CellMath<double>);
            foreach (var (name, spelling) in BuiltinSpellings.Elementwise)
            {
                string method = spelling.Generic.StartsWith("T.", StringComparison.Ordinal) ? spelling.Generic.Substring(2) : spelling.Generic;
                var owner = spelling.Generic.StartsWith("T.", StringComparison.Ordinal) ? typeof(double) : math;
                Assert.True(owner.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == method), name + ": " + spelling.Generic);
                var d = CellSpellings.Derivative(name);
                if (Builtins.Pure[name].Shape == BuiltinShape.ElementwisePredicate) Assert.Null(d);
                else Assert.True(math.GetMethod(d!, BindingFlags.Public | BindingFlags.Static) != null, name + ": " + d);
            }
        }

        /// <summary>Each builtin's value and partial derivatives through CellMath&lt;double&gt; equal Scalar's and Derivatives', bit for bit, at points on both sides of every kink.</summary>
        [Fact]
        public void Generic_values_and_derivatives_are_the_references_bit_for_bit()
        {
            var points = new[] { -25.0, -3.0, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.0, 3.0, 25.0 };
            var math = typeof(CellMath<double>);
            foreach (var (name, spelling) in BuiltinSpellings.Elementwise)
            {
                var builtin = Builtins.Pure[name];
                if (builtin.Shape == BuiltinShape.ElementwisePredicate) continue;
                int arity = builtin.MaxArgs == 1 ? 1 : builtin.MinArgs == 1 ? 2 : builtin.MaxArgs;
                var value = spelling.Generic.StartsWith("T.", StringComparison.Ordinal)
                    ? typeof(double).GetMethods(BindingFlags.Public | BindingFlags.Static).First(m => m.Name == spelling.Generic.Substring(2) && m.GetParameters().Length == arity && m.GetParameters().All(p => p.ParameterType == typeof(double)))
                    : math.GetMethod(spelling.Generic)!;
                var derivative = math.GetMethod(CellSpellings.Derivative(name)!)!;
                foreach (var a in Combinations(points, arity, name))
                {
                    double expected = Scalar.Call(name, a)!.Value;
                    double y = (double)value.Invoke(null, a.Cast<object>().ToArray())!;
                    Assert.Equal(expected, y);
                    var d = new double[arity];
                    Derivatives.Elementwise(name, a, y, d);
                    var args = a.Cast<object>().Append(y).Concat(Enumerable.Repeat<object>(0.0, arity == 1 ? 0 : arity)).ToArray();
                    object? result = derivative.Invoke(null, args);
                    var mine = arity == 1 ? new[] { (double)result! } : args.Skip(arity + 1).Select(o => (double)o).ToArray();
                    for (int k = 0; k < arity; k++) Assert.True(d[k].Equals(mine[k]), $"d{name}/da{k} at ({string.Join(", ", a)}): reference {d[k]:R}, generic {mine[k]:R}");
                }
            }
        }

        /// <summary>
        /// The vector spellings of the fused loops in float64: each lane of a function and of its derivative equals the
        /// reference's scalar value (Scalar, Derivatives) bit for bit, NaN, infinities and both zeros among the arguments.
        /// </summary>
        [Fact]
        public void Vector_values_and_derivatives_are_the_references_bit_for_bit_in_float64()
        {
            var rng = new Random(11);
            var points = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, -25, -3, -1, 1e-300, 0.5, 1, 3, 25, 800 }
                .Concat(Enumerable.Range(0, 400).Select(_ => (rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-3, 3)))).ToArray();
            int width = System.Numerics.Vector<double>.Count;
            var math = typeof(CellMath<double>);
            foreach (var name in CellSpellings.Vectorised)
            {
                string value = CellSpellings.VectorValue(name), derivative = CellSpellings.VectorDerivative(name);
                var f = math.GetMethod(value, BindingFlags.Public | BindingFlags.Static)!;
                var d = math.GetMethod(derivative, BindingFlags.Public | BindingFlags.Static)!;
                for (int at = 0; at + width <= points.Length; at += width)
                {
                    var x = new System.Numerics.Vector<double>(points, at);
                    var y = (System.Numerics.Vector<double>)f.Invoke(null, new object[] { x })!;
                    var dy = (System.Numerics.Vector<double>)d.Invoke(null, new object[] { x, y })!;
                    for (int l = 0; l < width; l++)
                    {
                        double expected = Scalar.Call(name, new[] { x[l] })!.Value;
                        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(y[l]) || double.IsNaN(expected) && double.IsNaN(y[l]), $"{name}({x[l]:R}): reference {expected:R}, vector {y[l]:R}");
                        var dd = new double[1];
                        Derivatives.Elementwise(name, new[] { x[l] }, expected, dd);
                        Assert.True(dd[0].Equals(dy[l]), $"d{name}({x[l]:R}): reference {dd[0]:R}, vector {dy[l]:R}");
                    }
                }
            }
        }

        private static double[][] Combinations(double[] points, int arity, string name)
        {
            if (arity == 1) return points.Select(p => new[] { p }).ToArray();
            var rng = new Random(name.Length * 31 + arity);
            return Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, arity).Select(_ => points[rng.Next(points.Length)]).ToArray())
                // softclamp needs lo < hi and the smooth extrema a positive sharpness, as the checker requires
                .Where(a => name switch { "softclamp" => a[1] < a[2], "smoothmax" or "smoothmin" => a[2] > 0, _ => true })
                .Concat(new[] { Enumerable.Repeat(0.5, arity).ToArray() })
                .ToArray();
        }
    }
}
