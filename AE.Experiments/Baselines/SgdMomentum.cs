using System;
using System.Numerics;

namespace AE.Experiments.Baselines
{
    /// <summary>
    /// Fixed-learning-rate SGD with heavy-ball momentum, as PyTorch's <c>SGD(lr, momentum)</c> with no
    /// dampening: v ← μ v + g, θ ← θ − α v (v starts at 0). Defaults: α = 0.01, μ = 0.9.
    /// Signals: L, alpha, mu, gnorm, step_norm.
    /// </summary>
    public sealed class SgdMomentum : BaselineLaw
    {
        private static readonly string[] Names = { "L", "alpha", "mu", "gnorm", "step_norm" };
        private readonly double[] _v;

        /// <param name="n">parameter count</param>
        /// <param name="lr">α, the learning rate (> 0)</param>
        /// <param name="momentum">μ in [0, 1)</param>
        public SgdMomentum(int n, double lr = 0.01, double momentum = 0.9)
            : base("SGDm", n, Names)
        {
            CheckRate(nameof(lr), lr);
            CheckUnit(nameof(momentum), momentum);
            Lr = lr;
            Momentum = momentum;
            _v = new double[n];
            Signals[1] = lr;
            Signals[2] = momentum;
        }

        public double Lr { get; }

        public double Momentum { get; }

        /// <summary>The velocity v.</summary>
        public ReadOnlySpan<double> Velocity => _v;

        protected override void StepCore<T>(double loss, ReadOnlySpan<T> grad, Span<T> theta)
        {
            double g2 = 0, s2 = 0;
            for (int i = 0; i < _v.Length; i++)
            {
                double g = double.CreateTruncating(grad[i]);
                double v = Momentum * _v[i] + g;
                _v[i] = v;
                double before = double.CreateTruncating(theta[i]);
                double after = before - Lr * v;
                theta[i] = T.CreateTruncating(after);
                g2 += g * g;
                s2 += (Lr * v) * (Lr * v);
            }
            Signals[0] = loss;
            Signals[3] = Math.Sqrt(g2);
            Signals[4] = Math.Sqrt(s2);
        }
    }
}
