using System;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// 0.5 (θ − c)ᵀ A (θ − c) + f* for a symmetric A, evaluated without allocating (one scratch vector).
    /// The centre c can be the form's own or one the caller passes (a moving optimum).
    /// </summary>
    internal sealed class QuadraticForm
    {
        private readonly double[] _a;       // row-major n×n, symmetric
        private readonly double[] _center;
        private readonly double[] _diff;
        private readonly double[] _ad;

        public QuadraticForm(double[] a, double[] center, double offset)
        {
            int n = center.Length;
            if (a.Length != n * n) throw new ArgumentException("A must be " + n + "×" + n, nameof(a));
            _a = a;
            _center = center;
            Offset = offset;
            _diff = new double[n];
            _ad = new double[n];
        }

        public int Dimension => _center.Length;

        public ReadOnlySpan<double> Center => _center;

        public ReadOnlySpan<double> Matrix => _a;

        /// <summary>f*, the value at the centre.</summary>
        public double Offset { get; }

        /// <summary>A rotated quadratic: A = Q diag(λ) Qᵀ with Q Haar-random, centre N(0, centerScale² I), all from <paramref name="problemSeed"/>.</summary>
        public static QuadraticForm Rotated(double[] eigenvalues, ulong problemSeed, double centerScale, bool offsetFromCenter)
        {
            var source = new GaussianSource(problemSeed);
            var q = DenseMath.RandomOrthogonal(eigenvalues.Length, ref source);
            var a = DenseMath.FromEigen(q, eigenvalues);
            var center = new double[eigenvalues.Length];
            for (int i = 0; i < center.Length; i++) center[i] = centerScale * source.NextGaussian();
            double offset = 0;
            if (offsetFromCenter)
            {
                // 0.5 θᵀAθ − bᵀθ with b = A c has its minimum −0.5 cᵀAc at c.
                var ac = new double[center.Length];
                DenseMath.MatVec(a, center, ac);
                offset = -0.5 * DenseMath.Dot(center, ac);
            }
            return new QuadraticForm(a, center, offset);
        }

        /// <summary>The loss at θ with the form's own centre; writes the gradient A(θ − c).</summary>
        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad) => Evaluate(theta, grad, _center);

        /// <summary>The loss at θ with centre <paramref name="center"/>; writes the gradient A(θ − centre) when grad is not empty.</summary>
        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad, ReadOnlySpan<double> center)
        {
            int n = _center.Length;
            for (int i = 0; i < n; i++) _diff[i] = theta[i] - center[i];
            DenseMath.MatVec(_a, _diff, _ad);
            double q = DenseMath.Dot(_diff, _ad);
            if (!grad.IsEmpty) _ad.AsSpan().CopyTo(grad);
            return 0.5 * q + Offset;
        }
    }
}
