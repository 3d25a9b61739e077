using System;

namespace AE.Experiments.Problems
{
    /// <summary>
    /// The second derivative of a deterministic loss, as a product: H(θ) v, the Hessian at θ times a vector.
    /// What reverse mode needs to differentiate through a gradient (the meta-gradient of an optimizer law,
    /// <see cref="MetaGradients.LawMetaGradient"/>): the gradient the law sees at step k depends on θ_k
    /// through H. Exact for every implementation (no finite differences). Allocates nothing.
    /// </summary>
    public interface IHessianVectorProduct
    {
        /// <summary>Writes H(<paramref name="theta"/>) <paramref name="v"/> into <paramref name="hv"/>.</summary>
        /// <exception cref="ArgumentException">a span whose length is not the dimension</exception>
        void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv);
    }

    internal static class HessianChecks
    {
        public static void Lengths(int dimension, ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            if (theta.Length != dimension || v.Length != dimension || hv.Length != dimension)
                throw new ArgumentException("theta, v and hv have " + theta.Length + ", " + v.Length + " and " + hv.Length + " values; the dimension is " + dimension);
        }

        /// <summary>hv = M v for a row-major n×n matrix M.</summary>
        public static void MatVec(ReadOnlySpan<double> m, ReadOnlySpan<double> v, Span<double> hv)
        {
            int n = v.Length;
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += m[i * n + j] * v[j];
                hv[i] = s;
            }
        }

        /// <summary>Least squares mean over rows of (x_r·θ − y_r)²: H v = (2 / rows) Σ_r x_r (x_r·v), x row-major rows×n.</summary>
        public static void LeastSquares(ReadOnlySpan<double> x, int rows, ReadOnlySpan<double> v, Span<double> hv)
        {
            int n = v.Length;
            hv.Clear();
            for (int r = 0; r < rows; r++)
            {
                var row = x.Slice(r * n, n);
                double xv = 0;
                for (int j = 0; j < n; j++) xv += row[j] * v[j];
                for (int j = 0; j < n; j++) hv[j] += 2 * xv * row[j] / rows;
            }
        }

        /// <summary>
        /// The chained Rosenbrock Σ_i b (θ_{i+1} − θ_i²)² + (a − θ_i)²: a tridiagonal Hessian. Term i adds
        /// 12 b θ_i² − 4 b θ_{i+1} + 2 at (i, i), −4 b θ_i at (i, i+1) and (i+1, i), 2 b at (i+1, i+1).
        /// </summary>
        public static void ChainedRosenbrock(double b, ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            hv.Clear();
            for (int i = 0; i < theta.Length - 1; i++)
            {
                double x = theta[i], y = theta[i + 1];
                double xx = 12 * b * x * x - 4 * b * y + 2, xy = -4 * b * x, yy = 2 * b;
                hv[i] += xx * v[i] + xy * v[i + 1];
                hv[i + 1] += xy * v[i] + yy * v[i + 1];
            }
        }
    }
}
