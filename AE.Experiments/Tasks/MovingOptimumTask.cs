using System;
using System.Globalization;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// A moving optimum: 0.5 (θ − c(t))ᵀA(θ − c(t)) (20 dims, eigenvalues log-spaced in [1/100, 1],
    /// randomly rotated) whose centre stays at c0 ~ N(0, I) until step s and then drifts in a straight
    /// line: c(t) = c0 + (t − s) v for t ≥ s, |v| = <see cref="Speed"/> per step along a fixed random
    /// unit direction (problem seed). Optimum 0 at every step; exact gradient A(θ − c(t)). The target
    /// (a tracking error loss ≤ gap) counts from step s + 500 on, when a tracker's lag has settled.
    /// </summary>
    public sealed class MovingOptimumTask : TaskBase
    {
        private readonly QuadraticForm _form;
        private readonly double[] _velocity;
        private readonly double[] _center;   // scratch: c(t)
        private readonly double _targetGap;
        private readonly long _defaultSteps;

        public MovingOptimumTask(string name = "moving-optimum", double speed = 1e-3, long switchStep = 200, int dimension = 20, double condition = 1e2,
            double targetGap = 1e-6, long defaultSteps = 2000, ulong problemSeed = 6)
            : base(name, dimension)
        {
            if (!(speed >= 0) || double.IsInfinity(speed)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "the speed must be finite and >= 0");
            if (switchStep < 0) throw new ArgumentOutOfRangeException(nameof(switchStep), switchStep, "the switch step must be >= 0");
            if (!(targetGap > 0)) throw new ArgumentOutOfRangeException(nameof(targetGap), targetGap, "the target gap must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            Speed = speed;
            SwitchStep = switchStep;
            Condition = condition;
            _form = QuadraticForm.Rotated(DenseMath.LogSpaced(dimension, condition), problemSeed, centerScale: 1.0, offsetFromCenter: false);
            var source = new GaussianSource(Seeds.Derive(problemSeed, 0x76656C6FUL)); // "velo"
            _velocity = new double[dimension];
            double norm = 0;
            for (int i = 0; i < dimension; i++) { _velocity[i] = source.NextGaussian(); norm += _velocity[i] * _velocity[i]; }
            norm = Math.Sqrt(norm);
            for (int i = 0; i < dimension; i++) _velocity[i] *= speed / norm;
            _center = new double[dimension];
            _targetGap = targetGap;
            _defaultSteps = defaultSteps;
        }

        /// <summary>|v|: how far the centre moves per step after the switch.</summary>
        public double Speed { get; }

        /// <summary>s: the last step with the centre at c0; it moves from s + 1 on.</summary>
        public long SwitchStep { get; }

        public double Condition { get; }

        /// <summary>Writes c(step).</summary>
        public void CenterAt(long step, Span<double> center)
        {
            CheckTheta(center);
            double t = step > SwitchStep ? step - SwitchStep : 0;
            var c0 = _form.Center;
            for (int i = 0; i < center.Length; i++) center[i] = c0[i] + t * _velocity[i];
        }

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "0.5 (θ − c(t))ᵀA(θ − c(t)), {0} dims, cond {1:G6}, rotated; the centre drifts {2:G3} per step in a straight line after step {3}; optimum 0",
            Dimension, Condition, Speed, SwitchStep);

        public override string GradientKind => "exact: A(θ − c(t))";

        public override double TargetLoss => _targetGap;

        public override double? OptimumLoss => 0;

        public override long AcceptAfter => SwitchStep + 500;

        public override long DefaultSteps => _defaultSteps;

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            CenterAt(step, _center);
            return _form.Evaluate(theta, grad, _center);
        }
    }
}
