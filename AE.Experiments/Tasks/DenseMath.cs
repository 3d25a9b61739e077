using System;
using System.Numerics;
using System.Runtime.InteropServices;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>Small dense linear algebra for building and evaluating the tasks (row-major matrices).</summary>
    public static class DenseMath
    {
        /// <summary>
        /// A random orthogonal n×n matrix (Haar measure): modified Gram–Schmidt on the columns of a
        /// matrix of standard normal draws from <paramref name="source"/>.
        /// </summary>
        public static double[] RandomOrthogonal(int n, ref GaussianSource source)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1");
            var q = new double[n * n];
            for (int i = 0; i < q.Length; i++) q[i] = source.NextGaussian();
            for (int c = 0; c < n; c++)
            {
                for (int pass = 0; pass < 2; pass++) // re-orthogonalise once: orthogonal to 1e-15
                {
                    for (int p = 0; p < c; p++)
                    {
                        double d = 0;
                        for (int r = 0; r < n; r++) d += q[r * n + c] * q[r * n + p];
                        for (int r = 0; r < n; r++) q[r * n + c] -= d * q[r * n + p];
                    }
                }
                double norm = 0;
                for (int r = 0; r < n; r++) norm += q[r * n + c] * q[r * n + c];
                norm = Math.Sqrt(norm);
                for (int r = 0; r < n; r++) q[r * n + c] /= norm;
            }
            return q;
        }

        /// <summary>Q diag(λ) Qᵀ, exactly symmetric.</summary>
        public static double[] FromEigen(double[] q, double[] eigenvalues)
        {
            if (q is null) throw new ArgumentNullException(nameof(q));
            if (eigenvalues is null) throw new ArgumentNullException(nameof(eigenvalues));
            int n = eigenvalues.Length;
            if (q.Length != n * n) throw new ArgumentException("Q must be " + n + "×" + n, nameof(q));
            var a = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = i; j < n; j++)
                {
                    double s = 0;
                    for (int k = 0; k < n; k++) s += q[i * n + k] * eigenvalues[k] * q[j * n + k];
                    a[i * n + j] = s;
                    a[j * n + i] = s;
                }
            }
            return a;
        }

        /// <summary>n eigenvalues log-spaced from 1 down to 1/<paramref name="condition"/>.</summary>
        public static double[] LogSpaced(int n, double condition)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1");
            if (!(condition >= 1) || double.IsInfinity(condition)) throw new ArgumentOutOfRangeException(nameof(condition), condition, "the condition number must be finite and >= 1");
            var l = new double[n];
            for (int i = 0; i < n; i++) l[i] = n == 1 ? 1.0 : Math.Pow(condition, -(double)i / (n - 1));
            return l;
        }

        /// <summary>y = A x for a row-major n×n (or rows×n) matrix.</summary>
        public static void MatVec(ReadOnlySpan<double> a, ReadOnlySpan<double> x, Span<double> y)
        {
            int n = x.Length;
            for (int r = 0; r < y.Length; r++) y[r] = Dot(a.Slice(r * n, n), x);
        }

        /// <summary>The dot product, vectorised.</summary>
        public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            int n = a.Length;
            int i = 0;
            double s = 0;
            if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
            {
                var va = MemoryMarshal.Cast<double, Vector<double>>(a);
                var vb = MemoryMarshal.Cast<double, Vector<double>>(b.Slice(0, n));
                var acc = Vector<double>.Zero;
                for (int k = 0; k < va.Length; k++) acc += va[k] * vb[k];
                s = Vector.Sum(acc);
                i = va.Length * Vector<double>.Count;
            }
            for (; i < n; i++) s += a[i] * b[i];
            return s;
        }

        /// <summary>y += c x, vectorised.</summary>
        public static void AddScaled(Span<double> y, double c, ReadOnlySpan<double> x)
        {
            int n = y.Length;
            int i = 0;
            if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
            {
                var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
                var vx = MemoryMarshal.Cast<double, Vector<double>>(x.Slice(0, n));
                var vc = new Vector<double>(c);
                for (int k = 0; k < vy.Length; k++) vy[k] += vc * vx[k];
                i = vy.Length * Vector<double>.Count;
            }
            for (; i < n; i++) y[i] += c * x[i];
        }

        /// <summary>
        /// Solves S x = b for a symmetric positive definite S by Cholesky; false when S is not
        /// (numerically) positive definite.
        /// </summary>
        public static bool TrySolveSpd(double[] s, double[] b, out double[] x)
        {
            if (s is null) throw new ArgumentNullException(nameof(s));
            if (b is null) throw new ArgumentNullException(nameof(b));
            int n = b.Length;
            if (s.Length != n * n) throw new ArgumentException("S must be " + n + "×" + n, nameof(s));
            var l = new double[n * n];
            double scale = 0;
            for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(s[i * n + i]));
            x = Array.Empty<double>();
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double sum = s[i * n + j];
                    for (int k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
                    if (i == j)
                    {
                        if (!(sum > 1e-13 * scale)) return false;
                        l[i * n + i] = Math.Sqrt(sum);
                    }
                    else l[i * n + j] = sum / l[j * n + j];
                }
            }
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                double sum = b[i];
                for (int k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
                y[i] = sum / l[i * n + i];
            }
            x = new double[n];
            for (int i = n - 1; i >= 0; i--)
            {
                double sum = y[i];
                for (int k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
                x[i] = sum / l[i * n + i];
            }
            return true;
        }
    }
}
