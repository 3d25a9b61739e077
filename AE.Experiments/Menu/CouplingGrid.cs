using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Runtime;

namespace AE.Experiments.Menu
{
    /// <summary>One cell of the coupling grid: a method started from (α, μ), one run per seed.</summary>
    /// <param name="Runs">one per seed; empty when the method refuses the pair (<paramref name="Refused"/> says why)</param>
    public sealed record CouplingCell(double Alpha, double Mu, IReadOnlyList<MachineRun> Runs, string? Refused = null)
    {
        /// <summary>Every seed reached the target (so none diverged).</summary>
        public bool Converged => Runs.Count > 0 && Runs.All(r => r.StepsToTarget.HasValue);

        /// <summary>At least one seed diverged or met a non-finite value.</summary>
        public bool Diverged => Runs.Any(r => r.Stop is StopReason.Diverged or StopReason.NonFinite);

        /// <summary>The mean steps to target over the seeds when the cell converged, else NaN.</summary>
        public double MeanSteps => TargetSteps.Mean(Runs);

        /// <summary>Per seed, the steps to target when the cell converged, else none.</summary>
        public IReadOnlyList<double> StepsWhenAllReached => TargetSteps.WhenAllReached(Runs);

        /// <summary>log 1/(1 − μ), the seed's momentum coordinate.</summary>
        public double MomentumLog => -Math.Log(1 - Mu) + 0.0;   // + 0.0: mu = 0 gives 0, not -0, in the CSV

        /// <summary>A seed was stopped by Ctrl-C, or never started: the cell decides nothing.</summary>
        public bool CutShort => Runs.Any(r => r.Stop == StopReason.Cancelled);

        /// <summary><c>+</c> converged, <c>x</c> diverged, <c>.</c> neither, <c>-</c> refused, <c>?</c> cut short.</summary>
        public char Mark => Refused is not null ? '-' : CutShort ? '?' : Converged ? '+' : Diverged ? 'x' : '.';
    }

    /// <summary>A method over the grid of initial learning rates α and momenta μ on one task.</summary>
    /// <param name="Cells">row-major: μ outer, α inner</param>
    public sealed record CouplingResult(string Method, string Task, IReadOnlyList<double> Alphas, IReadOnlyList<double> Mus, IReadOnlyList<CouplingCell> Cells)
    {
        public CouplingCell Cell(int mu, int alpha) => Cells[mu * Alphas.Count + alpha];

        /// <summary>Whether a cell of the μ row was cut short: any of them might have been its best.</summary>
        public bool RowCutShort(int mu) => Enumerable.Range(0, Alphas.Count).Any(a => Cell(mu, a).CutShort);

        /// <summary>
        /// Per μ row, the index of the converged α with the fewest mean steps to target (the smaller α on a tie), or −1:
        /// none converged, or a cell was cut short (<see cref="RowCutShort"/>), which might have been the best.
        /// </summary>
        public int BestAlpha(int mu)
        {
            if (RowCutShort(mu)) return -1;
            int best = -1;
            for (int a = 0; a < Alphas.Count; a++)
            {
                var c = Cell(mu, a);
                if (c.Converged && (best < 0 || c.MeanSteps < Cell(mu, best).MeanSteps)) best = a;
            }
            return best;
        }
    }

    /// <summary>
    /// Prediction 1 of seed 001 (section 10, and menu item F): "best regions obey a negative correlation between
    /// log α and log 1/(1 − β)". A grid over the initial rate α and momentum μ; per cell every seed is run to the
    /// task's target or budget by the AE machine.
    /// <para>
    /// The criterion (<see cref="Judge"/>): in each μ row the best α is the converged cell (every seed at target) with
    /// the fewest mean steps; a row whose best α is the grid's smallest or largest is left out (its best may lie beyond
    /// the grid). With at least <see cref="MinRows"/> rows left, the least-squares slope of
    /// log α* on log 1/(1 − μ) decides: held when it is ≤ −<see cref="DefaultSlopeMargin"/> (clearly negative),
    /// did not hold otherwise; with fewer rows, not testable here. Plain momentum SGD, whose step is about
    /// α/(1 − μ), has slope −1 on a quadratic.
    /// </para>
    /// </summary>
    public static class CouplingGrid
    {
        /// <summary>The slope must be at most −0.25: a quarter of the plain-momentum coupling, well beyond one grid step's wobble over the μ range.</summary>
        public const double DefaultSlopeMargin = 0.25;

        /// <summary>Rows with a best α needed for a slope.</summary>
        public const int MinRows = 3;

