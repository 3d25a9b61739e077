using System;
using System.Runtime.CompilerServices;

// One source, two assemblies: compiled into AE.Dsl (netstandard2.0, the interpreter) and linked into
// AE.Runtime (net10.0, generated code and the SIMD forms in AeNoise), which defines AE_RUNTIME.
#if AE_RUNTIME
namespace AE.Runtime
#else
namespace AE.Dsl.Eval
#endif
{
    /// <summary>
    /// The draws of the language's <c>noise()</c>: counter-based standard normals, each a pure function of
    /// (seed, step, call site, element index), identical bit for bit in the interpreter, in generated C#
    /// (scalar and SIMD, AE.Runtime.Simd.AeNoise) and in OpenCL C (the prelude's <c>ae_gauss</c>).
    /// <para>
    /// <b>The definition.</b> A draw takes a seed <c>s</c> (ulong), a step <c>t</c> (ulong), a call site
    /// <c>site</c> (1 to <see cref="MaxSite"/>) and an element index <c>i</c> (0 &lt;= i &lt; <see cref="MaxIndex"/> = 2^48).
    /// <list type="number">
    /// <item>Block <c>b = i &gt;&gt; 1</c>: elements 2m and 2m+1 share one Philox block.</item>
    /// <item>Philox4x32-10 (Salmon, Moraes, Dror and Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3";
    /// the generator of Random123, cuRAND and JAX) with key <c>k0 = (uint)s, k1 = (uint)(s &gt;&gt; 32)</c> and
    /// counter <c>c0 = (uint)b, c1 = (uint)(b &gt;&gt; 32) | ((uint)site &lt;&lt; 16), c2 = (uint)t, c3 = (uint)(t &gt;&gt; 32)</c>
    /// gives r0..r3 (see <see cref="Philox4x32_10"/>). Then <c>a = ((ulong)r1 &lt;&lt; 32) | r0</c> and
    /// <c>c = ((ulong)r3 &lt;&lt; 32) | r2</c>.</item>
    /// <item>Box–Muller with both branches (as cuRAND's normal2): <c>u1 = ((a &gt;&gt; 11) + 1) * 2^-53</c>, in (0, 1];
    /// <c>radius = sqrt(-2 ln u1)</c>; <c>angle = 2 pi ((c &gt;&gt; 11) * 2^-53)</c>. Even <c>i</c> draws
    /// <c>radius * cos(angle)</c>, odd <c>i</c> draws <c>radius * sin(angle)</c>.</item>
    /// </list>
    /// </para>
    /// <para>
    /// <b>Arithmetic, so that every backend rounds alike.</b> Only IEEE double +, -, *, / and sqrt (each
    /// correctly rounded everywhere), exact integer and bit operations, and exact integer-to-double
    /// conversions (of values below 2^53) are used, in one fixed order, with no fused multiply-add
    /// (C# never contracts; the OpenCL prelude says <c>#pragma OPENCL FP_CONTRACT OFF</c>). No library
    /// log, sin or cos is called:
    /// <list type="bullet">
    /// <item><c>-ln u1</c> (<see cref="Log"/>): u1 = 2^k * x with x in [sqrt(2)/2, sqrt(2)) from the exponent and
    /// significand bits; f = x - 1 (exact), s = f / (2 + f), ln x = f - hfsq + s (hfsq + R(s^2)) with
    /// hfsq = 0.5 f f and R fdlibm's degree-14 minimax polynomial (e_log.c, Lg1..Lg7), and k ln 2 added as
    /// k*ln2_hi (exact) and k*ln2_lo. One formula for every x (fdlibm switches formulas by range; this one
    /// does not, so the SIMD forms need no branch). Result: <c>((hfsq - (s*(hfsq + R) + k*ln2_lo)) - f) - k*ln2_hi</c>.</item>
    /// <item>The angle from the 53-bit integer v = c &gt;&gt; 11 (angle = 2 pi v / 2^53), reduced exactly with integer
    /// operations: q = ((v + 2^50) &gt;&gt; 51) mod 4 is the nearest quarter turn and r = v + 2^50 mod 2^51 - 2^50 in
    /// [-2^50, 2^50) the remainder, so angle = q pi/2 + theta with theta = (pi/2) r 2^-51 in [-pi/4, pi/4).
    /// theta is formed as a double-double: r = rh + rl (rh: r with its low 25 bits cleared), both converted
    /// exactly; pi/2 = P1 + P2 with P1 of 27 significant bits, so rh*P1 and rl*P1 are exact products;
    /// theta_hi + theta_lo = Fast2Sum(rh*P1 + rl*P1, error + r*P2) (all scaled by 2^-51).</item>
    /// <item>sin and cos of theta_hi + theta_lo on [-pi/4, pi/4]: fdlibm's kernels __kernel_sin(x, y, 1) and
    /// __kernel_cos(x, y) (k_sin.c S1..S6, k_cos.c C1..C6, in fdlibm's evaluation order), then the quadrant:
    /// cos(angle) = [cos, -sin, -cos, sin][q], sin(angle) = [sin, cos, -sin, -cos][q] of theta (exact sign flips).
    /// So quarter turns are exact: cos(pi/2) is exactly -0, sin(pi) exactly 0.</item>
    /// <item>radius = sqrt(2 * (-ln u1)); u1 = 1 gives radius +0 and a draw of exactly (signed) zero; the smallest
    /// u1 = 2^-53 gives the largest radius, sqrt(106 ln 2) = 8.5717.</item>
    /// </list>
    /// </para>
    /// <para>
    /// <b>Accuracy</b>, measured (CounterNoiseTests asserts the bounds): ln within 1 ulp of Math.Log (worst case 1 ulp
    /// over 10^7 arguments u1 = m 2^-53 with m random, of every bit length, near 1 and near 2^53; 98% identical; exact 0
    /// at u1 = 1, and at 2^-53 equal to Math's, so the largest radius sqrt(106 ln 2) = 8.5717 is within 1 ulp of
    /// Math.Sqrt(-2 Math.Log(2^-53))). The kernels within 1 ulp of Math.Sin and Math.Cos of the same double on
    /// [-pi/4, pi/4] (10^7 arguments). cos and sin of the angle end to end within 0.78 ulp of the exact value
    /// (3 10^6 arguments against a 256-bit evaluation, random and at quarter- and eighth-turn edges), so within 1 ulp of
    /// Math.Cos/Math.Sin of the reduced angle corrected by its tail; theta = hi + lo is within 2^-83 (relative) of
    /// (pi/2) r 2^-51. (Math.Cos(2 * Math.PI * u), by contrast, is off by thousands of ulps where the result is small,
    /// because its argument is rounded.)
    /// </para>
    /// <para>
    /// The polynomial coefficients are fdlibm's (Sun Microsystems 1993: "Permission to use, copy, modify, and
    /// distribute this software is freely granted, provided that this notice is preserved").
    /// </para>
    /// </summary>
    public static class CounterNoise
    {
        /// <summary>The largest call-site number: sites occupy the top 16 bits of the counter word c1.</summary>
        public const int MaxSite = 65535;

        /// <summary>Element indices lie below 2^48 (the block b = i &gt;&gt; 1 has 47 bits, 15 of them in c1).</summary>
        public const long MaxIndex = 1L << 48;

        /// <summary>Philox4x32's round multipliers.</summary>
        internal const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;

        /// <summary>Philox4x32's Weyl key increments (golden ratio and sqrt(3) - 1).</summary>
        internal const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

        /// <summary>
        /// Philox4x32 with 10 rounds, as Random123's philox4x32_R(10, ctr, key): each round takes the 64-bit
        /// products M0*c0 and M1*c2 and makes (c0, c1, c2, c3) = (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0));
        /// before every round but the first, the key advances by (W0, W1).
        /// </summary>
        public static void Philox4x32_10(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, out uint r0, out uint r1, out uint r2, out uint r3)
        {
            unchecked
            {
                for (int round = 0; round < 10; round++)
                {
                    if (round > 0) { k0 += W0; k1 += W1; }
                    ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
                    uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
                    uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
                    c1 = (uint)p1;
                    c3 = (uint)p0;
                    c0 = n0;
                    c2 = n2;
                }
                r0 = c0; r1 = c1; r2 = c2; r3 = c3;
            }
        }

        /// <summary>
        /// Draw <paramref name="index"/> of call site <paramref name="site"/> at step <paramref name="step"/>:
        /// a standard normal, the pure function of the arguments that the class comment defines.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">site outside 1..<see cref="MaxSite"/>, or index outside [0, <see cref="MaxIndex"/>)</exception>
        public static double Gaussian(ulong seed, ulong step, int site, long index)
        {
            if ((uint)(site - 1) >= MaxSite) ThrowSite(site);
            if ((ulong)index >= MaxIndex) ThrowIndex(index);
            return GaussianUnchecked(seed, step, site, index);
        }

        /// <summary>
        /// <see cref="Gaussian"/> without its argument checks, for device kernels (ILGPU compiles no exception):
        /// the caller keeps <paramref name="site"/> in 1..<see cref="MaxSite"/> and <paramref name="index"/> in [0, <see cref="MaxIndex"/>).
        /// </summary>
        public static double GaussianUnchecked(ulong seed, ulong step, int site, long index)
        {
            unchecked
            {
                ulong b = (ulong)index >> 1;
                Philox4x32_10((uint)b, (uint)(b >> 32) | ((uint)site << 16), (uint)step, (uint)(step >> 32), (uint)seed, (uint)(seed >> 32),
                    out uint r0, out uint r1, out uint r2, out uint r3);
                return BoxMuller(((ulong)r1 << 32) | r0, ((ulong)r3 << 32) | r2, (index & 1) != 0);
            }
        }

        /// <summary>
        /// Box–Muller from a block's two 64-bit words: <c>sqrt(-2 ln u1) * cos(angle)</c>, or <c>* sin(angle)</c> when
        /// <paramref name="sine"/>, with u1 = <see cref="Uniform"/>(a) and angle = 2 pi (c &gt;&gt; 11) 2^-53.
        /// </summary>
        internal static double BoxMuller(ulong a, ulong c, bool sine)
        {
            double radius = Radius(a);
            Reduce(c >> 11, out int q, out double hi, out double lo);
            if (sine) q += 3;
            return radius * Quadrant(q, hi, lo);
        }

        /// <summary>u1 = ((a &gt;&gt; 11) + 1) * 2^-53: uniform in (0, 1], never 0, exact.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static double Uniform(ulong a) => (double)((a >> 11) + 1) * TwoM53;

        /// <summary>sqrt(-2 ln u1) for u1 = <see cref="Uniform"/>(a): from +0 (u1 = 1) to sqrt(106 ln 2) (u1 = 2^-53).</summary>
        internal static double Radius(ulong a) => Math.Sqrt(2.0 * MinusLog(Uniform(a)));

        /// <summary>
        /// ln x for a positive, normal and finite x (the method of the class comment; not for 0, subnormals,
        /// infinities or NaN, which the draws never produce). Within 1 ulp of Math.Log.
        /// </summary>
        internal static double Log(double x) => 0.0 - MinusLog(x);

        /// <summary>cos(2 pi v / 2^53) for v &lt; 2^53 (the draw's angle for v = c &gt;&gt; 11), reduced exactly.</summary>
        internal static double Cos2Pi(ulong v)
        {
            Reduce(v, out int q, out double hi, out double lo);
            return Quadrant(q, hi, lo);
        }

        /// <summary>sin(2 pi v / 2^53) for v &lt; 2^53, reduced exactly: sin(a) = cos(a - pi/2).</summary>
        internal static double Sin2Pi(ulong v)
        {
            Reduce(v, out int q, out double hi, out double lo);
            return Quadrant(q + 3, hi, lo);
        }

        /// <summary>sin(x + y) for |x| &lt;= pi/4 and y a tail of x (|y| &lt;= ulp(x)/2): fdlibm's __kernel_sin(x, y, 1).</summary>
        internal static double SinKernel(double x, double y)
        {
            double z = x * x;
            double v = z * x;
            double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
            return x - ((z * (0.5 * y - v * r) - y) - v * S1);
        }

        /// <summary>cos(x + y) for |x| &lt;= pi/4 and y a tail of x: fdlibm's (FreeBSD's) __kernel_cos(x, y).</summary>
        internal static double CosKernel(double x, double y)
        {
            double z = x * x;
            double w = z * z;
            double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
            double hz = 0.5 * z;
            w = 1.0 - hz;
            return w + (((1.0 - w) - hz) + (z * r - x * y));
        }

        /// <summary>
        /// The angle 2 pi v / 2^53 (v &lt; 2^53) as q quarter turns plus theta = hi + lo in [-pi/4, pi/4]:
        /// q and the remainder exactly by integer operations, theta as a double-double (class comment).
        /// </summary>
        internal static void Reduce(ulong v, out int q, out double hi, out double lo)
        {
            unchecked
            {
                ulong t = v + (1UL << 50);
                q = (int)(t >> 51) & 3;
                long r = (long)(t & ((1UL << 51) - 1)) - (1L << 50);
                long rh = r & ~((1L << 25) - 1);
                long rl = r - rh;
                double dh = rh, dl = rl;
                double a = dh * P1s, b = dl * P1s;
                double c = (dh + dl) * P2s;
                double s = a + b;
                double l = (b - (s - a)) + c;
                hi = s + l;
                lo = l - (hi - s);
            }
        }

        /// <summary>cos(q pi/2 + theta) from the kernels: [cos, -sin, -cos, sin][q mod 4] of theta = hi + lo.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static double Quadrant(int q, double hi, double lo)
        {
            double k = (q & 1) == 0 ? CosKernel(hi, lo) : SinKernel(hi, lo);
            return ((q + 1) & 2) == 0 ? k : -k;
        }

        /// <summary>-ln x, computed directly (so u1 = 1 gives +0): ((hfsq - (s*(hfsq + R) + k*ln2_lo)) - f) - k*ln2_hi.</summary>
        internal static double MinusLog(double x)
        {
            unchecked
            {
                long bits = BitConverter.DoubleToInt64Bits(x);
                long mant = bits & 0x000FFFFFFFFFFFFFL;
                // i = 1 when the significand is at least sqrt(2)'s (0x6A09E667F3BCD): then x/2 is taken, in [sqrt(2)/2, 1).
                long i = (mant + 0x95F619980C433L) >> 52;
                double xn = BitConverter.Int64BitsToDouble(mant | ((0x3FFL - i) << 52));
                long k = (bits >> 52) - 0x3FFL + i;
                double f = xn - 1.0;
                double s = f / (2.0 + f);
                double z = s * s;
                double w = z * z;
                double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
                double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
                double rr = t2 + t1;
                double hfsq = 0.5 * f * f;
                double dk = k;
                return ((hfsq - (s * (hfsq + rr) + dk * Ln2Lo)) - f) - dk * Ln2Hi;
            }
        }

        private static void ThrowSite(int site) =>
            throw new ArgumentOutOfRangeException(nameof(site), site, "a noise call site is numbered 1 to " + MaxSite);

        private static void ThrowIndex(long index) =>
            throw new ArgumentOutOfRangeException(nameof(index), index, "a noise element index lies in [0, 2^48)");

        // ---- constants (the SIMD forms in AeNoise and the OpenCL prelude use the same bits)

        /// <summary>2^-53.</summary>
        internal const double TwoM53 = 1.1102230246251565e-16;

        /// <summary>P1 * 2^-51 and P2 * 2^-51, where pi/2 = P1 + P2 and P1 = 105414357 * 2^-26 has 27 significant bits.</summary>
        internal const double P1s = 6.975736991611483e-16, P2s = 4.405780538976513e-25;

        // ln 2 = Ln2Hi + Ln2Lo, Ln2Hi with 32 significant bits (k*Ln2Hi is exact); Lg1..Lg7: fdlibm e_log.c.
        internal const double Ln2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
        internal const double Ln2Lo = 1.90821492927058770002e-10;  // 0x3DEA39EF35793C76
        internal const double Lg1 = 6.666666666666735130e-01;      // 0x3FE5555555555593
        internal const double Lg2 = 3.999999999940941908e-01;      // 0x3FD999999997FA04
        internal const double Lg3 = 2.857142874366239149e-01;      // 0x3FD2492494229359
        internal const double Lg4 = 2.222219843214978396e-01;      // 0x3FCC71C51D8E78AF
        internal const double Lg5 = 1.818357216161805012e-01;      // 0x3FC7466496CB03DE
        internal const double Lg6 = 1.531383769920937332e-01;      // 0x3FC39A09D078C69F
        internal const double Lg7 = 1.479819860511658591e-01;      // 0x3FC2F112DF3E5244

        // fdlibm k_sin.c
        internal const double S1 = -1.66666666666666324348e-01;    // 0xBFC5555555555549
        internal const double S2 = 8.33333333332248946124e-03;     // 0x3F8111111110F8A6
        internal const double S3 = -1.98412698298579493134e-04;    // 0xBF2A01A019C161D5
        internal const double S4 = 2.75573137070700676789e-06;     // 0x3EC71DE357B1FE7D
        internal const double S5 = -2.50507602534068634195e-08;    // 0xBE5AE5E68A2B9CEB
        internal const double S6 = 1.58969099521155010221e-10;     // 0x3DE5D93A5ACFD57C

        // fdlibm k_cos.c
        internal const double C1 = 4.16666666666666019037e-02;     // 0x3FA555555555554C
        internal const double C2 = -1.38888888888741095749e-03;    // 0xBF56C16C16C15177
        internal const double C3 = 2.48015872894767294178e-05;     // 0x3EFA01A019CB1590
        internal const double C4 = -2.75573143513906633035e-07;    // 0xBE927E4F809C52AD
        internal const double C5 = 2.08757232129817482790e-09;     // 0x3E21EE9EBDB4B1C4
        internal const double C6 = -1.13596475577881948265e-11;    // 0xBDA8FAE9BE8838D4
    }
}
