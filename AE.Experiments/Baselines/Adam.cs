using System;
using System.Numerics;

namespace AE.Experiments.Baselines
{
    /// <summary>
    /// Adam (Kingma &amp; Ba 2015), bias-corrected: m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
    /// m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ), θ ← θ − α m̂ / (√v̂ + ε). Defaults: α = 1e-3, β1 = 0.9,
    /// β2 = 0.999, ε = 1e-8. Signals: L, alpha, gnorm, step_norm.
    /// </summary>
    public sealed class Adam : BaselineLaw
    {
        private static readonly string[] Names = { "L", "alpha", "gnorm", "step_norm" };
        private readonly double[] _m, _v;
        private double _beta1Power = 1, _beta2Power = 1;

        public Adam(int n, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
            : base("Adam", n, Names)
        {
            CheckRate(nameof(lr), lr);
            CheckUnit(nameof(beta1), beta1);
            CheckUnit(nameof(beta2), beta2);
            CheckRate(nameof(eps), eps, allowZero: true);
            Lr = lr;
            Beta1 = beta1;
            Beta2 = beta2;
            Eps = eps;
            _m = new double[n];
            _v = new double[n];
            Signals[1] = lr;
        }

        public double Lr { get; }

        public double Beta1 { get; }

        public double Beta2 { get; }

        public double Eps { get; }

        public ReadOnlySpan<double> FirstMoment => _m;

        public ReadOnlySpan<double> SecondMoment => _v;

        protected override void StepCore<T>(double loss, ReadOnlySpan<T> grad, Span<T> theta)
        {
            _beta1Power *= Beta1;
            _beta2Power *= Beta2;
            double c1 = 1 - _beta1Power, c2 = 1 - _beta2Power;
            double g2 = 0, s2 = 0;
            for (int i = 0; i < _m.Length; i++)
            {
                double g = double.CreateTruncating(grad[i]);
                double m = Beta1 * _m[i] + (1 - Beta1) * g;
                double v = Beta2 * _v[i] + (1 - Beta2) * g * g;
                _m[i] = m;
                _v[i] = v;
                double step = Lr * (m / c1) / (Math.Sqrt(v / c2) + Eps);
                theta[i] = T.CreateTruncating(double.CreateTruncating(theta[i]) - step);
                g2 += g * g;
                s2 += step * step;
            }
            Signals[0] = loss;
            Signals[2] = Math.Sqrt(g2);
            Signals[3] = Math.Sqrt(s2);
        }
    }
}
