using System;
using System.Numerics;

namespace AE.Experiments.Baselines
{
    /// <summary>
    /// SGD-HD: SGD with hypergradient descent on its learning rate (Baydin et al. 2018, "Online
    /// learning rate adaptation with hypergradient descent", Algorithm SGD-HD). With g_t the gradient
    /// handed to step t and g_0 = 0:
    /// h_t = −g_t · g_{t−1} (∂f(θ_{t−1})/∂α), α_t = α_{t−1} − β h_t, θ_t = θ_{t−1} − α_t g_t.
    /// α is not clipped (as in the paper): a negative α ascends, and the machine records the
    /// divergence. Defaults: α_0 = 1e-3, β = 1e-3 (the paper's values for SGD-HD).
    /// Signals: L, alpha (α_t), gnorm, step_norm, hypergrad (h_t).
    /// </summary>
    public sealed class HypergradientSgd : BaselineLaw
    {
        private static readonly string[] Names = { "L", "alpha", "gnorm", "step_norm", "hypergrad" };
        private readonly double[] _previous;
        private double _alpha;

        /// <param name="n">parameter count</param>
        /// <param name="lr">α_0, the initial learning rate</param>
        /// <param name="beta">β, the hyper-learning rate (>= 0; 0 gives plain SGD)</param>
        public HypergradientSgd(int n, double lr = 1e-3, double beta = 1e-3)
            : base("SGD-HD", n, Names)
        {
            CheckRate(nameof(lr), lr);
            CheckRate(nameof(beta), beta, allowZero: true);
            InitialLr = lr;
            Beta = beta;
            _alpha = lr;
            _previous = new double[n];
            Signals[1] = lr;
        }

        public double InitialLr { get; }

        public double Beta { get; }

        /// <summary>α after the last step.</summary>
        public double Alpha => _alpha;

        protected override void StepCore<T>(double loss, ReadOnlySpan<T> grad, Span<T> theta)
        {
            double dot = 0, g2 = 0;
            for (int i = 0; i < _previous.Length; i++)
            {
                double g = double.CreateTruncating(grad[i]);
                dot += g * _previous[i];
                g2 += g * g;
            }
            double h = -dot;
            _alpha -= Beta * h;
            for (int i = 0; i < _previous.Length; i++)
            {
                double g = double.CreateTruncating(grad[i]);
                theta[i] = T.CreateTruncating(double.CreateTruncating(theta[i]) - _alpha * g);
                _previous[i] = g;
            }
            Signals[0] = loss;
            Signals[1] = _alpha;
            Signals[2] = Math.Sqrt(g2);
            Signals[3] = Math.Abs(_alpha) * Math.Sqrt(g2);
            Signals[4] = h;
        }
    }
}
