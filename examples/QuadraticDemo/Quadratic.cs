using System;

namespace QuadraticDemo
{
    /// <summary>The plant of the seed's demo: loss 0.5 θᵀAθ − bᵀθ, gradient Aθ − b.</summary>
    public sealed class Quadratic
    {
        private readonly double[,] _a;
        private readonly double[] _b;

        public Quadratic(double[,] a, double[] b)
        {
            if (a.GetLength(0) != b.Length || a.GetLength(1) != b.Length) throw new ArgumentException("A must be n x n and b of length n");
            _a = (double[,])a.Clone();
            _b = (double[])b.Clone();
            Optimum = Solve(_a, _b);
            OptimalLoss = Loss(Optimum);
        }

        /// <summary>The seed's problem: A = [[3, 0], [0, 1]], b = [1, −2].</summary>
        public static Quadratic Seed() => new(new double[,] { { 3, 0 }, { 0, 1 } }, new double[] { 1, -2 });

        public int Dimension => _b.Length;

        /// <summary>θ* = A⁻¹b, computed exactly (Gaussian elimination), not read off a run.</summary>
        public double[] Optimum { get; }

        /// <summary>The loss at θ*: −½ bᵀA⁻¹b (−13/6 for the seed's problem).</summary>
        public double OptimalLoss { get; }

        public double Loss(ReadOnlySpan<double> theta)
        {
            double quad = 0, lin = 0;
            for (int i = 0; i < _b.Length; i++)
            {
                double row = 0;
                for (int j = 0; j < _b.Length; j++) row += _a[i, j] * theta[j];
                quad += theta[i] * row;
                lin += _b[i] * theta[i];
            }
            return 0.5 * quad - lin;
        }

        public void Gradient(ReadOnlySpan<double> theta, Span<double> grad)
        {
            for (int i = 0; i < _b.Length; i++)
            {
                double row = 0;
                for (int j = 0; j < _b.Length; j++) row += _a[i, j] * theta[j];
                grad[i] = row - _b[i];
            }
        }

        private static double[] Solve(double[,] a, double[] b)
        {
            int n = b.Length;
            var m = (double[,])a.Clone();
            var x = (double[])b.Clone();
            for (int col = 0; col < n; col++)
            {
                int pivot = col;
                for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
                if (m[pivot, col] == 0) throw new ArgumentException("A is singular: the quadratic has no unique optimum");
                if (pivot != col)
                {
                    for (int c = 0; c < n; c++) (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
                    (x[col], x[pivot]) = (x[pivot], x[col]);
                }
                for (int r = col + 1; r < n; r++)
                {
                    double f = m[r, col] / m[col, col];
                    for (int c = col; c < n; c++) m[r, c] -= f * m[col, c];
                    x[r] -= f * x[col];
                }
            }
            for (int r = n - 1; r >= 0; r--)
            {
                double s = x[r];
                for (int c = r + 1; c < n; c++) s -= m[r, c] * x[c];
                x[r] = s / m[r, r];
            }
            return x;
        }
    }
}
