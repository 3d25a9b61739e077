using System;
using System.Globalization;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// The noisy quadratic: 0.5 θᵀAθ in 100 dims, A = Q diag(λ) Qᵀ with 90% of λ from U(0, 1) and 10%
    /// from U(30, 60) and Q random orthogonal (problem seed). The loss is exact; the gradient is
    /// Aθ + σ ξ with ξ ~ N(0, I) drawn from the run's stream (σ = <see cref="NoiseStd"/>, default 1).
    /// Optimum 0 at 0. Start θ0 ~ N(0, I).
    /// </summary>
    public sealed class NoisyQuadraticTask : TaskBase
    {
        private readonly QuadraticForm _form;
        private readonly double _target;
        private readonly long _defaultSteps;
        private GaussianSource _noise;

        /// <param name="dimension">parameter count (default 100)</param>
        /// <param name="noiseStd">σ, the std of each gradient component's noise</param>
        /// <param name="targetLoss">the accept threshold (the optimum is 0)</param>
        /// <param name="defaultSteps">the suggested step budget</param>
        /// <param name="problemSeed">fixes the eigenvalues and the rotation</param>
        public NoisyQuadraticTask(string name = "noisy-quadratic", int dimension = 100, double noiseStd = 1.0, double targetLoss = 0.15,
            long defaultSteps = 5000, ulong problemSeed = 2)
            : base(name, dimension)
        {
            if (!(noiseStd >= 0) || double.IsInfinity(noiseStd)) throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "the noise std must be finite and >= 0");
            if (!(targetLoss > 0)) throw new ArgumentOutOfRangeException(nameof(targetLoss), targetLoss, "the target loss must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            NoiseStd = noiseStd;
            _target = targetLoss;
            _defaultSteps = defaultSteps;
            var source = new GaussianSource(problemSeed);
            int large = Math.Max(1, (int)Math.Round(dimension * 0.1));
            var eigen = new double[dimension];
            for (int i = 0; i < dimension; i++)
                eigen[i] = i < dimension - large ? Seeds.NextUniform(ref source, 0, 1) : Seeds.NextUniform(ref source, 30, 60);
            Eigenvalues = eigen;
            var q = DenseMath.RandomOrthogonal(dimension, ref source);
            _form = new QuadraticForm(DenseMath.FromEigen(q, eigen), new double[dimension], 0);
            _noise = new GaussianSource(Seeds.Derive(0, Seeds.NoiseStream));
        }

        /// <summary>σ: each gradient component gets N(0, σ²) added.</summary>
        public double NoiseStd { get; }

        /// <summary>The eigenvalues of A (the last 10% are the large ones).</summary>
        public ReadOnlyMemory<double> Eigenvalues { get; }

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "0.5 θᵀAθ, {0} dims, 90% of eigenvalues from U(0,1) and 10% from U(30,60), randomly rotated; optimum 0", Dimension);

        public override string GradientKind => string.Format(CultureInfo.InvariantCulture,
            "stochastic: Aθ + σξ, ξ ~ N(0, I) per step, σ = {0:G3}; the loss is exact", NoiseStd);

        public override bool IsStochastic => NoiseStd > 0;

        public override double TargetLoss => _target;

        public override double? OptimumLoss => 0;

        public override long DefaultSteps => _defaultSteps;

        public override void Reset(ulong seed) => _noise = new GaussianSource(Seeds.Derive(seed, Seeds.NoiseStream));

        /// <summary>The noise stream's position.</summary>
        public override void WriteRunState(System.IO.BinaryWriter writer) => WriteSource(writer, _noise);

        public override void ReadRunState(System.IO.BinaryReader reader) => _noise = ReadSource(reader);

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            double loss = _form.Evaluate(theta, grad);
            if (NoiseStd > 0)
                for (int i = 0; i < grad.Length; i++) grad[i] += NoiseStd * _noise.NextGaussian();
            return loss;
        }

        protected override double EvaluateExactCore(ReadOnlySpan<double> theta, Span<double> grad, long step) => _form.Evaluate(theta, grad);
    }
}
