using System;
using AE.Experiments.Problems;
using AE.Runtime;

namespace AE.Experiments.Replay
{
    /// <summary>
    /// Runs an <see cref="IOptimizerLaw"/> on an <see cref="IProblem"/>: each step evaluates the loss and
    /// its gradient at theta, hands them to the law (which updates theta in place), and records the
    /// law's signals and theta. The gradient and theta buffers are allocated once per runner and the
    /// trajectory once per run, so a step allocates nothing beyond what the law itself does.
    /// </summary>
    public sealed class LawRunner
    {
        private readonly double[] _theta;
        private readonly double[] _grad;

        public LawRunner(IOptimizerLaw law, IProblem problem)
        {
            Law = law ?? throw new ArgumentNullException(nameof(law));
            Problem = problem ?? throw new ArgumentNullException(nameof(problem));
            if (law.Dimension != problem.Dimension)
                throw new ArgumentException("the law " + law.LawName + " was built for dimension " + law.Dimension + ", but the problem has dimension " + problem.Dimension, nameof(law));
            _theta = new double[problem.Dimension];
            _grad = new double[problem.Dimension];
        }

        public IOptimizerLaw Law { get; }

        public IProblem Problem { get; }

        /// <summary>Theta after the last step of the last run.</summary>
        public ReadOnlySpan<double> Theta => _theta;

        /// <summary>The gradient handed to the law at the last step.</summary>
        public ReadOnlySpan<double> Gradient => _grad;

        /// <summary>An empty trajectory sized for <paramref name="steps"/> steps of this law.</summary>
        public Trajectory CreateTrajectory(int steps) => new(steps, Problem.Dimension, Law.SignalNames);

        /// <summary>Runs <paramref name="steps"/> steps from <paramref name="theta0"/> (continuing the law's own state) and returns what was recorded.</summary>
        public Trajectory Run(ReadOnlySpan<double> theta0, int steps)
        {
            if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be >= 0");
            var trajectory = CreateTrajectory(steps);
            Run(theta0, trajectory);
            return trajectory;
        }

        /// <summary>
        /// Clears <paramref name="into"/> and runs <see cref="Trajectory.Capacity"/> steps from
        /// <paramref name="theta0"/>, recording each. Allocates nothing.
        /// </summary>
        public void Run(ReadOnlySpan<double> theta0, Trajectory into)
        {
            if (into is null) throw new ArgumentNullException(nameof(into));
            if (theta0.Length != _theta.Length)
                throw new ArgumentException("theta0 has " + theta0.Length + " values; the problem has dimension " + _theta.Length, nameof(theta0));
            if (into.Dimension != _theta.Length)
                throw new ArgumentException("the trajectory is for dimension " + into.Dimension + ", the problem has " + _theta.Length, nameof(into));
            CheckSignals(into);

            theta0.CopyTo(_theta);
            into.Clear();
            for (int step = 0; step < into.Capacity; step++)
            {
                double loss = Problem.Evaluate(_theta, _grad);
                Law.Step(loss, _grad, _theta);
                into.Append(loss, Law, _theta);
            }
        }

        private void CheckSignals(Trajectory into)
        {
            var names = Law.SignalNames;
            if (names.Count != into.SignalCount)
                throw new ArgumentException("the trajectory records " + into.SignalCount + " signals, the law " + Law.LawName + " has " + names.Count, nameof(into));
            for (int i = 0; i < names.Count; i++)
            {
                if (!string.Equals(names[i], into.SignalNames[i], StringComparison.Ordinal))
                    throw new ArgumentException("signal " + i + " of the trajectory is '" + into.SignalNames[i] + "', the law's is '" + names[i] + "'", nameof(into));
            }
        }
    }
}
