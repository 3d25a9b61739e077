using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AE.Runtime.Simd
{
    /// <summary>
    /// <see cref="CounterNoise.Gaussian"/> four, eight or any number of elements at a time, bit for bit: the same
    /// Philox4x32-10 on 32-bit words held in 64-bit lanes, and the same operations of the Box–Muller transform in the
    /// same order, lane by lane (the transform uses only +, -, *, /, sqrt, exact conversions and bit operations, so a
    /// lane rounds as the scalar code does).
    /// <para>
    /// Layouts. <see cref="Gaussian4"/> (and <see cref="Gaussian8"/> where Vector512 is hardware accelerated) from an
    /// even index keeps the two counter words that Philox multiplies (c0, c2) of a block in neighbouring lanes, so one
    /// 32x32-&gt;64 multiply serves both products of a round: two blocks fill a Vector256, four a Vector512; each lane
    /// then computes its own element (the logarithm and both trigonometric kernels, then picks one). Without
    /// Vector512, <see cref="Gaussian8"/> puts one block in each 64-bit lane (four blocks) and computes radius, cosine
    /// and sine once a block, then interleaves them. <see cref="Fill(ulong, ulong, int, long, Span{double})"/> does
    /// the same with two vectors of blocks at once (32 elements with Vector512, 16 with Vector256). Odd indices give
    /// each lane the block of its element.
    /// </para>
    /// <para>
    /// Speed. A draw is a long chain of dependent operations (ten Philox rounds, then a division, a polynomial and a
    /// square root), so a call costs about the chain's latency and the elements per call decide the cost per element.
    /// Measured on one core of an AMD EPYC (Zen 5, AVX-512; tests/AE.Benchmarks NoiseBenchmarks, a shared machine):
    /// the scalar draw about 27 ns, <see cref="Gaussian4"/> about 9 ns an element, <see cref="Gaussian8"/> about 4.5 ns,
    /// <see cref="Fill(ulong, ulong, int, long, Span{double})"/> 1.7 to 2.2 ns (about 3.5 ns with AVX2 only). A loop
    /// that needs many draws is fastest filling a buffer a chunk at a time.
    /// </para>
    /// <para>
    /// x86 intrinsics (AVX2's and AVX-512's 32x32-&gt;64 multiply, AVX-512DQ's exact 64-bit conversions, in-lane
    /// permutes and unpacks) are used where the processor has them; every one has a fallback in generic vector
    /// operations, so the code is correct on any processor. Where <see cref="Vector256"/> is not hardware accelerated
    /// the scalar definition is called instead (emulated vectors would be slower).
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

        /// <summary>
        /// Elements <paramref name="index"/> to index + destination.Length - 1 into <paramref name="destination"/>:
        /// destination[k] = <see cref="CounterNoise.Gaussian"/>(seed, step, site, index + k), bit for bit. The fastest
        /// form per element: one Philox block a lane, radius, cosine and sine once a block, and two independent vectors
        /// of blocks in flight (a draw is a long chain of dependent operations; two chains keep the core busy): 32
        /// elements at a time where Vector512 is hardware accelerated, 16 where only Vector256 is.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">site outside 1..65535, index negative or index + length above 2^48</exception>
        public static void Fill(ulong seed, ulong step, int site, long index, Span<double> destination)
        {
            CheckRange(site, index, destination.Length);
            int n = destination.Length, k = 0;
            ref double d = ref MemoryMarshal.GetReference(destination);
            if ((index & 1) != 0 && n > 0) d = CounterNoise.Gaussian(seed, step, site, index + k++);
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= n - 32; k += 32)
                {
                    Gaussian32<X86Isa>(seed, step, site, index + k, out var e0, out var e1, out var e2, out var e3);
                    e0.StoreUnsafe(ref d, (nuint)k);
                    e1.StoreUnsafe(ref d, (nuint)k + 8);
                    e2.StoreUnsafe(ref d, (nuint)k + 16);
                    e3.StoreUnsafe(ref d, (nuint)k + 24);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= n - 16; k += 16)
                {
                    Gaussian16Narrow<X86Isa>(seed, step, site, index + k, out var e0, out var e1, out var e2, out var e3);
                    e0.StoreUnsafe(ref d, (nuint)k);
                    e1.StoreUnsafe(ref d, (nuint)k + 4);
                    e2.StoreUnsafe(ref d, (nuint)k + 8);
                    e3.StoreUnsafe(ref d, (nuint)k + 12);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= n - 8; k += 8)
                {
                    Gaussian8Narrow<X86Isa>(seed, step, site, index + k, out var lo, out var hi);
                    lo.StoreUnsafe(ref d, (nuint)k);
                    hi.StoreUnsafe(ref d, (nuint)k + 4);
                }
            }
            for (; k < n; k++) Unsafe.Add(ref d, k) = CounterNoise.Gaussian(seed, step, site, index + k);
        }

        /// <summary>
        /// As <see cref="Fill(ulong, ulong, int, long, Span{double})"/>, each draw rounded to float (to nearest, as (float)x).
        /// </summary>
        public static void Fill(ulong seed, ulong step, int site, long index, Span<float> destination)
        {
            CheckRange(site, index, destination.Length);
            int n = destination.Length, k = 0;
            ref float d = ref MemoryMarshal.GetReference(destination);
            if ((index & 1) != 0 && n > 0) d = (float)CounterNoise.Gaussian(seed, step, site, index + k++);
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= n - 32; k += 32)
                {
                    Gaussian32<X86Isa>(seed, step, site, index + k, out var e0, out var e1, out var e2, out var e3);
                    Vector512.Narrow(e0, e1).StoreUnsafe(ref d, (nuint)k);
                    Vector512.Narrow(e2, e3).StoreUnsafe(ref d, (nuint)k + 16);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= n - 16; k += 16)
                {
                    Gaussian16Narrow<X86Isa>(seed, step, site, index + k, out var e0, out var e1, out var e2, out var e3);
                    Vector256.Narrow(e0, e1).StoreUnsafe(ref d, (nuint)k);
                    Vector256.Narrow(e2, e3).StoreUnsafe(ref d, (nuint)k + 8);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= n - 8; k += 8)
                {
                    Gaussian8Narrow<X86Isa>(seed, step, site, index + k, out var lo, out var hi);
                    Vector256.Narrow(lo, hi).StoreUnsafe(ref d, (nuint)k);
                }
            }
            for (; k < n; k++) Unsafe.Add(ref d, k) = (float)CounterNoise.Gaussian(seed, step, site, index + k);
        }

        /// <summary>
        /// The blocks-per-lane forms Fill uses, on a given path (tests): 32 elements from an even index as four vectors of eight
        /// (Vector512 paths, two chains), or 16 as four vectors of four (Vector256 paths, two chains).
        /// </summary>
        internal static double[] Blocks(ulong seed, ulong step, int site, long index, Path path)
        {
            int count = path is Path.Vector512Intrinsics or Path.Vector512Portable ? 32 : 16;
            Check(site, index, count);
            if ((index & 1) != 0) throw new ArgumentOutOfRangeException(nameof(index), index, "the block forms take an even index");
            var result = new double[count];
            switch (path)
            {
                case Path.Vector512Intrinsics: { Gaussian32<X86Isa>(seed, step, site, index, out var e0, out var e1, out var e2, out var e3); Store(result, e0, e1, e2, e3); break; }
                case Path.Vector512Portable: { Gaussian32<PortableIsa>(seed, step, site, index, out var e0, out var e1, out var e2, out var e3); Store(result, e0, e1, e2, e3); break; }
                case Path.Vector256Intrinsics: { Gaussian16Narrow<X86Isa>(seed, step, site, index, out var e0, out var e1, out var e2, out var e3); Store(result, e0, e1, e2, e3); break; }
                case Path.Vector256Portable: { Gaussian16Narrow<PortableIsa>(seed, step, site, index, out var e0, out var e1, out var e2, out var e3); Store(result, e0, e1, e2, e3); break; }
                default: throw new ArgumentOutOfRangeException(nameof(path), path, "no block form on this path");
            }
            return result;
        }

        private static void Store(double[] result, Vector512<double> e0, Vector512<double> e1, Vector512<double> e2, Vector512<double> e3)
        {
            e0.CopyTo(result, 0); e1.CopyTo(result, 8); e2.CopyTo(result, 16); e3.CopyTo(result, 24);
        }

        private static void Store(double[] result, Vector256<double> e0, Vector256<double> e1, Vector256<double> e2, Vector256<double> e3)
        {
            e0.CopyTo(result, 0); e1.CopyTo(result, 4); e2.CopyTo(result, 8); e3.CopyTo(result, 12);
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
            Blocks<T>(a, c, out var rc, out var rs);
            Interleave<T>(rc, rs, out lo, out hi);
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

        /// <summary>
        /// 32 elements from an even index: two vectors of eight blocks (one a Vector512 lane) taken through Philox and the
        /// transform side by side. e0..e3 hold elements index..index + 7, ..., index + 24..index + 31.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Gaussian32<T>(ulong seed, ulong step, int site, long index, out Vector512<double> e0, out Vector512<double> e1, out Vector512<double> e2, out Vector512<double> e3) where T : struct, IIsa
        {
            // in each vector, lanes 0, 2, 4, 6 take blocks b..b + 3 and lanes 1, 3, 5, 7 blocks b + 4..b + 7: the in-lane unpacks give element order
            ulong b = (ulong)index >> 1;
            var blocks = Vector512.Create(b, b + 4, b + 1, b + 5, b + 2, b + 6, b + 3, b + 7);
            PhiloxLanes<T>(blocks, blocks + Vector512.Create(8UL), (ulong)(uint)site << 16, step, seed, out var a, out var c, out var a2, out var c2);
            Blocks<T>(a, c, a2, c2, out var rc, out var rs, out var rc2, out var rs2);
            Interleave<T>(rc, rs, out e0, out e1);
            Interleave<T>(rc2, rs2, out e2, out e3);
        }

        /// <summary>16 elements from an even index: two vectors of four blocks (one a Vector256 lane) side by side.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Gaussian16Narrow<T>(ulong seed, ulong step, int site, long index, out Vector256<double> e0, out Vector256<double> e1, out Vector256<double> e2, out Vector256<double> e3) where T : struct, IIsa
        {
            ulong b = (ulong)index >> 1;
            var blocks = Vector256.Create(b, b + 2, b + 1, b + 3);
            PhiloxLanes<T>(blocks, blocks + Vector256.Create(4UL), (ulong)(uint)site << 16, step, seed, out var a, out var c, out var a2, out var c2);
            Blocks<T>(a, c, a2, c2, out var rc, out var rs, out var rc2, out var rs2);
            Interleave<T>(rc, rs, out e0, out e1);
            Interleave<T>(rc2, rs2, out e2, out e3);
        }

        /// <summary>(rc0, rs0, rc2, rs2) and (rc1, rs1, rc3, rs3): the unpacks within 128-bit halves.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Interleave<T>(Vector256<double> rc, Vector256<double> rs, out Vector256<double> lo, out Vector256<double> hi) where T : struct, IIsa
        {
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
        private static void Interleave<T>(Vector512<double> rc, Vector512<double> rs, out Vector512<double> lo, out Vector512<double> hi) where T : struct, IIsa
        {
            if (T.X86 && Avx512F.IsSupported)
            {
                lo = Avx512F.UnpackLow(rc, rs);
                hi = Avx512F.UnpackHigh(rc, rs);
            }
            else
            {
                lo = Vector512.Create(rc.GetElement(0), rs.GetElement(0), rc.GetElement(2), rs.GetElement(2), rc.GetElement(4), rs.GetElement(4), rc.GetElement(6), rs.GetElement(6));
                hi = Vector512.Create(rc.GetElement(1), rs.GetElement(1), rc.GetElement(3), rs.GetElement(3), rc.GetElement(5), rs.GetElement(5), rc.GetElement(7), rs.GetElement(7));
            }
        }

        /// <summary>Two vectors of blocks through the transform stage by stage, so that the two chains overlap.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Blocks<T>(Vector256<ulong> a, Vector256<ulong> c, Vector256<ulong> a2, Vector256<ulong> c2,
            out Vector256<double> rc, out Vector256<double> rs, out Vector256<double> rc2, out Vector256<double> rs2) where T : struct, IIsa
        {
            var radius = Radius<T>(a);
            var radius2 = Radius<T>(a2);
            Reduce<T>(c >> 11, out var q, out var hi, out var lo);
            Reduce<T>(c2 >> 11, out var q2, out var hi2, out var lo2);
            var sinK = SinKernel(hi, lo);
            var sinK2 = SinKernel(hi2, lo2);
            var cosK = CosKernel(hi, lo);
            var cosK2 = CosKernel(hi2, lo2);
            Quadrants(radius, q, sinK.AsUInt64(), cosK.AsUInt64(), out rc, out rs);
            Quadrants(radius2, q2, sinK2.AsUInt64(), cosK2.AsUInt64(), out rc2, out rs2);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Blocks<T>(Vector512<ulong> a, Vector512<ulong> c, Vector512<ulong> a2, Vector512<ulong> c2,
            out Vector512<double> rc, out Vector512<double> rs, out Vector512<double> rc2, out Vector512<double> rs2) where T : struct, IIsa
        {
            var radius = Radius<T>(a);
            var radius2 = Radius<T>(a2);
            Reduce<T>(c >> 11, out var q, out var hi, out var lo);
            Reduce<T>(c2 >> 11, out var q2, out var hi2, out var lo2);
            var sinK = SinKernel(hi, lo);
            var sinK2 = SinKernel(hi2, lo2);
            var cosK = CosKernel(hi, lo);
            var cosK2 = CosKernel(hi2, lo2);
            Quadrants(radius, q, sinK.AsUInt64(), cosK.AsUInt64(), out rc, out rs);
            Quadrants(radius2, q2, sinK2.AsUInt64(), cosK2.AsUInt64(), out rc2, out rs2);
        }

        /// <summary>
        /// Both elements of each lane's block: rc = radius cos(angle) (the even element), rs = radius sin(angle) (the odd one),
        /// cos(angle) = [cos, -sin, -cos, sin][q] and sin(angle) = [sin, cos, -sin, -cos][q] of theta, as in <see cref="CounterNoise.BoxMuller"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Blocks<T>(Vector256<ulong> a, Vector256<ulong> c, out Vector256<double> rc, out Vector256<double> rs) where T : struct, IIsa
        {
            var radius = Radius<T>(a);
            Reduce<T>(c >> 11, out var q, out var thetaHi, out var thetaLo);
            var sinK = SinKernel(thetaHi, thetaLo).AsUInt64();
            var cosK = CosKernel(thetaHi, thetaLo).AsUInt64();
            Quadrants(radius, q, sinK, cosK, out rc, out rs);
        }

        /// <summary>rc = radius cos(angle), rs = radius sin(angle) from the kernels' sin and cos of theta and the quarter turns q.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Quadrants(Vector256<double> radius, Vector256<ulong> q, Vector256<ulong> sinK, Vector256<ulong> cosK, out Vector256<double> rc, out Vector256<double> rs)
        {
            var odd = Vector256<ulong>.Zero - (q & Vector256<ulong>.One);
            rc = radius * (Vector256.ConditionalSelect(odd, sinK, cosK) ^ (((q + Vector256<ulong>.One) & Two) << 62)).AsDouble();
            rs = radius * (Vector256.ConditionalSelect(odd, cosK, sinK) ^ ((q & Two) << 62)).AsDouble();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Blocks<T>(Vector512<ulong> a, Vector512<ulong> c, out Vector512<double> rc, out Vector512<double> rs) where T : struct, IIsa
        {
            var radius = Radius<T>(a);
            Reduce<T>(c >> 11, out var q, out var thetaHi, out var thetaLo);
            var sinK = SinKernel(thetaHi, thetaLo).AsUInt64();
            var cosK = CosKernel(thetaHi, thetaLo).AsUInt64();
            Quadrants(radius, q, sinK, cosK, out rc, out rs);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Quadrants(Vector512<double> radius, Vector512<ulong> q, Vector512<ulong> sinK, Vector512<ulong> cosK, out Vector512<double> rc, out Vector512<double> rs)
        {
            var odd = Vector512<ulong>.Zero - (q & Vector512<ulong>.One);
            var two = Vector512.Create(2UL);
            rc = radius * (Vector512.ConditionalSelect(odd, sinK, cosK) ^ (((q + Vector512<ulong>.One) & two) << 62)).AsDouble();
            rs = radius * (Vector512.ConditionalSelect(odd, cosK, sinK) ^ ((q & two) << 62)).AsDouble();
        }

        // ------------------------------------------------------------ Philox4x32-10

        private const ulong Mask32 = 0xFFFFFFFFUL;
        private static Vector256<ulong> Two => Vector256.Create(2UL);

        /// <summary>
        /// Blocks as pairs of lanes: x holds (c0, c2) of each block, y (c1, c3), 32-bit words in 64-bit lanes. Returns
        /// (a, c) of each block in its two lanes: a = r1:r0, c = r3:r2.
        /// <para>
        /// One multiply gives both products of a round, p = (M0 c0, M1 c2). The new words want them crossed,
        /// c0' = hi(M1 c2) ^ c1 ^ k0 and c2' = hi(M0 c0) ^ c3 ^ k1, so rather than swapping p (on the chain from one
        /// multiply to the next) the rounds alternate between two layouts and swap y, which is ready a round early:
        /// layout A, x = (c0, c2), y = (c1, c3), multipliers (M0, M1): x' = hi(p) ^ swap(y) ^ (k1, k0) = (c2', c0'),
        /// y' = p = (c3', c1'), which is layout B; layout B with multipliers (M1, M0) and key (k0, k1) gives layout A back.
        /// Only the low 32 bits of a lane are ever read (by the multiply, or at the end), so the high halves of y and of
        /// the keys (advanced without wrapping at 32 bits) may hold anything.
        /// </para>
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> PhiloxPairs<T>(Vector256<ulong> x, Vector256<ulong> y, ulong seed) where T : struct, IIsa
        {
            ulong k0 = seed & Mask32, k1 = seed >> 32;
            var ma = Vector256.Create((ulong)CounterNoise.M0, CounterNoise.M1, CounterNoise.M0, CounterNoise.M1);
            var mb = Vector256.Create((ulong)CounterNoise.M1, CounterNoise.M0, CounterNoise.M1, CounterNoise.M0);
            var ka = Vector256.Create(k1, k0, k1, k0);
            var kb = Vector256.Create(k0 + CounterNoise.W0, k1 + CounterNoise.W1, k0 + CounterNoise.W0, k1 + CounterNoise.W1);
            var wa = Vector256.Create(2UL * CounterNoise.W1, 2UL * CounterNoise.W0, 2UL * CounterNoise.W1, 2UL * CounterNoise.W0);
            var wb = Vector256.Create(2UL * CounterNoise.W0, 2UL * CounterNoise.W1, 2UL * CounterNoise.W0, 2UL * CounterNoise.W1);
            for (int pair = 0; pair < 5; pair++)
            {
                var p = Mul32<T>(x, ma);
                x = (p >> 32) ^ SwapPairs<T>(y) ^ ka;
                y = p;
                p = Mul32<T>(x, mb);
                x = (p >> 32) ^ SwapPairs<T>(y) ^ kb;
                y = p;
                ka += wa;
                kb += wb;
            }
            return (y << 32) | (x & Vector256.Create(Mask32));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ulong> PhiloxPairs<T>(Vector512<ulong> x, Vector512<ulong> y, ulong seed) where T : struct, IIsa
        {
            ulong k0 = seed & Mask32, k1 = seed >> 32, k0b = k0 + CounterNoise.W0, k1b = k1 + CounterNoise.W1;
            const ulong M0 = CounterNoise.M0, M1 = CounterNoise.M1, W0 = 2UL * CounterNoise.W0, W1 = 2UL * CounterNoise.W1;
            var ma = Vector512.Create(M0, M1, M0, M1, M0, M1, M0, M1);
            var mb = Vector512.Create(M1, M0, M1, M0, M1, M0, M1, M0);
            var ka = Vector512.Create(k1, k0, k1, k0, k1, k0, k1, k0);
            var kb = Vector512.Create(k0b, k1b, k0b, k1b, k0b, k1b, k0b, k1b);
            var wa = Vector512.Create(W1, W0, W1, W0, W1, W0, W1, W0);
            var wb = Vector512.Create(W0, W1, W0, W1, W0, W1, W0, W1);
            for (int pair = 0; pair < 5; pair++)
            {
                var p = Mul32<T>(x, ma);
                x = (p >> 32) ^ SwapPairs<T>(y) ^ ka;
                y = p;
                p = Mul32<T>(x, mb);
                x = (p >> 32) ^ SwapPairs<T>(y) ^ kb;
                y = p;
                ka += wa;
                kb += wb;
            }
            return (y << 32) | (x & Vector512.Create(Mask32));
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

        /// <summary>Two vectors of blocks (one a lane) through Philox side by side, sharing the key schedule.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PhiloxLanes<T>(Vector256<ulong> blocks, Vector256<ulong> blocks2, ulong siteBits, ulong step, ulong seed,
            out Vector256<ulong> a, out Vector256<ulong> c, out Vector256<ulong> a2, out Vector256<ulong> c2) where T : struct, IIsa
        {
            var mask = Vector256.Create(Mask32);
            var site = Vector256.Create(siteBits);
            Vector256<ulong> x0 = blocks & mask, x1 = (blocks >> 32) | site, x2 = Vector256.Create(step & Mask32), x3 = Vector256.Create(step >> 32);
            Vector256<ulong> y0 = blocks2 & mask, y1 = (blocks2 >> 32) | site, y2 = x2, y3 = x3;
            var k0 = Vector256.Create(seed & Mask32);
            var k1 = Vector256.Create(seed >> 32);
            var m0 = Vector256.Create((ulong)CounterNoise.M0);
            var m1 = Vector256.Create((ulong)CounterNoise.M1);
            for (int round = 0; round < 10; round++)
            {
                if (round > 0) { k0 += Vector256.Create((ulong)CounterNoise.W0); k1 += Vector256.Create((ulong)CounterNoise.W1); }
                var p0 = Mul32<T>(x0, m0);
                var q0 = Mul32<T>(y0, m0);
                var p1 = Mul32<T>(x2, m1);
                var q1 = Mul32<T>(y2, m1);
                x0 = (p1 >> 32) ^ x1 ^ k0;
                y0 = (q1 >> 32) ^ y1 ^ k0;
                x2 = (p0 >> 32) ^ x3 ^ k1;
                y2 = (q0 >> 32) ^ y3 ^ k1;
                x1 = p1; y1 = q1;
                x3 = p0; y3 = q0;
            }
            a = (x1 << 32) | (x0 & mask);
            c = (x3 << 32) | (x2 & mask);
            a2 = (y1 << 32) | (y0 & mask);
            c2 = (y3 << 32) | (y2 & mask);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PhiloxLanes<T>(Vector512<ulong> blocks, Vector512<ulong> blocks2, ulong siteBits, ulong step, ulong seed,
            out Vector512<ulong> a, out Vector512<ulong> c, out Vector512<ulong> a2, out Vector512<ulong> c2) where T : struct, IIsa
        {
            var mask = Vector512.Create(Mask32);
            var site = Vector512.Create(siteBits);
            Vector512<ulong> x0 = blocks & mask, x1 = (blocks >> 32) | site, x2 = Vector512.Create(step & Mask32), x3 = Vector512.Create(step >> 32);
            Vector512<ulong> y0 = blocks2 & mask, y1 = (blocks2 >> 32) | site, y2 = x2, y3 = x3;
            var k0 = Vector512.Create(seed & Mask32);
            var k1 = Vector512.Create(seed >> 32);
            var m0 = Vector512.Create((ulong)CounterNoise.M0);
            var m1 = Vector512.Create((ulong)CounterNoise.M1);
            for (int round = 0; round < 10; round++)
            {
                if (round > 0) { k0 += Vector512.Create((ulong)CounterNoise.W0); k1 += Vector512.Create((ulong)CounterNoise.W1); }
                var p0 = Mul32<T>(x0, m0);
                var q0 = Mul32<T>(y0, m0);
                var p1 = Mul32<T>(x2, m1);
                var q1 = Mul32<T>(y2, m1);
                x0 = (p1 >> 32) ^ x1 ^ k0;
                y0 = (q1 >> 32) ^ y1 ^ k0;
                x2 = (p0 >> 32) ^ x3 ^ k1;
                y2 = (q0 >> 32) ^ y3 ^ k1;
                x1 = p1; y1 = q1;
                x3 = p0; y3 = q0;
            }
            a = (x1 << 32) | (x0 & mask);
            c = (x3 << 32) | (x2 & mask);
            a2 = (y1 << 32) | (y0 & mask);
            c2 = (y3 << 32) | (y2 & mask);
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
            // u1 = d 2^-53 exactly: the same significand, the exponent 53 less, so -ln u1 is MinusLog's of d with k - 53
            return Vector256.Sqrt(Vector256.Create(2.0) * MinusLogScaled(d));
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
            return Vector512.Sqrt(Vector512.Create(2.0) * MinusLogScaled(d));
        }

        /// <summary>
        /// <see cref="CounterNoise.MinusLog"/> of x 2^-53, lane by lane (x in [1, 2^53]): the decomposition of x 2^-53 has
        /// x's significand and x's exponent less 53, so every operation after it is the scalar code's on the same values.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> MinusLogScaled(Vector256<double> x)
        {
            var bits = x.AsUInt64();
            var mant = bits & Vector256.Create(0x000FFFFFFFFFFFFFUL);
            var i = (mant + Vector256.Create(0x95F619980C433UL)) >> 52;
            var xn = (mant | (Vector256.Create(0x3FF0000000000000UL) - (i << 52))).AsDouble();
            // k = exponent - 1023 - 53 + i, converted exactly (|k| < 2^51)
            var dk = ((bits >> 52) + i + Vector256.Create(MagicSigned - 0x3FF - 53)).AsDouble() - Vector256.Create(MagicSignedValue);
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
        private static Vector512<double> MinusLogScaled(Vector512<double> x)
        {
            var bits = x.AsUInt64();
            var mant = bits & Vector512.Create(0x000FFFFFFFFFFFFFUL);
            var i = (mant + Vector512.Create(0x95F619980C433UL)) >> 52;
            var xn = (mant | (Vector512.Create(0x3FF0000000000000UL) - (i << 52))).AsDouble();
            var dk = ((bits >> 52) + i + Vector512.Create(MagicSigned - 0x3FF - 53)).AsDouble() - Vector512.Create(MagicSignedValue);
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

        private static void CheckRange(int site, long index, int length)
        {
            if ((uint)(site - 1) >= CounterNoise.MaxSite) ThrowSite(site);
            if (index < 0 || index > CounterNoise.MaxIndex - length) ThrowIndex(index, length);
        }

        private static void ThrowSite(int site) =>
            throw new ArgumentOutOfRangeException(nameof(site), site, "a noise call site is numbered 1 to " + CounterNoise.MaxSite);

        private static void ThrowIndex(long index, int count) =>
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the {count} elements from index must lie in [0, 2^48)");

        /// <summary>Whether the code may use x86 intrinsics (each still guarded by its IsSupported); a JIT-time constant per instantiation.</summary>
        internal interface IIsa { static abstract bool X86 { get; } }

        internal struct X86Isa : IIsa { public static bool X86 => true; }

        internal struct PortableIsa : IIsa { public static bool X86 => false; }
    }
}