        /// <summary>
        /// Runs <paramref name="create"/> (given α and μ, a factory of fresh laws for a dimension and seed, or a
        /// reason it refuses the pair) over the grid, seeds 0 .. <paramref name="seeds"/> − 1, each on a fresh task.
        /// </summary>
        public static CouplingResult Run(string method, Func<ITask> task, IReadOnlyList<double> alphas, IReadOnlyList<double> mus,
            Func<double, double, (Func<int, ulong, IOptimizerLaw>? Create, string? Refused)> create, int seeds, MachineOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            if (task is null) throw new ArgumentNullException(nameof(task));
            if (create is null) throw new ArgumentNullException(nameof(create));
            if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "at least one seed");
            var cells = new List<CouplingCell>();
            string taskName = "";
            foreach (double mu in mus)
                foreach (double alpha in alphas)
                {
                    var (factory, refused) = create(alpha, mu);
                    var runs = new List<MachineRun>();
                    if (factory is not null)
                        for (int s = 0; s < seeds; s++)
                        {
                            var machine = new AeMachine(task(), options);
                            taskName = machine.Task.Name;
                            runs.Add(machine.Run(factory(machine.Task.Dimension, (ulong)s), (ulong)s, cancellationToken));
                        }
                    cells.Add(new CouplingCell(alpha, mu, runs, factory is null ? refused ?? "refused" : null));
                }
            return new CouplingResult(method, taskName, alphas.ToArray(), mus.ToArray(), cells);
        }

        /// <summary>The least-squares slope of y on x, and Pearson's r (NaN when x or y does not vary).</summary>
        public static (double Slope, double R) Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
        {
            if (x.Count != y.Count) throw new ArgumentException("x and y differ in length");
            int n = x.Count;
            if (n < 2) return (double.NaN, double.NaN);
            double mx = x.Average(), my = y.Average(), sxx = 0, syy = 0, sxy = 0;
            for (int i = 0; i < n; i++)
            {
                sxx += (x[i] - mx) * (x[i] - mx);
                syy += (y[i] - my) * (y[i] - my);
                sxy += (x[i] - mx) * (y[i] - my);
            }
            double slope = sxx > 0 ? sxy / sxx : double.NaN;
            double r = sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
            return (slope, r);
        }

        /// <summary>Per μ row with a converged cell: (μ, log 1/(1 − μ), best α, its mean steps, whether it is at an end of the α grid).</summary>
        public static IReadOnlyList<(double Mu, double X, double Alpha, double Steps, bool AtEdge)> BestPoints(CouplingResult result)
        {
            var points = new List<(double, double, double, double, bool)>();
            for (int m = 0; m < result.Mus.Count; m++)
            {
                int a = result.BestAlpha(m);
                if (a < 0) continue;
                var c = result.Cell(m, a);
                points.Add((c.Mu, c.MomentumLog, c.Alpha, c.MeanSteps, a == 0 || a == result.Alphas.Count - 1));
            }
            return points;
        }

        /// <summary>The verdict on prediction 1 for <paramref name="result"/>, by the criterion of <see cref="CouplingGrid"/>.</summary>
        public static Judgement Judge(CouplingResult result, double slopeMargin = DefaultSlopeMargin)
        {
            if (result is null) throw new ArgumentNullException(nameof(result));
            string criterion = string.Format(CultureInfo.InvariantCulture,
                "per momentum row the best alpha is the converged cell (all seeds at target) with the fewest mean steps, rows whose best is at an end of the alpha grid left out; with >= {0} rows left, "
                + "held when the least-squares slope of log alpha* on log 1/(1-mu) is <= -{1:G3}, did not hold otherwise", MinRows, slopeMargin);
            var points = BestPoints(result);
            var converged = result.Cells.Where(c => c.Converged).ToList();
            var (_, occupancy) = Fit(converged.Select(c => Math.Log(c.Alpha)).ToList(), converged.Select(c => c.MomentumLog).ToList());
            string rows = string.Join("; ", points.Select(p => string.Format(CultureInfo.InvariantCulture, "mu {0:G3}: alpha* {1:G3} ({2:F1} steps{3})",
                p.Mu, p.Alpha, p.Steps, p.AtEdge ? ", at the grid's end" : "")));
            string region = string.Format(CultureInfo.InvariantCulture, "{0} of {1} cells converge; r(log alpha, log 1/(1-mu)) over them {2}",
                converged.Count, result.Cells.Count, double.IsNaN(occupancy) ? "undefined" : occupancy.ToString("F2", CultureInfo.InvariantCulture));
            var inside = points.Where(p => !p.AtEdge).ToList();
            if (inside.Count < MinRows)
                return new Judgement(Verdict.NotTestable, criterion, string.Format(CultureInfo.InvariantCulture, "{0} row(s) with a best alpha inside the grid, {1} needed; {2}",
                    inside.Count, MinRows, region) + (rows.Length > 0 ? "; " + rows : ""));
            var (slope, r) = Fit(inside.Select(p => p.X).ToList(), inside.Select(p => Math.Log(p.Alpha)).ToList());
            var verdict = slope <= -slopeMargin ? Verdict.Held : Verdict.DidNotHold;
            return new Judgement(verdict, criterion, string.Format(CultureInfo.InvariantCulture, "slope {0:F3} (r {1}) over {2} rows; {3}; {4}",
                slope, double.IsNaN(r) ? "undefined" : r.ToString("F2", CultureInfo.InvariantCulture), inside.Count, rows, region));
        }
    }
}
