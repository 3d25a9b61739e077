using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// The matrix work of generated cells over a batch. Values are laid out element-major, batch-minor
    /// (element i of sample b at i * batch + b), so a layer is a matrix-matrix product W[out, in] X[in, batch]
    /// computed as rows of axpys over contiguous batch slices: each output element sums bias + W[o,0] x[0] +
    /// W[o,1] x[1] + ... in index order, as the language's reference does, so float64 forward values agree
    /// with the reference bit for bit: no fused multiply-add in float64. In float32 the products are fused where the CPU
    /// can, in every slice and in the samples past the last one alike (see MulAdd: one rounding less per term, the same
    /// error bound as the in-order sum; a sample's value does not depend on its place in the batch).
    /// <para>
    /// Each kernel body is written once over <see cref="ILanes{T, TV}"/> and runs with the widest vectors the CPU has:
    /// 512-bit where they are hardware accelerated, then Vector&lt;T&gt; (256-bit with AVX2), then one sample at a time, so a
    /// CPU without AVX-512 takes the same blocked algorithms at half the width, not a slower method.
    /// </para>
    /// <para>
    /// The kernels (as the cell's loops in CellBase and CellMath's span functions) are compiled optimized at their first
    /// call (AggressiveOptimization): under tiered compilation they would start unoptimized and wait for the background
    /// compiler, which, after Roslyn has compiled a cell in the same process, is busy for seconds with Roslyn's own
    /// methods; a bench or a short training run measured that slow start (AMELayer 20 times slower in some processes).
    /// </para>
    /// </summary>
    public static class CellKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The code paths of the kernels (tests run each one whatever the CPU; callers take the widest).</summary>
        internal enum Path
        {
            /// <summary>512-bit vectors where the CPU has them, then Vector&lt;T&gt;, then one sample at a time.</summary>
            Widest,

            /// <summary>Vector&lt;T&gt; (256 bits with AVX2), then one sample at a time.</summary>
            Vector,

            /// <summary>One sample at a time.</summary>
            Scalar,
        }

        /// <summary>y[o, :] = bias[o] + sum_i w[o, i] x[i, :] for a weight of shape [rows, cols] (PyTorch's nn.Linear).</summary>
        public static void Linear(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, ReadOnlySpan<T> x, Span<T> y, int rows, int cols, int batch) =>
            Linear(w, bias, x, y, rows, cols, batch, Path.Widest);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Linear(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, ReadOnlySpan<T> x, Span<T> y, int rows, int cols, int batch, Path path)
        {
            if (w.Length < rows * cols || bias.Length < rows || x.Length < cols * batch || y.Length < rows * batch) throw new ArgumentException("a span is shorter than the layer");
            ref T wr = ref MemoryMarshal.GetReference(w);
            ref T br = ref MemoryMarshal.GetReference(bias);
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T yr = ref MemoryMarshal.GetReference(y);
            int c = 0;
            if (path == Path.Widest && Vector512.IsHardwareAccelerated) c = LinearSlices<Lanes512<T>, Vector512<T>>(ref wr, ref br, ref xr, ref yr, rows, cols, batch, c);
            if (path != Path.Scalar && Vector.IsHardwareAccelerated) c = LinearSlices<LanesVector<T>, Vector<T>>(ref wr, ref br, ref xr, ref yr, rows, cols, batch, c);
            for (; c < batch; c++)
                for (int o = 0; o < rows; o++)
                {
                    T s = Unsafe.Add(ref br, o);
                    for (int i = 0; i < cols; i++) s = MulAdd(Unsafe.Add(ref wr, o * cols + i), Unsafe.Add(ref xr, i * batch + c), s);
                    Unsafe.Add(ref yr, o * batch + c) = s;
                }
        }

        /// <summary>
        /// The whole batch slices of one vector width from sample <paramref name="c"/> on; returns the first sample left.
        /// Two vectors of samples at a time where there are two (<see cref="LinearDoubleSlice"/>), then one: sixteen output rows at
        /// a time (then eight, four, two, one), each summed in its own register in index order (bias, then w[o,0] x[0],
        /// w[o,1] x[1], ...), the weights broadcast from memory. A sum is a chain of dependent multiply-adds: at two a cycle,
        /// eight chains just cover their latency, sixteen leave slack.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int LinearSlices<TL, TV>(ref T wr, ref T br, ref T xr, ref T yr, int rows, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            for (; c + 2 * TL.Count <= batch; c += 2 * TL.Count) LinearDoubleSlice<TL, TV>(ref wr, ref br, ref xr, ref yr, rows, cols, batch, c);
            for (; c + TL.Count <= batch; c += TL.Count)
            {
                int o = 0;
                // Sixteen rows where there are sixteen (the sums' chains then leave the multiply-add units no idle cycle).
                for (; o + 16 <= rows; o += 16) LinearRows16<TL, TV>(ref wr, ref br, ref xr, ref yr, o, cols, batch, c);
                for (; o + 8 <= rows; o += 8)
                {
                    ref T w0 = ref Unsafe.Add(ref wr, o * cols);
                    ref T b0 = ref Unsafe.Add(ref br, o);
                    TV a0 = TL.Splat(b0), a1 = TL.Splat(Unsafe.Add(ref b0, 1)), a2 = TL.Splat(Unsafe.Add(ref b0, 2)), a3 = TL.Splat(Unsafe.Add(ref b0, 3));
                    TV a4 = TL.Splat(Unsafe.Add(ref b0, 4)), a5 = TL.Splat(Unsafe.Add(ref b0, 5)), a6 = TL.Splat(Unsafe.Add(ref b0, 6)), a7 = TL.Splat(Unsafe.Add(ref b0, 7));
                    for (int i = 0; i < cols; i++)
                    {
                        var xi = TL.Load(ref xr, (nuint)(i * batch + c));
                        ref T wi = ref Unsafe.Add(ref w0, i);
                        a0 = TL.MulAdd(TL.Splat(wi), xi, a0);
                        a1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, cols)), xi, a1);
                        a2 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 2 * cols)), xi, a2);
                        a3 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 3 * cols)), xi, a3);
                        a4 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 4 * cols)), xi, a4);
                        a5 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 5 * cols)), xi, a5);
                        a6 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 6 * cols)), xi, a6);
                        a7 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 7 * cols)), xi, a7);
                    }
                    ref T y0 = ref Unsafe.Add(ref yr, o * batch + c);
                    TL.Store(a0, ref y0, 0);
                    TL.Store(a1, ref y0, (nuint)batch);
                    TL.Store(a2, ref y0, (nuint)(2 * batch));
                    TL.Store(a3, ref y0, (nuint)(3 * batch));
                    TL.Store(a4, ref y0, (nuint)(4 * batch));
                    TL.Store(a5, ref y0, (nuint)(5 * batch));
                    TL.Store(a6, ref y0, (nuint)(6 * batch));
                    TL.Store(a7, ref y0, (nuint)(7 * batch));
                }
                for (; o + 4 <= rows; o += 4)
                {
                    TV a0 = TL.Splat(Unsafe.Add(ref br, o)), a1 = TL.Splat(Unsafe.Add(ref br, o + 1)), a2 = TL.Splat(Unsafe.Add(ref br, o + 2)), a3 = TL.Splat(Unsafe.Add(ref br, o + 3));
                    for (int i = 0; i < cols; i++)
                    {
                        var xi = TL.Load(ref xr, (nuint)(i * batch + c));
                        ref T wi = ref Unsafe.Add(ref wr, o * cols + i);
                        a0 = TL.MulAdd(TL.Splat(wi), xi, a0);
                        a1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, cols)), xi, a1);
                        a2 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 2 * cols)), xi, a2);
                        a3 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 3 * cols)), xi, a3);
                    }
                    TL.Store(a0, ref yr, (nuint)(o * batch + c));
                    TL.Store(a1, ref yr, (nuint)((o + 1) * batch + c));
                    TL.Store(a2, ref yr, (nuint)((o + 2) * batch + c));
                    TL.Store(a3, ref yr, (nuint)((o + 3) * batch + c));
                }
                for (; o + 2 <= rows; o += 2)
                {
                    TV a0 = TL.Splat(Unsafe.Add(ref br, o)), a1 = TL.Splat(Unsafe.Add(ref br, o + 1));
                    for (int i = 0; i < cols; i++)
                    {
                        var xi = TL.Load(ref xr, (nuint)(i * batch + c));
                        a0 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wr, o * cols + i)), xi, a0);
                        a1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wr, (o + 1) * cols + i)), xi, a1);
                    }
                    TL.Store(a0, ref yr, (nuint)(o * batch + c));
                    TL.Store(a1, ref yr, (nuint)((o + 1) * batch + c));
                }
                for (; o < rows; o++)
                {
                    var a = TL.Splat(Unsafe.Add(ref br, o));
                    for (int i = 0; i < cols; i++) a = TL.MulAdd(TL.Splat(Unsafe.Add(ref wr, o * cols + i)), TL.Load(ref xr, (nuint)(i * batch + c)), a);
                    TL.Store(a, ref yr, (nuint)(o * batch + c));
                }
            }
            return c;
        }

        /// <summary>Sixteen output rows from <paramref name="o"/> for one vector of samples from <paramref name="c"/>, each summed in order in its own register.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearRows16<TL, TV>(ref T wr, ref T br, ref T xr, ref T yr, int o, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            ref T w0 = ref Unsafe.Add(ref wr, o * cols);
            ref T b0 = ref Unsafe.Add(ref br, o);
            TV a0 = TL.Splat(b0), a1 = TL.Splat(Unsafe.Add(ref b0, 1)), a2 = TL.Splat(Unsafe.Add(ref b0, 2)), a3 = TL.Splat(Unsafe.Add(ref b0, 3));
            TV a4 = TL.Splat(Unsafe.Add(ref b0, 4)), a5 = TL.Splat(Unsafe.Add(ref b0, 5)), a6 = TL.Splat(Unsafe.Add(ref b0, 6)), a7 = TL.Splat(Unsafe.Add(ref b0, 7));
            TV a8 = TL.Splat(Unsafe.Add(ref b0, 8)), a9 = TL.Splat(Unsafe.Add(ref b0, 9)), a10 = TL.Splat(Unsafe.Add(ref b0, 10)), a11 = TL.Splat(Unsafe.Add(ref b0, 11));
            TV a12 = TL.Splat(Unsafe.Add(ref b0, 12)), a13 = TL.Splat(Unsafe.Add(ref b0, 13)), a14 = TL.Splat(Unsafe.Add(ref b0, 14)), a15 = TL.Splat(Unsafe.Add(ref b0, 15));
            for (int i = 0; i < cols; i++)
            {
                var xi = TL.Load(ref xr, (nuint)(i * batch + c));
                ref T wi = ref Unsafe.Add(ref w0, i);
                a0 = TL.MulAdd(TL.Splat(wi), xi, a0);
                a1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, cols)), xi, a1);
                a2 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 2 * cols)), xi, a2);
                a3 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 3 * cols)), xi, a3);
                a4 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 4 * cols)), xi, a4);
                a5 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 5 * cols)), xi, a5);
                a6 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 6 * cols)), xi, a6);
                a7 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 7 * cols)), xi, a7);
                a8 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 8 * cols)), xi, a8);
                a9 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 9 * cols)), xi, a9);
                a10 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 10 * cols)), xi, a10);
                a11 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 11 * cols)), xi, a11);
                a12 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 12 * cols)), xi, a12);
                a13 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 13 * cols)), xi, a13);
                a14 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 14 * cols)), xi, a14);
                a15 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wi, 15 * cols)), xi, a15);
            }
            ref T y0 = ref Unsafe.Add(ref yr, o * batch + c);
            TL.Store(a0, ref y0, 0); TL.Store(a1, ref y0, (nuint)batch); TL.Store(a2, ref y0, (nuint)(2 * batch)); TL.Store(a3, ref y0, (nuint)(3 * batch));
            TL.Store(a4, ref y0, (nuint)(4 * batch)); TL.Store(a5, ref y0, (nuint)(5 * batch)); TL.Store(a6, ref y0, (nuint)(6 * batch)); TL.Store(a7, ref y0, (nuint)(7 * batch));
            TL.Store(a8, ref y0, (nuint)(8 * batch)); TL.Store(a9, ref y0, (nuint)(9 * batch)); TL.Store(a10, ref y0, (nuint)(10 * batch)); TL.Store(a11, ref y0, (nuint)(11 * batch));
            TL.Store(a12, ref y0, (nuint)(12 * batch)); TL.Store(a13, ref y0, (nuint)(13 * batch)); TL.Store(a14, ref y0, (nuint)(14 * batch)); TL.Store(a15, ref y0, (nuint)(15 * batch));
        }

        /// <summary>Eight output rows from <paramref name="o"/> for two vectors of samples from <paramref name="c"/>, each summed in order in its own register.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearRows8x2<TL, TV>(ref T wr, ref T br, ref T xr, ref T yr, int o, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            nuint second = (nuint)TL.Count;
            ref T w0 = ref Unsafe.Add(ref wr, o * cols);
            ref T b0 = ref Unsafe.Add(ref br, o);
            TV a0 = TL.Splat(b0), a1 = TL.Splat(Unsafe.Add(ref b0, 1)), a2 = TL.Splat(Unsafe.Add(ref b0, 2)), a3 = TL.Splat(Unsafe.Add(ref b0, 3));
            TV a4 = TL.Splat(Unsafe.Add(ref b0, 4)), a5 = TL.Splat(Unsafe.Add(ref b0, 5)), a6 = TL.Splat(Unsafe.Add(ref b0, 6)), a7 = TL.Splat(Unsafe.Add(ref b0, 7));
            TV e0 = a0, e1 = a1, e2 = a2, e3 = a3, e4 = a4, e5 = a5, e6 = a6, e7 = a7;
            for (int i = 0; i < cols; i++)
            {
                ref T xi = ref Unsafe.Add(ref xr, i * batch + c);
                TV x0 = TL.Load(ref xi, 0), x1 = TL.Load(ref xi, second);
                ref T wi = ref Unsafe.Add(ref w0, i);
                TV s = TL.Splat(wi); a0 = TL.MulAdd(s, x0, a0); e0 = TL.MulAdd(s, x1, e0);
                s = TL.Splat(Unsafe.Add(ref wi, cols)); a1 = TL.MulAdd(s, x0, a1); e1 = TL.MulAdd(s, x1, e1);
                s = TL.Splat(Unsafe.Add(ref wi, 2 * cols)); a2 = TL.MulAdd(s, x0, a2); e2 = TL.MulAdd(s, x1, e2);
                s = TL.Splat(Unsafe.Add(ref wi, 3 * cols)); a3 = TL.MulAdd(s, x0, a3); e3 = TL.MulAdd(s, x1, e3);
                s = TL.Splat(Unsafe.Add(ref wi, 4 * cols)); a4 = TL.MulAdd(s, x0, a4); e4 = TL.MulAdd(s, x1, e4);
                s = TL.Splat(Unsafe.Add(ref wi, 5 * cols)); a5 = TL.MulAdd(s, x0, a5); e5 = TL.MulAdd(s, x1, e5);
                s = TL.Splat(Unsafe.Add(ref wi, 6 * cols)); a6 = TL.MulAdd(s, x0, a6); e6 = TL.MulAdd(s, x1, e6);
                s = TL.Splat(Unsafe.Add(ref wi, 7 * cols)); a7 = TL.MulAdd(s, x0, a7); e7 = TL.MulAdd(s, x1, e7);
            }
            ref T y0 = ref Unsafe.Add(ref yr, o * batch + c);
            TL.Store(a0, ref y0, 0); TL.Store(e0, ref y0, second);
            TL.Store(a1, ref y0, (nuint)batch); TL.Store(e1, ref y0, (nuint)batch + second);
            TL.Store(a2, ref y0, (nuint)(2 * batch)); TL.Store(e2, ref y0, (nuint)(2 * batch) + second);
            TL.Store(a3, ref y0, (nuint)(3 * batch)); TL.Store(e3, ref y0, (nuint)(3 * batch) + second);
            TL.Store(a4, ref y0, (nuint)(4 * batch)); TL.Store(e4, ref y0, (nuint)(4 * batch) + second);
            TL.Store(a5, ref y0, (nuint)(5 * batch)); TL.Store(e5, ref y0, (nuint)(5 * batch) + second);
            TL.Store(a6, ref y0, (nuint)(6 * batch)); TL.Store(e6, ref y0, (nuint)(6 * batch) + second);
            TL.Store(a7, ref y0, (nuint)(7 * batch)); TL.Store(e7, ref y0, (nuint)(7 * batch) + second);
        }

        /// <summary>
        /// Two vectors of samples from <paramref name="c"/> on: eight output rows at a time, then four, then the last three or
        /// two together, then one; each weight broadcast once for both vectors, so a product costs half a broadcast where one
        /// vector at a time costs a whole one. Each output is summed in its own register in index order, as
        /// <see cref="LinearSlices"/> does.
        /// </summary>
        // Compiled on its own, optimized at once: too large to be inlined into LinearSlices, it would otherwise start unoptimized.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearDoubleSlice<TL, TV>(ref T wr, ref T br, ref T xr, ref T yr, int rows, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            nuint second = (nuint)TL.Count;
            int o = 0;
            for (; o + 8 <= rows; o += 8) LinearRows8x2<TL, TV>(ref wr, ref br, ref xr, ref yr, o, cols, batch, c);
            for (; o + 4 <= rows; o += 4)
            {
                ref T w0 = ref Unsafe.Add(ref wr, o * cols);
                ref T b0 = ref Unsafe.Add(ref br, o);
                TV a0 = TL.Splat(b0), a1 = TL.Splat(Unsafe.Add(ref b0, 1)), a2 = TL.Splat(Unsafe.Add(ref b0, 2)), a3 = TL.Splat(Unsafe.Add(ref b0, 3));
                TV e0 = a0, e1 = a1, e2 = a2, e3 = a3;
                for (int i = 0; i < cols; i++)
                {
                    ref T xi = ref Unsafe.Add(ref xr, i * batch + c);
                    TV x0 = TL.Load(ref xi, 0), x1 = TL.Load(ref xi, second);
                    ref T wi = ref Unsafe.Add(ref w0, i);
                    TV s0 = TL.Splat(wi), s1 = TL.Splat(Unsafe.Add(ref wi, cols)), s2 = TL.Splat(Unsafe.Add(ref wi, 2 * cols)), s3 = TL.Splat(Unsafe.Add(ref wi, 3 * cols));
                    a0 = TL.MulAdd(s0, x0, a0);
                    e0 = TL.MulAdd(s0, x1, e0);
                    a1 = TL.MulAdd(s1, x0, a1);
                    e1 = TL.MulAdd(s1, x1, e1);
                    a2 = TL.MulAdd(s2, x0, a2);
                    e2 = TL.MulAdd(s2, x1, e2);
                    a3 = TL.MulAdd(s3, x0, a3);
                    e3 = TL.MulAdd(s3, x1, e3);
                }
                ref T y0 = ref Unsafe.Add(ref yr, o * batch + c);
                TL.Store(a0, ref y0, 0);
                TL.Store(e0, ref y0, second);
                TL.Store(a1, ref y0, (nuint)batch);
                TL.Store(e1, ref y0, (nuint)batch + second);
                TL.Store(a2, ref y0, (nuint)(2 * batch));
                TL.Store(e2, ref y0, (nuint)(2 * batch) + second);
                TL.Store(a3, ref y0, (nuint)(3 * batch));
                TL.Store(e3, ref y0, (nuint)(3 * batch) + second);
            }
            // The last one to three rows together: a sum is a chain of dependent multiply-adds, and a layer of few rows (an
            // output layer) runs at the chains' latency unless several are in flight.
            if (rows - o == 3)
            {
                ref T w0 = ref Unsafe.Add(ref wr, o * cols);
                TV a0 = TL.Splat(Unsafe.Add(ref br, o)), a1 = TL.Splat(Unsafe.Add(ref br, o + 1)), a2 = TL.Splat(Unsafe.Add(ref br, o + 2));
                TV e0 = a0, e1 = a1, e2 = a2;
                for (int i = 0; i < cols; i++)
                {
                    ref T xi = ref Unsafe.Add(ref xr, i * batch + c);
                    TV x0 = TL.Load(ref xi, 0), x1 = TL.Load(ref xi, second);
                    ref T wi = ref Unsafe.Add(ref w0, i);
                    TV s0 = TL.Splat(wi), s1 = TL.Splat(Unsafe.Add(ref wi, cols)), s2 = TL.Splat(Unsafe.Add(ref wi, 2 * cols));
                    a0 = TL.MulAdd(s0, x0, a0);
                    e0 = TL.MulAdd(s0, x1, e0);
                    a1 = TL.MulAdd(s1, x0, a1);
                    e1 = TL.MulAdd(s1, x1, e1);
                    a2 = TL.MulAdd(s2, x0, a2);
                    e2 = TL.MulAdd(s2, x1, e2);
                }
                ref T y0 = ref Unsafe.Add(ref yr, o * batch + c);
                TL.Store(a0, ref y0, 0);
                TL.Store(e0, ref y0, second);
                TL.Store(a1, ref y0, (nuint)batch);
                TL.Store(e1, ref y0, (nuint)batch + second);
                TL.Store(a2, ref y0, (nuint)(2 * batch));
                TL.Store(e2, ref y0, (nuint)(2 * batch) + second);
                return;
            }
            if (rows - o == 2)
            {
                TV a0 = TL.Splat(Unsafe.Add(ref br, o)), a1 = TL.Splat(Unsafe.Add(ref br, o + 1));
                TV e0 = a0, e1 = a1;
                for (int i = 0; i < cols; i++)
                {
                    ref T xi = ref Unsafe.Add(ref xr, i * batch + c);
                    TV x0 = TL.Load(ref xi, 0), x1 = TL.Load(ref xi, second);
                    TV s0 = TL.Splat(Unsafe.Add(ref wr, o * cols + i)), s1 = TL.Splat(Unsafe.Add(ref wr, (o + 1) * cols + i));
                    a0 = TL.MulAdd(s0, x0, a0);
                    e0 = TL.MulAdd(s0, x1, e0);
                    a1 = TL.MulAdd(s1, x0, a1);
                    e1 = TL.MulAdd(s1, x1, e1);
                }
                ref T y0 = ref Unsafe.Add(ref yr, o * batch + c);
                TL.Store(a0, ref y0, 0);
                TL.Store(e0, ref y0, second);
                TL.Store(a1, ref y0, (nuint)batch);
                TL.Store(e1, ref y0, (nuint)batch + second);
                return;
            }
            for (; o < rows; o++)
            {
                TV a = TL.Splat(Unsafe.Add(ref br, o)), e = a;
                for (int i = 0; i < cols; i++)
                {
                    var s = TL.Splat(Unsafe.Add(ref wr, o * cols + i));
                    a = TL.MulAdd(s, TL.Load(ref xr, (nuint)(i * batch + c)), a);
                    e = TL.MulAdd(s, TL.Load(ref xr, (nuint)(i * batch + c) + second), e);
                }
                TL.Store(a, ref yr, (nuint)(o * batch + c));
                TL.Store(e, ref yr, (nuint)(o * batch + c) + second);
            }
        }

        /// <summary>
        /// The adjoint of <see cref="Linear"/>: given gy = d objective / d y, adds d/d bias (sum over the batch),
        /// d/d w (gy xᵀ) and d/d x (wᵀ gy) to <paramref name="gbias"/>, <paramref name="gw"/> and <paramref name="gx"/>.
        /// </summary>
        public static void LinearBackward(ReadOnlySpan<T> w, ReadOnlySpan<T> x, ReadOnlySpan<T> gy, Span<T> gx, Span<T> gw, Span<T> gbias, int rows, int cols, int batch) =>
            LinearBackward(w, x, gy, gx, gw, gbias, rows, cols, batch, Path.Widest);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void LinearBackward(ReadOnlySpan<T> w, ReadOnlySpan<T> x, ReadOnlySpan<T> gy, Span<T> gx, Span<T> gw, Span<T> gbias, int rows, int cols, int batch, Path path)
        {
            if (w.Length < rows * cols || gw.Length < rows * cols || gbias.Length < rows || x.Length < cols * batch || gx.Length < cols * batch || gy.Length < rows * batch)
                throw new ArgumentException("a span is shorter than the layer");
            ref T wr = ref MemoryMarshal.GetReference(w);
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T gyr = ref MemoryMarshal.GetReference(gy);
            ref T gxr = ref MemoryMarshal.GetReference(gx);
            ref T gwr = ref MemoryMarshal.GetReference(gw);
            bool wide = path == Path.Widest && Vector512.IsHardwareAccelerated, vector = path != Path.Scalar && Vector.IsHardwareAccelerated;

            if (wide && RegisterTranspose && batch % 16 == 0 && rows >= 16)
                BiasGradient16(ref Unsafe.As<T, float>(ref gyr), MemoryMarshal.Cast<T, float>(gbias), rows, batch);
            else if (wide) BiasGradient<Lanes512<T>, Vector512<T>>(ref gyr, gbias, rows, batch);
            else if (vector) BiasGradient<LanesVector<T>, Vector<T>>(ref gyr, gbias, rows, batch);
            else for (int o = 0; o < rows; o++) gbias[o] += SumFrom(ref Unsafe.Add(ref gyr, o * batch), 0, batch, T.Zero);

            int c = 0;
            if (wide) c = InputGradientSlices<Lanes512<T>, Vector512<T>>(ref wr, ref gyr, ref gxr, rows, cols, batch, c);
            if (vector) c = InputGradientSlices<LanesVector<T>, Vector<T>>(ref wr, ref gyr, ref gxr, rows, cols, batch, c);
            InputGradientTail(ref wr, ref gyr, ref gxr, rows, cols, batch, c);

            // No vectors, or few rows where x is transposed element by element: the transposition would cost more than it
            // saves; each weight's sum over the samples directly. (With 512-bit float vectors x is transposed 16 x 16 in registers.)
            if (!vector || (rows <= 4 && !RegisterTranspose))
                for (int o = 0; o < rows; o++)
                    for (int i = 0; i < cols; i++) gw[o * cols + i] += Dot(gy.Slice(o * batch, batch), x.Slice(i * batch, batch));
            else if (wide) WeightGradient<Lanes512<T>, Vector512<T>>(ref xr, ref gyr, ref gwr, rows, cols, batch);
            else WeightGradient<LanesVector<T>, Vector<T>>(ref xr, ref gyr, ref gwr, rows, cols, batch);
        }

        /// <summary>gbias[o] += the sum of gy[o, :] over the batch, a vector of samples at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void BiasGradient<TL, TV>(ref T gyr, Span<T> gbias, int rows, int batch) where TL : struct, ILanes<T, TV> where TV : struct
        {
            for (int o = 0; o < rows; o++)
            {
                ref T go = ref Unsafe.Add(ref gyr, o * batch);
                int b = 0;
                var acc = TL.Zero;
                for (; b + TL.Count <= batch; b += TL.Count) acc = TL.Add(acc, TL.Load(ref go, (nuint)b));
                gbias[o] += SumFrom(ref go, b, batch, TL.Sum(acc));
            }
        }

        /// <summary>
        /// gbias[o] += the sum of gy[o, :] for float32 with 512-bit vectors and whole vectors of samples: sixteen rows at a time,
        /// each row's vectors added, then the sixteen row sums gathered into one vector by a tree of in-lane interleaves (a
        /// horizontal sum per row cost as much as the row's multiply-adds in a small layer). Rows past the last sixteen as <see cref="BiasGradient"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void BiasGradient16(ref float gyr, Span<float> gbias, int rows, int batch)
        {
            if (gbias.Length < rows) throw new ArgumentException("the bias gradient is shorter than the layer");
            ref float gb = ref MemoryMarshal.GetReference(gbias);
            int o = 0;
            for (; o + 16 <= rows; o += 16)
            {
                ref float g = ref Unsafe.Add(ref gyr, o * batch);
                Vector512<float> r0 = RowSum(ref g, batch, 0), r1 = RowSum(ref g, batch, 1), r2 = RowSum(ref g, batch, 2), r3 = RowSum(ref g, batch, 3);
                Vector512<float> r4 = RowSum(ref g, batch, 4), r5 = RowSum(ref g, batch, 5), r6 = RowSum(ref g, batch, 6), r7 = RowSum(ref g, batch, 7);
                Vector512<float> r8 = RowSum(ref g, batch, 8), r9 = RowSum(ref g, batch, 9), r10 = RowSum(ref g, batch, 10), r11 = RowSum(ref g, batch, 11);
                Vector512<float> r12 = RowSum(ref g, batch, 12), r13 = RowSum(ref g, batch, 13), r14 = RowSum(ref g, batch, 14), r15 = RowSum(ref g, batch, 15);
                // 16 -> 8 -> 4 vectors: in each 128-bit lane, the sums of four rows over that lane's four samples
                var u0 = Fold4(Fold2(r0, r1), Fold2(r2, r3));
                var u1 = Fold4(Fold2(r4, r5), Fold2(r6, r7));
                var u2 = Fold4(Fold2(r8, r9), Fold2(r10, r11));
                var u3 = Fold4(Fold2(r12, r13), Fold2(r14, r15));
                // 4 -> 2 -> 1: the lanes added, so lane k holds rows 4k to 4k + 3
                var v0 = Avx512F.Shuffle4x128(u0, u1, 0x88) + Avx512F.Shuffle4x128(u0, u1, 0xDD);
                var v1 = Avx512F.Shuffle4x128(u2, u3, 0x88) + Avx512F.Shuffle4x128(u2, u3, 0xDD);
                var sums = Avx512F.Shuffle4x128(v0, v1, 0x88) + Avx512F.Shuffle4x128(v0, v1, 0xDD);
                (Vector512.LoadUnsafe(ref gb, (nuint)o) + sums).StoreUnsafe(ref gb, (nuint)o);
            }
            for (; o < rows; o++) Unsafe.Add(ref gb, o) += Vector512.Sum(RowSum(ref gyr, batch, o));
        }

        /// <summary>Row <paramref name="o"/>'s vectors of samples added (the batch is whole vectors).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> RowSum(ref float g, int batch, int o)
        {
            ref float row = ref Unsafe.Add(ref g, o * batch);
            var acc = Vector512.LoadUnsafe(ref row);
            for (int b = 16; b < batch; b += 16) acc += Vector512.LoadUnsafe(ref row, (nuint)b);
            return acc;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Fold2(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a, b) + Avx512F.UnpackHigh(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Fold4(Vector512<float> a, Vector512<float> b) =>
            Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle() + Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

        private static T SumFrom(ref T values, int from, int to, T sum)
        {
            for (int b = from; b < to; b++) sum += Unsafe.Add(ref values, b);
            return sum;
        }

        /// <summary>
        /// d/d x of a layer, gx += wᵀ gy, over the whole batch slices of one vector width from sample <paramref name="c"/> on;
        /// returns the first sample left. Two vectors of samples at a time where there are two, then one: sixteen inputs at a time
        /// (then eight, two, one), each summed over the rows in order in its own register.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int InputGradientSlices<TL, TV>(ref T wr, ref T gyr, ref T gxr, int rows, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            for (; c + 2 * TL.Count <= batch; c += 2 * TL.Count) InputGradientDoubleSlice<TL, TV>(ref wr, ref gyr, ref gxr, rows, cols, batch, c);
            for (; c + TL.Count <= batch; c += TL.Count)
            {
                int i = 0;
                for (; i + 16 <= cols; i += 16) InputGradientColumns16<TL, TV>(ref wr, ref gyr, ref gxr, i, rows, cols, batch, c);
                for (; i + 8 <= cols; i += 8)
                {
                    ref T g0 = ref Unsafe.Add(ref gxr, i * batch + c);
                    TV a0 = TL.Load(ref g0, 0), a1 = TL.Load(ref g0, (nuint)batch), a2 = TL.Load(ref g0, (nuint)(2 * batch)), a3 = TL.Load(ref g0, (nuint)(3 * batch));
                    TV a4 = TL.Load(ref g0, (nuint)(4 * batch)), a5 = TL.Load(ref g0, (nuint)(5 * batch)), a6 = TL.Load(ref g0, (nuint)(6 * batch)), a7 = TL.Load(ref g0, (nuint)(7 * batch));
                    for (int o = 0; o < rows; o++)
                    {
                        var g = TL.Load(ref gyr, (nuint)(o * batch + c));
                        ref T wo = ref Unsafe.Add(ref wr, o * cols + i);
                        a0 = TL.MulAdd(TL.Splat(wo), g, a0);
                        a1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 1)), g, a1);
                        a2 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 2)), g, a2);
                        a3 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 3)), g, a3);
                        a4 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 4)), g, a4);
                        a5 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 5)), g, a5);
                        a6 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 6)), g, a6);
                        a7 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 7)), g, a7);
                    }
                    TL.Store(a0, ref g0, 0);
                    TL.Store(a1, ref g0, (nuint)batch);
                    TL.Store(a2, ref g0, (nuint)(2 * batch));
                    TL.Store(a3, ref g0, (nuint)(3 * batch));
                    TL.Store(a4, ref g0, (nuint)(4 * batch));
                    TL.Store(a5, ref g0, (nuint)(5 * batch));
                    TL.Store(a6, ref g0, (nuint)(6 * batch));
                    TL.Store(a7, ref g0, (nuint)(7 * batch));
                }
                for (; i + 2 <= cols; i += 2)
                {
                    TV a0 = TL.Load(ref gxr, (nuint)(i * batch + c)), a1 = TL.Load(ref gxr, (nuint)((i + 1) * batch + c));
                    for (int o = 0; o < rows; o++)
                    {
                        var g = TL.Load(ref gyr, (nuint)(o * batch + c));
                        a0 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wr, o * cols + i)), g, a0);
                        a1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wr, o * cols + i + 1)), g, a1);
                    }
                    TL.Store(a0, ref gxr, (nuint)(i * batch + c));
                    TL.Store(a1, ref gxr, (nuint)((i + 1) * batch + c));
                }
                for (; i < cols; i++)
                {
                    var a = TL.Load(ref gxr, (nuint)(i * batch + c));
                    for (int o = 0; o < rows; o++) a = TL.MulAdd(TL.Splat(Unsafe.Add(ref wr, o * cols + i)), TL.Load(ref gyr, (nuint)(o * batch + c)), a);
                    TL.Store(a, ref gxr, (nuint)(i * batch + c));
                }
            }
            return c;
        }

        /// <summary>d/d x of sixteen inputs from <paramref name="i"/> for one vector of samples from <paramref name="c"/>, each summed over the rows in order in its own register.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void InputGradientColumns16<TL, TV>(ref T wr, ref T gyr, ref T gxr, int i, int rows, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            ref T g0 = ref Unsafe.Add(ref gxr, i * batch + c);
            TV a0 = TL.Load(ref g0, 0), a1 = TL.Load(ref g0, (nuint)batch), a2 = TL.Load(ref g0, (nuint)(2 * batch)), a3 = TL.Load(ref g0, (nuint)(3 * batch));
            TV a4 = TL.Load(ref g0, (nuint)(4 * batch)), a5 = TL.Load(ref g0, (nuint)(5 * batch)), a6 = TL.Load(ref g0, (nuint)(6 * batch)), a7 = TL.Load(ref g0, (nuint)(7 * batch));
            TV a8 = TL.Load(ref g0, (nuint)(8 * batch)), a9 = TL.Load(ref g0, (nuint)(9 * batch)), a10 = TL.Load(ref g0, (nuint)(10 * batch)), a11 = TL.Load(ref g0, (nuint)(11 * batch));
            TV a12 = TL.Load(ref g0, (nuint)(12 * batch)), a13 = TL.Load(ref g0, (nuint)(13 * batch)), a14 = TL.Load(ref g0, (nuint)(14 * batch)), a15 = TL.Load(ref g0, (nuint)(15 * batch));
            for (int o = 0; o < rows; o++)
            {
                var g = TL.Load(ref gyr, (nuint)(o * batch + c));
                ref T wo = ref Unsafe.Add(ref wr, o * cols + i);
                a0 = TL.MulAdd(TL.Splat(wo), g, a0);
                a1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 1)), g, a1);
                a2 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 2)), g, a2);
                a3 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 3)), g, a3);
                a4 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 4)), g, a4);
                a5 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 5)), g, a5);
                a6 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 6)), g, a6);
                a7 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 7)), g, a7);
                a8 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 8)), g, a8);
                a9 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 9)), g, a9);
                a10 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 10)), g, a10);
                a11 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 11)), g, a11);
                a12 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 12)), g, a12);
                a13 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 13)), g, a13);
                a14 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 14)), g, a14);
                a15 = TL.MulAdd(TL.Splat(Unsafe.Add(ref wo, 15)), g, a15);
            }
            TL.Store(a0, ref g0, 0); TL.Store(a1, ref g0, (nuint)batch); TL.Store(a2, ref g0, (nuint)(2 * batch)); TL.Store(a3, ref g0, (nuint)(3 * batch));
            TL.Store(a4, ref g0, (nuint)(4 * batch)); TL.Store(a5, ref g0, (nuint)(5 * batch)); TL.Store(a6, ref g0, (nuint)(6 * batch)); TL.Store(a7, ref g0, (nuint)(7 * batch));
            TL.Store(a8, ref g0, (nuint)(8 * batch)); TL.Store(a9, ref g0, (nuint)(9 * batch)); TL.Store(a10, ref g0, (nuint)(10 * batch)); TL.Store(a11, ref g0, (nuint)(11 * batch));
            TL.Store(a12, ref g0, (nuint)(12 * batch)); TL.Store(a13, ref g0, (nuint)(13 * batch)); TL.Store(a14, ref g0, (nuint)(14 * batch)); TL.Store(a15, ref g0, (nuint)(15 * batch));
        }

        /// <summary>d/d x of eight inputs from <paramref name="i"/> for two vectors of samples from <paramref name="c"/>, each summed over the rows in order in its own register.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void InputGradientColumns8x2<TL, TV>(ref T wr, ref T gyr, ref T gxr, int i, int rows, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            nuint second = (nuint)TL.Count, bt = (nuint)batch;
            ref T g0 = ref Unsafe.Add(ref gxr, i * batch + c);
            TV a0 = TL.Load(ref g0, 0), a1 = TL.Load(ref g0, bt), a2 = TL.Load(ref g0, 2 * bt), a3 = TL.Load(ref g0, 3 * bt);
            TV a4 = TL.Load(ref g0, 4 * bt), a5 = TL.Load(ref g0, 5 * bt), a6 = TL.Load(ref g0, 6 * bt), a7 = TL.Load(ref g0, 7 * bt);
            TV e0 = TL.Load(ref g0, second), e1 = TL.Load(ref g0, bt + second), e2 = TL.Load(ref g0, 2 * bt + second), e3 = TL.Load(ref g0, 3 * bt + second);
            TV e4 = TL.Load(ref g0, 4 * bt + second), e5 = TL.Load(ref g0, 5 * bt + second), e6 = TL.Load(ref g0, 6 * bt + second), e7 = TL.Load(ref g0, 7 * bt + second);
            for (int o = 0; o < rows; o++)
            {
                ref T go = ref Unsafe.Add(ref gyr, o * batch + c);
                TV x0 = TL.Load(ref go, 0), x1 = TL.Load(ref go, second);
                ref T wo = ref Unsafe.Add(ref wr, o * cols + i);
                TV s = TL.Splat(wo); a0 = TL.MulAdd(s, x0, a0); e0 = TL.MulAdd(s, x1, e0);
                s = TL.Splat(Unsafe.Add(ref wo, 1)); a1 = TL.MulAdd(s, x0, a1); e1 = TL.MulAdd(s, x1, e1);
                s = TL.Splat(Unsafe.Add(ref wo, 2)); a2 = TL.MulAdd(s, x0, a2); e2 = TL.MulAdd(s, x1, e2);
                s = TL.Splat(Unsafe.Add(ref wo, 3)); a3 = TL.MulAdd(s, x0, a3); e3 = TL.MulAdd(s, x1, e3);
                s = TL.Splat(Unsafe.Add(ref wo, 4)); a4 = TL.MulAdd(s, x0, a4); e4 = TL.MulAdd(s, x1, e4);
                s = TL.Splat(Unsafe.Add(ref wo, 5)); a5 = TL.MulAdd(s, x0, a5); e5 = TL.MulAdd(s, x1, e5);
                s = TL.Splat(Unsafe.Add(ref wo, 6)); a6 = TL.MulAdd(s, x0, a6); e6 = TL.MulAdd(s, x1, e6);
                s = TL.Splat(Unsafe.Add(ref wo, 7)); a7 = TL.MulAdd(s, x0, a7); e7 = TL.MulAdd(s, x1, e7);
            }
            TL.Store(a0, ref g0, 0); TL.Store(e0, ref g0, second);
            TL.Store(a1, ref g0, bt); TL.Store(e1, ref g0, bt + second);
            TL.Store(a2, ref g0, 2 * bt); TL.Store(e2, ref g0, 2 * bt + second);
            TL.Store(a3, ref g0, 3 * bt); TL.Store(e3, ref g0, 3 * bt + second);
            TL.Store(a4, ref g0, 4 * bt); TL.Store(e4, ref g0, 4 * bt + second);
            TL.Store(a5, ref g0, 5 * bt); TL.Store(e5, ref g0, 5 * bt + second);
            TL.Store(a6, ref g0, 6 * bt); TL.Store(e6, ref g0, 6 * bt + second);
            TL.Store(a7, ref g0, 7 * bt); TL.Store(e7, ref g0, 7 * bt + second);
        }

        /// <summary>
        /// d/d x for two vectors of samples from <paramref name="c"/> on: eight inputs at a time (then four, then one), each weight broadcast
        /// once for both vectors; each input summed over the rows in order in its own register, as <see cref="InputGradientSlices"/> does.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void InputGradientDoubleSlice<TL, TV>(ref T wr, ref T gyr, ref T gxr, int rows, int cols, int batch, int c)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            nuint second = (nuint)TL.Count;
            int i = 0;
            for (; i + 8 <= cols; i += 8) InputGradientColumns8x2<TL, TV>(ref wr, ref gyr, ref gxr, i, rows, cols, batch, c);
            for (; i + 4 <= cols; i += 4)
            {
                ref T g0 = ref Unsafe.Add(ref gxr, i * batch + c);
                TV a0 = TL.Load(ref g0, 0), a1 = TL.Load(ref g0, (nuint)batch), a2 = TL.Load(ref g0, (nuint)(2 * batch)), a3 = TL.Load(ref g0, (nuint)(3 * batch));
                TV e0 = TL.Load(ref g0, second), e1 = TL.Load(ref g0, (nuint)batch + second), e2 = TL.Load(ref g0, (nuint)(2 * batch) + second), e3 = TL.Load(ref g0, (nuint)(3 * batch) + second);
                for (int o = 0; o < rows; o++)
                {
                    ref T go = ref Unsafe.Add(ref gyr, o * batch + c);
                    TV x0 = TL.Load(ref go, 0), x1 = TL.Load(ref go, second);
                    ref T wo = ref Unsafe.Add(ref wr, o * cols + i);
                    TV s0 = TL.Splat(wo), s1 = TL.Splat(Unsafe.Add(ref wo, 1)), s2 = TL.Splat(Unsafe.Add(ref wo, 2)), s3 = TL.Splat(Unsafe.Add(ref wo, 3));
                    a0 = TL.MulAdd(s0, x0, a0);
                    e0 = TL.MulAdd(s0, x1, e0);
                    a1 = TL.MulAdd(s1, x0, a1);
                    e1 = TL.MulAdd(s1, x1, e1);
                    a2 = TL.MulAdd(s2, x0, a2);
                    e2 = TL.MulAdd(s2, x1, e2);
                    a3 = TL.MulAdd(s3, x0, a3);
                    e3 = TL.MulAdd(s3, x1, e3);
                }
                TL.Store(a0, ref g0, 0);
                TL.Store(e0, ref g0, second);
                TL.Store(a1, ref g0, (nuint)batch);
                TL.Store(e1, ref g0, (nuint)batch + second);
                TL.Store(a2, ref g0, (nuint)(2 * batch));
                TL.Store(e2, ref g0, (nuint)(2 * batch) + second);
                TL.Store(a3, ref g0, (nuint)(3 * batch));
                TL.Store(e3, ref g0, (nuint)(3 * batch) + second);
            }
            for (; i < cols; i++)
            {
                ref T gi = ref Unsafe.Add(ref gxr, i * batch + c);
                TV a = TL.Load(ref gi, 0), e = TL.Load(ref gi, second);
                for (int o = 0; o < rows; o++)
                {
                    var s = TL.Splat(Unsafe.Add(ref wr, o * cols + i));
                    a = TL.MulAdd(s, TL.Load(ref gyr, (nuint)(o * batch + c)), a);
                    e = TL.MulAdd(s, TL.Load(ref gyr, (nuint)(o * batch + c) + second), e);
                }
                TL.Store(a, ref gi, 0);
                TL.Store(e, ref gi, second);
            }
        }

        /// <summary>d/d x for the samples from <paramref name="c"/> on, one at a time, each rounded as a vector's lane rounds.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void InputGradientTail(ref T wr, ref T gyr, ref T gxr, int rows, int cols, int batch, int c)
        {
            for (; c < batch; c++)
                for (int i = 0; i < cols; i++)
                {
                    T a = Unsafe.Add(ref gxr, i * batch + c);
                    for (int o = 0; o < rows; o++) a = MulAdd(Unsafe.Add(ref wr, o * cols + i), Unsafe.Add(ref gyr, o * batch + c), a);
                    Unsafe.Add(ref gxr, i * batch + c) = a;
                }
        }

        /// <summary>Samples and columns of x transposed at a time in <see cref="WeightGradient"/> (a stack buffer of their product).</summary>
        private const int GradientBatch = 32, GradientColumns = 64;

        /// <summary>
        /// d/d w of a layer, gw += gy xᵀ: x transposed a block at a time onto a 64-byte-aligned stack block ([sample][column], the
        /// columns padded with zeros to whole vectors; 16 x 16 floats at a time in registers with AVX-512), then tiles of weight
        /// rows by vectors of columns summed over the samples in registers (gy[o, b] broadcast times the row of x for sample b)
        /// and added to gw: a vector multiply-add per product instead of one horizontal dot product per weight.
        /// </summary>
        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void WeightGradient<TL, TV>(ref T xr, ref T gyr, ref T gwr, int rows, int cols, int batch)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            int width = TL.Count;
            // The transposed block from a 64-byte boundary: its rows are whole vectors, and a vector that straddles two cache lines costs two.
            Span<T> xt = stackalloc T[GradientBatch * GradientColumns + 64 / Unsafe.SizeOf<T>()];
            ref T xtr = ref AlignedStart(xt);
            for (int i0 = 0; i0 < cols; i0 += GradientColumns)
            {
                int n = Math.Min(GradientColumns, cols - i0);
                int stride = (n + width - 1) / width * width;
                int pairs = stride / (2 * width) * (2 * width);   // the columns in whole pairs of vectors
                for (int b0 = 0; b0 < batch; b0 += GradientBatch)
                {
                    int m = Math.Min(GradientBatch, batch - b0);
                    Transpose(ref Unsafe.Add(ref xr, i0 * batch + b0), ref xtr, m, n, stride, batch);
                    ref T g = ref Unsafe.Add(ref gyr, b0);
                    // Every tile keeps at least eight sums in flight (a sum is a chain of dependent multiply-adds): four rows by two
                    // vectors of columns, then eight rows by the last vector when the columns are an odd number of vectors.
                    int o = 0;
                    if (pairs > 0)
                    {
                        for (; o + 4 <= rows; o += 4) WeightRows4<TL, TV>(ref xtr, ref Unsafe.Add(ref g, o * batch), ref gwr, o * cols + i0, m, n, stride, pairs, batch, cols);
                        for (; o + 2 <= rows; o += 2) WeightRows2<TL, TV>(ref xtr, ref Unsafe.Add(ref g, o * batch), ref gwr, o * cols + i0, m, n, stride, pairs, batch, cols);
                        for (; o < rows; o++) WeightRow<TL, TV>(ref xtr, ref Unsafe.Add(ref g, o * batch), ref gwr, o * cols + i0, m, n, stride, 0, pairs);
                    }
                    if (pairs < stride)
                    {
                        o = 0;
                        for (; o + 8 <= rows; o += 8) WeightColumn8<TL, TV>(ref xtr, ref Unsafe.Add(ref g, o * batch), ref gwr, o * cols + i0, m, n, stride, pairs, batch, cols);
                        for (; o < rows; o++) WeightRow<TL, TV>(ref xtr, ref Unsafe.Add(ref g, o * batch), ref gwr, o * cols + i0, m, n, stride, pairs, stride);
                    }
                }
            }
        }

        /// <summary>
        /// float32 with AVX-512: 16 x 16 blocks are transposed in registers (<see cref="Transpose16"/>) and sixteen rows' sums
        /// gathered by the same kind of shuffles (<see cref="BiasGradient16"/>).
        /// </summary>
        private static bool RegisterTranspose => typeof(T) == typeof(float) && Avx512F.IsSupported;

        /// <summary>The first element of <paramref name="buffer"/> at an address that is a multiple of 64 bytes (the buffer has 64 bytes to spare).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ref T AlignedStart(Span<T> buffer)
        {
            ref T first = ref MemoryMarshal.GetReference(buffer);
            return ref Unsafe.Add(ref first, ToCacheLine(ref first));
        }

        /// <summary>The elements from <paramref name="first"/> to the next address that is a multiple of 64 bytes (a cache line), 0 if it is one (pinned or stack memory: the address must not move).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static unsafe int ToCacheLine(ref T first)
        {
            nuint address = (nuint)Unsafe.AsPointer(ref first);
            return (int)((64 - (address & 63)) & 63) / Unsafe.SizeOf<T>();
        }

        /// <summary>xt[b, j] = x[j, b] for m samples and n columns, each row of xt padded with zeros to <paramref name="stride"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose(ref T xb, ref T xtr, int m, int n, int stride, int batch)
        {
            int done = 0;   // the columns transposed in registers, 16 x 16 blocks of floats
            if (RegisterTranspose && (m & 15) == 0)
            {
                done = n & ~15;
                for (int b0 = 0; b0 < m; b0 += 16)
                    for (int j0 = 0; j0 < done; j0 += 16)
                        Transpose16(ref Unsafe.As<T, float>(ref Unsafe.Add(ref xb, j0 * batch + b0)), batch, ref Unsafe.As<T, float>(ref Unsafe.Add(ref xtr, b0 * stride + j0)), stride);
            }
            for (int b = 0; b < m; b++)
            {
                ref T row = ref Unsafe.Add(ref xtr, b * stride);
                for (int j = done; j < n; j++) Unsafe.Add(ref row, j) = Unsafe.Add(ref xb, j * batch + b);
                for (int j = n; j < stride; j++) Unsafe.Add(ref row, j) = T.Zero;
            }
        }

        /// <summary>dst[b * dstStride + j] = src[j * srcStride + b] for a 16 x 16 block of floats, in registers (AVX-512).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose16(ref float src, int srcStride, ref float dst, int dstStride)
        {
            Vector512<float> r0 = Vector512.LoadUnsafe(ref src, 0), r1 = Vector512.LoadUnsafe(ref src, (nuint)srcStride),
                r2 = Vector512.LoadUnsafe(ref src, (nuint)(2 * srcStride)), r3 = Vector512.LoadUnsafe(ref src, (nuint)(3 * srcStride)),
                r4 = Vector512.LoadUnsafe(ref src, (nuint)(4 * srcStride)), r5 = Vector512.LoadUnsafe(ref src, (nuint)(5 * srcStride)),
                r6 = Vector512.LoadUnsafe(ref src, (nuint)(6 * srcStride)), r7 = Vector512.LoadUnsafe(ref src, (nuint)(7 * srcStride)),
                r8 = Vector512.LoadUnsafe(ref src, (nuint)(8 * srcStride)), r9 = Vector512.LoadUnsafe(ref src, (nuint)(9 * srcStride)),
                r10 = Vector512.LoadUnsafe(ref src, (nuint)(10 * srcStride)), r11 = Vector512.LoadUnsafe(ref src, (nuint)(11 * srcStride)),
                r12 = Vector512.LoadUnsafe(ref src, (nuint)(12 * srcStride)), r13 = Vector512.LoadUnsafe(ref src, (nuint)(13 * srcStride)),
                r14 = Vector512.LoadUnsafe(ref src, (nuint)(14 * srcStride)), r15 = Vector512.LoadUnsafe(ref src, (nuint)(15 * srcStride));
            // 32-bit interleave of row pairs, then 64-bit interleave of pair pairs: each 128-bit lane holds a 4 x 4 block transposed
            var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1); var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
            var t4 = Avx512F.UnpackLow(r4, r5); var t5 = Avx512F.UnpackHigh(r4, r5); var t6 = Avx512F.UnpackLow(r6, r7); var t7 = Avx512F.UnpackHigh(r6, r7);
            var t8 = Avx512F.UnpackLow(r8, r9); var t9 = Avx512F.UnpackHigh(r8, r9); var t10 = Avx512F.UnpackLow(r10, r11); var t11 = Avx512F.UnpackHigh(r10, r11);
            var t12 = Avx512F.UnpackLow(r12, r13); var t13 = Avx512F.UnpackHigh(r12, r13); var t14 = Avx512F.UnpackLow(r14, r15); var t15 = Avx512F.UnpackHigh(r14, r15);
            r0 = PairLow(t0, t2); r1 = PairHigh(t0, t2); r2 = PairLow(t1, t3); r3 = PairHigh(t1, t3);
            r4 = PairLow(t4, t6); r5 = PairHigh(t4, t6); r6 = PairLow(t5, t7); r7 = PairHigh(t5, t7);
            r8 = PairLow(t8, t10); r9 = PairHigh(t8, t10); r10 = PairLow(t9, t11); r11 = PairHigh(t9, t11);
            r12 = PairLow(t12, t14); r13 = PairHigh(t12, t14); r14 = PairLow(t13, t15); r15 = PairHigh(t13, t15);
            // then the 128-bit lanes: even lanes of two rows, odd lanes of two rows, twice
            t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88); t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
            t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD); t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
            t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88); t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
            t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD); t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);
            Avx512F.Shuffle4x128(t0, t8, 0x88).StoreUnsafe(ref dst, 0);
            Avx512F.Shuffle4x128(t1, t9, 0x88).StoreUnsafe(ref dst, (nuint)dstStride);
            Avx512F.Shuffle4x128(t2, t10, 0x88).StoreUnsafe(ref dst, (nuint)(2 * dstStride));
            Avx512F.Shuffle4x128(t3, t11, 0x88).StoreUnsafe(ref dst, (nuint)(3 * dstStride));
            Avx512F.Shuffle4x128(t4, t12, 0x88).StoreUnsafe(ref dst, (nuint)(4 * dstStride));
            Avx512F.Shuffle4x128(t5, t13, 0x88).StoreUnsafe(ref dst, (nuint)(5 * dstStride));
            Avx512F.Shuffle4x128(t6, t14, 0x88).StoreUnsafe(ref dst, (nuint)(6 * dstStride));
            Avx512F.Shuffle4x128(t7, t15, 0x88).StoreUnsafe(ref dst, (nuint)(7 * dstStride));
            Avx512F.Shuffle4x128(t0, t8, 0xDD).StoreUnsafe(ref dst, (nuint)(8 * dstStride));
            Avx512F.Shuffle4x128(t1, t9, 0xDD).StoreUnsafe(ref dst, (nuint)(9 * dstStride));
            Avx512F.Shuffle4x128(t2, t10, 0xDD).StoreUnsafe(ref dst, (nuint)(10 * dstStride));
            Avx512F.Shuffle4x128(t3, t11, 0xDD).StoreUnsafe(ref dst, (nuint)(11 * dstStride));
            Avx512F.Shuffle4x128(t4, t12, 0xDD).StoreUnsafe(ref dst, (nuint)(12 * dstStride));
            Avx512F.Shuffle4x128(t5, t13, 0xDD).StoreUnsafe(ref dst, (nuint)(13 * dstStride));
            Avx512F.Shuffle4x128(t6, t14, 0xDD).StoreUnsafe(ref dst, (nuint)(14 * dstStride));
            Avx512F.Shuffle4x128(t7, t15, 0xDD).StoreUnsafe(ref dst, (nuint)(15 * dstStride));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> PairLow(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> PairHigh(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

        /// <summary>Four weight rows from gw[at] on, two vectors of columns at a time, over the columns before <paramref name="pairs"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void WeightRows4<TL, TV>(ref T xtr, ref T g0, ref T gwr, int at, int m, int n, int stride, int pairs, int batch, int cols)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            int width = TL.Count, j = 0;
            // Four vectors of columns at a time where there are (sixteen sums in registers: a load per four multiply-adds).
            for (; j + 4 * width <= pairs; j += 4 * width) WeightRows4x4<TL, TV>(ref xtr, ref g0, ref gwr, at + j, m, n - j, stride, j, batch, cols);
            for (; j < pairs; j += 2 * width)
            {
                TV p00 = TL.Zero, p01 = TL.Zero, p10 = TL.Zero, p11 = TL.Zero, p20 = TL.Zero, p21 = TL.Zero, p30 = TL.Zero, p31 = TL.Zero;
                for (int b = 0; b < m; b++)
                {
                    var x0 = TL.Load(ref xtr, (nuint)(b * stride + j));
                    var x1 = TL.Load(ref xtr, (nuint)(b * stride + j + width));
                    var s0 = TL.Splat(Unsafe.Add(ref g0, b));
                    var s1 = TL.Splat(Unsafe.Add(ref g0, batch + b));
                    var s2 = TL.Splat(Unsafe.Add(ref g0, 2 * batch + b));
                    var s3 = TL.Splat(Unsafe.Add(ref g0, 3 * batch + b));
                    p00 = TL.MulAdd(s0, x0, p00);
                    p01 = TL.MulAdd(s0, x1, p01);
                    p10 = TL.MulAdd(s1, x0, p10);
                    p11 = TL.MulAdd(s1, x1, p11);
                    p20 = TL.MulAdd(s2, x0, p20);
                    p21 = TL.MulAdd(s2, x1, p21);
                    p30 = TL.MulAdd(s3, x0, p30);
                    p31 = TL.MulAdd(s3, x1, p31);
                }
                int to = at + j;
                AddTo<TL, TV>(ref gwr, to, p00, n - j);
                AddTo<TL, TV>(ref gwr, to + width, p01, n - j - width);
                AddTo<TL, TV>(ref gwr, to + cols, p10, n - j);
                AddTo<TL, TV>(ref gwr, to + cols + width, p11, n - j - width);
                AddTo<TL, TV>(ref gwr, to + 2 * cols, p20, n - j);
                AddTo<TL, TV>(ref gwr, to + 2 * cols + width, p21, n - j - width);
                AddTo<TL, TV>(ref gwr, to + 3 * cols, p30, n - j);
                AddTo<TL, TV>(ref gwr, to + 3 * cols + width, p31, n - j - width);
            }
        }

        /// <summary>Four weight rows by four vectors of columns: gw[at] on, the columns of xt from <paramref name="j"/>, <paramref name="n"/> of them left in the row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void WeightRows4x4<TL, TV>(ref T xtr, ref T g0, ref T gwr, int at, int m, int n, int stride, int j, int batch, int cols)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            int w = TL.Count;
            TV p00 = TL.Zero, p01 = TL.Zero, p02 = TL.Zero, p03 = TL.Zero, p10 = TL.Zero, p11 = TL.Zero, p12 = TL.Zero, p13 = TL.Zero;
            TV p20 = TL.Zero, p21 = TL.Zero, p22 = TL.Zero, p23 = TL.Zero, p30 = TL.Zero, p31 = TL.Zero, p32 = TL.Zero, p33 = TL.Zero;
            for (int b = 0; b < m; b++)
            {
                ref T xb = ref Unsafe.Add(ref xtr, b * stride + j);
                var x0 = TL.Load(ref xb, 0);
                var x1 = TL.Load(ref xb, (nuint)w);
                var x2 = TL.Load(ref xb, (nuint)(2 * w));
                var x3 = TL.Load(ref xb, (nuint)(3 * w));
                ref T gb = ref Unsafe.Add(ref g0, b);
                var s = TL.Splat(gb);
                p00 = TL.MulAdd(s, x0, p00); p01 = TL.MulAdd(s, x1, p01); p02 = TL.MulAdd(s, x2, p02); p03 = TL.MulAdd(s, x3, p03);
                s = TL.Splat(Unsafe.Add(ref gb, batch));
                p10 = TL.MulAdd(s, x0, p10); p11 = TL.MulAdd(s, x1, p11); p12 = TL.MulAdd(s, x2, p12); p13 = TL.MulAdd(s, x3, p13);
                s = TL.Splat(Unsafe.Add(ref gb, 2 * batch));
                p20 = TL.MulAdd(s, x0, p20); p21 = TL.MulAdd(s, x1, p21); p22 = TL.MulAdd(s, x2, p22); p23 = TL.MulAdd(s, x3, p23);
                s = TL.Splat(Unsafe.Add(ref gb, 3 * batch));
                p30 = TL.MulAdd(s, x0, p30); p31 = TL.MulAdd(s, x1, p31); p32 = TL.MulAdd(s, x2, p32); p33 = TL.MulAdd(s, x3, p33);
            }
            AddTo<TL, TV>(ref gwr, at, p00, n); AddTo<TL, TV>(ref gwr, at + w, p01, n - w); AddTo<TL, TV>(ref gwr, at + 2 * w, p02, n - 2 * w); AddTo<TL, TV>(ref gwr, at + 3 * w, p03, n - 3 * w);
            at += cols;
            AddTo<TL, TV>(ref gwr, at, p10, n); AddTo<TL, TV>(ref gwr, at + w, p11, n - w); AddTo<TL, TV>(ref gwr, at + 2 * w, p12, n - 2 * w); AddTo<TL, TV>(ref gwr, at + 3 * w, p13, n - 3 * w);
            at += cols;
            AddTo<TL, TV>(ref gwr, at, p20, n); AddTo<TL, TV>(ref gwr, at + w, p21, n - w); AddTo<TL, TV>(ref gwr, at + 2 * w, p22, n - 2 * w); AddTo<TL, TV>(ref gwr, at + 3 * w, p23, n - 3 * w);
            at += cols;
            AddTo<TL, TV>(ref gwr, at, p30, n); AddTo<TL, TV>(ref gwr, at + w, p31, n - w); AddTo<TL, TV>(ref gwr, at + 2 * w, p32, n - 2 * w); AddTo<TL, TV>(ref gwr, at + 3 * w, p33, n - 3 * w);
        }

        /// <summary>Two weight rows from gw[at] on, two vectors of columns at a time, over the columns before <paramref name="pairs"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void WeightRows2<TL, TV>(ref T xtr, ref T g0, ref T gwr, int at, int m, int n, int stride, int pairs, int batch, int cols)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            int width = TL.Count;
            ref T g1 = ref Unsafe.Add(ref g0, batch);
            for (int j = 0; j < pairs; j += 2 * width)
            {
                TV p00 = TL.Zero, p01 = TL.Zero, p10 = TL.Zero, p11 = TL.Zero;
                for (int b = 0; b < m; b++)
                {
                    var x0 = TL.Load(ref xtr, (nuint)(b * stride + j));
                    var x1 = TL.Load(ref xtr, (nuint)(b * stride + j + width));
                    var s0 = TL.Splat(Unsafe.Add(ref g0, b));
                    var s1 = TL.Splat(Unsafe.Add(ref g1, b));
                    p00 = TL.MulAdd(s0, x0, p00);
                    p01 = TL.MulAdd(s0, x1, p01);
                    p10 = TL.MulAdd(s1, x0, p10);
                    p11 = TL.MulAdd(s1, x1, p11);
                }
                AddTo<TL, TV>(ref gwr, at + j, p00, n - j);
                AddTo<TL, TV>(ref gwr, at + j + width, p01, n - j - width);
                AddTo<TL, TV>(ref gwr, at + cols + j, p10, n - j);
                AddTo<TL, TV>(ref gwr, at + cols + j + width, p11, n - j - width);
            }
        }

        /// <summary>Eight weight rows from gw[at] on, the one vector of columns from <paramref name="j"/> (the last, when the columns are an odd number of vectors).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void WeightColumn8<TL, TV>(ref T xtr, ref T g0, ref T gwr, int at, int m, int n, int stride, int j, int batch, int cols)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            TV p0 = TL.Zero, p1 = TL.Zero, p2 = TL.Zero, p3 = TL.Zero, p4 = TL.Zero, p5 = TL.Zero, p6 = TL.Zero, p7 = TL.Zero;
            for (int b = 0; b < m; b++)
            {
                var x0 = TL.Load(ref xtr, (nuint)(b * stride + j));
                ref T gb = ref Unsafe.Add(ref g0, b);
                p0 = TL.MulAdd(TL.Splat(gb), x0, p0);
                p1 = TL.MulAdd(TL.Splat(Unsafe.Add(ref gb, batch)), x0, p1);
                p2 = TL.MulAdd(TL.Splat(Unsafe.Add(ref gb, 2 * batch)), x0, p2);
                p3 = TL.MulAdd(TL.Splat(Unsafe.Add(ref gb, 3 * batch)), x0, p3);
                p4 = TL.MulAdd(TL.Splat(Unsafe.Add(ref gb, 4 * batch)), x0, p4);
                p5 = TL.MulAdd(TL.Splat(Unsafe.Add(ref gb, 5 * batch)), x0, p5);
                p6 = TL.MulAdd(TL.Splat(Unsafe.Add(ref gb, 6 * batch)), x0, p6);
                p7 = TL.MulAdd(TL.Splat(Unsafe.Add(ref gb, 7 * batch)), x0, p7);
            }
            int to = at + j, count = n - j;
            AddTo<TL, TV>(ref gwr, to, p0, count);
            AddTo<TL, TV>(ref gwr, to + cols, p1, count);
            AddTo<TL, TV>(ref gwr, to + 2 * cols, p2, count);
            AddTo<TL, TV>(ref gwr, to + 3 * cols, p3, count);
            AddTo<TL, TV>(ref gwr, to + 4 * cols, p4, count);
            AddTo<TL, TV>(ref gwr, to + 5 * cols, p5, count);
            AddTo<TL, TV>(ref gwr, to + 6 * cols, p6, count);
            AddTo<TL, TV>(ref gwr, to + 7 * cols, p7, count);
        }

        /// <summary>One weight row from gw[at] on, a vector of columns at a time from <paramref name="from"/> to <paramref name="to"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void WeightRow<TL, TV>(ref T xtr, ref T g0, ref T gwr, int at, int m, int n, int stride, int from, int to)
            where TL : struct, ILanes<T, TV> where TV : struct
        {
            for (int j = from; j < to; j += TL.Count)
            {
                var p0 = TL.Zero;
                for (int b = 0; b < m; b++) p0 = TL.MulAdd(TL.Splat(Unsafe.Add(ref g0, b)), TL.Load(ref xtr, (nuint)(b * stride + j)), p0);
                AddTo<TL, TV>(ref gwr, at + j, p0, n - j);
            }
        }

        /// <summary>
        /// Adds the first <paramref name="count"/> lanes of <paramref name="v"/> (all of them when it has no more) to gw at
        /// <paramref name="at"/>, a row of gw ending at a column past which the lanes hold padding. A count of zero or less adds
        /// nothing: such a vector lies wholly in the padding, and gw may end before it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddTo<TL, TV>(ref T gwr, int at, TV v, int count) where TL : struct, ILanes<T, TV> where TV : struct
        {
            if (count >= TL.Count) TL.Store(TL.Add(TL.Load(ref gwr, (nuint)at), v), ref gwr, (nuint)at);
            else for (int k = 0; k < count; k++) Unsafe.Add(ref gwr, at + k) += Lane<TL, TV>(v, k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static T Lane<TL, TV>(TV v, int k) where TL : struct, ILanes<T, TV> where TV : struct =>
            Unsafe.Add(ref Unsafe.As<TV, T>(ref v), k);

        /// <summary>
        /// acc + a b. float64: a multiply then an add, each rounded, so sums are the reference's bit for bit. float32 on a CPU
        /// with fused multiply-add: fused (one rounding per term instead of two). Either way a sum of n products stays within
        /// the usual bound of the in-order sum, |computed - exact| &lt;= n u / (1 - n u) (|bias| + sum |w x|), u the unit roundoff
        /// (tested: CellKernelTests.A_float32_layer_is_within_the_in_order_sums_bound). The vector forms are <see cref="ILanes{T, TV}.MulAdd"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static T MulAdd(T a, T b, T acc) => typeof(T) == typeof(float) && Fma.IsSupported ? T.FusedMultiplyAdd(a, b, acc) : acc + a * b;

        /// <summary>y += a x, element by element (a multiply then an add, never fused).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Axpy(T a, ReadOnlySpan<T> x, Span<T> y)
        {
            int n = y.Length, i = 0;
            if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
            {
                var av = new Vector<T>(a);
                var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
                var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
                for (int k = 0; k < yv.Length; k++) yv[k] += av * xv[k];
                i = yv.Length * Vector<T>.Count;
            }
            for (; i < n; i++) y[i] += a * x[i];
        }

        /// <summary>The inner product of two spans of one length.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Dot(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        {
            int n = a.Length, i = 0;
            T s = T.Zero;
            if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
            {
                var av = MemoryMarshal.Cast<T, Vector<T>>(a);
                var bv = MemoryMarshal.Cast<T, Vector<T>>(b);
                var acc = Vector<T>.Zero;
                for (int k = 0; k < av.Length; k++) acc += av[k] * bv[k];
                s = Vector.Sum(acc);
                i = av.Length * Vector<T>.Count;
            }
            for (; i < n; i++) s += a[i] * b[i];
            return s;
        }
    }
}
