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
    /// </summary>
    public static class CellKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>y[o, :] = bias[o] + sum_i w[o, i] x[i, :] for a weight of shape [rows, cols] (PyTorch's nn.Linear).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Linear(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, ReadOnlySpan<T> x, Span<T> y, int rows, int cols, int batch)
        {
            if (w.Length < rows * cols || bias.Length < rows || x.Length < cols * batch || y.Length < rows * batch) throw new ArgumentException("a span is shorter than the layer");
            ref T wr = ref MemoryMarshal.GetReference(w);
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T yr = ref MemoryMarshal.GetReference(y);
            int width = Vector<T>.Count, c = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; c + Vector512<T>.Count <= batch; c += Vector512<T>.Count) LinearSlice512(ref wr, bias, ref xr, ref yr, rows, cols, batch, c);
            if (Vector.IsHardwareAccelerated)
            {
                // A batch slice of one vector per output row, eight rows summed in registers: bias, then w[o,0] x[0], w[o,1] x[1], ...
                for (; c + width <= batch; c += width)
                {
                    int o = 0;
                    for (; o + 8 <= rows; o += 8)
                    {
                        ref T w0 = ref Unsafe.Add(ref wr, o * cols);
                        Vector<T> a0 = new(bias[o]), a1 = new(bias[o + 1]), a2 = new(bias[o + 2]), a3 = new(bias[o + 3]);
                        Vector<T> a4 = new(bias[o + 4]), a5 = new(bias[o + 5]), a6 = new(bias[o + 6]), a7 = new(bias[o + 7]);
                        for (int i = 0; i < cols; i++)
                        {
                            var xi = Vector.LoadUnsafe(ref xr, (nuint)(i * batch + c));
                            ref T wi = ref Unsafe.Add(ref w0, i);
                            a0 = MulAdd(new Vector<T>(wi), xi, a0);
                            a1 = MulAdd(new Vector<T>(Unsafe.Add(ref wi, cols)), xi, a1);
                            a2 = MulAdd(new Vector<T>(Unsafe.Add(ref wi, 2 * cols)), xi, a2);
                            a3 = MulAdd(new Vector<T>(Unsafe.Add(ref wi, 3 * cols)), xi, a3);
                            a4 = MulAdd(new Vector<T>(Unsafe.Add(ref wi, 4 * cols)), xi, a4);
                            a5 = MulAdd(new Vector<T>(Unsafe.Add(ref wi, 5 * cols)), xi, a5);
                            a6 = MulAdd(new Vector<T>(Unsafe.Add(ref wi, 6 * cols)), xi, a6);
                            a7 = MulAdd(new Vector<T>(Unsafe.Add(ref wi, 7 * cols)), xi, a7);
                        }
                        ref T y0 = ref Unsafe.Add(ref yr, o * batch + c);
                        a0.StoreUnsafe(ref y0);
                        a1.StoreUnsafe(ref y0, (nuint)batch);
                        a2.StoreUnsafe(ref y0, (nuint)(2 * batch));
                        a3.StoreUnsafe(ref y0, (nuint)(3 * batch));
                        a4.StoreUnsafe(ref y0, (nuint)(4 * batch));
                        a5.StoreUnsafe(ref y0, (nuint)(5 * batch));
                        a6.StoreUnsafe(ref y0, (nuint)(6 * batch));
                        a7.StoreUnsafe(ref y0, (nuint)(7 * batch));
                    }
                    for (; o < rows; o++)
                    {
                        var a = new Vector<T>(bias[o]);
                        for (int i = 0; i < cols; i++) a = MulAdd(new Vector<T>(Unsafe.Add(ref wr, o * cols + i)), Vector.LoadUnsafe(ref xr, (nuint)(i * batch + c)), a);
                        a.StoreUnsafe(ref yr, (nuint)(o * batch + c));
                    }
                }
            }
            for (; c < batch; c++)
                for (int o = 0; o < rows; o++)
                {
                    T s = bias[o];
                    for (int i = 0; i < cols; i++) s = MulAdd(Unsafe.Add(ref wr, o * cols + i), Unsafe.Add(ref xr, i * batch + c), s);
                    Unsafe.Add(ref yr, o * batch + c) = s;
                }
        }

        /// <summary>
        /// One 512-bit batch slice of <see cref="Linear"/>: eight output rows at a time, each summed in its own register in
        /// index order (bias, then w[o,0] x[0], w[o,1] x[1], ...), the weights broadcast from memory.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void LinearSlice512(ref T wr, ReadOnlySpan<T> bias, ref T xr, ref T yr, int rows, int cols, int batch, int c)
        {
            int o = 0;
            for (; o + 8 <= rows; o += 8)
            {
                ref T w0 = ref Unsafe.Add(ref wr, o * cols);
                var a0 = Vector512.Create(bias[o]);
                var a1 = Vector512.Create(bias[o + 1]);
                var a2 = Vector512.Create(bias[o + 2]);
                var a3 = Vector512.Create(bias[o + 3]);
                var a4 = Vector512.Create(bias[o + 4]);
                var a5 = Vector512.Create(bias[o + 5]);
                var a6 = Vector512.Create(bias[o + 6]);
                var a7 = Vector512.Create(bias[o + 7]);
                for (int i = 0; i < cols; i++)
                {
                    var xi = Vector512.LoadUnsafe(ref xr, (nuint)(i * batch + c));
                    a0 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, i)), xi, a0);
                    a1 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, cols + i)), xi, a1);
                    a2 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, 2 * cols + i)), xi, a2);
                    a3 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, 3 * cols + i)), xi, a3);
                    a4 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, 4 * cols + i)), xi, a4);
                    a5 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, 5 * cols + i)), xi, a5);
                    a6 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, 6 * cols + i)), xi, a6);
                    a7 = MulAdd512(Vector512.Create(Unsafe.Add(ref w0, 7 * cols + i)), xi, a7);
                }
                a0.StoreUnsafe(ref yr, (nuint)(o * batch + c));
                a1.StoreUnsafe(ref yr, (nuint)((o + 1) * batch + c));
                a2.StoreUnsafe(ref yr, (nuint)((o + 2) * batch + c));
                a3.StoreUnsafe(ref yr, (nuint)((o + 3) * batch + c));
                a4.StoreUnsafe(ref yr, (nuint)((o + 4) * batch + c));
                a5.StoreUnsafe(ref yr, (nuint)((o + 5) * batch + c));
                a6.StoreUnsafe(ref yr, (nuint)((o + 6) * batch + c));
                a7.StoreUnsafe(ref yr, (nuint)((o + 7) * batch + c));
            }
            for (; o + 2 <= rows; o += 2)
            {
                var a0 = Vector512.Create(bias[o]);
                var a1 = Vector512.Create(bias[o + 1]);
                for (int i = 0; i < cols; i++)
                {
                    var xi = Vector512.LoadUnsafe(ref xr, (nuint)(i * batch + c));
                    a0 = MulAdd512(Vector512.Create(Unsafe.Add(ref wr, o * cols + i)), xi, a0);
                    a1 = MulAdd512(Vector512.Create(Unsafe.Add(ref wr, (o + 1) * cols + i)), xi, a1);
                }
                a0.StoreUnsafe(ref yr, (nuint)(o * batch + c));
                a1.StoreUnsafe(ref yr, (nuint)((o + 1) * batch + c));
            }
            for (; o < rows; o++)
            {
                var a = Vector512.Create(bias[o]);
                for (int i = 0; i < cols; i++) a = MulAdd512(Vector512.Create(Unsafe.Add(ref wr, o * cols + i)), Vector512.LoadUnsafe(ref xr, (nuint)(i * batch + c)), a);
                a.StoreUnsafe(ref yr, (nuint)(o * batch + c));
            }
        }

        /// <summary>
        /// The adjoint of <see cref="Linear"/>: given gy = d objective / d y, adds d/d bias (sum over the batch),
        /// d/d w (gy xᵀ) and d/d x (wᵀ gy) to <paramref name="gbias"/>, <paramref name="gw"/> and <paramref name="gx"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void LinearBackward(ReadOnlySpan<T> w, ReadOnlySpan<T> x, ReadOnlySpan<T> gy, Span<T> gx, Span<T> gw, Span<T> gbias, int rows, int cols, int batch)
        {
            if (w.Length < rows * cols || gw.Length < rows * cols || gbias.Length < rows || x.Length < cols * batch || gx.Length < cols * batch || gy.Length < rows * batch)
                throw new ArgumentException("a span is shorter than the layer");
            ref T wr = ref MemoryMarshal.GetReference(w);
            ref T gyr = ref MemoryMarshal.GetReference(gy);
            ref T gxr = ref MemoryMarshal.GetReference(gx);
            if (Vector512.IsHardwareAccelerated)
            {
                LinearBackward512(ref wr, x, ref gyr, ref gxr, gw, gbias, rows, cols, batch);
                return;
            }
            for (int o = 0; o < rows; o++)
            {
                var go = gy.Slice(o * batch, batch);
                T sum = T.Zero;
                for (int b = 0; b < batch; b++) sum += go[b];
                gbias[o] += sum;
                var gwo = gw.Slice(o * cols, cols);
                for (int i = 0; i < cols; i++) gwo[i] += Dot(go, x.Slice(i * batch, batch));
            }
            InputGradient(ref wr, ref gyr, ref gxr, rows, cols, batch, 0);
        }

        /// <summary>
        /// d/d x of a layer, gx += wᵀ gy, for the samples from <paramref name="c"/> on: batch slices of one Vector&lt;T&gt;, four
        /// inputs at a time, each summed over the rows in its own register; the last samples one at a time.
        /// </summary>
        private static void InputGradient(ref T wr, ref T gyr, ref T gxr, int rows, int cols, int batch, int c)
        {
            int width = Vector<T>.Count;
            if (Vector.IsHardwareAccelerated)
                for (; c + width <= batch; c += width)
                {
                    int i = 0;
                    for (; i + 4 <= cols; i += 4)
                    {
                        var a0 = Vector.LoadUnsafe(ref gxr, (nuint)(i * batch + c));
                        var a1 = Vector.LoadUnsafe(ref gxr, (nuint)((i + 1) * batch + c));
                        var a2 = Vector.LoadUnsafe(ref gxr, (nuint)((i + 2) * batch + c));
                        var a3 = Vector.LoadUnsafe(ref gxr, (nuint)((i + 3) * batch + c));
                        for (int o = 0; o < rows; o++)
                        {
                            var g = Vector.LoadUnsafe(ref gyr, (nuint)(o * batch + c));
                            ref T wo = ref Unsafe.Add(ref wr, o * cols + i);
                            a0 = MulAdd(new Vector<T>(wo), g, a0);
                            a1 = MulAdd(new Vector<T>(Unsafe.Add(ref wo, 1)), g, a1);
                            a2 = MulAdd(new Vector<T>(Unsafe.Add(ref wo, 2)), g, a2);
                            a3 = MulAdd(new Vector<T>(Unsafe.Add(ref wo, 3)), g, a3);
                        }
                        a0.StoreUnsafe(ref gxr, (nuint)(i * batch + c));
                        a1.StoreUnsafe(ref gxr, (nuint)((i + 1) * batch + c));
                        a2.StoreUnsafe(ref gxr, (nuint)((i + 2) * batch + c));
                        a3.StoreUnsafe(ref gxr, (nuint)((i + 3) * batch + c));
                    }
                    for (; i < cols; i++)
                    {
                        var a = Vector.LoadUnsafe(ref gxr, (nuint)(i * batch + c));
                        for (int o = 0; o < rows; o++) a = MulAdd(new Vector<T>(Unsafe.Add(ref wr, o * cols + i)), Vector.LoadUnsafe(ref gyr, (nuint)(o * batch + c)), a);
                        a.StoreUnsafe(ref gxr, (nuint)(i * batch + c));
                    }
                }
            for (; c < batch; c++)
                for (int i = 0; i < cols; i++)
                {
                    T a = Unsafe.Add(ref gxr, i * batch + c);
                    for (int o = 0; o < rows; o++) a = MulAdd(Unsafe.Add(ref wr, o * cols + i), Unsafe.Add(ref gyr, o * batch + c), a);
                    Unsafe.Add(ref gxr, i * batch + c) = a;
                }
        }

        /// <summary>Samples and columns of x transposed at a time in <see cref="LinearBackward512"/>'s weight gradient (a stack buffer of their product).</summary>
        private const int GradientBatch = 32, GradientColumns = 64;

        /// <summary>
        /// <see cref="LinearBackward"/> with 512-bit vectors. d/d x: eight inputs at a time, each summed over the rows in its
        /// own register for a batch slice. d/d w: x transposed a block at a time onto the stack ([sample][column], the columns
        /// padded with zeros to whole vectors), then each pair of weight rows summed over the samples in registers (gy[o, b]
        /// broadcast times the row of x for sample b) and added to gw.
        /// </summary>
        [SkipLocalsInit]
        private static void LinearBackward512(ref T wr, ReadOnlySpan<T> x, ref T gyr, ref T gxr, Span<T> gw, Span<T> gbias, int rows, int cols, int batch)
        {
            int width = Vector512<T>.Count;
            for (int o = 0; o < rows; o++)
            {
                ref T go = ref Unsafe.Add(ref gyr, o * batch);
                int b = 0;
                var acc = Vector512<T>.Zero;
                for (; b + width <= batch; b += width) acc += Vector512.LoadUnsafe(ref go, (nuint)b);
                T sum = Vector512.Sum(acc);
                for (; b < batch; b++) sum += Unsafe.Add(ref go, b);
                gbias[o] += sum;
            }

            int c = 0;
            for (; c + width <= batch; c += width)
            {
                int i = 0;
                for (; i + 8 <= cols; i += 8)
                {
                    var a0 = Vector512.LoadUnsafe(ref gxr, (nuint)(i * batch + c));
                    var a1 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 1) * batch + c));
                    var a2 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 2) * batch + c));
                    var a3 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 3) * batch + c));
                    var a4 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 4) * batch + c));
                    var a5 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 5) * batch + c));
                    var a6 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 6) * batch + c));
                    var a7 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 7) * batch + c));
                    for (int o = 0; o < rows; o++)
                    {
                        var g = Vector512.LoadUnsafe(ref gyr, (nuint)(o * batch + c));
                        ref T wo = ref Unsafe.Add(ref wr, o * cols + i);
                        a0 = MulAdd512(Vector512.Create(wo), g, a0);
                        a1 = MulAdd512(Vector512.Create(Unsafe.Add(ref wo, 1)), g, a1);
                        a2 = MulAdd512(Vector512.Create(Unsafe.Add(ref wo, 2)), g, a2);
                        a3 = MulAdd512(Vector512.Create(Unsafe.Add(ref wo, 3)), g, a3);
                        a4 = MulAdd512(Vector512.Create(Unsafe.Add(ref wo, 4)), g, a4);
                        a5 = MulAdd512(Vector512.Create(Unsafe.Add(ref wo, 5)), g, a5);
                        a6 = MulAdd512(Vector512.Create(Unsafe.Add(ref wo, 6)), g, a6);
                        a7 = MulAdd512(Vector512.Create(Unsafe.Add(ref wo, 7)), g, a7);
                    }
                    a0.StoreUnsafe(ref gxr, (nuint)(i * batch + c));
                    a1.StoreUnsafe(ref gxr, (nuint)((i + 1) * batch + c));
                    a2.StoreUnsafe(ref gxr, (nuint)((i + 2) * batch + c));
                    a3.StoreUnsafe(ref gxr, (nuint)((i + 3) * batch + c));
                    a4.StoreUnsafe(ref gxr, (nuint)((i + 4) * batch + c));
                    a5.StoreUnsafe(ref gxr, (nuint)((i + 5) * batch + c));
                    a6.StoreUnsafe(ref gxr, (nuint)((i + 6) * batch + c));
                    a7.StoreUnsafe(ref gxr, (nuint)((i + 7) * batch + c));
                }
                for (; i + 2 <= cols; i += 2)
                {
                    var a0 = Vector512.LoadUnsafe(ref gxr, (nuint)(i * batch + c));
                    var a1 = Vector512.LoadUnsafe(ref gxr, (nuint)((i + 1) * batch + c));
                    for (int o = 0; o < rows; o++)
                    {
                        var g = Vector512.LoadUnsafe(ref gyr, (nuint)(o * batch + c));
                        a0 = MulAdd512(Vector512.Create(Unsafe.Add(ref wr, o * cols + i)), g, a0);
                        a1 = MulAdd512(Vector512.Create(Unsafe.Add(ref wr, o * cols + i + 1)), g, a1);
                    }
                    a0.StoreUnsafe(ref gxr, (nuint)(i * batch + c));
                    a1.StoreUnsafe(ref gxr, (nuint)((i + 1) * batch + c));
                }
                for (; i < cols; i++)
                {
                    var a = Vector512.LoadUnsafe(ref gxr, (nuint)(i * batch + c));
                    for (int o = 0; o < rows; o++) a = MulAdd512(Vector512.Create(Unsafe.Add(ref wr, o * cols + i)), Vector512.LoadUnsafe(ref gyr, (nuint)(o * batch + c)), a);
                    a.StoreUnsafe(ref gxr, (nuint)(i * batch + c));
                }
            }
            InputGradient(ref wr, ref gyr, ref gxr, rows, cols, batch, c);

            if (rows <= 4)
            {
                // Few rows: the transposition would cost more than it saves; each weight's sum over the samples directly.
                for (int o = 0; o < rows; o++)
                    for (int i = 0; i < cols; i++) gw[o * cols + i] += Dot(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref gyr, o * batch), batch), x.Slice(i * batch, batch));
                return;
            }

            Span<T> xt = stackalloc T[GradientBatch * GradientColumns];
            ref T xtr = ref MemoryMarshal.GetReference(xt);
            ref T gwr = ref MemoryMarshal.GetReference(gw);
            for (int i0 = 0; i0 < cols; i0 += GradientColumns)
            {
                int n = Math.Min(GradientColumns, cols - i0);
                int stride = (n + width - 1) / width * width;
                for (int b0 = 0; b0 < batch; b0 += GradientBatch)
                {
                    int m = Math.Min(GradientBatch, batch - b0);
                    ref T xb = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), i0 * batch + b0);
                    for (int b = 0; b < m; b++)
                    {
                        ref T row = ref Unsafe.Add(ref xtr, b * stride);
                        for (int j = 0; j < n; j++) Unsafe.Add(ref row, j) = Unsafe.Add(ref xb, j * batch + b);
                        for (int j = n; j < stride; j++) Unsafe.Add(ref row, j) = T.Zero;
                    }
                    int o = 0;
                    // four weight rows by two vectors of columns in registers, where the columns are whole pairs of vectors
                    for (; o + 4 <= rows && stride % (2 * width) == 0; o += 4)
                    {
                        ref T g0 = ref Unsafe.Add(ref gyr, o * batch + b0);
                        for (int j = 0; j < stride; j += 2 * width)
                        {
                            Vector512<T> p00 = Vector512<T>.Zero, p01 = Vector512<T>.Zero, p10 = Vector512<T>.Zero, p11 = Vector512<T>.Zero;
                            Vector512<T> p20 = Vector512<T>.Zero, p21 = Vector512<T>.Zero, p30 = Vector512<T>.Zero, p31 = Vector512<T>.Zero;
                            for (int b = 0; b < m; b++)
                            {
                                var x0 = Vector512.LoadUnsafe(ref xtr, (nuint)(b * stride + j));
                                var x1 = Vector512.LoadUnsafe(ref xtr, (nuint)(b * stride + j + width));
                                var s0 = Vector512.Create(Unsafe.Add(ref g0, b));
                                var s1 = Vector512.Create(Unsafe.Add(ref g0, batch + b));
                                var s2 = Vector512.Create(Unsafe.Add(ref g0, 2 * batch + b));
                                var s3 = Vector512.Create(Unsafe.Add(ref g0, 3 * batch + b));
                                p00 = MulAdd512(s0, x0, p00);
                                p01 = MulAdd512(s0, x1, p01);
                                p10 = MulAdd512(s1, x0, p10);
                                p11 = MulAdd512(s1, x1, p11);
                                p20 = MulAdd512(s2, x0, p20);
                                p21 = MulAdd512(s2, x1, p21);
                                p30 = MulAdd512(s3, x0, p30);
                                p31 = MulAdd512(s3, x1, p31);
                            }
                            int at = o * cols + i0 + j;
                            AddTo(gw, at, p00, n - j);
                            AddTo(gw, at + width, p01, n - j - width);
                            AddTo(gw, at + cols, p10, n - j);
                            AddTo(gw, at + cols + width, p11, n - j - width);
                            AddTo(gw, at + 2 * cols, p20, n - j);
                            AddTo(gw, at + 2 * cols + width, p21, n - j - width);
                            AddTo(gw, at + 3 * cols, p30, n - j);
                            AddTo(gw, at + 3 * cols + width, p31, n - j - width);
                        }
                    }
                    for (; o + 2 <= rows; o += 2)
                    {
                        ref T g0 = ref Unsafe.Add(ref gyr, o * batch + b0);
                        ref T g1 = ref Unsafe.Add(ref gyr, (o + 1) * batch + b0);
                        int j = 0;
                        for (; j + 2 * width <= stride; j += 2 * width)
                        {
                            Vector512<T> p00 = Vector512<T>.Zero, p01 = Vector512<T>.Zero, p10 = Vector512<T>.Zero, p11 = Vector512<T>.Zero;
                            for (int b = 0; b < m; b++)
                            {
                                var x0 = Vector512.LoadUnsafe(ref xtr, (nuint)(b * stride + j));
                                var x1 = Vector512.LoadUnsafe(ref xtr, (nuint)(b * stride + j + width));
                                var s0 = Vector512.Create(Unsafe.Add(ref g0, b));
                                var s1 = Vector512.Create(Unsafe.Add(ref g1, b));
                                p00 = MulAdd512(s0, x0, p00);
                                p01 = MulAdd512(s0, x1, p01);
                                p10 = MulAdd512(s1, x0, p10);
                                p11 = MulAdd512(s1, x1, p11);
                            }
                            AddTo(gw, o * cols + i0 + j, p00, n - j);
                            AddTo(gw, o * cols + i0 + j + width, p01, n - j - width);
                            AddTo(gw, (o + 1) * cols + i0 + j, p10, n - j);
                            AddTo(gw, (o + 1) * cols + i0 + j + width, p11, n - j - width);
                        }
                        for (; j < stride; j += width)
                        {
                            Vector512<T> p0 = Vector512<T>.Zero, p1 = Vector512<T>.Zero;
                            for (int b = 0; b < m; b++)
                            {
                                var x0 = Vector512.LoadUnsafe(ref xtr, (nuint)(b * stride + j));
                                p0 = MulAdd512(Vector512.Create(Unsafe.Add(ref g0, b)), x0, p0);
                                p1 = MulAdd512(Vector512.Create(Unsafe.Add(ref g1, b)), x0, p1);
                            }
                            AddTo(gw, o * cols + i0 + j, p0, n - j);
                            AddTo(gw, (o + 1) * cols + i0 + j, p1, n - j);
                        }
                    }
                    for (; o < rows; o++)
                    {
                        ref T g0 = ref Unsafe.Add(ref gyr, o * batch + b0);
                        for (int j = 0; j < stride; j += width)
                        {
                            var p0 = Vector512<T>.Zero;
                            for (int b = 0; b < m; b++) p0 = MulAdd512(Vector512.Create(Unsafe.Add(ref g0, b)), Vector512.LoadUnsafe(ref xtr, (nuint)(b * stride + j)), p0);
                            AddTo(gw, o * cols + i0 + j, p0, n - j);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Adds the first <paramref name="count"/> lanes of <paramref name="v"/> (all of them when it has no more) to the span at
        /// <paramref name="at"/>: a whole vector whenever the span is long enough, the lanes past <paramref name="count"/> adding zero.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddTo(Span<T> span, int at, Vector512<T> v, int count)
        {
            ref T r = ref MemoryMarshal.GetReference(span);
            int width = Vector512<T>.Count;
            if (count < width) v = Vector512.ConditionalSelect(Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(count))), v, Vector512<T>.Zero);
            if (at + width <= span.Length) (Vector512.LoadUnsafe(ref r, (nuint)at) + v).StoreUnsafe(ref r, (nuint)at);
            else for (int k = 0; k < Math.Min(count, width); k++) Unsafe.Add(ref r, at + k) += v.GetElement(k);
        }

        /// <summary>
        /// acc + a b. float64: a multiply then an add, each rounded, so sums are the reference's bit for bit. float32 on a CPU
        /// with fused multiply-add: fused (one rounding per term instead of two). Either way a sum of n products stays within
        /// the usual bound of the in-order sum, |computed - exact| &lt;= n u / (1 - n u) (|bias| + sum |w x|), u the unit roundoff
        /// (tested: CellKernelTests.A_float32_layer_is_within_the_in_order_sums_bound).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<T> MulAdd(Vector<T> a, Vector<T> b, Vector<T> acc) =>
            typeof(T) == typeof(float) && Fma.IsSupported
                ? Vector.As<float, T>(Vector.FusedMultiplyAdd(Vector.As<T, float>(a), Vector.As<T, float>(b), Vector.As<T, float>(acc)))
                : acc + a * b;

        /// <summary><see cref="MulAdd(Vector{T}, Vector{T}, Vector{T})"/> for one number (a sample past the last vector computes as a vector's lane does).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static T MulAdd(T a, T b, T acc) => typeof(T) == typeof(float) && Fma.IsSupported ? T.FusedMultiplyAdd(a, b, acc) : acc + a * b;

        /// <summary><see cref="MulAdd(Vector{T}, Vector{T}, Vector{T})"/> for 512-bit vectors.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<T> MulAdd512(Vector512<T> a, Vector512<T> b, Vector512<T> acc) =>
            typeof(T) == typeof(float) && Fma.IsSupported
                ? Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), acc.As<T, float>()).As<float, T>()
                : acc + a * b;

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
