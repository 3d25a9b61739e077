using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// float32 transcendental functions one Vector&lt;float&gt; at a time, for generated cells in float32 (float64 keeps
    /// the reference's Math functions). Each reduces its argument exactly (Cody–Waite, constant parts chosen so the
    /// products are exact) and evaluates a minimax polynomial of the Cephes library's single-precision functions; a
    /// lane outside the reduced range (or NaN, infinite) takes MathF's value instead, so the special values and the far
    /// ranges are MathF's. The polynomials' Horner steps fuse multiply and add where the CPU can (one rounding per step, and
    /// half the latency of a multiply then an add). Each lane's value depends on its own argument only (a sample's value does not depend on
    /// where in the batch it sits). Error bounds against the function computed in double, in units of the float spacing
    /// at the exact value (tested on 200,000 arguments each, CellKernelTests.The_float32_vector_functions_are_within_their_ulp_bounds):
    /// <list type="bullet">
    /// <item><see cref="Exp"/>: 2 ulp on [-87, 87];</item>
    /// <item><see cref="Log"/>: 2 ulp on the positive normal floats;</item>
    /// <item><see cref="Sin"/>, <see cref="Cos"/>: 2 ulp on [-4, 4]; 1e-7 absolute up to |x| = 8192 (near a zero of the
    /// function far out the value carries the reduction's absolute error);</item>
    /// <item><see cref="Tanh(Vector{float})"/>: 2 ulp; <see cref="Sigmoid"/>, <see cref="DSoftplus"/>: 3 ulp; <see cref="Softplus"/>: 4 ulp.</item>
    /// </list>
    /// </summary>
    public static class VectorMath
    {
        private static readonly Vector<float> One = Vector<float>.One;
        private static readonly Vector<float> Half = new(0.5f);

        /// <summary>e^x; lanes outside [-87, 87] (or NaN) through MathF.Exp.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<float> Exp(Vector<float> x)
        {
            var inRange = Vector.LessThanOrEqual(Vector.Abs(x), new Vector<float>(87f));
            var y = ExpInRange(Vector.ConditionalSelect(inRange, x, Vector<float>.Zero));
            return Vector.EqualsAll(inRange, new Vector<int>(-1)) ? y : Patch(x, y, inRange, &MathF.Exp);
        }

        /// <summary>e^x for |x| &lt;= 87: x = k ln 2 + r (ln 2 in two parts), Cephes expf's polynomial for e^r, times 2^k in the exponent bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> ExpInRange(Vector<float> x)
        {
            var k = Vector.Floor(x * new Vector<float>(1.44269504088896341f) + Half);
            var r = x - k * new Vector<float>(0.693359375f) - k * new Vector<float>(-2.12194440e-4f);
            var z = r * r;
            var p = new Vector<float>(1.9875691500e-4f);
            p = Mad(p, r, new Vector<float>(1.3981999507e-3f));
            p = Mad(p, r, new Vector<float>(8.3334519073e-3f));
            p = Mad(p, r, new Vector<float>(4.1665795894e-2f));
            p = Mad(p, r, new Vector<float>(1.6666665459e-1f));
            p = Mad(p, r, new Vector<float>(5.0000001201e-1f));
            p = p * z + r + One;
            var scale = Vector.ShiftLeft(Vector.ConvertToInt32Native(k) + new Vector<int>(127), 23);
            return p * Vector.AsVectorSingle(scale);
        }

        /// <summary><see cref="ExpInRange(Vector{float})"/> sixteen lanes at a time (the same steps and constants).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ExpInRange(Vector512<float> x)
        {
            var k = Vector512.Floor(x * Vector512.Create(1.44269504088896341f) + Vector512.Create(0.5f));
            var r = x - k * Vector512.Create(0.693359375f) - k * Vector512.Create(-2.12194440e-4f);
            var z = r * r;
            var p = Vector512.Create(1.9875691500e-4f);
            p = Mad(p, r, Vector512.Create(1.3981999507e-3f));
            p = Mad(p, r, Vector512.Create(8.3334519073e-3f));
            p = Mad(p, r, Vector512.Create(4.1665795894e-2f));
            p = Mad(p, r, Vector512.Create(1.6666665459e-1f));
            p = Mad(p, r, Vector512.Create(5.0000001201e-1f));
            p = p * z + r + Vector512<float>.One;
            return p * Vector512.ShiftLeft(Vector512.ConvertToInt32Native(k) + Vector512.Create(127), 23).AsSingle();
        }

        /// <summary>ln x; lanes that are not positive normal finite floats (0, negative, subnormal, infinite, NaN) through MathF.Log.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<float> Log(Vector<float> x)
        {
            var normal = Vector.GreaterThanOrEqual(x, new Vector<float>(1.17549435e-38f)) & Vector.LessThanOrEqual(x, new Vector<float>(float.MaxValue));
            var y = LogNormal(Vector.ConditionalSelect(normal, x, Vector<float>.One));
            return Vector.EqualsAll(normal, new Vector<int>(-1)) ? y : Patch(x, y, normal, &MathF.Log);
        }

        /// <summary>ln x for positive normal finite x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> LogNormal(Vector<float> x)
        {
            // x = m 2^e with m in [0.5, 1); m below sqrt(1/2) is doubled (e one less), so m - 1 lies in [-0.29, 0.41].
            var bits = Vector.AsVectorInt32(x);
            var e = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(126);
            var m = Vector.AsVectorSingle((bits & new Vector<int>(0x007fffff)) | new Vector<int>(0x3f000000));
            var small = Vector.LessThan(m, new Vector<float>(0.707106781186547524f));
            e += Vector.AsVectorInt32(small); // the mask is -1 where small
            var f = m - One + Vector.ConditionalSelect(small, m, Vector<float>.Zero);
            var ef = Vector.ConvertToSingle(e);
            var z = f * f;
            var p = new Vector<float>(7.0376836292e-2f);
            p = Mad(p, f, new Vector<float>(-1.1514610310e-1f));
            p = Mad(p, f, new Vector<float>(1.1676998740e-1f));
            p = Mad(p, f, new Vector<float>(-1.2420140846e-1f));
            p = Mad(p, f, new Vector<float>(1.4249322787e-1f));
            p = Mad(p, f, new Vector<float>(-1.6668057665e-1f));
            p = Mad(p, f, new Vector<float>(2.0000714765e-1f));
            p = Mad(p, f, new Vector<float>(-2.4999993993e-1f));
            p = Mad(p, f, new Vector<float>(3.3333331174e-1f));
            var y = p * f * z;
            y += ef * new Vector<float>(-2.12194440e-4f);
            y -= Half * z;
            return f + y + ef * new Vector<float>(0.693359375f);
        }

        /// <summary>sin x; lanes beyond |x| = 8192 (or NaN, infinite) through MathF.Sin.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<float> Sin(Vector<float> x) => SinOrCos(x, false);

        /// <summary>cos x; lanes beyond |x| = 8192 (or NaN, infinite) through MathF.Cos.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector<float> Cos(Vector<float> x) => SinOrCos(x, true);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe Vector<float> SinOrCos(Vector<float> x, bool cosine)
        {
            var near = Vector.LessThanOrEqual(Vector.Abs(x), new Vector<float>(8192f));
            var z = Vector.ConditionalSelect(near, x, Vector<float>.Zero);
            var (r, j) = Reduce(Vector.Abs(z));
            // cos x = sin(|x| + π/2): two octants on, and no sign from x.
            if (cosine) j += new Vector<int>(2);
            // octants 2 and 6 (j rounded to even) take the cosine polynomial; 4 and 6 change the sign, as does x < 0 for sin.
            var useCos = Vector.Equals(j & new Vector<int>(2), new Vector<int>(2));
            var sign = Vector.ShiftLeft(j & new Vector<int>(4), 29);
            if (!cosine) sign ^= Vector.AsVectorInt32(z) & new Vector<int>(int.MinValue);
            var y = Vector.AsVectorSingle(Vector.AsVectorInt32(Vector.ConditionalSelect(Vector.AsVectorSingle(useCos), CosPoly(r), SinPoly(r))) ^ sign);
            return Vector.EqualsAll(near, new Vector<int>(-1)) ? y : Patch(x, y, near, cosine ? &MathF.Cos : &MathF.Sin);
        }

        /// <summary>|x| = j π/4 + r with j even and |r| &lt;= π/4 (π/4 in three parts, Cephes' DP1..DP3).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector<float> R, Vector<int> J) Reduce(Vector<float> ax)
        {
            var j = Vector.ConvertToInt32Native(ax * new Vector<float>(1.27323954473516f));
            j = (j + new Vector<int>(1)) & new Vector<int>(~1);
            var y = Vector.ConvertToSingle(j);
            var r = ((ax - y * new Vector<float>(0.78515625f)) - y * new Vector<float>(2.4187564849853515625e-4f)) - y * new Vector<float>(3.77489497744594108e-8f);
            return (r, j);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> SinPoly(Vector<float> r)
        {
            var z = r * r;
            var p = new Vector<float>(-1.9515295891e-4f);
            p = Mad(p, z, new Vector<float>(8.3321608736e-3f));
            p = Mad(p, z, new Vector<float>(-1.6666654611e-1f));
            return p * z * r + r;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> CosPoly(Vector<float> r)
        {
            var z = r * r;
            var p = new Vector<float>(2.443315711809948e-5f);
            p = Mad(p, z, new Vector<float>(-1.388731625493765e-3f));
            p = Mad(p, z, new Vector<float>(4.166664568298827e-2f));
            return p * z * z - Half * z + One;
        }

        /// <summary>
        /// tanh x: an odd polynomial where |x| &lt; 0.625 (Cephes tanhf's), else sign(x) (1 - 2 / (e^(2|x|) + 1)) with |x|
        /// capped at 10 (tanh is 1 in float beyond 9.01); NaN stays NaN.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Tanh(Vector<float> x)
        {
            var ax = Vector.Abs(x);
            var z = x * x;
            var p = new Vector<float>(-5.70498872745e-3f);
            p = Mad(p, z, new Vector<float>(2.06390887954e-2f));
            p = Mad(p, z, new Vector<float>(-5.37397155531e-2f));
            p = Mad(p, z, new Vector<float>(1.33314422036e-1f));
            p = Mad(p, z, new Vector<float>(-3.33332819422e-1f));
            var small = p * z * x + x;
            var e = ExpInRange(Vector.Min(ax, new Vector<float>(10f)) * new Vector<float>(2f));
            var large = One - new Vector<float>(2f) / (e + One);
            large = Vector.AsVectorSingle(Vector.AsVectorInt32(large) | (Vector.AsVectorInt32(x) & new Vector<int>(int.MinValue)));
            var r = Vector.ConditionalSelect(Vector.LessThan(ax, new Vector<float>(0.625f)), small, large);
            return Vector.ConditionalSelect(Vector.Equals(x, x), r, x);
        }

        /// <summary><see cref="Tanh(Vector{float})"/> sixteen lanes at a time (the same steps and constants, the same bound).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x)
        {
            var ax = Vector512.Abs(x);
            var z = x * x;
            var p = Vector512.Create(-5.70498872745e-3f);
            p = Mad(p, z, Vector512.Create(2.06390887954e-2f));
            p = Mad(p, z, Vector512.Create(-5.37397155531e-2f));
            p = Mad(p, z, Vector512.Create(1.33314422036e-1f));
            p = Mad(p, z, Vector512.Create(-3.33332819422e-1f));
            var small = p * z * x + x;
            var e = ExpInRange(Vector512.Min(ax, Vector512.Create(10f)) * Vector512.Create(2f));
            var large = Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);
            large = (large.AsInt32() | (x.AsInt32() & Vector512.Create(int.MinValue))).AsSingle();
            var y = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(0.625f)), small, large);
            return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
        }

        /// <summary>a b + c in one rounding where the CPU fuses (a polynomial's Horner step: faster and no less accurate), else two.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> Mad(Vector<float> a, Vector<float> b, Vector<float> c) => Fma.IsSupported ? Vector.FusedMultiplyAdd(a, b, c) : a * b + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Mad(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

        /// <summary>1 / (1 + e^-x), with <see cref="Exp"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Sigmoid(Vector<float> x) => One / (One + Exp(-x));

        /// <summary>
        /// ln(1 + e^x) as the reference computes it: x above 20, e^x below -20, else log1p(e^x) by Goldberg's formula
        /// (ln u · e / (u - 1) with u = 1 + e, or e where u rounds to 1), with <see cref="Exp"/> and <see cref="Log"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Softplus(Vector<float> x)
        {
            var e = Exp(Vector.Min(x, new Vector<float>(20f)));
            var u = One + e;
            var lp = Vector.ConditionalSelect(Vector.Equals(u, One), e, Log(u) * e / (u - One));
            var r = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<float>(-20f)), e, lp);
            return Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<float>(20f)), x, r);
        }

        /// <summary>d softplus / dx: 1 above 20, e^x below -20, else e^x / (e^x + 1).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> DSoftplus(Vector<float> x)
        {
            var e = Exp(Vector.Min(x, new Vector<float>(20f)));
            var r = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<float>(-20f)), e, e / (e + One));
            return Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<float>(20f)), One, r);
        }

        /// <summary>
        /// The lanes outside the kernel's range (<paramref name="inside"/> zero there) through the scalar function; the others
        /// keep the kernel's value, so each lane's result depends on its own argument only, whatever its neighbours are.
        /// </summary>
        private static unsafe Vector<float> Patch(Vector<float> x, Vector<float> y, Vector<int> inside, delegate*<float, float> f)
        {
            Span<float> s = stackalloc float[Vector<float>.Count];
            y.CopyTo(s);
            for (int i = 0; i < s.Length; i++)
                if (inside[i] == 0) s[i] = f(x[i]);
            return new Vector<float>(s);
        }
    }
}
