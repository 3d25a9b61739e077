using System;
using System.Globalization;
using AE.Experiments.Tasks;

namespace AE.Experiments.Menu
{
    /// <summary>
    /// A task whose loss and gradient are multiplied by a constant c (menu item D's gradient scaling: "multiply the
    /// loss by c"). The optimum and the target scale with it, so the same θ is at target at every c; the start point,
    /// the run state and the budget are the inner task's.
    /// </summary>
    public sealed class ScaledTask : ITask
    {
        private readonly ITask _inner;

        public ScaledTask(ITask inner, double scale)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale must be finite and > 0");
            Scale = scale;
        }

        /// <summary>c.</summary>
        public double Scale { get; }

        public string Name => _inner.Name + "*" + Scale.ToString("G4", CultureInfo.InvariantCulture);

        public string Description => _inner.Description + ", times " + Scale.ToString("G4", CultureInfo.InvariantCulture);

        public string GradientKind => _inner.GradientKind + ", times " + Scale.ToString("G4", CultureInfo.InvariantCulture);

        public int Dimension => _inner.Dimension;

        public bool IsStochastic => _inner.IsStochastic;

        public bool LossIsExact => _inner.LossIsExact;

        public double TargetLoss => _inner.TargetLoss * Scale;

        public double? OptimumLoss => _inner.OptimumLoss * Scale;

        public long AcceptAfter => _inner.AcceptAfter;

        public long DefaultSteps => _inner.DefaultSteps;

        public void Reset(ulong seed) => _inner.Reset(seed);

        public void InitialTheta(ulong seed, Span<double> theta) => _inner.InitialTheta(seed, theta);

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad, long step) => Times(_inner.Evaluate(theta, grad, step), grad);

        public double EvaluateExact(ReadOnlySpan<double> theta, Span<double> grad, long step) => Times(_inner.EvaluateExact(theta, grad, step), grad);

        private double Times(double loss, Span<double> grad)
        {
            for (int i = 0; i < grad.Length; i++) grad[i] *= Scale;
            return loss * Scale;
        }
    }
}
