using System;
using System.Globalization;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// A mid-run change of the loss scale: 0.5 (θ − x*)ᵀA(θ − x*) (20 dims, eigenvalues log-spaced in
    /// [1/100, 1], randomly rotated, x* ~ N(0, I)), with the loss and its gradient multiplied by c from
    /// step s on (step = law steps taken: the evaluation handed to step s + 1 is the first scaled one).
    /// Optimum 0 at x* at every step. The target (loss ≤ gap, on the scaled loss) counts from step s + 100
    /// on, so a law has to survive the change. Defaults c = 10, s = 200: a fixed step size above 2/c is
    /// unstable after the change.
    /// </summary>
    public sealed class ScaleChangeTask : TaskBase
    {
        private readonly QuadraticForm _form;
        private readonly double _targetGap;
        private readonly long _defaultSteps;

        public ScaleChangeTask(string name = "scale-change", double scale = 10.0, long switchStep = 200, int dimension = 20, double condition = 1e2,
            double targetGap = 1e-6, long defaultSteps = 3000, ulong problemSeed = 5)
            : base(name, dimension)
        {
            if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale factor must be finite and > 0");
            if (switchStep < 0) throw new ArgumentOutOfRangeException(nameof(switchStep), switchStep, "the switch step must be >= 0");
            if (!(targetGap > 0)) throw new ArgumentOutOfRangeException(nameof(targetGap), targetGap, "the target gap must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            Scale = scale;
            SwitchStep = switchStep;
            Condition = condition;
            _form = QuadraticForm.Rotated(DenseMath.LogSpaced(dimension, condition), problemSeed, centerScale: 1.0, offsetFromCenter: false);
            _targetGap = targetGap;
            _defaultSteps = defaultSteps;
        }

        /// <summary>c: the factor on the loss and gradient from <see cref="SwitchStep"/> on.</summary>
        public double Scale { get; }

        /// <summary>s: the first step whose evaluation is scaled.</summary>
        public long SwitchStep { get; }

        public double Condition { get; }

        /// <summary>The factor at <paramref name="step"/>: 1 before the switch, c from it on.</summary>
        public double FactorAt(long step) => step >= SwitchStep ? Scale : 1.0;

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "0.5 (θ − x*)ᵀA(θ − x*), {0} dims, cond {1:G6}, rotated; loss and gradient × {2:G3} from step {3} on; optimum 0", Dimension, Condition, Scale, SwitchStep);

        public override string GradientKind => string.Format(CultureInfo.InvariantCulture, "exact (of the scaled loss: × {0:G3} from step {1})", Scale, SwitchStep);

        public override double TargetLoss => _targetGap;

        public override double? OptimumLoss => 0;

        public override long AcceptAfter => SwitchStep + 100;

        public override long DefaultSteps => _defaultSteps;

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            double loss = _form.Evaluate(theta, grad);
            double c = FactorAt(step);
            if (c != 1.0)
                for (int i = 0; i < grad.Length; i++) grad[i] *= c;
            return c * loss;
        }
    }
}
