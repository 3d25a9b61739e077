using System;
using System.Globalization;
using AE.Experiments.Problems;
using AE.Experiments.Replay;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// A golden case (<c>../shared/golden/*.json</c>) as a task: its problem with the exact gradient,
    /// its <c>theta0</c> as the start for every seed, its <c>steps</c> as the budget. The optimum is
    /// computed: quadratic −0.5 bᵀx* with x* solving ½(A + Aᵀ) x = b (unknown when that matrix is not
    /// positive definite: the quadratic is unbounded below); Rosenbrock 0; linreg the least-squares
    /// residual. Target: optimum + 1e-6 × (loss at theta0 − optimum), at least 1e-12 above it; without
    /// a known optimum, loss ≤ −∞ (never).
    /// </summary>
    public sealed class GoldenCaseTask : TaskBase, IHessianVectorProduct
    {
        /// <summary>The target gap as a fraction of the initial gap.</summary>
        public const double RelativeTargetGap = 1e-6;

        private readonly IProblem _problem;
        private readonly double[] _theta0;
        private readonly double? _optimum;
        private readonly double _target;

        public GoldenCaseTask(GoldenCase goldenCase)
            : base("case:" + (goldenCase ?? throw new ArgumentNullException(nameof(goldenCase))).Name, goldenCase.Problem.Dimension)
        {
            Case = goldenCase;
            _problem = goldenCase.Problem;
            _theta0 = goldenCase.Theta0.ToArray();
            _optimum = ComputeOptimum(_problem);
            if (_optimum is double f)
            {
                double initial = _problem.Evaluate(_theta0, new double[Dimension]);
                double gap = AeMath.IsFinite(initial) ? RelativeTargetGap * (initial - f) : 0;
                _target = f + Math.Max(gap, 1e-12);
            }
            else _target = double.NegativeInfinity;
        }

        /// <summary>Loads a case file (and its csv) and wraps it.</summary>
        /// <exception cref="GoldenCaseException">the file is missing or malformed</exception>
        public static GoldenCaseTask Load(string jsonPath) => new(GoldenCase.Load(jsonPath));

        public GoldenCase Case { get; }

        public override string Description => Case.ProblemKind switch
        {
            "quadratic" => string.Format(CultureInfo.InvariantCulture, "golden case {0}: 0.5 θᵀAθ − bᵀθ, {1} dims", Case.Name, Dimension),
            "rosenbrock" => string.Format(CultureInfo.InvariantCulture, "golden case {0}: Rosenbrock (a − x)² + b (y − x²)²", Case.Name),
            _ => string.Format(CultureInfo.InvariantCulture, "golden case {0}: least squares mean((Xθ − Y)²), {1} features", Case.Name, Dimension),
        };

        public override string GradientKind => "exact";

        public override double TargetLoss => _target;

        public override double? OptimumLoss => _optimum;

        public override long DefaultSteps => Case.Steps;

        public override void InitialTheta(ulong seed, Span<double> theta)
        {
            CheckTheta(theta);
            _theta0.CopyTo(theta);
        }

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step) => _problem.Evaluate(theta, grad);

        /// <summary>The problem's exact Hessian times v (every golden problem kind has one).</summary>
        public void HessianVector(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> hv)
        {
            var curvature = _problem as IHessianVectorProduct ?? throw new InvalidOperationException("the problem of case " + Case.Name + " has no Hessian-vector product");
            curvature.HessianVector(theta, v, hv);
        }

        /// <summary>The problem's minimum, when it is known in closed form and finite.</summary>
        public static double? ComputeOptimum(IProblem problem)
        {
            switch (problem)
            {
                case QuadraticProblem q:
                {
                    int n = q.Dimension;
                    var s = new double[n * n];
                    var b = new double[n];
                    for (int i = 0; i < n; i++)
                    {
                        b[i] = q.B(i);
                        for (int j = 0; j < n; j++) s[i * n + j] = 0.5 * (q.A(i, j) + q.A(j, i));
                    }
                    if (!DenseMath.TrySolveSpd(s, b, out var x)) return null;
                    return -0.5 * DenseMath.Dot(b, x) + 0.0;   // + 0.0: b = 0 gives -0, which reads as a negative optimum
                }
                case RosenbrockProblem r:
                    return r.B > 0 ? 0.0 : null;
                case LinearRegressionProblem l:
                {
                    int n = l.Dimension, rows = l.Rows;
                    var xtx = new double[n * n];
                    var xty = new double[n];
                    for (int r = 0; r < rows; r++)
                        for (int i = 0; i < n; i++)
                        {
                            xty[i] += l.X(r, i) * l.Y(r);
                            for (int j = 0; j < n; j++) xtx[i * n + j] += l.X(r, i) * l.X(r, j);
                        }
                    if (!DenseMath.TrySolveSpd(xtx, xty, out var w)) return null;
                    return l.Evaluate(w, new double[n]);
                }
                default:
                    return null;
            }
        }
    }
}
