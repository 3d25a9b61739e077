using System;
using System.Globalization;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// A plateau: clipped-sigmoid regression of a sigmoid teacher, mean over rows of
    /// (σ(clip(x_rᵀw + b, ±30)) − y_r)² with y_r = σ(x_rᵀw* ), 256 rows of 10 standard normal
    /// features, w* ~ N(0, 0.4 I) (problem seed). θ = (w, b), 11 values. The start is deep in the
    /// saturated region: b = −6 (+ N(0, 0.1²)), w ~ N(0, 0.01²), so σ' ≈ 2.5e-3 and the gradient is
    /// tiny until the bias has climbed out: a long flat region, then an ordinary descent. The teacher
    /// is realisable, so the optimum is 0. Exact full-batch gradient (zero where the pre-activation
    /// is clipped, which no sensible run reaches).
    /// </summary>
    public sealed class PlateauTask : TaskBase
    {
        /// <summary>The pre-activation clip.</summary>
        public const double ZMax = 30;

        private readonly double[] _x;   // rows × features
        private readonly double[] _y;
        private readonly double[] _weight; // scratch per row: 2 (p − y) σ'(z) / rows
        private readonly int _features;
        private readonly double _target, _startBias;
        private readonly long _defaultSteps;

        public PlateauTask(string name = "plateau", int rows = 256, int features = 10, double startBias = -6, double targetLoss = 1e-5,
            long defaultSteps = 5000, ulong problemSeed = 7)
            : base(name, features + 1)
        {
            if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "need at least one row");
            if (!(targetLoss > 0)) throw new ArgumentOutOfRangeException(nameof(targetLoss), targetLoss, "the target loss must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            Rows = rows;
            _features = features;
            _target = targetLoss;
            _startBias = startBias;
            _defaultSteps = defaultSteps;
            var source = new GaussianSource(problemSeed);
            _x = new double[rows * features];
            for (int i = 0; i < _x.Length; i++) _x[i] = source.NextGaussian();
            var teacher = new double[features];
            double teacherStd = Math.Sqrt(4.0 / features);
            for (int j = 0; j < features; j++) teacher[j] = teacherStd * source.NextGaussian();
            Teacher = teacher;
            _y = new double[rows];
            for (int r = 0; r < rows; r++) _y[r] = AeMath.Sigmoid(DenseMath.Dot(_x.AsSpan(r * features, features), teacher));
            _weight = new double[rows];
        }

        public int Rows { get; }

        /// <summary>w*, the teacher's weights (its bias is 0).</summary>
        public ReadOnlyMemory<double> Teacher { get; }

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "clipped-sigmoid regression mean((σ(clip(Xw + b, ±30)) − σ(Xw*))²), {0} rows × {1} features, started saturated at b = {2:G3}; optimum 0",
            Rows, _features, _startBias);

        public override string GradientKind => "exact, full batch";

        public override double TargetLoss => _target;

        public override double? OptimumLoss => 0;

        public override long DefaultSteps => _defaultSteps;

        public override void InitialTheta(ulong seed, Span<double> theta)
        {
            CheckTheta(theta);
            var source = new GaussianSource(Seeds.Derive(seed, Seeds.ThetaStream));
            for (int j = 0; j < _features; j++) theta[j] = 0.01 * source.NextGaussian();
            theta[_features] = _startBias + 0.1 * source.NextGaussian();
        }

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            int d = _features;
            var w = theta.Slice(0, d);
            double b = theta[d];
            double loss = 0;
            for (int r = 0; r < Rows; r++)
            {
                double z = DenseMath.Dot(_x.AsSpan(r * d, d), w) + b;
                bool clipped = z > ZMax || z < -ZMax;
                double p = AeMath.Sigmoid(clipped ? Math.Clamp(z, -ZMax, ZMax) : z);
                double e = p - _y[r];
                loss += e * e;
                _weight[r] = clipped ? 0 : 2 * e * p * (1 - p) / Rows;
            }
            grad.Clear();
            var gw = grad.Slice(0, d);
            double gb = 0;
            for (int r = 0; r < Rows; r++)
            {
                DenseMath.AddScaled(gw, _weight[r], _x.AsSpan(r * d, d));
                gb += _weight[r];
            }
            grad[d] = gb;
            return loss / Rows;
        }
    }
}
