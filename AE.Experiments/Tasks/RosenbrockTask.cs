using System;
using System.Globalization;
using AE.Experiments.Problems;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// The chained Rosenbrock function Σ_{i&lt;n−1} [b (θ_{i+1} − θ_i²)² + (a − θ_i)²] (a = 1, b = 100);
    /// in 2 dims the classic (1 − x)² + 100 (y − x²)². Minimum 0 at (1, ..., 1) (for n ≥ 4 there is
    /// also a local minimum near (−1, 1, ..., 1)). Exact gradient. Start: (−1.2, 1, −1.2, 1, ...)
    /// plus N(0, 0.1²) per coordinate from the run seed.
    /// </summary>
    public sealed class RosenbrockTask : TaskBase, IHessianVectorProduct
    {
        private readonly double _a, _b, _targetGap;
        private readonly long _defaultSteps;

        public RosenbrockTask(string name = "rosenbrock", int dimension = 2, double targetGap = 1e-6, long defaultSteps = 20000, double a = 1.0, double b = 100.0)
            : base(name, dimension)
        {
            if (dimension < 2) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Rosenbrock needs at least 2 dimensions");
            if (!(targetGap > 0)) throw new ArgumentOutOfRangeException(nameof(targetGap), targetGap, "the target gap must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            if (!AeMath.IsFinite(a)) throw new ArgumentOutOfRangeException(nameof(a), a, "a must be finite");
            if (!(b > 0) || double.IsInfinity(b)) throw new ArgumentOutOfRangeException(nameof(b), b, "b must be finite and > 0");
            _a = a;
            _b = b;
            _targetGap = targetGap;
            _defaultSteps = defaultSteps;
        }

        public override string Description => Dimension == 2
            ? string.Format(CultureInfo.InvariantCulture, "Rosenbrock ({0} − x)² + {1} (y − x²)²; optimum 0 at ({0}, {2})", _a, _b, _a * _a)
            : string.Format(CultureInfo.InvariantCulture, "chained Rosenbrock Σ {1} (θ[i+1] − θ[i]²)² + ({0} − θ[i])², {2} dims; optimum 0 at all-{0}", _a, _b, Dimension);

        public override string GradientKind => "exact";

        public override double TargetLoss => _targetGap;

        public override double? OptimumLoss => 0;

        public override long DefaultSteps => _defaultSteps;

        public override void InitialTheta(ulong seed, Span<double> theta)
        {
            CheckTheta(theta);
            var source = new GaussianSource(Seeds.Derive(seed, Seeds.ThetaStream));
            for (int i = 0; i < theta.Length; i++) theta[i] = (i % 2 == 0 ? -1.2 : 1.0) + 0.1 * source.NextGaussian();
        }

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            int n = theta.Length;
            grad.Clear();
            double loss = 0;
            for (int i = 0; i < n - 1; i++)
            {
                double x = theta[i], r = theta[i + 1] - x * x, d = _a - x;
                loss += _b * r * r + d * d;
                grad[i] += -4 * _b * x * r - 2 * d;
                grad[i + 1] += 2 * _b * r;
            }
            return loss;
        }

        /// <summary>The exact (tridiagonal) Hessian of the chained function times v.</summary>
        public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            HessianChecks.Lengths(Dimension, theta, v, hv);
            HessianChecks.ChainedRosenbrock(_b, theta, v, hv);
        }
    }
}
