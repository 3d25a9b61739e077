using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AE.Runtime.Simd
{
    /// <summary>
    /// <see cref="CounterNoise.Gaussian"/> four and eight elements at a time, bit for bit: the same Philox4x32-10 on
    /// 32-bit words held in 64-bit lanes, and the same operations of the Box–Muller transform in the same order, lane
    /// by lane (the transform uses only +, -, *, /, sqrt, exact conversions and bit operations, so a lane rounds as
    /// the scalar code does).
    /// <para>
    /// Layouts. For an even index the two counter words that Philox multiplies (c0, c2) of each block share one
    /// vector, so one 32x32-&gt;64 multiply serves both products of a round and a block needs two lanes: four elements
    /// (two blocks) fill a <see cref="Vector256{T}"/>, eight a <see cref="Vector512{T}"/>. Each lane then
    /// computes its element (the logarithm and both trigonometric kernels, then picks one). Without
    /// Vector512, <see cref="Gaussian8"/> puts one block in each 64-bit lane (four blocks), computes radius, cosine
    /// and sine once per block and interleaves them. Odd indices give each lane the block of its element.
    /// </para>
    /// <para>
    /// x86 intrinsics (AVX2's and AVX-512's 32x32-&gt;64 multiply, AVX-512DQ's exact 64-bit conversions, in-lane
    /// permutes) are used where the processor has them; every one has a fallback in generic vector operations, so the
    /// code is correct on any processor. Where <see cref="Vector256"/> is not hardware accelerated the scalar
    /// definition is called instead (the emulated vectors would be slower).
    /// </para>
    /// </summary>
    public static class AeNoise
    {
        /// <summary>Elements <paramref name="index"/> to index + 3 of call site <paramref name="site"/>: lane k is
        /// <see cref="CounterNoise.Gaussian"/>(seed, step, site, index + k), bit for bit. Any index, odd ones too.</summary>
        /// <exception cref="ArgumentOutOfRangeException">site outside 1..65535, index negative or index + 3 not below 2^48</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Gaussian4(ulong seed, ulong step, int site, long index)
        {
            Check(site, index, 4);
            if (!Vector256.IsHardwareAccelerated) return Scalar4(seed, step, site, index);
            return Gaussian4Core<X86Isa>(seed, step, site, index);
        }

        /// <summary>Elements <paramref name="index"/> to index + 7: <paramref name="lo"/> holds index..index + 3, <paramref name="hi"/>
        /// index + 4..index + 7, each lane <see cref="CounterNoise.Gaussian"/> bit for bit. Uses Vector512 where it is hardware accelerated.</summary>
        /// <exception cref="ArgumentOutOfRangeException">site outside 1..65535, index negative or index + 7 not below 2^48</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Gaussian8(ulong seed, ulong step, int site, long index, out Vector256<double> lo, out Vector256<double> hi)
        {
            Check(site, index, 8);
            if (Vector512.IsHardwareAccelerated) Gaussian8Wide<X86Isa>(seed, step, site, index, out lo, out hi);
            else if (Vector256.IsHardwareAccelerated) Gaussian8Narrow<X86Isa>(seed, step, site, index, out lo, out hi);
            else { lo = Scalar4(seed, step, site, index); hi = Scalar4(seed, step, site, index + 4); }
        }

        /// <summary>The code paths one by one, whatever the processor (tests compare each with the scalar definition).</summary>
        internal enum Path { Scalar, Vector256Intrinsics, Vector256Portable, Vector512Intrinsics, Vector512Portable }

        internal static Vector256<double> Gaussian4(ulong seed, ulong step, int site, long index, Path path)
        {
            Check(site, index, 4);
            return path switch
            {
                Path.Scalar => Scalar4(seed, step, site, index),
                Path.Vector256Intrinsics => Gaussian4Core<X86Isa>(seed, step, site, index),
                Path.Vector256Portable => Gaussian4Core<PortableIsa>(seed, step, site, index),
                _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Gaussian4 has no such path"),
            };
        }

        internal static void Gaussian8(ulong seed, ulong step, int site, long index, Path path, out Vector256<double> lo, out Vector256<double> hi)
        {
            Check(site, index, 8);
            switch (path)
            {
                case Path.Scalar: lo = Scalar4(seed, step, site, index); hi = Scalar4(seed, step, site, index + 4); break;
                case Path.Vector256Intrinsics: Gaussian8Narrow<X86Isa>(seed, step, site, index, out lo, out hi); break;
                case Path.Vector256Portable: Gaussian8Narrow<PortableIsa>(seed, step, site, index, out lo, out hi); break;
                case Path.Vector512Intrinsics: Gaussian8Wide<X86Isa>(seed, step, site, index, out lo, out hi); break;
                case Path.Vector512Portable: Gaussian8Wide<PortableIsa>(seed, step, site, index, out lo, out hi); break;
                default: throw new ArgumentOutOfRangeException(nameof(path), path, "Gaussian8 has no such path");
            }
        }

        // ------------------------------------------------------------ entry points by layout

        private static Vector256<double> Scalar4(ulong seed, ulong step, int site, long index) => Vector256.Create(
            CounterNoise.Gaussian(seed, step, site, index), CounterNoise.Gaussian(seed, step, site, index + 1),
            CounterNoise.Gaussian(seed, step, site, index + 2), CounterNoise.Gaussian(seed, step, site, index + 3));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Gaussian4Core<T>(ulong seed, ulong step, int site, long index) where T : struct, IIsa
        {
            ulong b = (ulong)index >> 1;
            ulong siteBits = (ulong)(uint)site << 16;
            if ((index & 1) == 0)
            {
                // blocks b, b + 1; lanes (c0, c2) of each; the elements are cos, sin, cos, sin
                ulong b1 = b + 1;
                var ac = PhiloxPairs<T>(
                    Vector256.Create(b & Mask32, step & Mask32, b1 & Mask32, step & Mask32),
                    Vector256.Create((b >> 32) | siteBits, step >> 32, (b1 >> 32) | siteBits, step >> 32), seed);
                return Element<T>(DupEven<T>(ac), DupOdd<T>(ac), Vector256.Create(0UL, 3, 0, 3));
            }
            // an odd index: the elements are sin of block b, cos and sin of b + 1, cos of b + 2
            PhiloxLanes<T>(Vector256.Create(b, b + 1, b + 1, b + 2), siteBits, step, seed, out var a, out var c);
            return Element<T>(a, c, Vector256.Create(3UL, 0, 3, 0));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Gaussian8Narrow<T>(ulong seed, ulong step, int site, long index, out Vector256<double> lo, out Vector256<double> hi) where T : struct, IIsa
        {
            if ((index & 1) != 0)
            {
                lo = Gaussian4Core<T>(seed, step, site, index);
                hi = Gaussian4Core<T>(seed, step, site, index + 4);
                return;
            }
            // one block a lane, in the order b, b + 2, b + 1, b + 3 so that the in-lane unpacks give element order
            ulong b = (ulong)index >> 1;
            PhiloxLanes<T>(Vector256.Create(b, b + 2, b + 1, b + 3), (ulong)(uint)site << 16, step, seed, out var a, out var c);
            var radius = Radius<T>(a);
            Reduce<T>(c >> 11, out var q, out var thetaHi, out var thetaLo);
            var sinK = SinKernel(thetaHi, thetaLo);
            var cosK = CosKernel(thetaHi, thetaLo);
            var odd = Vector256<ulong>.Zero - (q & Vector256<ulong>.One);
            // cos(angle) = [cos, -sin, -cos, sin][q], sin(angle) = [sin, cos, -sin, -cos][q]
            var cosA = (Vector256.ConditionalSelect(odd, sinK.AsUInt64(), cosK.AsUInt64()) ^ (((q + Vector256<ulong>.One) & Two) << 62)).AsDouble();
            var sinA = (Vector256.ConditionalSelect(odd, cosK.AsUInt64(), sinK.AsUInt64()) ^ ((q & Two) << 62)).AsDouble();
            var rc = radius * cosA;
            var rs = radius * sinA;
            if (T.X86 && Avx.IsSupported)
            {
                lo = Avx.UnpackLow(rc, rs);
                hi = Avx.UnpackHigh(rc, rs);
            }
            else
            {
                lo = Vector256.Create(rc.GetElement(0), rs.GetElement(0), rc.GetElement(2), rs.GetElement(2));
                hi = Vector256.Create(rc.GetElement(1), rs.GetElement(1), rc.GetElement(3), rs.GetElement(3));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Gaussian8Wide<T>(ulong seed, ulong step, int site, long index, out Vector256<double> lo, out Vector256<double> hi) where T : struct, IIsa
        {
            ulong b = (ulong)index >> 1;
            ulong siteBits = (ulong)(uint)site << 16;
            Vector512<double> g;
            if ((index & 1) == 0)
            {
                ulong b1 = b + 1, b2 = b + 2, b3 = b + 3, t0 = step & Mask32, t1 = step >> 32;
                var ac = PhiloxPairs<T>(
                    Vector512.Create(b & Mask32, t0, b1 & Mask32, t0, b2 & Mask32, t0, b3 & Mask32, t0),
                    Vector512.Create((b >> 32) | siteBits, t1, (b1 >> 32) | siteBits, t1, (b2 >> 32) | siteBits, t1, (b3 >> 32) | siteBits, t1), seed);
                g = Element<T>(DupEven<T>(ac), DupOdd<T>(ac), Vector512.Create(0UL, 3, 0, 3, 0, 3, 0, 3));
            }
            else
            {
                PhiloxLanes<T>(Vector512.Create(b, b + 1, b + 1, b + 2, b + 2, b + 3, b + 3, b + 4), siteBits, step, seed, out var a, out var c);
                g = Element<T>(a, c, Vector512.Create(3UL, 0, 3, 0, 3, 0, 3, 0));
            }
            lo = g.GetLower();
            hi = g.GetUpper();
        }

        // ------------------------------------------------------------ Philox4x32-10

        private const ulong Mask32 = 0xFFFFFFFFUL;
        private static Vector256<ulong> Two => Vector256.Create(2UL);

        /// <summary>
        /// Blocks as pairs of lanes: x holds (c0, c2) of each block, y (c1, c3), 32-bit words in 64-bit lanes. Returns
        /// (a, c) of each block in its two lanes: a = r1:r0, c = r3:r2.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> PhiloxPairs<T>(Vector256<ulong> x, Vector256<ulong> y, ulong seed) where T : struct, IIsa
        {
            var m = Vector256.Create((ulong)CounterNoise.M0, CounterNoise.M1, CounterNoise.M0, CounterNoise.M1);
            var w = Vector256.Create((ulong)CounterNoise.W0, CounterNoise.W1, CounterNoise.W0, CounterNoise.W1);
            // the key in 64-bit lanes: only the low 32 bits of a lane are ever used, so adding w without wrapping at 32 bits is right
            var k = Vector256.Create(seed & Mask32, seed >> 32, seed & Mask32, seed >> 32);
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k);
            return (y << 32) | (x & Vector256.Create(Mask32));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PairRound<T>(ref Vector256<ulong> x, ref Vector256<ulong> y, Vector256<ulong> m, Vector256<ulong> k) where T : struct, IIsa
        {
            // p = (M0 c0, M1 c2); swapped, (M1 c2, M0 c0) lines up with (c1, c3): c0' = hi(M1 c2) ^ c1 ^ k0, c1' = lo(M1 c2), ...
            var p = SwapPairs<T>(Mul32<T>(x, m));
            x = (p >> 32) ^ y ^ k;
            y = p; // the high halves are garbage that no later step reads
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ulong> PhiloxPairs<T>(Vector512<ulong> x, Vector512<ulong> y, ulong seed) where T : struct, IIsa
        {
            var m = Vector512.Create((ulong)CounterNoise.M0, CounterNoise.M1, CounterNoise.M0, CounterNoise.M1, CounterNoise.M0, CounterNoise.M1, CounterNoise.M0, CounterNoise.M1);
            var w = Vector512.Create((ulong)CounterNoise.W0, CounterNoise.W1, CounterNoise.W0, CounterNoise.W1, CounterNoise.W0, CounterNoise.W1, CounterNoise.W0, CounterNoise.W1);
            ulong k0 = seed & Mask32, k1 = seed >> 32;
            var k = Vector512.Create(k0, k1, k0, k1, k0, k1, k0, k1);
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k); k += w;
            PairRound<T>(ref x, ref y, m, k);
            return (y << 32) | (x & Vector512.Create(Mask32));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PairRound<T>(ref Vector512<ulong> x, ref Vector512<ulong> y, Vector512<ulong> m, Vector512<ulong> k) where T : struct, IIsa
        {
            var p = SwapPairs<T>(Mul32<T>(x, m));
            x = (p >> 32) ^ y ^ k;
            y = p;
        }

        /// <summary>One block a lane (<paramref name="blocks"/>): a = r1:r0 and c = r3:r2 of each lane's block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PhiloxLanes<T>(Vector256<ulong> blocks, ulong siteBits, ulong step, ulong seed, out Vector256<ulong> a, out Vector256<ulong> c) where T : struct, IIsa
        {
            var mask = Vector256.Create(Mask32);
            var c0 = blocks & mask;
            var c1 = (blocks >> 32) | Vector256.Create(siteBits);
            var c2 = Vector256.Create(step & Mask32);
            var c3 = Vector256.Create(step >> 32);
            var k0 = Vector256.Create(seed & Mask32);
            var k1 = Vector256.Create(seed >> 32);
            var m0 = Vector256.Create((ulong)CounterNoise.M0);
            var m1 = Vector256.Create((ulong)CounterNoise.M1);
            var w0 = Vector256.Create((ulong)CounterNoise.W0);
            var w1 = Vector256.Create((ulong)CounterNoise.W1);
            for (int round = 0; round < 10; round++)
            {
                if (round > 0) { k0 += w0; k1 += w1; }
                var p0 = Mul32<T>(c0, m0);
                var p1 = Mul32<T>(c2, m1);
                c0 = (p1 >> 32) ^ c1 ^ k0;
                c2 = (p0 >> 32) ^ c3 ^ k1;
                c1 = p1;
                c3 = p0;
            }
            a = (c1 << 32) | (c0 & mask);
            c = (c3 << 32) | (c2 & mask);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PhiloxLanes<T>(Vector512<ulong> blocks, ulong siteBits, ulong step, ulong seed, out Vector512<ulong> a, out Vector512<ulong> c) where T : struct, IIsa
        {
            var mask = Vector512.Create(Mask32);
            var c0 = blocks & mask;
            var c1 = (blocks >> 32) | Vector512.Create(siteBits);
            var c2 = Vector512.Create(step & Mask32);
            var c3 = Vector512.Create(step >> 32);
            var k0 = Vector512.Create(seed & Mask32);
            var k1 = Vector512.Create(seed >> 32);
            var m0 = Vector512.Create((ulong)CounterNoise.M0);
            var m1 = Vector512.Create((ulong)CounterNoise.M1);
            var w0 = Vector512.Create((ulong)CounterNoise.W0);
            var w1 = Vector512.Create((ulong)CounterNoise.W1);
            for (int round = 0; round < 10; round++)
            {
                if (round > 0) { k0 += w0; k1 += w1; }
                var p0 = Mul32<T>(c0, m0);
                var p1 = Mul32<T>(c2, m1);
                c0 = (p1 >> 32) ^ c1 ^ k0;
                c2 = (p0 >> 32) ^ c3 ^ k1;
                c1 = p1;
                c3 = p0;
            }
            a = (c1 << 32) | (c0 & mask);
            c = (c3 << 32) | (c2 & mask);
        }

        /// <summary>The 64-bit products of the low 32 bits of each lane of x with m (m's lanes below 2^32).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> Mul32<T>(Vector256<ulong> x, Vector256<ulong> m) where T : struct, IIsa
        {
            if (T.X86 && Avx2.IsSupported) return Avx2.Multiply(x.AsUInt32(), m.AsUInt32());
            return (x & Vector256.Create(Mask32)) * m;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ulong> Mul32<T>(Vector512<ulong> x, Vector512<ulong> m) where T : struct, IIsa
        {
            if (T.X86 && Avx512F.IsSupported) return Avx512F.Multiply(x.AsUInt32(), m.AsUInt32());
            return (x & Vector512.Create(Mask32)) * m;
        }

        // ------------------------------------------------------------ lane permutes (within 128-bit pairs)

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> SwapPairs<T>(Vector256<ulong> v) where T : struct, IIsa =>
            T.X86 && Avx.IsSupported ? Avx.Permute(v.AsDouble(), 0b0101).AsUInt64() : Vector256.Shuffle(v, Vector256.Create(1UL, 0, 3, 2));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> DupEven<T>(Vector256<ulong> v) where T : struct, IIsa =>
            T.X86 && Avx.IsSupported ? Avx.Permute(v.AsDouble(), 0b0000).AsUInt64() : Vector256.Shuffle(v, Vector256.Create(0UL, 0, 2, 2));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> DupOdd<T>(Vector256<ulong> v) where T : struct, IIsa =>
            T.X86 && Avx.IsSupported ? Avx.Permute(v.AsDouble(), 0b1111).AsUInt64() : Vector256.Shuffle(v, Vector256.Create(1UL, 1, 3, 3));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ulong> SwapPairs<T>(Vector512<ulong> v) where T : struct, IIsa =>
            T.X86 && Avx512F.IsSupported ? Avx512F.Permute2x64(v.AsDouble(), 0b01010101).AsUInt64() : Vector512.Shuffle(v, Vector512.Create(1UL, 0, 3, 2, 5, 4, 7, 6));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ulong> DupEven<T>(Vector512<ulong> v) where T : struct, IIsa =>
            T.X86 && Avx512F.IsSupported ? Avx512F.Permute2x64(v.AsDouble(), 0).AsUInt64() : Vector512.Shuffle(v, Vector512.Create(0UL, 0, 2, 2, 4, 4, 6, 6));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ulong> DupOdd<T>(Vector512<ulong> v) where T : struct, IIsa =>
            T.X86 && Avx512F.IsSupported ? Avx512F.Permute2x64(v.AsDouble(), 0xFF).AsUInt64() : Vector512.Shuffle(v, Vector512.Create(1UL, 1, 3, 3, 5, 5, 7, 7));

        // ------------------------------------------------------------ the transform, lane by lane as CounterNoise does it

        /// <summary>
        /// Each lane's element from its block's words a and c: radius * [cos, -sin, -cos, sin][(q + qAdd) mod 4] of theta,
        /// where qAdd is 0 for a cosine (even) element and 3 for a sine (odd) one, as in <see cref="CounterNoise.BoxMuller"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Element<T>(Vector256<ulong> a, Vector256<ulong> c, Vector256<ulong> qAdd) where T : struct, IIsa
        {
            var radius = Radius<T>(a);
            Reduce<T>(c >> 11, out var q, out var hi, out var lo);
            q += qAdd;
            var sinK = SinKernel(hi, lo);
            var cosK = CosKernel(hi, lo);
            var odd = Vector256<ulong>.Zero - (q & Vector256<ulong>.One);
            var k = Vector256.ConditionalSelect(odd, sinK.AsUInt64(), cosK.AsUInt64()) ^ (((q + Vector256<ulong>.One) & Two) << 62);
            return radius * k.AsDouble();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<double> Element<T>(Vector512<ulong> a, Vector512<ulong> c, Vector512<ulong> qAdd) where T : struct, IIsa
        {
            var radius = Radius<T>(a);
            Reduce<T>(c >> 11, out var q, out var hi, out var lo);
            q += qAdd;
            var sinK = SinKernel(hi, lo);
            var cosK = CosKernel(hi, lo);
            var odd = Vector512<ulong>.Zero - (q & Vector512<ulong>.One);
            var k = Vector512.ConditionalSelect(odd, sinK.AsUInt64(), cosK.AsUInt64()) ^ (((q + Vector512<ulong>.One) & Vector512.Create(2UL)) << 62);
            return radius * k.AsDouble();
        }

        private const ulong MagicSigned = 0x4338000000000000UL;    // 1.5 * 2^52: |x| < 2^51 converts exactly as bits(MagicSigned + x) - 1.5 * 2^52
        private const double MagicSignedValue = 6755399441055744.0;
        private const ulong MagicLow = 0x4330000000000000UL;       // 2^52
        private const ulong MagicHigh = 0x4530000000000000UL;      // 2^84
        private const double MagicHighLow = 19342813118337666422669312.0; // 2^84 + 2^52

        /// <summary>sqrt(2 * (-ln u1)), u1 = ((a &gt;&gt; 11) + 1) * 2^-53, as <see cref="CounterNoise.Radius"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Radius<T>(Vector256<ulong> a) where T : struct, IIsa
        {
            var m = (a >> 11) + Vector256<ulong>.One; // 1 .. 2^53
            Vector256<double> d;
            if (T.X86 && Avx512DQ.VL.IsSupported) d = Avx512DQ.VL.ConvertToVector256Double(m);
            else
            {
                // m = hi * 2^32 + lo: (2^84 + hi 2^32) - (2^84 + 2^52) + (2^52 + lo), every step exact
                var hi = ((m >> 32) | Vector256.Create(MagicHigh)).AsDouble() - Vector256.Create(MagicHighLow);
                d = hi + ((m & Vector256.Create(Mask32)) | Vector256.Create(MagicLow)).AsDouble();
            }
            var u1 = d * Vector256.Create(CounterNoise.TwoM53);
            return Vector256.Sqrt(Vector256.Create(2.0) * MinusLog(u1));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<double> Radius<T>(Vector512<ulong> a) where T : struct, IIsa
        {
            var m = (a >> 11) + Vector512<ulong>.One;
            Vector512<double> d;
            if (T.X86 && Avx512DQ.IsSupported) d = Avx512DQ.ConvertToVector512Double(m);
            else
            {
                var hi = ((m >> 32) | Vector512.Create(MagicHigh)).AsDouble() - Vector512.Create(MagicHighLow);
                d = hi + ((m & Vector512.Create(Mask32)) | Vector512.Create(MagicLow)).AsDouble();
            }
            var u1 = d * Vector512.Create(CounterNoise.TwoM53);
            return Vector512.Sqrt(Vector512.Create(2.0) * MinusLog(u1));
        }

        /// <summary><see cref="CounterNoise.MinusLog"/> lane by lane (x positive, normal, finite).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> MinusLog(Vector256<double> x)
        {
            var bits = x.AsUInt64();
            var mant = bits & Vector256.Create(0x000FFFFFFFFFFFFFUL);
            var i = (mant + Vector256.Create(0x95F619980C433UL)) >> 52;
            var xn = (mant | (Vector256.Create(0x3FF0000000000000UL) - (i << 52))).AsDouble();
            // k = exponent - 1023 + i, converted exactly (|k| < 2^51)
            var dk = ((bits >> 52) + i + Vector256.Create(MagicSigned - 0x3FF)).AsDouble() - Vector256.Create(MagicSignedValue);
            var f = xn - Vector256<double>.One;
            var s = f / (Vector256.Create(2.0) + f);
            var z = s * s;
            var w = z * z;
            var t1 = w * (Vector256.Create(CounterNoise.Lg2) + w * (Vector256.Create(CounterNoise.Lg4) + w * Vector256.Create(CounterNoise.Lg6)));
            var t2 = z * (Vector256.Create(CounterNoise.Lg1) + w * (Vector256.Create(CounterNoise.Lg3) + w * (Vector256.Create(CounterNoise.Lg5) + w * Vector256.Create(CounterNoise.Lg7))));
            var r = t2 + t1;
            var hfsq = Vector256.Create(0.5) * f * f;
            return ((hfsq - (s * (hfsq + r) + dk * Vector256.Create(CounterNoise.Ln2Lo))) - f) - dk * Vector256.Create(CounterNoise.Ln2Hi);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<double> MinusLog(Vector512<double> x)
        {
            var bits = x.AsUInt64();
            var mant = bits & Vector512.Create(0x000FFFFFFFFFFFFFUL);
            var i = (mant + Vector512.Create(0x95F619980C433UL)) >> 52;
            var xn = (mant | (Vector512.Create(0x3FF0000000000000UL) - (i << 52))).AsDouble();
            var dk = ((bits >> 52) + i + Vector512.Create(MagicSigned - 0x3FF)).AsDouble() - Vector512.Create(MagicSignedValue);
            var f = xn - Vector512<double>.One;
            var s = f / (Vector512.Create(2.0) + f);
            var z = s * s;
            var w = z * z;
            var t1 = w * (Vector512.Create(CounterNoise.Lg2) + w * (Vector512.Create(CounterNoise.Lg4) + w * Vector512.Create(CounterNoise.Lg6)));
            var t2 = z * (Vector512.Create(CounterNoise.Lg1) + w * (Vector512.Create(CounterNoise.Lg3) + w * (Vector512.Create(CounterNoise.Lg5) + w * Vector512.Create(CounterNoise.Lg7))));
            var r = t2 + t1;
            var hfsq = Vector512.Create(0.5) * f * f;
            return ((hfsq - (s * (hfsq + r) + dk * Vector512.Create(CounterNoise.Ln2Lo))) - f) - dk * Vector512.Create(CounterNoise.Ln2Hi);
        }

        /// <summary><see cref="CounterNoise.Reduce"/> lane by lane (q not reduced mod 4: only its low two bits are read).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Reduce<T>(Vector256<ulong> v, out Vector256<ulong> q, out Vector256<double> hi, out Vector256<double> lo) where T : struct, IIsa
        {
            var t = v + Vector256.Create(1UL << 50);
            q = t >> 51;
            var r = (t & Vector256.Create((1UL << 51) - 1)) - Vector256.Create(1UL << 50); // two's complement, |r| <= 2^50
            var rh = r & Vector256.Create(~((1UL << 25) - 1));
            Vector256<double> dr, dh;
            if (T.X86 && Avx512DQ.VL.IsSupported)
            {
                dr = Avx512DQ.VL.ConvertToVector256Double(r.AsInt64());
                dh = Avx512DQ.VL.ConvertToVector256Double(rh.AsInt64());
            }
            else
            {
                var magic = Vector256.Create(MagicSigned);
                var magicValue = Vector256.Create(MagicSignedValue);
                dr = (r + magic).AsDouble() - magicValue;
                dh = (rh + magic).AsDouble() - magicValue;
            }
            var dl = dr - dh; // exact: rl = r - rh
            var p1 = Vector256.Create(CounterNoise.P1s);
            var a = dh * p1;
            var b = dl * p1;
            var c = (dh + dl) * Vector256.Create(CounterNoise.P2s);
            var s = a + b;
            var l = (b - (s - a)) + c;
            hi = s + l;
            lo = l - (hi - s);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Reduce<T>(Vector512<ulong> v, out Vector512<ulong> q, out Vector512<double> hi, out Vector512<double> lo) where T : struct, IIsa
        {
            var t = v + Vector512.Create(1UL << 50);
            q = t >> 51;
            var r = (t & Vector512.Create((1UL << 51) - 1)) - Vector512.Create(1UL << 50);
            var rh = r & Vector512.Create(~((1UL << 25) - 1));
            Vector512<double> dr, dh;
            if (T.X86 && Avx512DQ.IsSupported)
            {
                dr = Avx512DQ.ConvertToVector512Double(r.AsInt64());
                dh = Avx512DQ.ConvertToVector512Double(rh.AsInt64());
            }
            else
            {
                var magic = Vector512.Create(MagicSigned);
                var magicValue = Vector512.Create(MagicSignedValue);
                dr = (r + magic).AsDouble() - magicValue;
                dh = (rh + magic).AsDouble() - magicValue;
            }
            var dl = dr - dh;
            var p1 = Vector512.Create(CounterNoise.P1s);
            var a = dh * p1;
            var b = dl * p1;
            var c = (dh + dl) * Vector512.Create(CounterNoise.P2s);
            var s = a + b;
            var l = (b - (s - a)) + c;
            hi = s + l;
            lo = l - (hi - s);
        }

        /// <summary><see cref="CounterNoise.SinKernel"/> lane by lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> SinKernel(Vector256<double> x, Vector256<double> y)
        {
            var z = x * x;
            var v = z * x;
            var r = Vector256.Create(CounterNoise.S2) + z * (Vector256.Create(CounterNoise.S3) + z * (Vector256.Create(CounterNoise.S4) + z * (Vector256.Create(CounterNoise.S5) + z * Vector256.Create(CounterNoise.S6))));
            return x - ((z * (Vector256.Create(0.5) * y - v * r) - y) - v * Vector256.Create(CounterNoise.S1));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<double> SinKernel(Vector512<double> x, Vector512<double> y)
        {
            var z = x * x;
            var v = z * x;
            var r = Vector512.Create(CounterNoise.S2) + z * (Vector512.Create(CounterNoise.S3) + z * (Vector512.Create(CounterNoise.S4) + z * (Vector512.Create(CounterNoise.S5) + z * Vector512.Create(CounterNoise.S6))));
            return x - ((z * (Vector512.Create(0.5) * y - v * r) - y) - v * Vector512.Create(CounterNoise.S1));
        }

        /// <summary><see cref="CounterNoise.CosKernel"/> lane by lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> CosKernel(Vector256<double> x, Vector256<double> y)
        {
            var z = x * x;
            var w = z * z;
            var r = z * (Vector256.Create(CounterNoise.C1) + z * (Vector256.Create(CounterNoise.C2) + z * Vector256.Create(CounterNoise.C3)))
                + w * w * (Vector256.Create(CounterNoise.C4) + z * (Vector256.Create(CounterNoise.C5) + z * Vector256.Create(CounterNoise.C6)));
            var hz = Vector256.Create(0.5) * z;
            var one = Vector256<double>.One;
            w = one - hz;
            return w + (((one - w) - hz) + (z * r - x * y));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<double> CosKernel(Vector512<double> x, Vector512<double> y)
        {
            var z = x * x;
            var w = z * z;
            var r = z * (Vector512.Create(CounterNoise.C1) + z * (Vector512.Create(CounterNoise.C2) + z * Vector512.Create(CounterNoise.C3)))
                + w * w * (Vector512.Create(CounterNoise.C4) + z * (Vector512.Create(CounterNoise.C5) + z * Vector512.Create(CounterNoise.C6)));
            var hz = Vector512.Create(0.5) * z;
            var one = Vector512<double>.One;
            w = one - hz;
            return w + (((one - w) - hz) + (z * r - x * y));
        }

        // ------------------------------------------------------------ arguments

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Check(int site, long index, int count)
        {
            if ((uint)(site - 1) >= CounterNoise.MaxSite) ThrowSite(site);
            if ((ulong)index > (ulong)(CounterNoise.MaxIndex - count)) ThrowIndex(index, count);
        }

        private static void ThrowSite(int site) =>
            throw new ArgumentOutOfRangeException(nameof(site), site, "a noise call site is numbered 1 to " + CounterNoise.MaxSite);

        private static void ThrowIndex(long index, int count) =>
            throw new ArgumentOutOfRangeException(nameof(index), index, $"elements index..index + {count - 1} must lie in [0, 2^48)");

        /// <summary>Whether the code may use x86 intrinsics (each still guarded by its IsSupported); a JIT-time constant per instantiation.</summary>
        internal interface IIsa { static abstract bool X86 { get; } }

        internal struct X86Isa : IIsa { public static bool X86 => true; }

        internal struct PortableIsa : IIsa { public static bool X86 => false; }
    }
}
