using System;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// A benchmark task for the AE machine: a loss over a parameter vector with its gradient (exact, or
    /// stochastic in a documented way), a start point per seed, and the loss that counts as solved.
    /// <para>
    /// The problem itself (matrix, data, teacher) is fixed when the task is built; a run's randomness
    /// (the start point and, for stochastic tasks, the noise or minibatch stream) comes from the run's
    /// seed: <see cref="Reset"/> then <see cref="InitialTheta"/> make a run reproducible. An instance
    /// holds run state (random stream, delay buffer), so one instance serves one run at a time.
    /// <see cref="Evaluate"/> and <see cref="EvaluateExact"/> allocate nothing.
    /// </para>
    /// </summary>
    public interface ITask
    {
        /// <summary>The catalog name (<c>quadratic</c>, <c>noisy-quadratic</c>, ...), or <c>case:NAME</c> for a golden case.</summary>
        string Name { get; }

        /// <summary>One line: what the loss is.</summary>
        string Description { get; }

        /// <summary>One line: the gradient the law sees (exact, or stochastic and how).</summary>
        string GradientKind { get; }

        /// <summary>The length of the parameter vector.</summary>
        int Dimension { get; }

        /// <summary>Whether <see cref="Evaluate"/> draws random numbers (noise or minibatches).</summary>
        bool IsStochastic { get; }

        /// <summary>
        /// Whether the loss <see cref="Evaluate"/> returns is the exact objective (only the gradient
        /// may be noisy or delayed). When false (minibatch losses), the target is judged on
        /// <see cref="EvaluateExact"/>.
        /// </summary>
        bool LossIsExact { get; }

        /// <summary>The accept threshold on the exact loss: the optimum plus a gap when the optimum is known.</summary>
        double TargetLoss { get; }

        /// <summary>The optimal loss, when known (the same at every step for the time-varying tasks).</summary>
        double? OptimumLoss { get; }

        /// <summary>The first step (number of law steps taken) at which reaching the target counts; 0 for most tasks.</summary>
        long AcceptAfter { get; }

        /// <summary>A step budget in which a well-tuned optimizer reaches the target.</summary>
        long DefaultSteps { get; }

        /// <summary>Restarts the run state: the random stream from <paramref name="seed"/>, buffers emptied.</summary>
        void Reset(ulong seed);

        /// <summary>Writes the start point for <paramref name="seed"/>; does not touch the run state.</summary>
        void InitialTheta(ulong seed, Span<double> theta);

        /// <summary>
        /// The loss at <paramref name="theta"/> and the gradient the law sees, for step
        /// <paramref name="step"/> (the number of law steps taken so far; each call is one step of a
        /// run: stochastic and delayed tasks advance their state on every call).
        /// </summary>
        /// <exception cref="ArgumentException">a span whose length is not <see cref="Dimension"/></exception>
        double Evaluate(ReadOnlySpan<double> theta, Span<double> grad, long step);

        /// <summary>
        /// The exact objective at <paramref name="theta"/> and its exact gradient at step
        /// <paramref name="step"/>: no noise, no delay, no minibatch, and no change to the run state.
        /// </summary>
        double EvaluateExact(ReadOnlySpan<double> theta, Span<double> grad, long step);
    }
}
