using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// The elementwise builtins and their partial derivatives for generated cells, generic over the
    /// precision. In float64 each computes what the language's reference (AE.Dsl's Scalar and
    /// Derivatives) computes, operation for operation, so a generated cell's values and gradients
    /// agree with the reference adjoint to the last bits; in float32 the same formulas run in float.
    /// A derivative method takes the arguments and the value y = f(args) and returns each argument's
    /// partial derivative (PyTorch's subgradient where f is not differentiable: see docs/language.md).
    /// </summary>
    public abstract class CellMath<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static readonly T Two = T.CreateTruncating(2.0);
        private static readonly T Four = T.CreateTruncating(4.0);
        private static readonly T Half = T.CreateTruncating(0.5);
        private static readonly T Twenty = T.CreateTruncating(20.0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Bool(bool b) => b ? T.One : T.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Log1p(T x)
        {
            // Goldberg's log1p, as the reference.
            T u = T.One + x;
            return u == T.One ? x : T.Log(u) * x / (u - T.One);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Softplus(T x) => x > Twenty ? x : x < -Twenty ? T.Exp(x) : Log1p(T.Exp(x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Relu(T x) => T.Max(x, T.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sign(T x) => T.IsNaN(x) ? x : T.CreateTruncating(T.Sign(x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T SoftAbs(T x, T eps) => T.Sqrt(x * x + eps * eps);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Clamp(T x, T lo, T hi) => T.Min(T.Max(x, lo), hi);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T SoftClamp(T x, T lo, T hi) => lo + (hi - lo) * Sigmoid(Four * (x - Half * (lo + hi)) / (hi - lo));

        public static T SmoothMax(T a, T b, T k)
        {
            T m = T.Max(a, b);
            return m + T.Log(T.Exp(k * (a - m)) + T.Exp(k * (b - m))) / k;
        }

        public static T SmoothMin(T a, T b, T k)
        {
            T m = T.Min(a, b);
            return m - T.Log(T.Exp(-k * (a - m)) + T.Exp(-k * (b - m))) / k;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Lerp(T a, T b, T w) => a + (b - a) * w;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsFinite(T x) => T.IsFinite(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T FiniteOr(T x, T alt) => T.IsFinite(x) ? x : alt;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sanitize(T x, T limit) => T.IsNaN(x) ? T.Zero : T.IsPositiveInfinity(x) ? limit : T.IsNegativeInfinity(x) ? -limit : x;

        // ------------------------------------------------------------ whole spans

        /// <summary>
        /// y = tanh(x) element by element. In float64, Math.Tanh's value (the reference's). In float32 on a CPU with
        /// 256-bit vectors, eight at a time: an odd polynomial where |x| &lt; 0.25 (relative error below 1e-8), else
        /// sign(x) (1 - 2 / (exp(2|x|) + 1)) with the vector exp (a few ulps); the bound float32 is held to covers it.
        /// </summary>
        public static void Tanh(ReadOnlySpan<T> x, Span<T> y)
        {
            if (y.Length < x.Length) throw new ArgumentException("the result is shorter than the argument", nameof(y));
            int i = 0;
            if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
            {
                var xs = MemoryMarshal.Cast<T, float>(x);
                var ys = MemoryMarshal.Cast<T, float>(y);
                for (; i + Vector256<float>.Count <= xs.Length; i += Vector256<float>.Count)
                    TanhFloat(Vector256.Create(xs.Slice(i, Vector256<float>.Count))).CopyTo(ys.Slice(i, Vector256<float>.Count));
            }
            for (; i < x.Length; i++) y[i] = T.Tanh(x[i]);
        }

        private static Vector256<float> TanhFloat(Vector256<float> x)
        {
            var ax = Vector256.Abs(x);
            // |x| < 0.25: x + x^3 (-1/3 + x^2 (2/15 + x^2 (-17/315 + x^2 62/2835))), the Taylor series to x^9.
            var x2 = x * x;
            var poly = Vector256.Create(62f / 2835f);
            poly = poly * x2 + Vector256.Create(-17f / 315f);
            poly = poly * x2 + Vector256.Create(2f / 15f);
            poly = poly * x2 + Vector256.Create(-1f / 3f);
            var small = x + x * x2 * poly;
            // Otherwise 1 - 2 / (exp(2|x|) + 1), with |x| capped where tanh is 1 in float.
            var e = Vector256.Exp(Vector256.Min(ax, Vector256.Create(20f)) * Vector256.Create(2f));
            var large = Vector256.Create(1f) - Vector256.Create(2f) / (e + Vector256.Create(1f));
            large = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -large, large);
            var r = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.25f)), small, large);
            // NaN stays NaN (the comparisons above are false for it, and exp of NaN is NaN).
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), r, x);
        }

        // ------------------------------------------------------------ derivatives (d/dx given x and y = f(x))

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DTanh(T x, T y) => T.One - y * y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DSigmoid(T x, T y) => (T.One - y) * y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DExp(T x, T y) => y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DLog(T x, T y) => T.One / x;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DLog1p(T x, T y) => T.One / (T.One + x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DSqrt(T x, T y) => T.One / (Two * y);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DSin(T x, T y) => T.Cos(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DCos(T x, T y) => -T.Sin(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DRelu(T x, T y) => y > T.Zero ? T.One : T.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DAbs(T x, T y) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T DSign(T x, T y) => T.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T DSoftplus(T x, T y)
        {
            if (x > Twenty) return T.One;
            if (x < -Twenty) return T.Exp(x);
            T e = T.Exp(x);
            return e / (e + T.One);
        }

        public static void DSoftAbs(T x, T eps, T y, out T dx, out T deps)
        {
            if (y != T.Zero) { dx = x / y; deps = eps / y; }
            else { dx = T.Zero; deps = T.Zero; }
        }

        public static void DClamp(T x, T lo, T hi, T y, out T dx, out T dlo, out T dhi)
        {
            dx = dlo = dhi = T.Zero;
            if (x >= lo && x <= hi) dx = T.One;
            else if (x < lo) { if (lo <= hi) dlo = T.One; else dhi = T.One; }
            else dhi = T.One;
        }

        public static void DSoftClamp(T x, T lo, T hi, T y, out T dx, out T dlo, out T dhi)
        {
            T w = hi - lo;
            T z = Four * (x - Half * (lo + hi)) / w;
            T s = Sigmoid(z), ds = s * (T.One - s);
            dx = Four * ds;
            dlo = T.One - s + ds * (z - Two);
            dhi = s - ds * (z + Two);
        }

        public static void DMin(T a, T b, T y, out T da, out T db)
        {
            if (a == b) { da = Half; db = Half; }
            else if (a < b) { da = T.One; db = T.Zero; }
            else { da = T.Zero; db = T.One; }
        }

        public static void DMax(T a, T b, T y, out T da, out T db)
        {
            if (a == b) { da = Half; db = Half; }
            else if (a > b) { da = T.One; db = T.Zero; }
            else { da = T.Zero; db = T.One; }
        }

        public static void DSmoothMax(T a, T b, T k, T y, out T da, out T db, out T dk) => DSmooth(a, b, k, k, y, out da, out db, out dk);

        public static void DSmoothMin(T a, T b, T k, T y, out T da, out T db, out T dk) => DSmooth(a, b, -k, k, y, out da, out db, out dk);

        private static void DSmooth(T a, T b, T signedK, T k, T y, out T da, out T db, out T dk)
        {
            // f = ±log(exp(±k a) + exp(±k b))/k: the weights are the softmax of (±k a, ±k b); df/dk = (a wa + b wb - f)/k.
            T m = T.Max(signedK * a, signedK * b);
            T ea = T.Exp(signedK * a - m), eb = T.Exp(signedK * b - m);
            da = ea / (ea + eb);
            db = eb / (ea + eb);
            dk = (a * da + b * db - y) / k;
        }

        public static void DLerp(T a, T b, T w, T y, out T da, out T db, out T dw)
        {
            da = T.One - w;
            db = w;
            dw = b - a;
        }

        public static void DFiniteOr(T x, T alt, T y, out T dx, out T dalt)
        {
            bool finite = T.IsFinite(x);
            dx = finite ? T.One : T.Zero;
            dalt = finite ? T.Zero : T.One;
        }

        public static void DSanitize(T x, T limit, T y, out T dx, out T dlimit)
        {
            dx = T.IsFinite(x) ? T.One : T.Zero;
            dlimit = T.Zero;
        }

        /// <summary>d(x^y)/dx and d(x^y)/dy at z = x^y, as the reference: 0 where y = 0, and 0 where x = 0 and y >= 0.</summary>
        public static void DPow(T x, T y, T z, out T dx, out T dy)
        {
            dx = y == T.Zero ? T.Zero : y * T.Pow(x, y - T.One);
            dy = x == T.Zero && y >= T.Zero ? T.Zero : z * T.Log(x);
        }
    }
}
