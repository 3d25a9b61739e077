using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
        /// y = tanh(x) element by element. In float64, Math.Tanh's value (the reference's). In float32, sixteen lanes at a
        /// time where the CPU has 512-bit vectors, else a Vector&lt;float&gt;, through VectorMath.Tanh (2 ulp), the last
        /// elements likewise, one broadcast vector each (an element's value does not depend on its place). A net's tanh activation runs through it (the widest vectors the CPU has).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Tanh(ReadOnlySpan<T> x, Span<T> y)
        {
            if (y.Length < x.Length) throw new ArgumentException("the result is shorter than the argument", nameof(y));
            int i = 0;
            if (typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated)
            {
                ref float xr = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(x));
                ref float yr = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(y));
                for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
                    VectorMath.Tanh(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
            if (Float)
            {
                for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count) St(y, i, G(VectorMath.Tanh(F(Ld(x, i)))));
                // the last elements as a vector's lanes compute them
                for (; i < x.Length; i++) y[i] = VTanh(Vec(x[i]))[0];
            }
            for (; i < x.Length; i++) y[i] = T.Tanh(x[i]);
        }

        // ------------------------------------------------------------ one vector at a time (the fused elementwise loops)

        /// <summary>Vector&lt;T&gt; of a frame at an index (a generated loop's load).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        protected static Vector<T> Ld(ReadOnlySpan<T> f, int at)
        {
            if ((uint)at > (uint)(f.Length - Vector<T>.Count)) Outside();
            return Vector.LoadUnsafe(ref Unsafe.Add(ref MemoryMarshal.GetReference(f), at));
        }

        /// <summary>Stores a vector into a frame at an index (a generated loop's store); the caller keeps it inside the value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        protected static void St(Span<T> f, int at, Vector<T> v)
        {
            if ((uint)at > (uint)(f.Length - Vector<T>.Count)) Outside();
            v.StoreUnsafe(ref Unsafe.Add(ref MemoryMarshal.GetReference(f), at));
        }

        /// <summary>Adds a vector into a frame at an index (an adjoint's share).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        protected static void AddSt(Span<T> f, int at, Vector<T> v)
        {
            if ((uint)at > (uint)(f.Length - Vector<T>.Count)) Outside();
            ref T r = ref Unsafe.Add(ref MemoryMarshal.GetReference(f), at);
            (Vector.LoadUnsafe(ref r) + v).StoreUnsafe(ref r);
        }

        private static void Outside() => throw new ArgumentOutOfRangeException("at", "a vector past the end of the frame");

        /// <summary>The adjoint's share g d, zero where g is zero (as the scalar adjoint skips a zero adjoint: an infinite or NaN d adds nothing there).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Share(Vector<T> g, Vector<T> d) => Vector.ConditionalSelect(Vector.Equals(g, Vector<T>.Zero), Vector<T>.Zero, g * d);

        /// <summary>
        /// A builtin's or an activation's share g d: zero where g or the local derivative d is zero, so an infinite g
        /// passes nothing through a flat point (relu below 0, tanh saturated), as the reference adds nothing for d = 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> ShareThrough(Vector<T> g, Vector<T> d) =>
            Vector.ConditionalSelect(Vector.Equals(g, Vector<T>.Zero) | Vector.Equals(d, Vector<T>.Zero), Vector<T>.Zero, g * d);

        /// <summary>The sum of a vector's lanes (a number param's gradient from a fused loop).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T VSum(Vector<T> v) => Vector.Sum(v);

        /// <summary>Copies <paramref name="count"/> elements of a frame from one place to another (a concat's part).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(Span<T> f, int from, int to, int count) => f.Slice(from, count).CopyTo(f.Slice(to, count));

        /// <summary>Adds <paramref name="count"/> elements of a frame at one place into another (a concat part's adjoint).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void AddInto(Span<T> f, int from, int to, int count)
        {
            if (from < to ? from + count > to : to + count > from) throw new ArgumentException("the two places overlap");
            var x = f.Slice(from, count);
            var y = f.Slice(to, count);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
                for (; i + Vector<T>.Count <= count; i += Vector<T>.Count) St(y, i, Ld(y, i) + Ld(x, i));
            for (; i < count; i++) y[i] += x[i];
        }

        /// <summary>x where <paramref name="where"/> is not zero, else zero (a share that the scalar adjoint leaves out there).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> NonZero(Vector<T> where, Vector<T> x) => Vector.ConditionalSelect(Vector.Equals(where, Vector<T>.Zero), Vector<T>.Zero, x);

        /// <summary>A number as a vector of it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Vec(T x) => new(x);

        /// <summary>Each lane through a scalar function (float64: the reference's own function, so every lane is its value bit for bit).</summary>
        private static unsafe Vector<T> Lanes(Vector<T> x, delegate*<T, T> f)
        {
            Span<T> s = stackalloc T[Vector<T>.Count];
            x.CopyTo(s);
            for (int i = 0; i < s.Length; i++) s[i] = f(s[i]);
            return new Vector<T>(s);
        }

        private static bool Float => typeof(T) == typeof(float) && Vector.IsHardwareAccelerated;

        private static Vector<float> F(Vector<T> x) => Vector.As<T, float>(x);
        private static Vector<T> G(Vector<float> x) => Vector.As<float, T>(x);

        private static T ScalarExp(T x) => T.Exp(x);
        private static T ScalarLog(T x) => T.Log(x);
        private static T ScalarSin(T x) => T.Sin(x);
        private static T ScalarCos(T x) => T.Cos(x);
        private static T ScalarTanh(T x) => T.Tanh(x);
        private static T ScalarSigmoid(T x) => Sigmoid(x);
        private static T ScalarSoftplus(T x) => Softplus(x);
        private static T ScalarDSoftplus(T x) => DSoftplus(x, x);

        /// <summary>e^x: float32 <see cref="VectorMath.Exp"/>; float64 Math.Exp per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VExp(Vector<T> x) => Float ? G(VectorMath.Exp(F(x))) : Lanes(x, &ScalarExp);

        /// <summary>ln x: float32 <see cref="VectorMath.Log"/>; float64 Math.Log per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VLog(Vector<T> x) => Float ? G(VectorMath.Log(F(x))) : Lanes(x, &ScalarLog);

        /// <summary>sin x: float32 <see cref="VectorMath.Sin"/>; float64 Math.Sin per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VSin(Vector<T> x) => Float ? G(VectorMath.Sin(F(x))) : Lanes(x, &ScalarSin);

        /// <summary>cos x: float32 <see cref="VectorMath.Cos"/>; float64 Math.Cos per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VCos(Vector<T> x) => Float ? G(VectorMath.Cos(F(x))) : Lanes(x, &ScalarCos);

        /// <summary>tanh x: float32 <see cref="VectorMath.Tanh"/>; float64 Math.Tanh per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VTanh(Vector<T> x) => Float ? G(VectorMath.Tanh(F(x))) : Lanes(x, &ScalarTanh);

        /// <summary>1 / (1 + e^-x): float32 <see cref="VectorMath.Sigmoid"/>; float64 <see cref="Sigmoid"/> per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VSigmoid(Vector<T> x) => Float ? G(VectorMath.Sigmoid(F(x))) : Lanes(x, &ScalarSigmoid);

        /// <summary>ln(1 + e^x): float32 <see cref="VectorMath.Softplus"/>; float64 <see cref="Softplus"/> per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VSoftplus(Vector<T> x) => Float ? G(VectorMath.Softplus(F(x))) : Lanes(x, &ScalarSoftplus);

        /// <summary>x^2 as the language's pow(x, 2): float32 x x (correctly rounded, as pow's square); float64 T.Pow per lane, the reference's.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VSquare(Vector<T> x) => Float ? x * x : Lanes(x, &ScalarSquare);

        private static T ScalarSquare(T x) => T.Pow(x, Two);

        /// <summary>max(x, 0) as <see cref="Relu"/> (NaN stays NaN, -0 becomes +0), bit for bit.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VRelu(Vector<T> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), x, Vector.ConditionalSelect(Vector.Equals(x, x), Vector<T>.Zero, x));

        /// <summary>|x| (exact, as Math.Abs).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VAbs(Vector<T> x) => Vector.Abs(x);

        /// <summary>√x (correctly rounded, as Math.Sqrt).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VSqrt(Vector<T> x) => Vector.SquareRoot(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDTanh(Vector<T> x, Vector<T> y) => Vector<T>.One - y * y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDSigmoid(Vector<T> x, Vector<T> y) => (Vector<T>.One - y) * y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDExp(Vector<T> x, Vector<T> y) => y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDLog(Vector<T> x, Vector<T> y) => Vector<T>.One / x;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDSqrt(Vector<T> x, Vector<T> y) => Vector<T>.One / (Vec(Two) * y);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDSin(Vector<T> x, Vector<T> y) => VCos(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDCos(Vector<T> x, Vector<T> y) => -VSin(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDRelu(Vector<T> x, Vector<T> y) => Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> VDAbs(Vector<T> x, Vector<T> y) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), Vector<T>.One, Vector.ConditionalSelect(Vector.LessThan(x, Vector<T>.Zero), -Vector<T>.One, Vector<T>.Zero));

        /// <summary>d softplus / dx = e^x / (e^x + 1) (1 above 20, e^x below -20): float32 from <see cref="VectorMath.Exp"/>; float64 <see cref="DSoftplus"/> per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<T> VDSoftplus(Vector<T> x, Vector<T> y) => Float ? G(VectorMath.DSoftplus(F(x))) : Lanes(x, &ScalarDSoftplus);

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
