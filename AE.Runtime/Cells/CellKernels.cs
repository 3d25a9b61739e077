using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// The matrix work of generated cells over a batch. Values are laid out element-major, batch-minor
    /// (element i of sample b at i * batch + b), so a layer is a matrix-matrix product W[out, in] X[in, batch]
    /// computed as rows of axpys over contiguous batch slices: each output element sums bias + W[o,0] x[0] +
    /// W[o,1] x[1] + ... in index order, as the language's reference does, so float64 forward values agree
    /// with the reference bit for bit. No fused multiply-add, for the same reason.
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
            if (Vector.IsHardwareAccelerated)
            {
                // A batch slice of one vector per output row, summed in registers: bias, then w[o,0] x[0], w[o,1] x[1], ...
                for (; c + width <= batch; c += width)
                {
                    int o = 0;
                    for (; o + 4 <= rows; o += 4)
                    {
                        var a0 = new Vector<T>(bias[o]);
                        var a1 = new Vector<T>(bias[o + 1]);
                        var a2 = new Vector<T>(bias[o + 2]);
                        var a3 = new Vector<T>(bias[o + 3]);
                        for (int i = 0; i < cols; i++)
                        {
                            var xi = Vector.LoadUnsafe(ref xr, (nuint)(i * batch + c));
                            a0 += new Vector<T>(Unsafe.Add(ref wr, o * cols + i)) * xi;
                            a1 += new Vector<T>(Unsafe.Add(ref wr, (o + 1) * cols + i)) * xi;
                            a2 += new Vector<T>(Unsafe.Add(ref wr, (o + 2) * cols + i)) * xi;
                            a3 += new Vector<T>(Unsafe.Add(ref wr, (o + 3) * cols + i)) * xi;
                        }
                        a0.StoreUnsafe(ref yr, (nuint)(o * batch + c));
                        a1.StoreUnsafe(ref yr, (nuint)((o + 1) * batch + c));
                        a2.StoreUnsafe(ref yr, (nuint)((o + 2) * batch + c));
                        a3.StoreUnsafe(ref yr, (nuint)((o + 3) * batch + c));
                    }
                    for (; o < rows; o++)
                    {
                        var a = new Vector<T>(bias[o]);
                        for (int i = 0; i < cols; i++) a += new Vector<T>(Unsafe.Add(ref wr, o * cols + i)) * Vector.LoadUnsafe(ref xr, (nuint)(i * batch + c));
                        a.StoreUnsafe(ref yr, (nuint)(o * batch + c));
                    }
                }
            }
            for (; c < batch; c++)
                for (int o = 0; o < rows; o++)
                {
                    T s = bias[o];
                    for (int i = 0; i < cols; i++) s += Unsafe.Add(ref wr, o * cols + i) * Unsafe.Add(ref xr, i * batch + c);
                    Unsafe.Add(ref yr, o * batch + c) = s;
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
            for (int o = 0; o < rows; o++)
            {
                var go = gy.Slice(o * batch, batch);
                T sum = T.Zero;
                for (int b = 0; b < batch; b++) sum += go[b];
                gbias[o] += sum;
                var gwo = gw.Slice(o * cols, cols);
                for (int i = 0; i < cols; i++) gwo[i] += Dot(go, x.Slice(i * batch, batch));
            }
            // d/d x: a batch slice of one vector per input, summed over the rows in registers.
            int width = Vector<T>.Count, c = 0;
            if (Vector.IsHardwareAccelerated)
                for (; c + width <= batch; c += width)
                    for (int i = 0; i < cols; i++)
                    {
                        var a = Vector.LoadUnsafe(ref gxr, (nuint)(i * batch + c));
                        for (int o = 0; o < rows; o++) a += new Vector<T>(Unsafe.Add(ref wr, o * cols + i)) * Vector.LoadUnsafe(ref gyr, (nuint)(o * batch + c));
                        a.StoreUnsafe(ref gxr, (nuint)(i * batch + c));
                    }
            for (; c < batch; c++)
                for (int i = 0; i < cols; i++)
                {
                    T a = Unsafe.Add(ref gxr, i * batch + c);
                    for (int o = 0; o < rows; o++) a += Unsafe.Add(ref wr, o * cols + i) * Unsafe.Add(ref gyr, o * batch + c);
                    Unsafe.Add(ref gxr, i * batch + c) = a;
                }
        }

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
