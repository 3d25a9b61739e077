using System;
using System.Numerics;

namespace AE.Experiments.Baselines
{
    /// <summary>
    /// Adam-HD: Adam with hypergradient descent on its learning rate (Baydin et al. 2018, Algorithm
    /// Adam-HD). With u_t = m̂_t / (√v̂_t + ε) the direction of step t and u_0 = 0:
    /// h_t = −g_t · u_{t−1}, α_t = α_{t−1} − β h_t, then Adam's bias-corrected moments and
    /// θ_t = θ_{t−1} − α_t u_t. α is not clipped (as in the paper). Defaults: α_0 = 1e-3,
    /// β = 1e-7 (the paper's value for Adam-HD), β1 = 0.9, β2 = 0.999, ε = 1e-8.
    /// Signals: L, alpha (α_t), gnorm, step_norm, hypergrad (h_t).
    /// </summary>
    public sealed class HypergradientAdam : BaselineLaw
    {
        private static readonly string[] Names = { "L", "alpha", "gnorm", "step_norm", "hypergrad" };
        private readonly double[] _m, _v, _u;
        private double _alpha, _beta1Power = 1, _beta2Power = 1;

        public HypergradientAdam(int n, double lr = 1e-3, double beta = 1e-7, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
            : base("Adam-HD", n, Names)
        {
            CheckRate(nameof(lr), lr);
            CheckRate(nameof(beta), beta, allowZero: true);
            CheckUnit(nameof(beta1), beta1);
            CheckUnit(nameof(beta2), beta2);
            CheckRate(nameof(eps), eps, allowZero: true);
            InitialLr = lr;
            Beta = beta;
            Beta1 = beta1;
            Beta2 = beta2;
            Eps = eps;
            _alpha = lr;
            _m = new double[n];
            _v = new double[n];
            _u = new double[n];
            Signals[1] = lr;
        }

        public double InitialLr { get; }

        /// <summary>β, the hyper-learning rate.</summary>
        public double Beta { get; }

        public double Beta1 { get; }

        public double Beta2 { get; }

        public double Eps { get; }

        /// <summary>α after the last step.</summary>
        public double Alpha => _alpha;

        protected override void StepCore<T>(double loss, ReadOnlySpan<T> grad, Span<T> theta)
        {
            double dot = 0;
            for (int i = 0; i < _u.Length; i++) dot += double.CreateTruncating(grad[i]) * _u[i];
            double h = -dot;
            _alpha -= Beta * h;
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
                double u = (m / c1) / (Math.Sqrt(v / c2) + Eps);
                _u[i] = u;
                double step = _alpha * u;
                theta[i] = T.CreateTruncating(double.CreateTruncating(theta[i]) - step);
                g2 += g * g;
                s2 += step * step;
            }
            Signals[0] = loss;
            Signals[1] = _alpha;
            Signals[2] = Math.Sqrt(g2);
            Signals[3] = Math.Sqrt(s2);
            Signals[4] = h;
        }
    }
}
