using System;
using System.Globalization;
using AE.Experiments.Problems;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// An ill-conditioned quadratic, 0.5 θᵀAθ − bᵀθ: A = Q diag(λ) Qᵀ with λ log-spaced from 1 down
    /// to 1/condition and Q a random orthogonal matrix, b = A x* with x* ~ N(0, I); both from the
    /// problem seed. Optimum −0.5 x*ᵀAx* at x* (negative, as in the seed's demo); exact gradient
    /// Aθ − b. Start θ0 ~ N(0, I) from the run seed.
    /// </summary>
    public sealed class QuadraticTask : TaskBase, IHessianVectorProduct
    {
        /// <summary>The problem seed of the catalog's quadratics.</summary>
        public const ulong DefaultProblemSeed = 1;

        private readonly QuadraticForm _form;
        private readonly double _targetGap;
        private readonly long _defaultSteps;

        /// <param name="name">catalog name</param>
        /// <param name="dimension">parameter count (default 20)</param>
        /// <param name="condition">largest over smallest eigenvalue (the largest is 1)</param>
        /// <param name="targetGap">target: loss − optimum ≤ this</param>
        /// <param name="defaultSteps">the suggested step budget</param>
        /// <param name="problemSeed">fixes Q and x*</param>
        public QuadraticTask(string name = "quadratic", int dimension = 20, double condition = 1e2, double targetGap = 1e-6, long defaultSteps = 2000,
            ulong problemSeed = DefaultProblemSeed)
            : base(name, dimension)
        {
            if (!(targetGap > 0)) throw new ArgumentOutOfRangeException(nameof(targetGap), targetGap, "the target gap must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            Condition = condition;
            _form = QuadraticForm.Rotated(DenseMath.LogSpaced(dimension, condition), problemSeed, centerScale: 1.0, offsetFromCenter: true);
            _targetGap = targetGap;
            _defaultSteps = defaultSteps;
        }

        /// <summary>The condition number of A.</summary>
        public double Condition { get; }

        /// <summary>The minimiser x*.</summary>
        public ReadOnlySpan<double> Minimizer => _form.Center;

        /// <summary>A, row-major.</summary>
        public ReadOnlySpan<double> Matrix => _form.Matrix;

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "0.5 θᵀAθ − bᵀθ, {0} dims, eigenvalues log-spaced in [1/{1:G6}, 1], randomly rotated; optimum −0.5 x*ᵀAx*", Dimension, Condition);

        public override string GradientKind => "exact: Aθ − b";

        public override double TargetLoss => _form.Offset + _targetGap;

        public override double? OptimumLoss => _form.Offset;

        public override long DefaultSteps => _defaultSteps;

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step) => _form.Evaluate(theta, grad);

        /// <summary>H v = A v, whatever θ.</summary>
        public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            HessianChecks.Lengths(Dimension, theta, v, hv);
            HessianChecks.MatVec(_form.Matrix, v, hv);
        }
    }
}
