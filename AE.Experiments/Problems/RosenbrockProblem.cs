using System;

namespace AE.Experiments.Problems
{
    /// <summary>The two-dimensional Rosenbrock function (a − x)² + b (y − x²)², minimum 0 at (a, a²).</summary>
    public sealed class RosenbrockProblem : IProblem, IHessianVectorProduct
    {
        public RosenbrockProblem(double a = 1.0, double b = 100.0)
        {
            if (double.IsNaN(a) || double.IsInfinity(a)) throw new ArgumentOutOfRangeException(nameof(a), a, "a must be finite");
            if (double.IsNaN(b) || double.IsInfinity(b)) throw new ArgumentOutOfRangeException(nameof(b), b, "b must be finite");
            A = a;
            B = b;
        }

        public double A { get; }

        public double B { get; }

        public int Dimension => 2;

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad)
        {
            ProblemChecks.Lengths(2, theta, grad);
            double x = theta[0], y = theta[1];
            double r = y - x * x;
            double d = A - x;
            grad[0] = -2 * d - 4 * B * x * r;
            grad[1] = 2 * B * r;
            return d * d + B * r * r;
        }

        /// <summary>The exact 2×2 Hessian [[2 − 4b(y − 3x²), −4bx], [−4bx, 2b]] times v.</summary>
        public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            HessianChecks.Lengths(2, theta, v, hv);
            HessianChecks.ChainedRosenbrock(B, theta, v, hv);
        }
    }
}
