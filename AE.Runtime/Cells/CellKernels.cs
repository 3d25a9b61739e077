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
        public static void Linear(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, ReadOnlySpan<T> x, Span<T> y, int rows, int cols, int batch)
        {
            for (int o = 0; o < rows; o++)
            {
                var yo = y.Slice(o * batch, batch);
                yo.Fill(bias[o]);
                var wo = w.Slice(o * cols, cols);
                for (int i = 0; i < cols; i++) Axpy(wo[i], x.Slice(i * batch, batch), yo);
            }
        }

        /// <summary>
        /// The adjoint of <see cref="Linear"/>: given gy = d objective / d y, adds d/d bias (sum over the batch),
        /// d/d w (gy xᵀ) and d/d x (wᵀ gy) to <paramref name="gbias"/>, <paramref name="gw"/> and <paramref name="gx"/>.
        /// </summary>
        public static void LinearBackward(ReadOnlySpan<T> w, ReadOnlySpan<T> x, ReadOnlySpan<T> gy, Span<T> gx, Span<T> gw, Span<T> gbias, int rows, int cols, int batch)
        {
            for (int o = 0; o < rows; o++)
            {
                var go = gy.Slice(o * batch, batch);
                T sum = T.Zero;
                for (int b = 0; b < batch; b++) sum += go[b];
                gbias[o] += sum;
                var wo = w.Slice(o * cols, cols);
                var gwo = gw.Slice(o * cols, cols);
                for (int i = 0; i < cols; i++)
                {
                    var xi = x.Slice(i * batch, batch);
                    gwo[i] += Dot(go, xi);
                    Axpy(wo[i], go, gx.Slice(i * batch, batch));
                }
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
