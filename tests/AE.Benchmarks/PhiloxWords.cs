using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AE.Runtime;

namespace AE.Benchmarks
{
    /// <summary>
    /// The integer half of noise()'s draws alone: the Philox4x32-10 words of consecutive blocks, as fast as this code knows how
    /// (AVX-512: one block a 64-bit lane, four vectors of eight blocks in flight, so the 32 x 32 -> 64 multiplies, not their
    /// latency, set the pace). No transform follows, so its time per element is a floor under any Gaussian draw of the
    /// language's definition on this core: what a faster Box-Muller could at best approach. Not used by any law.
    /// </summary>
    public static class PhiloxWords
    {
        private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
        private const ulong Mask32 = 0xFFFFFFFFUL;

        /// <summary>
        /// Blocks <paramref name="block0"/> onwards of call site <paramref name="site"/> at <paramref name="step"/>: for each group of
        /// eight blocks, eight words a = r1:r0 then eight words c = r3:r2 (block order within each), as
        /// <see cref="CounterNoise.Philox4x32_10"/> gives them. <paramref name="words"/> holds a multiple of 64 words (32 blocks) where
        /// AVX-512 is used; any even length otherwise.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Fill(ulong seed, ulong step, int site, ulong block0, Span<ulong> words)
        {
            ulong siteBits = (ulong)(uint)site << 16;
            if (!Avx512F.IsSupported || words.Length % 64 != 0)
            {
                for (int k = 0; k < words.Length / 2; k++)
                {
                    ulong b = block0 + (ulong)k;
                    CounterNoise.Philox4x32_10((uint)b, (uint)(b >> 32) | (uint)siteBits, (uint)step, (uint)(step >> 32), (uint)seed, (uint)(seed >> 32),
                        out uint r0, out uint r1, out uint r2, out uint r3);
                    int g = k / 8 * 16, l = k % 8;
                    words[g + l] = ((ulong)r1 << 32) | r0;
                    words[g + 8 + l] = ((ulong)r3 << 32) | r2;
                }
                return;
            }
            Span<ulong> keys = stackalloc ulong[20];
            uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
            for (int r = 0; r < 10; r++) { keys[2 * r] = k0; keys[2 * r + 1] = k1; k0 += W0; k1 += W1; }
            var m0 = Vector512.Create((ulong)M0).AsUInt32();
            var m1 = Vector512.Create((ulong)M1).AsUInt32();
            var mask = Vector512.Create(Mask32);
            var c2 = Vector512.Create(step & Mask32);
            var c3 = Vector512.Create(step >> 32);
            var lane = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
            ref ulong w = ref MemoryMarshal.GetReference(words);
            for (int at = 0; at < words.Length; at += 64)
            {
                ulong b = block0 + (ulong)(at / 2);
                var bv = Vector512.Create(b) + lane;
                var ba = bv; var bb = bv + Vector512.Create(8UL); var bc = bv + Vector512.Create(16UL); var bd = bv + Vector512.Create(24UL);
                Vector512<ulong> a0 = ba & mask, a1 = (ba >> 32) | Vector512.Create(siteBits), a2 = c2, a3 = c3;
                Vector512<ulong> e0 = bb & mask, e1 = (bb >> 32) | Vector512.Create(siteBits), e2 = c2, e3 = c3;
                Vector512<ulong> f0 = bc & mask, f1 = (bc >> 32) | Vector512.Create(siteBits), f2 = c2, f3 = c3;
                Vector512<ulong> h0 = bd & mask, h1 = (bd >> 32) | Vector512.Create(siteBits), h2 = c2, h3 = c3;
                for (int r = 0; r < 10; r++)
                {
                    // The upper halves of the lanes carry garbage between rounds: the multiply reads the lower halves only.
                    var key0 = Vector512.Create(keys[2 * r]); var key1 = Vector512.Create(keys[2 * r + 1]);
                    var p0 = Avx512F.Multiply(a0.AsUInt32(), m0); var p1 = Avx512F.Multiply(a2.AsUInt32(), m1);
                    var q0 = Avx512F.Multiply(e0.AsUInt32(), m0); var q1 = Avx512F.Multiply(e2.AsUInt32(), m1);
                    var s0 = Avx512F.Multiply(f0.AsUInt32(), m0); var s1 = Avx512F.Multiply(f2.AsUInt32(), m1);
                    var t0 = Avx512F.Multiply(h0.AsUInt32(), m0); var t1 = Avx512F.Multiply(h2.AsUInt32(), m1);
                    a0 = Avx512F.TernaryLogic(p1 >>> 32, a1, key0, 0x96); a2 = Avx512F.TernaryLogic(p0 >>> 32, a3, key1, 0x96); a1 = p1; a3 = p0;
                    e0 = Avx512F.TernaryLogic(q1 >>> 32, e1, key0, 0x96); e2 = Avx512F.TernaryLogic(q0 >>> 32, e3, key1, 0x96); e1 = q1; e3 = q0;
                    f0 = Avx512F.TernaryLogic(s1 >>> 32, f1, key0, 0x96); f2 = Avx512F.TernaryLogic(s0 >>> 32, f3, key1, 0x96); f1 = s1; f3 = s0;
                    h0 = Avx512F.TernaryLogic(t1 >>> 32, h1, key0, 0x96); h2 = Avx512F.TernaryLogic(t0 >>> 32, h3, key1, 0x96); h1 = t1; h3 = t0;
                }
                Store(ref w, at, a0, a1, a2, a3, mask);
                Store(ref w, at + 16, e0, e1, e2, e3, mask);
                Store(ref w, at + 32, f0, f1, f2, f3, mask);
                Store(ref w, at + 48, h0, h1, h2, h3, mask);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(ref ulong w, int at, Vector512<ulong> r0, Vector512<ulong> r1, Vector512<ulong> r2, Vector512<ulong> r3, Vector512<ulong> mask)
        {
            ((r1 << 32) | (r0 & mask)).StoreUnsafe(ref w, (nuint)at);
            ((r3 << 32) | (r2 & mask)).StoreUnsafe(ref w, (nuint)(at + 8));
        }
    }
}
