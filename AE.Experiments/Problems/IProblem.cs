using System;

namespace AE.Experiments.Problems
{
    /// <summary>
    /// A differentiable test problem: a loss over a parameter vector with its exact gradient.
    /// <see cref="Evaluate"/> allocates nothing, so a driver can call it every step.
    /// </summary>
    public interface IProblem
    {
        /// <summary>The length of the parameter vector.</summary>
        int Dimension { get; }

        /// <summary>Writes the gradient at <paramref name="theta"/> into <paramref name="grad"/> and returns the loss.</summary>
        /// <exception cref="ArgumentException">a span whose length is not <see cref="Dimension"/></exception>
        double Evaluate(ReadOnlySpan<double> theta, Span<double> grad);
    }

    internal static class ProblemChecks
    {
        public static void Lengths(int dimension, ReadOnlySpan<double> theta, Span<double> grad)
        {
            if (theta.Length != dimension)
                throw new ArgumentException("theta has " + theta.Length + " values; the problem has dimension " + dimension, nameof(theta));
            if (grad.Length != dimension)
                throw new ArgumentException("grad has " + grad.Length + " values; the problem has dimension " + dimension, nameof(grad));
        }
    }
}
