using System;
using System.Collections.Generic;

namespace AE.Experiments.Problems
{
    /// <summary>
    /// 0.5 θᵀAθ − bᵀθ with gradient 0.5(A + Aᵀ)θ − b (A need not be symmetric), as in the golden
    /// cases of <c>../shared/golden</c>.
    /// </summary>
    public sealed class QuadraticProblem : IProblem, IHessianVectorProduct
    {
        private readonly double[] _a;    // row-major n×n
        private readonly double[] _sym;  // 0.5 (A + Aᵀ), row-major
        private readonly double[] _b;

        /// <param name="a">n rows of n values each</param>
        /// <param name="b">n values</param>
        public QuadraticProblem(IReadOnlyList<IReadOnlyList<double>> a, IReadOnlyList<double> b)
        {
            if (a is null) throw new ArgumentNullException(nameof(a));
            if (b is null) throw new ArgumentNullException(nameof(b));
            int n = b.Count;
            if (n == 0) throw new ArgumentException("b is empty; the problem needs at least one dimension", nameof(b));
            if (a.Count != n) throw new ArgumentException("A has " + a.Count + " rows; b has " + n + " values, so A must be " + n + "×" + n, nameof(a));
            _a = new double[n * n];
            _b = new double[n];
            for (int i = 0; i < n; i++)
            {
                var row = a[i] ?? throw new ArgumentException("row " + i + " of A is null", nameof(a));
                if (row.Count != n) throw new ArgumentException("row " + i + " of A has " + row.Count + " values; A must be " + n + "×" + n, nameof(a));
                for (int j = 0; j < n; j++) _a[i * n + j] = row[j];
                _b[i] = b[i];
            }
            _sym = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    _sym[i * n + j] = 0.5 * (_a[i * n + j] + _a[j * n + i]);
        }

        public int Dimension => _b.Length;

        /// <summary>A[i, j].</summary>
        public double A(int i, int j) => _a[i * _b.Length + j];

        /// <summary>b[i].</summary>
        public double B(int i) => _b[i];

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad)
        {
            int n = _b.Length;
            ProblemChecks.Lengths(n, theta, grad);
            double quad = 0, lin = 0;
            for (int i = 0; i < n; i++)
            {
                double ai = 0, gi = 0;
                int row = i * n;
                for (int j = 0; j < n; j++)
                {
                    ai += _a[row + j] * theta[j];
                    gi += _sym[row + j] * theta[j];
                }
                quad += theta[i] * ai;
                lin += _b[i] * theta[i];
                grad[i] = gi - _b[i];
            }
            return 0.5 * quad - lin;
        }

        /// <summary>H v = 0.5 (A + Aᵀ) v, whatever θ.</summary>
        public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            HessianChecks.Lengths(_b.Length, theta, v, hv);
            HessianChecks.MatVec(_sym, v, hv);
        }
    }
}
