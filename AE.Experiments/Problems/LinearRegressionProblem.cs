using System;
using System.Collections.Generic;

namespace AE.Experiments.Problems
{
    /// <summary>Least squares: mean over rows of (X θ − Y)², with gradient (2 / rows) Xᵀ(X θ − Y).</summary>
    public sealed class LinearRegressionProblem : IProblem, IHessianVectorProduct
    {
        private readonly double[] _x;   // row-major rows×n
        private readonly double[] _y;
        private readonly int _n;

        /// <param name="x">rows of n features each (at least one row)</param>
        /// <param name="y">one target per row</param>
        public LinearRegressionProblem(IReadOnlyList<IReadOnlyList<double>> x, IReadOnlyList<double> y)
        {
            if (x is null) throw new ArgumentNullException(nameof(x));
            if (y is null) throw new ArgumentNullException(nameof(y));
            if (x.Count == 0) throw new ArgumentException("X has no rows", nameof(x));
            if (y.Count != x.Count) throw new ArgumentException("X has " + x.Count + " rows but Y has " + y.Count + " values", nameof(y));
            _n = (x[0] ?? throw new ArgumentException("row 0 of X is null", nameof(x))).Count;
            if (_n == 0) throw new ArgumentException("the rows of X are empty", nameof(x));
            _x = new double[x.Count * _n];
            _y = new double[y.Count];
            for (int r = 0; r < x.Count; r++)
            {
                var row = x[r] ?? throw new ArgumentException("row " + r + " of X is null", nameof(x));
                if (row.Count != _n) throw new ArgumentException("row " + r + " of X has " + row.Count + " values; row 0 has " + _n, nameof(x));
                for (int j = 0; j < _n; j++) _x[r * _n + j] = row[j];
                _y[r] = y[r];
            }
        }

        public int Dimension => _n;

        public int Rows => _y.Length;

        /// <summary>X[row, j].</summary>
        public double X(int row, int j)
        {
            if ((uint)row >= (uint)_y.Length) throw new ArgumentOutOfRangeException(nameof(row), row, "the problem has " + _y.Length + " rows");
            if ((uint)j >= (uint)_n) throw new ArgumentOutOfRangeException(nameof(j), j, "the problem has " + _n + " features");
            return _x[row * _n + j];
        }

        /// <summary>Y[row].</summary>
        public double Y(int row)
        {
            if ((uint)row >= (uint)_y.Length) throw new ArgumentOutOfRangeException(nameof(row), row, "the problem has " + _y.Length + " rows");
            return _y[row];
        }

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad)
        {
            ProblemChecks.Lengths(_n, theta, grad);
            int rows = _y.Length;
            grad.Clear();
            double loss = 0;
            for (int r = 0; r < rows; r++)
            {
                int row = r * _n;
                double pred = 0;
                for (int j = 0; j < _n; j++) pred += _x[row + j] * theta[j];
                double e = pred - _y[r];
                loss += e * e;
                for (int j = 0; j < _n; j++) grad[j] += 2 * e * _x[row + j] / rows;
            }
            return loss / rows;
        }

        /// <summary>H v = (2 / rows) Xᵀ X v, whatever θ.</summary>
        public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            HessianChecks.Lengths(_n, theta, v, hv);
            HessianChecks.LeastSquares(_x, _y.Length, v, hv);
        }
    }
}
