using System;
using System.Globalization;
using AE.Experiments.Problems;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// Synthetic least squares, mean over rows of (x_rᵀθ − y_r)²: 200 rows of 20 features
    /// x_rj ~ N(0, s_j²) with s_j log-spaced from 1 down to 0.1, y = X w* + 0.1 ε with w*, ε standard
    /// normal (problem seed). The optimum (the residual mean square of the least-squares solution) is
    /// computed exactly at construction. Exact full-batch gradient (2/rows) Xᵀ(Xθ − y). Start θ0 ~ N(0, I).
    /// </summary>
    public sealed class LinearRegressionTask : TaskBase, IHessianVectorProduct
    {
        private readonly double[] _x;   // rows × n, row-major
        private readonly double[] _y;
        private readonly double[] _residual;
        private readonly double _optimum, _targetGap;
        private readonly long _defaultSteps;

        public LinearRegressionTask(string name = "linreg", int rows = 200, int features = 20, double noiseStd = 0.1, double targetGap = 1e-6,
            long defaultSteps = 3000, ulong problemSeed = 3)
            : base(name, features)
        {
            if (rows < features) throw new ArgumentOutOfRangeException(nameof(rows), rows, "need at least as many rows as features (" + features + ")");
            if (!(noiseStd >= 0)) throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "the noise std must be >= 0");
            if (!(targetGap > 0)) throw new ArgumentOutOfRangeException(nameof(targetGap), targetGap, "the target gap must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            Rows = rows;
            _targetGap = targetGap;
            _defaultSteps = defaultSteps;
            var source = new GaussianSource(problemSeed);
            var scale = DenseMath.LogSpaced(features, 10.0); // 1 down to 0.1
            _x = new double[rows * features];
            for (int i = 0; i < _x.Length; i++) _x[i] = scale[i % features] * source.NextGaussian();
            var w = new double[features];
            for (int j = 0; j < features; j++) w[j] = source.NextGaussian();
            _y = new double[rows];
            for (int r = 0; r < rows; r++) _y[r] = DenseMath.Dot(_x.AsSpan(r * features, features), w) + noiseStd * source.NextGaussian();
            _residual = new double[rows];

            // Normal equations XᵀX θ = Xᵀy for the optimum.
            var xtx = new double[features * features];
            var xty = new double[features];
            for (int r = 0; r < rows; r++)
            {
                for (int i = 0; i < features; i++)
                {
                    double xi = _x[r * features + i];
                    xty[i] += xi * _y[r];
                    for (int j = 0; j < features; j++) xtx[i * features + j] += xi * _x[r * features + j];
                }
            }
            if (!DenseMath.TrySolveSpd(xtx, xty, out var solution))
                throw new InvalidOperationException("the synthetic design matrix is singular");
            Solution = solution;
            _optimum = Loss(solution);
        }

        public int Rows { get; }

        /// <summary>The least-squares solution.</summary>
        public ReadOnlyMemory<double> Solution { get; }

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "synthetic least squares mean((Xθ − y)²), {0} rows × {1} features (scales 1 to 0.1), y = Xw* + 0.1ε; optimum = least-squares residual", Rows, Dimension);

        public override string GradientKind => "exact, full batch: (2/rows) Xᵀ(Xθ − y)";

        public override double TargetLoss => _optimum + _targetGap;

        public override double? OptimumLoss => _optimum;

        public override long DefaultSteps => _defaultSteps;

        private double Loss(ReadOnlySpan<double> theta)
        {
            int n = Dimension;
            double loss = 0;
            for (int r = 0; r < Rows; r++)
            {
                double e = DenseMath.Dot(_x.AsSpan(r * n, n), theta) - _y[r];
                loss += e * e;
            }
            return loss / Rows;
        }

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            int n = Dimension;
            double loss = 0;
            for (int r = 0; r < Rows; r++)
            {
                double e = DenseMath.Dot(_x.AsSpan(r * n, n), theta) - _y[r];
                _residual[r] = e;
                loss += e * e;
            }
            grad.Clear();
            for (int r = 0; r < Rows; r++) DenseMath.AddScaled(grad, 2 * _residual[r] / Rows, _x.AsSpan(r * n, n));
            return loss / Rows;
        }

        /// <summary>H v = (2 / rows) Xᵀ X v, whatever θ.</summary>
        public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            HessianChecks.Lengths(Dimension, theta, v, hv);
            HessianChecks.LeastSquares(_x, Rows, v, hv);
        }
    }
}
